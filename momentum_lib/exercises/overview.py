"""The exercises notebook's opening picture: three methods on one valley, computed and drawn.

    runs = best_setting_runs(10.0, 30)     # {method: Run(settings, result, rates)}
    print(summary(runs))
    fig = draw(runs, 10.0)

Gradient descent and momentum use the settings theory calls best for the valley
(``theory.optimal_parameters``); Nesterov uses its classic tuning, α = 1/L with
β = (√κ − 1)/(√κ + 1), which is what ``optimal_parameters(method="nesterov")``
returns. All in the EMA form (``lr`` is η).
"""

from typing import NamedTuple

import numpy as np

from .. import problems, theory
from ..trajectory import run

METHODS = ("sgd", "momentum", "nesterov")
NAMES = {"sgd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov"}


class Run(NamedTuple):
    settings: object        # theory.Optimum
    result: object          # RunResult
    rate_along: float       # per-step rate along the floor (λ = 1/κ)
    rate_across: float      # per-step rate across the valley (λ = 1)


def best_setting_runs(kappa=10.0, steps=30):
    """{method: Run} on ``problems.narrow_valley(kappa)``."""
    valley = problems.narrow_valley(kappa=kappa)
    out = {}
    for m in METHODS:
        o = theory.optimal_parameters(kappa, method=m)
        r = run(valley.grad, valley.w0, steps, lr=o.lr, beta=o.beta, method=m, loss_fn=valley.loss)
        out[m] = Run(o, r, float(theory.rate(o.lr, o.beta, 1.0 / kappa, m)),
                     float(theory.rate(o.lr, o.beta, 1.0, m)))
    return out


def summary(runs):
    """One line per method: settings, rates along and across, final loss, widest swing."""
    lines = []
    for m, r in runs.items():
        swing = float(np.abs(r.result.w[1:, 1]).max())
        lines.append(
            f"{NAMES[m]:>16}: η = {r.settings.lr:.3f}, β = {r.settings.beta:.3f}; rate along "
            f"{r.rate_along:.3f}, across {r.rate_across:.3f}; loss after {len(r.result.loss) - 1} "
            f"steps {r.result.loss[-1]:.1e}; widest swing across |w₂| = {swing:.2f}")
    return "\n".join(lines)


def view_limits(runs, margin=0.15):
    """(xlim, ylim) holding every point of every path and the minimum, with a margin."""
    pts = np.concatenate([r.result.w.reshape(-1, 2) for r in runs.values()] + [np.zeros((1, 2))])
    pts = pts[np.isfinite(pts).all(axis=1)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def draw(runs, kappa=10.0, *, title=None):
    """The figure: the valley's contours and each method's path, all inside the axes."""
    from .. import drawing, drawing_theory

    xlim, ylim = view_limits(runs)
    steps = len(next(iter(runs.values())).result.loss) - 1
    with drawing.style():
        fig = drawing.new_figure((9.0, 4.8))
        ax = fig.add_subplot()
        start = next(iter(runs.values())).result.w[0]
        drawing_theory.draw_valley(ax, kappa, xlim, ylim, start=start)
        markers = {"sgd": "o", "momentum": "s", "nesterov": "^"}
        for m, r in runs.items():
            ax.plot(r.result.w[:, 0], r.result.w[:, 1], marker=markers[m], ms=4,
                    label=NAMES[m], **drawing.method_style(m))
        ax.set_title(title or f"{steps} steps on a valley with κ = {kappa:g} (EMA form)")
        ax.legend(loc="lower right")
    ends = [f"{NAMES[m]} {drawing.number(np.linalg.norm(r.result.w[-1]))}" for m, r in runs.items()]
    return drawing.described(fig, f"Paths of {drawing.listing(NAMES[m] for m in runs)} over {steps} steps "
                                  f"on a valley with κ = {kappa:g}, each at its best settings, towards the "
                                  f"minimum at (0, 0). Distance from the minimum after the last step: "
                                  f"{drawing.listing(ends)}.")
