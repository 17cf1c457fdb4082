"""Small experiments behind the notebooks: 01–02 (valley, noise, conventions), 04 (Nesterov), 05 (β).

Each function is pure and returns numbers; the notebooks draw and print them.

- ``source_post_losses`` reruns the source post's β experiment exactly as its code is
  written, and ``SOURCE_POST_CLAIM`` keeps, as a quotation, the table the post printed.
- ``overshoot``, ``settling_step``, ``error_norms`` and ``measured_rate`` measure a path;
  ``compare_overshoot`` runs several methods and measures each.
- ``lookahead_arrows`` takes apart one step of momentum and one of Nesterov momentum.
- ``sutskever_lookahead`` turns Sutskever's iterates θ into his look-ahead points θ + μv.
- ``phase_rates`` and ``loss_after`` scan a grid of (lr, β): in closed form and by simulation.
- ``valley_race`` races gradient descent and momentum along a narrow valley (notebook 01).
- ``stationary_spread``, ``noisy_parabola_runs`` and ``long_run_spread``: how far noisy
  gradients keep the weights from the minimum, in theory and measured on one shared
  noise stream (notebook 02).
- ``convention_paths`` runs the six ways of writing momentum side by side (notebook 02).
- ``shrink_steps`` counts, by simulation, the steps each method at its best settings needs
  to shrink the error a thousandfold, beside the count its rate implies (notebook 05).

References
----------
- I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization and
  momentum in deep learning", ICML 2013 (NAG with μ and ε; its look-ahead point θ + μv).
  https://proceedings.mlr.press/v28/sutskever13.html
- L. Lessard, B. Recht, A. Packard, "Analysis and design of optimization algorithms via
  integral quadratic constraints", SIAM J. Optimization 26(1), 57–95, 2016 (the function
  on which tuned heavy ball cycles). https://doi.org/10.1137/15M1009597
"""

from typing import NamedTuple

import numpy as np

from . import _validate, problems, theory
from ._randomness import draws_random
from .rules import lookahead_point, momentum_step, nesterov_step
from .trajectory import run

#: The β-sensitivity table as the source post printed it, quoted (not computed):
#: β -> (Loss@1, Loss@5, Loss@20). Its own code prints other numbers; see
#: ``source_post_losses``.
SOURCE_POST_CLAIM = {
    0.0: (1.0000, 0.1297, 0.0076),
    0.5: (1.0000, 0.0382, 0.0000),
    0.9: (1.0000, 0.0011, 0.0000),
    0.99: (1.0000, 0.0648, 0.0000),
}
SOURCE_POST_BETAS = (0.0, 0.5, 0.9, 0.99)


def source_post_losses(betas=SOURCE_POST_BETAS, *, lr=0.1, epochs=20, convention="pytorch"):
    """The source post's β experiment: loss before each of ``epochs`` updates, per β.

    The post's code fits y = w·x + b to its normalised salary data
    (x = y = [−1.414, −0.707, 0, 0.707, 1.414]) from w = b = 0 with full-batch
    gradients of the mean squared error, records the loss *before* each update and
    updates with the PyTorch-style velocity v ← β·v + g, w ← w − lr·v. That is
    ``run(..., convention="pytorch")`` on ``problems.salary_regression()``.
    ``convention="ema"`` reruns it with v ← β·v + (1 − β)·g instead.

    Returns
    -------
    ndarray, shape (len(betas), epochs)
        ``losses[i, k - 1]`` is the post's ``Loss@k`` for ``betas[i]`` (shape (epochs,)
        for a scalar β).

    Examples
    --------
    >>> losses = source_post_losses([0.0])
    >>> print(f"{losses[0, 0]:.4f} {losses[0, 4]:.4f}")
    0.9997 0.1678
    """
    epochs = _validate.steps(epochs, name="epochs")
    betas = _validate.momentum_coefficient(betas, name="betas")
    p = problems.salary_regression()
    # The post records the loss before each update: iterates 0 .. epochs-1.
    r = run(p.grad, p.w0, epochs, lr=lr, beta=betas, convention=convention, loss_fn=p.loss)
    return np.moveaxis(r.loss[:epochs], 0, -1)


def loss_at(losses, at=(1, 5, 20)):
    """``Loss@k`` for each k in ``at`` (1-based, as the post counts): ``losses[..., k - 1]``."""
    return np.stack([np.asarray(losses)[..., k - 1] for k in at], axis=-1)


