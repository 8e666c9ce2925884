"""monitor-4: staleness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ml_readiness.automation import AutomationMap, Root
from ml_readiness.config import Config
from tests.checks.monitor._util import automation, evidence, findings, hints, level, run

CHECK = "retraining-and-model-age"
TRAIN = "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n"


def test_training_on_a_schedule_is_automated(tmp_path: Path) -> None:
    amap = automation(("train.py", "<main>", "schedule"))
    produced = run(tmp_path, {"train.py": TRAIN}, CHECK, amap)
    assert evidence(produced) == [
        (
            ".github/workflows/schedule.yml:1",
            "config",
            "automated",
            "scheduled job .github/workflows/schedule.yml#job retrains the model: it runs "
            "train.py:<main>",
        )
    ]
    assert produced[0].symbol == ".github/workflows/schedule.yml#job"
    assert level(produced, amap) == "automated"


def test_trap_evaluation_script_in_scheduled_job_is_not_named_as_training(
    tmp_path: Path,
) -> None:
    files = {
        "train.py": TRAIN,
        "evaluate.py": """
            from sklearn.dummy import DummyClassifier

            if __name__ == "__main__":
                DummyClassifier().fit([[0]], [0])
        """,
    }
    amap = automation(
        ("train.py", "<main>", "schedule"),
        ("evaluate.py", "<main>", "schedule"),
        ("evaluate.py", "<main>", "change"),
    )
    produced = run(tmp_path, files, CHECK, amap)
    assert [e[3] for e in evidence(produced)] == [
        "scheduled job .github/workflows/schedule.yml#job retrains the model: it runs "
        "train.py:<main>"
    ]
    assert hints(produced) == []


def test_trap_training_run_on_push_is_not_retraining(tmp_path: Path) -> None:
    amap = automation(("train.py", "<main>", "change"))
    produced = run(tmp_path, {"train.py": TRAIN}, CHECK, amap)
    assert evidence(produced) == []
    assert hints(produced) == [
        "train.py:<main> runs via .github/workflows/change.yml#job on change, not on a "
        "schedule: a CI training run is not retraining",
        "no scheduled retraining (a schedule-triggered job running a training entry point, an "
        "Airflow DAG or CronJob that trains) and no model-age alert found",
    ]
    assert level(produced, amap) == "none"


MLFLOW_META = """
    creation_timestamp: 1790000000000
    last_updated_timestamp: 1791000000000
    name: churn
    version: 3
"""  # last_updated 2026-10-03


def test_model_metadata_within_max_age_is_manual(tmp_path: Path) -> None:
    files = {"mlruns/models/churn/version-3/meta.yaml": MLFLOW_META}
    produced = run(tmp_path, files, CHECK, config=Config(max_model_age_days=60))
    assert evidence(produced) == [
        (
            "mlruns/models/churn/version-3/meta.yaml:2",
            "result",
            "manual",
            "model metadata says trained 2026-10-03, 29 days before 2026-11-01, within "
            "max_model_age_days=60",
        )
    ]
    assert level(produced) == "manual"


def test_stale_model_metadata_caps_at_manual(tmp_path: Path) -> None:
    files = {
        "models/model_metadata.json": '{\n  "name": "m",\n  "trained_at": "2026-01-15T10:00"\n}\n',
        "train.py": TRAIN,
    }
    amap = automation(("train.py", "<main>", "schedule"))
    produced = run(
        tmp_path,
        files,
        CHECK,
        amap,
        config=Config(max_model_age_days=90),
        as_of=dt.date(2026, 11, 1),
    )
    assert findings(produced) == [
        (
            "models/model_metadata.json:3",
            "manual",
            "model metadata says trained 2026-01-15, 290 days before 2026-11-01, over "
            "max_model_age_days=90: the model is stale",
        )
    ]
    assert level(produced, amap) == "manual"


def test_metadata_without_configured_limit_only_reports_age(tmp_path: Path) -> None:
    files = {"mlruns/models/churn/version-3/meta.yaml": MLFLOW_META}
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "mlruns/models/churn/version-3/meta.yaml: model metadata says trained 2026-10-03, 29 "
        "days before 2026-11-01; set max_model_age_days in mlready.yaml to check it against a "
        "limit",
        "no scheduled retraining (a schedule-triggered job running a training entry point, an "
        "Airflow DAG or CronJob that trains) and no model-age alert found",
    ]


def test_airflow_dag_with_schedule_and_training_task(tmp_path: Path) -> None:
    dag = """
        from airflow import DAG
        from airflow.operators.python import PythonOperator
        from pipeline.train import train_model

        with DAG("retrain", schedule="@weekly") as dag:
            PythonOperator(task_id="train", python_callable=train_model)
    """
    root = Root("dags/retrain.py#retrain", "airflow", "schedule", "dags/retrain.py", 5)
    amap = AutomationMap(roots=[root])
    produced = run(tmp_path, {"dags/retrain.py": dag}, CHECK, amap)
    assert evidence(produced) == [
        (
            "dags/retrain.py:5",
            "config",
            "automated",
            "Airflow DAG scheduled `@weekly` runs a training task (`train`; keyword fallback: "
            "the task's code could not be resolved)",
        )
    ]
    assert produced[0].symbol == "dags/retrain.py#retrain"
    assert level(produced, amap) == "automated"
    # without the scheduled root (the map did not read the schedule) it is manual only
    assert level(run(tmp_path / "other", {"dags/retrain.py": dag}, CHECK)) == "manual"


def test_model_age_alert_rule_loaded_by_prometheus(tmp_path: Path) -> None:
    files = {
        "monitoring/prometheus.yml": "rule_files:\n  - rules/*.yml\n",
        "monitoring/rules/model.yml": """
            groups:
              - name: model
                rules:
                  - alert: ModelTooOld
                    expr: time() - model_trained_at_seconds > 86400 * 30
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "monitoring/rules/model.yml:4",
            "config",
            "automated",
            "alert rule ModelTooOld on model age (`time() - model_trained_at_seconds > 86400 * "
            "30`), loaded by rule_files in monitoring/prometheus.yml",
        )
    ]
    assert level(produced) == "automated"


