"""Notebook 03's explorer: the trace table, live, beside plain gradient descent.

Type a gradient sequence, move β and η: the table of ∇J, v and Δw = −η·v is
regenerated with ``trace_table``, next to a bar chart of every step's Δw for
momentum (EMA form) and for gradient descent (Δw = −η·∇J, the same table with
β = 0). The figure and the table sit side by side and the whole explorer stays
under ~500 px tall, so sliders, bars and table fit on a 1366×768 screen together.
"""

import html
import math

import numpy as np
import ipywidgets as widgets

from .. import trace_table
from ..drawing import METHOD_COLOURS, METHOD_NAMES
from ._base import Explorer
from ._scene import InputError, Scene
from ._sliders import control_style

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


def decimals_for(values, significant=4):
    """Decimal places that give the largest |value| ``significant`` significant figures (0–8).

    One count per column keeps the decimal points aligned down the column.

    >>> decimals_for([0.05, 0.085, 0.1065])
    4
    >>> decimals_for([-0.5, 12.0])
    2
    """
    largest = max((abs(float(x)) for x in values if math.isfinite(float(x))), default=0.0)
    if largest == 0.0:
        return 1
    return int(min(max(significant - 1 - math.floor(math.log10(largest)), 0), 8))


def comparison_html(momentum, sgd):
    """Both traces in one compact HTML table: ∇J, momentum's v and Δw, gradient descent's Δw.

    Each column has one number of decimals (aligned decimal points, tabular digits);
    the final weights are in the status line.
    """
    columns = [momentum.g, momentum.v, momentum.dw, sgd.dw]
    places = [decimals_for(c) for c in columns]
    head = ("<tr><th>t</th><th>∇J</th><th>v</th><th>Δw<br>momentum</th>"
            "<th>Δw<br>GD</th></tr>")
    rows = "".join(
        f"<tr><td>{int(step)}</td>"
        + "".join(f"<td>{float(x):+.{p}f}</td>" for x, p in zip(values, places))
        + "</tr>"
        for step, *values in zip(momentum.step, *columns))
    caption = html.escape(f"EMA form, η = {momentum.lr:g}, β = {momentum.beta:g}: "
                          "v ← βv + (1−β)∇J, Δw = −η·v; gradient descent (GD): Δw = −η·∇J")
    style = ("font-size:14px;border-collapse:collapse;font-variant-numeric:tabular-nums;"
             "font-family:ui-monospace,Menlo,Consolas,monospace")
    cells = "padding:0 8px;line-height:1.35;text-align:right"
    return (f"<style>.trace-table td, .trace-table th {{{cells}}}"
            f".trace-table caption {{font-family:sans-serif;font-size:13px;caption-side:bottom;"
            f"text-align:left;max-width:330px}}</style>"
            f"<table class='trace-table' style='{style}'><caption>{caption}</caption>"
            f"<thead>{head}</thead><tbody>{rows}</tbody></table>")


class TraceExplorer(Explorer):
    """β, lr and the gradient sequence of the hand-worked trace table."""

    name = "trace"
    title = "Δw per step (EMA form, same η)"
    drawn = ("Bars of the step Δw at each step, for momentum (EMA form) and for gradient descent at "
             "the same η")
    defaults = {"beta": 0.9, "lr": 0.1, "grads": POST_GRADIENTS}
    lr_label = "η (EMA form)"
    lr_range = (0.01, 1.0)
    figsize = (4.9, 3.7)
    tight = False             # axes placed in build: the legend goes under the plot
    message_width = 24        # the message sits in the empty axes (see message_artist)
    text_examples = {"grads": ["1", "1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1", "1e6, -1e6",
                               "0.5, abc", "", "0.5,,0.4", ",".join(["1"] * 13), "nan"]}


    def extra_controls(self):
        return {"grads": widgets.Text(
            value=self.defaults["grads"], description="gradients ∇J",
            placeholder="e.g. 0.5, 0.4, 0.3", continuous_update=False, **control_style())}

    def side_widgets(self, scene):
        return [scene.table]

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
        return (f"β = {values['beta']:.2f} · η = {values['lr']:.3g} (EMA form) · after "
                f"{summary['steps']} steps: w = {summary['final_w']:.4g} with momentum, "
                f"{summary['sgd_final_w']:.4g} with gradient descent")

    def static_key(self, result, values):
        return len(result["momentum"])      # the step axis; the Δw axis moves with the bars

    def build(self, fig, values):
        scene = Scene(fig)
        scene.table = widgets.HTML()        # beside the figure, filled in by update
        scene.table.add_class("explorer-table")
        ax = scene.ax = fig.add_subplot()
        ax.set(xlabel="step $t$", ylabel="Δw")
        # Large or tiny Δw as short ticks under a "1e5" offset, so that wide tick labels
        # never push the axis label off the figure.
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 3))
        # Δw scales with η, so its axis follows η on a 1-2-5 ladder: an SVG of its own,
        # sent when the ladder step changes (not a new background, and not redrawn with
        # the bars on every move). Its limits are symmetric, so the zero line stays where
        # the background has it.
        scene.yaxis = scene.animated(ax.yaxis, cached_by=ax.get_ylim)
        ax.set_ylim(-1.0, 1.0)          # symmetric from the start (update sets the ladder step)
        ax.axhline(0.0, color="black", linewidth=1)
        width = 0.38
        scene.bars = {}
        # Outlined against filled, as well as colour: the two methods stay apart in greyscale
        # (hatching would too, but it doubles the cost of drawing a bar).
        for offset, method, label, filled in ((-width / 2, "sgd", "−η∇J", False),
                                              (width / 2, "momentum", "−ηv", True)):
            colour = METHOD_COLOURS[method]
            bars = ax.bar(np.arange(1, MAX_STEPS + 1) + offset, np.zeros(MAX_STEPS), width=width,
                          facecolor=colour if filled else "white", edgecolor=colour,
                          linewidth=0 if filled else 2.5, label=f"{METHOD_NAMES[method]} ({label})")
            scene.bars[method] = [scene.animated(b) for b in bars]
        fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, frameon=False,
                   fontsize=12, handletextpad=0.3, columnspacing=0.8, handlelength=1.5)
        ax.set_title(self.title, fontsize=15, pad=16)   # clear of a "1e5" offset label
        fig.subplots_adjust(left=0.25, right=0.97, top=0.82, bottom=0.28)
        return scene

    def message_artist(self, scene):
        # This figure has no free strip below its legend, and its only messages are about
        # bad input, which leaves the axes empty (no bars): the message goes there, wrapped.
        text = super().message_artist(scene)
        text.set(transform=scene.ax.transAxes, x=0.5, y=0.75, ha="center", va="center")
        return text

    def restyle(self, scene, n):
        scene.ax.set_xlim(0.4, n + 0.6)
        scene.ax.set_xticks(np.arange(1, n + 1))

    def update(self, scene, result, values):
        n = len(result["momentum"])
        # |Δw| ≤ η·max|∇J| for both methods (v is an average of gradients)
        limit = _nice_limit(values["lr"] * float(np.max(np.abs(result["momentum"].g))))
        scene.ax.set_ylim(-1.05 * limit, 1.05 * limit)
        for method in ("sgd", "momentum"):
            dw = result[method].dw
            for k, bar in enumerate(scene.bars[method]):
                bar.set_visible(k < n)
                if k < n:
                    bar.set_height(dw[k])
        scene.table.value = comparison_html(result["momentum"], result["sgd"])
