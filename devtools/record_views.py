"""Screenshots of explorers as a laptop and a projector show them.

    python -m devtools.record_views [NOTEBOOK_STEM ...]   # default: 01_the_problem 05_beta_sensitivity

For each notebook, in JupyterLab (Run All) and in classroom-mode Voila (`make present`):
a laptop (1366 × 768 CSS px, device pixel ratio 1) and a projector (1920 × 1080 device
px at 150% zoom: 1280 × 720 CSS px, ratio 1.5). The viewport is scrolled to the first
explorer. Writes test-artifacts/views/<frontend>-<notebook>-<laptop|projector>.png and
prints each explorer's type sizes and figure scale. A look, not a test.
"""

import json
import sys
import tempfile
from pathlib import Path

import devtools as bs

VIEWS = {"laptop": ({"width": 1366, "height": 768}, 1.0),
         "projector": ({"width": 1280, "height": 720}, 1.5)}
OUT = bs.ARTIFACTS / "views"


def lab_open(page, server, nb):
    page.goto(server.url(f"/lab/workspaces/views-{nb.stem}/tree/notebooks/{nb.name}"))
    bs.wait_kernel_idle(page, timeout_ms=120_000)
    bs.lab_menu(page, "Run", "Run All Cells")
    page.wait_for_selector(".momentum-explorer .explorer-figure", timeout=180_000)
    bs.wait_widgets_settled(page)
    bs.wait_explorers_drawn(page)


def voila_open(page, server, nb):
    page.goto(server.url(f"/voila/render/{nb.name}"), wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_selector("#rendered_cells", state="visible", timeout=180_000)
    bs.wait_widgets_settled(page)
    bs.wait_explorers_drawn(page)


def main(stems):
    sync_api = bs.require_browser_stack()
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="views-"))
    served = bs.copy_notebooks(tmp / "served" / "notebooks")
    notebooks = [served / f"{stem}.ipynb" for stem in stems]
    servers = {"jupyterlab": bs.start_jupyterlab(served.parent, tmp / "lab-home"),
               "voila": bs.start_present(served, tmp / "voila-home")}
    report = {}
    try:
        with sync_api.sync_playwright() as p:
            browser = bs.launch_chromium(p)
            for frontend, server in servers.items():
                for nb in notebooks:
                    for view, (viewport, ratio) in VIEWS.items():
                        context = browser.new_context(viewport=viewport, device_scale_factor=ratio)
                        page = context.new_page()
                        try:
                            (lab_open if frontend == "jupyterlab" else voila_open)(page, server, nb)
                            box = page.locator(".momentum-explorer").first
                            box.scroll_into_view_if_needed()
                            page.evaluate("() => document.querySelector('.momentum-explorer').scrollIntoView({block: 'start'})")
                            page.wait_for_timeout(500)
                            path = OUT / f"{frontend}-{nb.stem}-{view}.png"
                            page.screenshot(path=str(path))
                            report[path.name] = bs.explorer_views(page)
                            print(path, json.dumps(report[path.name]), flush=True)
                        finally:
                            context.close()
                if frontend == "jupyterlab":
                    for session in server.api("GET", "/api/sessions"):
                        server.api("DELETE", f"/api/sessions/{session['id']}")
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
    (OUT / "views.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:] or ["01_the_problem", "05_beta_sensitivity"])
