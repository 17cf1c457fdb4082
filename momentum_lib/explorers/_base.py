"""The explorer mechanism: sliders that redraw one persistent figure within a frame.

Why not ``ipywidgets.interact``? With the inline backend every slider move builds
a new figure, lays it out and saves it with a tight bounding box: 175–350 ms a
move, which the eye reads as lag. An explorer instead keeps **one** Agg figure
for its whole life (``matplotlib.figure.Figure`` + ``FigureCanvasAgg``, never
pyplot, so the inline backend never shows a stray copy) and splits it in two:

* the *static* part (axes, ticks, labels, contours, legend) is drawn once and the
  rendered pixels are cached (``canvas.copy_from_bbox``). Ticks and text are
  three quarters of an Agg draw, so they must not be redrawn on every move;
* the *dynamic* artists (paths, markers, messages) are created with
  ``animated=True``; a move updates those artists with ``set_data`` and draws
  only them: as an SVG over the cached background (below), or, for a whole
  frame, over the restored pixels (``draw_artist``): "blitting".

What goes to the browser is two images stacked in one grid cell (``frames="layers"``,
the default): the static background as a PNG (:func:`encode_png`, RGB), sent only
when ``static_key`` or ``layer_key`` changes, and on top of it the dynamic artists
as an SVG written by matplotlib's SVG renderer in a compact form
(:mod:`._vector`), sent on every move. A β/η move thus costs the geometry of a few
lines, 2–10 KB, instead of every pixel of the frame (55–260 KB at 2×), which is the
latency on a slow link (Binder over a classroom's Wi-Fi), and the top layer is sharp
at any screen density. An artist whose look changes in a few steps only (trace's Δw
axis, whose limits follow η on a 1-2-5 ladder) can be marked ``cached_by`` its key:
it goes as a third image between the two, an SVG drawn once per key and sent only
when the key changes. ``frames="png"`` sends the whole frame as a PNG on every move
instead (the way before; kept for comparison, ``benchmarks/``). Either way the kernel
keeps the Agg frame: :meth:`Explorer.png` (and the snapshot that static renderers
show) is the background with the dynamic artists drawn over it by Agg, made when
asked. Nothing beyond ipywidgets core is needed (``Image`` widgets in a ``GridBox``),
so an explorer works in JupyterLab, Notebook 7, VS Code, Voila and JupyterLite.
``benchmarks/run.py`` times the ways in one process, ``benchmarks/browser.py`` in a
real browser.

The figure is rendered at ``pixel_ratio`` (2) times its size and shown at
``figsize × dpi`` CSS pixels, so a projector or a high-density screen shows it
sharp and no browser ever stretches it.

What the screen shows is what the kernel keeps
----------------------------------------------
Sliders are :class:`GridSlider` widgets: a list of exact stops (``0.9``, ``1.9``,
``50``), of which the front end only ever sends the index, so nothing rounds a
value on its way back (``FloatSlider`` and ``FloatLogSlider`` recompute the value
in JavaScript and send ``0.9000000000000001``, ``1.9055``, ``50.1187`` back,
overwriting what code set). A value set from code between two stops is kept
exactly and shown as an extra stop. The explorer keeps its values itself
(``ex.values``); a plain ``FloatSlider`` a subclass still uses is protected too: a
value that comes back within half a step of the one kept is a rounding echo and
is ignored.

Moves from a front end are coalesced: the observer records the new value and a
worker thread draws; moves that arrive while a frame is being drawn replace each
other, so only the latest is drawn next. ``set`` (and a ``widget.value = x``
written in Python) draw synchronously, so ``ex.set(...).state`` is always current.

Writing a new explorer
----------------------
Subclass :class:`Explorer`, fill in the class attributes and five hooks, then add
one line to ``_REGISTRY`` in ``momentum_lib/explorers/__init__.py``::

    class ParabolaExplorer(Explorer):
        name = "parabola"                     # registry key, CSS class explorer-parabola
        title = "Momentum on a parabola: watch the overshoot"
        defaults = {"beta": 0.9, "lr": 0.1, "steps": 40}
        lr_range = (1e-3, 3.0)                # FloatLogSlider between these
        figsize = (9.0, 4.5)                  # inches at 100 dpi = displayed CSS px / 100

        def extra_controls(self):             # controls beyond β and lr (may be {})
            return {"steps": widgets.IntSlider(min=1, max=200, description="steps")}

        def compute(self, values):            # numbers only; no drawing
            return momentum_lib.run(grad_fn, w0, values["steps"],
                                    lr=values["lr"], beta=values["beta"], loss_fn=loss)

        def summary(self, result, values):    # small dict; MUST contain "diverged_at"
            return {"diverged_at": int(result.diverged_at),
                    "final_loss": float(result.loss[-1])}

        def build(self, fig, values):         # once: axes, static artists, dynamic ones
            scene = Scene(fig)
            ax = scene.ax = fig.add_subplot()
            ax.set_xlabel("step t"); ax.set_ylabel("w")
            scene.path = scene.animated(ax.plot([], [], color=METHOD_COLOURS["momentum"])[0])
            return scene

        def update(self, scene, result, values):   # every move: set_data on dynamic artists
            t = np.arange(len(result.w))
            scene.path.set_data(t, clip(result.w[:, 0], -5, 5))

        def status(self, summary, values):    # the one-line status under the figure
            return f"loss after {values['steps']} steps: {summary['final_loss']:.2e}"

Optional hooks: ``static_key(values)`` returns something hashable that changes
when the static part must be redrawn (e.g. κ changes the contours and limits);
``restyle(scene, values)`` then updates the static artists before the background
is re-cached. ``side_widgets()`` returns widgets shown beside the figure (e.g. an
HTML table) that ``update`` may fill. ``message(summary, values)`` returns the
text shown in a strip kept free below the axes, so it hides no data, label or
legend (default: "diverged at step k — lower η" when
``summary["diverged_at"] >= 0``); the status line repeats it in bold. ``compute`` may raise :class:`InputError`
for bad input (unparsable text): its message is shown in the figure and the
status line, never as a traceback.

Rules for dynamic data: clip values to a little beyond the axes range with
:func:`clip` (a diverging run reaches 1e6 and Agg should never see that), and
leave NaN where a run has diverged (matplotlib breaks the line there).

Keeping a move within a frame (16.7 ms): text is the expensive artist, so keep
legends, titles and labels static and animate as little text as possible;
compute with one vectorised ``run`` (e.g. ``beta=np.array([0.0, beta])`` runs
gradient descent and momentum together); make ``static_key`` change rarely
(round limits up to a 1-2-5 ladder). The rest is free: ``tests/test_explorers.py``
drives every registered explorer through the ends of every control (the Text
controls through ``text_examples``), random settings and divergence, and
``benchmarks/run.py`` times it against the ``interact`` way
(:meth:`Explorer.render_interact_way` re-uses ``build`` and ``update``).

Using an explorer
-----------------
``ex = ValleyExplorer()`` then ``ex`` as a cell's last line displays it.
``ex.set(beta=0.5, lr=0.3)`` validates, keeps the values exactly and redraws
synchronously; ``ex.wait_drawn()`` waits for a coalesced redraw; ``ex.values``,
``ex.state`` (the summary dict plus the values) and ``ex.result`` (what
``compute`` returned) read back what it computed; ``ex.snapshot()`` is the
current frame as an ``IPython.display.Image`` (a PNG that GitHub, nbviewer and
HTML export keep).

DOM contract (browser tests rely on it): the explorer is an ``ipywidgets.VBox``
with CSS class ``momentum-explorer``; the β slider has class ``explorer-beta``,
the lr slider ``explorer-lr``, every other control ``explorer-<name>``, the reset
button ``explorer-reset``, the figure ``GridBox`` ``explorer-figure`` (``ex.figure``)
holding the ``Image`` ``explorer-background`` (``ex.background``, hidden with
``frames="png"``) and above it the ``Image`` ``explorer-moves`` (``ex.image``: the one
that changes on a β/η move); an explorer with artists marked ``cached_by`` has the SVG
``Image`` ``explorer-overlay`` (``ex.overlay``, else None) between them. The status is the
``HTML`` ``explorer-status``.
"""

