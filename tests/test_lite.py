"""The JupyterLite edition (`make lite`) in a real Chromium, fully offline.

The site under test is the one `make lite` built into _site/ (or $MOMENTUM_LITE_SITE): the same
recipe the GitHub Pages workflow deploys. `.ci/run` builds it during set-up; here it is only
checked (provenance, freshness) and served from 127.0.0.1 by Python's http.server.

For every notebook: open it in the Lite JupyterLab UI, wait for the Pyodide kernel, check that
its tab carries no "modified" mark (the build stores the Pyodide kernel's metadata), clear the
stored outputs, Run All, and check that every code cell ran without an error and every
explorer drew its figure; move each explorer's β and η sliders with the keyboard. For 01 and
the exercises notebook also: drag a slider with the mouse, and (exercises) type an answer
into a cell the way a learner does and read `check(...)`'s feedback, compared with what the
same call gives in CPython. Every request the browser makes (pages, workers, the service
worker) is recorded; the test fails if any went anywhere but the local server.

Timings (kernel start, Run All, key press → new image) go to test-artifacts/lite_timings.json
and are reported, never asserted. Skips without Chromium/playwright or without a built site,
unless MOMENTUM_REQUIRE_BROWSER=1 (CI), where those are failures.
"""

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

import devtools as bs
from devtools import a11y

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1200)]

NOTEBOOKS = bs.notebook_paths()
VIEWPORT = {"width": 1400, "height": 1000}
KEY_MOVES = 2  # per slider: → then ←
# Sized for a loaded 2-core machine: a cold Pyodide start is ~20 s on a quiet one.
KERNEL_TIMEOUT_MS = 300_000
RUN_ALL_TIMEOUT_MS = 600_000
DIRTY_TAB = ".lm-TabBar-tab.jp-mod-current.jp-mod-dirty"
SETTLE_MS = 3000

CELL = bs.LAB_CELL


def site_dir():
    return Path(os.environ.get("MOMENTUM_LITE_SITE", bs.REPO / "_site")).resolve()


def is_first_or_exercises(nb):
    return nb.name.startswith("01_") or nb.name.endswith("_exercises.ipynb")


