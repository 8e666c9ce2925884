"""Shared assertions for the model-check tests."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import run_check


def produced(root: Path, check_id: str) -> tuple[list[Evidence], list[str]]:
    """(evidence, hint texts) one check yields on the repo at `root`."""
    values = run_check(root, check_id)
    return [v for v in values if isinstance(v, Evidence)], [
        v.detail for v in values if isinstance(v, Hint)
    ]


def where(evidence: list[Evidence]) -> list[tuple[str, int | None, str, str, str | None]]:
    """(path, line, kind, credit, symbol) of each piece of evidence, in order."""
    return [(e.path, e.line, e.kind, e.credit, e.symbol) for e in evidence]
