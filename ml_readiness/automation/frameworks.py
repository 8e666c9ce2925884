"""What starts a pipeline-framework definition: a schedule declared for it, an automation in
the repository that runs it, or a person.

A flow or pipeline definition (Prefect `@flow`, ZenML `@pipeline`, Dagster `@job`/`@asset`,
Kubeflow `@dsl.pipeline`, Kedro `create_pipeline`, a Metaflow `FlowSpec`) does not run by
itself: it is `schedule` when a schedule is declared for it in the repository, `pipeline`
when an automation of the repository starts it (a CI command, an Airflow task, an event from
a scheduled flow), and otherwise `manual` (with a note). CI jobs and scripts that call a flow
function are followed by the call graph under their own trigger, whatever the flow's.

- Prefect / ZenML: `flow.serve(cron=...)`, `flow.deploy(...)`, `Deployment.build_from_flow(
  schedule=...)`, `pipeline.with_options(schedule=Schedule(...))`, a Prefect deployment YAML
  entry with a schedule. A schedule value must be a literal (or a module constant, or an
  environment lookup with a literal default): `cron=os.getenv("CRON") or None` is off by
  default and is not a schedule.
- Dagster: `ScheduleDefinition(job=...)`, `@schedule(job=...)`, `build_schedule_from_
  partitioned_job(...)` and `@sensor(job=...)` naming the job.
- Kubeflow / Vertex: `create_recurring_run(...)`, `PipelineJobSchedule(...)`, `.create_schedule(
  ...)` with a cron, in a file that names the pipeline.
- Kedro: a registered pipeline (`pipeline_registry.py` returns it, or uses `find_pipelines()`)
  run by a scheduled Airflow DAG (a `kedro run` bash command, or an operator or callable that
  opens a `KedroSession`) is `schedule`; `kedro run` in CI or a task runner CI calls makes it
  `pipeline`.
- Metaflow: read from the flow class's decorators (`@schedule`, `@trigger`,
  `@trigger_on_finish`), see `metaflow_trigger`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.callgraph import is_kfp_pipeline_decorator
from ml_readiness.facts import is_example_config

if TYPE_CHECKING:
    from ml_readiness.facts import Facts


@dataclass
class _Flow:
    """What starts one Metaflow flow, read from its class decorators, and what it publishes."""

    path: str
    schedule: str | None = None  # `daily`, `cron 0 2 * * *`, ...
    after: set[str] = field(default_factory=set)  # @trigger_on_finish(flow=...)
    events: set[str] = field(default_factory=set)  # @trigger(event=...)
    triggered: bool = False  # a trigger decorator whose arguments were not read
    publishes: set[str] = field(default_factory=set)


def _names(value: Any) -> list[str]:
    """Flow or event names in a decorator argument: `'a'`, `['a', 'b']`, `{'name': 'a'}`."""
    if isinstance(value, str) and not value.startswith("$") and value != "<expr>":
        return [value]
    if isinstance(value, tuple):
        pairs = [v for v in value if isinstance(v, tuple) and len(v) == 2]
        if pairs and len(pairs) == len(value):  # a dict literal
            return [str(v) for k, v in pairs if k == "name" and isinstance(v, str)]
        return [n for v in value for n in _names(v)]
    return []


def _metaflow_flows(facts: Facts) -> dict[str, _Flow]:
    """Every Metaflow flow class of the repository by class name (computed once per audit)."""
    flows: dict[str, _Flow] = {}
    for path, pf in facts.python_files(mentions=("metaflow",), tests=False):
        owners = {
            f.class_name for f in pf.functions if f.class_name and "metaflow.step" in f.decorators
        }
        for cls in pf.classes:
            if cls.qualname not in owners:
                continue
            flow = _Flow(path)
            for c in pf.calls:
                if c.scope == cls.qualname and c.line <= cls.line:  # a class decorator
                    _read_decorator(flow, c)
                elif c.scope.startswith(cls.qualname + "."):
                    flow.publishes.update(_published(c))
            flows.setdefault(cls.qualname.rsplit(".", 1)[-1], flow)
    return flows


def _read_decorator(flow: _Flow, call: Any) -> None:
    last = call.attr
    if last == "schedule":
        on = [k for k, v in call.kwargs if v not in (False, None)]
        if not call.kwargs or on:
            cron = call.kw("cron")
            flow.schedule = f"cron {cron}" if isinstance(cron, str) else (on or ["daily"])[0]
    elif last == "trigger_on_finish":
        found = _names(call.kw("flow")) + _names(call.kw("flows")) + _names(list(call.args))
        flow.after.update(n.rsplit(".", 1)[-1].rsplit("/", 1)[-1] for n in found)
        flow.triggered = flow.triggered or not found
    elif last == "trigger" or last.endswith("_trigger"):
        found = _names(call.kw("event")) + _names(call.kw("events")) + _names(list(call.args))
        flow.events.update(found)
        flow.triggered = flow.triggered or not found


def _published(call: Any) -> list[str]:
    """Event names a call publishes: `prj.publish_event("x")`, `publish_event(prj, "x")`,
    `ArgoEvent(name="x")`."""
    if "publish_event" in call.attr:
        return [n for a in (*call.args, call.kw("name"), call.kw("event")) for n in _names(a)]
    if call.attr == "ArgoEvent":
        return _names(call.kw("name")) or _names(list(call.args[:1]))
    return []


def metaflow_trigger(facts: Facts, path: str, class_name: str | None) -> tuple[str, str]:
    """The trigger of a Metaflow flow root and what starts it (see the module docstring)."""
    flows = facts.memo("automation.metaflow_flows", _metaflow_flows)
    name = (class_name or "").rsplit(".", 1)[-1]
    if flows.get(name) is None or flows[name].path != path:
        return "pipeline", ""
    trigger, why = _resolve(flows, name, frozenset())
    runner = _runner_mention(facts, path) if trigger == "manual" else None
    if runner:  # `python flow.py run` in CI or a DAG: the call graph does not see it run steps
        return "pipeline", f"run by a command in {runner}"
    return trigger, why


def _runner_mention(facts: Facts, path: str) -> str | None:
    """The CI, task-runner or Airflow file whose command runs this flow file (`python
    flows/train.py run`), or None."""
    base = posixpath.basename(path)
    rx = re.compile(rf"(^|[\s/'\"]){re.escape(base)}\s+(--?\S+\s+)*(run|resume)\b")
    ci = facts.repo.under(".github/workflows") + facts.repo.named(".gitlab-ci.yml", "Jenkinsfile")
    for hit, _, text in facts.grep(rx, _runner_files(facts, ci, path)):
        folder = posixpath.dirname(path)
        if path in text or not folder or posixpath.basename(folder) in text or "cd " in text:
            return hit
    return None


def _resolve(flows: dict[str, _Flow], name: str, seen: frozenset[str]) -> tuple[str, str]:
    flow = flows[name]
    if flow.schedule:
        return "schedule", f"@schedule {flow.schedule}"
    if not (flow.after or flow.events or flow.triggered):
        return "manual", "no @schedule or @trigger: run by hand"
    upstream = [(f"after {n}", n) for n in sorted(flow.after)] + [
        (f"event `{e}` from {n}", n)
        for e in sorted(flow.events)
        for n in sorted(flows)
        if e in flows[n].publishes
    ]
    outside = flow.triggered or any(n not in flows for n in flow.after)
    outside = outside or any(all(e not in f.publishes for f in flows.values()) for e in flow.events)
    manual = []
    for how, up in upstream:
        if up not in flows or up in seen:
            continue
        trigger, why = _resolve(flows, up, seen | {name})
        if trigger == "schedule":
            return "schedule", f"{how}, {why}"
        (manual if trigger == "manual" else []).append(how)
        outside = outside or trigger == "pipeline"
    if outside or not manual:
        return "pipeline", "started by an event or a flow outside the repository"
    return "manual", f"{manual[0]}, which is run by hand"


SCHEDULE_KWARGS = ("cron", "interval", "rrule", "schedule", "schedules")
SCHEDULING_METHODS = ("serve", "deploy", "with_options", "run")
FLOW_DECORATORS = ("prefect.flow", "zenml.pipeline")


def declared_schedules(facts: Facts) -> dict[tuple[str, str], str]:
    """(file, flow function) → how a schedule is declared for that Prefect flow or ZenML
    pipeline: `flow.serve(cron=...)`, `flow.deploy(cron=...)`, `pipeline.with_options(
    schedule=Schedule(...))`, `Deployment.build_from_flow(flow=f, schedule=...)`, or a Prefect
    deployment YAML (`prefect.yaml` `deployments:`, a `*-deployment.yaml`) whose `entrypoint:
    path.py:flow` has a non-null schedule. Computed once per audit."""
    return facts.memo("automation.declared_schedules", _declared_schedules)


def _declared_schedules(facts: Facts) -> dict[tuple[str, str], str]:
    flows: dict[str, list[str]] = {}  # flow function name → defining files
    for path, pf in facts.python_files(mentions=("prefect", "zenml"), tests=False):
        for f in pf.functions:
            if any(d.endswith(FLOW_DECORATORS) for d in f.decorators):
                flows.setdefault(f.name, []).append(path)
    out: dict[tuple[str, str], str] = {}
    mentions = ("serve", "deploy", "Deployment", "with_options", "schedule")
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        for c in pf.calls:
            target = None
            if c.attr in SCHEDULING_METHODS and "." in c.name:
                target = c.name.rsplit(".", 1)[0]
            elif c.attr in ("build_from_flow", "Deployment") and isinstance(c.kw("flow"), str):
                target = str(c.kw("flow")).lstrip("$")
            scheduled = [k for k in SCHEDULE_KWARGS if schedule_value(facts, path, c.kw(k))]
            if target not in flows or not scheduled:
                continue
            for fpath in flows[target]:
                out.setdefault(
                    (fpath, target), f"`{c.name}({scheduled[0]}=...)` at {path}:{c.line}"
                )
    for path in facts.repo.with_suffix(".yaml", ".yml"):
        if is_example_config(path) or not facts.mentions(path, "entrypoint"):
            continue
        for doc in facts.yaml(path) or []:
            entries = doc.get("deployments") if isinstance(doc, dict) else None
            for entry in entries if isinstance(entries, list) else [doc]:
                if not isinstance(entry, dict) or not isinstance(entry.get("entrypoint"), str):
                    continue
                file, _, name = entry["entrypoint"].rpartition(":")
                if (entry.get("schedule") or entry.get("schedules")) and file in flows.get(
                    name, ()
                ):
                    out.setdefault((file, name), f"deployment schedule in {path}")
    return out


# -- schedule values -------------------------------------------------------------------------
_ENV_LOOKUP = re.compile(
    r"""(?:os\.getenv|os\.environ\.get|getenv)\(\s*["'][^"']*["']\s*(?:,\s*(?P<default>[^)]*))?\)"""
)


def schedule_value(facts: Facts, path: str, value: Any) -> bool:
    """True when a schedule argument really sets a schedule: a literal (`"0 3 * * *"`,
    `"@daily"`), a call building one (`Schedule(...)`, `timedelta(days=1)`), or a name bound to
    such a value in the file. A name bound to an environment lookup without a literal default
    (`os.getenv("CRON") or None`), `None`, `""` or a name that cannot be read is no schedule:
    the repository does not show one is set."""
    if value is None or value in ("", "$None", False):
        return False
    if not (isinstance(value, str) and value.startswith("$")):
        return True  # a literal, or an expression such as Schedule(...)
    name = value[1:]
    text = facts.text(path) or ""
    bound = re.findall(rf"(?m)^\s*{re.escape(name)}\s*(?::[^=\n]+)?=(?!=)\s*(.+)$", text)
    if not bound:
        return False
    expr = bound[-1].strip()
    lookup = _ENV_LOOKUP.search(expr)
    if lookup:
        default = (lookup.group("default") or "").strip()
        return bool(default) and default not in ("None", '""', "''")
    return expr not in ("None", '""', "''") and not expr.startswith("None")


# -- Prefect / ZenML / Dagster / Kubeflow / Kedro --------------------------------------------
def framework_trigger(
    facts: Facts, system: str, path: str, function: str, runs_kedro: dict[str, str]
) -> tuple[str, str]:
    """(trigger, why) of a pipeline-framework root (see the module docstring). `runs_kedro`
    maps each trigger of an Airflow DAG running Kedro to that DAG's id."""
    if system in ("prefect", "zenml"):
        why = declared_schedules(facts).get((path, function), "")
        if why:
            return "schedule", why
    elif system == "dagster":
        why = dagster_schedules(facts).get(function, "")
        if why:
            return "schedule", why
    elif system == "kubeflow":
        why = kubeflow_schedules(facts).get(function, "")
        if why:
            return "schedule", why
    elif system == "kedro":
        registered = kedro_registered(facts)
        if registered is not None and path not in registered:
            return "manual", "not registered in pipeline_registry.py: `kedro run` never runs it"
        if "schedule" in runs_kedro:
            return "schedule", f"run by the scheduled Airflow DAG {runs_kedro['schedule']}"
        runner = _command_mention(facts, re.compile(r"\bkedro\s+run\b"), path)
        if runner:
            return "pipeline", f"run by `kedro run` in {runner}"
        return "manual", "nothing in the repository runs `kedro run` or schedules it"
    return "manual", "no schedule or trigger declared in the repository: run by hand"


