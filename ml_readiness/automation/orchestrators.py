"""Orchestrators: Airflow DAGs, pipeline frameworks, Kubernetes CronJobs, Argo CronWorkflows.

- Airflow: a `DAG(...)`/`@dag` with a `schedule`/`schedule_interval` is a `schedule` root
  (`schedule=None` is `manual`); the DAG file's module code, `python_callable=` functions,
  `@task` functions and `BashOperator(bash_command=...)` commands are its entries.
- Kubeflow (`@dsl.pipeline`), Prefect (`@flow`), Dagster (`@job`/`@asset`), ZenML
  (`@pipeline`), Metaflow (`FlowSpec` with `@step`) and Kedro (`create_pipeline`) definitions
  are `pipeline` roots whose functions are entries; a Kubeflow pipeline's component functions
  (its tasks, see `CallGraph.pipeline_tasks`) are entries of that root only.
- A Metaflow flow says on its class what starts it once deployed: `@schedule(...)` is a
  `schedule` root; `@trigger(event=...)`, `@trigger_on_finish(flow=...)` (and wrappers named
  `*_trigger`) start it after an event or another flow, so it inherits `schedule` when the
  flow or event publisher upstream is scheduled, is `pipeline` when started from outside the
  repository, and `manual` when every upstream flow is run by hand; a flow with none of these
  is run by hand (`python flow.py run`) and is `manual`, unless a CI job, task runner or
  Airflow command runs the flow file (then `pipeline`, as the call graph cannot see
  `Flow()` run its steps).
- SageMaker Pipelines (`sagemaker.workflow.pipeline.Pipeline(steps=[...])`) are `pipeline`
  roots (`schedule` with a `PipelineSchedule(cron=...)` in the defining file) whose entries are
  the scripts their steps run (see `sagemaker.py`).
- A Prefect flow or ZenML pipeline with a declared schedule (`flow.serve(cron=...)`,
  `Deployment.build_from_flow(schedule=...)`, `pipeline.with_options(schedule=Schedule(...))`,
  a Prefect deployment YAML entry with a schedule) is a `schedule` root.
- Kubernetes `CronJob` and Argo `CronWorkflow` manifests are `schedule` roots; their container
  `command`/`args` are resolved (`/app/train.py` matches `train.py` in the repository).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.callgraph import CallGraph, label
from ml_readiness.automation.paths import to_local
from ml_readiness.automation.sagemaker import sagemaker_pipelines
from ml_readiness.automation.spec import RootSpec, Step
from ml_readiness.facts import is_example_config, is_test_path
from ml_readiness.facts.python import MAIN, MODULE

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

DAG_CALLS = ("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG")
PIPELINE_DECORATORS = {
    "dsl.pipeline": "kubeflow",
    "kfp.dsl.pipeline": "kubeflow",
    "prefect.flow": "prefect",
    "dagster.job": "dagster",
    "dagster.asset": "dagster",
    "dagster.graph": "dagster",
    "zenml.pipeline": "zenml",
    "metaflow.step": "metaflow",
}


class OrchestratorReader:
    def __init__(self, facts: Facts, prefix: str) -> None:
        self.facts = facts
        self.prefix = prefix
        self.notes: list[tuple[str, str]] = []
        self.top = to_local("", prefix)
        self.graph = CallGraph(facts)

    def roots(self) -> list[RootSpec]:
        return self.airflow() + self.frameworks() + self.sagemaker() + self.manifests()

    def _root(
        self, path: str, name: str, system: str, trigger: str, line: int | None, why: str = ""
    ) -> RootSpec:
        from ml_readiness.automation import Root

        events = (why,) if why else ()
        root = Root(f"{path}#{name}", system, trigger, path, line, events=events)
        return RootSpec(root, (path, f"{system} {name}" + (f" ({why})" if why else "")))

    def airflow(self) -> list[RootSpec]:
        specs = []
        for path, pf in self.facts.python_files(mentions=("airflow",)):
            if is_test_path(path):
                continue
            dags = [
                (c.kw("dag_id") or (c.args[0] if c.args else None), c)
                for c in pf.calls_to(*DAG_CALLS)
            ]
            dags += [
                (f.name, None) for f in pf.functions if "airflow.decorators.dag" in f.decorators
            ]
            for dag_id, call in dags:
                schedule: Any = "?"
                if call is not None:
                    for key in ("schedule", "schedule_interval", "timetable"):
                        if call.has_kw(key):
                            schedule = call.kw(key)
                if schedule == "?":
                    self.notes.append(
                        (path, f"Airflow DAG `{dag_id}`: schedule not read; taken as manual")
                    )
                trigger = "manual" if schedule in (None, "?", "$None") else "schedule"
                name = dag_id if isinstance(dag_id, str) and not dag_id.startswith("$") else "dag"
                spec = self._root(path, name, "airflow", trigger, call.line if call else None)
                spec.seeds.append(((path, MODULE), spec.chain))
                for c in pf.calls:
                    fn = c.kw("python_callable")
                    if isinstance(fn, str) and fn.startswith("$"):
                        target = self.graph.resolve_name(path, c.scope, fn[1:])
                        if target:
                            spec.seeds.append((target, (*spec.chain, label((path, c.scope)))))
                    bash = c.kw("bash_command")
                    if isinstance(bash, str):
                        spec.steps.append(Step(bash, self.top, f"task {c.kw('task_id')}", (), path))
                for f in pf.functions:
                    if any(d.startswith("airflow.decorators.task") for d in f.decorators):
                        spec.seeds.append(((path, f.qualname), spec.chain))
                specs.append(spec)
        return specs

    def frameworks(self) -> list[RootSpec]:
        specs = []
        tokens = ("kfp", "prefect", "dagster", "zenml", "metaflow", "kedro")
        for path, pf in self.facts.python_files(mentions=tokens):
            if is_test_path(path):
                continue
            for f in pf.functions:
                system = next(
                    (
                        s
                        for d in f.decorators
                        for k, s in PIPELINE_DECORATORS.items()
                        if d == k or d.endswith("." + k)
                    ),
                    None,
                )
                if system is None and f.name == "create_pipeline" and pf.imports_module("kedro"):
                    system = "kedro"
                if system is None:
                    continue
                owner = f.class_name or f.qualname
                key = f"{path}#{owner}"
                spec = next((s for s in specs if s.root.id == key), None)
                if spec is None:
                    trigger, why = "pipeline", ""
                    if system == "metaflow":
                        trigger, why = metaflow_trigger(self.facts, path, f.class_name)
                        if trigger == "manual":
                            self.notes.append((path, f"Metaflow flow `{owner}`: {why}"))
                    elif system in ("prefect", "zenml"):
                        why = declared_schedules(self.facts).get((path, f.name), "")
                        trigger = "schedule" if why else trigger
                    spec = self._root(path, owner, system, trigger, f.line, why)
                    spec.seeds.append(((path, MODULE), spec.chain))
                    specs.append(spec)
                spec.seeds.append(((path, f.qualname), spec.chain))
                if system == "kubeflow":  # its components run as the pipeline's tasks
                    hop = (*spec.chain, label((path, f.qualname)))
                    for task in self.graph.pipeline_tasks((path, f.qualname)):
                        spec.seeds.append((task, hop))
        return specs

    def sagemaker(self) -> list[RootSpec]:
        """SageMaker Pipelines: each `Pipeline(steps=[...])` runs its steps' scripts."""
        if self.prefix:  # the enclosing repository's top: its files are not read here
            return []
        specs = []
        for p in sagemaker_pipelines(self.facts):
            trigger = "schedule" if p.schedule else "pipeline"
            spec = self._root(p.path, p.name, "sagemaker", trigger, p.line)
            for script, line, what in p.scripts:
                hop = (*spec.chain, f"{what} ({p.path}:{line})")
                spec.seeds += [((script, MODULE), hop), ((script, MAIN), hop)]
            self.notes += [
                (p.path, f"SageMaker pipeline `{p.name}`: {why}") for why in p.unresolved
            ]
            specs.append(spec)
        return specs

    def manifests(self) -> list[RootSpec]:
        specs = []
        for path in self.facts.repo.with_suffix(".yaml", ".yml"):
            if path.startswith("../") or is_example_config(path):
                continue
            if not self.facts.mentions(path, "CronJob", "CronWorkflow"):
                continue
            for doc in self.facts.yaml(path) or []:
                if not isinstance(doc, dict) or doc.get("kind") not in ("CronJob", "CronWorkflow"):
                    continue
                name = str((doc.get("metadata") or {}).get("name") or doc["kind"])
                spec = self._root(
                    path,
                    name,
                    "kubernetes" if doc["kind"] == "CronJob" else "argo",
                    "schedule",
                    getattr(doc, "line", None),
                )
                for words in _containers(doc):
                    spec.steps.append(
                        Step(" ".join(self._local(w) for w in words), self.top, None, (), path)
                    )
                specs.append(spec)
        return specs

    def _local(self, word: str) -> str:
        """A container path (`/app/src/train.py`) mapped to a repository file when one matches."""
        if not word.startswith("/") or not word.endswith((".py", ".sh", ".ipynb")):
            return word
        parts = word.strip("/").split("/")
        for i in range(len(parts)):
            candidate = "/".join(parts[i:])
            if self.facts.repo.exists(candidate):
                return candidate
        return word


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
    ci_text = "\n".join(facts.text(p) or "" for p in ci)
    files = ci + [p for p, _ in facts.python_files(mentions=("bash_command",), tests=False)]
    files += [p for p in facts.repo.named("Makefile") if re.search(r"\bmake\s", ci_text)]
    files += [p for p in facts.repo.with_suffix(".sh") if posixpath.basename(p) in ci_text]
    for hit, _, text in facts.grep(rx, sorted(set(files) - {path})):
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
            scheduled = [k for k in SCHEDULE_KWARGS if c.kw(k) is not None]
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


def _containers(doc: dict) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 12:
            return
        if isinstance(node, dict):
            cmd = node.get("command")
            if isinstance(cmd, list | str) and ("image" in node or "args" in node):
                words = [cmd] if isinstance(cmd, str) else [str(c) for c in cmd]
                args = node.get("args")
                words += [str(a) for a in args] if isinstance(args, list) else []
                if words[:2] in (
                    ["sh", "-c"],
                    ["bash", "-c"],
                    ["/bin/sh", "-c"],
                    ["/bin/bash", "-c"],
                ):
                    words = words[2:]
                found.append(words)
            for v in node.values():
                walk(v, depth + 1)
        elif isinstance(node, list):
            for v in node:
                walk(v, depth + 1)

    walk(doc.get("spec"))
    return found


READERS = [OrchestratorReader]
