"""A real headless Chromium, driven by selenium through Debian's chromedriver.

The browser tests skip only when Chromium or chromedriver is not installed and
MLREADY_REQUIRE_BROWSER is unset; with MLREADY_REQUIRE_BROWSER set, a missing browser fails.
No driver is ever downloaded: both binaries are given by path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER_PATHS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
)
INSTALL_HINT = "apt-get install -y chromium chromium-driver"


def _first(paths: tuple[str, ...], name: str) -> str | None:
    found = next((p for p in paths if os.access(p, os.X_OK)), None)
    return found or shutil.which(name)


def browser_binaries() -> tuple[str, str]:
    """(chromium, chromedriver) paths; skips or fails (MLREADY_REQUIRE_BROWSER) when missing."""
    chromium = _first(CHROMIUM_PATHS, "chromium")
    driver = _first(DRIVER_PATHS, "chromedriver")
    missing = [n for n, p in (("chromium", chromium), ("chromedriver", driver)) if p is None]
    if missing:
        message = f"{' and '.join(missing)} not installed ({INSTALL_HINT})"
        if os.environ.get("MLREADY_REQUIRE_BROWSER"):
            pytest.fail(f"MLREADY_REQUIRE_BROWSER is set but {message}", pytrace=False)
        pytest.skip(f"no headless browser: {message}; set MLREADY_REQUIRE_BROWSER=1 to require it")
    assert chromium is not None and driver is not None
    return chromium, driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One headless Chromium per test module, with browser and performance logs enabled."""
    chromium, driver_path = browser_binaries()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # the browser is installed, so the test must run: say what is missing
        pytest.fail("chromium is installed but selenium is not: pip install -e '.[test]'")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def screenshot_dirs(tmp_path: Path) -> list[Path]:
    """Where screenshots go: the test's tmp_path, and MLREADY_SCREENSHOT_DIR when set."""
    dirs = [tmp_path]
    extra = os.environ.get("MLREADY_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        dirs.append(Path(extra))
    return dirs
