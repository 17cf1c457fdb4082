"""Colours and type shared by every figure of the series (matplotlib is imported lazily).

Okabe–Ito palette: distinguishable with the common colour-vision deficiencies and
in greyscale on a washed-out projector. The same method keeps the same colour in
every notebook.
"""

METHOD_COLOURS = {
    "sgd": "#D55E00",        # vermillion
    "momentum": "#0072B2",   # blue
    "nesterov": "#009E73",   # bluish green
    "lookahead": "#CC79A7",  # reddish purple
    "theory": "#000000",     # black
    "ema": "#0072B2",
    "pytorch": "#E69F00",    # orange
    "keras": "#56B4E9",      # sky blue
    "optax": "#CC79A7",
    "sutskever": "#009E73",
    "polyak": "#F0E442",     # yellow
    "noisy": "#999999",      # grey: raw mini-batch gradients
}

# A line style per method as well, so that no two methods differ by hue alone (greyscale
# print-outs, washed-out projectors, colour-vision deficiencies).
METHOD_LINESTYLES = {
    "sgd": (0, (5, 2)),          # dashed
    "momentum": "-",             # solid
    "nesterov": (0, (6, 1.5, 1.5, 1.5)),  # dash-dot
    "lookahead": (0, (1, 1.5)),  # dotted
    "theory": (0, (1, 1.5)),
    "ema": "-",
    "pytorch": (0, (5, 2)),
    "keras": (0, (8, 2, 2, 2, 2, 2)),
    "optax": (0, (1, 1.5)),
    "sutskever": (0, (6, 1.5, 1.5, 1.5)),
    "polyak": (0, (3, 1)),
    "noisy": "-",
}


def method_style(method):
    """``{"color": …, "linestyle": …}`` for a method name, for ``ax.plot(..., **method_style(m))``."""
    return {"color": METHOD_COLOURS[method], "linestyle": METHOD_LINESTYLES[method]}


# Type for a classroom projector. Figures are drawn at 100 dpi and shown at their
# pixel size, so 14 pt is about 19 px on screen: ticks ≥ 14 pt, labels and
# titles ≥ 16 pt.
TICK_SIZE = 14
LABEL_SIZE = 16
TITLE_SIZE = 17
RC = {
    "font.size": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": LABEL_SIZE,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "legend.fontsize": TICK_SIZE,
    "figure.titlesize": TITLE_SIZE + 1,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
}
MESSAGE_COLOUR = "#B00020"   # diverged / bad input: dark red on a pale box


def style():
    """A context manager applying the projector style (``with drawing.style(): ...``)."""
    import matplotlib as mpl

    return mpl.rc_context(RC)


def style_axes(ax):
    """Pin tick label sizes on ``ax`` (ticks made later, outside ``style()``, keep them)."""
    ax.tick_params(labelsize=TICK_SIZE)


def figure_message(fig):
    """An empty text artist across the middle of ``fig`` for "diverged at step k" etc."""
    return fig.text(
        0.5, 0.5, "", ha="center", va="center", fontsize=LABEL_SIZE + 2,
        color=MESSAGE_COLOUR, zorder=10,
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "#FFF3F3", "edgecolor": MESSAGE_COLOUR},
    )


def new_figure(figsize=(9.0, 4.5), **subplot_kw):
    """A ``Figure`` on an Agg canvas (no pyplot, so no duplicate inline display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=RC["figure.dpi"], **subplot_kw)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig):
    """``fig`` rendered to PNG bytes (full draw, tight bounding box)."""
    import io

    out = io.BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight", dpi=RC["savefig.dpi"])
    return out.getvalue()


def show(fig):
    """Display ``fig`` as a PNG output (kept by GitHub, nbviewer and HTML export)."""
    from IPython.display import Image, display

    display(Image(data=png_bytes(fig), format="png"))


# ---- static figures used by the notebooks -----------------------------------

def gradient_components(g, v=None, *, title=None):
    """Gradient descent's gradient along and across a valley, step by step.

    Parameters
    ----------
    g : array (steps, 2)
        Gradients of gradient descent; column 0 is along the valley, 1 across.
    v : array (steps+1, 2), optional
        Momentum's velocity on the same problem, drawn beside the gradients.

    Returns a ``Figure`` (show it with :func:`show`).
    """
    import numpy as np

    g = np.asarray(g, dtype=float)
    with style():
        fig = new_figure((10.0, 4.2))
        axes = fig.subplots(1, 2, sharex=True)
        t = np.arange(1, len(g) + 1)
        for ax, col, where in zip(axes, (1, 0), ("across the valley (w₂)", "along the valley (w₁)")):
            ax.axhline(0.0, color=METHOD_COLOURS["theory"], linewidth=1)
            ax.plot(t, g[:, col], marker="o", markersize=4, linewidth=1.5,
                    color=METHOD_COLOURS["sgd"], label="gradient descent: g")
            if v is not None:
                vv = np.asarray(v, dtype=float)
                ax.plot(np.arange(len(vv)), vv[:, col], color=METHOD_COLOURS["momentum"],
                        label="momentum: velocity v")
            ax.set(xlabel="step t", title=where)
            style_axes(ax)
        axes[0].set_ylabel("component")
        axes[0].legend(loc="upper right")
        fig.suptitle(title or "Across, the gradient flips sign every step; along, it is small and steady")
        fig.tight_layout()
    return fig


def gradient_weights(betas, t=40, *, convention="ema"):
    """The weight of each past gradient inside v_t, one line per β (log scale)."""
    import numpy as np

    from . import theory

    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
    with style():
        fig = new_figure((8.0, 4.4))
        ax = fig.subplots()
        age = np.arange(t)
        for beta, colour in zip(betas, colours * 2):
            w = theory.past_gradient_weights(beta, t, convention=convention)[::-1]
            ax.plot(age, w, marker="o", markersize=3.5, color=colour,
                    label=f"β = {beta:g}: window 1/(1−β) = {float(theory.effective_window(beta)):.3g}")
        ax.set(yscale="log", ylim=(1e-4, 1.0), xlabel="age k of the gradient (steps ago)",
               ylabel="weight in v", title="Each older gradient counts β times less")
        ax.legend(loc="lower left")
        style_axes(ax)
        fig.tight_layout()
    return fig


def trajectories(paths, *, ylabel="w", title="", styles=None):
    """Several 1-D trajectories over steps, coloured by ``METHOD_COLOURS[name]``.

    ``paths`` maps a method name (a key of ``METHOD_COLOURS``, or any name with
    ``styles[name] = {"color": ..., ...}``) to an array of iterates (steps+1,).
    Later paths are drawn thinner and dashed so coinciding lines stay visible.
    """
    import numpy as np

    dashes = ["-", "--", ":", "-.", (0, (5, 2, 1, 2)), (0, (1, 1))]
    with style():
        fig = new_figure((9.0, 4.4))
        ax = fig.subplots()
        for k, (name, w) in enumerate(paths.items()):
            kw = {"color": METHOD_COLOURS.get(name, "#444444"), "linestyle": dashes[k % len(dashes)],
                  "linewidth": max(4.0 - 0.6 * k, 1.5), "label": name}
            kw.update((styles or {}).get(name, {}))
            w = np.asarray(w, dtype=float).reshape(len(w), -1)[:, 0]
            ax.plot(np.arange(len(w)), w, **kw)
        ax.set(xlabel="step t", ylabel=ylabel, title=title)
        ax.legend(loc="best")
        style_axes(ax)
        fig.tight_layout()
    return fig
