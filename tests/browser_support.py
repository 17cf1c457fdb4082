"""Helpers for the browser tests: servers, Chromium, and what we measure in the page.

Kept apart from ``test_browser.py`` so the tests read as a list of checks. Nothing
here imports playwright at module level: without it (or without Chromium) the tests
skip with a reason, or fail when ``MOMENTUM_REQUIRE_BROWSER=1`` (CI sets it).
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
BIN = Path(sys.executable).parent

# Debian's chromium; playwright's own browser download is not used anywhere.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def notebooks_dir():
    """The notebooks under test: ``notebooks/``, or ``$MOMENTUM_NOTEBOOKS_DIR`` (for trying
    the tests on scratch notebooks)."""
    return Path(os.environ.get("MOMENTUM_NOTEBOOKS_DIR", REPO / "notebooks")).resolve()


def notebook_paths():
    return sorted(notebooks_dir().glob("*.ipynb"))


def unavailable(reason):
    """Skip with ``reason``, or fail when the environment requires the browser tests."""
    if os.environ.get("MOMENTUM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MOMENTUM_REQUIRE_BROWSER=1, so this is a failure, not a skip)",
                    pytrace=False)
    pytest.skip(reason)


def require_browser_stack():
    """Return the playwright sync API, or skip/fail naming what is missing."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found: install Debian's chromium "
                    "(apt-get install chromium) to run the browser tests")
    try:
        from playwright import sync_api
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install -r requirements-dev.txt)")
    return sync_api


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(home):
    """Environment for a Jupyter server that sees none of the user's Jupyter/IPython state."""
    env = dict(os.environ)
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                      ("MPLCONFIGDIR", "matplotlib")):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    env["PYTHONUNBUFFERED"] = "1"
    # The venv's bin first, so the kernel and voila are this environment's.
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def copy_notebooks(dest):
    """Copy the notebooks (and anything beside them) so a browser run can never write
    into the working tree."""
    shutil.copytree(notebooks_dir(), dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


class Server:
    """A server subprocess in its own process group, with its log in a file."""

    def __init__(self, argv, env, cwd, log_path, base_url, ready_path, token=""):
        self.home = Path(log_path).parent
        self.base_url = base_url
        self.token = token
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(ready_path)

    def url(self, path, **query):
        if self.token:
            query["token"] = self.token
        q = "&".join(f"{k}={v}" if v is not None else k for k, v in query.items())
        return f"{self.base_url}{path}" + (f"?{q}" if q else "")

    def _wait_ready(self, path, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()}")

    def api(self, method, path):
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log(self):
        self._log.flush()
        return Path(self.log_path).read_text(errors="replace")[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self._log.close()


def write_lab_settings(settings_dir):
    """User settings for the test server: no autosave (the copy is never written back
    anyway), no windowing (every cell stays in the DOM so all explorers can be found),
    no news or update checks (their pop-up covers the bottom-right corner)."""
    files = {
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
    }
    for rel, content in files.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def start_jupyterlab(root, home):
    """JupyterLab on 127.0.0.1 with a token, serving ``root``; config under ``home``."""
    port, token = free_port(), os.urandom(12).hex()
    settings, workspaces = home / "lab-settings", home / "lab-workspaces"
    write_lab_settings(settings)
    workspaces.mkdir(parents=True, exist_ok=True)
    argv = [str(BIN / "jupyter"), "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"]
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that unless told
        argv.append("--ServerApp.allow_root=True")
    return Server(argv, isolated_env(home), root, home / "jupyterlab.log",
                  f"http://127.0.0.1:{port}", "/api/status", token)


def start_present(root, home, *make_vars):
    """``make present`` (classroom mode) serving ``root`` on a free port, no browser opened;
    ``make_vars`` such as ``"CULL_IDLE=4"`` are passed to make."""
    port = free_port()
    argv = ["make", "--no-print-directory", "-o", ".venv/.installed-lab", "present",
            f"PRESENT_DIR={root}", f"BIN={BIN}",
            f"PRESENT_ARGS=--port={port} --no-browser", *make_vars]
    return Server(argv, isolated_env(home), REPO, home / "voila.log",
                  f"http://127.0.0.1:{port}", "/")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)


# --- In the page -------------------------------------------------------------------
# An explorer's figure (``.explorer-figure``) is either one <img> (the whole PNG frame) or a
# container of two stacked <img>: ``img.explorer-background`` (the static part, a PNG sent
# only when it changes) under ``img.explorer-moves`` (what a β/η move redraws). MOVES_IMG is
# the image a move changes; RASTER_IMG the one whose pixels could be stretched (the
# background when it has a src, else the moves image). Substituted into the snippets below.
MOVES_IMG = """(box) => {
  const moves = box.querySelector('img.explorer-moves');
  if (moves) return moves;
  const fig = box.querySelector('.explorer-figure');
  return fig && (fig.tagName === 'IMG' ? fig : fig.querySelector('img'));
}"""
RASTER_IMG = """(box) => {
  const bg = box.querySelector('img.explorer-background');
  return bg && bg.getAttribute('src') ? bg : (MOVES_IMG)(box);
}""".replace("MOVES_IMG", MOVES_IMG)


# One probe per page. A capture-phase keydown listener stamps performance.now() as the
# key event enters the page; a MutationObserver on the <img> a move changes (MOVES_IMG) stamps when its
# src changes (ipywidgets swaps in a new blob URL per image), and a load listener when the
# new image is decoded. Latency = src change − key down, all on the page's clock.
INSTALL_PROBE = """
() => {
  if (window.__probe) return;
  const probe = window.__probe = {keyAt: null, imgs: [], changes: [], loads: []};
  document.addEventListener('keydown', () => { probe.keyAt = performance.now(); }, true);
  document.addEventListener('pointerup', () => { probe.upAt = performance.now(); }, true);
  probe.watch = () => {
    document.querySelectorAll('.momentum-explorer').forEach((box) => {
      const img = (MOVES_IMG)(box);
      if (!img || probe.imgs.includes(img)) return;
      const i = probe.imgs.push(img) - 1;
      probe.changes[i] = []; probe.loads[i] = [];
      new MutationObserver(() => probe.changes[i].push({at: performance.now(), key: probe.keyAt}))
        .observe(img, {attributes: true, attributeFilter: ['src']});
      img.addEventListener('load', () => probe.loads[i].push({at: performance.now(), key: probe.keyAt}));
    });
    return probe.imgs.length;
  };
}
""".replace("MOVES_IMG", MOVES_IMG).replace("RASTER_IMG", RASTER_IMG)

EXPLORER_STATE = """
() => Array.from(document.querySelectorAll('.momentum-explorer')).map((box) => {
  const img = (MOVES_IMG)(box);
  const readout = (cls) => {
    const s = box.querySelector('.' + cls);
    const r = s && s.querySelector('.widget-readout');
    return r ? (r.value !== undefined && r.tagName === 'INPUT' ? r.value : r.textContent.trim()) : null;
  };
  const status = box.querySelector('.explorer-status');
  return {
    src: img ? img.getAttribute('src') || '' : '',
    complete: img ? img.complete : false,
    width: img ? img.naturalWidth : 0, height: img ? img.naturalHeight : 0,
    beta: readout('explorer-beta'), lr: readout('explorer-lr'),
    hasBeta: !!box.querySelector('.explorer-beta .noUi-handle'),
    hasLr: !!box.querySelector('.explorer-lr .noUi-handle'),
    status: status ? status.textContent.trim() : null,
  };
})
""".replace("MOVES_IMG", MOVES_IMG).replace("RASTER_IMG", RASTER_IMG)

# Text of every output in each cell, by cell position (0-based, all cell types), so the
# test can tell which notebook cell an error came from and honour `raises-exception`.
CELL_PROBLEMS = """
(cellSelector) => Array.from(document.querySelectorAll(cellSelector)).map((cell, index) => {
  const problems = [];
  cell.querySelectorAll('.jp-OutputArea-output').forEach((out) => {
    const mime = out.getAttribute('data-mime-type') || '';
    const text = out.textContent || '';
    if (mime === 'application/vnd.jupyter.stderr') problems.push({kind: 'stderr', text});
    else if (/Error displaying widget|Error rendering|Model not found/i.test(text))
      problems.push({kind: 'widget', text});
  });
  return {index, problems};
}).filter((c) => c.problems.length)
"""


# JupyterLab's (and JupyterLite's) cells of the notebook in view, their input prompts, and
# the MIME type of a widget output.
LAB_CELL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"
LAB_PROMPTS = f"{LAB_CELL}.jp-CodeCell .jp-InputPrompt"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def lab_run_all_outcome(page, nb_path, timeout_ms):
    """After Run All in JupyterLab or JupyterLite: wait until every widget output has a
    rendered view and the explorers have settled, then return (code cells by position that
    did not run, error outputs, warnings) as ``cell_problems`` sorts them."""
    page.wait_for_function(
        f"""() => Array.from(document.querySelectorAll('{LAB_CELL} .jp-OutputArea-output[data-mime-type="{WIDGET_MIME}"]'))
             .every((o) => o.children.length > 0)""", timeout=timeout_ms)
    wait_widgets_settled(page)
    prompts = page.eval_on_selector_all(LAB_PROMPTS, "els => els.map(e => e.textContent.trim())")
    not_run = [i for i, t in enumerate(prompts) if not any(ch.isdigit() for ch in t)]
    errors, warnings = cell_problems(page, LAB_CELL, raises_exception_cells(nb_path))
    return not_run, errors, warnings


def cell_problems(page, cell_selector, raises_ok):
    """Error-like outputs outside cells tagged ``raises-exception``; stderr without a
    traceback (e.g. a warning) is returned separately so it can be reported."""
    errors, warnings = [], []
    for cell in page.evaluate(CELL_PROBLEMS, cell_selector):
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


def wait_widgets_settled(page, quiet_ms=1500, timeout_ms=60_000):
    """Wait until the number of explorers in the page has stopped changing for
    ``quiet_ms`` (widget views attach asynchronously after the outputs arrive)."""
    page.wait_for_function(
        """(quiet) => {
             const n = document.querySelectorAll('.momentum-explorer').length;
             const now = performance.now();
             if (window.__settle === undefined || window.__settle.n !== n) window.__settle = {n, since: now};
             return now - window.__settle.since >= quiet;
           }""", arg=quiet_ms, polling=100, timeout=timeout_ms)


def wait_explorers_drawn(page, timeout_ms=60_000):
    """Wait until every explorer's image has a src and is decoded; return their states."""
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.momentum-explorer')).every((box) => {
             const img = (MOVES_IMG)(box), raster = (RASTER_IMG)(box);
             return img && img.getAttribute('src') && img.complete && img.naturalWidth > 0
                    && raster.complete;
           })""".replace("MOVES_IMG", MOVES_IMG).replace("RASTER_IMG", RASTER_IMG), timeout=timeout_ms)
    return page.evaluate(EXPLORER_STATE)


def move_slider(page, explorer_index, slider_class, key, timeout_ms=10_000):
    """Press ``key`` on one slider's handle; wait for the new image; return
    (ms to src change, ms to image decoded, readout before, readout after)."""
    box = page.locator(".momentum-explorer").nth(explorer_index)
    handle = box.locator(f".{slider_class} .noUi-handle").first
    field = "beta" if slider_class == "explorer-beta" else "lr"
    before = page.evaluate(EXPLORER_STATE)[explorer_index]
    n_changes, n_loads = page.evaluate(
        "(i) => [window.__probe.changes[i].length, window.__probe.loads[i].length]", explorer_index)
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function(
        "([i, n, m]) => window.__probe.changes[i].length > n && window.__probe.loads[i].length > m",
        arg=[explorer_index, n_changes, n_loads], timeout=timeout_ms)
    change, load = page.evaluate(
        "([i, n, m]) => [window.__probe.changes[i][n], window.__probe.loads[i][m]]",
        [explorer_index, n_changes, n_loads])
    after = page.evaluate(EXPLORER_STATE)[explorer_index]
    return (change["at"] - change["key"], load["at"] - load["key"],
            before[field], after[field], before["src"], after["src"])


def exercise_explorers(page, moves_per_slider, shot_prefix):
    """Move every explorer's β and lr sliders with the keyboard, alternating
    ArrowRight/ArrowLeft so a slider never runs into its end; check figure and readout
    change on every move. Returns {"explorers": n, "src_ms": [...], "load_ms": [...]}
    and saves one screenshot per explorer."""
    states = wait_explorers_drawn(page)
    page.evaluate(INSTALL_PROBE)
    assert page.evaluate("() => window.__probe.watch()") == len(states)
    src_ms, load_ms, failures = [], [], []
    for i, state in enumerate(states):
        assert state["width"] > 0 and state["height"] > 0, f"explorer {i}: figure not drawn"
        assert state["hasBeta"] and state["hasLr"], f"explorer {i}: β or lr slider missing ({state})"
        page.locator(".momentum-explorer").nth(i).scroll_into_view_if_needed()
        for cls in ("explorer-beta", "explorer-lr"):
            for k in range(moves_per_slider):
                key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                try:
                    t_src, t_load, r0, r1, s0, s1 = move_slider(page, i, cls, key)
                except Exception as exc:  # playwright TimeoutError: no new image came
                    failures.append(f"explorer {i} {cls} move {k} ({key}): no new image ({exc.__class__.__name__})")
                    continue
                if r0 == r1:
                    failures.append(f"explorer {i} {cls} move {k}: readout stayed {r0!r}")
                if s0 == s1:
                    failures.append(f"explorer {i} {cls} move {k}: image src unchanged")
                src_ms.append(t_src)
                load_ms.append(t_load)
        page.locator(".momentum-explorer").nth(i).screenshot(path=f"{shot_prefix}-explorer{i + 1}.png")
    assert not failures, "\n".join(failures)
    return {"explorers": len(states), "src_ms": src_ms, "load_ms": load_ms}


def summarise(ms):
    if not ms:
        return None
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"n": len(ms), "median": round(statistics.median(ms), 1), "p95": round(p95, 1),
            "max": round(ordered[-1], 1)}


# --- Fidelity: what the kernel holds against what the notebook's code set -----------
# The oracle is the same notebook run headless (nbclient, no front end): there no
# slider can write anything back, so its explorers hold exactly what the code set.
# In the browser, after the page has rendered every explorer, the same question is put
# to the page's own kernel through a second websocket connection.
REPORT_CODE = r"""
import json as _fj, hashlib as _fh, base64 as _fb
from momentum_lib.explorers import Explorer as _FE
def _fidelity_report():
    out = {}
    for _name, _ex in sorted(globals().items()):
        if isinstance(_ex, _FE) and not _name.startswith('_'):
            out[_name] = {
                "values": dict(_ex.values),
                "widgets": {k: w.value for k, w in _ex.controls.items()},
                "state": {k: _ex.state.get(k) for k in _ex.controls},
                "png": _fh.sha1(_ex.png()).hexdigest(),
                "png_bytes": _fb.b64encode(_ex.png()).decode(),
                "frames_drawn": _ex.frames_drawn,
            }
    return out
