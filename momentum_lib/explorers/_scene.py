"""The artists of an explorer's figure, sorted by how often they change, and the figure's message.

``build`` makes a :class:`Scene` and marks its artists: the unmarked ones are *static* (drawn
once per static key into the background), ``scene.layered(artist)`` ones change with the
layer key only, ``scene.animated(artist)`` ones are *dynamic* (drawn on every move). How each
kind reaches the browser is :mod:`._frames`' business.
"""

import numpy as np

from .. import drawing


class InputError(ValueError):
    """Bad learner input (e.g. unparsable text): shown as a message, not a traceback."""


class Scene:
    """The artists of one figure: attributes set by ``build``, plus the lists of marked ones.

    ``dynamic`` holds every animated artist in the order marked (the order they are drawn),
    ``always`` those drawn also when the input is bad, ``cached`` the ``(artist, key)`` pairs
    of the artists marked ``cached_by`` and ``layer`` the layered ones. An axis can be
    dynamic too (e.g. ``scene.animated(ax.yaxis, cached_by=ax.get_ylim)``): its ticks and
    labels then move with the data instead of the whole background being redrawn and sent.
    """

    def __init__(self, fig):
        self.fig = fig
        self.dynamic = []
        self.layer = []
        self.always = []
        self.cached = []

    def animated(self, artist, always=False, cached_by=None):
        """Mark a dynamic artist (drawn on every move, never into the background); returns it.

        Parameters
        ----------
        always : bool
            Drawn in every frame, also when the input is bad and the other dynamic
            artists are not.
        cached_by : callable, optional
            A function of nothing that returns, hashable, all the artist's look depends
            on (e.g. ``ax.get_ylim`` for an axis whose limits follow η a few steps apart).
            The artist then goes to the browser as an SVG of its own, sent only when that
            value changes, instead of with every move (and it is ``always`` drawn).
        """
        artist.set_animated(True)
        self.dynamic.append(artist)
        if always or cached_by is not None:
            self.always.append(artist)
        if cached_by is not None:
            self.cached.append((artist, cached_by))
        return artist

    def layered(self, artist):
        """Mark an artist that changes with the explorer's ``layer_key`` only (e.g. a heat map
        that depends on κ but not on β or η): it is drawn once per key into a cached layer
        over the static background, not on every move. Returns it."""
        artist.set_animated(True)
        self.layer.append(artist)
        return artist


def clip(x, lo, hi, margin=0.5):
    """``x`` clipped to ``[lo, hi]`` widened by ``margin`` of its width; NaN stays NaN.

    Points outside the axes are still drawn towards the edge (so a path visibly leaves
    the plot) without handing Agg coordinates like 1e300.
    """
    pad = margin * (hi - lo)
    with np.errstate(invalid="ignore"):
        return np.clip(np.asarray(x, dtype=float), lo - pad, hi + pad)


def strip_message(fig):
    """The figure's message (diverged, bad input) as one line in the strip kept free below
    the axes, so that it hides no data, label or legend."""
    return fig.text(0.008, 0.012, "", ha="left", va="bottom", fontsize=drawing.TICK_SIZE,
                    fontweight="bold", color=drawing.MESSAGE_COLOUR, zorder=10)


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
