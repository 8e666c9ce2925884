"""Every format: chosen by extension, deterministic, identical after a JSON round trip, and
written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest

from ml_readiness.baseline import apply_baseline
from ml_readiness.errors import UsageError
from ml_readiness.render import FORMATS, format_for, render, write_atomic
from ml_readiness.result import AuditResult
from tests.render.factory import build

MINE = ("json", "md", "junit", "sarif", "svg", "badge")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("report.md", "md"),
        ("out/report.junit.xml", "junit"),
        ("r.sarif", "sarif"),
        ("r.sarif.json", "sarif"),
        ("badge.svg", "svg"),
        ("report.badge.json", "badge"),
        ("r.json", "json"),
        ("R.BADGE.JSON", "badge"),
    ],
)
def test_format_from_extension(name, fmt):
    assert format_for(name) == fmt


def test_unknown_extension_is_a_usage_error():
    with pytest.raises(UsageError, match="cannot tell the report format of 'r.xml'"):
        format_for("r.xml")


def test_formats_are_registered():
    for fmt in MINE:
        assert fmt in FORMATS
    assert FORMATS["svg"] == ("ml_readiness.render.badge", "render_badge_svg")
    assert FORMATS["badge"] == ("ml_readiness.render.badge", "render_badge_json")


def _variants(real_results) -> list[AuditResult]:
    old = real_results[2]
    regressed = replace(
        old,
        items=tuple(
            replace(i, level="none", score=0.0, next_step="x") if n == 0 else i
            for n, i in enumerate(old.items)
        ),
    )
    with_baseline = apply_baseline(old, regressed, fail_on_regression=True)
    return [*real_results, with_baseline, build(commit="abc1234", repo_url="https://x.org/a")]


@pytest.mark.parametrize("fmt", MINE)
def test_rerendering_a_saved_result_is_byte_identical(real_results, fmt):
    for result in _variants(real_results):
        first = render(result, fmt)
        assert render(result, fmt) == first  # deterministic
        reloaded = AuditResult.from_json(json.loads(result.dumps()))
        assert render(reloaded, fmt) == first


def test_a_failing_render_never_touches_the_file(tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("previous report\n", encoding="utf-8")

    def crash(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr("ml_readiness.render.markdown.render_markdown", crash)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_atomic(str(target), render(build(), "md"))
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert os.listdir(tmp_path) == ["report.md"]


def test_a_failing_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.sarif"
    target.write_text("previous\n", encoding="utf-8")
    text = render(build(), "sarif")

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(UsageError, match="cannot write report .*: No space left on device"):
        write_atomic(str(target), text)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert os.listdir(tmp_path) == ["report.sarif"]


def test_an_interrupted_write_leaves_no_truncated_file(tmp_path, monkeypatch):
    target = tmp_path / "report.junit.xml"
    target.write_text("previous\n", encoding="utf-8")
    real_fsync = os.fsync

    def interrupted(fd: int) -> None:
        real_fsync(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), render(build(), "junit"))
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert os.listdir(tmp_path) == ["report.junit.xml"]


def test_write_atomic_replaces_and_survives_unencodable_text(tmp_path):
    target = tmp_path / "r.md"
    write_atomic(str(target), "first\n")
    write_atomic(str(target), "name \udcff.py\n")
    assert target.read_text(encoding="utf-8") == "name ?.py\n"
    assert os.listdir(tmp_path) == ["r.md"]
