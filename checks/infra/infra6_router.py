"""infra-6: a canary router inside the serving code.

A service can canary a new model without a mesh or a model server: on each request it draws a
random number or hashes a request key into a bucket, compares it with a canary/traffic
percentage and picks the canary or the stable model version. That decides live traffic, so it
is a canary; it stays manual because nothing in the repository ramps the percentage or promotes
the canary (a person edits the setting that holds it).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.infra._serving_path import serving_caller

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.registry import check

# the share of traffic the new model gets: canary_percent, self.traffic_split, CHALLENGER_RATIO
SHARE = re.compile(r"(?i)canary|traffic|rollout|challenger|treatment|candidate|shadow|ab_?test")
# a per-request draw: random.random(), np.random.rand(), hash(user) % 100, a stable bucket
DRAW = re.compile(r"(?i)random|\brand\w*\(|uniform|hash|bucket|crc32|mmh3|digest|md5|sha\d")
# what the branches choose between: two model versions
MODEL_SIDE = re.compile(
    r"(?i)model|version|canary|baseline|champion|challenger|shadow|production|stable|primary"
    r"|treatment|control|variant|candidate"
)
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


@check("infra-6")
def canary_router_in_serving(facts: Facts) -> Iterator[Evidence | Hint]:
    """A per-request canary router on the serving path.

    An `if`/conditional expression on the serving path (a web route, model server or batch job
    reaches the function) whose test compares a per-request draw (`random.random()`, a hash
    bucket) with a canary/traffic share (`canary_percent`, `self.traffic_split`) and whose
    branches pick a model version (canary/baseline, shadow/production). Manual: nothing in
    the repository ramps the share or promotes the canary. A router no serving code calls
    earns nothing.
    """
    mentions = ("canary", "traffic", "rollout", "challenger", "treatment", "ab_test")
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        if is_example_config(path) or path.startswith("../"):
            continue
        for qualname, line, test in _routers(facts.text(path) or ""):
            fn = next((f for f in pf.functions if f.qualname == qualname), None)
            entry = serving_caller(facts, path, fn) if fn else None
            if entry is None:
                yield Hint(
                    "infra-6",
                    f"{path}:{line} `{test}` in `{qualname}` splits requests between model "
                    "versions, but no serving entry point calls it; not credited",
                )
                continue
            yield Evidence(
                "infra-6",
                f"in-process canary router `{qualname}`: `{test}` picks the model version per "
                f"request on the serving path ({entry.path}:{entry.symbol}); the share is set "
                "by hand",
                path,
                line,
                "code",
                "manual",
                qualname,
            )


def _routers(text: str) -> list[tuple[str, int, str]]:
    """(function qualname, line, test source) of each draw-versus-share choice between two
    model versions, one per function."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found: dict[str, tuple[int, str]] = {}
    for qualname, node in _with_scope(tree, ""):
        if qualname in found or not isinstance(node, ast.If | ast.IfExp):
            continue
        if not any(_draw_against_share(c) for c in ast.walk(node.test)):
            continue
        branches = [node.body, node.orelse]
        shown = " ".join(
            ast.unparse(b) if isinstance(b, ast.AST) else " ".join(ast.unparse(s) for s in b)
            for b in branches
        )
        if MODEL_SIDE.search(shown):
            found[qualname] = (node.lineno, ast.unparse(node.test)[:80])
    return [(q, line, test) for q, (line, test) in found.items() if q]


def _draw_against_share(node: ast.AST) -> bool:
    if not isinstance(node, ast.Compare) or len(node.ops) != 1:
        return False
    if not isinstance(node.ops[0], ORDERING):
        return False
    left, right = ast.unparse(node.left), ast.unparse(node.comparators[0])
    return bool(
        (DRAW.search(left) and SHARE.search(right) and not DRAW.search(right))
        or (DRAW.search(right) and SHARE.search(left) and not DRAW.search(left))
    )


def _with_scope(node: ast.AST, scope: str) -> Iterator[tuple[str, ast.AST]]:
    """Every node with the qualname of the function or method that encloses it."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = f"{scope}.{child.name}" if scope else child.name
            yield from _with_scope(child, inner)
        else:
            yield scope, child
            yield from _with_scope(child, scope)
