"""monitor-7: production prediction quality."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run
from tests.helpers import notebook

CHECK = "production-quality-monitoring"
DRIFT_JOB = """
    import pandas as pd
    from evidently.report import Report
    from evidently.metric_preset import DataDriftPreset

    def main():
        reference = pd.read_parquet("data/reference.parquet")
        production = pd.read_parquet("logs/predictions_latest.parquet")
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference, current_data=production)

    if __name__ == "__main__":
        main()
"""


def test_scheduled_evidently_drift_job_is_automated(tmp_path: Path) -> None:
    amap = automation(("monitoring/drift.py", "main", "schedule"))
    produced = run(tmp_path, {"monitoring/drift.py": DRIFT_JOB}, CHECK, amap)
    assert evidence(produced) == [
        (
            "monitoring/drift.py:9",
            "code",
            "automated",
            "Evidently DataDriftPreset on production data (`report.run`)",
        )
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


def test_trap_evidently_train_vs_test_in_notebook(tmp_path: Path) -> None:
    nb = notebook(
        """
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset
        r = Report(metrics=[DataDriftPreset()])
        r.run(reference_data=train_df, current_data=test_df)
        """
    )
    produced = run(tmp_path, {"notebooks/eda.ipynb": nb}, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "notebooks/eda.ipynb:12 runs Evidently on test_df that is not production data (an "
        "offline comparison); not credited"
    )
    assert level(produced) == "none"


def test_scheduled_evaluation_and_quality_alert(tmp_path: Path) -> None:
    files = {
        "jobs/evaluate_production.py": "def main():\n    pass\n\n"
        "if __name__ == '__main__':\n    main()\n",
        "k8s/rules.yaml": """
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            spec:
              groups:
                - name: quality
                  rules:
                    - alert: AccuracyDrop
                      expr: model_accuracy_7d < 0.85
        """,
    }
    amap = automation(("jobs/evaluate_production.py", "<main>", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "jobs/evaluate_production.py:5",
            "code",
            "automated",
            "evaluation jobs/evaluate_production.py runs on a schedule via "
            ".github/workflows/schedule.yml#job and scores production (the script is named "
            "`evaluate_production`)",
        ),
        (
            "k8s/rules.yaml:7",
            "config",
            "automated",
            "alert rule AccuracyDrop on model quality (`model_accuracy_7d < 0.85`), loaded by "
            "PrometheusRule manifest",
        ),
    ]


def test_trap_evaluation_on_push_only(tmp_path: Path) -> None:
    files = {"evaluate.py": "if __name__ == '__main__':\n    print(1)\n"}
    amap = automation(("evaluate.py", "<main>", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == []
    assert hints(produced)[0] == "evaluate.py runs on change, not on a schedule over fresh labels"


def test_alibi_detect_detector(tmp_path: Path) -> None:
    files = {
        "monitor.py": """
            from alibi_detect.cd import KSDrift

            def build(ref):
                return KSDrift(ref, p_val=0.05)
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        ("monitor.py:4", "code", "automated", "alibi-detect drift detector `KSDrift`")
    ]


DRIFT_BY_PARAMETER = '''
    """Surveillance du modèle en production: drift of the data that arrives in production."""
    import pandas as pd
    from evidently.report import Report
    from evidently.metric_preset import DataDriftPreset


    def detect_data_drift(reference_df, current_df):
        """Compare the production features with the reference."""
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference_df, current_data=current_df)
        return report.as_dict()


    if __name__ == "__main__":
        train = pd.read_parquet("data/processed/churn_train.parquet")
        {name} = pd.read_parquet("{current_path}")
        detect_data_drift(train, {name})
'''


def test_trap_docstring_says_production_but_caller_passes_test_split(tmp_path: Path) -> None:
    job = DRIFT_BY_PARAMETER.format(name="test", current_path="data/processed/churn_test.parquet")
    produced = run(tmp_path, {"src/monitoring/drift_detection.py": job}, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "src/monitoring/drift_detection.py:10 runs Evidently on current_df that is not "
        "production data (an offline comparison: `current_df`, passed `test`); not credited"
    )
    assert level(produced) == "none"