print("FIDELITY" + _fj.dumps(_fidelity_report(), default=repr))
"""
RESET_CODE = ("for _fx in [v for k, v in globals().items() if isinstance(v, _FE) and not k.startswith('_')]:\n"
              "    _fx.reset()\n" + 'print("FIDELITY" + _fj.dumps(_fidelity_report(), default=repr))\n')


def _parse_report(text):
    for line in text.splitlines():
        if line.startswith("FIDELITY"):
            return json.loads(line[len("FIDELITY"):])
    raise AssertionError(f"no fidelity report in kernel output:\n{text[-2000:]}")


def has_explorers(nb_path):
    return "Explorer" in Path(nb_path).read_text()


def oracle_reports(nb_path, env=None, timeout=300):
    """(after the notebook's code, after every explorer's reset()) from a headless run;
    ``env``: the kernel's environment (give it the servers' :func:`isolated_env`, so the
    two runs differ only in having a front end, not in matplotlib's or IPython's config)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(nb_path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CODE))
    nb.cells.append(nbformat.v4.new_code_cell(RESET_CODE))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(nb_path).parent)}})
    client.execute(**({} if env is None else {"env": env}))

    def text(cell):
        return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")

    return _parse_report(text(nb.cells[-2])), _parse_report(text(nb.cells[-1]))


