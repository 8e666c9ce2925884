"""Scoring: levels from evidence + automation, attestations, caps, overrides, N/A scaling."""

from __future__ import annotations

import datetime as dt

from ml_readiness.automation import AutomationMap
from ml_readiness.config import Attestation, Config, Gate, NotApplicable, Override
from ml_readiness.evidence import Evidence, Execution, Finding, Hint
from ml_readiness.repo import Repo
from ml_readiness.rubric import load_rubric
from ml_readiness.scoring import (
    decide_gate,
    judge_attestation,
    overall_of,
    score_item,
    score_sections,
)
from tests.helpers import make_repo

RUBRIC = load_rubric()
ITEM = RUBRIC.item("infra-2")
CI = Execution(
    ".github/workflows/ci.yml#test", "change", (".github/workflows/ci.yml#test", "pytest tests")
)


def test_test_evidence_is_automated_only_when_executed_by_automation():
    ev = Evidence(
        "infra-2",
        "forward pass shape test",
        "tests/test_model.py",
        4,
        "test",
        symbol="test_forward",
    )
    amap = AutomationMap()
    manual = score_item(ITEM, [ev], amap)
    assert manual.level == "manual" and manual.score == 0.5
    assert manual.reason.startswith(
        "manual: forward pass shape test (tests/test_model.py:4); "
        "not automated: no CI, schedule or pipeline"
    )
    assert manual.next_step.startswith("To automate: ")
    amap.record("tests/test_model.py", "test_forward", CI)
    auto = score_item(ITEM, [ev], amap)
    assert (auto.level, auto.score, auto.next_step) == ("automated", 1.0, None)
    assert auto.evidence[0].via["root"] == ".github/workflows/ci.yml#test"
    dispatch = AutomationMap()
    dispatch.record("tests/test_model.py", "test_forward", Execution("train.yml#train", "manual"))
    assert score_item(ITEM, [ev], dispatch).level == "manual"


def test_manual_credit_evidence_never_becomes_automated():
    amap = AutomationMap()
    amap.record("train.py", None, CI)
    ev = Evidence("infra-2", "seed", "train.py", 3, "code", credit="manual")
    assert score_item(ITEM, [ev], amap).level == "manual"


def test_enforced_config_is_automated_without_ci():
    ev = Evidence("infra-2", "canary 10%", "deploy/isvc.yaml", 7, "config", enforced=True)
    result = score_item(ITEM, [ev], AutomationMap())
    assert result.level == "automated"
    assert result.reason == ("automated: canary 10% (deploy/isvc.yaml:7), enforced by its platform")


def test_findings_cap_overrides_lower_and_hints_explain():
    amap = AutomationMap()
    ev = Evidence("infra-2", "doc", "README.md", 1, "doc", credit="manual")
    capped = score_item(
        ITEM, [ev, Finding("infra-2", "emails in data.csv", "data.csv", 2, cap="none")], amap
    )
    assert capped.level == "none"
    assert capped.reason == "capped at none: emails in data.csv"
    lowered = score_item(ITEM, [ev], amap, override=Override("infra-2", "none", "not real"))
    assert lowered.level == "none" and lowered.reason == "lowered to none by override: not real"
    empty = score_item(ITEM, [Hint("infra-2", "no model tests found")], amap)
    assert (empty.level, empty.reason) == ("none", "no evidence: no model tests found")


def test_the_highest_priority_hint_is_the_reason_then_alphabetical():
    amap = AutomationMap()
    hints = [
        Hint("infra-2", "b: a lock file is missing"),
        Hint("infra-2", "z: partial seeding breakdown", priority=1),
        Hint("infra-2", "a: no data versioning"),
        Hint("infra-2", "b: a lock file is missing", priority=-1),  # same text: best kept
    ]
    scored = score_item(ITEM, hints, amap)
    assert scored.reason == "no evidence: z: partial seeding breakdown"
    assert scored.context == (
        "z: partial seeding breakdown",
        "a: no data versioning",
        "b: a lock file is missing",
    )
    plain = score_item(ITEM, hints[:1] + hints[2:], amap)
    assert plain.reason == "no evidence: a: no data versioning"  # equal priority: alphabetical


