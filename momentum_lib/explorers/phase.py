"""Notebook 05's explorer: the phase diagram of momentum, live, with the run at one point.

Left: the convergence rate of heavy-ball momentum (PyTorch form, α = lr) on
``problems.narrow_valley(κ)`` over a 200×200 grid of (lr, β), computed in closed
form by ``experiments.phase_rates`` on every move (about 1.5 ms), with the
critical-damping curves, the optimum and the current point. Right: the loss of
the run at the current point, with the closed-form rate's slope beside it.

Every κ-dependent artist is dynamic (``set_data`` + blitting), so a κ move costs
no more than a β or lr move. η is in the PyTorch form everywhere here (slider,
status, axis): the EMA form's η would be this η/(1 − β).

The axes reach a little beyond the sliders' ranges (a thin white margin around
the computed diagram), so that the marker of the current point stays whole
inside the axes at every slider end.
"""

from typing import NamedTuple

import numpy as np
from matplotlib.lines import Line2D

from .. import experiments, problems, run, theory
from ..drawing import METHOD_COLOURS, TICK_SIZE
from ..drawing_theory import draw_phase_diagram, rate_colorbar
from ._base import Explorer
from ._scene import Scene, clip
from ._sliders import kappa_slider

GRID = 200
STEPS = 150
LR_LIM = (0.02, 4.2)          # heavy ball on λ_max = 1 is stable only for lr < 2 + 2β ≤ 4
BETA_LIM = (0.0, 0.99)
LOSS_LIM = (1e-12, 1e4)
PAD_LR, PAD_BETA = 0.2, 0.05   # the diagram's margin beyond the sliders' ranges
VIEW_LR = (LR_LIM[0] - PAD_LR, LR_LIM[1] + PAD_LR)
VIEW_BETA = (BETA_LIM[0] - PAD_BETA, BETA_LIM[1] + PAD_BETA)
LR_LABEL = "η (PyTorch form)"
ENVELOPE = r"$J_0\,\mathrm{rate}^{2t}$ (theory)"


class PhaseResult(NamedTuple):
    lr_grid: np.ndarray
    beta_grid: np.ndarray
    rates: np.ndarray           # (GRID, GRID): β rows, lr columns
    lams: np.ndarray
    run: object                 # RunResult at the current point
    rate: float                 # closed form at the current point
    measured: float             # read off the run
    optimum: object             # theory.Optimum


def phase_point(kappa, lr, beta, *, grid=GRID, steps=STEPS):
    """The phase diagram for κ and the run at (lr, β), both in the PyTorch form."""
    p = problems.narrow_valley(kappa)
    lr_grid = np.linspace(*LR_LIM, grid)
    beta_grid = np.linspace(*BETA_LIM, grid)
    rates = experiments.phase_rates(lr_grid, beta_grid, p.curvatures, convention="pytorch")
    r = run(p.grad, p.w0, steps, lr=lr, beta=beta, convention="pytorch")
    # the loss of every iterate in one call, rather than one call per step inside run
    r = r._replace(loss=p.loss(r.w))
    rate = float(theory.worst_rate(lr, beta, p.curvatures, convention="pytorch"))
    measured = float(experiments.measured_rate(experiments.error_norms(r.w, p.minimum)))
    best = theory.optimal_parameters(kappa, convention="pytorch")
    return PhaseResult(lr_grid, beta_grid, rates, p.curvatures, r, rate, measured, best)


