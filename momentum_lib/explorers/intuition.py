"""Notebook 02's explorer: the velocity averages noisy gradients; the weights' spread does not shrink.

A 1-D parabola J(w) = ½w² whose gradients carry seeded Gaussian noise (a stand-in
for mini-batches). Gradient descent and momentum (EMA form, v ← βv + (1−β)g,
w ← w − η·v) use the same η, which in the EMA form is the same effective step
for a steady gradient, and the **same noise stream** (one draw per step, shared),
so every difference on screen is the method's, not the luck of the draw.

Left: the noisy gradients momentum receives and its velocity v. Middle: the
weight each past gradient has in v, (1−β)βᵏ, with the window 1/(1−β). Right: the
weight w for both methods. The status line gives the long-run spread of w for
both (``experiments.stationary_spread``, exact for this problem) and where each
method becomes unstable.
"""

import math

import numpy as np

from .. import theory
from ..drawing import METHOD_COLOURS, METHOD_NAMES, cut_at_exit, method_style
from ..experiments import noisy_parabola_runs, stationary_spread
from ._base import Explorer
from ._scene import Scene, divergence_message
from ._sliders import float_slider

W0 = 4.0
STEPS = 200
SEED = 0
MAX_LAG = 60
W_LIM = (-2.5, 5.0)
WEIGHT_LIM = (1e-4, 1.5)
METHODS = ("sgd", "momentum")


def noisy_runs(lr, beta, noise, steps=STEPS, seed=SEED):
    """Gradient descent (row 0) and EMA momentum (row 1) on ½w² from w = 4, one shared noise stream."""
    return noisy_parabola_runs(lr, np.array([0.0, beta]), noise, steps, w0=W0, seed=seed)


def _gradient_limits(noise):
    # Rounded up to a whole noise level so the background is re-cached rarely.
    level = math.ceil(noise + 1e-9) if noise > 0 else 0
    return (-1.0 - 3.0 * level, W0 + 1.0 + 3.0 * level)


def _spread_text(spread):
    return f"{spread:.3g}" if math.isfinite(spread) else "unbounded (unstable)"


