"""Prometheus metrics the serving code exports, and whether a monitoring system scrapes them.

A metric counts when it is defined with `prometheus_client` (Counter, Gauge, Histogram,
Summary) under a literal name, updated (`.observe`, `.inc`, `.set`, `.time`, through
`.labels(...)` too) in code reached from a serving entry point, and the repository commits a
scrape of the service: a Prometheus config with `scrape_configs`, `prometheus.io/scrape`
annotations, or a ServiceMonitor/PodMonitor. A metric module nothing updates exports nothing
worth watching; a metric nobody scrapes is watched by nobody.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ml_readiness.entrypoints import reachable_functions, serving_entry_points
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config

from ._shared import AlertRule, alert_rules, rule_evidence, unloaded_hint

METRIC_TYPES = {
    "prometheus_client.Counter": "Counter",
    "prometheus_client.Gauge": "Gauge",
    "prometheus_client.Histogram": "Histogram",
    "prometheus_client.Summary": "Summary",
    "prometheus_client.metrics.Counter": "Counter",
    "prometheus_client.metrics.Gauge": "Gauge",
    "prometheus_client.metrics.Histogram": "Histogram",
    "prometheus_client.metrics.Summary": "Summary",
}
EXPOSURE = (
    "prometheus_client.generate_latest", "prometheus_client.make_asgi_app",
    "prometheus_client.make_wsgi_app", "prometheus_client.start_http_server",
    "prometheus_client.start_wsgi_server",
)  # fmt: skip
UPDATES = r"observe|inc|dec|set|time|set_to_current_time|set_function"
# the binding on the left of `NAME = Histogram(` or `metrics["NAME"] = Histogram(`
BINDING = re.compile(
    r"""^\s*(?:self\.)?(?:\w+\[\s*["'](\w+)["']\s*\]|([A-Za-z_]\w*))\s*(?::[^=]+)?="""
)
SELF_SCRAPES = re.compile(
    r"^(prometheus|node|node[-_]exporter|cadvisor|alertmanager|grafana|pushgateway|blackbox)$"
)
LATENCY = re.compile(r"latency|duration|_seconds|response_time|inference_time|prediction_time")
QUALITY = re.compile(
    r"accuracy|auc|f1|precision|recall|drift|psi|mismatch|disagree|agreement|rmse|mae|mape"
    r"|confidence|probabilit|raw_score|prediction_scores?|prediction_buckets?"
    r"|prediction_distribution|score_distribution"
)
SELECTOR = re.compile(r"([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}")
LABEL_VALUE = re.compile(r"""(\w+)\s*=\s*"([^"]*)\"""")


@dataclass(frozen=True)
class ExportedMetric:
    """A Prometheus metric the serving code updates: where it is defined and updated."""

    path: str
    line: int
    name: str
    kind: str
    labels: tuple[str, ...]
    updated: str  # `path:line` of an update on the serving path

    def series(self) -> set[str]:
        """The names Prometheus stores it under (`x_bucket`, `x_total` ...)."""
        base = self.name
        out = {base, f"{base}_total", f"{base}_created"}
        if self.kind in ("Histogram", "Summary"):
            out |= {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
        return out


def exported_metrics(facts: Facts) -> list[ExportedMetric]:
    """Metrics defined with prometheus_client and updated on the serving path (once per audit)."""
    return facts.memo("monitor.exported_metrics", _collect)


def _collect(facts: Facts) -> list[ExportedMetric]:
    serving = serving_entry_points(facts)
    if not serving:
        return []
    serving_files = {e.path for e in serving}
    for entry in serving:
        serving_files |= {p for p, _ in reachable_functions(facts, entry)}
    out = []
    for path, pf in facts.python_files(mentions=("prometheus_client",), tests=False):
        if is_example_config(path):
            continue
        lines = facts.lines(path)
        for call in pf.calls:
            kind = METRIC_TYPES.get(call.qualified)
            name = call.args[0] if call.args else call.kw("name")
            if kind is None or not isinstance(name, str) or name.startswith("$") or "<" in name:
                continue
            m = BINDING.match(lines[call.line - 1]) if 0 < call.line <= len(lines) else None
            binding = (m.group(1) or m.group(2)) if m else None
            updated = _update_site(facts, binding, path, call.line, serving_files)
            if binding and updated:
                labels = call.args[2] if len(call.args) > 2 else call.kw("labelnames", ())
                names = (
                    tuple(v for v in labels if isinstance(v, str))
                    if isinstance(labels, tuple)
                    else ()
                )
                out.append(ExportedMetric(path, call.line, name, kind, names, updated))
    return out


def _update_site(
    facts: Facts, binding: str | None, path: str, line: int, serving_files: set[str]
) -> str | None:
    """`path:line` of a line in serving code that updates `binding` (or an alias bound from
    it: `TIME = metrics["PREDICTION_TIME"]`), or None."""
    if not binding:
        return None
    names = [binding]
    for spath in sorted(serving_files):
        for text in facts.lines(spath):
            alias = re.match(rf"""^\s*([A-Za-z_]\w*)\s*=\s*\w+\[\s*["']{binding}["']\s*\]""", text)
            if alias and alias.group(1) not in names:
                names.append(alias.group(1))
    bound = "|".join(map(re.escape, names))
    update = re.compile(rf"""\b({bound})\b["'\]]*\s*(\.labels\(.*?\))?\s*\.({UPDATES})\(""")
    for spath in sorted(serving_files):
        if not facts.mentions(spath, *names):
            continue
        for number, text in enumerate(facts.lines(spath), start=1):
            if (spath, number) != (path, line) and update.search(text.split("#", 1)[0]):
                return f"{spath}:{number}"
    return None


def scrape_config(facts: Facts) -> str | None:
    """`path:line (what)` of a committed scrape of the service, or None."""
    for path in facts.repo.with_suffix(".yml", ".yaml"):
        if is_example_config(path) or path.startswith(".github/"):
            continue
        if not facts.mentions(path, "scrape_configs", "prometheus.io/scrape", "Monitor"):
            continue
        for number, text in enumerate(facts.lines(path), start=1):
            if re.match(r"""^\s*["']?prometheus\.io/scrape["']?\s*:\s*["']?true""", text):
                return f"the prometheus.io/scrape annotation in {path}:{number}"
            if re.match(r"^\s*kind:\s*(ServiceMonitor|PodMonitor)\s*$", text):
                return f"the {text.split(':', 1)[1].strip()} in {path}:{number}"
        for doc in facts.yaml(path) or []:
            jobs = doc.get("scrape_configs") if isinstance(doc, dict) else None
            for job in jobs if isinstance(jobs, list) else []:
                name = str(job.get("job_name", "")) if isinstance(job, dict) else ""
                if name and not SELF_SCRAPES.match(name.lower()):
                    line = getattr(job, "line", 0) or 0
                    return f"scrape job `{name}` in {path}:{line}"
    return None


def exposure(facts: Facts) -> str | None:
    """`path:line` of the `/metrics` exposure (`generate_latest`, `make_asgi_app` ...)."""
    for path, pf in facts.python_files(mentions=("prometheus_client",), tests=False):
        found = pf.calls_to(*EXPOSURE)
        if found:
            return f"`{found[0].name}` in {path}:{found[0].line}"
    return None


def latency_metric(metric: ExportedMetric) -> bool:
    """A distribution or level of serving time (not a counter)."""
    return metric.kind != "Counter" and bool(LATENCY.search(metric.name.lower()))


def quality_metric(metric: ExportedMetric) -> bool:
    """Prediction quality, output distribution or shadow disagreement (counters only of
    disagreements: a count of predictions is traffic, not quality)."""
    name = metric.name.lower()
    if not QUALITY.search(name) or LATENCY.search(name) and metric.kind != "Gauge":
        return False
    return metric.kind != "Counter" or bool(re.search(r"mismatch|disagree", name))


def watched_metrics(
    facts: Facts, item: str, wanted: Callable[[ExportedMetric], bool], what: str
) -> list[Evidence]:
    """Manual evidence for the exported metrics `wanted` accepts: a person can watch them on
    a dashboard, but nothing alerts on them."""
    scraped = scrape_config(facts)
    if scraped is None:
        return []
    exposed = exposure(facts)
    out = []
    metrics, strings = exported_metrics(facts), code_strings(facts)
    live = [r for r in alert_rules(facts) if unemitted(r, metrics, strings) is None]
    for metric in metrics:
        if not wanted(metric) or any(_names(rule.expr, metric) for rule in live):
            continue  # an alert rule that can fire on it is judged as a rule
        where = f", exposed by {exposed}" if exposed else ""
        out.append(
            Evidence(
                item,
                f"Prometheus {metric.kind} `{metric.name}` ({what}) is updated on the serving "
                f"path ({metric.updated}){where} and scraped by {scraped}; watched by a "
                "person, no alert rule on it",
                metric.path,
                metric.line,
                kind="code",
                credit="manual",
            )
        )
    return out


def unemitted(rule: AlertRule, metrics: list[ExportedMetric], strings: set[str]) -> str | None:
    """Why the alert rule cannot fire on what the code exports, or None: its selector filters
    an exported metric on a label the metric does not have, or on a literal value no code
    emits (`tier="hot"` when the model emits A–E)."""
    for name, selector in SELECTOR.findall(rule.expr):
        metric = next((m for m in metrics if name in m.series()), None)
        if metric is None:
            continue
        for label, value in LABEL_VALUE.findall(selector):
            if label in ("job", "instance", "le", "quantile"):
                continue  # set by Prometheus or the histogram itself
            if metric.labels and label not in metric.labels:
                return f"`{name}` has no label `{label}`"
            if value not in strings:
                return f'`{name}{{{label}="{value}"}}`: no code emits the value "{value}"'
    return None


def code_strings(facts: Facts) -> set[str]:
    """String constants of the serving code and of the modules defining the metrics: the
    label values the service can emit (only files already parsed for the serving path)."""

    def collect(_facts: Facts) -> set[str]:
        files = {m.path for m in exported_metrics(facts)}
        for entry in serving_entry_points(facts):
            files |= {p for p, _ in reachable_functions(facts, entry)}
        return {s for p in files if (pf := facts.python(p)) for s, _ in pf.strings}

    return facts.memo("monitor.code_strings", collect)


def quality_rules(facts: Facts, item: str, pattern: str) -> list[Evidence | Hint]:
    """Alert rules on model quality: rules whose name or expression matches `pattern`, and
    rules on a quality metric the serving code exports. A rule that filters an exported metric
    on a label value no code emits can never fire: a hint, not evidence."""
    rx = re.compile(pattern, re.I)
    metrics = exported_metrics(facts)
    quality = [m for m in metrics if quality_metric(m)]
    out: list[Evidence | Hint] = []
    for rule in alert_rules(facts):
        on_exported = any(_names(rule.expr, m) for m in quality)
        if not (on_exported or rx.search(rule.expr) or rx.search(rule.name)):
            continue
        why = unemitted(rule, metrics, code_strings(facts)) if metrics else None
        if why:
            out.append(
                Hint(
                    item,
                    f"alert rule {rule.name} ({rule.path}:{rule.line}) filters {why}: it can "
                    "never fire on what the serving code exports; not credited",
                )
            )
            continue
        out.append(rule_evidence(item, rule, "model quality"))
        if rule.loaded_by is None:
            out.append(unloaded_hint(item, rule))
    return out


def _names(expr: str, metric: ExportedMetric) -> bool:
    """Does the PromQL expression read one of the metric's series?"""
    return any(re.search(rf"(?<![\w:]){re.escape(s)}(?![\w:])", expr) for s in metric.series())