@pytest.fixture(scope="module")
def site():
    """The built site, checked: provenance of every binary, and built from this tree."""
    path = site_dir()
    if not (path / "jupyter-lite.json").exists():
        bs.unavailable(f"no JupyterLite site in {path}: build it with `make lite`")
    # The build's own check, re-run: every official wheel equals the official lock's sha256,
    # Pyodide comes from the site, no PyPI fallback, the keyboard patch is in place, and the
    # site's notebooks are notebooks/ with the Pyodide kernel's metadata.
    result = subprocess.run([sys.executable, str(bs.REPO / "lite" / "build.py"), "verify",
                             "--output", str(path), "--no-fetch"],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"site verification failed:\n{result.stdout}\n{result.stderr}"
    wheels = sorted((path / "static" / "pyodide").glob("momentum_lib-*.whl"))
    assert len(wheels) == 1, f"expected one momentum_lib wheel in the site, found {wheels}"
    with zipfile.ZipFile(wheels[0]) as zf:
        in_wheel = {n: zf.read(n) for n in zf.namelist() if n.startswith("momentum_lib/")}
    source = {p.relative_to(bs.REPO).as_posix(): p.read_bytes()
              for p in (bs.REPO / "momentum_lib").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    differ = sorted(n for n in in_wheel if source.get(n) != in_wheel[n])
    missing = sorted(n for n in source if n.endswith(".py") and n not in in_wheel)
    assert not differ and not missing, (
        f"the site's momentum_lib wheel is not this tree's (differ {differ}, missing {missing}): "
        "run `make lite`")
    return path


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    srv = bs.start_static(site, tmp_path_factory.mktemp("lite-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(playwright_browser):
    return playwright_browser


@pytest.fixture(scope="module")
def timings():
    results = {}
    yield results
    if results:
        bs.ARTIFACTS.mkdir(exist_ok=True)
        keys = [t for r in results.values() for t in r.get("key_to_src_ms", [])]
        drags = [t for r in results.values() for t in r.get("drag_release_to_final_ms", [])]
        out = {"load_average": os.getloadavg(),
               "summary": {"key_to_src_ms": bs.summarise(keys),
                           "drag_release_to_final_ms": bs.summarise(drags)},
               "per_notebook": {nb: {k: (bs.summarise(v) if k.endswith("_ms") else v)
                                     for k, v in r.items()} for nb, r in results.items()}}
        (bs.ARTIFACTS / "lite_timings.json").write_text(json.dumps(out, indent=2))
        print("\nJupyterLite timings:", json.dumps(out["summary"]))


class Requests:
    """Every request the browser context makes, from pages, workers and the service worker."""

    def __init__(self, origin):
        self.origin = origin
        self.all, self.foreign = [], []

    def __call__(self, request):
        url = request.url
        self.all.append(url)
        scheme = urlparse(url).scheme
        if scheme in ("blob", "data", "about"):
            return
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}" != self.origin and not (
                parsed.scheme == "ws" and parsed.netloc == urlparse(self.origin).netloc):
            self.foreign.append(url)

    def site_bytes(self, site):
        """Bytes of the site's files fetched (each URL once, as a first visit would)."""
        total = 0
        for path in {urlparse(u).path for u in self.all if u.startswith(self.origin)}:
            f = site / path.lstrip("/")
            if f.is_dir():
                f = f / "index.html"
            if f.is_file():
                total += f.stat().st_size
        return total


def printed_differences(page, nb):
    """Cells whose printed text (stdout) after Run All in the browser differs from the stored
    notebook's, for every cell nbval checks (not tagged nbval-ignore-output / nbval-skip):
    the numbers the prose states, computed by Pyodide's numpy, must be CPython's."""
    shown = bs.printed_by_cell(page)
    cells = json.loads(nb.read_text())["cells"]
    assert len(shown) == len(cells), f"{nb.name}: {len(shown)} cells in the page, {len(cells)} stored"
    out, compared = [], 0
    for i, cell in enumerate(cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or {"nbval-ignore-output", "nbval-skip"} & set(tags):
            continue
        stored = "".join("".join(o["text"]) if isinstance(o["text"], list) else o["text"]
                         for o in cell.get("outputs", [])
                         if o["output_type"] == "stream" and o["name"] == "stdout")
        compared += bool(stored.strip())
        if " ".join(stored.split()) != " ".join(shown[i].split()):
            out.append(f"cell {cell.get('id', i)}: stored {stored[:300]!r}, browser {shown[i][:300]!r}")
    return out, compared


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(html_text):
    parser = _Text()
    parser.feed(html_text)
    return " ".join("".join(parser.parts).split())


def learner_answers(page, nb):
    """Type a wrong answer into the first numeric exercise the way a learner does (edit the
    `answer = None` cell, Shift+Enter, Shift+Enter on the check cell); return what the page
    shows and what CPython's `check` gives for the same call."""
    from momentum_lib.exercises import check, tolerance

    cells = json.loads(nb.read_text())["cells"]
    target = None
    for i in range(1, len(cells)):
        m = re.fullmatch(r'\s*check\("(\w+)", answer\)\s*', "".join(cells[i]["source"]))
        prev = "".join(cells[i - 1]["source"])
        if m and cells[i - 1]["cell_type"] == "code" and prev.startswith("answer = None") \
                and tolerance(m.group(1)).startswith("a number"):
            target = (i, m.group(1))
            break
    assert target, f"{nb.name}: no `answer = None` / `check(\"exN\", answer)` pair for a number"
    index, ex_id = target
    wrong = 123456.0
    expected = check(ex_id, wrong)
    assert expected.status == "incorrect", f"{wrong} is not a wrong answer to {ex_id}"

    answer_cell = page.locator(CELL).nth(index - 1)
    answer_cell.scroll_into_view_if_needed()
    answer_cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(f"answer = {wrong!r}")
    page.keyboard.press("Shift+Enter")
    check_cell = page.locator(CELL).nth(index)
    before = check_cell.locator(".jp-InputPrompt").inner_text()
    page.keyboard.press("Shift+Enter")  # the focus moved on to the check cell
    page.wait_for_function(
        """([sel, i, before]) => {
             const cell = document.querySelectorAll(sel)[i];
             const p = cell.querySelector('.jp-InputPrompt').textContent;
             return p !== before && !p.includes('*') && cell.querySelector('.jp-OutputArea-output');
           }""", arg=[CELL, index, before], timeout=120_000)
    shown = " ".join(check_cell.locator(".jp-OutputArea-output").first.inner_text().split())
    return ex_id, shown, visible_text(expected._repr_html_())


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline_in_jupyterlite(nb, browser, server, site, timings):
    shots = bs.ARTIFACTS / "browser" / "lite"
    shots.mkdir(parents=True, exist_ok=True)
    # A fresh context per notebook: empty cache, a cold Pyodide start each time.
    context = browser.new_context(viewport=VIEWPORT)
    requests = Requests(server.base_url)
    context.on("request", requests)
    page_errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    result = timings.setdefault(nb.name, {})
    try:
        t0 = time.monotonic()
        page.goto(server.url(f"/lab/index.html?path={nb.name}"))
        page.wait_for_selector(CELL, timeout=KERNEL_TIMEOUT_MS)
        bs.wait_kernel_idle(page, timeout_ms=KERNEL_TIMEOUT_MS)
        result["kernel_ready_s"] = round(time.monotonic() - t0, 1)
        # Opened unmodified: JupyterLab writes the kernel's language_info when its kernel_info
        # reply arrives, which can come after the status bar first reads Idle; the build stores
        # the Pyodide kernel's, so no "modified" mark may appear on the tab.
        page.wait_for_timeout(SETTLE_MS)
        assert not page.locator(DIRTY_TAB).count(), (
            f"{nb.name} is marked modified right after opening, before any edit")

        t1 = time.monotonic()
        bs.lab_run_all(page, timeout_ms=RUN_ALL_TIMEOUT_MS)
        result["run_all_s"] = round(time.monotonic() - t1, 1)
        not_run, errors, warnings = bs.lab_run_all_outcome(page, nb, timeout_ms=120_000)
        result["warnings"] = warnings
        page.screenshot(path=str(shots / f"{nb.stem}.png"))
        assert not errors, f"{nb.name}: error output after Run All in JupyterLite:\n" + "\n".join(errors)
        assert not not_run, f"{nb.name}: code cells (by code-cell position) did not run: {not_run}"
        differ, result["printed_cells_compared"] = printed_differences(page, nb)
        assert not differ, (f"{nb.name}: printed output in the browser (Pyodide) differs from the "
                            "stored notebook:\n" + "\n".join(differ))
        n_explorers = page.locator(".momentum-explorer").count()
        if n_explorers:
            result["first_figure_s"] = round(time.monotonic() - t0, 1)

        # Keyboard: every explorer, β and η, → then ← (checks readout and image change).
        moved = bs.exercise_explorers(page, KEY_MOVES, str(shots / nb.stem))
        result["explorers"] = moved["explorers"]
        result["key_to_src_ms"] = moved["src_ms"]
        # Accessibility, as in JupyterLab and classroom mode (tests/test_jupyterlab.py, tests/test_classroom.py): after Run All
        # and the explorers' moves, no serious or critical WCAG finding in the project's content.
        found = a11y.audit(page, "lab", where=f"static edition {nb.stem}")
        assert not a11y.counted(found), a11y.describe(a11y.counted(found))

        if is_first_or_exercises(nb):
            assert n_explorers, f"{nb.name}: expected at least one explorer"
            drags, failures = [], []
            for direction in (1, -1):
                d = bs.drag_slider(page, 0, "explorer-beta", duration_ms=300, steps=8,
                                   quiet_ms=1000, timeout_ms=30_000, direction=direction,
                                   fraction=0.15)
                drags.append(d["release_to_final_ms"])
                (r0, r1), (s0, s1) = d["readout"], d["src"]
                if r0 == r1 or s0 == s1:
                    failures.append(f"drag {direction:+d}: readout {r0}→{r1}, image changed {s0 != s1}")
            assert not failures, f"{nb.name}: mouse drag did not move the slider: {failures}"
            result["drag_release_to_final_ms"] = drags

        if nb.name.endswith("_exercises.ipynb"):
            ex_id, shown, expected = learner_answers(page, nb)
            assert "Traceback" not in shown and "Error" not in shown, shown
            # Compared without whitespace: the page's line breaks between list items are
            # layout, every other character must be the same.
            assert "".join(shown.split()) == "".join(expected.split()), (f"check({ex_id!r}, …) in the browser showed\n  {shown}\n"
                                       f"CPython gives\n  {expected}")
            page.screenshot(path=str(shots / f"{nb.stem}-check.png"))

        assert not page_errors, f"{nb.name}: uncaught JavaScript errors: {page_errors}"
    finally:
        page.close()
        context.close()
    assert requests.all, "no request was recorded: the request log is not working"
    assert not requests.foreign, (f"{nb.name}: requests left {server.base_url}: "
                                  f"{sorted(set(requests.foreign))[:20]}")
    result["requests"] = len(requests.all)
    result["fetched_mb"] = round(requests.site_bytes(site) / 1e6, 1)
    s = bs.summarise(result.get("key_to_src_ms", []))
    print(f"JupyterLite {nb.name}: kernel {result['kernel_ready_s']} s, Run All {result['run_all_s']} s"
          + (f", key → image median {s['median']} ms over {s['n']}" if s else ""))
