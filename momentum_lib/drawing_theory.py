"""Figures of the theory: valley paths (01, 04), the look-ahead picture, stability regions, phase diagrams.

Every function draws on axes it is given and returns the artists it made, so the
same code serves a static figure in a notebook and the persistent figure of an
explorer (which marks some artists ``animated`` and updates them with ``set_data``).
Imports matplotlib; ``import momentum_lib`` never imports this module.

References
----------
- G. Goh, "Why momentum really works", Distill, 2017: the rate over (α, β) as a
  picture, which ``draw_phase_diagram`` follows. https://doi.org/10.23915/distill.00006
- B. T. Polyak, 1964, and Yu. Nesterov, 2004, for the stability edges and the lower
  bound drawn here: see ``momentum_lib.theory``.
"""

import matplotlib as mpl
import numpy as np
from matplotlib import colors

from . import theory
from .drawing import (METHOD_COLOURS, METHOD_LINESTYLES, TICK_SIZE, described, listing, method_style,
                      number, sentence_case, sign_changes, times)

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
#: Colour-bar ticks: one per nine, and 0.5 (evenly spread on the bar, never bunched).
RATE_TICKS = (0.0, 0.5, 0.9, 0.99, 0.999)


def rate_nines(rates):
    """The colour coordinate of a rate: −log10(1 − rate), NaN where the rate is ≥ 1 (grey)."""
    rates = np.asarray(rates, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rates < 1.0, -np.log10(1.0 - np.minimum(rates, 1.0)), np.nan)


def critical_damping_beta(lr, lam):
    """β on the critical-damping curve of curvature λ (PyTorch form, α = lr): (1 − √(lr·λ))².

    ``theory.critical_beta`` in the PyTorch form: the direction's roots are complex —
    its error ripples and shrinks by exactly √β per step — iff β lies above this curve.
    """
    return theory.critical_beta(lr, lam, convention="pytorch")


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
    (momentum) or at the look-ahead point (Nesterov); and the two resulting steps
    (thinner, from w). Each method keeps its colour *and* line style.
    """
    w, look = la.w, la.w_look
    c = lr * (1 - beta)
    mom, nag = METHOD_LINESTYLES["momentum"], METHOD_LINESTYLES["nesterov"]
    _arrow(ax, w, look, METHOD_COLOURS["lookahead"], r"coast $-\eta\beta v$ (both methods)",
           ls=METHOD_LINESTYLES["lookahead"])
    _arrow(ax, look, look - c * la.g, METHOD_COLOURS["momentum"],
           r"$-\eta(1-\beta)\,\nabla J(w)$: momentum", lw=2.5, ls=mom)
    _arrow(ax, look, look - c * la.g_look, METHOD_COLOURS["nesterov"],
           r"$-\eta(1-\beta)\,\nabla J(w_{\mathrm{look}})$: Nesterov", lw=2.5, ls=nag)
    _arrow(ax, w, la.w_momentum, METHOD_COLOURS["momentum"], "momentum's whole step", lw=1.4,
           ls=mom, style="->")
    _arrow(ax, w, la.w_nesterov, METHOD_COLOURS["nesterov"], "Nesterov's whole step", lw=1.4,
           ls=nag, style="->")
    ax.plot(*w, "o", color="black", markersize=8, zorder=6)
    ax.plot(*look, "o", color=METHOD_COLOURS["lookahead"], markersize=8, zorder=6)
    ax.annotate(r"$w$", w, textcoords="offset points", xytext=(-22, 4), fontsize=TICK_SIZE + 2)
    ax.annotate(r"$w_{\mathrm{look}}$", look, textcoords="offset points", xytext=(-62, -6),
                fontsize=TICK_SIZE + 2, color=METHOD_COLOURS["lookahead"])


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
    (``theory.max_stable_lr``), drawn from ``theory`` (one curvature λ = 1, PyTorch form α = lr).
    """
    x = np.linspace(top / n, top, n)
    mu = np.linspace(0.0, 0.99, n)
    X, M = np.meshgrid(x, mu)
    for ax, method, name in zip(axes, ("momentum", "nesterov"), ("heavy ball (momentum)", "Nesterov")):
        r = theory.rate(X, M, 1.0, method=method, convention="pytorch")
        rate_image(ax, (0, top, 0, 0.99), r)
        edge = theory.max_stable_lr(mu, 1.0, method=method, convention="pytorch")
        ax.plot(edge, mu, lw=3, label="stability edge", **method_style(method))
        ax.set(xlabel=r"$\alpha\lambda$  (step × curvature)", title=name, xlim=(0, top),
               ylim=(0, 0.99))
        ax.legend(loc="upper right", fontsize=TICK_SIZE - 1, framealpha=0.9)
    axes[0].set_ylabel(r"momentum $\mu = \beta$")


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
            handles, [r"critical damping, $\lambda_{\min}$", r"critical damping, $\lambda_{\max}$", "optimum",
             "diverges"],
            fontsize=TICK_SIZE - 3, framealpha=0.85, **where)
    return PhaseArtists(image, curves, optimum, legend_artist)


