"""Gates asserted in tests (infra-4): metric-vs-threshold asserts, DeepEval and LlamaIndex
verdicts, and whether the evaluated outputs come from the system itself.

A RAG or LLM application gates a release by scoring the system's own answers on a golden set
(RAGAS `evaluate(...)`, DeepEval `assert_test`, LlamaIndex evaluators) and failing the test when
a score misses a threshold. A test that scores literal answers written into the test tests the
metric, not the system; it is not a gate. This module traces, inside one test function and its
pytest fixtures, which names hold values produced by calling the project's own code.

This module registers no checks.
"""

from __future__ import annotations

import ast
import re

from ml_readiness.checks.infra._gates import gate_comparison, metric, show, threshold
from ml_readiness.checks.infra._shared import function_node, function_source, is_metric_text

from ml_readiness.automation.pytest_fixtures import fixtures_of
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Function, PythonFacts

LLM_METRIC = re.compile(
    r"(?i)faithful|relevan|groundedness|hallucinat|correctness|exact_match|rouge|bertscore"
    r"|hit_rate|hitrate|(^|[^a-z])mrr([^a-z]|$)|pass_rate|context_(precision|recall)"
)
LLAMA_EVALUATE = re.compile(r"^a?evaluate(_response|_string)?$")
_CMP_LINE = re.compile(r"[^-=<>]\s*(?:<=?|>=?)\s*[^<>=]")
UNITTEST_COMPARE = {
    "assertGreater": ">",
    "assertGreaterEqual": ">=",
    "assertLess": "<",
    "assertLessEqual": "<=",
}


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _project_names(facts: Facts, path: str, pf: PythonFacts) -> set[str]:
    """Names a file imports from the repository's own non-test code."""
    index = module_index(facts)
    out: set[str] = set()
    for imp in pf.imports:
        targets = index.resolve(path, imp)
        if any(t != path and not is_test_path(t) for t in targets):
            out.add(imp.alias)
    return out


def _calls_project(node: ast.AST, project: set[str]) -> bool:
    return any(isinstance(sub, ast.Call) and _root(sub.func) in project for sub in ast.walk(node))


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _fixture_outputs(facts: Facts, path: str, pf: PythonFacts, fn: Function) -> set[str]:
    """Fixtures of test `fn` (conftest.py included) whose body calls project code."""
    out: set[str] = set()
    for label in fixtures_of(facts, path, pf, fn):
        where, _, qual = label.partition("::")
        other = facts.python(where)
        fixture = other.function(qual) if other is not None else None
        parsed = function_node(facts, where, fixture) if other and fixture else None
        if parsed and _calls_project(parsed[0], _project_names(facts, where, other)):
            out.add(qual.rsplit(".", 1)[-1])
    return out


def system_outputs(facts: Facts, path: str, pf: PythonFacts, fn: Function) -> set[str]:
    """Names in test `fn` that hold values derived from calling project code (directly, or
    through a pytest fixture whose body calls project code)."""
    parsed = function_node(facts, path, fn)
    if parsed is None:
        return set()
    node, _ = parsed
    project = _project_names(facts, path, pf)
    tainted = _fixture_outputs(facts, path, pf, fn)

    def derived(expr: ast.AST | None) -> bool:
        if expr is None:
            return False
        return _calls_project(expr, project) or bool(_names(expr) & tainted)

    for _ in range(3):  # loops feed later statements back into earlier ones
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign | ast.AnnAssign | ast.AugAssign) and derived(sub.value):
                for target in sub.targets if isinstance(sub, ast.Assign) else [sub.target]:
                    root = None if isinstance(target, ast.Tuple | ast.List) else _root(target)
                    tainted.update(_names(target) if root is None else {root})
            elif isinstance(sub, ast.For | ast.comprehension) and derived(sub.iter):
                tainted.update(_names(sub.target))
            elif isinstance(sub, ast.withitem) and sub.optional_vars and derived(sub.context_expr):
                tainted.update(_names(sub.optional_vars))
            elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
                # `rows["answer"].append(text)`, `metric.measure(case)`: the receiver absorbs it
                args = [*sub.args, *(k.value for k in sub.keywords)]
                receiver = _root(sub.func.value)
                if receiver and any(derived(a) for a in args):
                    tainted.add(receiver)
    return tainted


def evaluates_system(checked: ast.AST, outputs: set[str]) -> bool:
    """The gate's evaluated value mentions a name derived from the system's outputs."""
    return bool(_names(checked) & outputs)


