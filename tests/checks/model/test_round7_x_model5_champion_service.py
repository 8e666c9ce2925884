"""model-5 accuracy (round 7, X / REVIEW-R point 4): a promotion service that compares the
candidate's metric with the champion's and records the outcome as a labelled reason is a
comparison with the previous model. A unit test calling it on fixed numbers compares no model
that ships, so the evidence stays manual; a reason recorded for a fixed threshold earns
nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "baseline-comparison"
SERVICE = """
class PromotionService:
    def evaluate_candidate(self, candidate_metric, champion_metric, promotion_delta):
        if champion_metric is None:
            reason = "No champion model existed yet."
        else:
            metric_delta = candidate_metric - champion_metric
            if metric_delta > promotion_delta:
                reason = "Candidate better than the champion."
            else:
                reason = "Candidate does not improve enough."
        return reason
"""
TRAIN = """
from promotion import PromotionService


def main():
    return PromotionService().evaluate_candidate(0.8, 0.7, 0.01)


if __name__ == "__main__":
    main()
"""
TEST = """
from promotion import PromotionService


def test_rejects_small_improvement():
    assert PromotionService().evaluate_candidate(0.71, 0.7, 0.05).startswith("Candidate")
"""
CI = """
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest -q
"""


def test_labelled_champion_decision_is_credited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/promotion.py": SERVICE, "src/train.py": TRAIN})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("src/promotion.py", 7, "code", "automated", "PromotionService.evaluate_candidate")
    ]
    assert evidence[0].detail == (
        "model metric compared with a reference: `decision: metric_delta > promotion_delta`"
    )
    assert levels(audit(root))["model-5"] == "manual"


def test_comparison_only_a_unit_test_runs_stays_manual(tmp_path: Path) -> None:
    files = {
        "src/promotion.py": SERVICE,
        "src/train.py": TRAIN,
        "tests/test_promotion.py": TEST,
        "pytest.ini": "[pytest]\npythonpath = src\n",
        ".github/workflows/ci.yml": CI,
    }
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert [(e.path, e.line, e.credit) for e in evidence] == [("src/promotion.py", 7, "manual")]
    assert evidence[0].detail.endswith(
        "(only a test runs it automatically: "
        "tests/test_promotion.py::test_rejects_small_improvement)"
    )
    assert levels(audit(root))["model-5"] == "manual"


def test_reason_recorded_for_a_fixed_threshold_is_not_a_baseline(tmp_path: Path) -> None:
    code = """
    def check(production_accuracy, thresholds):
        if production_accuracy < thresholds["min_accuracy"]:
            reason = "Production model accuracy below the minimum"
            return reason
        return None

    if __name__ == "__main__":
        check(0.9, {"min_accuracy": 0.8})
    """
    root = make_repo(tmp_path, {"monitor.py": code})
    evidence, _ = produced(root, CHECK)
    assert evidence == []