def _command_mention(facts: Facts, rx: re.Pattern[str], path: str) -> str | None:
    """The CI file (or task-runner file CI calls, or Airflow DAG) with a command matching
    `rx`, or None."""
    ci = facts.repo.under(".github/workflows") + facts.repo.named(".gitlab-ci.yml", "Jenkinsfile")
    ci += facts.repo.named("azure-pipelines.yml", "bitbucket-pipelines.yml")
    ci += facts.repo.under(".circleci")
    for hit, _, text in facts.grep(rx, _runner_files(facts, ci, path)):
        if not text.lstrip().startswith("#"):
            return hit
    return None


def _runner_files(facts: Facts, ci: list[str], path: str) -> list[str]:
    """The CI files `ci`, the Airflow DAG files with bash commands, and the Makefiles and
    shell scripts the CI files call: where a command that runs `path` would be written."""
    ci_text = "\n".join(facts.text(p) or "" for p in ci)
    files = ci + [p for p, _ in facts.python_files(mentions=("bash_command",), tests=False)]
    files += [p for p in facts.repo.named("Makefile") if re.search(r"\bmake\s", ci_text)]
    files += [p for p in facts.repo.with_suffix(".sh") if posixpath.basename(p) in ci_text]
    return sorted(set(files) - {path})


