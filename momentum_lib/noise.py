"""Momentum with noisy gradients: the noise model, the effective learning rate, the noise floor.

The noise model. Each step sees the true gradient plus noise,

    g_t = ∇J(w_t) + ξ_t,

either additive Gaussian noise ξ_t ~ N(0, σ²·I) on a quadratic J(w) = ½·Σ λᵢ·wᵢ²
(``noisy_quadratic_run``), or the noise of real mini-batches: the mean gradient
of B examples drawn from a data set (``minibatch_run`` on ``LeastSquares``).

Everything is in the **PyTorch form** b ← β·b + g, w ← w − η·b (Polyak's heavy
ball with α = η) unless ``convention="ema"`` is given; the EMA form with η is the
PyTorch form with η·(1 − β).

The effective learning rate. When the gradient changes slowly compared with the
velocity's memory, b settles at g/(1 − β), so momentum moves like plain SGD with
η/(1 − β) (``effective_lr``).

The noise floor. On one direction of curvature λ with additive noise of variance
σ², the weights of heavy ball do not converge; they fluctuate around the minimum
with the stationary variance (``stationary_variance``, derived in notebook 06)

    Var(w) = α·σ²·(1 + β) / (λ·(1 − β)·(2(1 + β) − α·λ)),    α = η (PyTorch form).

Written with the effective learning rate η_eff = α/(1 − β) this is
η_eff·σ² / (λ·(2 − η_eff·λ·(1 − β)/(1 + β))): about η_eff·σ²/(2λ), the same as
plain SGD with η_eff. Momentum does not average the noise out of the weights.

Exact expectations. Everything here is linear in w, so the mean and the second moment of the
weights follow exact recursions (``expected_moments``, ``expected_loss``): the expected loss
of a noisy run at every step, without sampling. For mini-batches of least squares the noise
itself depends on w; ``minibatch_stationary_covariance`` includes that part exactly.

References
----------
B. T. Polyak (1964), Some methods of speeding up the convergence of iteration methods,
USSR Comput. Math. Math. Phys. 4(5), 1–17. https://doi.org/10.1016/0041-5553(64)90137-5
(heavy ball).
S. L. Smith, P.-J. Kindermans, Q. V. Le (2018), Don't Decay the Learning Rate, Increase the
Batch Size, ICLR. https://arxiv.org/abs/1711.00489 (the noise scale of SGD with momentum
grows like η/(B(1 − β))).
P. Jain, S. M. Kakade, R. Kidambi, P. Netrapalli, A. Sidford (2018), Accelerating Stochastic
Gradient Descent for Least Squares Regression, COLT. https://arxiv.org/abs/1704.08227
(second moments of momentum-type SGD on least squares, with the fourth-moment term of the
sampled gradient).
"""

from typing import NamedTuple

import numpy as np

from . import _validate
from ._randomness import draws_random
from .theory import polyak_step


def effective_lr(lr, beta, convention="pytorch"):
    """η/(1 − β) in the PyTorch form (η itself in the EMA form): the step plain SGD would need.

    >>> print(f"{float(effective_lr(0.01, 0.9)):.2f}")
    0.10
    """
    return polyak_step(lr, beta, convention) / (1.0 - np.asarray(beta, dtype=np.float64))


def stationary_variance(lr, beta, lam, sigma, convention="pytorch"):
    """Long-run variance of w for heavy ball on ½·λ·w² with gradient noise of std σ.

    Var(w) = α·σ²·(1 + β) / (λ·(1 − β)·(2(1 + β) − α·λ)), α = ``polyak_step(lr, beta)``;
    infinite where the method is unstable (α·λ ≥ 2 + 2β). β = 0 gives plain SGD's
    α·σ²/(λ·(2 − α·λ)). Broadcasts over all arguments.

    >>> print(f"{float(stationary_variance(0.1, 0.0, 1.0, 1.0)):.6f}")
    0.052632
    """
    alpha = polyak_step(lr, beta, convention)
    beta = np.asarray(beta, dtype=np.float64)
    lam = _validate.learning_rate(lam, name="lam")
    sigma = _validate.non_negative(sigma, "sigma")
    room = 2.0 * (1.0 + beta) - alpha * lam
    with np.errstate(divide="ignore", invalid="ignore"):
        var = alpha * sigma ** 2 * (1.0 + beta) / (lam * (1.0 - beta) * room)
    return np.where(room > 0, var, np.inf)


