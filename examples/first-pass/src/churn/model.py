"""The churn classifier: preprocessing + logistic regression."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from churn.features import make_preprocessor


def build_model(config: dict) -> Pipeline:
    numeric = config["numeric_features"] + ["avg_monthly_spend"]
    classifier = LogisticRegression(random_state=config["seed"], **config["model"])
    return Pipeline(
        [
            ("preprocess", make_preprocessor(numeric, config["categorical_features"])),
            ("classifier", classifier),
        ]
    )