def format_loss_table(betas, table, at=(1, 5, 20)):
    """Text table in the layout of the post: one row per β, one column per ``Loss@k``.

    ``table`` has shape (len(betas), len(at)); NaN prints as ``diverged``.
    """
    head = f"{'β':>5} | " + " | ".join(f"{f'Loss@{k}':>8}" for k in at)
    lines = [head, "-" * len(head)]
    for beta, row in zip(betas, np.asarray(table, dtype=float)):
        cells = " | ".join(f"{x:>8.4f}" if np.isfinite(x) else f"{'diverged':>8}" for x in row)
        lines.append(f"{beta:>5.2f} | {cells}")
    return "\n".join(lines)


# --- notebooks 01–02: a race along a valley, the spread of noisy weights, the conventions ---


class ValleyRace(NamedTuple):
    """Gradient descent and momentum from the same start of ``problems.narrow_valley(κ)``.

    gd, momentum : the two ``RunResult`` (with the loss recorded)
    gd_settled, momentum_settled : the first step from which ‖w − w*‖ stays ≤ ``tol``
        (``settling_step``; −1: not within the run)
    """

    gd: object
    momentum: object
    gd_settled: int
    momentum_settled: int


def valley_race(kappa, *, lr, beta, steps, tol=0.01, convention="ema"):
    """Race gradient descent and momentum (same ``lr`` in ``convention``) along a narrow valley.

    "Settled" is the step from which the distance to the minimum *stays* within
    ``tol``: unlike "the first step below a threshold" it cannot be flattered by the
    trough of a ripple.

    Examples
    --------
    >>> r = valley_race(500.0, lr=1.9, beta=0.9, steps=300, convention="pytorch")
    >>> print(r.gd_settled, r.momentum_settled)
    -1 120
    """
    p = problems.narrow_valley(kappa)
    gd = run(p.grad, p.w0, steps, lr=lr, method="sgd", loss_fn=p.loss)
    mom = run(p.grad, p.w0, steps, lr=lr, beta=beta, convention=convention, loss_fn=p.loss)
    return ValleyRace(gd, mom, int(settling_step(gd.w, p.minimum, tol)),
                      int(settling_step(mom.w, p.minimum, tol)))


def stationary_spread(lr, beta, noise, lam=1.0, convention="ema"):
    """Long-run standard deviation of w on J = ½·λ·w² when every gradient carries noise.

    The gradient is g_t = λ·w_t + σ·ξ_t with ξ_t independent standard normal. In the
    heavy-ball step α (``theory.polyak_step``: α = lr·(1 − β) in the EMA form, lr
    in the PyTorch form) the weights follow w⁺ = (1 + β − αλ)·w − β·w⁻ − ασξ, whose
    stationary variance is

        Var w = (1 + β)·α·σ² / ((1 − β)·λ·(2(1 + β) − αλ)),

    finite for 0 < αλ < 2 + 2β (``inf`` outside). β = 0 gives gradient descent's
    lr·σ²/(λ(2 − lr·λ)); in the EMA form it is lr·σ²/(λ(2 − lr·λ(1 − β)/(1 + β))),
    so at the same EMA lr momentum's spread is never larger than gradient
    descent's, and both tend to √(lr·σ²/(2λ)) as lr·λ → 0.

    Examples
    --------
    >>> print(f"{float(stationary_spread(0.1, 0.0, 1.0)):.4f} {float(stationary_spread(0.1, 0.9, 1.0)):.4f}")
    0.2294 0.2239
    """
    alpha = theory.polyak_step(lr, beta, convention)
    beta = np.asarray(beta, dtype=np.float64)
    noise = _validate.non_negative(noise, "noise")
    lam = _validate.learning_rate(lam, name="lam")
    margin = 2.0 * (1.0 + beta) - alpha * lam
    with np.errstate(divide="ignore", invalid="ignore"):
        var = (1.0 + beta) * alpha * noise ** 2 / ((1.0 - beta) * lam * margin)
        return np.where(margin > 0, np.sqrt(var), np.inf)


@draws_random
def noisy_parabola_runs(lr, beta, noise, steps, *, w0=0.0, lam=1.0, seed=0, convention="ema"):
    """``run`` on J = ½·λ·w² with noisy gradients, every setting fed the *same* noise.

    Step t's gradient is λ·w_t + σ·ξ_t with one ξ_t drawn per step (seeded) and
    shared by all settings, so ``beta=np.array([0.0, 0.9])`` compares gradient
    descent and momentum on one noise stream: their difference is then the method's,
    not the luck of the draw. (``problems.noisy`` draws fresh noise per setting.)

    Returns a ``RunResult`` with settings shape broadcast(lr, beta) and weights of shape (1,).
    """
    noise = float(_validate.non_negative(noise, "noise"))
    steps = _validate.steps(steps)
    lam = float(_validate.learning_rate(lam, name="lam"))
    xi = np.random.default_rng(seed).standard_normal(steps)
    calls = iter(range(steps))

    def grad(w):
        return lam * w + noise * xi[next(calls)]

    return run(grad, [w0], steps, lr=lr, beta=beta, convention=convention)