def test_current_data_parameter_resolved_to_production_logs(tmp_path: Path) -> None:
    job = DRIFT_BY_PARAMETER.format(name="recent", current_path="s3://bucket/serving-logs/day")
    produced = run(tmp_path, {"src/monitoring/drift_detection.py": job}, CHECK)
    assert evidence(produced) == [
        (
            "src/monitoring/drift_detection.py:10",
            "code",
            "automated",
            "Evidently DataDriftPreset on production data (`report.run`)",
        )
    ]
    assert level(produced) == "manual"


def test_trap_unknown_current_data_is_not_credited(tmp_path: Path) -> None:
    job = DRIFT_BY_PARAMETER.format(name="other", current_path="data/customers.parquet")
    produced = run(tmp_path, {"src/monitoring/drift_detection.py": job}, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "src/monitoring/drift_detection.py:10 runs Evidently, but nothing in the code shows that "
        "its current data (`current_df`, a parameter of detect_data_drift()) is production "
        "data (serving logs, requests, a recent window); not credited"
    )


CDK_STACK = """
    import aws_cdk as cdk
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_sagemaker as sagemaker


    class MonitorStack(cdk.Stack):
        def __init__(self, scope, construct_id, cfg, **kwargs):
            super().__init__(scope, construct_id, **kwargs)
            schedule = sagemaker.CfnMonitoringSchedule(
                self,
                "MonitoringSchedule",
                endpoint_name=cfg.endpoint_name,
                monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                    monitoring_job_definition=sagemaker.CfnMonitoringSchedule.MonitoringJobDefinitionProperty(
                        baseline_config=sagemaker.CfnMonitoringSchedule.BaselineConfigProperty(
                            constraints_resource=sagemaker.CfnMonitoringSchedule.ConstraintsResourceProperty(
                                s3_uri=f"{cfg.baseline_uri}/constraints.json",
                            ),
                        ),
                        monitoring_inputs=[
                            sagemaker.CfnMonitoringSchedule.MonitoringInputProperty(
                                endpoint_input=sagemaker.CfnMonitoringSchedule.EndpointInputProperty(
                                    endpoint_name=cfg.endpoint_name, local_path="/opt/ml/in"
                                )
                            )
                        ],
                    ),
                    schedule_config=sagemaker.CfnMonitoringSchedule.ScheduleConfigProperty(
                        schedule_expression=cfg.schedule_expression,
                    ),
                ),
            )
            cloudwatch.CfnAlarm(
                self,
                "DriftAlarm",
                metric_name="feature_baseline_drift_fare_amount",
                threshold=0.4,
                namespace="aws/sagemaker/Endpoints/data-metrics",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
            )
"""


def test_model_monitor_and_drift_alarm_declared_in_cdk(tmp_path: Path) -> None:
    files = {
        "deploy/infra/stack.py": CDK_STACK,
        "deploy/prod-config.json": '{"schedule_expression": "cron(0 * ? * * *)"}',
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "deploy/infra/stack.py:9",
            "config",
            "automated",
            "SageMaker Model Monitor data quality schedule declared in CDK "
            "(`sagemaker.CfnMonitoringSchedule`, schedule cron(0 * ? * * *))",
        ),
        (
            "deploy/infra/stack.py:33",
            "config",
            "automated",
            "alert rule DriftAlarm on model quality (`feature_baseline_drift_fare_amount "
            "GreaterThanThreshold 0.4 (aws/sagemaker/Endpo`), loaded by CDK stack",
        ),
    ]
    assert level(produced) == "automated"


def test_trap_cdk_job_definition_without_schedule(tmp_path: Path) -> None:
    files = {
        "infra/stack.py": """
            from aws_cdk import aws_sagemaker as sagemaker

            def build(stack, cfg):
                sagemaker.CfnDataQualityJobDefinition(stack, "DataQuality", job_resources=cfg)
        """,
        # the same construct in a test file is not the project's infrastructure
        "tests/test_stack.py": CDK_STACK,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "infra/stack.py:4 declares a SageMaker data quality job definition "
        "(`sagemaker.CfnDataQualityJobDefinition`), but no monitoring schedule runs it; "
        "not credited",
        "no production drift/quality monitor, scheduled evaluation or quality alert rule",
    ]
    assert level(produced) == "none"