def loss_floor(lr, beta, lams, sigma, convention="pytorch"):
    """Long-run mean loss E[J] = ½·Σᵢ λᵢ·Var(wᵢ) on J = ½·Σ λᵢwᵢ² with noise N(0, σ²I).

    ``lams`` is the last axis; the rest broadcasts.
    """
    lams = _validate.learning_rate(lams, name="lams")
    lr, beta, sigma = (np.asarray(a, dtype=np.float64)[..., None] for a in (lr, beta, sigma))
    return 0.5 * np.sum(lams * stationary_variance(lr, beta, lams, sigma, convention), axis=-1)


def iteration_matrix(lr, beta, hessian, convention="pytorch"):
    """A of the state s_t = (w_t, w_{t−1}): s_{t+1} = A·s_t − (α·ξ_t, 0).

    w_{t+1} = w_t − α·(H·w_t + ξ_t) + β·(w_t − w_{t−1}), so
    A = [[(1 + β)·I − α·H, −β·I], [I, 0]] (size 2n for an n×n Hessian H).
    """
    H = np.atleast_2d(_validate.finite("hessian", hessian))
    alpha = float(polyak_step(lr, beta, convention))
    beta = float(beta)
    n = H.shape[0]
    eye = np.eye(n)
    return np.block([[(1.0 + beta) * eye - alpha * H, -beta * eye], [eye, np.zeros((n, n))]])


def lyapunov_covariance(A, Q):
    """The stationary covariance P of s_{t+1} = A·s_t + e_t, Cov(e) = Q: P = A·P·Aᵀ + Q.

    Solved as (I − A⊗A)·vec(P) = vec(Q); needs every eigenvalue of A inside the unit
    circle (else there is no stationary state and ``ValueError`` is raised).
    """
    A, Q = np.asarray(A, dtype=np.float64), np.asarray(Q, dtype=np.float64)
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1.0:
        raise ValueError("the recursion is unstable (spectral radius of A >= 1): no stationary covariance")
    m = A.shape[0]
    P = np.linalg.solve(np.eye(m * m) - np.kron(A, A), Q.reshape(-1)).reshape(m, m)
    return 0.5 * (P + P.T)


def stationary_covariance(lr, beta, hessian, noise_cov, convention="pytorch"):
    """Long-run covariance of w for heavy ball on ½·wᵀHw with gradient noise of covariance C.

    The upper-left block of ``lyapunov_covariance(A, Q)`` with A = ``iteration_matrix``
    and Q = [[α²·C, 0], [0, 0]]. For a 1×1 H and C this equals ``stationary_variance``.
    """
    A = iteration_matrix(lr, beta, hessian, convention)
    n = A.shape[0] // 2
    C = np.atleast_2d(_validate.finite("noise_cov", noise_cov))
    alpha = float(polyak_step(lr, beta, convention))
    Q = np.zeros_like(A)
    Q[:n, :n] = alpha ** 2 * C
    return lyapunov_covariance(A, Q)[:n, :n]


@draws_random
def gaussian_noise(steps, shape, seed):
    """A reproducible stream of standard normal noise, shape (steps, *shape).

    Scale it by σ. Passing the same stream to two runs compares them on a
    *common noise stream*: any difference is the method's, not the luck of the draw.
    """
    steps = _validate.steps(steps)
    return np.random.default_rng(seed).standard_normal((steps, *tuple(np.atleast_1d(shape))))


class NoisyRun(NamedTuple):
    """w: (steps+1, *S, n) iterates; loss: (steps+1, *S) the true loss J(w_t)."""
    w: np.ndarray
    loss: np.ndarray


