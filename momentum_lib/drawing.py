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
