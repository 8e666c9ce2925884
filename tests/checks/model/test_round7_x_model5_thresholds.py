"""model-5 accuracy (round 7, X / REVIEW-T point 3): a metric compared with a fixed threshold
from a config or dict is a gate or an alert, not a baseline. model-5 needs a second model's
score: a difference of a reference's score and the candidate's, compared with a threshold,
still counts."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo, notebook

CHECK = "baseline-comparison"
PROMOTE = """
def validate_promotion(metrics, to_stage):
    requirements = {
        "staging": {"accuracy": 0.7},
        "production": {"accuracy": 0.8},
    }
    failures = []
    for metric, min_value in requirements.get(to_stage, {}).items():
        actual_value = float(metrics[metric])
        if actual_value < min_value:
            failures.append(f"{metric}: {actual_value} < {min_value}")
    if failures:
        raise ValueError(failures)


if __name__ == "__main__":
    validate_promotion({"accuracy": 0.9}, "production")
"""
MONITOR = """
class Monitor:
    def __init__(self, config):
        self.config = config
        self.baseline_metrics = None

    def check_performance(self, metrics):
        thresholds = self.config["performance_thresholds"]
        production_accuracy = metrics["production_model"]["accuracy"]
        if production_accuracy < thresholds["min_accuracy"]:
            return False, "below minimum"
        if self.baseline_metrics:
            drop = self.baseline_metrics["production_model"]["accuracy"] - production_accuracy
            if drop > thresholds["max_drop_from_baseline"]:
                return False, "dropped"
        return True, "ok"


if __name__ == "__main__":
    Monitor({}).check_performance({})
"""
LIFT = """
MIN_IMPROVEMENT = 0.01


def gate(champion_rmse, candidate_rmse):
    relative_improvement = (champion_rmse - candidate_rmse) / champion_rmse
    if relative_improvement < MIN_IMPROVEMENT:
        raise SystemExit("candidate does not beat the champion")


if __name__ == "__main__":
    gate(1.0, 0.5)
"""


def test_metric_against_stage_requirements_dict_is_not_a_baseline(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"scripts/promote_model.py": PROMOTE})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no baseline model, champion comparison or metrics diff found"]
    assert levels(audit(root))["model-5"] == "none"


def test_production_accuracy_against_config_threshold_is_not_a_baseline(tmp_path: Path) -> None:
    # the deployed model against `min_accuracy`, and its drop since monitoring began
    # (both operands of the difference are the production model's accuracy)
    root = make_repo(tmp_path, {"scripts/monitor.py": MONITOR})
    evidence, _ = produced(root, CHECK)
    assert evidence == []
    assert levels(audit(root))["model-5"] == "none"


def test_lift_over_champion_against_threshold_is_credited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/gate.py": LIFT})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("src/gate.py", 6, "code", "automated", "gate")]
    assert evidence[0].detail == (
        "model metric compared with a reference: `if relative_improvement < MIN_IMPROVEMENT:`"
    )
    assert levels(audit(root))["model-5"] == "manual"


def test_notebook_threshold_line_is_not_a_baseline(tmp_path: Path) -> None:
    cell = (
        "production_accuracy = 0.9\n"
        "if production_accuracy < thresholds['min_accuracy']:\n"
        "    raise ValueError('too low')\n"
    )
    root = make_repo(tmp_path, {"eval.ipynb": notebook(cell)})
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_notebook_baseline_comparison_line_is_credited(tmp_path: Path) -> None:
    cell = (
        "model_auc, baseline_auc = 0.9, 0.5\n"
        "if model_auc < baseline_auc:\n"
        "    raise ValueError('worse than the baseline')\n"
    )
    root = make_repo(tmp_path, {"eval.ipynb": notebook(cell)})
    evidence, _ = produced(root, CHECK)
    assert [(e.path, e.line) for e in evidence] == [("eval.ipynb", 10)]