def _att(**kw):
    base = dict(
        item="model-2",
        level="manual",
        evidence="docs/ab.md",
        owner="ana",
        reviewed=dt.date(2026, 1, 1),
        expires=dt.date(2027, 1, 1),
    )
    base.update(kw)
    return Attestation(**base)


def test_attestations_need_tracked_nonempty_unexpired_evidence(tmp_path):
    root = make_repo(
        tmp_path / "r", {"docs/ab.md": "# A/B analysis\nresults\n", "docs/empty.md": ""}, git=True
    )
    (root / "docs" / "untracked.md").write_text("x\n")
    repo = Repo.open(root)
    amap = AutomationMap()
    today = dt.date(2026, 6, 1)
    assert judge_attestation(_att(), repo, amap, today).level == "manual"
    assert (
        judge_attestation(_att(evidence="docs/empty.md"), repo, amap, today).status
        == "evidence file docs/empty.md is empty; not credited"
    )
    assert judge_attestation(_att(evidence="docs/untracked.md"), repo, amap, today).level == "none"
    expired = judge_attestation(_att(), repo, amap, dt.date(2027, 1, 2))
    assert (expired.level, expired.status) == ("none", "expired on 2027-01-01; not credited")
    auto = judge_attestation(
        _att(level="automated", via=".github/workflows/ci.yml#ab"), repo, amap, today
    )
    assert auto.level == "manual" and "not confirmed" in auto.status


def test_sections_scale_not_applicable_and_overall_is_minimum():
    amap = AutomationMap()
    items = []
    for item in RUBRIC.items:
        produced = []
        if item.section == "data":
            produced = [Evidence(item.id, "x", "a.md", 1, "doc", credit="manual")]
        na = NotApplicable(item.id, "batch only") if item.id == "infra-6" else None
        items.append(score_item(item, produced, amap, not_applicable=na))
    sections = {s.id: s for s in score_sections(RUBRIC, items)}
    assert (sections["data"].raw, sections["data"].score) == (3.5, 3.5)
    infra = sections["infra"]
    assert (infra.applicable, infra.size, infra.not_applicable) == (6, 7, ("infra-6",))
    overall = overall_of(RUBRIC, list(sections.values()))
    assert (overall.score, overall.weakest) == (0.0, ("model", "infra", "monitor"))
    assert overall.band == "Research project"


def test_not_applicable_scaling_rounds_to_two_decimals():
    amap = AutomationMap()
    items = []
    for item in RUBRIC.section_items("model"):
        ev = [Evidence(item.id, "x", "a.md", 1, "doc", credit="manual")]
        na = NotApplicable(item.id, "r") if item.id == "model-2" else None
        items.append(score_item(item, ev, amap, not_applicable=na))
    model = next(s for s in score_sections(RUBRIC, items) if s.id == "model")
    assert (model.raw, model.score) == (3.0, 3.5)  # 3 × 7 / 6


def test_gate_criteria_and_required_levels():
    amap = AutomationMap()
    items = [score_item(i, [], amap) for i in RUBRIC.items]
    sections = score_sections(RUBRIC, items)
    overall = overall_of(RUBRIC, sections)
    cfg = Config(
        gate=Gate(fail_under=0.5, section_min=(("data", 1.0),), require=(("infra-3", "automated"),))
    )
    gate = decide_gate(cfg, items, sections, overall, ["attestation x"])
    assert not gate.passed
    assert gate.reasons == (
        "overall score 0 is below 0.5",
        "section data score 0 is below 1",
        "infra-3 is none, automated is required",
    )
    assert gate.relied_on == ("attestation x",)
    assert decide_gate(Config(gate=Gate(fail_under=0)), items, sections, overall, []).passed
    assert not decide_gate(Config(), items, sections, overall, []).configured
