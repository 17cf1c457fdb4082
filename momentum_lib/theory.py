"""What theory predicts on a quadratic: convergence rates, stability, the best settings.

On J(w) = ½·λ·w² (one eigendirection of any quadratic) every method here is a
linear recurrence, so its error shrinks by a fixed factor per step: the spectral
radius of its iteration matrix, the *rate*. A rate below 1 converges, above 1
diverges. All functions broadcast over arrays of lr, β and λ and use the
quadratic formula in closed form (no eigenvalue solver), so a 200×200 grid of
settings costs milliseconds.

Conventions. The analysis is written for Polyak's heavy ball,
x⁺ = x − α∇J(x) + β(x − x⁻). The PyTorch form with learning rate lr is exactly
that with α = lr; the EMA form with learning rate lr is that with α = lr·(1 − β).
Every function takes ``convention`` ("ema" by default, like the rest of the
library) and converts.

References
----------
- B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
  USSR Computational Mathematics and Mathematical Physics 4(5), 1–17, 1964:
  the heavy ball. https://doi.org/10.1016/0041-5553(64)90137-5
- Yu. Nesterov, "A method of solving a convex programming problem with convergence
  rate O(1/k²)", Doklady Akademii Nauk SSSR 269(3), 543–547, 1983: the accelerated
  gradient method. http://mi.mathnet.ru/dan46009
- Yu. Nesterov, *Introductory Lectures on Convex Optimization: A Basic Course*,
  Springer, 2004, Theorem 2.1.13 (the lower bound for first-order methods) and §2.2
  (the accelerated method's guarantee). https://doi.org/10.1007/978-1-4419-8853-9
- I. Sutskever, J. Martens, G. Dahl, G. Hinton, "On the importance of initialization
  and momentum in deep learning", ICML 2013: NAG written with μ and ε, the form
  ``nesterov_rate`` analyses. https://proceedings.mlr.press/v28/sutskever13.html
- L. Lessard, B. Recht, A. Packard, "Analysis and design of optimization algorithms
  via integral quadratic constraints", SIAM J. Optimization 26(1), 57–95, 2016:
  Nesterov's best tuning on quadratics. https://doi.org/10.1137/15M1009597
- G. Goh, "Why momentum really works", Distill, 2017: the rate over (α, β) and the
  √β of the complex regime (the article prints 2√β there; √β is right).
  https://doi.org/10.23915/distill.00006
"""

from typing import NamedTuple

import numpy as np

from . import _validate


def polyak_step(lr, beta, convention="ema"):
    """α, the heavy-ball step size that a learning rate means under ``convention``."""
    _validate.convention(convention)
    lr = _validate.learning_rate(lr)
    beta = _validate.momentum_coefficient(beta)
    return lr * (1.0 - beta) if convention == "ema" else lr * np.ones_like(beta)


def _curvature(lam):
    return _validate.learning_rate(lam, name="lam")


def _largest_root_modulus(trace, det):
    """max |z| over the roots of z² − trace·z + det = 0 (real coefficients)."""
    disc = trace * trace - 4.0 * det
    real = 0.5 * (np.abs(trace) + np.sqrt(np.maximum(disc, 0.0)))
    # Complex pair: both roots have modulus √det.
    return np.where(disc < 0, np.sqrt(np.maximum(det, 0.0)), real)


def gd_rate(lr, lam):
    """Gradient descent's rate |1 − lr·λ|.

    >>> print(f"{float(gd_rate(0.1, 2.0)):.2f}")
    0.80
    """
    return np.abs(1.0 - _validate.learning_rate(lr) * _curvature(lam))


def heavy_ball_rate(lr, beta, lam, convention="ema"):
    """Momentum's rate: the larger |σ| of σ² − (1 + β − αλ)σ + β = 0.

    It converges iff 0 < αλ < 2 + 2β. When the roots are complex (underdamped,
    the iterates ripple) both have modulus √β, whatever the learning rate.

    Examples
    --------
    >>> print(f"{float(heavy_ball_rate(0.1, 0.9, 2.0, convention='pytorch')):.6f}")
    0.948683
    """
    alpha = polyak_step(lr, beta, convention)
    beta = np.asarray(beta, dtype=np.float64)
    return _largest_root_modulus(1.0 + beta - alpha * _curvature(lam), beta)


