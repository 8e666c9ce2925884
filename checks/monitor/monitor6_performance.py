"""monitor-6: training and serving compute performance is tracked and regressions alerted."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._library import is_packaged_library
from ml_readiness.checks.infra._shared import library_hint

from ml_readiness.checklib import always_skipped, test_evidence
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

from ._exported import latency_metric, watched_metrics
from ._live import LATENCY_WORDS, latency_percentiles, live_threshold_monitors
from ._shared import emit_rules

ITEM = "monitor-6"
ASV_BENCH = re.compile(r"^(time|mem|peakmem|track|timeraw)_")
PERF_RULES = r"latency|duration|request|throughput|rps|memory|cpu|gpu|qps|p9[59]|seconds_bucket"


def _benchmarks(facts: Facts) -> Iterator[Evidence]:
    """pytest-benchmark tests and asv suites next to an `asv.conf.json`."""
    for path, pf in facts.python_files(mentions=("benchmark",), tests=True):
        for fn in pf.tests():  # a benchmark measures; it need not assert
            if "benchmark" in fn.params and not always_skipped(fn, pf):
                yield test_evidence(ITEM, path, fn, f"pytest-benchmark test {fn.qualname}")
    if facts.repo.named("asv.conf.json"):
        for path, pf in facts.python_files(select=lambda p: "benchmarks/" in f"/{p}"):
            if "benchmarks/" not in f"/{path}":
                continue
            bench = next((f for f in pf.functions if ASV_BENCH.match(f.name)), None)
            if bench is not None:
                yield Evidence(
                    ITEM, f"asv benchmark {bench.qualname}", path, bench.line, symbol=bench.qualname
                )


@check(ITEM)
def performance_tracking(facts: Facts) -> Iterator[Evidence | Hint]:
    """Benchmarks tracked over time, or alert rules on serving latency, throughput or memory.

    Counts pytest-benchmark tests (the `benchmark` fixture), asv benchmark suites next to an
    `asv.conf.json`, locust load tests, and alert rules on latency/throughput/memory
    (Prometheus rule files, PrometheusRule manifests, Grafana alert provisioning, CloudWatch
    alarms in CloudFormation or Terraform). Benchmarks are automated when automation runs them;
    an alert rule is automated only when a monitoring system loads it. Manual credit, with no
    alert rule: a Prometheus latency Histogram/Summary/Gauge updated on the serving path and
    scraped by a committed config (`scrape_configs`, `prometheus.io/scrape`, ServiceMonitor);
    serving latency aggregated into percentiles from request logs or per period; a script that
    reads the service's live metrics and compares a production latency with a threshold
    (automated when a schedule runs it).
    """
    found = library = False
    benches = list(_benchmarks(facts))
    if benches and is_packaged_library(facts):
        sites = [f"{e.path}:{e.line}" for e in benches]
        library = True
        yield library_hint(ITEM, "benchmarks time the package's own functions", sites)
    else:
        found = bool(benches)
        yield from benches
    for path, pf in facts.python_files(mentions=("locust",), tests=None):
        users = [
            c
            for c in pf.classes
            if any(b.startswith("locust.") and b.endswith("User") for b in c.bases)
        ]
        if users:
            found = True
            yield Evidence(ITEM, f"locust load test {users[0].qualname}", path, users[0].line)
    rules = emit_rules(ITEM, facts, PERF_RULES, "serving performance")
    yield from rules
    watched = watched_metrics(facts, ITEM, latency_metric, "serving latency")
    watched += live_threshold_monitors(facts, ITEM, LATENCY_WORDS)
    watched += latency_percentiles(facts, ITEM)
    found = found or bool(watched)
    yield from watched
    if not found and not rules and not library:
        yield Hint(
            ITEM,
            "no pytest-benchmark/asv/locust benchmarks and no alert rules on latency, "
            "throughput or memory found",
        )
