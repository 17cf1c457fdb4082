"""Every explorer without a mouse and without sight, in a real JupyterLab and Chromium.

One notebook shows every explorer of the registry. For each: Tab walks its controls in
reading order and then to reset, each control has the accessible name that says what it
sets (computed by Playwright from the page, as a screen reader would) and a visible focus
ring; Home, End, Page Up/Down and the arrow keys move each slider to the stop the kernel
then holds, and the figure changes; reset works from Enter and from Space; and the live
region (what a screen reader announces) says exactly the status line the kernel computed,
once per settled move: four quick presses are announced once.

Skips when Chromium or playwright is missing, unless MOMENTUM_REQUIRE_BROWSER=1.
"""

import json
import time

import nbformat
import pytest

import devtools as bs
from momentum_lib.explorers import EXPLORERS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1800)]

NAMES = list(EXPLORERS)
# The keys a slider is driven with, and where each puts the handle: a stop index from the
# previous one and the number of stops n. noUiSlider's Page Up/Down move five stops.
KEYS = {
    "Home": lambda k, n: 0,
    "PageUp": lambda k, n: min(k + 5, n - 1),
    "ArrowRight": lambda k, n: min(k + 1, n - 1),
    "ArrowLeft": lambda k, n: max(k - 1, 0),
    "PageDown": lambda k, n: max(k - 5, 0),
    "End": lambda k, n: n - 1,
}
# β gets every key in turn; other sliders fewer (each move of 07's network retrains it).
FULL = ("Home", "PageUp", "ArrowRight", "ArrowLeft", "PageDown", "End", "ArrowLeft")
SHORT = ("End", "Home", "ArrowRight")
QUICK_PRESSES = 4
QUIET_MS = 1500         # after the region says the status, how long no second change must come

# The kernel's side, as JSON: per explorer its values, status line, live region, starting
# values and, per control, its description and stops (None for a text box or drop-down).
QUERY = """
import json as _json
from ipywidgets import IntSlider as _Int
from momentum_lib.explorers import GridSlider as _Grid
def _stops(w):
    if isinstance(w, _Grid):
        return [v for _label, v in w.options]
    if isinstance(w, _Int):
        return list(range(w.min, w.max + 1, w.step))
    return None
_c = lambda e: e._coalescer
print(_json.dumps({n: {"values": e.values, "status": e.status_line.value,
                       "live": e.live_line.value, "initial": e._initial,
                       "settled": not (_c(e).pending or _c(e)._worker or _c(e).settling),
                       "controls": [[k, w.description, _stops(w)] for k, w in e.controls.items()]}
                   for n, e in explorers.items()}))
"""


class Kernel:
    """A second client of the page's kernel, kept open: what the kernel holds, asked fast."""

    def __init__(self, connection_file):
        from jupyter_client import BlockingKernelClient

        self.client = BlockingKernelClient(connection_file=str(connection_file))
        self.client.load_connection_file()
        self.client.start_channels()

    def state(self):
        out = []
        reply = self.client.execute_interactive(
            QUERY, timeout=120, store_history=False,
            output_hook=lambda m: out.append(m["content"].get("text", "")
                                             if m["msg_type"] == "stream" else ""))
        assert reply["content"]["status"] == "ok", "".join(out)
        return json.loads("".join(out))

    def close(self):
        self.client.stop_channels()


