"""Figures for notebooks 04 and 05: the look-ahead picture, stability regions, phase diagrams.

Every function draws on axes it is given and returns the artists it made, so the
same code serves a static figure in a notebook and the persistent figure of an
explorer (which marks some artists ``animated`` and updates them with ``set_data``).
Imports matplotlib; ``import momentum_lib`` never imports this module.
"""

import matplotlib as mpl
import numpy as np
from matplotlib import colors

from . import theory
from .drawing import METHOD_COLOURS, TICK_SIZE

#: Rates are coloured by how many nines they have, d = −log10(1 − rate): 0 for rate 0,
#: 1 for 0.9, 2 for 0.99, 3 for 0.999, in bands of a third of a nine (banded colours
#: read like contour lines and keep the PNG of a live figure small and fast to encode).
#: Bright = fast, dark = slow, grey = diverges (rate ≥ 1).
DIVERGED_GREY = "#D9D9D9"
RATE_NINES = 3.0
RATE_BANDS = 12
RATE_CMAP = mpl.colormaps["viridis_r"].resampled(RATE_BANDS).with_extremes(
    over=mpl.colormaps["viridis_r"](1.0), bad=DIVERGED_GREY)
RATE_NORM = colors.Normalize(vmin=0.0, vmax=RATE_NINES)
RATE_TICKS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def rate_nines(rates):
    """The colour coordinate of a rate: −log10(1 − rate), NaN where the rate is ≥ 1 (grey)."""
    rates = np.asarray(rates, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rates < 1.0, -np.log10(1.0 - np.minimum(rates, 1.0)), np.nan)


def critical_damping_beta(lr, lam):
    """β on the critical-damping curve of curvature λ (PyTorch form, α = lr): (1 − √(lr·λ))².

    The direction's roots are complex — its error ripples and shrinks by exactly √β
    per step — iff β lies above this curve. Below it the roots are real: for
    lr·λ < 1 the error creeps to zero without crossing it, for lr·λ > 1 it flips
    sign every step.
    """
    return (1.0 - np.sqrt(np.asarray(lr, dtype=float) * lam)) ** 2


def draw_valley(ax, kappa, xlim, ylim, *, start=None, levels=9):
    """Grey contours of J = ½(w₁²/κ + w₂²), the minimum as a star, the start as a dot.

    Contour levels are spaced geometrically when the view holds the minimum and
    evenly across the view otherwise (a zoomed-in detail).
    """
    x, y = np.linspace(*xlim, 200), np.linspace(*ylim, 120)
    X, Y = np.meshgrid(x, y)
    J = 0.5 * (X * X / kappa + Y * Y)
    holds_minimum = xlim[0] < 0 < xlim[1] and ylim[0] < 0 < ylim[1]
    if holds_minimum:
        steps = np.geomspace(0.01, J.max(), levels)
    else:
        steps = np.linspace(J.min(), J.max(), levels + 2)[1:-1]
    cs = ax.contour(X, Y, J, levels=steps, colors="#BBBBBB", linewidths=1)
    ax.plot([0], [0], marker="*", markersize=16, color="black", linestyle="none", zorder=4)
    if start is not None:
        ax.plot([start[0]], [start[1]], marker="o", markersize=8, color="black",
                linestyle="none", zorder=4)
    ax.set(xlim=xlim, ylim=ylim, xlabel="w₁ (along the valley)", ylabel="w₂ (across)")
    ax.set_aspect("equal")
    return cs


def _arrow(ax, start, end, colour, label=None, style="-|>", lw=2.5, ls="-"):
    ax.annotate("", xy=end, xytext=start, zorder=5,
                arrowprops={"arrowstyle": style, "color": colour, "lw": lw, "linestyle": ls,
                            "shrinkA": 0, "shrinkB": 0, "mutation_scale": 18})
    if label:   # a proxy line so the arrow appears in the legend
        ax.plot([], [], color=colour, lw=lw, linestyle=ls, label=label)


def draw_lookahead(ax, la, *, lr, beta):
    """The look-ahead picture from an ``experiments.LookAhead`` (EMA form).

    From w: the coasting step −lr·β·v to the look-ahead point (shared by both
    methods); from there the gradient correction −lr·(1−β)·g taken at w
    (momentum) or at the look-ahead point (Nesterov); and the two resulting steps.
    """
    w, look = la.w, la.w_look
    c = lr * (1 - beta)
    _arrow(ax, w, look, METHOD_COLOURS["lookahead"], "coast: −η·β·v (both methods)")
    _arrow(ax, look, look - c * la.g, METHOD_COLOURS["momentum"], "−η(1−β)·∇J(w)  (momentum)",
           lw=2)
    _arrow(ax, look, look - c * la.g_look, METHOD_COLOURS["nesterov"],
           "−η(1−β)·∇J(w_look)  (Nesterov)", lw=2)
    _arrow(ax, w, la.w_momentum, METHOD_COLOURS["momentum"], "momentum's step", ls="--", lw=1.8)
    _arrow(ax, w, la.w_nesterov, METHOD_COLOURS["nesterov"], "Nesterov's step", ls="--", lw=1.8)
    ax.plot(*w, "o", color="black", markersize=8, zorder=6)
    ax.plot(*look, "o", color=METHOD_COLOURS["lookahead"], markersize=8, zorder=6)
    ax.annotate("w", w, textcoords="offset points", xytext=(-22, 4), fontsize=TICK_SIZE + 2)
    ax.annotate("w_look", look, textcoords="offset points", xytext=(-62, -6), fontsize=TICK_SIZE + 2,
                color=METHOD_COLOURS["lookahead"])


