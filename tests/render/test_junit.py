"""JUnit XML: one case per item plus the gate, with correct counts, valid with hostile text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from ml_readiness.baseline import apply_baseline
from ml_readiness.render.junit import render_junit
from ml_readiness.result import GateResult
from tests.render.factory import build, ev, item


def _parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def _case(root: ET.Element, name_start: str) -> ET.Element:
    return next(c for c in root.iter("testcase") if c.get("name", "").startswith(name_start))


def test_structure_and_counts():
    items = [
        item("data-1", "automated", (ev(level="automated"),)),
        item("data-2", "manual", (ev("docs/r.md", None, "report", "doc"),)),
        item("data-3", "none", required="manual"),  # required and below: failure
        item("data-4", "manual", required="manual"),  # meets its requirement: skipped
        item("model-1", "manual", required="automated"),  # below a required level: failure
        item("model-2", "not_applicable", reason="not applicable: batch only", required="manual"),
        item("infra-1", "none"),
    ]
    gate = GateResult(True, False, ("data-3 is none, manual is required",), (), ("data-3 manual",))
    root = _parse(render_junit(build(items, gate=gate)))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "mlready.data",
        "mlready.model",
        "mlready.infra",
        "mlready.monitor",
        "mlready.gate",
    ]
    cases = list(root.iter("testcase"))
    assert len(cases) == 8
    assert root.get("tests") == "8"
    assert root.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))
    assert root.get("failures") == "3"  # data-3, model-1, the gate
    assert root.get("skipped") == "4"  # data-2, data-4, model-2, infra-1
    assert root.get("errors") == "0"
    for suite in suites:
        own = suite.findall("testcase")
        assert suite.get("tests") == str(len(own))
        assert suite.get("failures") == str(sum(1 for c in own if c.find("failure") is not None))
        assert suite.get("skipped") == str(sum(1 for c in own if c.find("skipped") is not None))
    data = suites[0]
    assert [c.get("classname") for c in data.findall("testcase")] == ["mlready.data"] * 4
    assert _case(root, "data-1 ").get("name") == "data-1 Title of data-1"
    assert list(_case(root, "data-1 ")) == []  # passed
    skipped = _case(root, "data-2 ").find("skipped")
    assert skipped is not None
    assert skipped.get("message") == ("0.5 manual: reason for data-2. Next step: improve data-2.")
    assert "evidence: docs/r.md (doc, manual): report" in (skipped.text or "")
    failure = _case(root, "data-3 ").find("failure")
    assert failure is not None and failure.get("type") == "required"
    assert failure.get("message") == (
        "manual is required; item is 0 none: reason for data-3. Next step: improve data-3."
    )
    assert _case(root, "model-1 ").find("failure") is not None
    assert _case(root, "data-4 ").find("skipped") is not None
    na = _case(root, "model-2 ").find("skipped")
    assert na is not None and na.get("message") == "not applicable: batch only"
    gate_case = suites[-1].find("testcase")
    assert gate_case is not None and gate_case.get("classname") == "mlready.gate"
    gate_failure = gate_case.find("failure")
    assert gate_failure is not None
    assert gate_failure.get("message") == (
        "gate failed (data-3 manual): data-3 is none, manual is required"
    )


def test_gate_passes_or_is_skipped():
    passed = _parse(render_junit(build(gate=GateResult(True, True, (), (), ("overall >= 0",)))))
    case = passed.find("testsuite[@name='mlready.gate']/testcase")
    assert case is not None and case.find("failure") is None and case.find("skipped") is None
    none = _parse(render_junit(build()))
    case = none.find("testsuite[@name='mlready.gate']/testcase")
    assert case is not None and case.find("skipped") is not None


def test_hostile_text_stays_valid_xml():
    nasty = 'bad\x00\x01\x0b\x0c\x1b[31m <tag a="b"> & ]]> \udcff \ufffe end'
    items = [
        item("data-1", "manual", (ev(f"src/{nasty}.py", 1, nasty),), title=nasty, reason=nasty),
        item("data-2", "none", next_step=nasty, required="automated"),
    ]
    text = render_junit(build(items))
    root = _parse(text)
    case = _case(root, "data-1 ")
    # vertical tab and form feed become spaces; NUL, ESC sequences and U+FFFE disappear
    assert case.get("name") == 'data-1 bad   <tag a="b"> & ]]> \ufffd  end'
    skipped = case.find("skipped")
    assert skipped is not None and "<tag" in (skipped.get("message") or "")
    assert "\x00" not in text and "\x1b" not in text and "\x0b" not in text


def test_deltas_in_messages():
    old = build()
    changed = [replace(i, level="none", score=0.0) if i.id == "data-2" else i for i in old.items]
    improved = [
        replace(i, level="automated", score=1.0, next_step=None) if i.id == "model-2" else i
        for i in changed
    ]
    new = apply_baseline(build(improved), old, fail_on_regression=True)
    root = _parse(render_junit(new))
    message = _case(root, "data-2 ").find("skipped").get("message")  # type: ignore[union-attr]
    assert message.endswith("(was manual (down) since the baseline)")
    out = _case(root, "model-2 ").find("system-out")
    assert out is not None and out.text == "was manual (up) since the baseline"
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["overall delta"] == "±0"
    gate = root.find("testsuite[@name='mlready.gate']/testcase/failure")
    assert gate is not None
    assert "data-2 manual → none" in (gate.get("message") or "")
    data_props = root.find("testsuite[@name='mlready.data']/properties")
    assert data_props is not None
    assert {p.get("name"): p.get("value") for p in data_props}["delta"] == "-0.5"


def test_real_audit_counts(real_results):
    for result in real_results:
        root = _parse(render_junit(result))
        cases = list(root.iter("testcase"))
        assert len(cases) == 29
        automated = sum(1 for i in result.items if i.level == "automated")
        passed = [c for c in cases if len(c.findall("failure")) + len(c.findall("skipped")) == 0]
        gate_passes = result.gate.configured and result.gate.passed
        assert len(passed) == automated + (1 if gate_passes else 0)
