"""Notebook 01's explorer: gradient descent and momentum in a narrow valley.

Both methods start at the same point of ``problems.narrow_valley(κ)`` with the
same learning rate η in the **PyTorch form**: gradient descent w ← w − η·g,
momentum b ← β·b + g, w ← w − η·b (``torch.optim.SGD(lr=η, momentum=β)``, Polyak's
heavy ball with α = η). This is "switch momentum on and keep the learning rate";
in the EMA form of notebooks 02–03 the same momentum run has η/(1 − β).
Left: the paths over the loss contours. Right: the loss per step on a log scale.
"""

import numpy as np
import ipywidgets as widgets

from .. import problems, run, theory
from ..drawing import METHOD_NAMES, TICK_SIZE, cut_at_exit, method_style
from ..experiments import settling_step
from ._base import Explorer
from ._scene import Scene, divergence_message
from ._sliders import control_style, kappa_slider

CONVENTION = "pytorch"
# Fixed view of the valley: the start (−3, 1) and room for overshoot past 0.
XLIM = (-3.6, 2.4)
YLIM = (-1.7, 1.7)
LOSS_LIM = (1e-8, 1e2)
TOL = 0.01        # "settled": the distance to the minimum stays within this from then on
METHODS = ("sgd", "momentum")


def valley_runs(kappa, lr, beta, steps):
    """Gradient descent (row 0) and momentum (row 1, PyTorch form) from the same start, one ``run``.

    In the PyTorch form β = 0 is exactly gradient descent (b = g), so both rows
    come from a single vectorised call with ``beta = [0, β]``.
    """
    p = problems.narrow_valley(kappa)
    return p, run(p.grad, p.w0, steps, lr=lr, beta=np.array([0.0, beta]), convention=CONVENTION,
                  loss_fn=p.loss)


def stability_limits(beta, lam_max=1.0):
    """The largest stable η (PyTorch form) for gradient descent and for momentum: 2/λ, (2 + 2β)/λ."""
    return (float(theory.max_stable_lr(0.0, lam_max, method="sgd")),
            float(theory.max_stable_lr(beta, lam_max, convention=CONVENTION)))


def level_sets(kappa, n_levels=9, n_points=120):
    """Contours of J = ½(w₁²/κ + w₂²) as one polyline: ellipses with semi-axes √(2cκ), √(2c).

    Levels are spaced geometrically from 0.02 to the loss at the view's corner;
    ellipses are separated by NaN so a single ``Line2D`` draws them all.
    """
    top = 0.5 * (XLIM[0] ** 2 / kappa + YLIM[1] ** 2)
    theta = np.append(np.linspace(0.0, 2 * np.pi, n_points), np.nan)
    xs, ys = [], []
    for c in np.geomspace(0.02, top, n_levels):
        xs.append(np.sqrt(2 * c * kappa) * np.cos(theta))
        ys.append(np.sqrt(2 * c) * np.sin(theta))
    return np.clip(np.concatenate(xs), *XLIM), np.clip(np.concatenate(ys), *YLIM)


def _steps_text(k, diverged_at):
    if diverged_at >= 0:
        return f"diverged at step {diverged_at}"
    return f"step {k}" if k >= 0 else "not within the run"


