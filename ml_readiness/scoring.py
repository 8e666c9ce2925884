"""Scoring: levels decided from evidence, attestations, findings and overrides — never by checks.

- automated (1): executable evidence the AutomationMap shows is executed by a change, schedule
  or pipeline root, or declarative config its platform enforces (`enforced=True`).
- manual (0.5): a committed record (doc/result) or runnable check nothing runs automatically.
- none (0): nothing credible.
Sections are sums; not-applicable items are scaled out; overall is the weakest section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ml_readiness.automation import AutomationMap, test_hop
from ml_readiness.config import Attestation, Config, NotApplicable, Override
from ml_readiness.evidence import LEVEL_ORDER, LEVEL_SCORES, Evidence, Finding, Hint
from ml_readiness.repo import Repo
from ml_readiness.result import (
    EvidenceEntry,
    FindingEntry,
    GateResult,
    ItemResult,
    Overall,
    SectionResult,
)
from ml_readiness.rubric import Rubric, RubricItem


def rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0


def cap_level(level: str, cap: str) -> str:
    return cap if rank(cap) < rank(level) else level


def grade_evidence(
    ev: Evidence, automation: AutomationMap, tests_automate: bool = True
) -> tuple[EvidenceEntry, str]:
    """The level one piece of evidence earns (with the automation chain when automated), and
    for evidence that stays manual, why it is not automated.

    With `tests_automate=False` (rubric items whose practice a unit test cannot perform, such
    as tuning the model), an execution whose chain goes through a test does not count."""
    level, via = "manual", None
    why = _record_reason(ev)
    if ev.credit == "automated":
        root = automation.root(ev.symbol) if ev.kind == "config" and ev.symbol else None
        if ev.kind == "config" and ev.enforced:
            level = "automated"
            via = {"root": ev.path, "trigger": "platform", "chain": [ev.detail], "condition": None}
        elif root is not None:  # evidence that *is* a CI job, schedule or pipeline
            if root.trigger in ("change", "schedule", "pipeline"):
                level = "automated"
                via = {
                    "root": root.id,
                    "trigger": root.trigger,
                    "chain": [root.id],
                    "condition": root.condition,
                }
            else:
                why = f"{root.id} is triggered manually only"
        elif ev.kind in ("code", "test", "config"):
            run = automation.execution_of(ev.path, ev.symbol)
            test_only, test_root = "", ""
            if run is not None and run.automated and not tests_automate and test_hop(run.chain):
                practice = [
                    r
                    for r in automation.executions(ev.path, ev.symbol)
                    if r.automated and not test_hop(r.chain)
                ]
                if practice:
                    run = practice[0]
                else:
                    test_only, test_root, run = test_hop(run.chain), run.root, None
            if run is not None and run.automated:
                level, via = "automated", run.to_json()
            elif test_only:
                why = (
                    f"only a test runs it ({test_only}, via {test_root}); a test exercising "
                    "the code on test data does not perform the practice"
                )
            elif ev.kind != "config":
                why = automation.why_not(ev.path, ev.symbol)
    elif ev.kind in ("code", "test"):
        why = (
            f"this kind of evidence earns manual credit at most; `mlready explain "
            f"{ev.item}` says what automates it"
        )
    entry = EvidenceEntry(
        path=ev.path,
        line=ev.line,
        kind=ev.kind,
        detail=ev.detail,
        check=ev.check,
        level=level,
        via=via,
    )
    return entry, why


def _record_reason(ev: Evidence) -> str:
    if ev.kind == "config":
        return "it is configuration that nothing in the repository enforces or runs repeatedly"
    if ev.kind in ("doc", "result"):
        return "it is a record kept by people, not automation"
    return "nothing runs it automatically"


@dataclass(frozen=True)
class AttestationOutcome:
    attestation: Attestation
    level: str  # what it earns: none | manual | automated
    status: str  # one line for the report

    def to_json(self) -> dict:
        a = self.attestation
        return {
            "item": a.item,
            "level": a.level,
            "evidence": a.evidence,
            "owner": a.owner,
            "reviewed": a.reviewed.isoformat(),
            "expires": a.expires.isoformat(),
            "via": a.via,
            "note": a.note,
            "earned": self.level,
            "status": self.status,
        }


def judge_attestation(
    a: Attestation, repo: Repo, automation: AutomationMap, as_of: dt.date
) -> AttestationOutcome:
    """Decide what an attestation earns: it needs a tracked, non-empty evidence file and must
    not have expired; `automated` also needs its `via` confirmed by the AutomationMap."""
    if not repo.is_tracked(a.evidence):
        return AttestationOutcome(
            a,
            "none",
            f"evidence file {a.evidence} is not a tracked file of the repository; not credited",
        )
    size = repo.size(a.evidence)
    text = repo.read_text(a.evidence)
    if not size or (text is not None and not text.strip()):
        return AttestationOutcome(a, "none", f"evidence file {a.evidence} is empty; not credited")
    if a.expires < as_of:
        return AttestationOutcome(a, "none", f"expired on {a.expires.isoformat()}; not credited")
    if a.level == "automated":
        run = automation.confirm(a.via or "")
        if run is None:
            return AttestationOutcome(
                a,
                "manual",
                f"via {a.via} is not confirmed by the automation map; credited as manual only",
            )
        return AttestationOutcome(a, "automated", f"automated via {a.via} ({run.trigger})")
    return AttestationOutcome(
        a,
        "manual",
        f"attested by {a.owner}, reviewed "
        f"{a.reviewed.isoformat()}, expires "
        f"{a.expires.isoformat()}",
    )


def score_item(
    item: RubricItem,
    produced: Sequence[Evidence | Finding | Hint],
    automation: AutomationMap,
    attestation: AttestationOutcome | None = None,
    override: Override | None = None,
    not_applicable: NotApplicable | None = None,
    required: str | None = None,
) -> ItemResult:
    """Decide one item's level and explain it."""
    graded: dict[tuple, EvidenceEntry] = {}
    whys: dict[tuple, str] = {}
    for e in produced:
        if isinstance(e, Evidence):
            entry, why = grade_evidence(e, automation, item.tests_automate)
            key = (entry.path, entry.line, entry.kind, entry.detail, entry.check)
            if key not in graded or (
                entry.level == "automated" and graded[key].level != entry.level
            ):
                graded[key] = entry
                whys[key] = why
    evidence = sorted(
        graded.values(),
        key=lambda e: (-rank(e.level), e.path, e.line or 0, e.check, e.detail),
    )
    findings = sorted(
        {
            FindingEntry(f.detail, f.path, f.line, f.cap, f.check)
            for f in produced
            if isinstance(f, Finding)
        },
        key=lambda f: (f.path or "", f.line or 0, f.detail),
    )
    hints = _ordered_hints([h for h in produced if isinstance(h, Hint)])
    att_json = attestation.to_json() if attestation else None
    ov_json = {"max_level": override.max_level, "reason": override.reason} if override else None
    if not_applicable is not None:
        return ItemResult(
            item.id,
            item.section,
            item.title,
            "not_applicable",
            None,
            f"not applicable: {not_applicable.reason}",
            None,
            tuple(evidence),
            tuple(findings),
            tuple(hints),
            att_json,
            ov_json,
            required,
        )
    level = evidence[0].level if evidence else "none"
    reason = _evidence_reason(level, evidence, whys)
    if attestation and rank(attestation.level) > rank(level):
        level = attestation.level
        reason = f"{level} by attestation: {attestation.status}"
    for f in findings:
        if f.cap and rank(f.cap) < rank(level):
            level = f.cap
            reason = f"capped at {f.cap}: {f.detail}"
    if any(f.cap == "none" for f in findings) and level == "none" and evidence:
        reason = f"capped at none: {next(f.detail for f in findings if f.cap == 'none')}"
    if override and rank(override.max_level) < rank(level):
        level = override.max_level
        reason = f"lowered to {level} by override: {override.reason}"
    if level == "none" and not evidence and hints:
        reason = f"no evidence: {hints[0]}"
    elif level == "none" and not evidence and findings:
        reason = f"no evidence: {findings[0].detail}"
    next_step = None
    if level != "automated":
        next_step = item.improve if level == "none" else f"To automate: {item.automated}"
    return ItemResult(
        item.id,
        item.section,
        item.title,
        level,
        LEVEL_SCORES[level],
        _one_line(reason),
        next_step,
        tuple(evidence),
        tuple(findings),
        tuple(hints),
        att_json,
        ov_json,
        required,
    )