def long_run_spread(lr, beta, noise, *, lam=1.0, steps=40_000, burn_in=2_000, seed=0,
                    convention="ema", of="w"):
    """Measured standard deviation of w over a long noisy run (steps ``burn_in`` … ``steps``).

    Starts at the minimum, feeds every setting the same noise stream
    (``noisy_parabola_runs``) and discards the first ``burn_in`` steps. NaN for a
    setting that diverged. Compare with ``stationary_spread``. ``of="v"`` or
    ``of="g"`` measures the velocity or the (noisy) gradients instead of w.

    Examples
    --------
    >>> s = long_run_spread(0.1, np.array([0.0, 0.9]), 1.0)
    >>> print(" ".join(f"{x:.3f}" for x in s))
    0.230 0.225
    """
    burn_in = _validate.steps(burn_in, name="burn_in")
    if not steps > burn_in + 1:
        raise ValueError(f"steps must exceed burn_in + 1; got steps={steps}, burn_in={burn_in}")
    series = {"w": 0, "v": 1, "g": 2}
    if of not in series:
        raise ValueError(f"of must be one of 'w', 'v', 'g'; got {of!r}")
    r = noisy_parabola_runs(lr, beta, noise, steps, lam=lam, seed=seed, convention=convention)
    spread = np.std(r[series[of]][burn_in:, ..., 0], axis=0)
    return np.where(r.diverged, np.nan, spread)


#: The six ways of writing momentum in notebook 02, with the names each uses:
#: name -> (emulation, name of its learning-rate argument, name of its β argument).
CONVENTIONS = {
    "PyTorch": ("pytorch_sgd", "lr", "momentum"),
    "Keras": ("keras_sgd", "learning_rate", "momentum"),
    "Optax": ("optax_sgd", "learning_rate", "momentum"),
    "Sutskever": ("sutskever_momentum", "lr", "momentum"),
    "Polyak": ("polyak_heavy_ball", "lr", "beta"),
    "EMA form": ("ema_momentum", "lr", "beta"),
}


def convention_paths(grad_fn, w0, steps, *, lr, beta, schedule=None):
    """Every entry of ``CONVENTIONS`` set to take PyTorch's steps (lr, β), and its iterates.

    The EMA form gets lr/(1 − β) (``frameworks.pytorch_lr_to_ema_lr``); every other
    its own names for lr and β. ``schedule`` (optional) maps the step t = 0, 1, …
    to a factor on the learning rate, e.g. ``lambda t: 1.0 if t < 10 else 0.1``.

    Returns
    -------
    dict
        ``{name: (hyperparameters, iterates)}``; hyperparameters as passed (the
        learning rate as its value at step 0), iterates of shape (steps + 1, *w0.shape).

    Examples
    --------
    >>> out = convention_paths(lambda w: w, [1.0], 3, lr=0.1, beta=0.9)
    >>> print({name: round(float(w[3, 0]), 4) for name, (_, w) in out.items()})
    {'PyTorch': 0.486, 'Keras': 0.486, 'Optax': 0.486, 'Sutskever': 0.486, 'Polyak': 0.486, 'EMA form': 0.486}
    """
    from . import frameworks

    out = {}
    for name, (function, lr_name, beta_name) in CONVENTIONS.items():
        base = float(frameworks.pytorch_lr_to_ema_lr(lr, beta)) if name == "EMA form" else lr
        rate = base if schedule is None else (lambda t, base=base: base * schedule(t))
        kwargs = {lr_name: base, beta_name: beta}
        w = frameworks.EMULATIONS[function](grad_fn, w0, steps, **{**kwargs, lr_name: rate})
        out[name] = (kwargs, w)
    return out


# --- measuring a path -------------------------------------------------------------------


def _param_axes(w, param_ndim):
    return tuple(range(np.ndim(w) - param_ndim, np.ndim(w)))


def error_norms(w, w_star, param_ndim=1):
    """‖w_t − w*‖ over the last ``param_ndim`` axes: shape (steps+1, *S) for w of (steps+1, *S, *P)."""
    w = np.asarray(w, dtype=float)
    e = w - np.asarray(w_star, dtype=float)
    return np.sqrt(np.sum(e * e, axis=_param_axes(w, param_ndim)))


