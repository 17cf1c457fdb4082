"""How fast the explorers answer, measured in a plain Python process (no kernel).

    python benchmarks/run.py          # full run, writes benchmarks/results/latest.md
    python benchmarks/run.py --tiny   # a few moves of everything; checks the script still works
    python benchmarks/run.py --check  # only check that every way draws the same frames

For every explorer in ``momentum_lib.explorers.EXPLORERS`` it moves each control
through a fixed sequence of values and times one ``set(...)`` per move, up to the
new bytes in the ``ipywidgets.Image`` widgets, for both ways an explorer can send
a frame, interleaved move by move: *layers* (the explorers' way: an SVG of the
dynamic artists per move, the static background as a PNG only when it changes)
and *png* (the whole frame as a PNG on every move, ``ways.whole_frames``). It counts
the bytes each move puts into the widgets, i.e. what goes over the websocket. The
same frames are then drawn the way ``interact`` and the inline backend draw them
(``ways.interact_way``: a new pyplot figure, a full draw, ``savefig(...,
bbox_inches="tight")``, close), so all ways are measured on the same machine in the
same run. Before timing anything it checks that the ways draw the same frames
(``ways.check_ways``) and stops if they do not. ``benchmarks/browser.py`` measures
what arrives in a real browser.

It also times ``run`` over 40 000 (β, lr) settings × 100 steps against a Python
loop calling ``run`` once per setting (timed on a sample, extrapolated), and
``import momentum_lib`` in fresh interpreters.

No timing is asserted anywhere: machines differ. Numbers are reported, not tested.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")   # the inline backend renders with Agg too

from ways import check_ways, interact_way, whole_frames  # noqa: E402  (this folder)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "latest.md"
FRAME_MS = 1000 / 60


def control_sequence(ex, per_control):
    """A fixed list of single-control moves: each control swept over ``per_control`` values."""
    import ipywidgets as widgets

    from momentum_lib.explorers import GridSlider

    moves = []
    for key, widget in ex.controls.items():
        if isinstance(widget, GridSlider):      # its stops, evenly spread over the slider
            stops = widget.grid
            values = [stops[int(i)] for i in np.linspace(0, len(stops) - 1, per_control)]
        elif isinstance(widget, widgets.Text):
            values = [*ex.text_examples.get(key, []), ex.defaults.get(key, widget.value)]
            values = values[:per_control] if per_control < len(values) else values
        elif isinstance(widget, widgets.IntSlider):
            values = sorted({int(v) for v in np.linspace(widget.min, widget.max, per_control)})
        else:                                   # a Dropdown: every option
            values = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        moves += [(key, v) for v in values]
        moves.append((key, ex.defaults.get(key, widget.value)))   # back to the default
    return moves


def key_walk(ex, presses):
    """β and η moves as arrow keys make them: from the starting stop, ``presses`` stops up,
    twice as many down, and back (clamped at the slider's ends)."""
    moves = []
    for key in ("beta", "lr"):
        stops = ex.controls[key].grid
        i = stops.index(ex.values[key]) if ex.values[key] in stops else len(stops) // 2
        for step in [1] * presses + [-1] * (2 * presses) + [1] * presses:
            i = min(max(i + step, 0), len(stops) - 1)
            moves.append((key, stops[i]))
    return moves


def sent_bytes(ex, before):
    """Bytes a move put into the explorer's image widgets (background, overlay if any,
    moves); a value equal to the one before is not sent (traitlets sees no change)."""
    return sum(len(w.value) for w in ex.figure.children if w.value != before[id(w)])


def time_explorer(cls, per_control, interact_every, presses):
    ways = {"layers": cls(), "png": whole_frames(cls)()}
    ex = ways["layers"]
    walk = key_walk(ex, presses)
    moves = control_sequence(ex, per_control)
    for each in ways.values():
        each.set(**{moves[0][0]: moves[0][1]})          # warm-up (first encode, caches)
        each.reset()
    times = {frames: {"all": [], "beta_lr": []} for frames in ways}
    sent = {frames: [] for frames in ways}
    # β/η as a learner moves them (key presses), then every control swept end to end;
    # interleaved move by move, so both ways see the same load
    for part, sequence in (("beta_lr", walk), ("all", moves)):
        for key, value in sequence:
            for frames, each in ways.items():
                before = {id(w): w.value for w in each.figure.children}
                t0 = time.perf_counter()
                each.set(**{key: value})
                times[frames][part].append(time.perf_counter() - t0)
                if part == "beta_lr":
                    sent[frames].append(sent_bytes(each, before))
        for each in ways.values():
            each.reset()
    blit, blit_fast = times["layers"]["all"], times["layers"]["beta_lr"]
    slow = []
    interact_way(ex)                             # warm-up: pyplot import and fonts
    for key, value in moves[::interact_every]:
        t0 = time.perf_counter()
        interact_way(ex, {key: value})
        slow.append(time.perf_counter() - t0)
    slow_fast = []
    for key, value in [m for m in moves if m[0] in ("beta", "lr")][::interact_every]:
        t0 = time.perf_counter()
        interact_way(ex, {key: value})
        slow_fast.append(time.perf_counter() - t0)
    width, height = ex.fig.canvas.get_width_height(physical=True)
    return {"moves": len(moves), "blit": blit, "blit_beta_lr": blit_fast, "interact": slow,
            "interact_beta_lr": slow_fast, "pixels": f"{width}×{height}",
            "png_beta_lr": times["png"]["beta_lr"], "sent": sent}


def time_drag(cls, moves, interval):
    """A drag as the kernel sees it: ``moves`` β values arriving every ``interval`` s.

    Coalesced (the explorers' way): each arrives as a front-end update (``set_state``)
    and a worker thread draws the latest. One frame per move (the old way): each is drawn
    before the next is read (as a value written from Python is), so moves queue up behind
    the drawing. Returns, for both, the frames drawn and the time from the last move to
    its frame.
    """
    ex = cls()
    beta = ex.controls["beta"]
    indices = [int(i) for i in np.linspace(10, len(beta.options) - 10, moves)]
    out = {}
    # one frame per move: a queue of arrivals, drawn in order
    start, frames = time.perf_counter(), 0
    for k, index in enumerate(indices):
        arrival = start + k * interval
        now = time.perf_counter()
        if now < arrival:
            time.sleep(arrival - now)
        beta.value = beta.options[index][1]
        frames += 1
    out["per_move"] = {"frames": frames,
                       "last_move_to_frame_ms": 1000 * (time.perf_counter() - (start + (moves - 1) * interval))}
    ex.reset()
    # coalesced
    drawn_before = ex.frames_drawn
    start = time.perf_counter()
    for k, index in enumerate(indices):
        arrival = start + k * interval
        now = time.perf_counter()
        if now < arrival:
            time.sleep(arrival - now)
        beta.set_state({"index": index})
    ex.wait_drawn()
    out["coalesced"] = {"frames": ex.frames_drawn - drawn_before,
                        "last_move_to_frame_ms": 1000 * (time.perf_counter() - (start + (moves - 1) * interval))}
    assert ex.state["beta"] == beta.options[indices[-1]][1]
    out["moves"] = moves
    return out


def time_grid(grid, steps, loop_sample):
    """One vectorised ``run`` over grid × grid settings vs a Python loop over a sample."""
    from momentum_lib import problems, run

    p = problems.narrow_valley(100.0)
    beta, lr = np.meshgrid(np.linspace(0.0, 0.99, grid), np.geomspace(0.01, 20.0, grid))
    reps = []
    for _ in range(3):
        t0 = time.perf_counter()
        run(p.grad, p.w0, steps, lr=lr, beta=beta)
        reps.append(time.perf_counter() - t0)
    vectorised = min(reps)
    flat_b, flat_lr = beta.ravel(), lr.ravel()
    pick = np.linspace(0, flat_b.size - 1, loop_sample).astype(int)
    t0 = time.perf_counter()
    for i in pick:
        run(p.grad, p.w0, steps, lr=float(flat_lr[i]), beta=float(flat_b[i]))
    loop_sample_time = time.perf_counter() - t0
    loop_total = loop_sample_time * flat_b.size / loop_sample
    return {"settings": flat_b.size, "steps": steps, "vectorised": vectorised,
            "loop_sample": loop_sample, "loop_sample_time": loop_sample_time,
            "loop_extrapolated": loop_total}


def time_import(module, repeats):
    code = (f"import time; t = time.perf_counter(); import {module}; "
            "print(time.perf_counter() - t)")
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def check(explorers):
    """Every way draws every explorer's frames alike, at the defaults and two β/η moves."""
    def settings(ex):
        beta, lr = ex.controls["beta"].grid, ex.controls["lr"].grid
        return [{}, {"beta": beta[0]}, {"beta": beta[-1], "lr": lr[-1]}]

    return [problem for cls in explorers for problem in check_ways(cls, settings)]


def ms(seconds):
    return f"{1000 * seconds:.1f}"


def percentile(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def load_average():
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def report(explorer_rows, grid, imports, tiny, load_start, drags=None):
    lines = []
    lines.append(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
                 f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                 f"load average (1/5/15 min) {load_start} at the start, {load_average()} at the end"
                 + (" (tiny run: too few moves to trust)" if tiny else ""))
    lines.append("")
    lines.append("### Explorer updates (one slider move → new bytes in the Image widgets)")
    lines.append("")
    lines.append("Figures are rendered at 2× (the frame's pixels below) and shown at half that "
                 "size in CSS pixels, so a projector or a high-density screen shows them sharp; "
                 "the `interact` way draws the same pixels. *layers* is the explorers' way (an SVG "
                 "of the dynamic artists per move, the static background as a PNG only when it "
                 "changes); *png* sends the whole frame as a PNG on every move (the way before, "
                 "`benchmarks/ways.py`). Both are timed move by move, interleaved, in this run.")
    lines.append("")
    lines.append("| explorer | frame (px) | β/η bytes per move, layers: median / p95 (KB) "
                 "| png: median / p95 (KB) | β/η move, layers: median / p95 (ms) | png: median (ms) "
                 "| interact way, β/η median (ms) | speed-up vs interact (layers) "
                 "| within a 60 Hz frame? | all moves, layers: median / p95 (ms) |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in explorer_rows.items():
        med, p95 = statistics.median(r["blit"]), percentile(r["blit"], 95)
        fast = statistics.median(r["blit_beta_lr"]) if r["blit_beta_lr"] else float("nan")
        fast95 = percentile(r["blit_beta_lr"], 95)
        png = statistics.median(r["png_beta_lr"]) if r["png_beta_lr"] else float("nan")
        islow = statistics.median(r["interact_beta_lr"] or r["interact"])
        ok = "yes" if 1000 * fast <= FRAME_MS else "no"
        kb = {way: (statistics.median(b) / 1000, percentile(b, 95) / 1000) if b else (float("nan"),) * 2
              for way, b in r["sent"].items()}
        lines.append(f"| {name} | {r['pixels']} | {kb['layers'][0]:.1f} / {kb['layers'][1]:.1f} "
                     f"| {kb['png'][0]:.1f} / {kb['png'][1]:.1f} | {ms(fast)} / {ms(fast95)} | {ms(png)} "
                     f"| {ms(islow)} | {islow / fast:.0f}× | {ok} | {ms(med)} / {ms(p95)} |")
    lines.append("")
    lines.append("β/η moves are arrow-key presses from the starting values: up, down twice as "
                 "far, and back, one stop at a time; *all moves* sweep every control end to end.")
    lines.append("")
    lines.append("Moves that change the axes or contours (κ, steps, the noise level, the number of "
                 "gradients) redraw and re-cache the static background, so they make the all-moves "
                 "p95; β and η moves only draw the dynamic artists (trace's Δw axis, which follows "
                 "η, is an SVG of its own, drawn and sent only when its limits change).")
    if drags:
        lines.append("")
        n = next(iter(drags.values()))["moves"]
        lines.append(f"### A drag as the kernel sees it ({n} β moves, one every 8 ms)")
        lines.append("")
        lines.append("| explorer | one frame per move: frames | last move → its frame (ms) "
                     "| coalesced: frames | last move → its frame (ms) |")
        lines.append("|---|---|---|---|---|")
        for name, d in drags.items():
            lines.append(f"| {name} | {d['per_move']['frames']} | {d['per_move']['last_move_to_frame_ms']:.0f} "
                         f"| {d['coalesced']['frames']} | {d['coalesced']['last_move_to_frame_ms']:.0f} |")
        lines.append("")
        lines.append("In a browser, ipywidgets' front end also keeps at most one message per slider "
                     "in flight, so drags there queue less than the left column; "
                     "`tests/test_jupyterlab.py` and `tests/test_classroom.py` measure real drags.")
    lines.append("")
    lines.append(f"### `run` over {grid['settings']:,} (β, lr) settings × {grid['steps']} steps "
                 "(narrow valley, κ = 100)")
    lines.append("")
    lines.append("| way | time |")
    lines.append("|---|---|")
    lines.append(f"| one vectorised `run` call (best of 3) | {ms(grid['vectorised'])} ms |")
    lines.append(f"| a Python loop, one `run` per setting (timed on {grid['loop_sample']} settings, "
                 f"{grid['loop_sample_time']:.2f} s, extrapolated) | {grid['loop_extrapolated']:.1f} s |")
    lines.append(f"| speed-up | {grid['loop_extrapolated'] / grid['vectorised']:.0f}× |")
    lines.append("")
    lines.append("### Imports (fresh interpreter, median)")
    lines.append("")
    lines.append("| module | time |")
    lines.append("|---|---|")
    for module, t in imports.items():
        lines.append(f"| `import {module}` | {ms(t)} ms |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a few moves only; no results file")
    parser.add_argument("--check", action="store_true",
                        help="only check that every way draws the same frames (exit 1 if not)")
    args = parser.parse_args(argv)
    from momentum_lib.explorers import EXPLORERS

    # The tiny run (`make test`) leaves the check to tests/test_explorers.py, which runs --check.
    if args.check or not args.tiny:
        problems = check([EXPLORERS[name] for name in EXPLORERS])
        if problems:
            print("the ways do not draw the same frames:", *problems, sep="\n  ", file=sys.stderr)
            sys.exit(1)
        print("checked: every way draws the same frames", file=sys.stderr)
    if args.check:
        return

    if args.tiny:
        per_control, interact_every, grid_n, steps, sample, repeats = 3, 4, 20, 10, 4, 1
    else:
        per_control, interact_every, grid_n, steps, sample, repeats = 21, 3, 200, 100, 400, 5

    load_start = load_average()
    rows = {}
    for name in EXPLORERS:
        rows[name] = time_explorer(EXPLORERS[name], per_control, interact_every,
                                   3 if args.tiny else 15)
        print(f"timed explorer {name}: {rows[name]['moves']} moves", file=sys.stderr)
    drags = {name: time_drag(EXPLORERS[name], 8 if args.tiny else 62, 0.008) for name in EXPLORERS}
    print("timed drags", file=sys.stderr)
    grid = time_grid(grid_n, steps, sample)
    imports = {m: time_import(m, repeats) for m in ("numpy", "momentum_lib", "momentum_lib.explorers")}
    text = report(rows, grid, imports, args.tiny, load_start, drags)
    print(text)
    if not args.tiny:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("# Benchmark results (`make bench`)\n\n" + text)
        print(f"wrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
