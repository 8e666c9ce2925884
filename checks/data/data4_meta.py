"""data-4: features meet meta-level requirements (allow/deny lists enforced, licences known)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import training_code

from ml_readiness.checklib import (
    always_skipped,
    attestation_hint,
    doc_evidence,
    doc_sections,
    iter_yaml_files,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import EXPR, Function, PythonFacts
from ml_readiness.registry import check

from ._shared import code_lines, function_text
from .feature_policy import policy_tests

ITEM = "data-4"
LIST_NAME = re.compile(
    r"^_?(FORBIDDEN|DENY|DENIED|DENYLIST|BLOCKED|BLOCKLIST|BANNED|PROTECTED|SENSITIVE|EXCLUDED|"
    r"ALLOWED|ALLOW|ALLOWLIST|APPROVED|WHITELIST|BLACKLIST|PII|RESTRICTED|LEAK|LEAKAGE|LEAKY)"
    r"(_\w*)?$",
    re.I,
)
# Lists named for leakage earn credit only when code or a test enforces them: unlike a
# FORBIDDEN/PROTECTED policy list, a LEAKAGE_COLUMNS constant is an implementation detail
# until something drops or asserts it.
ENFORCED_ONLY = re.compile(r"^_?LEAK", re.I)
# The text a file must hold for LIST_NAME to match one of its assigned names (parse filter).
LIST_NAME_TEXT = re.compile(
    r"forbidden|deny|denied|blocked|blocklist|banned|protected|sensitive|excluded|allow|"
    r"approved|whitelist|blacklist|pii|restricted|leak",
    re.I,
)
LIST_SUBJECT = re.compile(r"feature|column|col|source|attribute|field|input|pii|list", re.I)
PROTECTED_VALUES = re.compile(
    r"""["'](race|ethnicity|gender|sex|religion|nationality|marital_status|disability|"""
    r"""sexual_orientation|ssn|email|phone|date_of_birth|dob)["']""",
    re.I,
)
ENFORCE = re.compile(
    r"not\s+in\b|isdisjoint|\bintersection\b|&\s*set\(|set\([^)]*\)\s*&|issubset|<="
)
ALLOW_NAME = re.compile(r"^_?(ALLOW|APPROVED|WHITELIST)", re.I)
COLLECTION_CALLS = frozenset({"frozenset", "set", "tuple", "list", "sorted"})
COLUMNS = re.compile(r"columns|features|feature_names|sources|\bcols\b")
LICENCE_TITLE = (
    r"(data|dataset|source).*(licen[cs]e|terms)|licen[cs]e.*(data|source)|data card|datasheet"
)


def _entries(pf: PythonFacts, line: int, value: object) -> tuple | None:
    """The literal entries of a list/tuple/set assignment, also when wrapped in a
    `frozenset({...})` / `set([...])` / `tuple([...])` / `list(...)` / `sorted(...)` call
    (PythonFacts keeps a call's value as EXPR, so its literal argument is read from the call
    recorded on the assignment's line). None when the value is not such a literal."""
    if isinstance(value, tuple):
        return value
    if value != EXPR:
        return None
    for call in pf.calls:
        if call.line == line and call.name in COLLECTION_CALLS and len(call.args) == 1:
            arg = call.args[0]
            if isinstance(arg, tuple) and all(not isinstance(v, tuple) for v in arg):
                return arg
    return None


def _lists(facts: Facts) -> dict[str, tuple[str, int, int]]:
    """Named allow/deny lists: name -> (path, line, entries)."""
    out: dict[str, tuple[str, int, int]] = {}
    for path, pf in facts.python_files(tests=None, pattern=LIST_NAME_TEXT):
        for a in pf.assigns:
            name = a.name.rsplit(".", 1)[-1]
            if not (LIST_NAME.match(name) and LIST_SUBJECT.search(name)):
                continue
            entries = _entries(pf, a.line, a.value)
            if entries is not None:
                out.setdefault(name, (path, a.line, len(entries)))
    for path, doc in iter_yaml_files(facts, "*.yml", "*.yaml", text=LIST_NAME_TEXT):
        if isinstance(doc, dict):
            for key, value in doc.items():
                if isinstance(key, str) and LIST_NAME.match(key) and isinstance(value, list):
                    out.setdefault(key, (path, doc.line_of(key), len(value)))
    return out


def _applies(name: str, text: str) -> str | None:
    """Code that removes the columns of a deny list (`df.drop(columns=LEAKAGE_COLUMNS)`,
    `[c for c in df.columns if c not in PII_COLUMNS]`) or keeps only those of an allow list
    (`df[ALLOWED_FEATURES]`, `[c for c in cols if c in APPROVED_FEATURES]`)."""
    n = re.escape(name)
    if ALLOW_NAME.match(name):
        keeps = re.search(rf"\[\s*(:\s*,\s*)?{n}\s*\]|\bin\s+{n}\b", text)
        return "keeps only the columns of" if keeps else None
    drops = re.search(rf"\.drop\([^)]*\b{n}\b|\bnot\s+in\s+{n}\b", text)
    return "drops the columns of" if drops else None


