"""Smoke training: the whole pipeline (train -> evaluate) on data/sample.csv."""

import json

import joblib
import numpy as np
import pandas as pd

from credit_risk import evaluate, train
from credit_risk.config import feature_columns, load_params
from credit_risk.features import build_features

from ..conftest import ROOT


def test_train_and_evaluate_on_sample(tmp_path):
    params = load_params(ROOT / "params.yaml")
    sample = str(ROOT / "data" / "sample.csv")
    args = ["--params", str(ROOT / "params.yaml"), "--data", sample, "--output", str(tmp_path)]
    assert train.main([*args, "--smoke"]) == 0
    meta = json.loads((tmp_path / "model_meta.json").read_text())
    assert meta["seed"] == params["seed"]
    metrics = evaluate.evaluate(
        params, tmp_path / "model.joblib", tmp_path / "train.csv", tmp_path / "holdout.csv"
    )
    assert 0.5 <= metrics["auc"] <= 1.0
    assert set(metrics["slices"]) == set(params["evaluation"]["slices"])
    assert isinstance(evaluate.gate_failures(metrics, params["evaluation"]), list)


def test_training_is_reproducible(tmp_path):
    params = load_params(ROOT / "params.yaml")
    sample = str(ROOT / "data" / "sample.csv")
    first = train.train(params, sample, tmp_path / "a", smoke=True)
    second = train.train(params, sample, tmp_path / "b", smoke=True)
    assert first["best_params"] == second["best_params"]
    holdout = build_features(pd.read_csv(tmp_path / "a" / "holdout.csv"), *feature_columns(params))
    a = joblib.load(tmp_path / "a" / "model.joblib").predict_proba(holdout)
    b = joblib.load(tmp_path / "b" / "model.joblib").predict_proba(holdout)
    assert np.array_equal(a, b)
