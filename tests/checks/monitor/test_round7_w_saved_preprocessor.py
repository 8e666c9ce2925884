"""monitor-3 (REVIEW-T point 10): a preprocessor fitted and saved by training under a file
basename or artifact name that serving loads and applies."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence
from tests.helpers import audit, levels, make_repo, run_check

TRAIN = """\
from pathlib import Path

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OUT = Path("models/latest")


def train():
    df = pd.read_csv("data/train.csv")
    preprocessor = ColumnTransformer(
        [("num", StandardScaler(), ["age"]), ("cat", OneHotEncoder(), ["plan"])]
    )
    X = preprocessor.fit_transform(df)
    model = LogisticRegression().fit(X, df["churn"])
    joblib.dump(preprocessor, OUT / "SAVED_NAME")
    joblib.dump(model, OUT / "model.joblib")


if __name__ == "__main__":
    train()
"""
SERVE = """\
from pathlib import Path

import joblib
import pandas as pd
from fastapi import FastAPI

app = FastAPI()
MODEL_DIR = Path("/models/production")
model = joblib.load(MODEL_DIR / "model.joblib")


def load_preprocessor():
    path = MODEL_DIR / "LOADED_NAME"
    return joblib.load(path)


@app.post("/predict")
def predict(row: dict):
    X = load_preprocessor().transform(pd.DataFrame([row]))
    return {"churn": int(model.predict(X)[0])}
"""


def _evidence(root: Path) -> list[tuple[str, str, str]]:
    produced = run_check(root, "training-serving-skew")
    return [(e.location(), e.credit, e.detail) for e in produced if isinstance(e, Evidence)]


def _repo(tmp_path: Path, saved: str, loaded: str) -> Path:
    files = {
        "train.py": TRAIN.replace("SAVED_NAME", saved),
        "serve/app.py": SERVE.replace("LOADED_NAME", loaded),
    }
    return make_repo(tmp_path, files)


def test_preprocessor_file_saved_by_training_and_loaded_by_serving(tmp_path: Path) -> None:
    root = _repo(tmp_path, "preprocessor.joblib", "preprocessor.joblib")
    assert _evidence(root) == [
        (
            "serve/app.py:14",
            "manual",
            "the preprocessor `preprocessor.joblib` fitted and saved by train.py (training "
            "code) is loaded on the serving path of serve/app.py:predict (`joblib.load`), "
            "which applies its transform",
        )
    ]
    assert levels(audit(root))["monitor-3"] == "manual"


def test_trap_serving_loads_another_preprocessor_file(tmp_path: Path) -> None:
    """Serving refits or loads a different file: nothing ties it to what training fitted."""
    root = _repo(tmp_path, "preprocessor.joblib", "scaler_v0.pkl")
    assert _evidence(root) == []
    assert levels(audit(root))["monitor-3"] == "none"


def test_trap_only_the_model_file_is_shared(tmp_path: Path) -> None:
    """`model.joblib` is loaded by both sides, but it is the estimator alone."""
    root = _repo(tmp_path, "preprocessor.joblib", "model.joblib")
    assert _evidence(root) == []


ZEN_STEP = """\
from typing import Annotated

from sklearn.preprocessing import StandardScaler
from zenml import ArtifactConfig, step


@step
def engineer_features(X_train) -> Annotated[StandardScaler, ArtifactConfig(name="scaler")]:
    scaler = StandardScaler()
    scaler.fit_transform(X_train)
    return scaler
"""
ZEN_TRAIN = """\
from zenml import pipeline

from steps.features import engineer_features


@pipeline
def training_pipeline():
    engineer_features(load())


if __name__ == "__main__":
    training_pipeline()
"""
ZEN_SERVE = """\
import pandas as pd
from fastapi import FastAPI
from zenml.client import Client

app = FastAPI()


@app.post("/predict")
def predict(row: dict):
    version = Client().get_model_version("churn", "production")
    scaler = version.load_artifact("ARTIFACT")
    model = version.load_artifact("model")
    return {"y": int(model.predict(scaler.transform(pd.DataFrame([row])))[0])}
"""


def test_zenml_artifact_fitted_in_training_and_loaded_by_serving(tmp_path: Path) -> None:
    files = {
        "steps/__init__.py": "",
        "steps/features.py": ZEN_STEP,
        "pipelines/training.py": ZEN_TRAIN,
        "serve.py": ZEN_SERVE.replace("ARTIFACT", "scaler"),
    }
    root = make_repo(tmp_path, files)
    assert [(loc, credit) for loc, credit, _ in _evidence(root)] == [("serve.py:11", "manual")]


def test_trap_zenml_serving_loads_an_unrelated_artifact(tmp_path: Path) -> None:
    files = {
        "steps/__init__.py": "",
        "steps/features.py": ZEN_STEP,
        "pipelines/training.py": ZEN_TRAIN,
        "serve.py": ZEN_SERVE.replace("ARTIFACT", "encoder"),
    }
    root = make_repo(tmp_path, files)
    assert _evidence(root) == []