def _imported_from(pf: PythonFacts, prefix: str) -> set[str]:
    return {i.alias for i in pf.imports if i.target.split(".")[0] == prefix}


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def framework_gate(
    facts: Facts, path: str, pf: PythonFacts, fn: Function, consts: dict
) -> tuple[str, ast.AST] | None:
    """(condition text, the evaluated expression) of a DeepEval or LlamaIndex gate in test `fn`.

    DeepEval: `assert_test(case, [FaithfulnessMetric(threshold=0.7)])`, or
    `m = Metric(threshold=0.7); m.measure(case); assert m.is_successful()`. The metric must be
    built with a real `threshold=`. LlamaIndex: `assert result.passing` where `result` comes
    from an evaluator's `evaluate`/`evaluate_response` call. `deepeval.evaluate(...)` only
    reports, so it is not a gate."""
    deepeval = _imported_from(pf, "deepeval")
    llama = _imported_from(pf, "llama_index")
    parsed = function_node(facts, path, fn) if deepeval or llama else None
    if parsed is None:
        return None
    node, _ = parsed
    source = function_source(facts, node)
    assigned: dict[str, ast.expr] = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign) and isinstance(sub.targets[0], ast.Name):
            assigned[sub.targets[0].id] = sub.value

    def thresholds(expr: ast.expr | None, depth: int = 0) -> list[str]:
        """`Metric(threshold=0.7)` calls in a metrics list (through local names)."""
        if expr is None or depth > 2:
            return []
        if isinstance(expr, ast.Name) and expr.id in assigned:
            return thresholds(assigned[expr.id], depth + 1)
        if isinstance(expr, ast.List | ast.Tuple):
            return [m for e in expr.elts for m in thresholds(e, depth + 1)]
        bound = _kw(expr, "threshold") if isinstance(expr, ast.Call) else None
        text = threshold(bound, consts, source) if bound is not None else None
        if isinstance(expr, ast.Call) and text:
            return [f"{ast.unparse(expr.func).rsplit('.', 1)[-1]}(threshold={text})"]
        return []

    for sub in ast.walk(node):
        called = isinstance(sub, ast.Call) and _root(sub.func) in deepeval
        if called and ast.unparse(sub.func).rsplit(".", 1)[-1] == "assert_test":
            case = sub.args[0] if sub.args else _kw(sub, "test_case")
            found = thresholds(sub.args[1] if len(sub.args) > 1 else _kw(sub, "metrics"))
            if case is not None and found:
                return f"DeepEval assert_test with {', '.join(found[:3])}", case
        if isinstance(sub, ast.Assert):
            verdict = _verdict(sub.test, deepeval, llama, assigned, thresholds)
            if verdict:
                return verdict.replace("{test}", show(sub.test, source)), sub.test
    return None


def _verdict(test: ast.expr, deepeval: set, llama: set, assigned: dict, thresholds) -> str | None:
    """`assert metric.is_successful()` (DeepEval) or `assert result.passing` (LlamaIndex)."""
    for sub in ast.walk(test):
        method = isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
        if deepeval and method and sub.func.attr == "is_successful":
            name = _root(sub.func.value)
            found = thresholds(ast.Name(name)) if name else []
            if found:
                return f"DeepEval {name}.is_successful() with {found[0]}"
        if llama and isinstance(sub, ast.Attribute) and sub.attr == "passing":
            made = assigned.get(_root(sub.value) or "")
            if _llama_evaluation(made) or _llama_comprehension(test, assigned):
                return "LlamaIndex evaluator verdict `{test}`"
    return None


def _llama_evaluation(expr: ast.expr | None) -> bool:
    if isinstance(expr, ast.Await):
        expr = expr.value
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and bool(LLAMA_EVALUATE.match(expr.func.attr))
    )


def _llama_comprehension(test: ast.expr, assigned: dict[str, ast.expr]) -> bool:
    """`all(r.passing for r in results)` where `results` holds evaluator verdicts."""
    for comp in ast.walk(test):
        if isinstance(comp, ast.comprehension):
            source = comp.iter
            if isinstance(source, ast.Name):
                source = assigned.get(source.id, source)
            if any(_llama_evaluation(c) for c in ast.walk(source) if isinstance(c, ast.expr)):
                return True
    return False


def asserted_gate(
    facts: Facts, path: str, fn: Function, consts: dict
) -> tuple[str, ast.AST] | None:
    """`metric <op> threshold` asserted in test `fn` (or `assertGreater(auc, MIN_AUC)`): the
    condition text and the asserted expression."""
    body = facts.lines(path)[fn.line - 1 : fn.end_line]
    compares = any(_CMP_LINE.search(line) and is_metric_text(line) for line in body)
    if not compares and not any(name in line for line in body for name in UNITTEST_COMPARE):
        return None  # cheap filter before parsing the test
    parsed = function_node(facts, path, fn)
    if parsed is None:
        return None
    node, _ = parsed
    source = function_source(facts, node)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assert):
            cond = gate_comparison(sub.test, consts, source)
            if cond:
                return cond, sub.test
        elif isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
            op = UNITTEST_COMPARE.get(sub.func.attr)
            if op and len(sub.args) >= 2 and metric(sub.args[0]):
                bound = threshold(sub.args[1], consts, source)
                if bound:
                    return f"{show(sub.args[0], source)} {op} {bound}", sub.args[0]
    return None