def overshoot(w, w_star):
    """Largest distance past the minimum, per coordinate, on the side away from the start.

    For each coordinate the start fixes the side of approach, s = sign(w_0 − w*);
    the overshoot is max over t of max(0, −s·(w_t − w*)): how far the path ran
    beyond w* before coming back. Zero for a monotone approach.

    Parameters
    ----------
    w : array_like, shape (steps+1, ...)
        A path, first axis time (as ``RunResult.w``); NaN steps are ignored.
    w_star : array_like
        The minimum, broadcasting against ``w[0]``.

    Returns
    -------
    ndarray, shape ``w.shape[1:]``

    Examples
    --------
    >>> print(overshoot([[1.0], [-0.3], [0.1], [-0.05]], 0.0))
    [0.3]
    """
    w = np.asarray(w, dtype=float)
    e = w - np.asarray(w_star, dtype=float)
    side = np.sign(e[0])
    past = np.where(np.isnan(e), 0.0, -side * e)
    return np.maximum(np.max(past, axis=0), 0.0)


def settling_step(w, w_star, tol, param_ndim=1):
    """First step t after which ‖w_s − w*‖ ≤ ``tol`` for every s ≥ t; −1 if the path never settles.

    A path that diverged (NaN entries) never settles.

    Examples
    --------
    >>> int(settling_step([[1.0], [0.5], [-0.05], [0.2], [0.01], [0.0]], 0.0, tol=0.1))
    4
    """
    errors = error_norms(w, w_star, param_ndim)
    outside = ~(errors <= tol)        # NaN counts as outside
    n = errors.shape[0]
    # index of the last step outside the tolerance, counted from the end
    last_out = n - 1 - np.argmax(outside[::-1], axis=0)
    settled = np.where(outside.any(axis=0), last_out + 1, 0)
    return np.where(settled < n, settled, -1)


