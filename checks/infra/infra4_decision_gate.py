"""infra-4: a promotion decision object that compares the candidate with a threshold or the
champion, and the branch that promotes (or refuses to) on it.

Projects often put the comparison in a small value object (`PromotionDecision.promote`
returns `self.metric_delta > self.required_delta`) and branch on it elsewhere: `if
decision.promote: promote_candidate(...)`, or `if not decision.promote: raise ValueError`
inside the promotion function. The `if` on the decision is the gate; the comparison it stands
for is quoted from the property or method that computes it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.infra._gates import GATE_METRIC, PROMOTE_CALL, THRESHOLD_NAME
from ml_readiness.checks.infra._shared import scope_at

from ml_readiness.automation import test_hop
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts
from ml_readiness.registry import check

DECISION_NAMES = (
    "promote", "should_promote", "can_promote", "passed", "passes", "approved", "is_approved",
    "accepted", "should_deploy", "is_better",
)  # fmt: skip
DECISION = re.compile(
    r"^(promote|should_promote|can_promote|passed|passes|approved|is_approved|accepted"
    r"|should_deploy|is_better|beats_\w+|better_than_\w+)$"
)
# the measured side of the comparison may be the metric's improvement over the champion
IMPROVEMENT = re.compile(r"(?i)delta|improv|gain|uplift")
SHIPPING_ALIAS = frozenset({"set_alias", "set_model_alias", "link_artifact"})
EXITS = frozenset({"exit", "quit", "_exit"})


@check("infra-4")
def decision_object_gate(facts: Facts) -> Iterator[Evidence]:
    """Promotion that depends on a decision object's metric comparison.

    A property or method named `promote`/`should_promote`/`passed`/`approved`/`is_better`
    that returns a comparison of a metric or its improvement (`metric_delta`, `auc`) with a
    threshold or champion value (`required_delta`, `champion_auc`); and an `if` on it
    (`if decision.promote:`) whose branch promotes, registers or sets a registry alias, or
    (`if not decision.promote:`) raises or exits. Automated when automation runs the function
    holding the `if` other than through a unit test (a test of the promotion code on a mock
    registry promotes nothing).
    """
    predicates = _decision_predicates(facts)
    if not predicates:
        return
    tokens = tuple(f".{name}" for name in predicates)
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        if not path.endswith(".py"):
            continue
        try:
            tree = ast.parse(facts.text(path) or "")
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            found = _gate(node, predicates) if isinstance(node, ast.If) else None
            if found is None:
                continue
            attr, action = found
            where, comparison = predicates[attr]
            detail = (
                f"model is promoted only when `{ast.unparse(node.test)}` holds"
                if action == "promotes"
                else f"promotion fails unless the decision holds (`{ast.unparse(node.test)}`)"
            )
            detail += f"; `{attr}` compares `{comparison}` ({where})"
            symbol = scope_at(pf, node.lineno)
            runs = [r for r in facts.automation.executions(path, symbol) if r.automated]
            tested = runs and all(test_hop(r.chain) for r in runs)
            if tested:  # a unit test of the promotion code on a mock registry gates nothing
                detail += f"; only a unit test runs it ({test_hop(runs[0].chain)})"
            credit = "manual" if tested else "automated"
            yield Evidence("infra-4", detail, path, node.lineno, "code", credit, symbol)


def _decision_predicates(facts: Facts) -> dict[str, tuple[str, str]]:
    """Decision attribute name → (where it is defined, the comparison it returns)."""
    out: dict[str, tuple[str, str]] = {}
    mentions = tuple(f"def {name}" for name in DECISION_NAMES) + ("def beats_", "def better_than_")
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        names = [f for f in pf.functions if DECISION.match(f.name) and f.class_name]
        if not names or not path.endswith(".py"):
            continue
        lines = facts.lines(path)
        for fn in names:
            source = "\n".join(lines[fn.line - 1 : fn.end_line])
            comparison = _returned_comparison(source)
            if comparison and fn.name not in out:
                out[fn.name] = (f"{path}:{fn.line}", comparison)
    return out


def _returned_comparison(source: str) -> str | None:
    """The first `return a > b` in the function where one side is measured (a metric or an
    improvement) and the other a threshold or champion value."""
    start = next((i for i, ln in enumerate(source.splitlines()) if "def " in ln), 0)
    body = "\n".join(source.splitlines()[start:])
    try:
        tree = ast.parse(_dedent(body))
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        value = node.value if isinstance(node, ast.Return) else None
        if not isinstance(value, ast.Compare) or len(value.ops) != 1:
            continue
        left, right = _names(value.left), _names(value.comparators[0])
        if (_measured(left) and _bound(right)) or (_measured(right) and _bound(left)):
            return ast.unparse(value)
    return None


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indent = min((len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()), default=0)
    return "\n".join(ln[indent:] for ln in lines)


def _gate(node: ast.If, predicates: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(decision attribute, "promotes"/"fails") when the `if` branches on a decision."""
    test, negated = node.test, False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, True
    if isinstance(test, ast.Call):
        test = test.func
    if not isinstance(test, ast.Attribute) or test.attr not in predicates:
        return None
    body = [sub for stmt in node.body for sub in ast.walk(stmt)]
    if negated:
        stops = any(isinstance(s, ast.Raise) for s in body) or any(
            isinstance(s, ast.Call) and _last(s.func) in EXITS for s in body
        )
        return (test.attr, "fails") if stops else None
    ships = any(isinstance(s, ast.Call) and _ships(_last(s.func)) for s in body)
    return (test.attr, "promotes") if ships else None


def _names(node: ast.expr) -> list[str]:
    """The variable and attribute names in an expression (`self.required_delta` gives self,
    required_delta)."""
    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
    return out


def _measured(names: list[str]) -> bool:
    """A metric, or its improvement over the champion."""
    return any(GATE_METRIC.search(n) or IMPROVEMENT.search(n) for n in names)


def _bound(names: list[str]) -> bool:
    """A threshold, a required improvement or the champion's value."""
    return any(THRESHOLD_NAME.search(n) for n in names if n != "self")


def _ships(name: str) -> bool:
    return bool(PROMOTE_CALL.match(name)) or name in SHIPPING_ALIAS


def _last(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""
