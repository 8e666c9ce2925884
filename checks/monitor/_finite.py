"""monitor-5 helper: what a non-finite check (`isnan`/`isfinite`/`isinf`) guards, read from the
syntax tree of the file: does it stop or alert (an assert, an `if` whose body raises, exits,
logs a warning/error, alerts or breaks out of a loop), or only filter/fill values? And what
value does it check: a model output (loss, predictions, scores, gradients, weights, a value
computed by calling the model) or something else (inputs, targets, config)?

The file's source is parsed here, once per file, only for files that call a finite check.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.python import attribute_path

FINITE_ATTRS = frozenset(
    {"isfinite", "isnan", "isinf", "is_finite", "is_nan", "is_inf", "assert_all_finite"}
)
# names of values a model produces: a non-finite one means the model is numerically unstable
OUTPUT_NAME = re.compile(
    r"(?:^|_)(loss(es)?|pred(s|icted|ictions?|ict\w*)?|y_?hat|yhat|outputs?|logits?|probs?"
    r"|proba\w*|probabilit(y|ies)|scores?|grads?|gradients?|weights?|activations?|forecasts?"
    r"|metrics?|rmse|mse|mae)(?:_|\d|$)"
)
# calls that run a model: their result is the model's output
MODEL_CALL = re.compile(
    r"(^|\.)(predict\w*|forward|generate|infer\w*|decision_function)$"
    r"|(^|\.)(model|net|network|clf|classifier|regressor|estimator|predictor|module)$"
)
LOG_ALERT = frozenset({"warning", "warn", "error", "critical", "exception", "fatal"})
ALERT = re.compile(r"alert|notify|page|send_\w*alert")
EXITS = frozenset({"exit", "_exit", "fail", "abort"})


@dataclass(frozen=True)
class Site:
    """One finite-check call: does it stop/alert, the names it checks, and whether the checked
    value is only what the enclosing function received as arguments."""

    line: int
    attr: str
    guard: bool
    names: frozenset[str]
    params_only: bool
    function: str | None  # qualname of the enclosing function
    from_model: bool = False  # the value is computed by calling a model
    expr: str = ""  # the checked expression's source

    @property
    def checks_output(self) -> bool:
        return self.from_model or any(OUTPUT_NAME.search(n.lower()) for n in self.names)

    @property
    def shown(self) -> str:
        return self.expr or "a value"


def finite_sites(facts: Facts, path: str) -> list[Site]:
    """Every finite-check call of `path` (memoised per audit)."""
    return facts.memo(f"monitor5.sites:{path}", lambda f: _sites(f, path))


def _sites(facts: Facts, path: str) -> list[Site]:
    line_map: tuple[int, ...] | None = None
    if path.endswith(".ipynb"):
        nb = facts.notebook(path)
        source = nb.code if nb else None
        line_map = nb.line_map if nb else None
    else:
        source = facts.text(path)
    if not source:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    visitor = _Visitor(line_map)
    visitor.visit(tree)
    return visitor.sites


def _is_finite_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call) and attribute_path(node.func).rsplit(".", 1)[-1] in FINITE_ATTRS
    )


def _walk_local(nodes: list[ast.stmt]):  # noqa: ANN202
    """Nodes of a statement list, not descending into nested function or class bodies."""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                stack.append(child)


def _stops(body: list[ast.stmt], in_loop: bool) -> bool:
    """Does this `if` body stop or alert (raise, exit, log a warning/error, alert, break)?"""
    for node in _walk_local(body):
        if isinstance(node, ast.Raise | ast.Break):
            return True
        if isinstance(node, ast.Return) and in_loop:
            return True
        if isinstance(node, ast.Call):
            name = attribute_path(node.func)
            attr = name.rsplit(".", 1)[-1]
            if attr in EXITS and name.split(".")[0] in ("sys", "os", "pytest", "exit", "_exit"):
                return True
            if attr in LOG_ALERT and "." in name or ALERT.search(attr.lower()):
                return True
    return False


class _Visitor(ast.NodeVisitor):
    def __init__(self, line_map: tuple[int, ...] | None) -> None:
        self.line_map = line_map
        self.sites: list[Site] = []
        self.functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self.names: list[str] = []  # qualname parts
        self.loops = 0
        self.module: ast.Module | None = None

    def visit_Module(self, node: ast.Module) -> None:
        self.module = node
        self.generic_visit(node)

    def _line(self, node: ast.AST) -> int:
        line = getattr(node, "lineno", 0)
        if self.line_map is not None and 0 < line <= len(self.line_map):
            return self.line_map[line - 1]
        return line

    # -- scopes ----------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node)
        self.names.append(node.name)
        loops, self.loops = self.loops, 0
        self.generic_visit(node)
        self.loops = loops
        self.names.pop()
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.append(node.name)
        self.generic_visit(node)
        self.names.pop()

    def _loop(self, node: ast.For | ast.While | ast.AsyncFor) -> None:
        self.loops += 1
        self.generic_visit(node)
        self.loops -= 1

    visit_For = visit_AsyncFor = _loop  # noqa: N815

    # -- guards ----------------------------------------------------------------------------
    def visit_Assert(self, node: ast.Assert) -> None:
        self._record(node.test, guard=True)
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        self._record(node.test, guard=_stops(node.body, self.loops > 0))
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self._record(node.test, guard=_stops(node.body, True))
        self._loop(node)

    def visit_Call(self, node: ast.Call) -> None:
        if _is_finite_call(node) and not hasattr(node, "_seen"):
            attr = attribute_path(node.func).rsplit(".", 1)[-1]
            self._add(node, guard=attr.startswith("assert"))
        elif (
            attribute_path(node.func).rsplit(".", 1)[-1].startswith("assert")
        ):  # self.assertTrue(...)
            for arg in node.args:
                self._record(arg, guard=True)
        self.generic_visit(node)

    def _record(self, test: ast.AST, guard: bool) -> None:
        for node in ast.walk(test):
            if _is_finite_call(node) and not hasattr(node, "_seen"):
                self._add(node, guard)

    def _add(self, call: ast.Call, guard: bool) -> None:
        call._seen = True  # type: ignore[attr-defined]
        fn = self.functions[-1] if self.functions else None
        names, params_only, model = _checked(call, fn or self.module)
        self.sites.append(
            Site(
                self._line(call),
                attribute_path(call.func).rsplit(".", 1)[-1],
                guard,
                frozenset(names),
                params_only,
                ".".join(self.names) if fn else None,
                model,
                ast.unparse(call.args[0])[:40] if call.args else "",
            )
        )


def _expr_names(node: ast.AST) -> tuple[set[str], set[str], bool]:
    """(identifiers and subscript keys, root variable names, calls a model) of an expression."""
    names: set[str] = set()
    roots: set[str] = set()
    model = False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
            roots.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) < 60:
            names.add(sub.value)
        elif isinstance(sub, ast.Call):
            callee = attribute_path(sub.func)
            if callee and MODEL_CALL.search(callee) and not _is_finite_call(sub):
                model = True
    return names, roots, model


def _assignments(fn: ast.AST) -> dict[str, list[ast.AST]]:
    out: dict[str, list[ast.AST]] = {}
    for node in _walk_local(list(getattr(fn, "body", []))):
        targets: list[ast.AST] = []
        value: ast.AST | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.For | ast.AsyncFor):
            targets, value = [node.target], node.iter
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets, value = [node.optional_vars], node.context_expr
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name) and value is not None:
                    out.setdefault(sub.id, []).append(value)
    return out


def _checked(call: ast.Call, fn: ast.AST | None) -> tuple[set[str], bool, bool]:
    """The names the finite check looks at (traced through local assignments, two hops) and
    whether the value is only the enclosing function's arguments (input validation), and
    whether it is computed by calling a model."""
    names: set[str] = set()
    model = False
    roots: set[str] = set()
    for arg in list(call.args) + [k.value for k in call.keywords]:
        n, r, m = _expr_names(arg)
        names |= n
        roots |= r
        model = model or m
    if fn is None:
        return names, False, model
    params: set[str] = set()
    args = getattr(fn, "args", None)
    if args is not None:
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} - {"self", "cls"}
        params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    assigned = _assignments(fn)
    final: set[str] = set()
    frontier = set(roots)
    for _ in range(3):
        nxt: set[str] = set()
        for root in frontier:
            if root in assigned:
                for value in assigned[root]:
                    n, r, m = _expr_names(value)
                    names |= n
                    model = model or m
                    nxt |= r - roots
                    roots |= r
            else:
                final.add(root)
        frontier = nxt
    final |= frontier
    modules = {"np", "numpy", "torch", "tf", "math", "jnp", "jax", "pd", "float", "int"}
    final -= modules
    params_only = bool(final) and final <= params and not model
    return names, params_only, model
