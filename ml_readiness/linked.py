"""Tests a team links to rubric items, and the results its CI produced for them.

Linking: `@pytest.mark.mlready("infra-2", "monitor-5")` on a test (or its class, or a module's
`pytestmark`) links it to those items. The audit reads markers from the AST (it never runs the
tests) and credits each linked test as `test` evidence with the test's qualname as symbol, so
scoring makes it automated when the AutomationMap shows CI collects it, else manual. A marker
links a test; it never replaces content: a linked test that asserts nothing, or is always
skipped, is reported and not credited.

A registered check serves fixed item ids while a marker may name any item of the rubric in use,
so the `linked-tests` check (`ml_readiness.checks.linked`) serves the default items and
`linked_tests_hook`, run by every audit, adds the same evidence for the other (custom) items and
notes marker ids the rubric does not have.

Results: `load_results` reads JUnit XML reports (pytest `--junitxml`, with or without the
`mlready_items` properties our pytest plugin records) and `results_hook` takes credit away from
test evidence whose test failed or was skipped there, with a Finding naming the test.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ml_readiness.checklib import always_skipped
from ml_readiness.errors import UsageError
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts.python import EXPR

if TYPE_CHECKING:
    from ml_readiness.audit import AuditContext
    from ml_readiness.facts import Facts
    from ml_readiness.facts.python import Function, Marker, PythonFacts

MARKER = "mlready"
CHECK_ID = "linked-tests"
PROPERTY = "mlready_items"
MAX_RESULTS_BYTES = 100 * 1024 * 1024
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


# -- static pickup ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinkedTest:
    """A test function carrying `@pytest.mark.mlready(...)` (directly, on its class or module)."""

    path: str
    qualname: str
    line: int
    items: tuple[str, ...]
    marker_line: int
    asserts: int
    trivial_asserts: int
    skipped: bool
    unreadable: tuple[int, ...] = ()  # lines of markers whose arguments are not literal strings

    @property
    def node_id(self) -> str:
        return f"{self.path}::{self.qualname.replace('.', '::')}"


def find_linked_tests(facts: Facts) -> list[LinkedTest]:
    """Every linked test of the repository, read from the AST once per audit."""
    return facts.memo("linked-tests", _find_linked_tests)


def _find_linked_tests(facts: Facts) -> list[LinkedTest]:
    out = []
    for path, pf in facts.python_files(mentions=(MARKER,), tests=True):
        for fn in pf.tests():
            markers = _markers_of(pf, fn)
            if not markers:
                continue
            items: list[str] = []
            unreadable = []
            for m in markers:
                ids = _marker_ids(m)
                if ids is None:
                    unreadable.append(m.line)
                else:
                    items.extend(i for i in ids if i not in items)
            out.append(
                LinkedTest(
                    path,
                    fn.qualname,
                    fn.line,
                    tuple(items),
                    markers[0].line,
                    fn.asserts,
                    fn.trivial_asserts,
                    always_skipped(fn, pf) or _class_skipped(pf, fn),
                    tuple(unreadable),
                )
            )
    return out


def _markers_of(pf: PythonFacts, fn: Function) -> list[Marker]:
    """The test's own mlready markers, then its classes' (outermost last), then the module's."""
    own = [m for m in fn.markers if m.name == MARKER]
    classes = sorted(
        (c for c in pf.classes if fn.qualname.startswith(c.qualname + ".")),
        key=lambda c: -len(c.qualname),
    )
    inherited = [m for c in classes for m in c.markers if m.name == MARKER]
    module = [m for m in pf.module_markers if m.name == MARKER]
    return own + inherited + module


def _class_skipped(pf: PythonFacts, fn: Function) -> bool:
    return any(
        m.name == "skip"
        for c in pf.classes
        if fn.qualname.startswith(c.qualname + ".")
        for m in c.markers
    )


def _marker_ids(marker: Marker) -> list[str] | None:
    """The item ids a marker names (strings, or a list/tuple of strings); None if not literal."""
    ids: list[str] = []
    for arg in marker.args:
        values = arg if isinstance(arg, tuple) else (arg,)
        for value in values:
            if not isinstance(value, str) or value == EXPR or value.startswith("$"):
                return None
            ids.append(value.strip())
    return ids


