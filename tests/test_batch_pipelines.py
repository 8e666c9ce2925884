"""Orchestrated batch-scoring pipelines are serving entry points (kind batch): a ZenML
`@pipeline`/Prefect `@flow` named for scoring whose reach loads a model and predicts."""

from __future__ import annotations

from ml_readiness.entrypoints import serving_entry_points
from ml_readiness.facts import Facts
from ml_readiness.repo import Repo
from tests.helpers import make_repo

STEPS = """
import joblib
from zenml import step


@step
def load_model():
    return joblib.load("models/model.joblib")


@step
def predict_batch(model, rows):
    return model.predict(rows)


@step
def load_rows():
    return [[1.0, 2.0]]
"""
PIPELINES = """
from prefect import flow
from zenml import pipeline

from steps import load_model, load_rows, predict_batch


@pipeline
def batch_inference_pipeline():
    predict_batch(load_model(), load_rows())


@pipeline
def train_and_score_pipeline():  # a training pipeline that also scores: not serving
    predict_batch(load_model(), load_rows())


@flow
def score_report():  # named for scoring, but it loads no model
    return load_rows()


def predict_everything():  # no pipeline decorator: not an orchestrated run
    predict_batch(load_model(), load_rows())
"""


def test_scoring_pipelines_that_load_and_predict_are_serving_entries(tmp_path):
    root = make_repo(tmp_path, {"steps.py": STEPS, "pipelines.py": PIPELINES})
    entries = serving_entry_points(Facts(Repo.open(root)))
    assert [(e.path, e.symbol, e.line, e.kind, e.framework) for e in entries] == [
        ("pipelines.py", "batch_inference_pipeline", 8, "batch", "zenml")
    ]