class PhaseExplorer(Explorer):
    """β, lr and κ on the phase diagram of momentum, with the loss curve at that point."""

    name = "phase"
    title = "Where momentum converges fastest: the rate over (η, β) on a valley of condition κ"
    drawn = ("Left: the convergence rate of momentum over η (across) and β (up), with the optimum "
             "and the current point; right: the loss of the run at the current point against the "
             "step, with the rate's slope")
    defaults = {"beta": 0.9, "lr": 1.0, "kappa": 100.0}
    beta_range = BETA_LIM
    lr_range = LR_LIM
    lr_label = LR_LABEL
    lr_log = False
    lr_step = 0.01
    figsize = (11.0, 5.4)

    def extra_controls(self):
        return {"kappa": kappa_slider(self.defaults["kappa"], largest=1000.0)}

    def compute(self, values):
        return phase_point(values["kappa"], values["lr"], values["beta"])

    def summary(self, result, values):
        r = result.run
        return {
            "diverged_at": int(r.diverged_at),
            "rate_theory": result.rate,
            "rate_measured": result.measured,
            "optimal_lr": result.optimum.lr,
            "optimal_beta": result.optimum.beta,
            "optimal_rate": result.optimum.rate,
            "final_loss": float(r.loss[-1]),
        }

    def message(self, summary, values):
        k = summary["diverged_at"]
        if k >= 0:
            return f"diverged at step {k}: rate {summary['rate_theory']:.3f} ≥ 1"
        return ""

    def status(self, summary, values):
        return (f"κ = {values['kappa']:.4g} · at η = {values['lr']:.2f} (PyTorch form), "
                f"β = {values['beta']:.2f}: "
                f"rate {summary['rate_theory']:.4f} in theory, {summary['rate_measured']:.4f} "
                f"measured · optimum η* = {summary['optimal_lr']:.2f}, β* = "
                f"{summary['optimal_beta']:.3f}, rate {summary['optimal_rate']:.4f}")

    def layer_key(self, result, values):
        return values["kappa"]          # the phase diagram's heat map, curves and optimum

    def build(self, fig, values):
        scene = Scene(fig)
        grid = fig.add_gridspec(1, 2, width_ratios=(1.25, 1.0))
        ax = scene.ax = fig.add_subplot(grid[0])
        first = phase_point(values["kappa"], values["lr"], values["beta"], steps=1)
        scene.phase = draw_phase_diagram(ax, first.lr_grid, first.beta_grid, first.rates,
                                         first.lams, values["kappa"], animated=True,
                                         legend="below")
        for artist in scene.phase.artists:
            scene.layered(artist)       # κ-only: cached per κ, not redrawn per β/η move
        rate_colorbar(fig, ax)
        scene.point = scene.animated(ax.plot(
            [], [], marker="o", markersize=13, color=METHOD_COLOURS["momentum"],
            markeredgecolor="white", markeredgewidth=2.5, linestyle="none", label="you")[0])
        ax.set(xlim=VIEW_LR, ylim=VIEW_BETA)
        ax.set_title("rate over (η, β)")

        lx = scene.loss_ax = fig.add_subplot(grid[1])
        lx.set(yscale="log", ylim=LOSS_LIM, xlim=(0, STEPS), xlabel="step t", ylabel="loss J(w)",
               title="the run at your point")
        scene.loss = scene.animated(lx.plot([], [], color=METHOD_COLOURS["momentum"],
                                            label="simulated")[0])
        scene.envelope = scene.animated(lx.plot([], [], color=METHOD_COLOURS["theory"], ls="--",
                                                lw=2, label=ENVELOPE)[0])
        # proxies in the upper right, which a decaying loss never crosses (blitted lines
        # would be drawn over a static legend)
        lx.legend([Line2D([], [], color=METHOD_COLOURS["momentum"]),
                   Line2D([], [], color=METHOD_COLOURS["theory"], ls="--", lw=2)],
                  ["simulated", ENVELOPE], loc="upper right", fontsize=TICK_SIZE - 1,
                  framealpha=0.9)
        fig.suptitle(self.title, fontsize=15)
        return scene

    def update(self, scene, result, values):
        scene.phase.update(result.lr_grid, result.rates, result.lams, values["kappa"])
        scene.point.set_data([values["lr"]], [values["beta"]])
        t = np.arange(STEPS + 1)
        loss = result.run.loss
        with np.errstate(invalid="ignore", over="ignore"):
            scene.loss.set_data(t, np.clip(loss, LOSS_LIM[0] / 10, LOSS_LIM[1] * 10))
            envelope = loss[0] * np.float64(result.rate) ** (2.0 * t)
        scene.envelope.set_data(t, clip(envelope, LOSS_LIM[0] / 10, LOSS_LIM[1] * 10, margin=0.0))
