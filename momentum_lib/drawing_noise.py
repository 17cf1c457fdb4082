"""Static figures of notebooks 06 and 07 (noise floor, two phases, the (η, β) grid of a network).

Imported only by the notebooks; importing ``momentum_lib`` does not import matplotlib.
"""

import numpy as np

from .drawing import (METHOD_COLOURS, METHOD_LINESTYLES, TICK_SIZE, described, listing, method_style,
                      new_figure, number, sentence_case, style)

LABELS = {"sgd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov"}


def paths_with_bands(panels, t, figsize=(12.0, 4.4), ylim=None):
    """One panel per entry of ``panels``: ``(title, [(w, method, label, std), ...])``.

    Each path is drawn in its method's colour and line style, with dotted lines at
    ±2·std (the theory's long-run spread) in the same colour. ``ylim`` defaults to a range
    that holds every path and every band, with room below them for the legend.
    """
    if ylim is None:
        top = max(max(np.nanmax(np.abs(w)), 2 * std) for _, paths in panels for w, _, _, std in paths)
        ylim = (-1.9 * top, 1.1 * top)
    with style():
        fig = new_figure(figsize)
        axes = fig.subplots(1, len(panels), sharey=True)
        for ax, (title, paths) in zip(np.atleast_1d(axes), panels):
            for w, method, label, std in paths:
                kw = {"color": METHOD_COLOURS[method], "linestyle": METHOD_LINESTYLES[method]}
                ax.plot(t, w, lw=1.6, label=label, **kw)
                for s in (-2 * std, 2 * std):
                    ax.axhline(s, color=kw["color"], ls=(0, (1, 1.5)), lw=2.2)
            ax.set(title=title, xlabel="step t", xlim=(t[0], t[-1]), ylim=ylim)
            ax.legend(loc="lower left", fontsize=TICK_SIZE - 1, framealpha=0.9)
        np.atleast_1d(axes)[0].set_ylabel("w (minimum at 0)")
        fig.tight_layout()
    return described(fig, paths_with_bands_alt(panels, t))


def paths_with_bands_alt(panels, t):
    """The text alternative of ``paths_with_bands``: each panel's paths and their ±2·std bands."""
    described_panels = [f"{title}: " + listing(f"{label} within ±{number(2 * std)}" for _, _, label, std in paths)
                        for title, paths in panels]
    return (f"w over steps {t[0]} to {t[-1]} on one stream of gradient noise, {len(panels)} panels, each "
            "path with dotted lines at twice its long-run standard deviation from theory. "
            + "; ".join(described_panels) + ".")


def loss_curves(ax, t, curves, floors=None):
    """Mean-loss curves ``{label: (curve, method)}`` on a log scale; floors as dotted lines."""
    for label, (curve, method) in curves.items():
        ax.semilogy(t, curve, color=METHOD_COLOURS[method], linestyle=METHOD_LINESTYLES[method],
                    label=label)
    for level, method in (floors or []):
        ax.axhline(level, color=METHOD_COLOURS[method], ls=(0, (1, 1.5)), lw=2)
    ax.set(xlabel="step t", xlim=(t[0], t[-1]))


def plain_log_ticks(ax, axis="y", labelled=(2, 5)):
    """Tick labels like 0.2, 1, 5 instead of 2×10⁻¹ on a log axis.

    Powers of ten are labelled, and of the ticks between them only those whose leading digit
    is in ``labelled`` (0.2, 0.5, 2, 5): labelling every one crowds 0.6 … 0.9 into each other.
    """
    import math

    import matplotlib.ticker as mticker

    def minor(x, _pos):
        leading = round(x / 10.0 ** math.floor(math.log10(x) + 1e-9)) if x > 0 else 0
        return f"{x:g}" if leading in labelled else ""

    which = ax.yaxis if axis == "y" else ax.xaxis
    which.set_major_formatter(mticker.FormatStrFormatter("%g"))
    which.set_minor_formatter(mticker.FuncFormatter(minor))


