"""Views shared by the monitoring checks: alert rules and whether they are loaded, automation
questions about entry points, feature-code naming, and the audit date."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ml_readiness.entrypoints import EntryPoint
from ml_readiness.evidence import Evidence, Execution, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import EXPR, MODULE, Call, PythonFacts

# the block's text up to `metric_name`, across `${var.x}` interpolations (they hold a `}`)
TF_ALARM = re.compile(
    r'resource\s+"aws_cloudwatch_metric_alarm"\s+"(\w+)"(?:\$\{[^}]*\}|[^}])*?'
    r'metric_name\s*=\s*"(\w+)"',
    re.S,
)


@dataclass(frozen=True)
class AlertRule:
    """An alert rule and, when a monitoring system evaluates it, what loads it."""

    path: str
    line: int
    name: str
    expr: str
    loaded_by: str | None


def audit_date(facts: Facts) -> dt.date:
    """The audit's "today" (`--as-of`), falling back to the real date."""
    date = getattr(facts, "as_of", None)
    if isinstance(date, dt.date):
        return date
    return facts.memo("as_of", lambda _: dt.date.today())


def entry_symbol(entry: EntryPoint) -> str | None:
    """The Evidence symbol of an entry point (None for module-level scripts)."""
    return None if entry.symbol == MODULE else entry.symbol


def automated_run(facts: Facts, path: str, symbol: str | None) -> Execution | None:
    """The automated execution of `path`/`symbol`, or None."""
    run = facts.automation.execution_of(path, None if symbol == MODULE else symbol)
    return run if run is not None and run.automated else None


def scheduled_run(facts: Facts, path: str, symbol: str | None) -> Execution | None:
    """A schedule-triggered execution of `path`/`symbol`, or None."""
    runs = facts.automation.executions(path, None if symbol == MODULE else symbol)
    return next((r for r in runs if r.trigger == "schedule"), None)


def alert_rules(facts: Facts) -> list[AlertRule]:
    """Prometheus/Grafana/CloudWatch alert rules of the repo (computed once per audit):
    Prometheus rule files and PrometheusRule manifests, Grafana provisioning, CloudWatch alarms
    in CloudFormation, Terraform and CDK (Python) stacks."""
    return facts.memo("monitor.alert_rules", _collect_rules)


def _collect_rules(facts: Facts) -> list[AlertRule]:
    yamls = [
        p
        for p in facts.repo.with_suffix(".yml", ".yaml")
        if not is_example_config(p) and not p.startswith(".github/")
    ]
    rule_globs = _rule_file_globs(facts, yamls)
    out: list[AlertRule] = []
    for path in yamls:
        if not facts.mentions(path, "alert", "AWS::CloudWatch::Alarm", "condition"):
            continue
        for doc in facts.yaml(path) or []:
            if not isinstance(doc, dict):
                continue
            if doc.get("kind") == "PrometheusRule":
                spec = doc.get("spec")
                groups = spec.get("groups") if isinstance(spec, dict) else None
                out += _prometheus(path, groups, "PrometheusRule manifest")
            elif isinstance(doc.get("groups"), list):
                loader = _loaded_by(facts, path, rule_globs)
                out += _prometheus(path, doc["groups"], loader)
                if "provisioning" in path or "grafana" in path.lower():
                    out += _grafana(path, doc["groups"])
            resources = doc.get("Resources")
            if isinstance(resources, dict):
                out += _cloudformation(path, resources)
    for path in facts.repo.with_suffix(".tf"):
        text = facts.text(path) or ""
        for m in TF_ALARM.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            out.append(AlertRule(path, line, m.group(1), m.group(2), "Terraform"))
    out += _cdk_alarms(facts)
    return sorted(set(out), key=lambda r: (r.path, r.line, r.name))


CDK_ALARMS = ("aws_cdk.aws_cloudwatch.CfnAlarm", "aws_cdk.aws_cloudwatch.Alarm")
CDK_METRIC = re.compile(
    r"""metric_name\s*=\s*["']([^"']+)|\.metric\w*\(\s*["']([^"']+)|\.(metric_\w+)\("""
)


