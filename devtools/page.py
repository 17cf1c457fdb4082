"""What the tests and benchmarks read in a JupyterLab, JupyterLite or Voila page.

The JavaScript lives in ``devtools/js/``, one expression per file (``script`` puts
``common.js`` in front of it); Playwright calls the function an expression evaluates to.
"""

import json
import re
import statistics
from functools import cache
from pathlib import Path

JS = Path(__file__).resolve().parent / "js"

# JupyterLab's (and JupyterLite's) cells of the notebook in view and their input prompts.
LAB_CELL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
LAB_PROMPTS = f"{LAB_CELL}.jp-CodeCell .jp-InputPrompt"
# Voila's rendered cells: one <div cell-index="k"> per notebook cell (k from 1).
VOILA_CELL = "#rendered_cells div[cell-index]"


@cache
def script(name, folder=JS):
    """The expression of ``folder/name.js``, with ``common.js``'s functions in scope."""
    common = (JS / "common.js").read_text()
    body = (Path(folder) / f"{name}.js").read_text()
    return f"(() => {{\n{common}\nreturn (\n{body}\n);\n}})()"


def lab_menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def wait_kernel_idle(page, timeout_ms):
    page.wait_for_function(script("kernel_idle"), timeout=timeout_ms, polling=250)


def lab_run_all(page, timeout_ms, clear=True):
    """In JupyterLab or JupyterLite: clear every stored output (so all that is checked comes
    from this run), Run All, and wait until every cell has run and the kernel is idle."""
    if clear:
        lab_menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(script("outputs_cleared"), arg=LAB_CELL)
    lab_menu(page, "Run", "Run All Cells")
    page.wait_for_function(script("run_all_done"), arg=LAB_PROMPTS, timeout=timeout_ms,
                           polling=250)


def lab_run_all_outcome(page, nb_path, timeout_ms):
    """After Run All in JupyterLab or JupyterLite: wait until every widget output has a
    rendered view and the explorers have settled, then return (code cells by position that
    did not run, error outputs, warnings) as :func:`cell_problems` sorts them."""
    page.wait_for_function(script("widgets_rendered"), arg=LAB_CELL, timeout=timeout_ms)
    wait_widgets_settled(page)
    prompts = page.eval_on_selector_all(LAB_PROMPTS, "els => els.map(e => e.textContent.trim())")
    not_run = [i for i, t in enumerate(prompts) if not any(ch.isdigit() for ch in t)]
    errors, warnings = cell_problems(page, LAB_CELL, raises_exception_cells(nb_path))
    return not_run, errors, warnings


def cell_problems(page, cell_selector, raises_ok):
    """Error-like outputs outside cells tagged ``raises-exception``; stderr without a
    traceback (e.g. a warning) is returned separately so it can be reported."""
    errors, warnings = [], []
    for cell in page.evaluate(script("cell_problems"), cell_selector):
        for p in cell["problems"]:
            text = p["text"].strip()
            # Python tracebacks, "SomethingError: ...", and Voila's "There was an error
            # when executing cell [n]" (what it shows when tracebacks are hidden).
            is_error = p["kind"] == "widget" or re.search(r"traceback|error", text, re.IGNORECASE)
            if cell["index"] in raises_ok and p["kind"] == "stderr":
                continue
            (errors if is_error else warnings).append(f"cell {cell['index']}: {text[:600]}")
    return errors, warnings


def raises_exception_cells(nb_path):
    nb = json.loads(Path(nb_path).read_text())
    return {i for i, c in enumerate(nb["cells"])
            if "raises-exception" in c.get("metadata", {}).get("tags", [])}


def printed_by_cell(page):
    """The stdout text of every cell of the notebook in view, by cell position."""
    return page.evaluate(script("stdout_by_cell"), LAB_CELL)


def voila_kernel_id(page):
    return page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def wait_widgets_settled(page, quiet_ms=1500, timeout_ms=60_000):
    """Wait until the number of explorers in the page has stopped changing for
    ``quiet_ms`` (widget views attach asynchronously after the outputs arrive)."""
    page.wait_for_function(script("widgets_settled"), arg=quiet_ms, polling=100,
                           timeout=timeout_ms)


def explorer_states(page):
    """Per explorer: its image (src, decoded, size), β and η readouts, sliders, status line."""
    return page.evaluate(script("explorer_state"))


def wait_explorers_drawn(page, timeout_ms=60_000):
    """Wait until every explorer's image has a src and is decoded; return their states."""
    page.wait_for_function(script("explorers_drawn"), timeout=timeout_ms)
    return explorer_states(page)


def view_problems(page, min_font_px, where, allowed_stretch=1.0):
    """Controls smaller than ``min_font_px``; figures stretched beyond their pixels (in device
    pixels, by more than ``allowed_stretch``)."""
    problems = []
    for i, v in enumerate(explorer_views(page)):
        for part in ("label", "readout", "button", "status"):
            small = [s for s in v[part] if s < min_font_px - 0.01]
            if small:
                problems.append(f"{where} explorer {i}: {part} at {small[0]} px (< {min_font_px} px)")
        if v["devicePixels"] > allowed_stretch * v["naturalWidth"] + 1:
            problems.append(f"{where} explorer {i}: figure of {v['naturalWidth']} px stretched to "
                            f"{v['devicePixels']:.0f} device px")
    return problems


def layout_problems(page, cell_selector, where):
    """Elements sticking out of their cell, text cut off, numbers split across lines
    (``js/layout_problems.js``), one line each."""
    return [f"{where} cell {p['cell']}: {p['kind']} ({p['by']}) at {p['element']}: {p['text']!r}"
            for p in page.evaluate(script("layout_problems"), cell_selector)]


class Watch:
    """What a page does besides drawing: uncaught JavaScript errors, console warnings and
    errors, and requests that leave 127.0.0.1 (the series must work offline)."""

    LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")

    def __init__(self, page):
        self.errors, self.console, self.offsite = [], [], []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.console.append((page.url, msg.type, msg.text))
                if msg.type in ("warning", "error") else None)
        page.on("request", lambda req: self.offsite.append(req.url)
                if not req.url.startswith(self.LOCAL) else None)


def explorer_views(page):
    """Per explorer: type sizes of its controls and how its figure is scaled."""
    return page.evaluate(script("explorer_view"))


def summarise(ms):
    """n, median, p95 and max of a list of times (None for an empty list)."""
    if not ms:
        return None
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"n": len(ms), "median": round(statistics.median(ms), 1), "p95": round(p95, 1),
            "max": round(ordered[-1], 1)}
