"""Exact emulations of the frameworks' and the papers' SGD with momentum.

Every function has the form ``name(grad_fn, w0, steps, **hyperparameters)`` and
returns the iterates as a float64 array of shape ``(steps + 1, *w0.shape)`` with
``iterates[0] = w0``. The hyperparameters keep each framework's own names
(``lr`` and ``momentum`` for PyTorch, ``learning_rate`` for Keras and Optax), so
a setting copied from a training script means the same thing here.

The learning rate may be a number, a sequence of ``steps`` per-step values, or a
callable ``t -> lr`` for t = 0, ..., steps − 1 (a schedule). ``grad_fn`` is
called exactly once per step, in order.

What is the same and what is not (g is the gradient at the point each rule names):

- At a constant learning rate, PyTorch (dampening 0) = Optax = Keras = Polyak's
  heavy ball = Sutskever's classical momentum, iterate for iterate; the
  velocities differ only in scale: Keras's m = −lr·b (PyTorch's buffer b).
- The EMA form with learning rate η = PyTorch (dampening 0) with lr η·(1 − β),
  exactly, from the first step (``ema_lr_to_pytorch_lr``).
- PyTorch with dampening = momentum is *not* the EMA form: its buffer starts at
  g₁ instead of (1 − β)·g₁, and the gap b_t − v_t = βᵗ·g₁ never closes
  exactly; its first step is 1/(1 − β) times larger.
- The three frameworks' ``nesterov=True`` agree with each other, and their
  iterate is Sutskever's look-ahead point θ + μ·v, not his θ.
- Under a learning-rate schedule the families part: PyTorch, Optax and the EMA
  form multiply the whole buffer by the current lr, while Keras, Sutskever and
  Polyak keep each earlier lr baked into the velocity.

All of this is checked against the real frameworks (tests/conformance/) and by
property tests (tests/test_equivalences.py).

References
----------
The sources each emulation follows, linked in docs/references.md:

- PyTorch 2.13.0, ``torch/optim/sgd.py`` (``torch.optim.SGD``).
- Keras 3.15.1, ``keras/src/optimizers/sgd.py`` (``keras.optimizers.SGD``).
- Optax 0.2.8, ``optax/_src/alias.py`` (``optax.sgd``) and
  ``optax/transforms/_accumulation.py`` (``optax.trace``).
- B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
  USSR Comput. Math. Math. Phys. 4(5), 1964 (the heavy ball).
- I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and
  momentum in deep learning", ICML 2013, eqs. 1–4 (classical momentum and NAG).
"""


import numpy as np

from . import _validate

__all__ = [
    "pytorch_sgd", "keras_sgd", "optax_sgd", "ema_momentum", "sutskever_momentum",
    "polyak_heavy_ball", "EMULATIONS",
    "ema_lr_to_pytorch_lr", "pytorch_lr_to_ema_lr",
    "keras_velocity_to_pytorch_buffer", "pytorch_buffer_to_keras_velocity",
    "ema_velocity_to_pytorch_buffer",
]


# ---------------------------------------------------------------- argument checks

def _reject_unknown(function, unknown, accepted):
    """A wrong hyperparameter name is the classic slip here (``beta`` for PyTorch's
    ``momentum``), so say which names this emulation does take."""
    if unknown:
        names = ", ".join(repr(k) for k in sorted(unknown))
        raise TypeError(
            f"{function}() got unexpected keyword argument(s) {names}; "
            f"it takes: {', '.join(accepted)}"
        )


def _scalar(name, arr):
    if np.ndim(arr) != 0:
        raise TypeError(f"{name} must be a single number; got an array of shape {np.shape(arr)}")
    return float(arr)


def _flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _coefficient(name, value):
    return _scalar(name, _validate.momentum_coefficient(value, name))


