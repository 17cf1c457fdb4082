"""Notebooks 06 and 07: explorer moves and the vectorised (η, β) grid of trainings, timed in one run.

    python benchmarks/noise_training.py          # writes benchmarks/results/noise_training.md
    python benchmarks/noise_training.py --tiny   # a few moves; checks the script still works

* the noise explorer: β and η moves (median, p95) against the ``interact`` way;
* the live-training explorer: one move = a full retraining of two networks (momentum and
  gradient descent at η/(1 − β)) for the current epochs and batch size; median per move,
  the training steps it covers, and the ``interact`` way;
* the digits network trained over the 72-setting (η, β) grid of notebook 07 in one
  vectorised ``network.train`` call, against a Python loop training one setting at a time
  (every setting timed, no extrapolation), once with numpy's default BLAS threads and
  once with one BLAS thread.

The load average is read before and after (``os.getloadavg``, as ``uptime`` prints it):
the machine may be shared. Nothing is asserted.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ways import interact_way  # noqa: E402  (this folder)

RESULTS = ROOT / "benchmarks" / "results" / "noise_training.md"


def time_moves(ex, moves, interact_every):
    blit, interact = [], []
    ex.set(**dict([moves[0]]))
    for key, value in moves:
        t0 = time.perf_counter()
        ex.set(**{key: value})
        blit.append(time.perf_counter() - t0)
    ex.reset()
    interact_way(ex)                # warm-up: pyplot import and fonts
    for key, value in moves[::interact_every]:
        t0 = time.perf_counter()
        interact_way(ex, {key: value})
        interact.append(time.perf_counter() - t0)
    ex.reset()
    return blit, interact


def beta_lr_moves(ex, n):
    lo, hi = ex.lr_range
    betas = [float(b) for b in np.linspace(0.0, 0.95, n)]
    lrs = [float(v) for v in np.geomspace(lo, hi, n)]
    return [("beta", b) for b in betas] + [("lr", v) for v in lrs]


def time_grid(repeats, one_thread=False):
    """The 72-setting grid: one vectorised call (best of ``repeats``) and a loop over every setting."""
    import contextlib

    from momentum_lib import network, practice
    from momentum_lib._threads import single_blas_thread

    task = practice.digits_task()
    d = task.data
    _, _, LR, BETA = practice.halving_grid(0.01, 12, 6)
    batches = network.epoch_batches(len(d.y_train), 32, 3, 0)

    def train(lr, beta):     # network.train itself: practice.train_settings fixes one thread
        return network.train(task.params0, d.x_train, d.y_train, batches, lr=lr, beta=beta,
                             x_val=d.x_val, y_val=d.y_val)

    ctx = single_blas_thread if one_thread else contextlib.nullcontext
    vec = []
    with ctx():
        for _ in range(repeats):
            t0 = time.perf_counter()
            train(LR, BETA)
            vec.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for lr, beta in zip(LR.ravel(), BETA.ravel()):
            train(float(lr), float(beta))
        loop = time.perf_counter() - t0
    return {"settings": LR.size, "vectorised": min(vec), "loop": loop}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args(argv)
    from momentum_lib.explorers import EXPLORERS

    n, every, repeats = (3, 3, 1) if args.tiny else (15, 3, 3)
    load_before = os.getloadavg()
    noisy = EXPLORERS["noise"]()
    nb, ni = time_moves(noisy, beta_lr_moves(noisy, n), every)
    trainer = EXPLORERS["training"]()
    tb, ti = time_moves(trainer, beta_lr_moves(trainer, n), every)
    steps = trainer.state["steps"]
    grid = time_grid(repeats)
    grid1 = time_grid(repeats, one_thread=True)
    load_after = os.getloadavg()

    def row(name, blit, inter, extra=""):
        med, p95, imed = statistics.median(blit), float(np.percentile(blit, 95)), statistics.median(inter)
        return (f"| {name} | {len(blit)} | {1e3 * med:.1f} | {1e3 * p95:.1f} | {1e3 * imed:.1f} "
                f"| {imed / med:.1f}× | {extra} |")

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}; load average "
        f"(1, 5, 15 min) {', '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{', '.join(f'{x:.2f}' for x in load_after)} after"
        + (" (tiny run: too few moves to trust)" if args.tiny else ""),
        "",
        "### β and η moves (one `set` → new PNG in the Image widget)",
        "",
        "| explorer | moves | median (ms) | p95 (ms) | interact way median (ms) | speed-up (medians) | note |",
        "|---|---|---|---|---|---|---|",
        row("noise (06)", nb, ni, "50 runs × 300 steps × 2 methods per move"),
        row("training (07)", tb, ti, f"{steps} training steps × 2 networks per move "
                                     f"(defaults: 5 epochs, batch 32)"),
        "",
        f"### The (η, β) grid of notebook 07: {grid['settings']} settings, 3 epochs, batch 32",
        "",
        "| BLAS threads | one vectorised `network.train` call | a Python loop, one call per setting "
        f"(all {grid['settings']} timed) | speed-up |",
        "|---|---|---|---|",
        f"| numpy's default ({os.cpu_count()}) | {grid['vectorised']:.2f} s (best of {repeats}) "
        f"| {grid['loop']:.2f} s | {grid['loop'] / grid['vectorised']:.1f}× |",
        f"| one (`momentum_lib._threads.single_blas_thread`) | {grid1['vectorised']:.2f} s "
        f"| {grid1['loop']:.2f} s | {grid1['loop'] / grid1['vectorised']:.1f}× |",
        "",
        "With numpy's default threads the loop's many tiny products pay OpenBLAS's thread start-up;",
        "with one thread both ways do the same arithmetic and the ratio is what vectorising saves.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.tiny:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("# Benchmark: notebooks 06 and 07 (`python benchmarks/noise_training.py`)\n\n" + text)


if __name__ == "__main__":
    main()
