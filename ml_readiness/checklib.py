"""Helpers for writing checks (built-in and third-party): find calls, tests and docs in facts,
and turn them into Evidence with the right kind, location and symbol.

Symbols: evidence inside a function carries that function's qualified name, so scoring asks the
AutomationMap whether *that function* runs automatically; module-level code carries None (it runs
whenever the module is loaded); code under `if __name__ == "__main__":` carries `<main>` (it runs
only when the file is executed as a script).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ml_readiness.evidence import Credit, Evidence, Hint, Kind
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.imports import importers_of_tests, module_index
from ml_readiness.facts.python import MAIN, MODULE, Call, Function, PythonFacts
from ml_readiness.facts.structured import Section

SKIP_ALWAYS = ("skip",)


def symbol_of(scope: str) -> str | None:
    """The Evidence symbol for a call's scope (None for module-level code)."""
    return None if scope == MODULE else scope


def kind_of(path: str) -> Kind:
    return "test" if is_test_path(path) else "code"


def call_evidence(
    item: str,
    path: str,
    call: Call,
    detail: str,
    kind: Kind | None = None,
    credit: Credit = "automated",
) -> Evidence:
    """Evidence located at a call site, tied to the function that makes the call."""
    return Evidence(
        item=item,
        detail=detail,
        path=path,
        line=call.line,
        kind=kind or kind_of(path),
        credit=credit,
        symbol=symbol_of(call.scope),
    )


def find_calls(
    facts: Facts,
    *qualified: str,
    mentions: Iterable[str] | None = None,
    notebooks: bool = True,
    tests: bool | None = None,
) -> list[tuple[str, Call]]:
    """(path, call) for calls to any of `qualified` (see PythonFacts.calls_to).

    `mentions` narrows which files are parsed; it defaults to the last name component of each
    qualified name, which must appear in the file's text for the call to be there.
    """
    tokens = (
        tuple(mentions)
        if mentions is not None
        else tuple({q.rsplit(".", 1)[-1] for q in qualified})
    )
    out = []
    for path, pf in facts.python_files(mentions=tokens, notebooks=notebooks, tests=tests):
        out.extend((path, c) for c in pf.calls_to(*qualified))
    return out


def find_method_calls(
    facts: Facts,
    *attrs: str,
    mentions: Iterable[str] | None = None,
    notebooks: bool = True,
    tests: bool | None = None,
) -> list[tuple[str, PythonFacts, Call]]:
    """(path, facts, call) for calls whose last name component is one of `attrs`."""
    tokens = tuple(mentions) if mentions is not None else tuple(attrs)
    out = []
    for path, pf in facts.python_files(mentions=tokens, notebooks=notebooks, tests=tests):
        out.extend((path, pf, c) for c in pf.method_calls(*attrs))
    return out


def always_skipped(fn: Function, pf: PythonFacts | None = None) -> bool:
    """True for tests that never run: `skip`, `skipif(True)`, `xfail(run=False)`, or a
    module-level `pytestmark` skip."""
    markers = list(fn.markers) + list(pf.module_markers if pf else ())
    for m in markers:
        if m.name == "skip":
            return True
        if m.name in ("skipif", "xfail") and m.condition in ("True", "1"):
            return True
        if m.name == "xfail" and m.condition is None and dict(m.kwargs).get("run") is False:
            return True
        if m.name == "xfail" and m.condition is None and not m.args:
            return True  # an unconditional xfail asserts nothing about passing
    return False


def live_tests(pf: PythonFacts) -> list[Function]:
    """Test functions that assert something (not only `assert True`) and are not always skipped."""
    return [f for f in pf.tests() if f.asserts > 0 and not always_skipped(f, pf)]


def tests_importing(facts: Facts, targets: Iterable[str]) -> list[tuple[str, PythonFacts]]:
    """Test files (path, facts) that import any of the repository files `targets`."""
    reverse = importers_of_tests(facts)
    paths = sorted({test for target in set(targets) for test in reverse.get(target, ())})
    out = []
    for path in paths:
        pf = facts.python(path)
        if pf is not None:
            out.append((path, pf))
    return out


