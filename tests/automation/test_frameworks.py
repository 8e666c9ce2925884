"""Pipeline-framework definitions run only when the repository shows what starts them."""

from __future__ import annotations

import pytest

from tests.automation.util import amap_of, roots, runs

NODES = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV


def tune(X, y, grid):
    search = GridSearchCV(RandomForestClassifier(), param_grid=grid, cv=3)
    search.fit(X, y)
    return search.best_estimator_
"""
PIPELINE = """
from kedro.pipeline import Pipeline, node

from .nodes import tune


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([node(tune, ["X", "y", "params:grid"], "model", name="tune")])
"""
REGISTRY = """
from kedro.framework.project import find_pipelines


def register_pipelines():
    pipelines = find_pipelines()
    pipelines["__default__"] = sum(pipelines.values())
    return pipelines
"""
KEDRO = {
    "src/proj/__init__.py": "",
    "src/proj/pipelines/__init__.py": "",
    "src/proj/pipelines/train/__init__.py": "",
    "src/proj/pipelines/train/nodes.py": NODES,
    "src/proj/pipelines/train/pipeline.py": PIPELINE,
    "src/proj/pipeline_registry.py": REGISTRY,
}
ROOT = "src/proj/pipelines/train/pipeline.py#create_pipeline"
OPERATOR_DAG = """
from datetime import datetime

from airflow import DAG
from airflow.models import BaseOperator
from kedro.framework.session import KedroSession


class KedroOperator(BaseOperator):
    def __init__(self, pipeline_name, **kwargs):
        super().__init__(**kwargs)
        self.pipeline_name = pipeline_name

    def execute(self, context):
        with KedroSession.create(project_path="/app") as session:
            session.run(pipeline_name=self.pipeline_name)


with DAG("ml_pipeline", schedule_interval=SCHEDULE, start_date=datetime(2025, 1, 1)) as dag:
    KedroOperator(task_id="start", pipeline_name="__default__")
"""


def test_trap_a_kedro_pipeline_nothing_runs_is_manual(tmp_path):
    amap = amap_of(tmp_path, KEDRO)
    assert roots(amap) == {ROOT: "manual"}
    assert runs(amap, "src/proj/pipelines/train/nodes.py", "tune") == {f"{ROOT} (manual)"}
    assert (
        "src/proj/pipelines/train/pipeline.py",
        "Kedro pipeline `create_pipeline`: nothing in the repository runs `kedro run` or "
        "schedules it",
    ) in amap.unresolved


def test_kedro_run_by_a_scheduled_airflow_bash_task_is_scheduled(tmp_path):
    dag = (
        "from airflow import DAG\nfrom airflow.operators.bash import BashOperator\n\n"
        'with DAG("train", schedule="0 3 * * *") as dag:\n'
        '    BashOperator(task_id="train", bash_command="kedro run --pipeline __default__")\n'
    )
    amap = amap_of(tmp_path, {**KEDRO, "dags/train_dag.py": dag})
    assert roots(amap)[ROOT] == "schedule"
    assert runs(amap, "src/proj/pipelines/train/nodes.py", "tune") == {f"{ROOT} (schedule)"}


def test_kedro_run_in_ci_makes_the_pipeline_automated(tmp_path):
    ci = (
        "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: kedro run --pipeline __default__\n"
    )
    amap = amap_of(tmp_path, {**KEDRO, ".github/workflows/train.yml": ci})
    assert roots(amap)[ROOT] == "pipeline"
    (root,) = [r for r in amap.roots if r.id == ROOT]
    assert root.events == ("run by `kedro run` in .github/workflows/train.yml",)


@pytest.mark.parametrize(("schedule", "trigger"), [('"@daily"', "schedule"), ("None", "manual")])
def test_a_custom_kedro_operator_in_a_dag_runs_kedro_with_the_dags_trigger(
    tmp_path, schedule, trigger
):
    dag = OPERATOR_DAG.replace("SCHEDULE", schedule)
    amap = amap_of(tmp_path, {**KEDRO, "dags/ml_dag.py": dag})
    assert roots(amap)["dags/ml_dag.py#ml_pipeline"] == trigger
    assert roots(amap)[ROOT] == trigger
    # Airflow runs the operator's execute() when the task runs
    assert runs(amap, "dags/ml_dag.py", "KedroOperator.execute") == {
        f"dags/ml_dag.py#ml_pipeline ({trigger})"
    }


def test_trap_an_unregistered_kedro_pipeline_is_not_run_by_kedro_run(tmp_path):
    files = {
        **KEDRO,
        "src/proj/pipeline_registry.py": (
            "from proj.pipelines.train import pipeline as train\n\n"
            "def register_pipelines():\n    return {'__default__': train.create_pipeline()}\n"
        ),
        "src/proj/pipelines/report/__init__.py": "",
        "src/proj/pipelines/report/pipeline.py": PIPELINE.replace(".nodes", ".report_nodes"),
        "src/proj/pipelines/report/report_nodes.py": NODES,
        ".github/workflows/train.yml": (
            "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: kedro run\n"
        ),
    }
    amap = amap_of(tmp_path, files)
    assert roots(amap)[ROOT] == "pipeline"
    assert roots(amap)["src/proj/pipelines/report/pipeline.py#create_pipeline"] == "manual"


PREFECT = """
import os

