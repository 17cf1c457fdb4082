"""Notebook 03's explorer: the trace table, live, beside plain gradient descent.

Type a gradient sequence, move β and lr: the table of ∇J, v, w and Δw = −lr·v is
regenerated with ``trace_table``, next to a bar chart of every step's Δw for
momentum (EMA form) and for gradient descent (Δw = −lr·∇J, the same table with
β = 0).
"""

import html
import math

import numpy as np
import ipywidgets as widgets

from .. import trace_table
from ..drawing import METHOD_COLOURS
from ._base import Explorer, InputError, Scene, control_style

POST_GRADIENTS = "0.5, 0.4, 0.3, 0.1, -0.1"   # the source post's walkthrough
MAX_STEPS = 12


def parse_gradients(text):
    """``"0.5, 0.4, -0.1"`` → ``[0.5, 0.4, -0.1]``; :class:`InputError` saying what is wrong.

    Commas, semicolons or spaces separate the numbers; empty items are skipped.
    """
    items = [item for item in text.replace(";", ",").replace(" ", ",").split(",") if item]
    if not items:
        raise InputError("type at least one gradient, e.g. 0.5, 0.4, 0.3")
    if len(items) > MAX_STEPS:
        raise InputError(f"at most {MAX_STEPS} gradients, please; got {len(items)}")
    grads = []
    for item in items:
        try:
            g = float(item)
        except ValueError:
            raise InputError(f"cannot read {item!r} as a number; separate numbers with commas") from None
        if not math.isfinite(g) or abs(g) > 1e6:
            raise InputError(f"{item!r} is not a usable gradient; use numbers between −1e6 and 1e6")
        grads.append(g)
    return grads


def _nice_limit(x):
    """The smallest of 1, 2, 5 × 10ᵏ at or above ``x`` (steps between axis limits)."""
    if not x > 0:
        return 1e-3
    exponent = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10.0 ** exponent >= x * (1 - 1e-12):
            return m * 10.0 ** exponent
    return 10.0 ** (exponent + 1)


def comparison_html(momentum, sgd):
    """Both traces in one HTML table: ∇J, then v, w, Δw for momentum, then SGD's w and Δw."""
    head = ("<tr><th>step</th><th>∇J</th><th>v</th><th>w</th><th>Δw</th>"
            "<th>w (GD)</th><th>Δw (GD)</th></tr>")
    rows = "".join(
        f"<tr><td>{int(s)}</td><td>{g:.4g}</td><td>{v:.6g}</td><td>{w:.6g}</td>"
        f"<td><b>{dw:.6g}</b></td><td>{ws:.6g}</td><td><b>{dws:.6g}</b></td></tr>"
        for s, g, v, w, dw, ws, dws in zip(momentum.step, momentum.g, momentum.v, momentum.w,
                                          momentum.dw, sgd.w, sgd.dw))
    caption = html.escape(f"momentum: v ← βv + (1−β)∇J, w ← w − lr·v (lr = {momentum.lr:g}, "
                          f"β = {momentum.beta:g}); gradient descent (GD): w ← w − lr·∇J")
    return (f"<table class='trace-table' style='font-size:15px'><caption>{caption}</caption>"
            f"<thead>{head}</thead><tbody>{rows}</tbody></table>")


class TraceExplorer(Explorer):
    """β, lr and the gradient sequence of the hand-worked trace table."""

    name = "trace"
    title = "Δw per step: momentum keeps its direction"
    defaults = {"beta": 0.9, "lr": 0.1, "grads": POST_GRADIENTS}
    lr_range = (0.01, 1.0)
    figsize = (6.4, 4.4)
    text_examples = {"grads": ["1", "1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1", "1e6, -1e6",
                               "0.5, abc", "", "0.5,,0.4", ",".join(["1"] * 13), "nan"]}

    def extra_controls(self):
        return {"grads": widgets.Text(
            value=self.defaults["grads"], description="gradients ∇J",
            placeholder="e.g. 0.5, 0.4, 0.3", continuous_update=False, **control_style())}

    def side_widgets(self):
        self.table = widgets.HTML()
        self.table.add_class("explorer-table")
        return [self.table]

    def compute(self, values):
        grads = parse_gradients(values["grads"])
        momentum = trace_table(grads, lr=values["lr"], beta=values["beta"])
        sgd = trace_table(grads, lr=values["lr"], beta=0.0)
        return {"momentum": momentum, "sgd": sgd}

    def summary(self, result, values):
        m, s = result["momentum"], result["sgd"]
        return {
            "diverged_at": -1,      # a fixed gradient sequence cannot diverge
            "steps": len(m),
            "final_w": float(m.w[-1]),
            "sgd_final_w": float(s.w[-1]),
            "dw": [float(x) for x in m.dw],
            "sgd_dw": [float(x) for x in s.dw],
        }

    def status(self, summary, values):
        return (f"β = {values['beta']:.2f} · lr = {values['lr']:.3g} · after {summary['steps']} "
                f"steps: w = {summary['final_w']:.6g} with momentum, {summary['sgd_final_w']:.6g} "
                "with gradient descent")

    def static_key(self, values):
        try:
            grads = parse_gradients(values["grads"])
        except InputError:
            return self._last_key
        # |Δw| ≤ lr·max|g| for both methods (v is an average of gradients).
        self._last_key = (len(grads), _nice_limit(values["lr"] * max(abs(g) for g in grads)))
        return self._last_key

    _last_key = (5, 0.05)

    def build(self, fig, values):
        scene = Scene(fig)
        ax = scene.ax = fig.add_subplot()
        ax.set(xlabel="step t", ylabel="Δw (change of w)")
        ax.axhline(0.0, color="black", linewidth=1)
        width = 0.38
        scene.bars = {}
        for offset, method, label in ((-width / 2, "sgd", "gradient descent: −lr·∇J"),
                                      (width / 2, "momentum", "momentum: −lr·v")):
            bars = ax.bar(np.arange(1, MAX_STEPS + 1) + offset, np.zeros(MAX_STEPS), width=width,
                          color=METHOD_COLOURS[method], label=label)
            scene.bars[method] = [scene.animated(b) for b in bars]
        ax.legend(loc="upper left", fontsize=13, framealpha=0.9)
        ax.set_title(self.title, fontsize=16)
        self.restyle(scene, values)
        return scene

    def restyle(self, scene, values):
        n, limit = self.static_key(values)
        scene.ax.set_xlim(0.4, n + 0.6)
        scene.ax.set_xticks(np.arange(1, n + 1))
        scene.ax.set_ylim(-1.6 * limit, 1.6 * limit)   # room for the legend above the bars

    def update(self, scene, result, values):
        n = len(result["momentum"])
        for method in ("sgd", "momentum"):
            dw = result[method].dw
            for k, bar in enumerate(scene.bars[method]):
                bar.set_visible(k < n)
                if k < n:
                    bar.set_height(dw[k])
        self.table.value = comparison_html(result["momentum"], result["sgd"])
