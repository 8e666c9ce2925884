"""Shared helpers for AutomationMap tests."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.automation import AutomationMap
from ml_readiness.facts import Facts
from ml_readiness.repo import Repo
from tests.helpers import make_repo


def amap_of(tmp_path: Path, files: dict[str, str], git: bool = False) -> AutomationMap:
    """The AutomationMap of a fixture repository."""
    return Facts(Repo.open(make_repo(tmp_path, files, git=git))).automation


def roots(amap: AutomationMap) -> dict[str, str]:
    """Root id → trigger."""
    return {r.id: r.trigger for r in amap.roots}


def runs(amap: AutomationMap, path: str, symbol: str | None = None) -> set[str]:
    """`root (trigger)` for every execution of path/symbol."""
    return {f"{e.root} ({e.trigger})" for e in amap.executions(path, symbol)}