def kedro_registered(facts: Facts) -> set[str] | None:
    """The `pipeline.py` files of the Kedro pipelines the project registers, or None when no
    `pipeline_registry.py` says (older layouts: every pipeline counts)."""
    return facts.memo("automation.kedro_registered", _kedro_registered)


def _kedro_registered(facts: Facts) -> set[str] | None:
    registries = [p for p in facts.repo.named("pipeline_registry.py") if not p.startswith("../")]
    if not registries:
        return None
    from ml_readiness.facts.imports import module_index

    index = module_index(facts)
    out: set[str] = set()
    for registry in registries:
        pf = facts.python(registry)
        if pf is None:
            continue
        folder = posixpath.dirname(registry)
        if any(c.attr == "find_pipelines" for c in pf.calls):  # every pipelines/*/pipeline.py
            out.update(
                p
                for p in facts.repo.under(posixpath.join(folder, "pipelines"))
                if p.endswith("/pipeline.py") or p.endswith("/pipeline/__init__.py")
            )
            out.update(
                p
                for p in facts.repo.under(posixpath.join(folder, "pipelines"))
                if p.endswith("/__init__.py") and facts.mentions(p, "create_pipeline")
            )
        for imp in pf.imports:
            for found in index.resolve(registry, imp):
                out.add(found)
                package = posixpath.dirname(found)
                for name in ("pipeline.py", "pipeline/__init__.py"):
                    candidate = posixpath.join(package, name)
                    if facts.repo.exists(candidate):
                        out.add(candidate)
    return out


