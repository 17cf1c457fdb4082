"""Many steps at once: ``run`` follows one method from ``w0`` for every setting of a grid.

References
----------
Linked in docs/references.md: Polyak (1964) for momentum, Nesterov (1983) and Sutskever et
al. (2013, eq. 3–4) for the look-ahead step of ``method="nesterov"``.
"""

from typing import NamedTuple, Optional

import numpy as np

from . import _validate
from .rules import lookahead_point, velocity_update


class RunResult(NamedTuple):
    """What ``run`` computed.

    With settings shape S (the broadcast shape of ``lr`` and ``beta``) and
    parameter shape P (``w0``'s shape):

    w : (steps+1, *S, *P)   iterates, ``w[0]`` is ``w0``
    v : (steps+1, *S, *P)   velocities, ``v[0]`` is zero
    g : (steps, *S, *P)     ``g[t]`` is the gradient used by step t+1
    loss : (steps+1, *S) or None   ``loss_fn`` at every iterate
    diverged : (S) bool     whether the setting left the bound or became non-finite
    diverged_at : (S) int   the first step whose iterate did so, -1 if never

    Entries from ``diverged_at`` on are NaN, so plots simply stop there.
    """

    w: np.ndarray
    v: np.ndarray
    g: np.ndarray
    loss: Optional[np.ndarray]
    diverged: np.ndarray
    diverged_at: np.ndarray


def _expand(x, n_param_axes):
    """Append one length-1 axis per parameter axis, so settings lead and parameters trail."""
    return np.reshape(x, np.shape(x) + (1,) * n_param_axes)


def run(grad_fn, w0, steps, *, lr, beta=0.0, method="momentum", convention="ema",
        loss_fn=None, bound=1e6):
    """Follow ``method`` for ``steps`` steps from ``w0``, for every (lr, β) setting at once.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(w) -> g`` for ``w`` of shape (*S, *P); returns the same shape.
    w0 : array_like
        Starting weights, shape P (a scalar is treated as shape (1,)).
    steps : int
        Number of steps, ≥ 0.
    lr, beta : float or array_like
        Learning rate (> 0) and momentum coefficient (in [0, 1)); they broadcast
        together to the settings shape S.
    method : {"sgd", "momentum", "nesterov"}
        ``"sgd"`` needs β = 0; ``"nesterov"`` takes its gradient at w − lr·β·v.
    convention : {"ema", "pytorch"}
        How the velocity accumulates gradients (see ``momentum_lib.rules``).
    loss_fn : callable, optional
        ``loss_fn(w) -> loss`` of shape S; recorded at every iterate.
    bound : float
        A setting diverges at the first step where any |w| exceeds ``bound`` or
        is not finite. It stops advancing there; this is not an error.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> import numpy as np
    >>> r = run(lambda w: 2 * w, [1.0], 50, lr=np.array([0.1, 1.5]), beta=0.9)
    >>> r.w.shape, r.diverged.tolist()
    ((51, 2, 1), [False, False])
    """
    _validate.grad_fn(grad_fn)
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable (w -> loss) or None; got {type(loss_fn).__name__}")
    w0 = np.atleast_1d(_validate.finite("w0", w0))
    steps = _validate.steps(steps)
    lr = _validate.learning_rate(lr)
    beta = _validate.momentum_coefficient(beta)
    _validate.method(method)
    _validate.convention(convention)
    bound = float(_validate.as_float_array("bound", bound))
    if not bound > 0:
        raise ValueError(f"bound must be > 0 (inf allowed); got {bound}")
    if method == "sgd" and np.any(beta != 0):
        raise ValueError("beta must be 0 for method='sgd' (plain gradient descent has no velocity); "
                         "use method='momentum' for beta > 0")
    try:
        settings = np.broadcast_shapes(lr.shape, beta.shape)
    except ValueError:
        raise ValueError(f"lr of shape {lr.shape} and beta of shape {beta.shape} do not broadcast "
                         "together; give them shapes that numpy can broadcast") from None

    n_p = w0.ndim
    lr_b, beta_b = _expand(lr, n_p), _expand(beta, n_p)
    shape = settings + w0.shape
    w = np.broadcast_to(w0, shape).copy()
    v = np.zeros(shape)
    # np.empty, not np.full: these arrays are large (steps × settings) and every entry
    # that is kept gets written exactly once below; the rest is filled with NaN.
    ws, vs, gs = np.empty((steps + 1,) + shape), np.empty((steps + 1,) + shape), np.empty((steps,) + shape)
    ws[0], vs[0] = w, v
    losses = None
    alive = np.ones(settings, dtype=bool)
    everyone_alive = True
    diverged_at = np.full(settings, -1, dtype=int)
    param_axes = tuple(range(len(settings), len(shape)))
    done = steps

    with np.errstate(all="ignore"):
        if loss_fn is not None:
            losses = np.empty((steps + 1,) + settings)
            losses[0] = _loss(loss_fn, w, settings)
        for t in range(steps):
            at = w if method != "nesterov" else lookahead_point(w, v, lr_b, beta_b)
            g = _validate.call_grad(grad_fn, at)
            if method == "sgd":
                v_new = g
            else:
                v_new = velocity_update(v, g, beta_b, convention)
            w_new = w - lr_b * v_new
            # |NaN| <= bound is False, so for a finite bound one comparison catches both.
            ok = np.all(np.abs(w_new) <= bound if bound < np.inf else np.isfinite(w_new),
                        axis=param_axes)
            if everyone_alive and ok.all():
                w, v = w_new, v_new
                ws[t + 1], vs[t + 1], gs[t] = w, v, g
            else:
                stepped = alive.copy()
                diverged_at[alive & ~ok] = t + 1
                alive &= ok
                everyone_alive = False
                # A diverged setting keeps its last finite state so later arithmetic stays
                # finite; what is recorded for it from now on is NaN.
                keep = _expand(alive, n_p)
                w, v = np.where(keep, w_new, w), np.where(keep, v_new, v)
                ws[t + 1], vs[t + 1] = np.where(keep, w, np.nan), np.where(keep, v, np.nan)
                gs[t] = np.where(_expand(stepped, n_p), g, np.nan)
            if losses is not None:
                loss = _loss(loss_fn, w, settings)
                losses[t + 1] = loss if everyone_alive else np.where(alive, loss, np.nan)
            if not alive.any():
                done = t + 1
                break
    ws[done + 1:], vs[done + 1:], gs[done:] = np.nan, np.nan, np.nan
    if losses is not None:
        losses[done + 1:] = np.nan
    return RunResult(ws, vs, gs, losses, diverged_at >= 0, diverged_at)


def _loss(loss_fn, w, settings):
    loss = np.asarray(loss_fn(w), dtype=np.float64)
    if loss.shape != settings:
        raise ValueError(f"loss_fn returned shape {loss.shape} for w of shape {w.shape}; "
                         f"it must return one loss per setting, shape {settings}")
    return loss
