"""Guarded comparisons in Python code, read from the syntax tree (model-5, model-6, model-7).

A *guard* is an `assert` or an `if` whose condition compares values and whose body acts on the
outcome: raises, exits, records a failure (`failures.append(...)`), sets a flag, records a
labelled outcome (`reason = "candidate better than champion"`), returns or promotes the model
(a registry/deploy call, or copying the new model file over the served one); or a labelled
decision (`decision = "promoted" if chal < champ else "rejected"`).
Each guard carries the words its operands are made of, including what those names were
computed from inside the same function (`lift = metrics["auc"] - metrics["baseline_auc"]`
makes `lift` carry `auc` and `baseline_auc`), so a check can ask "is this a comparison with a
baseline?" or "is this a per-slice threshold?" without depending on how a line is written.

PythonFacts records no comparisons, so this module parses the source of the (few) files a
check asks about, once per file (memoised). No check lives here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ml_readiness.checks.model._operands import (
    LIFTS,
    THRESHOLD_NAME,
    derived_words,
    fixed_side,
    is_number,
    is_trivial,
    lifts_in,
    names_of,
    words_of,
)

from ml_readiness.facts import Facts
from ml_readiness.facts.python import MODULE, attribute_path

FAILURE_LIST = re.compile(
    r"fail|reason|error|violation|problem|issue|breach|alert|reject|block", re.I
)
EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "pytest.fail"})
# cancelling the running pipeline (AzureML v1 `run.parent.cancel()`) stops its later steps
CANCEL_CALL = re.compile(r"^(?:[\w.]*\.)?\w*run\w*(?:\.parent)?\.cancel$", re.I)
# Calls that put a model in service: a registry move, a deployment, or copying the new model
# file over the served one (`shutil.copy(new_model_path, current_model_path)`).
PROMOTE_CALL = re.compile(
    r"(?i)^(register\w*|promote\w*|deploy\w*|push_model|publish\w*|upload_model"
    r"|transition_model_version_stage|set_registered_model_alias|create_model_version"
    r"|update_endpoint)$"
)
COPY_CALLS = frozenset(
    {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "os.replace", "os.rename"}
)
DECISION_NAME = re.compile(r"reason|decision|verdict|outcome", re.I)


@dataclass(frozen=True)
class Guard:
    """One guarded comparison."""

    line: int
    scope: str  # enclosing function qualname, or MODULE
    text: str  # the condition's source (at most 80 characters)
    direct: frozenset[str]  # lower-case words of the compared operands themselves
    tokens: frozenset[str]  # `direct` plus the words those names were computed from
    loop: frozenset[str]  # words of the enclosing `for` loops (targets and iterables)
    threshold: bool  # a side is a non-zero number or a threshold-like name/key
    trivial: bool  # every comparison has a literal 0 / None / bool side (a sanity check)
    action: str  # assert | raise | exit | append | flag | return | promote | decide
    target: str | None = None  # the list a failure is appended to
    ordered: bool = False  # some non-trivial comparison is <, <=, > or >=
    # every ordered comparison has a fixed side: a number, `min_value`,
    # `thresholds["min_accuracy"]` (the other side may still be a lift over a baseline)
    fixed: bool = False
    # word sets of the two operands of each difference/ratio the compared values are made of
    # (`lift = metrics["auc"] - metrics["baseline_auc"]`), through the names they come from
    lifts: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()

    def words(self, thresholds: bool = True) -> str:
        """All the guard's words joined by spaces (for regex searches); without the names of
        thresholds (`MIN_PRODUCTION_AUC`) when `thresholds` is False."""
        words = self.tokens | self.loop
        if not thresholds:
            words = frozenset(w for w in words if not THRESHOLD_NAME.search(w))
        return " ".join(sorted(words))


def _stops(body: list[ast.stmt]) -> bool:
    """The block raises, exits or cancels the running pipeline (AzureML `run.parent.cancel()`)."""
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Raise):
                return True
            if isinstance(sub, ast.Call):
                name = attribute_path(sub.func)
                if name in EXIT_CALLS or CANCEL_CALL.match(name):
                    return True
    return False


def _action(body: list[ast.stmt]) -> tuple[str, str | None]:
    """What an `if` body does with a failed comparison."""
    promote = False
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Raise):
                return "raise", None
            if isinstance(sub, ast.Call):
                name = attribute_path(sub.func)
                if name in EXIT_CALLS or CANCEL_CALL.match(name):
                    return "exit", None
                if name.rsplit(".", 1)[-1] in ("append", "add", "extend") and "." in name:
                    return "append", name.rsplit(".", 1)[0]
                promote = promote or name in COPY_CALLS
                promote = promote or bool(PROMOTE_CALL.match(name.rsplit(".", 1)[-1]))
        value = stmt.value if isinstance(stmt, ast.Assign) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            return "flag", None
        if isinstance(value, ast.Constant | ast.JoinedStr) and _labels(stmt):
            return "decide", None  # `reason = "Candidate model better than champion"`
        if isinstance(stmt, ast.Return):
            return "return", None
    return ("promote", None) if promote else ("", None)


def _labels(stmt: ast.stmt) -> bool:
    """`reason = "..."`, `decision = f"..."`: a string recorded as the outcome of a test."""
    if not isinstance(stmt, ast.Assign):
        return False
    value = stmt.value
    if isinstance(value, ast.Constant) and not isinstance(value.value, str):
        return False
    return any(DECISION_NAME.search(n) for t in stmt.targets for n in names_of(t))


def _decision(value: ast.expr | None) -> ast.expr | None:
    """The test of a labelled decision, `"promoted" if chal < champ else "rejected"` (both
    branches literal strings or booleans), or None."""
    if not isinstance(value, ast.IfExp):
        return None
    sides = (value.body, value.orelse)
    if all(isinstance(s, ast.Constant) and isinstance(s.value, str | bool) for s in sides):
        return value.test
    return None


class _Collector:
    def __init__(self, text: str) -> None:
        self.lines = [line.encode() for line in text.splitlines()]
        self.guards: list[Guard] = []
        self.exit_scopes: set[str] = set()
        self.callers: dict[str, set[str]] = {}

    def function(self, node: ast.AST, scope: str) -> None:
        derive: dict[str, set[str]] = {}
        self._block(getattr(node, "body", []), scope, derive, frozenset())

    def _block(
        self, body: list[ast.stmt], scope: str, derive: dict[str, set[str]], loop: frozenset[str]
    ) -> None:
        for stmt in body:
            self._stmt(stmt, scope, derive, loop)

    def _record_calls(self, stmt: ast.AST, scope: str) -> None:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Call):
                name = attribute_path(sub.func)
                if name:
                    self.callers.setdefault(name.rsplit(".", 1)[-1], set()).add(scope)
                if name in EXIT_CALLS:
                    self.exit_scopes.add(scope)
            elif isinstance(sub, ast.Raise):
                self.exit_scopes.add(scope)

    def _stmt(
        self, stmt: ast.stmt, scope: str, derive: dict[str, set[str]], loop: frozenset[str]
    ) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = stmt.name if scope == MODULE else f"{scope}.{stmt.name}"
            if isinstance(stmt, ast.ClassDef):
                self._block(stmt.body, inner, {}, frozenset())
            else:
                self.function(stmt, inner)
            return
        if not isinstance(stmt, ast.If | ast.While | ast.For | ast.AsyncFor | ast.With):
            self._record_calls(stmt, scope)
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            value = words_of(stmt.value)
            lifts = derive.setdefault(LIFTS, {})  # type: ignore[arg-type]
            found = lifts_in(stmt.value, derive, lifts) if stmt.value is not None else []
            for t in targets:
                for name in names_of(t):
                    derive.setdefault(name, set()).update(value)
                    if found:
                        lifts[name] = found  # type: ignore[index]
            decided = _decision(stmt.value)
            if decided is not None:
                self._guard(stmt, decided, scope, derive, loop, ("decide", None))
        elif isinstance(stmt, ast.Assert):
            self._guard(stmt, stmt.test, scope, derive, loop, ("assert", None))
        elif isinstance(stmt, ast.If):
            self._record_calls(stmt.test, scope)
            what = _action(stmt.body)
            if not what[0] and _stops(stmt.orelse):  # `if new < prod: … else: cancel()`
                what = ("exit", None)
            self._guard(stmt, stmt.test, scope, derive, loop, what)
            self._block(stmt.body, scope, derive, loop)
            self._block(stmt.orelse, scope, derive, loop)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self._record_calls(stmt.iter, scope)
            words = words_of(stmt.iter)
            for name in names_of(stmt.target):
                derive.setdefault(name, set()).update(words)
            inner = loop | frozenset(words | words_of(stmt.target))
            self._block(stmt.body, scope, derive, inner)
            self._block(stmt.orelse, scope, derive, loop)
        elif isinstance(stmt, ast.While):
            self._record_calls(stmt.test, scope)
            self._block(stmt.body, scope, derive, loop)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                self._record_calls(item.context_expr, scope)
            self._block(stmt.body, scope, derive, loop)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                self._block(block, scope, derive, loop)
            for handler in stmt.handlers:
                self._block(handler.body, scope, derive, loop)

    def _segment(self, node: ast.expr) -> str:
        """The source of `node` (column offsets are UTF-8 byte offsets)."""
        first, last = node.lineno, getattr(node, "end_lineno", None) or node.lineno
        if not 0 < first <= last <= len(self.lines):
            return ""
        start, end = node.col_offset, getattr(node, "end_col_offset", None)
        if first == last:
            raw = self.lines[first - 1][start:end]
        else:
            parts = [self.lines[first - 1][start:], *self.lines[first : last - 1]]
            parts.append(self.lines[last - 1][:end])
            raw = b"\n".join(parts)
        return raw.decode("utf-8", errors="replace")

    def _guard(
        self,
        stmt: ast.stmt,
        test: ast.expr,
        scope: str,
        derive: dict[str, set[str]],
        loop: frozenset[str],
        action: tuple[str, str | None],
    ) -> None:
        compares = [n for n in ast.walk(test) if isinstance(n, ast.Compare)]
        compares = [
            c for c in compares if not all(isinstance(op, ast.In | ast.NotIn) for op in c.ops)
        ]
        if not compares or not action[0]:
            return
        direct: set[str] = set()
        threshold = False
        trivial = True
        ordered = False
        fixed = True
        lift_table = derive.get(LIFTS, {})
        lifts: list[tuple[frozenset[str], frozenset[str]]] = []
        for cmp in compares:
            sides = [cmp.left, *cmp.comparators]
            if not any(is_trivial(s) for s in sides):
                trivial = False
                is_ordered = any(
                    isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE) for op in cmp.ops
                )
                ordered = ordered or is_ordered
                if is_ordered:
                    lifts.extend(p for s in sides for p in lifts_in(s, derive, lift_table))
                    fixed = fixed and any(fixed_side(s) for s in sides)
            for side in sides:
                words = words_of(side)
                direct |= words
                if (is_number(side) and not is_trivial(side)) or any(
                    THRESHOLD_NAME.search(w) for w in words
                ):
                    threshold = True
        tokens = direct | derived_words(names_of(test), derive)
        line = stmt.lineno
        text = self._segment(test)
        self.guards.append(
            Guard(
                line,
                scope,
                " ".join(text.split())[:80],
                frozenset(direct),
                frozenset(tokens),
                loop,
                threshold,
                trivial,
                action[0],
                action[1],
                ordered,
                fixed and ordered,
                tuple(lifts),
            )
        )


@dataclass(frozen=True)
class ModuleGuards:
    guards: tuple[Guard, ...] = ()
    exit_scopes: frozenset[str] = frozenset()
    callers: tuple[tuple[str, frozenset[str]], ...] = ()

    def reaches_exit(self, guard: Guard) -> bool:
        """True when a failure the guard records stops something: the guard raises/exits or
        asserts, or it appends to a failure list in a function that a raising/exiting scope
        calls (`failures = gate_failures(...)`; `if failures: sys.exit(1)`)."""
        if guard.action in ("assert", "raise", "exit"):
            return True
        if guard.action != "append":
            return False
        name = guard.scope.rsplit(".", 1)[-1]
        calling = dict(self.callers).get(name, frozenset())
        return guard.scope in self.exit_scopes or bool(calling & self.exit_scopes)


def module_guards(facts: Facts, path: str) -> ModuleGuards:
    """The guards of one `.py` file (empty for notebooks and files that do not parse)."""

    def build(f: Facts) -> ModuleGuards:
        if not path.endswith(".py"):
            return ModuleGuards()
        text = f.text(path)
        if not text:
            return ModuleGuards()
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return ModuleGuards()
        collector = _Collector(text)
        collector.function(tree, MODULE)
        return ModuleGuards(
            tuple(collector.guards),
            frozenset(collector.exit_scopes),
            tuple((k, frozenset(v)) for k, v in collector.callers.items()),
        )

    return facts.memo(f"model:guards:{path}", build)


def is_gate(module: ModuleGuards, guard: Guard) -> bool:
    """True when a failed comparison stops or marks something: an assert, raise or exit, a
    failure recorded in a list that a raising/exiting caller checks or whose name says it
    holds failures (`failures`, `reasons`, `violations`), or a pass/fail flag."""
    if module.reaches_exit(guard) or guard.action == "flag":
        return True
    return guard.action == "append" and bool(FAILURE_LIST.search(guard.target or ""))


def module_thresholds(
    facts: Facts, path: str, words: re.Pattern[str], metric: re.Pattern[str]
) -> list[tuple[int, str, str]]:
    """(line, condition, scope) of threshold gates anywhere in `path` whose words match
    `words` (slice or fairness vocabulary) and `metric`: `if auc < thresholds["min_slice_auc"]:
    failures.append(...)` in a `gate_failures` function that `main` turns into an exit."""
    module = module_guards(facts, path)
    out = []
    for guard in module.guards:
        if guard.trivial or not guard.ordered or not guard.threshold:
            continue
        text = guard.words()
        if words.search(text) and metric.search(text) and is_gate(module, guard):
            out.append((guard.line, guard.text, guard.scope))
    return out