class IntuitionExplorer(Explorer):
    """β, η and gradient noise: what the velocity smooths, and what the weights do."""

    name = "intuition"
    title = "Noisy gradients, the velocity that averages them, and the weight"
    drawn = ("Left: the noisy gradients and momentum's velocity against the step; middle: the weight"
             " (1−β)βᵏ each past gradient has in the velocity; right: the weight w of gradient "
             "descent and of momentum against the step")
    defaults = {"beta": 0.9, "lr": 0.1, "noise": 1.0}
    # Up to 400: momentum's limit (2 + 2β)/(1 − β) in the EMA form is 398 at β = 0.99.
    lr_label = "η (EMA form, both)"
    lr_range = (0.01, 400.0)
    figsize = (11.5, 4.6)
    tight = False             # axes placed in build: one legend below all three panels


    def extra_controls(self):
        return {"noise": float_slider(self.defaults["noise"], 0.0, 3.0, 0.1, ".1f", "gradient noise σ")}

    def compute(self, values):
        return noisy_runs(values["lr"], values["beta"], values["noise"])

    def summary(self, result, values):
        beta, lr, noise = values["beta"], values["lr"], values["noise"]
        spreads = stationary_spread(lr, np.array([0.0, beta]), noise)
        limits = (float(theory.max_stable_lr(0.0, 1.0, method="sgd")),
                  float(theory.max_stable_lr(beta, 1.0)))
        return {
            "diverged_at": int(result.diverged_at[1]),
            "sgd_diverged_at": int(result.diverged_at[0]),
            "effective_window": float(theory.effective_window(beta)),
            "half_life": float(theory.half_life(beta)),
            "sgd_spread": float(spreads[0]),
            "momentum_spread": float(spreads[1]),
            "sgd_stable_lr": limits[0],
            "stable_lr": limits[1],
        }

    def message(self, summary, values):
        return divergence_message(summary["sgd_diverged_at"], summary["diverged_at"])

    def status(self, summary, values):
        return (f"β = {values['beta']:.2f} · η = {values['lr']:.3g} (EMA form, both) · "
                f"σ = {values['noise']:.1f} · window 1/(1−β) = {summary['effective_window']:.3g} steps"
                f"<br>long-run spread of w (theory): gradient descent "
                f"{_spread_text(summary['sgd_spread'])}, momentum "
                f"{_spread_text(summary['momentum_spread'])} · stable for η below "
                f"{summary['sgd_stable_lr']:.3g} (gradient descent) and "
                f"{summary['stable_lr']:.3g} (momentum at this β)")

    def static_key(self, result, values):
        return _gradient_limits(values["noise"])

    def build(self, fig, values):
        scene = Scene(fig)
        ga, wa, xa = (fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        scene.grad_ax, scene.weight_ax, scene.w_ax = ga, wa, xa

        ga.set(xlim=(0, STEPS), xlabel="step $t$", ylabel="$g$  and  $v$",
               title="gradients and velocity")
        scene.grads = scene.animated(ga.plot([], [], linestyle="none", marker="o", markersize=3,
                                             color=METHOD_COLOURS["noisy"], label="noisy gradient g")[0])
        scene.velocity = scene.animated(ga.plot([], [], label="velocity v (momentum)",
                                                **method_style("momentum"))[0])

        wa.set(xlim=(-1, MAX_LAG), ylim=WEIGHT_LIM, yscale="log",
               xlabel="age $k$ of a gradient (steps)", ylabel="weight $(1-\\beta)\\beta^k$",
               title="how far back v looks")
        scene.weights = scene.animated(wa.plot([], [], marker="o", markersize=3.5,
                                               **method_style("momentum"))[0])
        scene.window = scene.animated(wa.axvline(np.nan, color=METHOD_COLOURS["theory"],
                                                 linestyle="--", linewidth=1.5))
        scene.window_label = scene.animated(wa.text(0, 0, "", fontsize=14, ha="left", va="top"))

        xa.set(xlim=(0, STEPS), ylim=W_LIM, xlabel="step $t$", ylabel="weight $w$",
               title="where w goes")
        xa.axhline(0.0, color="#BBBBBB", linewidth=1)
        scene.paths = {m: scene.animated(xa.plot([], [], label=METHOD_NAMES[m], linewidth=2,
                                                 **method_style(m))[0])
                       for m in METHODS}
        # One legend under the panels, never over the data (left, right or diverging).
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], linestyle="none", marker="o", markersize=5,
                          color=METHOD_COLOURS["noisy"]),
                   Line2D([], [], linewidth=2, **method_style("momentum")),
                   Line2D([], [], linewidth=2, **method_style("sgd"))]
        fig.legend(handles, ["noisy gradient g", "momentum: velocity v (left), weight w (right)",
                             "gradient descent: weight w"],
                   loc="lower center", ncol=3, frameon=False, fontsize=13, borderaxespad=0.2)
        fig.subplots_adjust(left=0.075, right=0.975, bottom=0.26, top=0.83, wspace=0.45)
        fig.suptitle(self.title, fontsize=16)
        return scene

    def restyle(self, scene, limits):
        scene.grad_ax.set_ylim(*limits)

    def update(self, scene, result, values):
        lo, hi = scene.grad_ax.get_ylim()
        t = np.arange(1, len(result.g) + 1)
        scene.grads.set_data(*cut_at_exit(t, result.g[:, 1, 0], limits=((0, np.inf), (lo, hi))))
        scene.velocity.set_data(*cut_at_exit(np.arange(len(result.v)), result.v[:, 1, 0],
                                             limits=((0, np.inf), (lo, hi))))

        beta = values["beta"]
        lags = np.arange(MAX_LAG)
        weights = theory.past_gradient_weights(beta, MAX_LAG)[::-1]   # newest first
        scene.weights.set_data(lags, np.clip(weights, WEIGHT_LIM[0] / 10, None))
        window = float(theory.effective_window(beta))
        scene.window.set_xdata([window, window])
        scene.window_label.set_position((min(window, MAX_LAG * 0.55) + 1, 0.9))
        scene.window_label.set_text(f"1/(1−β) = {window:.3g}")

        steps = np.arange(len(result.w))
        for row, method in enumerate(METHODS):
            # Stops where a diverging path leaves the panel: no wall-to-wall block.
            scene.paths[method].set_data(*cut_at_exit(steps, result.w[:, row, 0],
                                                      limits=((0, np.inf), W_LIM)))
