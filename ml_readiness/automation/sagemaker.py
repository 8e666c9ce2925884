"""SageMaker Pipelines: the `sagemaker.workflow.pipeline.Pipeline(steps=[...])` definitions of
the repository and the scripts their steps run.

A step runs a script named by `ProcessingStep(code=...)`, a processor's `.run(code=...)` or an
estimator's `entry_point=` (with `source_dir=`): `Estimator`, `SKLearn`, `PyTorch`,
`HuggingFace`... (a `TrainingStep(estimator=...)` runs its estimator's entry point; a built-in
algorithm image runs no repository script). Paths are literals, module constants,
`os.path.join(BASE_DIR, "x.py")` with `BASE_DIR = os.path.dirname(__file__)`, f-strings and
`pathlib` joins; a relative path is looked up from the defining file's folder, then from the
folders above it (the pipeline is usually built from the project or repository root). Model
entry points (`Model`, `RegisterModel`, `ModelStep`) are inference code, not pipeline steps.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ml_readiness.facts import is_test_path
from ml_readiness.facts.python import Call, PythonFacts, dotted

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

PIPELINE = "sagemaker.workflow.pipeline.Pipeline"
SCHEDULE = "sagemaker.workflow.triggers.PipelineSchedule"
NOT_STEP = re.compile(r"(Model|ModelStep|Predictor|Transformer|deploy|register)$")
ANCHOR = "//"  # an evaluated path that starts at the repository root (from `__file__`)
JOINS = {"Path", "pathlib.Path", "PurePath", "pathlib.PurePath", "str"}
SAME = {"realpath", "abspath", "normpath", "resolve", "absolute"}  # path-preserving calls


@dataclass(frozen=True)
class SageMakerPipeline:
    """One `Pipeline(...)` definition: where, its name, the scripts its steps run."""

    path: str
    name: str  # the literal `name=`, else the defining function, else "pipeline"
    literal_name: str | None
    line: int
    scripts: tuple[tuple[str, int, str], ...]  # (script, line of the call, call name)
    unresolved: tuple[str, ...]
    schedule: bool


def sagemaker_pipelines(facts: Facts) -> list[SageMakerPipeline]:
    """Every SageMaker pipeline definition of the repository (computed once per audit)."""
    return facts.memo("automation.sagemaker_pipelines", _find)


def _find(facts: Facts) -> list[SageMakerPipeline]:
    out = []
    for path, pf in facts.python_files(mentions=("sagemaker",), tests=False):
        if path.startswith("../") or is_test_path(path) or not path.endswith(".py"):
            continue
        pipelines = [c for c in pf.calls_to(PIPELINE) if c.has_kw("steps")]
        scopes = {c.scope for c in pipelines}
        schedule = any(c.has_kw("cron") or c.has_kw("rate") for c in pf.calls_to(SCHEDULE))
        for call in pipelines:
            literal = call.kw("name")
            literal = literal if isinstance(literal, str) and literal[:1] not in "$<" else None
            scope = call.scope if call.scope != "<module>" else None
            name = literal or (scope.rpartition(".")[2] if scope else "pipeline")
            # several pipelines of one file: each takes the steps built in its own function
            mine = [c for c in pf.calls if len(scopes) == 1 or c.scope == call.scope]
            scripts, unresolved = _scripts(facts, path, pf, mine)
            out.append(
                SageMakerPipeline(
                    path, name, literal, call.line, tuple(scripts), tuple(unresolved), schedule
                )
            )
    return out


def _scripts(
    facts: Facts, path: str, pf: PythonFacts, calls: list[Call]
) -> tuple[list[tuple[str, int, str]], list[str]]:
    found: list[tuple[str, int, str]] = []
    unresolved: list[str] = []
    for c in calls:
        if c.has_kw("code") and (c.attr.endswith(("Step", "Processor")) or c.attr == "run"):
            key = "code"
        elif c.has_kw("entry_point") and not NOT_STEP.search(c.attr):
            key = "entry_point"
        else:
            continue
        value = _value(facts, path, pf, c, key)
        folder = _value(facts, path, pf, c, "source_dir") if c.has_kw("source_dir") else None
        what = f"{c.name}({key}=...)"
        if value is None or (c.has_kw("source_dir") and folder is None):
            unresolved.append(f"{what} at line {c.line}: script path not known statically")
            continue
        if folder is not None and not value.startswith(ANCHOR):
            value = posixpath.join(folder, value)
        script = _locate(facts, path, value)
        if script is None:
            shown = value.removeprefix(ANCHOR)
            unresolved.append(f"{what} at line {c.line}: `{shown}` is not a file of the repository")
        elif (script, c.line, what) not in found:
            found.append((script, c.line, what))
    return found, unresolved


def _locate(facts: Facts, path: str, value: str) -> str | None:
    """The repository file an evaluated path names (relative: from the defining folder up)."""
    if value.startswith(ANCHOR):
        candidate = posixpath.normpath(value[len(ANCHOR) :])
        return candidate if facts.repo.exists(candidate) else None
    if value.startswith("/"):  # a container path: `/opt/ml/code/train.py`
        return None
    folder = posixpath.dirname(path)
    while True:
        candidate = posixpath.normpath(posixpath.join(folder, value))
        if not candidate.startswith("../") and facts.repo.exists(candidate):
            return candidate
        if not folder:
            return None
        folder = posixpath.dirname(folder)


# -- static evaluation of a path argument ------------------------------------------------------


def _value(facts: Facts, path: str, pf: PythonFacts, call: Call, key: str) -> str | None:
    literal = call.kw(key)
    if isinstance(literal, str) and not literal.startswith(("$", "<")):
        return literal
    tree = facts.syntax_tree(path)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and node.lineno == call.line
            and dotted(node.func) == call.name
        ):
            for kw in node.keywords:
                if kw.arg == key:
                    return _eval(kw.value, _Env(tree, path, call.line), 0)
    return None


class _Env:
    """Names visible at a line: the enclosing function's earlier assignments, then the
    module's."""

    def __init__(self, tree: ast.Module, path: str, line: int) -> None:
        self.path = path
        self.names: dict[str, ast.expr] = {}
        self._collect(tree.body, line)

    def _collect(self, body: list[ast.stmt], line: int) -> None:
        for stmt in body:
            if stmt.lineno > line:
                break
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                if isinstance(target, ast.Name):
                    self.names[target.id] = stmt.value
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                end = getattr(stmt, "end_lineno", stmt.lineno) or stmt.lineno
                if stmt.lineno <= line <= end:
                    self._collect(stmt.body, line)


