"""Every notebook in a real browser: JupyterLab (Run All) and classroom mode (Voila).

Debian's Chromium, driven by playwright, against a real JupyterLab and a real
``make present``. For each notebook: no error output; every explorer's figure is
drawn; moving its β and lr sliders with the keyboard changes the figure and the
readout; key press → new image is timed in the page (performance.now()). Timings go
to test-artifacts/browser_timings.json, screenshots to test-artifacts/browser/.

Skips when /usr/bin/chromium or playwright is missing, unless
MOMENTUM_REQUIRE_BROWSER=1 (CI), when it fails instead. One server and one browser
per session, one page per notebook; the notebooks are served from a copy.
"""

import json
import shutil
import time
from pathlib import Path

import pytest

import devtools as bs

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOKS = bs.notebook_paths()
MOVES_PER_SLIDER = 10  # alternating → and ←, so the value returns to where it began
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="session")
def oracle(served_copy, tmp_path_factory):
    """Per notebook, what its explorers hold after a headless run (no front end), and after
    each explorer's reset(): computed once per session, on first use, from the served copy
    in an environment made as the servers' are."""
    cache = {}
    env = bs.isolated_env(tmp_path_factory.mktemp("oracle-home"))

    def get(nb):
        if nb.name not in cache:
            cache[nb.name] = bs.oracle_reports(served_copy / nb.name, env=env)
        return cache[nb.name]
    return get


def check_fidelity(page, connection_file, nb, oracle, where):
    """The values the notebook's code set (and the figure drawn from them) are what the
    kernel holds after the page has rendered every explorer, and reset restores them.
    Returns the list of disagreements."""
    if not bs.has_explorers(nb):
        return []
    expected, expected_reset = oracle(nb)
    problems = bs.fidelity_problems(expected, bs.kernel_report(connection_file), where)
    bs.click_resets(page)
    problems += bs.fidelity_problems(expected_reset, bs.kernel_report(connection_file),
                                     f"{where}, after the reset buttons")
    return problems


def nagle_problem(server, kernel_id, where):
    """The page's websocket to its kernel has Nagle's algorithm off (momentum_lib/serving.py),
    as getsockopt reads it on the server's own socket. Without it, the small messages of a
    slider move wait for the browser's delayed acknowledgements (a 40 ms mode in key press →
    frame)."""
    sockets = [s for s in server.websockets() if s["kernel_id"] == kernel_id]
    if not sockets:
        return f"{where}: the server has no open websocket to kernel {kernel_id}"
    if not all(s["nodelay"] for s in sockets):
        return (f"{where}: kernel {kernel_id}'s websocket has TCP_NODELAY off "
                f"(see momentum_lib/serving.py): {sockets}")
    return None


def measure_drags(page, result):
    """A half-second mouse drag of every explorer's β slider; reported, never asserted."""
    result["drags"] = []
    for i in range(result["explorers"]):
        d = bs.drag_slider(page, i, "explorer-beta")
        d["load"] = bs.load_average()
        result["drags"].append(d)


@pytest.fixture(scope="session")
def record():
    """Collects per-notebook results; written as JSON when the session ends."""
    shutil.rmtree(bs.ARTIFACTS / "browser", ignore_errors=True)  # no stale screenshots
    results = {"jupyterlab": {}, "voila": {}}
    yield results
    summary = {}
    for frontend, per_nb in results.items():
        src = [t for r in per_nb.values() for t in r.get("src_ms", [])]
        load = [t for r in per_nb.values() for t in r.get("load_ms", [])]
        summary[frontend] = {"key_to_src_ms": bs.summarise(src), "key_to_decoded_ms": bs.summarise(load)}
    if any(results.values()):
        bs.ARTIFACTS.mkdir(exist_ok=True)
        out = {"summary": summary, "per_notebook": {
            f: {nb: {"explorers": r.get("explorers", 0),
                     "key_to_src_ms": bs.summarise(r.get("src_ms", [])),
                     "key_to_decoded_ms": bs.summarise(r.get("load_ms", [])),
                     "drags": r.get("drags", []), "load": r.get("load"),
                     "warnings": r.get("warnings", [])}
                for nb, r in per_nb.items()} for f, per_nb in results.items()}}
        out["console"] = [{"url": u, "type": t, "text": x[:300]} for u, t, x in CONSOLE]
        out["offsite_requests"] = sorted(set(OFFSITE))
        (bs.ARTIFACTS / "browser_timings.json").write_text(json.dumps(out, indent=2))
        print("\nkey press → new image (ms):", json.dumps(summary))
        for frontend, per_nb in results.items():
            drags = [d for r in per_nb.values() for d in r.get("drags", [])]
            if drags:
                print(f"{frontend}: drag release → final image (ms):",
                      [d["release_to_final_ms"] for d in drags], "outdated frames after release:",
                      [d["outdated_after_release"] for d in drags], "load:", bs.load_average())


