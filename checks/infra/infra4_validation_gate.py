"""infra-4: a gate blocks a model below thresholds (or worse than the current one)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.data._shared import tfx_component_unused
from ml_readiness.checks.infra._gates import (
    PROMOTE_CALL,
    constants,
    evaluation_context,
    gate_comparison,
    gates,
    promotion_step,
)
from ml_readiness.checks.infra._llm_eval import (
    LLM_METRIC,
    asserted_gate,
    evaluates_system,
    framework_gate,
    system_outputs,
)
from ml_readiness.checks.infra._sagemaker import condition_gates
from ml_readiness.checks.infra._shared import (
    function_node,
    function_source,
    gpu_only,
    is_metric_text,
    library_hint,
    module_node,
    scope_at,
    training_entry_points,
)
from ml_readiness.checks.infra.infra4_recorded_verdict import recorded_verdict_gate

from ml_readiness.automation.callgraph import CallGraph
from ml_readiness.checklib import call_evidence, find_calls, live_tests, test_evidence
from ml_readiness.entrypoints import serving_entry_points
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import PythonFacts
from ml_readiness.registry import check

_CMP_LINE = re.compile(r"[^-=<>]\s*(?:<=?|>=?)\s*[^<>=]")
KFP_CONDITIONS = ("kfp.dsl.Condition", "kfp.dsl.If", "kfp.v2.dsl.Condition", "kfp.dsl.Elif")
THRESHOLD_CALLS = (
    "tensorflow_model_analysis.GenericValueThreshold",
    "tensorflow_model_analysis.GenericChangeThreshold",
    "tensorflow_model_analysis.config.GenericValueThreshold",
    "tensorflow_model_analysis.config.GenericChangeThreshold",
    "tensorflow_model_analysis.MetricThreshold",
)


def _maybe_gate(line: str) -> bool:
    """Cheap filter: a comparison naming a metric, or a conditional expression (`"promoted" if
    challenger < champion else "rejected"`) whose operands may hold metric values."""
    return is_metric_text(line) or (" if " in line and " else " in line)


def _resolve_names(condition: str, pf: PythonFacts) -> str:
    """`auc < MIN_AUC` → `auc < MIN_AUC (0.85)` using module-level literal constants."""
    values = {a.name: a.value for a in pf.assigns if isinstance(a.value, int | float)}
    for name in re.findall(r"\b[A-Z][A-Z0-9_]*\b", re.sub(r"(['\"]).*?\1", "", condition)):
        if name in values and not isinstance(values[name], bool):
            return condition.replace(name, f"{name} ({values[name]})", 1)
    return condition


def _threshold_text(value: object) -> str:
    if isinstance(value, tuple):
        pairs = [f"{k}={v}" for k, v in value if isinstance(k, str) and isinstance(v, int | float)]
        return ", ".join(pairs)
    return str(value) if isinstance(value, int | float) else ""


@check("infra-4")
def metric_gate_in_code(facts: Facts) -> Iterator[Evidence | Hint]:
    """An evaluation step that fails, or a promotion that happens only, on metric thresholds.

    In non-test code where a model is evaluated or promoted (training code, a pipeline step, an
    evaluate/validate/gate/promote-named script or function, or a file such a script imports):
    an `if` comparing a model-quality metric (auc, accuracy, f1, rmse, wmape, loss, score,
    relative improvement...) with a real threshold: a named threshold or constant
    (`MIN_AUC`, `wmape_threshold`, `champion_rmse`), a config value (`cfg.min_auc`) or a
    literal other than 0/1 and tiny tolerances. The branch must stop the push: raise or
    `sys.exit(1)`, register/promote only in the passing branch, append to a reasons list that
    decides `approved = not reasons`, or return before the registration. Sanity checks such as
    `if precision <= 0: raise` or `if len(metrics) > 0` are not gates. The detail quotes the
    threshold.
    """
    found = False
    evaluated: list[str] = []
    tokens = ("exit", "raise", "register", "transition", "alias", "promote", "deploy", "append")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        lines = facts.lines(path) if path.endswith(".py") else []
        if not any(_CMP_LINE.search(line) and _maybe_gate(line) for line in lines):
            continue
        tree = module_node(facts, path)
        for gate in gates(facts, path, pf, tree) if tree else ():
            where = gate.context or evaluation_context(facts, path, gate.function)
            if where is None:
                continue
            found = True
            detail = {
                "fails": f"evaluation fails the job when {gate.condition}",
                "promotes": f"model is registered/promoted only when {gate.condition}",
                "rejects": f"promotion is rejected when {gate.condition} (reasons decide approval)",
                "skips": f"registration is skipped when {gate.condition}",
            }[gate.action]
            symbol = gate.function or scope_at(pf, gate.line)
            late = _registered_before(facts).get((path, symbol))
            if late:
                detail += f" (KFP pipeline {late[1]} runs it after {late[0]} registers the model)"
                yield Evidence("infra-4", detail, path, gate.line, "code", "manual", symbol)
                yield Hint(
                    "infra-4",
                    f"{path}:{gate.line}: the gate runs after registration ({late[0]} registers "
                    f"the model earlier in the KFP pipeline {late[1]}), so it does not stop a "
                    "failing model from being registered; manual only",
                )
                continue
            yield Evidence("infra-4", detail, path, gate.line, "code", symbol=symbol)
    for path, pf in facts.python_files(mentions=("Condition", "dsl.If"), tests=False):
        for evidence in _kfp_condition_gates(facts, path, pf):
            found = True
            yield evidence
    for path, pf in facts.python_files(mentions=("metric", "score", "evaluate"), tests=False):
        if any(c.attr in ("log_metric", "log_metrics", "evaluate", "score") for c in pf.calls):
            evaluated.append(path)
    if not found and evaluated:
        yield Hint(
            "infra-4",
            f"metrics are computed in {', '.join(evaluated[:3])} but nothing fails or blocks "
            "promotion on them",
        )
    elif not found and not any(
        isinstance(e, Evidence)
        for e in (*platform_validation_gate(facts), *recorded_verdict_gate(facts))
    ):
        yield Hint(
            "infra-4",
            "no model validation gate found: looked for evaluation or promotion code that "
            "raises, exits or skips registration when a metric misses a threshold "
            "(`if auc < MIN_AUC: sys.exit(1)`), KFP dsl.Condition and SageMaker ConditionStep "
            "gates before registration, TFX Evaluator thresholds, MLflow validation thresholds, "
            "and live tests asserting metric thresholds",
        )


def _registers(facts: Facts, node: tuple[str, str]) -> bool:
    """The component function registers, promotes or pushes the model."""
    pf = facts.python(node[0])
    if pf is None:
        return False
    inner = [c for c in pf.calls if c.scope == node[1] or c.scope.startswith(node[1] + ".")]
    return any(
        PROMOTE_CALL.match(c.attr) or (c.attr == "log_model" and c.has_kw("registered_model_name"))
        for c in inner
    )


def _registered_before(facts: Facts) -> dict[tuple[str, str], tuple[str, str]]:
    """KFP component (path, function) → (component that registers the model earlier in the
    same `@dsl.pipeline`, that pipeline's name): a gate there does not protect registration."""

    def compute(f: Facts) -> dict[tuple[str, str], tuple[str, str]]:
        out: dict[tuple[str, str], tuple[str, str]] = {}
        graph = None
        for path, pf in f.python_files(mentions=("dsl.pipeline", "dsl import"), tests=False):
            for fn in pf.functions:
                if not any(d.startswith("kfp") and d.endswith(".pipeline") for d in fn.decorators):
                    continue
                graph = graph or CallGraph(f)
                registrar = None
                for task in graph.pipeline_tasks((path, fn.qualname)):
                    if registrar is not None:
                        out.setdefault(task, (registrar, fn.qualname))
                    elif _registers(f, task):
                        registrar = task[1]
        return out

    return facts.memo("infra.kfp_registered_before", compute)


@check("infra-4")
def metric_assertions_in_tests(facts: Facts) -> Iterator[Evidence | Hint]:
    """Tests asserting that model metrics meet a threshold.

    `assert accuracy >= 0.9` (or `assertGreater(auc, MIN_AUC)`) inside a live test: when CI
    runs the test, a weak model fails the build. The threshold must be real: a literal other
    than 0/1 and tiny tolerances, a named threshold or constant, a config value, or a
    baseline/champion value. `accuracy > 0.0`, `0 <= auc <= 1`, one run compared with another
    (`metric_1 < metric_2`) and formula checks (`abs(rmse(y, p) - 3.5) < 1e-9`) are not
    quality gates. A test that runs only with a GPU earns manual at most.

    LLM/RAG applications: RAGAS-style scores (`scores["faithfulness"] >= 0.75`), DeepEval
    `assert_test(case, [Metric(threshold=0.7)])` / `assert metric.is_successful()` and
    LlamaIndex `assert result.passing` are gates too, but only when the evaluated answers come
    from calling the project's own code in the test or its fixtures: scoring literal strings
    tests the metric, not the system. A repository with neither a training nor a serving entry
    point (an ML library's own test suite) earns nothing; one that serves but does not train
    needs the same proof that the system's outputs are evaluated.
    """
    library: list[str] = []
    literal: list[str] = []
    trains = bool(training_entry_points(facts))
    app = trains or bool(serving_entry_points(facts))
    for path, pf in facts.python_files(mentions=("assert",), tests=True):
        consts = constants(pf)
        for fn in live_tests(pf):
            found = asserted_gate(facts, path, fn, consts)
            llm = found is not None and bool(LLM_METRIC.search(found[0]))
            if found is None:
                found = framework_gate(facts, path, pf, fn, consts)
                llm = found is not None
            if found is None:
                continue
            cond, checked = found
            if not app:
                library.append(f"{path}:{fn.line} ({cond})")
                continue
            if (llm or not trains) and not evaluates_system(
                checked, system_outputs(facts, path, pf, fn)
            ):
                literal.append(f"{path}:{fn.line} ({cond})")
                continue
            detail = f"test asserts {cond}"
            gpu = gpu_only(pf, fn)
            if gpu is not None:
                detail += f" (runs only with a GPU: {gpu}; CI runners are CPU-only)"
                yield Evidence("infra-4", detail, path, fn.line, "test", "manual", fn.qualname)
                continue
            yield test_evidence("infra-4", path, fn, detail)
    if library:
        yield library_hint("infra-4", "tests assert metric thresholds", library)
    if literal:
        yield Hint(
            "infra-4",
            "tests assert evaluation thresholds on fixed strings or values written in the "
            "test, not on outputs of the project's own code (evaluates fixed strings, not the "
            f"system); not credited: {', '.join(literal[:3])}",
        )


def _kfp_condition_gates(facts: Facts, path: str, pf: PythonFacts) -> Iterator[Evidence]:
    """KFP: `with dsl.Condition(eval_task.outputs["passed"] == True): register(...)` where the
    evaluation component compares a metric with a threshold parameter."""
    for call in pf.calls_to(*KFP_CONDITIONS):
        fn = pf.function(call.scope)
        parsed = function_node(facts, path, fn) if fn else None
        if parsed is None:
            continue
        node, offset = parsed
        for block in ast.walk(node):
            if not isinstance(block, ast.With) or block.lineno + offset != call.line:
                continue
            test = block.items[0].context_expr
            body = [
                ast.unparse(c.func).rsplit(".", 1)[-1]
                for stmt in block.body
                for c in ast.walk(stmt)
                if isinstance(c, ast.Call)
            ]
            step = next((b for b in body if promotion_step(b)), None)
            task = _task_of(test)
            component = _component_of(node, task) if task else None
            found = _component_gate(facts, path, pf, component) if component else None
            if step and found:
                cond, where = found
                detail = f"pipeline runs `{step}` only when `{component}` passes: {cond} ({where})"
                yield Evidence("infra-4", detail, path, call.line, "code", symbol=fn.qualname)


def _task_of(test: ast.expr) -> str | None:
    """`eval_step` in `eval_step.outputs["passed"] == True`."""
    for sub in ast.walk(test):
        output = isinstance(sub, ast.Attribute) and sub.attr in ("outputs", "output")
        if output and isinstance(sub.value, ast.Name):
            return sub.value.id
    return None


def _component_of(pipeline: ast.AST, task: str) -> str | None:
    """The component called to make `task` (`eval_step = evaluate(...)` → `evaluate`)."""
    for sub in ast.walk(pipeline):
        made = isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Call)
        if made and any(isinstance(t, ast.Name) and t.id == task for t in sub.targets):
            return ast.unparse(sub.value.func).rsplit(".", 1)[-1]
    return None