def noisy_quadratic_run(lams, w0, lr, beta, sigma, noise, *, lr_schedule=None,
                        convention="pytorch"):
    """Heavy ball on J = ½·Σ λᵢwᵢ² with gradients λ·w + σ·ξ_t, for many settings at once.

    Parameters
    ----------
    lams : (n,) curvatures.   w0 : (n,) start.
    lr, beta, sigma : arrays broadcasting to the settings shape S (β = 0: plain SGD).
    noise : (steps, *S', n) standard normal stream (``gaussian_noise``); S' broadcasts
        against S, e.g. (steps, chains, 1, n) with S = (chains, methods) shares each
        chain's noise between the methods.
    lr_schedule : (steps,) optional factors multiplying η at each step (decay, warm-up).

    Diverging settings become NaN from the step they leave |w| ≤ 1e6.
    """
    lams = _validate.learning_rate(lams, name="lams")
    w0 = _validate.finite("w0", w0)
    noise = _validate.finite("noise", noise)
    _validate.convention(convention)
    lr = _validate.learning_rate(lr)
    beta = _validate.momentum_coefficient(beta)
    sigma = _validate.non_negative(sigma, "sigma")
    alpha = polyak_step(lr, beta, convention)[..., None]
    beta_b, sigma_b = beta[..., None], sigma[..., None]
    steps = noise.shape[0]
    factors = np.ones(steps) if lr_schedule is None else _validate.finite("lr_schedule", lr_schedule)
    if factors.shape != (steps,):
        raise ValueError(f"lr_schedule must have shape ({steps},), one factor per step; got {factors.shape}")
    shape = np.broadcast_shapes(alpha.shape, beta_b.shape, sigma_b.shape, noise.shape[1:], w0.shape)
    w = np.broadcast_to(w0, shape).copy()
    b = np.zeros(shape)
    ws = np.empty((steps + 1,) + shape)
    ws[0] = w
    with np.errstate(all="ignore"):
        for t in range(steps):
            b = beta_b * b + (lams * w + sigma_b * noise[t])
            w = w - (alpha * factors[t]) * b
            ws[t + 1] = w
        ws[~(np.abs(ws) <= 1e6)] = np.nan
        bad = np.isnan(ws).any(axis=-1, keepdims=True)
        ws = np.where(np.maximum.accumulate(bad, axis=0), np.nan, ws)
    return NoisyRun(ws, 0.5 * np.sum(lams * ws ** 2, axis=-1))


# ---------------------------------------------------------------- exact expectations

class Moments(NamedTuple):
    """mean: E[w_t], second: E[w_t²], per direction; both (steps+1, *S, n)."""
    mean: np.ndarray
    second: np.ndarray


def expected_moments(lams, w0, lr, beta, sigma, steps, *, lr_schedule=None, convention="pytorch"):
    """E[w_t] and E[w_t²] of ``noisy_quadratic_run`` from ``w0``, exactly, for t = 0 … steps.

    Per direction the run is linear in the state (w, b):
    b' = β·b + λ·w + σ·ξ,  w' = w − α·f_t·b'  (f_t the schedule factor), so the mean m and the
    covariance S of the state follow m' = M·m and S' = M·S·Mᵀ + q·qᵀ with
    M = [[1 − α·f_t·λ, −α·f_t·β], [λ, β]] and q = σ·(−α·f_t, 1). E[w²] = m_w² + S_ww.
    The mean of the true loss is ½·Σ λᵢ·E[wᵢ²] (``expected_loss``); a Monte Carlo average
    such as ``ensemble_loss`` converges to it. Arguments broadcast as in ``noisy_quadratic_run``.
    """
    lams = _validate.learning_rate(lams, name="lams")
    w0 = _validate.finite("w0", w0)
    steps = _validate.steps(steps)
    _validate.convention(convention)
    beta = _validate.momentum_coefficient(beta)
    alpha = polyak_step(_validate.learning_rate(lr), beta, convention)[..., None]
    sigma2 = _validate.non_negative(sigma, "sigma")[..., None] ** 2
    beta = beta[..., None]
    factors = np.ones(steps) if lr_schedule is None else _validate.finite("lr_schedule", lr_schedule)
    if factors.shape != (steps,):
        raise ValueError(f"lr_schedule must have shape ({steps},), one factor per step; got {factors.shape}")
    shape = np.broadcast_shapes(alpha.shape, beta.shape, sigma2.shape, lams.shape, w0.shape)
    mw, mb = np.broadcast_to(w0, shape).astype(np.float64), np.zeros(shape)
    sww, swb, sbb = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    mean, second = np.empty((steps + 1,) + shape), np.empty((steps + 1,) + shape)
    mean[0], second[0] = mw, mw ** 2
    with np.errstate(all="ignore"):
        for t in range(steps):
            a = alpha * factors[t]
            m11, m12, m21, m22 = 1.0 - a * lams, -a * beta, lams, beta
            mw, mb = m11 * mw + m12 * mb, m21 * mw + m22 * mb
            sww, swb, sbb = (m11 * m11 * sww + 2 * m11 * m12 * swb + m12 * m12 * sbb + a * a * sigma2,
                             m11 * m21 * sww + (m11 * m22 + m12 * m21) * swb + m12 * m22 * sbb - a * sigma2,
                             m21 * m21 * sww + 2 * m21 * m22 * swb + m22 * m22 * sbb + sigma2)
            mean[t + 1], second[t + 1] = mw, mw * mw + sww
    return Moments(mean, second)


