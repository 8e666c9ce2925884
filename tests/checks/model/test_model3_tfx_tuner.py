"""model-3 accuracy (round 6): a Keras Tuner that `tuner_fn` hands to the TFX Tuner component
is run by TFX (no `.search` call in the module); without a Tuner component in a pipeline it
is only configured."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import make_repo

CHECK = "hyperparameter-search"
MODULE = """
import keras_tuner as kt
from tfx import v1 as tfx


def tuner_fn(fn_args):
    tuner = kt.Hyperband(build_model, objective="val_binary_accuracy", max_epochs=10)
    return tfx.components.TunerFnResult(tuner=tuner, fit_kwargs={"x": fn_args.train_files})
"""
PIPELINE = """
from tfx import v1 as tfx


def create_pipeline(module_file, transform, schema_gen):
    components = []
    tuner = tfx.components.Tuner(
        module_file=module_file,
        examples=transform.outputs["transformed_examples"],
        schema=schema_gen.outputs["schema"])
    {append}
    return tfx.dsl.Pipeline(pipeline_name="p", pipeline_root=".", components=components)
"""


def test_keras_tuner_run_by_the_tfx_tuner_component(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "models/model.py": MODULE,
            "pipeline/pipeline.py": PIPELINE.replace("{append}", "components.append(tuner)"),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("models/model.py", 6, "code", "automated", "tuner_fn")]
    assert evidence[0].detail == (
        "Keras Tuner Hyperband `kt.Hyperband` returned to the TFX Tuner component "
        "(`TunerFnResult` in `tuner_fn`), which runs the search: `tfx.components.Tuner` at "
        "pipeline/pipeline.py:6"
    )
    assert hints == []


def test_trap_tuner_fn_without_a_tuner_component_in_the_pipeline(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "models/model.py": MODULE,
            "pipeline/pipeline.py": PIPELINE.replace("{append}", "# components.append(tuner)"),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "Keras Tuner Hyperband configured at models/model.py:6 but never run (no `.search` "
        "call); not credited",
        "no hyperparameter search that is run, and no sweep config, found",
    ]
