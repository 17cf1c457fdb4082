"""Notebook 04's explorer: momentum and Nesterov momentum side by side in a narrow valley.

Both start at the same point of ``problems.narrow_valley(κ)`` with the same lr and
β, in the EMA form (the series' convention); Nesterov takes its gradient at the
look-ahead point w − lr·β·v. Left: the two paths over the contours. Right: the
coordinate across the valley, w₂, step by step, so the overshoot past the floor
(w₂ = 0) is visible; the status line prints the overshoot measured by
``experiments.overshoot`` and the settling step of ``experiments.settling_step``,
and the stability limit of each method for the current β (``theory.max_stable_lr``):
the η slider reaches past both limits at every β, so a learner can see that both
methods diverge, Nesterov first.
"""

import numpy as np
from matplotlib.lines import Line2D

from .. import experiments, problems, theory
from ..drawing import TICK_SIZE, method_style
from ._base import Explorer
from ._scene import Scene, clip
from ._sliders import kappa_slider
from .valley import XLIM, YLIM, level_sets

STEPS = 120
TOL = 0.05                     # "settled": within this distance of the minimum for good
METHODS = ("momentum", "nesterov")
LABELS = {"momentum": "momentum", "nesterov": "Nesterov"}
LR_LABEL = "η (EMA form)"
LAM_MAX = 1.0                  # the valley's stiff curvature: it sets the stability limits


def stability_limits(beta):
    """For this β, the η (EMA form) from which on each method diverges on the valley (it converges below)."""
    return {m: float(theory.max_stable_lr(beta, LAM_MAX, method=m, convention="ema"))
            for m in METHODS}


class NesterovExplorer(Explorer):
    """β, lr and κ for momentum vs Nesterov momentum (EMA form) in a narrow valley."""

    name = "nesterov"
    title = "Momentum and Nesterov from the same start, with the same η and β"
    drawn = ("Left: the paths of momentum and Nesterov momentum over the contours of a narrow "
             "valley; right: the coordinate across the valley, w₂, against the step")
    defaults = {"beta": 0.9, "lr": 2.0, "kappa": 10.0}
    # up to 500: past momentum's limit (2 + 2β)/(1 − β) = 398 at β = 0.99, the slider's end
    lr_range = (0.05, 500.0)
    lr_label = LR_LABEL
    figsize = (11.0, 4.6)

    def extra_controls(self):
        return {"kappa": kappa_slider(self.defaults["kappa"], largest=100.0)}

    def compute(self, values):
        p = problems.narrow_valley(values["kappa"])
        return experiments.compare_overshoot(p, lr=values["lr"], beta=values["beta"], steps=STEPS,
                                             tol=TOL, methods=METHODS)

    def summary(self, result, values):
        m, n = result["momentum"], result["nesterov"]
        return {
            "diverged_at": int(m.run.diverged_at),
            "nesterov_diverged_at": int(n.run.diverged_at),
            "overshoot_momentum": float(m.overshoot[1]),
            "overshoot_nesterov": float(n.overshoot[1]),
            "settled_momentum": m.settled,
            "settled_nesterov": n.settled,
            **{f"max_lr_{m}": limit for m, limit in stability_limits(values["beta"]).items()},
        }

    def message(self, summary, values):
        k, k_n = summary["diverged_at"], summary["nesterov_diverged_at"]
        if k >= 0 and k_n >= 0:
            return f"both diverged (momentum at step {k}, Nesterov at {k_n}) — lower η"
        if k >= 0:
            return f"momentum diverged at step {k}; Nesterov did not"
        if k_n >= 0:
            return f"Nesterov diverged at step {k_n}; momentum did not"
        return ""

    def status(self, summary, values):
        def overshoot(m, key):
            gone = summary["diverged_at" if m == "momentum" else "nesterov_diverged_at"] >= 0
            return "—" if gone else f"{summary[key]:.3f}"

        def settled(k):
            return f"{k}" if k >= 0 else f"not within {STEPS}"

        def limit(m):
            above = " (η is above it)" if values["lr"] >= summary[f"max_lr_{m}"] else ""
            return f"{summary[f'max_lr_{m}']:.3g}{above}"

        return (f"overshoot across: momentum {overshoot('momentum', 'overshoot_momentum')}, "
                f"Nesterov {overshoot('nesterov', 'overshoot_nesterov')} · within {TOL} "
                f"from step: momentum {settled(summary['settled_momentum'])}, "
                f"Nesterov {settled(summary['settled_nesterov'])} · at β = {values['beta']:.2f} "
                f"momentum converges for η below {limit('momentum')}, Nesterov below "
                f"{limit('nesterov')}")

    def layer_key(self, result, values):
        return values["kappa"]          # the level sets

    def build(self, fig, values):
        scene = Scene(fig)
        grid = fig.add_gridspec(1, 2, width_ratios=(1.5, 1.0))
        ax = scene.ax = fig.add_subplot(grid[0])
        ax.set(xlim=XLIM, ylim=YLIM, xlabel=r"$w_1$ (along the valley)", ylabel=r"$w_2$ (across)")
        # level sets as one line (ellipses split by NaN) in the layer cached per κ: a κ move
        # redraws no ticks or labels, a β/η move neither draws nor sends them
        scene.contours = scene.layered(ax.plot([], [], color="#BBBBBB", lw=1)[0])
        scene.paths, scene.across = {}, {}
        wx = scene.w_ax = fig.add_subplot(grid[1])
        wx.axhline(0.0, color="black", lw=1)
        wx.set(xlim=(0, STEPS), ylim=YLIM, xlabel="step t", ylabel=r"$w_2$ (across)",
               title=r"crossing the floor $w_2 = 0$")
        for method in METHODS:
            style = method_style(method)
            scene.paths[method] = scene.animated(ax.plot(
                [], [], marker="o", markersize=3.5, lw=2, label=LABELS[method], **style)[0])
            scene.across[method] = scene.animated(wx.plot([], [], lw=2, **style)[0])
        # start and minimum on top of contours and paths, so animated as well
        scene.animated(ax.plot([-3.0], [1.0], marker="o", markersize=8, color="black", ls="none")[0])
        scene.animated(ax.plot([0], [0], marker="*", markersize=16, color="black", ls="none",
                               markeredgecolor="white")[0])
        # the legend sits where no line passes (blitted lines would cross a static legend)
        wx.legend([Line2D([], [], lw=2, **method_style(m)) for m in METHODS],
                  [LABELS[m] for m in METHODS], loc="upper right", fontsize=TICK_SIZE,
                  framealpha=0.9)
        fig.suptitle(self.title, fontsize=15)
        return scene

    def update(self, scene, result, values):
        scene.contours.set_data(*level_sets(values["kappa"]))
        t = np.arange(STEPS + 1)
        for method in METHODS:
            w = result[method].run.w
            scene.paths[method].set_data(clip(w[:, 0], *XLIM), clip(w[:, 1], *YLIM))
            scene.across[method].set_data(t, clip(w[:, 1], *YLIM))