@pytest.fixture(scope="module")
def lab(playwright_browser, tmp_path_factory):
    """JupyterLab with a notebook of every explorer, run, in one page; the kernel's client."""
    root = tmp_path_factory.mktemp("keyboard")
    (root / "nb").mkdir()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "display_name": "Python 3", "language": "python", "name": "python3"}})
    nb.cells = [nbformat.v4.new_code_cell(
        "from momentum_lib.explorers import EXPLORERS\nexplorers = {}")]
    nb.cells += [nbformat.v4.new_code_cell(
        f"explorers[{name!r}] = EXPLORERS[{name!r}]()\nexplorers[{name!r}]") for name in NAMES]
    nbformat.write(nb, root / "nb" / "explorers.ipynb")
    server = bs.start_jupyterlab(root, tmp_path_factory.mktemp("keyboard-home"))
    errors = []
    page = playwright_browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("pageerror", lambda e: errors.append(str(e)))
    kernel = None
    try:
        page.goto(server.url("/lab/workspaces/keyboard/tree/nb/explorers.ipynb"))
        bs.wait_kernel_idle(page, timeout_ms=180_000)
        page.wait_for_selector(bs.LAB_CELL)
        bs.lab_run_all(page, timeout_ms=600_000)
        bs.wait_widgets_settled(page, timeout_ms=120_000)
        assert len(bs.wait_explorers_drawn(page, timeout_ms=120_000)) == len(NAMES)
        assert page.evaluate(bs.script("live_regions")) == len(NAMES)
        kernel_id = next(s["kernel"]["id"] for s in server.api("GET", "/api/sessions"))
        kernel = Kernel(bs.kernel_connection_file(server, kernel_id))
        yield page, kernel, errors
    finally:
        if kernel is not None:
            kernel.close()
        page.close()
        server.stop()


def box(page, i):
    return page.locator(".momentum-explorer").nth(i)


def focused(page):
    """The focused element: its explorer, role, value text, focus ring, and its accessible
    role and name as Playwright's accessibility tree computes them (e.g. 'slider "momentum β"')."""
    info = page.evaluate(bs.script("focused_control"))
    info["aria"] = page.locator(":focus").last.aria_snapshot().splitlines()[0].lstrip("- ").rstrip(":")
    return info


def live(page, i):
    return page.evaluate(bs.script("live_region_of"), i)


def settled_state(page, kernel, i, done, timeout_s=120):
    """Explorer i's kernel state once ``done(state)`` holds and its last move has settled
    (drawn and announced), after the page's live region has received what the kernel said and
    QUIET_MS more have passed (so a second announcement of the same move would be seen)."""
    deadline = time.monotonic() + timeout_s
    while True:
        state = kernel.state()[NAMES[i]]
        if done(state) and state["settled"]:
            break
        assert time.monotonic() < deadline, (f"explorer {i}: no settled move to the expected "
                                             f"values; the kernel holds {state['values']}")
        time.sleep(0.2)
    page.wait_for_function(
        "([i, html]) => { const r = document.querySelectorAll('.momentum-explorer')[i]"
        ".querySelector('.explorer-live .widget-html-content'); return r && r.innerHTML === html; }",
        arg=[i, state["live"]], timeout=30_000)
    page.wait_for_timeout(QUIET_MS)
    return state


def accessible(description):
    """How a control's accessible name must read: its label, which says what it sets."""
    return f'"{description}"'


def check_tab_walk(page, i, controls):
    """From the first control, Tab reaches every control in order, then reset, each named by
    its label and showing a focus ring; returns the problems."""
    problems = []
    first = box(page, i).locator(".explorer-controls").locator(
        ".noUi-handle, select, input, button").first
    page.keyboard.press("Shift")        # a key first: focus from code then shows as keyboard focus
    first.focus()
    expected = [description for _key, description, _stops in controls] + ["reset"]
    for k, want in enumerate(expected):
        if k:
            page.keyboard.press("Tab")
        got = focused(page)
        if got["explorer"] != i or accessible(want) not in got["aria"]:
            problems.append(f"explorer {i}: Tab reached {got['aria']!r}, expected {want!r}")
        elif got["outline"] == "none" or got["outlineWidth"] < 2:
            problems.append(f"explorer {i}: {want!r} shows no focus ring ({got['outline']}, "
                            f"{got['outlineWidth']} px)")
    return problems


