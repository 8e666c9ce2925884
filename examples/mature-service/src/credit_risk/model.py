"""The model specification: preprocessing plus a gradient-boosted classifier."""

from __future__ import annotations

from typing import Any

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from credit_risk.features import make_preprocessor

TUNABLE = ("learning_rate", "max_leaf_nodes", "min_samples_leaf", "l2_regularization")


def build_model(params: dict[str, Any]) -> Pipeline:
    """An unfitted pipeline configured from params.yaml (`model:` and `features:`)."""
    spec = params["model"]
    numeric = params["features"]["numeric"]
    categorical = params["features"]["categorical"]
    classifier = HistGradientBoostingClassifier(
        learning_rate=spec["learning_rate"],
        max_iter=spec["max_iter"],
        max_leaf_nodes=spec["max_leaf_nodes"],
        min_samples_leaf=spec["min_samples_leaf"],
        l2_regularization=spec["l2_regularization"],
        early_stopping=True,
        random_state=params["seed"],
    )
    return Pipeline(
        [("preprocess", make_preprocessor(numeric, categorical)), ("classifier", classifier)]
    )


def search_space(params: dict[str, Any]) -> dict[str, list]:
    """RandomizedSearchCV distributions, keyed by pipeline step."""
    return {f"classifier__{k}": list(v) for k, v in params["search"]["space"].items()}
