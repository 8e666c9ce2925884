"""data-1 (round 7, Z / REVIEW-T point 6): a required-columns check that only tests presence
stays manual even when a scheduled DAG runs it (the rubric's data-1 asks for expected types,
ranges and distributions), and a hint says why, so the cap is not mistaken for an automation
gap. The same check with dtype checks is automated; run by hand, no hint is given."""

from __future__ import annotations

from tests.checks.data.util import evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-schema"
DAG = """
import pandas as pd
from airflow import DAG
from airflow.operators.python import PythonOperator


def _validate_data(df):
    expected_cols = {"customer_id", "tenure", "monthly_charges", "churn"}
    missing = expected_cols - set(df.columns)
    if missing:
        raise ValueError(f"Missing required columns: {missing}")
{types}

def validate_data(**context):
    _validate_data(pd.read_csv("/data/raw.csv"))


def train(**context):
    pass


with DAG("daily_training", schedule_interval="0 2 * * *", start_date=None) as dag:
    PythonOperator(task_id="validate_data", python_callable=validate_data)
    PythonOperator(task_id="train", python_callable=train)
"""
TYPES = """    if not pd.api.types.is_numeric_dtype(df.dtypes["tenure"]):
        raise TypeError("tenure must be numeric")
"""
HINT = (
    "`_validate_data` (dags/training_dag.py:14) runs under automation "
    "(dags/training_dag.py#daily_training, schedule), but it only checks that columns are "
    "present (no types, ranges or allowed values), so it is credited as a manual-level schema; "
    "checking dtypes and ranges in the same step (pandera, Great Expectations, explicit "
    "dtype/range asserts) makes it automated"
)


def test_presence_check_run_by_a_schedule_stays_manual_with_a_reason(tmp_path) -> None:
    root = make_repo(tmp_path, {"dags/training_dag.py": DAG.replace("{types}", "")})
    out = run_check(root, CHECK)
    assert evidence(out) == [("dags/training_dag.py", 14, "code", "manual", "validate_data")]
    assert hints(out) == [HINT]
    assert levels(audit(root))["data-1"] == "manual"


def test_type_check_run_by_a_schedule_is_automated(tmp_path) -> None:
    root = make_repo(tmp_path, {"dags/training_dag.py": DAG.replace("{types}", TYPES)})
    out = run_check(root, CHECK)
    assert evidence(out) == [("dags/training_dag.py", 16, "code", "automated", "validate_data")]
    assert hints(out) == []
    assert levels(audit(root))["data-1"] == "automated"


def test_trap_presence_check_run_by_hand_gives_no_automation_hint(tmp_path) -> None:
    """A script a person runs: manual, and nothing to explain about automation."""
    script = DAG.replace("{types}", "").split("\n\nwith DAG")[0] + (
        '\n\nif __name__ == "__main__":\n    validate_data()\n'
    )
    root = make_repo(tmp_path, {"src/prepare_data.py": script})
    out = run_check(root, CHECK)
    assert [e[0] for e in evidence(out)] == ["src/prepare_data.py"]
    assert hints(out) == []
    assert levels(audit(root))["data-1"] == "manual"
