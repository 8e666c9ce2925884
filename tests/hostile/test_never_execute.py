"""Code in the audited repository never runs: not on import, not through git, not with any flag."""

from __future__ import annotations

import itertools
import json
import subprocess

import pytest
from click.testing import CliRunner

from ml_readiness.cli import main
from tests.helpers import make_repo


def _trap_files(marker_dir) -> dict[str, str]:
    def payload(name: str) -> str:
        return f"open({str(marker_dir / name)!r}, 'w').write('ran')\n"

    return {
        "conftest.py": payload("conftest"),
        "setup.py": payload("setup"),
        "noxfile.py": "import nox\n"
        + payload("noxfile")
        + "@nox.session\ndef tests(session):\n    session.run('pytest')\n",
        "sitecustomize.py": payload("sitecustomize"),
        "evil.pth": f"import os; open({str(marker_dir / 'pth')!r}, 'w').write('ran')\n",
        "pkg/__init__.py": payload("package_init"),
        "pkg/model.py": "import torch\nclass Net(torch.nn.Module):\n    pass\n",
        "docs/conf.py": payload("docs_conf"),
        "tests/test_model.py": "from pkg.model import Net\n\ndef test_net():\n"
        "    assert Net() is not None\n",
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: pytest tests && nox -s tests\n",
        "Makefile": "test:\n\tpython setup.py test\n",
        "mlready.yaml": "gate: {fail_under: 0}\n",
        # a GX suite with committed data, so --validate-data really runs Great Expectations
        "gx/expectations/rows.json": '{"name": "rows", "expectations": [{"type": '
        '"expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}]}',
        "data/sample.csv": "a,b\n1,2\n3,4\n",
    }


def _poison_git(root, marker_dir) -> None:
    cmd = f"touch {marker_dir}/git-$RANDOM"
    for key, value in [
        ("core.fsmonitor", cmd),
        ("core.pager", cmd),
        ("diff.external", cmd),
        ("filter.evil.clean", cmd),
        ("filter.evil.smudge", cmd),
        ("filter.evil.process", cmd),
        ("core.hooksPath", str(root / "hooks")),
        ("core.sshCommand", cmd),
    ]:
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n")
    hooks = root / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change", "fsmonitor-watchman"):
        (hooks / hook).write_text(f"#!/bin/sh\n{cmd}\n")
        (hooks / hook).chmod(0o755)


FLAG_SETS = [
    [],
    ["--strict"],
    ["--as-of", "2026-01-01"],
    ["--exclude", "docs/**"],
    ["--validate-data", "--allow-suite-conditions", "--fail-on-data-validation"],
]


@pytest.mark.parametrize("flags", FLAG_SETS, ids=lambda f: " ".join(f) or "default")
def test_no_code_from_the_repo_runs(tmp_path, flags):
    markers = tmp_path / "markers"
    markers.mkdir()
    files = _trap_files(markers)
    if "--validate-data" in flags:
        files["mlready.yaml"] += (
            "data_validation:\n  - {suite: gx/expectations/rows.json, data: data/sample.csv}\n"
        )
    root = make_repo(tmp_path / "repo", files, git=True)
    _poison_git(root, markers)
    (root / "untracked.py").write_text("x = 1\n")  # makes git consider the work tree
    out = tmp_path / "out"
    out.mkdir()
    outputs = ["-o", str(out / "r.json"), "-o", str(out / "r.md"), "-o", str(out / "r.html")]
    runner = CliRunner()
    for args in (
        ["audit", str(root), *flags, *outputs],
        ["automation", str(root)],
        ["audit", str(root), "-q"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 1), result.output + str(result.exception)
    assert sorted(p.name for p in markers.iterdir()) == []
    if "--validate-data" in flags:  # the validation really ran
        report = json.loads((out / "r.json").read_text())
        runs = report["extras"]["data_validation"]["suites"]
        assert [(r["suite"], r["data"]) for r in runs] == [
            ("gx/expectations/rows.json", "data/sample.csv")
        ]


def test_every_flag_combination_of_the_audit_is_inert(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    root = make_repo(tmp_path / "repo", _trap_files(markers), git=True)
    _poison_git(root, markers)
    toggles = [["--strict"], ["-q"], ["--as-of", "2026-01-01"], ["--format", "md"]]
    runner = CliRunner()
    for n in range(len(toggles) + 1):
        for combo in itertools.combinations(toggles, n):
            args = ["audit", str(root), *[a for flag in combo for a in flag]]
            result = runner.invoke(main, args)
            assert result.exit_code in (0, 1), (args, result.output)
    assert list(markers.iterdir()) == []