def expected_loss(lams, w0, lr, beta, sigma, steps, *, lr_schedule=None, convention="pytorch"):
    """E[J(w_t)] = ½·Σᵢ λᵢ·E[wᵢ²], exactly, for t = 0 … steps: shape (steps+1, *S)."""
    lams = _validate.learning_rate(lams, name="lams")
    second = expected_moments(lams, w0, lr, beta, sigma, steps, lr_schedule=lr_schedule,
                              convention=convention).second
    return 0.5 * np.sum(lams * second, axis=-1)


class Settling(NamedTuple):
    """Whether the runs have settled at their floor, per direction ((*S, n) each).

    settled: E[w²] is within a factor 1 ± tol of the floor Var(w) from ``from_step`` to the horizon.
    from_step: that first step (−1 if not settled by the horizon).
    expected_step: ``from_step`` where settled; else an estimate of when it will be, from the
        slowest rate of the recursion (inf where the setting is unstable).
    gap: E[w²]/Var(w) − 1 at the horizon.
    """
    settled: np.ndarray
    from_step: np.ndarray
    expected_step: np.ndarray
    gap: np.ndarray


def floor_settling(lams, w0, lr, beta, sigma, horizon, *, tol=0.1, convention="pytorch"):
    """Have noisy runs from ``w0`` settled at their noise floor by step ``horizon``, and if not, when?

    Exact, from ``expected_moments``: direction i has settled from step t on when
    |E[wᵢ²]/Var(wᵢ) − 1| ≤ tol at every step from t to the horizon (Var from
    ``stationary_variance``). A spread measured before that mixes the start's leftover with the
    floor. Where not settled, the rest of the gap shrinks like ρ^(2t), ρ the largest |eigenvalue|
    of the iteration matrix, which gives ``expected_step``.
    """
    if not 0 < tol < 1:
        raise ValueError(f"tol must lie between 0 and 1; got {tol!r}")
    lams = _validate.learning_rate(lams, name="lams")
    horizon = _validate.steps(horizon, name="horizon")
    second = expected_moments(lams, w0, lr, beta, sigma, horizon, convention=convention).second
    beta_n = np.asarray(beta, dtype=np.float64)[..., None]
    floor = stationary_variance(np.asarray(lr, dtype=np.float64)[..., None], beta_n, lams,
                                np.asarray(sigma, dtype=np.float64)[..., None], convention)
    with np.errstate(all="ignore"):
        gaps = second / floor - 1.0
        inside = np.abs(gaps) <= tol
        stays = np.flip(np.logical_and.accumulate(np.flip(inside, axis=0), axis=0), axis=0)
        settled = stays[-1]
        from_step = np.where(settled, np.argmax(stays, axis=0), -1)
        alpha = polyak_step(np.asarray(lr, dtype=np.float64), np.asarray(beta, dtype=np.float64),
                            convention)[..., None]
        trace, det = 1.0 + beta_n - alpha * lams, beta_n
        disc = trace * trace - 4.0 * det
        rho = np.where(disc >= 0, (np.abs(trace) + np.sqrt(np.abs(disc))) / 2.0, np.sqrt(det))
        more = np.log(np.abs(gaps[-1]) / tol) / (-2.0 * np.log(rho))
        expected = np.where(settled, from_step, horizon + np.ceil(np.maximum(more, 1.0)))
        expected = np.where(np.isfinite(floor) & (rho < 1), expected, np.inf)
    return Settling(settled & np.isfinite(floor), from_step, expected, gaps[-1])


