"""monitor-7/monitor-6 (REVIEW-S point 3, REVIEW-T point 11 ii): hand-written drift tests of
logged serving data against the stored training reference, and scripts comparing the
service's live accuracy/latency with thresholds, are manual monitors (automated only when a
schedule runs them)."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence
from tests.checks.monitor._util import automation, evidence, level, run
from tests.helpers import audit, levels, make_repo, run_check

DRIFT = """\
import numpy as np
from scipy import stats


def _psi(reference, current, bins=10):
    edges = np.quantile(reference, np.linspace(0, 1, bins + 1))
    ref, _ = np.histogram(reference, bins=edges)
    cur, _ = np.histogram(current, bins=edges)
    return float(np.sum((cur - ref) * np.log((cur + 1e-6) / (ref + 1e-6))))


def compute_drift(reference, current):
    out = {}
    for name in reference:
        ks, p = stats.ks_2samp(reference[name], current[name])
        out[name] = {"ks": ks, "p": p, "psi": _psi(reference[name], current[name])}
    return out
"""
APP = """\
import json

from fastapi import FastAPI

from app.db import PredictionLog, session
from app.drift import compute_drift

app = FastAPI()
REFERENCE = json.load(open("artifacts/reference.json"))


@app.get("/monitoring/drift")
def drift(window: int = 200):
    rows = session.query(PredictionLog.features).limit(window).all()
    current = {name: [r[0][name] for r in rows] for name in REFERENCE}
    return compute_drift(REFERENCE, current)
"""
OFFLINE = """\
import pandas as pd

from app.drift import compute_drift

if __name__ == "__main__":
    train = pd.read_csv("data/train.csv")
    test = pd.read_csv("data/test.csv")
    print(compute_drift(train.to_dict("list"), test.to_dict("list")))
"""


def _evidence(root: Path, check: str) -> list[tuple[str, str, str]]:
    return [
        (e.location(), e.credit, e.detail)
        for e in run_check(root, check)
        if isinstance(e, Evidence)
    ]


def test_serving_route_compares_logged_inputs_with_training_reference(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/db.py": "", "app/drift.py": DRIFT, "app/main.py": APP}
    root = make_repo(tmp_path, files)
    assert _evidence(root, "production-quality-monitoring") == [
        (
            "app/main.py:16",
            "manual",
            "app/main.py:drift compares logged serving data (`PredictionLog`) with the stored "
            "training reference (`REFERENCE`) using `stats.ks_2samp` (`compute_drift`); watched "
            "by a person, no schedule or alert",
        )
    ]
    assert levels(audit(root))["monitor-7"] == "manual"


def test_trap_drift_between_training_and_test_splits(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/drift.py": DRIFT, "analysis.py": OFFLINE}
    root = make_repo(tmp_path, files)
    assert _evidence(root, "production-quality-monitoring") == []
    assert levels(audit(root))["monitor-7"] == "none"


def test_trap_route_without_a_serving_log(tmp_path: Path) -> None:
    """A route comparing two uploaded samples reads no serving log."""
    app = APP.replace(
        "    rows = session.query(PredictionLog.features).limit(window).all()\n"
        "    current = {name: [r[0][name] for r in rows] for name in REFERENCE}\n",
        "    current = json.load(open('artifacts/holdout.json'))\n",
    )
    files = {"app/__init__.py": "", "app/drift.py": DRIFT, "app/main.py": app}
    root = make_repo(tmp_path, files)
    assert _evidence(root, "production-quality-monitoring") == []


MONITOR = """\
import time

import requests

THRESHOLDS = {"min_accuracy": 0.7, "max_prediction_time_ms": 500}


def check(metrics):
    production_accuracy = metrics["production"]["accuracy"]
    if production_accuracy < THRESHOLDS["min_accuracy"]:
        return False
    production_avg_time = metrics["production"]["avg_time"]
    if production_avg_time > THRESHOLDS["max_prediction_time_ms"]:
        return False
    return True


if __name__ == "__main__":
    while True:
        metrics = requests.get("http://api:8000/ab-test/summary").json()
        if not check(metrics):
            requests.post("http://api:8000/models/rollback")
        time.sleep(60)