def press_and_check(page, kernel, i, name, key, stops, k_before, pressed=1):
    """Press ``key`` ``pressed`` times on the focused slider of explorer i: the kernel holds the
    stop it should, the figure changed, the live region says the kernel's status, once.
    Returns (problems, the new stop index)."""
    n = len(stops)
    k = k_before
    for _ in range(pressed):
        k = KEYS[key](k, n)
    before_fig = page.evaluate(bs.script("figure_sources"), i)
    before_live = len(live(page, i)["changes"])
    before_status = kernel.state()[NAMES[i]]["status"]
    for _ in range(pressed):
        page.keyboard.press(key)
    if k == k_before:
        return [], k            # already at that end: nothing should change
    where = f"explorer {i} ({NAMES[i]}) {name} {key}×{pressed}"
    try:
        state = settled_state(page, kernel, i, lambda s: s["values"][name] == stops[k])
    except AssertionError as error:
        return [f"{where}: {error}"], k
    after_fig = page.evaluate(bs.script("figure_sources"), i)
    region = live(page, i)
    new = region["changes"][before_live:]
    problems = []
    if after_fig["srcs"] == before_fig["srcs"]:
        problems.append(f"{where}: the figure did not change")
    if not after_fig["alt"] or (state["status"] != before_status
                                and after_fig["alt"] == before_fig["alt"]):
        problems.append(f"{where}: the figure's alt text did not follow ({after_fig['alt']!r})")
    # a new status is announced once; the same words again, never
    if len(new) != (state["status"] != before_status):
        problems.append(f"{where}: the live region changed {len(new)} times for one move")
    if region["html"] != state["status"] or state["live"] != state["status"]:
        problems.append(f"{where}: the live region says {region['html']!r}, "
                        f"the status line is {state['status']!r}")
    return problems, k


def check_reset(page, kernel, i, how):
    """Reset from the keyboard (``how``: Enter or Space on the focused button) restores the
    starting values, and is announced once."""
    before_live = len(live(page, i)["changes"])
    box(page, i).locator(".explorer-reset").focus()
    page.keyboard.press(how)
    try:
        settled_state(page, kernel, i, lambda s: s["values"] == s["initial"], timeout_s=60)
    except AssertionError as error:
        return [f"explorer {i}: reset by {how}: {error}"]
    if len(live(page, i)["changes"]) - before_live != 1:
        return [f"explorer {i}: reset by {how} was not announced once"]
    return []


@pytest.mark.parametrize("name", NAMES)
def test_an_explorer_without_a_mouse_and_without_sight(lab, name):
    page, kernel, errors = lab
    i = NAMES.index(name)
    box(page, i).scroll_into_view_if_needed()
    state = kernel.state()[name]
    region = live(page, i)
    assert (region["role"], region["live"]) == ("status", "polite"), region
    assert region["html"] == state["status"], "the live region does not say the status line"

    problems = check_tab_walk(page, i, state["controls"])
    started = time.monotonic()
    for key, _description, stops in state["controls"]:
        if stops is None:
            continue                        # a text box or drop-down: the browser's own keys
        handle = box(page, i).locator(f".explorer-{key} .noUi-handle")
        handle.focus()
        k = stops.index(kernel.state()[name]["values"][key])
        for press in (FULL if key == "beta" else SHORT):
            found, k = press_and_check(page, kernel, i, key, press, stops, k)
            problems += found
        if key == "beta":                   # four quick presses: one announcement
            found, k = press_and_check(page, kernel, i, key, "ArrowLeft", stops, k,
                                       pressed=QUICK_PRESSES)
            problems += found
    problems += check_reset(page, kernel, i, "Enter")
    beta = [stops for key, _d, stops in state["controls"] if key == "beta"][0]
    box(page, i).locator(".explorer-beta .noUi-handle").focus()
    page.keyboard.press("Home")
    settled_state(page, kernel, i, lambda s: s["values"]["beta"] == beta[0])
    problems += check_reset(page, kernel, i, "Space")
    print(f"{name}: keyboard walk in {time.monotonic() - started:.0f} s, load {bs.load_average()}")
    assert not problems, "\n".join(problems)
    assert not errors, f"uncaught JavaScript errors: {errors}"
