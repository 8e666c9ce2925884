"""End to end: the three example projects audited through the CLI.

The pins below are the levels observed when the examples were written (issue 8). They move
whenever a check or the automation map changes: update a dict after reading the item's
reason in the example's REPORT.md, then run `python scripts/regenerate_examples.py`.
The readiness targets (`test_*_target`) must hold whatever the exact pins are.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ml_readiness.cli import main

ROOT = Path(__file__).resolve().parents[2]

# fmt: off
RESEARCH_PROTOTYPE = {
    "levels": {
        "data-1": "none", "data-2": "none", "data-3": "none", "data-4": "none",
        "data-5": "none", "data-6": "none", "data-7": "none",
        "model-1": "none", "model-2": "none", "model-3": "none", "model-4": "none",
        "model-5": "none", "model-6": "none", "model-7": "none",
        "infra-1": "none", "infra-2": "none", "infra-3": "none", "infra-4": "none",
        "infra-5": "none", "infra-6": "none", "infra-7": "none",
        "monitor-1": "none", "monitor-2": "none", "monitor-3": "none", "monitor-4": "none",
        "monitor-5": "none", "monitor-6": "none", "monitor-7": "none",
    },
    "sections": {"data": 0.0, "model": 0.0, "infra": 0.0, "monitor": 0.0},
    "overall": 0.0,
}
FIRST_PASS = {
    "levels": {
        "data-1": "none", "data-2": "none", "data-3": "none", "data-4": "none",
        "data-5": "none", "data-6": "manual", "data-7": "automated",
        "model-1": "automated", "model-2": "none", "model-3": "none", "model-4": "none",
        "model-5": "manual", "model-6": "none", "model-7": "none",
        "infra-1": "manual", "infra-2": "automated", "infra-3": "manual", "infra-4": "manual",
        "infra-5": "none", "infra-6": "none", "infra-7": "none",
        "monitor-1": "none", "monitor-2": "none", "monitor-3": "manual", "monitor-4": "none",
        "monitor-5": "automated", "monitor-6": "none", "monitor-7": "none",
    },
    "sections": {"data": 1.5, "model": 1.5, "infra": 2.5, "monitor": 1.5},
    "overall": 1.5,
}
MATURE_SERVICE = {
    "levels": {
        "data-1": "automated", "data-2": "automated", "data-3": "automated", "data-4": "automated",
        "data-5": "manual", "data-6": "manual", "data-7": "automated",
        "model-1": "automated", "model-2": "manual", "model-3": "automated", "model-4": "manual",
        "model-5": "automated", "model-6": "automated", "model-7": "automated",
        "infra-1": "automated", "infra-2": "automated", "infra-3": "automated",
        "infra-4": "automated", "infra-5": "manual", "infra-6": "automated",
        "infra-7": "manual",
        "monitor-1": "automated", "monitor-2": "automated", "monitor-3": "automated",
        "monitor-4": "automated", "monitor-5": "automated", "monitor-6": "automated",
        "monitor-7": "automated",
    },
    "sections": {"data": 6.0, "model": 6.0, "infra": 6.0, "monitor": 7.0},
    "overall": 6.0,
}
# fmt: on
PINS = {
    "research-prototype": RESEARCH_PROTOTYPE,
    "first-pass": FIRST_PASS,
    "mature-service": MATURE_SERVICE,
}


def _load_regenerator():
    spec = importlib.util.spec_from_file_location(
        "regenerate_examples", ROOT / "scripts" / "regenerate_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regen = _load_regenerator()


def _audit(copy: Path) -> dict:
    result = CliRunner().invoke(
        main, ["audit", str(copy), "--format", "json", "--as-of", regen.AS_OF]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each example audited once, as its own repository (a copy without REPORT.md)."""
    out = {}
    for name in regen.EXAMPLES:
        copy = regen.copy_example(name, tmp_path_factory.mktemp(name))
        out[name] = _audit(copy)
    return out


def test_every_example_is_pinned():
    assert set(PINS) == set(regen.EXAMPLES)
    for pin in PINS.values():
        assert len(pin["levels"]) == 28


@pytest.mark.parametrize("name", regen.EXAMPLES)
def test_item_levels(results: dict, name: str):
    observed = {item["id"]: item["level"] for item in results[name]["items"]}
    assert observed == PINS[name]["levels"]


@pytest.mark.parametrize("name", regen.EXAMPLES)
def test_section_scores_and_overall(results: dict, name: str):
    sections = {s["id"]: s["score"] for s in results[name]["sections"]}
    assert sections == PINS[name]["sections"]
    assert results[name]["overall"]["score"] == PINS[name]["overall"]


def test_research_prototype_target(results: dict):
    assert results["research-prototype"]["overall"]["score"] == 0


def test_first_pass_target(results: dict):
    data = results["first-pass"]
    assert 0.5 <= data["overall"]["score"] <= 2
    levels = {item["level"] for item in data["items"]}
    assert {"manual", "automated"} <= levels


def test_mature_service_target(results: dict):
    data = results["mature-service"]
    assert data["overall"]["score"] > 3
    assert data["gate"]["passed"] is True  # its mlready.yaml gate: overall >= 3, monitor >= 3


def test_mature_service_attestations_are_credited(results: dict):
    attested = {
        a["item"]: a["earned"]
        for item in results["mature-service"]["items"]
        if (a := item["attestation"])
    }
    assert attested == {"data-3": "manual", "model-2": "manual", "model-4": "manual"}


@pytest.mark.parametrize("name", regen.EXAMPLES)
def test_committed_report_is_fresh(name: str):
    committed = (regen.EXAMPLES_DIR / name / regen.REPORT).read_text(encoding="utf-8")
    assert committed == regen.render(name), "run: python scripts/regenerate_examples.py"


def test_check_mode_reports_stale_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    regen.copy_example("first-pass", tmp_path)  # copied without its REPORT.md
    monkeypatch.setattr(regen, "EXAMPLES_DIR", tmp_path)
    assert regen.main(["--check", "first-pass"]) == 1
    assert regen.main(["first-pass"]) == 0
    report = (tmp_path / "first-pass" / "REPORT.md").read_text(encoding="utf-8")
    assert report == (ROOT / "examples" / "first-pass" / "REPORT.md").read_text(encoding="utf-8")
    assert regen.main(["--check", "first-pass"]) == 0
    with pytest.raises(SystemExit) as exc:
        regen.main(["--check", "no-such-example"])
    assert exc.value.code == 2


@pytest.mark.parametrize("name", regen.EXAMPLES)
def test_committed_report_is_not_evidence(name: str):
    with_report = regen.render_json(name, include_report=True)
    without = regen.render_json(name)
    assert with_report["items"] == without["items"]


def test_readme_shows_the_current_mature_service_summary():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert regen.readme_with_summary(readme) == readme, (
        "README.md's mature-service summary is stale: run python scripts/regenerate_examples.py"
    )
