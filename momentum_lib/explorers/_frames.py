"""How an explorer's figure reaches the browser: stacked images, each cached by its own key.

An explorer keeps **one** Agg figure for its whole life (``matplotlib.figure.Figure`` +
``FigureCanvasAgg``, never pyplot, so the inline backend never shows a stray copy). Ticks
and text are three quarters of an Agg draw, so the figure is split by how often each part
changes, and each part is drawn and sent only when its key changes. In the order they stack
(bottom to top) and are keyed:

1. the **background**: every static artist, drawn by Agg once per *static key* (a full
   ``canvas.draw()``, which skips animated artists), cached as pixels
   (``canvas.copy_from_bbox``) and sent as an RGB PNG;
2. the **layer**: the ``Scene.layered`` artists, drawn over (1) once per *layer key*, cached
   and sent with it;
3. the **overlay**: the artists marked ``cached_by`` (trace's Δw axis, whose limits follow η
   on a 1-2-5 ladder), an SVG drawn once per value of their keys (the last
   :data:`OVERLAYS_KEPT` kept, so η going back and forth across a step costs no redraw)
   and sent when that value changes;
4. the **moves**: every other dynamic artist, an SVG written by matplotlib's SVG renderer in
   a compact form (:mod:`._vector`) and sent on every move: a β/η move costs the geometry of
   a few lines, 2–10 KB, instead of every pixel of the frame (55–260 KB at 2×), and it is
   sharp at any screen density.

A new static key redraws (1) and hence (2); the keys are compared, never the pixels. The
kernel also keeps the Agg frame: :meth:`Frames.png` is the background and layer with every
artist of the frame drawn over them by Agg, made when asked (``Explorer.snapshot`` and the
PNG that static renderers keep), not on every move.

The figure is rendered at the explorer's ``pixel_ratio`` (2) times its size and shown at
``figsize × dpi`` CSS pixels, so a projector or a high-density screen shows it sharp and no
browser ever stretches it.
"""

import time

from matplotlib.transforms import Bbox

from . import _page
from ._png import encode_png, row_buffer
from ._vector import MIME_FORMAT as SVG_FORMAT, svg_layer

OVERLAYS_KEPT = 32     # SVGs of cached_by artists kept per explorer (a few KB each)
_NONE = object()       # no key yet: the first frame draws everything


class Frames:
    """The frames of one explorer's figure, its image widgets and the caches behind them.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The explorer's figure, on an Agg canvas.
    scene : Scene
        Its artists, marked by ``build``.
    width : int
        The figure's width on screen, in CSS px.

    Attributes
    ----------
    figure : ipywidgets.GridBox
        The images stacked in one grid cell: ``background``, ``overlay`` (None unless the
        scene has ``cached_by`` artists) and ``image`` (the moves, on top).
    drawn : int
        Frames sent so far.
    last_at : float
        ``time.monotonic()`` when the last frame was sent.
    """

    def __init__(self, fig, scene, width):
        self.fig, self.scene = fig, scene
        self.background, self.overlay, self.image = self.images()
        self.figure = _page.figure_box([i for i in (self.background, self.overlay, self.image)
                                        if i is not None], width)
        self.drawn, self.last_at = 0, 0.0
        self._static_key, self._background = _NONE, None
        self._layer_key, self._layer = _NONE, None
        self._overlay_key, self._overlays = _NONE, {}
        self._artists, self._png = [], None
        self._rows = {}           # scratch space of the PNG encoder, per alpha

    def images(self):
        """The image widgets ``(background, overlay, moves)``: a PNG, an SVG or None, an SVG."""
        overlay = _page.picture(SVG_FORMAT, "explorer-overlay") if self.scene.cached else None
        return (_page.picture("png", "explorer-background"), overlay,
                _page.picture(SVG_FORMAT, "explorer-moves"))

    @property
    def static_key(self):
        """The static key of the cached background (a new key means restyled artists)."""
        return self._static_key

    # ---- a frame ----------------------------------------------------------------
    def show(self, artists, static_key, layer_key):
        """Send a frame of ``artists`` over the background and layer of these keys, redrawing
        either only if its key changed (a new background also means a new layer)."""
        changed = False
        if static_key != self._static_key or self._background is None:
            self._background = self._copy(self.fig.canvas.draw)
            self._static_key, self._layer = static_key, None
            changed = True
        if self.scene.layer and (self._layer is None or layer_key != self._layer_key):
            self._layer = self._copy(lambda: self._draw_over(self._background, self.scene.layer))
            self._layer_key = layer_key
            changed = True
        self._send(artists, changed)

    def show_over(self, artists):
        """Send a frame of ``artists`` over the background and layer as they are (for bad
        input, which has no keys; the first frame draws them)."""
        if self._background is None:
            self.show(artists, _NONE, _NONE)
        else:
            self._send(artists, False)

    def _send(self, artists, changed):
        self._artists, self._png = list(artists), None
        self.send(self._artists, changed)
        self.drawn += 1
        self.last_at = time.monotonic()

    def send(self, artists, changed):
        """Put the frame into the image widgets: the background (and layer) if ``changed``
        (the canvas then holds them), the overlay if its key changed, the moves SVG."""
        if changed:
            self.background.value = self.encode(alpha=False)
        if self.overlay is not None:
            artists = self._send_overlay(artists)
        self.image.value = svg_layer(self.fig, artists)

    def _send_overlay(self, artists):
        """Send the ``cached_by`` artists' own SVG if their key changed; returns the rest."""
        cached = [artist for artist, _key in self.scene.cached]
        key = tuple(key() for _artist, key in self.scene.cached)
        if key != self._overlay_key:
            svg = self._overlays.get(key)
            if svg is None:
                if len(self._overlays) >= OVERLAYS_KEPT:
                    self._overlays.clear()
                svg = self._overlays[key] = svg_layer(self.fig, cached)
            self.overlay.value = svg
            self._overlay_key = key
        return [a for a in artists if not any(a is c for c in cached)]

    # ---- Agg pixels -------------------------------------------------------------
    def png(self):
        """The current frame as PNG bytes, drawn by Agg (made once per frame, when asked)."""
        if self._png is None:
            self.composite(self._artists)
            self._png = self.encode(alpha=True)
        return self._png

    def composite(self, artists):
        """Draw the cached background and layer with ``artists`` over them on the canvas."""
        self._draw_over(self._layer if self.scene.layer else self._background, artists)

    def encode(self, alpha):
        """The canvas as PNG bytes (RGBA, or RGB with ``alpha=False``)."""
        canvas = self.fig.canvas
        rows = self._rows.get(alpha)
        if rows is None:
            rows = self._rows[alpha] = row_buffer(canvas, alpha)
        return encode_png(canvas, alpha=alpha, rows=rows)

    def _draw_over(self, region, artists):
        self.fig.canvas.restore_region(region)
        for artist in artists:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def _copy(self, draw):
        """``draw()``, then the canvas's pixels as a region to restore."""
        draw()
        return self.fig.canvas.copy_from_bbox(self._canvas_bbox())

    def _canvas_bbox(self):
        """Every pixel of the canvas, in whole pixels. ``fig.bbox`` can be a hair short
        (4.6 in × 200 dpi = 919.9999999999999 px), and Agg's region copy truncates it: the
        cached region then lacked the top row, which kept whatever the renderer held before,
        so the same values could give two different composites."""
        return Bbox.from_bounds(0, 0, *self.fig.canvas.get_width_height(physical=True))