# ---------------------------------------------------------------- real mini-batches

class LeastSquares(NamedTuple):
    """J(w) = (1/2N)·‖X·w − y‖²: gradient Xᵀ(Xw − y)/N, Hessian H = XᵀX/N, minimiser w*."""
    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray
    hessian: np.ndarray

    def loss(self, w):
        r = np.asarray(w) @ self.X.T - self.y
        return 0.5 * np.mean(r ** 2, axis=-1)

    def excess_loss(self, w):
        """J(w) − J(w*) = ½·(w − w*)ᵀH(w − w*)."""
        d = np.asarray(w) - self.w_star
        return 0.5 * np.sum((d @ self.hessian) * d, axis=-1)

    def gradient_noise_covariance(self):
        """C: the covariance of one example's gradient at w*, (1/N)·Σ rᵢ²·xᵢxᵢᵀ.

        A mini-batch of B examples drawn with replacement has gradient noise C/B at w*.
        """
        r = self.X @ self.w_star - self.y
        return (self.X * r[:, None] ** 2).T @ self.X / len(self.y)


def least_squares(n=2000, scales=(1.0, 0.2), label_noise=0.5, seed=0):
    """A regression data set: x ~ N(0, diag(scales²)), y = x·w_true + noise, w_true = (1, −1).

    The Hessian is ≈ diag(scales²), so κ ≈ (scales[0]/scales[1])².
    """
    rng = np.random.default_rng(seed)
    scales = _validate.learning_rate(scales, name="scales")
    X = rng.standard_normal((n, scales.size)) * scales
    w_true = np.resize([1.0, -1.0], scales.size)
    y = X @ w_true + label_noise * rng.standard_normal(n)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    return LeastSquares(X, y, w_star, X.T @ X / n)


@draws_random
def minibatch_indices(n, batch_size, steps, seed):
    """(steps, batch_size) example indices, drawn with replacement, independently each step."""
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer between 1 and {n}; got {batch_size!r}")
    return np.random.default_rng(seed).integers(0, n, size=(_validate.steps(steps), batch_size))


def minibatch_run(problem, w0, lr, beta, batches, convention="pytorch"):
    """SGD with momentum on ``problem`` with the mini-batches ``batches`` (steps, B).

    Every setting of the broadcast of ``lr`` and ``beta`` (shape S) sees the same
    batches. Returns w: (steps+1, *S, n).
    """
    lr = _validate.learning_rate(lr)
    beta = _validate.momentum_coefficient(beta)
    alpha = polyak_step(lr, beta, convention)[..., None]
    beta_b = beta[..., None]
    w0 = _validate.finite("w0", w0)
    shape = np.broadcast_shapes(alpha.shape, w0.shape)
    w, b = np.broadcast_to(w0, shape).copy(), np.zeros(shape)
    ws = np.empty((len(batches) + 1,) + shape)
    ws[0] = w
    with np.errstate(all="ignore"):
        for t, idx in enumerate(batches):
            Xb, yb = problem.X[idx], problem.y[idx]
            g = (w @ Xb.T - yb) @ Xb / len(idx)
            b = beta_b * b + g
            w = w - alpha * b
            ws[t + 1] = w
    return ws