def dagster_schedules(facts: Facts) -> dict[str, str]:
    """Dagster job name → how a schedule or sensor runs it (computed once per audit)."""
    return facts.memo("automation.dagster_schedules", _dagster_schedules)


def _dagster_schedules(facts: Facts) -> dict[str, str]:
    out: dict[str, str] = {}
    kinds = ("ScheduleDefinition", "schedule", "sensor", "build_schedule_from_partitioned_job")
    for path, pf in facts.python_files(mentions=kinds, tests=False):
        if not pf.imports_module("dagster"):
            continue
        for c in pf.calls:
            if c.attr not in kinds or not c.qualified.startswith("dagster"):
                continue
            job = c.kw("job") or (c.args[0] if c.args else None)
            cron = c.kw("cron_schedule")
            if c.attr in ("ScheduleDefinition", "schedule") and not schedule_value(
                facts, path, cron
            ):
                continue
            if isinstance(job, str) and job.startswith("$"):
                what = f"`{c.attr}` at {path}:{c.line}"
                out.setdefault(job[1:].rsplit(".", 1)[-1], what)
    return out


def kubeflow_schedules(facts: Facts) -> dict[str, str]:
    """Kubeflow pipeline function name → the recurring run or Vertex schedule that runs it."""
    return facts.memo("automation.kubeflow_schedules", _kubeflow_schedules)


def _kubeflow_schedules(facts: Facts) -> dict[str, str]:
    out: dict[str, str] = {}
    kinds = ("create_recurring_run", "PipelineJobSchedule", "create_schedule")
    pipelines: dict[str, list[str]] = {}
    for path, pf in facts.python_files(mentions=("pipeline",), tests=False):
        for f in pf.functions:
            if any(is_kfp_pipeline_decorator(d) for d in f.decorators):
                pipelines.setdefault(f.name, []).append(path)
    for path, pf in facts.python_files(mentions=kinds, tests=False):
        for c in pf.calls:
            if c.attr not in kinds:
                continue
            cron = c.kw("cron_expression", c.kw("cron", c.kw("cron_schedule")))
            if not schedule_value(facts, path, cron):
                continue
            text = facts.text(path) or ""
            for name in pipelines:
                if re.search(rf"\b{re.escape(name)}\b", text):
                    out.setdefault(name, f"`{c.name}(cron=...)` at {path}:{c.line}")
    return out
