"""infra-4: a gate blocks a model below thresholds (or worse than the current one)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import is_metric_text, metric_guards, scope_at

from ml_readiness.checklib import call_evidence, find_calls, live_tests, test_evidence
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import PythonFacts
from ml_readiness.registry import check

_ASSERT = re.compile(r"^\s*assert\s+(?P<cond>.+?(?:<=|>=|<|>).+?)\s*(?:,.*)?$")
UNITTEST_COMPARE = {
    "assertGreater": ">",
    "assertGreaterEqual": ">=",
    "assertLess": "<",
    "assertLessEqual": "<=",
}
THRESHOLD_CALLS = (
    "tensorflow_model_analysis.GenericValueThreshold",
    "tensorflow_model_analysis.GenericChangeThreshold",
    "tensorflow_model_analysis.config.GenericValueThreshold",
    "tensorflow_model_analysis.config.GenericChangeThreshold",
    "tensorflow_model_analysis.MetricThreshold",
)


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

    In non-test code: an `if` comparing a metric (auc, accuracy, f1, rmse, loss, score...)
    whose body calls `sys.exit(1)`/raises (the job fails, so nothing is pushed), or whose body
    registers/promotes the model (`register_model`, `transition_model_version_stage`,
    `set_registered_model_alias`, `create_model_package`). The detail quotes the threshold.
    """
    found = False
    evaluated: list[str] = []
    tokens = ("exit", "raise", "register", "transition", "alias", "promote", "deploy")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        for guard in metric_guards(facts, path, pf):
            found = True
            cond = _resolve_names(guard.condition, pf)
            if guard.action == "fails":
                detail = f"evaluation fails the job when {cond}"
            else:
                detail = f"model is registered/promoted only when {cond}"
            symbol = scope_at(pf, guard.action_line)
            yield Evidence("infra-4", detail, path, guard.line, "code", symbol=symbol)
    for path, pf in facts.python_files(mentions=("metric", "score", "evaluate"), tests=False):
        if any(c.attr in ("log_metric", "log_metrics", "evaluate", "score") for c in pf.calls):
            evaluated.append(path)
    if not found and evaluated:
        yield Hint(
            "infra-4",
            f"metrics are computed in {', '.join(evaluated[:3])} but nothing fails or blocks "
            "promotion on them",
        )


@check("infra-4")
def metric_assertions_in_tests(facts: Facts) -> Iterator[Evidence]:
    """Tests asserting that model metrics meet a threshold.

    `assert accuracy >= 0.9` (or `assertGreater(auc, 0.8)`) inside a live test: when CI runs
    the test, a weak model fails the build.
    """
    for path, pf in facts.python_files(mentions=("assert",), tests=True):
        lines = facts.lines(path)
        for fn in live_tests(pf):
            cond = None
            for number in range(fn.line, min(fn.end_line, len(lines)) + 1):
                m = _ASSERT.match(lines[number - 1])
                if m and is_metric_text(m.group("cond")):
                    cond = m.group("cond")
                    break
            if cond is None:
                for c in pf.calls:
                    op = UNITTEST_COMPARE.get(c.attr)
                    in_fn = c.scope == fn.qualname
                    if op and in_fn and len(c.args) >= 2 and is_metric_text(str(c.args[0])):
                        cond = f"{str(c.args[0]).lstrip('$')} {op} {c.args[1]}"
                        break
            if cond:
                detail = f"test asserts {_resolve_names(cond, pf)}"
                yield test_evidence("infra-4", path, fn, detail)


@check("infra-4")
def platform_validation_gate(facts: Facts) -> Iterator[Evidence]:
    """TFX Evaluator with thresholds (blessing) and MLflow validation thresholds.

    TFX `Evaluator(eval_config=...)` in a file that sets `GenericValueThreshold` or
    `GenericChangeThreshold` (the Pusher ships only a blessed model); MLflow
    `mlflow.validate_evaluation_results`, `mlflow.evaluate(..., validation_thresholds=...)` and
    `MetricThreshold(threshold=...)`.
    """
    for path, pf in facts.python_files(mentions=("Evaluator",), notebooks=True):
        evaluators = [c for c in pf.calls if c.attr == "Evaluator" and c.has_kw("eval_config")]
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
