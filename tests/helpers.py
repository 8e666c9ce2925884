"""Test helpers: build fixture repositories in a few lines."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import textwrap
from pathlib import Path

from ml_readiness.audit import AuditOptions, run_audit
from ml_readiness.facts import Facts
from ml_readiness.registry import load_checks
from ml_readiness.repo import Repo
from ml_readiness.result import AuditResult

AS_OF = dt.date(2026, 11, 1)


def make_repo(root: Path, files: dict[str, str | bytes], git: bool = False) -> Path:
    """Write `files` (path → content; str is dedented) under `root`; optionally `git init` and
    commit them. Returns root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    if git:
        env = {
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "HOME": str(root),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        }
        for cmd in (
            ["git", "init", "-q"],
            ["git", "add", "-A"],
            ["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "fixture"],
        ):
            subprocess.run(cmd, cwd=root, check=True, env=env, capture_output=True)
    return root


def notebook(*cells: str, outputs: bool = False) -> str:
    """A minimal nbformat-4 notebook with the given code cells (one source line per line)."""
    nb_cells = []
    for src in cells:
        lines = textwrap.dedent(src).strip("\n").splitlines(keepends=True)
        nb_cells.append(
            {
                "cell_type": "code",
                "execution_count": 1 if outputs else None,
                "metadata": {},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}]
                if outputs
                else [],
                "source": lines,
            }
        )
    return json.dumps(
        {"cells": nb_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def audit(root: Path, **options: object) -> AuditResult:
    """Run the audit with a fixed date."""
    options.setdefault("as_of", AS_OF)
    return run_audit(root, AuditOptions(**options))  # type: ignore[arg-type]


def run_check(root: Path, check_id: str) -> list:
    """Everything one check yields on the repo at `root` (with the real AutomationMap)."""
    facts = Facts(Repo.open(root), as_of=AS_OF)
    spec = next(c for c in load_checks() if c.id == check_id)
    return list(spec.run(facts))


def levels(result: AuditResult) -> dict[str, str]:
    return {i.id: i.level for i in result.items}