def nesterov_rate(lr, beta, lam, convention="ema"):
    """Nesterov momentum's rate: the larger |z| of z² − (1+μ)(1−αλ)z + μ(1−αλ) = 0.

    This is Sutskever et al.'s NAG with ε = α and μ = β, which is what
    ``nesterov_step`` computes (ε = lr·(1 − β) in the EMA form).
    """
    alpha = polyak_step(lr, beta, convention)
    mu = np.asarray(beta, dtype=np.float64)
    shrink = 1.0 - alpha * _curvature(lam)
    return _largest_root_modulus((1.0 + mu) * shrink, mu * shrink)


def rate(lr, beta, lam, method="momentum", convention="ema"):
    """The rate of ``method`` ("sgd", "momentum" or "nesterov") for curvature λ.

    For ``"sgd"`` β must be 0 and the convention does not matter.
    """
    _validate.method(method)
    if method == "sgd":
        if np.any(np.asarray(beta) != 0):
            raise ValueError("beta must be 0 for method='sgd'")
        return gd_rate(lr, lam) * np.ones(np.shape(beta))
    if method == "momentum":
        return heavy_ball_rate(lr, beta, lam, convention)
    return nesterov_rate(lr, beta, lam, convention)


def worst_rate(lr, beta, lams, method="momentum", convention="ema"):
    """The rate on a quadratic with curvatures ``lams``: the slowest eigendirection wins."""
    lams = np.atleast_1d(_curvature(lams))
    if lams.ndim != 1:
        raise ValueError(f"lams must be a 1-D list of curvatures; got shape {lams.shape}")
    out = rate(lr, beta, lams[0], method, convention)
    for lam in lams[1:]:
        out = np.maximum(out, rate(lr, beta, lam, method, convention))
    return out


def max_stable_lr(beta, lam, method="momentum", convention="ema"):
    """The learning rate above which ``method`` diverges on curvature λ.

    Stability in α = polyak_step(lr): gradient descent αλ < 2, heavy ball
    αλ < 2 + 2β, Nesterov αλ < 2(1 + β)/(1 + 2β) (which tends to 4/3 as β → 1).

    Examples
    --------
    >>> print(f"{float(max_stable_lr(0.9, 1.0, convention='pytorch')):.2f}")
    3.80
    """
    _validate.method(method)
    _validate.convention(convention)
    beta = _validate.momentum_coefficient(beta)
    lam = _curvature(lam)
    if method == "sgd":
        alpha = 2.0 + 0.0 * beta
    elif method == "momentum":
        alpha = 2.0 + 2.0 * beta
    else:
        alpha = 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta)
    alpha = alpha / lam
    return alpha / (1.0 - beta) if (convention == "ema" and method != "sgd") else alpha


def critical_beta(lr, lam, convention="ema"):
    """The β at which momentum is critically damped: the two roots of its recurrence meet.

    The roots of σ² − (1 + β − αλ)σ + β = 0 are complex (the error ripples, modulus
    √β) iff (1 − √β)² < αλ < (1 + √β)², that is iff β exceeds this critical β.
    Below it they are real and the larger modulus exceeds √β: for lr·λ < 1 the error
    creeps to zero without crossing it, for lr·λ > 1 it flips sign every step.

    PyTorch form (α = lr): β = (1 − √(lr·λ))². EMA form (α = lr·(1 − β)), solving
    the same condition for β: β = ((1 − lr·λ)/(1 + lr·λ))². NaN where no β < 1 is
    critical (PyTorch form, lr·λ ≥ 4).

    >>> print(f"{float(critical_beta(0.01, 1.0, 'pytorch')):.2f} {float(critical_beta(3.6, 1.0, 'pytorch')):.4f}")
    0.81 0.8053
    """
    _validate.convention(convention)
    c = _validate.learning_rate(lr) * _curvature(lam)
    beta = (1.0 - np.sqrt(c)) ** 2 if convention == "pytorch" else ((1.0 - c) / (1.0 + c)) ** 2
    return np.where(beta < 1.0, beta, np.nan)