def linked_values(facts: Facts, items: Iterable[str]) -> Iterator[Evidence | Finding | Hint]:
    """Evidence (or, for tests that cannot earn it, a Finding) for each linked test naming one
    of `items`."""
    wanted = set(items)
    for test in find_linked_tests(facts):
        for item in test.items:
            if item not in wanted:
                continue
            where = f"test {test.qualname}"
            if test.skipped:
                yield Finding(
                    item,
                    f"{where} is linked by @pytest.mark.{MARKER} but is always skipped; "
                    "not credited",
                    test.path,
                    test.line,
                    check=CHECK_ID,
                )
            elif test.asserts == 0:
                what = "only `assert True`" if test.trivial_asserts else "no assertion"
                yield Finding(
                    item,
                    f"{where} is linked by @pytest.mark.{MARKER} but has {what}; a marker "
                    "links a test, it does not replace one; not credited",
                    test.path,
                    test.line,
                    check=CHECK_ID,
                )
            else:
                yield Evidence(
                    item,
                    f"{where} linked by @pytest.mark.{MARKER}",
                    test.path,
                    test.line,
                    kind="test",
                    symbol=test.qualname,
                    check=CHECK_ID,
                )


def linked_tests_hook(ctx: AuditContext) -> None:
    """Add linked-test evidence for rubric items the `linked-tests` check does not serve, and
    note marker ids that are not items of the rubric in use. Install it in every audit,
    before any results hook."""
    served = _served_items()
    rest = [i for i in ctx.produced if i not in served]
    for value in linked_values(ctx.facts, rest):
        ctx.produced[value.item].append(value)
    for test in find_linked_tests(ctx.facts):
        for line in test.unreadable:
            ctx.repo.note(
                test.path,
                f"line {line}: @pytest.mark.{MARKER} arguments are not literal item ids; "
                "not linked",
            )
        for item in test.items:
            if item not in ctx.produced:
                ctx.repo.note(
                    test.path,
                    f"line {test.marker_line}: @pytest.mark.{MARKER} on {test.qualname} names "
                    f"{item!r}, which is not an item of the rubric in use; ignored",
                )


def _served_items() -> set[str]:
    from ml_readiness.registry import load_checks

    spec = next((c for c in load_checks() if c.id == CHECK_ID), None)
    return set(spec.items) if spec else set()


# -- results fed back ---------------------------------------------------------------------------
@dataclass(frozen=True)
class JUnitCase:
    """One test's outcome across the results files (parametrized cases folded together)."""

    classname: str
    name: str  # without the `[params]` suffix
    file: str | None
    outcome: str  # passed | failed | skipped
    message: str
    source: str  # the results file that decided the outcome
    items: tuple[str, ...] = ()  # from the `mlready_items` property


@dataclass(frozen=True)
class JUnitResults:
    files: tuple[str, ...]
    cases: tuple[JUnitCase, ...]


def load_results(paths: Iterable[str]) -> JUnitResults:
    """Read JUnit XML reports. A missing, unsafe or malformed file raises UsageError."""
    files = tuple(paths)
    merged: dict[tuple[str, str], JUnitCase] = {}
    for path in files:
        for case in _read_junit(path):
            key = (case.classname, case.name)
            merged[key] = _fold(merged.get(key), case)
    return JUnitResults(files, tuple(merged[k] for k in sorted(merged)))


_RANK = {"failed": 2, "passed": 1, "skipped": 0}


def _fold(old: JUnitCase | None, new: JUnitCase) -> JUnitCase:
    """Any failed case fails the test; it counts as skipped only when no case passed."""
    if old is None:
        return new
    best = new if _RANK[new.outcome] > _RANK[old.outcome] else old
    items = tuple(dict.fromkeys(old.items + new.items))
    return dataclasses.replace(best, items=items, file=old.file or new.file)


def _read_junit(path: str) -> list[JUnitCase]:
    import xml.etree.ElementTree as ET

    file = Path(path)
    if not file.is_file():
        raise UsageError("results file not found", path)
    try:
        if file.stat().st_size > MAX_RESULTS_BYTES:
            raise UsageError("results file larger than 100 MiB", path)
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read results file: {exc.strerror}", path) from None
    # UTF-16/32 files hide markup between NUL bytes; drop them before looking for declarations.
    if _DECLARATION.search(data.replace(b"\x00", b"")):
        raise UsageError("results file declares a DOCTYPE or ENTITY; refusing to parse it", path)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        what = str(exc).split(": line", 1)[0]
        raise UsageError(f"not well-formed XML ({what})", path, line) from None
    if root.tag not in ("testsuites", "testsuite"):
        raise UsageError(f"not a JUnit XML report (root element <{root.tag}>)", path)
    return [_case(node, path) for node in root.iter("testcase")]


