"""Static figures of notebooks 06 and 07 (noise floor, two phases, the (η, β) grid of a network).

Imported only by the notebooks; importing ``momentum_lib`` does not import matplotlib.
"""

import numpy as np

from .drawing import METHOD_COLOURS, METHOD_LINESTYLES, TICK_SIZE, new_figure, style

LABELS = {"sgd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov"}


def paths_with_bands(panels, t, figsize=(12.0, 4.4)):
    """One panel per entry of ``panels``: ``(title, [(w, method, label, std), ...])``.

    Each path is drawn in its method's colour and line style, with dotted lines at
    ±2·std (the theory's long-run spread) in the same colour.
    """
    with style():
        fig = new_figure(figsize)
        axes = fig.subplots(1, len(panels), sharey=True)
        for ax, (title, paths) in zip(np.atleast_1d(axes), panels):
            for w, method, label, std in paths:
                kw = {"color": METHOD_COLOURS[method], "linestyle": METHOD_LINESTYLES[method]}
                ax.plot(t, w, lw=1.6, label=label, **kw)
                for s in (-2 * std, 2 * std):
                    ax.axhline(s, color=kw["color"], ls=(0, (1, 1.5)), lw=2.2)
            ax.set(title=title, xlabel="step t", xlim=(t[0], t[-1]))
            ax.legend(loc="lower left", fontsize=TICK_SIZE - 1, framealpha=0.9)
        np.atleast_1d(axes)[0].set_ylabel("w (minimum at 0)")
        fig.tight_layout()
    return fig


def loss_curves(ax, t, curves, floors=None):
    """Mean-loss curves ``{label: (curve, method)}`` on a log scale; floors as dotted lines."""
    for label, (curve, method) in curves.items():
        ax.semilogy(t, curve, color=METHOD_COLOURS[method], linestyle=METHOD_LINESTYLES[method],
                    label=label)
    for level, method in (floors or []):
        ax.axhline(level, color=METHOD_COLOURS[method], ls=(0, (1, 1.5)), lw=2)
    ax.set(xlabel="step t", xlim=(t[0], t[-1]))


def plain_log_ticks(ax, axis="y"):
    """Tick labels like 0.2, 1, 5 instead of 2×10⁻¹ on a log axis."""
    import matplotlib.ticker as mticker

    which = ax.yaxis if axis == "y" else ax.xaxis
    which.set_major_formatter(mticker.FormatStrFormatter("%g"))
    which.set_minor_formatter(mticker.FormatStrFormatter("%g"))


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