def best_beta(lr, lams, convention="pytorch"):
    """The β with the smallest worst rate over curvatures ``lams`` at a fixed learning rate.

    PyTorch form (α = lr). A direction's roots are complex — rate exactly √β — iff
    √β > |1 − √(lr·λ)|, i.e. above its critical β, (1 − √(lr·λ))²; below it they are
    real and the larger exceeds √β, falling as β rises. So the worst rate falls until
    every direction is complex and then rises as √β: the best β is the largest critical
    β over the curvatures, which sits at one end of [λmin, λmax]:

    * λmin's, (1 − √(lr·λmin))², for lr ≤ η* = 4/(√λmax + √λmin)²;
    * λmax's, (√(lr·λmax) − 1)², for η* ≤ lr < 4/λmax;

    its worst rate is √β. NaN from lr·λmax ≥ 4 on, where no β < 1 converges.

    Examples
    --------
    >>> print(f"{float(best_beta(1.0, [0.01, 1.0])):.4f} {float(best_beta(3.6, [0.01, 1.0])):.4f}")
    0.8100 0.8053
    """
    if convention != "pytorch":
        raise ValueError("best_beta is written for the PyTorch form (α = lr); "
                         "convert with polyak_step")
    lr = _validate.learning_rate(lr)
    lams = np.atleast_1d(_curvature(lams))
    if lams.ndim != 1:
        raise ValueError(f"lams must be a 1-D list of curvatures; got shape {lams.shape}")
    # np.maximum keeps a NaN: from lr·λmax ≥ 4 on, no β < 1 converges.
    return np.maximum(critical_beta(lr, lams.min(), "pytorch"), critical_beta(lr, lams.max(), "pytorch"))


class Optimum(NamedTuple):
    lr: float
    beta: float
    rate: float


def optimal_parameters(kappa, *, lam_max=1.0, method="momentum", convention="ema", tuning="classic"):
    """The best (lr, β) for curvatures in [lam_max/κ, lam_max], and the rate they give.

    momentum: α = 4/(√λmax + √λmin)², β = ((√κ − 1)/(√κ + 1))², rate (√κ − 1)/(√κ + 1)
    nesterov, ``tuning="classic"`` (the default): α = 1/λmax, β = (√κ − 1)/(√κ + 1),
              rate 1 − 1/√κ — the tuning of Nesterov's proof for every smooth strongly
              convex function, not the best one on a quadratic;
    nesterov, ``tuning="best"``: α = 4/(3λmax + λmin), β = (√(3κ+1) − 2)/(√(3κ+1) + 2),
              rate 1 − 2/√(3κ + 1), the smallest worst-case rate over quadratics with
              curvatures in [λmin, λmax] (Lessard, Recht and Packard 2016;
              ``experiments.grid_best_rate`` finds it again by brute force);
    sgd:      α = 2/(λmin + λmax), β = 0, rate (κ − 1)/(κ + 1)

    ``tuning`` matters only for Nesterov: the momentum and sgd settings are already the best.

    Examples
    --------
    >>> o = optimal_parameters(100.0, convention="pytorch")
    >>> print(f"{o.lr:.4f} {o.beta:.4f} {o.rate:.4f}")
    3.3058 0.6694 0.8182
    """
    _validate.method(method)
    _validate.convention(convention)
    if tuning not in ("classic", "best"):
        raise ValueError(f"tuning must be 'classic' or 'best'; got {tuning!r}")
    kappa = float(_validate.finite("kappa", kappa))
    if kappa < 1:
        raise ValueError(f"kappa must be a finite number >= 1; got {kappa}")
    lam_max = float(_curvature(lam_max))
    lam_min = lam_max / kappa
    q = (np.sqrt(kappa) - 1.0) / (np.sqrt(kappa) + 1.0)
    if method == "sgd":
        return Optimum(2.0 / (lam_min + lam_max), 0.0, (kappa - 1.0) / (kappa + 1.0))
    if method == "momentum":
        alpha, beta, r = 4.0 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2, q * q, q
    elif tuning == "classic":
        alpha, beta, r = 1.0 / lam_max, q, 1.0 - 1.0 / np.sqrt(kappa)
    else:
        s3 = np.sqrt(3.0 * kappa + 1.0)
        alpha, beta, r = 4.0 / (3.0 * lam_max + lam_min), (s3 - 2.0) / (s3 + 2.0), 1.0 - 2.0 / s3
    lr = alpha / (1.0 - beta) if convention == "ema" else alpha
    return Optimum(float(lr), float(beta), float(r))