def rate_colorbar(fig, ax):
    """A colour bar for ``rate_image`` beside ``ax``, ticked in rates (its scale is in nines)."""
    from matplotlib.cm import ScalarMappable

    bar = fig.colorbar(ScalarMappable(norm=RATE_NORM, cmap=RATE_CMAP), ax=ax, pad=0.02)
    bar.set_ticks(rate_nines(RATE_TICKS), labels=[f"{r:g}" for r in RATE_TICKS])
    bar.ax.tick_params(labelsize=TICK_SIZE - 2)
    bar.set_label("convergence rate:\nthe error shrinks by this factor per step")
    return bar


def stability_figure(*, n=300, top=4.2):
    """Heavy ball and Nesterov side by side: ``draw_stability`` with one colour bar for both."""
    from .drawing import style

    with style():
        fig = _figure((12.0, 5.2), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        draw_stability(axes, n=n, top=top)
        rate_colorbar(fig, axes)
        fig.suptitle("Nesterov's stable region is much smaller at high momentum")
    return described(fig, stability_alt(top))


def stability_alt(top=4.2):
    """The text alternative of ``stability_figure``: where each stability edge lies."""
    edge = {m: theory.max_stable_lr(np.array([0.0, 0.5, 0.99]), 1.0, method=m, convention="pytorch")
            for m in ("momentum", "nesterov")}
    return (f"Convergence rate over step × curvature αλ from 0 to {top:g} and momentum μ from 0 to 0.99, "
            "for heavy ball (left) and Nesterov (right), grey where the method diverges. Heavy ball's "
            f"stability edge αλ = 2 + 2μ goes from {number(edge['momentum'][0], 3)} at μ = 0 to "
            f"{number(edge['momentum'][2], 3)} at μ = 0.99; Nesterov's, 2(1 + μ)/(1 + 2μ), falls from "
            f"{number(edge['nesterov'][0], 3)} to {number(edge['nesterov'][1], 3)} at μ = 0.5 and "
            f"{number(edge['nesterov'][2], 3)} at μ = 0.99.")


def phase_diagram_figure(lr, beta, rates, lams, kappa):
    """``draw_phase_diagram`` on its own figure, with a colour bar and κ in the title.

    ``rates`` from ``experiments.phase_rates(lr, beta, lams)`` (PyTorch form).
    """
    from .drawing import style

    with style():
        fig = _figure((9.0, 6.0), layout="constrained")
        ax = fig.add_subplot()
        draw_phase_diagram(ax, lr, beta, rates, lams, kappa, legend="below")   # off the curves
        rate_colorbar(fig, ax)
        ax.set_title(f"Rate of momentum on the valley, κ = {kappa:g}")
    return described(fig, phase_diagram_alt(lr, beta, rates, lams, kappa))


def phase_diagram_alt(lr, beta, rates, lams, kappa):
    """The text alternative of ``phase_diagram_figure``: the grid, its diverging share, the optimum."""
    best = theory.optimal_parameters(kappa, lam_max=max(lams), convention="pytorch")
    diverged = float(np.mean(~(np.asarray(rates) < 1.0)))
    return (f"Convergence rate of momentum (the factor by which the error shrinks per step) over "
            f"learning rate η from {number(lr[0])} to {number(lr[-1])} (PyTorch form) and β from "
            f"{number(beta[0])} to {number(beta[-1])}, on the valley with κ = {kappa:g}; grey, where it "
            f"diverges, is {diverged:.0%} of the grid. The best setting, η* = {number(best.lr, 3)} and "
            f"β* = {number(best.beta, 3)}, gives rate {number(best.rate, 3)}; it lies where the "
            "critical-damping curves of the smallest and largest curvature meet, and above a "
            "curve the error of that direction ripples.").replace("%", " %")


# ---- static figures of notebooks 04 and 05 --------------------------------------------------

NAMES = {"sgd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov"}


def _figure(figsize, **kw):
    from .drawing import new_figure

    return new_figure(figsize, **kw)


def valley_paths_figure(runs, kappa, *, title, path_title="paths", panels=("across",),
                        panel_titles=None, across_steps=None, xlim=(-3.6, 2.4), ylim=(-1.7, 1.7),
                        markers=None):
    """Paths in ``narrow_valley(κ)`` (left) and their coordinates over the steps (right).

    ``runs`` maps a method name ("sgd", "momentum", "nesterov") to its ``RunResult``.
    ``panels`` lists the right-hand panels, top to bottom: "across" (w₂ against the step,
    the first ``across_steps`` steps, all if None) and "along" (w₁ against the step). The
    across panel shows a zigzag as a sign flip at every step; the along panel shows how
    fast the floor is covered, which a path squeezed into a long valley hides.
    ``markers`` maps a method to its path marker ("o" for all if None); ``panel_titles``
    replaces the right-hand panels' titles.
    """
    from .drawing import style

    markers = markers or {}
    with style():
        fig = _figure((12.0, 4.8 if len(panels) == 1 else 6.0), layout="constrained")
        grid = fig.add_gridspec(len(panels), 2, width_ratios=(1.45, 1.0))
        ax = fig.add_subplot(grid[:, 0])
        right = [fig.add_subplot(grid[k, 1]) for k in range(len(panels))]
        draw_valley(ax, kappa, xlim, ylim, start=runs[next(iter(runs))].w[0])
        ax.set_aspect("auto")
        for method, r in runs.items():
            w = r.w
            ax.plot(w[:, 0], w[:, 1], marker=markers.get(method, "o"), ms=3, lw=2, label=NAMES[method],
                    **method_style(method))
            for bx, panel in zip(right, panels):
                n = len(w) if panel == "along" or across_steps is None else across_steps + 1
                col = 1 if panel == "across" else 0
                bx.plot(np.arange(n), w[:n, col], lw=2, label=NAMES[method],
                        marker=markers.get(method) if panel == "across" else None, ms=4,
                        **method_style(method))
        ax.legend(loc="lower right", framealpha=0.9)
        ax.set_title(path_title)
        ax.set(xlabel=r"$w_1$ (along the valley)", ylabel=r"$w_2$ (across)")
        names = {"across": (r"$w_2$ (across)", "across the valley"),
                 "along": (r"$w_1$ (along)", "along the floor")}
        for bx, panel, name in zip(right, panels, panel_titles or [names[p][1] for p in panels]):
            bx.axhline(0, color="black", lw=1)
            bx.set(xlabel="step t", ylabel=names[panel][0], title=name)
        if title:
            fig.suptitle(title)
    return described(fig, valley_paths_alt(runs, kappa, panels=panels, across_steps=across_steps,
                                           title=title))


def valley_paths_alt(runs, kappa, *, panels=("across",), across_steps=None, title=None):
    """The text alternative of ``valley_paths_figure``: where each path ends and how often it crosses."""
    first = next(iter(runs.values())).w
    steps = len(first) - 1
    n = steps if across_steps is None else across_steps
    ends = []
    for method, r in runs.items():
        w = r.w
        swing = np.abs(w[1:n + 1, 1])
        ends.append(f"{NAMES[method]} crosses the floor w₂ = 0 {times(sign_changes(w[:n + 1, 1]))} in "
                    f"the first {n} steps (widest swing {number(np.nanmax(swing))}) and ends at "
                    f"w₁ = {number(w[-1, 0])}, {number(np.linalg.norm(w[-1]))} from the minimum")
    start = f"({number(first[0, 0])}, {number(first[0, 1])})"
    shown = " and ".join({"across": "w₂ across the valley", "along": "w₁ along the floor"}[p] for p in panels)
    return (f"{title + '. ' if title else ''}Paths of {listing(NAMES[m] for m in runs)} in a valley with "
            f"κ = {kappa:g} from {start} towards the minimum at (0, 0), {steps} steps, and {shown} "
            f"against the step. {sentence_case('; '.join(ends))}.")


def nesterov_paths_figure(runs, kappa, *, lr, beta, xlim=(-3.6, 2.4), ylim=(-1.7, 1.7)):
    """Momentum's and Nesterov's paths in ``narrow_valley(κ)`` (left) and w₂ over the steps (right).

    ``runs`` maps a method name to its ``RunResult`` (e.g. ``compare_overshoot``'s ``.run``).
    Settings are shown in the titles; η is in the EMA form.
    """
    return valley_paths_figure(runs, kappa, title=None, xlim=xlim, ylim=ylim,
                               path_title=f"paths (κ = {kappa:g}, η = {lr:g} EMA form, β = {beta:g})",
                               panel_titles=[r"crossing the floor $w_2 = 0$"])


def valley_lesson_figure(race, kappa, *, lr, beta, steps, across_steps=40):
    """Notebook 01's first picture: gradient descent and momentum (PyTorch form, same η).

    ``race`` from ``experiments.valley_race``; the first ``steps`` steps are drawn. Left the
    paths; right w₂ across the valley (the first ``across_steps`` steps: gradient descent's
    zigzag flips sign every step) and w₁ along the floor (the crawl and the roll).
    """
    runs = {m: r._replace(w=r.w[:steps + 1]) for m, r in (("sgd", race.gd), ("momentum", race.momentum))}
    return valley_paths_figure(
        runs, kappa, panels=("across", "along"), across_steps=across_steps,
        markers={"sgd": "o", "momentum": "s"},
        path_title=f"paths, κ = {kappa:g}, η = {lr:g} (PyTorch form, both), β = {beta:g}",
        title="Across the valley both swing; along the floor gradient descent crawls, momentum rolls")


def lookahead_figure(path, la, kappa, *, lr, beta, xlim, ylim):
    """The look-ahead picture: the path so far, the valley floor, and ``draw_lookahead``'s arrows.

    The legend sits under the axes in two columns, so the picture keeps the width.
    """
    from .drawing import style

    with style():
        fig = _figure((10.0, 7.4), layout="constrained")
        ax = fig.add_subplot()
        draw_valley(ax, kappa, xlim, ylim, levels=8)
        ax.plot(path[:, 0], path[:, 1], "o-", color="#999999", lw=1.5, label="path so far")
        ax.axhline(0.0, color="black", lw=1, ls=":", label=r"valley floor $w_2 = 0$")
        draw_lookahead(ax, la, lr=lr, beta=beta)
        ax.set_aspect("auto")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=TICK_SIZE,
                  frameon=False)
        ax.set_title("Past the floor, the look-ahead gradient already points back")
        ax.set(xlabel=r"$w_1$ (along the valley)", ylabel=r"$w_2$ (across)")
    return described(fig, lookahead_alt(la, lr=lr, beta=beta))


