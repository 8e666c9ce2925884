"""Candidate competitions that include a simple model (model-5): a training function fits a
linear/logistic/dummy model next to more complex estimators and keeps the winner by a metric.
The simple model is the baseline every complex candidate must beat to be picked. No check is
registered here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.model._shared import (
    call_at,
    is_metric_call,
    repo_functions,
    scope_calls,
)
from ml_readiness.checks.model._unused_class import unused_method

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import MAIN, MODULE, Call, PythonFacts

SIMPLE = (
    "sklearn.linear_model.LogisticRegression",
    "sklearn.linear_model.LinearRegression",
    "sklearn.linear_model.Ridge",
    "sklearn.linear_model.Lasso",
    "sklearn.linear_model.ElasticNet",
    "sklearn.dummy.DummyClassifier",
    "sklearn.dummy.DummyRegressor",
    "pyspark.ml.classification.LogisticRegression",
    "pyspark.ml.regression.LinearRegression",
)
SIMPLE_TOKENS = ("LogisticRegression", "LinearRegression", "Ridge", "Lasso", "ElasticNet", "Dummy")
# estimators more complex than a linear model, by library or by class name
COMPLEX_MODULES = (
    "sklearn.ensemble.",
    "sklearn.svm.",
    "sklearn.neighbors.",
    "sklearn.tree.",
    "sklearn.neural_network.",
    "xgboost.",
    "lightgbm.",
    "catboost.",
    "pyspark.ml.classification.",
    "pyspark.ml.regression.",
)
COMPLEX_NAME = re.compile(
    r"^(?!Logistic|Linear|Ridge|Lasso|SGD|Dummy|ElasticNet|Perceptron|PassiveAggressive)"
    r"\w*(Classifier|Regressor)$|^(XGB|LGBM|CatBoost)\w+$|^(Nu)?SV[CR]$"
)
FIT_CALLS = frozenset({"fit", "cross_val_score", "cross_validate", "fit_transform"})
# picking the winner: `max(scores, key=scores.get)`, `sorted(results, key=...)`,
# `results.sort_values("auc")`, `scores.idxmax()`
PICKERS = frozenset({"max", "min", "sorted", "sort"})
FRAME_PICKERS = frozenset({"idxmax", "idxmin", "sort_values", "nlargest", "nsmallest"})
RANKED = re.compile(
    r"auc|acc|f1|precision|recall|rmse|mse|mae|mape|loss|score|error|r2|metric|result|"
    r"leaderboard|performance",
    re.I,
)
METRIC_WORDS = re.compile(
    r"auc|acc|f1|precision|recall|rmse|mse|mae|mape|loss|score|error|r2|metric", re.I
)


def _is_complex(call: Call) -> bool:
    if call.qualified in SIMPLE or not call.attr[:1].isupper():
        return False
    if not COMPLEX_NAME.search(call.attr):
        return False
    return call.qualified.startswith(COMPLEX_MODULES) or call.qualified != call.name


def _helper_does(facts: Facts, known: dict, calls: list[Call], wanted) -> bool:
    """True when a repo function called here makes a call `wanted` accepts."""
    for c in calls:
        if c.attr not in known:
            continue
        where, qual = known[c.attr]
        other = facts.python(where)
        if other is not None and any(wanted(x) for x in scope_calls(other, qual)):
            return True
    return False


def _best_updates(facts: Facts, path: str) -> list[tuple[int, str]]:
    """(line, condition) of each `if <metric> > best...:` whose body keeps a new best
    (`best_metric = score`, `self.best_model = model`), in a `.py` file."""

    def build(f: Facts) -> list[tuple[int, str]]:
        tree = f.syntax_tree(path) if path.endswith(".py") else None
        source = f.text(path) or ""
        out: list[tuple[int, str]] = []
        for node in ast.walk(tree) if tree is not None else ():
            if not isinstance(node, ast.If):
                continue
            ordered = any(
                isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE)
                for c in ast.walk(node.test)
                if isinstance(c, ast.Compare)
                for op in c.ops
            )
            test = ast.get_source_segment(source, node.test) or ast.unparse(node.test)
            if not ordered or not ("best" in test.lower() and METRIC_WORDS.search(test)):
                continue
            keeps = any(
                isinstance(sub, ast.Assign)
                and any("best" in ast.unparse(t).lower() for t in sub.targets)
                for stmt in node.body
                for sub in ast.walk(stmt)
            )
            if keeps:
                out.append((node.lineno, " ".join(test.split())))
        return sorted(out)

    return facts.memo(f"model:best-updates:{path}", build)


def _picks_metric(call: Call) -> bool:
    """`max(scores, key=scores.get)`, `results.sort_values("auc")`, `scores.idxmax()`: the
    ranked values (receiver or arguments) are named after a metric or results."""
    words = " ".join(str(v) for v in (*call.args, *(v for _, v in call.kwargs)))
    receiver = call.name.rsplit(".", 1)[0] if "." in call.name else ""
    return bool(RANKED.search(receiver) or RANKED.search(words))


def _selection(
    facts: Facts, path: str, pf: PythonFacts, scope: str, calls: list[Call]
) -> str | None:
    """How the function keeps the best candidate, or None."""
    for line, text in _best_updates(facts, path):
        if _inside(pf, scope, line):
            return f"`if {text[:60]}`"
    for c in calls:
        plain = c.attr in PICKERS and c.name == c.attr and c.has_kw("key")
        frame = c.attr in FRAME_PICKERS and "." in c.name
        if (plain or frame) and _picks_metric(c):
            return f"`{c.name}(...)`"
    return None


def _inside(pf: PythonFacts, scope: str, line: int) -> bool:
    """True when `line` belongs to `scope` (module-level code: outside every function)."""
    if scope in (MODULE, MAIN):
        return not any(f.line <= line <= f.end_line for f in pf.functions)
    fn = pf.function(scope)
    return fn is not None and fn.line <= line <= fn.end_line


def candidate_competitions(facts: Facts, item: str) -> Iterator[Evidence | Hint]:
    """Evidence at the simple model of each training function that fits it next to more
    complex estimators (directly or through a repo helper that calls `.fit`) and keeps the
    best by a metric (`if score > best_score`, `max(..., key=...)`, `sorted(..., key=...)`,
    `idxmax`/`sort_values` on a results frame). A method of a class nothing uses earns a hint."""
    for path, pf in facts.python_files(mentions=SIMPLE_TOKENS, notebooks=True, tests=False):
        if is_test_path(path):
            continue
        known = repo_functions(facts, path, pf)
        done: set[str] = set()
        for simple in pf.calls_to(*SIMPLE):
            scope = MODULE if simple.scope == MAIN else simple.scope
            if scope in done:
                continue
            calls = scope_calls(pf, scope)
            rivals = sorted({c.attr for c in calls if _is_complex(c)})
            if not rivals:
                continue
            fitted = any(c.attr in FIT_CALLS for c in calls) or _helper_does(
                facts, known, calls, lambda c: c.attr in FIT_CALLS
            )
            scored = any(is_metric_call(c) for c in calls) or _helper_does(
                facts, known, calls, is_metric_call
            )
            picked = _selection(facts, path, pf, scope, calls)
            if not (fitted and scored and picked):
                continue
            done.add(scope)
            where = "module-level code" if scope == MODULE else f"`{scope}`"
            detail = (
                f"simple model `{simple.attr}` competes with {', '.join(rivals[:4])} in {where}, "
                f"which keeps the best by a metric ({picked[:70]})"
            )
            why = unused_method(facts, path, scope)
            if why:
                yield Hint(item, f"{detail} ({path}:{simple.line}), but {why}; not credited")
                continue
            yield call_at(facts, item, path, simple, detail)
