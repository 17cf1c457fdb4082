"""Debian's Chromium, driven by Playwright; a skip (or a failure in CI) when either is missing.

Nothing here imports playwright at module level: without it (or without Chromium) a browser
test skips with a reason, or fails when ``MOMENTUM_REQUIRE_BROWSER=1`` (``.ci/run`` sets it).
Playwright's own browser download is never used.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Headless, offline: no first-run pages, no background requests to other hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def unavailable(reason):
    """Skip with ``reason``, or fail when the environment requires the browser tests."""
    if os.environ.get("MOMENTUM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MOMENTUM_REQUIRE_BROWSER=1, so this is a failure, not a skip)",
                    pytrace=False)
    pytest.skip(reason)


def require_browser_stack():
    """Return the playwright sync API, or skip/fail naming what is missing."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found: install Debian's chromium "
                    "(apt-get install chromium) to run the browser tests")
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("the playwright Python package is not installed (make .venv/.installed-dev)")
    return sync_api


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