def lookahead_alt(la, *, lr, beta):
    """The text alternative of ``lookahead_figure``: the points and which way each correction pushes."""
    def point(p):
        return f"({number(p[0], 3)}, {number(p[1], 3)})"

    def push(g):
        across = -lr * (1 - beta) * g[1]
        return f"{'up' if across > 0 else 'down'} by {number(abs(across))}"

    return (f"A detail of momentum's path near w = {point(la.w)}. Coasting by −ηβv carries w to the "
            f"look-ahead point {point(la.w_look)}, past the valley floor w₂ = 0. The correction from the "
            f"gradient at w pushes w₂ {push(la.g)}, the one from the gradient at the look-ahead point "
            f"{push(la.g_look)}: momentum lands at w₂ = {number(la.w_momentum[1], 3)}, Nesterov at "
            f"w₂ = {number(la.w_nesterov[1], 3)}.")


def settling_figure(runs, *, lr, beta, tol, curvature=1.0):
    """w over the steps on a parabola, one line per method, with the band |w| ≤ ``tol``."""
    from .drawing import style

    with style():
        fig = _figure((10.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
        ax.axhspan(-tol, tol, color="#DDDDDD", label=f"within {tol:g}")
        for method, r in runs.items():
            ax.plot(r.w[:, 0], lw=2.2, label=NAMES[method], **method_style(method))
        ax.axhline(0, color="black", lw=1)
        ax.set(xlabel="step t", ylabel="w",
               title=f"Parabola λ = {curvature:g}, η = {lr:g} (EMA form), β = {beta:g}: "
                     "Nesterov settles sooner")
        ax.legend(loc="upper right")
    return described(fig, settling_alt(runs, lr=lr, beta=beta, tol=tol, curvature=curvature))


def settling_alt(runs, *, lr, beta, tol, curvature=1.0):
    """The text alternative of ``settling_figure``: the step from which each method stays in the band."""
    from .experiments import settling_step

    steps = len(next(iter(runs.values())).w) - 1
    parts = []
    for method, r in runs.items():
        settled = int(settling_step(r.w, 0.0, tol))
        parts.append(f"from step {settled} for {NAMES[method]}" if settled >= 0 else f"never for {NAMES[method]}")
    return (f"w over {steps} steps on a parabola with curvature λ = {curvature:g}, η = {lr:g} (EMA form) "
            f"and β = {beta:g}, one line per method, with the band |w| ≤ {tol:g} shaded. The path stays "
            f"inside the band {listing(parts)}.")


#: Line styles for several β on one plot: distinct in greyscale as well as in colour.
BETA_STYLES = [("#D55E00", (0, (5, 2))), ("#E69F00", (0, (1, 1.2))), ("#0072B2", "-"),
               ("#CC79A7", (0, (6, 1.5, 1.5, 1.5)))]


def beta_losses_figure(loss, envelope, betas, *, lr, stop=None, title=""):
    """Loss per step, one line per β, with the closed-form J₀·rate^(2t) dashed thin beside it.

    ``loss``, ``envelope`` from ``experiments.loss_with_envelope``; ``stop`` marks a step
    with a dotted vertical line (where the post reads Loss@20).
    """
    import numpy as np

    from .drawing import style

    t = np.arange(loss.shape[0])
    with style():
        fig = _figure((10.0, 4.8), layout="constrained")
        ax = fig.add_subplot()
        for i, beta in enumerate(betas):
            colour, ls = BETA_STYLES[i % len(BETA_STYLES)]
            ax.semilogy(t, loss[:, i], color=colour, ls=ls, lw=2.5, label=f"β = {beta:g}")
            ax.semilogy(t, envelope[:, i], color=colour, ls="-", lw=0.9, alpha=0.8)
        ax.plot([], [], color="black", lw=0.9, label=r"$J_0\,\mathrm{rate}^{2t}$ (theory)")
        if stop is not None:
            ax.axvline(stop, color="#999999", ls=":", lw=1.5, label="the post stops (Loss@20)")
        ax.set(xlabel="epoch (loss before the update)", ylabel="loss J", ylim=(1e-12, 5),
               title=title or f"η = {lr:g} (PyTorch form)")
        ax.legend(ncol=3, fontsize=TICK_SIZE - 2, loc="lower left")
    return described(fig, beta_losses_alt(loss, betas, lr=lr, stop=stop))


def beta_losses_alt(loss, betas, *, lr, stop=None):
    """The text alternative of ``beta_losses_figure``: each β's loss at ``stop`` (else at the end)."""
    loss = np.asarray(loss, dtype=float)
    at = loss.shape[0] - 1 if stop is None else stop
    values = [f"{number(loss[at, i])} for β = {b:g}" for i, b in enumerate(betas)]
    lowest = betas[int(np.nanargmin(loss[at]))]
    return (f"Loss per epoch on a log scale over {loss.shape[0] - 1} epochs at η = {lr:g} (PyTorch form), "
            f"one line per β, each with the theory's J₀·rate^(2t) as a thin line beside it. At epoch "
            f"{at} the loss is {listing(values)}: lowest for β = {lowest:g}.")


def best_beta_figure(beta_grid, curves, *, steps):
    """Loss after ``steps`` steps over β for several κ, each at its η*; dotted: β*.

    ``curves`` from ``experiments.loss_vs_beta``: ``{κ: (optimum, losses)}``.
    """
    from .drawing import style

    with style():
        fig = _figure((10.0, 4.8), layout="constrained")
        ax = fig.add_subplot()
        for (kappa, (best, loss)), (colour, ls) in zip(curves.items(), BETA_STYLES[1:]):
            ax.semilogy(beta_grid, loss, color=colour, ls=ls, lw=2.5,
                        label=f"κ = {kappa:g}, η* = {best.lr:.2f} (PyTorch form)")
            ax.axvline(best.beta, color=colour, ls=":", lw=2)
        ax.set_ylim(None, 1e6)
        ax.set(xlabel="momentum β", ylabel=f"loss after {steps} steps",
               title=r"The best β grows with κ (dotted: $\beta^*$)")
        ax.legend(fontsize=TICK_SIZE - 1, loc="lower left")
    return described(fig, best_beta_alt(beta_grid, curves, steps=steps))


def best_beta_alt(beta_grid, curves, *, steps):
    """The text alternative of ``best_beta_figure``: each κ's best β on the grid beside β*."""
    parts = [f"κ = {kappa:g} at β = {number(beta_grid[int(np.nanargmin(loss))], 3)} (β* = "
             f"{number(best.beta, 3)})" for kappa, (best, loss) in curves.items()]
    return (f"Loss after {steps} steps against β from {number(beta_grid[0])} to {number(beta_grid[-1])}, "
            f"log scale, one line per κ at its best learning rate η*. The lowest loss lies at a larger β "
            f"for a larger κ: {listing(parts)}.")


def optimal_rates_figure(kappas, counted=None, *, start=(-3.0, 1.0)):
    """Steps to shrink the error 1000-fold against κ, each method at its best settings.

    Lines: the steps each rate implies, ⌈ln 1000 / ln(1/rate)⌉, from ``theory.best_rates``
    (gradient descent, Nesterov at its best and classic tuning, heavy ball at its
    optimum, and the lower bound's rate for first-order methods). Markers (optional):
    the steps counted in real runs from ``start``, ``counted = {method: (kappas, steps)}``
    with ``method`` one of "sgd", "nesterov" (its best tuning), "momentum" (e.g. from
    ``experiments.shrink_steps``).
    """
    import numpy as np

    from .drawing import style

    kappas = np.asarray(kappas, dtype=float)
    rates = theory.best_rates(kappas)
    steps = {k: theory.steps_to_shrink(r, 1e-3) for k, r in rates.items()}
    markers = {"sgd": "o", "nesterov": "^", "momentum": "s"}
    names = {"sgd": "gradient descent", "nesterov": "Nesterov, best", "momentum": "heavy ball"}
    where = f"({start[0]:g}, {start[1]:g})".replace("-", "\u2212")
    with style():
        fig = _figure((11.0, 7.0), layout="constrained")
        ax = fig.add_subplot()
        ax.loglog(kappas, steps["lower bound"], color="black", lw=7, alpha=0.25,
                  label="lower bound's rate, first-order methods")
        ax.loglog(kappas, steps["sgd"], lw=2.5, label="gradient descent, best η",
                  **method_style("sgd"))
        ax.loglog(kappas, steps["nesterov, classic"], lw=1.5, color=METHOD_COLOURS["nesterov"],
                  ls=(0, (1, 1.5)), label="Nesterov, classic tuning")
        ax.loglog(kappas, steps["nesterov"], lw=2.5, label="Nesterov, best (η, β)",
                  **method_style("nesterov"))
        ax.loglog(kappas, steps["momentum"], lw=2.5, label="heavy ball, optimal (η, β)",
                  **method_style("momentum"))
        for method, (at, count) in (counted or {}).items():
            ax.loglog(at, count, linestyle="none", marker=markers[method], ms=10, mfc="white",
                      mew=2.2, color=METHOD_COLOURS[method],
                      label=f"{names[method]}: counted in a run from {where}")
        ax.set(xlabel="condition number κ", ylabel="steps to shrink the error 1000×",
               title="Lines: the steps each rate implies" + ("; markers: counted" if counted else ""))
        # Under the axes: inside, it would hide markers.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=TICK_SIZE - 2,
                  frameon=False)
    return described(fig, optimal_rates_alt(kappas, steps, counted, where))


def optimal_rates_alt(kappas, steps, counted=None, where=""):
    """The text alternative of ``optimal_rates_figure``: the steps each line implies at the largest κ."""
    names = {"sgd": "gradient descent", "nesterov": "Nesterov at its best", "nesterov, classic":
             "Nesterov with classic tuning", "momentum": "heavy ball", "lower bound": "the lower bound's rate"}
    at = [f"{names[k]} {v[-1]:.0f}" for k, v in steps.items() if k in names]
    text = (f"Steps to shrink the error 1000-fold against the condition number κ from {number(kappas[0])} "
            f"to {number(kappas[-1])}, log–log, each method at its best settings. At κ = "
            f"{number(kappas[-1])} the rates imply {listing(at)} steps.")
    if counted:
        runs = [f"{names[m]} {c[-1]:.0f}" for m, (_, c) in counted.items()]
        text += (f" Markers: steps counted in runs from {where}, at κ = {number(counted[next(iter(counted))][0][-1])}: "
                 f"{listing(runs)}.")
    return text


def eigen_figure(problem, er, direct, *, angle, every=3):
    """A rotated valley with its eigenvectors (left); the per-direction coordinates uᵢ,t (right).

    ``er`` from ``experiments.eigen_run``; ``direct`` the ``RunResult`` of ``run`` on the
    same problem. Right: lines are the 2×2-matrix runs, markers Qᵀ(w_t − w*) of the
    direct run, every ``every`` steps.
    """
    import numpy as np

    from .drawing import style

    with style():
        fig = _figure((12.0, 4.8), layout="constrained")
        ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": (1.0, 1.2)})
        x, y = np.linspace(-3.6, 3.6, 200), np.linspace(-3.0, 3.0, 160)
        X, Y = np.meshgrid(x, y)
        J = problem.loss(np.stack([X, Y], axis=-1))
        ax.contour(X, Y, J, levels=np.geomspace(0.01, J.max(), 9), colors="#BBBBBB", linewidths=1)
        ax.plot(direct.w[:, 0], direct.w[:, 1], marker="o", ms=3, lw=1.8, label="momentum's path",
                **method_style("momentum"))
        for i, (lam, colour) in enumerate(zip(er.curvatures, ("#E69F00", "#CC79A7"))):
            q = 2.2 * er.basis[:, i]
            ax.annotate("", xy=q, xytext=(0, 0), arrowprops={"arrowstyle": "-|>", "color": colour,
                                                             "lw": 2.5, "mutation_scale": 18})
            ax.annotate(f"$q_{i + 1}$, λ = {lam:g}", q, textcoords="offset points",
                        xytext=(4, 4), color=colour, fontsize=TICK_SIZE,
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
        ax.plot([0], [0], "*", ms=16, color="black")
        ax.set(xlim=(-3.6, 3.6), ylim=(-3.0, 3.0), xlabel=r"$w_1$", ylabel=r"$w_2$",
               title=f"valley rotated by {np.degrees(angle):.0f}°")
        ax.set_aspect("equal")
        t = np.arange(er.u.shape[0])
        projected = (direct.w - problem.minimum) @ er.basis
        styles = ("-", (0, (5, 2)))
        for i, (colour, ls) in enumerate(zip(("#E69F00", "#CC79A7"), styles)):
            bx.plot(t, er.u[:, i], color=colour, ls=ls, lw=2.2,
                    label=f"$u_{i + 1}$ by its 2×2 matrix")
            bx.plot(t[::every], projected[::every, i], "o", ms=5, mfc="none", color=colour,
                    label=fr"$q_{i + 1}\cdot w_t$ of the run")
        bx.axhline(0, color="black", lw=1)
        bx.set(xlabel="step t", ylabel="coordinate along an eigenvector",
               title="each direction on its own")
        bx.legend(fontsize=TICK_SIZE - 2, ncol=2, loc="upper right")
    return described(fig, eigen_alt(problem, er, direct, angle=angle))


def eigen_alt(problem, er, direct, *, angle):
    """The text alternative of ``eigen_figure``: the eigenvectors and how well the 2×2 runs match."""
    projected = (direct.w - problem.minimum) @ er.basis
    gap = float(np.nanmax(np.abs(projected - er.u)))
    scale = float(np.nanmax(np.abs(er.u)))
    match = ("equal the run's projections (markers) to rounding" if gap <= 1e-9 * scale else
             f"differ from the run's projections (markers) by up to {number(gap)}")
    return (f"Left: a valley rotated by {np.degrees(angle):.0f}° with momentum's path and the "
            f"eigenvectors q₁ (λ = {er.curvatures[0]:g}) and q₂ (λ = {er.curvatures[1]:g}). Right: each "
            f"coordinate along an eigenvector over {er.u.shape[0] - 1} steps; the runs of the 2×2 "
            f"matrices (lines) {match}, and end at u₁ = {number(er.u[-1, 0])}, u₂ = {number(er.u[-1, 1])}.")