def measured_rate(errors, *, window=20, floor=1e-150):
    """The per-step contraction factor read off a simulated error sequence.

    With ``T`` the last step whose error is finite and above ``floor`` (later steps
    have underflowed, reached rounding level or diverged; earlier unusable steps are skipped), find the step ``i`` with
    the largest error in a window starting at ``T // 2`` and the step ``j`` with the
    largest error in a window ending at ``T``; then

        rate = (e[j] / e[i]) ** (1 / (j − i))

    Window maxima sit on the crests of an oscillating (underdamped) error, so the
    ratio follows its envelope rather than its zero crossings. On a quadratic the
    result tends to the spectral radius that ``momentum_lib.theory`` gives in closed
    form; it is > 1 for a path that grows (up to the step where ``run`` declared it
    diverged).

    Parameters
    ----------
    errors : array_like, shape (steps+1, *S)
        Error norms from ``error_norms``.
    window : int
        Width of the two windows; make it longer than half an oscillation.
    floor : float
        Errors at or below this are ignored (underflow, rounding noise).

    Returns
    -------
    ndarray, shape S

    Examples
    --------
    >>> e = 0.9 ** np.arange(200.0)
    >>> print(f"{float(measured_rate(e)):.4f}")
    0.9000
    """
    e = np.asarray(errors, dtype=float)
    n = e.shape[0]
    usable = np.isfinite(e) & (e > floor)
    # T: the last usable step (an error that lands exactly on 0 mid-run, as a 1-D path that
    # steps straight onto the minimum does, is passed over, not taken for the end)
    T = n - 1 - np.argmax(usable[::-1], axis=0)
    T = np.maximum(T, 1)
    half = T // 2
    width = np.clip(np.minimum(window, (T - half) // 2), 1, None)
    k = np.arange(window).reshape((window,) + (1,) * (e.ndim - 1))
    inside = k < width
    with np.errstate(divide="ignore"):
        log_e = np.log(np.where(usable, e, 0.0))
    early_idx, late_idx = np.clip(half + k, 0, n - 1), np.clip(T - k, 0, n - 1)
    early_log, late_log = (np.take_along_axis(log_e, idx, axis=0) for idx in (early_idx, late_idx))

    def crest(idx, logs, log_rate):
        # The largest error in a window is biased towards the window's first step;
        # dividing by rate**step first finds the crest of the oscillation instead.
        score = np.where(inside, logs - idx * log_rate, -np.inf)
        best = np.argmax(score, axis=0)[None]
        return np.take_along_axis(idx, best, axis=0)[0], np.take_along_axis(logs, best, axis=0)[0]

    log_rate = np.zeros(T.shape)
    with np.errstate(invalid="ignore"):
        for _ in range(4):      # a fixed point: the crests depend on the rate they measure
            i, log_i = crest(early_idx, early_log, log_rate)
            j, log_j = crest(late_idx, late_log, log_rate)
            gap = j - i
            log_rate = np.where(gap > 0, (log_j - log_i) / np.maximum(gap, 1), 0.0)
    return np.where(gap > 0, np.exp(log_rate), np.nan)


# --- Nesterov ----------------------------------------------------------------------------


class LookAhead(NamedTuple):
    """One step of momentum and one of Nesterov momentum from the same state (w, v).

    w, v : the state
    w_look : the look-ahead point w − lr·β·v, where the velocity alone would carry w
    g, g_look : the gradient at w and at w_look
    w_momentum, w_nesterov : where each method lands after the step
    """

    w: np.ndarray
    v: np.ndarray
    w_look: np.ndarray
    g: np.ndarray
    g_look: np.ndarray
    w_momentum: np.ndarray
    w_nesterov: np.ndarray


def lookahead_arrows(grad_fn, w, v, *, lr, beta, convention="ema"):
    """Everything needed to draw the look-ahead idea at one state (w, v).

    Both methods first coast by −lr·β·v (to ``w_look``); momentum then adds
    −lr·(1−β)·g(w) (EMA form), Nesterov −lr·(1−β)·g(w_look).

    Examples
    --------
    >>> la = lookahead_arrows(lambda w: w, [1.0], [-1.0], lr=0.5, beta=0.5)
    >>> print(la.w_look, la.w_momentum, la.w_nesterov)
    [1.25] [1.] [0.9375]
    """
    w = _validate.finite("w", w)
    v = _validate.finite("v", v)
    w_look = lookahead_point(w, v, lr, beta)
    g = _validate.call_grad(grad_fn, w)
    g_look = _validate.call_grad(grad_fn, w_look)
    w_m, _ = momentum_step(w, v, g, lr, beta, convention)
    w_n, _ = nesterov_step(w, v, grad_fn, lr, beta, convention)
    return LookAhead(w, v, w_look, g, g_look, w_m, w_n)


def sutskever_lookahead(theta, mu):
    """Sutskever's look-ahead points θ_t + μ·v_t from his iterates θ (v_t = θ_t − θ_{t−1}, v_0 = 0).

    ``torch.optim.SGD(nesterov=True)``, Keras and Optax store this point as their
    iterate (their sources: ``torch/optim/sgd.py``, ``keras/src/optimizers/sgd.py``,
    ``optax.trace``; ``frameworks`` emulates each, and the tests check the emulations
    against the libraries), so their paths equal ``sutskever_lookahead`` of
    Sutskever's NAG path with ε = lr.

    Parameters
    ----------
    theta : array_like, shape (steps+1, ...)
    mu : float

    Examples
    --------
    >>> print(sutskever_lookahead([1.0, 0.8, 0.5], 0.5))
    [1.   0.7  0.35]
    """
    theta = np.asarray(theta, dtype=float)
    v = np.zeros_like(theta)
    v[1:] = theta[1:] - theta[:-1]
    return theta + mu * v


class Overshoot(NamedTuple):
    """One method's run and how it approached the minimum.

    run : the ``RunResult``
    overshoot : largest distance past the minimum per coordinate (``overshoot``)
    settled : first step from which it stays within ``tol`` (``settling_step``; −1: never)
    """

    run: object
    overshoot: np.ndarray
    settled: int


def compare_overshoot(problem, *, lr, beta, steps, tol, methods=("momentum", "nesterov"),
                      convention="ema"):
    """Run each of ``methods`` from ``problem.w0`` with the same lr and β and measure the overshoot.

    Returns
    -------
    dict
        ``{method: Overshoot}``.

    Examples
    --------
    >>> out = compare_overshoot(problems.parabola(), lr=2.0, beta=0.9, steps=100, tol=0.05)
    >>> print(f"{out['momentum'].overshoot[0]:.3f} {out['nesterov'].overshoot[0]:.3f}")
    0.709 0.333
    """
    out = {}
    for method in methods:
        r = run(problem.grad, problem.w0, steps, lr=lr, beta=beta, method=method,
                convention=convention)
        out[method] = Overshoot(r, overshoot(r.w, problem.minimum),
                                int(settling_step(r.w, problem.minimum, tol)))
    return out


# --- scanning (lr, β) ----------------------------------------------------------------------


def phase_rates(lr, beta, lams, *, method="momentum", convention="pytorch"):
    """Closed-form convergence rate on a quadratic with curvatures ``lams``, over a (β, lr) grid.

    The rate of a quadratic is the slowest of its eigendirections:
    max over λ in ``lams`` of ``theory.rate(lr, β, λ)`` (``theory.worst_rate``). ≥ 1 means divergence.

    Parameters
    ----------
    lr : array_like, shape (n,)
    beta : array_like, shape (m,)
    lams : sequence of float
        The curvatures (Hessian eigenvalues), e.g. ``problem.curvatures``.

    Returns
    -------
    ndarray, shape (m, n)
        Row i, column j is the rate at (lr[j], beta[i]): β up, lr across, as ``imshow`` draws.
    """
    lr = np.asarray(lr, dtype=float)[None, :]
    beta = np.asarray(beta, dtype=float)[:, None]
    return theory.worst_rate(lr, beta, lams, method=method, convention=convention)


def loss_after(problem, steps, *, lr, beta, method="momentum", convention="pytorch"):
    """Loss of ``problem`` after ``steps`` steps for every (lr, β) setting at once (NaN: diverged).

    One vectorised ``run``; ``lr`` and ``beta`` broadcast to the settings shape.
    """
    r = run(problem.grad, problem.w0, steps, lr=lr, beta=beta, method=method,
            convention=convention, loss_fn=problem.loss)
    return r.loss[steps]


# --- near the minimum: momentum and Nesterov from the same state (notebook 04) ------------


class StepDifference(NamedTuple):
    """Momentum's and Nesterov's next steps from the states (w_t, v_t) of one run.

    absolute : (steps,)  |Nesterov's step − momentum's step|, from the same state
    step : (steps,)      |momentum's step| from that state
    window_starts : (n,) first step of each window
    relative : (n,)      Σ absolute / Σ step over each window of ``window`` steps
    """

    absolute: np.ndarray
    step: np.ndarray
    window_starts: np.ndarray
    relative: np.ndarray


def step_difference(problem, *, lr, beta, steps, method="momentum", window=20, convention="ema"):
    """How much Nesterov's step differs from momentum's at every state of a run of ``method``.

    From each state (w_t, v_t), momentum moves by −lr·(βv + (1−β)∇J(w)) and Nesterov by
    −lr·(βv + (1−β)∇J(w − lr·β·v)) (EMA form). On a quadratic with Hessian H the
    difference is lr²·β(1−β)·H·v: it shrinks with the state, and so does the step, so
    the *relative* difference does not. An underdamped step passes near zero at every
    turn, so the relative difference is summed over windows (one ratio per window)
    rather than taken step by step.

    Examples
    --------
    >>> d = step_difference(problems.parabola(), lr=2.0, beta=0.9, steps=200)
    >>> print(f"{d.absolute[1]:.3f} {d.absolute[-1]:.1e} {d.relative[-1]:.2f}")
    0.036 1.1e-06 0.19
    """
    steps = _validate.steps(steps)
    window = _validate.steps(window, name="window")
    if window > steps:
        raise ValueError(f"window ({window}) must not exceed steps ({steps})")
    r = run(problem.grad, problem.w0, steps, lr=lr, beta=beta, method=method, convention=convention)
    w, v = r.w[:-1], r.v[:-1]
    g, g_look = problem.grad(w), problem.grad(lookahead_point(w, v, lr, beta))
    w_m, _ = momentum_step(w, v, g, lr, beta, convention)
    w_n, _ = momentum_step(w, v, g_look, lr, beta, convention)
    absolute = np.linalg.norm(w_n - w_m, axis=-1)
    step = np.linalg.norm(w_m - w, axis=-1)
    starts = np.arange(0, steps - window + 1, window)
    relative = np.array([absolute[s:s + window].sum() / step[s:s + window].sum() for s in starts])
    return StepDifference(absolute, step, starts, relative)


# --- why momentum is optimal (notebook 05) -----------------------------------------------


def hessian_of(problem):
    """The Hessian of a quadratic ``problem``, column by column: H·eᵢ = ∇J(w* + eᵢ)."""
    d = np.size(problem.minimum)
    eye = np.eye(d)
    return np.stack([problem.grad(problem.minimum + eye[i]) for i in range(d)], axis=-1)


class EigenRun(NamedTuple):
    """A quadratic run taken apart into its eigendirections.

    curvatures : (d,)        eigenvalues λᵢ of H, ascending
    basis : (d, d)           orthonormal eigenvectors qᵢ as columns (H = Q·diag(λ)·Qᵀ)
    matrices : (d, 2, 2)     ``theory.iteration_matrix`` of each direction
    u : (steps+1, d)         uᵢ,t = qᵢ·(w_t − w*), advanced by the 2×2 matrices alone
    w : (steps+1, d)         w* + Q·u_t: the per-direction runs rotated back
    """

    curvatures: np.ndarray
    basis: np.ndarray
    matrices: np.ndarray
    u: np.ndarray
    w: np.ndarray


def eigen_run(problem, steps, *, lr, beta, method="momentum", convention="ema"):
    """Run ``method`` on a quadratic one eigendirection at a time, with 2×2 matrices only.

    u = Qᵀ(w − w*) turns ∇J(w) = H(w − w*) into λᵢ·uᵢ per coordinate, so each uᵢ follows
    (uᵢ,t+1, uᵢ,t) = Mᵢ·(uᵢ,t, uᵢ,t−1) with uᵢ,−1 = uᵢ,0 (the run starts at rest). The
    result rotated back, ``w``, equals ``run`` on the problem itself up to rounding.
    """
    steps = _validate.steps(steps)
    lams, basis = np.linalg.eigh(hessian_of(problem))
    # eigh's signs are arbitrary: point each eigenvector along its largest component
    basis = basis * np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(lams.size)])
    matrices = theory.iteration_matrix(lr, beta, lams, method=method, convention=convention)
    u = np.empty((steps + 1, lams.size))
    u[0] = basis.T @ (np.asarray(problem.w0, dtype=float) - problem.minimum)
    state = np.stack([u[0], u[0]], axis=-1)          # (d, 2): (u_t, u_{t−1})
    for t in range(steps):
        state = np.einsum("dij,dj->di", matrices, state)
        u[t + 1] = state[:, 0]
    return EigenRun(lams, basis, matrices, u, problem.minimum + u @ basis.T)


