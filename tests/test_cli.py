"""The command line end to end: exit codes, outputs, errors as one line, determinism."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ml_readiness import __version__
from ml_readiness.cli import main
from tests.helpers import make_repo

EMPTY = {"README.md": "# A project\n"}
ATTESTED = {
    "README.md": "# A project\n",
    "docs/ab-test.md": "# A/B test 2026 Q3\nOffline AUC tracked online CTR (r=0.8).\n",
    "mlready.yaml": """
        attestations:
          - item: model-2
            level: manual
            evidence: docs/ab-test.md
            owner: ana@example.com
            reviewed: 2026-10-01
          - item: model-4
            level: manual
            evidence: docs/missing.md
            owner: ana@example.com
            reviewed: 2026-10-01
        not_applicable:
          - {item: infra-6, reason: "batch scoring only"}
        gate: {fail_under: 0}
    """,
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help():
    code, out, _ = run("--version")
    assert (code, out) == (0, f"mlready {__version__}\n")
    code, out, _ = run("audit", "--help")
    assert code == 0 and "Exit codes:" in out and "--fail-under" in out


def test_json_has_28_items_and_overall_is_min_of_sections(tmp_path):
    root = make_repo(tmp_path / "r", EMPTY)
    code, out, _ = run("audit", str(root), "--format", "json", "--as-of", "2026-11-01")
    assert code == 0
    data = json.loads(out)
    assert len(data["items"]) == 28 and data["schema_version"] == "1.1"
    assert data["overall"]["score"] == min(s["score"] for s in data["sections"])
    assert data["gate"] == {
        "configured": False,
        "passed": True,
        "reasons": [],
        "relied_on": [],
        "criteria": [],
    }


def test_fail_under_exit_codes(tmp_path):
    root = make_repo(tmp_path / "r", EMPTY)
    assert run("audit", str(root), "-q", "--fail-under", "0")[0] == 0
    code, out, _ = run("audit", str(root), "--fail-under", "0.5")
    assert code == 1 and "Gate: FAILED (overall >= 0.5)" in out
    assert "overall score 0 is below 0.5" in out
    assert run("audit", str(root), "-q", "--section-min", "data=0.5")[0] == 1


def test_attestations_and_not_applicable_are_listed_in_gate(tmp_path):
    root = make_repo(tmp_path / "r", ATTESTED, git=True)
    code, out, _ = run("audit", str(root), "--format", "json", "--as-of", "2026-11-01")
    data = json.loads(out)
    items = {i["id"]: i for i in data["items"]}
    assert items["model-2"]["level"] == "manual"
    assert items["model-2"]["reason"].startswith(
        "manual by attestation: attested by ana@example.com"
    )
    assert items["model-4"]["level"] == "none"
    assert items["infra-6"]["level"] == "not_applicable" and items["infra-6"]["score"] is None
    assert data["gate"]["relied_on"] == [
        "attestation model-2 (manual, docs/ab-test.md): attested by ana@example.com, reviewed "
        "2026-10-01, expires 2027-10-01",
        "attestation model-4 (manual, docs/missing.md): evidence file docs/missing.md is not a "
        "tracked file of the repository; not credited",
        "not applicable infra-6: batch scoring only",
        "gate settings from mlready.yaml",
    ]
    code, out, _ = run("audit", str(root), "--format", "json", "--strict")
    strict = json.loads(out)
    assert {i["id"]: i["level"] for i in strict["items"]}["model-2"] == "none"
    assert strict["gate"]["relied_on"] == [] and strict["strict"] is True


def test_two_runs_give_byte_identical_json(tmp_path):
    root = make_repo(tmp_path / "r", ATTESTED, git=True)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run("audit", str(root), "-q", "-o", str(a), "--as-of", "2026-11-01")
    run("audit", str(root), "-q", "-o", str(b), "--as-of", "2026-11-01")
    assert a.read_bytes() == b.read_bytes()


def test_errors_are_one_line_exit_2(tmp_path):
    code, _, err = run("audit", str(tmp_path / "missing"))
    assert (code, err) == (2, f"mlready: error: path does not exist: {tmp_path / 'missing'}\n")
    bad = make_repo(tmp_path / "bad", {"mlready.yaml": "gate:\n  fail_under: [\n"})
    code, _, err = run("audit", str(bad))
    assert code == 2 and err.startswith("mlready: error: mlready.yaml:3: invalid YAML")
    assert err.count("\n") == 1
    code, _, err = run("audit", str(bad), "--strict", "-q")
    assert code == 0  # --strict never reads the repo's config


def test_unwritable_output_keeps_existing_report(tmp_path):
    root = make_repo(tmp_path / "r", EMPTY)
    keep = tmp_path / "report.json"
    keep.write_text("previous")
    code, _, err = run("audit", str(root), "-o", str(keep), "-o", str(tmp_path / "nope" / "r.json"))
    assert code == 2
    assert (
        err == f"mlready: error: cannot write report {tmp_path / 'nope' / 'r.json'}: "
        f"folder {tmp_path / 'nope'} does not exist\n"
    )
    assert keep.read_text() == "previous"
    code, _, err = run("audit", str(root), "-o", str(tmp_path / "r.unknown"))
    assert code == 2 and "cannot tell the report format" in err


def test_rubric_validate_and_bad_rubric_in_audit(tmp_path):
    rubric = tmp_path / "r.yaml"
    rubric.write_text(
        "id: x\nversion: '1'\nextends: ml-test-score\nitems:\n  - {id: data-1}\n  - {id: data-1}\n"
    )
    code, _, err = run("rubric", "validate", str(rubric))
    assert code == 1 and err == f"{rubric}:6: duplicate item id 'data-1'\n"
    code, _, err = run("audit", str(make_repo(tmp_path / "r", EMPTY)), "--rubric", str(rubric))
    assert code == 2 and err == f"mlready: error: {rubric}:6: duplicate item id 'data-1'\n"
    assert run("rubric", "validate", "ml-test-score")[0] == 0


def test_explain_and_checks():
    code, out, _ = run("explain", "model-3")
    assert code == 0 and out.startswith("model-3: ") and "hyperparameter-search" in out
    code, _, err = run("explain", "model-99")
    assert code == 2 and "unknown item 'model-99'" in err
    code, out, _ = run("checks")
    assert code == 0 and "dependency-update-bot" in out


def test_no_traceback_from_a_real_process(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ml_readiness", "audit", str(tmp_path / "x")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr == f"mlready: error: path does not exist: {tmp_path / 'x'}\n"


@pytest.mark.parametrize(
    ("args", "code", "out", "err"),
    [
        (["--version"], 0, "mlready 0.1.0\n", ""),
        (
            ["audit", "/nonexistent-folder"],
            2,
            "",
            "mlready: error: path does not exist: /nonexistent-folder\n",
        ),
        (
            ["audit", "--format", "nope", "."],
            2,
            "",
            "Error: Invalid value for --format: unknown format 'nope'",
        ),
    ],
)
def test_console_script_keeps_exit_codes_and_output(args, code, out, err):
    """`mlready` (cli:console) skips interpreter teardown after flushing: same codes, same
    output as the click command."""
    probe = "import sys; from ml_readiness.cli import console; sys.argv[0] = 'mlready'; console()"
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == code
    assert proc.stdout == out
    assert err in proc.stderr