"""


def test_hand_run_script_compares_live_metrics_with_thresholds(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"scripts/monitor_performance.py": MONITOR})
    assert _evidence(root, "production-quality-monitoring") == [
        (
            "scripts/monitor_performance.py:10",
            "manual",
            "scripts/monitor_performance.py reads the service's live metrics and compares "
            '`production_accuracy` with a threshold (`if production_accuracy < THRESHOLDS["min_'
            'accuracy"]:`); started by hand, no schedule',
        )
    ]
    assert [loc for loc, _, _ in _evidence(root, "performance-tracking")] == [
        "scripts/monitor_performance.py:13"
    ]
    got = levels(audit(root))
    assert (got["monitor-6"], got["monitor-7"]) == ("manual", "manual")


def test_trap_offline_accuracy_gate_after_a_download(tmp_path: Path) -> None:
    """A script that downloads data and checks a test-set accuracy is a gate, not a monitor."""
    script = """\
import requests

MIN_ACCURACY = 0.8

if __name__ == "__main__":
    data = requests.get("https://example.com/data.csv").text
    test_accuracy = 0.9
    if test_accuracy < MIN_ACCURACY:
        raise SystemExit(1)
"""
    root = make_repo(tmp_path, {"scripts/evaluate.py": script})
    assert _evidence(root, "production-quality-monitoring") == []
    assert _evidence(root, "performance-tracking") == []


def test_scheduled_live_threshold_monitor_is_automated(tmp_path: Path) -> None:
    amap = automation(("scripts/monitor_performance.py", "check", "schedule"))
    produced = run(
        tmp_path, {"scripts/monitor_performance.py": MONITOR}, "production-quality-monitoring", amap
    )
    assert level(produced, amap) == "automated"
    assert "on a schedule via .github/workflows/schedule.yml#job" in evidence(produced)[0][3]


LATENCY_ROUTE = """\
import numpy as np
from fastapi import FastAPI

from app.db import PredictionLog, session

app = FastAPI()


@app.post("/predict")
def predict(x: float):
    return {"y": x}


@app.get("/monitoring/metrics")
def metrics():
    rows = session.query(PredictionLog.FIELD).limit(10000).all()
    values = np.array([r[0] for r in rows], dtype=float)
    return {"p95": float(np.percentile(values, 95)), "FIELD": values.tolist()}
"""


def test_latency_percentiles_from_the_prediction_log(tmp_path: Path) -> None:
    """REVIEW-S batchwatch: p50/p95 latency of logged requests behind a dashboard endpoint."""
    files = {"app/__init__.py": "", "app/db.py": "", "app/main.py": LATENCY_ROUTE}
    root = make_repo(
        tmp_path, {**files, "app/main.py": LATENCY_ROUTE.replace("FIELD", "latency_ms")}
    )
    assert [(loc, credit) for loc, credit, _ in _evidence(root, "performance-tracking")] == [
        ("app/main.py:18", "manual")
    ]
    assert levels(audit(root))["monitor-6"] == "manual"


def test_trap_percentiles_of_a_field_that_is_not_latency(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/db.py": "", "app/main.py": LATENCY_ROUTE}
    root = make_repo(tmp_path, {**files, "app/main.py": LATENCY_ROUTE.replace("FIELD", "score")})
    assert _evidence(root, "performance-tracking") == []


REPORT = """\
import pandas as pd


def operational_summary(analysis: pd.DataFrame) -> pd.DataFrame:
    grouped = analysis.groupby(["month", "model_version"])
    return grouped.agg(
        requests=("latency_ms", "size"),
        latency_p95_ms=("latency_ms", lambda v: v.quantile(0.95)),
    ).reset_index()


if __name__ == "__main__":
    print(operational_summary(pd.read_parquet("logs/api.parquet")))
"""


def test_latency_quantiles_per_period_in_a_monitoring_report(tmp_path: Path) -> None:
    """REVIEW-R churn-mlops: latency quantiles per month and model version."""
    app = LATENCY_ROUTE.replace("FIELD", "score")
    files = {
        "app/__init__.py": "",
        "app/db.py": "",
        "app/main.py": app,
        "monitoring/report.py": REPORT,
    }
    root = make_repo(tmp_path, files)
    assert [(loc, credit) for loc, credit, _ in _evidence(root, "performance-tracking")] == [
        ("monitoring/report.py:8", "manual")
    ]


def test_trap_latency_quantiles_in_a_repository_that_serves_nothing(tmp_path: Path) -> None:
    """A library or analysis repo summarising durations times nothing that serves."""
    root = make_repo(tmp_path, {"monitoring/report.py": REPORT})
    assert _evidence(root, "performance-tracking") == []
