"""SageMaker Model Monitor declared as infrastructure: CDK constructs (`aws_cdk.aws_sagemaker`
`CfnMonitoringSchedule` and the `Cfn*JobDefinition` constructs), CloudFormation resources
(`AWS::SageMaker::MonitoringSchedule`, `AWS::SageMaker::DataQualityJobDefinition`...) and
Terraform resources (`aws_sagemaker_monitoring_schedule`, `aws_sagemaker_*_job_definition`).

Infrastructure the platform applies is config evidence with `enforced=True`, like the
CloudFormation/Terraform alarms of `_shared.alert_rules` (whether a stack is deployed is not
visible statically, for a template or a CDK app alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml_readiness.checks.infra._shared import cfn_resources, dig, line_of, manifest_documents

from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import EXPR, PythonFacts

CDK_MONITORS = {
    "CfnMonitoringSchedule": "schedule",
    "CfnDataQualityJobDefinition": "data quality",
    "CfnModelQualityJobDefinition": "model quality",
    "CfnModelBiasJobDefinition": "model bias",
    "CfnModelExplainabilityJobDefinition": "model explainability",
}
CFN_MONITORS = {
    "AWS::SageMaker::MonitoringSchedule": "schedule",
    "AWS::SageMaker::DataQualityJobDefinition": "data quality",
    "AWS::SageMaker::ModelQualityJobDefinition": "model quality",
    "AWS::SageMaker::ModelBiasJobDefinition": "model bias",
    "AWS::SageMaker::ModelExplainabilityJobDefinition": "model explainability",
}
TF_MONITORS = {
    "aws_sagemaker_monitoring_schedule": "schedule",
    "aws_sagemaker_data_quality_job_definition": "data quality",
}
TF_RESOURCE = re.compile(r'resource\s+"(aws_sagemaker_\w+)"\s+"(\w+)"')
MONITORING_TYPES = {
    "DataQuality": "data quality",
    "ModelQuality": "model quality",
    "ModelBias": "model bias",
    "ModelExplainability": "model explainability",
}


@dataclass(frozen=True)
class PlatformMonitor:
    """One declared Model Monitor resource."""

    path: str
    line: int
    resource: str  # as written: `sagemaker.CfnMonitoringSchedule`, an AWS:: type, a TF type
    declared: str  # CDK | CloudFormation | Terraform
    kind: str  # schedule | data quality | model quality | model bias | model explainability
    monitors: str  # for a schedule: what it runs (data quality unless told otherwise)
    baseline: bool  # checked against baseline constraints (computed from training data)
    serving_input: bool  # reads captured endpoint (or batch transform) data
    schedule: str | None  # the schedule expression when known

    def evidence(self, item: str, what: str) -> Evidence:
        when = f", schedule {self.schedule}" if self.schedule else ""
        return Evidence(
            item,
            f"{what} declared in {self.declared} (`{self.resource}`{when})",
            self.path,
            self.line,
            kind="config",
            credit="automated",
            enforced=True,
        )


def platform_monitors(facts: Facts) -> list[PlatformMonitor]:
    """Model Monitor schedules and job definitions declared as infrastructure (memoized)."""
    return facts.memo("monitor.platform_monitors", _collect)


def _collect(facts: Facts) -> list[PlatformMonitor]:
    out = _cdk(facts) + _cloudformation(facts) + _terraform(facts)
    return sorted(set(out), key=lambda m: (m.path, m.line))


def _cdk(facts: Facts) -> list[PlatformMonitor]:
    out = []
    for path, pf in facts.python_files(mentions=tuple(CDK_MONITORS), tests=False):
        if is_example_config(path) or not pf.imports_module("aws_cdk"):
            continue
        for call in pf.calls:
            kind = CDK_MONITORS.get(call.attr)
            if kind is None or not call.qualified.startswith("aws_cdk"):
                continue
            scope = [c for c in pf.calls if c.scope == call.scope]
            attrs = {c.attr for c in scope}
            monitors = _monitoring_type(scope, kind)
            out.append(
                PlatformMonitor(
                    path,
                    call.line,
                    call.name,
                    "CDK",
                    kind,
                    monitors,
                    baseline=bool(attrs & BASELINE_ATTRS),
                    serving_input=bool(attrs & INPUT_ATTRS),
                    schedule=_cdk_schedule(facts, scope) if kind == "schedule" else None,
                )
            )
    return out


BASELINE_ATTRS = {
    "BaselineConfigProperty", "ConstraintsResourceProperty", "DataQualityBaselineConfigProperty",
    "ModelQualityBaselineConfigProperty",
}  # fmt: skip
INPUT_ATTRS = {"EndpointInputProperty", "BatchTransformInputProperty"}


def _monitoring_type(scope: list, kind: str) -> str:
    if kind != "schedule":
        return kind
    for c in scope:
        value = c.kw("monitoring_type")
        if isinstance(value, str) and value in MONITORING_TYPES:
            return MONITORING_TYPES[value]
    defined = {CDK_MONITORS[c.attr] for c in scope if c.attr in CDK_MONITORS} - {"schedule"}
    return sorted(defined)[0] if len(defined) == 1 else "data quality"


def _cdk_schedule(facts: Facts, scope: list) -> str | None:
    for c in scope:
        value = c.kw("schedule_expression")
        if value is None:
            continue
        if isinstance(value, str) and value != EXPR and not value.startswith("$"):
            return value
        key = str(value).rsplit(".", 1)[-1]
        return _configured(facts, key) or f"from {str(value).lstrip('$')}"
    return None


def _configured(facts: Facts, key: str) -> str | None:
    """`key`'s string values in the repo's JSON/YAML config files (`"key": "cron(...)"`)."""
    if not re.fullmatch(r"\w+", key):
        return None
    paths = [
        p
        for p in facts.repo.with_suffix(".json", ".yaml", ".yml")
        if not is_example_config(p) and not is_test_path(p) and not p.startswith(".github/")
    ]
    rx = re.compile(rf"""["']?{key}["']?\s*:\s*["']([^"']+)["']""")
    values = []
    for _path, _line, text in facts.grep(rx, paths):
        m = rx.search(text)
        if m and m.group(1) not in values:
            values.append(m.group(1))
    return ", ".join(values[:3]) or None


def _cloudformation(facts: Facts) -> list[PlatformMonitor]:
    out = []
    for path, doc in manifest_documents(facts):
        for _name, res in cfn_resources(doc):
            kind = CFN_MONITORS.get(res["Type"])
            if kind is None:
                continue
            props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
            config = dig(props, "MonitoringScheduleConfig") or {}
            job = dig(config, "MonitoringJobDefinition") or {}
            monitors = MONITORING_TYPES.get(str(dig(config, "MonitoringType")), "data quality")
            text = str(props)
            out.append(
                PlatformMonitor(
                    path,
                    line_of(res) or 1,
                    res["Type"],
                    "CloudFormation",
                    kind,
                    monitors if kind == "schedule" else kind,
                    baseline="ConstraintsResource" in text or bool(dig(job, "BaselineConfig")),
                    serving_input="EndpointInput" in text or "BatchTransformInput" in text,
                    schedule=_text(dig(config, "ScheduleConfig", "ScheduleExpression")),
                )
            )
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _terraform(facts: Facts) -> list[PlatformMonitor]:
    out = []
    for path in facts.repo.with_suffix(".tf"):
        if is_example_config(path) or is_test_path(path):
            continue
        text = facts.text(path) or ""
        if "aws_sagemaker_" not in text:
            continue
        matches = list(TF_RESOURCE.finditer(text))
        for i, m in enumerate(matches):
            kind = TF_MONITORS.get(m.group(1))
            if kind is None:
                continue
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            block = text[m.start() : end]
            schedule = re.search(r'schedule_expression\s*=\s*"([^"]+)"', block)
            out.append(
                PlatformMonitor(
                    path,
                    text.count("\n", 0, m.start()) + 1,
                    m.group(1),
                    "Terraform",
                    kind,
                    "data quality",
                    baseline="constraints_resource" in block,
                    serving_input="endpoint_input" in block or "batch_transform_input" in block,
                    schedule=schedule.group(1) if schedule else None,
                )
            )
    return out


def has_sdk_monitor(pf: PythonFacts) -> bool:
    """The SageMaker Python SDK's `DefaultModelMonitor(...).create_monitoring_schedule(...)`
    with baseline `constraints=` (data quality against a baseline)."""
    return bool(pf.calls_to("sagemaker.model_monitor.DefaultModelMonitor")) and any(
        c.has_kw("constraints") for c in pf.method_calls("create_monitoring_schedule")
    )