import base64
import io
import math
import numbers
import struct
import sys
import textwrap
import threading
import time
import traceback
import zlib

import numpy as np
import ipywidgets as widgets
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from .. import drawing
from ._vector import MIME_FORMAT as _SVG_FORMAT, svg_layer

try:    # ISA-L's deflate: the same zlib stream ~5× faster at level 1 (optional, with wheels
    from isal import isal_zlib as _deflate      # for Linux, macOS and Windows)
except ImportError:  # pragma: no cover - e.g. Pyodide: the standard library's zlib
    _deflate = zlib


# Front-end moves are drawn on a worker thread where the kernel has threads; a browser
# kernel (Pyodide, the JupyterLite edition) has none and draws each move as it arrives.
_THREADS = sys.platform != "emscripten"

# How a frame reaches the browser: "layers" (the static background as a PNG when it changes,
# the dynamic artists as an SVG on every move) or "png" (the whole frame as a PNG every move).
FRAMES = ("layers", "png")

# During a drag a frame is shown at least this often (s): a frame overtaken by a newer move
# is dropped only if another went out within this time, so a fast drag never starves.
MIN_FRAME_GAP = 0.1
OVERLAYS_KEPT = 32     # SVGs of cached_by artists kept per explorer (a few KB each)


class InputError(ValueError):
    """Bad learner input (e.g. unparsable text): shown as a message, not a traceback."""


