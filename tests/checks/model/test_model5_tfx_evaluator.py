"""model-5 accuracy (round 6): a TFX Evaluator given the latest blessed model as
`baseline_model` compares every candidate with the model in production; one that is never
added to the pipeline (the TFX template's commented-out `append`) compares nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "baseline-comparison"
PIPELINE = """
import tensorflow_model_analysis as tfma
from tfx import v1 as tfx


def create_pipeline(example_gen, trainer, threshold):
    components = []
    model_resolver = tfx.dsl.Resolver(
        strategy_class=tfx.dsl.experimental.LatestBlessedModelStrategy,
        model=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Model),
    ).with_id("latest_blessed_model_resolver")
    eval_config = tfma.EvalConfig(
        metrics_specs=[tfma.MetricsSpec(metrics=[tfma.MetricConfig(
            class_name="BinaryAccuracy",
            threshold=tfma.MetricThreshold(
                change_threshold=tfma.GenericChangeThreshold(
                    direction=tfma.MetricDirection.HIGHER_IS_BETTER,
                    absolute={"value": -1e-10})))])])
    evaluator = tfx.components.Evaluator(
        examples=example_gen.outputs["examples"],
        model=trainer.outputs["model"],
        baseline_model=model_resolver.outputs["model"],
        eval_config=eval_config)
    {append}
    return tfx.dsl.Pipeline(pipeline_name="p", pipeline_root=".", components=components)
"""


def test_tfx_evaluator_compares_with_the_blessed_baseline(tmp_path: Path) -> None:
    code = PIPELINE.replace("{append}", "components.append(evaluator)")
    root = make_repo(tmp_path, {"pipeline/pipeline.py": code})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("pipeline/pipeline.py", 18, "code", "automated", "create_pipeline")]
    assert evidence[0].detail == (
        "TFX Evaluator compares the candidate with the baseline model (`baseline_model=`); "
        "gated by a `GenericChangeThreshold`"
    )
    assert hints == []
    assert levels(audit(root))["model-5"] == "manual"


def test_trap_tfx_evaluator_never_added_to_the_pipeline(tmp_path: Path) -> None:
    code = PIPELINE.replace("{append}", "# components.append(evaluator)")
    root = make_repo(tmp_path, {"pipeline/pipeline.py": code})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "TFX `Evaluator` with a baseline model is built at pipeline/pipeline.py:18 but "
        "`evaluator` is never added to the pipeline's components; not credited"
    ]
    assert levels(audit(root))["model-5"] == "none"
