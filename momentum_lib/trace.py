"""The trace table: momentum worked by hand, one row per step.

The table the source post computes by hand for its regression example (notebook 03 redoes
it), one step of ``rules.velocity_update`` per row, in either convention.

References
----------
The source post and the update rule's papers are listed in docs/references.md.
"""

import html

import numpy as np

from . import _validate
from .rules import velocity_update


class TraceTable:
    """Step-by-step record of momentum on a given gradient sequence.

    Attributes (one entry per step, as float64 arrays)
    ----------
    step : 1, 2, …, n
    g : the gradient ∇J used at the step
    v : the velocity after the step
    w : the weight after the step
    dw : the change of weight, Δw = −lr·v

    It renders as a table in a notebook and as aligned text in a terminal.
    """

    columns = ("step", "g", "v", "w", "dw")
    headers = ("step", "∇J", "v", "w", "Δw = −lr·v")

    def __init__(self, step, g, v, w, dw, *, lr, beta, convention, w0, v0):
        self.step, self.g, self.v, self.w, self.dw = step, g, v, w, dw
        self.lr, self.beta, self.convention, self.w0, self.v0 = lr, beta, convention, w0, v0

    def __len__(self):
        return len(self.step)

    def rows(self, digits=6):
        """The table as rows of formatted strings."""
        return [
            [f"{int(s)}"] + [f"{x:.{digits}g}" for x in (g, v, w, dw)]
            for s, g, v, w, dw in zip(self.step, self.g, self.v, self.w, self.dw)
        ]

    def _caption(self):
        rule = "v ← βv + (1−β)∇J" if self.convention == "ema" else "v ← βv + ∇J"
        return f"{rule}, w ← w − lr·v  (lr = {self.lr:g}, β = {self.beta:g}, w₀ = {self.w0:g}, v₀ = {self.v0:g})"

    def __str__(self):
        rows = [list(self.headers)] + self.rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.headers))]
        lines = [self._caption()]
        for k, r in enumerate(rows):
            lines.append("  ".join(c.rjust(wd) for c, wd in zip(r, widths)))
            if k == 0:
                lines.append("  ".join("-" * wd for wd in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in self.rows()
        )
        return (f"<table class='trace-table'><caption>{html.escape(self._caption())}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def trace_table(grads, *, lr, beta, w0=0.0, v0=0.0, convention="ema"):
    """Momentum on a fixed gradient sequence, step by step.

    The gradients are given rather than computed, as in a worked example on paper.

    Parameters
    ----------
    grads : sequence of float
        ∇J at steps 1, 2, …, n (at least one, all finite).
    lr, beta : float
        Learning rate (> 0) and momentum coefficient (in [0, 1)); β = 0 gives
        plain gradient descent's steps.
    w0, v0 : float
        Starting weight and velocity.
    convention : {"ema", "pytorch"}

    Returns
    -------
    TraceTable

    Examples
    --------
    The source post's walkthrough:

    >>> t = trace_table([0.5, 0.4, 0.3, 0.1, -0.1], lr=0.1, beta=0.9)
    >>> print(f"{t.w[-1]:.7f}")
    -0.0432615
    """
    g = _validate.finite("grads", grads)
    if g.ndim != 1 or g.size == 0:
        raise ValueError(f"grads must be a non-empty 1-D sequence of numbers; got shape {g.shape}")
    lr = _scalar("lr", _validate.learning_rate(lr))
    beta = _scalar("beta", _validate.momentum_coefficient(beta))
    w0 = _scalar("w0", _validate.finite("w0", w0))
    v0 = _scalar("v0", _validate.finite("v0", v0))
    _validate.convention(convention)
    v, w = np.empty_like(g), np.empty_like(g)
    vel, weight = v0, w0
    for k, gk in enumerate(g):
        vel = velocity_update(vel, gk, beta, convention)
        weight = weight - lr * vel
        v[k], w[k] = vel, weight
    dw = -lr * v
    step = np.arange(1, g.size + 1)
    return TraceTable(step, g, v, w, dw, lr=lr, beta=beta, convention=convention, w0=w0, v0=v0)


def _scalar(name, arr):
    if np.ndim(arr) != 0:
        raise ValueError(f"{name} must be a single number for a trace table; got shape {np.shape(arr)}")
    return float(arr)