def kernel_connection_file(server, kernel_id):
    """The connection file of a kernel the server started: JupyterLab keeps it in its
    runtime directory, Voila in the directory its log names. The test then talks to the
    kernel directly over ZMQ (Voila's websocket refuses execute requests from a page)."""
    dirs = [server.home / "runtime"]
    server._log.flush()
    full_log = Path(server.log_path).read_text(errors="replace")
    match = re.search(r"Storing connection files in (\S+?)\.?$", full_log, re.MULTILINE)
    if match:
        dirs.append(Path(match.group(1)))
    for d in dirs:
        path = d / f"kernel-{kernel_id}.json"
        if path.exists():
            return path
    raise AssertionError(f"no connection file for kernel {kernel_id} in {dirs}")


def voila_kernel_id(page):
    return page.evaluate(
        "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def kernel_run(connection_file, code, timeout=60):
    """Run ``code`` in a running kernel (a second client); return its stdout."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    client.start_channels()
    try:
        out = []
        reply = client.execute_interactive(
            code, timeout=timeout, store_history=False,
            output_hook=lambda msg: out.append(
                msg["content"].get("text", "") if msg["msg_type"] == "stream"
                else (f"{msg['content']['ename']}: {msg['content']['evalue']}"
                      if msg["msg_type"] == "error" else "")))
        text = "".join(out)
        if reply["content"]["status"] != "ok":
            raise AssertionError(f"kernel query failed: {text[-2000:]}")
        return text
    finally:
        client.stop_channels()


def kernel_report(connection_file, code=REPORT_CODE):
    return _parse_report(kernel_run(connection_file, code))


def fidelity_problems(expected, got, where):
    """Every explorer value, widget value, value behind the figure, and the figure itself
    in the browser's kernel, against the headless run."""
    problems = []
    if sorted(expected) != sorted(got):
        problems.append(f"{where}: explorers {sorted(got)}, expected {sorted(expected)}")
    for name in sorted(set(expected) & set(got)):
        e, g = expected[name], got[name]
        for part, what in (("values", "kept"), ("widgets", "in its widget"),
                           ("state", "behind the figure")):
            for key, value in e["values"].items():
                if g[part].get(key) != value:
                    problems.append(f"{where}: {name}.{key} = {g[part].get(key)!r} {what}; "
                                    f"the notebook's code set {value!r}")
        if e["png"] != g["png"]:
            problems.append(f"{where}: {name}'s figure differs from the headless run's "
                            f"({_png_difference(e, g, f'{where}-{name}')}; frames drawn: "
                            f"{g.get('frames_drawn')} here, {e.get('frames_drawn')} headless)")
    return problems


def _png_difference(expected, got, stem):
    """Where two reported figures differ (saved under test-artifacts/fidelity/ for a look)."""
    import base64
    import io

    import numpy as np
    from matplotlib import image

    out = ARTIFACTS / "fidelity"
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", stem)
    pixels = []
    for which, report in (("headless", expected), ("browser-kernel", got)):
        data = base64.b64decode(report["png_bytes"])
        (out / f"{stem}-{which}.png").write_bytes(data)
        pixels.append(image.imread(io.BytesIO(data), format="png"))
    a, b = pixels
    if a.shape != b.shape:
        return f"sizes {a.shape} headless, {b.shape} here"
    differ = np.abs(a - b).max(axis=-1) > 0
    rows, cols = np.nonzero(differ)
    return (f"{differ.sum()} pixels differ, rows {rows.min()}–{rows.max()}, "
            f"columns {cols.min()}–{cols.max()}, largest difference "
            f"{np.abs(a - b).max() * 255:.0f}/255; images in test-artifacts/fidelity/")


def click_resets(page):
    """Press every explorer's reset button (a real click) and let the kernel answer."""
    buttons = page.locator(".momentum-explorer .explorer-reset")
    for i in range(buttons.count()):
        buttons.nth(i).scroll_into_view_if_needed()
        buttons.nth(i).click()
    page.wait_for_timeout(1500)


def _handle_and_track(box, slider_class):
    return (box.locator(f".{slider_class} .noUi-handle").first.bounding_box(),
            box.locator(f".{slider_class} .noUi-target").first.bounding_box())


def _middleward(h, t):
    return 1 if h["x"] + h["width"] / 2 < t["x"] + t["width"] / 2 else -1


def toward_middle(box, slider_class):
    """+1 if the handle of ``box``'s slider ``slider_class`` is left of its track's middle,
    else −1."""
    return _middleward(*_handle_and_track(box, slider_class))


def mouse_drag(page, box, slider_class, direction, duration_ms, steps):
    """Press the mouse on the handle of ``box``'s slider ``slider_class``, move it over 40% of
    the track in ``steps`` moves spread over ``duration_ms``, and release. ``direction`` is
    +1 (right) or −1 (left); None: toward the middle of the track."""
    box.scroll_into_view_if_needed()
    h, t = _handle_and_track(box, slider_class)
    if direction is None:
        direction = _middleward(h, t)
    x0, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    distance = direction * 0.4 * t["width"]
    page.mouse.move(x0, y)
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(x0 + distance * k / steps, y)
        page.wait_for_timeout(duration_ms / steps)
    page.mouse.up()


def frames_around_release(page, frames, key, gesture, quiet_ms, timeout_ms):
    """Run ``gesture`` (a mouse drag), wait until no frame has come for ``quiet_ms`` since
    the release, and return (frames shown before the release, the stamps of those shown
    after it, the release time). ``frames`` is a JavaScript expression for the list of
    frame stamps (``{at}``, ms) of ``k``, e.g. ``window.__probe.changes[k]``, with
    ``key`` as ``k``; the release time is ``window.__probe.upAt``."""
    n0 = page.evaluate(f"(k) => ({frames}).length", key)
    gesture()
    page.wait_for_function(
        f"""([k, quiet]) => {{
             const c = {frames};
             const last = c.length ? c[c.length - 1].at : 0;
             return performance.now() - Math.max(last, window.__probe.upAt || 0) >= quiet;
           }}""", arg=[key, quiet_ms], polling=50, timeout=timeout_ms)
    stamps, up_at = page.evaluate(
        f"([k, n]) => [({frames}).slice(n).map((c) => c.at), window.__probe.upAt]", [key, n0])
    after = [at for at in stamps if at > up_at]
    return len(stamps) - len(after), after, up_at


def drag_slider(page, explorer_index, slider_class, duration_ms=500, steps=25, quiet_ms=1500,
                timeout_ms=20_000):
    """Drag one slider's handle with the mouse for ``duration_ms`` over 40% of its track,
    release, and wait until its figure has stopped changing for ``quiet_ms``.

    Returns the frames (image src changes) drawn during the drag and after the release,
    the outdated ones among the latter (all but the last), and release → last frame in ms.
    """
    box = page.locator(".momentum-explorer").nth(explorer_index)
    during, after, up_at = frames_around_release(
        page, "window.__probe.changes[k]", explorer_index,
        lambda: mouse_drag(page, box, slider_class, None, duration_ms, steps),
        quiet_ms, timeout_ms)
    return {"frames_during": during, "frames_after_release": len(after),
            "outdated_after_release": max(0, len(after) - 1),
            "release_to_final_ms": round(after[-1] - up_at, 1) if after else 0.0}


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# Type sizes of an explorer's controls and how its figure is scaled (issue 10, item 5).
EXPLORER_VIEW = """
() => Array.from(document.querySelectorAll('.momentum-explorer')).map((box) => {
  const size = (sel) => Array.from(box.querySelectorAll(sel))
      .filter((e) => e.offsetParent !== null && e.textContent.trim())
      .map((e) => parseFloat(getComputedStyle(e).fontSize));
  // An SVG layer cannot be stretched: the raster (the background, or the whole frame) can.
  const img = (RASTER_IMG)(box);
  const rect = img.getBoundingClientRect();
  return {
    label: size('.widget-label'), readout: size('.widget-readout'),
    button: size('button'), status: size('.explorer-status-text, .explorer-status'),
    naturalWidth: img.naturalWidth, cssWidth: rect.width,
    devicePixels: rect.width * window.devicePixelRatio,
    columnWidth: box.getBoundingClientRect().width,
  };
})
""".replace("MOVES_IMG", MOVES_IMG).replace("RASTER_IMG", RASTER_IMG)


def view_problems(page, min_font_px, where):
    """Controls smaller than ``min_font_px``; figures stretched beyond their pixels."""
    problems = []
    for i, v in enumerate(page.evaluate(EXPLORER_VIEW)):
        for part in ("label", "readout", "button", "status"):
            small = [s for s in v[part] if s < min_font_px - 0.01]
            if small:
                problems.append(f"{where} explorer {i}: {part} at {small[0]} px (< {min_font_px} px)")
        if v["devicePixels"] > v["naturalWidth"] + 1:
            problems.append(f"{where} explorer {i}: figure of {v['naturalWidth']} px stretched to "
                            f"{v['devicePixels']:.0f} device px")
    return problems


def kernel_processes(server):
    """Process ids of the kernels a server started (its children running ipykernel)."""
    parents = {server.proc.pid}
    found = []
    for _ in range(3):                       # make → bash (binder/start) → voila → kernels
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except (OSError, IndexError, ValueError):
                continue
            if ppid in parents:
                parents.add(int(entry))
                if "ipykernel" in cmd and int(entry) not in found:
                    found.append(int(entry))
    return found
