#!/usr/bin/env python3
"""Benchmark: the JupyterLite site (_site/, from `make lite`) against a local JupyterLab, same run.

    PYTHONPATH=. .venv/bin/python lite/bench.py [--notebooks 01_the_problem.ipynb ...] [--moves 10]

For each notebook and each front end, in a fresh browser context (empty cache) of Debian's
Chromium: page open → kernel idle, Run All, page open → first explorer figure, key press on
the β slider → new image (median over --moves presses, alternating → and ←), and the memory
(PSS) of the browser's processes after Run All (for JupyterLab also of the server and its
kernel). Prints a Markdown table with the load average; nothing is asserted.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import browser_support as bs  # noqa: E402

KERNEL_IDLE = "() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')"
PROMPTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell.jp-CodeCell .jp-InputPrompt"


def tree_rss_mb(root_pid):
    """Proportional set size (shared pages split between sharers) of ``root_pid`` and all
    its descendants, in MB (from /proc): RSS would count Chromium's shared pages many times."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total / 1024


def browser_rss_mb():
    """PSS of the playwright driver and the Chromium it started (children of this process)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and "playwright" in cmd:
            total += tree_rss_mb(int(entry.name))
    return total


def run_one(browser, url, moves):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    out = {}
    try:
        t0 = time.monotonic()
        page.goto(url)
        page.wait_for_function(KERNEL_IDLE, timeout=300_000, polling=250)
        out["kernel_s"] = time.monotonic() - t0
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        t1 = time.monotonic()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_function(
            f"""() => {{ const p = Array.from(document.querySelectorAll('{PROMPTS}')).map(e => e.textContent);
                 return p.length === 0 || (p.every(t => !t.includes('*')) && p.some(t => /\\d/.test(t)) && ({KERNEL_IDLE})()); }}""",
            timeout=600_000, polling=250)
        out["run_all_s"] = time.monotonic() - t1
        if page.locator(".momentum-explorer").count():
            bs.wait_explorers_drawn(page, timeout_ms=120_000)
            out["first_figure_s"] = time.monotonic() - t0
            page.evaluate(bs.INSTALL_PROBE)
            page.evaluate("() => window.__probe.watch()")
            page.locator(".momentum-explorer").first.scroll_into_view_if_needed()
            ms = []
            for k in range(moves):
                t_src = bs.move_slider(page, 0, "explorer-beta", "ArrowRight" if k % 2 == 0 else "ArrowLeft")[0]
                ms.append(t_src)
            out["key_ms"] = statistics.median(ms)
        out["browser_rss_mb"] = browser_rss_mb()
    finally:
        page.close()
        context.close()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", nargs="*")
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--site", default=str(REPO / "_site"))
    args = parser.parse_args()
    names = args.notebooks or [p.name for p in sorted((REPO / "notebooks").glob("*.ipynb"))]
    site = Path(args.site)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="lite-bench-"))
    port = bs.free_port()
    lite = bs.Server([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                      str(site), str(port)], dict(os.environ), tmp, tmp / "http.log",
                     f"http://127.0.0.1:{port}", "/index.html")
    shutil.copytree(REPO / "notebooks", tmp / "served" / "notebooks")
    lab = bs.start_jupyterlab(tmp / "served", tmp / "lab-home")
    rows = []
    load_before = os.getloadavg()
    try:
        with sync_playwright() as p:
            browser = bs.launch_chromium(p)
            for name in names:
                r_lite = run_one(browser, lite.url(f"/lab/index.html?path={name}"), args.moves)
                r_lab = run_one(browser, lab.url(f"/lab/workspaces/b{len(rows)}/tree/notebooks/{name}"), args.moves)
                r_lab["server_rss_mb"] = tree_rss_mb(lab.proc.pid)
                for s in lab.api("GET", "/api/sessions"):
                    lab.api("DELETE", f"/api/sessions/{s['id']}")
                rows.append((name, r_lite, r_lab))
                print(name, {k: round(v, 2) for k, v in r_lite.items()},
                      {k: round(v, 2) for k, v in r_lab.items()}, flush=True)
            browser.close()
    finally:
        lab.stop()
        lite.stop()
    load_after = os.getloadavg()
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 1e6

    def f(r, k, fmt="{:.1f}"):
        return fmt.format(r[k]) if k in r else "—"

    print(f"\nSite {site}: {size:.1f} MB. Load average before {load_before[0]:.2f}/{load_before[1]:.2f}, "
          f"after {load_after[0]:.2f}/{load_after[1]:.2f} (1/5 min), {os.cpu_count()} cores.\n")
    print("| notebook | kernel ready (s) Lite / Lab | Run All (s) Lite / Lab | first figure (s) Lite / Lab "
          "| key → image median (ms) Lite / Lab | browser memory, PSS (MB) Lite / Lab (+server) |")
    print("|---|---|---|---|---|---|")
    for name, a, b in rows:
        print(f"| {name} | {f(a, 'kernel_s')} / {f(b, 'kernel_s')} | {f(a, 'run_all_s')} / {f(b, 'run_all_s')} "
              f"| {f(a, 'first_figure_s')} / {f(b, 'first_figure_s')} | {f(a, 'key_ms', '{:.0f}')} / {f(b, 'key_ms', '{:.0f}')} "
              f"| {f(a, 'browser_rss_mb', '{:.0f}')} / {f(b, 'browser_rss_mb', '{:.0f}')} (+{f(b, 'server_rss_mb', '{:.0f}')}) |")


if __name__ == "__main__":
    main()
