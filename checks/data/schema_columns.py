"""data-1, hand-written column schemas: a constant listing the required columns
(`REQUIRED_COLUMNS = ("instruction", "output")`, `FEATURE_COLS = [...]`), or a required-column
list assigned in the checking function (`required = {"user_id", "rating"}`), that a function
compares with the data's columns and raises on, called on the training data path."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import training_code

from ml_readiness.checklib import call_evidence
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.imports import imported_files
from ml_readiness.facts.python import Function, PythonFacts

from ._shared import code_lines, column_list, function_text
from .schema_code import toy_schema_path

ITEM = "data-1"
COLUMN_CONSTANT = re.compile(r"^([A-Z][A-Z0-9]*_)*(COLUMNS|COLS|FIELDS|FEATURES)$")
# A required-column list assigned inside the checking function itself.
LOCAL_COLUMNS = re.compile(
    r"^_?(required|expected|mandatory|needed)(_(columns|cols|fields|features))?$", re.I
)
LOCAL_TOKENS = re.compile(r"\b_?(required|expected|mandatory|needed)\w*\s*=\s*[\[({]", re.I)
# The function reads the data's columns: pandas/polars `.columns`, HF datasets `column_names`,
# csv `fieldnames`, a record's `.keys()`.
READS_COLUMNS = re.compile(r"\.columns\b|\bcolumn_names\b|\bfieldnames\b|\.keys\(\)")
# A deny list (columns that must NOT be there) is a meta-level requirement (data-4), not a schema.
DENY_LIST = re.compile(r"FORBIDDEN|BANNED|DENY|DENIED|BLOCK|EXCLUD|DROP|IGNORE|SKIP|PII|SENSITIVE")
# The line compares the required columns with what the data has (presence check).
PRESENCE = re.compile(r"\bnot in\b|\bmissing\b|issubset|issuperset|difference|-\s*set\(|<=|>=")
RAISES = re.compile(r"^\s*(raise|assert)\b", re.M)
TYPE_CHECK = re.compile(r"\.dtypes?\b|is_numeric_dtype|is_string_dtype|\bisinstance\(")
DATA_SCRIPT = re.compile(r"prepar|preprocess|ingest|etl|make_dataset|build_dataset|process_data")
MAX_EVIDENCE = 3


def _constants(pf: PythonFacts) -> dict[str, list[str]]:
    """Column-list constants of a module or class: name -> the literal column names."""
    out = {}
    for a in pf.assigns:
        if not COLUMN_CONSTANT.match(a.name):
            continue
        cols = [v for v in a.value if isinstance(v, str)] if isinstance(a.value, tuple) else []
        if len(cols) >= 2 or not isinstance(a.value, tuple):
            out[a.name] = cols
    return out


def _local_columns(text: str) -> dict[str, list[str]]:
    """Required-column lists assigned inside a function (`required = {"user_id", "rating"}`,
    `expected_cols = [...]`): name -> the literal column names (two or more strings)."""
    try:
        tree = ast.parse(textwrap.dedent(text))
    except (SyntaxError, ValueError):
        return {}
    out: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if not isinstance(target, ast.Name) or not LOCAL_COLUMNS.match(target.id):
            continue
        if not isinstance(value, ast.List | ast.Tuple | ast.Set):
            continue
        cols = [e.value for e in value.elts if isinstance(e, ast.Constant)]
        if len(cols) >= 2 and all(isinstance(c, str) for c in cols):
            out[target.id] = cols
    return out


def _raises(facts: Facts, path: str, fn: Function) -> bool:
    return fn.asserts > 0 or bool(RAISES.search(code_lines(function_text(facts, path, fn))))


def _validators(
    facts: Facts, path: str, pf: PythonFacts
) -> list[tuple[Function, str, str, list[str]]]:
    """(function that raises on bad columns, constant, what it checks, its columns) for one
    module: a function comparing a column constant (or a required-column list assigned in the
    function itself) with the data's columns that raises itself, or whose result a function of
    the same module raises on (`validate_all` raising when `validate_schema` reports missing
    columns)."""
    module_consts = _constants(pf)
    out: list[tuple[Function, str, str, list[str]]] = []
    for fn in pf.functions:
        raw = function_text(facts, path, fn)
        text = code_lines(raw)
        consts = dict(module_consts)
        if LOCAL_TOKENS.search(raw):
            consts.update(_local_columns(raw))
        used = [
            n
            for n in consts
            if not DENY_LIST.search(n)
            and any(
                re.search(rf"\b{re.escape(n)}\b", line) and PRESENCE.search(line)
                for line in text.splitlines()
            )
        ]
        if not used or not READS_COLUMNS.search(text):
            continue
        checks = "column types" if TYPE_CHECK.search(text) else "column presence"
        if _raises(facts, path, fn):
            out.append((fn, used[0], checks, consts[used[0]]))
            continue
        for other in pf.functions:
            calls_it = (
                any(c.attr == fn.name and c.scope == other.qualname for c in pf.calls)
                and other.qualname != fn.qualname
            )
            if calls_it and _raises(facts, path, other):
                out.append((other, used[0], checks, consts[used[0]]))
                break
    return out


def _training_path(facts: Facts, path: str, pf: PythonFacts) -> bool:
    """Training code (entry points and what they import) or a data-preparation script."""
    if path in training_code(facts):
        return True
    return pf.has_main and bool(DATA_SCRIPT.search(path.rsplit("/", 1)[-1].lower()))


def _capped_run(facts: Facts, ev: Evidence, validator: str) -> Iterator[Hint]:
    """Say why a presence-only check that automation runs stays manual: the cap is about what
    the schema captures (the rubric's data-1 asks for types, ranges and distributions), not
    about who runs it, so the reader should not mistake it for an unseen automation gap."""
    run = facts.automation.execution_of(ev.path, ev.symbol) if ev.path else None
    if run is None or not run.automated:
        return
    yield Hint(
        ITEM,
        f"`{validator}` ({ev.location()}) runs under automation ({run.root}, {run.trigger}), "
        "but it only checks that columns are present (no types, ranges or allowed values), "
        "so it is credited as a manual-level schema; checking dtypes and ranges in the same "
        "step (pandera, Great Expectations, explicit dtype/range asserts) makes it automated",
    )


def column_validator_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Hand-written column validators called on the training data path."""
    found: list[tuple[str, Function, str, list[str], str]] = []
    tokens = ("COLUMNS", "COLS", "FIELDS", "required", "expected")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        if toy_schema_path(path) or path.startswith("../"):
            continue
        for fn, const, checks, cols in _validators(facts, path, pf):
            found.append((path, fn, const, cols, checks))
    if not found:
        return
    callers = facts.python_files(mentions=tuple({fn.name for _p, fn, *_r in found}), tests=False)
    hinted: set[str] = set()  # one automation-cap hint per validator
    for path, fn, const, cols, checks in found:
        shown = column_list(cols) if cols else f"the columns in `{const}`"
        what = (
            f"hand-written column check `{fn.qualname}` raises when the data lacks "
            f"`{const}` ({shown})"
        )
        sites = 0
        for other, opf in callers:
            if other != path and path not in imported_files(facts, other, opf):
                continue
            if not _training_path(facts, other, opf):
                continue
            for call in opf.calls:
                if call.attr != fn.name or call.scope.startswith(fn.qualname):
                    continue
                if sites < MAX_EVIDENCE:
                    detail = f"{what}; training data checked by `{call.name}` ({checks})"
                    # presence-only checks capture which columns exist, not their types or
                    # ranges: a manual-level schema even when the pipeline runs it
                    credit = "automated" if checks == "column types" else "manual"
                    ev = call_evidence(ITEM, other, call, detail, credit=credit)
                    yield ev
                    if credit == "manual" and fn.qualname not in hinted:
                        capped = list(_capped_run(facts, ev, fn.qualname))
                        hinted.update(fn.qualname for _h in capped)
                        yield from capped
                sites += 1
        if not sites:
            yield Finding(
                ITEM,
                f"{what}, but no training or data-preparation code calls it (not validated "
                "against; earns nothing)",
                path,
                fn.line,
            )