def _eval(node: ast.expr, env: _Env, depth: int) -> str | None:
    if depth > 12:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return ANCHOR + env.path
        value = env.names.get(node.id)
        return _eval(value, env, depth + 1) if value is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [
            _eval(v.value if isinstance(v, ast.FormattedValue) else v, env, depth + 1)
            for v in node.values
        ]
        return None if None in parts else "".join(p for p in parts if p is not None)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.Add):
        left, right = _eval(node.left, env, depth + 1), _eval(node.right, env, depth + 1)
        if left is None or right is None:
            return None
        return posixpath.join(left, right) if isinstance(node.op, ast.Div) else left + right
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _eval(node.value, env, depth + 1)
        return posixpath.dirname(inner) if inner is not None else None
    if isinstance(node, ast.Call):
        func = dotted(node.func) or ""
        owner, _, short = func.rpartition(".")
        if isinstance(node.func, ast.Attribute) and short in ("resolve", "absolute"):
            return _eval(node.func.value, env, depth + 1)  # Path(__file__).resolve()
        args = [_eval(a, env, depth + 1) for a in node.args]
        if None in args or not args:
            return None
        values = [a for a in args if a is not None]
        os_path = owner in ("", "path", "os.path", "posixpath")  # `from os.path import join`
        if func in JOINS or os_path and short == "join":
            return posixpath.join(*values)
        if os_path and short in SAME:
            return values[0]
        if os_path and short == "dirname":
            return posixpath.dirname(values[0])
    return None
