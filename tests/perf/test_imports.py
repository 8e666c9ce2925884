"""The CLI's quick paths never import heavy modules (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("great_expectations", "jinja2", "pandas", "numpy", "pyarrow", "yaml")
PROBE = """
import json, sys
sys.argv = ["mlready", *sys.argv[1:]]
from ml_readiness.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def _modules(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [(), ("--version",), ("--help",), ("audit", "--help")])
def test_quick_paths_import_nothing_heavy(args: tuple[str, ...]) -> None:
    loaded = _modules(*args)
    assert "ml_readiness" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_importing_the_cli_imports_nothing_heavy() -> None:
    code = (
        "import json, sys, ml_readiness.cli; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stdout))
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_a_static_audit_of_a_git_repo_imports_no_report_or_pattern_libraries(tmp_path) -> None:
    """jinja2 only renders HTML/Markdown; pathspec (~25 ms, it pulls in asyncio) only reads
    --exclude patterns, CODEOWNERS and .gitignore files outside git."""
    from tests.helpers import make_repo

    root = make_repo(tmp_path / "repo", {"train.py": "import random\nrandom.seed(0)\n"}, git=True)
    loaded = _modules("audit", str(root), "--format", "json", "--as-of", "2026-11-01")
    assert "ml_readiness" in loaded
    assert loaded.isdisjoint({"jinja2", "pathspec", "asyncio", "great_expectations"}), sorted(
        loaded & {"jinja2", "pathspec", "asyncio", "great_expectations"}
    )
