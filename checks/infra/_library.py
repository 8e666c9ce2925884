"""Is the audited repository a packaged library rather than an ML system?

A library's own benchmarks and tests exercise the package, not a production feature pipeline
or model (the rule infra-1, infra-4, data-3 and monitor-6 apply)."""

from __future__ import annotations

import re

from ml_readiness.checks.infra._shared import training_entry_points

from ml_readiness.entrypoints import serving_entry_points
from ml_readiness.facts import Facts

PACKAGED = re.compile(r"^\[(project|tool\.poetry)\]\s*$", re.M)


def is_packaged_library(facts: Facts) -> bool:
    """The repository packages its code (`pyproject.toml` with `[project]` or
    `[tool.poetry]`, `setup.py`, `setup.cfg`) and has no training and no serving entry
    point."""
    if training_entry_points(facts) or serving_entry_points(facts):
        return False
    if facts.repo.glob("setup.py", "setup.cfg"):
        return True
    text = facts.text("pyproject.toml") if facts.repo.glob("pyproject.toml") else None
    return bool(text and PACKAGED.search(text))
