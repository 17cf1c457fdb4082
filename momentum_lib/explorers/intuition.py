"""Notebook 02's explorer: the velocity as an average that filters noisy gradients.

A 1-D parabola J(w) = ½w² with seeded Gaussian noise added to every gradient
(a stand-in for mini-batches). Left: the noisy gradients momentum receives and
its velocity v, their exponentially weighted average. Middle: the weight each
past gradient has in v, (1−β)β^k for a gradient k steps old, with the effective
window 1/(1−β). Right: the weight w for gradient descent and momentum.
"""

import math

import numpy as np

from .. import problems, run, theory
from ..drawing import METHOD_COLOURS
from ._base import Explorer, Scene, clip, divergence_message, float_slider

W0 = 4.0
STEPS = 100
SEED = 0
MAX_LAG = 60
W_LIM = (-2.5, 5.0)
WEIGHT_LIM = (1e-4, 1.5)


def noisy_runs(lr, beta, noise, steps=STEPS, seed=SEED):
    """Gradient descent (row 0) and EMA momentum (row 1) on ½w² with noisy gradients.

    Both rows draw from one seeded generator, so the same settings always give
    the same picture.
    """
    p = problems.parabola(1.0, w0=W0)
    grad_fn = problems.noisy(p.grad, noise, seed=seed)
    return run(grad_fn, p.w0, steps, lr=lr, beta=np.array([0.0, beta]), loss_fn=p.loss)


def _gradient_limits(noise):
    # Rounded up to a whole noise level so the background is re-cached rarely.
    level = math.ceil(noise + 1e-9) if noise > 0 else 0
    return (-1.0 - 3.0 * level, W0 + 1.0 + 3.0 * level)


class IntuitionExplorer(Explorer):
    """β, lr and gradient noise: what the velocity keeps of the gradients it has seen."""

    name = "intuition"
    title = "The velocity averages away the noise; the weights show how far back it looks"
    defaults = {"beta": 0.9, "lr": 0.1, "noise": 1.0}
    lr_range = (0.01, 3.0)
    figsize = (11.5, 4.4)

    def extra_controls(self):
        return {"noise": float_slider(self.defaults["noise"], 0.0, 3.0, 0.1, ".1f", "gradient noise σ")}

    def compute(self, values):
        return noisy_runs(values["lr"], values["beta"], values["noise"])

    def summary(self, result, values):
        tail = result.w[STEPS // 2:, :, 0]
        spread = [float(np.std(tail[:, row])) if result.diverged_at[row] < 0 else float("nan")
                  for row in (0, 1)]
        beta = values["beta"]
        return {
            "diverged_at": int(result.diverged_at[1]),
            "sgd_diverged_at": int(result.diverged_at[0]),
            "effective_window": float(theory.effective_window(beta)),
            "half_life": float(theory.half_life(beta)),
            "sgd_spread": spread[0],
            "momentum_spread": spread[1],
        }

    def message(self, summary, values):
        return divergence_message(summary["sgd_diverged_at"], summary["diverged_at"])

    def status(self, summary, values):
        def spread(key, at):
            return "diverged" if summary[at] >= 0 else f"{summary[key]:.3f}"

        return (f"β = {values['beta']:.2f} · lr = {values['lr']:.3g} · σ = {values['noise']:.1f}"
                f" · window 1/(1−β) = {summary['effective_window']:.1f} steps"
                f" · spread of w over the last {STEPS // 2} steps: gradient descent "
                f"{spread('sgd_spread', 'sgd_diverged_at')}, momentum "
                f"{spread('momentum_spread', 'diverged_at')}")

    def static_key(self, values):
        return _gradient_limits(values["noise"])

    def build(self, fig, values):
        scene = Scene(fig)
        ga, wa, xa = (fig.add_subplot(1, 3, k) for k in (1, 2, 3))
        scene.grad_ax, scene.weight_ax, scene.w_ax = ga, wa, xa

        ga.set(xlim=(0, STEPS), xlabel="step t", ylabel="g  and  v", title="gradients and velocity")
        scene.grads = scene.animated(ga.plot([], [], linestyle="none", marker="o", markersize=3.5,
                                             color=METHOD_COLOURS["noisy"], label="noisy g")[0])
        scene.velocity = scene.animated(ga.plot([], [], color=METHOD_COLOURS["momentum"],
                                                label="velocity v")[0])
        ga.legend(loc="upper right")

        wa.set(xlim=(-1, MAX_LAG), ylim=WEIGHT_LIM, yscale="log", xlabel="age k of a gradient (steps)",
               ylabel="weight (1−β)βᵏ", title="how far back v looks")
        scene.weights = scene.animated(wa.plot([], [], marker="o", markersize=3.5,
                                               color=METHOD_COLOURS["momentum"])[0])
        scene.window = scene.animated(wa.axvline(np.nan, color=METHOD_COLOURS["theory"],
                                                 linestyle="--", linewidth=1.5))
        scene.window_label = scene.animated(wa.text(0, 0, "", fontsize=14, ha="left", va="top"))

        xa.set(xlim=(0, STEPS), ylim=W_LIM, xlabel="step t", ylabel="weight w", title="where w goes")
        xa.axhline(0.0, color=METHOD_COLOURS["theory"], linewidth=1, linestyle=":")
        scene.paths = {m: scene.animated(xa.plot([], [], color=METHOD_COLOURS[m], label=label)[0])
                       for m, label in (("sgd", "gradient descent"), ("momentum", "momentum"))}
        xa.legend(loc="upper right")
        fig.suptitle(self.title, fontsize=16)
        self.restyle(scene, values)
        return scene

    def restyle(self, scene, values):
        scene.grad_ax.set_ylim(*_gradient_limits(values["noise"]))

    def update(self, scene, result, values):
        lo, hi = scene.grad_ax.get_ylim()
        t = np.arange(1, len(result.g) + 1)
        scene.grads.set_data(t, clip(result.g[:, 1, 0], lo, hi))
        scene.velocity.set_data(np.arange(len(result.v)), clip(result.v[:, 1, 0], lo, hi))

        beta = values["beta"]
        lags = np.arange(MAX_LAG)
        weights = theory.past_gradient_weights(beta, MAX_LAG)[::-1]   # newest first
        with np.errstate(divide="ignore"):
            scene.weights.set_data(lags, np.clip(weights, WEIGHT_LIM[0] / 10, None))
        window = float(theory.effective_window(beta))
        scene.window.set_xdata([window, window])
        scene.window_label.set_position((min(window, MAX_LAG * 0.55) + 1, 0.9))
        scene.window_label.set_text(f"1/(1−β) = {window:.3g}")

        steps = np.arange(len(result.w))
        for row, method in enumerate(("sgd", "momentum")):
            scene.paths[method].set_data(steps, clip(result.w[:, row, 0], *W_LIM))
