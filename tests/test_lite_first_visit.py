"""The first minutes in the static edition (`make lite`, served from 127.0.0.1, real Chromium).

(That every notebook opens without the "modified" mark, each on a cold first visit, is checked
in tests/test_lite.py.)

* Importing the library and drawing shows no "Matplotlib is building the font cache" message
  (the build ships matplotlib's font list).
* A learner's edit, saved, is still there when the page is loaded again.

Skips without Chromium/playwright or a built site, unless MOMENTUM_REQUIRE_BROWSER=1.
"""

import os
from pathlib import Path

import pytest

import devtools as bs

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1800)]

SITE = Path(os.environ.get("MOMENTUM_LITE_SITE", bs.REPO / "_site")).resolve()
NOTEBOOKS = bs.notebook_paths()
KERNEL_TIMEOUT_MS = 300_000   # a cold Pyodide start on a loaded 2-core machine
VIEWPORT = {"width": 1400, "height": 1000}
DIRTY_TAB = ".lm-TabBar-tab.jp-mod-current.jp-mod-dirty"
# JupyterLab writes the kernel's language_info when its kernel_info reply arrives, which can
# come after the status bar first reads Idle: wait this long before looking for the mark.
SETTLE_MS = 3000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not (SITE / "jupyter-lite.json").exists():
        bs.unavailable(f"no JupyterLite site in {SITE}: build it with `make lite`")
    srv = bs.start_static(SITE, tmp_path_factory.mktemp("lite-first-visit"))
    yield srv
    srv.stop()


def open_notebook(page, server, name):
    page.goto(server.url(f"/lab/index.html?path={name}"))
    page.wait_for_selector(bs.LAB_CELL, timeout=KERNEL_TIMEOUT_MS)
    bs.wait_kernel_idle(page, timeout_ms=KERNEL_TIMEOUT_MS)
    page.wait_for_timeout(SETTLE_MS)


def test_no_font_cache_message_and_a_saved_edit_survives_loading_the_page_again(playwright_browser, server):
    name = next(nb.name for nb in NOTEBOOKS if nb.name.startswith("01_"))  # draws figures
    note = "# a learner's note, kept by the browser"
    context = playwright_browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        open_notebook(page, server, name)
        bs.lab_run_all(page, timeout_ms=KERNEL_TIMEOUT_MS)
        outputs = " ".join(page.locator(f"{bs.LAB_CELL} .jp-OutputArea").all_inner_texts())
        assert "font cache" not in outputs.lower(), outputs[:2000]
        assert page.locator(f"{bs.LAB_CELL} img.momentum-figure, {bs.LAB_CELL} .jp-OutputArea-output"
                            ).count(), "Run All printed nothing: the check above saw no output"

        first_code = page.locator(f"{bs.LAB_CELL}.jp-CodeCell").first
        first_code.locator(".cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("\n" + note)
        page.keyboard.press("Escape")
        page.keyboard.press("Control+s")
        page.wait_for_function(f"() => !document.querySelector('{DIRTY_TAB}')", timeout=60_000)

        open_again = page.goto(server.url(f"/lab/index.html?path={name}"))
        assert open_again.ok
        page.wait_for_selector(bs.LAB_CELL, timeout=KERNEL_TIMEOUT_MS)
        kept = page.locator(f"{bs.LAB_CELL}.jp-CodeCell").first.locator(".cm-content").inner_text()
        assert note in kept, f"the saved edit is gone after a reload; the cell reads:\n{kept}"
    finally:
        context.close()
