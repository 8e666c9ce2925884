"""model-6: model quality is sufficient on all important data slices.

Evidence: per-slice evaluation in code (TFMA slicing specs, fairlearn MetricFrame over
sensitive features, Deepchecks segment performance, a groupby over a slice column followed by a
metric, tests parametrised over slices), slicing specs in TFMA config files, and committed
per-slice metric files (their values are shown). Code with thresholds can be automated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.model._shared import (
    call_at,
    is_metric_call,
    scope_calls,
    thresholds_in,
)
from ml_readiness.checks.model._slices import SLICE_WORDS, slice_metric_files

from ml_readiness.checklib import live_tests
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

ITEM = "model-6"
DEEPCHECKS = ("SegmentPerformance", "WeakSegmentsPerformance")
TFMA_THRESHOLDS = ("MetricThreshold", "GenericValueThreshold", "GenericChangeThreshold")


def _with_thresholds(
    facts: Facts, path: str, pf: PythonFacts, call: Call, detail: str, extra: bool = False
) -> Evidence:
    """Evidence at `call`: automated-capable only when thresholds are checked in its scope."""
    found = thresholds_in(facts, path, pf, call.scope)
    if found or extra:
        shown = "; ".join(cond for _, cond in found[:2]) or "TFMA metric thresholds"
        return call_at(facts, ITEM, path, call, f"{detail}; thresholds: {shown}")
    return call_at(facts, ITEM, path, call, f"{detail}; no thresholds", credit="manual")


def _groupby_label(call: Call) -> str:
    arg = call.args[0] if call.args else call.kw("by")
    if isinstance(arg, str) and not arg.startswith("$"):
        return f"`{arg}`"
    if isinstance(arg, tuple):
        return ", ".join(f"`{a}`" for a in arg if isinstance(a, str))
    return "a column"


def code_slices(facts: Facts) -> Iterator[Evidence]:
    tokens = ("SlicingSpec", "slicing_specs", "MetricFrame", "Segment", "groupby", "parametrize")
    for path, pf in facts.python_files(mentions=tokens, notebooks=True):
        done: set[str] = set()
        tfma_thresholds = bool(pf.method_calls(*TFMA_THRESHOLDS))
        for call in pf.calls:
            if call.scope in done:
                continue
            detail = None
            extra = False
            if call.attr == "SlicingSpec" or (
                call.attr == "EvalConfig" and call.has_kw("slicing_specs")
            ):
                detail, extra = "TFMA evaluation sliced by slicing specs", tfma_thresholds
            elif call.qualified.endswith("MetricFrame") and call.has_kw("sensitive_features"):
                detail = "fairlearn MetricFrame computes metrics per group of sensitive_features"
            elif call.attr in DEEPCHECKS and pf.method_calls("run"):
                detail = f"Deepchecks {call.attr} check run"
            elif call.attr == "groupby":
                metrics = [c for c in scope_calls(pf, call.scope) if is_metric_call(c)]
                if metrics:
                    detail = (
                        f"per-slice metric `{metrics[0].attr}` after groupby on "
                        f"{_groupby_label(call)}"
                    )
            if detail:
                done.add(call.scope)
                yield _with_thresholds(facts, path, pf, call, detail, extra)
        yield from _slice_tests(facts, path, pf, done)


def _slice_tests(facts: Facts, path: str, pf: PythonFacts, done: set[str]) -> Iterator[Evidence]:
    """Tests parametrised over slices that compute a metric and assert a threshold."""
    for fn in live_tests(pf):
        marker = fn.marker("parametrize")
        if fn.qualname in done or marker is None or not marker.args:
            continue
        names = str(marker.args[0])
        if not SLICE_WORDS.search(names) and not re.search(
            r"country|language|gender|age|segment|cohort|locale|platform", names, re.I
        ):
            continue
        calls = scope_calls(pf, fn.qualname)
        metric = next((c for c in calls if is_metric_call(c)), None)
        found = thresholds_in(facts, path, pf, fn.qualname)
        if metric is None or not found:
            continue
        shown = "; ".join(cond for _, cond in found[:2])
        yield Evidence(
            ITEM,
            f"test checks `{metric.attr}` per slice ({names}); thresholds: {shown}",
            path,
            fn.line,
            "test",
            "automated",
            fn.qualname,
        )


def config_slices(facts: Facts) -> Iterator[Evidence]:
    """TFMA eval configs (pbtxt/JSON/YAML) with slicing specs."""
    paths = [
        p
        for p in facts.repo.with_suffix(".pbtxt", ".config", ".json", ".yaml", ".yml")
        if not is_example_config(p) and facts.mentions(p, "slicing_specs")
    ]
    seen: set[str] = set()
    for path, line, _ in facts.grep(r"^\s*\"?slicing_specs\"?\s*[:{\[=]", paths, re.M):
        if path in seen:
            continue
        seen.add(path)
        keys = re.findall(r"feature_keys\W+\[?\s*\"?(\w+)", facts.text(path) or "")
        shown = f" on {', '.join(sorted(set(keys))[:4])}" if keys else ""
        yield Evidence(ITEM, f"TFMA eval config slices{shown}", path, line, "config", "manual")


@check(ITEM)
def slice_evaluation(facts: Facts) -> Iterator[Evidence | Hint]:
    """Per-slice evaluation, with thresholds and committed per-slice results.

    Looks for TFMA `SlicingSpec`/`slicing_specs` (in code or eval configs), fairlearn
    `MetricFrame(..., sensitive_features=...)`, Deepchecks segment-performance checks that are
    run, a `groupby` over a slice column followed by a metric in the same function, and tests
    parametrised over slices asserting a metric threshold. Thresholds found in the same
    function (`assert auc >= 0.8`, TFMA metric thresholds) are reported; without thresholds the
    evidence is manual only. Committed per-slice metric files (JSON/CSV reports, DVC metrics
    files, MLflow `mlruns` metrics) are manual results and their values are shown.
    """
    found = [*code_slices(facts), *config_slices(facts), *slice_metric_files(facts, ITEM)]
    yield from found
    if not found:
        yield Hint(ITEM, "no per-slice evaluation code, slicing config or per-slice metrics found")
    elif all(e.credit == "manual" for e in found):
        yield Hint(
            ITEM,
            "per-slice quality is measured but no threshold is checked per slice "
            "(e.g. `assert auc >= 0.8` for every slice), so it cannot be automated",
        )
