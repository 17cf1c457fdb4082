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


@draws_random
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