class Scene:
    """The artists of one figure: attributes set by ``build``, plus the dynamic list.

    ``scene.animated(artist)`` marks an artist as dynamic (redrawn on every move,
    in the order marked) and returns it. An axis can be dynamic too (e.g.
    ``scene.animated(ax.yaxis, cached_by=ax.get_ylim)``): its ticks and labels then move
    with the data instead of the whole background being redrawn and sent again.
    """

    def __init__(self, fig):
        self.fig = fig
        self.dynamic = []
        self.layer = []
        self.always = []
        self.cached = []        # (artist, its key): sent apart, when the key changes

    def animated(self, artist, always=False, cached_by=None):
        """Mark a dynamic artist (drawn on every move, never into the background).
        Returns it.

        ``always``: drawn in every frame, also when the input is bad and the other
        dynamic artists are not. ``cached_by``: a function of nothing that returns,
        hashable, all the artist's look depends on (e.g. ``ax.get_ylim`` for an axis
        whose limits follow η, a few steps apart): the artist then goes to the browser
        as an SVG of its own, sent only when that value changes, instead of with every
        move (it is ``always`` drawn)."""
        artist.set_animated(True)
        self.dynamic.append(artist)
        if always or cached_by is not None:
            self.always.append(artist)
        if cached_by is not None:
            self.cached.append((artist, cached_by))
        return artist

    def layered(self, artist):
        """Mark an artist that changes with ``Explorer.layer_key`` only (e.g. a heat map
        that depends on κ but not on β or η): it is drawn once per key into a cached
        layer over the static background, not on every move. Returns it."""
        artist.set_animated(True)
        self.layer.append(artist)
        return artist


def clip(x, lo, hi, margin=0.5):
    """``x`` clipped to ``[lo, hi]`` widened by ``margin`` of its width; NaN stays NaN.

    Points outside the axes are still drawn towards the edge (so a path visibly
    leaves the plot) without handing Agg coordinates like 1e300.
    """
    pad = margin * (hi - lo)
    with np.errstate(invalid="ignore"):
        return np.clip(np.asarray(x, dtype=float), lo - pad, hi + pad)


def _png_chunk(tag, data):
    return (struct.pack(">I", len(data)) + tag + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))


def encode_png(canvas, alpha=True):
    """The canvas's RGBA pixels as PNG bytes, written directly with a deflate at level 1;
    ``alpha=False`` drops the alpha channel (for an opaque background: a quarter fewer bytes).

    Each row gets PNG filter type 0 ("none") and the whole is deflated at level 1
    (ISA-L's ``isal_zlib`` when installed, else ``zlib``). Pillow's encoder spends
    most of its time choosing a filter per row and ``canvas.print_png`` goes through
    Pillow at level 6: for a 2000 × 920 frame (a 1000 × 460 figure at 2×) this takes
    ~5 ms with ISA-L, ~12 ms with zlib, against ~45 ms and ~140 ms.

    This is the one place that turns pixels into PNG bytes: the background of
    ``frames="layers"``, every frame of ``frames="png"``, and :meth:`Explorer.png`.
    """
    width, height = canvas.get_width_height(physical=True)
    channels = 4 if alpha else 3
    pixels = np.asarray(canvas.buffer_rgba()).reshape(height, width, 4)[:, :, :channels]
    # One row buffer per canvas, reused: a fresh 7 MB array costs page faults every move.
    rows = getattr(canvas, "_png_rows", None)
    if rows is None or rows.shape != (height, channels * width + 1):
        rows = canvas._png_rows = np.zeros((height, channels * width + 1), dtype=np.uint8)
    rows[:, 1:] = pixels.reshape(height, channels * width)  # column 0: filter "none" per row
    colour_type = 6 if alpha else 2                                   # 8-bit RGBA or RGB
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", _deflate.compress(rows, 1)) + _png_chunk(b"IEND", b""))


def control_style():
    """Keyword arguments every control shares: the full label shown, one width."""
    return {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="340px")}


class GridSlider(widgets.SelectionSlider):
    """A slider over a fixed list of exact numbers: what it shows is what the kernel keeps.

    Why not ``FloatSlider``/``FloatLogSlider``? Their front end recomputes the value
    from the handle's position (``min + k·step`` or ``10**(k·step)`` in JavaScript) and
    sends it back whenever the kernel changes it: β = 0.9 came back as
    0.9000000000000001, lr = 1.9 as 1.9055 and κ = 50 as 50.1187, overwriting what
    code had set. Here the front end only ever sends the *index* of a stop; each stop's
    number is a Python float made from its decimal text, so ``0.9`` is the literal
    0.9, and its label is that number as the readout shows it.

    A value set from code that is not a stop (e.g. a computed optimum) is kept exactly:
    :meth:`show` adds it as an extra stop, labelled with more digits, until the next
    value set from code.

    ``min``, ``max`` and ``grid`` are plain Python attributes (not synced).
    """

    def __init__(self, grid, value, fmt, description, exact_fmt=".4g", **kwargs):
        self.grid = tuple(sorted(set(float(v) for v in grid)))
        self.fmt, self.exact_fmt = fmt, exact_fmt
        kwargs = {**control_style(), **kwargs}
        super().__init__(options=self._options(()), description=description,
                         continuous_update=True, **kwargs)
        self.show(value)

    @property
    def min(self):
        return self.grid[0]

    @property
    def max(self):
        return self.grid[-1]

    def _options(self, extra):
        stops = [(format(v, self.fmt), v) for v in self.grid]
        for v in extra:
            if v not in self.grid:
                stops.append((format(v, self.exact_fmt), v))
        return sorted(stops, key=lambda stop: stop[1])

    _reshaping = False      # True while the stops change (the value passes through others)

    def show(self, value, keep=()):
        """Put the handle on ``value`` exactly (adding it as a stop if it is not one);
        ``keep``: other off-grid values that stay stops (e.g. the starting value)."""
        value = float(value)
        extra = [v for v in (value, *keep) if v not in self.grid]
        options = self._options(extra)
        with self.hold_sync():
            if [v for _label, v in options] != list(self._options_values or ()):
                self._set_stops(options)
            self.value = value

    def _set_stops(self, options):
        self._reshaping = True
        try:
            with self.hold_trait_notifications():
                self.options = options
        finally:
            self._reshaping = False

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        # ``widget.value = x`` with x between two stops (as FloatSlider allowed): x becomes
        # a stop of its own, kept exactly, instead of an "invalid selection" error.
        value = proposal.value
        stops = self._options_values or ()
        if value is None or value in stops:
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise traitlets.TraitError(f"{self.description}: a number is needed, got {value!r}")
        number = float(value)
        if not self.min <= number <= self.max:
            raise traitlets.TraitError(
                f"{self.description} must lie in [{self.min:.4g}, {self.max:.4g}]; got {number!r}")
        self._set_stops(self._options([number, *(v for v in stops if v not in self.grid)]))
        return number


