"""model-6 accuracy (round 6): snorkel slicing functions scored on masked rows (Made-With-ML
style) and TFMA configs that slice only the overall dataset (the TFX template's
`slicing_specs=[tfma.SlicingSpec()]`)."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "slice-evaluation"
SNORKEL = """
import numpy as np
from sklearn.metrics import precision_recall_fscore_support
from snorkel.slicing import PandasSFApplier, slicing_function


@slicing_function()
def short_text(x):
    return len(x.text.split()) < 8


@slicing_function()
def nlp_llm(x):
    return "transformer" in x.text.lower()


def get_slice_metrics(y_true, y_pred, df):
    slice_metrics = {}
    slices = PandasSFApplier([nlp_llm, short_text]).apply(df)
    for slice_name in slices.dtype.names:
        mask = slices[slice_name].astype(bool)
        if sum(mask):
            metrics = precision_recall_fscore_support(y_true[mask], y_pred[mask])
            slice_metrics[slice_name] = {"f1": metrics[2]}
            {gate}
    return slice_metrics


if __name__ == "__main__":
    print(get_slice_metrics(np.array([1]), np.array([1]), None))
"""


def test_snorkel_slices_scored_on_masks(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/evaluate.py": SNORKEL.replace("{gate}", "")})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("src/evaluate.py", 22, "code", "manual", "get_slice_metrics")]
    assert evidence[0].detail == (
        "per-slice metric `precision_recall_fscore_support` on snorkel slicing functions "
        "(`short_text`, `nlp_llm`) applied with `PandasSFApplier`; no thresholds"
    )
    assert hints == [
        "per-slice quality is measured but no threshold is checked per slice (e.g. `assert auc "
        ">= 0.8` for every slice), so it cannot be automated"
    ]
    assert levels(audit(root))["model-6"] == "manual"


def test_masked_slices_with_a_threshold_can_be_automated(tmp_path: Path) -> None:
    code = SNORKEL.replace("{gate}", "assert metrics[2].min() >= 0.7")
    root = make_repo(tmp_path, {"src/evaluate.py": code})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("src/evaluate.py", 22, "code", "automated", "get_slice_metrics"),
        ("src/evaluate.py", 24, "code", "automated", "get_slice_metrics"),
    ]
    assert evidence[0].detail.endswith("thresholds: metrics[2].min() >= 0.7")


def test_trap_loops_that_do_not_score_masked_slices(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/evaluate.py": """
            from sklearn.metrics import f1_score


            def per_batch(batches, y_true, y_pred):
                out = []
                for batch_mask in batches:
                    out.append(f1_score(y_true[batch_mask], y_pred[batch_mask]))
                return out


            def repeated_overall(slices, y_true, y_pred):
                scores = {}
                for slice_name in slices:
                    scores[slice_name] = f1_score(y_true, y_pred)
                return scores
            """
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no per-slice evaluation code, slicing config or per-slice metrics found"]


def test_trap_tfma_overall_slice_only(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipeline/pipeline.py": """
            import tensorflow_model_analysis as tfma


            def eval_config(threshold):
                return tfma.EvalConfig(
                    slicing_specs=[tfma.SlicingSpec()],
                    metrics_specs=[tfma.MetricsSpec(thresholds={"auc": tfma.MetricThreshold()})],
                )
            """,
            "config/eval_config.pbtxt": """
            model_specs { label_key: "tips_xf" }
            ## Overall slice
            slicing_specs {}
            """,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "TFMA slicing specs name only the overall slice (an empty `SlicingSpec()`/"
        "`slicing_specs {}` is the whole dataset), so no data slice is evaluated "
        "(pipeline/pipeline.py:5); not credited",
        "TFMA slicing specs name only the overall slice (an empty `SlicingSpec()`/"
        "`slicing_specs {}` is the whole dataset), so no data slice is evaluated "
        "(config/eval_config.pbtxt:3); not credited",
        "no per-slice evaluation code, slicing config or per-slice metrics found",
    ]
    assert levels(audit(root))["model-6"] == "none"


def test_tfma_config_slicing_by_feature_values(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "config/eval_config.pbtxt": """
            slicing_specs {}
            slicing_specs {
              feature_values: {
                key: "trip_start_month"
                value: "1"
              }
            }
            """,
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("config/eval_config.pbtxt", 1, "config", "manual", None)]
    assert evidence[0].detail == "TFMA eval config slices on trip_start_month"
