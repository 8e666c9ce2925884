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

import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.callgraph import CallGraph, label
from ml_readiness.automation.frameworks import framework_trigger, metaflow_trigger, schedule_value
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


SYSTEM_NAMES = {
    "kubeflow": "Kubeflow pipeline",
    "prefect": "Prefect flow",
    "dagster": "Dagster job",
    "zenml": "ZenML pipeline",
    "metaflow": "Metaflow flow",
    "kedro": "Kedro pipeline",
}


class OrchestratorReader:
    def __init__(self, facts: Facts, prefix: str) -> None:
        self.facts = facts
        self.prefix = prefix
        self.notes: list[tuple[str, str]] = []
        self.top = to_local("", prefix)
        self.graph = CallGraph(facts)
        self.runs_kedro: dict[str, str] = {}  # trigger → id of an Airflow DAG running Kedro

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
                scheduled = schedule != "?" and schedule_value(self.facts, path, schedule)
                if schedule != "?" and not scheduled and schedule not in (None, "$None"):
                    self.notes.append(
                        (
                            path,
                            f"Airflow DAG `{dag_id}`: schedule `{schedule}` is not set by "
                            "default (an unset variable); taken as manual",
                        )
                    )
                trigger = "schedule" if scheduled else "manual"
                name = dag_id if isinstance(dag_id, str) and not dag_id.startswith("$") else "dag"
                spec = self._root(path, name, "airflow", trigger, call.line if call else None)
                spec.seeds.append(((path, MODULE), spec.chain))
                kedro = self.facts.mentions(path, "KedroSession")
                for c in pf.calls:
                    fn = c.kw("python_callable")
                    if isinstance(fn, str) and fn.startswith("$"):
                        target = self.graph.resolve_name(path, c.scope, fn[1:])
                        if target:
                            spec.seeds.append((target, (*spec.chain, label((path, c.scope)))))
                            kedro = kedro or self.facts.mentions(target[0], "KedroSession")
                    operator = self._repo_operator(path, c)
                    if operator is not None:  # a custom operator: Airflow calls its execute()
                        spec.seeds.append((operator, (*spec.chain, f"task {c.kw('task_id')}")))
                        kedro = kedro or self.facts.mentions(operator[0], "KedroSession")
                    bash = c.kw("bash_command")
                    if isinstance(bash, str):
                        spec.steps.append(Step(bash, self.top, f"task {c.kw('task_id')}", (), path))
                        kedro = kedro or bool(re.search(r"\bkedro\s+run\b", bash))
                if kedro:
                    self.runs_kedro.setdefault(trigger, spec.root.id)
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
                    if system == "metaflow":
                        trigger, why = metaflow_trigger(self.facts, path, f.class_name)
                    else:
                        trigger, why = framework_trigger(
                            self.facts, system, path, f.name, self.runs_kedro
                        )
                    if trigger == "manual":
                        self.notes.append((path, f"{SYSTEM_NAMES[system]} `{owner}`: {why}"))
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

    def _repo_operator(self, path: str, call: Any) -> tuple[str, str] | None:
        """`(file, Class.execute)` when `call` builds an Airflow operator class defined in the
        repository (a `BaseOperator` subclass, such as the `KedroOperator` kedro-airflow
        generates): Airflow runs its `execute` when the task runs."""
        target = self.graph.resolve_name(path, call.scope, call.name)
        if target is None or not self.graph.is_class(target):
            return None
        pf = self.facts.python(target[0])
        cls = next((c for c in pf.classes if c.qualname == target[1]), None) if pf else None
        if cls is None or not any(b.endswith("BaseOperator") for b in cls.bases):
            return None
        return self.graph.method(target, "execute")

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
