"""Round 7 (held-out reviews T and S): a packaged library's MLflow registration is no rollback
evidence (infra-7); an ops troubleshooting section and a serving `predict_one` that returns only
the prediction are not model debugging (infra-5)."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

PYPROJECT = '[project]\nname = "autofit"\nversion = "0.1"\n'
LIBRARY = """\
import os

import mlflow


class AutoFitter:
    def fit(self, X, y, models):
        for name, model in models.items():
            model.fit(X, y)
            if os.environ.get("MLFLOW_TRACKING_URI"):
                mlflow.sklearn.log_model(model, "model", registered_model_name=f"auto_{name}")
        return self
"""
PROJECT_TRAIN = """\
import mlflow
from sklearn.linear_model import LogisticRegression


def train(X, y):
    model = LogisticRegression().fit(X, y)
    mlflow.sklearn.log_model(model, "model", registered_model_name="churn")


if __name__ == "__main__":
    train(*load())
"""


# -- infra-7: a packaged library's registry call ---------------------------------------------
def test_trap_packaged_library_registry_call_is_not_rollback(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"pyproject.toml": PYPROJECT, "autofit/core.py": LIBRARY, "README.md": "# x\n"}
    )
    out = run_check(root, "versioned-models")
    assert _ev(out) == []
    assert _hints(out) == [
        "autofit/core.py:11 model logged to the MLflow registry (registered_model_name): a "
        "registry call inside a packaged library (no training or serving entry point) is a "
        "feature for the library's users; this repository serves no model to roll back; not "
        "credited"
    ]
    assert levels(audit(root))["infra-7"] == "none"


def test_project_training_script_registry_call_still_counts(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"pyproject.toml": PYPROJECT, "src/train.py": PROJECT_TRAIN})
    assert _ev(run_check(root, "versioned-models")) == [
        (
            "model logged to the MLflow registry (registered_model_name)",
            "src/train.py:7",
            "code",
            "manual",
            "train",
        )
    ]
    assert levels(audit(root))["infra-7"] == "manual"


# -- infra-5: ops troubleshooting is not model debugging --------------------------------------
OPS = """\
# A/B testing

## Troubleshooting

1. **Missing ground truth** - submit it with the update endpoint.
2. **NGINX routing issues** - check logs: `docker-compose logs nginx` and the port mapping.
3. **Model performance** - check for data drift; verify feature preprocessing.
"""
MODEL_DEBUG = """\
# Operations

## Debugging a wrong score

Load the model, run the failing row through `score()` and compare its SHAP values with the
training distribution to see which feature pushed the probability up.
"""


def test_trap_ops_troubleshooting_section_is_not_model_debugging(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"api/AB_TESTING.md": OPS})
    out = run_check(root, "debugging-docs")
    assert _ev(out) == []
    assert _hints(out)[0] == (
        "api/AB_TESTING.md:3 'Troubleshooting' is about operating the service, not about running "
        "one example through the model (no explanation, single-example prediction or "
        "intermediate output); not credited"
    )
    assert levels(audit(root))["infra-5"] == "none"


def test_single_example_debugging_section_counts(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"docs/OPERATIONS.md": MODEL_DEBUG})
    assert _ev(run_check(root, "debugging-docs")) == [
        (
            "debugging guide: Debugging a wrong score",
            "docs/OPERATIONS.md:3",
            "doc",
            "manual",
            None,
        )
    ]
    assert levels(audit(root))["infra-5"] == "manual"


# -- infra-5: a serving predict_one that returns only the prediction --------------------------
PREDICTOR = """\
import joblib


class Predictor:
    def __init__(self):
        self._model = joblib.load("model.joblib")

    def predict_one(self, features):
        proba = float(self._model.predict_proba([features])[0, 1])
        return {"prediction": int(proba >= 0.5), "probability": proba}


_predictor = None


def get_predictor():
    global _predictor
    if _predictor is None:
        _predictor = Predictor()
    return _predictor
"""
EXPLAINING_PREDICTOR = PREDICTOR.replace(
    '"probability": proba}', '"probability": proba, "contributions": self._contrib(features)}'
)
ROUTE = """\
from fastapi import FastAPI

from app.predictor import get_predictor

app = FastAPI()


@app.post("/predict")
def predict(features: dict):
    return get_predictor().predict_one(features)
"""


def test_trap_serving_predict_one_returning_only_the_prediction(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/predictor.py": PREDICTOR, "app/main.py": ROUTE})
    out = run_check(root, "single-example-entry-points")
    assert _ev(out) == []
    assert _hints(out) == [
        "app/predictor.py:8 `Predictor.predict_one()` is called by the serving entry `predict` "
        "(app/main.py) and returns only prediction, probability: the serving path alone gives "
        "no way to inspect one example inside the model; not credited"
    ]
    assert levels(audit(root))["infra-5"] == "none"


def test_serving_predict_one_that_returns_contributions_counts(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/predictor.py": EXPLAINING_PREDICTOR, "app/main.py": ROUTE})
    assert _ev(run_check(root, "single-example-entry-points")) == [
        (
            "single-example entry point `Predictor.predict_one()`",
            "app/predictor.py:8",
            "code",
            "manual",
            "Predictor.predict_one",
        )
    ]
    assert levels(audit(root))["infra-5"] == "manual"


def test_predict_one_not_on_the_serving_path_still_counts(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/predictor.py": PREDICTOR})
    assert [e[1] for e in _ev(run_check(root, "single-example-entry-points"))] == [
        "app/predictor.py:8"
    ]


def test_trap_explain_command_that_runs_no_model(tmp_path: Path) -> None:
    cli = """\
    import click

    RUBRIC = {"infra-5": "The model is debuggable"}


    @click.command()
    @click.argument("item")
    def explain(item):
        click.echo(RUBRIC.get(item, "unknown item"))


    def debugging_docs(sections):
        return [s for s in sections if "debug" in s.lower()]
    """
    root = make_repo(tmp_path, {"mytool/cli.py": cli})
    assert _ev(run_check(root, "single-example-entry-points")) == []
    assert levels(audit(root))["infra-5"] == "none"


def test_explain_function_calling_an_attribution_helper_counts(tmp_path: Path) -> None:
    code = """\
    from app.attributions import get_contributions


    def explain_example(row):
        return get_contributions(row)
    """
    root = make_repo(tmp_path, {"app/debug.py": code})
    assert _ev(run_check(root, "single-example-entry-points")) == [
        (
            "single-example entry point `explain_example()`",
            "app/debug.py:4",
            "code",
            "automated",
            "explain_example",
        )
    ]