def tests_calling(facts: Facts, target: str, names: Iterable[str]) -> list[tuple[str, Function]]:
    """Live tests in files importing `target` whose file calls any of `names` (function or
    class names defined in `target`). Returns (test path, test function)."""
    names = set(names)
    out = []
    for path, pf in tests_importing(facts, [target]):
        called = {c.attr for c in pf.calls} | {c.name.split(".")[0] for c in pf.calls}
        if not names or called & names:
            for fn in live_tests(pf):
                fn_calls = {c.attr for c in pf.calls if c.scope.startswith(fn.qualname)}
                if not names or fn_calls & names or _fixture_use(pf, fn, names):
                    out.append((path, fn))
    return out


def _fixture_use(pf: PythonFacts, fn: Function, names: set[str]) -> bool:
    # a test may reach the code through a fixture defined in the same file
    for other in pf.functions:
        if other.name in fn.params and any(
            c.attr in names for c in pf.calls if c.scope.startswith(other.qualname)
        ):
            return True
    return False


def test_evidence(item: str, path: str, fn: Function, detail: str) -> Evidence:
    """Evidence for a test function (automated when the AutomationMap shows CI collects it)."""
    return Evidence(
        item=item, detail=detail, path=path, line=fn.line, kind="test", symbol=fn.qualname
    )


def doc_sections(
    facts: Facts, title_pattern: str, paths: Iterable[str] | None = None
) -> list[tuple[str, Section]]:
    """Substantive Markdown sections (not TODO placeholders) whose title matches the pattern."""
    out = []
    for path in paths if paths is not None else facts.docs():
        if is_example_config(path) or not path.lower().endswith((".md", ".markdown")):
            continue
        md = facts.markdown(path)
        if md is None:
            continue
        out.extend((path, s) for s in md.find(title_pattern) if s.substantive)
    return out


def doc_evidence(item: str, path: str, section: Section, detail: str) -> Evidence:
    return Evidence(
        item=item, detail=detail, path=path, line=section.line, kind="doc", credit="manual"
    )


def notebook_results(facts: Facts, path: str) -> bool:
    """True when a committed notebook has saved outputs (a manual record of a result)."""
    nb = facts.notebook(path)
    return nb is not None and nb.has_outputs


def attestation_snippet(item: str, evidence: str = "docs/<your-evidence>.md") -> str:
    """A ready-to-paste mlready.yaml attestation for `item`."""
    return (
        f"attestations: [{{item: {item}, level: manual, evidence: {evidence}, "
        f"owner: you@example.com, reviewed: YYYY-MM-DD}}]"
    )


def attestation_hint(item: str, looked_for: str, evidence: str = "docs/<your-evidence>.md") -> Hint:
    """A Hint saying what was looked for and how an attestation can earn manual credit."""
    return Hint(
        item=item,
        detail=f"looked for {looked_for}; none found. If this is done "
        f"outside the repo, attest it in mlready.yaml: "
        f"{attestation_snippet(item, evidence)}",
    )


def module_name(facts: Facts, path: str) -> str | None:
    """The dotted module name of a repository file."""
    return module_index(facts).module_of(path)


def defined_names(pf: PythonFacts) -> set[str]:
    """Top-level function and class names a module defines."""
    return {f.name for f in pf.functions if "." not in f.qualname} | {
        c.qualname for c in pf.classes if "." not in c.qualname
    }


def iter_yaml_files(
    facts: Facts,
    *patterns: str,
    mentions: tuple[str, ...] = (),
    text: re.Pattern[str] | None = None,
) -> Iterator[tuple[str, object]]:
    """(path, document) for each document of YAML files matching fnmatch `patterns`,
    leaving out `.example`/`.sample`/`.disabled` copies.

    `mentions` / `text`: only files whose text holds one of these strings / matches this
    regex are parsed (give what the check looks for: most YAML files cannot matter)."""
    for path in facts.repo.glob(*patterns):
        if is_example_config(path):
            continue
        if mentions or text is not None:
            raw = facts.text(path)
            if raw is None or mentions and not any(m in raw for m in mentions):
                continue
            if text is not None and not text.search(raw):
                continue
        for doc in facts.yaml(path) or []:
            yield path, doc


__all__ = [
    "MAIN",
    "MODULE",
    "always_skipped",
    "attestation_hint",
    "attestation_snippet",
    "call_evidence",
    "defined_names",
    "doc_evidence",
    "doc_sections",
    "find_calls",
    "find_method_calls",
    "iter_yaml_files",
    "kind_of",
    "live_tests",
    "module_name",
    "notebook_results",
    "symbol_of",
    "test_evidence",
    "tests_calling",
    "tests_importing",
]
