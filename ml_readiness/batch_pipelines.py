"""Batch-scoring pipelines as serving entry points.

A batch job does not have to be a `batch_predict.py` script: MLOps projects often score new
data in an orchestrated pipeline (`@pipeline def batch_inference_pipeline()`, a Prefect
`@flow def score_customers()`), run on a schedule next to the training pipeline. Such a
function is a serving entry point (kind `batch`) when its name says it scores (`infer`,
`predict`, `scor`, `batch`; never `train`) and the code it reaches both loads a model and
predicts with it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ml_readiness.reach import reachable_functions

if TYPE_CHECKING:
    from ml_readiness.entrypoints import EntryPoint
    from ml_readiness.facts import Facts

# decorators that make a function a whole pipeline run (not one of its steps)
PIPELINE_DECORATORS = {
    "zenml.pipeline": "zenml",
    "prefect.flow": "prefect",
    "dagster.job": "dagster",
    "kfp.dsl.pipeline": "kubeflow",
    "airflow.decorators.dag": "airflow",
}
SCORING_NAME = re.compile(r"(?i)infer|predict|scor|batch")
TRAINING_NAME = re.compile(r"(?i)train|fit|tun")
MODEL_LOAD = re.compile(
    r"(joblib\.load|pickle\.load|cloudpickle\.load|torch\.load|load_model|load_artifact"
    r"|from_pretrained|onnxruntime\.InferenceSession|skops\.io\.load)$"
)
PREDICT = re.compile(r"(^|_)predict|^(predict_proba|transform|generate|infer)$")


def batch_pipelines(facts: Facts) -> list[EntryPoint]:
    """Scoring pipelines (see the module docstring), each as an `EntryPoint` of kind batch."""
    from ml_readiness.entrypoints import EntryPoint

    out = []
    decorated = tuple(d.rpartition(".")[2] for d in PIPELINE_DECORATORS)
    for path, pf in facts.python_files(mentions=decorated, tests=False):
        if path.startswith("../"):
            continue
        for fn in pf.functions:
            framework = next(
                (PIPELINE_DECORATORS[d] for d in fn.decorators if d in PIPELINE_DECORATORS), None
            )
            if (
                framework is None
                or not SCORING_NAME.search(fn.name)
                or TRAINING_NAME.search(fn.name)
            ):
                continue
            entry = EntryPoint(path, fn.qualname, fn.line, "batch", framework)
            if _loads_and_predicts(facts, entry):
                out.append(entry)
    return out


def _loads_and_predicts(facts: Facts, entry: EntryPoint) -> bool:
    loads = predicts = False
    for path, qualname in sorted(reachable_functions(facts, entry)):
        pf = facts.python(path)
        for call in pf.calls if pf is not None else ():
            if call.scope != qualname:
                continue
            loads = loads or bool(MODEL_LOAD.search(call.qualified))
            predicts = predicts or bool(PREDICT.search(call.attr))
        if loads and predicts:
            return True
    return False