def _cdk_alarms(facts: Facts) -> list[AlertRule]:
    """CloudWatch alarms declared with the AWS CDK in Python (`cloudwatch.CfnAlarm(...)`,
    `cloudwatch.Alarm(...)`, `metric.create_alarm(...)`): the stack deploys them."""
    out = []
    for path, pf in facts.python_files(mentions=("Alarm", "create_alarm"), tests=False):
        if is_example_config(path) or not pf.imports_module("aws_cdk"):
            continue
        lines = facts.lines(path)
        for call in pf.calls:
            if call.qualified not in CDK_ALARMS and call.attr != "create_alarm":
                continue
            name = call.kw("alarm_name")
            ident = call.args[1] if len(call.args) > 1 else None
            if not isinstance(name, str) or name.startswith("$") or name == EXPR:
                name = ident if isinstance(ident, str) and not ident.startswith("$") else "alarm"
            # literal settings only: a variable's name says nothing about the metric
            settings = {
                key: str(value)
                for key in ("metric_name", "comparison_operator", "threshold", "namespace")
                if (value := call.kw(key)) is not None
                and value != EXPR
                and not str(value).startswith("$")
            }
            source = _call_text(lines, call.line)
            bound = call.kw("metric")
            if isinstance(bound, str) and bound.startswith("$"):  # metric=latency: its Metric()
                source = _metric_definition(lines, pf.calls, call, bound[1:]) or source
            metric = CDK_METRIC.search(source)
            if "metric_name" not in settings and metric:
                settings["metric_name"] = next(g for g in metric.groups() if g)
            namespace = settings.pop("namespace", None)
            if namespace is None and (ns := re.search(r"namespace\s*=\s*[\"']([^\"']+)", source)):
                namespace = ns.group(1)
            order = ("metric_name", "comparison_operator", "threshold")
            expr = " ".join(settings[k] for k in order if k in settings)
            description = call.kw("alarm_description")
            for extra in (namespace, description):
                if isinstance(extra, str) and not extra.startswith("$") and extra != EXPR:
                    expr = f"{expr} ({extra})".strip()
            out.append(AlertRule(path, call.line, str(name), expr or call.name, "CDK stack"))
    return out


def _metric_definition(lines: list[str], calls: tuple, alarm: object, name: str) -> str | None:
    """The source of the `name = cloudwatch.Metric(...)` call bound before `alarm`."""
    for c in sorted(calls, key=lambda c: -c.line):
        if c.scope != alarm.scope or c.line >= alarm.line or c.attr != "Metric":  # type: ignore[attr-defined]
            continue
        if re.match(rf"\s*(self\.)?{re.escape(name)}\s*(:[^=]+)?=", lines[c.line - 1]):
            return _call_text(lines, c.line)
    return None


def _call_text(lines: list[str], line: int) -> str:
    """The source of the call starting at `line`, until its parentheses close (≤ 20 lines)."""
    text, depth = "", 0
    for row in lines[line - 1 : line + 19]:
        text += " " + row.split("#", 1)[0]
        depth = text.count("(") - text.count(")")
        if depth <= 0 and "(" in text:
            break
    return text


def _rule_file_globs(facts: Facts, yamls: list[str]) -> list[tuple[str, str]]:
    """(prometheus config path, rule-file pattern) for every `rule_files:` entry."""
    out = []
    for path in yamls:
        if not facts.mentions(path, "rule_files"):
            continue
        doc = facts.yaml_doc(path)
        files = doc.get("rule_files") if isinstance(doc, dict) else None
        for pattern in files if isinstance(files, list) else []:
            out.append((path, str(pattern)))
    return out


def _loaded_by(facts: Facts, path: str, rule_globs: list[tuple[str, str]]) -> str | None:
    base = posixpath.basename(path)
    for config, pattern in rule_globs:
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(config), pattern))
        if fnmatchcase(path, joined) or fnmatchcase(base, posixpath.basename(pattern)):
            return f"rule_files in {config}"
    folder = posixpath.dirname(path)
    while folder:
        if facts.repo.exists(f"{folder}/Chart.yaml"):
            return f"Helm chart {folder}"
        for name in ("kustomization.yaml", "kustomization.yml"):
            kpath = f"{folder}/{name}"
            if facts.repo.exists(kpath) and facts.mentions(kpath, path[len(folder) + 1 :]):
                return f"kustomization {kpath}"
        folder = posixpath.dirname(folder)
    return None