def grid_best_rate(kappa, *, method="momentum", n=200, rounds=6, lam_points=65,
                   convention="pytorch"):
    """The best (lr, β) for curvatures in [1/κ, 1], found by brute force (no formula used).

    The worst rate over ``lam_points`` curvatures spread geometrically over [1/κ, 1]
    (ends included) is minimised over an n×n grid of (lr, β) in the PyTorch form, and
    the grid is narrowed around the best cell ``rounds`` times. A check on the closed
    forms of ``theory.optimal_parameters`` (e.g. Nesterov's 1 − 2/√(3κ+1)).
    """
    kappa = float(_validate.finite("kappa", kappa))
    if kappa < 1:
        raise ValueError(f"kappa must be a finite number >= 1; got {kappa}")
    if convention != "pytorch":
        raise ValueError("grid_best_rate searches the PyTorch form; convert with theory.polyak_step")
    lams = np.geomspace(1.0 / kappa, 1.0, lam_points)
    lr_lo, lr_hi = 1e-3, float(theory.max_stable_lr(0.999, 1.0, method=method, convention="pytorch"))
    b_lo, b_hi = 0.0, 0.999
    for _ in range(rounds):
        lr_grid = np.linspace(lr_lo, lr_hi, n)
        b_grid = np.zeros(1) if method == "sgd" else np.linspace(b_lo, b_hi, n)
        rates = phase_rates(lr_grid, b_grid, lams, method=method, convention="pytorch")
        i, j = np.unravel_index(np.argmin(rates), rates.shape)
        lr_best, b_best, best = lr_grid[j], b_grid[i], rates[i, j]
        d_lr, d_b = 4 * (lr_hi - lr_lo) / n, 4 * (b_hi - b_lo) / n
        lr_lo, lr_hi = max(lr_best - d_lr, 1e-6), lr_best + d_lr
        b_lo, b_hi = max(b_best - d_b, 0.0), min(b_best + d_b, 0.9999)
    return theory.Optimum(float(lr_best), float(b_best), float(best))