def minibatch_stationary_covariance(lr, beta, problem, batch_size, convention="pytorch"):
    """Long-run covariance of w − w* for momentum on least squares with mini-batches, exactly.

    A mini-batch of B examples drawn with replacement gives the gradient H·d + ξ with d = w − w*
    and noise ξ = (H_B − H)·d + g_B(w*), whose covariance given d is
    (1/B)·(C + 𝓜(d·dᵀ) − H·d·dᵀ·H + terms linear in d), with C the noise covariance at w*
    (``gradient_noise_covariance``) and 𝓜(P) = (1/N)·Σᵢ xᵢxᵢᵀ·P·xᵢxᵢᵀ. In the long run
    E[d] = 0, so the Lyapunov equation of ``stationary_covariance`` becomes
    P = A·P·Aᵀ + α²/B·(C + 𝓜(P_dd) − H·P_dd·H) on its top-left block, still linear in P.
    ``stationary_covariance(lr, beta, H, C/B)`` keeps only C/B: the noise as if it did not
    change with w. Raises ``ValueError`` where the second moments grow without bound.
    """
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    X, H = problem.X, problem.hessian
    N, n = X.shape
    A = iteration_matrix(lr, beta, H, convention)
    m = A.shape[0]
    alpha = float(polyak_step(lr, beta, convention))
    fourth = np.einsum("ia,ib,ic,id->adbc", X, X, X, X, optimize=True) / N     # (out a,d; in b,c)
    k_dd = (fourth - np.einsum("ab,cd->adbc", H, H)).reshape(n * n, n * n)
    block = (np.arange(n)[:, None] * m + np.arange(n)[None, :]).ravel()       # vec of the d-d block
    K = np.zeros((m * m, m * m))
    K[np.ix_(block, block)] = k_dd
    operator = np.kron(A, A) + alpha ** 2 / batch_size * K
    if np.max(np.abs(np.linalg.eigvals(operator))) >= 1.0:
        raise ValueError("the second moments grow without bound at these settings: no stationary covariance")
    q = np.zeros(m * m)
    q[block] = alpha ** 2 / batch_size * problem.gradient_noise_covariance().ravel()
    P = np.linalg.solve(np.eye(m * m) - operator, q).reshape(m, m)
    return 0.5 * (P + P.T)[:n, :n]


def minibatch_variances(problem, lr, beta, batch_size, steps, seeds, *, burn_in=1000,
                        convention="pytorch"):
    """Measured variance of each weight over steps ``burn_in`` … ``steps`` of runs from w*.

    One run per seed (the seed draws its own stream of mini-batches, ``minibatch_indices``);
    every setting of a seed sees the same batches. Returns (seeds, *S, n).
    """
    burn_in = _validate.steps(burn_in, name="burn_in")
    if not steps > burn_in + 1:
        raise ValueError(f"steps must exceed burn_in + 1; got steps={steps}, burn_in={burn_in}")
    out = []
    for seed in seeds:
        batches = minibatch_indices(len(problem.y), batch_size, steps, seed)
        w = minibatch_run(problem, problem.w_star, lr, beta, batches, convention)
        out.append(w[burn_in:].var(axis=0))
    return np.array(out)


# ---------------------------------------------------------------- many runs at once

def ensemble_loss(lams, w0, lr, beta, sigma, steps, chains, seed, lr_schedule=None,
                  convention="pytorch"):
    """The mean true loss over ``chains`` noisy runs, (steps+1, *S), on one common noise stream.

    Every setting (the broadcast of ``lr``, ``beta``, ``sigma``: shape S) sees the
    same ``chains`` noise sequences, so differences between settings are not luck.
    """
    lams = np.atleast_1d(_validate.learning_rate(lams, name="lams"))
    settings = np.broadcast_shapes(np.shape(lr), np.shape(beta), np.shape(sigma))
    xi = gaussian_noise(steps, (chains,) + (1,) * len(settings) + lams.shape, seed)
    r = noisy_quadratic_run(lams, w0, lr, beta, sigma, xi, lr_schedule=lr_schedule, convention=convention)
    return np.mean(r.loss, axis=1)


def crossover_step(a, b):
    """The first step from which curve ``a`` stays below curve ``b`` to the end; -1 if it never does.

    ``a`` and ``b`` have the step as their first axis; the answer broadcasts over the rest.
    """
    below = np.asarray(a) < np.asarray(b)
    stays = np.flip(np.logical_and.accumulate(np.flip(below, axis=0), axis=0), axis=0)
    return np.where(stays[-1], np.argmax(stays, axis=0), -1)


