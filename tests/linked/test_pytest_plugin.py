"""The pytest plugin in real pytest runs (auto-loaded through the `pytest11` entry point), and
its JUnit output fed back to the audit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ml_readiness.linked import results_hook
from tests.helpers import make_repo
from tests.linked.common import MY_RUBRIC, audit_linked, item, section

PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["src"]
    """,
    "mlready.yaml": "rubric: team.yaml\ngate:\n  fail_under: 0\n",
    "src/registry.py": """
        def owners():
            return {"age": "ana", "income": ""}
    """,
    "tests/test_registry.py": """
        import pytest
        from registry import owners


        @pytest.mark.mlready("data-8")
        def test_every_column_has_an_owner():
            assert all(owners().values())


        @pytest.mark.mlready("infra-2")
        class TestLoading:
            @pytest.mark.parametrize("column", ["age"])
            def test_owner_of(self, column):
                assert owners()[column] == "ana"
    """,
}


def run_pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            *args,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def project(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    root = make_repo(tmp_path / "repo", files or PROJECT)
    shutil.copy(MY_RUBRIC, root / "team.yaml")
    return root


def test_real_run_records_items_and_a_failure_takes_the_credit_away(tmp_path):
    root = project(tmp_path)
    report = tmp_path / "junit.xml"
    run = run_pytest(root, f"--junitxml={report}", "--strict-markers")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 1 passed" in run.stdout
    cases = {
        (c.get("classname"), c.get("name")): [
            (p.get("name"), p.get("value")) for p in c.iter("property")
        ]
        for c in ET.parse(report).getroot().iter("testcase")
    }
    assert cases == {
        ("tests.test_registry", "test_every_column_has_an_owner"): [("mlready_items", "data-8")],
        ("tests.test_registry.TestLoading", "test_owner_of[age]"): [("mlready_items", "infra-2")],
    }
    before = audit_linked(root)
    assert (item(before, "data-8").level, item(before, "infra-2").level) == ("manual", "manual")
    assert (section(before, "data").raw, section(before, "data").size) == (0.5, 8)
    assert before.gate.passed

    after = audit_linked(root, results_hook((str(report),)))
    data_8 = item(after, "data-8")
    assert (data_8.level, data_8.score, data_8.evidence) == ("none", 0.0, ())
    assert [(f.location(), f.detail) for f in data_8.findings] == [
        (
            "tests/test_registry.py:6",
            "test tests/test_registry.py::test_every_column_has_an_owner"
            f" failed in {report}: AssertionError: assert False; its evidence is not credited",
        )
    ]
    assert item(after, "infra-2").level == "manual"  # its parametrized test passed
    assert (section(after, "data").raw, section(after, "data").score) == (0.0, 0.0)
    assert not after.gate.passed
    assert after.gate.reasons == ("data-8 is none, manual is required",)


def test_unknown_id_is_a_collection_error_naming_test_and_id(tmp_path):
    files = dict(PROJECT)
    del files["mlready.yaml"]  # default rubric: data-8 does not exist there
    root = project(tmp_path, files)
    run = run_pytest(root)
    assert run.returncode == 2
    assert "ERROR collecting tests/test_registry.py" in run.stdout
    assert (
        "tests/test_registry.py::test_every_column_has_an_owner: @pytest.mark.mlready names "
        "unknown item 'data-8': not an item of rubric ml-test-score 2017.1 (list them with "
        "`mlready rubric show`)"
    ) in run.stdout.splitlines()
    ok = run_pytest(root, "--mlready-rubric", "team.yaml")  # relative to where pytest runs
    assert ok.returncode == 1 and "1 failed, 1 passed" in ok.stdout


def test_config_rubric_errors_name_the_file_and_unmarked_projects_never_break(tmp_path):
    files = dict(PROJECT)
    files["mlready.yaml"] = "rubric: missing.yaml\n"
    root = project(tmp_path, files)
    run = run_pytest(root)
    assert run.returncode == 2
    assert (
        f"tests/test_registry.py::test_every_column_has_an_owner: @pytest.mark.mlready "
        f"cannot be checked: {root / 'missing.yaml'}: rubric not found (give a shipped "
        "rubric name such as 'ml-test-score' or a path to a YAML file)"
    ) in run.stdout
    plain = make_repo(
        tmp_path / "plain",
        {
            "mlready.yaml": "rubric: [not, valid\n",
            "tests/test_plain.py": "def test_plain():\n    assert 1 + 1 == 2\n",
        },
    )
    run = run_pytest(plain, "-W", "error")
    assert run.returncode == 0 and "1 passed" in run.stdout, run.stdout


def test_marker_is_registered_with_help_and_the_plugin_imports_light(tmp_path):
    root = make_repo(tmp_path, {"pytest.ini": "[pytest]\n"})
    run = run_pytest(root, "--markers")
    assert (
        "@pytest.mark.mlready(*item_ids): link this test to ML readiness rubric items, e.g. "
        "@pytest.mark.mlready('infra-2', 'monitor-5'); `mlready audit` credits the test as "
        "evidence for them"
    ) in run.stdout
    code = (
        "import sys, ml_readiness.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ml_readiness', 'yaml', 'jinja2', 'click')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['ml_readiness', 'ml_readiness.pytest_plugin']"
