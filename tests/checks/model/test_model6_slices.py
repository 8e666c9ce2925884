"""model-6: per-slice evaluation, thresholds, committed per-slice metrics."""

from __future__ import annotations

import json
from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import make_repo

CHECK = "slice-evaluation"
PER_REGION = """
from sklearn.metrics import roc_auc_score


def per_region(df):
    out = {}
    for region, g in df.groupby("region"):
        out[region] = roc_auc_score(g.label, g.score)
        assert out[region] >= 0.75
    return out
"""
SLICE_TEST = """
import pytest
from sklearn.metrics import accuracy_score


@pytest.mark.parametrize("country", ["de", "fr", "it"])
def test_accuracy_per_country(country, predictions):
    y, p = predictions[country]
    assert accuracy_score(y, p) >= 0.9
"""


def test_groupby_and_slice_test_with_thresholds(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/evaluate.py": PER_REGION, "tests/test_slices.py": SLICE_TEST})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/evaluate.py", 6, "code", "automated", "per_region"),
        ("tests/test_slices.py", 6, "test", "automated", "test_accuracy_per_country"),
    ]
    assert evidence[0].detail == (
        "per-slice metric `roc_auc_score` after groupby on `region`; thresholds: "
        "out[region] >= 0.75"
    )
    assert evidence[1].detail == (
        "test checks `accuracy_score` per slice (country); thresholds: accuracy_score(y, p) >= 0.9"
    )
    assert hints == []


