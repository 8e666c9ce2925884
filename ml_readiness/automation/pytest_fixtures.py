"""Conftest files, `collect_ignore` and the fixtures and setup methods a pytest test uses."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from ml_readiness.automation.paths import join, under
from ml_readiness.facts.python import Function, PythonFacts

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

SETUP_NAMES = ("setup_method", "setup_class", "setUp", "setUpClass", "setup", "setup_function")


def _markers(pf: PythonFacts, fn: Function) -> list:
    from ml_readiness.automation.pytest_run import markers_of

    return markers_of(pf, fn)


def conftests(facts: Facts, rootdir: str, files: list[str]) -> list[str]:
    found: dict[str, None] = {}
    for f in files:
        folder = posixpath.dirname(f)
        chain = []
        while True:
            chain.append(join(folder, "conftest.py"))
            if not folder or folder == rootdir or not under(folder, rootdir):
                break
            folder = posixpath.dirname(folder)
        for c in reversed(chain):
            if facts.repo.exists(c):
                found[c] = None
    return list(found)


def conftest_ignores(facts: Facts, rootdir: str, cwd: str) -> set[str]:
    out: set[str] = set()
    with_ignores = facts.memo(
        "automation.collect_ignore",
        lambda f: [c for c in f.repo.named("conftest.py") if f.mentions(c, "collect_ignore")],
    )
    for conftest in with_ignores:
        if not under(conftest, rootdir) and not under(conftest, cwd):
            continue
        pf = facts.python(conftest)
        for a in pf.assigns if pf else ():
            if a.name == "collect_ignore" and isinstance(a.value, tuple):
                folder = posixpath.dirname(conftest)
                out.update(join(folder, v) for v in a.value if isinstance(v, str))
    return out


def _fixture_defs(facts: Facts, path: str) -> dict[str, Function]:
    pf = facts.python(path)
    out: dict[str, Function] = {}
    for fn in pf.functions if pf else ():
        if any(d.endswith("fixture") for d in fn.decorators):
            out.setdefault(fn.qualname, fn)
    return out


def fixtures_of(facts: Facts, path: str, pf: PythonFacts, fn: Function) -> tuple[str, ...]:
    """Node labels (`file::qualname`) of the fixtures and setup methods a test uses."""
    scopes = [path]
    folder = posixpath.dirname(path)
    while True:
        conftest = join(folder, "conftest.py")
        if facts.repo.exists(conftest):
            scopes.append(conftest)
        if not folder:
            break
        folder = posixpath.dirname(folder)
    found: list[str] = []
    wanted = list(fn.params)
    for m in _markers(pf, fn):
        if m.name == "usefixtures":
            wanted += [a for a in m.args if isinstance(a, str)]
    if fn.class_name:
        for setup in SETUP_NAMES:
            if pf.function(f"{fn.class_name}.{setup}"):
                found.append(f"{path}::{fn.class_name}.{setup}")
    for setup in ("setup_module", "setUpModule", "setup_function"):
        if pf.function(setup):
            found.append(f"{path}::{setup}")
    seen: set[str] = set()
    while wanted and len(seen) < 200:
        name = wanted.pop()
        if name in seen or name in ("self", "cls", "request"):
            continue
        seen.add(name)
        for where in scopes:
            defs = _fixture_defs(facts, where)
            hit = defs.get(f"{fn.class_name}.{name}") if where == path and fn.class_name else None
            hit = hit or defs.get(name)
            if hit:
                found.append(f"{where}::{hit.qualname}")
                wanted.extend(hit.params)
                break
    return tuple(dict.fromkeys(found))
