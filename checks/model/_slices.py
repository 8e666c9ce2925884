"""Committed per-slice metric files (model-6): JSON/CSV reports, DVC metrics files, MLflow
`mlruns` metric files, summarised as "region=eu auc 0.81, region=us auc 0.84". No check here."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config

SLICE_WORDS = re.compile(
    r"slice|segment|per[_-]|by[_-]|_by|group|cohort|subgroup|region|country|device", re.I
)
CONTAINERS = r"(slices?|segments?|groups?|cohorts?|subgroups?|metrics|results|\w*slice\w*)"
MAX_SHOWN = 4


def _num(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None


def _fmt(value: float) -> str:
    return f"{value:.4g}"


METRIC_KEYS = re.compile(
    r"auc|acc|f1|precision|recall|rmse|mse|mae|mape|loss|score|error|ndcg|map|r2|brier|"
    r"ctr|rate|tpr|fpr|iou|bleu|rouge|wer|perplexity",
    re.I,
)


def _first_metric(values: dict) -> tuple[str, float] | None:
    for key, value in values.items():
        number = _num(value)
        if number is not None and METRIC_KEYS.search(str(key)) and not SLICE_WORDS.search(str(key)):
            return str(key), number
    return None


def _slice_table(value: object, prefix: str = "", depth: int = 0) -> list[str]:
    """`slice metric value` entries of the first per-slice table found in a JSON value."""
    if depth > 4:
        return []
    if isinstance(value, list):
        rows = []
        for record in value[:200]:
            if not isinstance(record, dict):
                return []
            label = next((str(v) for v in record.values() if isinstance(v, str)), None)
            metric = _first_metric(record)
            if label is None or metric is None:
                return []
            rows.append(f"{label} {metric[0]} {_fmt(metric[1])}")
        return rows if len(rows) >= 2 else []
    if not isinstance(value, dict):
        return []
    rows = []
    for key, inner in value.items():
        metric = _first_metric(inner) if isinstance(inner, dict) else None
        if metric is not None:
            rows.append(f"{prefix}{key} {metric[0]} {_fmt(metric[1])}")
    if len(rows) >= 2:
        return rows
    for key, inner in value.items():
        if isinstance(inner, dict) and inner and all(isinstance(v, dict) for v in inner.values()):
            nested = _slice_table(inner, _prefix(str(key)), depth + 1)
        elif isinstance(inner, dict | list):
            nested = _slice_table(inner, "", depth + 1)
        else:
            continue
        if nested:
            return nested
    return []


def _prefix(key: str) -> str:
    """`region` → `region=`; containers (`slices`, `metrics`) add nothing; `by_region` →
    `region=`."""
    m = re.fullmatch(r"(?:by|per)[_-](\w+)|\w+[_-]by[_-](\w+)", key)
    if m:
        return f"{m.group(1) or m.group(2)}="
    if re.fullmatch(CONTAINERS, key):
        return ""
    return f"{key}="


def _csv_table(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text[:200_000]))
    rows = [r for r in reader if r]
    if len(rows) < 3:
        return []
    header, body = rows[0], rows[1:]
    label_col = next((i for i, h in enumerate(header) if SLICE_WORDS.search(h)), 0)
    metric_col = None
    for i in range(len(header)):
        if i == label_col or not METRIC_KEYS.search(header[i]):
            continue
        try:
            float(body[0][i])
        except (ValueError, IndexError):
            continue
        metric_col = i
        break
    if metric_col is None:
        return []
    out = []
    for r in body:
        if len(r) > max(label_col, metric_col):
            name = header[label_col].strip()
            label = f"{name}={r[label_col]}" if SLICE_WORDS.search(name) else r[label_col]
            try:
                out.append(f"{label} {header[metric_col]} {_fmt(float(r[metric_col]))}")
            except ValueError:
                continue
    return out


def _dvc_metric_files(facts: Facts) -> set[str]:
    out: set[str] = set()
    for path in facts.repo.named("dvc.yaml"):
        doc = facts.yaml_doc(path)
        stages = doc.get("stages") if isinstance(doc, dict) else None
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        for stage in (stages or {}).values() if isinstance(stages, dict) else ():
            metrics = stage.get("metrics") if isinstance(stage, dict) else None
            for entry in metrics or []:
                name = next(iter(entry)) if isinstance(entry, dict) else entry
                out.add(folder + str(name))
        for entry in (doc.get("metrics") if isinstance(doc, dict) else None) or []:
            if isinstance(entry, str):
                out.add(folder + entry)
    return out


def _summary(path: str, rows: list[str], origin: str) -> str:
    shown = ", ".join(rows[:MAX_SHOWN])
    more = f" (+{len(rows) - MAX_SHOWN} more)" if len(rows) > MAX_SHOWN else ""
    return f"slice metrics in {path}{origin}: {shown}{more}"


def slice_metric_files(facts: Facts, item: str) -> Iterator[Evidence]:
    """Result evidence for committed metric files that hold per-slice values."""
    dvc = _dvc_metric_files(facts)
    for path in facts.repo.with_suffix(".json", ".csv"):
        if path.startswith("../") or is_example_config(path) or path.endswith(".ipynb"):
            continue
        base = path.rsplit("/", 1)[-1]
        if path not in dvc and not SLICE_WORDS.search(base):
            continue
        if path.lower().endswith(".json"):
            rows = _slice_table(facts.json(path))
        else:
            rows = _csv_table(facts.text(path) or "")
        if rows:
            origin = " (DVC metrics)" if path in dvc else ""
            yield Evidence(item, _summary(path, rows, origin), path, 1, "result", "manual")
    runs: dict[str, list[str]] = {}
    first: dict[str, str] = {}
    for path in facts.repo.glob("mlruns/*/*/metrics/*", "*/mlruns/*/*/metrics/*"):
        name = path.rsplit("/", 1)[-1]
        if not SLICE_WORDS.search(name) and "=" not in name:
            continue
        lines = (facts.text(path) or "").strip().splitlines()
        fields = lines[-1].split() if lines else []
        if len(fields) >= 2:
            try:
                value = float(fields[1])
            except ValueError:
                continue
            folder = path.rsplit("/", 1)[0]
            first.setdefault(folder, path)
            runs.setdefault(folder, []).append(f"{name} {_fmt(value)}")
    for folder, rows in sorted(runs.items()):
        detail = _summary(folder, sorted(rows), " (MLflow)")
        yield Evidence(item, detail, first[folder], 1, "result", "manual")