def _case(node: Any, source: str) -> JUnitCase:
    outcome, message = "passed", ""
    for child in node:
        if child.tag in ("failure", "error"):
            outcome = "failed"
            message = child.get("message") or child.tag
            break
        if child.tag == "skipped":
            outcome, message = "skipped", child.get("message") or "skipped"
    items: tuple[str, ...] = ()
    for prop in node.iter("property"):
        if prop.get("name") == PROPERTY and prop.get("value"):
            items += tuple(i.strip() for i in prop.get("value", "").split(",") if i.strip())
    name = node.get("name", "").split("[", 1)[0]
    message = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return JUnitCase(
        node.get("classname", ""),
        name,
        node.get("file"),
        outcome,
        message[:160],
        source,
        items,
    )


def results_hook(paths: tuple[str, ...]) -> Callable[[AuditContext], None]:
    """An audit hook that takes credit away from test evidence whose test failed or was skipped
    in the JUnit reports at `paths` (read now, so a bad file fails before the audit)."""
    results = load_results(paths)

    def hook(ctx: AuditContext) -> None:
        apply_results(ctx, results)

    return hook


def apply_results(ctx: AuditContext, results: JUnitResults) -> None:
    """Remove `test` evidence (any item) of failed/skipped tests and add a Finding for each."""
    locate = _TestLocator(ctx.facts)
    bad: dict[tuple[str, str], JUnitCase] = {}
    unmatched = 0
    for case in results.cases:
        where = locate(case)
        if where is None:
            unmatched += 1
        elif case.outcome != "passed":
            bad[where] = case
    by_items: dict[str, set[tuple[str, str]]] = {}
    for where, case in bad.items():
        for item in case.items:
            by_items.setdefault(item, set()).add(where)
    for item, values in ctx.produced.items():
        hit = set(by_items.get(item, ()))
        kept = []
        for v in values:
            key = (v.path, v.symbol) if isinstance(v, Evidence) and v.kind == "test" else None
            if key in bad:
                hit.add(key)  # type: ignore[arg-type]
            else:
                kept.append(v)
        values[:] = kept + [_finding(item, where, bad[where], ctx.facts) for where in sorted(hit)]
    ctx.extras["results"] = {
        "files": list(results.files),
        "tests": len(results.cases),
        "failed": sorted(_node(w) for w, c in bad.items() if c.outcome == "failed"),
        "skipped": sorted(_node(w) for w, c in bad.items() if c.outcome == "skipped"),
        "unmatched": unmatched,
    }


def _node(where: tuple[str, str]) -> str:
    return f"{where[0]}::{where[1].replace('.', '::')}"


def _finding(item: str, where: tuple[str, str], case: JUnitCase, facts: Facts) -> Finding:
    pf = facts.python(where[0])
    fn = pf.function(where[1]) if pf else None
    verb = "failed" if case.outcome == "failed" else "was skipped"
    why = f": {case.message}" if case.message else ""
    return Finding(
        item,
        f"test {_node(where)} {verb} in {case.source}{why}; its evidence is not credited",
        where[0],
        fn.line if fn else None,
        check="results",
    )


class _TestLocator:
    """Maps a JUnit case (`classname` "tests.test_x.TestCls", `name` "test_y") to the repository
    test (path "tests/test_x.py", symbol "TestCls.test_y"). pytest's classname is the node id's
    path with `/` → `.` relative to its rootdir, which may sit above or below the audited root,
    so a module matches exactly or by whole dotted components at either end."""

    def __init__(self, facts: Facts) -> None:
        self.modules: dict[str, str] = {}
        self.tails: dict[str, set[str]] = {}  # "test_x", "tests.test_x" → paths ending so
        for path in facts.repo.with_suffix(".py"):
            parts = path[:-3].split("/")
            self.modules.setdefault(".".join(parts), path)
            for cut in range(1, len(parts)):
                self.tails.setdefault(".".join(parts[cut:]), set()).add(path)

    def __call__(self, case: JUnitCase) -> tuple[str, str] | None:
        parts = case.classname.split(".") if case.classname else []
        for cut in range(len(parts), 0, -1):
            path = self._module(parts[:cut])
            if path is not None:
                return path, ".".join([*parts[cut:], case.name])
        if case.file and case.file.endswith(".py"):  # xunit1 `file` attribute, no classname
            path = self._module(case.file[:-3].split("/"))
            if path is not None:
                return path, case.name
        return None

    def _module(self, parts: list[str]) -> str | None:
        dotted = ".".join(parts)
        if dotted in self.modules:
            return self.modules[dotted]
        below = self.tails.get(dotted, set())  # pytest's rootdir is below the audited root
        if len(below) == 1:
            return next(iter(below))
        for cut in range(1, len(parts)):  # pytest's rootdir is above the audited root
            path = self.modules.get(".".join(parts[cut:]))
            if path is not None:
                return path
        return None
