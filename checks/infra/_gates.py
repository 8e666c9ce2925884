"""Reading model-quality gates from syntax trees (infra-4): which comparisons are a metric
against a real threshold, and what the branch does when the model fails it.

A gate needs three things: a model-quality metric (auc, accuracy, rmse, wmape, relative
improvement...) compared with a non-trivial threshold (a named threshold or constant, a config
value, a champion/baseline value, or a literal other than the 0/1 bounds and tolerances); code
where evaluation, validation or promotion happens; and a failure branch that stops the push
(raise, exit, a rejection list that decides `approved`, or registration only in the passing
branch).

This module registers no checks.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ml_readiness.checks.infra._shared import METRIC_WORDS, training_code

from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import reachable_files
from ml_readiness.facts.python import PythonFacts

GATE_METRIC = re.compile(
    rf"(?i)(^|[^a-z])({METRIC_WORDS}|improvement|regression|uplift|lift|bias)([^a-z]|$)"
)
THRESHOLD_NAME = re.compile(
    r"(?i)thresh|(^|_)(min|max|minimum|maximum|floor|limit|tolerance|target|required|expected"
    r"|allowed|acceptable)(_|$)|^(min|max)[A-Z0-9]|baseline|champion|incumbent|production"
    r"|reference|current|previous|best"
)
# names that are a bound rather than a measured metric (`min_auc`, `rmse_threshold`)
BOUND_NAME = re.compile(
    r"(?i)thresh|(^|[^a-z0-9])(min|max|minimum|maximum|floor|limit|tolerance|required|allowed"
    r"|acceptable|expected|target)(_|$)|(^|[^a-z0-9])(min|max)[A-Z0-9]"
)
CONFIG_BASE = re.compile(r"(?i)^(cfg|conf|config|settings|params|args|opts|options|gates?)$")
EVAL_NAME = re.compile(
    r"(?i)eval|validat|gate|promot|guardrail|approv|bless|quality|champion|regist|deploy"
    r"|publish|release"
)
PROMOTE_CALL = re.compile(
    r"(?i)^(register\w*|promote\w*|deploy\w*|push_model|publish\w*|upload_model"
    r"|transition_model_version_stage|set_registered_model_alias|create_model_version"
    r"|create_model_package|update_endpoint)$"
)
PROMOTE_WORDS = frozenset({"deploy", "upload", "register", "promote", "publish"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def promotion_step(name: str) -> bool:
    """A pipeline step that ships the model: `register_model`, `deploy`, or a Google Cloud
    Pipeline Components op whose CamelCase words name it (`ModelUploadOp`, `ModelDeployOp`,
    `EndpointDeployModelOp`); `EndpointCreateOp` alone ships nothing."""
    words = {w.lower() for w in _WORD.findall(name)}
    return bool(PROMOTE_CALL.match(name) or words & PROMOTE_WORDS)


EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit"})
# cancelling the running pipeline stops it before its later steps (AzureML v1:
# `run.parent.cancel()` skips model registration, as in microsoft/MLOpsPython)
CANCEL_CALL = re.compile(r"^(?:[\w.]*\.)?\w*run\w*(?:\.parent)?\.cancel$", re.I)
_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


@dataclass(frozen=True)
class Gate:
    """An `if` that gates a model on a metric: where, the comparison, what the branch does."""

    line: int
    condition: str
    action: str  # "fails", "promotes", "rejects" (reasons list) or "skips" (no registration)
    function: str | None
    context: str | None = None  # why this is promotion code, when the gate itself shows it


def constants(pf: PythonFacts) -> dict[str, object]:
    """Module-level literal constants of a file (`MIN_AUC = 0.85`)."""
    return {a.name: a.value for a in pf.assigns if a.scope == "<module>"}


def _trivial(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return value in (0, 1, -1) or abs(value) <= 1e-3


def threshold(node: ast.expr, consts: dict[str, object], source: str | None = None) -> str | None:
    """How `node` is a real threshold (its text, with a constant's value), or None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = node.operand
        if isinstance(inner, ast.Constant):
            value = inner.value
            return None if _trivial(value) else f"-{value}"
    if isinstance(node, ast.Constant):
        return None if _trivial(node.value) else repr(node.value)
    text = show(node, source)
    names: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            names.append(sub.value)
    for name in names:
        if name.isupper() and any(ch.isalpha() for ch in name):
            value = consts.get(name)
            if value is None or not _trivial(value):
                return f"{text} ({value})" if value is not None else text
        if THRESHOLD_NAME.search(name):
            return text
    base = node
    while isinstance(base, ast.Attribute | ast.Subscript):
        base = base.value
    configured = isinstance(base, ast.Name) and CONFIG_BASE.match(base.id)
    if configured and isinstance(node, ast.Attribute | ast.Subscript):
        return text
    return None


def metric(node: ast.expr) -> bool:
    """True when `node` reads a model-quality metric (not a count, a length or a threshold)."""
    if isinstance(node, ast.Constant):
        return False
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("len", "abs"):
        return False
    text = ast.unparse(node)
    return bool(GATE_METRIC.search(text)) and not BOUND_NAME.search(text)


def show(node: ast.AST, source: str | None) -> str:
    """The node as written in `source` (the text it was parsed from), else unparsed."""
    text = ast.get_source_segment(source, node) if source else None
    return " ".join(text.split()) if text else ast.unparse(node)


def gate_comparison(
    test: ast.expr, consts: dict[str, object], source: str | None = None
) -> str | None:
    """`metric <op> threshold` (either order) inside a condition, as text; else None."""
    for sub in ast.walk(test):
        if not isinstance(sub, ast.Compare):
            continue
        operands = [sub.left, *sub.comparators]
        for op, left, right in zip(sub.ops, operands, operands[1:], strict=False):
            symbol = _OPS.get(type(op))
            if symbol is None:
                continue
            if metric(left) and (bound := threshold(right, consts, source)):
                return f"{show(left, source)} {symbol} {bound}"
            if metric(right) and (bound := threshold(left, consts, source)):
                return f"{bound} {symbol} {show(right, source)}"
    return None


def _walk(body: list[ast.stmt]):
    """Nodes of a block, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _callee(call: ast.Call) -> str:
    return ast.unparse(call.func)


def stops(body: list[ast.stmt]) -> bool:
    """The block raises or exits with a failure status."""
    for node in _walk(body):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and _callee(node) in EXIT_CALLS and node.args:
            arg = node.args[0]
            if not isinstance(arg, ast.Constant) or arg.value not in (0, None, False):
                return True
        if isinstance(node, ast.Call) and CANCEL_CALL.match(_callee(node)):
            return True
    return False


def promotes(body: list[ast.stmt]) -> bool:
    """The block registers, promotes, pushes or deploys the model."""
    return any(
        isinstance(n, ast.Call) and PROMOTE_CALL.match(_callee(n).rsplit(".", 1)[-1])
        for n in _walk(body)
    )


def _reasons(body: list[ast.stmt]) -> set[str]:
    out = set()
    for node in _walk(body):
        func = node.func if isinstance(node, ast.Call) else None
        named = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
        if named and func.attr in ("append", "add", "extend"):
            out.add(func.value.id)
    return out


def _decides(scope: list[ast.stmt], names: set[str]) -> bool:
    """`approved = not reasons` (or `if reasons: raise`) decides with the collected list."""
    for node in _walk(scope):
        negated = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        if negated and isinstance(node.operand, ast.Name) and node.operand.id in names:
            return True
        tested = isinstance(node, ast.If) and isinstance(node.test, ast.Name)
        if tested and node.test.id in names and stops(node.body):
            return True
    return False


def action(node: ast.If, scope: list[ast.stmt]) -> str | None:
    """What the `if` does for a model that fails (or passes) the comparison."""
    if stops(node.body):
        return "fails"
    if promotes(node.body):
        return "promotes"
    listed = _reasons(node.body)
    if listed and _decides(scope, listed):
        return "rejects"
    if stops(node.orelse):
        return "fails"
    if promotes(node.orelse):
        return "promotes"
    leaves = any(isinstance(n, ast.Return | ast.Continue) for n in node.body)
    end = getattr(node, "end_lineno", node.lineno)
    later = [n for n in _walk(scope) if getattr(n, "lineno", 0) > end]
    if leaves and any(isinstance(n, ast.Call) and promotes([ast.Expr(n)]) for n in later):
        return "skips"
    return None


def gates(facts: Facts, path: str, pf: PythonFacts, tree: ast.Module) -> list[Gate]:
    """Every metric gate of a parsed non-test file."""
    consts = constants(pf)
    source = facts.text(path)
    out: list[Gate] = []
    decided = _decided_keys(tree)

    def visit(body: list[ast.stmt], function: str | None) -> None:
        for node in _walk(body):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qual = f"{function}.{node.name}" if function else node.name
                visit(node.body, qual)
            elif isinstance(node, ast.If):
                cond = gate_comparison(node.test, consts, source)
                what = action(node, body) if cond else None
                if cond and what is None and _returns_decision(node.body) & decided:
                    what = "promotes"
                if cond and what:
                    out.append(Gate(node.lineno, cond, what, function))

    visit(tree.body, None)
    return out + _decision_gates(tree, consts, source)


DECISION_KEY = re.compile(r"(?i)^(promote|promoted|approve|approved|deploy|register|accept\w*)$")
PUBLISH_TARGET = re.compile(r"(?i)registry|champion|production|serving|active_model")
PUBLISH_CALL = re.compile(r"(?i)^(save|update|write)_(registry|champion|production)\w*$")


def _returns_decision(body: list[ast.stmt]) -> set[str]:
    """Keys of `return Decision(promote=True, ...)` in the block: a champion/challenger rule
    that returns its verdict instead of promoting itself."""
    out: set[str] = set()
    for node in _walk(body):
        value = node.value if isinstance(node, ast.Return) else None
        for kw in value.keywords if isinstance(value, ast.Call) else ():
            true = isinstance(kw.value, ast.Constant) and kw.value.value is True
            if kw.arg and true and DECISION_KEY.match(kw.arg):
                out.add(kw.arg)
    return out


def _publishes(body: list[ast.stmt]) -> bool:
    """The block promotes, or writes the serving registry (`registry["active_model"] = ...`,
    `save_registry(...)`)."""
    if promotes(body):
        return True
    for node in _walk(body):
        if isinstance(node, ast.Call) and PUBLISH_CALL.match(_callee(node).rsplit(".", 1)[-1]):
            return True
        for target in node.targets if isinstance(node, ast.Assign) else ():
            base = target.value if isinstance(target, ast.Subscript) else None
            if isinstance(base, ast.Name) and PUBLISH_TARGET.search(base.id):
                return True
    return False


def _decided_keys(tree: ast.Module) -> set[str]:
    """Verdict attributes (`decision.promote`) tested by an `if` whose branch publishes the
    model: the returned verdict guards the promotion."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.If) or not _publishes(node.body):
            continue
        for sub in ast.walk(node.test):
            if isinstance(sub, ast.Attribute) and DECISION_KEY.match(sub.attr):
                out.add(sub.attr)
    return out


def _key(node: ast.expr) -> str | None:
    """`result.promotion_decision` -> `promotion_decision`; `decision` -> `decision`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None


def _decision_gates(tree: ast.Module, consts: dict, source: str | None) -> list[Gate]:
    """`decision = "promoted" if challenger_rmse < champion_rmse * (1 - margin) else "rejected"`
    where an `if <...>.decision == "promoted":` elsewhere in the file registers or promotes:
    the comparison of metric values (names assigned from a metric call such as `rmse(...)`)
    decides the promotion through the label."""
    measured = {
        t.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and metric(n.value)
        for t in n.targets
        if isinstance(t, ast.Name)
    }

    def measures(node: ast.expr) -> bool:
        return metric(node) or any(
            isinstance(n, ast.Name) and n.id in measured for n in ast.walk(node)
        )

    guarded: set[tuple[str, object]] = set()  # (label key, literal) whose branch promotes
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.ops[0], ast.Eq)
            and promotes(node.body)
        ):
            lit = test.comparators[0]
            if isinstance(lit, ast.Constant) and (key := _key(test.left)):
                guarded.add((key, lit.value))
    out: list[Gate] = []

    def visit(body: list[ast.stmt], function: str | None) -> None:
        for node in _walk(body):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(node.body, f"{function}.{node.name}" if function else node.name)
                continue
            value = node.value if isinstance(node, ast.Assign) else None
            if not isinstance(value, ast.IfExp) or not isinstance(value.test, ast.Compare):
                continue
            labels = {b.value for b in (value.body, value.orelse) if isinstance(b, ast.Constant)}
            keys = {_key(t) for t in node.targets}
            if not any((k, lab) in guarded for k in keys for lab in labels):
                continue
            cmp = value.test
            operands = [cmp.left, *cmp.comparators]
            for op, left, right in zip(cmp.ops, operands, operands[1:], strict=False):
                if type(op) not in _OPS or not measures(left):
                    continue
                if measures(right) or threshold(right, consts, source):
                    cond = show(cmp, source)
                    out.append(Gate(node.lineno, cond, "promotes", function, "promotion code"))
                    break

    visit(tree.body, None)
    return out


def evaluation_context(facts: Facts, path: str, function: str | None) -> str | None:
    """Why code at `path` (in `function`) is where a model is evaluated or promoted, or None:
    training code, a pipeline step, or an evaluate/validate/gate/promote-named script or
    function (and the files such scripts import)."""
    if path in set(training_code(facts)):
        return "training code"
    if any(run.trigger == "pipeline" for run in facts.automation.executions(path)):
        return "a pipeline step"
    names = [path.rsplit("/", 1)[-1]] + (function.split(".") if function else [])
    if any(EVAL_NAME.search(name) for name in names):
        return "evaluation code"
    if path in evaluation_code(facts):
        return "imported by an evaluation script"
    return None


def evaluation_code(facts: Facts) -> set[str]:
    """Files imported by evaluate/validate/promote-named scripts (with a `__main__` block or
    run by automation)."""

    def compute(f: Facts) -> set[str]:
        out: set[str] = set()
        for path in f.repo.with_suffix(".py"):
            base = path.rsplit("/", 1)[-1]
            if is_test_path(path) or path.startswith("../") or not EVAL_NAME.search(base):
                continue
            pf = f.python(path)
            if pf is not None and (pf.has_main or f.automation.executions(path)):
                out.update(reachable_files(f, path))
        return out

    return facts.memo("infra.evaluation_code", compute)
