"""Notebook 06's explorer: momentum with noisy gradients, its noise floor beside the theory.

The valley J(w) = ½(w₁² + w₂²/κ) with gradients ∇J + σ·ξ (ξ standard normal). Each
move runs ``CHAINS`` independent chains of momentum (PyTorch form, η and β) and of
gradient descent at the *effective* learning rate η/(1 − β), both on one common,
fixed noise stream (``noise.gaussian_noise``, seeded once), so any difference
between them is the method's. Left: the mean loss over the chains against the
step, with the closed-form loss floors (``noise.loss_floor``). Right: where the
chains are at the last step, in units of momentum's theoretical standard deviation
per direction (so the axes never change and every move only blits), with the
ellipses of two standard deviations that ``noise.stationary_variance`` predicts:
momentum's is the circle of radius 2, gradient descent's is drawn to the same scale.

A spread measured before the runs reach their floor mixes the start's leftover with the
noise, so the status line compares measured and theory only for a direction whose runs
have settled (``noise.floor_settling``) before the measuring window opens; for any other it
says when they are expected to.
"""

import functools

import numpy as np

from .. import noise
from ..drawing import METHOD_COLOURS, METHOD_LINESTYLES, TICK_SIZE
from ._base import Explorer
from ._scene import Scene, clip, divergence_message
from ._sliders import kappa_slider, log_slider

CHAINS = 50
STEPS = 300
TAIL = 100           # the spread is measured over the last TAIL steps of every chain
SEED = 6
W0 = (1.0, 1.0)
LOSS_LIM = (1e-7, 1e2)
SPREAD_LIM = 4.0     # ± this many (momentum's theoretical) standard deviations
_CIRCLE = np.linspace(0.0, 2.0 * np.pi, 73)
METHODS = ("sgd", "momentum")       # row 0: gradient descent at η/(1−β); row 1: momentum


def noisy_valley(lr, beta, sigma, kappa, xi):
    """Gradient descent at η/(1−β) (row 0) and momentum (row 1), chains × methods, common noise."""
    lams = np.array([1.0, 1.0 / kappa])
    eff = float(noise.effective_lr(lr, beta))
    return noise.noisy_quadratic_run(lams, W0, np.array([eff, lr]), np.array([0.0, beta]), sigma, xi)


@functools.lru_cache(maxsize=1024)    # ~60 ms under load: a value met again costs nothing
def floor_reached(lr, beta, sigma, kappa):
    """Per method (row 0: gradient descent at η/(1−β), row 1: momentum) and direction: whether
    the runs sit at their floor throughout the measuring window (the last ``TAIL`` steps),
    and the step from which they do or are expected to (inf: never, the setting is unstable);
    from ``noise.floor_settling`` with its default tolerance."""
    lams = np.array([1.0, 1.0 / kappa])
    eff = float(noise.effective_lr(lr, beta))
    s = noise.floor_settling(lams, W0, np.array([eff, lr]), np.array([0.0, beta]), sigma, STEPS)
    return s.settled & (s.from_step <= STEPS - TAIL), s.expected_step


def spread_theory(lr, beta, sigma, kappa):
    """η/(1−β), then per method (row 0: gradient descent at η/(1−β), row 1: momentum) the
    stationary variance of w per direction and the loss floor ½·Σ λᵢ·varᵢ."""
    lams = np.array([1.0, 1.0 / kappa])
    eff = float(noise.effective_lr(lr, beta))
    var = noise.stationary_variance(np.array([eff, lr])[:, None], np.array([0.0, beta])[:, None],
                                    lams, sigma)
    return eff, var, 0.5 * np.sum(lams * var, axis=1)


