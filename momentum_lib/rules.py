"""The update rules: one step of gradient descent, momentum and Nesterov momentum.

Every function is pure and broadcasts like numpy: ``w``, ``v`` and ``g`` may carry
extra leading axes, and ``lr`` and ``beta`` may be arrays, so one call advances a
whole grid of (β, lr) settings. For a grid of shape S over parameters of shape P,
give ``w`` the shape S + P and ``lr``/``beta`` the shape S followed by one axis of
length 1 per parameter axis (``run`` does that for you).

Two conventions for the velocity are in use:

``"ema"`` (exponential moving average; Andrew Ng's course, the source post)
    v ← β·v + (1 − β)·g,   w ← w − lr·v

``"pytorch"`` (``torch.optim.SGD``, Optax's ``trace``)
    v ← β·v + g,           w ← w − lr·v

They are the same algorithm: the EMA form with learning rate η takes exactly the
steps of the PyTorch form with learning rate η·(1 − β), and its velocity is
(1 − β) times smaller.

References
----------
Linked in docs/references.md:

- B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
  USSR Comput. Math. Math. Phys. 4(5), 1964: momentum (the heavy ball).
- Yu. E. Nesterov, "A method of solving a convex programming problem with convergence
  rate O(1/k²)", Soviet Math. Dokl. 27, 1983: the look-ahead gradient.
- I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and
  momentum in deep learning", ICML 2013: both written as a velocity update.
- PyTorch ``torch/optim/sgd.py`` and Optax ``optax.trace``: the "pytorch" convention.
"""


from . import _validate


def sgd_step(w, g, lr):
    """One step of gradient descent: w ← w − lr·g.

    Examples
    --------
    >>> float(sgd_step(1.0, 0.5, lr=0.1))
    0.95
    """
    w = _validate.finite("w", w)
    g = _validate.as_float_array("g", g)
    lr = _validate.learning_rate(lr)
    _validate.same_shape("g", g, "w", w)
    return w - lr * g


def velocity_update(v, g, beta, convention="ema"):
    """The new velocity: β·v + (1 − β)·g (``"ema"``) or β·v + g (``"pytorch"``)."""
    if convention == "ema":
        return beta * v + (1.0 - beta) * g
    return beta * v + g


def _check_state(w, v, lr, beta, convention):
    _validate.convention(convention)
    w = _validate.finite("w", w)
    v = _validate.finite("v", v)
    lr = _validate.learning_rate(lr)
    beta = _validate.momentum_coefficient(beta)
    _validate.same_shape("v", v, "w", w)
    return w, v, lr, beta


def momentum_step(w, v, g, lr, beta, convention="ema"):
    """One step of momentum (heavy ball): update the velocity, then move against it.

    Parameters
    ----------
    w, v, g : array_like
        Weights, velocity and the gradient at ``w``; ``v`` and ``g`` have ``w``'s shape.
    lr : float or array_like
        Learning rate η > 0.
    beta : float or array_like
        Momentum coefficient β in [0, 1).
    convention : {"ema", "pytorch"}
        ``"ema"``: v ← βv + (1−β)g; ``"pytorch"``: v ← βv + g. Then w ← w − lr·v.

    Returns
    -------
    w, v : ndarray
        The weights and velocity after the step.

    Examples
    --------
    The first row of the source post's walkthrough (lr 0.1, β 0.9, gradient 0.5):

    >>> w, v = momentum_step(0.0, 0.0, 0.5, lr=0.1, beta=0.9)
    >>> print(f"{float(v):.3f} {float(w):.4f}")
    0.050 -0.0050
    """
    w, v, lr, beta = _check_state(w, v, lr, beta, convention)
    g = _validate.as_float_array("g", g)
    _validate.same_shape("g", g, "w", w)
    v = velocity_update(v, g, beta, convention)
    return w - lr * v, v


def lookahead_point(w, v, lr, beta):
    """Where the velocity alone would carry the weights next: w − lr·β·v."""
    return w - lr * beta * v


def nesterov_step(w, v, grad_fn, lr, beta, convention="ema"):
    """One step of Nesterov momentum in the look-ahead form.

    The gradient is taken at the look-ahead point w − lr·β·v rather than at w,
    then the velocity and weights are updated as in ``momentum_step``::

        w_look = w − lr·β·v
        v ← β·v + (1 − β)·∇J(w_look)      ("ema";  β·v + ∇J(w_look) for "pytorch")
        w ← w − lr·v

    In the EMA form this is Sutskever et al.'s NAG with ε = lr·(1 − β); in the
    PyTorch form it is Sutskever's NAG with ε = lr. (PyTorch's own
    ``nesterov=True`` stores the look-ahead point itself as its iterate; see
    ``momentum_lib.frameworks``.)

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(w) -> g`` with ``g`` of the same shape as ``w``.

    Examples
    --------
    With zero velocity the look-ahead point is w itself, so the first step is
    plain momentum's:

    >>> w, v = nesterov_step(1.0, 0.0, lambda w: 2 * w, lr=0.1, beta=0.9)
    >>> print(f"{float(w):.3f}")
    0.980
    """
    w, v, lr, beta = _check_state(w, v, lr, beta, convention)
    _validate.grad_fn(grad_fn)
    w_look = lookahead_point(w, v, lr, beta)
    g = _validate.call_grad(grad_fn, w_look)
    v = velocity_update(v, g, beta, convention)
    return w - lr * v, v
