"""The JUnit XML report: one test case per rubric item and one for the gate.

CI systems show JUnit results natively (GitHub, GitLab, Jenkins, Azure). Mapping:
- an item at 1 (automated) passes;
- an item below 1 is skipped, with its level, reason and next step as the message;
- an item with a required level (`gate.require` or the rubric's `require`) that it falls short
  of fails instead;
- a not-applicable item is skipped with its reason;
- the gate case fails when the gate failed, and is skipped when no gate is configured.

Built with `xml.etree`, so markup in repository text is escaped by the serialiser; characters
XML 1.0 cannot carry (control characters, ANSI escapes) are removed first by `xml_text`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ml_readiness.render.text import (
    below,
    item_change,
    level_text,
    number,
    sentence,
    signed,
    xml_text,
)
from ml_readiness.result import AuditResult, ItemResult

MESSAGE_CHARS = 1000


def render_junit(result: AuditResult, **_options: object) -> str:
    """The result as a JUnit XML document (`<testsuites>`), deterministic for a given result."""
    rubric = xml_text(result.rubric.get("title", "rubric"))
    root = ET.Element("testsuites", name=f"mlready: {rubric}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for section in result.sections:
        items = [i for i in result.items if i.section == section.id]
        suite = _suite(root, f"mlready.{xml_text(section.id)}")
        props = ET.SubElement(suite, "properties")
        _prop(props, "title", section.title)
        _prop(props, "score", f"{number(section.score)} / {section.size}")
        if section.not_applicable:
            _prop(props, "raw", f"{number(section.raw)} over {section.applicable} applicable")
        if section.delta is not None:
            _prop(props, "delta", signed(section.delta))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for item in items:
            outcome = _item_case(suite, item)
            counts["tests"] += 1
            if outcome:
                counts[outcome] += 1
        _close(suite, counts, totals)
    gate_suite = _suite(root, "mlready.gate")
    _close(gate_suite, _gate_case(gate_suite, result), totals)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    root.set("time", "0")
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _suite(root: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=name)


def _close(suite: ET.Element, counts: dict[str, int], totals: dict[str, int]) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, str(counts[key]))
        totals[key] += counts[key]
    suite.set("time", "0")


def _prop(props: ET.Element, name: str, value: object) -> None:
    ET.SubElement(props, "property", name=name, value=xml_text(value))


def _message(item: ItemResult) -> str:
    """`0.5 manual: REASON. Next step: STEP (was automated (down) since the baseline)`."""
    text = f"{level_text(item.level)}: {sentence(item.reason)}"
    if item.next_step:
        text += f" Next step: {sentence(item.next_step)}"
    if item.delta:
        text += f" ({item_change(item.delta)} since the baseline)"
    text = xml_text(text)
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def _details(item: ItemResult) -> str:
    """The body of a failure or skip: evidence and findings, one per line."""
    lines = [f"{item.id} {item.title}", f"level: {level_text(item.level)}", f"why: {item.reason}"]
    if item.required:
        lines.append(f"required: {item.required}")
    for e in item.evidence[:20]:
        lines.append(f"evidence: {e.location()} ({e.kind}, {e.level}): {e.detail}")
    if len(item.evidence) > 20:
        lines.append(f"evidence: … and {len(item.evidence) - 20} more")
    for f in item.findings[:10]:
        where = f"{f.location()}: " if f.location() else ""
        lines.append(f"finding: {where}{f.detail}")
    if item.next_step:
        lines.append(f"next step: {item.next_step}")
    return "\n".join(xml_text(line) for line in lines)


def _item_case(suite: ET.Element, item: ItemResult) -> str | None:
    """Add the item's test case; returns "failures", "skipped" or None (passed)."""
    case = ET.SubElement(
        suite,
        "testcase",
        classname=suite.get("name", "mlready"),
        name=xml_text(f"{item.id} {item.title}"),
        time="0",
    )
    if item.level == "not_applicable":
        reason = item.reason
        if not reason.startswith("not applicable"):
            reason = f"not applicable: {reason}"
        ET.SubElement(case, "skipped", message=xml_text(reason))
        return "skipped"
    if below(item.level, item.required):
        failure = ET.SubElement(
            case,
            "failure",
            message=xml_text(f"{item.required} is required; item is " + _message(item)),
            type="required",
        )
        failure.text = _details(item)
        return "failures"
    if item.level != "automated":
        skipped = ET.SubElement(case, "skipped", message=_message(item))
        skipped.text = _details(item)
        return "skipped"
    if item.delta:
        out = ET.SubElement(case, "system-out")
        out.text = xml_text(f"{item_change(item.delta)} since the baseline")
    return None


def _gate_case(suite: ET.Element, result: AuditResult) -> dict[str, int]:
    gate = result.gate
    counts = {"tests": 1, "failures": 0, "errors": 0, "skipped": 0}
    overall = result.overall
    props = ET.SubElement(suite, "properties")
    _prop(props, "overall", number(overall.score))
    _prop(props, "band", overall.band)
    if overall.delta is not None:
        _prop(props, "overall delta", signed(overall.delta))
    name = f"gate (overall {number(overall.score)}, {overall.band})"
    case = ET.SubElement(suite, "testcase", classname="mlready.gate", name=xml_text(name), time="0")
    criteria = "; ".join(gate.criteria) or "configured"
    if not gate.configured:
        ET.SubElement(case, "skipped", message="no gate configured (--fail-under or gate:)")
        counts["skipped"] = 1
    elif not gate.passed:
        failure = ET.SubElement(
            case,
            "failure",
            message=xml_text(f"gate failed ({criteria}): " + "; ".join(gate.reasons)),
            type="gate",
        )
        failure.text = "\n".join(xml_text(r) for r in (*gate.reasons, *gate.relied_on))
        counts["failures"] = 1
    else:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(xml_text(r) for r in (f"gate passed ({criteria})", *gate.relied_on))
    return counts
