"""The baselines the benchmarks time the explorers against: other ways of drawing the same frame.

* :func:`whole_frames`: an explorer class that sends the whole frame as one RGBA PNG on
  every move (:class:`WholeFrames`), the way before the layers; its frames are the
  explorer's own Agg frames.
* :func:`interact_way`: the frame drawn the way ``ipywidgets.interact`` and the inline
  backend draw it: a new pyplot figure every time, the full figure drawn, saved with
  ``bbox_inches="tight"``, closed.

Both re-use the explorer's own hooks, so they draw the same picture; ``python
benchmarks/run.py --check`` (and every run of it) checks that they do, pixel by pixel,
before anything is timed.
"""

import io

import numpy as np

from momentum_lib.explorers import Frames

DIFFERENT = 32          # a pixel differs if a channel differs by more than this (of 255)


class WholeFrames(Frames):
    """Every move's frame as one PNG: the background, layer and dynamic artists drawn by Agg."""

    def images(self):
        from momentum_lib.explorers._page import picture

        return picture("png", "explorer-background", shown=False), None, \
            picture("png", "explorer-moves")

    def send(self, artists, changed):
        self.composite(artists)
        self.image.value = self.encode(alpha=True)

    def png(self):
        return bytes(self.image.value)


def whole_frames(cls):
    """``cls`` sending whole PNG frames (CSS classes and everything else unchanged)."""
    return type(f"{cls.__name__}WholeFrames", (cls,), {"frames_class": WholeFrames})


def plain_scene(ex, fig, move):
    """``ex``'s scene on ``fig`` at ``move``, every artist plain (drawn by a full draw), the
    layered ones and then the dynamic ones above the static ones, as an explorer stacks them."""
    scene = ex.new_scene(fig, move)
    for k, artist in enumerate(scene.layer + scene.dynamic):
        artist.set_animated(False)
        artist.set_zorder(1000 + k)
    ex.pose(scene, move)
    return scene


def interact_way(ex, values=None, tight=True):
    """PNG bytes of ``ex``'s frame at ``values`` (default: its own) drawn the ``interact`` way
    (``tight=False``: the whole figure, not cut to a tight bounding box)."""
    import matplotlib.pyplot as plt

    values = ex.values if values is None else {**ex.values, **values}
    fig = plt.figure(figsize=ex.figsize, dpi=ex.fig.dpi)
    try:
        plain_scene(ex, fig, ex.move(values))
        out = io.BytesIO()
        fig.savefig(out, format="png", bbox_inches="tight" if tight else None, dpi=ex.fig.dpi)
        return out.getvalue()
    finally:
        plt.close(fig)


def pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def differing_share(a, b):
    """Share of pixels of two same-size images that differ by more than DIFFERENT."""
    if a.shape != b.shape:
        return 1.0
    return float(np.mean((np.abs(a - b) > DIFFERENT).any(axis=2)))


def check_ways(cls, settings, most=0.0):
    """Problems (strings) where a baseline draws something else than ``cls`` at
    ``settings(ex)`` (a list of value dicts): whole frames must equal the explorer's frames
    byte for byte; the ``interact`` way's whole figure (before the tight crop, which only
    cuts margins) may differ on at most ``most`` of the pixels by more than DIFFERENT."""
    problems = []
    ex, whole = cls(), whole_frames(cls)()
    for values in settings(ex):
        ex.set(**values)
        whole.set(**values)
        if whole.png() != ex.png():
            problems.append(f"{cls.name} {values}: whole frames differ from the explorer's")
        share = differing_share(pixels(interact_way(ex, tight=False)), pixels(ex.png()))
        if share > most:
            problems.append(f"{cls.name} {values}: the interact way differs on {share:.1%} "
                            f"of the pixels")
    return problems
