"""The terminal summary: sections, items with level and reason, overall, band and gate."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from ml_readiness.render.text import strip_control, validation_summary
from ml_readiness.result import AuditResult

LEVEL_LABEL = {
    "automated": "1 automated",
    "manual": "0.5 manual",
    "none": "0",
    "not_applicable": "n/a",
}
COLOURS = {"automated": "32", "manual": "33", "none": "31", "not_applicable": "36"}


def _fmt(score: float | None) -> str:
    return "-" if score is None else f"{score:g}"


def render_text(
    result: AuditResult, colour: bool = False, width: int = 100, **_options: object
) -> str:
    """A plain-text summary (tabulate tables), optionally coloured for a TTY."""

    def paint(level: str, text: str) -> str:
        return f"\x1b[{COLOURS[level]}m{text}\x1b[0m" if colour and level in COLOURS else text

    out: list[str] = []
    rubric = result.rubric
    head = (
        f"ml-readiness {result.tool['version']} · {rubric['title']} ({rubric['id']} "
        f"{rubric['version']}) · {strip_control(result.root)} · as of {result.as_of}"
    )
    if result.strict:
        head += " · strict"
    out.append(head)
    out.append("")
    reason_width = max(30, width - 32)
    for section in result.sections:
        rows = []
        for item in (i for i in result.items if i.section == section.id):
            reason = strip_control(item.reason)
            reason = textwrap.shorten(reason, reason_width, placeholder="…")
            label = LEVEL_LABEL.get(item.level, item.level)
            if item.delta:
                label += f" (was {item.delta['from']})"
            rows.append([item.id, paint(item.level, label), reason])
        title = f"{section.title} [{section.id}]: {_fmt(section.score)} / {section.size}"
        if section.not_applicable:
            title += (
                f" (raw {_fmt(section.raw)} over {section.applicable} applicable; "
                f"n/a: {', '.join(section.not_applicable)})"
            )
        out.append(title)
        out.append(tabulate(rows, headers=["item", "level", "reason"], tablefmt="simple"))
        out.append("")
    overall = result.overall
    out.append(
        f"Overall: {_fmt(overall.score)} — {overall.band} (weakest: {', '.join(overall.weakest)})"
    )
    out.append(f"  {overall.meaning}")
    gate = result.gate
    if gate.configured:
        verdict = "PASSED" if gate.passed else "FAILED"
        out.append(f"Gate: {verdict} ({'; '.join(gate.criteria) or 'configured'})")
        for reason in gate.reasons:
            out.append(f"  - {strip_control(reason)}")
    else:
        out.append("Gate: none configured (use --fail-under or gate: in mlready.yaml)")
    if gate.relied_on:
        out.append("Relied on:")
        for r in gate.relied_on:
            out.append(f"  - {strip_control(r)}")
    summary = validation_summary(result.extras)
    if summary:
        out.append(summary)
    if result.notes:
        out.append(
            f"Notes: {len(result.notes)} input(s) skipped or unreadable "
            "(see the JSON/Markdown report)"
        )
    return "\n".join(out) + "\n"