def _prometheus(path: str, groups: object, loaded_by: str | None) -> list[AlertRule]:
    out = []
    for group in groups if isinstance(groups, list) else []:
        rules = group.get("rules") if isinstance(group, dict) else None
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and rule.get("alert") and rule.get("expr"):
                line = getattr(rule, "line", 0) or 0
                out.append(AlertRule(path, line, str(rule["alert"]), str(rule["expr"]), loaded_by))
    return out


def _grafana(path: str, groups: list) -> list[AlertRule]:
    out = []
    for group in groups:
        rules = group.get("rules") if isinstance(group, dict) else None
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and rule.get("title") and rule.get("condition"):
                exprs = [
                    str((d.get("model") or {}).get("expr", ""))
                    for d in rule.get("data") or []
                    if isinstance(d, dict) and isinstance(d.get("model"), dict)
                ]
                line = getattr(rule, "line", 0) or 0
                expr = " ".join(exprs) or str(rule["title"])
                out.append(
                    AlertRule(path, line, str(rule["title"]), expr, "Grafana alert provisioning")
                )
    return out


def _cloudformation(path: str, resources: dict) -> list[AlertRule]:
    out = []
    for name, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::CloudWatch::Alarm":
            continue
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        metric = str(props.get("MetricName", ""))
        line = getattr(res, "line", 0) or 0
        out.append(AlertRule(path, line, str(name), metric, "CloudFormation template"))
    return out


def rule_evidence(item: str, rule: AlertRule, what: str) -> Evidence:
    """Config evidence for an alert rule: enforced only when a monitoring system loads it."""
    where = f", loaded by {rule.loaded_by}" if rule.loaded_by else ""
    return Evidence(
        item,
        f"alert rule {rule.name} on {what} (`{rule.expr[:80]}`){where}",
        rule.path,
        rule.line or None,
        kind="config",
        credit="automated" if rule.loaded_by else "manual",
        enforced=rule.loaded_by is not None,
    )


def unloaded_hint(item: str, rule: AlertRule) -> Hint:
    return Hint(
        item,
        f"alert rule {rule.name} ({rule.path}:{rule.line}) is not loaded by any monitoring "
        "config (no `rule_files:` entry, PrometheusRule manifest, Helm chart or kustomization "
        "refers to it), so nothing evaluates it: manual only",
    )


def matching_rules(facts: Facts, pattern: str) -> list[AlertRule]:
    """Alert rules whose expression or name matches `pattern` (case-insensitive)."""
    rx = re.compile(pattern, re.I)
    return [r for r in alert_rules(facts) if rx.search(r.expr) or rx.search(r.name)]


def emit_rules(item: str, facts: Facts, pattern: str, what: str) -> list[Evidence | Hint]:
    """Evidence (and a hint for rules nobody loads) for alert rules matching `pattern`."""
    out: list[Evidence | Hint] = []
    for rule in matching_rules(facts, pattern):
        out.append(rule_evidence(item, rule, what))
        if rule.loaded_by is None:
            out.append(unloaded_hint(item, rule))
    return out


def evidently_data(pf: PythonFacts, call: Call) -> tuple[Any, Any] | None:
    """(current, reference) data of an Evidently `Report.run` call: by keyword (the legacy
    `run(reference_data=..., current_data=...)`) or by position (0.7+: `run(current,
    reference)`); None for a call that is not a report run (`subprocess.run(...)`: a call on
    an imported module other than evidently)."""
    if call.has_kw("current_data"):
        return call.kw("current_data"), call.kw("reference_data")
    head = call.qualified.split(".", 1)[0]
    imported = {i.alias for i in pf.imports if not i.target.startswith("evidently")}
    if not call.args or head in imported:
        return None
    return call.args[0], call.args[1] if len(call.args) > 1 else None