def test_model_quality_schedule_in_cloudformation(tmp_path: Path) -> None:
    files = {
        "cfn/monitor.yaml": """
            Resources:
              QualitySchedule:
                Type: AWS::SageMaker::MonitoringSchedule
                Properties:
                  MonitoringScheduleConfig:
                    MonitoringType: ModelQuality
                    MonitoringJobDefinitionName: quality-job
                    ScheduleConfig:
                      ScheduleExpression: cron(0 * ? * * *)
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "cfn/monitor.yaml:3",
            "config",
            "automated",
            "SageMaker Model Monitor model quality schedule declared in CloudFormation "
            "(`AWS::SageMaker::MonitoringSchedule`, schedule cron(0 * ? * * *))",
        )
    ]


def test_current_data_expression_is_read_through_its_name(tmp_path: Path) -> None:
    job = """
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset

        def drift(reference, production, features):
            report = Report(metrics=[DataDriftPreset()])
            report.run(reference_data=reference[features], current_data=production[features])
    """
    produced = run(tmp_path, {"monitoring/drift.py": job}, CHECK)
    assert evidence(produced) == [
        (
            "monitoring/drift.py:6",
            "code",
            "automated",
            "Evidently DataDriftPreset on production data (`report.run`)",
        )
    ]


def test_current_data_followed_to_a_caller_in_another_module(tmp_path: Path) -> None:
    files = {
        "monitoring/drift.py": """
            from evidently.report import Report
            from evidently.metric_preset import DataDriftPreset

            def compare(reference, current):
                Report(metrics=[DataDriftPreset()]).run(
                    reference_data=reference, current_data=current
                )
        """,
        "jobs/daily.py": """
            import pandas as pd
            from monitoring.drift import compare

            def main():
                ref = pd.read_parquet("data/reference.parquet")
                compare(ref, pd.read_parquet("s3://bucket/inference-logs/today.parquet"))
                todays = pd.read_parquet("s3://bucket/inference-logs/today.parquet")
                compare(ref, todays)
        """,
        # trap: an unrelated `compare` that does not import monitoring.drift
        "other/tools.py": """
            def compare(a, b):
                return a == b

            def run():
                compare(1, "live")
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "monitoring/drift.py:5",
            "code",
            "automated",
            "Evidently DataDriftPreset on production data (`run`)",
        )
    ]
    only_unrelated = {k: v for k, v in files.items() if k != "jobs/daily.py"}
    produced = run(tmp_path / "b", only_unrelated, CHECK)
    assert evidence(produced) == []


# Round 3 (REVIEW-F, ldele/mlflow-drift-loop): a weekly job loads the registered champion
# and scores it on the latest window -- the served model evaluated on fresh labels.
CHAMPION_FILES = {
    "pkg/__init__.py": "",
    "pkg/registry.py": """
        import mlflow


        def load_champion(name):
            return mlflow.sklearn.load_model(f"models:/{name}@champion")
    """,
    "pkg/metrics.py": """
        from sklearn.metrics import mean_absolute_error


        def error_metrics(model, df):
            return {"mae": mean_absolute_error(df["y"], model.predict(df[["x"]]))}
    """,
    "pkg/loop.py": """
        from pkg.metrics import error_metrics
        from pkg.registry import load_champion


        def run_cycle(window):
            champion = load_champion("m")
            return error_metrics(champion, window)
    """,
}


def test_scheduled_evaluation_of_the_registered_champion(tmp_path: Path) -> None:
    amap = automation(("pkg/loop.py", "run_cycle", "schedule"))
    produced = run(tmp_path, CHAMPION_FILES, CHECK, amap)
    assert evidence(produced) == [
        (
            "pkg/loop.py:5",
            "code",
            "automated",
            "pkg/loop.py:run_cycle loads the registered model (`load_champion`) and scores it "
            "(`error_metrics`) on a schedule via .github/workflows/schedule.yml#job",
        )
    ]
    assert level(produced, amap) == "automated"


