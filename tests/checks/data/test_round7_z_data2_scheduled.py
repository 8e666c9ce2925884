"""data-2 (round 7, Z): importances read in a training helper and recorded by the function
calling it (`mlflow.log_dict`, `json.dump` to the model dir, a saved plot) are an importance
analysis; automated when a schedule (an Airflow DAG) runs that caller, manual otherwise. A
caller that only sorts or prints them records nothing; a committed JSON alone stays manual."""

from __future__ import annotations

from tests.checks.data.util import details, evidence
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-importance"
EXPERIMENT = """
import json

import mlflow
import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression


def train_model(model, X, y, feature_names):
    model.fit(X, y)
    importance = {}
    if hasattr(model, "feature_importances_"):
        importance = dict(zip(feature_names, model.feature_importances_))
    elif hasattr(model, "coef_"):
        importance = dict(zip(feature_names, np.abs(model.coef_[0])))
    return {"model": model, "feature_importance": importance}


def train_models(X, y, feature_names, model_dir):
    results = {}
    for name, model in [("rf", RandomForestClassifier()), ("lr", LogisticRegression())]:
        result = train_model(model, X, y, feature_names)
        fi = {k: float(v) for k, v in result["feature_importance"].items()}
        mlflow.log_dict(fi, f"{name}/feature_importance.json")
        results[name] = result
    return results
"""
DAG = """
from airflow import DAG
from airflow.operators.python import PythonOperator
from experimentation import train_models


def train(**context):
    return train_models(None, None, [], "models")


with DAG("churn", schedule_interval="@weekly", start_date=None) as dag:
    PythonOperator(task_id="train", python_callable=train)
"""


def test_importances_recorded_by_a_scheduled_caller_are_automated(tmp_path) -> None:
    root = make_repo(tmp_path, {"dags/experimentation.py": EXPERIMENT, "dags/dag.py": DAG})
    out = run_check(root, CHECK)
    assert evidence(out) == [("dags/experimentation.py", 24, "code", "automated", "train_models")]
    assert details(out) == [
        "`feature_importances_` read in `train_model` and recorded by its caller "
        "`train_models` (`mlflow.log_dict`)"
    ]
    assert levels(audit(root))["data-2"] == "automated"


def test_same_code_without_a_schedule_is_manual(tmp_path) -> None:
    """Nothing runs `train_models` automatically: the analysis is done by hand."""
    root = make_repo(
        tmp_path,
        {
            "src/experimentation.py": EXPERIMENT,
            "src/run.py": """
                from experimentation import train_models

                if __name__ == "__main__":
                    train_models(None, None, [], "models")
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/experimentation.py", 24, "code", "automated", "train_models")]
    assert levels(audit(root))["data-2"] == "manual"


def test_trap_caller_only_ranks_or_prints_importances(tmp_path) -> None:
    """The caller sorts the importances to pick columns and prints them: nothing is recorded,
    and a committed importance JSON (a person's record) is the only evidence: manual."""
    experiment = EXPERIMENT.replace(
        '        mlflow.log_dict(fi, f"{name}/feature_importance.json")\n',
        "        top = sorted(fi, key=fi.get)[:5]\n        print(top)\n",
    )
    root = make_repo(
        tmp_path,
        {
            "dags/experimentation.py": experiment,
            "dags/dag.py": DAG,
            "models/rf/feature_importance.json": '{"tenure": 0.4, "charges": 0.6}\n',
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("models/rf/feature_importance.json", None, "result", "manual", None)]
    assert levels(audit(root))["data-2"] == "manual"


def test_trap_coefficients_not_called_importance_are_not_read(tmp_path) -> None:
    """`model.coef_` printed as the fitted equation is not an importance analysis."""
    root = make_repo(
        tmp_path,
        {
            "dags/fit.py": """
                import json

                from sklearn.linear_model import LinearRegression


                def fit(X, y):
                    model = LinearRegression().fit(X, y)
                    with open("models/coefficients.json", "w") as f:
                        json.dump({"coef": model.coef_.tolist()}, f)
                    return model
            """,
            "dags/dag.py": """
                from airflow import DAG
                from airflow.operators.python import PythonOperator
                from fit import fit

                with DAG("fit", schedule_interval="@daily", start_date=None) as dag:
                    PythonOperator(task_id="fit", python_callable=fit)
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert levels(audit(root))["data-2"] == "none"


def test_committed_importance_table_under_an_importance_folder_is_manual(tmp_path) -> None:
    """REVIEW-R point 12: `feature/importance/importance_0013.small.csv` (feature, gain) rows
    written by a project wrapper and committed: a recorded analysis (manual)."""
    table = ",importance\nTransactionAmt,39.42\nProductCD,45.91\ncard1,355.80\n"
    root = make_repo(tmp_path, {"feature/importance/importance_0013.small.csv": table})
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("feature/importance/importance_0013.small.csv", None, "result", "manual", None)
    ]
    assert levels(audit(root))["data-2"] == "manual"


def test_trap_importance_named_tables_without_feature_rows_or_in_tests(tmp_path) -> None:
    """A config table with no numeric feature rows, and a fixture table in tests: nothing."""
    root = make_repo(
        tmp_path,
        {
            "config/importance/weights.csv": "name,owner\nfraud,alice\nchurn,bob\n",
            "tests/data/importance/sample.csv": "feature,gain\nage,0.4\nincome,0.6\n",
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert levels(audit(root))["data-2"] == "none"