CONSOLE = []          # (page url, type, text) of console warnings and errors, for the report
OFFSITE = []          # requests that left 127.0.0.1 (the series must work offline)


def new_page(browser, errors):
    page = browser.new_page(viewport=VIEWPORT)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: CONSOLE.append((page.url, msg.type, msg.text))
            if msg.type in ("warning", "error") else None)
    page.on("request", lambda req: OFFSITE.append(req.url)
            if not req.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
            else None)
    return page


def shots_dir(frontend):
    path = bs.ARTIFACTS / "browser" / frontend
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_timings(result, where):
    """Report key press → new image; timings are measured and reported, never asserted
    (a busy machine must not fail the suite, and speed is judged by benchmarks/)."""
    s = bs.summarise(result["src_ms"])
    if s is not None:
        print(f"{where}: key press → new image median {s['median']} ms, p95 {s['p95']} ms over {s['n']} moves")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(nb, playwright_browser, jupyterlab, record, oracle):
    errors_in_page = []
    page = new_page(playwright_browser, errors_in_page)
    try:
        # A workspace per notebook, so no other notebook's tab is restored beside it.
        page.goto(jupyterlab.url(f"/lab/workspaces/{nb.stem}/tree/notebooks/{nb.name}"))
        bs.wait_kernel_idle(page, timeout_ms=90_000)
        page.wait_for_selector(bs.LAB_CELL)
        bs.lab_run_all(page, timeout_ms=240_000)

        not_run, errors, warnings = bs.lab_run_all_outcome(page, nb, timeout_ms=60_000)
        page.screenshot(path=str(shots_dir("jupyterlab") / f"{nb.stem}.png"))
        assert not errors, f"{nb.name}: error output after Run All:\n" + "\n".join(errors)
        assert not not_run, f"{nb.name}: code cells (by code-cell position) did not run: {not_run}"

        kernel = next(s["kernel"]["id"] for s in jupyterlab.api("GET", "/api/sessions")
                      if s["path"].endswith(nb.name))
        fidelity = check_fidelity(page, bs.kernel_connection_file(jupyterlab, kernel), nb, oracle,
                                  f"JupyterLab {nb.name}")
        nagle = nagle_problem(jupyterlab, kernel, f"JupyterLab {nb.name}")
        views = bs.view_problems(page, 15, f"JupyterLab {nb.name}")
        result = bs.exercise_explorers(page, MOVES_PER_SLIDER, str(shots_dir("jupyterlab") / nb.stem))
        measure_drags(page, result)
        result["warnings"], result["load"] = warnings, bs.load_average()
        record["jupyterlab"][nb.name] = result
        assert not fidelity, "the kernel does not hold what the code set:\n" + "\n".join(fidelity)
        assert not views, "\n".join(views)
        assert not nagle, nagle
        assert not errors_in_page, f"{nb.name}: uncaught JavaScript errors: {errors_in_page}"
        check_timings(result, f"JupyterLab {nb.name}")
    finally:
        page.close()
        # Free the kernel before the next notebook (two cores; every kernel costs ~100 MB).
        for session in jupyterlab.api("GET", "/api/sessions"):
            jupyterlab.api("DELETE", f"/api/sessions/{session['id']}")