from prefect import flow
from sklearn.linear_model import LogisticRegression


@flow
def train_flow():
    model = LogisticRegression()
    model.fit([[0], [1]], [0, 1])
    return model


if __name__ == "__main__":
    cron = CRON
    train_flow.serve(name="train", cron=cron)
"""


@pytest.mark.parametrize(
    ("cron", "trigger"),
    [
        ('os.getenv("TRAIN_CRON") or None', "manual"),  # off unless someone sets it
        ('os.environ.get("TRAIN_CRON")', "manual"),
        ('os.getenv("TRAIN_CRON", "0 3 * * *")', "schedule"),  # a literal default
        ('"0 3 * * *"', "schedule"),
    ],
)
def test_a_prefect_schedule_counts_only_when_it_is_set(tmp_path, cron, trigger):
    amap = amap_of(tmp_path, {"flows/train.py": PREFECT.replace("CRON", cron)})
    assert roots(amap) == {"flows/train.py#train_flow": trigger}


@pytest.mark.parametrize(("value", "trigger"), [('"@hourly"', "schedule"), ("None", "manual")])
def test_an_airflow_schedule_from_a_variable_is_read(tmp_path, value, trigger):
    dag = (
        "import os\nfrom airflow import DAG\n\n"
        f'SCHEDULE = os.getenv("DAG_SCHEDULE", {value})\n'
        'with DAG("retrain", schedule=SCHEDULE) as dag:\n    pass\n'
    )
    assert roots(amap_of(tmp_path, {"dags/retrain.py": dag})) == {
        "dags/retrain.py#retrain": trigger
    }


def test_dagster_job_with_a_schedule_definition_is_scheduled(tmp_path):
    jobs = (
        "from dagster import ScheduleDefinition, job, op\n\n"
        "@op\ndef train():\n    return 1\n\n"
        "@job\ndef training():\n    train()\n\n"
        "@job\ndef backfill():\n    train()\n\n"
        'nightly = ScheduleDefinition(job=training, cron_schedule="0 2 * * *")\n'
    )
    assert roots(amap_of(tmp_path, {"repo/jobs.py": jobs})) == {
        "repo/jobs.py#training": "schedule",
        "repo/jobs.py#backfill": "manual",  # trap: no schedule names it
    }


def test_kubeflow_recurring_run_schedules_the_pipeline(tmp_path):
    pipeline = (
        "from kfp import dsl\n\n"
        "@dsl.component\ndef train() -> str:\n    return 'm'\n\n"
        '@dsl.pipeline(name="training")\ndef training():\n    train()\n'
    )
    schedule = (
        "import kfp\nfrom pipeline import training\n\n"
        'kfp.Client().create_recurring_run(experiment_id="e", job_name="nightly",\n'
        '    cron_expression="0 0 3 * * *", pipeline_func=training)\n'
    )
    assert roots(amap_of(tmp_path / "a", {"pipeline.py": pipeline})) == {
        "pipeline.py#training": "manual"
    }
    amap = amap_of(tmp_path / "b", {"pipeline.py": pipeline, "schedule.py": schedule})
    assert roots(amap) == {"pipeline.py#training": "schedule"}