def test_metric_files_and_metricframe_without_threshold_are_manual(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/report.py": """
            from fairlearn.metrics import MetricFrame
            from sklearn.metrics import recall_score


            def report(y, p, groups):
                frame = MetricFrame(metrics=recall_score, y_true=y, y_pred=p,
                                    sensitive_features=groups)
                return frame.by_group
            """,
            "reports/slices.json": json.dumps(
                {"region=eu": {"auc": 0.81, "n": 120}, "region=us": {"auc": 0.84, "n": 300}}
            ),
            "metrics.json": json.dumps(
                {"auc": 0.83, "by_device": {"mobile": {"auc": 0.8}, "desktop": {"auc": 0.86}}}
            ),
            "dvc.yaml": "stages:\n  evaluate:\n    cmd: python src/report.py\n    metrics:\n"
            "      - metrics.json:\n          cache: false\n",
            "mlruns/0/3f2a/metrics/auc_region_eu": "1700000000000 0.812 0\n",
            "mlruns/0/3f2a/metrics/auc": "1700000000000 0.83 0\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/report.py", 6, "code", "manual", "report"),
        ("metrics.json", 1, "result", "manual", None),
        ("reports/slices.json", 1, "result", "manual", None),
        ("mlruns/0/3f2a/metrics/auc_region_eu", 1, "result", "manual", None),
    ]
    assert [e.detail for e in evidence] == [
        "fairlearn MetricFrame computes metrics per group of sensitive_features; no thresholds",
        "slice metrics in metrics.json (DVC metrics): device=mobile auc 0.8, device=desktop "
        "auc 0.86",
        "slice metrics in reports/slices.json: region=eu auc 0.81, region=us auc 0.84",
        "slice metrics in mlruns/0/3f2a/metrics (MLflow): auc_region_eu 0.812",
    ]
    assert hints == [
        "per-slice quality is measured but no threshold is checked per slice (e.g. `assert auc "
        ">= 0.8` for every slice), so it cannot be automated"
    ]


def test_tfma_slicing_with_thresholds(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipeline/eval_config.py": """
            import tensorflow_model_analysis as tfma


            def eval_config():
                return tfma.EvalConfig(
                    slicing_specs=[tfma.SlicingSpec(), tfma.SlicingSpec(feature_keys=["lang"])],
                    metrics_specs=[tfma.MetricsSpec(thresholds={"auc": tfma.MetricThreshold()})],
                )
            """,
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipeline/eval_config.py", 5, "code", "automated", "eval_config")]
    assert evidence[0].detail == (
        "TFMA evaluation sliced by slicing specs on lang; thresholds: TFMA metric thresholds"
    )


def test_trap_groupby_without_metric_and_flat_metrics(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/features.py": """
            def user_totals(df):
                return df.groupby("user_id").agg({"amount": "sum"})
            """,
            "reports/by_region.json": json.dumps({"auc": 0.8, "n": 10}),
            "src/dc.py": "from deepchecks.tabular.checks import SegmentPerformance\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no per-slice evaluation code, slicing config or per-slice metrics found"]


def test_tfma_eval_config_file_counts_prose_does_not(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipeline/eval_config.pbtxt": (
                "model_specs { label_key: 'label' }\n"
                "slicing_specs {}\n"
                "slicing_specs { feature_keys: ['country'] }\n"
            ),
            "docs/notes.yaml": "text: we could use TFMA slicing_specs one day\n",
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipeline/eval_config.pbtxt", 2, "config", "manual", None)]
    assert evidence[0].detail == "TFMA eval config slices on country"


GATE_MODULE = """
import sys

from fairlearn.metrics import MetricFrame, demographic_parity_difference
from sklearn.metrics import recall_score, roc_auc_score


def slice_metrics(y, scores, labels, slices):
    out = {}
    for column in slices.columns:
        frame = MetricFrame(
            metrics={"recall": recall_score}, y_true=y, y_pred=labels,
            sensitive_features=slices[column],
        )
        out[column] = {"recall_gap": float(frame.difference()["recall"])}
    return out


def evaluate(y, scores, labels, slices):
    return {
        "auc": roc_auc_score(y, scores),
        "slices": slice_metrics(y, scores, labels, slices),
        "demographic_parity_difference": demographic_parity_difference(
            y, labels, sensitive_features=slices["age_band"]
        ),
    }


def gate_failures(metrics, thresholds):
    failures = []
    for column, result in metrics["slices"].items():
        for value, auc in result["auc"].items():
            if auc < thresholds["min_slice_auc"]:
                failures.append(f"slice {column}={value}")
    dpd = metrics["demographic_parity_difference"]
    if dpd > thresholds["max_selection_rate_gap"]:
        failures.append("selection-rate gap")
    return failures


def main():
    failures = gate_failures(evaluate(None, None, None, None), {})
    if failures:
        sys.exit(1)
"""


def test_thresholds_checked_by_a_gate_function_of_the_same_module(tmp_path: Path) -> None:
    """Slice metrics computed in one function and gated in another (`gate_failures`, whose
    failures `main` turns into an exit) count as slice metrics with thresholds."""
    root = make_repo(tmp_path, {"src/evaluate.py": GATE_MODULE})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/evaluate.py", 10, "code", "automated", "slice_metrics"),
        ("src/evaluate.py", 32, "code", "automated", "gate_failures"),
    ]
    assert evidence[0].detail == (
        "fairlearn MetricFrame computes metrics per group of sensitive_features; thresholds: "
        'auc < thresholds["min_slice_auc"]'
    )
    assert evidence[1].detail == (
        'metric threshold checked for every item of `slices`: `auc < thresholds["min_slice_auc"]`'
    )
    assert hints == []


def test_trap_threshold_recorded_where_nothing_fails(tmp_path: Path) -> None:
    """A slice threshold whose outcome goes into a plain `notes` list nobody checks is not a
    gate: the MetricFrame evidence stays manual."""
    root = make_repo(
        tmp_path,
        {
            "src/evaluate.py": GATE_MODULE.replace("failures", "notes").replace(
                "    if notes:\n        sys.exit(1)\n", ""
            )
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("src/evaluate.py", 10, "code", "manual", "slice_metrics")]
    assert evidence[0].detail.endswith("; no thresholds")


def test_spark_groupby_agg_metrics_and_confusion_matrix_trap(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "spark/jobs/ml_training.py": """
            from pyspark.sql import functions as F


            def slice_rows(scored, group_col, target_col):
                agg = scored.groupBy(group_col).agg(
                    F.count("*").alias("n"),
                    F.sqrt(F.mean((F.col(target_col) - F.col("prediction")) ** 2)).alias("rmse"),
                    F.mean(F.abs(F.col(target_col) - F.col("prediction"))).alias("mae"),
                )
                return agg.collect()


            def report(scored, evaluator, target_col):
                auc = evaluator.evaluate(scored)
                scored.groupBy(target_col, "prediction").count().show()
                return auc
            """,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("spark/jobs/ml_training.py", 5, "code", "manual", "slice_rows")]
    assert evidence[0].detail == (
        "per-slice metrics `rmse`, `mae` aggregated after groupBy on a column; no thresholds"
    )


def test_trap_groupby_of_project_scores_is_not_a_metric(tmp_path: Path) -> None:
    """`score` here is the project's scoring function: averaging its output per contract
    type is not a quality metric per slice."""
    root = make_repo(
        tmp_path,
        {
            "tests/unit/test_model.py": """
            from churn.score import score


            def test_month_to_month_customers_score_higher(model, customers):
                scored = score(model, customers).assign(contract=customers["contract"])
                by_contract = scored.groupby("contract")["churn_probability"].mean()
                assert by_contract["Month-to-month"] > by_contract["Two year"]
            """,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no per-slice evaluation code, slicing config or per-slice metrics found"]


def test_segment_loop_threshold_with_reasons_list(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/guardrails.py": """
            def guardrails(candidate, champion, required_segments, maximum_segment_regression):
                reasons = []
                for segment in required_segments:
                    metric_name = f"{segment}_rmse"
                    if champion[metric_name] <= 0:
                        raise ValueError("champion metric must be positive")
                    regression = (candidate[metric_name] - champion[metric_name]) / champion[
                        metric_name
                    ]
                    if regression > maximum_segment_regression:
                        reasons.append(f"segment {segment} regressed")
                return not reasons
            """,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("src/guardrails.py", 10, "code", "automated", "guardrails")]
    assert evidence[0].detail == (
        "metric threshold checked for every item of `required_segments`: "
        "`regression > maximum_segment_regression`"
    )
