"""`make lab` and `make present` end their start-up output with the URL of 00_index.ipynb,
on a line of its own, and that URL opens the notebook itself (not the Launcher or the file
listing) in a real browser with no other help: what a learner in a container or on a remote
machine copies."""

import os
import re
import sys
import time
from pathlib import Path

import pytest

import devtools as bs
from binder.announce import notebook_url

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("banner, route, file, root, expected", [
    ("http://127.0.0.1:8888/lab?token=abc", "lab/tree", "notebooks/00_index.ipynb", "notebooks",
     "http://127.0.0.1:8888/lab/tree/00_index.ipynb?token=abc"),
    ("http://127.0.0.1:8888/lab?token=abc", "lab/tree", "notebooks/00_index.ipynb", ".",
     "http://127.0.0.1:8888/lab/tree/notebooks/00_index.ipynb?token=abc"),
    ("http://127.0.0.1:8888/base/lab", "lab/tree", "notebooks/00_index.ipynb", "notebooks",
     "http://127.0.0.1:8888/base/lab/tree/00_index.ipynb"),
    ("http://127.0.0.1:8888/lab?token=...", "lab/tree", "notebooks/00_index.ipynb", "notebooks",
     "http://127.0.0.1:8888/lab/tree/00_index.ipynb"),
    ("http://127.0.0.1:8866/", "voila/render", "notebooks/00_index.ipynb", "notebooks",
     "http://127.0.0.1:8866/voila/render/00_index.ipynb"),
])
def test_notebook_url_keeps_origin_base_and_token(banner, route, file, root, expected):
    assert notebook_url(banner, route, file, root) == expected


def last_line_url(server, quiet_s=3.0, timeout=90):
    """The last non-empty line of the server's output, once the URL has been announced and
    the output has then stayed the same for ``quiet_s`` (start-up is over)."""
    deadline, seen, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        text = Path(server.log_path).read_text(errors="replace")
        if text != seen:
            seen, since = text, time.monotonic()
        elif "Open 00_index.ipynb at:" in text and time.monotonic() - since >= quiet_s:
            return [l for l in text.splitlines() if l.strip()][-1]
        time.sleep(0.25)
    raise AssertionError(f"no URL announced, or output never settled, after {timeout} s:\n"
                         f"{server.log()}")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(300)
def test_make_lab_prints_a_url_that_opens_00(tmp_path, playwright_browser):
    port, token = bs.free_port(), os.urandom(12).hex()
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
            f"--ServerApp.port_retries=0 --IdentityProvider.token={token}")
    server = bs.Server(["make", "--no-print-directory", "-o", ".venv/.installed-lab", "lab",
                        f"BIN={Path(sys.executable).parent}", f"LAB_ARGS={args}"],
                       bs.isolated_env(tmp_path / "home"), REPO, tmp_path / "lab.log",
                       f"http://127.0.0.1:{port}", "/api/status", token)
    page = playwright_browser.new_page()
    try:
        url = last_line_url(server)
        assert url == f"http://127.0.0.1:{port}/lab/tree/00_index.ipynb?token={token}"
        page.goto(url)
        # The notebook's own tab is the one in view, with its first cell rendered.
        page.wait_for_selector(f"{bs.LAB_CELL} .jp-MarkdownOutput", timeout=90_000)
        tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").first.inner_text()
        assert tab == "00_index.ipynb"
    finally:
        page.close()
        for session in server.api("GET", "/api/sessions"):
            server.api("DELETE", f"/api/sessions/{session['id']}")
        server.stop()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(300)
def test_make_present_prints_a_url_that_opens_00(tmp_path, playwright_browser):
    served = bs.copy_notebooks(tmp_path / "served")
    server = bs.start_present(served, tmp_path / "home")
    page = playwright_browser.new_page()
    try:
        url = last_line_url(server)
        assert re.fullmatch(rf"{re.escape(server.base_url)}/voila/render/00_index\.ipynb", url), url
        page.goto(url, wait_until="domcontentloaded", timeout=120_000)
        page.wait_for_selector("#rendered_cells", state="visible", timeout=120_000)
        assert page.locator("#rendered_cells h1").first.is_visible()
    finally:
        page.close()
        server.stop()
