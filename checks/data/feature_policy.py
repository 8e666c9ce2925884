"""data-4 helpers: tests that enforce a feature policy without a named allow/deny list.

A feature policy is often written straight into a test: the test runs the repository's feature
code and asserts that leakage, identifier or personal columns are absent from its output, or
that the feature list is exactly the approved one. These tests are data-4 evidence when they
say what the policy is (a policy word in the test's name, docstring or comments, e.g.
"leakage", "pii", "protected", "approved"), because an absence assert on its own is just as
often a plain transformation test (`"date" not in out.columns` after splitting a date).

This module registers no checks; `data4_meta` uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import live_tests
from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Function, PythonFacts

from ._shared import code_lines, function_text

# Words that say a test enforces a policy on features (not a transformation detail).
DENY_WORDS = re.compile(
    r"leak|pii|protected|sensitive|personal|privacy|forbidden|deny|denied|banned|blocked|"
    r"blocklist|blacklist|prohibited|restricted|identifier|gdpr|compliance|"
    r"inference[ _]time|at[ _]inference|not[ _]available[ _]at|future[ _](data|information)",
    re.I,
)
ALLOW_WORDS = re.compile(r"allow|approved|permitted|whitelist|allowlist|policy", re.I)
# "does not leak the target into the features": the label kept out of X is split hygiene,
# not a policy on which features or sources may be used
TARGET_WORDS = re.compile(r"target|label|\by\b", re.I)
# `assert "col" not in out.columns` / `assert col not in features` (parametrized) /
# `self.assertNotIn("col", out.columns)`
_ABSENT = re.compile(
    r"""(assert\s+(?:all\()?\s*(["'][^"'\n]+["']|\w+)\s+not\s+in|assertNotIn\(\s*"""
    r"""(["'][^"'\n]+["']|\w+)\s*,)\s*[\w.\[\]()"']*(columns|feature|cols)""",
    re.I,
)
# `assert set(DENY).isdisjoint(out.columns)` / `assert not set(a) & set(out.columns)` /
# `assert not set(a).intersection(out.columns)` / `assert len(set(a) & set(b)) == 0`
_DISJOINT = re.compile(
    r"assert\s+[^\n]*(isdisjoint|not\s+\(?\s*set\([^\n]*(&|\.intersection\()|"
    r"len\(\s*set\([^\n]*&[^\n]*\)\s*==\s*0)[^\n]*(columns|feature|cols)",
    re.I,
)
# `assert FEATURE_COLUMNS == [...]` / `assert set(out.columns) <= {...}` / `.issubset([...])`
_PINNED = re.compile(
    r"assert\s+(?:set\(|sorted\(|list\()?\s*[\w.]*(columns|features?|feature_names|cols)\b"
    r"[\w.()\[\]]*\s*(==|<=|\.issubset\()\s*(?:set\(|sorted\()?\s*[\[{(]\s*"
    r"""["'][^"'\n]+["']\s*,\s*["']""",
    re.I,
)


def _uses_repo_code(facts: Facts, path: str, pf: PythonFacts, fn: Function) -> bool:
    """The test calls or reads a name it imports from a repository module (the feature code)."""
    index = module_index(facts)
    aliases = {imp.alias for imp in pf.imports if index.resolve(path, imp)}
    if not aliases:
        return False
    for call in pf.calls:
        if call.scope == fn.qualname and call.name.split(".", 1)[0] in aliases:
            return True
    text = code_lines(function_text(facts, path, fn))
    return any(re.search(rf"\b{re.escape(a)}\b", text) for a in aliases)


def _policy_text(facts: Facts, path: str, fn: Function) -> str:
    """What a test says about itself: its class and name, docstring and comments."""
    text = function_text(facts, path, fn)
    prose = re.findall(r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''", text)
    return " ".join([fn.qualname.replace("_", " "), *prose])


def policy_tests(facts: Facts) -> Iterator[tuple[str, Function, str]]:
    """(path, test, what) for live tests that run repository code and assert a feature policy:
    named columns absent from the output (with a deny word such as leakage/pii/protected), or
    the feature list pinned to a literal approved list (with an allow word such as approved/
    allowed)."""
    for path, pf in facts.python_files(
        mentions=("not in", "assertNotIn", "isdisjoint", "&", "=="), tests=True
    ):
        for fn in live_tests(pf):
            code = code_lines(function_text(facts, path, fn))
            absent = _ABSENT.search(code) or _DISJOINT.search(code)
            pinned = _PINNED.search(code)
            if not (absent or pinned):
                continue
            said = _policy_text(facts, path, fn)
            deny = {m.group(0).lower() for m in DENY_WORDS.finditer(said)}
            if absent and deny and not (deny == {"leak"} and TARGET_WORDS.search(said)):
                what = "asserts denied columns are absent from the feature output"
            elif pinned and ALLOW_WORDS.search(said):
                what = "asserts the feature list is the approved list"
            else:
                continue
            if _uses_repo_code(facts, path, pf, fn):
                yield path, fn, what
