"""The browser harness skips only when no browser is installed and none is required; the CLI
writes the HTML report and re-renders it byte-identically from the saved JSON."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ml_readiness.cli import main
from tests.helpers import make_repo
from tests.render_html import conftest


def _no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest.os, "access", lambda *_a: False)
    monkeypatch.setattr(conftest.shutil, "which", lambda _name: None)


def test_missing_browser_skips_when_not_required(monkeypatch):
    _no_browser(monkeypatch)
    monkeypatch.delenv("MLREADY_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium and chromedriver not installed"):
        conftest.browser_binaries()


def test_missing_browser_fails_when_required(monkeypatch):
    _no_browser(monkeypatch)
    monkeypatch.setenv("MLREADY_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="MLREADY_REQUIRE_BROWSER is set but chromium"):
        conftest.browser_binaries()


def test_screenshot_dirs_include_the_env_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("MLREADY_SCREENSHOT_DIR", str(tmp_path / "shots"))
    assert conftest.screenshot_dirs(tmp_path) == [tmp_path, tmp_path / "shots"]
    assert (tmp_path / "shots").is_dir()
    monkeypatch.delenv("MLREADY_SCREENSHOT_DIR")
    assert conftest.screenshot_dirs(tmp_path) == [tmp_path]


def test_cli_writes_html_and_report_re_renders_it_identically(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo", {"src/train.py": "print(1)\n"}, git=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(
        main,
        [
            "audit",
            str(repo),
            "--as-of",
            "2026-11-01",
            "--repo-url",
            "https://github.com/a/b",
            "-o",
            "a.html",
            "-o",
            "a.json",
            "-q",
        ],
    )
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["report", "a.json", "-o", "b.html"])
    assert again.exit_code == 0, again.output
    html = (tmp_path / "a.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert (tmp_path / "b.html").read_text("utf-8") == html
