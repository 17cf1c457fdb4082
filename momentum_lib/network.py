"""A one-hidden-layer network in numpy, and its training with mini-batch SGD with momentum.

The network (an MLP) maps inputs x (d numbers) to k class scores:

    h = tanh(x·W₁ + b₁),     z = h·W₂ + b₂,
    loss = mean over the batch of  −log softmax(z)_y        (cross-entropy)

and ``loss_and_grad`` returns the loss with its exact gradient by backpropagation:

    δz = (softmax(z) − onehot(y))/B,   ∂W₂ = hᵀ·δz,   ∂b₂ = Σ δz,
    δh = δz·W₂ᵀ ⊙ (1 − h²),          ∂W₁ = xᵀ·δh,   ∂b₁ = Σ δh.

Every parameter may carry leading *settings* axes S (``MLP`` fields of shapes
(*S, d, m), (*S, m), (*S, m, k), (*S, k)): one call then trains a whole grid of
(η, β) settings on the same mini-batches, as ``trajectory.run`` does for a
quadratic. ``train`` uses the PyTorch form (b ← β·b + g, w ← w − η·b), the
rule of ``torch.optim.SGD``; ``nesterov=True`` is PyTorch's Nesterov variant
(w ← w − η·(g + β·b)). ``tests/test_network.py`` checks the gradient by finite
differences and the training against steps recorded from torch.optim.SGD.

References
----------
PyTorch, ``torch.optim.SGD`` (momentum, dampening, nesterov):
https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
PyTorch, ``torch.nn.Linear`` (its default initialisation, U(−1/√fan_in, 1/√fan_in)):
https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
P. Goyal et al. (2017), Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour.
https://arxiv.org/abs/1706.02677 (linear warm-up of η).
I. Loshchilov, F. Hutter (2017), SGDR: Stochastic Gradient Descent with Warm Restarts, ICLR.
https://arxiv.org/abs/1608.03983 (cosine decay of η).
"""

from typing import NamedTuple, Optional

import numpy as np

from . import _validate
from ._randomness import draws_random, fixed_draws


class MLP(NamedTuple):
    """Parameters: W1 (*S, d, m), b1 (*S, m), W2 (*S, m, k), b2 (*S, k)."""
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


@draws_random
def init_mlp(n_in, n_hidden, n_out, seed=0):
    """PyTorch's default ``nn.Linear`` initialisation, from numpy's seeded generator.

    Every weight and bias of a layer with fan-in f is uniform on [−1/√f, 1/√f].
    """
    rng = np.random.default_rng(seed)

    def uniform(fan_in, shape):
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=shape)

    return MLP(uniform(n_in, (n_in, n_hidden)), uniform(n_in, (n_hidden,)),
               uniform(n_hidden, (n_hidden, n_out)), uniform(n_hidden, (n_out,)))


def parameter_shapes(n_in, n_hidden, n_out, settings=()):
    """The shapes of W1, b1, W2, b2 (an ``MLP`` of tuples), with leading ``settings`` axes.

    >>> parameter_shapes(64, 32, 10, settings=(6, 12)).W1
    (6, 12, 64, 32)
    """
    s = tuple(settings)
    return MLP(s + (n_in, n_hidden), s + (n_hidden,), s + (n_hidden, n_out), s + (n_out,))


def parameter_count(n_in, n_hidden, n_out):
    """How many numbers one network has: weights and biases of both layers.

    >>> parameter_count(64, 32, 10)
    2410
    """
    return int(sum(np.prod(shape) for shape in parameter_shapes(n_in, n_hidden, n_out)))


def broadcast_params(params, settings_shape):
    """Copies of ``params`` for every setting: each field gets leading axes ``settings_shape``."""
    return MLP(*(np.broadcast_to(p, tuple(settings_shape) + p.shape[-_NDIM[i]:]).copy()
                 for i, p in enumerate(params)))


LOSS_BOUND = 1e6
_NDIM = (2, 1, 2, 1)   # the trailing (per-network) dimensions of W1, b1, W2, b2


def forward(params, x):
    """Hidden activations h = tanh(x·W₁ + b₁) (*S, B, m) and scores z = h·W₂ + b₂ (*S, B, k)."""
    h = np.tanh(x @ params.W1 + params.b1[..., None, :])
    return h, h @ params.W2 + params.b2[..., None, :]


