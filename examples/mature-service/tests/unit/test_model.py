import numpy as np

from credit_risk.config import feature_columns
from credit_risk.features import build_features
from credit_risk.model import TUNABLE, build_model, search_space


def _fitted(params, sample):
    numeric, categorical = feature_columns(params)
    x = build_features(sample, numeric, categorical)
    return build_model(params).fit(x, sample["defaulted"]), x


def test_model_outputs_are_probabilities(params, sample):
    model, x = _fitted(params, sample)
    proba = model.predict_proba(x)
    assert proba.shape == (len(sample), 2)
    assert np.isfinite(proba).all()
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_model_learns_signal_on_training_data(params, sample):
    model, x = _fitted(params, sample)
    assert model.score(x, sample["defaulted"]) > sample["defaulted"].mean()


def test_unknown_category_does_not_break_scoring(params, sample):
    model, x = _fitted(params, sample)
    row = x.iloc[[0]].copy()
    row["purpose"] = "wedding"
    assert np.isfinite(model.predict_proba(row)).all()


def test_search_space_covers_tunable_hyperparameters(params):
    space = search_space(params)
    assert set(space) == {f"classifier__{name}" for name in TUNABLE}
    assert all(len(values) >= 2 for values in space.values())