class ValleyExplorer(Explorer):
    """β, η, κ and the number of steps for gradient descent vs momentum in a valley."""

    name = "valley"
    title = "Gradient descent and momentum in a narrow valley, at the same η (PyTorch form)"
    drawn = ("Left: the paths of gradient descent and momentum over the contours of a narrow valley,"
             " from the same start; right: their loss against the step, on a log scale")
    defaults = {"beta": 0.9, "lr": 1.9, "kappa": 500.0, "steps": 150}
    # Up to 10: above (2 + 2β)/λ ≤ 3.98 momentum diverges too, for every β on the slider.
    lr_label = "η (PyTorch form, both)"
    lr_range = (0.01, 10.0)
    figsize = (10.0, 4.6)


    def extra_controls(self):
        return {
            "kappa": kappa_slider(self.defaults["kappa"], largest=1000.0),
            "steps": widgets.IntSlider(value=self.defaults["steps"], min=5, max=300, step=5,
                                       description="steps", **control_style()),
        }

    def compute(self, values):
        return valley_runs(values["kappa"], values["lr"], values["beta"], values["steps"])[1]

    def summary(self, result, values):
        loss = result.loss[-1]
        settled = settling_step(result.w, 0.0, TOL)
        sgd_limit, limit = stability_limits(values["beta"])
        return {
            "diverged_at": int(result.diverged_at[1]),
            "sgd_diverged_at": int(result.diverged_at[0]),
            "final_loss": float(loss[1]),
            "sgd_final_loss": float(loss[0]),
            "settled": int(settled[1]),
            "sgd_settled": int(settled[0]),
            "stable_lr": limit,
            "sgd_stable_lr": sgd_limit,
        }

    def message(self, summary, values):
        return divergence_message(summary["sgd_diverged_at"], summary["diverged_at"])

    def status(self, summary, values):
        return (f"β = {values['beta']:.2f} · η = {values['lr']:.3g} (PyTorch form) · "
                f"κ = {values['kappa']:.3g} · stays within {TOL:g} of the minimum from: "
                f"gradient descent {_steps_text(summary['sgd_settled'], summary['sgd_diverged_at'])}, "
                f"momentum {_steps_text(summary['settled'], summary['diverged_at'])}"
                f"<br>stable for η below {summary['sgd_stable_lr']:.3g} (gradient descent) and "
                f"{summary['stable_lr']:.3g} (momentum at this β)")

    def static_key(self, result, values):
        return values["steps"]        # the loss panel's step axis

    def layer_key(self, result, values):
        return values["kappa"]          # the level sets

    def build(self, fig, values):
        scene = Scene(fig)
        grid = fig.add_gridspec(1, 2, width_ratios=(1.6, 1.0))
        ax = scene.ax = fig.add_subplot(grid[0])
        ax.set(xlim=XLIM, ylim=YLIM, xlabel="$w_1$ (along the valley)", ylabel="$w_2$ (across)")
        ax.plot([0], [0], marker="*", markersize=16, color="black", linestyle="none", zorder=3)
        ax.plot([-3], [1], marker="o", markersize=8, color="black", linestyle="none", zorder=3)
        # Level sets drawn as one line (ellipses split by NaN), in the layer cached per κ:
        # a κ move redraws no ticks or labels, a β/η move neither draws nor sends them.
        scene.contours = scene.layered(ax.plot([], [], color="#BBBBBB", linewidth=1)[0])
        scene.paths = {}
        for method, marker in zip(METHODS, ("o", "s")):
            line, = ax.plot([], [], marker=marker, markersize=3.5, linewidth=2,
                            label=METHOD_NAMES[method], **method_style(method))
            scene.paths[method] = scene.animated(line)

        lx = scene.loss_ax = fig.add_subplot(grid[1])
        lx.set(yscale="log", ylim=LOSS_LIM, xlabel="step $t$", ylabel="loss $J(w)$")
        scene.losses = {m: scene.animated(lx.plot([], [], **method_style(m))[0]) for m in METHODS}
        # In the loss panel's empty top right, not over the contours: it stays in the
        # cached background (an animated legend would re-render its text on every move).
        lx.legend(handles=list(scene.paths.values()), loc="upper right", fontsize=TICK_SIZE,
                  framealpha=1.0)
        fig.suptitle(self.title, fontsize=16)
        return scene

    def restyle(self, scene, steps):
        scene.loss_ax.set_xlim(0, steps)

    def update(self, scene, result, values):
        scene.contours.set_data(*level_sets(values["kappa"]))
        w = result.w
        t = np.arange(len(result.loss))
        for row, method in enumerate(METHODS):
            # A path stops where it leaves the view (no wall-to-wall block when it diverges).
            scene.paths[method].set_data(*cut_at_exit(w[:, row, 0], w[:, row, 1],
                                                      limits=(XLIM, YLIM)))
            _t, loss = cut_at_exit(t, result.loss[:, row],
                                   limits=((0, np.inf), (0.0, LOSS_LIM[1])))
            scene.losses[method].set_data(t, np.maximum(loss, LOSS_LIM[0] / 10))