def log_softmax(z):
    """log softmax over the last axis, shifted by the maximum so exp never overflows."""
    z = z - np.max(z, axis=-1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def cross_entropy(params, x, y):
    """Mean cross-entropy of the batch (x, y), one value per setting: shape S."""
    _, z = forward(params, x)
    return -np.mean(log_softmax(z)[..., np.arange(len(y)), y], axis=-1)


def accuracy(params, x, y):
    """Share of the batch whose highest score is the true label, per setting."""
    _, z = forward(params, x)
    return np.mean(np.argmax(z, axis=-1) == y, axis=-1)


def loss_and_grad(params, x, y):
    """The batch's mean cross-entropy (shape S) and its gradient (an ``MLP`` of params' shapes)."""
    h, z = forward(params, x)
    logp = log_softmax(z)
    rows = np.arange(len(y))
    loss = -np.mean(logp[..., rows, y], axis=-1)
    dz = np.exp(logp)
    dz[..., rows, y] -= 1.0
    dz /= len(y)
    dh = (dz @ np.swapaxes(params.W2, -1, -2)) * (1.0 - h * h)
    return loss, MLP(x.T @ dh, dh.sum(axis=-2), np.swapaxes(h, -1, -2) @ dz, dz.sum(axis=-2))


def gradient_check(params, x, y, eps=1e-6, per_field=3):
    """The largest relative error of ``loss_and_grad`` against central finite differences.

    The ``per_field`` entries of each of W1, b1, W2, b2 with the largest gradients are each
    moved by ±``eps``; the difference quotient of ``cross_entropy`` is compared with the
    gradient entry. Parameters without settings axes.
    """
    _, grads = loss_and_grad(params, x, y)
    worst = 0.0
    for i, p in enumerate(params):
        for flat in np.argsort(-np.abs(grads[i]).ravel(), kind="stable")[:per_field]:
            j = np.unravel_index(flat, p.shape)
            plus, minus = [q.copy() for q in params], [q.copy() for q in params]
            plus[i][j] += eps
            minus[i][j] -= eps
            fd = (cross_entropy(MLP(*plus), x, y) - cross_entropy(MLP(*minus), x, y)) / (2 * eps)
            worst = max(worst, float(abs(fd - grads[i][j]) / abs(grads[i][j])))
    return worst


@draws_random
def epoch_batches(n, batch_size, epochs, seed):
    """(steps, batch_size) indices: each epoch a fresh seeded permutation cut into batches.

    The last incomplete batch of an epoch is dropped (``DataLoader(drop_last=True)``),
    so there are n // batch_size steps per epoch.
    """
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer between 1 and {n}; got {batch_size!r}")
    epochs = _validate.steps(epochs, name="epochs")
    rng = np.random.default_rng(seed)
    per = n // batch_size
    if epochs == 0:
        return np.zeros((0, batch_size), dtype=np.int64)
    return np.concatenate([rng.permutation(n)[:per * batch_size].reshape(per, batch_size)
                           for _ in range(epochs)])


class TrainResult(NamedTuple):
    """params: after training, (*S, …) per field.
    batch_loss: (steps, *S) the loss of each step's mini-batch, before its update.
    val_loss: (evals, *S) cross-entropy on the validation set at ``eval_steps``.
    eval_steps: (evals,) the step counts at which val_loss was measured (0 = at the start).
    diverged: (S) bool, a batch loss was not finite or above ``LOSS_BOUND``; that setting's
        numbers are NaN from then on.
    """
    params: MLP
    batch_loss: np.ndarray
    val_loss: Optional[np.ndarray]
    eval_steps: np.ndarray
    diverged: np.ndarray


def train(params, x, y, batches, *, lr, beta, nesterov=False, lr_schedule=None,
          x_val=None, y_val=None, eval_every=None):
    """Mini-batch SGD with momentum (PyTorch form) for every (lr, β) setting at once.

    Parameters
    ----------
    params : MLP
        Starting parameters without settings axes (shared by every setting).
    x, y : the training inputs (n, d) and integer labels (n,).
    batches : (steps, B) indices into x, y (``epoch_batches``); every setting sees them.
    lr, beta : arrays broadcasting to the settings shape S.
    nesterov : PyTorch's Nesterov variant.
    lr_schedule : (steps,) factors multiplying η at each step (warm-up, decay).
    x_val, y_val, eval_every : the validation loss is measured at step 0 and every
        ``eval_every`` steps (default: once per ``len(x) // B`` steps, an epoch).
    """
    lr = _validate.learning_rate(lr)
    beta = _validate.momentum_coefficient(beta)
    batches = np.asarray(batches)
    if batches.ndim != 2 or not np.issubdtype(batches.dtype, np.integer):
        raise ValueError(f"batches must be a (steps, batch_size) array of indices; got shape {batches.shape}")
    steps = len(batches)
    factors = np.ones(steps) if lr_schedule is None else _validate.finite("lr_schedule", lr_schedule)
    if factors.shape != (steps,):
        raise ValueError(f"lr_schedule must have shape ({steps},); got {factors.shape}")
    scheduled = lr_schedule is not None
    settings = np.broadcast_shapes(lr.shape, beta.shape)
    p = broadcast_params(params, settings)
    bufs = [np.zeros_like(q) for q in p]
    coef = [(np.reshape(lr, lr.shape + (1,) * n), np.reshape(beta, beta.shape + (1,) * n)) for n in _NDIM]
    every = eval_every or max(1, len(x) // max(1, batches.shape[1]))
    validate = x_val is not None
    eval_steps = np.arange(0, steps + 1, every)
    val = np.empty((len(eval_steps),) + settings) if validate else None
    losses = np.empty((steps,) + settings)
    with np.errstate(all="ignore"):
        for t in range(steps + 1):
            if validate and t % every == 0:
                val[t // every] = cross_entropy(p, x_val, y_val)
            if t == steps:
                break
            idx = batches[t]
            losses[t], grads = loss_and_grad(p, x[idx], y[idx])
            for (q, g, buf, (lr_i, beta_i)) in zip(p, grads, bufs, coef):   # in place
                buf *= beta_i
                buf += g
                step = (g + beta_i * buf) if nesterov else buf
                q -= (lr_i * factors[t]) * step if scheduled else lr_i * step
    # A setting has diverged from its first batch loss that is not finite or exceeds LOSS_BOUND
    # (cross-entropy over 10 classes starts near ln 10 ≈ 2.3); later numbers are NaN.
    bad = np.maximum.accumulate(~(losses <= LOSS_BOUND), axis=0) if steps else np.zeros((0,) + settings, bool)
    losses[bad] = np.nan
    alive = ~bad[-1] if steps else np.ones(settings, dtype=bool)
    if validate:
        first_bad = np.where(bad.any(axis=0), np.argmax(bad, axis=0), steps + 1)
        val[eval_steps.reshape((-1,) + (1,) * len(settings)) >= first_bad] = np.nan
    return TrainResult(p, losses, val, eval_steps, ~alive)


def warmup_then_decay(steps, warmup=0, decay="none", final=0.0):
    """Per-step factors for η: linear warm-up over ``warmup`` steps, then ``decay``.

    decay: ``"none"`` (stay at 1), ``"cosine"`` (½(1 + cos πs) from 1 down to ``final``),
    ``"linear"`` (straight down to ``final``); s runs from 0 (the last warm-up step) to 1 (the last step).
    """
    steps = _validate.steps(steps)
    warmup = _validate.steps(warmup, name="warmup")
    _validate.choice(decay, "decay", ("none", "cosine", "linear"))
    t = np.arange(steps, dtype=np.float64)
    up = np.minimum(1.0, (t + 1) / warmup) if warmup else np.ones(steps)
    s = np.clip((t + 1 - warmup) / max(1, steps - warmup), 0.0, 1.0)
    down = {"none": np.ones(steps), "cosine": final + (1 - final) * 0.5 * (1 + np.cos(np.pi * s)),
            "linear": 1 - (1 - final) * s}[decay]
    return up * down


def recording_path():
    """Where the package keeps the torch recording: ``momentum_lib/data/network_sgd.npz``.

    It is package data, so notebook 07 can replay it wherever the library is installed
    (a checkout, a wheel, the JupyterLite edition's browser kernel).
    """
    from pathlib import Path

    return Path(__file__).resolve().parent / "data" / "network_sgd.npz"


@fixed_draws
def compare_with_recording(path=None):
    """Replay a recording of torch.optim.SGD (``devtools/record_network_conformance.py``) in numpy.

    Returns ``(largest absolute difference over every recorded loss and parameter,
    the recording's metadata)``. The recording holds the batches, the settings of each
    case and torch's numbers; the data are ``datasets.digits()`` and the starting
    weights ``init_mlp(64, hidden, 10, seed)``.
    """
    import json
    from . import datasets

    with np.load(recording_path() if path is None else path) as f:
        data = {k: f[k] for k in f.files}
    meta = json.loads(str(data["meta"]))
    d = datasets.digits()
    params0 = init_mlp(64, meta["hidden"], 10, seed=meta["seed"])
    worst = 0.0
    for name, case in meta["cases"].items():
        sched = case["schedule"]
        factors = None if sched is None else warmup_then_decay(meta["steps"], **sched)
        for step in meta["checkpoints"]:
            r = train(params0, d.x_train, d.y_train, data["batches"][:step], lr=case["lr"],
                      beta=case["momentum"], nesterov=case["nesterov"],
                      lr_schedule=None if factors is None else factors[:step])
            ref = [data[f"{name}/step{step}/{field}"] for field in MLP._fields]
            worst = max(worst, max(float(np.max(np.abs(a - b))) for a, b in zip(r.params, ref)))
        worst = max(worst, float(np.max(np.abs(r.batch_loss - data[f"{name}/loss"]))))
    return worst, meta
