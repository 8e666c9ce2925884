"""Which functions run on the serving path, and what a single-example function returns.

A `predict_one` that a web route or batch job calls is how the service answers a request; on
its own it is serving, not a way to debug one example (infra-5), and it is model code that a
unit test can exercise (infra-2). Serving reach is the static call graph from every serving
entry point, plus the functions a reached function calls by method name (`get_predictor()
.predict_one(x)` is resolved by its attribute name, since the receiver's type is unknown).
"""

from __future__ import annotations

import ast
import re
import textwrap

from ml_readiness.entrypoints import EntryPoint, reachable_functions, serving_entry_points
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Function, PythonFacts

# returned names or keys that show how the model reached the prediction: an explanation,
# per-feature contributions or reason codes, intermediate values (a second model's score next
# to the first, as a shadow comparison returns, is monitoring, not a look inside the model)
INTERMEDIATE = re.compile(
    r"(?i)explan|shap|contrib|attribut|importance|logit|activation|embedding|intermediate"
    r"|hidden|attention|debug|trace|reason|features?$"
)


# calls that run a model, an explainer or a predictor on an input
MODEL_CALL_ATTRS = frozenset(
    {
        "predict", "predict_proba", "predict_one", "forward", "run", "generate", "infer",
        "shap_values", "explain", "explain_instance", "attribute", "decision_function",
        "transform", "score", "__call__", "invoke", "encode", "classify",
    }
)  # fmt: skip
NOT_MODEL_ATTRS = frozenset(
    {
        "search", "match", "fullmatch", "findall", "finditer", "sub", "format", "get", "append",
        "join", "split", "strip", "lower", "upper", "items", "keys", "values", "startswith",
        "endswith", "replace", "echo", "print", "info", "debug", "warning", "error",
    }
)  # fmt: skip
MODEL_OBJECT = re.compile(
    r"(?i)model|explain|predict|infer|forward|shap|lime|captum|contrib|attribut|pipeline"
    r"|session|estimator|network"
)


def touches_model(pf: PythonFacts, fn: Function) -> bool:
    """True when `fn` (or a function nested in it) calls a model, explainer or predictor:
    `model.predict(x)`, `self.model(x)`, `shap.TreeExplainer(m)`, `session.run(...)`."""
    scoped = [
        c for c in pf.calls if c.scope == fn.qualname or c.scope.startswith(fn.qualname + ".")
    ]
    return any(c.attr in MODEL_CALL_ATTRS or _model_object(c.name) for c in scoped)


def _model_object(name: str) -> bool:
    """`self.model(x)`, `explainer.shap_values`, `TreeExplainer(...)`; not a constant such as
    `MODEL_TERMS.search` or a string helper such as `model_name.lower`."""
    *owners, attr = name.split(".")
    if attr in NOT_MODEL_ATTRS:
        return False
    return any(MODEL_OBJECT.search(part) and not part.isupper() for part in [*owners, attr])


def serving_reach(facts: Facts) -> dict[tuple[str, str], EntryPoint]:
    """(path, qualname) of every repository function a serving entry point executes, mapped to
    the first entry that reaches it (computed once per audit)."""
    return facts.memo("infra.serving_reach", _serving_reach)


def _serving_reach(facts: Facts) -> dict[tuple[str, str], EntryPoint]:
    out: dict[tuple[str, str], EntryPoint] = {}
    for entry in serving_entry_points(facts):
        for node in sorted(reachable_functions(facts, entry)):
            out.setdefault(node, entry)
    return out


def serving_caller(facts: Facts, path: str, fn: Function) -> EntryPoint | None:
    """The serving entry point that calls `fn` (directly through the call graph, or through a
    reached function calling a method of that name), or None."""
    reach = serving_reach(facts)
    if (path, fn.qualname) in reach:
        return reach[(path, fn.qualname)]
    if fn.class_name is None:
        return None
    for (rpath, qualname), entry in sorted(reach.items()):
        pf = facts.python(rpath)
        if pf and any(c.scope == qualname and c.attr == fn.name for c in pf.calls):
            return entry
    return None


def returned_names(facts: Facts, path: str, fn: Function) -> list[str] | None:
    """The names and literal dict keys that `fn`'s return statements hand back (`return
    {"prediction": p, "shap": s}` gives prediction, shap), or None when the source cannot be
    read."""
    lines = facts.lines(path)[fn.line - 1 : fn.end_line]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith(("def ", "async "))), 0)
    try:
        tree = ast.parse(textwrap.dedent("\n".join(lines[start:])))
    except SyntaxError:
        return None
    names: list[str] = []
    top = tree.body[0] if tree.body else None
    for node in ast.walk(top) if top else ():
        if isinstance(node, ast.Return) and node.value is not None:
            names += _value_names(node.value)
    return [str(n) for n in names]


def _value_names(value: ast.expr) -> list[str]:
    """What a returned value is made of: a dict's literal keys, a tuple's parts, a variable's
    or attribute's name, a constructor's keyword names (`Result(score=s, reason=r)`)."""
    if isinstance(value, ast.Dict):
        return [str(k.value) for k in value.keys if isinstance(k, ast.Constant)]
    if isinstance(value, (ast.Tuple, ast.List)):
        return [n for elt in value.elts for n in _value_names(elt)]
    if isinstance(value, ast.Name):
        return [value.id]
    if isinstance(value, ast.Attribute):
        return [value.attr]
    if isinstance(value, ast.Call):
        return [k.arg for k in value.keywords if k.arg]
    return ["…"]  # a computed value (`"refer" if p > t else "approve"`): shown, never matched


def exposed_intermediate(facts: Facts, path: str, fn: Function) -> str | None:
    """The first returned name or key that shows more than the prediction, or None."""
    names = returned_names(facts, path, fn) or []
    return next((n for n in names if INTERMEDIATE.search(n)), None)
