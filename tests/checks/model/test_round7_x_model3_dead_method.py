"""model-3 accuracy (round 7, X / REVIEW-T point 7): a search in a method of a class that
nothing instantiates, subclasses, imports or configures never runs, even when the pipeline
imports a module-level function of the same name. A class the pipeline builds keeps its
credit."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "hyperparameter-search"
EXPERIMENT = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import RandomizedSearchCV


class ModelTrainer:
    def train_models(self, X, y):
        search = RandomizedSearchCV(RandomForestClassifier(), {"max_depth": [3, 5]}, n_iter=2)
        search.fit(X, y)
        return search.best_estimator_


def train_models(X, y):
    model = RandomForestClassifier(n_estimators=100, max_depth=10)
    model.fit(X, y)
    return model
"""
DAG = """
from airflow import DAG
from airflow.operators.python import PythonOperator
from experimentation import train_models

with DAG("churn", schedule_interval="@weekly", start_date=None) as dag:
    PythonOperator(task_id="train", python_callable=train_models)
"""
DAG_WITH_CLASS = """
from airflow import DAG
from airflow.operators.python import PythonOperator
from experimentation import ModelTrainer


def tune(**context):
    return ModelTrainer().train_models(None, None)


with DAG("churn", schedule_interval="@weekly", start_date=None) as dag:
    PythonOperator(task_id="tune", python_callable=tune)
"""


def test_search_in_method_of_unused_class_is_not_credited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"dags/experimentation.py": EXPERIMENT, "dags/dag.py": DAG})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints[0] == (
        "scikit-learn randomized search `RandomizedSearchCV` run with `.fit` "
        "(dags/experimentation.py:7), but class `ModelTrainer` is never instantiated, "
        "subclassed or imported, so `ModelTrainer.train_models` never runs; not credited"
    )
    result = audit(root)
    assert levels(result)["model-3"] == "none"


def test_search_in_method_of_class_the_dag_builds_is_credited(tmp_path: Path) -> None:
    files = {"dags/experimentation.py": EXPERIMENT, "dags/dag.py": DAG_WITH_CLASS}
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("dags/experimentation.py", 7, "code", "automated", "ModelTrainer.train_models")
    ]
    assert levels(audit(root))["model-3"] == "automated"


def test_class_named_only_in_a_config_counts_as_used(tmp_path: Path) -> None:
    files = {
        "src/experimentation.py": EXPERIMENT,
        "conf/trainer.yaml": "_target_: src.experimentation.ModelTrainer\n",
    }
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert [(e.path, e.line) for e in evidence] == [("src/experimentation.py", 7)]
