"""The explorer base class: controls, hooks, and one figure redrawn on every move.

How to write an explorer, and how it works: ``README.md`` beside this file. The parts live
apart: the controls in :mod:`._sliders`, the artists in :mod:`._scene`, the frames and their
caches in :mod:`._frames`, the page in :mod:`._page`, coalesced front-end moves in
:mod:`._moves`. This module holds what ties them together, in the order a move runs:
values → :meth:`Explorer.move` (the hooks ``compute``, ``summary``, ``message``,
``static_key``, ``layer_key``; nothing drawn) → ``restyle`` (for a new static key) and
``update`` → the frame (:class:`._frames.Frames`) → the status line and the figure's text
alternative (``describe``) → once the move has settled, the same words for screen readers
(:mod:`._access`).
"""

import base64
import textwrap
import time
from typing import NamedTuple, Optional

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import drawing
from . import _moves, _page
from ._frames import Frames
from ._scene import InputError, strip_message
from ._sliders import check_control, checked_value, float_slider, log_slider, show_value


# The figure's note when bad input leaves nothing to draw (the status line says what is wrong).
NOTHING_DRAWN = "nothing to draw for this input: see the line below"


class Move(NamedTuple):
    """What one set of values gives before anything is drawn (see :meth:`Explorer.move`)."""

    values: dict
    result: object          # what ``compute`` returned; None for bad input
    summary: dict           # ``summary``'s dict, or {"error": …, "diverged_at": -1}
    message: str            # the status line's message (divergence, bad input); "" for none
    static_key: object      # None for bad input: the frame keeps the background it has
    layer_key: object
    error: Optional[str]    # the InputError's text, or None


