"""monitor-4 (REVIEW-G D2c): a scheduled DAG is credited by the training code it reaches, not by a
"train"/"fit" word in its task names; the word is only a fallback when nothing resolves."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "retraining-and-model-age"
KEDRO = {
    "src/proj/pipeline_registry.py": """\
from kedro.framework.project import find_pipelines


def register_pipelines():
    pipelines = find_pipelines()
    pipelines["__default__"] = sum(pipelines.values())
    return pipelines
""",
    "src/proj/pipelines/train/nodes.py": """\
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV


def entrenar(X, y, grid):
    search = GridSearchCV(RandomForestClassifier(), param_grid=grid, cv=3)
    search.fit(X, y)
    return search.best_estimator_
""",
    "src/proj/pipelines/train/pipeline.py": """\
from kedro.pipeline import Pipeline, node

from .nodes import entrenar


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([node(entrenar, ["X", "y", "params:grid"], "model", name="tune")])
""",
}
DAG = """\
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


def _evidence(produced: list) -> list[tuple[str, str]]:
    return [(e.location(), e.detail) for e in produced if isinstance(e, Evidence)]


def test_scheduled_kedro_dag_without_training_words_is_retraining(tmp_path: Path) -> None:
    files = {**KEDRO, "dags/ml_dag.py": DAG.replace("SCHEDULE", '"@daily"')}
    root = make_repo(tmp_path, files)
    assert _evidence(run_check(root, CHECK)) == [
        (
            "src/proj/pipelines/train/pipeline.py:6",
            "scheduled job src/proj/pipelines/train/pipeline.py#create_pipeline retrains the "
            "model: it reaches src/proj/pipelines/train/nodes.py:entrenar, which fits it (run by "
            "the scheduled Airflow DAG dags/ml_dag.py#ml_pipeline)",
        )
    ]
    assert levels(audit(root))["monitor-4"] == "automated"


def test_trap_unscheduled_kedro_dag_is_not_retraining(tmp_path: Path) -> None:
    files = {**KEDRO, "dags/ml_dag.py": DAG.replace("SCHEDULE", "None")}
    root = make_repo(tmp_path, files)
    assert _evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["monitor-4"] == "none"


REPORT_DAG = """\
from datetime import datetime

import pandas as pd
from airflow import DAG
from airflow.operators.python import PythonOperator


def make_report():
    pd.DataFrame({"a": [1]}).to_csv("report.csv")


with DAG("reports", schedule="@daily", start_date=datetime(2025, 1, 1)) as dag:
    PythonOperator(task_id="fit_scaler_report", python_callable=make_report)
"""


def test_trap_scheduled_dag_with_fit_word_that_trains_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"dags/report.py": REPORT_DAG})
    produced = run_check(root, CHECK)
    assert _evidence(produced) == []
    assert [h.detail for h in produced if isinstance(h, Hint)][0] == (
        "Airflow DAG dags/report.py#reports is scheduled `@daily` but the code it runs reaches "
        "no training entry point: not retraining"
    )
    assert levels(audit(root))["monitor-4"] == "none"


def test_unresolved_dag_falls_back_to_the_task_word(tmp_path: Path) -> None:
    dag = REPORT_DAG.replace("fit_scaler_report", "retrain").replace(
        "python_callable=make_report", "python_callable=external.retrain"
    )
    dag = dag.replace("import pandas as pd\n", "import external\nimport pandas as pd\n")
    root = make_repo(tmp_path, {"dags/report.py": dag})
    assert _evidence(run_check(root, CHECK)) == [
        (
            "dags/report.py:13",
            "Airflow DAG scheduled `@daily` runs a training task (`retrain`; keyword fallback: "
            "the task's code could not be resolved)",
        )
    ]
    assert levels(audit(root))["monitor-4"] == "automated"


def test_trap_scheduled_scaler_fit_is_not_a_model_fit(tmp_path: Path) -> None:
    dag = REPORT_DAG.replace(
        'pd.DataFrame({"a": [1]}).to_csv("report.csv")',
        'StandardScaler().fit(pd.read_csv("x.csv"))',
    ).replace(
        "import pandas as pd\n",
        "import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\n",
    )
    root = make_repo(tmp_path, {"dags/report.py": dag})
    assert _evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["monitor-4"] == "none"


HANDOFF_DAG = """\
import subprocess
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import BranchPythonOperator, PythonOperator


def monitor_drift():
    out = subprocess.run(["python", "/home/me/app/monitor_drift.py"], capture_output=True)
    return "trigger_retrain" if b"drift" in out.stdout else "no_retrain"


def retrain_model():
    subprocess.run(["/opt/conda/bin/python", "/home/me/app/train_model.py"])


with DAG("check_drift_and_retrain", schedule_interval=timedelta(minutes=5),
         start_date=datetime(2025, 1, 1)) as dag:
    check = BranchPythonOperator(task_id="check_data_drift", python_callable=monitor_drift)
    retrain = PythonOperator(task_id="trigger_retrain", python_callable=retrain_model)
"""


def test_training_task_handing_off_to_an_unresolved_script(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"airflow/dags/monitor_drift_dag.py": HANDOFF_DAG})
    assert _evidence(run_check(root, CHECK)) == [
        (
            "airflow/dags/monitor_drift_dag.py:17",
            "Airflow DAG scheduled `<expr>` runs a training task (`trigger_retrain` hands off "
            "to `subprocess.run`; keyword fallback: the task's code could not be resolved)",
        )
    ]
    assert levels(audit(root))["monitor-4"] == "automated"


DRIFT_JOB = """\
from sklearn.ensemble import RandomForestClassifier


def detect_drift(reference, current):
    X = list(reference) + list(current)
    y = [0] * len(reference) + [1] * len(current)
    return RandomForestClassifier().fit(X, y).score(X, y)
"""
RUNNER = """from jobs.domain import detect_drift

if __name__ == "__main__":
    print(detect_drift([[0.0]], [[1.0]]))
"""
WEEKLY = """\
name: weekly
on:
  schedule: [{cron: "0 3 * * 1"}]
jobs:
  drift:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python jobs/run.py
"""


def test_trap_scheduled_domain_classifier_for_drift_is_not_retraining(tmp_path: Path) -> None:
    files = {
        "jobs/__init__.py": "",
        "jobs/domain.py": DRIFT_JOB,
        "jobs/run.py": RUNNER,
        ".github/workflows/weekly.yml": WEEKLY,
    }
    root = make_repo(tmp_path, files)
    assert _evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["monitor-4"] == "none"
    # the same job fitting the model in a function named for training is retraining
    (root / "jobs/domain.py").write_text(DRIFT_JOB.replace("detect_drift", "refit_classifier"))
    (root / "jobs/run.py").write_text(RUNNER.replace("detect_drift", "refit_classifier"))
    assert [loc for loc, _ in _evidence(run_check(root, CHECK))] == [
        ".github/workflows/weekly.yml:5"
    ]
