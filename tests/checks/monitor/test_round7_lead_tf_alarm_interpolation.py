"""monitor-6: a Terraform CloudWatch alarm is read across `${...}` interpolations (they hold a
`}`): `alarm_name = "${var.prefix}-latency"` no longer hides its `metric_name`."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import evidence, level, run

CHECK = "performance-tracking"
ALARMS = """
resource "aws_cloudwatch_metric_alarm" "endpoint_errors" {
  alarm_name  = "${var.name_prefix}-endpoint-4xx-errors"
  metric_name = "Invocation4XXErrors"
  namespace   = "AWS/SageMaker"
}

resource "aws_cloudwatch_metric_alarm" "endpoint_latency" {
  alarm_name  = "${var.name_prefix}-${var.endpoint_name}-latency"
  metric_name = "ModelLatency"
  namespace   = "AWS/SageMaker"
  threshold   = 200000
}
"""


def test_interpolated_alarm_names_do_not_hide_the_latency_metric(tmp_path: Path) -> None:
    produced = run(tmp_path, {"infra/monitoring.tf": ALARMS}, CHECK)
    assert evidence(produced) == [
        (
            "infra/monitoring.tf:7",
            "config",
            "automated",
            "alert rule endpoint_latency on serving performance (`ModelLatency`), "
            "loaded by Terraform",
        )
    ]
    assert level(produced) == "automated"


def test_an_error_count_alarm_alone_is_not_performance(tmp_path: Path) -> None:
    only_errors = ALARMS.split('resource "aws_cloudwatch_metric_alarm" "endpoint_latency"')[0]
    assert evidence(run(tmp_path, {"infra/monitoring.tf": only_errors}, CHECK)) == []
