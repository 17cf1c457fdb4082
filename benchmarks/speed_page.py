"""Write docs/speed.md, whole, from one run of the browser benchmark.

    python -m benchmarks.speed_page [--results benchmarks/results/browser.json] [--output docs/speed.md]

(``make speed``; ``make bench-browser`` runs the benchmark and then this.) Every number on
the page comes from the one results file, which names the commit it measured and the load
average; the page says both. Nothing is stitched from other runs: to refresh a number,
re-run the benchmark.
"""

import argparse
import json
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "browser.json"
OUTPUT = REPO / "docs" / "speed.md"


def way_of(label):
    """The way a summary label names: png, layers, ipympl-blit@2 … (labels of older runs too)."""
    if label.startswith("explorer, png") or label.startswith("explorer, whole"):
        return "png"
    if label.startswith("explorer, layers"):
        return "layers"
    kind = "blit" if "blitting" in label else "draw_idle"
    return f"ipympl-{kind}@{label.rsplit('@', 1)[1].rstrip('×')}"


WAY_NAMES = {"png": "whole PNG frames", "layers": "**layers** (the default)",
             "ipympl-blit@2": "ipympl, blitting @2×", "ipympl-draw_idle@2": "ipympl, draw_idle @2×",
             "ipympl-blit@1": "ipympl, blitting @1×", "ipympl-draw_idle@1": "ipympl, draw_idle @1×"}


def kb(x):
    return "–" if x is None else f"{x / 1000:.1f}"


def ms(x):
    return "–" if x is None else f"{x:.0f}"


def span(values, fmt="{:.1f}"):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return fmt.format(lo) if fmt.format(lo) == fmt.format(hi) else f"{fmt.format(lo)}–{fmt.format(hi)}"


def loads(run):
    """(lowest, highest) 1-minute load average seen at the start and end of the rounds."""
    ones = [float(r[key].split()[0]) for r in run["rounds_load"] for key in ("start", "end")]
    return (min(ones), max(ones)) if ones else (None, None)


def header(run, source):
    commit = run.get("commit")
    low, high = loads(run)
    machine = run.get("machine")
    versions = ", ".join(f"{k} {v}" for k, v in run["versions"].items())
    where = f"{machine['cores']} cores, {machine['machine']}" if machine else "not recorded"
    load = (f"load average (1 min) between {low:.2f} and {high:.2f} at the rounds' starts and ends"
            if low is not None else "load average not recorded")
    if run.get("load_start"):
        load += (f"; {'/'.join(map(str, run['load_start']))} (1/5/15 min) at the start, "
                 f"{'/'.join(map(str, run['load_end']))} at the end")
    said = [
        "# Speed", "",
        f"<!-- Written by `make speed` (benchmarks/speed_page.py) from {source}; edit the generator "
        "or re-run the benchmark, never this page. -->", "",
        "What one run of the browser benchmark (`make bench-browser`, `benchmarks/browser.py`) "
        "measured, whole: every number below comes from that run.", "",
        f"- **Code measured:** commit `{commit}`." if commit else
        "- **Code measured:** not recorded (a run made before results named their commit); "
        "re-run `make bench-browser` for numbers tied to a commit.",
        f"- **When:** {run['date']}; {run['rounds']} interleaved rounds of {run['presses']} key presses "
        "per slider, way, link and round.",
        f"- **Machine:** {where}; {load}.",
        f"- **Versions:** {versions}.", ""]
    if run.get("quick"):
        said += ["> This is a `--quick` run (one explorer, a few presses): it keeps the script "
                 "working and measures little.", ""]
    return said


HOW = """## How an explorer answers a slider

An explorer keeps one matplotlib figure for its whole life and redraws only what moved. The
browser shows two stacked images in one place: the static part of the figure (axes, ticks,
labels, contours, legend) as a PNG, sent only when it changes (κ, the number of steps…), and
over it the paths, markers and curves that a β or η move changes, as a small SVG written by
matplotlib's own SVG renderer. A move therefore sends a few kilobytes of geometry instead of
every pixel of the frame, and on Binder over a classroom's Wi-Fi, bytes are the latency. The
SVG is sharp at any screen density and the PNG is rendered at twice its size, so a projector
shows both sharp. Only ipywidgets core is needed, so it works in JupyterLab, Notebook 7, VS
Code, Voila and JupyterLite. While a slider is dragged, moves that arrive during a frame
replace each other and only the newest is drawn.

The server side matters too: `momentum_lib/serving.py` switches off Nagle's algorithm on the
kernel websockets (`make lab`, `make present` and Binder apply it), so a move's few small
messages do not wait for the browser's delayed acknowledgements.

The benchmark drives Debian's Chromium with Playwright against a JupyterLab on 127.0.0.1, for
every explorer, in ways drawn from the same explorer code: *layers* (the default), *whole PNG
frames* (`frames="png"`, the baseline), and the same figure in ipympl (`%matplotlib widget`)
with hand-written blitting or `draw_idle`, at device scale factor 2 (the explorers' pixels) and
1. Bytes are what the kernel's websocket delivered per key press; key → frame is timed in the
page, from the key event to the new image on screen. The emulated link is a classroom on
Binder: 10 Mbit/s down, 5 Mbit/s up (Chromium's `Network.emulateNetworkConditions`) and a
40 ms round trip (a relay on 127.0.0.1, since Chromium's emulated latency does not delay
websocket frames)."""


