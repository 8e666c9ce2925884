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
        "TFMA evaluation sliced by slicing specs; thresholds: TFMA metric thresholds"
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
