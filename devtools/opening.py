"""Opening a notebook the way a learner does, for the tests that then look at the page:
JupyterLab with Run All, or classroom mode (Voila runs it on load)."""

from .page import (LAB_CELL, lab_run_all, script, wait_explorers_drawn, wait_kernel_idle,
                   wait_widgets_settled)


def open_in_jupyterlab(page, server, nb, timeout_ms=240_000):
    """Open ``nb`` (served from ``notebooks/`` under the server's root) in a workspace of its
    own, Run All on cleared outputs, and wait until every widget view has rendered."""
    page.goto(server.url(f"/lab/workspaces/{nb.stem}/tree/notebooks/{nb.name}"))
    wait_kernel_idle(page, timeout_ms=90_000)
    page.wait_for_selector(LAB_CELL)
    lab_run_all(page, timeout_ms=timeout_ms)
    page.wait_for_function(script("widgets_rendered"), arg=LAB_CELL, timeout=60_000)
    wait_widgets_settled(page)
    return wait_explorers_drawn(page)


def open_in_classroom(page, server, nb, timeout_ms=180_000):
    """Open ``nb`` in classroom mode (``voila/render/``) and wait until Voila has revealed
    every cell and the explorers' figures are drawn."""
    page.goto(server.url(f"/voila/render/{nb.name}"), wait_until="domcontentloaded",
              timeout=120_000)
    page.wait_for_selector("#rendered_cells", state="visible", timeout=timeout_ms)
    page.wait_for_load_state("load")
    # Voila ships each output as a script element and removes it once rendered.
    page.wait_for_function(
        """() => !document.querySelector('script[type="application/vnd.voila.cell-output+json"]')""",
        timeout=60_000)
    wait_widgets_settled(page)
    return wait_explorers_drawn(page)


def close_lab_sessions(server):
    """Shut down every kernel session of a JupyterLab server (two cores: one kernel at a time)."""
    for session in server.api("GET", "/api/sessions"):
        server.api("DELETE", f"/api/sessions/{session['id']}")
