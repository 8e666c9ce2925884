"""CLI wiring of reports: every format by extension, baselines, diff, report re-rendering."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ml_readiness.cli import main
from tests.helpers import make_repo

DEPENDABOT = (
    "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    "    schedule: {interval: weekly}\n"
)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_all_formats_by_extension_and_report_rerenders_identically(tmp_path):
    root = make_repo(
        tmp_path / "r", {".github/dependabot.yml": DEPENDABOT, "requirements.txt": "numpy==2.0\n"}
    )
    out = tmp_path / "out"
    out.mkdir()
    names = ["a.json", "a.md", "a.html", "a.junit.xml", "a.sarif", "a.svg", "a.badge.json", "a.txt"]
    args = ["audit", str(root), "--as-of", "2026-11-01", "-q"]
    for name in names:
        args += ["-o", str(out / name)]
    assert invoke(*args).exit_code == 0
    assert json.loads((out / "a.badge.json").read_text())["schemaVersion"] == 1
    assert (out / "a.svg").read_text().startswith("<svg")
    for name in names[1:]:
        again = tmp_path / f"again-{name}"
        assert invoke("report", str(out / "a.json"), "-o", str(again)).exit_code == 0
        assert again.read_bytes() == (out / name).read_bytes(), name


def test_baseline_deltas_regression_gate_and_diff(tmp_path):
    root = make_repo(
        tmp_path / "r", {".github/dependabot.yml": DEPENDABOT, "requirements.txt": "numpy==2.0\n"}
    )
    old = tmp_path / "old.json"
    assert invoke("audit", str(root), "-q", "-o", str(old), "--as-of", "2026-11-01").exit_code == 0
    (root / ".github" / "dependabot.yml").unlink()
    new = tmp_path / "new.json"
    result = invoke(
        "audit",
        str(root),
        "--baseline",
        str(old),
        "--fail-on-regression",
        "-o",
        str(new),
        "--as-of",
        "2026-11-01",
    )
    assert result.exit_code == 1
    assert "monitor-1 automated → none" in result.stdout
    data = json.loads(new.read_text())
    item = next(i for i in data["items"] if i["id"] == "monitor-1")
    assert item["delta"] == {"from": "automated", "to": "none"}
    diff = invoke("diff", str(old), str(new))
    assert diff.exit_code == 0 and "monitor-1" in diff.stdout
    assert invoke("diff", str(old), str(old)).stdout.strip() == "no changes"
    no_base = invoke("audit", str(root), "--fail-on-regression")
    assert no_base.exit_code == 2 and "--fail-on-regression needs --baseline" in no_base.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    bad = invoke("audit", str(root), "--baseline", str(broken))
    assert bad.exit_code == 2 and bad.stderr.startswith("mlready: error: ")
