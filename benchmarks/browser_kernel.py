"""The kernel side of ``benchmarks/browser.py``: the figures it moves, built in the page's kernel.

``explorer(name, frames)`` is an explorer as a notebook shows it (``frames="layers"``: the
explorers' own way, a static PNG background plus an SVG of the dynamic artists per move;
``frames="png"``: the whole PNG frame per move, ``ways.whole_frames``). ``MplWay(name, way)``
is the *same figure* drawn with ipympl (``%matplotlib widget``), re-using the explorer's own
hooks (``Explorer.new_scene``, ``move`` and ``pose``) on a pyplot figure, and moved by
ipywidgets sliders with the explorer's stops, either the way most users write it
(``way="draw_idle"``: update the artists, ``fig.canvas.draw_idle()``) or with hand-written
blitting (``way="blit"``: ``restore_region``, ``draw_artist`` of the dynamic artists,
``canvas.blit``).
``NetworkCheck`` sends a chosen number of bytes on a click, to check that the emulated link
throttles the kernel's websocket.

Nothing here is timed; the browser measures everything.
"""

import ipywidgets as widgets

from momentum_lib.explorers import EXPLORERS
from ways import plain_scene, whole_frames      # this folder (the notebook puts it on sys.path)

FRAMES = ("layers", "png")


def explorer(name, frames, **values):
    """An explorer of ``name`` at ``values`` sending its frames as ``frames`` (see FRAMES);
    its box carries the CSS class ``bench-way-<frames>``."""
    if frames not in FRAMES:
        raise ValueError(f"frames must be one of {FRAMES}; got {frames!r}")
    cls = EXPLORERS[name]
    ex = (cls if frames == "layers" else whole_frames(cls))(**values)
    ex.widget.add_class(f"bench-way-{frames}")
    return ex


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
        self.ex = ex = EXPLORERS[name]()        # its hooks and its sliders' stops only
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
        move = ex.move(self.values)
        if way == "draw_idle":
            self.scene = plain_scene(ex, fig, move)
        else:
            self.scene = ex.new_scene(fig, move)
            ex.pose(self.scene, move)
            canvas.mpl_connect("draw_event", self._on_draw)

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
        self.ex.pose(self.scene, self.ex.move(self.values))

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