def _decimals(step):
    """Decimal places of a step such as 0.01 (→ 2) or 5 (→ 0)."""
    text = format(step, "f").rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def linear_grid(lo, hi, step):
    """``lo, lo + step, …, hi`` as exact decimals (0.9, never 0.9000000000000001)."""
    digits = _decimals(step) + _decimals(lo)
    n = int(round((hi - lo) / step))
    stops = [float(f"{lo + k * step:.{digits}f}") for k in range(n + 1)]
    return sorted(set(v for v in stops if lo - 1e-12 <= v <= hi + 1e-12) | {float(lo), float(hi)})


# Mantissas of the stops of a log slider: steps of 2.5–5% (≈ 75 stops a decade), and every
# one a short decimal, so values like 1.9, 2, 50 or 0.05 are stops.
_MANTISSAS = ([round(1 + 0.05 * k, 2) for k in range(20)] + [round(2 + 0.1 * k, 1) for k in range(30)]
              + [round(5 + 0.2 * k, 1) for k in range(25)])


def log_grid(lo, hi):
    """Short decimals from ``lo`` to ``hi`` spaced roughly evenly on a log scale."""
    stops = {float(lo), float(hi)}
    for exponent in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in _MANTISSAS:
            v = float(f"{m}e{exponent}")
            if lo <= v <= hi:
                stops.add(v)
    return sorted(stops)


def float_slider(value, lo, hi, step, fmt, description):
    """A keyboard-operable slider on a linear scale, stops every ``step`` (exact decimals)."""
    return GridSlider(linear_grid(lo, hi, step), value, fmt, description)


def log_slider(value, lo, hi, description, fmt=".3g"):
    """A slider on a log scale between ``lo`` and ``hi`` (short decimals, ~75 a decade)."""
    return GridSlider(log_grid(lo, hi), value, fmt, description)


def kappa_slider(value, largest=1000.0):
    """The condition number κ of a valley, from 1 to ``largest``."""
    return log_slider(value, 1.0, largest, "condition number κ")


def divergence_message(k_sgd, k):
    """The figure's message when gradient descent (step ``k_sgd``) and/or momentum (``k``)
    diverged; -1 means it did not. Empty when neither did."""
    if k >= 0 and k_sgd >= 0:
        return (f"both diverged: gradient descent at step {k_sgd}, "
                f"momentum at step {k} — lower η")
    if k >= 0:
        return f"momentum diverged at step {k} — lower η"
    if k_sgd >= 0:
        return f"gradient descent diverged at step {k_sgd}; momentum did not"
    return ""


