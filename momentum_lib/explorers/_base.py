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
  ``animated=True``; a move restores the cached pixels, updates those artists
  with ``set_data`` and draws only them (``draw_artist``): "blitting".

The pixels are then encoded to PNG (:func:`encode_png`: no per-row filter,
zlib level 1, ~3 ms; Pillow takes ~11 ms and ``canvas.print_png`` ~35 ms for
the same image) and put into an ``ipywidgets.Image``. Nothing beyond ipywidgets
core is needed, so an explorer works in JupyterLab, Notebook 7, VS Code and
Voila. ``benchmarks/run.py`` times both ways in one process.

Writing a new explorer
----------------------
Subclass :class:`Explorer`, fill in the class attributes and five hooks, then add
one line to ``_REGISTRY`` in ``momentum_lib/explorers/__init__.py``::

    class ParabolaExplorer(Explorer):
        name = "parabola"                     # registry key, CSS class explorer-parabola
        title = "Momentum on a parabola: watch the overshoot"
        defaults = {"beta": 0.9, "lr": 0.1, "steps": 40}
        lr_range = (1e-3, 3.0)                # FloatLogSlider between these
        figsize = (9.0, 4.5)                  # inches at 100 dpi = displayed pixels / 100

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
text written across the figure (default: "diverged at step k — lower lr or β"
when ``summary["diverged_at"] >= 0``). ``compute`` may raise :class:`InputError`
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
``ex.set(beta=0.5, lr=0.3)`` validates and redraws synchronously; ``ex.values``,
``ex.state`` (the summary dict plus the values) and ``ex.result`` (what
``compute`` returned) read back what it computed; ``ex.snapshot()`` is the
current frame as an ``IPython.display.Image`` (a PNG that GitHub, nbviewer and
HTML export keep).

