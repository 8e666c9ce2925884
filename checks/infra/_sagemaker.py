"""SageMaker Pipelines read from their definition code: the `ConditionStep` that gates model
registration on an evaluation metric (infra-4).

A pipeline definition is code that builds a DAG; the platform runs it. So the evidence is tied
to the function that defines the pipeline (`get_pipeline`), and scoring grades it automated
when automation executes that definition (the AutomationMap's SageMaker Pipelines roots).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ml_readiness.checks.infra._shared import function_node, is_metric_text, module_node
from ml_readiness.checks.model._sagemaker_steps import callee, kw

from ml_readiness.facts import Facts
from ml_readiness.facts.python import MODULE, PythonFacts

OPERATORS = {
    "ConditionGreaterThan": ">",
    "ConditionGreaterThanOrEqualTo": ">=",
    "ConditionLessThan": "<",
    "ConditionLessThanOrEqualTo": "<=",
}
REGISTER_STEPS = {"RegisterModel", "ModelStep", "CreateModelStep", "TransformStep"}
PARAMETERS = {"ParameterFloat", "ParameterInteger"}


@dataclass(frozen=True)
class ConditionGate:
    """A `ConditionStep` whose passing branch registers (or creates) the model."""

    path: str
    line: int
    symbol: str | None
    condition: str  # `rmse <= 7.0`
    step: str  # the registration step in `if_steps`


def condition_gates(facts: Facts, path: str, pf: PythonFacts) -> list[ConditionGate]:
    """SageMaker `ConditionStep(conditions=[Condition<op>(left=JsonGet(...), right=<n>)],
    if_steps=[<RegisterModel|ModelStep|CreateModelStep|TransformStep>])` in one file."""
    out = []
    for call in pf.calls:
        if call.attr != "ConditionStep" or not call.qualified.startswith("sagemaker"):
            continue
        fn = pf.function(call.scope)
        if fn is not None:
            parsed = function_node(facts, path, fn)
            node, offset = parsed if parsed else (None, 0)
        else:
            node, offset = module_node(facts, path), 0
        if node is None:
            continue
        bound = _assignments(node)
        step = next(
            (
                sub
                for sub in ast.walk(node)
                if isinstance(sub, ast.Call)
                and callee(sub.func) == "ConditionStep"
                and sub.lineno + offset == call.line
            ),
            None,
        )
        if step is None:
            continue
        registers = [callee(s) for s in _items(kw(step, "if_steps"), bound)]
        register = next((r for r in registers if r in REGISTER_STEPS), None)
        conditions = [_condition(c, bound) for c in _items(kw(step, "conditions"), bound)]
        condition = next((c for c in conditions if c), None)
        if register and condition:
            symbol = fn.qualname if fn else (None if call.scope == MODULE else call.scope)
            out.append(ConditionGate(path, call.line, symbol, condition, register))
    return out


def _assignments(node: ast.AST) -> dict[str, ast.expr]:
    """name → value of the simple assignments in a function (or module)."""
    out: dict[str, ast.expr] = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
            target = sub.targets[0]
            if isinstance(target, ast.Name):
                out[target.id] = sub.value
    return out


def _items(value: ast.expr | None, bound: dict[str, ast.expr]) -> list[ast.expr]:
    """The elements of a list argument, names replaced by what they are bound to."""
    if isinstance(value, ast.Name):
        value = bound.get(value.id, value)
    elts = value.elts if isinstance(value, ast.List | ast.Tuple) else [value] if value else []
    return [bound.get(e.id, e) if isinstance(e, ast.Name) else e for e in elts]


def _condition(node: ast.expr, bound: dict[str, ast.expr]) -> str | None:
    """`rmse <= 7.0` for `ConditionLessThanOrEqualTo(left=JsonGet(..., json_path="...rmse..."),
    right=7.0)`; None when one side is not a metric read or the other not a threshold."""
    if not isinstance(node, ast.Call):
        return None
    op = OPERATORS.get(callee(node))
    left, right = kw(node, "left"), kw(node, "right")
    if op is None or left is None or right is None:
        return None
    metric_left = _metric(left, bound)
    metric, other = (metric_left, right) if metric_left else (_metric(right, bound), left)
    if metric is None:
        return None
    if not metric_left:  # `7.0 >= rmse` reads as `rmse <= 7.0`
        op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}[op]
    bound_value = _threshold(other, bound)
    return f"{metric} {op} {bound_value}" if bound_value else None


def _metric(node: ast.expr, bound: dict[str, ast.expr]) -> str | None:
    """The metric path of a `JsonGet(json_path="regression_metrics.rmse.value")`."""
    if isinstance(node, ast.Name):
        node = bound.get(node.id, node)
    if not isinstance(node, ast.Call) or callee(node) != "JsonGet":
        return None
    path = kw(node, "json_path")
    if isinstance(path, ast.Constant) and isinstance(path.value, str):
        parts = [p for p in path.value.split(".") if p not in ("value", "metrics")]
        name = next((p for p in reversed(parts) if is_metric_text(p)), path.value)
        return name if is_metric_text(path.value) else None
    return "evaluation metric"


def _threshold(node: ast.expr, bound: dict[str, ast.expr]) -> str | None:
    """A numeric literal, a name bound to one, or a ParameterFloat with a default."""
    label = None
    if isinstance(node, ast.Name):
        label, node = node.id, bound.get(node.id, node)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            return None
        return f"{label} ({node.value})" if label else str(node.value)
    if isinstance(node, ast.Call) and callee(node) in PARAMETERS:
        name = kw(node, "name")
        default = kw(node, "default_value")
        shown = name.value if isinstance(name, ast.Constant) else label or "parameter"
        if isinstance(default, ast.Constant) and isinstance(default.value, int | float):
            return f"{shown} (default {default.value})"
        return str(shown)
    return None