def _ordered_hints(hints: list[Hint]) -> list[str]:
    """Distinct hint texts, highest priority first, then alphabetical (deterministic)."""
    best: dict[str, int] = {}
    for h in hints:
        best[h.detail] = max(best.get(h.detail, h.priority), h.priority)
    return sorted(best, key=lambda detail: (-best[detail], detail))


def _evidence_reason(level: str, evidence: Sequence[EvidenceEntry], whys: dict[tuple, str]) -> str:
    if not evidence:
        return "no evidence found"
    best = evidence[0]
    if level == "automated":
        via = best.via or {}
        trigger = via.get("trigger", "")
        root = via.get("root", "")
        if trigger == "platform":
            return f"automated: {best.detail} ({best.location()}), enforced by its platform"
        return f"automated: {best.detail} ({best.location()}) runs via {root} on {trigger}"
    # explain the most promising evidence: executable first, it is what could be automated
    shown = next((e for e in evidence if e.kind in ("code", "test")), best)
    why = whys.get((shown.path, shown.line, shown.kind, shown.detail, shown.check), "")
    return f"manual: {shown.detail} ({shown.location()}); not automated: {why}"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    # long enough for a check's hint with its ready-to-paste attestation snippet
    return text if len(text) <= 600 else text[:597] + "..."


