"""Round 7 (held-out review S point 6), infra-2: a function that returns or fits a predicting
estimator, and a `*predict*` function a serving route calls, are model code; a preprocessing
builder, a predict helper nothing serves, and a packaged library's estimators are not."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import PUSH_CI, _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "model-unit-tests"
FACTORY = """\
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def build_churn_pipeline():
    return Pipeline([("scale", StandardScaler()), ("clf", RandomForestClassifier())])


def make_preprocessor():
    return ColumnTransformer([("num", StandardScaler(), ["age"])])
"""
PIPELINE_TEST = """\
from app.factory import build_churn_pipeline


def test_pipeline_fits_and_predicts(X, y):
    pipe = build_churn_pipeline().fit(X, y)
    assert pipe.predict(X).shape == (len(X),)
"""
PREPROCESSOR_TEST = """\
from app.factory import make_preprocessor


def test_scales(X):
    assert make_preprocessor().fit_transform(X).shape[0] == len(X)
"""


def test_function_returning_an_estimator_pipeline_is_model_code(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "app/factory.py": FACTORY,
            "tests/test_factory.py": PIPELINE_TEST,
            ".github/workflows/ci.yml": PUSH_CI,
        },
    )
    assert _ev(run_check(root, CHECK)) == [
        (
            "tests app/factory.py (build_churn_pipeline): a forward pass, a training step",
            "tests/test_factory.py:4",
            "test",
            "automated",
            "test_pipeline_fits_and_predicts",
        )
    ]
    assert levels(audit(root))["infra-2"] == "automated"


def test_trap_preprocessor_builder_is_feature_code_not_model_code(tmp_path: Path) -> None:
    only = (
        FACTORY.split("def build_churn_pipeline")[0]
        + "def make_preprocessor"
        + (FACTORY.split("def make_preprocessor")[1])
    )
    root = make_repo(
        tmp_path,
        {
            "app/factory.py": only,
            "tests/test_factory.py": PREPROCESSOR_TEST,
            ".github/workflows/ci.yml": PUSH_CI,
        },
    )
    assert _ev(run_check(root, CHECK)) == []
    assert levels(audit(root))["infra-2"] == "none"


def test_trap_packaged_library_estimator_builders_are_not_project_model_code(
    tmp_path: Path,
) -> None:
    root = make_repo(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "factory"\nversion = "0.1"\n',
            "app/factory.py": FACTORY,
            "tests/test_factory.py": PIPELINE_TEST,
            ".github/workflows/ci.yml": PUSH_CI,
        },
    )
    out = run_check(root, CHECK)
    assert _ev(out) == []
    assert _hints(out)[0].startswith("no model code found")


INFERENCE = """\
def baseline_predict(features):
    return min(1.0, 0.2 + features["minutes_open"] / 600)


def canary_predict(features):
    return min(1.0, baseline_predict(features) + 0.1 * features["escalations"])
"""
SERVICE = """\
from fastapi import FastAPI

from app.inference import baseline_predict, canary_predict

app = FastAPI()


@app.post("/predict")
def predict(features: dict):
    return {"baseline": baseline_predict(features), "canary": canary_predict(features)}
"""
INFERENCE_TEST = """\
from app.inference import baseline_predict, canary_predict


def test_canary_scores_escalations_higher():
    row = {"minutes_open": 60, "escalations": 2}
    assert canary_predict(row) > baseline_predict(row)
"""


def test_predict_functions_a_route_calls_are_model_code(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "app/inference.py": INFERENCE,
            "app/main.py": SERVICE,
            "tests/test_inference.py": INFERENCE_TEST,
        },
    )
    assert _ev(run_check(root, CHECK)) == [
        (
            "tests app/inference.py (baseline_predict, canary_predict): a forward pass",
            "tests/test_inference.py:4",
            "test",
            "automated",
            "test_canary_scores_escalations_higher",
        )
    ]
    assert levels(audit(root))["infra-2"] == "manual"  # no CI runs the tests


def test_trap_predict_helpers_no_serving_code_calls(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"app/inference.py": INFERENCE, "tests/test_inference.py": INFERENCE_TEST}
    )
    assert _ev(run_check(root, CHECK)) == []
    assert levels(audit(root))["infra-2"] == "none"