def table(run):
    rows = ["| explorer | way | kB per move, median | key → frame on localhost, median (ms) | "
            "on the emulated link, median / p95 (ms) | link: one-second drag, release → last frame (ms) |",
            "|---|---|---|---|---|---|"]
    for name, ways in run["summary"].items():
        for label, s in ways.items():
            rows.append(f"| {name} | {WAY_NAMES.get(way_of(label), label)} | {kb(s['bytes_median'])} | "
                        f"{ms(s['local_median'])} | {ms(s['link_median'])} / {ms(s['link_p95'])} | "
                        f"{ms(s['drag_link_median'])} |")
    return rows


def findings(run):
    r = run["ratios"].values()
    layers = [ways[label] for ways in run["summary"].values() for label in ways
              if way_of(label) == "layers"]
    return [
        "## What the run shows", "",
        f"- With layers an explorer's move costs {span([s['bytes_median'] / 1000 for s in layers])} kB; "
        f"whole PNG frames send {span([x['bytes_png_over_layers'] for x in r])} times as many bytes, "
        f"ipympl's blitting at the same resolution {span([x['bytes_blit_over_layers'] for x in r])} "
        "times as many (per explorer, medians).",
        f"- On the emulated link, key press → frame takes {span([x['link_png_over_layers'] for x in r])} "
        "times as long with whole PNG frames as with layers, "
        f"{span([x['link_blit_over_layers'] for x in r])} times with ipympl's blitting and "
        f"{span([x['link_idle_over_layers'] for x in r])} times with its `draw_idle`.",
        f"- Layers, key press → frame on localhost: median {span([s['local_median'] for s in layers], '{:.0f}')} ms "
        f"per explorer; on the link {span([s['link_median'] for s in layers], '{:.0f}')} ms.",
    ] + ([f"- {run['throttle_fit']}"] if run.get("throttle_fit") else []) + [""]


def network(run):
    out = ["## Does the emulated link throttle the websocket?", "",
           "Click → shown for a kernel answer of 100 B and of 625 kB, link off and on (median of "
           "the clicks, ms). On the link the small answer should take about the round trip (40 ms) "
           "longer, the large one that plus 500 ms at 1.25e6 B/s:", ""]
    for key, clicks in run["network_check"].items():
        out.append(f"- {key}: {statistics.median(c['ms'] for c in clicks):.0f}")
    return out + [""]


def visual(run):
    shares = [(name, way, v) for name, ways in run["visual"].items() for way, v in ways.items()
              if "over_8" in v]
    if not shares:
        return []
    layers = [v["over_8"] * 100 for _n, way, v in shares if way == "layers"]
    return ["## The browser draws what the kernel draws", "",
            "After one β move, a screenshot of each explorer's figure against the kernel's own PNG of "
            f"the same values: with layers, {span(layers, '{:.2f}')} % of the pixels differ by more "
            "than 8/255 (edges: anti-aliasing, markers not snapped to whole pixels). "
            "`tests/test_vector_layer.py` checks every explorer in Chromium against Agg.", ""]


def page(run, source):
    lines = header(run, source) + [HOW, "", "## Bytes and time per move", ""] + table(run) + [""]
    lines += findings(run) + network(run) + visual(run)
    if run.get("notes"):
        lines += ["## Notes from the run", ""] + [f"- {n}" for n in run["notes"]] + [""]
    lines += ["## In the kernel", "",
              "`make bench` times the same explorers in a plain Python process (no browser), against "
              "the `interact` + inline-backend way of drawing the same frames, and writes "
              "[`benchmarks/results/latest.md`](../benchmarks/results/latest.md), a run of its own "
              "with its own date and load. The JupyterLite edition against a local JupyterLab: "
              "[`benchmarks/results/lite.md`](../benchmarks/results/lite.md) (`python -m lite.bench`)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default=str(RESULTS))
    ap.add_argument("--output", default=str(OUTPUT))
    args = ap.parse_args(argv)
    results = Path(args.results)
    run = json.loads(results.read_text())
    try:
        source = results.resolve().relative_to(REPO).as_posix()
    except ValueError:
        source = results.name
    Path(args.output).write_text(page(run, source))
    print(f"wrote {args.output} from {source} (commit {run.get('commit') or 'not recorded'})")


if __name__ == "__main__":
    main()