def _lr_schedule(value, steps, name):
    """The learning rate of every step as an array of length ``steps``."""
    if callable(value):
        lrs = []
        for t in range(steps):
            lr_t = value(t)
            if np.ndim(lr_t) != 0:
                raise TypeError(f"{name}(t) must return a single number; got {lr_t!r} at t={t}")
            lrs.append(lr_t)
        return _validate.learning_rate(np.asarray(lrs, dtype=np.float64).reshape(steps), name)
    lrs = _validate.learning_rate(value, name)
    if lrs.ndim == 0:
        return np.full(steps, float(lrs))
    if lrs.shape != (steps,):
        raise ValueError(
            f"{name} as a schedule needs one value per step ({steps}); got shape {lrs.shape}"
        )
    return lrs


def _start(grad_fn, w0, steps, lr, lr_name):
    _validate.grad_fn(grad_fn)
    w0 = np.array(_validate.finite("w0", w0), dtype=np.float64)
    steps = _validate.steps(steps)
    lrs = _lr_schedule(lr, steps, lr_name)
    iterates = np.empty((steps + 1,) + w0.shape)
    iterates[0] = w0
    return w0, steps, lrs, iterates


# ---------------------------------------------------------------- the frameworks

def pytorch_sgd(grad_fn, w0, steps, *, lr, momentum=0.0, dampening=0.0, nesterov=False,
                weight_decay=0.0, maximize=False, **unknown):
    """``torch.optim.SGD``, step for step (mirrors ``torch/optim/sgd.py``).

    Each step, with g the gradient at θ::

        g ← −g                       if maximize
        g ← g + weight_decay·θ       (coupled: the decay enters the buffer)
        b ← g                        on the first step (a copy; no (1 − dampening))
        b ← momentum·b + (1 − dampening)·g   afterwards
        d ← g + momentum·b           if nesterov, else d ← b
        θ ← θ − lr·d

    With ``momentum == 0`` PyTorch keeps no buffer at all: d = g, and
    ``dampening`` has no effect.

    Equivalences: with dampening 0 and a constant lr this is Optax's ``sgd``,
    Keras's ``SGD`` (m = −lr·b) and Polyak's heavy ball (α = lr, β = momentum);
    the EMA form with learning rate η is this with lr = η·(1 − β). With dampening
    = momentum it is *not* the EMA form (b_t − v_t = βᵗ·g₁). ``nesterov=True``
    returns Sutskever's look-ahead point θ + μ·v. Under a schedule the new lr
    multiplies the whole buffer, as in Optax, unlike Keras.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(θ) -> g`` of θ's shape (the gradient of the loss, even with
        ``maximize=True``: PyTorch negates it itself).
    w0 : array_like
        Starting parameters θ₀.
    steps : int
        Number of steps.
    lr : float, sequence of ``steps`` floats, or callable t -> float
        Learning rate γ > 0 (a sequence or callable is a schedule, as if
        ``param_group['lr']`` were set before step t).
    momentum : float
        μ in [0, 1).
    dampening : float
        τ ≥ 0.
    nesterov : bool
        Needs momentum > 0 and dampening 0 (``ValueError`` otherwise, as PyTorch).
    weight_decay : float
        λ ≥ 0, coupled (L2 added to the gradient).
    maximize : bool
        Ascend instead of descend.

    Returns
    -------
    ndarray of shape (steps + 1, *w0.shape)

    Examples
    --------
    >>> pytorch_sgd(lambda w: w, [1.0], 2, lr=0.1, momentum=0.9)[:, 0]
    array([1.  , 0.9 , 0.72])
    """
    _reject_unknown("pytorch_sgd", unknown,
                    ["lr", "momentum", "dampening", "nesterov", "weight_decay", "maximize"])
    w, steps, lrs, iterates = _start(grad_fn, w0, steps, lr, "lr")
    momentum = _coefficient("momentum", momentum)
    dampening = _scalar("dampening", _validate.non_negative(dampening, "dampening"))
    weight_decay = _scalar("weight_decay", _validate.non_negative(weight_decay, "weight_decay"))
    nesterov = _flag("nesterov", nesterov)
    maximize = _flag("maximize", maximize)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("nesterov=True requires momentum > 0 and dampening == 0 (as in PyTorch); "
                         f"got momentum={momentum}, dampening={dampening}")
    b = None
    for t in range(steps):
        g = _validate.call_grad(grad_fn, w)
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * w
        if momentum != 0:
            b = g.copy() if b is None else b * momentum + (1 - dampening) * g
            d = g + momentum * b if nesterov else b
        else:
            d = g
        w = w - lrs[t] * d
        iterates[t + 1] = w
    return iterates