def grid_heatmap(ax, lrs, betas, values, *, vmin, vmax, label, iso=None, cmap="viridis"):
    """``values`` (β rows, η columns) over log η and −log₂(1 − β), with iso-lines of η/(1−β).

    On these axes η/(1 − β) = const is a straight line: log η + log(1/(1−β)) = const.
    ``iso``: the effective learning rates at which to draw it (white dashed, labelled).
    """
    import matplotlib.colors as mcolors

    y = -np.log2(1.0 - np.asarray(betas))
    mesh = ax.pcolormesh(lrs, y, values, shading="nearest", cmap=cmap,
                         norm=mcolors.LogNorm(vmin=vmin, vmax=vmax))
    ax.set_xscale("log")
    ax.set_yticks(y, [f"{b:g}" for b in betas])
    for eff in (iso or []):
        y_line = np.linspace(y[0] - 0.5, y[-1] + 0.5, 50)
        lr_line = eff * 2.0 ** (-y_line)
        ax.plot(lr_line, y_line, color="white", lw=2, ls=(0, (4, 2)))
        # label at the highest point of the line that is inside the axes
        y_at = min(y[-1], np.log2(eff / (lrs[0] / np.sqrt(2))) - 0.35)
        if y_at >= y[0] - 0.3:
            ax.text(eff * 2.0 ** (-y_at), y_at, f"{eff:g}", color="white", fontsize=TICK_SIZE - 1,
                    ha="center", va="center", fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "black", "alpha": 0.6, "lw": 0})
    ax.set(xlim=(lrs[0] / np.sqrt(2), lrs[-1] * np.sqrt(2)), ylim=(y[0] - 0.5, y[-1] + 0.5),
           xlabel="η (PyTorch form)", ylabel="β (spaced as −log₂(1 − β))")
    cbar = ax.figure.colorbar(mesh, ax=ax)
    cbar.set_label(label)
    cbar.ax.tick_params(labelsize=TICK_SIZE)
    return mesh


def equal_lr_pictures(t, paths, lrs, betas, std):
    """Notebook 06's first picture: momentum beside gradient descent at its η, then at η/(1 − β).

    ``paths`` (steps+1, 3) hold momentum (η, β), gradient descent at the same η, and gradient
    descent at η/(1 − β), on one noise stream; ``std`` their theoretical long-run spreads.
    """
    labels = [f"momentum, η = {lrs[0]:g}, β = {betas[0]:g}", f"gradient descent, η = {lrs[1]:g}",
              f"gradient descent, η = {lrs[2]:g}"]
    mom = (paths[:, 0], "momentum", labels[0], std[0])
    return paths_with_bands([
        (f"equal η = {lrs[1]:g}", [mom, (paths[:, 1], "sgd", labels[1], std[1])]),
        (f"equal effective η/(1−β) = {lrs[2]:g}", [mom, (paths[:, 2], "sgd", labels[2], std[2])]),
    ], t)


def phase_panels(t, curves, floors, *, labels=("gradient descent, best η", "momentum, best (η, β)"),
                 ylabel="expected loss E[J]", ylim=(1e-4, 1e2)):
    """One panel per batch size: ``curves`` {B: (steps+1, 2)} with ``floors`` {B: (2,)} dotted.

    Column 0 is gradient descent, column 1 momentum.
    """
    with style():
        fig = new_figure((12, 4.6))
        axes = fig.subplots(1, len(curves), sharey=True)
        for ax, (B, c) in zip(np.atleast_1d(axes), curves.items()):
            loss_curves(ax, t, {labels[0]: (c[:, 0], "sgd"), labels[1]: (c[:, 1], "momentum")},
                        floors=[(floors[B][0], "sgd"), (floors[B][1], "momentum")])
            ax.set(title=f"batch size B = {B}", ylim=ylim)
        first = np.atleast_1d(axes)[0]
        first.set_ylabel(ylabel)
        first.legend(loc="upper right", fontsize=12)
        fig.tight_layout()
    return described(fig, phase_panels_alt(t, curves, floors, labels=labels, ylabel=ylabel))