def rate_rgba(rates):
    """The colours of ``rates`` as an RGBA uint8 array (``rate_nines`` through ``RATE_CMAP``).

    Colouring here rather than in ``imshow`` makes a live redraw of a 200×200 image
    ~3× cheaper: matplotlib then only resamples the pixels.
    """
    return RATE_CMAP(RATE_NORM(rate_nines(rates)), bytes=True)


def rate_image(ax, extent, rates=None, *, animated=False):
    """An ``imshow`` of rates in the series' rate colours (see ``rate_nines``; grey = diverges).

    Update it with ``image.set_data(rate_rgba(rates))``; ``rate_colorbar`` explains it.
    """
    data = rate_rgba(np.zeros((2, 2)) if rates is None else rates)
    return ax.imshow(data, origin="lower", extent=extent, aspect="auto",
                     interpolation="nearest", animated=animated)


def draw_stability(axes, *, n=300, top=4.2):
    """Heavy ball (left) and Nesterov (right): the rate over (α·λ, μ) with each stability edge.

    Heavy ball converges iff α·λ < 2 + 2β; Nesterov iff α·λ < 2(1 + μ)/(1 + 2μ)
    (REFERENCE §3), drawn from ``theory`` (one curvature λ = 1, PyTorch form α = lr).
    """
    x = np.linspace(top / n, top, n)
    mu = np.linspace(0.0, 0.99, n)
    X, M = np.meshgrid(x, mu)
    for ax, method, name in zip(axes, ("momentum", "nesterov"), ("heavy ball (momentum)", "Nesterov")):
        r = theory.rate(X, M, 1.0, method=method, convention="pytorch")
        rate_image(ax, (0, top, 0, 0.99), r)
        edge = theory.max_stable_lr(mu, 1.0, method=method, convention="pytorch")
        ax.plot(edge, mu, color=METHOD_COLOURS[method], lw=3, label="stability edge")
        ax.set(xlabel="α·λ  (step × curvature)", title=name, xlim=(0, top), ylim=(0, 0.99))
        ax.legend(loc="upper right", fontsize=TICK_SIZE - 1, framealpha=0.9)
    axes[0].set_ylabel("momentum μ = β")


class PhaseArtists:
    """What ``draw_phase_diagram`` made; ``update`` redraws it for new rates and curvatures."""

    def __init__(self, image, curves, optimum, legend=None):
        self.image, self.curves, self.optimum, self.legend = image, curves, optimum, legend

    @property
    def artists(self):
        """The κ-dependent artists, in drawing order (the legend, if any, is not one)."""
        return [self.image, *self.curves, self.optimum]

    def update(self, lr, rates, lams, kappa):
        self.image.set_data(rate_rgba(rates))
        for curve, lam in zip(self.curves, lams):
            curve.set_data(lr, critical_damping_beta(lr, lam))
        best = theory.optimal_parameters(kappa, lam_max=max(lams), convention="pytorch")
        self.optimum.set_data([best.lr], [best.beta])


def draw_phase_diagram(ax, lr, beta, rates, lams, kappa, *, animated=False, legend="inside"):
    """The convergence rate over (lr, β) in the PyTorch form, with its landmarks.

    ``rates`` from ``experiments.phase_rates(lr, beta, lams)``, coloured by
    ``rate_image`` (grey: diverges); the critical-damping curve β = (1 − √(lr·λ))²
    of each curvature (dashed: λ_min, dotted: λ_max); the optimum of
    ``theory.optimal_parameters`` as a white star. ``legend``: "inside" (lower
    left), "below" (under the axes: a live figure redraws the image over anything
    inside the axes) or None.
    """
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    extent = (lr[0], lr[-1], beta[0], beta[-1])
    image = rate_image(ax, extent, rates, animated=animated)
    outline = [patheffects.withStroke(linewidth=4.5, foreground="black")]
    styles = {"color": "white", "lw": 2.2, "path_effects": outline}
    curves = []
    for lam, ls in zip(sorted(lams), ("--", ":")):
        curve, = ax.plot(lr, critical_damping_beta(lr, lam), ls=ls, animated=animated, **styles)
        curves.append(curve)
    best = theory.optimal_parameters(kappa, lam_max=max(lams), convention="pytorch")
    star = {"marker": "*", "markersize": 20, "color": "white", "markeredgecolor": "black",
            "linestyle": "none"}
    optimum, = ax.plot([best.lr], [best.beta], animated=animated, **star)
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="learning rate η  (PyTorch form)",
           ylabel="momentum β")
    legend_artist = None
    if legend:
        # proxies: a legend copies an animated artist's flag and would vanish from the background
        handles = [Line2D([], [], ls="--", **styles), Line2D([], [], ls=":", **styles),
                   Line2D([], [], **star),
                   Line2D([], [], marker="s", markersize=12, color=DIVERGED_GREY, linestyle="none")]
        where = ({"loc": "lower left"} if legend == "inside" else
                 {"loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "ncol": 2})
        legend_artist = ax.legend(
            handles, ["critical damping, λ_min", "critical damping, λ_max", "optimum", "diverges"],
            fontsize=TICK_SIZE - 3, framealpha=0.85, **where)
    return PhaseArtists(image, curves, optimum, legend_artist)


def rate_colorbar(fig, ax):
    """A colour bar for ``rate_image`` beside ``ax``, ticked in rates (its scale is in nines)."""
    from matplotlib.cm import ScalarMappable

    bar = fig.colorbar(ScalarMappable(norm=RATE_NORM, cmap=RATE_CMAP), ax=ax, pad=0.02)
    bar.set_ticks(rate_nines(RATE_TICKS), labels=[f"{r:g}" for r in RATE_TICKS])
    bar.ax.tick_params(labelsize=TICK_SIZE - 2)
    bar.set_label("rate: error × rate per step")
    return bar
