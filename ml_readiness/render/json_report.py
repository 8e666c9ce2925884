"""The canonical JSON report."""

from __future__ import annotations

from ml_readiness.result import AuditResult


def render_json(result: AuditResult, **_options: object) -> str:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return result.dumps()
