"""monitor-6: computing performance."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

CHECK = "performance-tracking"
LATENCY_RULES = """
    groups:
      - name: serving
        rules:
          - alert: HighPredictLatency
            expr: histogram_quantile(0.99, rate(predict_latency_seconds_bucket[5m])) > 0.5
"""


def test_pytest_benchmark_run_in_ci(tmp_path: Path) -> None:
    files = {
        "tests/test_speed.py": """
            from model import predict

            def test_predict_speed(benchmark):
                benchmark(predict, [1.0])
        """
    }
    amap = automation(("tests/test_speed.py", "test_predict_speed", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        ("tests/test_speed.py:3", "test", "automated", "pytest-benchmark test test_predict_speed")
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


def test_prometheus_rule_crd_is_enforced(tmp_path: Path) -> None:
    files = {
        "deploy/rules.yaml": """
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            metadata: {name: serving}
            spec:
              groups:
                - name: serving
                  rules:
                    - alert: HighMemory
                      expr: container_memory_working_set_bytes{pod=~"model.*"} > 2e9
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "deploy/rules.yaml:8",
            "config",
            "automated",
            "alert rule HighMemory on serving performance (`container_memory_working_set_bytes"
            '{pod=~"model.*"} > 2e9`), loaded by PrometheusRule manifest',
        )
    ]
    assert level(produced) == "automated"


def test_rule_file_in_helm_chart_is_enforced(tmp_path: Path) -> None:
    files = {
        "charts/model/Chart.yaml": "name: model\n",
        "charts/model/files/alerts.yml": LATENCY_RULES,
    }
    produced = run(tmp_path, files, CHECK)
    assert [(e[0], e[2]) for e in evidence(produced)] == [
        ("charts/model/files/alerts.yml:4", "automated")
    ]


def test_trap_loose_rule_file_nobody_loads_is_manual(tmp_path: Path) -> None:
    produced = run(tmp_path, {"monitoring/alerts.yml": LATENCY_RULES}, CHECK)
    assert evidence(produced) == [
        (
            "monitoring/alerts.yml:4",
            "config",
            "manual",
            "alert rule HighPredictLatency on serving performance (`histogram_quantile(0.99, "
            "rate(predict_latency_seconds_bucket[5m])) > 0.5`)",
        )
    ]
    assert hints(produced) == [
        "alert rule HighPredictLatency (monitoring/alerts.yml:4) is not loaded by any "
        "monitoring config (no `rule_files:` entry, PrometheusRule manifest, Helm chart or "
        "kustomization refers to it), so nothing evaluates it: manual only"
    ]
    assert level(produced) == "manual"


def test_trap_skipped_benchmark_and_example_rules(tmp_path: Path) -> None:
    files = {
        "tests/test_speed.py": """
            import pytest

            @pytest.mark.skip(reason="slow")
            def test_speed(benchmark):
                benchmark(sum, [1])
        """,
        "monitoring/alerts.yml.example": LATENCY_RULES,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"


def test_asv_and_locust_and_cloudwatch(tmp_path: Path) -> None:
    files = {
        "asv.conf.json": "{}",
        "benchmarks/bench_model.py": "def time_predict():\n    pass\n",
        "load/locustfile.py": """
            from locust import HttpUser, task

            class Client(HttpUser):
                @task
                def predict(self):
                    self.client.post("/predict", json={})
        """,
        "infra/alarms.tf": """
            resource "aws_cloudwatch_metric_alarm" "latency" {
              alarm_name  = "model-latency"
              metric_name = "ModelLatency"
              namespace   = "AWS/SageMaker"
            }
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        ("benchmarks/bench_model.py:1", "code", "automated", "asv benchmark time_predict"),
        ("load/locustfile.py:3", "code", "automated", "locust load test Client"),
        (
            "infra/alarms.tf:1",
            "config",
            "automated",
            "alert rule latency on serving performance (`ModelLatency`), loaded by Terraform",
        ),
    ]
    assert level(produced) == "automated"


def test_cdk_cloudwatch_alarm_on_endpoint_latency(tmp_path: Path) -> None:
    stack = """
        from aws_cdk import Stack
        from aws_cdk import aws_cloudwatch as cloudwatch

        class ServingAlarms(Stack):
            def __init__(self, scope, cid, endpoint_name):
                super().__init__(scope, cid)
                latency = cloudwatch.Metric(
                    namespace="AWS/SageMaker", metric_name="ModelLatency", period=None
                )
                cloudwatch.Alarm(self, "LatencyAlarm", metric=latency, threshold=500000,
                                 evaluation_periods=3)
                cloudwatch.Alarm(self, "DiskAlarm", metric=cloudwatch.Metric(
                    namespace="AWS/EC2", metric_name="DiskReadOps"), threshold=1)
    """
    produced = run(tmp_path, {"infra/alarms.py": stack}, CHECK)
    assert evidence(produced) == [
        (
            "infra/alarms.py:10",
            "config",
            "automated",
            "alert rule LatencyAlarm on serving performance "
            "(`ModelLatency 500000 (AWS/SageMaker)`), loaded by CDK stack",
        )
    ]
    assert level(produced) == "automated"


def test_trap_cdk_alarm_in_test_file_is_not_a_rule(tmp_path: Path) -> None:
    stack = """
        from aws_cdk import aws_cloudwatch as cloudwatch

        def test_alarm(stack, metric):
            cloudwatch.CfnAlarm(stack, "LatencyAlarm", metric_name="ModelLatency", threshold=1)
    """
    produced = run(tmp_path, {"tests/test_alarms.py": stack}, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"
