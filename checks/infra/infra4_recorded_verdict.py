"""infra-4: an automated evaluation records a threshold verdict; a person promotes after it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.infra._gates import constants, gate_comparison
from ml_readiness.checks.infra._shared import module_node

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.registry import check

# a boolean verdict assigned from a metric-vs-threshold comparison (`gate1_passed = ...`)
VERDICT_NAME = re.compile(r"(?i)(^|_)(passed|passes|pass|ok|approved|accepted|verdict|meets\w*)$")
# a keyword or attribute carrying the verdict when it is recorded
VERDICT_KEY = re.compile(r"(?i)^(all_)?(passed|approved|accepted|verdict|valid|is_valid)$")
RECORD_CALL = re.compile(
    r"(?i)^(publish\w*|register\w*|record\w*|log_\w*|set_tags?|tag\w*|add_tags?|save\w*"
    r"|write\w*|notify\w*|send\w*|post\w*|upload\w*|put\w*)$"
)
PROMOTION_CALL = re.compile(
    r"(?i)^(promote\w*|set_\w*(champion|alias|production)\w*|set_\w*model\w*stage\w*"
    r"|transition_model_version_stage|set_registered_model_alias|update_endpoint)$"
)
_VERDICT_LINE = re.compile(
    r"(?i)^\s*\w*(passed|passes|pass|ok|approved|accepted|verdict|meets\w*)\s*=[^=].*[<>]"
)
Verdict = tuple[str, str, int, str]  # (path, function, line, condition)


def _verdict_functions(facts: Facts) -> dict[str, Verdict]:
    """Function name → its first `x_passed = metric <op> threshold` assignment."""
    out: dict[str, Verdict] = {}
    tokens = ("passed", "pass ", "ok =", "approved", "accepted", "verdict", "meets")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        if not any(_VERDICT_LINE.match(line) for line in facts.lines(path)):
            continue  # cheap filter before parsing
        tree = module_node(facts, path) if path.endswith(".py") else None
        consts = constants(pf)
        source = facts.text(path)
        for fn in ast.walk(tree) if tree else ():
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or fn.name in out:
                continue
            for node in ast.walk(fn):
                named = isinstance(node, ast.Assign) and len(node.targets) == 1
                target = node.targets[0] if named else None
                if not isinstance(target, ast.Name) or not VERDICT_NAME.search(target.id):
                    continue
                cond = gate_comparison(node.value, consts, source)
                if cond:
                    out[fn.name] = (path, fn.name, node.lineno, cond)
                    break
    return out


def _automated(facts: Facts, path: str, symbol: str) -> str | None:
    run = facts.automation.execution_of(path, symbol)
    return run.root if run is not None and run.automated else None


def _imports(facts: Facts, path: str, target: str) -> bool:
    """The file at `path` is `target` or imports it."""
    if path == target:
        return True
    pf, index = facts.python(path), module_index(facts)
    return any(target in index.resolve(path, imp) for imp in (pf.imports if pf else ()))


def _recorded(tree: ast.Module, line: int) -> tuple[int, str] | None:
    """(line, what) where the verdict is recorded, in the top-level class or function holding
    `line`: a call passing it by keyword (`register_evaluation(passed=result.all_passed)`), or
    an `if <...>.all_passed:` whose branch publishes, logs or tags something."""
    top = [n for n in tree.body if n.lineno <= line <= (n.end_lineno or n.lineno)]
    found: list[tuple[int, str]] = []
    for node in (n for t in top for n in ast.walk(t)):
        if isinstance(node, ast.Call) and any(
            kw.arg and VERDICT_KEY.match(kw.arg) and not isinstance(kw.value, ast.Constant)
            for kw in node.keywords
        ):
            name = ast.unparse(node.func).rsplit(".", 1)[-1]
            if RECORD_CALL.match(name):
                found.append((node.lineno, f"`{name}(...)` records the verdict"))
        test = node.test if isinstance(node, ast.If) else None
        key = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
        if key and VERDICT_KEY.match(key):
            for sub in (s for stmt in node.body for s in ast.walk(stmt)):
                name = ast.unparse(sub.func).rsplit(".", 1)[-1] if isinstance(sub, ast.Call) else ""
                if RECORD_CALL.match(name):
                    found.append((sub.lineno, f"`{name}(...)` publishes a passing verdict"))
                    break
    return min(found) if found else None


def _manual_promotions(facts: Facts) -> list[tuple[str, str, int]]:
    """(path, function, line) of promotions (`promote_*`, `set_champion*`, alias/stage
    switches) that no automation runs."""
    out = []
    for path, pf in facts.python_files(
        mentions=("promot", "champion", "alias", "stage"), tests=False
    ):
        for call in pf.calls:
            promotes = PROMOTION_CALL.match(call.attr) and call.scope != "<module>"
            if promotes and not _automated(facts, path, call.scope):
                out.append((path, call.scope, call.line))
                break
    return out


@check("infra-4")
def recorded_verdict_gate(facts: Facts) -> Iterator[Evidence | Hint]:
    """Automated threshold evaluation whose verdict a person reads before promoting (manual).

    A repository function assigns a verdict from a model metric compared with a configured
    threshold (`gate_passed = anomaly_rate <= max_anomaly_rate`); a function that automation
    runs (a schedule, an event chain, CI) calls it, and its file records the verdict (a
    `register_*`/`log_*`/`publish_*` call given `passed=`/`approved=`, or an
    `if result.all_passed:` that publishes it); promotion is a separate step nobody automates
    (`promote*`, `set_champion*`, an alias or stage switch). Every candidate is judged, but
    a human decides: manual. Never automated here: a promotion conditioned on the verdict is
    the job of the gate rules. Verdicts only printed, evaluations run by hand, and repositories
    without a promotion step earn nothing.
    """
    verdicts = _verdict_functions(facts)
    if not verdicts:
        return
    promotions = None
    for path, pf in facts.python_files(mentions=tuple(verdicts), tests=False):
        for call in pf.calls:
            verdict = verdicts.get(call.attr)
            root = _automated(facts, path, call.scope) if verdict else None
            if not verdict or not root or not _imports(facts, path, verdict[0]):
                continue
            tree = module_node(facts, path) if path.endswith(".py") else None
            record = _recorded(tree, call.line) if tree else None
            if record is None:
                continue
            promotions = _manual_promotions(facts) if promotions is None else promotions
            if not promotions:
                yield Hint(
                    "infra-4",
                    f"{path}:{call.line}: {call.attr} judges the model automatically ({root}) "
                    "but no promotion step was found that a person runs after reading the "
                    "verdict; not credited",
                )
                return
            ppath, pscope, pline = promotions[0]
            detail = (
                f"{root} runs {call.attr} automatically ({verdict[0]}:{verdict[2]}: "
                f"{verdict[3]}) and {record[1]} ({path}:{record[0]}); promotion is a separate "
                f"hand-run step ({ppath}:{pline} {pscope})"
            )
            yield Evidence("infra-4", detail, path, call.line, "code", "manual", call.scope)
            return
