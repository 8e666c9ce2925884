"""Baselines: loading saved results, deltas, the regression gate, and `mlready diff` text."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from ml_readiness.baseline import apply_baseline, diff_text, load_result
from ml_readiness.errors import UsageError
from ml_readiness.result import GateResult
from tests.render.factory import build, item


def _with(result, **levels: str):
    scores = {"none": 0.0, "manual": 0.5, "automated": 1.0}
    items = [
        replace(i, level=levels[i.id], score=scores[levels[i.id]]) if i.id in levels else i
        for i in result.items
    ]
    return build(items)


def test_load_result_round_trips(tmp_path):
    result = build(commit="abc1234")
    path = tmp_path / "old.json"
    path.write_text(result.dumps(), encoding="utf-8")
    assert load_result(str(path)) == result


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "result file {p} does not exist"),
        ("{not json", "result file {p} is not valid JSON (line 1: Expecting property name"),
        ("[1, 2]", "result file {p} is not an mlready JSON report"),
        (
            '{"schema_version": "2.0"}',
            "result file {p} has schema_version '2.0'; this mlready reads 1.x",
        ),
        ('{"items": []}', "result file {p} has schema_version None; this mlready reads 1.x"),
        (
            '{"schema_version": "1.0", "items": []}',
            "result file {p} is not an mlready JSON report (missing sections, overall, gate",
        ),
    ],
)
def test_load_result_errors_are_one_line(tmp_path, content, message):
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_result(str(path))
    text = str(info.value)
    assert text.startswith(message.format(p=path))
    assert "\n" not in text


def test_load_result_rejects_broken_items(tmp_path):
    data = json.loads(build().dumps())
    data["items"][0]["unexpected_only"] = 1
    del data["items"][0]["level"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UsageError, match="is not a valid mlready JSON report"):
        load_result(str(path))
    (tmp_path / "d.json").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        load_result(str(tmp_path / "d.json"))


def test_deltas_without_gate():
    old = build()
    new = _with(old, **{"data-1": "manual", "model-1": "manual"})
    out = apply_baseline(new, old, fail_on_regression=False)
    assert out.item("data-1").delta == {"from": "automated", "to": "manual"}  # type: ignore[union-attr]
    assert out.item("model-1").delta == {"from": "none", "to": "manual"}  # type: ignore[union-attr]
    assert out.item("data-2").delta is None  # type: ignore[union-attr]
    assert {s.id: s.delta for s in out.sections} == {
        "data": -0.5,
        "model": 0.5,
        "infra": 0.0,
        "monitor": 0.0,
    }
    assert out.overall.delta == 0.0
    assert out.extras["baseline"] == {"as_of": "2026-11-01", "commit": None, "overall": 0.5}
    assert out.gate == new.gate  # no regression gate asked for


def test_regression_fails_the_gate():
    old = replace(build(), commit="1111111")
    new = _with(old, **{"infra-1": "manual", "model-1": "manual"})
    out = apply_baseline(new, old, fail_on_regression=True)
    assert out.gate.configured is True
    assert out.gate.passed is False
    assert out.gate.reasons == ("infra-1 automated → manual", "section infra 2 → 1")
    assert out.gate.criteria[-1] == "no regression against the baseline of 2026-11-01"
    assert out.extras["baseline"]["commit"] == "1111111"


def test_no_regression_keeps_the_gate():
    old = build()
    better = _with(old, **{"model-1": "manual"})
    out = apply_baseline(better, old, fail_on_regression=True)
    assert out.gate.configured is True and out.gate.passed is True and out.gate.reasons == ()
    failing = replace(better, gate=GateResult(True, False, ("overall score 0.5 is below 1",)))
    still = apply_baseline(failing, old, fail_on_regression=True)
    assert still.gate.passed is False
    assert still.gate.reasons == ("overall score 0.5 is below 1",)


def test_not_applicable_changes_are_not_regressions():
    old = build()
    na = [
        replace(i, level="not_applicable", score=None) if i.id == "monitor-1" else i
        for i in old.items
    ]
    out = apply_baseline(build(na), old, fail_on_regression=True)
    assert out.item("monitor-1").delta == {"from": "manual", "to": "not_applicable"}  # type: ignore[union-attr]
    assert not any(r.startswith("monitor-1") for r in out.gate.reasons)


def test_diff_text():
    old = build()
    assert diff_text(old, old) == "no changes"
    new = _with(old, **{"infra-1": "manual", "model-1": "automated", "monitor-2": "manual"})
    assert diff_text(old, new) == "\n".join(
        [
            "model-1 0 → 1 (none → automated)",
            "infra-1 1 → 0.5 (automated → manual)",
            "monitor-2 0 → 0.5 (none → manual)",
            "section model 0.5 → 1.5 (+1)",
            "section infra 2 → 1 (-1)",
            "section monitor 0.5 → 1 (+0.5)",
            "overall 0.5 → 1 (+0.5)",
        ]
    )


def test_diff_text_items_added_and_removed():
    old = build()
    new = build([*old.items[:-1], item("monitor-3", "manual")])
    text = diff_text(old, new)
    assert "monitor-3 added: 0.5 (manual)" in text.splitlines()
    assert "monitor-2 removed (was 0 none)" in text.splitlines()
