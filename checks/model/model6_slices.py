"""model-6: model quality is sufficient on all important data slices.

Evidence: per-slice evaluation in code (TFMA slicing specs, fairlearn MetricFrame over
sensitive features, Deepchecks segment performance, a groupby over a slice column followed by a
metric, tests parametrised over slices), slicing specs in TFMA config files, and committed
per-slice metric files (their values are shown). Code with thresholds can be automated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.model._compare import is_gate, module_guards, module_thresholds
from ml_readiness.checks.model._shared import (
    call_at,
    evidence_at,
    is_metric_call,
    scope_calls,
    thresholds_in,
    without_strings,
)
from ml_readiness.checks.model._slices import METRIC_KEYS, SLICE_WORDS, slice_metric_files

from ml_readiness.checklib import live_tests
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

ITEM = "model-6"
AGG_METRIC = re.compile(
    r"(^|_)(rmse|mse|mae|mape|auc|roc_auc|pr_auc|accuracy|acc|f1|precision|recall|brier|"
    r"log_?loss|r2)(_|$)",
    re.I,
)
SEGMENT_LOOP = re.compile(r"segment|slice|cohort|subgroup", re.I)
DEEPCHECKS = ("SegmentPerformance", "WeakSegmentsPerformance")
TFMA_THRESHOLDS = ("MetricThreshold", "GenericValueThreshold", "GenericChangeThreshold")
OVERALL_ONLY = (
    "TFMA slicing specs name only the overall slice (an empty `SlicingSpec()`/`slicing_specs "
    "{}` is the whole dataset), so no data slice is evaluated"
)


def _with_thresholds(
    facts: Facts, path: str, pf: PythonFacts, call: Call, detail: str, extra: bool = False
) -> Evidence:
    """Evidence at `call`: automated-capable only when thresholds are checked in its scope,
    or per slice by a gate elsewhere in the same module (`gate_failures` comparing every
    slice's AUC with `thresholds["min_slice_auc"]`, which `main` turns into an exit)."""
    found = thresholds_in(facts, path, pf, call.scope) or [
        (line, cond) for line, cond, _s in module_thresholds(facts, path, SLICE_WORDS, METRIC_KEYS)
    ]
    if found or extra:
        shown = "; ".join(cond for _, cond in found[:2]) or "TFMA metric thresholds"
        return call_at(facts, ITEM, path, call, f"{detail}; thresholds: {shown}")
    return call_at(facts, ITEM, path, call, f"{detail}; no thresholds", credit="manual")


def _tfma_slice_keys(pf: PythonFacts, scope: str | None) -> list[str]:
    """Feature keys of the TFMA `SlicingSpec(feature_keys=[...])` / `feature_values` calls in
    `scope` (None: the whole file). An empty `SlicingSpec()` is the overall slice, the whole
    dataset: it slices nothing, so a config made only of it yields no keys."""
    keys: list[str] = []
    for c in pf.calls:
        if c.attr != "SlicingSpec" or (scope is not None and c.scope != scope):
            continue
        if not (c.args or c.kwargs):
            continue
        value = c.kw("feature_keys")
        if isinstance(value, tuple):
            keys.extend(v for v in value if isinstance(v, str))
        elif isinstance(value, str) and not value.startswith("$"):
            keys.append(value)
        else:
            keys.append("a feature" if c.has_kw("feature_keys") else "feature values")
    return list(dict.fromkeys(keys))


def _group_span(facts: Facts, path: str, line: int) -> tuple[int, int]:
    """Lines where per-group work of the groupby on `line` happens: its whole statement
    (brackets balanced), plus the indented body when the statement is a `for` loop over it.
    Notebooks: the line itself."""
    if path.endswith(".ipynb"):
        return line, line
    lines = facts.lines(path)
    if not 0 < line <= len(lines):
        return line, line
    depth, end = 0, line
    for number in range(line, min(len(lines), line + 40) + 1):
        text = without_strings(lines[number - 1].split("#", 1)[0])
        depth += text.count("(") + text.count("[") + text.count("{")
        depth -= text.count(")") + text.count("]") + text.count("}")
        end = number
        if depth <= 0:
            break
    head = lines[line - 1]
    if not re.match(r"\s*(async\s+)?for\b", head):
        return line, end
    indent = len(head) - len(head.lstrip())
    for number in range(end + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        end = number
    return line, end


def _slice_metric(call: Call) -> bool:
    """A quality metric computed per group: sklearn/torchmetrics metrics, `*_score`/`*_error`
    functions, or `.score`/`.evaluate` of an estimator or evaluator. A project function that
    happens to be called `score` (scoring predictions) is not a metric."""
    if call.attr in ("score", "evaluate"):
        head = call.name.rsplit(".", 1)[0] if "." in call.name else ""
        return bool(re.search(r"model|estimator|clf|classifier|regressor|evaluator|pipe", head))
    return is_metric_call(call)


def _metric_aliases(calls: list[Call]) -> list[str]:
    """Metric columns named in a Spark aggregation: `.agg(F.sqrt(...).alias("rmse"))`."""
    if not any(c.attr == "agg" for c in calls):
        return []
    names = [
        c.args[0] for c in calls if c.attr == "alias" and c.args and isinstance(c.args[0], str)
    ]
    return [f"`{n}`" for n in dict.fromkeys(names) if AGG_METRIC.search(n)]


def segment_gates(facts: Facts) -> Iterator[Evidence]:
    """Thresholds checked per segment in a loop over segments: `for segment in
    required_segments:` ... `if regression > maximum_segment_regression: reasons.append(...)`
    where the compared value is a metric of that segment (`f"{segment}_rmse"`)."""
    tokens = ("segment", "slice", "cohort", "subgroup")
    for path, _pf in facts.python_files(mentions=tokens):
        module = module_guards(facts, path)
        for guard in module.guards:
            if guard.trivial or not guard.ordered or not guard.threshold:
                continue
            loop = " ".join(sorted(guard.loop))
            if not (SEGMENT_LOOP.search(loop) and METRIC_KEYS.search(guard.words())):
                continue
            if not is_gate(module, guard):
                continue
            over = next((w for w in sorted(guard.loop) if SEGMENT_LOOP.search(w)), "segments")
            yield evidence_at(
                facts,
                ITEM,
                path,
                guard.line,
                guard.scope,
                f"metric threshold checked for every item of `{over}`: `{guard.text}`",
            )
            break


def _groupby_label(call: Call) -> str:
    arg = call.args[0] if call.args else call.kw("by")
    if isinstance(arg, str) and not arg.startswith("$"):
        return f"`{arg}`"
    if isinstance(arg, tuple):
        return ", ".join(f"`{a}`" for a in arg if isinstance(a, str))
    return "a column"


def code_slices(facts: Facts) -> Iterator[Evidence | Hint]:
    tokens = (
        "SlicingSpec",
        "slicing_specs",
        "MetricFrame",
        "Segment",
        "groupby",
        "groupBy",
        "parametrize",
    )
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
                keys = _tfma_slice_keys(pf, call.scope) or _tfma_slice_keys(pf, None)
                specs = [c for c in pf.calls if c.attr == "SlicingSpec"]
                if specs and not keys:
                    done.add(call.scope)
                    yield Hint(ITEM, f"{OVERALL_ONLY} ({path}:{call.line}); not credited")
                    continue
                shown = f" on {', '.join(keys[:4])}" if keys else ""
                detail = f"TFMA evaluation sliced by slicing specs{shown}"
                extra = tfma_thresholds
            elif call.qualified.endswith("MetricFrame") and call.has_kw("sensitive_features"):
                detail = "fairlearn MetricFrame computes metrics per group of sensitive_features"
            elif call.attr in DEEPCHECKS and pf.method_calls("run"):
                detail = f"Deepchecks {call.attr} check run"
            elif call.attr.lower() == "groupby":
                # the metric is computed on the groups: in the groupby's statement (`.apply`,
                # `.agg`) or in the body of a `for ... in df.groupby(...)` loop
                first, last = _group_span(facts, path, call.line)
                calls = [c for c in scope_calls(pf, call.scope) if first <= c.line <= last]
                metrics = [c.attr for c in calls if _slice_metric(c)]
                aliases = _metric_aliases(calls)
                if metrics:
                    detail = (
                        f"per-slice metric `{metrics[0]}` after groupby on {_groupby_label(call)}"
                    )
                elif aliases:
                    detail = (
                        f"per-slice metrics {', '.join(aliases[:3])} aggregated after groupBy on "
                        f"{_groupby_label(call)}"
                    )
            if detail:
                done.add(call.scope)
                yield _with_thresholds(facts, path, pf, call, detail, extra)
        yield from _slice_tests(facts, path, pf, done)


MASK_INDEX = re.compile(r"\[\s*\w*mask\w*\s*\]")
SF_APPLIERS = ("PandasSFApplier", "SFApplier", "DaskSFApplier", "SparkSFApplier")


def _loop_header(lines: list[str], line: int, first: int) -> str | None:
    """The header of the innermost `for` loop enclosing `line` (not above line `first`)."""
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip())
    for number in range(line - 1, max(first, 1) - 1, -1):
        head = lines[number - 1]
        lead = len(head) - len(head.lstrip())
        if head.strip() and lead < indent:
            if re.match(r"\s*(async\s+)?for\b", head):
                return head
            indent = lead
    return None


def masked_slices(facts: Facts) -> Iterator[Evidence]:
    """Metrics computed on boolean masks of slices in a loop over the slices: `for slice_name
    in slices.dtype.names: mask = slices[slice_name]` ... `precision_recall_fscore_support(
    y_true[mask], y_pred[mask])` — the shape of snorkel slicing functions applied with
    `PandasSFApplier`. The loop must name slices/segments/cohorts and the metric must be
    computed on the masked rows."""
    for path, pf in facts.python_files(mentions=("mask",)):
        lines = facts.lines(path)
        sfs = [f.name for f in pf.functions if any("slicing_function" in d for d in f.decorators)]
        for fn in pf.functions:
            calls = [c for c in pf.calls if c.scope == fn.qualname]
            for call in calls:
                if not _slice_metric(call) or not 0 < call.line <= len(lines):
                    continue
                header = _loop_header(lines, call.line, fn.line)
                if not header or not SEGMENT_LOOP.search(header):
                    continue
                if not MASK_INDEX.search(lines[call.line - 1]):
                    continue
                applier = next((c.attr for c in calls if c.attr in SF_APPLIERS), None)
                how = (
                    f"snorkel slicing functions ({', '.join(f'`{n}`' for n in sfs[:4])}) "
                    f"applied with `{applier}`"
                    if applier and sfs
                    else f"masks of `{header.strip().rstrip(':')}`"
                )
                yield _with_thresholds(
                    facts, path, pf, call, f"per-slice metric `{call.attr}` on {how}"
                )
                break


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


def config_slices(facts: Facts) -> Iterator[Evidence | Hint]:
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
        text = facts.text(path) or ""
        keys = re.findall(r"feature_keys\W+\[?\s*\"?(\w+)", text)
        keys += re.findall(r"feature_values\W+\{?\s*\"?key\"?\W+\"?(\w+)", text)
        if not keys:
            yield Hint(ITEM, f"{OVERALL_ONLY} ({path}:{line}); not credited")
            continue
        shown = f" on {', '.join(sorted(set(keys))[:4])}"
        yield Evidence(ITEM, f"TFMA eval config slices{shown}", path, line, "config", "manual")


@check(ITEM)
def slice_evaluation(facts: Facts) -> Iterator[Evidence | Hint]:
    """Per-slice evaluation, with thresholds and committed per-slice results.

    Looks for TFMA `SlicingSpec`/`slicing_specs` (in code or eval configs), fairlearn
    `MetricFrame(..., sensitive_features=...)`, Deepchecks segment-performance checks that are
    run, a pandas `groupby` / Spark `groupBy` whose groups are scored (a quality metric in the
    groupby's statement or loop, or Spark `.agg` columns aliased as metrics), thresholds
    checked per segment in a loop over segments, and tests parametrised over slices asserting
    a metric threshold, and metrics computed on boolean masks of slices in a loop over them
    (snorkel slicing functions applied with `PandasSFApplier`). A TFMA config whose only
    slicing spec is the empty `SlicingSpec()` (the overall slice) slices nothing and earns
    nothing. Thresholds found in the same function (`assert auc >= 0.8`, TFMA metric
    thresholds) or in a gate function of the same module whose failures end in an exit or
    raise are reported; without thresholds the evidence is manual only. Committed per-slice
    metric files (JSON/CSV reports, DVC metrics files, MLflow `mlruns` metrics) are manual
    results and their values are shown.
    """
    produced = [*code_slices(facts)]
    scored = {(e.path, e.symbol) for e in produced if isinstance(e, Evidence)}
    produced += [e for e in masked_slices(facts) if (e.path, e.symbol) not in scored]
    produced += [*segment_gates(facts), *config_slices(facts), *slice_metric_files(facts, ITEM)]
    found = [e for e in produced if isinstance(e, Evidence)]
    yield from found
    yield from (h for h in produced if isinstance(h, Hint))
    if not found:
        yield Hint(ITEM, "no per-slice evaluation code, slicing config or per-slice metrics found")
    elif all(e.credit == "manual" for e in found):
        yield Hint(
            ITEM,
            "per-slice quality is measured but no threshold is checked per slice "
            "(e.g. `assert auc >= 0.8` for every slice), so it cannot be automated",
        )