class ShrinkSteps(NamedTuple):
    """Steps to shrink the error by ``factor``, one entry per κ.

    implied : ⌈ln factor / ln rate⌉ from the closed-form rate (``theory.steps_to_shrink``)
    counted : by simulation from the valley's start, the first step from which
              ‖w_t − w*‖ ≤ factor·‖w_0 − w*‖ for the rest of the run (−1: not within it)
    settings : the ``theory.Optimum`` of each κ (PyTorch form)
    steps : the length of the simulated run
    """

    implied: np.ndarray
    counted: np.ndarray
    settings: tuple
    steps: int


def shrink_steps(kappas, factor=1e-3, *, method="momentum", tuning="classic", w0=(-3.0, 1.0)):
    """How many steps ``method`` at its best settings needs on ``narrow_valley(κ)``: implied and counted.

    The settings are ``theory.optimal_parameters(κ, method=..., tuning=...)`` in the
    PyTorch form. The rate implies ⌈ln factor / ln rate⌉ steps; a real run from ``w0``
    can need more, because at heavy ball's optimum both directions are critically
    damped and the error carries a factor t besides rateᵗ. All κ run at once (one
    vectorised ``run`` of 2 × the largest implied count + 100 steps).

    Examples
    --------
    >>> s = shrink_steps([10.0, 100.0])
    >>> s.implied.tolist(), s.counted.tolist()
    ([11.0, 35.0], [15, 52])
    """
    kappas = np.atleast_1d(np.asarray(_validate.finite("kappas", kappas), dtype=np.float64))
    if kappas.ndim != 1 or np.any(kappas < 1):
        raise ValueError(f"kappas must be a 1-D list of condition numbers >= 1; got {kappas}")
    if not 0 < factor < 1:
        raise ValueError(f"factor must lie in (0, 1); got {factor!r}")
    settings = tuple(theory.optimal_parameters(k, method=method, tuning=tuning, convention="pytorch")
                     for k in kappas)
    implied = theory.steps_to_shrink([s.rate for s in settings], factor)
    steps = int(2 * implied.max() + 100)
    lam = np.stack([1.0 / kappas, np.ones_like(kappas)], axis=-1)      # (κ, 2): along, across
    lr = np.array([s.lr for s in settings])
    beta = np.array([s.beta for s in settings])
    r = run(lambda w: np.asarray(w, dtype=np.float64) * lam, w0, steps, lr=lr, beta=beta,
            method=method, convention="pytorch")
    start = np.asarray(w0, dtype=np.float64)
    counted = settling_step(r.w, 0.0, factor * float(np.linalg.norm(start)))
    return ShrinkSteps(implied, counted.astype(int), settings, steps)


