"""Committed model-comparison results (model-5): a results file that lists metric values of a
linear/logistic/dummy model next to those of a more complex model (`results.txt` with RMSE for
Ridge linear regression, Random Forest and XGBoost). Someone ran the simple model and the
complex ones and recorded the comparison: manual evidence, whatever scripts produced it.
README files and docs pages are left out (a library's README shows its own output tables).
No check is registered here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config

SUFFIXES = (".txt", ".md", ".json", ".csv", ".log", ".tsv")
RESULTS_PATH = re.compile(
    r"result|metric|score|report|evaluat|comparison|compare|benchmark|leaderboard|experiment",
    re.I,
)
LEFT_OUT = re.compile(
    r"(^|/)(readme|changelog|history|license|contributing|requirements)[^/]*$|(^|/)docs?/", re.I
)
SIMPLE = re.compile(
    r"linear[ _-]?regression|logistic[ _-]?regression|\bridge\b|\blasso\b|dummy|"
    r"elastic[ _-]?net",
    re.I,
)
COMPLEX = re.compile(
    r"random[ _-]?forest|xg[ _-]?boo?st|gradient[ _-]?boost|light[ _-]?gbm|lgbm|catboost|"
    r"\bsvm\b|\bsv[cr]\b|neural|\bmlp\b|decision[ _-]?tree|knn|k[ _-]?neighbou?rs",
    re.I,
)
METRIC = r"rmse|mse|mae|mape|r2|r-squared|r²|auc|accuracy|f1|precision|recall|log[ _-]?loss"
METRIC_VALUE = re.compile(rf"({METRIC})[^0-9\n]{{0,30}}?(-?\d+\.\d+)", re.I)
METRIC_HEADER = re.compile(rf"\b({METRIC})\b", re.I)
NUMBER = re.compile(r"-?\d+\.\d+")
WINDOW = 7  # lines under a model's name that may hold its metrics
HEADER_SPAN = 40  # a table's header may sit this many lines above a row


def _metric_of(lines: list[str], i: int) -> str | None:
    """`RMSE 8.67` for the model named on line `i`: a metric with a value on its line or the
    lines under it (before the next model's name), or a number in a table row whose header
    above names a metric."""
    for j in range(i, min(i + WINDOW, len(lines))):
        if j > i and (SIMPLE.search(lines[j]) or COMPLEX.search(lines[j])):
            break
        m = METRIC_VALUE.search(lines[j])
        if m:
            return f"{m.group(1)} {float(m.group(2)):.4g}"
    number = NUMBER.search(lines[i])
    if number:
        for k in range(i - 1, max(-1, i - HEADER_SPAN), -1):
            header = METRIC_HEADER.search(lines[k])
            if header and not NUMBER.search(lines[k]):
                return f"{header.group(1)} {float(number.group(0)):.4g}"
    return None


def _comparison(lines: list[str]) -> tuple[int, str, list[str]] | None:
    """(line, simple model with its metric, complex models) when both kinds have metrics."""
    simple: tuple[int, str] | None = None
    rivals: list[str] = []
    for i, text in enumerate(lines):
        s, c = SIMPLE.search(text), COMPLEX.search(text)
        if not (s or c) or len(text) > 400:
            continue
        metric = _metric_of(lines, i)
        if metric is None:
            continue
        if s and simple is None:
            simple = (i + 1, f"`{s.group(0)}` ({metric})")
        elif c and not s and c.group(0).lower() not in (r.lower() for r in rivals):
            rivals.append(c.group(0))
    return (simple[0], simple[1], rivals) if simple and rivals else None


def committed_comparisons(facts: Facts, item: str) -> Iterator[Evidence]:
    """Manual evidence for each committed results file comparing a simple model with a complex
    one (its path names results, metrics, scores, reports, evaluations or comparisons)."""
    for path in facts.repo.with_suffix(*SUFFIXES):
        if path.startswith("../") or is_example_config(path) or LEFT_OUT.search(path):
            continue
        if not RESULTS_PATH.search(path):
            continue
        text = facts.text(path)
        if not text or not SIMPLE.search(text) or not COMPLEX.search(text):
            continue
        found = _comparison(text.splitlines()[:2000])
        if found is None:
            continue
        line, simple, rivals = found
        detail = (
            f"committed results compare simple model {simple} with "
            f"{', '.join(rivals[:3])} in {path}"
        )
        yield Evidence(item, detail, path, line, "result", "manual")