def keras_sgd(grad_fn, w0, steps, *, learning_rate, momentum=0.0, nesterov=False,
              weight_decay=None, **unknown):
    """Keras 3 ``keras.optimizers.SGD``, step for step (mirrors
    ``keras/src/optimizers/sgd.py`` and ``base_optimizer.py``).

    Each step, with g the gradient at the weights w *before* the decay and η the
    step's learning rate::

        w ← w − w·weight_decay·η     if weight_decay is not None (decoupled:
                                     applied first, never enters m)
        m ← momentum·m − η·g         (m starts at 0)
        w ← w + m                    or, with nesterov,  w ← w + momentum·m − η·g

    With ``momentum == 0`` Keras keeps no velocity: w ← w − η·g.

    Equivalences: at a constant learning rate (and no weight decay) this is
    PyTorch's SGD with m = −η·b, Optax's ``sgd`` and Polyak's heavy ball; the
    classical momentum of Sutskever et al. is literally this rule (ε = η), and
    ``nesterov=True`` gives Sutskever's look-ahead point θ + μ·v. Under a
    schedule the velocity keeps the earlier learning rates baked in (as
    Sutskever and Polyak), so it parts from PyTorch and Optax.

    Parameters
    ----------
    learning_rate : float, sequence of ``steps`` floats, or callable t -> float
        η > 0; a callable plays the part of a ``LearningRateSchedule``, called
        with the 0-based iteration count.
    momentum : float
        In [0, 1).
    nesterov : bool
    weight_decay : float or None
        Decoupled decay rate (≥ 0), multiplied by the current learning rate.

    Examples
    --------
    >>> keras_sgd(lambda w: w, [1.0], 2, learning_rate=0.1, momentum=0.9)[:, 0]
    array([1.  , 0.9 , 0.72])
    """
    _reject_unknown("keras_sgd", unknown, ["learning_rate", "momentum", "nesterov", "weight_decay"])
    w, steps, lrs, iterates = _start(grad_fn, w0, steps, learning_rate, "learning_rate")
    momentum = _coefficient("momentum", momentum)
    nesterov = _flag("nesterov", nesterov)
    if weight_decay is not None:
        weight_decay = _scalar("weight_decay", _validate.non_negative(weight_decay, "weight_decay"))
    m = np.zeros_like(w)
    for t in range(steps):
        # Keras is handed gradients computed before apply(), so g is taken at
        # the undecayed weights.
        g = _validate.call_grad(grad_fn, w)
        eta = lrs[t]
        if weight_decay is not None:
            w = w - w * weight_decay * eta
        if momentum != 0:
            m = m * momentum - g * eta
            w = w + (m * momentum - g * eta) if nesterov else w + m
        else:
            w = w - g * eta
        iterates[t + 1] = w
    return iterates


