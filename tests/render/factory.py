"""Build `AuditResult` values directly, with exactly the levels and evidence a test needs."""

from __future__ import annotations

from dataclasses import replace

from ml_readiness.result import (
    AuditResult,
    EvidenceEntry,
    FindingEntry,
    GateResult,
    ItemResult,
    Overall,
    SectionResult,
)

SCORES = {"none": 0.0, "manual": 0.5, "automated": 1.0, "not_applicable": None}
SECTIONS = (
    ("data", "Data"),
    ("model", "Model"),
    ("infra", "Infrastructure"),
    ("monitor", "Monitoring"),
)


def ev(
    path: str = "src/train.py",
    line: int | None = 3,
    detail: str = "validates the schema",
    kind: str = "code",
    level: str = "manual",
    via: dict | None = None,
    check: str = "schema",
) -> EvidenceEntry:
    if level == "automated" and via is None:
        via = {
            "root": ".github/workflows/ci.yml#test",
            "trigger": "change",
            "chain": ["job test", "step pytest", "tests/test_schema.py"],
            "condition": None,
        }
    return EvidenceEntry(path, line, kind, detail, check, level, via)


def item(
    item_id: str,
    level: str = "none",
    evidence: tuple[EvidenceEntry, ...] = (),
    **fields: object,
) -> ItemResult:
    section = item_id.split("-")[0]
    defaults: dict = {
        "title": f"Title of {item_id}",
        "reason": f"reason for {item_id}",
        "next_step": None if level in ("automated", "not_applicable") else f"improve {item_id}",
    }
    defaults.update(fields)
    return ItemResult(
        id=item_id,
        section=section,
        level=level,
        score=SCORES[level],
        evidence=evidence,
        **defaults,  # type: ignore[arg-type]
    )


def build(items: list[ItemResult] | None = None, **overrides: object) -> AuditResult:
    """A result with sections and overall computed from `items` like scoring does."""
    if items is None:
        items = [
            item("data-1", "automated", (ev(level="automated"),)),
            item("data-2", "manual", (ev("docs/features.md", None, "feature report", "doc"),)),
            item("model-1", "none"),
            item("model-2", "manual", (ev("notebooks/eval.ipynb", 2, "evaluation", "result"),)),
            item(
                "infra-1",
                "automated",
                (ev("tests/test_repro.py", 5, "seeded run", "test", "automated"),),
            ),
            item("infra-2", "not_applicable", reason="not applicable: no serving"),
            item("monitor-1", "manual", (ev("requirements.txt", 1, "pinned", "config"),)),
            item("monitor-2", "none"),
        ]
    sections = []
    for sid, title in SECTIONS:
        members = [i for i in items if i.section == sid]
        applicable = [i for i in members if i.level != "not_applicable"]
        raw = round(sum(i.score or 0.0 for i in applicable), 2)
        score = round(raw * len(members) / len(applicable), 2) if applicable else 0.0
        na = tuple(i.id for i in members if i.level == "not_applicable")
        sections.append(SectionResult(sid, title, raw, score, len(applicable), len(members), na))
    score = min(s.score for s in sections)
    weakest = tuple(s.id for s in sections if s.score == score)
    band = (
        "Research project"
        if score == 0
        else "Barely tested"
        if score <= 1
        else "First productionization pass"
    )
    result = AuditResult(
        tool={"name": "ml-readiness", "version": "0.1.0"},
        rubric={
            "id": "ml-test-score",
            "version": "2017.1",
            "title": "The ML Test Score",
            "extends": None,
            "dropped": [],
        },
        as_of="2026-11-01",
        root="proj",
        items=tuple(items),
        sections=tuple(sections),
        overall=Overall(score, band, f"meaning of {band}", weakest),
        gate=GateResult(False, True),
    )
    return replace(result, **overrides) if overrides else result


def finding(detail: str, path: str | None = None, line: int | None = None, cap: str | None = None):
    return FindingEntry(detail, path, line, cap, "check")
