"""Shared pytest hooks and fixtures: one Chromium for every browser test (Playwright's sync API
allows one running instance per thread), one JupyterLab and one classroom-mode server for all
the browser tests a process runs (each started on first use), and the browser timings shown at
the end of a run, where CI logs keep them."""

import json
import pathlib
import time

import pytest

ARTIFACT = pathlib.Path(__file__).resolve().parents[1] / "test-artifacts" / "browser_timings.json"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    if not ARTIFACT.exists() or ARTIFACT.stat().st_mtime < _STARTED:
        return
    summary = json.loads(ARTIFACT.read_text()).get("summary", {})
    terminalreporter.section("key press → new image in a real browser (ms)")
    for frontend, numbers in summary.items():
        s = numbers.get("key_to_src_ms")
        if s:
            terminalreporter.write_line(
                f"{frontend:>10}: median {s['median']}, p95 {s['p95']} over {s['n']} moves")


@pytest.fixture(scope="session")
def playwright_browser():
    import devtools as bs

    sync_api = bs.require_browser_stack()
    with sync_api.sync_playwright() as p:
        browser = bs.launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def served_copy(tmp_path_factory):
    """The notebooks, copied: neither server can write into the working tree."""
    import devtools as bs

    return bs.copy_notebooks(tmp_path_factory.mktemp("served") / "notebooks")


@pytest.fixture(scope="session")
def jupyterlab(playwright_browser, served_copy, tmp_path_factory):
    import devtools as bs

    server = bs.start_jupyterlab(served_copy.parent, tmp_path_factory.mktemp("lab-home"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def classroom(playwright_browser, served_copy, tmp_path_factory):
    import devtools as bs

    server = bs.start_present(served_copy, tmp_path_factory.mktemp("voila-home"))
    yield server
    server.stop()
