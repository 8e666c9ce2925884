"""Builds the AutomationMap: roots from every reader, their commands resolved, and what they
execute followed through the call graph, with the chain of hops that leads there."""

from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import TYPE_CHECKING

from ml_readiness.automation import test_hop
from ml_readiness.automation.callgraph import FILE, CallGraph, Node, plain
from ml_readiness.automation.github import GitHubReader
from ml_readiness.automation.gitlab import GitLabReader
from ml_readiness.automation.paths import set_root_prefix
from ml_readiness.automation.resolve import Ctx, Resolver, Seed
from ml_readiness.evidence import Execution
from ml_readiness.facts.python import MODULE

if TYPE_CHECKING:
    from ml_readiness.automation import AutomationMap, Root
    from ml_readiness.automation.spec import RootSpec
    from ml_readiness.facts import Facts

READERS = [GitHubReader, GitLabReader]
MAX_CHAIN = 16


def readers() -> list:
    from ml_readiness.automation import ci_other, orchestrators

    return [*READERS, *ci_other.READERS, *orchestrators.READERS]


class _ScopedRepo:
    """The repo as one CI reader should see it: only the audited tree's own files, or only
    the enclosing repository's top-level files (listed as `../` paths)."""

    def __init__(self, repo: object, outer: bool) -> None:
        self._repo = repo
        self._outer = outer
        self.files = [f for f in repo.files if f.startswith("../") == outer]  # type: ignore[attr-defined]

    def _keep(self, paths: list[str]) -> list[str]:
        return [p for p in paths if p.startswith("../") == self._outer]

    def glob(self, *patterns: str) -> list[str]:
        return self._keep(self._repo.glob(*patterns))  # type: ignore[attr-defined]

    def named(self, *names: str) -> list[str]:
        return self._keep(self._repo.named(*names))  # type: ignore[attr-defined]

    def with_suffix(self, *suffixes: str) -> list[str]:
        return self._keep(self._repo.with_suffix(*suffixes))  # type: ignore[attr-defined]

    def under(self, folder: str) -> list[str]:
        return self._keep(self._repo.under(folder))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._repo, name)


class _ScopedFacts:
    """Facts whose `repo` is scoped; everything else (parsing, caches) is shared."""

    def __init__(self, facts: Facts, outer: bool) -> None:
        self._facts = facts
        self.repo = _ScopedRepo(facts.repo, outer)

    def __getattr__(self, name: str) -> object:
        return getattr(self._facts, name)


def build(facts: Facts, amap: AutomationMap) -> None:
    repo = facts.repo
    prefix = repo.root.relative_to(repo.outer_root).as_posix() if repo.outer_root else ""
    prefix = "" if prefix == "." else prefix
    set_root_prefix(prefix)
    try:
        _build(facts, amap, prefix)
    finally:
        set_root_prefix("")


def _build(facts: Facts, amap: AutomationMap, prefix: str) -> None:
    graph = CallGraph(facts)
    resolver = Resolver(facts, graph)
    specs: list[RootSpec] = []
    # CI files inside the audited tree describe it as their own root; an enclosing
    # repository's CI runs from that repository's top, `prefix` above the audited tree.
    scopes = (
        [(facts, "")]
        if not prefix
        else [
            (_ScopedFacts(facts, outer=False), ""),
            (_ScopedFacts(facts, outer=True), prefix),
        ]
    )
    for scoped, scope_prefix in scopes:
        for reader_cls in readers():
            reader = reader_cls(scoped, scope_prefix)
            specs += reader.roots()
            amap.unresolved.extend(reader.notes)
    for spec in specs:
        amap.roots.append(spec.root)
        ctx = Ctx(spec.root.id, where=spec.root.path, gpu=spec.gpu)
        groups = [list(spec.seeds)]
        for step in spec.steps:
            chain = spec.chain + ((step.hop,) if step.hop else ())
            env = frozenset(k for k, _ in step.env) if step.env_known else None
            step_ctx = replace(ctx, where=step.where or spec.root.path, env=env)
            groups.append(resolver.script(step.text, step.cwd, chain, step_ctx, dict(step.env)))
        record(amap, graph, spec.root, groups)
    for note in resolver.notes:
        if note not in amap.unresolved:
            amap.unresolved.append(note)
    explain(facts, amap, resolver)
    amap._by_file.clear()  # `record` below wrote `executed` directly


def record(amap: AutomationMap, graph: CallGraph, root: Root, groups: list[list[Seed]]) -> None:
    """Record every node reached from the seed groups as executed by `root`."""
    executed = amap.executed
    seen: dict[Node, bool] = {}  # node -> reached only through a test so far
    for seeds in groups:
        prefix: dict[Node, tuple[str, ...]] = {}
        starts: dict[Node, None] = {}  # seeds, with the command-line options they run with
        for node, chain in seeds:
            prefix.setdefault(plain(node), chain)
            starts.setdefault(node)
        for node, seed, tail in graph.reach_tails(tuple(starts)):
            earlier = seen.get(node)
            if earlier is False:
                continue
            chain = prefix[seed] + tail
            via_test = bool(test_hop(chain))
            if earlier and via_test:
                continue
            # a node reached through a test and then by the root's own code (a training
            # script) keeps both ways in: some rubric items do not count a test's run
            seen[node] = via_test
            if len(chain) > MAX_CHAIN:  # keep the way in and the last hops
                chain = (*chain[: MAX_CHAIN - 5], "…", *chain[-4:])
            path, scope = node
            symbol = "" if scope in (MODULE, FILE) else scope
            run = Execution(root.id, root.trigger, chain, root.condition)
            # a root records a node at most twice (through a test, then not), never the same way
            executed.setdefault(path, {}).setdefault(symbol, []).append(run)


def _is_test_file(path: str) -> bool:
    base = posixpath.basename(path)
    return base.endswith(".py") and (base.startswith("test_") or base.endswith("_test.py"))


def explain(facts: Facts, amap: AutomationMap, resolver: Resolver) -> None:
    """Fill `amap.reasons` for test files and tests that no automation collects."""
    runs = resolver.pytest_runs
    for run in runs:
        for key, why in run.collected.excluded.items():
            if "::" in key:
                amap.reasons.setdefault(key, f"{key} is not run by {run.root_id}: {why}")
    summary = "; ".join(dict.fromkeys(f"{r.root_id} runs {r.command}" for r in runs[:6]))
    for path in facts.repo.with_suffix(".py"):
        if path.startswith("../") or not _is_test_file(path) or path in amap.executed:
            continue
        excluded = [(r, r.collected.excluded[path]) for r in runs if path in r.collected.excluded]
        if excluded:
            run, why = excluded[0]
            amap.reasons[path] = f"{path} is not collected: {why} in {run.root_id} ({run.command})"
        elif runs:
            amap.reasons[path] = f"{path} is not collected by any CI job: {summary}"
        elif amap.roots:
            amap.reasons[path] = (
                f"{path} is not collected by any CI job: no automation root runs pytest"
            )
