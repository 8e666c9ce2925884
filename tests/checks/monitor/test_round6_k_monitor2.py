"""monitor-2 (REVIEW-G D11): a required-columns check on the serving path validates the input."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "serving-input-validation"
APP = """\
import io

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException, UploadFile

app = FastAPI()
model = joblib.load("model.joblib")
FEATURE_COLUMNS = ["store", "day_of_week", "promo"]


@app.post("/predict-batch")
async def predict_batch(file: UploadFile):
    df = pd.read_csv(io.BytesIO(await file.read()))
    CHECK
    return {"y": model.predict(df[FEATURE_COLUMNS]).tolist()}
"""
PRESENCE = """missing = [c for c in FEATURE_COLUMNS if c not in df.columns]
    if missing:
        raise HTTPException(status_code=400, detail=f"missing columns: {missing}")"""
EMPTY = """if df.empty:
        raise HTTPException(status_code=400, detail="empty file")"""


def _evidence(root: Path) -> list[tuple[str, str]]:
    return [(e.location(), e.detail) for e in run_check(root, CHECK) if isinstance(e, Evidence)]


def test_required_columns_check_on_the_serving_path(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/main.py": APP.replace("CHECK", PRESENCE)})
    assert _evidence(root) == [
        (
            "app/main.py:13",
            "app/main.py:predict_batch rejects input that fails a column presence check against "
            "`FEATURE_COLUMNS` (store, day_of_week, promo) in predict_batch",
        )
    ]
    assert levels(audit(root))["monitor-2"] == "manual"


def test_trap_emptiness_check_is_not_a_schema(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/main.py": APP.replace("CHECK", EMPTY)})
    assert _evidence(root) == []
    assert levels(audit(root))["monitor-2"] == "none"


def test_trap_column_check_only_in_training_code(tmp_path: Path) -> None:
    train = """\
import pandas as pd
from sklearn.linear_model import LinearRegression

FEATURE_COLUMNS = ["store", "day_of_week", "promo"]


def load(path):
    df = pd.read_csv(path)
    missing = [c for c in FEATURE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(missing)
    return df


if __name__ == "__main__":
    df = load("data/train.csv")
    LinearRegression().fit(df[FEATURE_COLUMNS], df["y"])
"""
    files = {"app/main.py": APP.replace("CHECK", "pass"), "train.py": train}
    root = make_repo(tmp_path, files)
    assert _evidence(root) == []
    assert levels(audit(root))["monitor-2"] == "none"