def first_step_below(curve, level):
    """The first step at which ``curve`` is below ``level``; -1 if never (first axis = steps)."""
    below = np.asarray(curve) < level
    return np.where(below.any(axis=0), np.argmax(below, axis=0), -1)


# ---------------------------------------------------------------- the same experiment over seeds

def shared_stream_paths(lam, lr, beta, sigma, steps, seeds, w0=0.0, convention="pytorch"):
    """One noisy run per setting on J = ½·λ·w², all settings fed one noise stream per seed.

    Returns w of shape (seeds, steps+1, *S) with S the broadcast of ``lr`` and ``beta``: within a
    seed every setting sees the same ξ₁, ξ₂, …, so their differences are the methods' own.
    """
    settings = np.broadcast_shapes(np.shape(lr), np.shape(beta))
    runs = []
    for seed in seeds:
        xi = gaussian_noise(steps, (1,) * len(settings) + (1,), seed)
        runs.append(noisy_quadratic_run([lam], [w0], lr, beta, sigma, xi, convention=convention).w[..., 0])
    return np.array(runs)


class PathStatistics(NamedTuple):
    """Per seed, over the steps after ``burn_in``: std (seeds, S) of w; step_std (seeds, S) of
    one step w(t+1) − w(t); corr (seeds, S) the correlation of each path with path 0."""
    std: np.ndarray
    step_std: np.ndarray
    corr: np.ndarray


def path_statistics(paths, burn_in):
    """Spread, step size and correlation with the first setting, per seed, of ``shared_stream_paths``."""
    late = np.asarray(paths)[:, burn_in:]
    late = late.reshape(late.shape[0], late.shape[1], -1)
    centred = late - late.mean(axis=1, keepdims=True)
    std = centred.std(axis=1)
    corr = np.mean(centred * centred[..., :1], axis=1) / (std * std[..., :1])
    return PathStatistics(std, np.diff(late, axis=1).std(axis=1), corr)


def simulated_variance(lr, beta, lam, sigma, steps, chains, seeds, *, burn_in=None,
                       convention="pytorch"):
    """Var(w) measured over the second half (or after ``burn_in``) of ``chains`` runs from 0, per seed.

    Every setting (broadcast of ``lr``, ``beta``: shape S) of a seed sees the same noise.
    Returns (seeds, *S); compare with ``stationary_variance``.
    """
    burn_in = steps // 2 if burn_in is None else _validate.steps(burn_in, name="burn_in")
    settings = np.broadcast_shapes(np.shape(lr), np.shape(beta))
    out = []
    for seed in seeds:
        xi = gaussian_noise(steps, (chains,) + (1,) * len(settings) + (1,), seed)
        w = noisy_quadratic_run([lam], [0.0], lr, beta, sigma, xi, convention=convention).w[burn_in:, ..., 0]
        out.append(w.var(axis=(0, 1)))
    return np.array(out)


def seed_range(values, fmt=".3f", axis=0):
    """"lowest–highest" over the seeds (the first axis) of ``values``: one string per entry."""
    lo, hi = np.min(values, axis=axis), np.max(values, axis=axis)
    text = np.vectorize(lambda a, b: f"{a:{fmt}}–{b:{fmt}}" if f"{a:{fmt}}" != f"{b:{fmt}}" else f"{a:{fmt}}")(lo, hi)
    return str(text) if text.ndim == 0 else text


def seed_mean_text(ratios, fmt=".3f"):
    """"mean ± standard error" over the seeds (the first axis): one string per entry."""
    ratios = np.asarray(ratios, dtype=np.float64)
    mean = ratios.mean(axis=0)
    se = ratios.std(axis=0, ddof=1) / np.sqrt(ratios.shape[0])
    text = np.vectorize(lambda m, e: f"{m:{fmt}} ± {e:{fmt}}")(mean, se)
    return str(text) if text.ndim == 0 else text
