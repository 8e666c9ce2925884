"""Operands of comparisons in Python code (model-5, model-6, model-7): the words an
expression is made of, whether a side is a fixed value (a number or a threshold read from a
config), and the differences/ratios of two values a compared name was computed from
(`lift = metrics["auc"] - metrics["baseline_auc"]`). Used by `_compare`; no check lives here.
"""

from __future__ import annotations

import ast
import re

THRESHOLD_NAME = re.compile(
    r"thresh|(^|_)(min|max|minimum|maximum|limit|tolerance|floor|ceiling|budget|allowed)(_|$)",
    re.I,
)
_TRIVIAL = (0, 0.0, None, True, False)
MAX_DEPTH = 4
# Words that may stand next to a threshold's name on a side that is only a fixed value read
# from a config or dict: `thresholds["min_accuracy"]`, `self.config.get("max_rmse")`.
CONTAINER_WORDS = frozenset(
    {
        "self",
        "config",
        "cfg",
        "conf",
        "settings",
        "params",
        "parameters",
        "args",
        "options",
        "opts",
        "get",
        "thresholds",
        "requirements",
        "limits",
        "criteria",
        "gates",
    }
)
LIFTS = " lifts"  # key in a function's derivation table (never an identifier)


def words_of(node: ast.AST | None) -> set[str]:
    """Identifiers, attribute names and string constants in an expression (lower case)."""
    out: set[str] = set()
    if node is None:
        return out
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id.lower())
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr.lower())
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and len(sub.value) < 80:
            out.add(sub.value.lower())
    return out


def names_of(node: ast.AST | None) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node is not None else set()


def is_trivial(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return isinstance(node, ast.Constant) and any(
        node.value is t or (type(node.value) is type(t) and node.value == t) for t in _TRIVIAL
    )


def is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def fixed_side(node: ast.AST) -> bool:
    """A number, or a threshold read by name from a config or dict (`min_value`,
    `thresholds["min_accuracy"]`, `MIN_AUC`)."""
    if is_number(node):
        return True
    words = words_of(node)
    named = [w for w in words if THRESHOLD_NAME.search(w)]
    return bool(named) and all(THRESHOLD_NAME.search(w) or w in CONTAINER_WORDS for w in words)


def derived_words(names: set[str], derive: dict[str, set[str]]) -> set[str]:
    """The words `names` were computed from in the same function (bounded depth)."""
    tokens: set[str] = set()
    frontier = set(names)
    seen: set[str] = set()
    for _ in range(MAX_DEPTH):
        nxt: set[str] = set()
        for name in frontier - seen:
            seen.add(name)
            derived = derive.get(name, set())
            tokens |= derived
            nxt |= {w for w in derived if w.isidentifier()}
        frontier = nxt
    return tokens


def expand(node: ast.AST, derive: dict[str, set[str]]) -> frozenset[str]:
    """The words of `node` plus the words its names were computed from."""
    return frozenset(words_of(node) | derived_words(names_of(node), derive))


def lifts_in(node: ast.AST, derive: dict, lifts: dict) -> list[tuple[frozenset, frozenset]]:
    """(left words, right words) of each difference or ratio of two non-constant values in
    `node`, and of those its names were computed from (`drop = base["auc"] - auc`)."""
    out: list[tuple[frozenset, frozenset]] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub | ast.Div):
            literal = (ast.Constant, ast.JoinedStr)  # `tmp_path / "metrics.json"`, `1 - x`
            if not (isinstance(sub.left, literal) or isinstance(sub.right, literal)):
                out.append((expand(sub.left, derive), expand(sub.right, derive)))
        elif isinstance(sub, ast.Name):
            out.extend(lifts.get(sub.id, ()))
    return out


def constant_condition(text: str) -> bool:
    """True when a condition's source (`if acc < thresholds["min_accuracy"]:`, from a notebook
    line) compares only with fixed values: each ordered comparison has a number or
    threshold-named side and no difference or ratio of two values on the same line."""
    body = re.sub(r"^\s*(if|assert|elif)\b", "", text).strip().rstrip(":")
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError:
        return False
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    ordered = [
        c
        for c in compares
        if any(isinstance(op, ast.Lt | ast.LtE | ast.Gt | ast.GtE) for op in c.ops)
    ]
    return bool(ordered) and all(
        any(fixed_side(s) for s in (c.left, *c.comparators))
        and not any(lifts_in(s, {}, {}) for s in (c.left, *c.comparators))
        for c in ordered
    )
