"""Great Expectations suites as the audited repo stores them: 1.x JSON as is, 0.x JSON converted
in memory to the 1.x shape, and the refusal rules for expectations of an untrusted suite."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

ALLOW = "pass --allow-suite-conditions to run it"
GE_DIRS = ("gx", "great_expectations")
SUITE_GLOBS = (
    "gx/expectations/*.json",
    "*/gx/expectations/*.json",
    "great_expectations/expectations/*.json",
    "*/great_expectations/expectations/*.json",
)
LEGACY_KWARGS = ("result_format", "include_config", "catch_exceptions")
NESTED_QUANTIFIER = re.compile(r"\([^()]*[*+}][^()]*\)[*+{]")


@dataclass
class Raw:
    """One expectation as written in the suite, in 1.x shape, or why it cannot be."""

    type: str | None
    kwargs: dict
    meta: dict
    problem: str | None = None


@dataclass
class Suite:
    path: str
    name: str
    root: str | None  # the gx / great_expectations folder the suite lives in
    expectations: list[Raw]


def _raw(entry: object) -> Raw:
    """A 1.x expectation from a 1.x entry (`type`) or a 0.x one (`expectation_type`)."""
    if not isinstance(entry, dict):
        return Raw(None, {}, {}, "not a mapping")
    legacy = "type" not in entry and "expectation_type" in entry
    etype = entry.get("expectation_type" if legacy else "type")
    kwargs = entry.get("kwargs", {})
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    if not isinstance(etype, str) or not etype:
        return Raw(None, {}, {}, "no expectation type")
    if not isinstance(kwargs, dict):
        return Raw(etype, {}, {}, "kwargs is not a mapping")
    if legacy:
        kwargs = {k: v for k, v in kwargs.items() if k not in LEGACY_KWARGS}
    return Raw(etype, dict(kwargs), dict(meta))


def load_suite(facts: Facts, path: str) -> Suite | str:
    """The suite stored at `path` (1.x or 0.x JSON), or why it is not one."""
    data = facts.json(path)
    if not isinstance(data, dict):
        return f"{path} is not a readable JSON object"
    legacy = "expectation_suite_name" in data
    name = data.get("expectation_suite_name" if legacy else "name")
    exps = data.get("expectations")
    if not isinstance(name, str) or not isinstance(exps, list):
        return f"{path} is not an expectation suite (needs a name and a list of expectations)"
    return Suite(path, name, ge_root(path), [_raw(e) for e in exps])


def ge_root(path: str) -> str | None:
    """`sub/gx` for `sub/gx/expectations/x.json`; None outside a GX project folder."""
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] in GE_DIRS and parts[i + 1] == "expectations":
            return "/".join(parts[: i + 1])
    return None


def column_of(kwargs: dict) -> str | None:
    """The column(s) an expectation is about, as shown in the report."""
    if isinstance(kwargs.get("column"), str):
        return kwargs["column"]
    pair = [kwargs.get(k) for k in ("column_A", "column_B")]
    if all(isinstance(c, str) for c in pair):
        return ", ".join(pair)  # type: ignore[arg-type]
    cols = kwargs.get("column_list")
    if isinstance(cols, list) and all(isinstance(c, str) for c in cols):
        return ", ".join(cols)
    return None


def refusal(raw: Raw) -> str | None:
    """Why an expectation from an untrusted suite is not run by default, or None."""
    low = (raw.type or "").lower()
    if "unexpected_rows" in low or "query" in low or "sql" in low:
        return f"refused: {raw.type} runs a query; {ALLOW}"
    used = [k for k in sorted(raw.kwargs) if raw.kwargs[k] not in (None, "", {})]
    for key in ("row_condition", "condition_parser"):
        if key in used:
            return f"refused: uses {key} (evaluated as code); {ALLOW}"
    for key in used:
        if "query" in key.lower():
            return f"refused: uses {key} (a query); {ALLOW}"
        if "regex" in key.lower() and _nested(raw.kwargs[key]):
            return f"refused: {key} nests quantifiers (may backtrack for hours); {ALLOW}"
    return None


def _nested(value: object) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and NESTED_QUANTIFIER.search(v) for v in values)
