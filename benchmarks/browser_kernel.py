"""The kernel side of ``benchmarks/browser.py``: the figures it moves, built in the page's kernel.

``explorer(name, frames)`` is an explorer as a notebook shows it (``frames="png"``: the whole
PNG frame per move, today's encoding; ``frames="layers"``: a static PNG background plus an SVG
of the dynamic artists per move). ``MplWay(name, way)`` is the *same figure* drawn with
ipympl (``%matplotlib widget``), re-using the explorer's own hooks (``_build_scene``,
``compute``, ``update``, ``message``) on a pyplot figure, and moved by ipywidgets sliders with
the explorer's stops, either the way most users write it (``way="draw_idle"``: update the
artists, ``fig.canvas.draw_idle()``) or with hand-written blitting (``way="blit"``:
``restore_region``, ``draw_artist`` of the dynamic artists, ``canvas.blit``).
``NetworkCheck`` sends a chosen number of bytes on a click, to check that the emulated link
throttles the kernel's websocket.

Nothing here is timed; the browser measures everything.
"""

import ipywidgets as widgets

from momentum_lib import drawing
from momentum_lib.explorers import EXPLORERS


def explorer(name, frames):
    """An explorer of ``name`` drawing its frames as ``frames``; its box carries the CSS
    class ``bench-way-<frames>``. A library without the ``frames`` switch gives today's
    explorer (``ex.bench_frames`` then reads "png")."""
    cls = EXPLORERS[name]
    try:
        ex = cls(frames=frames)
        ex.bench_frames = frames
    except TypeError:          # before issue 14: no ``frames`` keyword, the whole PNG per move
        ex = cls()
        ex.bench_frames = "png"
    ex.widget.add_class(f"bench-way-{frames}")
    return ex


def _plain_explorer(name):
    try:
        return EXPLORERS[name](frames="png")
    except TypeError:
        return EXPLORERS[name]()


class MplWay:
    """The explorer ``name``'s figure in an ipympl canvas, moved by two sliders."""

    instances = []

    @classmethod
    def redraw_all(cls):
        """Draw every figure now (sends its image): for a figure whose first image never
        came (see ``benchmarks/browser.py``). Returns what happened, per figure."""
        out = []
        for w in cls.instances:
            try:
                w.fig.canvas.draw()
                out.append(f"{w.way}: drawn")
            except Exception as error:  # reported by the benchmark
                out.append(f"{w.way}: {type(error).__name__}: {error}")
        return out

    def __init__(self, name, way):
        import matplotlib.pyplot as plt

        if way not in ("draw_idle", "blit"):
            raise ValueError(f"way must be 'draw_idle' or 'blit'; got {way!r}")
        self.way = way
        self.ex = ex = _plain_explorer(name)     # its hooks and its sliders' stops only
        self.values = ex.values
        self.bg = None
        with plt.ioff():
            # At the explorer's dpi: ipympl multiplies it by the page's devicePixelRatio.
            self.fig = fig = plt.figure(figsize=ex.figsize, dpi=ex.dpi)
        canvas = fig.canvas
        canvas.header_visible = False
        canvas.toolbar_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        self.scene = scene = ex._build_scene(fig, self.values)
        with drawing.style():
            ex.restyle(scene, self.values)
        if way == "draw_idle":
            for artist in scene.layer + scene.dynamic:
                artist.set_animated(False)
        else:
            canvas.mpl_connect("draw_event", self._on_draw)
        self._update_artists()

        sliders = []
        for key in ("beta", "lr"):
            source = ex.controls[key]
            slider = widgets.SelectionSlider(options=source.options, value=self.values[key],
                                             description=source.description,
                                             continuous_update=True,
                                             style={"description_width": "initial"},
                                             layout=widgets.Layout(width="340px"))
            slider.add_class(f"explorer-{key}")
            slider.observe(lambda change, key=key: self._moved(key, change.new), names="value")
            sliders.append(slider)
        self.sliders = sliders
        self.widget = widgets.VBox([widgets.HBox(sliders), canvas])
        self.widget.add_class("mpl-bench")
        self.widget.add_class(f"bench-way-ipympl-{way}")
        self.moves = 0
        MplWay.instances.append(self)

    def _update_artists(self):
        ex, values, scene = self.ex, self.values, self.scene
        result = ex.compute(values)
        ex.update(scene, result, values)
        scene.message.set_text(ex.message(ex.summary(result, values), values))

    def _on_draw(self, _event):
        # After every full draw (which skips animated artists): the layer artists go into
        # the cached background, then the dynamic ones are drawn over it for this frame.
        fig = self.fig
        for artist in self.scene.layer:
            if artist.get_visible():
                fig.draw_artist(artist)
        self.bg = fig.canvas.copy_from_bbox(fig.bbox)
        for artist in self.scene.dynamic:
            if artist.get_visible():
                fig.draw_artist(artist)

    def _moved(self, key, value):
        self.values[key] = value
        self._update_artists()
        self.moves += 1
        canvas = self.fig.canvas
        if self.way == "draw_idle" or self.bg is None:
            canvas.draw_idle()
            return
        canvas.restore_region(self.bg)
        for artist in self.scene.dynamic:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        canvas.blit(self.fig.bbox)


class NetworkCheck:
    """Two buttons that make the kernel send a small and a large HTML value (``small`` and
    ``large`` bytes): the page times click → text shown, with and without the emulated link."""

    def __init__(self, small=100, large=625_000):
        self.out = widgets.HTML()
        self.out.add_class("bench-net-out")
        self.count = 0
        buttons = []
        for label, n in (("small", small), ("large", large)):
            b = widgets.Button(description=f"send {n} bytes")
            b.add_class(f"bench-net-{label}")
            b.on_click(lambda _b, n=n: self._send(n))
            buttons.append(b)
        self.widget = widgets.HBox([*buttons, self.out])

    def _send(self, n):
        self.count += 1
        tag = f"<b class='bench-net-k'>{self.count}</b>"
        self.out.value = tag + "<span hidden>" + "x" * max(0, n - len(tag) - 20) + "</span>"