def _reached(facts: Facts, path: str, fn: Function) -> bool:
    """Feature code a training entry point imports, or that a live test calls."""
    if path in training_code(facts):
        return True
    for _test_path, tf in facts.python_files(mentions=(fn.name,), tests=True):
        live = {t.qualname for t in tf.tests() if not always_skipped(t, tf)}
        if any(c.attr == fn.name and c.scope in live for c in tf.calls):
            return True
    return False


def _enforcers(facts: Facts, names: set[str]) -> Iterator[tuple[str, Function, str, str]]:
    """(path, function, verb, what) for live tests or code that enforce a list on columns: tests
    that assert, code that raises/asserts, and code reached by training or a test that drops
    the listed columns."""
    tokens = tuple(names) + ("not in", "isdisjoint", "intersection")
    for path, pf in facts.python_files(mentions=tokens):
        for fn in pf.functions:
            text = code_lines(function_text(facts, path, fn))
            used = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", text))
            protected = PROTECTED_VALUES.findall(text)
            if not (used or protected):
                continue
            verb = "asserts" if fn.is_test else "checks"
            checks = ENFORCE.search(text) and COLUMNS.search(text)
            if fn.is_test:
                if fn.asserts == 0 or always_skipped(fn, pf) or not checks:
                    continue
            elif is_test_path(path):
                continue
            elif not (checks and re.search(r"\braise\b|\bassert\b", text)):
                applied = [(n, v) for n in used if (v := _applies(n, text))]
                if not (applied and _reached(facts, path, fn)):
                    continue
                used, verb = [n for n, _ in applied], applied[0][1]
            what = ", ".join(f"`{n}`" for n in used) or ", ".join(
                sorted({f"`{p.lower()}`" for p in protected})
            )
            yield path, fn, verb, what


@check("data-4")
def feature_requirements(facts: Facts) -> Iterator[Evidence | Hint]:
    """Meta-level requirements on features enforced.

    Credits tests (live, asserting) and pipeline code (raising/asserting) that check feature
    columns or sources against an allow/deny list (`FORBIDDEN_FEATURES`, `PROTECTED_COLUMNS`,
    `allowed_sources:` ...) or against protected attributes named literally (race, gender,
    ssn, email ...) — automated when CI or the pipeline runs them. Also credited: feature
    code that drops a named deny list (`LEAKAGE_COLUMNS`, `PII_COLUMNS`) when training or a
    test reaches it, and tests that run the repository's feature code and assert that named
    columns are absent (saying why: leakage, pii, protected ...) or that the feature list is
    the approved one. A list that is written down but not enforced, and documented
    data-source licences / data cards, earn manual credit.
    """
    lists = _lists(facts)
    found = False
    enforced: set[str] = set()
    seen: set[tuple[str, int]] = set()
    for path, fn, verb, what in _enforcers(facts, set(lists)):
        found = True
        seen.add((path, fn.line))
        enforced |= {w.strip("`") for w in what.split(", ")}
        kind = "test" if fn.is_test else "code"
        # feature code that only a test reaches applies the list when a person runs the
        # pipeline; no automation checks it (the test does not assert on the columns)
        capped = verb.endswith(" of") and path not in training_code(facts)
        phrase = "" if verb.endswith(" of") else " feature columns against"
        yield Evidence(
            ITEM,
            f"`{fn.qualname}` {verb}{phrase} {what}",
            path,
            fn.line,
            kind=kind,
            credit="manual" if capped else "automated",
            symbol=fn.qualname,
        )
    for path, fn, what in policy_tests(facts):
        if (path, fn.line) in seen:
            continue
        found = True
        yield Evidence(ITEM, f"`{fn.qualname}` {what}", path, fn.line, "test", symbol=fn.qualname)
    for name, (path, line, size) in sorted(lists.items()):
        if name in enforced or ENFORCED_ONLY.match(name):
            continue
        found = True
        yield Evidence(
            ITEM,
            f"feature list `{name}` ({size} entries) written down but not enforced by any test "
            "or pipeline check",
            path,
            line,
            kind="config",
            credit="manual",
        )
    for path, section in doc_sections(facts, LICENCE_TITLE):
        found = True
        yield doc_evidence(
            ITEM, path, section, f'data-source licence documented: "{section.title}"'
        )
    for path in facts.repo.glob(
        "DATA_LICENSE*", "DATA-LICENSE*", "*/DATA_LICENSE*", "data/LICENSE*"
    ):
        if (facts.repo.size(path) or 0) > 0:
            found = True
            yield Evidence(ITEM, "data licence file", path, 1, kind="doc", credit="manual")
    if not found:
        yield attestation_hint(
            ITEM,
            "an allow/deny list of features or sources enforced by a test or pipeline step, a "
            "test asserting protected columns are absent, or documented data-source licences",
            "docs/feature-policy.md",
        )
