"""SARIF 2.1.0: valid against the vendored OASIS schema, one located result per gap."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from ml_readiness import __version__
from ml_readiness.baseline import apply_baseline
from ml_readiness.render.sarif import render_sarif
from ml_readiness.result import GateResult
from tests.render.factory import build, ev, finding, item


@pytest.fixture(scope="module")
def validator(sarif_schema):
    assert sarif_schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    # The vendored file is the official schema verbatim; it declares draft 2020-12. (Its `region`
    # definition lists `anyOf` under `properties`, an upstream slip that makes check_schema fail;
    # validation works, and test_every_result_is_located checks regions explicitly.)
    return jsonschema.Draft202012Validator(sarif_schema)


def _sarif(result, validator) -> dict:
    text = render_sarif(result)
    data = json.loads(text)
    validator.validate(data)
    return data


def _locations(run: dict) -> dict[str, tuple[str, int]]:
    out = {}
    for r in run["results"]:
        physical = r["locations"][0]["physicalLocation"]
        out[r["ruleId"]] = (physical["artifactLocation"]["uri"], physical["region"]["startLine"])
    return out


def test_real_audits_validate(validator, real_results):
    for result in real_results:
        data = _sarif(result, validator)
        run = data["runs"][0]
        assert data["version"] == "2.1.0"
        assert run["tool"]["driver"]["name"] == "mlready"
        assert run["tool"]["driver"]["version"] == __version__
        assert run["automationDetails"] == {"id": "mlready/ml-test-score/"}
        assert len(run["tool"]["driver"]["rules"]) == 28
        gaps = [i for i in result.items if i.level in ("none", "manual")]
        assert [r["ruleId"] for r in run["results"]] == [i.id for i in gaps]


def test_every_result_is_located(validator, real_results):
    for result in real_results:
        run = _sarif(result, validator)["runs"][0]
        for r in run["results"]:
            (location,) = r["locations"]
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"]
            assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert physical["region"]["startLine"] >= 1
    configured = _sarif(real_results[1], validator)["runs"][0]
    fallback = [r for r in configured["results"] if r["properties"]["locationIsFallback"]]
    assert fallback
    assert {_locations(configured)[r["ruleId"]] for r in fallback} == {("mlready.yaml", 1)}
    plain = _sarif(real_results[0], validator)["runs"][0]
    assert set(_locations(plain).values()) == {("README.md", 1)}


def test_rules_results_and_levels(validator):
    items = [
        item("data-1", "automated", (ev(level="automated"),)),
        item("data-2", "manual", (ev("docs/r.md", None, "report", "doc"),)),
        item("model-1", "none", findings=(finding("test skipped", "tests/t.py", 8, "manual"),)),
        item("model-2", "manual", (ev("src/a b#c.py", 4),), required="automated"),
        item("infra-1", "not_applicable", reason="not applicable: batch"),
        item("monitor-1", "none"),
    ]
    run = _sarif(build(items), validator)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [i.id for i in items]
    assert rules[1]["shortDescription"] == {"text": "Title of data-2"}
    assert rules[1]["fullDescription"] == {"text": "data-2: Title of data-2"}
    assert rules[1]["help"] == {"text": "improve data-2"}
    assert "helpUri" not in rules[1]
    results = {r["ruleId"]: r for r in run["results"]}
    assert list(results) == ["data-2", "model-1", "model-2", "monitor-1"]
    assert {k: r["level"] for k, r in results.items()} == {
        "data-2": "warning",
        "model-1": "error",
        "model-2": "error",  # manual but automated is required
        "monitor-1": "error",
    }
    assert results["model-2"]["ruleIndex"] == 3
    assert results["data-2"]["message"]["text"] == (
        "data-2 Title of data-2: 0.5 manual. reason for data-2. Next step: improve data-2."
    )
    assert results["model-2"]["message"]["text"].startswith(
        "model-2 Title of model-2: 0.5 manual. reason for model-2. Required: automated."
    )
    assert _locations(run) == {
        "data-2": ("docs/r.md", 1),
        "model-1": ("tests/t.py", 8),
        "model-2": ("src/a%20b%23c.py", 4),
        "monitor-1": ("README.md", 1),
    }
    assert results["monitor-1"]["partialFingerprints"] == {"mlreadyItem/v1": "monitor-1"}


def test_baseline_deltas_in_properties(validator):
    old = build()
    new_items = [replace(i, level="none", score=0.0) if i.id == "data-2" else i for i in old.items]
    new = apply_baseline(build(new_items), old, fail_on_regression=True)
    run = _sarif(new, validator)["runs"][0]
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["data-2"]["properties"]["delta"] == {"from": "manual", "to": "none"}
    assert results["data-2"]["baselineState"] == "updated"
    assert results["model-1"]["baselineState"] == "unchanged"
    assert run["properties"]["baseline"] == {"asOf": "2026-11-01", "commit": None, "overall": 0.5}
    assert run["properties"]["gate"]["passed"] is False
    data = next(s for s in run["properties"]["sections"] if s["id"] == "data")
    assert data["delta"] == -0.5


def test_provenance_and_hostile_text(validator):
    nasty = "x\x1b[31m<b>\x00 | `y`"
    items = [item("data-1", "none", title=nasty, reason=nasty, next_step=nasty)]
    result = build(items, commit="abcdef1", repo_url="https://github.com/a/b")
    result = replace(result, gate=GateResult(True, False, (nasty,)))
    text = render_sarif(result)
    assert "\x1b" not in text and "\\u0000" not in text and "\\u001b" not in text
    run = _sarif(result, validator)["runs"][0]
    assert run["versionControlProvenance"] == [
        {"repositoryUri": "https://github.com/a/b", "revisionId": "abcdef1"}
    ]
    assert run["results"][0]["message"]["text"].startswith("data-1 x<b> | `y`: 0 none.")


def test_sarif_is_deterministic(real_results):
    for result in real_results:
        assert render_sarif(result) == render_sarif(result)


@pytest.mark.parametrize(
    ("mutate", "bad"),
    [
        (lambda d: d["runs"][0]["results"][0].update(level="fatal"), "level"),
        (lambda d: d.update(version="2.0.0"), "version"),
        (lambda d: d["runs"][0]["tool"]["driver"].pop("name"), "name"),
        (lambda d: d["runs"][0]["results"][0].update(unknownKey=1), "additional"),
    ],
)
def test_the_vendored_schema_has_teeth(validator, mutate, bad):
    data = json.loads(render_sarif(build()))
    mutate(data)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)
