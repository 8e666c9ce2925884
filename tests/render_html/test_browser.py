"""The HTML report in a real headless Chromium: offline, no errors, fits, readable, filterable."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from ml_readiness.render.html import render_html
from tests.render_html.conftest import screenshot_dirs
from tests.render_html.sample import realistic_result
from tests.render_html.test_html import hostile_result

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}

# WCAG contrast of every rendered text, computed in the page
CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


def _open(browser, html: str, tmp_path: Path, width: int = 1280, name: str = "report.html"):
    page = tmp_path / name
    page.write_text(html, encoding="utf-8")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get_log("performance")
    browser.get(page.as_uri())
    return page


def _full_screenshot(browser, target: Path) -> None:
    size = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1},
        },
    )
    target.write_bytes(base64.b64decode(shot["data"]))


def _requests(browser, page: Path) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url != page.as_uri():
                urls.append(url)
    return urls


@pytest.mark.parametrize("which", ["sample", "audited"])
def test_page_loads_offline_without_console_errors(browser, tmp_path, which, audited_result):
    result = realistic_result() if which == "sample" else audited_result
    page = _open(browser, render_html(result), tmp_path)
    assert browser.title.startswith("ML readiness: ")
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert _requests(browser, page) == []
    assert browser.execute_script("return document.scripts.length") == 0


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_page_fits_the_viewport_and_is_screenshotted(browser, tmp_path, device):
    width = WIDTHS[device]
    _open(browser, render_html(realistic_result()), tmp_path, width)
    inner, scroll = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert inner == width
    assert scroll <= inner, f"page is {scroll}px wide in a {inner}px viewport"
    for folder in screenshot_dirs(tmp_path):
        _full_screenshot(browser, folder / f"html-report-{device}-{width}.png")
        assert (folder / f"html-report-{device}-{width}.png").stat().st_size > 10_000


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_text_contrast_meets_wcag_aa(browser, tmp_path, device):
    _open(browser, render_html(realistic_result()), tmp_path, WIDTHS[device])
    measured = browser.execute_script(CONTRAST_JS)
    assert len(measured) > 300  # every item's texts were measured
    assert {"text", "A", "CODE", "H1", "H3"} <= {m["tag"] for m in measured}  # SVG text too
    low = [m for m in measured if m["ratio"] < 4.5]
    assert low == []


def test_level_filter_works_without_script_and_shows_everything_by_default(browser, tmp_path):
    result = realistic_result()
    _open(browser, render_html(result), tmp_path)
    shown = (
        "return Array.from(document.querySelectorAll('article.item'))"
        ".filter(e => e.offsetParent).map(e => e.id)"
    )
    assert len(browser.execute_script(shown)) == len(result.items)
    browser.find_element("css selector", "label.lvl-none").click()
    expected = [f"item-{i.id}" for i in result.items if i.level == "none"]
    assert browser.execute_script(shown) == expected
    browser.find_element("css selector", "label.lvl-not_applicable").click()
    assert browser.execute_script(shown) == ["item-model-7"]
    empty = (
        "return Array.from(document.querySelectorAll('.empty-filter'))"
        ".filter(e => e.offsetParent).length"
    )
    assert browser.execute_script(empty) == 3  # data, infra, monitor have no n/a item
    browser.find_element("id", "show-all").click()
    assert len(browser.execute_script(shown)) == len(result.items)


def test_print_opens_notes_and_shows_every_item(browser, tmp_path):
    _open(browser, render_html(realistic_result()), tmp_path)
    browser.find_element("css selector", "label.lvl-automated").click()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        state = browser.execute_script(
            """
            const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
            return {
              notes: Array.from(document.querySelectorAll('.notes li')).map(visible),
              items: Array.from(document.querySelectorAll('article.item')).filter(visible).length,
              filter: visible(document.querySelector('.filter-bar')),
              sticky: Array.from(document.querySelectorAll('body *')).filter(
                e => ['sticky', 'fixed'].includes(getComputedStyle(e).position)).length,
            };
            """
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert state == {"notes": [True, True], "items": 28, "filter": False, "sticky": 0}


def test_hostile_values_stay_text_in_the_browser(browser, tmp_path):
    result = hostile_result()
    _open(browser, render_html(result), tmp_path)
    assert browser.execute_script("return document.scripts.length") == 0
    assert (
        browser.execute_script("return document.querySelectorAll('img, iframe, object').length")
        == 0
    )
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"
    )
    assert all(h.startswith("#") for h in hrefs)  # the javascript: repo_url is never linked
    body = browser.find_element("tag name", "body").text
    assert "<script>alert(1)</script>" in body
    assert browser.get_log("browser") == []


@pytest.fixture(scope="module")
def audited_result(tmp_path_factory):
    """A result from auditing a small fixture repository (whatever the checks find today)."""
    from tests.helpers import audit, make_repo

    root = make_repo(
        tmp_path_factory.mktemp("audited") / "shop-ranker",
        {
            "src/train.py": "import random\n\nif __name__ == '__main__':\n    random.seed(1)\n",
            "tests/test_train.py": "def test_x():\n    assert 1 + 1 == 2\n",
            "README.md": "# shop-ranker\n\nRun `python src/train.py` to train.\n",
            "requirements.txt": "scikit-learn==1.5.0\n",
            ".github/workflows/ci.yml": """
                on: [push]
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest tests
            """,
        },
        git=True,
    )
    return audit(root, repo_url="https://github.com/acme/shop-ranker")
