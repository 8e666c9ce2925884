"""data-3: the cost of each feature is known (documented cost, TTL metadata, timing benchmarks)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._library import is_packaged_library
from ml_readiness.checks.infra._shared import library_hint

from ml_readiness.checklib import attestation_hint, call_evidence, doc_evidence, doc_sections
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

from ._shared import calls_from, function_text

ITEM = "data-3"
COST_TITLE = (
    r"(feature|input).*(cost|latency|budget|compute|timing|expens)|"
    r"(cost|latency|budget|timing).*(feature|input)"
)
COST_WORDS = re.compile(
    r"\b(ms|millisecond|seconds?|latency|memory|MB|GB|cpu|cost|upstream)\b", re.I
)
FEATURE_CODE = re.compile(r"feature|preprocess|transform|featur", re.I)


def _documented(facts: Facts) -> Iterator[Evidence]:
    seen = set()
    for path, section in doc_sections(facts, COST_TITLE):
        if COST_WORDS.search(section.body):
            seen.add((path, section.line))
            yield doc_evidence(
                ITEM, path, section, f'per-feature cost documented: "{section.title}"'
            )
    for path in facts.docs():
        if "feature" not in path.lower():
            continue
        for p, section in doc_sections(facts, r"cost|latency|budget|timing", [path]):
            if (p, section.line) not in seen and COST_WORDS.search(section.body):
                yield doc_evidence(ITEM, p, section, f'feature cost documented: "{section.title}"')


def _feature_store(facts: Facts) -> Iterator[Evidence]:
    for path, pf in facts.python_files(mentions=("FeatureView",)):
        for call in calls_from(
            pf, ("feast",), ("FeatureView", "BatchFeatureView", "StreamFeatureView")
        ):
            ttl = call.has_kw("ttl")
            tags = call.kw("tags")
            cost_tags = (
                [
                    k
                    for k, _ in tags
                    if isinstance(k, str) and re.search(r"cost|latency|owner_cost|sla", k)
                ]
                if isinstance(tags, tuple)
                else []
            )
            if not ttl and not cost_tags:
                continue
            name = call.kw("name")
            meta = ", ".join((["ttl"] if ttl else []) + [f"tag `{t}`" for t in cost_tags])
            label = f"`{name}`" if isinstance(name, str) else "feature view"
            yield call_evidence(
                ITEM, path, call, f"Feast feature view {label} declares {meta}", credit="manual"
            )


def _benchmarks(facts: Facts) -> Iterator[Evidence | Hint]:
    found = list(_benchmark_sites(facts))
    if found and is_packaged_library(facts):
        sites = [f"{e.path}:{e.line}" for e in found]
        yield library_hint(ITEM, "benchmarks time the package's own functions", sites)
        return
    yield from found


def _benchmark_sites(facts: Facts) -> Iterator[Evidence]:
    for path, pf in facts.python_files(mentions=("benchmark", "timeit", "perf_counter")):
        in_bench = "bench" in path.lower()
        for fn in pf.functions:
            text = function_text(facts, path, fn)
            if not FEATURE_CODE.search(fn.name + " " + text):
                continue
            if fn.is_test and "benchmark" in fn.params:
                yield Evidence(
                    ITEM,
                    f"feature timing benchmark `{fn.qualname}` (pytest-benchmark)",
                    path,
                    fn.line,
                    kind="test",
                    symbol=fn.qualname,
                )
            elif in_bench and re.search(r"\b(timeit|perf_counter)\b", text):
                yield Evidence(
                    ITEM,
                    f"feature timing benchmark `{fn.qualname}`",
                    path,
                    fn.line,
                    kind="code",
                    symbol=fn.qualname,
                )


@check("data-3")
def feature_cost(facts: Facts) -> Iterator[Evidence | Hint]:
    """Per-feature cost known and recorded.

    Credits a documentation section about feature cost, latency, budget or compute (with
    substance: at least ~15 words and a cost word such as ms, memory or upstream), Feast
    feature views declaring `ttl` or cost/latency tags, and timing benchmarks of feature code
    (pytest-benchmark tests or timeit/perf_counter scripts under a benchmarks folder; these are
    automated when CI runs them). In a packaged repository with no training and no serving
    entry point (an ML library) benchmarks earn nothing: they time the package's own
    functions. Nothing found: a Hint with a ready-to-paste attestation.
    """
    found = False
    for source in (_documented, _feature_store, _benchmarks):
        for ev in source(facts):
            found = found or isinstance(ev, Evidence)
            yield ev
    if not found:
        yield attestation_hint(
            ITEM,
            "a documented per-feature cost table (latency, memory, upstream dependencies), "
            "feature-store definitions with ttl/cost metadata, or feature timing benchmarks",
            "docs/feature-costs.md",
        )