def optax_sgd(grad_fn, w0, steps, *, learning_rate, momentum=None, nesterov=False, **unknown):
    """``optax.sgd``, step for step (mirrors ``optax/_src/alias.py``: ``optax.trace``
    chained with ``scale_by_learning_rate``).

    Each step, with g the gradient at w and η the step's learning rate::

        t ← g + momentum·t           (t starts at 0; skipped if momentum is None)
        u ← g + momentum·t           if nesterov, else u ← t   (u ← g without momentum)
        w ← w + (−η)·u

    As in Optax, ``nesterov`` is silently ignored when ``momentum`` is None.

    Equivalences: the trace is PyTorch's buffer (the first step g + μ·0 = g is
    PyTorch's copy), so this equals ``pytorch_sgd`` with dampening 0, with or
    without a schedule; at a constant rate it also equals Keras and Polyak.
    Note the contrast with ``optax.ema``, which is the EMA form's
    decay·ema + (1 − decay)·g.

    Parameters
    ----------
    learning_rate : float, sequence of ``steps`` floats, or callable t -> float
        η > 0; a callable is a schedule of the step count (``count`` from 0).
    momentum : float or None
        In [0, 1), or None for plain gradient descent.
    nesterov : bool

    Examples
    --------
    >>> optax_sgd(lambda w: w, [1.0], 2, learning_rate=0.1, momentum=0.9)[:, 0]
    array([1.  , 0.9 , 0.72])
    """
    _reject_unknown("optax_sgd", unknown, ["learning_rate", "momentum", "nesterov"])
    w, steps, lrs, iterates = _start(grad_fn, w0, steps, learning_rate, "learning_rate")
    if momentum is not None:
        momentum = _coefficient("momentum", momentum)
    nesterov = _flag("nesterov", nesterov)
    trace = np.zeros_like(w)
    for t in range(steps):
        g = _validate.call_grad(grad_fn, w)
        if momentum is None:
            u = g
        else:
            trace = g + momentum * trace
            u = g + momentum * trace if nesterov else trace
        w = w + u * (-lrs[t])
        iterates[t + 1] = w
    return iterates


# ---------------------------------------------------------------- the papers and the course

def ema_momentum(grad_fn, w0, steps, *, lr, beta, **unknown):
    """Momentum in the exponential-moving-average form (Andrew Ng's course)::

        v ← β·v + (1 − β)·g          (v starts at 0)
        w ← w − lr·v

    No framework implements it (``optax.ema`` is the same average, but
    ``optax.sgd`` does not use it).

    Equivalences: exactly PyTorch's SGD (dampening 0) with lr·(1 − β), from the
    first step, also under a schedule (the lr multiplies the whole velocity in
    both); the velocity is b·(1 − β). PyTorch's dampening = β is a different
    rule. Its ``momentum_lib.run(..., convention="ema")`` twin gives the same
    iterates.

    Examples
    --------
    >>> ema_momentum(lambda w: w, [1.0], 2, lr=1.0, beta=0.9)[:, 0]
    array([1.  , 0.9 , 0.72])
    """
    _reject_unknown("ema_momentum", unknown, ["lr", "beta"])
    w, steps, lrs, iterates = _start(grad_fn, w0, steps, lr, "lr")
    beta = _coefficient("beta", beta)
    v = np.zeros_like(w)
    for t in range(steps):
        g = _validate.call_grad(grad_fn, w)
        v = beta * v + (1.0 - beta) * g
        w = w - lrs[t] * v
        iterates[t + 1] = w
    return iterates


def sutskever_momentum(grad_fn, w0, steps, *, lr, momentum, nesterov=False, **unknown):
    """Classical momentum and NAG as written by Sutskever, Martens, Dahl and Hinton
    (ICML 2013), with ε the learning rate and μ the momentum::

        CM:   v ← μ·v − ε·∇f(θ)          θ ← θ + v
        NAG:  v ← μ·v − ε·∇f(θ + μ·v)    θ ← θ + v

    Returns the iterates θ; the velocity is θ_t − θ_{t−1}.

    Equivalences: CM is Keras's rule (v = m), and at a constant rate PyTorch's,
    Optax's and Polyak's. The frameworks' ``nesterov=True`` iterate is not this
    NAG's θ but its look-ahead point θ + μ·v. With a schedule, earlier rates
    stay baked into v (as in Keras and Polyak, unlike PyTorch and Optax).
    ``momentum_lib.run(method="nesterov", convention="pytorch")`` is NAG with
    ε = lr; with ``convention="ema"`` it is NAG with ε = lr·(1 − β).

    Examples
    --------
    >>> sutskever_momentum(lambda w: w, [1.0], 2, lr=0.1, momentum=0.9)[:, 0]
    array([1.  , 0.9 , 0.72])
    """
    _reject_unknown("sutskever_momentum", unknown, ["lr", "momentum", "nesterov"])
    w, steps, lrs, iterates = _start(grad_fn, w0, steps, lr, "lr")
    momentum = _coefficient("momentum", momentum)
    nesterov = _flag("nesterov", nesterov)
    v = np.zeros_like(w)
    for t in range(steps):
        g = _validate.call_grad(grad_fn, w + momentum * v if nesterov else w)
        v = momentum * v - lrs[t] * g
        w = w + v
        iterates[t + 1] = w
    return iterates


