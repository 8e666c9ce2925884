"""Hand-written production monitors: drift tests between a stored training reference and
logged serving data (monitor-7), and scripts that read live metrics from the service and
compare them with thresholds (monitor-6 latency, monitor-7 accuracy).

Both are manual (a person starts the script or watches the endpoint) unless a schedule runs
the function that holds the comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence
from ml_readiness.entrypoints import reachable_functions, serving_entry_points
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts
from ml_readiness.facts.python import MAIN, PythonFacts

from ._shared import scheduled_run
from ._sources import classify

TWO_SAMPLE = (
    "scipy.stats.ks_2samp",
    "scipy.stats.wasserstein_distance",
    "scipy.spatial.distance.jensenshannon",
    "scipy.stats.chi2_contingency",
)
PSI_NAME = re.compile(r"(?i)(^|_)psi($|_)|population_stability")
# logged serving data read in the calling function: a prediction/request log table or file
LOGGED = re.compile(
    r"(?i)(prediction|request|inference|serving|scoring)_?(log|logs|record|records|history"
    r"|store|table)\b|production_data|serving_data|live_data|logged_(data|features|inputs)"
)
REFERENCE = re.compile(r"(?i)\b\w*(reference|baseline|train(ing)?_(data|sample|df|features))\w*")
_DOCSTRING = re.compile(r"(\"\"\"|''')[\s\S]*?\1")


def _code(facts: Facts, path: str, start: int, end: int) -> str:
    """The code of lines `start`..`end` without docstrings and comments."""
    text = "\n".join(line.split("#", 1)[0] for line in facts.lines(path)[start - 1 : end])
    return _DOCSTRING.sub("", text)


def _comparisons(facts: Facts) -> dict[tuple[str, str], str]:
    """(path, function) → what it computes, for functions that compute a two-sample test or
    distance (`ks_2samp`, PSI ...)."""
    out: dict[tuple[str, str], str] = {}
    for path, pf in facts.python_files(
        mentions=("ks_2samp", "wasserstein", "jensenshannon", "chi2_contingency", "psi", "PSI"),
        tests=False,
    ):
        for call in pf.calls_to(*TWO_SAMPLE):
            if "<" not in call.scope:
                out.setdefault((path, call.scope), f"`{call.name}`")
        for fn in pf.functions:
            if PSI_NAME.search(fn.name):
                out.setdefault((path, fn.qualname), f"PSI (`{fn.name}`)")
        # a report function calling one of those in the same file computes it too
        local = {q.rsplit(".", 1)[-1]: w for (p, q), w in out.items() if p == path}
        for call in pf.calls:
            if call.attr in local and "<" not in call.scope:
                out.setdefault((path, call.scope), local[call.attr])
    return out


def hand_rolled_drift(facts: Facts, item: str) -> Iterator[Evidence]:
    """A serving route or job that reads logged serving data (a prediction/request log) and
    passes it, with a stored training reference, to a function computing a two-sample test or
    distance (`ks_2samp`, PSI, Wasserstein, Jensen-Shannon, chi-squared). Drift between
    training and test splits reads no serving log and is offline analysis."""
    comparisons = _comparisons(facts)
    if not comparisons:
        return
    names = {q.rsplit(".", 1)[-1]: (p, q) for p, q in comparisons}
    seen: set[tuple[str, int]] = set()
    for entry in serving_entry_points(facts):
        for path, scope in sorted(reachable_functions(facts, entry)):
            pf = facts.python(path)
            fn = pf.function(scope) if pf else None
            if pf is None or fn is None:
                continue
            calls = [c for c in pf.calls if c.scope == scope and c.attr in names]
            body = _code(facts, path, fn.line, fn.end_line)
            logged, reference = LOGGED.search(body), REFERENCE.search(body)
            for call in calls if logged and reference else ():
                if (path, call.line) in seen:
                    continue
                seen.add((path, call.line))
                what = comparisons[names[call.attr]]
                sched = scheduled_run(facts, path, scope)
                detail = (
                    f"{entry.label} compares logged serving data (`{logged.group(0)}`) with the "
                    f"stored training reference (`{reference.group(0)}`) using {what} "
                    f"(`{call.name}`)"
                )
                if sched is not None:
                    yield call_evidence(
                        item, path, call, f"{detail} on a schedule via {sched.root}"
                    )
                else:
                    yield call_evidence(
                        item, path, call, f"{detail}; watched by a person, no schedule or alert",
                        credit="manual",
                    )  # fmt: skip


HTTP_READS = ("requests.get", "requests.post", "httpx.get", "urllib.request.urlopen")
COMPARE = re.compile(r"^\s*(?:el)?if\s+(.+?)\s*([<>]=?)\s*(.+?)\s*:\s*(#.*)?$")
THRESHOLD = re.compile(r"(?i)thresh|(^|[^a-z])(min|max)_|limit|slo\b|target")
QUALITY_WORDS = re.compile(r"(?i)accuracy|auc|f1|precision|recall|rmse|mae|mape|error_rate")
LATENCY_WORDS = re.compile(r"(?i)latency|time_ms|prediction_time|response_time|duration|p9[59]")


def live_threshold_monitors(facts: Facts, item: str, words: re.Pattern[str]) -> list[Evidence]:
    """A script that reads the service's live metrics (an HTTP call to its API or Prometheus)
    and compares a production value with a threshold (`if production_accuracy <
    thresholds["min_accuracy"]`). The value must be named for production (`production_`,
    `live_`, `serving_`...): a test-set accuracy checked after a download is a gate."""
    out = []
    for path, pf in facts.python_files(
        mentions=("import requests", "from requests", "httpx", "urlopen"), tests=False
    ):
        if not pf.has_main or not pf.calls_to(*HTTP_READS):
            continue
        lines = facts.lines(path)
        for number, text in enumerate(lines, start=1):
            m = COMPARE.match(text)
            if not m:
                continue
            left, right = m.group(1), m.group(3)
            value, limit = (left, right) if THRESHOLD.search(right) else (right, left)
            if not (THRESHOLD.search(limit) and words.search(f"{value} {limit}")):
                continue
            if classify(value) != "production":
                continue
            scope = _scope(pf, number)
            sched = scheduled_run(facts, path, scope)
            detail = (
                f"{path} reads the service's live metrics and compares `{value.strip()}` with a "
                f"threshold (`{text.strip()[:80]}`)"
            )
            if sched is not None:
                out.append(
                    Evidence(item, f"{detail} on a schedule via {sched.root}", path, number,
                             symbol=scope)
                )  # fmt: skip
            else:
                out.append(
                    Evidence(item, f"{detail}; started by hand, no schedule", path, number,
                             credit="manual")
                )  # fmt: skip
            break
    return out


def _scope(pf: PythonFacts, line: int) -> str:
    fn = pf.enclosing(line)
    return fn.qualname if fn else MAIN


PERCENTILE = re.compile(r"(?i)\b(percentile|quantile|quantiles|median)\b|\bp9[59]\b")
LATENCY_FIELD = re.compile(r"(?i)latency|duration|elapsed|response_time|inference_time")
OVER_TIME = re.compile(r"\.(groupby|resample|rolling)\(")


def latency_percentiles(facts: Facts, item: str) -> list[Evidence]:
    """Serving latency aggregated into percentiles from logged requests: a function that
    computes a percentile/quantile/median of a latency field and either reads a serving log
    (`PredictionLog.latency_ms`) or groups it per period or model version. A record over time
    a person reads (a dashboard endpoint, a monitoring report); automated only when a schedule
    runs it. Repositories without a serving entry point time nothing that serves."""
    if not serving_entry_points(facts):
        return []
    out = []
    for path, pf in facts.python_files(mentions=("latency", "duration", "elapsed"), tests=False):
        for fn in pf.functions:
            body = _code(facts, path, fn.line, fn.end_line)
            if not (LOGGED.search(body) or OVER_TIME.search(body)):
                continue
            lines = facts.lines(path)
            hit = next(
                (
                    n
                    for n in range(fn.line, fn.end_line + 1)
                    if PERCENTILE.search(lines[n - 1].split("#", 1)[0])
                    and LATENCY_FIELD.search(lines[n - 1].split("#", 1)[0])
                    and pf.enclosing(n) == fn
                ),
                None,
            )
            if hit is None:
                continue
            source = LOGGED.search(body) or OVER_TIME.search(body)
            how = (
                f"from logged requests (`{source.group(0)}`)"
                if LOGGED.search(body)
                else f"per period or model version (`{source.group(0)[1:-1]}`)"
            )
            sched = scheduled_run(facts, path, fn.qualname)
            detail = (
                f"{path}:{fn.qualname} aggregates serving latency into percentiles {how} "
                f"(`{lines[hit - 1].strip()[:70]}`)"
            )
            if sched is not None:
                out.append(
                    Evidence(item, f"{detail} on a schedule via {sched.root}", path, hit,
                             symbol=fn.qualname)
                )  # fmt: skip
            else:
                out.append(
                    Evidence(item, f"{detail}; read by a person, no schedule or alert", path,
                             hit, credit="manual")
                )  # fmt: skip
            break
    return out


__all__ = [
    "LATENCY_WORDS",
    "QUALITY_WORDS",
    "hand_rolled_drift",
    "latency_percentiles",
    "live_threshold_monitors",
]


WRITES = re.compile(r"\.(to_csv|to_parquet|to_json|write|write_text|writerow|writerows)\(|\bdump\(")
DATA_PATH = re.compile(r"^[\w./-]+\.(csv|parquet|jsonl|json|tsv|db|sqlite)$")
CURRENT = re.compile(r"(?i)current|analysis|prod|live|serving|incoming")
NOT_CURRENT = re.compile(r"(?i)reference|train|baseline")


def serving_written_paths(facts: Facts) -> dict[str, str]:
    """Data-file path literals in serving code that writes files (`_append_row_csv(
    DRIFT_CURRENT_PATH, row)` with `"data/drift/current.csv"`) → `path:line` of the literal."""

    def collect(_facts: Facts) -> dict[str, str]:
        out: dict[str, str] = {}
        files = {p for e in serving_entry_points(facts) for p, _ in reachable_functions(facts, e)}
        for path in sorted(files):
            pf = facts.python(path)
            text = facts.text(path) or ""
            if pf is None or not WRITES.search(text):
                continue
            for literal, line in pf.strings:
                if DATA_PATH.match(literal) and "/" in literal:
                    out.setdefault(literal, f"{path}:{line}")
        return out

    return facts.memo("monitor.serving_written_paths", collect)


def reads_serving_output(facts: Facts, path: str, pf: PythonFacts) -> str | None:
    """Why the job in `path` reads data that serving wrote, or None: a path literal given as
    its current/analysis data (`--current` defaulting to `data/drift/current.csv`) that the
    serving code writes to."""
    written = serving_written_paths(facts)
    lines = facts.lines(path)
    for literal, line in pf.strings:
        where = written.get(literal)
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        if (
            where
            and CURRENT.search(text)
            and not NOT_CURRENT.search(text)
            and where[: len(path)] != path
        ):
            return f"`{literal}`, which the serving code writes ({where})"
    return None