def spread_text(summary, m, i):
    """Method ``m``'s spread along w_(i+1): measured / theory where its runs are at their
    floor, else when they are expected to be."""
    name = "w₁" if i == 0 else "w₂"
    if not summary["at_floor"][m][i]:
        step = summary["floor_step"][m][i]
        when = f"expected ≈ step {step:.0f}" if np.isfinite(step) else "no floor at these settings"
        return f"{name} not at its floor yet ({when})"
    s, t = summary["measured_std"][m][i], summary["theory_std"][m][i]
    return f"{s:.3g} / {t:.3g} ({name})"


class NoiseExplorer(Explorer):
    """β, η, σ and κ: the loss with noisy gradients and the long-run spread of the weights."""

    name = "noise"
    title = "Noisy gradients: momentum (η, β) and gradient descent at η/(1−β), one noise stream"
    drawn = ("Left: the mean loss of 50 noisy runs against the step for momentum and for gradient "
             "descent at η/(1−β), with the floors theory predicts; right: where the runs are at the "
             "last step, with the spread theory predicts")
    defaults = {"beta": 0.9, "lr": 0.05, "sigma": 0.05, "kappa": 10.0}
    lr_range = (1e-3, 1.0)
    lr_label = "η (PyTorch form)"
    figsize = (11.0, 4.6)

    def __init__(self, **values):
        self._xi = noise.gaussian_noise(STEPS, (CHAINS, 1, 2), seed=SEED)
        super().__init__(**values)

    def extra_controls(self):
        return {"sigma": log_slider(self.defaults["sigma"], 0.01, 1.0, "gradient noise σ"),
                "kappa": kappa_slider(self.defaults["kappa"], largest=100.0)}

    def compute(self, values):
        return noisy_valley(values["lr"], values["beta"], values["sigma"], values["kappa"], self._xi)

    def summary(self, result, values):
        eff, var, floor = spread_theory(values["lr"], values["beta"], values["sigma"], values["kappa"])
        bad = np.isnan(result.loss)
        first = [int(np.argmax(bad[:, :, m].any(axis=1))) if bad[:, :, m].any() else -1 for m in (0, 1)]
        tail = result.w[-TAIL:]                              # (TAIL, chains, methods, 2)
        measured = np.sqrt(np.mean(tail ** 2, axis=(0, 1)))  # RMS distance from the minimum
        at_floor, floor_step = floor_reached(values["lr"], values["beta"], values["sigma"],
                                             values["kappa"])
        return {
            # the first divergence of either run (-1: none), as the other explorers report it
            "diverged_at": min([k for k in first if k >= 0], default=-1),
            "momentum_diverged_at": first[1], "sgd_diverged_at": first[0],
            "effective_lr": eff,
            # lists, not arrays, so that states compare with ==: [gradient descent, momentum]
            "theory_std": np.sqrt(var).tolist(),            # [[w₁, w₂], [w₁, w₂]]
            "measured_std": measured.tolist(),
            "floor": floor.tolist(),
            "at_floor": at_floor.tolist(),            # [[w₁, w₂], [w₁, w₂]] as above
            "floor_step": floor_step.tolist(),        # from when they are (inf: never)
        }

    def message(self, summary, values):
        return divergence_message(summary["sgd_diverged_at"], summary["momentum_diverged_at"]).replace(
            "gradient descent", "gradient descent at η/(1−β)")

    def status(self, summary, values):
        def pair(m):
            if (summary["sgd_diverged_at"] if m == 0 else summary["momentum_diverged_at"]) >= 0:
                return "diverged"
            return ", ".join(spread_text(summary, m, i) for i in (0, 1))

        return (f"η/(1−β) = {summary['effective_lr']:.3g} · spread (std) over steps {STEPS - TAIL}–{STEPS}, measured / "
                f"theory: momentum {pair(1)}; gradient descent at η/(1−β) {pair(0)}")

    def build(self, fig, values):
        scene = Scene(fig)
        lx, sx = scene.loss_ax, scene.spread_ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        lx.set(yscale="log", xlim=(0, STEPS), ylim=LOSS_LIM, xlabel="step t",
               ylabel=f"mean loss J(w) over {CHAINS} runs", title="loss, and the floor theory predicts")
        labels = {"sgd": "gradient descent at η/(1−β)", "momentum": "momentum (η, β)"}
        scene.loss = {m: scene.animated(lx.plot([], [], color=METHOD_COLOURS[m], ls=METHOD_LINESTYLES[m],
                                                label=labels[m])[0]) for m in METHODS}
        # The floors are dotted (theory), told apart by their markers as well as their colours.
        floor_markers = {"sgd": "s", "momentum": "o"}
        scene.floor = {m: scene.animated(lx.plot([], [], color=METHOD_COLOURS[m], ls=(0, (1, 1.5)), lw=2,
                                                 marker=floor_markers[m], markevery=[1], markersize=7)[0])
                       for m in METHODS}
        lx.plot([], [], color="black", ls=(0, (1, 1.5)), lw=2, label="floor (theory)")
        lx.legend(loc="upper right", fontsize=TICK_SIZE - 1, framealpha=0.9)

        # In units of momentum's theoretical std per direction, so the axes never change
        # (every move only blits) and momentum's 2-std ellipse is the circle of radius 2.
        sx.set(xlim=(-SPREAD_LIM, SPREAD_LIM), ylim=(-SPREAD_LIM, SPREAD_LIM),
               xlabel="w₁ / its std (theory, momentum)", ylabel="w₂ / its std (theory, momentum)",
               title=f"the {CHAINS} runs at step {STEPS}")
        markers = {"sgd": dict(marker="x", markersize=7, mew=2), "momentum": dict(marker="o", markersize=5)}
        scene.points = {m: scene.animated(sx.plot([], [], ls="none", color=METHOD_COLOURS[m], alpha=0.8,
                                                  **markers[m])[0]) for m in METHODS}
        scene.ellipse = {m: scene.animated(sx.plot([], [], color=METHOD_COLOURS[m], ls=METHOD_LINESTYLES[m],
                                                   lw=2)[0]) for m in METHODS}
        sx.plot([], [], color="black", lw=2, label="2 std, theory")
        sx.plot([0], [0], marker="+", color="black", markersize=14, mew=2, ls="none", label="minimum")
        sx.legend(loc="lower right", fontsize=TICK_SIZE - 1, framealpha=0.9)
        fig.suptitle(self.title, fontsize=15)
        return scene

    def update(self, scene, result, values):
        _eff, var, floors = spread_theory(values["lr"], values["beta"], values["sigma"], values["kappa"])
        theory_std = np.sqrt(var)
        t = np.arange(STEPS + 1)
        mean_loss = np.mean(result.loss, axis=1)          # NaN once any chain diverged
        mom_sd = theory_std[1]
        unit = mom_sd if np.all(np.isfinite(mom_sd)) else np.ones(2)   # momentum unstable: raw w
        for m, method in enumerate(METHODS):
            with np.errstate(invalid="ignore"):
                scene.loss[method].set_data(t, np.clip(mean_loss[:, m], LOSS_LIM[0] / 10, LOSS_LIM[1] * 10))
            floor = floors[m]
            scene.floor[method].set_data([0, 0.93 * STEPS, STEPS],  # the marker sits inside the axes
                                         [floor] * 3 if np.isfinite(floor) else [np.nan] * 3)
            w = result.w[-1, :, m]
            lim = SPREAD_LIM
            scene.points[method].set_data(clip(w[:, 0] / unit[0], -lim, lim, 0.05),
                                          clip(w[:, 1] / unit[1], -lim, lim, 0.05))
            sd = theory_std[m] / unit
            if np.all(np.isfinite(sd)):
                scene.ellipse[method].set_data(2 * sd[0] * np.cos(_CIRCLE), 2 * sd[1] * np.sin(_CIRCLE))
            else:
                scene.ellipse[method].set_data([], [])