def score_sections(rubric: Rubric, items: Iterable[ItemResult]) -> tuple[SectionResult, ...]:
    by_section: dict[str, list[ItemResult]] = {}
    for i in items:
        by_section.setdefault(i.section, []).append(i)
    out = []
    for sec in rubric.sections:
        members = by_section.get(sec.id, [])
        size = len(members)
        applicable = [i for i in members if i.level != "not_applicable"]
        raw = round(sum(i.score or 0.0 for i in applicable), 2)
        score = round(raw * size / len(applicable), 2) if applicable else 0.0
        na = tuple(i.id for i in members if i.level == "not_applicable")
        out.append(SectionResult(sec.id, sec.title, raw, score, len(applicable), size, na))
    return tuple(out)


def overall_of(rubric: Rubric, sections: Sequence[SectionResult]) -> Overall:
    scored = [s for s in sections if s.size]
    score = min((s.score for s in scored), default=0.0)
    weakest = tuple(s.id for s in scored if s.score == score)
    band = rubric.band(score)
    return Overall(score, band.name, band.meaning, weakest)


def decide_gate(
    config: Config,
    items: Sequence[ItemResult],
    sections: Sequence[SectionResult],
    overall: Overall,
    relied_on: Sequence[str],
    extra_failures: Sequence[str] = (),
) -> GateResult:
    """Apply fail_under, section minimums and required levels; list what the outcome relied on."""
    gate = config.gate
    reasons: list[str] = []
    criteria: list[str] = []
    if gate.fail_under is not None:
        criteria.append(f"overall >= {gate.fail_under:g}")
        if overall.score < gate.fail_under:
            reasons.append(f"overall score {overall.score:g} is below {gate.fail_under:g}")
    by_id = {s.id: s for s in sections}
    for section, minimum in gate.section_min:
        criteria.append(f"{section} >= {minimum:g}")
        s = by_id.get(section)
        if s is not None and s.score < minimum:
            reasons.append(f"section {section} score {s.score:g} is below {minimum:g}")
    required = dict(gate.require)
    for i in items:
        level = required.get(i.id) or i.required
        if not level or i.level == "not_applicable":
            continue
        criteria.append(f"{i.id} {level}")
        if rank(i.level) < rank(level):
            reasons.append(f"{i.id} is {i.level}, {level} is required")
    reasons.extend(extra_failures)
    configured = bool(criteria) or bool(extra_failures) or gate.configured
    return GateResult(configured, not reasons, tuple(reasons), tuple(relied_on), tuple(criteria))
