"""Colours and type shared by every figure of the series (matplotlib is imported lazily).

Okabe–Ito palette: distinguishable with the common colour-vision deficiencies and
in greyscale on a washed-out projector. The same method keeps the same colour in
every notebook.

References
----------
- M. Okabe, K. Ito, "Color Universal Design (CUD): how to make figures and
  presentations that are friendly to colorblind people", 2008: the palette.
  https://jfly.uni-koeln.de/color/
"""

import re

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
    "polyak": "#000000",     # black (Okabe–Ito's yellow is near-invisible on white)
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


#: The names legends and status lines use (never the code names).
METHOD_NAMES = {
    "sgd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov",
    "lookahead": "look-ahead point", "theory": "theory", "ema": "EMA form",
    "pytorch": "PyTorch", "keras": "Keras", "optax": "Optax", "sutskever": "Sutskever",
    "polyak": "Polyak", "noisy": "noisy gradients",
}


def method_style(method):
    """``{"color": …, "linestyle": …}`` for a method name, for ``ax.plot(..., **method_style(m))``."""
    return {"color": METHOD_COLOURS[method], "linestyle": METHOD_LINESTYLES[method]}


def cut_at_exit(*coords, limits, margin=0.5):
    """Coordinates of a path, ready to draw in a fixed view: it stops where it leaves for good.

    ``coords`` are arrays of equal length (x, or x and y); ``limits`` one
    ``(lo, hi)`` per array. If the path ends outside the view (it diverged or is
    on its way out), the first point after its last visit inside is pulled onto
    the edge and everything later becomes NaN: a diverging path that jumps from
    wall to wall draws one exit, not a solid block of clipped segments. Excursions
    that come back are kept, clipped to ``margin`` × the view's width beyond it
    (the axes clip them; Agg never sees 1e300). NaN in the input stays NaN.

    Examples
    --------
    >>> cut_at_exit([0.0, 1.0, 9.0, -9.0, 50.0], limits=[(-2, 2)])[0].tolist()
    [0.0, 1.0, 2.0, nan, nan]
    >>> cut_at_exit([0.0, 9.0, 0.5], limits=[(-2, 2)])[0].tolist()
    [0.0, 4.0, 0.5]
    """
    import numpy as np

    arrays = [np.array(c, dtype=float) for c in coords]
    if len(limits) != len(arrays):
        raise ValueError("give one (lo, hi) per coordinate array")
    with np.errstate(invalid="ignore"):
        finite = np.ones(arrays[0].shape, dtype=bool)
        inside = np.ones(arrays[0].shape, dtype=bool)
        for a, (lo, hi) in zip(arrays, limits):
            finite &= np.isfinite(a)
            inside &= (a >= lo) & (a <= hi)
    last_finite = np.flatnonzero(finite)
    if last_finite.size and not inside[last_finite[-1]]:
        visits = np.flatnonzero(inside)
        k = visits[-1] + 1 if visits.size else 0
        for a, (lo, hi) in zip(arrays, limits):
            a[k] = min(max(a[k], lo), hi) if np.isfinite(a[k]) else np.nan
            a[k + 1:] = np.nan
    for a, (lo, hi) in zip(arrays, limits):
        pad = margin * (hi - lo) if np.isfinite(hi - lo) else 0.0
        with np.errstate(invalid="ignore"):
            np.clip(a, lo - pad, hi + pad, out=a)
    return arrays


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


# ---- text alternatives ----------------------------------------------------------------------
# A figure's text alternative says, in one or two sentences, what is plotted and the result a
# learner should see, with its numbers. It is computed by the function that draws the figure,
# from the same arrays, and attached with ``described``; ``show`` stores it where Jupyter's
# tools look for it and shows it as a caption where they do not.

