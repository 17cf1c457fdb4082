#!/usr/bin/env python3
"""Benchmark: a first and a second visit to the static edition (_site/, from `make lite`).

    .venv/bin/python -m lite.bench_visits [--notebook 01_the_problem.ipynb] [--rounds 3]

Each round is one fresh Chromium context (Debian's Chromium, empty cache, as a new learner):
visit 1 opens the notebook, then visit 2 opens it again in a new tab of the same context (its
HTTP cache, compiled-code cache and browser storage kept, as a learner coming back). For each
visit: page open → kernel idle, and page open → the first figure of Run All (stored outputs
cleared first), with how many requests reached the server and were answered in full (200)
or as "not modified" (304), from the server's log: what the browser took from its own cache
never reaches the server. Writes a Markdown table with the commit and the load average to
benchmarks/results/lite-visits.md (``--output``); nothing is asserted.
"""

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import devtools as bs
from devtools import provenance

REPO = bs.REPO
FIRST_FIGURE = f"{bs.LAB_CELL} .jp-RenderedImage img, {bs.LAB_CELL} img.momentum-figure, {bs.LAB_CELL} .momentum-explorer img[src]"


def served(server):
    """The status codes the server has logged so far (http.server: one line per request)."""
    return re.findall(r'" (\d{3}) ', Path(server.log_path).read_text(errors="replace"))


def visit(context, server, url):
    page = context.new_page()
    before = len(served(server))
    try:
        t0 = time.monotonic()
        page.goto(url)
        page.wait_for_selector(bs.LAB_CELL, timeout=300_000)
        bs.wait_kernel_idle(page, timeout_ms=300_000)
        kernel = time.monotonic() - t0
        bs.lab_menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(bs.script("outputs_cleared"), arg=bs.LAB_CELL)
        bs.lab_menu(page, "Run", "Run All Cells")
        page.wait_for_selector(FIRST_FIGURE, timeout=600_000)
        figure = time.monotonic() - t0
    finally:
        page.close()
    codes = served(server)[before:]
    return {"kernel_s": kernel, "figure_s": figure,
            "full": codes.count("200"), "not_modified": codes.count("304")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="01_the_problem.ipynb")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--site", default=str(REPO / "_site"))
    parser.add_argument("--output", default=str(REPO / "benchmarks" / "results" / "lite-visits.md"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = bs.start_static(Path(args.site), Path(tempfile.mkdtemp(prefix="lite-visits-")))
    url = server.url(f"/lab/index.html?path={args.notebook}")
    rounds, load_before = [], os.getloadavg()
    try:
        with sync_playwright() as p:
            browser = bs.launch_chromium(p)
            for _ in range(args.rounds):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                try:
                    rounds.append([visit(context, server, url), visit(context, server, url)])
                finally:
                    context.close()
                print(rounds[-1], flush=True)
            browser.close()
    finally:
        server.stop()
    load_after = os.getloadavg()

    def median(i, key):
        return statistics.median(r[i][key] for r in rounds)

    lines = [
        "# First and second visit to the static edition (`python -m lite.bench_visits`)", "",
        f"Commit {provenance.commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{os.cpu_count()} cores; load average (1/5 min) {load_before[0]:.2f}/{load_before[1]:.2f} "
        f"before, {load_after[0]:.2f}/{load_after[1]:.2f} after. {args.notebook}, served by "
        "`python3 -m http.server` on 127.0.0.1 (no Cache-Control header: Chromium keeps a file "
        "for a while after its Last-Modified date, heuristically, then revalidates it: 304). "
        f"Median of {len(rounds)} rounds, each a fresh Chromium context "
        "(visit 1), then a new tab of the same context (visit 2).", "",
        "| visit | kernel ready (s) | first figure of Run All (s) | requests served 200 / 304 |",
        "|---|---|---|---|"]
    for i, label in enumerate(["first (empty cache)", "second (same browser)"]):
        lines.append(f"| {label} | {median(i, 'kernel_s'):.1f} | {median(i, 'figure_s'):.1f} "
                     f"| {median(i, 'full'):.0f} / {median(i, 'not_modified'):.0f} |")
    lines += ["", "Each round (kernel s, figure s): " + "; ".join(
        f"{a['kernel_s']:.1f}, {a['figure_s']:.1f} → {b['kernel_s']:.1f}, {b['figure_s']:.1f}"
        for a, b in rounds)]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
