"""monitor-6 (REVIEW-G D9): a library's own benchmarks time the package, not an ML system."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "performance-tracking"
LIB = {
    "pyproject.toml": '[project]\nname = "mylib"\nversion = "0.1"\n',
    "mylib/__init__.py": "",
    "mylib/encoders.py": """\
class CountEncoder:
    def fit(self, X, y=None):
        self.counts_ = {c: X[c].value_counts().to_dict() for c in X.columns}
        return self

    def transform(self, X):
        return X.apply(lambda s: s.map(self.counts_[s.name]))
""",
    "benchmarks/test_encoders.py": """\
import pandas as pd

from mylib.encoders import CountEncoder


def test_count_encoder_transform(benchmark):
    X = pd.DataFrame({"a": list("abcab") * 1000})
    enc = CountEncoder().fit(X)
    benchmark(enc.transform, X)
""",
}
APP = """\
import joblib
from fastapi import FastAPI

app = FastAPI()
model = joblib.load("model.pkl")


@app.post("/predict")
def predict(x: float):
    return {"y": float(model.predict([[x]])[0])}
"""
BENCH = """\
from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_latency(benchmark):
    benchmark(client.post, "/predict", params={"x": 1.0})
"""


def test_trap_library_benchmarks_are_not_credited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, LIB)
    produced = run_check(root, CHECK)
    assert [e for e in produced if isinstance(e, Evidence)] == []
    assert [h.detail for h in produced if isinstance(h, Hint)] == [
        "benchmarks time the package's own functions, but the repository has no training entry "
        "point (an ML library's own tests are not an ML system's practice), not credited: "
        "benchmarks/test_encoders.py:6"
    ]
    assert levels(audit(root))["monitor-6"] == "none"


def test_serving_latency_benchmark_of_an_ml_system(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": LIB["pyproject.toml"],
        "app/__init__.py": "",
        "app/main.py": APP,
        "tests/bench/test_latency.py": BENCH,
    }
    root = make_repo(tmp_path, files)
    produced = run_check(root, CHECK)
    assert [(e.location(), e.detail) for e in produced if isinstance(e, Evidence)] == [
        ("tests/bench/test_latency.py:8", "pytest-benchmark test test_latency")
    ]
    assert levels(audit(root))["monitor-6"] == "manual"
