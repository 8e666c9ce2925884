"""Saved results as baselines: load a result JSON, compare two results, fail on regressions.

A baseline is the JSON report of an earlier audit (`mlready audit -o baseline.json`). Comparing
changes nothing about how items are scored; it only adds deltas to the new result (every renderer
shows them) and, with `fail_on_regression`, makes the gate fail when any item level or section
score went down.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ml_readiness.errors import UsageError
from ml_readiness.render.text import LEVEL_RANK, number, signed, strip_control
from ml_readiness.result import SCHEMA_VERSION, AuditResult, ItemResult, SectionResult

REQUIRED_KEYS = ("items", "sections", "overall", "gate", "tool", "rubric", "as_of", "root")


def load_result(path: str) -> AuditResult:
    """The `AuditResult` saved at `path` (JSON report); UsageError with one line when unreadable."""
    file = Path(path)
    if not file.exists():
        raise UsageError(f"result file {path} does not exist")
    if file.is_dir():
        raise UsageError(f"result file {path} is a directory, not a JSON report")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read result file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"result file {path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"result file {path} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"result file {path} is not an mlready JSON report")
    version = data.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise UsageError(
            f"result file {path} has schema_version {version!r}; this mlready reads "
            f"{SCHEMA_VERSION.split('.')[0]}.x (re-create it with `mlready audit -o FILE.json`)"
        )
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise UsageError(
            f"result file {path} is not an mlready JSON report (missing {', '.join(missing)})"
        )
    try:
        return AuditResult.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"result file {path} is not a valid mlready JSON report ({exc})") from None


def _went_down(old: str, new: str) -> bool:
    if old not in LEVEL_RANK or new not in LEVEL_RANK:  # not applicable is not comparable
        return False
    return LEVEL_RANK[new] < LEVEL_RANK[old]


def regressions(old: AuditResult, new: AuditResult) -> list[str]:
    """Every item whose level and every section whose score went down from `old` to `new`."""
    out = []
    for item in new.items:
        before = old.item(item.id)
        if before is not None and _went_down(before.level, item.level):
            out.append(f"{item.id} {before.level} → {item.level}")
    for section in new.sections:
        before_s = old.section(section.id)
        if before_s is not None and section.score < before_s.score:
            out.append(f"section {section.id} {number(before_s.score)} → {number(section.score)}")
    return out


def apply_baseline(
    result: AuditResult, baseline: AuditResult, fail_on_regression: bool
) -> AuditResult:
    """`result` with deltas against `baseline`; with `fail_on_regression`, a gate that fails
    when any item level or section score went down."""

    def item_delta(item: ItemResult) -> dict | None:
        before = baseline.item(item.id)
        if before is None or before.level == item.level:
            return None
        return {"from": before.level, "to": item.level}

    def section_delta(section: SectionResult) -> float | None:
        before = baseline.section(section.id)
        return None if before is None else round(section.score - before.score, 2)

    items = tuple(replace(i, delta=item_delta(i)) for i in result.items)
    sections = tuple(replace(s, delta=section_delta(s)) for s in result.sections)
    overall = replace(result.overall, delta=round(result.overall.score - baseline.overall.score, 2))
    gate = result.gate
    if fail_on_regression:
        found = regressions(baseline, result)
        criterion = f"no regression against the baseline of {baseline.as_of}"
        gate = replace(
            gate,
            configured=True,
            passed=gate.passed and not found,
            reasons=gate.reasons + tuple(found),
            criteria=gate.criteria + (criterion,),
        )
    extras = dict(result.extras)
    extras["baseline"] = {
        "as_of": baseline.as_of,
        "commit": baseline.commit,
        "overall": baseline.overall.score,
    }
    return replace(
        result, items=items, sections=sections, overall=overall, gate=gate, extras=extras
    )


def _lines(lines: list[str]) -> str:
    """Lines joined for a terminal, each free of control characters."""
    return "\n".join(strip_control(line) for line in lines)


def _item_score(item: ItemResult) -> str:
    return "n/a" if item.level == "not_applicable" else number(item.score)


def diff_text(old: AuditResult, new: AuditResult) -> str:
    """What changed from `old` to `new`, one line per item, section and the overall score."""
    lines = []
    for item in new.items:
        before = old.item(item.id)
        if before is None:
            lines.append(f"{item.id} added: {_item_score(item)} ({item.level})")
        elif before.level != item.level:
            lines.append(
                f"{item.id} {_item_score(before)} → {_item_score(item)} "
                f"({before.level} → {item.level})"
            )
    new_ids = {i.id for i in new.items}
    for item in old.items:
        if item.id not in new_ids:
            lines.append(f"{item.id} removed (was {_item_score(item)} {item.level})")
    for section in new.sections:
        before_s = old.section(section.id)
        if before_s is not None and before_s.score != section.score:
            change = signed(round(section.score - before_s.score, 2))
            lines.append(
                f"section {section.id} {number(before_s.score)} → {number(section.score)} "
                f"({change})"
            )
    o, n = old.overall, new.overall
    if o.score != n.score or o.band != n.band:
        line = (
            f"overall {number(o.score)} → {number(n.score)} ({signed(round(n.score - o.score, 2))})"
        )
        if o.band != n.band:
            line += f", band {strip_control(o.band)} → {strip_control(n.band)}"
        lines.append(line)
    return _lines(lines) if lines else "no changes"


__all__ = ["load_result", "apply_baseline", "diff_text", "regressions"]