def condition_number_for_beta(beta):
    """The κ at which heavy ball's optimal β, ((√κ − 1)/(√κ + 1))², equals ``beta``.

    Solving √β = (√κ − 1)/(√κ + 1) for κ: κ = ((1 + √β)/(1 − √β))².

    >>> print(f"{float(condition_number_for_beta(0.9)):.4f}")
    1441.9993
    """
    root = np.sqrt(_validate.momentum_coefficient(beta))
    return ((1.0 + root) / (1.0 - root)) ** 2


def past_gradient_weights(beta, t, convention="ema"):
    """The weights v_t puts on g_1, …, g_t (starting from v_0 = 0).

    EMA form: (1 − β)·β^(t−k); PyTorch form: β^(t−k). The EMA weights sum to 1 − βᵗ.

    >>> [round(float(x), 3) for x in past_gradient_weights(0.5, 3)]
    [0.125, 0.25, 0.5]
    """
    _validate.convention(convention)
    beta = float(_validate.momentum_coefficient(beta))
    t = _validate.steps(t, name="t")
    powers = beta ** np.arange(t - 1, -1, -1, dtype=np.float64)
    return (1.0 - beta) * powers if convention == "ema" else powers


def effective_window(beta):
    """1/(1 − β): how many recent gradients the velocity roughly averages."""
    return 1.0 / (1.0 - _validate.momentum_coefficient(beta))


def half_life(beta):
    """Steps after which a gradient's weight in the velocity has halved: ln ½ / ln β."""
    beta = _validate.momentum_coefficient(beta)
    with np.errstate(divide="ignore"):
        return np.where(beta > 0, np.log(0.5) / np.log(np.where(beta > 0, beta, 0.5)), 0.0)


def weight_in_last(beta, n):
    """The share of the velocity's (infinite-history) weight on the last n gradients: 1 − βⁿ."""
    beta = _validate.momentum_coefficient(beta)
    return 1.0 - beta ** _validate.steps(n, name="n")


# ---- why momentum is optimal ------------------------------------------------------------


def iteration_matrix(lr, beta, lam, method="momentum", convention="ema"):
    """The 2×2 matrix M that advances one eigendirection: (e_{t+1}, e_t) = M·(e_t, e_{t−1}).

    e is the error along an eigenvector with curvature λ (the coordinate uᵢ = qᵢ·(w − w*)),
    α = polyak_step(lr, β). From the updates, with v_t = (e_t − e_{t−1})/(−α) in the
    PyTorch form:

    * heavy ball: e_{t+1} = (1 + β − αλ)·e_t − β·e_{t−1};
    * Nesterov (Sutskever's θ, which ``nesterov_step`` iterates):
      e_{t+1} = (1 + β)(1 − αλ)·e_t − β(1 − αλ)·e_{t−1};
    * gradient descent: e_{t+1} = (1 − αλ)·e_t.

    The rate of ``rate`` is the spectral radius of M. Broadcasts; the result has
    shape ``(*S, 2, 2)``.

    Examples
    --------
    >>> iteration_matrix(0.5, 0.5, 1.0, convention="pytorch").tolist()
    [[1.0, -0.5], [1.0, 0.0]]
    """
    _validate.method(method)
    lam = _curvature(lam)
    if method == "sgd":
        if np.any(np.asarray(beta) != 0):
            raise ValueError("beta must be 0 for method='sgd'")
        alpha = _validate.learning_rate(lr) * np.ones(np.shape(beta))
        top, off = 1.0 - alpha * lam, 0.0 * alpha
    else:
        alpha = polyak_step(lr, beta, convention)
        beta = np.asarray(beta, dtype=np.float64)
        if method == "momentum":
            top, off = 1.0 + beta - alpha * lam, -beta
        else:
            shrink = 1.0 - alpha * lam
            top, off = (1.0 + beta) * shrink, -beta * shrink
    top, off = np.broadcast_arrays(np.asarray(top, dtype=np.float64), np.asarray(off, dtype=np.float64))
    out = np.zeros(top.shape + (2, 2))
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0] = top, off, 1.0
    return out


