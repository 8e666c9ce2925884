"""model-7: fairness metrics, thresholds and model-card fairness results."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.checks.model.test_model6_slices import GATE_MODULE
from tests.helpers import make_repo, notebook

CHECK = "inclusion-testing"
FAIRNESS_TEST = """
from fairlearn.metrics import demographic_parity_difference


def test_demographic_parity(predictions):
    y, p, sex = predictions
    dpd = demographic_parity_difference(y, p, sensitive_features=sex)
    assert dpd < 0.1
"""
CARD = (
    "# Model card: churn\n\nGradient boosted trees predicting churn of subscribers from "
    "usage logs and billing history.\n\n## Fairness\n\nOn the 2024 holdout set the demographic "
    "parity difference across gender groups is 0.04 and the equalized odds difference 0.06.\n"
)


def test_fairness_test_with_threshold_and_card_results(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"tests/test_fairness.py": FAIRNESS_TEST, "MODEL_CARD.md": CARD})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("tests/test_fairness.py", 6, "test", "automated", "test_demographic_parity"),
        ("MODEL_CARD.md", 5, "doc", "manual", None),
    ]
    assert evidence[0].detail == (
        "fairlearn `demographic_parity_difference` computed; thresholds: dpd < 0.1"
    )
    assert evidence[1].detail == 'model card section "Fairness" reports measured results'
    assert hints == []


def test_aif360_without_threshold_and_wit_notebook_are_manual(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/audit.py": """
            from aif360.metrics import ClassificationMetric


            def audit(truth, pred, groups):
                metric = ClassificationMetric(truth, pred, unprivileged_groups=groups[0],
                                              privileged_groups=groups[1])
                return metric.disparate_impact(), metric.average_odds_difference()
            """,
            "notebooks/wit.ipynb": notebook(
                "from witwidget.notebook.visualization import WitConfigBuilder, WitWidget",
                "WitWidget(WitConfigBuilder(examples))",
                outputs=True,
            ),
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("notebooks/wit.ipynb", 34, "result", "manual", None),
        ("src/audit.py", 5, "code", "manual", "audit"),
    ]
    assert evidence[0].detail == (
        "What-If Tool analysis; no thresholds (notebook with saved outputs)"
    )
    assert evidence[1].detail == (
        "AIF360 ClassificationMetric computes average_odds_difference, disparate_impact; "
        "no thresholds"
    )


def test_trap_import_only_and_card_without_numbers(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/fair.py": "import fairlearn\nfrom aif360.metrics import ClassificationMetric\n",
            "model_card.md": (
                "# Model card\n\n## Bias and fairness\n\nWe care about fairness and plan to "
                "evaluate the model across user groups in a future iteration of this project.\n"
            ),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        'model_card.md:3 has a "Bias and fairness" section but reports no measured results '
        "(no numbers); not credited",
        "no fairness metrics (fairlearn, AIF360, Fairness Indicators, What-If Tool) or "
        "model-card fairness results found",
    ]


def test_fairness_indicators_config_and_metricframe_notebook(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipeline/eval_config.json": (
                '{\n  "metrics_specs": [\n    {"metrics": [{"class_name": "FairnessIndicators"}]}\n'
                "  ]\n}\n"
            ),
            "notebooks/groups.ipynb": notebook(
                "from fairlearn.metrics import MetricFrame",
                "mf = MetricFrame(metrics=acc, y_true=y, y_pred=p, sensitive_features=df.sex)\n"
                "assert mf.difference() < 0.05",
            ),
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("notebooks/groups.ipynb", 18, "code", "manual", None),
        ("pipeline/eval_config.json", 3, "config", "manual", None),
    ]
    assert evidence[0].detail == (
        "fairlearn MetricFrame over sensitive_features; thresholds: mf.difference() < 0.05 "
        "(notebook without saved outputs)"
    )


def test_fairness_threshold_in_a_gate_function_of_the_same_module(tmp_path: Path) -> None:
    """The parity gap computed in `evaluate` and gated in `gate_failures` (failures end in
    `sys.exit(1)` in `main`) is a fairness check with a threshold."""
    root = make_repo(tmp_path, {"src/evaluate.py": GATE_MODULE})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("src/evaluate.py", 10, "code", "automated", "slice_metrics"),
        ("src/evaluate.py", 22, "code", "automated", "evaluate"),
    ]
    assert evidence[1].detail == (
        "fairlearn `demographic_parity_difference` computed; thresholds: "
        'dpd > thresholds["max_selection_rate_gap"]'
    )


def test_trap_fairness_metric_reported_without_a_gate(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/report.py": """
            from fairlearn.metrics import demographic_parity_difference

            MAX_GAP = 0.1


            def report(y, p, sex):
                dpd = demographic_parity_difference(y, p, sensitive_features=sex)
                if dpd > MAX_GAP:
                    print("gap above target")
                return dpd
            """,
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("src/report.py", 7, "code", "manual", "report")]
    assert evidence[0].detail == "fairlearn `demographic_parity_difference` computed; no thresholds"