class Explorer:
    """Base class: controls, reset, a status line and one figure drawn in cached layers.

    Subclasses set the class attributes below and implement the hooks ``compute``,
    ``summary``, ``build``, ``update`` and ``status`` (see ``README.md`` beside this file).

    Parameters
    ----------
    **values
        Starting values for any control (e.g. ``beta=0.5``); the rest take ``defaults``.
        "reset" returns to these starting values.
    """

    name = "explorer"
    title = ""
    drawn = ""                 # what the figure plots, one sentence (its text alternative's start)
    defaults = {"beta": 0.9, "lr": 0.1}
    beta_range = (0.0, 0.99)
    beta_step = 0.01
    lr_range = (1e-3, 1.0)
    lr_label = "learning rate η"   # name the form of η, e.g. "η (EMA form)"
    lr_log = True              # log-scale stops (else linear stops every lr_step)
    lr_step = 0.01
    figsize = (9.0, 4.5)       # inches; at dpi 100 this is the displayed size in CSS px
    dpi = 100
    pixel_ratio = 2            # rendered at dpi × pixel_ratio, shown at figsize × dpi CSS px
    tight = True               # tight_layout once after build (False: build places axes)
    message_strip = 0.34       # inches kept free below the axes for the figure's message
    message_width = None       # characters per line of the figure's message (None: one line)
    text_examples = {}         # strings tests try in each Text control (good and bad input)
    frames_class = Frames      # how frames reach the browser (benchmarks swap in others)
    _holding = False           # True while code puts the widgets on values: no redraw each

    def __init__(self, **values):
        self.controls = self._make_controls()
        unknown = set(self.defaults) - set(self.controls)
        if unknown:
            raise TypeError(f"{type(self).__name__}.defaults names no control: {sorted(unknown)}")
        self._initial = {**self.defaults, **self._checked(values)}
        # What the kernel keeps: set from code exactly, or by a learner's move. The widgets
        # are only the channel to the front end (see _on_change).
        self._values = {key: widget.value for key, widget in self.controls.items()}
        self._key_of = {id(widget): key for key, widget in self.controls.items()}
        self._coalescer = _moves.Coalescer(self._draw_latest, self._report, f"explorer-{self.name}",
                                           on_settled=self._announce)
        self._show_values(self._initial)

        self.fig = Figure(figsize=self.figsize, dpi=self.dpi * self.pixel_ratio)
        FigureCanvasAgg(self.fig)
        first = self.move(self.values)
        self.scene = self.new_scene(self.fig, first)
        self.frames = self.frames_class(self.fig, self.scene, self.display_width)
        self.figure, self.image = self.frames.figure, self.frames.image
        self.background, self.overlay = self.frames.background, self.frames.overlay
        self.alt_line = _page.alt_text()
        self.status_line = _page.status_line()
        self.live_line = _page.live_region()
        self.reset_button = _page.reset_button(self.reset)
        self.result, self.state, self.alt = None, {}, ""
        for widget in self.controls.values():
            widget.observe(self._on_change, names="value")
        self.widget = _page.explorer_box(self.name, self.controls.values(), self.reset_button,
                                         self.figure, self.side_widgets(self.scene),
                                         self.alt_line, self.status_line, self.live_line)
        with self._coalescer.lock:
            self._draw(first)
            self._announce()

    def _make_controls(self):
        lo, hi = self.beta_range
        beta = float_slider(self.defaults.get("beta", lo), lo, hi, self.beta_step, ".2f", "momentum β")
        lr_lo, lr_hi = self.lr_range
        if self.lr_log:
            lr = log_slider(self.defaults.get("lr", lr_lo), lr_lo, lr_hi, self.lr_label)
        else:
            lr = float_slider(self.defaults.get("lr", lr_lo), lr_lo, lr_hi, self.lr_step, ".3g",
                              self.lr_label)
        controls = {"beta": beta, "lr": lr, **self.extra_controls()}
        for key, widget in controls.items():
            check_control(type(self).__name__, key, widget)
            widget.add_class(f"explorer-{key}")
            if not isinstance(widget, widgets.Text):
                widget.continuous_update = True
        return controls

    # ---- hooks (override) -----------------------------------------------------
    def extra_controls(self):
        """Controls beyond β and η: ``{name: widget}`` (GridSlider, IntSlider, Dropdown, Text)."""
        return {}

    def side_widgets(self, scene):
        """Widgets shown to the right of the figure: made by ``build`` in ``scene``, filled in
        by ``update``."""
        return []

    def compute(self, values):
        """The numbers a frame shows (no drawing); may raise :class:`InputError`."""
        raise NotImplementedError

    def summary(self, result, values):
        """A small dict of what ``result`` says; it must contain ``"diverged_at"``."""
        raise NotImplementedError

    def build(self, fig, values):
        """Once: the axes, the static artists and the marked ones; returns a ``Scene``."""
        raise NotImplementedError

    def update(self, scene, result, values):
        """Every move: put ``result`` into the dynamic (and layered) artists."""
        raise NotImplementedError

    def status(self, summary, values):
        """The status line under the figure (HTML)."""
        return ""

    def static_key(self, result, values):
        """Hashable: all the static artists depend on; a new key redraws the background."""
        return None

    def restyle(self, scene, key):
        """Update the static artists (limits, ticks) for the static ``key``."""

    def layer_key(self, result, values):
        """Hashable: all the ``scene.layered`` artists depend on; a new key redraws them."""
        return None

    def message(self, summary, values):
        """What went wrong (e.g. a divergence), in bold in the status line; or ``""``."""
        k = summary.get("diverged_at", -1)
        return f"diverged at step {k} — lower η" if k >= 0 else ""

    def describe(self, summary, values, status):
        """The figure's text alternative: ``drawn``, then what it shows now, from the same
        numbers as the status line (``status``: that line as plain text)."""
        return f"{self.drawn or self.title}. Now: {status}"

    def message_artist(self, scene):
        """The Text for the figure's note on bad input (default: a strip kept free below the
        axes)."""
        return strip_message(scene.fig)

    # ---- one move, from values to artists ---------------------------------------
    def move(self, values):
        """What ``values`` give, computed by the hooks and nothing drawn: a :class:`Move`."""
        try:
            result = self.compute(values)
        except InputError as error:
            text = str(error)
            return Move(values, None, {"error": text, "diverged_at": -1}, text, None, None, text)
        summary = self.summary(result, values)
        return Move(values, result, summary, self.message(summary, values),
                    self.static_key(result, values), self.layer_key(result, values), None)

    def new_scene(self, fig, move):
        """This explorer's scene on ``fig``: ``build``, the message, the series' axes style,
        ``restyle`` for ``move``'s static key, then the layout (fixed here, once). Its
        dynamic and layered artists are animated, so a full draw leaves them out."""
        with drawing.style():
            scene = self.build(fig, move.values)
            if move.error is None:
                self.restyle(scene, move.static_key)
            scene.message = scene.animated(self.message_artist(scene))
            for ax in fig.axes:
                drawing.style_axes(ax)
            if self.tight:
                # once per figure (~0.1 s), never per move; a strip along the bottom is
                # left free for the message, so it never covers data, labels or legends
                strip = min(0.15, self.message_strip / self.figsize[1])
                fig.tight_layout(rect=(0, strip, 1, 1))
        return scene

    def pose(self, scene, move):
        """Put ``move`` into ``scene``'s dynamic and layered artists (``update``, message)."""
        if move.error is None:
            self.update(scene, move.result, move.values)
        # The message is said once, in the status line; the figure only notes bad input,
        # which leaves it empty (a diverging run is still drawn, cut where it left the view).
        text = "" if move.error is None else NOTHING_DRAWN
        scene.message.set_text(textwrap.fill(text, self.message_width) if self.message_width else text)

    def _draw(self, move):
        """Show ``move``: restyle for a new static key, pose, send the frame, the status."""
        self.result, self.state = move.result, {**move.summary, **move.values}
        scene = self.scene
        if move.error is None and move.static_key != self.frames.static_key:
            with drawing.style():       # limits first: update cuts paths at them
                self.restyle(scene, move.static_key)
        self.pose(scene, move)
        if move.error is None:
            self.frames.show(scene.dynamic, move.static_key, move.layer_key)
            status = self.status(move.summary, move.values)
        else:
            self.frames.show_over([*scene.always, scene.message])
            status = ""
        if move.message:
            bold = f"<b>{_page.escape(move.message)}</b>"
            status = f"{status} · {bold}" if status else bold
        self.status_line.value = _page.status_html(status)
        plain = _page.plain_text(status)
        if move.error is None:
            self.alt = self.describe(move.summary, move.values, plain)
        else:
            self.alt = f"{self.drawn or self.title}. Nothing drawn: {plain}"
        self.alt_line.value = _page.escape(self.alt)

    def _announce(self):
        """Say what the figure now shows to screen readers (the live region), once a move
        has settled; nothing is sent if it says what it said."""
        self.live_line.value = self.status_line.value

    def _draw_latest(self):
        """The worker's frame: the latest values, unless a newer move overtook them."""
        move = self.move(self.values)
        if self._coalescer.overtaken(self.frames.last_at):
            # a frame went out a moment ago and a newer move waits: skip this outdated one
            self.result, self.state = move.result, {**move.summary, **move.values}
            return
        self._draw(move)

    # ---- public API -----------------------------------------------------------
    @property
    def values(self):
        """The current values, ``{name: value}``: exactly what code set (or the stop a
        learner moved a slider to), whatever a front end displays or sends back."""
        return dict(self._values)

    def wait_settled(self, timeout=10.0):
        """Block until the last move has been drawn and announced (see :mod:`._moves`)."""
        deadline = time.monotonic() + timeout
        drawn = self._coalescer.wait(timeout)
        while self._coalescer.settling and time.monotonic() < deadline:
            time.sleep(0.005)
        return drawn and not self._coalescer.settling

    @property
    def frames_drawn(self):
        """How many frames this explorer has sent."""
        return self.frames.drawn

    def set(self, **values):
        """Set controls from code (validated), redraw once, return ``self``.

        The values are kept exactly: a slider shows a value that is not one of its stops
        as an extra stop, and nothing a front end sends back can change it.

        >>> ex.set(beta=0.5, lr=0.3).state["diverged_at"]   # doctest: +SKIP
        -1
        """
        checked = self._checked(values)
        with self._coalescer.lock:
            self._coalescer.cancel()            # a learner's move still queued is overtaken
            self._show_values(checked)
            self.refresh()
        return self

    def reset(self):
        """Back to the starting values (returns nothing, so a cell ending in it stays quiet)."""
        self.set(**self._initial)

    def refresh(self):
        """Recompute and redraw at the current values, now."""
        with self._coalescer.lock:
            self._draw(self.move(self.values))
            self._announce()        # drawn synchronously: settled now

    def wait_drawn(self, timeout=10.0):
        """Block until no coalesced redraw is pending (for tests and benchmarks)."""
        return self._coalescer.wait(timeout)

    def snapshot(self):
        """The current frame as a :class:`~momentum_lib.drawing.Picture` with its text
        alternative (kept by static renderers; its ``<img>`` has class ``momentum-snapshot``)."""
        return drawing.Picture(self.png(), self.alt, width=self.display_width,
                               css_class="momentum-figure momentum-snapshot")

    @property
    def display_width(self):
        """The figure's width on screen in CSS px (its PNG has ``pixel_ratio`` × as many)."""
        return round(self.figsize[0] * self.dpi)

    def png(self):
        """The current frame as PNG bytes, drawn by Agg when asked."""
        with self._coalescer.lock:
            return self.frames.png()

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
        return bundle, {"image/png": {"width": self.display_width, "alt": self.alt}}

    # ---- values in and out ----------------------------------------------------
    def _checked(self, values):
        out = {}
        for key, value in values.items():
            if key not in self.controls:
                allowed = ", ".join(self.controls)
                raise TypeError(f"{type(self).__name__} has no control {key!r}; it has {allowed}")
            out[key] = checked_value(key, self.controls[key], value)
        return out

    def _show_values(self, values):
        """Keep ``values`` exactly and put every widget on them (no redraw); a slider keeps
        its starting value as a stop."""
        self._holding = True
        try:
            for key, value in values.items():
                self._values[key] = value
                keep = [self._initial[key]] if key in self._initial else []
                show_value(self.controls[key], value, keep=keep)
        finally:
            self._holding = False

    def _on_change(self, change):
        widget = change.owner
        key = self._key_of.get(id(widget))
        if self._holding or key is None or getattr(widget, "_reshaping", False):
            return
        self._values[key] = change.new
        if _moves.from_front_end(widget) and _moves.THREADS:
            self._coalescer.request()   # from the front end: coalesce, draw the latest only
        else:                       # (a browser kernel such as Pyodide has no threads)
            self.refresh()          # from Python (``widget.value = x``): synchronous

    def _report(self, error):
        try:
            self.status_line.value = _page.status_html(
                f"<b>{_page.escape(type(error).__name__)}: {_page.escape(str(error))}</b>")
            self._announce()
        except Exception:   # pragma: no cover - nothing more can be shown
            pass