def _component_gate(facts: Facts, path: str, pf: PythonFacts, name: str) -> tuple[str, str] | None:
    """(comparison, location) of a metric-vs-threshold comparison in component `name`."""
    index = module_index(facts)
    files = [(path, pf)]
    for imp in pf.imports:
        if imp.alias == name:
            for target in index.resolve(path, imp):
                other = facts.python(target)
                if other is not None:
                    files.append((target, other))
    for where, other in files:
        fn = next((f for f in other.functions if f.qualname == name), None)
        parsed = function_node(facts, where, fn) if fn else None
        if parsed is None:
            continue
        node, offset = parsed
        consts = constants(other)
        source = function_source(facts, node)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Compare):
                cond = gate_comparison(sub, consts, source)
                if cond:
                    return cond, f"{where}:{sub.lineno + offset}"
    return None


@check("infra-4")
def platform_validation_gate(facts: Facts) -> Iterator[Evidence | Hint]:
    """TFX Evaluator with thresholds (blessing) and MLflow validation thresholds.

    TFX `Evaluator(eval_config=...)` in a file that sets `GenericValueThreshold` or
    `GenericChangeThreshold` (the Pusher ships only a blessed model); MLflow
    `mlflow.validate_evaluation_results`, `mlflow.evaluate(..., validation_thresholds=...)` and
    `MetricThreshold(threshold=...)`; SageMaker Pipelines `ConditionStep` whose condition
    compares an evaluation metric (`JsonGet` of the evaluation report) with a threshold and
    whose `if_steps` register or create the model (tied to the function defining the pipeline:
    automated when automation executes that definition). A TFX Evaluator that is built but
    never handed to the pipeline (the TFX templates leave `# components.append(evaluator)`
    commented out until a tutorial step enables it) blesses nothing: a hint, not credit.
    """
    for path, pf in facts.python_files(mentions=("ConditionStep",), tests=False):
        for gate in condition_gates(facts, path, pf):
            detail = (
                f"SageMaker ConditionStep runs {gate.step} only when {gate.condition} "
                "(pipeline definition)"
            )
            yield Evidence("infra-4", detail, path, gate.line, "code", symbol=gate.symbol)
    for path, pf in facts.python_files(mentions=("Evaluator",), notebooks=True):
        built = [c for c in pf.calls if c.attr == "Evaluator" and c.has_kw("eval_config")]
        evaluators = [c for c in built if tfx_component_unused(facts, path, c) is None]
        for call in built if not evaluators else ():
            name = tfx_component_unused(facts, path, call)
            yield Hint(
                "infra-4",
                f"{path}:{call.line}: TFX Evaluator `{name}` is built but never added to the "
                "pipeline's components (no `components.append`/`components=[...]` in code uses "
                "it), so nothing is blessed or gated; not credited",
            )
        thresholds = pf.calls_to(*THRESHOLD_CALLS) or [
            c for c in pf.calls if c.attr in ("GenericValueThreshold", "GenericChangeThreshold")
        ]
        if evaluators and thresholds:
            bounds = [t for t in (_threshold_text(c.kw("lower_bound")) for c in thresholds) if t]
            detail = f"TFX Evaluator blesses the model only above thresholds ({thresholds[0].attr}"
            detail += f" {bounds[0]})" if bounds else ")"
            pushes = any(c.attr == "Pusher" and c.has_kw("model_blessing") for c in pf.calls)
            if pushes:
                detail += "; Pusher requires the blessing"
            yield call_evidence("infra-4", path, evaluators[0], detail)
    for path, call in find_calls(facts, "mlflow.validate_evaluation_results"):
        yield call_evidence("infra-4", path, call, "MLflow validates evaluation results")
    for path, call in find_calls(facts, "mlflow.evaluate", mentions=("validation_thresholds",)):
        if call.has_kw("validation_thresholds"):
            detail = "mlflow.evaluate with validation_thresholds (fails below them)"
            yield call_evidence("infra-4", path, call, detail)
    for path, call in find_calls(facts, "mlflow.models.MetricThreshold"):
        if is_test_path(path):
            continue
        threshold = call.kw("threshold")
        detail = "MLflow MetricThreshold"
        if isinstance(threshold, int | float):
            better = call.kw("greater_is_better")
            detail += f" (fails when the metric is {'below' if better else 'beyond'} {threshold})"
        yield call_evidence("infra-4", path, call, detail)