def lower_bound_rate(kappa):
    """(√κ − 1)/(√κ + 1): no first-order method has a smaller worst-case rate on quadratics.

    Nesterov's lower bound (*Introductory Lectures on Convex Optimization*, 2004,
    Theorem 2.1.13): for any method whose iterate w_t lies in
    w_0 + span{∇J(w_0), …, ∇J(w_{t−1})} (gradient descent, heavy ball, Nesterov, any
    fixed or varying step sizes and momenta), there is a quadratic whose curvatures
    lie in [μ, L], κ = L/μ, on which ‖w_t − w*‖ ≥ q^t·‖w_0 − w*‖ for every t, with q this
    rate. It is a worst case over that class of quadratics, stated on an infinite
    dimensional space: in dimension d it cannot hold for t ≥ d, since conjugate
    gradients (a first-order method in this sense) solves a d-dimensional quadratic
    in at most d steps. Heavy ball with ``optimal_parameters(κ)`` meets it.

    >>> print(f"{float(lower_bound_rate(100.0)):.4f}")
    0.8182
    """
    kappa = _condition_number(kappa)
    root = np.sqrt(kappa)
    return (root - 1.0) / (root + 1.0)


def _condition_number(kappa):
    kappa = np.asarray(_validate.finite("kappa", kappa), dtype=np.float64)
    if np.any(kappa < 1):
        raise ValueError(f"kappa must be finite and >= 1; got {kappa}")
    return kappa


def best_rates(kappa):
    """Each method's best worst-case rate on quadratics of condition number κ (closed forms).

    Returns a dict: ``"sgd"`` (κ − 1)/(κ + 1); ``"nesterov"`` 1 − 2/√(3κ + 1) (its best
    tuning); ``"nesterov, classic"`` 1 − 1/√κ; ``"momentum"`` (√κ − 1)/(√κ + 1);
    ``"lower bound"`` the same value, from ``lower_bound_rate``. Broadcasts over κ.

    >>> {k: round(float(v), 4) for k, v in best_rates(100.0).items()}["nesterov"]
    0.8847
    """
    kappa = _condition_number(kappa)
    root = np.sqrt(kappa)
    return {
        "sgd": (kappa - 1.0) / (kappa + 1.0),
        "nesterov": 1.0 - 2.0 / np.sqrt(3.0 * kappa + 1.0),
        "nesterov, classic": 1.0 - 1.0 / root,
        "momentum": (root - 1.0) / (root + 1.0),
        "lower bound": lower_bound_rate(kappa),
    }


def steps_to_shrink(rate, factor=1e-3):
    """Steps until rate^t ≤ ``factor``: ⌈ln factor / ln rate⌉ (1 for rate 0, inf for rate ≥ 1).

    >>> int(steps_to_shrink(0.5, 1e-3))
    10
    """
    rate = np.asarray(rate, dtype=np.float64)
    if not 0 < factor < 1:
        raise ValueError(f"factor must lie in (0, 1); got {factor!r}")
    if np.any(~np.isfinite(rate)) or np.any(rate < 0):
        raise ValueError("rate must be finite and >= 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.ceil(np.log(factor) / np.log(np.where((rate > 0) & (rate < 1), rate, 0.5)))
    return np.where(rate <= 0, 1.0, np.where(rate >= 1, np.inf, steps))