# --- figure data for notebook 05 ---------------------------------------------------------


def loss_with_envelope(problem, steps, *, lr, betas, convention="pytorch"):
    """The loss of one run per β, and J₀·rate^(2t) with each β's closed-form rate.

    Returns ``(loss, envelope, rates)`` with shapes (steps+1, n), (steps+1, n), (n,).
    The loss is quadratic in the error, so it shrinks like rate² per step.
    """
    betas = np.asarray(betas, dtype=float)
    r = run(problem.grad, problem.w0, steps, lr=lr, beta=betas, convention=convention,
            loss_fn=problem.loss)
    rates = theory.worst_rate(lr, betas, problem.curvatures, convention=convention)
    t = np.arange(steps + 1)[:, None]
    return r.loss, r.loss[0] * rates[None, :] ** (2 * t), rates


def loss_vs_beta(kappas, beta_grid, steps, *, convention="pytorch"):
    """For each κ: the loss after ``steps`` steps on ``narrow_valley(κ)`` over ``beta_grid``,
    at that κ's best learning rate η* (``theory.optimal_parameters``).

    Returns ``{κ: (optimum, losses)}``; NaN marks a diverged setting.
    """
    out = {}
    for kappa in kappas:
        best = theory.optimal_parameters(kappa, convention=convention)
        out[kappa] = (best, loss_after(problems.narrow_valley(kappa), steps, lr=best.lr,
                                       beta=np.asarray(beta_grid, dtype=float),
                                       convention=convention))
    return out


# --- beyond quadratics (notebook 04) -----------------------------------------------------


def lessard_counterexample(w0=3.3):
    """Lessard, Recht and Packard's (2016) 1-D function on which tuned heavy ball cycles.

    J(w) = 25w²/2 for w < 1;  w²/2 + 24w − 12 for 1 ≤ w < 2;  25w²/2 − 24w + 36 for w ≥ 2.
    It is smooth and strongly convex with curvature between μ = 1 and L = 25 (κ = 25),
    but not quadratic: its curvature jumps between 1 and 25. Heavy ball with the
    quadratic-optimal (η, β) for κ = 25 falls into a cycle of period 3 from starts such
    as w = 3.3; Nesterov's method converges (its guarantee covers every such function).

    ``curvatures`` holds (μ, L), the range of its curvature, not a constant Hessian.

    Examples
    --------
    >>> p = lessard_counterexample()
    >>> print(p.grad(np.array([0.5, 1.5, 2.5])))
    [12.5 25.5 38.5]
    """
    def loss(w):
        w = np.asarray(w, dtype=np.float64)[..., 0]
        return np.where(w < 1, 12.5 * w * w,
                        np.where(w < 2, 0.5 * w * w + 24 * w - 12, 12.5 * w * w - 24 * w + 36))

    def grad(w):
        w = np.asarray(w, dtype=np.float64)
        return np.where(w < 1, 25 * w, np.where(w < 2, w + 24, 25 * w - 24))

    return problems.Problem("Lessard–Recht–Packard function", loss, grad,
                            np.array([float(w0)]), np.array([1.0, 25.0]), np.zeros(1))