def test_trap_unscheduled_pipeline_step_is_not_retraining(tmp_path: Path) -> None:
    step = """
        from kfp import dsl

        @dsl.component
        def train_xgb(x: int) -> int:
            return x
    """
    amap = automation(("pipelines/train_op.py", "train_xgb", "pipeline"))
    produced = run(tmp_path, {"pipelines/train_op.py": step}, CHECK, amap)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "pipelines/train_op.py:train_xgb runs via .github/workflows/pipeline.yml#job on "
        "pipeline, not on a schedule: a pipeline that nothing schedules is not retraining on time"
    )


# Round 3 (REVIEW-F, ldele/mlflow-drift-loop): library-style `train()` reached by a weekly job.
LIB_TRAIN = {
    "pkg/__init__.py": "",
    "pkg/model.py": """
        from sklearn.linear_model import Ridge


        def build():
            return Ridge()


        def train(df):
            return build().fit(df[["x"]], df["y"])
    """,
}


def test_scheduled_job_reaching_a_library_train_function(tmp_path: Path) -> None:
    amap = automation(("pkg/model.py", "train", "schedule"))
    produced = run(tmp_path, LIB_TRAIN, CHECK, amap)
    assert evidence(produced) == [
        (
            ".github/workflows/schedule.yml:1",
            "config",
            "automated",
            # the package's train() is itself a training entry point (run by the schedule)
            "scheduled job .github/workflows/schedule.yml#job retrains the model: it runs "
            "pkg/model.py:train",
        )
    ]
    assert level(produced, amap) == "automated"


def test_trap_library_train_on_push_or_scheduled_reference_fit(tmp_path: Path) -> None:
    files = {
        **LIB_TRAIN,
        "pkg/drift.py": """
            from sklearn.preprocessing import StandardScaler


            def fit_reference(df):
                return StandardScaler().fit(df)
        """,
    }
    amap = automation(
        ("pkg/model.py", "train", "change"), ("pkg/drift.py", "fit_reference", "schedule")
    )
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == []
    assert level(produced, amap) == "none"


RUN_TRAINING = {
    "src/models/bpr.py": """
        class BPRModel:
            def fit(self, df):
                return self
    """,
    "src/models/train_bpr.py": """
        from src.models.bpr import BPRModel


        def _fit(df):
            return BPRModel().fit(df)


        def run_training(df):
            model = _fit(df)
            return model


        def run_report(df):
            return len(df)
    """,
}


def test_scheduled_job_reaching_an_imported_run_training(tmp_path: Path) -> None:
    # REVIEW-E monitor-4: a weekly retrain pipeline imports run_training, which fits the model
    # through one helper of its file
    amap = automation(("src/models/train_bpr.py", "run_training", "schedule"))
    produced = run(tmp_path, RUN_TRAINING, CHECK, amap)
    assert evidence(produced) == [
        (
            ".github/workflows/schedule.yml:1",
            "config",
            "automated",
            "scheduled job .github/workflows/schedule.yml#job retrains the model: it reaches "
            "src/models/train_bpr.py:run_training, which fits it",
        )
    ]
    assert level(produced, amap) == "automated"


def test_trap_scheduled_run_function_that_does_not_train(tmp_path: Path) -> None:
    amap = automation(("src/models/train_bpr.py", "run_report", "schedule"))
    produced = run(tmp_path, RUN_TRAINING, CHECK, amap)
    assert evidence(produced) == []
    assert level(produced, amap) == "none"