def test_trap_champion_evaluation_on_push_only(tmp_path: Path) -> None:
    amap = automation(("pkg/loop.py", "run_cycle", "change"))
    produced = run(tmp_path, CHAMPION_FILES, CHECK, amap)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "pkg/loop.py:run_cycle loads the registered model (`load_champion`) and scores it, but "
        "it runs via .github/workflows/change.yml#job on change, not on a schedule over fresh "
        "production data; not credited"
    )
    assert level(produced, amap) == "none"


def test_trap_scheduled_retrain_scoring_a_fresh_model_on_a_split(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/retrain.py": """
            from sklearn.linear_model import Ridge
            from sklearn.metrics import mean_absolute_error


            def retrain(train, test):
                model = Ridge().fit(train[["x"]], train["y"])
                return mean_absolute_error(test["y"], model.predict(test[["x"]]))
        """,
    }
    amap = automation(("pkg/retrain.py", "retrain", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == []
    assert level(produced, amap) == "none"


def test_string_split_in_a_loader_does_not_make_current_data_offline(tmp_path: Path) -> None:
    files = {
        "monitoring/drift.py": """
            import boto3
            import pandas as pd
            from evidently.report import Report
            from evidently.metric_preset import DataDriftPreset


            def load_data(path):
                bucket, key = path.replace("s3://", "").split("/", 1)
                boto3.client("s3").download_file(bucket, key, "/tmp/data.parquet")
                return pd.read_parquet("/tmp/data.parquet")


            def check(reference, current):
                report = Report(metrics=[DataDriftPreset()])
                report.run(reference_data=reference, current_data=current)


            def main():
                check(load_data("s3://bucket/ref.parquet"), load_data("s3://bucket/cur.parquet"))
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0].startswith(
        "monitoring/drift.py:15 runs Evidently, but nothing in the code shows that its current "
        "data ("
    )


def test_trap_model_version_drift_alert_is_not_model_quality(tmp_path: Path) -> None:
    rules = """
        groups:
          - name: mlops
            rules:
              - alert: DataDriftDetected
                expr: evidently_data_drift_score > 0.3
              - alert: ModelVersionDrift
                expr: count(mlflow_registered_model_version) by (model_name) > 10
    """
    produced = run(tmp_path, {"monitoring/alerts/rules.yml": rules}, CHECK)
    assert [e[0] for e in evidence(produced)] == ["monitoring/alerts/rules.yml:4"]
    assert evidence(produced)[0][3].startswith("alert rule DataDriftDetected on model quality")


DRIFT_REPORT = """
    import numpy as np


    def _js_divergence(p, q):
        m = 0.5 * (p + q)
        return float(0.5 * (np.sum(p * np.log(p / m)) + np.sum(q * np.log(q / m))))


    def load_production_distribution(log_df):
        return log_df["item"].value_counts(normalize=True)


    def compute_drift_score(train_dist, prod_dist):
        return _js_divergence(train_dist, prod_dist)


    def evaluate_drift_warnings(drift_score, thresholds):
        warnings = []
        if drift_score > float(thresholds.get("drift_score_warn", 0.20)):
            warnings.append("drift")
        return warnings
"""


def test_drift_report_with_threshold_run_by_hand_is_manual(tmp_path: Path) -> None:
    # REVIEW-E monitor-7: JS divergence between training and production distributions,
    # thresholds from config, run by `make monitoring-report`
    produced = run(tmp_path, {"src/monitoring/drift.py": DRIFT_REPORT}, CHECK)
    assert evidence(produced) == [
        (
            "src/monitoring/drift.py:19",
            "code",
            "manual",
            "drift report compares the training distribution with production data "
            "(`load_production_distribution`) and applies a threshold "
            '(`if drift_score > float(thresholds.get("drift_score_warn", 0.20)):`), run by hand',
        )
    ]
    assert level(produced) == "manual"


def test_trap_drift_between_train_and_test_split(tmp_path: Path) -> None:
    offline = DRIFT_REPORT.replace("load_production_distribution", "load_test_distribution")
    produced = run(tmp_path, {"src/monitoring/drift.py": offline}, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"
