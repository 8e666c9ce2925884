"""SageMaker Pipelines read from their definition code, for the model checks (no checks here).

- which step constructors a `Pipeline(steps=[...])` runs: list literals, names bound to them
  (also grown with `.append`/`.extend`/`+=`), `[a] + [b]`, steps returned by a helper
  function of the same file, and the `if_steps`/`else_steps` of a `ConditionStep` that is
  itself a step. A step object that no pipeline lists is configured but never run.
- whether a check step's `skip_check` is off on the run path: a literal `False`, or a
  `ParameterBoolean(name=N, default_value=False)` that no file of the repository overrides
  with `N=True` (a runner's `pipeline.start(parameters=dict(SkipModelBiasCheck=True))`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call

from ._shared import own_nodes

CONTAINERS = ("if_steps", "else_steps")


@dataclass(frozen=True)
class Members:
    """The step constructors (their call lines) that a file's pipelines run."""

    lines: frozenset[int]
    pipeline_line: int | None  # the first `Pipeline(steps=...)` of the file
    callees: frozenset[str]  # functions of other files whose result is a step


def callee(node: ast.AST | None) -> str:
    """`TuningStep` for `TuningStep(...)`, `steps.TuningStep(...)` or the name itself."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def call_node(facts: Facts, path: str, call: Call) -> ast.Call | None:
    """The syntax-tree node of a recorded call (same line, same callee name)."""
    tree = facts.syntax_tree(path)
    if tree is None:
        return None
    return next(
        (
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and n.lineno == call.line and callee(n) == call.attr
        ),
        None,
    )


def kw(call: ast.Call, key: str) -> ast.expr | None:
    """The value of keyword `key` of a call node, or None."""
    return next((k.value for k in call.keywords if k.arg == key), None)


class _Scope:
    """Simple bindings of one function (or the module): `x = ...`, `x.append(...)`, returns."""

    def __init__(self, node: ast.AST) -> None:
        self.bound: dict[str, list[ast.expr]] = {}
        self.returns: list[ast.expr] = []
        for sub in own_nodes(node):
            if isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                target = sub.targets[0]
                if isinstance(target, ast.Name):
                    self.bound.setdefault(target.id, []).append(sub.value)
            elif (
                isinstance(sub, ast.AnnAssign | ast.AugAssign)
                and isinstance(sub.target, ast.Name)
                and sub.value is not None
            ):
                self.bound.setdefault(sub.target.id, []).append(sub.value)
            elif isinstance(sub, ast.Return) and sub.value is not None:
                self.returns.append(sub.value)
            elif (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr in ("append", "extend", "insert")
                and isinstance(sub.func.value, ast.Name)
                and sub.args
            ):
                self.bound.setdefault(sub.func.value.id, []).append(sub.args[-1])


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def members(facts: Facts, path: str) -> Members:
    """The step constructors the pipelines of `path` run (memoised per file)."""
    return facts.memo(f"model:sagemaker-members:{path}", lambda _f: _members(facts, path))


def _members(facts: Facts, path: str) -> Members:
    tree = facts.syntax_tree(path)
    if tree is None:
        return Members(frozenset(), None, frozenset())
    functions = _functions(tree)
    scopes: dict[int, _Scope] = {}

    def scope_of(node: ast.AST) -> _Scope:
        if id(node) not in scopes:
            scopes[id(node)] = _Scope(node)
        return scopes[id(node)]

    found: set[int] = set()
    callees: set[str] = set()
    first: int | None = None
    owners = [tree, *functions.values()]
    for owner in owners:
        for sub in own_nodes(owner):
            if not (isinstance(sub, ast.Call) and callee(sub) == "Pipeline"):
                continue
            steps = kw(sub, "steps")
            if steps is None:
                continue
            first = sub.lineno if first is None else min(first, sub.lineno)
            _expand(steps, scope_of(owner), functions, scope_of, (found, callees), set(), 0)
    return Members(frozenset(found), first, frozenset(callees))


def _expand(node, scope, functions, scope_of, found, seen, depth) -> None:  # noqa: ANN001, PLR0913
    """Record the step constructor calls an expression of a `steps=` list stands for (and the
    names of functions of other files that return a step)."""
    if depth > 12 or id(node) in seen:
        return
    seen.add(id(node))
    again = lambda n, s=scope: _expand(n, s, functions, scope_of, found, seen, depth + 1)  # noqa: E731
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        for elt in node.elts:
            again(elt)
    elif isinstance(node, ast.Starred):
        again(node.value)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        again(node.left)
        again(node.right)
    elif isinstance(node, ast.IfExp):  # `tuning_step if use_tuning else training_step`
        again(node.body)
        again(node.orelse)
    elif isinstance(node, ast.Name):
        for value in scope.bound.get(node.id, ()):
            again(value)
    elif isinstance(node, ast.Call):
        name = callee(node)
        if name in functions and not name[:1].isupper():  # a helper that builds the step(s)
            helper = functions[name]
            for value in scope_of(helper).returns:
                again(value, scope_of(helper))
            return
        found[0].add(node.lineno)
        if name and not name[:1].isupper():
            found[1].add(name)
        for key in CONTAINERS:
            inner = kw(node, key)
            if inner is not None:
                again(inner)


def in_pipeline(facts: Facts, path: str, line: int, scope: str) -> str | None:
    """Where the step built at `path:line` (in function `scope`) is listed in a pipeline's
    steps: `line N` of its own file, or the file and function of a pipeline that lists the
    result of the step's builder function (`steps=[create_tuning_step(...)]`, the builder
    returning the step); None when no pipeline lists it."""
    own = members(facts, path)
    if line in own.lines:
        return f"the steps of the SageMaker Pipeline at line {own.pipeline_line}"
    builder = scope.split(".", 1)[0]
    if not builder or builder.startswith("<") or not _returns_step(facts, path, line, builder):
        return None
    for other, _pf in facts.python_files(mentions=("Pipeline",), tests=False):
        if other.endswith(".py") and builder in members(facts, other).callees:
            return f"the steps of the SageMaker Pipeline in {other} (built by `{builder}`)"
    return None


def _returns_step(facts: Facts, path: str, line: int, builder: str) -> bool:
    """Does function `builder` return the step built at `line` (directly or by name)?"""
    tree = facts.syntax_tree(path)
    fn = _functions(tree).get(builder) if tree is not None else None
    if fn is None:
        return False
    scope = _Scope(fn)
    for value in scope.returns:
        if isinstance(value, ast.Call) and value.lineno == line:
            return True
        if isinstance(value, ast.Name):
            bound = scope.bound.get(value.id, ())
            if any(isinstance(b, ast.Call) and b.lineno == line for b in bound):
                return True
    return False


# -- skip_check --------------------------------------------------------------------------------


def bound_value(facts: Facts, path: str, line: int, node: ast.expr) -> ast.expr:
    """`node`, or the value a bare name is bound to in the function enclosing `line`."""
    if not isinstance(node, ast.Name):
        return node
    tree = facts.syntax_tree(path)
    if tree is None:
        return node
    owner: ast.AST = tree
    for fn in _functions(tree).values():
        inner = owner is tree or fn.lineno > getattr(owner, "lineno", 0)
        if fn.lineno <= line <= (fn.end_lineno or fn.lineno) and inner:
            owner = fn
    for scope in (_Scope(owner), _Scope(tree)):
        values = scope.bound.get(node.id)
        if values:
            return values[-1]
    return node


def skip_state(facts: Facts, path: str, line: int, value: ast.expr | None) -> tuple[bool, str]:
    """(skipped, why) for a check step's `skip_check` value. Missing or a literal False:
    not skipped. A `ParameterBoolean` is skipped when its default is True, or when any Python,
    JSON or YAML file of the repository sets its name to True (the runner's parameters)."""
    if value is None:
        return False, "skip_check not set"
    value = bound_value(facts, path, line, value)
    if isinstance(value, ast.Constant):
        return bool(value.value), f"skip_check={value.value!r}"
    if isinstance(value, ast.Call) and callee(value) == "ParameterBoolean":
        name = kw(value, "name") or (value.args[0] if value.args else None)
        default = kw(value, "default_value")
        label = name.value if isinstance(name, ast.Constant) else "parameter"
        if isinstance(default, ast.Constant) and default.value is True:
            return True, f"`{label}` defaults to True"
        if isinstance(label, str) and label != "parameter":
            where = _overridden(facts, label)
            if where:
                return True, f"`{label}` is set to True at {where}"
        return False, f"`{label}` defaults to False"
    return True, "skip_check is not known statically"


def _overridden(facts: Facts, name: str) -> str | None:
    rx = re.compile(rf"""\b{re.escape(name)}\b\\?["']?\s*[:=]\s*\\?["']?(True|true)\b""")
    paths = [
        p
        for p in facts.repo.with_suffix(".py", ".json", ".yml", ".yaml", ".sh")
        if facts.mentions(p, name)
    ]
    for path, line, text in facts.grep(rx, paths):
        if not text.lstrip().startswith("#"):
            return f"{path}:{line}"
    return None


def clarify_check_steps(facts: Facts) -> Iterator[tuple[str, Call, ast.Call, ast.Call]]:
    """(path, call, node, config) for each SageMaker `ClarifyCheckStep(...)` of project code
    whose `clarify_check_config` resolves to a config call (bias, explainability, quality)."""
    for path, pf in facts.python_files(mentions=("ClarifyCheckStep",), tests=False):
        if not path.endswith(".py"):
            continue
        for call in pf.calls:
            if call.attr != "ClarifyCheckStep":
                continue
            node = call_node(facts, path, call)
            config = kw(node, "clarify_check_config") if node is not None else None
            config = bound_value(facts, path, call.line, config) if config is not None else None
            if node is not None and isinstance(config, ast.Call):
                yield path, call, node, config