def phase_panels_alt(t, curves, floors, *, labels, ylabel):
    """The text alternative of ``phase_panels``: each batch size's floors and the loss at the end."""
    parts = [f"at B = {B}, {labels[0]} ends at {number(c[-1, 0])} (floor {number(floors[B][0])}), "
             f"{labels[1]} at {number(c[-1, 1])} (floor {number(floors[B][1])})" for B, c in curves.items()]
    return (f"{sentence_case(ylabel)} over steps {t[0]} to {t[-1]} on a log scale, one panel per batch size, "
            f"the long-run floors dotted: {'; '.join(parts)}.")


def validation_curves(epochs, val_loss, labels, *, title):
    """Validation loss per epoch (log scale), one curve per ``(label, method)`` in ``labels``.

    Curves of the same method after the first get a dotted line, and every curve its own marker.
    """
    with style():
        fig = new_figure((9, 4.6))
        ax = fig.add_subplot()
        seen = set()
        for k, (label, method) in enumerate(labels):
            kw = method_style(method) | ({"linestyle": (0, (1, 1.5))} if method in seen else {})
            seen.add(method)
            ax.semilogy(epochs, val_loss[:, k], marker="os^Dv"[k % 5], label=label, **kw)
        ax.set(xlabel="epoch", ylabel="validation loss", title=title)
        ax.legend()
        plain_log_ticks(ax)
    ends = [f"{label}: {number(val_loss[-1, k])}" for k, (label, _) in enumerate(labels)]
    return described(fig, f"Validation loss per epoch, log scale, {title}, one line per setting. After "
                          f"epoch {number(epochs[-1])}: {'; '.join(ends)}.")


def grid_figure(lrs, betas, values, unstable, *, label, iso, vmin=0.05, vmax=10.0):
    """``grid_heatmap`` of ``values`` clipped to [vmin, vmax], with ``unstable`` cells hatched over.

    ``unstable`` (β rows, η columns) marks the settings whose result is not reproducible;
    their colour is drawn over with grey hatching and named in the legend.
    """
    import matplotlib.patches as mpatches

    y = -np.log2(1.0 - np.asarray(betas))
    with style():
        fig = new_figure((10, 5.2))
        ax = fig.add_subplot()
        grid_heatmap(ax, lrs, betas, np.clip(values, vmin, vmax), vmin=vmin, vmax=vmax, label=label, iso=iso)
        for i, j in zip(*np.nonzero(unstable)):
            ax.add_patch(mpatches.Rectangle((lrs[j] / np.sqrt(2), y[i] - 0.5), lrs[j] * (np.sqrt(2) - 1 / np.sqrt(2)),
                                            1.0, facecolor="0.55", edgecolor="white", hatch="//", lw=0))
        if np.any(unstable):
            ax.legend(handles=[mpatches.Patch(facecolor="0.55", edgecolor="white", hatch="//",
                                              label="unstable in some seed")],
                      loc="lower left", fontsize=TICK_SIZE - 1, framealpha=0.9)
        ax.set_title("dashed: η/(1 − β) = const")
        fig.tight_layout()
    return described(fig, grid_alt(lrs, betas, values, unstable, label=label, iso=iso))


def grid_alt(lrs, betas, values, unstable, *, label, iso):
    """The text alternative of ``grid_figure``: the lowest value, where it is, the unstable settings."""
    values = np.where(unstable, np.nan, np.asarray(values, dtype=float))
    lines = f", with dashed lines where η/(1 − β) is {listing(f'{e:g}' for e in iso)}" if iso else ""
    text = (f"{sentence_case(label)} over η from {number(lrs[0])} to {number(lrs[-1])} (PyTorch form) and β "
            f"from {betas[0]:g} to {betas[-1]:g}, as colour{lines}. ")
    if np.all(np.isnan(values)):
        return text + "Every setting is unstable in some seed (hatched)."
    i, j = np.unravel_index(np.nanargmin(values), values.shape)
    return text + (f"Lowest among stable settings: {number(values[i, j])} at η = {lrs[j]:g}, β = "
                   f"{betas[i]:g}; {int(np.count_nonzero(unstable))} of {np.size(unstable)} settings are "
                   "unstable in some seed (hatched).")
