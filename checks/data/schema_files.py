"""data-1, schema files checked by hand-written code: a committed JSON file listing the columns
(`{"NumberofColumns": 592, "ColName": {"Wafer": "varchar", "Sensor - 1": "float", ...}}`),
read by a loader (`json.load` + `dic["ColName"]`), whose values a validator of the same module
compares with the incoming frame (`csv.shape[1] == NumberofColumns`, its `.columns`) and rejects
on (raise, or move the file to a bad-data folder); the link is code that calls both. Credited
on the training data path only (the serving path is monitor-2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ml_readiness.checklib import call_evidence
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import Call, Function, PythonFacts

from ._shared import code_lines, column_list, function_text
from .schema_code import toy_schema_path
from .schema_columns import TYPE_CHECK, _training_path

ITEM = "data-1"
SCHEMA_FILE = re.compile(r"(^|/)[^/]*schema[^/]*\.json$", re.I)
COLUMN_KEY = re.compile(
    r"^(col_?names?|column_?names?|columns|fields|feature_?names|features)$", re.I
)
COUNT_KEY = re.compile(r"^(number_?of_?columns|num_?columns|n_?columns|column_?count)$", re.I)
LOADS = re.compile(r"\b(json\.loads?|yaml\.(safe_)?load)\(")
# the validator compares the frame's shape or columns with a value and rejects the data
COMPARES = re.compile(
    r"\.shape\[1\]\s*(==|!=)|(==|!=)\s*\w+\.shape\[1\]|\.columns\b|len\([^)]*columns"
)
REJECTS = re.compile(r"^\s*raise\b|\bshutil\.move\(|\bos\.remove\(|\.unlink\(", re.M)
PREDICTION = re.compile(r"pred|serv|infer|score|batch", re.I)


def _schema_files(facts: Facts) -> list[tuple[str, list[str], list[str]]]:
    """(path, keys the code must read, column names) of committed JSON schema files."""
    out = []
    for path in facts.repo.files:
        if not SCHEMA_FILE.search(path) or toy_schema_path(path) or is_example_config(path):
            continue
        if path.startswith("../") or not (facts.repo.size(path) or 0):
            continue
        doc = facts.json(path)
        if not isinstance(doc, dict):
            continue
        for key, value in doc.items():
            if not isinstance(key, str) or not COLUMN_KEY.match(key):
                continue
            names = list(value) if isinstance(value, dict | list) else []
            cols = [c for c in names if isinstance(c, str)]
            if len(cols) >= 2:
                counts = [k for k in doc if isinstance(k, str) and COUNT_KEY.match(k)]
                out.append((path, [key, *counts], cols))
                break
    return out


def _functions_with(
    facts: Facts, path: str, pf: PythonFacts, test: re.Pattern[str], *more: re.Pattern[str]
) -> list[Function]:
    out = []
    for fn in pf.functions:
        text = code_lines(function_text(facts, path, fn))
        if test.search(text) and all(p.search(text) for p in more):
            out.append(fn)
    return out


def schema_file_evidence(facts: Facts) -> Iterator[Evidence | Hint]:
    """Schema JSON files whose columns a loader reads and a validator enforces. Several schema
    files with the same keys (`schema_training.json`, `schema_prediction.json`) are told apart
    by the caller: training code is matched with the file named for training, prediction code
    with the one named for prediction."""
    sites: dict[tuple[str, int], tuple[Site, list[tuple[str, list[str]]]]] = {}
    for schema, keys, cols in _schema_files(facts):
        read_key = re.compile("|".join(rf"[\[(]\s*[\"']{re.escape(k)}[\"']" for k in keys))
        for path, pf in facts.python_files(mentions=tuple(keys), tests=False):
            if toy_schema_path(path):
                continue
            loaders = _functions_with(facts, path, pf, LOADS, read_key)
            validators = _functions_with(facts, path, pf, COMPARES, REJECTS)
            if not loaders or not validators:
                continue
            for site in _sites(facts, path, loaders, validators):
                entry = sites.setdefault((site.path, site.call.line), (site, []))
                entry[1].append((schema, cols))
    credited = False
    hints: list[Hint] = []
    for site, schemas in sites.values():
        schema, cols = _best(schemas, site.training)
        if not site.training:
            hints.append(
                Hint(
                    ITEM,
                    f"schema file `{schema}` ({column_list(cols)}) is enforced by "
                    f"`{site.validator.qualname}` only on the prediction path "
                    f"({site.path}:{site.call.line}): serving-input validation is monitor-2, "
                    "not a training-data schema",
                )
            )
            continue
        detail = (
            f"schema file `{schema}` lists {column_list(cols)}; `{site.validator.qualname}` "
            f"rejects data that does not match it ({site.checks}), called by "
            f"`{site.caller}` on the training data path"
        )
        credit = "automated" if site.checks == "column types" else "manual"
        credited = True
        yield call_evidence(ITEM, site.path, site.call, detail, credit=credit)
    if not credited:
        yield from hints


def _best(schemas: list[tuple[str, list[str]]], training: bool) -> tuple[str, list[str]]:
    word = re.compile(r"train" if training else r"pred|serv|infer|scor", re.I)
    named = [s for s in schemas if word.search(s[0].rsplit("/", 1)[-1])]
    return (named or schemas)[0]


@dataclass(frozen=True)
class Site:
    """Where code calls a schema validator after loading the schema."""

    path: str
    call: Call
    caller: str
    validator: Function
    checks: str
    training: bool


def _sites(
    facts: Facts, path: str, loaders: list[Function], validators: list[Function]
) -> Iterator[Site]:
    """Calls of a validator of `path` in functions that also call one of its loaders, on the
    training path (`training=True`) or in prediction code (`training=False`)."""
    names = {f.name for f in loaders} | {f.name for f in validators}
    loader_names = {f.name for f in loaders}
    by_name = {f.name: f for f in validators}
    for other, opf in facts.python_files(mentions=tuple(sorted(names)), tests=False):
        training = _training_path(facts, other, opf)
        for fn in opf.functions:
            inside = [c for c in opf.calls if c.scope == fn.qualname]
            if not any(c.attr in loader_names for c in inside):
                continue
            prediction = PREDICTION.search(other) or PREDICTION.search(fn.qualname)
            if not training and not prediction:
                continue
            for call in (c for c in inside if c.attr in by_name):
                validator = by_name[call.attr]
                text = function_text(facts, path, validator)
                checks = "column types" if TYPE_CHECK.search(text) else "column count/presence"
                yield Site(other, call, fn.qualname, validator, checks, training)
