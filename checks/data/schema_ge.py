"""data-1, Great Expectations: suites (0.x and 1.x layouts, or built in code), checkpoints and
validation runs. A suite earns credit only through something that validates data against it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ml_readiness.automation.pytest_fixtures import fixtures_of
from ml_readiness.checklib import call_evidence, live_tests
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import Call, Function, PythonFacts

from ._shared import column_list, first_line, function_text, receiver
from .literal_data import reads_data

ITEM = "data-1"
SUITE_GLOBS = (
    "great_expectations/expectations/*.json",
    "*/great_expectations/expectations/*.json",
    "gx/expectations/*.json",
    "*/gx/expectations/*.json",
)
CHECKPOINT_GLOBS = (
    "great_expectations/checkpoints/*.yml",
    "great_expectations/checkpoints/*.yaml",
    "*/great_expectations/checkpoints/*.yml",
    "*/great_expectations/checkpoints/*.yaml",
    "gx/checkpoints/*.json",
    "*/gx/checkpoints/*.json",
)
VD_GLOBS = ("gx/validation_definitions/*.json", "*/gx/validation_definitions/*.json")
COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list", "column_set")
GE_ROOTS = ("great_expectations", "gx")
SUITE_MAKERS = ("ExpectationSuite", "add_expectation_suite", "add_or_update_expectation_suite")
GE_TOKENS = ("great_expectations", "gx", "expectation", "checkpoint", "Checkpoint")
# legacy (0.x) datasets: every `expect_*` call on them validates the wrapped data at once
LEGACY_DATASETS = (
    "great_expectations.dataset.PandasDataset",
    "great_expectations.dataset.SparkDFDataset",
    "great_expectations.dataset.SqlAlchemyDataset",
    "great_expectations.from_pandas",
    "great_expectations.read_csv",
    "great_expectations.read_parquet",
    "great_expectations.read_json",
    "great_expectations.read_excel",
)


@dataclass
class Suite:
    name: str
    path: str
    line: int
    columns: list[str] = field(default_factory=list)
    expectations: int = 0

    def describe(self) -> str:
        return f"GE suite `{self.name}` covers {column_list(self.columns)}"


def _columns_of(kwargs: object) -> list[str]:
    cols: list[str] = []
    if not isinstance(kwargs, dict):
        return cols
    for key in COLUMN_KWARGS:
        value = kwargs.get(key)
        if isinstance(value, str):
            cols.append(value)
        elif isinstance(value, list):
            cols.extend(str(v) for v in value if isinstance(v, str))
    return cols


def suite_files(facts: Facts) -> list[Suite]:
    """Expectation suites stored as JSON in the 0.x or 1.x project layout."""
    out = []
    for path in facts.repo.glob(*SUITE_GLOBS):
        if is_example_config(path):
            continue
        data = facts.json(path)
        if not isinstance(data, dict):
            continue
        name = data.get("expectation_suite_name") or data.get("name")
        exps = data.get("expectations")
        if not isinstance(name, str) or not isinstance(exps, list):
            continue
        cols: list[str] = []
        for e in exps:
            if isinstance(e, dict) and (e.get("expectation_type") or e.get("type")):
                cols.extend(_columns_of(e.get("kwargs")))
        key = "expectation_suite_name" if "expectation_suite_name" in data else "name"
        line = first_line(facts, path, rf'"{key}"\s*:')
        out.append(Suite(name, path, line, cols, len(exps)))
    return out


def _literal_names(call: Call, *keys: str) -> list[str]:
    values = [*call.args[:1], *(call.kw(k) for k in keys)]
    return [v for v in values if isinstance(v, str) and v and not v.startswith(("$", "<"))]


def code_suites(facts: Facts) -> list[tuple[Suite, PythonFacts]]:
    """Suites built in code: `ExpectationSuite(name=...)`, `add_expectation_suite(...)`,
    `suites.add(...)`, with the columns of the expectations added in the same file."""
    out = []
    for path, pf in facts.python_files(mentions=("ExpectationSuite", "add_expectation")):
        makers = [
            c
            for c in pf.calls
            if c.attr in SUITE_MAKERS or (c.attr == "add" and receiver(c) == "suites")
        ]
        adds = pf.method_calls("add_expectation")
        if not (makers or adds) or not pf.imports_module("great_expectations"):
            continue
        cols = []
        for c in pf.calls:
            if c.attr.startswith(("Expect", "expect_")) or c.attr == "ExpectationConfiguration":
                cols += [
                    a
                    for a in c.args[:1]
                    if isinstance(a, str) and c.attr != "ExpectationConfiguration"
                ]
                cols += [c.kw(k) for k in COLUMN_KWARGS if isinstance(c.kw(k), str)]
                kw = c.kw("kwargs")
                if isinstance(kw, tuple):
                    cols += [v for k, v in kw if k == "column" and isinstance(v, str)]
        names = [n for c in makers for n in _literal_names(c, "name", "expectation_suite_name")]
        first = (makers or adds)[0]
        for name in names or ["<built in code>"]:
            out.append((Suite(name, path, first.line, cols, len(adds)), pf))
    return out


@dataclass
class Checkpoint:
    name: str
    path: str
    line: int
    suites: set[str]


def checkpoint_files(facts: Facts, suite_names: set[str]) -> list[Checkpoint]:
    """0.x YAML and 1.x JSON checkpoints with the suites they validate."""
    vds: dict[str, str] = {}
    for path in facts.repo.glob(*VD_GLOBS):
        data = facts.json(path)
        if isinstance(data, dict) and isinstance(data.get("suite"), dict):
            vds[str(data.get("name"))] = str(data["suite"].get("name"))
    out = []
    for path in facts.repo.glob(*CHECKPOINT_GLOBS):
        if is_example_config(path):
            continue
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if path.endswith(".json"):
            data = facts.json(path)
            if not isinstance(data, dict):
                continue
            suites = set()
            for vd in data.get("validation_definitions") or []:
                if isinstance(vd, dict) and str(vd.get("name")) in vds:
                    suites.add(vds[str(vd.get("name"))])
            line = first_line(facts, path, r'"validation_definitions"')
        else:
            data = facts.yaml_doc(path)
            if not isinstance(data, dict):
                continue
            suites = (
                {str(data["expectation_suite_name"])}
                if data.get("expectation_suite_name")
                else set()
            )
            for v in data.get("validations") or []:
                if isinstance(v, dict) and v.get("expectation_suite_name"):
                    suites.add(str(v["expectation_suite_name"]))
            line = getattr(data, "line_of", lambda _k: 1)("validations")
        text = facts.text(path) or ""
        suites |= {
            s for s in suite_names if f'"{s}"' in text or re.search(rf"\b{re.escape(s)}\b", text)
        }
        out.append(Checkpoint(str(data.get("name") or stem), path, line or 1, suites))
    return out


def _run_sites(pf: PythonFacts) -> list[tuple[Call, str]]:
    """GE validation calls in one file with a label: checkpoint runs, validation definition
    runs, validator.validate(), legacy dataset expectations."""
    sites = []
    ge_file = pf.imports_module(*GE_ROOTS)
    has_cp = any(
        c.attr in ("get_checkpoint", "Checkpoint", "add_checkpoint", "add_or_update_checkpoint")
        for c in pf.calls
    )
    has_vd = any(c.attr == "ValidationDefinition" for c in pf.calls)
    for c in pf.method_calls("run_checkpoint", "run_validation_operator"):
        sites.append((c, f"`{c.name}`"))
    for c in pf.method_calls("run"):
        recv = receiver(c).lower()
        if "checkpoint" in recv or (recv in ("?", "cp") and has_cp):
            sites.append((c, "checkpoint `.run()`"))
        elif ("validation" in recv or recv == "vd" or (recv == "?" and has_vd)) and ge_file:
            sites.append((c, "validation definition `.run()`"))
    if ge_file:
        for c in pf.method_calls("validate"):
            if "validator" in receiver(c).lower():
                sites.append((c, f"`{c.name}`"))
        if pf.calls_to(*LEGACY_DATASETS) and not pf.is_test_file:
            exps = [c for c in pf.calls if c.attr.startswith("expect_")]
            if exps:
                sites.append((exps[0], "Great Expectations dataset expectations"))
    return sites


def _expected_columns(facts: Facts, path: str, fn: Function, exps: list[Call]) -> list[str]:
    """Columns named by `expect_*` calls, resolving a list assigned in the test itself
    (`column_list = ["id", "title"]; df.expect_table_columns_to_match_ordered_list(...)`)."""
    text = function_text(facts, path, fn)
    cols: list[str] = []
    for c in exps:
        for key in COLUMN_KWARGS:
            value = c.kw(key)
            if isinstance(value, str) and value.startswith("$"):
                m = re.search(rf"\b{re.escape(value[1:])}\s*=\s*[\[(]([^\])]*)[\])]", text)
                value = tuple(re.findall(r"[\"']([^\"']+)[\"']", m.group(1))) if m else None
            if isinstance(value, str):
                cols.append(value)
            elif isinstance(value, tuple):
                cols.extend(v for v in value if isinstance(v, str))
    return cols


def fixture_dataset_tests(facts: Facts) -> Iterator[Evidence | Hint]:
    """Live tests that run legacy `expect_*` expectations on a GE dataset built by the test or
    by one of its fixtures (conftest.py included): `df = ge.dataset.PandasDataset(
    pd.read_csv(loc))` in a fixture, `df.expect_column_values_to_be_in_set(...)` and
    `assert df.validate(...)["success"]` in the test. Credited only when the dataset wraps data
    that is read (a file, table or URL); a frame written in the test suite is toy data."""
    for path, pf in facts.python_files(mentions=("expect_",), tests=True):
        if not is_test_path(path):
            continue
        for fn in live_tests(pf):
            exps = [c for c in pf.calls if c.scope == fn.qualname and c.attr.startswith("expect_")]
            if not exps:
                continue
            sources = [(path, pf, fn.qualname)]
            for label in fixtures_of(facts, path, pf, fn):
                where, _, qual = label.partition("::")
                other = facts.python(where)
                if other is not None:
                    sources.append((where, other, qual))
            for where, spf, qual in sources:
                scope = [c for c in spf.calls if c.scope == qual]
                if not any(c in spf.calls_to(*LEGACY_DATASETS) for c in scope):
                    continue
                name = qual.rsplit(".", 1)[-1]
                on = [c for c in exps if receiver(c) in (name, "?") or qual == fn.qualname]
                if not on:
                    continue
                built = f"fixture `{name}` ({where})" if qual != fn.qualname else "the test"
                if not reads_data(scope):
                    yield Hint(
                        ITEM,
                        f"Great Expectations expectations in {path}::{fn.qualname} run on a "
                        f"dataset {built} builds from literal data, not the project's data; "
                        "not credited",
                    )
                    break
                cols = _expected_columns(facts, path, fn, on)
                yield Evidence(
                    ITEM,
                    f"Great Expectations dataset expectations in test `{fn.qualname}` on the "
                    f"data {built} reads: {column_list(cols)}",
                    path,
                    on[0].line,
                    kind="test",
                    credit="automated",
                    symbol=fn.qualname,
                )
                break


def ge_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Everything data-1 learns from Great Expectations."""
    suites = {s.name: s for s in suite_files(facts)}
    code_built = code_suites(facts)
    for s, _pf in code_built:
        suites.setdefault(s.name, s)
    checkpoints = checkpoint_files(facts, set(suites))
    validated: set[str] = set()
    for cp in checkpoints:
        validated |= cp.suites
        named = [suites[n].describe() for n in sorted(cp.suites) if n in suites]
        detail = f"GE checkpoint `{cp.name}` validates " + (
            "; ".join(named) if named else "suites not found in the repo"
        )
        yield Evidence(ITEM, detail, cp.path, cp.line, kind="config", credit="automated")
    cp_suites = {cp.name: cp.suites for cp in checkpoints}
    unresolved_runs = False
    for path, pf in facts.python_files(mentions=GE_TOKENS, notebooks=True):
        strings = {s for s, _ in pf.strings}
        own = [s for s, spf in code_built if spf is pf]
        for call, label in _run_sites(pf):
            names = {n for n in suites if n in strings}
            for arg in _literal_names(call, "checkpoint_name", "name"):
                names |= cp_suites.get(arg, set())
            if "checkpoint" in label:
                for cp_name in strings & set(cp_suites):
                    names |= cp_suites[cp_name]
            names |= {s.name for s in own}
            validated |= names
            described = [suites[n].describe() for n in sorted(names) if n in suites]
            if not described:
                unresolved_runs = True
            what = "; ".join(described) if described else "suite not named statically"
            yield call_evidence(ITEM, path, call, f"Great Expectations validation {label}: {what}")
    yield from fixture_dataset_tests(facts)
    for name, suite in sorted(suites.items()):
        if name in validated or unresolved_runs:
            continue
        yield Finding(
            ITEM,
            f"{suite.describe()}, but no checkpoint, validation call or pipeline step "
            "validates data against it (not validated against; earns nothing)",
            suite.path,
            suite.line,
        )
