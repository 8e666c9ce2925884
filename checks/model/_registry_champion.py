"""model-5 evidence: the candidate compared with the models already in the registry (no checks
registered here).

The Azure mlops-v2 `model_promotion` shape, and "best of previous runs" in MLflow projects: a loop
over `MlflowClient().search_model_versions(...)` / `get_latest_versions(...)` /
`search_registered_models(...)` (or `mlflow.search_runs(...)` rows) loads each model
(`load_model("models:/name/version")`, `runs:/...`), scores it with a metric into a collection,
and the same function then compares the candidate's score with that collection (`score >=
max(scores.values())`) in an `assert`, an `if` that sets a flag / returns / raises / acts, or a
conditional expression assigned to a decision (`deploy_flag = 1 if ... else 0`).

Printing or logging the registered models' scores without a comparison earns nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ml_readiness.checks.model._shared import evidence_at, is_metric_call, own_nodes

from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts
from ml_readiness.facts.python import PythonFacts

ITEM = "model-5"
QUERIES = frozenset(
    {"search_model_versions", "get_latest_versions", "search_registered_models", "search_runs"}
)
LOADERS = frozenset({"load_model", "load", "download_artifacts"})
URIS = ("models:/", "runs:/")
QUIET = frozenset({"print", "log", "info", "debug", "warning", "log_metric", "log_metrics"})


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _is_query(node: ast.expr, bound: dict[str, ast.expr]) -> str | None:
    """The registry/tracking query a loop iterates over (directly, or through a name bound to
    it: `runs = mlflow.search_runs(...)`, `for _, row in runs.iterrows()`)."""
    nodes = [node, *(bound[n] for n in _names(node) if n in bound)]
    for sub in (s for n in nodes for s in ast.walk(n)):
        if isinstance(sub, ast.Call) and _name(sub) in QUERIES:
            return _name(sub)
    return None


def _loads_registered(loop: ast.For, query: str) -> ast.Call | None:
    """A model loaded inside the loop: from a `models:/` (or `runs:/`) URI, or by any loader
    when the loop walks the registry's versions (`load_model(mv.source)`)."""
    for sub in ast.walk(loop):
        if not isinstance(sub, ast.Call) or _name(sub) not in LOADERS:
            continue
        if query != "search_runs" and not ast.unparse(sub.func).startswith(("json.", "yaml.")):
            return sub
        for arg in [*sub.args, *(k.value for k in sub.keywords)]:
            texts = [
                s.value
                for s in ast.walk(arg)
                if isinstance(s, ast.Constant) and isinstance(s.value, str)
            ]
            if any(t.startswith(URIS) for t in texts):
                return sub
    return None


def _stores(loop: ast.For, metric_lines: set[tuple[int, str]]) -> set[str]:
    """Names the loop stores metric results in (`scores[v] = r2_score(...)`,
    `scores.append(f1(...))`, `best = max(best, auc(...))`)."""
    out: set[str] = set()
    for sub in ast.walk(loop):
        value: ast.AST | None = None
        target: str | None = None
        if isinstance(sub, ast.Assign | ast.AugAssign):
            value = sub.value
            first = sub.targets[0] if isinstance(sub, ast.Assign) else sub.target
            while isinstance(first, ast.Subscript | ast.Attribute):
                first = first.value
            target = first.id if isinstance(first, ast.Name) else None
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in ("append", "update", "add")
            and isinstance(sub.func.value, ast.Name)
        ):
            value, target = sub, sub.func.value.id
        if value is None or target is None:
            continue
        if any(
            isinstance(c, ast.Call) and (c.lineno, _name(c)) in metric_lines
            for c in ast.walk(value)
        ):
            out.add(target)
    return out


def _derived(body: list[ast.AST], names: set[str]) -> set[str]:
    """`names` plus the names assigned from expressions over them (`best = max(scores)`)."""
    out = set(names)
    for _ in range(3):
        for sub in body:
            if isinstance(sub, ast.Assign) and _names(sub.value) & out:
                for t in sub.targets:
                    if isinstance(t, ast.Name):
                        out.add(t.id)
    return out


def _decides(stmt: ast.If) -> bool:
    """An `if` body that acts: sets a name, returns, raises, or calls something not a log."""
    for sub in stmt.body:
        if isinstance(sub, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Return | ast.Raise):
            return True
        call = sub.value if isinstance(sub, ast.Expr) else None
        if isinstance(call, ast.Call) and _name(call) not in QUIET:
            return True
    return False


def _comparison(body: list[ast.AST], registry: set[str]) -> ast.Compare | None:
    """An ordered comparison of a score with the registered models' scores that decides."""
    ordered = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)

    def hit(test: ast.AST) -> ast.Compare | None:
        for c in ast.walk(test):
            if not isinstance(c, ast.Compare) or not all(isinstance(o, ordered) for o in c.ops):
                continue
            sides = [c.left, *c.comparators]
            touched = [bool(_names(s) & registry) for s in sides]
            if any(touched) and not all(touched):
                return c
        return None

    for sub in body:
        found = None
        if isinstance(sub, ast.Assert) or (isinstance(sub, ast.If) and _decides(sub)):
            found = hit(sub.test)
        elif isinstance(sub, ast.Assign) and isinstance(sub.value, ast.IfExp | ast.Compare):
            found = hit(sub.value.test if isinstance(sub.value, ast.IfExp) else sub.value)
        if found is not None:
            return found
    return None


def registry_champions(facts: Facts, skip: set[tuple[str, str]]) -> Iterator[Evidence]:
    for path, pf in facts.python_files(mentions=tuple(QUERIES)):
        if not path.endswith(".py"):
            continue
        tree = facts.syntax_tree(path)
        if tree is None:
            continue
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
        owners = [n for n in ast.walk(tree) if isinstance(n, kinds)]
        for owner in owners:
            found = _judge(facts, path, pf, owner)
            if found is None:
                continue
            scope, line, detail = found
            if (path, scope) in skip:
                continue
            skip.add((path, scope))
            yield evidence_at(facts, ITEM, path, line, scope, detail)


def _judge(
    facts: Facts, path: str, pf: PythonFacts, owner: ast.FunctionDef | ast.AsyncFunctionDef
) -> tuple[str, int, str] | None:
    fn = next(
        (f for f in pf.functions if f.name == owner.name and f.end_line == owner.end_lineno),
        None,
    )
    if fn is None:
        return None
    scope = fn.qualname
    metric_lines = {(c.line, c.attr) for c in pf.calls if c.scope == scope and is_metric_call(c)}
    body = own_nodes(owner)
    bound = {
        t.id: s.value
        for s in body
        if isinstance(s, ast.Assign)
        for t in s.targets
        if isinstance(t, ast.Name)
    }
    for loop in (s for s in body if isinstance(s, ast.For)):
        query = _is_query(loop.iter, bound)
        loaded = _loads_registered(loop, query) if query else None
        if loaded is None:
            continue
        stores = _stores(loop, metric_lines)
        if not stores:
            continue
        compare = _comparison(body, _derived(body, stores))
        if compare is None:
            continue
        text = ast.unparse(compare)[:80]
        detail = (
            f"candidate compared with the registered models' scores (`{query}` loop loads "
            f"each model and scores it): `{text}`"
        )
        return scope, compare.lineno, detail
    return None
