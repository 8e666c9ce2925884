"""model-2: offline and online metrics correlate.

Evidence: committed online-experiment analyses (A/B test write-ups, offline-vs-online sections,
analysis notebooks) and business metrics logged in serving request handlers. Both are manual;
without them a Hint offers a ready-to-paste attestation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.model._shared import notebooks, section_evidence

from ml_readiness.checklib import attestation_hint
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import Call, Function, PythonFacts
from ml_readiness.registry import check

ITEM = "model-2"
TITLES = (
    r"\ba\s*/\s*b\b|\bab[\s_-]?test|split test|online experiment|"
    r"offline\s*(vs\.?|versus|and|to|/)\s*online|online\s*(vs\.?|versus|and|/)\s*offline|"
    r"online (evaluation|metrics?)|business metrics?"
)
NOTEBOOK_NAMES = re.compile(r"ab[_-]?test|a_b|online[_-]?experiment|offline[_-]?online", re.I)
BUSINESS = re.compile(
    r"click|ctr|conversion|convert|revenue|purchase|order|booking|engagement|retention|signup|"
    r"add_to_cart|watch_time|dwell|satisfaction|feedback|reward|gmv|churn|business|online_metric",
    re.I,
)
ROUTE = re.compile(
    r"(^|\.)(app|router|api|bp|blueprint|svc|service|server|routes)\."
    r"(get|post|put|patch|route|api|websocket)$|^bentoml\.api$|\.api$"
)
METRIC_TYPES = ("Counter", "Histogram", "Gauge", "Summary")
LOGGING_ATTRS = frozenset(
    {
        "inc",
        "observe",
        "set",
        "log_metric",
        "log_metrics",
        "log",
        "info",
        "increment",
        "incr",
        "gauge",
        "timing",
        "histogram",
        "track",
        "emit",
        "record",
        "put_metric_data",
        "labels",
        "distribution",
        "capture",
    }
)


def _handlers(pf: PythonFacts) -> list[Function]:
    """Request handlers: route-decorated functions, BentoML APIs, Ray Serve/KServe predict."""
    serving_classes = {
        c.qualname
        for c in pf.classes
        if any(d.endswith(("serve.deployment", "bentoml.service")) for d in c.decorators)
        or any(b.endswith(("kserve.Model", "KFModel")) for b in c.bases)
    }
    out = []
    for fn in pf.functions:
        if any(ROUTE.search(d) for d in fn.decorators) or (
            fn.class_name in serving_classes and fn.name in ("__call__", "predict")
        ):
            out.append(fn)
    return out


def _metric_vars(pf: PythonFacts) -> dict[str, str]:
    """Module-level metric objects with a business name: variable → metric name."""
    lines = {
        c.line: c.args[0]
        for c in pf.calls
        if c.attr in METRIC_TYPES and c.args and isinstance(c.args[0], str)
    }
    out = {}
    for a in pf.assigns:
        name = lines.get(a.line)
        if name and BUSINESS.search(name):
            out[a.name] = name
    return out


def _business_name(call: Call, metric_vars: dict[str, str]) -> str | None:
    head = call.name.split(".", 1)[0]
    if head in metric_vars and call.name != head:
        return metric_vars[head]
    if call.attr not in LOGGING_ATTRS:
        return None
    for value in (*call.args[:1], call.kw("key"), call.kw("name"), call.kw("metric_name")):
        if isinstance(value, str) and not value.startswith("$") and BUSINESS.search(value):
            return value[:40]
    return None


def online_logging(facts: Facts) -> list[Evidence]:
    """Business metrics logged inside serving request handlers."""
    out = []
    tokens = ("route", ".get(", ".post(", ".api", "serve.deployment", "kserve")
    # a handler is decorated (`@`) or subclasses a KServe model: files without either can't hold one
    for path, pf in facts.python_files(mentions=tokens, pattern=r"@|kserve|KFModel"):
        if is_test_path(path):
            continue
        handlers = _handlers(pf)
        if not handlers:
            continue
        metric_vars = _metric_vars(pf)
        for fn in handlers:
            for call in pf.calls:
                if call.scope != fn.qualname and not call.scope.startswith(fn.qualname + "."):
                    continue
                name = _business_name(call, metric_vars)
                if name:
                    out.append(
                        Evidence(
                            ITEM,
                            f"online business metric `{name}` logged in request handler "
                            f"`{fn.qualname}`",
                            path,
                            call.line,
                            "code",
                            "manual",
                            fn.qualname,
                        )
                    )
                    break
    return out


def analysis_notebooks(facts: Facts) -> list[Evidence]:
    """Notebooks named as A/B or offline-vs-online analyses, with code."""
    out = []
    for path in notebooks(facts):
        nb = facts.notebook(path)
        if nb is None or not nb.code_cells or not NOTEBOOK_NAMES.search(path):
            continue
        kind = "result" if nb.has_outputs else "code"
        state = "with saved outputs" if nb.has_outputs else "without saved outputs"
        out.append(
            Evidence(
                ITEM, f"online-experiment analysis notebook ({state})", path, None, kind, "manual"
            )
        )
    return out


@check(ITEM)
def offline_online_correlation(facts: Facts) -> Iterator[Evidence | Hint]:
    """Online-experiment analyses and online business-metric logging.

    Looks for substantive doc or notebook sections titled like "A/B test", "online
    experiment", "offline vs online", "online metrics"; analysis notebooks named after A/B
    tests (a notebook with saved outputs is a result, one without is code); and business
    metrics (clicks, conversions, revenue, ...) logged or counted inside serving request
    handlers (FastAPI/Flask routes, BentoML APIs, Ray Serve/KServe predict). All manual: the
    correlation itself is a judgement people record. Without any, a Hint gives a
    ready-to-paste attestation.
    """
    found = section_evidence(facts, ITEM, TITLES, "online-experiment analysis")
    seen = {e.path for e in found}
    found += [e for e in analysis_notebooks(facts) if e.path not in seen]
    found += online_logging(facts)
    yield from found
    if not found:
        yield attestation_hint(
            ITEM,
            "A/B or online-experiment analyses relating offline to online metrics, and "
            "business metrics logged in serving code",
            "docs/online-experiments.md",
        )