DOM contract (browser tests rely on it): the explorer is an ``ipywidgets.VBox``
with CSS class ``momentum-explorer``; the β slider has class ``explorer-beta``,
the lr slider ``explorer-lr``, every other control ``explorer-<name>``, the reset
button ``explorer-reset``, the figure ``Image`` ``explorer-figure`` and the
status ``HTML`` ``explorer-status``.
"""

import base64
import io
import math
import numbers
import struct
import zlib

import numpy as np
import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import drawing


class InputError(ValueError):
    """Bad learner input (e.g. unparsable text): shown as a message, not a traceback."""


class Scene:
    """The artists of one figure: attributes set by ``build``, plus the dynamic list.

    ``scene.animated(artist)`` marks an artist as dynamic (redrawn on every move,
    in the order marked) and returns it.
    """

    def __init__(self, fig):
        self.fig = fig
        self.dynamic = []

    def animated(self, artist):
        artist.set_animated(True)
        self.dynamic.append(artist)
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


def encode_png(canvas):
    """The canvas's RGBA pixels as PNG bytes, written directly with ``zlib``.

    Each row gets PNG filter type 0 ("none") and the whole is deflated at level 1.
    Pillow's encoder spends most of its time choosing a filter per row and
    ``canvas.print_png`` goes through Pillow at level 6: for a 1000 × 460
    figure this takes ~3 ms against ~11 ms and ~35 ms, for a file ~10% larger.
    """
    width, height = canvas.get_width_height(physical=True)
    pixels = np.asarray(canvas.buffer_rgba()).reshape(height, 4 * width)
    rows = np.empty((height, 4 * width + 1), dtype=np.uint8)
    rows[:, 0] = 0                       # filter type "none" for every row
    rows[:, 1:] = pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)   # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + _png_chunk(b"IEND", b""))


def control_style():
    """Keyword arguments every control shares: the full label shown, one width."""
    return {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="340px")}


def float_slider(value, lo, hi, step, fmt, description):
    """A keyboard-operable slider on a linear scale."""
    return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=fmt,
                               description=description, continuous_update=True, **control_style())


def log_slider(value, lo, hi, description, fmt=".3g"):
    """A slider on a log scale between ``lo`` and ``hi`` (100 steps a decade)."""
    return widgets.FloatLogSlider(value=value, base=10, min=math.log10(lo), max=math.log10(hi),
                                  step=0.01, readout_format=fmt, description=description,
                                  continuous_update=True, **control_style())


def kappa_slider(value, largest=1000.0):
    """The condition number κ of a valley, from 1 to ``largest``."""
    return log_slider(value, 1.0, largest, "condition number κ")


def divergence_message(k_sgd, k):
    """The figure's message when gradient descent (step ``k_sgd``) and/or momentum (``k``)
    diverged; -1 means it did not. Empty when neither did."""
    if k >= 0 and k_sgd >= 0:
        return (f"both diverged: gradient descent at step {k_sgd},\n"
                f"momentum at step {k} — lower lr or β")
    if k >= 0:
        return f"momentum diverged at step {k} — lower lr or β"
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
    lr_log = True              # FloatLogSlider (else FloatSlider with lr_step)
    lr_step = 0.01
    figsize = (9.0, 4.5)       # inches; at dpi 100 this is the displayed size in px
    dpi = 100
    tight = True               # tight_layout once after build (False: build places axes)
    # Strings tried by tests for each Text control (good and bad input).
    text_examples = {}

    # ---- construction ---------------------------------------------------------
    def __init__(self, **values):
        self.controls = self._make_controls()
        unknown = set(self.defaults) - set(self.controls)
        if unknown:
            raise TypeError(f"{type(self).__name__}.defaults names no control: {sorted(unknown)}")
        self._initial = dict(self.defaults)
        self._initial.update(self._checked(values))
        self._holding = True
        for key, value in self._initial.items():
            self.controls[key].value = value
        self._holding = False

        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.image.add_class("explorer-figure")
        self.status_line = widgets.HTML()
        self.status_line.add_class("explorer-status")
        self.reset_button = widgets.Button(description="reset", tooltip="back to the starting values",
                                           icon="undo", layout=widgets.Layout(width="110px"))
        self.reset_button.add_class("explorer-reset")
        self.reset_button.on_click(lambda _button: self.reset())

        self.fig = Figure(figsize=self.figsize, dpi=self.dpi)
        FigureCanvasAgg(self.fig)
        self.scene = self._build_scene(self.fig, self.values)
        self._static_key = object()     # forces the first cache
        self._background = None
        self.result = None
        self.state = {}

        for widget in self.controls.values():
            widget.observe(self._on_change, names="value")
        self.widget = self._layout()
        self.refresh()

    def _make_controls(self):
        lo, hi = self.beta_range
        beta = float_slider(self.defaults["beta"], lo, hi, self.beta_step, ".2f", "momentum β")
        lr_lo, lr_hi = self.lr_range
        if self.lr_log:
            lr = log_slider(self.defaults["lr"], lr_lo, lr_hi, "learning rate η")
        else:
            lr = float_slider(self.defaults["lr"], lr_lo, lr_hi, self.lr_step, ".3g",
                              "learning rate η")
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
        figure = (widgets.HBox([self.image, *side], layout=widgets.Layout(flex_flow="row wrap"))
                  if side else self.image)
        css = widgets.HTML(_STYLE_CSS, layout=widgets.Layout(height="0px", margin="0px"))
        box = widgets.VBox([css, controls, figure, self.status_line])
        box.add_class("momentum-explorer")
        box.add_class(f"explorer-{self.name}")
        return box

    def _build_scene(self, fig, values):
        with drawing.style():
            scene = self.build(fig, values)
            scene.message = scene.animated(drawing.figure_message(fig))
            for ax in fig.axes:
                drawing.style_axes(ax)
            if self.tight:
                fig.tight_layout()      # once per figure (~0.1 s), never per move
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

    def message(self, summary, values):
        """Text across the figure, or ``""``."""
        k = summary.get("diverged_at", -1)
        return f"diverged at step {k} — lower lr or β" if k >= 0 else ""

    # ---- public API -----------------------------------------------------------
    @property
    def values(self):
        """The current control values, ``{name: value}``."""
        return {key: widget.value for key, widget in self.controls.items()}

    def set(self, **values):
        """Set controls from code (validated), redraw once, return ``self``.

        >>> ex.set(beta=0.5, lr=0.3).state["diverged_at"]   # doctest: +SKIP
        -1
        """
        checked = self._checked(values)
        self._holding = True
        try:
            for key, value in checked.items():
                self.controls[key].value = value
        finally:
            self._holding = False
        self.refresh()
        return self

    def reset(self):
        """Back to the starting values (returns nothing, so a cell ending in it stays quiet)."""
        self.set(**self._initial)

    def snapshot(self):
        """The current frame as an ``IPython.display.Image`` (kept by static renderers)."""
        from IPython.display import Image

        return Image(data=self.png(), format="png")

    def png(self):
        """The current frame as PNG bytes."""
        return bytes(self.image.value)

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
        return bundle

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

    def _on_change(self, change):
        if not self._holding:
            self.refresh()

    def refresh(self):
        """Recompute and redraw at the current values (called on every change)."""
        values = self.values
        scene = self.scene
        try:
            result = self.compute(values)
        except InputError as error:
            self.result, self.state = None, {"error": str(error), "diverged_at": -1, **values}
            scene.message.set_text(str(error))
            self._blit([scene.message], values)
            self.status_line.value = _status_html(f"<b>{_escape(str(error))}</b>")
            return
        summary = self.summary(result, values)
        self.result, self.state = result, {**summary, **values}
        self.update(scene, result, values)
        text = self.message(summary, values)
        scene.message.set_text(text)
        self._blit(scene.dynamic, values)
        status = self.status(summary, values)
        if text:
            status = f"{status} · <b>{_escape(text)}</b>" if status else f"<b>{_escape(text)}</b>"
        self.status_line.value = _status_html(status)

    def _blit(self, artists, values):
        canvas = self.fig.canvas
        key = self.static_key(values)
        if key != self._static_key or self._background is None:
            with drawing.style():
                self.restyle(self.scene, values)
            canvas.draw()          # animated artists are skipped by a full draw
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._static_key = key
        canvas.restore_region(self._background)
        for artist in artists:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        self.image.value = encode_png(canvas)

    def render_interact_way(self, values=None):
        """PNG bytes of the same frame drawn the ``interact`` + inline way (for benchmarks).

        A new pyplot figure every time, the full figure drawn, saved with
        ``bbox_inches="tight"`` as the inline backend does, then closed.
        """
        import matplotlib.pyplot as plt

        values = self.values if values is None else {**self.values, **self._checked(values)}
        fig = plt.figure(figsize=self.figsize, dpi=self.dpi)
        try:
            scene = self._build_scene(fig, values)
            for artist in scene.dynamic:
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
            fig.savefig(out, format="png", bbox_inches="tight")
            return out.getvalue()
        finally:
            plt.close(fig)


# Slider labels and readouts default to 13 px; a little larger for a projector. The
# rule is scoped to explorers and needs no front-end extension (a <style> in an HTML widget).
_STYLE_CSS = ("<style>.momentum-explorer .widget-label, .momentum-explorer .widget-readout,"
              ".momentum-explorer .widget-text input, .momentum-explorer button"
              "{font-size: 15px;}</style>")


def _status_html(inner):
    # Readable from the back of a room; widget text defaults to 13 px.
    return f'<span style="font-size:16px;line-height:1.4">{inner}</span>'


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
