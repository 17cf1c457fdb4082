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


def grid_heatmap(ax, lrs, betas, values, *, vmin, vmax, label, iso=None, cmap="viridis"):
    """``values`` (β rows, η columns) over a log-η axis, with iso-lines of η/(1−β).

    ``iso``: effective learning rates at which to draw η/(1−β) = const (white, labelled).
    """
    import matplotlib.colors as mcolors

    mesh = ax.pcolormesh(lrs, betas, values, shading="nearest", cmap=cmap,
                         norm=mcolors.LogNorm(vmin=vmin, vmax=vmax))
    ax.set_xscale("log")
    for eff in (iso or []):
        beta_line = np.linspace(betas[0], betas[-1], 200)
        lr_line = eff * (1 - beta_line)
        keep = (lr_line >= lrs[0]) & (lr_line <= lrs[-1])
        ax.plot(lr_line[keep], beta_line[keep], color="white", lw=2, ls=(0, (4, 2)))
        if keep.any():
            i = np.nonzero(keep)[0][len(np.nonzero(keep)[0]) // 3]
            ax.text(lr_line[i], beta_line[i], f" {eff:g}", color="white", fontsize=TICK_SIZE,
                    ha="left", va="center", fontweight="bold")
    ax.set(xlabel="η (PyTorch form)", ylabel="β")
    cbar = ax.figure.colorbar(mesh, ax=ax)
    cbar.set_label(label)
    cbar.ax.tick_params(labelsize=TICK_SIZE)
    return mesh
