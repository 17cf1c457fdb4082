#!/usr/bin/env python3
"""Benchmark: the JupyterLite site (_site/, from `make lite`) against a local JupyterLab, same run.

    .venv/bin/python -m lite.bench [--notebooks 01_the_problem.ipynb ...] [--moves 10]

For each notebook and each front end, in a fresh browser context (empty cache) of Debian's
Chromium: page open → kernel idle, Run All, page open → first explorer figure, key press on
the β slider → new image (median over --moves presses, alternating → and ←), and the memory
(PSS) of the browser's processes after Run All (for JupyterLab also of the server and its
kernel). Writes a Markdown table with the commit and the load average to
benchmarks/results/lite.md (``--output``); nothing is asserted.
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import devtools as bs
from devtools import provenance

REPO = bs.REPO


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
        bs.wait_kernel_idle(page, timeout_ms=300_000)
        out["kernel_s"] = time.monotonic() - t0
        t1 = time.monotonic()
        bs.lab_run_all(page, timeout_ms=600_000, clear=False)
        out["run_all_s"] = time.monotonic() - t1
        if page.locator(".momentum-explorer").count():
            bs.wait_explorers_drawn(page, timeout_ms=120_000)
            out["first_figure_s"] = time.monotonic() - t0
            bs.install_probe(page)
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
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results" / "lite.md"))
    args = parser.parse_args()
    names = args.notebooks or [p.name for p in sorted((REPO / "notebooks").glob("*.ipynb"))]
    site = Path(args.site)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="lite-bench-"))
    lite = bs.start_static(site, tmp)
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

    lines = [
        "# The JupyterLite edition against a local JupyterLab (`python -m lite.bench`)", "",
        f"Commit {provenance.commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{os.cpu_count()} cores; load average (1/5 min) {load_before[0]:.2f}/{load_before[1]:.2f} "
        f"before, {load_after[0]:.2f}/{load_after[1]:.2f} after. Site {site.name}/: {size:.1f} MB. "
        "Each notebook in a fresh Chromium context (empty cache); Lite served by `python3 -m "
        "http.server` on 127.0.0.1, JupyterLab with a local ipykernel. Browser memory: PSS of "
        "the playwright driver and Chromium after Run All (for JupyterLab + its server and kernel).",
        "",
        "| notebook | kernel ready (s) Lite / Lab | Run All (s) Lite / Lab | first figure (s) Lite / Lab "
        "| key → image median (ms) Lite / Lab | browser memory, PSS (MB) Lite / Lab (+server) |",
        "|---|---|---|---|---|---|"]
    for name, a, b in rows:
        lines.append(
            f"| {name} | {f(a, 'kernel_s')} / {f(b, 'kernel_s')} | {f(a, 'run_all_s')} / {f(b, 'run_all_s')} "
            f"| {f(a, 'first_figure_s')} / {f(b, 'first_figure_s')} | {f(a, 'key_ms', '{:.0f}')} / {f(b, 'key_ms', '{:.0f}')} "
            f"| {f(a, 'browser_rss_mb', '{:.0f}')} / {f(b, 'browser_rss_mb', '{:.0f}')} (+{f(b, 'server_rss_mb', '{:.0f}')}) |")
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))

if __name__ == "__main__":
    main()
