"""model-3 evidence from managed hyperparameter tuning services (no checks registered here).

- SageMaker Automatic Model Tuning: a `HyperparameterTuner(hyperparameter_ranges={...})` that is
  run, either by a `TuningStep(tuner=tuner)` / `TuningStep(step_args=tuner.fit(...))` that a
  `Pipeline(steps=[...])` lists, or by a direct `tuner.fit(...)` (outside a PipelineSession,
  where `fit` only returns step arguments);
- Vertex AI: `aiplatform.HyperparameterTuningJob(...)` that is `.run()`, and the Google Cloud
  Pipeline Components `HyperparameterTuningJobRunOp` inside a `@dsl.pipeline`;
- Azure ML: a `command(...).sweep(...)` (or `SweepJob(...)`) job submitted with
  `jobs.create_or_update`, SDK v1 `HyperDriveConfig` submitted or run as a `HyperDriveStep`,
  and a job YAML with `type: sweep` that a CI job, script or README submits
  (`az ml job create --file sweep.yml`).

A tuner or sweep that is configured but never run (not fitted, not in the pipeline's steps,
never submitted) earns nothing.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator

from ml_readiness.checks.model._sagemaker_steps import (
    bound_value,
    call_node,
    callee,
    in_pipeline,
    kw,
    members,
)
from ml_readiness.checks.model._shared import call_at

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import Call, PythonFacts

ITEM = "model-3"
SUBMIT = frozenset({"create_or_update", "begin_create_or_update", "submit"})
AZ_SUBMIT = re.compile(r"\baz\s+ml\s+job\s+(create|submit)\b")


def _assigned(facts: Facts, path: str, line: int) -> str | None:
    """The name a call at `line` is assigned to (`tuner = HyperparameterTuner(`)."""
    lines = facts.lines(path)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    m = re.match(r"\s*(\w+)\s*(?::[^=]+)?=\s*[\w.]+\(", text)
    return m.group(1) if m else None


def _keys(facts: Facts, path: str, line: int, node: ast.expr | None) -> list[str] | None:
    """The keys of a ranges/search-space dict (None when not a dict known statically)."""
    if node is None:
        return None
    node = bound_value(facts, path, line, node)
    if isinstance(node, ast.Dict):
        return [k.value for k in node.keys if isinstance(k, ast.Constant)]
    if isinstance(node, ast.Call) and callee(node) == "dict":
        return [k.arg for k in node.keywords if k.arg]
    return None


def _shown(keys: list[str] | None) -> str:
    return f" over {', '.join(map(str, keys[:6]))}" if keys else ""


# -- SageMaker ---------------------------------------------------------------------------------


def sagemaker_tuners(facts: Facts) -> Iterator[Evidence | Hint]:
    for path, pf in facts.python_files(mentions=("HyperparameterTuner",), tests=False):
        if not path.endswith(".py"):
            continue
        for call in pf.calls:
            if call.attr != "HyperparameterTuner" or not call.qualified.startswith("sagemaker"):
                continue
            yield _judge_tuner(facts, path, pf, call)


def _judge_tuner(facts: Facts, path: str, pf: PythonFacts, call: Call) -> Evidence | Hint:
    node = call_node(facts, path, call)
    ranges = None
    if node is not None:
        ranges = kw(node, "hyperparameter_ranges") or (node.args[2] if len(node.args) > 2 else None)
    keys = _keys(facts, path, call.line, ranges)
    where = f"{path}:{call.line}"
    if ranges is None or keys == []:
        return Hint(ITEM, f"SageMaker HyperparameterTuner at {where} has no hyperparameter ranges")
    name = _assigned(facts, path, call.line)
    label = f"SageMaker HyperparameterTuner{f' `{name}`' if name else ''}{_shown(keys)}"
    scope = [c for c in pf.calls if c.scope == call.scope]
    fits = [c for c in scope if name and c.name == f"{name}.fit" and c.line >= call.line]
    tuning = [s for s in scope if s.attr == "TuningStep" and _takes(facts, path, s, name, fits)]
    for step in tuning:
        listed = in_pipeline(facts, path, step.line, step.scope)
        if listed:
            detail = f"{label} run as TuningStep (line {step.line}) in {listed}"
            return call_at(facts, ITEM, path, call, detail)
    consumed = {s.line for s in tuning}
    direct = [f for f in fits if not _feeds_step(facts, path, f, consumed)]
    if direct and not facts.mentions(path, "PipelineSession"):
        return call_at(facts, ITEM, path, call, f"{label} run with `.fit` (line {direct[0].line})")
    handed = _handed_to_step(facts, path, call, name) if not tuning else None
    if handed:
        return call_at(facts, ITEM, path, call, f"{label} {handed}")
    if tuning:
        return Hint(
            ITEM,
            f"SageMaker TuningStep at {path}:{tuning[0].line} is not in any Pipeline's steps "
            "(configured, never run); not credited",
        )
    return Hint(ITEM, f"{label} configured at {where} but never run; not credited")


def _tuner_source(facts: Facts, path: str, step: Call) -> str | None:
    """The name a TuningStep takes its tuner from (`tuner=t`, `step_args=t.fit(...)`,
    `step_args=args` with `args = t.fit(...)`)."""
    node = call_node(facts, path, step)
    if node is None:
        return None
    given = kw(node, "tuner")
    if isinstance(given, ast.Name):
        return given.id
    args = kw(node, "step_args")
    if args is None:
        return None
    args = bound_value(facts, path, step.line, args)
    fit = isinstance(args, ast.Call) and isinstance(args.func, ast.Attribute)
    if fit and args.func.attr == "fit" and isinstance(args.func.value, ast.Name):  # type: ignore[union-attr]
        return args.func.value.id  # type: ignore[union-attr]
    return None


def _takes(facts: Facts, path: str, step: Call, name: str | None, fits: list[Call]) -> bool:
    """Does the TuningStep take this tuner?"""
    if name is not None and _tuner_source(facts, path, step) == name:
        return True
    node = call_node(facts, path, step)
    args = kw(node, "step_args") if node is not None else None
    if args is None:
        return False
    args = bound_value(facts, path, step.line, args)
    return any(f.line == getattr(args, "lineno", -1) for f in fits)


def _handed_to_step(facts: Facts, path: str, call: Call, name: str | None) -> str | None:
    """A tuner its builder function returns (`def create_tuner(est): ...; return tuner`) that a
    TuningStep elsewhere takes through a parameter (`def create_tuner_step(tuner): return
    TuningStep(step_args=tuner.fit(...))`) listed in a pipeline, with the builder called."""
    builder = call.scope.split(".", 1)[0]
    tree = facts.syntax_tree(path)
    fn = next(
        (
            n
            for n in (tree.body if tree is not None else [])
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == builder
        ),
        None,
    )
    returned = fn is not None and any(
        isinstance(r, ast.Return)
        and r.value is not None
        and (
            (isinstance(r.value, ast.Name) and r.value.id == name)
            or getattr(r.value, "lineno", -1) == call.line
        )
        for r in ast.walk(fn)
    )
    if not returned:
        return None
    called = False
    steps: list[tuple[str, Call]] = []
    for other, opf in facts.python_files(mentions=(builder, "TuningStep"), tests=False):
        called = called or any(c.attr == builder for c in opf.calls)
        for step in opf.calls:
            if step.attr != "TuningStep":
                continue
            owner = opf.function(step.scope)
            source = _tuner_source(facts, other, step)
            if owner is not None and source is not None and source in owner.params:
                steps.append((other, step))
    if not called:
        return None
    for other, step in steps:
        listed = in_pipeline(facts, other, step.line, step.scope)
        if listed:
            return (
                f"returned by `{builder}` and run as TuningStep ({other}:{step.line}) in {listed}"
            )
    return None


def _feeds_step(facts: Facts, path: str, fit: Call, steps: set[int]) -> bool:
    """True when the `fit` result is handed to a TuningStep (a PipelineSession step argument)."""
    if fit.line in steps:
        return True
    target = _assigned(facts, path, fit.line)
    return target is not None and bool(steps)


# -- Vertex AI ---------------------------------------------------------------------------------


def vertex_tuning(facts: Facts) -> Iterator[Evidence | Hint]:
    tokens = ("HyperparameterTuningJob",)
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        if not path.endswith(".py"):
            continue
        for call in pf.calls:
            if call.attr == "HyperparameterTuningJob" and "aiplatform" in call.qualified:
                node = call_node(facts, path, call)
                spec = kw(node, "parameter_spec") if node is not None else None
                keys = _keys(facts, path, call.line, spec)
                name = _assigned(facts, path, call.line)
                label = f"Vertex AI HyperparameterTuningJob{_shown(keys)}"
                ran = name and any(
                    c.name == f"{name}.run" and c.scope == call.scope for c in pf.calls
                )
                if ran:
                    yield call_at(facts, ITEM, path, call, f"{label} run with `.run()`")
                else:
                    yield Hint(ITEM, f"{label} at {path}:{call.line} is never run; not credited")
            elif call.attr == "HyperparameterTuningJobRunOp":
                fn = pf.function(call.scope)
                decorated = fn is not None and any("pipeline" in d for d in fn.decorators)
                if not decorated:
                    continue
                detail = (
                    f"Vertex AI HyperparameterTuningJobRunOp in the `{fn.qualname}` pipeline "
                    "(runs when a person submits the pipeline)"
                )
                yield call_at(facts, ITEM, path, call, detail, credit="manual")


# -- Azure ML ----------------------------------------------------------------------------------


def azure_sweeps(facts: Facts) -> Iterator[Evidence | Hint]:
    tokens = ("sweep(", "SweepJob", "HyperDriveConfig")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        if not path.endswith(".py") or not facts.mentions(path, "azure"):
            continue
        for call in pf.calls:
            if call.attr == "sweep" and call.has_kw("primary_metric"):
                label = "Azure ML sweep job"
            elif call.attr == "SweepJob" and call.qualified.startswith("azure"):
                label = "Azure ML SweepJob"
            elif call.attr == "HyperDriveConfig" and call.qualified.startswith("azureml"):
                label = "Azure ML HyperDrive run"
            else:
                continue
            name = _assigned(facts, path, call.line)
            used = _submitted(facts, path, pf, call, name)
            if used:
                yield call_at(facts, ITEM, path, call, f"{label} submitted ({used})")
            else:
                yield Hint(ITEM, f"{label} at {path}:{call.line} is configured but never submitted")


def _submitted(
    facts: Facts, path: str, pf: PythonFacts, call: Call, name: str | None
) -> str | None:
    """How a sweep object is run: passed to `create_or_update`/`submit`, a `HyperDriveStep` that
    a `Pipeline(steps=[...])` lists, or built inside an Azure ML `@dsl.pipeline` function whose
    job the file submits."""
    if name is None:
        return None
    inside = members(facts, path)
    for c in pf.calls:
        values = [*c.args, *(v for _, v in c.kwargs)]
        if f"${name}" not in values:
            continue
        if c.attr in SUBMIT:
            return f"`{c.name}` at line {c.line}"
        if c.attr == "HyperDriveStep" and c.line in inside.lines:
            return f"as HyperDriveStep at line {c.line}"
    fn = pf.function(call.scope)
    pipeline = fn is not None and any("pipeline" in d for d in fn.decorators)
    if (
        fn is not None
        and pipeline
        and any(c.attr in SUBMIT and c.line > fn.end_line for c in pf.calls)
    ):
        return f"in the `{fn.qualname}` pipeline"
    return None


def sweep_yamls(facts: Facts) -> Iterator[Evidence | Hint]:
    """Azure ML job YAML of `type: sweep` (also a sweep job inside a pipeline YAML's `jobs:`),
    credited when something in the repository submits that file."""
    for path in facts.repo.with_suffix(".yml", ".yaml"):
        if is_example_config(path) or is_test_path(path) or not facts.mentions(path, "sweep"):
            continue
        for doc in facts.yaml(path) or []:
            if not isinstance(doc, dict):
                continue
            sweep = _sweep_of(doc)
            if sweep is None:
                continue
            space, line = sweep
            label = f"Azure ML sweep job{_shown([str(k) for k in space])}"
            yield _yaml_submission(facts, path, line, label)


def _sweep_of(doc: dict) -> tuple[list, int | None] | None:
    candidates = [doc]
    jobs = doc.get("jobs")
    if isinstance(jobs, dict):
        candidates += [j for j in jobs.values() if isinstance(j, dict)]
    for job in candidates:
        space = job.get("search_space")
        if job.get("type") == "sweep" and isinstance(space, dict) and space:
            return list(space), getattr(job, "line", None) or getattr(doc, "line", None)
    return None


def _yaml_submission(facts: Facts, path: str, line: int | None, label: str) -> Evidence | Hint:
    base = posixpath.basename(path)
    named = re.compile(rf"{AZ_SUBMIT.pattern}.*{re.escape(base)}")
    for root, text in facts.automation.commands_matching(named):
        detail = f"{label} submitted by {root.id}: `{text[:60]}`"
        return Evidence(ITEM, detail, path, line, "config", "automated", symbol=root.id)
    texts = [
        p
        for p in facts.repo.files
        if p != path
        and (
            p.endswith((".sh", ".md", ".py", ".yml", ".yaml"))
            or posixpath.basename(p) in ("Makefile", "justfile")
        )
        and facts.mentions(p, base)
    ]
    loader = re.compile(rf"load_job\(.*{re.escape(base)}")
    for where, number, _text in facts.grep(re.compile(f"{named.pattern}|{loader.pattern}"), texts):
        detail = f"{label} submitted from {where}:{number}"
        return Evidence(ITEM, detail, path, line, "config", "manual")
    return Hint(ITEM, f"{label} at {path} is never submitted (no `az ml job create`); not credited")


def managed_tuning(facts: Facts) -> Iterator[Evidence | Hint]:
    """All managed-service tuning evidence and hints."""
    yield from sagemaker_tuners(facts)
    yield from vertex_tuning(facts)
    yield from azure_sweeps(facts)
    yield from sweep_yamls(facts)
