"""Shared pieces of the linked-tests tests: the example rubric and an audit with the hooks."""

from __future__ import annotations

from pathlib import Path

import ml_readiness.checks.linked  # noqa: F401 - registers the linked-tests check

from ml_readiness.linked import linked_tests_hook
from ml_readiness.result import AuditResult, ItemResult, SectionResult
from tests.helpers import audit

RUBRICS = Path(__file__).resolve().parent.parent / "fixtures" / "rubrics"
MY_RUBRIC = RUBRICS / "my-rubric.yaml"


def audit_linked(root: Path, *hooks: object, **options: object) -> AuditResult:
    """audit() with the linked-tests hook installed first (run_audit installs it itself once
    wired; running it twice is harmless: identical evidence, findings and notes collapse)."""
    return audit(root, hooks=(linked_tests_hook, *hooks), **options)


def item(result: AuditResult, item_id: str) -> ItemResult:
    return next(i for i in result.items if i.id == item_id)


def section(result: AuditResult, section_id: str) -> SectionResult:
    return next(s for s in result.sections if s.id == section_id)
