"""Notebook 04's explorer: momentum and Nesterov momentum side by side in a narrow valley.

Both start at the same point of ``problems.narrow_valley(κ)`` with the same lr and
β, in the EMA form (the series' convention); Nesterov takes its gradient at the
look-ahead point w − lr·β·v. Left: the two paths over the contours. Right: the
coordinate across the valley, w₂, step by step, so the overshoot past the floor
(w₂ = 0) is visible; the status line prints the overshoot measured by
``experiments.overshoot`` and the settling step of ``experiments.settling_step``.
"""

import numpy as np
from matplotlib.lines import Line2D

from .. import experiments, problems
from ..drawing import METHOD_COLOURS, TICK_SIZE
from ._base import Explorer, Scene, clip, kappa_slider
from .valley import XLIM, YLIM, level_sets

STEPS = 120
TOL = 0.05                     # "settled": within this distance of the minimum for good
METHODS = ("momentum", "nesterov")
LABELS = {"momentum": "momentum", "nesterov": "Nesterov"}


class NesterovExplorer(Explorer):
    """β, lr and κ for momentum vs Nesterov momentum (EMA form) in a narrow valley."""

    name = "nesterov"
    title = "Momentum vs Nesterov: the look-ahead gradient brakes before the far wall"
    defaults = {"beta": 0.9, "lr": 2.0, "kappa": 10.0}
    lr_range = (0.05, 40.0)
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
        }

    def message(self, summary, values):
        k, k_n = summary["diverged_at"], summary["nesterov_diverged_at"]
        if k >= 0 and k_n >= 0:
            return f"both diverged (momentum at step {k}, Nesterov at {k_n}) — lower lr or β"
        if k >= 0:
            return f"momentum diverged at step {k}; Nesterov did not"
        if k_n >= 0:
            return f"Nesterov diverged at step {k_n}; momentum did not"
        return ""

    def status(self, summary, values):
        def settled(k):
            return f"step {k}" if k >= 0 else f"not within {STEPS} steps"

        return (f"largest overshoot across the valley: momentum {summary['overshoot_momentum']:.3f}, "
                f"Nesterov {summary['overshoot_nesterov']:.3f} · within {TOL} of the minimum "
                f"from: momentum {settled(summary['settled_momentum'])}, "
                f"Nesterov {settled(summary['settled_nesterov'])}")

    def build(self, fig, values):
        scene = Scene(fig)
        grid = fig.add_gridspec(1, 2, width_ratios=(1.5, 1.0))
        ax = scene.ax = fig.add_subplot(grid[0])
        ax.set(xlim=XLIM, ylim=YLIM, xlabel="w₁ (along the valley)", ylabel="w₂ (across)")
        # level sets as one blitted line (ellipses split by NaN): a κ move redraws no background
        scene.contours = scene.animated(ax.plot([], [], color="#BBBBBB", lw=1)[0])
        scene.paths, scene.across = {}, {}
        wx = scene.w_ax = fig.add_subplot(grid[1])
        wx.axhline(0.0, color="black", lw=1)
        wx.set(xlim=(0, STEPS), ylim=YLIM, xlabel="step t", ylabel="w₂ (across)",
               title="crossing the floor (w₂ = 0)")
        for method in METHODS:
            colour = METHOD_COLOURS[method]
            scene.paths[method] = scene.animated(ax.plot(
                [], [], color=colour, marker="o", markersize=3.5, lw=2, label=LABELS[method])[0])
            scene.across[method] = scene.animated(wx.plot([], [], color=colour, lw=2)[0])
        # start and minimum on top of contours and paths, so animated as well
        scene.animated(ax.plot([-3.0], [1.0], marker="o", markersize=8, color="black", ls="none")[0])
        scene.animated(ax.plot([0], [0], marker="*", markersize=16, color="black", ls="none",
                               markeredgecolor="white")[0])
        # the legend sits where no line passes (blitted lines would cross a static legend)
        wx.legend([Line2D([], [], color=METHOD_COLOURS[m], lw=2) for m in METHODS],
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