def polyak_heavy_ball(grad_fn, w0, steps, *, lr, beta, **unknown):
    """Polyak's heavy ball (1964), in terms of the last two iterates::

        x⁺ = x − α·∇f(x) + β·(x − x⁻)     with x⁻ = x₀ at the start

    (α = ``lr``). No velocity is stored: the momentum is the last displacement.

    Equivalences: at a constant rate this is PyTorch's SGD (dampening 0, lr = α,
    momentum = β), Optax and Keras. With a schedule α_t it stays equal to Keras
    and Sutskever's CM (the displacement carries the earlier rates), not to
    PyTorch. The EMA form is this with α = lr·(1 − β).

    Examples
    --------
    >>> polyak_heavy_ball(lambda w: w, [1.0], 2, lr=0.1, beta=0.9)[:, 0]
    array([1.  , 0.9 , 0.72])
    """
    _reject_unknown("polyak_heavy_ball", unknown, ["lr", "beta"])
    x, steps, lrs, iterates = _start(grad_fn, w0, steps, lr, "lr")
    beta = _coefficient("beta", beta)
    x_prev = x
    for t in range(steps):
        g = _validate.call_grad(grad_fn, x)
        x, x_prev = x - lrs[t] * g + beta * (x - x_prev), x
        iterates[t + 1] = x
    return iterates


EMULATIONS = {
    "pytorch_sgd": pytorch_sgd,
    "keras_sgd": keras_sgd,
    "optax_sgd": optax_sgd,
    "ema_momentum": ema_momentum,
    "sutskever_momentum": sutskever_momentum,
    "polyak_heavy_ball": polyak_heavy_ball,
}
"""Every emulation by name, for tables that loop over them."""


# ---------------------------------------------------------------- translating settings

def ema_lr_to_pytorch_lr(lr, beta):
    """The PyTorch learning rate that takes the EMA form's steps: lr·(1 − β).

    >>> print(f"{ema_lr_to_pytorch_lr(0.1, 0.9):.4f}")
    0.0100
    """
    lr = _validate.learning_rate(lr)
    return lr * (1.0 - _validate.momentum_coefficient(beta))


def pytorch_lr_to_ema_lr(lr, beta):
    """The EMA-form learning rate that takes PyTorch's steps: lr / (1 − β).

    >>> print(f"{pytorch_lr_to_ema_lr(0.01, 0.9):.4f}")
    0.1000
    """
    lr = _validate.learning_rate(lr)
    return lr / (1.0 - _validate.momentum_coefficient(beta))


def keras_velocity_to_pytorch_buffer(m, lr):
    """PyTorch's buffer b from Keras's velocity m at a constant lr: b = −m / lr.

    >>> print(f"{float(keras_velocity_to_pytorch_buffer(-0.05, 0.1)):.2f}")
    0.50
    """
    return -_validate.finite("m", m) / _validate.learning_rate(lr)


def pytorch_buffer_to_keras_velocity(b, lr):
    """Keras's velocity m from PyTorch's buffer b at a constant lr: m = −lr·b."""
    return -_validate.learning_rate(lr) * _validate.finite("b", b)


def ema_velocity_to_pytorch_buffer(v, beta):
    """PyTorch's buffer b from the EMA form's velocity v: b = v / (1 − β).

    (With lr_pytorch = lr_ema·(1 − β) both take the same steps; the buffer is
    1/(1 − β) times larger: 10 times at β = 0.9.)
    """
    return _validate.finite("v", v) / (1.0 - _validate.momentum_coefficient(beta))
