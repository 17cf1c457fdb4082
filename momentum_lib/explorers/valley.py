"""Notebook 01's explorer: gradient descent and momentum in a narrow valley.

Both methods start at the same point of ``problems.narrow_valley(κ)`` and use
the same learning rate; momentum uses the EMA form v ← βv + (1−β)g, w ← w − lr·v
(the series' convention). Left: the paths over the loss contours. Right: the
loss per step on a log scale.
"""

import numpy as np
import ipywidgets as widgets

from .. import problems, run
from ..drawing import METHOD_COLOURS, TICK_SIZE
from ._base import Explorer, Scene, clip, control_style, divergence_message, kappa_slider

# Fixed view of the valley: the start (−3, 1) and room for overshoot past 0.
XLIM = (-3.6, 2.4)
YLIM = (-1.7, 1.7)
LOSS_LIM = (1e-8, 1e2)


def valley_runs(kappa, lr, beta, steps):
    """Gradient descent (row 0) and momentum (row 1) from the same start, one ``run``.

    In the EMA form β = 0 is exactly gradient descent (v = g), so both rows come
    from a single vectorised call with ``beta = [0, β]``.
    """
    p = problems.narrow_valley(kappa)
    return p, run(p.grad, p.w0, steps, lr=lr, beta=np.array([0.0, beta]), loss_fn=p.loss)


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
    return clip(np.concatenate(xs), *XLIM), clip(np.concatenate(ys), *YLIM)


class ValleyExplorer(Explorer):
    """β, lr, κ and the number of steps for gradient descent vs momentum in a valley."""

    name = "valley"
    title = "Gradient descent zigzags across the valley and crawls along it; momentum rolls through"
    defaults = {"beta": 0.9, "lr": 1.9, "kappa": 50.0, "steps": 80}
    lr_range = (0.01, 40.0)
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
        return {
            "diverged_at": int(result.diverged_at[1]),
            "sgd_diverged_at": int(result.diverged_at[0]),
            "final_loss": float(loss[1]),
            "sgd_final_loss": float(loss[0]),
        }

    def message(self, summary, values):
        return divergence_message(summary["sgd_diverged_at"], summary["diverged_at"])

    def status(self, summary, values):
        head = (f"β = {values['beta']:.2f} · lr = {values['lr']:.3g} · κ = {values['kappa']:.3g}"
                f" · loss after {values['steps']} steps: ")
        sgd = "diverged" if summary["sgd_diverged_at"] >= 0 else f"{summary['sgd_final_loss']:.1e}"
        mom = "diverged" if summary["diverged_at"] >= 0 else f"{summary['final_loss']:.1e}"
        return head + f"gradient descent {sgd}, momentum {mom}"

    def static_key(self, values):
        return values["steps"]        # the loss panel's step axis

    def build(self, fig, values):
        scene = Scene(fig)
        grid = fig.add_gridspec(1, 2, width_ratios=(1.6, 1.0))
        ax = scene.ax = fig.add_subplot(grid[0])
        ax.set(xlim=XLIM, ylim=YLIM, xlabel="w₁ (along the valley)", ylabel="w₂ (across)")
        ax.plot([0], [0], marker="*", markersize=16, color="black", linestyle="none", zorder=3)
        ax.plot([-3], [1], marker="o", markersize=8, color="black", linestyle="none", zorder=3)
        # Level sets drawn as one line (ellipses split by NaN) so a κ move only blits.
        scene.contours = scene.animated(ax.plot([], [], color="#BBBBBB", linewidth=1)[0])
        scene.paths = {}
        for method, label in (("sgd", "gradient descent"), ("momentum", "momentum")):
            line, = ax.plot([], [], color=METHOD_COLOURS[method], marker="o", markersize=3.5,
                            linewidth=2, label=label)
            scene.paths[method] = scene.animated(line)

        lx = scene.loss_ax = fig.add_subplot(grid[1])
        lx.set(yscale="log", ylim=LOSS_LIM, xlabel="step t", ylabel="loss J(w)")
        scene.losses = {m: scene.animated(lx.plot([], [], color=METHOD_COLOURS[m])[0])
                        for m in ("sgd", "momentum")}
        # In the loss panel's empty top right, not over the contours: it stays in the
        # cached background (an animated legend would re-render its text on every move).
        lx.legend(handles=list(scene.paths.values()), loc="upper right", fontsize=TICK_SIZE,
                  framealpha=1.0)
        fig.suptitle(self.title, fontsize=16)
        self.restyle(scene, values)
        return scene

    def restyle(self, scene, values):
        scene.loss_ax.set_xlim(0, values["steps"])

    def update(self, scene, result, values):
        scene.contours.set_data(*level_sets(values["kappa"]))
        w = result.w
        for row, method in enumerate(("sgd", "momentum")):
            scene.paths[method].set_data(clip(w[:, row, 0], *XLIM), clip(w[:, row, 1], *YLIM))
            t = np.arange(len(result.loss))
            with np.errstate(invalid="ignore"):
                loss = np.clip(result.loss[:, row], LOSS_LIM[0] / 10, LOSS_LIM[1] * 10)
            scene.losses[method].set_data(t, loss)
