"""The JSON report validates against the shipped, versioned JSON Schema."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from ml_readiness.render import render
from ml_readiness.result import SCHEMA_VERSION, AuditResult
from tests.render.factory import build, ev, finding, item


def _validate(schema: dict, result: AuditResult) -> dict:
    data = json.loads(render(result, "json"))
    jsonschema.Draft202012Validator(schema).validate(data)
    return data


def test_schema_is_valid_draft_2020_12(result_schema):
    jsonschema.Draft202012Validator.check_schema(result_schema)
    assert result_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert result_schema["properties"]["schema_version"]["pattern"] == "^1\\.[0-9]+$"
    assert SCHEMA_VERSION.startswith("1.")


def test_real_audits_validate(result_schema, real_results):
    for result in real_results:
        data = _validate(result_schema, result)
        assert len(data["items"]) == 28
    configured = real_results[1]
    data = json.loads(configured.dumps())
    assert data["not_applicable"] == [
        {"item": "monitor-3", "reason": "the model is not served online"}
    ]
    assert data["attestations"][0]["earned"] == "manual"
    assert data["overrides"][0]["max_level"] == "manual"
    assert next(i for i in data["items"] if i["id"] == "data-1")["required"] == "manual"
    assert configured.commit and len(configured.commit) == 40


def test_every_field_validates(result_schema):
    automated = ev("tests/test_schema.py", 7, "schema test", "test", "automated")
    attested = {
        "item": "data-2",
        "level": "manual",
        "evidence": "docs/f.md",
        "owner": "o@example.com",
        "reviewed": "2026-01-01",
        "expires": "2027-01-01",
        "via": None,
        "note": "quarterly",
        "earned": "manual",
        "status": "attested",
    }
    items = [
        item("data-1", "automated", (automated,), delta={"from": "manual", "to": "automated"}),
        item(
            "data-2",
            "manual",
            (ev("docs/f.md", None, "report", "doc"),),
            attestation=attested,
            findings=(finding("test skipped", "tests/t.py", 3, "manual"),),
            context=("looked at tests/",),
            required="manual",
        ),
        item("model-1", "none", override={"max_level": "none", "reason": "known gap"}),
        item("infra-1", "not_applicable", reason="not applicable: batch only"),
    ]
    result = build(items, commit="abc1234", repo_url="https://github.com/a/b")
    result = replace(
        result,
        sections=tuple(replace(s, delta=-0.5) for s in result.sections),
        overall=replace(result.overall, delta=0.5),
        extras={"baseline": {"as_of": "2026-01-01", "commit": None, "overall": 0.0}},
        notes=({"path": "big.csv", "message": "skipped: larger than 2 MiB"},),
    )
    data = _validate(result_schema, result)
    assert data["items"][0]["evidence"][0]["via"]["trigger"] == "change"
    assert data["items"][0]["delta"] == {"from": "manual", "to": "automated"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("items", 0, "level"), "partial"),
        (("items", 0, "score"), 0.25),
        (("items", 0, "evidence", 0, "kind"), "rumour"),
        (("sections", 0, "score"), "3"),
        (("schema_version",), "2.0"),
        (("gate", "passed"), "yes"),
    ],
)
def test_schema_rejects_malformed_results(result_schema, path, value):
    data = json.loads(build().dumps())
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(result_schema).validate(data)


def test_json_has_stable_ordering(real_results):
    result = real_results[2]
    text = render(result, "json")
    assert text == render(result, "json")
    data = json.loads(text)
    assert list(data) == sorted(data)
    ids = [i["id"] for i in data["items"]]
    order = [s["id"] for s in data["sections"]]
    assert order == ["data", "model", "infra", "monitor"]
    assert ids == [f"{s}-{n}" for s in order for n in range(1, 8)]