def test_classroom_mode_serves_the_index(playwright_browser, classroom, record):
    """`make present` serves the notebook folder through Voila with the classroom style."""
    errors_in_page = []
    offsite_before = len(OFFSITE)
    page = new_page(playwright_browser, errors_in_page)
    try:
        # The tree page is Voila's file browser (a JupyterLab DirListing), drawn by script
        # and filled by a request to the server; on a loaded machine the first load can
        # stall, so wait until every notebook is listed, and reload once before failing.
        expected = len(NOTEBOOKS)
        listed_all = ("n => [...document.querySelectorAll('.jp-DirListing-itemText')]"
                      ".filter(e => e.textContent.trim().endsWith('.ipynb')).length >= n")
        for attempt in (1, 2):
            page.goto(classroom.url("/"))
            try:
                page.wait_for_function(listed_all, arg=expected, timeout=45_000)
                break
            except Exception as exc:
                if attempt == 2:
                    raise AssertionError(f"the file listing did not show {expected} notebooks; "
                                         f"JavaScript errors: {errors_in_page}; "
                                         f"server log:\n{classroom.log()}") from exc
            finally:
                page.screenshot(path=str(shots_dir("voila") / "tree.png"))
        listed = [t.strip() for t in page.locator(".jp-DirListing-itemText").all_inner_texts()]
        assert [p.name for p in NOTEBOOKS] == sorted(t for t in listed if t.endswith(".ipynb"))
        css = page.request.get(classroom.url("/voila/templates/classroom/static/classroom.css"))
        assert css.ok and "--jp-content-font-size1" in css.text()
        assert not OFFSITE[offsite_before:], f"requests off this machine: {OFFSITE[offsite_before:]}"
    finally:
        page.close()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_classroom_mode(nb, playwright_browser, classroom, record, oracle):
    errors_in_page = []
    offsite_before = len(OFFSITE)
    page = new_page(playwright_browser, errors_in_page)
    try:
        page.goto(classroom.url(f"/voila/render/{nb.name}"), wait_until="domcontentloaded",
                  timeout=120_000)
        # voila_finish() reveals the rendered cells once every cell has executed.
        page.wait_for_selector("#rendered_cells", state="visible", timeout=180_000)
        page.wait_for_load_state("load")
        # Voila ships each output as a <script type="application/vnd.voila.cell-output+json">
        # and removes it once rendered; widget views then attach after the kernel connects.
        page.wait_for_function(
            """() => !document.querySelector('script[type="application/vnd.voila.cell-output+json"]')""",
            timeout=60_000)
        bs.wait_widgets_settled(page)

        # Code hidden: no input editors or highlighted sources anywhere.
        assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0, \
            f"{nb.name}: code visible in classroom mode"
        # Classroom type: the stylesheet makes body text larger than JupyterLab's 14 px.
        size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.jp-RenderedHTMLCommon') || document.body).fontSize)")
        assert size >= 20, f"{nb.name}: body text {size}px, classroom style not applied"

        # Voila wraps each notebook cell in <div cell-index="k"> (k from 1); it stops
        # rendering at the first unexpected error.
        n_cells = len(json.loads(nb.read_text())["cells"])
        rendered = page.locator(bs.VOILA_CELL).count()
        errors, warnings = bs.cell_problems(page, bs.VOILA_CELL, bs.raises_exception_cells(nb))
        assert not errors, f"{nb.name}: error output in classroom mode:\n" + "\n".join(errors)
        assert rendered == n_cells, f"{nb.name}: Voila rendered {rendered} of {n_cells} cells"
        page.screenshot(path=str(shots_dir("voila") / f"{nb.stem}.png"))

        kernel = bs.voila_kernel_id(page)
        fidelity = check_fidelity(page, bs.kernel_connection_file(classroom, kernel),
                                  nb, oracle, f"Voila {nb.name}")
        nagle = nagle_problem(classroom, kernel, f"Voila {nb.name}")
        # Classroom type reaches the controls too (the page's own text is ≥ 20 px).
        views = bs.view_problems(page, 20, f"Voila {nb.name}")
        result = bs.exercise_explorers(page, MOVES_PER_SLIDER, str(shots_dir("voila") / nb.stem))
        measure_drags(page, result)
        result["warnings"], result["load"] = warnings, bs.load_average()
        record["voila"][nb.name] = result
        assert not fidelity, "the kernel does not hold what the code set:\n" + "\n".join(fidelity)
        assert not OFFSITE[offsite_before:], f"{nb.name}: requests off this machine: {OFFSITE[offsite_before:]}"
        assert not views, "\n".join(views)
        assert not nagle, nagle
        lab = record["jupyterlab"].get(nb.name)
        if lab is not None:
            assert result["explorers"] == lab["explorers"], \
                f"{nb.name}: {lab['explorers']} explorers in JupyterLab, {result['explorers']} in Voila"
        assert not errors_in_page, f"{nb.name}: uncaught JavaScript errors: {errors_in_page}"
        check_timings(result, f"Voila {nb.name}")
    finally:
        page.close()


def test_classroom_mode_culls_the_kernels_of_closed_pages(playwright_browser, served_copy, tmp_path):
    """`make present` shuts down a kernel once its page has been closed for CULL_IDLE
    seconds, and leaves the kernel of an open page alone however idle."""
    if not Path("/proc").exists():
        pytest.skip("needs /proc to see the kernels")
    server = bs.start_present(served_copy, tmp_path / "home", "CULL_IDLE=3", "CULL_INTERVAL=1")
    page = new_page(playwright_browser, [])
    try:
        page.goto(server.url("/voila/render/00_index.ipynb"), wait_until="domcontentloaded",
                  timeout=120_000)
        page.wait_for_selector("#rendered_cells", state="visible", timeout=120_000)
        kernels = bs.kernel_processes(server)
        assert len(kernels) == 1, f"expected the page's kernel, found {kernels}"
        page.wait_for_timeout(6000)            # idle for twice CULL_IDLE, page still open
        assert bs.kernel_processes(server) == kernels, "the kernel of an open page was culled"
        page.close()
        deadline = time.monotonic() + 60
        while bs.kernel_processes(server) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not bs.kernel_processes(server), "the kernel of a closed page is still running"
    finally:
        if not page.is_closed():
            page.close()
        server.stop()