class Explorer:
    """Base class: sliders, reset, status line and one blitted Agg figure.

    Subclasses set the class attributes below and implement ``compute``,
    ``summary``, ``build``, ``update`` and ``status`` (see the module docstring).

    Parameters
    ----------
    **values
        Starting values for any control (e.g. ``beta=0.5``); the rest take
        ``defaults``. "reset" returns to these starting values.
    """

    name = "explorer"
    title = ""
    defaults = {"beta": 0.9, "lr": 0.1}
    beta_range = (0.0, 0.99)
    beta_step = 0.01
    lr_range = (1e-3, 1.0)
    # The η slider's label: name the form of η it belongs to, e.g. "η (EMA form)".
    lr_label = "learning rate η"
    lr_log = True              # log-scale stops (else linear stops every lr_step)
    lr_step = 0.01
    figsize = (9.0, 4.5)       # inches; at dpi 100 this is the displayed size in CSS px
    dpi = 100
    pixel_ratio = 2            # rendered at dpi × pixel_ratio, shown at figsize × dpi CSS px
    tight = True               # tight_layout once after build (False: build places axes)
    message_strip = 0.34       # inches kept free below the axes for the figure's message
    message_width = None       # characters per line of the figure's message (None: one line)
    # Strings tried by tests for each Text control (good and bad input).
    text_examples = {}
    frames = "layers"          # see FRAMES; Explorer(frames="png") sends whole frames

    # ---- construction ---------------------------------------------------------
    def __init__(self, *, frames=None, **values):
        frames = type(self).frames if frames is None else frames
        if frames not in FRAMES:
            raise ValueError(f"frames must be one of {FRAMES}; got {frames!r}")
        self.frames = frames
        self.controls = self._make_controls()
        unknown = set(self.defaults) - set(self.controls)
        if unknown:
            raise TypeError(f"{type(self).__name__}.defaults names no control: {sorted(unknown)}")
        self._initial = dict(self.defaults)
        self._initial.update(self._checked(values))
        # What the kernel keeps: set from code exactly, or by a learner's move. The
        # widgets are only the channel to the front end (see _on_change).
        self._values = {key: widget.value for key, widget in self.controls.items()}
        self._key_of = {id(widget): key for key, widget in self.controls.items()}
        self._draw_lock = threading.RLock()
        self._pending_lock = threading.Lock()
        self._pending = self._worker = False
        self.frames_drawn, self._last_frame_at = 0, 0.0
        self._show_values(self._initial)

        self.fig = Figure(figsize=self.figsize, dpi=self.dpi * self.pixel_ratio)
        FigureCanvasAgg(self.fig)
        self.scene = self._build_scene(self.fig, self.values)

        # What the browser shows: images stacked in one grid cell. The background (static
        # part, PNG) changes only with static_key/layer_key; the top image changes on every move.
        width = round(self.figsize[0] * self.dpi)

        def picture(fmt, cls, shown=True):
            image = widgets.Image(format=fmt, layout=widgets.Layout(
                width=f"{width}px", max_width="100%", height="auto", grid_area="1 / 1 / 2 / 2",
                display=None if shown else "none"))
            image.add_class(cls)
            return image

        layered = frames == "layers"
        self.background = picture("png", "explorer-background", shown=layered)
        # between them, only for artists marked animated(cached_by=...)
        self.overlay = (picture(_SVG_FORMAT, "explorer-overlay")
                        if layered and self.scene.cached else None)
        self.image = picture(_SVG_FORMAT if layered else "png", "explorer-moves")
        images = [self.background, self.overlay, self.image]
        self.figure = widgets.GridBox([i for i in images if i is not None], layout=widgets.Layout(
            grid_template_columns="minmax(0, 1fr)", width=f"{width}px", max_width="100%"))
        self.figure.add_class("explorer-figure")
        self._png = None            # the composite PNG of the current frame, made on demand
        self.status_line = widgets.HTML()
        self.status_line.add_class("explorer-status")
        self.reset_button = widgets.Button(description="reset", tooltip="back to the starting values",
                                           icon="undo", layout=widgets.Layout(width="110px"))
        self.reset_button.add_class("explorer-reset")
        self.reset_button.on_click(lambda _button: self.reset())

        self._overlay_key, self._overlays = object(), {}
        self._static_key = self._restyled_key = object()     # forces the first cache
        self._background = None
        self._layer_key, self._layer_background = object(), None
        self._frame_artists = []
        self.result = None
        self.state = {}

        for widget in self.controls.values():
            widget.observe(self._on_change, names="value")
        self.widget = self._layout()
        self.refresh()

    def _make_controls(self):
        lo, hi = self.beta_range
        beta = float_slider(self.defaults.get("beta", lo), lo, hi, self.beta_step, ".2f", "momentum β")
        lr_lo, lr_hi = self.lr_range
        if self.lr_log:
            lr = log_slider(self.defaults.get("lr", lr_lo), lr_lo, lr_hi, self.lr_label)
        else:
            lr = float_slider(self.defaults.get("lr", lr_lo), lr_lo, lr_hi, self.lr_step, ".3g",
                              self.lr_label)
        controls = {"beta": beta, "lr": lr}
        controls.update(self.extra_controls())
        for key, widget in controls.items():
            widget.add_class(f"explorer-{key}")
            if hasattr(widget, "continuous_update") and not isinstance(widget, widgets.Text):
                widget.continuous_update = True
        return controls

    def _layout(self):
        sliders = list(self.controls.values())
        rows = [widgets.HBox(sliders[i:i + 2]) for i in range(0, len(sliders), 2)]
        controls = widgets.HBox([widgets.VBox(rows), self.reset_button],
                                layout=widgets.Layout(align_items="center"))
        side = self.side_widgets()
        # Side panels wrap below the figure when the notebook column is too narrow for both.
        figure = (widgets.HBox([self.figure, *side], layout=widgets.Layout(flex_flow="row wrap"))
                  if side else self.figure)
        css = widgets.HTML(_STYLE_CSS, layout=widgets.Layout(height="0px", margin="0px"))
        box = widgets.VBox([css, controls, figure, self.status_line])
        box.add_class("momentum-explorer")
        box.add_class(f"explorer-{self.name}")
        return box

    def _build_scene(self, fig, values):
        with drawing.style():
            scene = self.build(fig, values)
            scene.message = scene.animated(_message_text(fig))
            for ax in fig.axes:
                drawing.style_axes(ax)
            if self.tight:
                # once per figure (~0.1 s), never per move; a strip along the bottom is
                # left free for the message, so it never covers data, labels or legends
                strip = min(0.15, self.message_strip / self.figsize[1])
                fig.tight_layout(rect=(0, strip, 1, 1))
        return scene

    # ---- hooks (override) -----------------------------------------------------
    def extra_controls(self):
        """Controls beyond β and lr: ``{name: widget}`` (widget.value is the value)."""
        return {}

    def side_widgets(self):
        """Widgets shown to the right of the figure (filled in by ``update``)."""
        return []

    def compute(self, values):
        raise NotImplementedError

    def summary(self, result, values):
        raise NotImplementedError

    def build(self, fig, values):
        raise NotImplementedError

    def update(self, scene, result, values):
        raise NotImplementedError

    def status(self, summary, values):
        return ""

    def static_key(self, values):
        """Hashable; when it changes the static background is redrawn and re-cached."""
        return None

    def restyle(self, scene, values):
        """Update static artists (limits, contours) for a new ``static_key``."""

    def layer_key(self, values):
        """Hashable; when it changes the artists marked with ``scene.layered`` are redrawn
        into their cached layer (they must depend on nothing else)."""
        return None

    def message(self, summary, values):
        """Text across the figure, or ``""``."""
        k = summary.get("diverged_at", -1)
        return f"diverged at step {k} — lower η" if k >= 0 else ""

    # ---- public API -----------------------------------------------------------
    @property
    def values(self):
        """The current values, ``{name: value}``: exactly what code set (or the stop a
        learner moved a slider to), whatever a front end displays or sends back."""
        return dict(self._values)

    def set(self, **values):
        """Set controls from code (validated), redraw once, return ``self``.

        The values are kept exactly: a slider shows a value that is not one of its
        stops as an extra stop, and nothing a front end sends back can change it.

        >>> ex.set(beta=0.5, lr=0.3).state["diverged_at"]   # doctest: +SKIP
        -1
        """
        checked = self._checked(values)
        with self._draw_lock:
            self._pending = False           # a learner's move still queued is overtaken
            self._show_values(checked)
            self.refresh()
        return self

    def reset(self):
        """Back to the starting values (returns nothing, so a cell ending in it stays quiet)."""
        self.set(**self._initial)

    def snapshot(self):
        """The current frame as an ``IPython.display.Image`` (kept by static renderers)."""
        from IPython.display import Image

        return Image(data=self.png(), format="png", width=self.display_width)

    @property
    def display_width(self):
        """The figure's width on screen in CSS px (its PNG has ``pixel_ratio`` × as many)."""
        return round(self.figsize[0] * self.dpi)

    def png(self):
        """The current frame as PNG bytes: with ``frames="layers"`` the background and the
        dynamic artists drawn together by Agg (made when asked, not on every move)."""
        with self._draw_lock:
            if self.frames == "png":
                return bytes(self.image.value)
            if self._png is None:
                self._draw_agg(self._frame_artists)
                self._png = encode_png(self.fig.canvas)
            return self._png

    def __repr__(self):
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({values})"

    def _repr_mimebundle_(self, **kwargs):
        # The live widget, plus the current frame as a PNG and a short text: front ends
        # with a widget manager show the widget (its renderer ranks first); GitHub,
        # nbviewer and HTML export, which have none, show the PNG instead.
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle or {})
        bundle["text/plain"] = repr(self)
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        return bundle, {"image/png": {"width": self.display_width}}

    # ---- machinery ------------------------------------------------------------
    def _checked(self, values):
        out = {}
        for key, value in values.items():
            if key not in self.controls:
                allowed = ", ".join(self.controls)
                raise TypeError(f"{type(self).__name__} has no control {key!r}; it has {allowed}")
            widget = self.controls[key]
            if isinstance(widget, widgets.Text):
                if not isinstance(value, str):
                    raise TypeError(f"{key} must be a string; got {type(value).__name__}")
            elif isinstance(widget, (widgets.Checkbox, widgets.ToggleButton)):
                if not isinstance(value, bool):
                    raise TypeError(f"{key} must be True or False; got {value!r}")
            elif isinstance(widget, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
                options = [o[1] if isinstance(o, tuple) else o for o in widget.options]
                if value not in options:
                    raise ValueError(f"{key} must be one of {options}; got {value!r}")
            elif hasattr(widget, "min") and hasattr(widget, "max"):
                integral = isinstance(widget, (widgets.IntSlider, widgets.BoundedIntText))
                kind = numbers.Integral if integral else numbers.Real
                if isinstance(value, bool) or not isinstance(value, kind):
                    what = "an integer" if integral else "a number"
                    raise TypeError(f"{key} must be {what}; got {value!r}")
                lo, hi = widget.min, widget.max
                if isinstance(widget, widgets.FloatLogSlider):
                    lo, hi = widget.base ** lo, widget.base ** hi
                # a little slack for the float round trip of log sliders
                tol = 1e-9 * max(abs(lo), abs(hi), 1.0)
                if not (lo - tol <= value <= hi + tol):
                    raise ValueError(f"{key} must lie in [{lo:.4g}, {hi:.4g}]; got {value!r}")
                if value < lo or value > hi:
                    value = min(max(value, lo), hi)
            out[key] = value
        return out

    def _show_values(self, values):
        """Keep ``values`` exactly and put every widget on them (no redraw)."""
        self._holding = True
        try:
            for key, value in values.items():
                self._values[key] = value
                widget = self.controls[key]
                if isinstance(widget, GridSlider):
                    keep = [self._initial[key]] if key in getattr(self, "_initial", {}) else []
                    widget.show(value, keep=keep)
                else:
                    widget.value = value
                self._values[key] = value
        finally:
            self._holding = False

    def _on_change(self, change):
        if self._holding:
            return
        widget = change.owner
        key = self._key_of.get(id(widget))
        if key is None or getattr(widget, "_reshaping", False):
            return
        if _same_stop(widget, self._values[key], change.new):
            # A front end rounding what the kernel sent it (FloatSlider and
            # FloatLogSlider do so) is not a move: keep the exact value, draw nothing.
            return
        self._values[key] = change.new
        if getattr(widget, "_property_lock", None) and _THREADS:
            self._schedule()        # from the front end: coalesce, draw the latest only
        else:                       # (a browser kernel such as Pyodide has no threads)
            self.refresh()          # from Python (``widget.value = x``): synchronous

    def _schedule(self):
        """Draw the latest values on a worker thread; moves arriving while a frame is
        being drawn replace each other, so only the newest is drawn next."""
        with self._pending_lock:
            self._pending = True
            if self._worker:
                return
            self._worker = True
        threading.Thread(target=self._work, name=f"explorer-{self.name}", daemon=True).start()

    def _work(self):
        while True:
            with self._draw_lock:
                with self._pending_lock:
                    if not self._pending:
                        self._worker = False
                        return
                    self._pending = False     # taken now: later moves ask for one more frame
                try:
                    self._refresh(drop_if_overtaken=True)
                except Exception as error:   # never a silent dead slider
                    self._report(error)

    def _report(self, error):
        try:
            traceback.print_exception(error, file=sys.__stderr__)
            self.status_line.value = _status_html(
                f"<b>{_escape(type(error).__name__)}: {_escape(str(error))}</b>")
        except Exception:   # pragma: no cover - nothing more can be shown
            pass

    def wait_drawn(self, timeout=10.0):
        """Block until no coalesced redraw is pending (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while (self._worker or self._pending) and time.monotonic() < deadline:
            time.sleep(0.001)
        with self._draw_lock:
            return not (self._worker or self._pending)

    def refresh(self):
        """Recompute and redraw at the current values (called on every change)."""
        with self._draw_lock:
            self._refresh()

    def _refresh(self, drop_if_overtaken=False):
        values = self.values
        scene = self.scene
        try:
            result = self.compute(values)
        except InputError as error:
            self.result, self.state = None, {"error": str(error), "diverged_at": -1, **values}
            scene.message.set_text(self._message_lines(str(error)))
            self._blit([*scene.always, scene.message], values)
            self.status_line.value = _status_html(f"<b>{_escape(str(error))}</b>")
            return
        summary = self.summary(result, values)
        self.result, self.state = result, {**summary, **values}
        if drop_if_overtaken and self._pending and time.monotonic() - self._last_frame_at < MIN_FRAME_GAP:
            # A newer move arrived while this one was computed, and a frame went out a
            # moment ago: skip drawing and sending this outdated one; the next is drawn now.
            return
        self._restyle(self.static_key(values), values)   # limits first: update cuts at them
        self.update(scene, result, values)
        text = self.message(summary, values)
        scene.message.set_text(self._message_lines(text))
        self._blit(scene.dynamic, values)
        status = self.status(summary, values)
        if text:
            status = f"{status} · <b>{_escape(text)}</b>" if status else f"<b>{_escape(text)}</b>"
        self.status_line.value = _status_html(status)

    def _message_lines(self, text):
        return textwrap.fill(text, self.message_width) if self.message_width else text

    def _blit(self, artists, values):
        """Draw a frame of ``artists`` over the background and send it to the front end."""
        changed = self._cache_background(values)
        self._frame_artists = list(artists)
        if self.frames == "png":
            self._draw_agg(artists)
            self.image.value = encode_png(self.fig.canvas)
        else:
            if changed:     # the canvas holds the new background (and layer) just drawn
                self.background.value = encode_png(self.fig.canvas, alpha=False)
            self._png = None
            if self.overlay is not None:
                artists = self._send_overlay(artists)
            self.image.value = svg_layer(self.fig, artists)
        self.frames_drawn += 1
        self._last_frame_at = time.monotonic()

    def _send_overlay(self, artists):
        """Send the ``cached_by`` artists' own SVG if their keys changed since it was last
        sent; returns the other ``artists`` (what the moves layer draws)."""
        cached = [artist for artist, _key in self.scene.cached]
        key = tuple(key() for _artist, key in self.scene.cached)
        if key != self._overlay_key:
            svg = self._overlays.get(key)
            if svg is None:         # drawn once per key (η back and forth across a step)
                if len(self._overlays) >= OVERLAYS_KEPT:
                    self._overlays.clear()
                svg = self._overlays[key] = svg_layer(self.fig, cached)
            self.overlay.value = svg
            self._overlay_key = key
        return [a for a in artists if not any(a is c for c in cached)]

    def _restyle(self, key, values):
        """Apply ``restyle`` if the static ``key`` changed since it was last applied."""
        if key != self._restyled_key:
            with drawing.style():
                self.restyle(self.scene, values)
            self._restyled_key = key

    def _cache_background(self, values):
        """Redraw and cache the static background (and the layer) if their keys changed;
        returns whether it did, with the canvas then holding the new background."""
        canvas = self.fig.canvas
        changed = False
        key = self.static_key(values)
        if key != self._static_key or self._background is None:
            self._restyle(key, values)
            canvas.draw()          # animated artists are skipped by a full draw
            self._background = canvas.copy_from_bbox(self._canvas_bbox())
            self._static_key = key
            self._layer_background = None
            changed = True
        if self.scene.layer:
            layer_key = self.layer_key(values)
            if layer_key != self._layer_key or self._layer_background is None:
                canvas.restore_region(self._background)
                for artist in self.scene.layer:
                    if artist.get_visible():
                        self.fig.draw_artist(artist)
                self._layer_background = canvas.copy_from_bbox(self._canvas_bbox())
                self._layer_key = layer_key
                changed = True
        return changed

    def _canvas_bbox(self):
        """Every pixel of the canvas, in whole pixels. ``fig.bbox`` can be a hair short
        (4.6 in × 200 dpi = 919.9999999999999 px), and Agg's region copy truncates it: the
        cached region then lacks the top row, which kept whatever the renderer held
        before (white, or transparent after a renderer was remade), so the same values
        could give two different composites."""
        return Bbox.from_bounds(0, 0, *self.fig.canvas.get_width_height(physical=True))

    def _draw_agg(self, artists):
        """The cached background with ``artists`` drawn over it, on the Agg canvas."""
        canvas = self.fig.canvas
        canvas.restore_region(self._layer_background if self.scene.layer else self._background)
        for artist in artists:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def render_interact_way(self, values=None):
        """PNG bytes of the same frame drawn the ``interact`` + inline way (for benchmarks).

        A new pyplot figure every time, the full figure drawn, saved with
        ``bbox_inches="tight"`` as the inline backend does, then closed.
        """
        import matplotlib.pyplot as plt

        values = self.values if values is None else {**self.values, **self._checked(values)}
        fig = plt.figure(figsize=self.figsize, dpi=self.fig.dpi)
        try:
            scene = self._build_scene(fig, values)
            for artist in scene.layer + scene.dynamic:
                artist.set_animated(False)
            with drawing.style():
                self.restyle(scene, values)
            try:
                result = self.compute(values)
            except InputError as error:
                scene.message.set_text(str(error))
            else:
                self.update(scene, result, values)
                scene.message.set_text(self.message(self.summary(result, values), values))
            out = io.BytesIO()
            fig.savefig(out, format="png", bbox_inches="tight", dpi=self.fig.dpi)
            return out.getvalue()
        finally:
            plt.close(fig)


def _same_stop(widget, kept, new):
    """Whether ``new`` is the slider position of ``kept`` rounded by a front end."""
    if isinstance(widget, GridSlider) or kept is None or new is None:
        return kept == new
    if isinstance(widget, widgets.FloatLogSlider):
        if kept <= 0 or new <= 0:
            return kept == new
        base = widget.base
        return abs(math.log(new, base) - math.log(kept, base)) < widget.step / 2
    step = getattr(widget, "step", None)
    if isinstance(widget, (widgets.FloatSlider, widgets.IntSlider)) and step:
        return abs(new - kept) < step / 2
    return kept == new


def _message_text(fig):
    """The figure's message (diverged, bad input): one line in the strip left free below
    the axes, so it hides no data, label or legend."""
    return fig.text(0.008, 0.012, "", ha="left", va="bottom", fontsize=drawing.TICK_SIZE,
                    fontweight="bold", color=drawing.MESSAGE_COLOUR, zorder=10)


# Slider labels, readouts, text boxes and the reset button in the page's widget type size
# (--jp-widgets-font-size: 13 px in JupyterLab, larger in classroom mode), never a fixed
# inline size that a classroom stylesheet cannot reach. Scoped to explorers; it needs no
# front-end extension (a <style> in an HTML widget).
_STYLE_CSS = ("<style>.momentum-explorer{--explorer-font-size:max(15px,"
              "var(--jp-widgets-font-size,13px));}"
              ".momentum-explorer .widget-label, .momentum-explorer .widget-readout,"
              ".momentum-explorer .widget-text input, .momentum-explorer button,"
              ".momentum-explorer .widget-label-basic"
              "{font-size:var(--explorer-font-size);}"
              ".momentum-explorer .explorer-status{font-size:calc(var(--explorer-font-size) + 1px);"
              "line-height:1.4;}"
              ".momentum-explorer .widget-readout{min-width:4.5em;}"
              # the controls' 340 px (control_style) grow with the type, so that larger
              # labels do not squeeze the slider tracks
              ".momentum-explorer .widget-slider, .momentum-explorer .widget-text"
              "{font-size:var(--explorer-font-size);width:22.7em!important;}</style>")


def _status_html(inner):
    # Its size comes from the explorer's stylesheet (_STYLE_CSS), so classroom mode scales it.
    return f'<span class="explorer-status-text">{inner}</span>'


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
