"""Round 7 (held-out review R point 4), infra-4: a promotion decision object whose property
compares the candidate's metric improvement with a required delta, and the `if` on it that
promotes or raises, is a gate; a decision on something other than a metric is not, and a unit
test of the promotion code on a mock registry does not make the gate automated."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import PUSH_CI, _ev
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "decision-object-gate"
DECISION = """\
from dataclasses import dataclass


@dataclass(frozen=True)
class PromotionDecision:
    metric_delta: float
    required_delta: float

    @property
    def promote(self) -> bool:
        return self.metric_delta > self.required_delta


def promote_candidate(decision, registry, version):
    if not decision.promote:
        raise ValueError("the candidate did not beat the champion")
    registry.set_alias(model_name="churn", alias="champion", version=version)
"""
TRAIN = """\
from churn.promotion import PromotionDecision, promote_candidate


def main():
    decision = PromotionDecision(metric_delta=auc - champion_auc, required_delta=0.01)
    if decision.promote:
        promote_candidate(decision, registry, version)


if __name__ == "__main__":
    main()
"""
GATE = "; `promote` compares `self.metric_delta > self.required_delta` (src/churn/promotion.py:10)"


def test_decision_object_gate_is_credited_where_it_branches(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/churn/promotion.py": DECISION, "src/churn/train.py": TRAIN})
    assert _ev(run_check(root, CHECK)) == [
        (
            "promotion fails unless the decision holds (`not decision.promote`)" + GATE,
            "src/churn/promotion.py:15",
            "code",
            "automated",
            "promote_candidate",
        ),
        (
            "model is promoted only when `decision.promote` holds" + GATE,
            "src/churn/train.py:6",
            "code",
            "automated",
            "main",
        ),
    ]
    assert levels(audit(root))["infra-4"] == "manual"  # nothing runs train.py automatically


def test_trap_unit_test_of_the_promotion_code_is_not_an_automated_gate(tmp_path: Path) -> None:
    test = """\
    from unittest.mock import MagicMock

    import pytest

    from churn.promotion import PromotionDecision, promote_candidate


    def test_rejects_a_worse_candidate():
        with pytest.raises(ValueError):
            promote_candidate(PromotionDecision(0.0, 0.01), MagicMock(), 2)
    """
    root = make_repo(
        tmp_path,
        {
            "src/churn/promotion.py": DECISION,
            "tests/test_promotion.py": test,
            ".github/workflows/ci.yml": PUSH_CI,
        },
    )
    found = _ev(run_check(root, CHECK))
    assert [(e[1], e[3]) for e in found] == [("src/churn/promotion.py:15", "manual")]
    assert found[0][0].endswith(
        "; only a unit test runs it (tests/test_promotion.py::test_rejects_a_worse_candidate)"
    )
    assert levels(audit(root))["infra-4"] == "manual"


def test_trap_decision_on_something_other_than_a_metric(tmp_path: Path) -> None:
    approvals = DECISION.replace("metric_delta", "approvals").replace(
        "required_delta", "required_approvals"
    )
    approvals = approvals.replace("self.approvals > self.required_approvals", "self.approvals > 1")
    root = make_repo(tmp_path, {"src/churn/promotion.py": approvals, "src/churn/train.py": TRAIN})
    assert run_check(root, CHECK) == []
