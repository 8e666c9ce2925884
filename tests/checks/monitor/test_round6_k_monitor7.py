"""monitor-7 (REVIEW-F #4): a scheduled evaluation counts only when it scores the served model or
data newer than training, not the artifact of the last training run on a static split."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

CHECK = "production-quality-monitoring"
STATIC = """\
import joblib
import pandas as pd
from sklearn.metrics import accuracy_score

if __name__ == "__main__":
    model = joblib.load("models/model.pkl")
    test = pd.read_csv("data/test.csv")
    print(accuracy_score(test["y"], model.predict(test.drop(columns="y"))))
"""
SERVED = """\
import datetime as dt

import mlflow
import pandas as pd
from sklearn.metrics import accuracy_score

if __name__ == "__main__":
    model = mlflow.pyfunc.load_model("models:/churn@production")
    since = dt.datetime.now() - dt.timedelta(days=7)
    rows = pd.read_parquet("warehouse/labelled.parquet")
    rows = rows[rows.ts > since]
    print(accuracy_score(rows["y"], model.predict(rows.drop(columns="y"))))
"""


def test_trap_scheduled_evaluation_of_a_static_split(tmp_path: Path) -> None:
    amap = automation(("src/evaluate.py", "<main>", "schedule"))
    produced = run(tmp_path, {"src/evaluate.py": STATIC}, CHECK, amap)
    assert evidence(produced) == []
    assert hints(produced) == [
        "src/evaluate.py runs on a schedule via .github/workflows/schedule.yml#job, but it "
        "scores a model file on a static split: nothing shows it loads the serving/registered "
        "model or data newer than training (offline evaluation, not production monitoring); "
        "not credited"
    ]
    assert level(produced, amap) == "none"


def test_scheduled_evaluation_of_the_served_model(tmp_path: Path) -> None:
    amap = automation(("src/evaluate.py", "<main>", "schedule"))
    produced = run(tmp_path, {"src/evaluate.py": SERVED}, CHECK, amap)
    assert evidence(produced) == [
        (
            "src/evaluate.py:8",
            "code",
            "automated",
            "evaluation src/evaluate.py runs on a schedule via .github/workflows/schedule.yml#job "
            "and scores the served model (`models:/churn@production`)",
        )
    ]
    assert level(produced, amap) == "automated"


def test_scheduled_evaluation_on_a_recent_window(tmp_path: Path) -> None:
    recent = SERVED.replace('mlflow.pyfunc.load_model("models:/churn@production")', "None")
    amap = automation(("src/evaluate.py", "<main>", "schedule"))
    produced = run(tmp_path, {"src/evaluate.py": recent}, CHECK, amap)
    assert [e[3] for e in evidence(produced)] == [
        "evaluation src/evaluate.py runs on a schedule via .github/workflows/schedule.yml#job "
        "and scores a recent time window (`dt.timedelta`)"
    ]


def test_trap_timestamped_report_is_not_a_window(tmp_path: Path) -> None:
    stamped = STATIC.replace(
        "    print(accuracy_score(",
        '    import datetime\n    out = f"reports/{datetime.datetime.now():%Y%m%d}.json"\n'
        "    print(accuracy_score(",
    )
    amap = automation(("src/evaluate.py", "<main>", "schedule"))
    produced = run(tmp_path, {"src/evaluate.py": stamped}, CHECK, amap)
    assert evidence(produced) == []
    assert level(produced, amap) == "none"
