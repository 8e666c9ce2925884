"""Where the data a test validates comes from (data-1). A schema validated in a test against a
frame typed into the test (or built by a fixture from literals, or generated at random) tests
the schema object, not the project's data: it earns nothing. Data read from a file, table or URL,
or returned by project code, is the project's data."""

from __future__ import annotations

import re

from ml_readiness.automation.pytest_fixtures import fixtures_of
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import EXPR, Call, Function, PythonFacts

# calls that only wrap or generate in-memory values: a frame built with them alone is toy data
FRAME_MAKERS = frozenset(
    {
        "DataFrame",
        "Series",
        "from_dict",
        "from_records",
        "from_pandas",
        "createDataFrame",
        "LazyFrame",
        "array",
        "asarray",
        "dict",
        "list",
        "tuple",
        "range",
        "zip",
        "arange",
        "linspace",
        "zeros",
        "ones",
        "full",
        "date_range",
        "Timestamp",
        "to_datetime",
        "default_rng",
        "rand",
        "randn",
        "randint",
        "random",
        "normal",
        "uniform",
        "choice",
        "integers",
        "seed",
    }
)
MAX_DEPTH = 3


def reads_data(calls: list[Call]) -> bool:
    """True when data comes from a file, table or URL (`pd.read_csv`, `spark.read...`,
    `ge.read_csv`, `json.load`, `spark.table`), not from a literal frame written in the test."""
    return any(
        c.attr.startswith("read_") or ".read." in f"{c.name}." or c.attr in ("load", "table")
        for c in calls
    )


def _statement_end(lines: list[str], start: int) -> int:
    """The last line of the statement starting on `start` (balanced brackets)."""
    depth = 0
    for i in range(start - 1, min(len(lines), start + 200)):
        code = re.sub(r"([\"']).*?\1", "", lines[i].split("#", 1)[0])
        depth += sum(code.count(o) for o in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0:
            return i + 1
    return start


def _names_in(values: tuple) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str) and v.startswith("$") and "." not in v:
            out.append(v[1:])
        elif isinstance(v, tuple):
            out += _names_in(v)
    return out


class _Tracer:
    """Traces a value to the statement that builds it inside one test function, its fixtures
    and the test module's constants. `literal()` is True only when every source is literal."""

    def __init__(self, facts: Facts, path: str, pf: PythonFacts, fn: Function) -> None:
        self.facts, self.path, self.pf, self.fn = facts, path, pf, fn

    def _calls(self, pf: PythonFacts, scope: str, first: int, last: int) -> list[Call]:
        return [c for c in pf.calls if c.scope == scope and first <= c.line <= last]

    def calls_literal(
        self, pf: PythonFacts, path: str, fn: Function, calls: list[Call], d: int
    ) -> bool | None:
        """True: only frame makers over literals; False: data read or other code; None: no
        calls."""
        if not calls:
            return None
        if reads_data(calls) or any(c.attr not in FRAME_MAKERS for c in calls):
            return False
        for c in calls:
            values = c.args + tuple(v for _k, v in c.kwargs)
            if any(isinstance(v, str) and v.startswith("$") and "." in v for v in values):
                return False  # `pd.DataFrame(self.rows)`: set elsewhere, unknown
            if EXPR in values and not any(o is not c and o.line >= c.line for o in calls):
                return False  # a comprehension or slice over something else, not a call
        names = [n for c in calls for n in _names_in(c.args + tuple(v for _k, v in c.kwargs))]
        return all(self.name_literal(pf, path, fn, n, calls[0].line, d + 1) for n in names)

    def name_literal(
        self, pf: PythonFacts, path: str, fn: Function, name: str, before: int, d: int
    ) -> bool:
        if d > MAX_DEPTH:
            return False
        lines = self.facts.lines(path)
        assign = re.compile(rf"^\s*{re.escape(name)}\s*(?::[^=]+)?=(?!=)")
        for line in range(min(before, fn.end_line + 1) - 1, fn.line, -1):
            if assign.match(lines[line - 1]):
                end = _statement_end(lines, line)
                found = self.calls_literal(pf, path, fn, self._calls(pf, fn.qualname, line, end), d)
                if found is None:  # `rows = [...]`, `record = {...}`
                    rhs = lines[line - 1].split("=", 1)[1].strip()
                    return rhs[:1] in ("[", "{", "(") or rhs[:1].isdigit()
                return found
        if name in fn.params:
            return self.fixture_literal(pf, path, fn, name, d)
        module = [a for a in pf.assigns if a.name == name and a.scope == "<module>"]
        return bool(module) and isinstance(module[-1].value, tuple | int | float)

    def fixture_literal(self, pf: PythonFacts, path: str, fn: Function, name: str, d: int) -> bool:
        for label in fixtures_of(self.facts, path, pf, fn):
            where, _, qual = label.partition("::")
            if qual.rsplit(".", 1)[-1] != name:
                continue
            other = self.facts.python(where)
            fx = other.function(qual) if other is not None else None
            if fx is None:
                return False
            calls = self._calls(other, fx.qualname, fx.line, fx.end_line)
            found = self.calls_literal(other, where, fx, calls, d)
            if found is None:
                text = "\n".join(self.facts.lines(where)[fx.line - 1 : fx.end_line])
                return bool(re.search(r"\b(return|yield)\s*[\[{(]", text))
            return found
        return False

    def value_literal(self, call: Call, value: object) -> bool:
        if isinstance(value, tuple):
            return True
        if isinstance(value, str) and value.startswith("$") and "." not in value:
            return self.name_literal(self.pf, self.path, self.fn, value[1:], call.line, 0)
        lines = self.facts.lines(self.path)
        end = _statement_end(lines, call.line)
        inner = [c for c in self._calls(self.pf, call.scope, call.line, end) if c is not call]
        return bool(self.calls_literal(self.pf, self.path, self.fn, inner, 0))


def literal_test_data(facts: Facts, path: str, pf: PythonFacts, call: Call, value: object) -> bool:
    """True when `call`, in a test file, validates `value` (its data argument) that the test or
    its fixtures build from literals or random numbers rather than read or compute with project
    code. False when unsure (kept as evidence)."""
    if not is_test_path(path) or path.endswith(".ipynb"):
        return False
    fn = pf.enclosing(call.line)
    if fn is None or value is None:
        return False
    return _Tracer(facts, path, pf, fn).value_literal(call, value)