def checked_alt(alt):
    """``alt`` as one line of plain text; a clear error if it is missing or would not read as text."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("a figure needs a text alternative: one or two sentences saying what is "
                         "plotted and what it shows, with its numbers (drawing.described(fig, alt))")
    if "$" in alt:
        raise ValueError(f"a text alternative is plain text ('$' would be typeset as maths): {alt!r}")
    return " ".join(alt.split())


def described(fig, alt):
    """``fig`` with its text alternative ``alt`` attached as ``fig.alt_text`` (returns ``fig``)."""
    fig.alt_text = checked_alt(alt)
    return fig


class Picture:
    """A PNG with its text alternative that displays itself as :func:`image_output` does.

    ``data`` (the PNG bytes), ``alt`` and ``width`` (CSS px or None) as given; ``css_class``
    names the ``<img>`` of its HTML form.
    """

    def __init__(self, data, alt, *, width=None, css_class="momentum-figure"):
        self.data, self.alt, self.width, self.css_class = data, checked_alt(alt), width, css_class

    def _repr_mimebundle_(self, include=None, exclude=None):
        return image_output(self.data, self.alt, width=self.width, css_class=self.css_class)


def image_output(png, alt, *, width=None, css_class="momentum-figure"):
    """``(data, metadata)`` of a PNG display output that carries its text alternative.

    ``metadata["image/png"]["alt"]`` is where nbconvert's HTML templates and Jupyter Book read an
    image's alt text; ``text/plain``, the image's plain-text fallback, says the same (and is
    what nbval compares). JupyterLab's image renderer reads no alt metadata, so the bundle also
    holds the same PNG as ``text/html``, an ``<img>`` with its ``alt``, which JupyterLab, Voila
    and the static edition prefer to the bare PNG. ``width`` in CSS px, if given; ``css_class``
    the ``<img>``'s class.
    """
    import base64
    import html

    alt = checked_alt(alt)
    meta = {"alt": alt} | ({"width": width} if width else {})
    encoded = base64.b64encode(png).decode("ascii")
    size = f' width="{int(width)}"' if width else ""
    tag = f'<img class="{css_class}" src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}"{size}>'
    return {"image/png": encoded, "text/html": tag, "text/plain": alt}, {"image/png": meta}


def caption_output(alt):
    """The data of a Markdown output that shows ``alt`` as a visible caption under its figure.

    JupyterLab and Voila do not read an image's alt metadata, so the same words are shown as
    text, where a screen reader reads them in order and a sighted learner sees them too.
    """
    alt = checked_alt(alt)
    escaped = re.sub(r"([\\`*_{}\[\]<>#|~])", r"\\\1", alt)
    return {"text/markdown": f"*Figure:* {escaped}", "text/plain": f"Figure: {alt}"}


UNDESCRIBED = "A figure without a description of its own"


def outline_alt(fig):
    """A text alternative for a figure nobody described (a learner's own, or an old hand-in's):
    what its titles and axis labels say. The library's figures never need it (a test checks the
    stored notebooks for this text)."""
    parts = []
    for ax in fig.get_axes():
        words = [w for w in (ax.get_title(), ax.get_xlabel() and f"x: {ax.get_xlabel()}",
                             ax.get_ylabel() and f"y: {ax.get_ylabel()}") if w]
        if words:
            parts.append(", ".join(words))
    title = fig.get_suptitle()
    said = "; ".join(([title] if title else []) + parts).replace("$", "")
    return f"{UNDESCRIBED}" + (f": {said}." if said.strip() else ".")


def show(fig, alt=None):
    """Display ``fig`` as a PNG output with its text alternative, then that text as a caption.

    ``alt`` defaults to the one the drawing function attached (``described``); a figure that
    has none (a learner's own) is described by its titles and labels (:func:`outline_alt`).
    """
    from IPython.display import display

    alt = alt if alt is not None else getattr(fig, "alt_text", None) or outline_alt(fig)
    alt = checked_alt(alt)
    data, metadata = image_output(png_bytes(fig), alt)
    display(data, metadata=metadata, raw=True)
    display(caption_output(alt), raw=True)


def number(x, digits=2):
    """``x`` to ``digits`` significant digits as a reader says it: 0.042, 1.3 × 10⁻⁵, −3 (a true minus).

    >>> number(-0.0421), number(1.26e-5), number(12345.0, 3), number(0.5), number(float("inf"))
    ('−0.042', '1.3 × 10⁻⁵', '12300', '0.5', 'infinity')
    """
    import math

    x = float(x)
    if not math.isfinite(x):
        return "not a number" if math.isnan(x) else ("−" if x < 0 else "") + "infinity"
    if x != 0 and not 1e-3 <= abs(x) < 1e5:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        text = f"{mantissa} × 10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    else:
        text = f"{float(f'{x:.{digits}g}'):.{digits}g}"
        if "e" in text:                     # a whole number with more digits than asked
            text = f"{float(text):.0f}"
    return text.replace("-", "−")


def sentence_case(text):
    """``text`` with its first letter capitalised and the rest untouched (κ, E[J], Nesterov)."""
    return text[:1].upper() + text[1:]


def times(n):
    """"never", "once", "twice" or "n times"."""
    return {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def listing(items):
    """``a``, ``a and b``, ``a, b and c``."""
    items = [str(i) for i in items]
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---- static figures used by the notebooks -----------------------------------

def gradient_components(g, v=None, *, v_label="momentum: velocity v", title=None):
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
        fig = new_figure((10.0, 4.8))
        axes = fig.subplots(1, 2, sharex=True)
        t = np.arange(1, len(g) + 1)
        for ax, col, where in zip(axes, (1, 0), ("across the valley (w₂)", "along the valley (w₁)")):
            ax.axhline(0.0, color=METHOD_COLOURS["theory"], linewidth=1)
            ax.plot(t, g[:, col], marker="o", markersize=4, linewidth=1.5,
                    label="gradient descent: gradient g", **method_style("sgd"))
            if v is not None:
                vv = np.asarray(v, dtype=float)
                ax.plot(np.arange(len(vv)), vv[:, col], label=v_label, **method_style("momentum"))
            ax.set(xlabel="step $t$", title=where)
            style_axes(ax)
        axes[0].set_ylabel("component")
        # One legend, below both panels: never over the data.
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False)
        fig.suptitle(title or "Across, the gradient flips sign every step; along, it is small and steady")
        fig.tight_layout(rect=(0, 0.09, 1, 1))
    return described(fig, gradient_components_alt(g, v, v_label=v_label))


def sign_changes(x):
    """How many times the sequence ``x`` changes sign (zeros and NaN break no run)."""
    import numpy as np

    signs = np.sign(np.asarray(x, dtype=float))
    signs = signs[np.isfinite(signs) & (signs != 0)]
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def gradient_components_alt(g, v=None, *, v_label="momentum: velocity v"):
    """The text alternative of ``gradient_components``: sign changes and ranges of each component."""
    import numpy as np

    g = np.asarray(g, dtype=float)
    n = len(g)
    text = (f"Gradient descent's gradient over steps 1 to {n}. Across the valley (w₂) it changes sign "
            f"{times(sign_changes(g[:, 1]))} in {n - 1} steps, between {number(g[:, 1].min())} and "
            f"{number(g[:, 1].max())}; along the valley (w₁) it changes sign {times(sign_changes(g[:, 0]))} "
            f"and goes from {number(g[0, 0])} to {number(g[-1, 0])}.").replace("changes sign never", "never changes sign")
    if v is not None:
        v = np.asarray(v, dtype=float)
        text += (f" Second line ({v_label}): across between {number(v[:, 1].min())} and "
                 f"{number(v[:, 1].max())}, along reaching {number(v[-1, 0])}.")
    return text


def gradient_weights(betas, t=40, *, convention="ema"):
    """The weight of each past gradient inside v_t, one line per β (log scale)."""
    import numpy as np

    from . import theory

    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
    markers = ["o", "s", "^", "D", "v"]
    with style():
        fig = new_figure((8.0, 4.4))
        ax = fig.subplots()
        age = np.arange(t)
        for k, beta in enumerate(betas):
            w = theory.past_gradient_weights(beta, t, convention=convention)[::-1]
            ax.plot(age, w, marker=markers[k % 5], markersize=4, color=colours[k % 5],
                    label=f"β = {beta:g}: window 1/(1−β) = {float(theory.effective_window(beta)):.3g}")
        ax.set(yscale="log", ylim=(1e-4, 1.0), xlabel="age $k$ of the gradient (steps ago)",
               ylabel="weight in v", title="Each older gradient counts β times less")
        ax.legend(loc="lower left")
        style_axes(ax)
        fig.tight_layout()
    return described(fig, gradient_weights_alt(betas, t, convention=convention))


def gradient_weights_alt(betas, t=40, *, convention="ema", age=20):
    """The text alternative of ``gradient_weights``: the newest gradient's weight and one at ``age``."""
    from . import theory

    weights = [theory.past_gradient_weights(beta, t, convention=convention)[::-1] for beta in betas]
    age = min(age, t - 1)
    return (f"Weight of each past gradient inside v against its age, 0 to {t - 1} steps, on a log scale, "
            f"for β = {listing(f'{b:g}' for b in betas)}: each older gradient counts β times less. "
            f"The newest weighs {listing(number(w[0]) for w in weights)}; one {age} steps old weighs "
            f"{listing(number(w[age]) for w in weights)}.")


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
    ends = [f"{name} {number(np.asarray(w, dtype=float).reshape(len(w), -1)[-1, 0])}" for name, w in paths.items()]
    steps = len(next(iter(paths.values()))) - 1
    return described(fig, f"{title + ': ' if title else ''}{ylabel} over {steps} steps, one line per "
                          f"method. After the last step: {listing(ends)}.")


def schedule_split(paths, *, reference="PyTorch", cut=None, title=None):
    """How far each convention's path is from ``reference``'s, step by step: wₜ − wₜ(reference).

    ``paths`` maps a convention name (as in ``experiments.CONVENTIONS``) to its
    iterates (steps + 1, 1). Conventions whose paths coincide form a family: they
    are drawn as one bundle of lines of decreasing width (each still visible) and
    labelled together at the right end, e.g. "Keras = Sutskever = Polyak".
    ``cut`` marks the step at which a learning-rate schedule changed. Returns a ``Figure``.
    """
    import numpy as np

    keys = {"PyTorch": "pytorch", "Keras": "keras", "Optax": "optax", "Sutskever": "sutskever",
            "Polyak": "polyak", "EMA form": "ema"}
    flat = {name: np.asarray(w, dtype=float).reshape(len(w), -1)[:, 0] for name, w in paths.items()}
    ref = flat[reference]
    families = []
    for name, w in flat.items():
        for family in families:
            if np.allclose(flat[family[0]], w, rtol=0, atol=1e-12):
                family.append(name)
                break
        else:
            families.append([name])
    with style():
        fig = new_figure((9.0, 4.6))
        ax = fig.subplots()
        ax.axhline(0.0, color="#BBBBBB", linewidth=1)
        if cut is not None:
            ax.axvline(cut, color="#BBBBBB", linewidth=1, linestyle=(0, (4, 3)))
            ax.annotate("learning-rate cut", (cut, 1), xycoords=("data", "axes fraction"),
                        xytext=(-6, -4), textcoords="offset points", ha="right", va="top",
                        fontsize=TICK_SIZE, color="#555555")
        for family in families:
            for k, name in enumerate(family):
                key = keys.get(name)
                kw = method_style(key) if key else {"color": "#444444", "linestyle": "-"}
                ax.plot(np.arange(len(flat[name])), flat[name] - ref, label=name,
                        linewidth=(7.0, 4.0, 1.8)[min(k, 2)], solid_capstyle="butt", **kw)
            d = flat[family[0]] - ref
            k = int(np.nanargmax(np.abs(d)))
            at, ha = ((len(d) - 1, d[-1]), "right") if abs(d[k]) < 1e-12 else ((k, d[k]), "center")
            ax.annotate(" = ".join(family), at, xytext=(0, 9 if d[at[0]] >= 0 else -9),
                        textcoords="offset points", ha=ha, va="bottom" if d[at[0]] >= 0 else "top",
                        fontsize=TICK_SIZE)
        ax.margins(y=0.18)
        ax.set(xlabel="step $t$", ylabel=f"$w_t$ − $w_t$ ({reference})",
               title=title or f"Distance from {reference}'s path")
        style_axes(ax)
        fig.tight_layout()
    return described(fig, schedule_split_alt(flat, families, reference, cut))


def schedule_split_alt(flat, families, reference, cut=None):
    """The text alternative of ``schedule_split``: each family of conventions and its largest gap."""
    import numpy as np

    parts = []
    for family in families:
        d = flat[family[0]] - flat[reference]
        k = int(np.nanargmax(np.abs(d)))
        name = " = ".join(family)
        parts.append(f"{name} stays on {reference}'s path" if abs(d[k]) < 1e-12 else
                     f"{name} is up to {number(abs(d[k]))} away (step {k})")
    steps = len(flat[reference]) - 1
    where = f", learning-rate cut at step {cut}" if cut is not None else ""
    return (f"Each convention's distance from {reference}'s path, w minus {reference}'s w, over {steps} "
            f"steps{where}. The conventions form {len(families)} families: {listing(parts)}.")


def spread_comparison(lrs, theory_gd, theory_momentum, measured_gd, measured_momentum, *,
                      title="Long-run spread of w: theory (lines) and measured (markers)"):
    """Stationary spread of w against η for gradient descent and momentum, theory and measured."""
    import numpy as np

    with style():
        fig = new_figure((8.0, 4.6))
        ax = fig.subplots()
        for key, th, me, marker in (("sgd", theory_gd, measured_gd, "o"),
                                    ("momentum", theory_momentum, measured_momentum, "s")):
            ax.plot(lrs, th, label=f"{METHOD_NAMES[key]} (theory)", **method_style(key))
            ax.plot(lrs, me, linestyle="none", marker=marker, markersize=8, markerfacecolor="none",
                    markeredgewidth=2, color=METHOD_COLOURS[key],
                    label=f"{METHOD_NAMES[key]} (measured)")
        ax.set(xscale="log", yscale="log", xlabel="η (EMA form, the same for both)",
               ylabel="spread of $w$ (std)", title=title)
        ax.legend(loc="upper left", frameon=False)
        style_axes(ax)
        fig.tight_layout()
    return described(fig, spread_comparison_alt(lrs, theory_gd, theory_momentum, measured_gd,
                                                measured_momentum))


def within(deviation, bounds=(0.01, 0.02, 0.05, 0.1, 0.2, 0.5)):
    """The smallest of ``bounds`` at least ``deviation``, as "1 %", …, or "more than 50 %".

    A coarse bound keeps a description of measured numbers the same when they move slightly.
    """
    bound = next((b for b in bounds if deviation <= b), None)
    return f"more than {bounds[-1]:.0%}".replace("%", " %") if bound is None else f"{bound:.0%}".replace("%", " %")


def spread_comparison_alt(lrs, theory_gd, theory_momentum, measured_gd, measured_momentum):
    """The text alternative of ``spread_comparison``: the theory's ratio and how close the measurements are."""
    import numpy as np

    th = np.concatenate([np.asarray(theory_gd, float), np.asarray(theory_momentum, float)])
    me = np.concatenate([np.asarray(measured_gd, float), np.asarray(measured_momentum, float)])
    ratio = np.asarray(theory_momentum, float) / np.asarray(theory_gd, float)
    ratios = number(ratio.min()) if number(ratio.min()) == number(ratio.max()) else \
        f"between {number(ratio.min())} and {number(ratio.max())}"
    return (f"Long-run spread (standard deviation) of w against η from {number(min(lrs))} to "
            f"{number(max(lrs))}, log–log, for gradient descent and momentum: theory as lines, "
            f"measurements as markers. In theory momentum spreads {ratios} times as far as gradient "
            f"descent at the same η; every measurement is within {within(np.max(np.abs(me / th - 1)))} "
            "of its theory.")
