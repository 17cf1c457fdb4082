"""A notebook opened in JupyterLab is not marked modified before the learner touches it.

On opening, JupyterLab writes the running kernel's ``kernelspec`` and ``language_info`` into the
notebook's metadata and marks the notebook modified (the dot on its tab, class ``jp-mod-dirty``)
unless both equal what is stored (``momentum_lib._notebooks``'s docstring says where in JupyterLab's
sources). The notebooks are therefore stored with what the kernel reports. Real JupyterLab, real
kernels, Debian's Chromium: each notebook is opened in a workspace of its own, and once its kernel is
idle and has had time to report, no tab may carry the mark.

``language_info.version`` is the kernel's full Python version: the notebooks record the patch release
they were executed with, and another patch release (CI's Debian Python, Binder's) reports another.
That difference is checked apart (``test_notebooks.py``: same major.minor, everything else equal), and
here the served copies take the local kernel's version, so this test checks the rest on any machine.
"""

import json

import pytest

import devtools as bs
from momentum_lib import _notebooks

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

NOTEBOOKS = bs.notebook_paths()
SETTLE_MS = 3000          # after the kernel is idle: the spec and kernel_info updates land by then
DIRTY_TABS = "#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The notebooks, copied; the local kernel's patch version replaces the stored one when only
    that differs (said on stdout)."""
    folder = bs.copy_notebooks(tmp_path_factory.mktemp("served") / "notebooks")
    local = _notebooks.kernel_metadata()["language_info"]
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        stored = nb.get("metadata", {}).get("language_info", {})
        if stored.get("version") != local["version"] and \
                {**stored, "version": local["version"]} == local:
            print(f"{path.name}: stored with Python {stored['version']}, this kernel is {local['version']}")
            nb["metadata"]["language_info"]["version"] = local["version"]
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def jupyterlab(playwright_browser, served, tmp_path_factory):
    server = bs.start_jupyterlab(served.parent, tmp_path_factory.mktemp("lab-home"))
    yield server
    server.stop()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_notebook_just_opened_is_not_marked_modified(nb, playwright_browser, jupyterlab):
    page = playwright_browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(jupyterlab.url(f"/lab/workspaces/mark-{nb.stem}/tree/notebooks/{nb.name}"))
        page.wait_for_selector(bs.LAB_CELL, timeout=120_000)
        bs.wait_kernel_idle(page, timeout_ms=120_000)
        page.wait_for_timeout(SETTLE_MS)
        tabs = page.eval_on_selector_all("#jp-main-dock-panel .lm-TabBar-tab",
                                         "els => els.map(e => e.textContent.trim())")
        dirty = page.eval_on_selector_all(DIRTY_TABS, "els => els.map(e => e.textContent.trim())")
        assert nb.name in tabs, f"the notebook's tab is not open: {tabs}"
        assert not dirty, (f"{nb.name} is marked modified right after opening (tabs {dirty}): its "
                           "stored kernelspec/language_info differ from what the kernel reports; "
                           "re-execute it (make notebooks)")
    finally:
        page.close()
        for session in jupyterlab.api("GET", "/api/sessions"):
            jupyterlab.api("DELETE", f"/api/sessions/{session['id']}")
