"""Problems to optimise: the source post's regression, a narrow valley, a parabola, noise.

Every ``loss`` and ``grad`` accepts weights with extra leading axes (shape (*S, *P)),
so a whole grid of settings is evaluated in one call.
"""

from typing import Callable, NamedTuple, Optional

import numpy as np

from . import _validate
from ._randomness import draws_random


class Problem(NamedTuple):
    """A differentiable objective.

    name : str
    loss : callable, w (…, *P) -> loss (…)
    grad : callable, w (…, *P) -> gradient (…, *P)
    w0 : ndarray, the usual starting point, shape P
    curvatures : ndarray or None, the Hessian's eigenvalues where it is constant
    minimum : ndarray, the minimiser, shape P
    """

    name: str
    loss: Callable
    grad: Callable
    w0: np.ndarray
    curvatures: Optional[np.ndarray]
    minimum: np.ndarray


# The source post's data: X normalised, and y equal to it.
SALARY_X = np.array([-1.414, -0.707, 0.000, 0.707, 1.414])
SALARY_Y = SALARY_X.copy()


def salary_regression(w0=(0.0, 0.0)):
    """Least squares for ŷ = w·x + b on the source post's normalised data.

    Weights are ``(w, b)`` on the last axis. Loss J = mean((w·x + b − y)²), gradient
    (2·mean((ŷ − y)·x), 2·mean(ŷ − y)). Since mean(x) = 0 the Hessian is diagonal,
    diag(2·mean(x²), 2) ≈ diag(1.9995, 2): condition number ≈ 1.

    Examples
    --------
    >>> p = salary_regression()
    >>> print(f"{float(p.loss(p.w0)):.4f}")
    0.9997
    """
    x, y = SALARY_X, SALARY_Y

    def residual(w):
        w = np.asarray(w, dtype=np.float64)
        return w[..., :1] * x + w[..., 1:2] - y

    def loss(w):
        return np.mean(residual(w) ** 2, axis=-1)

    def grad(w):
        r = residual(w)
        return np.stack([2 * np.mean(r * x, axis=-1), 2 * np.mean(r, axis=-1)], axis=-1)

    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    minimum = np.linalg.lstsq(np.stack([x, np.ones_like(x)], axis=1), y, rcond=None)[0]
    return Problem("salary regression", loss, grad, _start(w0, 2), np.linalg.eigvalsh(hessian), minimum)


def narrow_valley(kappa=10.0, *, angle=0.0, w0=(-3.0, 1.0)):
    """A quadratic valley J(w) = ½·Σ λᵢ·uᵢ², u = Rᵀw, with condition number κ.

    Curvature 1 across the valley (axis 1) and 1/κ along it (axis 0), so gradient
    descent is stable for lr < 2 whatever κ is, and only progress along the floor
    slows as κ grows. ``angle`` (radians) rotates the valley; the minimum is 0.

    Examples
    --------
    >>> p = narrow_valley(100.0)
    >>> p.curvatures.tolist()
    [0.01, 1.0]
    """
    kappa = float(_validate.finite("kappa", kappa))
    if kappa < 1:
        raise ValueError(f"kappa must be a finite number >= 1; got {kappa}")
    angle = float(_validate.finite("angle", angle))
    lam = np.array([1.0 / kappa, 1.0])
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    hessian = rot @ np.diag(lam) @ rot.T

    if angle == 0.0:
        def grad(w):
            return np.asarray(w, dtype=np.float64) * lam
    else:
        def grad(w):
            return np.asarray(w, dtype=np.float64) @ hessian

    def loss(w):
        w = np.asarray(w, dtype=np.float64)
        return 0.5 * np.sum(w * grad(w), axis=-1)

    return Problem(f"narrow valley (κ = {kappa:g})", loss, grad, _start(w0, 2), lam, np.zeros(2))


def parabola(curvature=1.0, w0=1.0):
    """The 1-D quadratic J(w) = ½·c·w², weights of shape (1,); minimum at 0."""
    c = float(_validate.learning_rate(curvature, name="curvature"))

    def grad(w):
        return c * np.asarray(w, dtype=np.float64)

    def loss(w):
        w = np.asarray(w, dtype=np.float64)
        return 0.5 * c * np.sum(w * w, axis=-1)

    return Problem(f"parabola (c = {c:g})", loss, grad, _start(w0, 1), np.array([c]), np.zeros(1))


@draws_random
def noisy(grad_fn, noise, seed=0):
    """A mini-batch stand-in: ``grad_fn`` plus Gaussian noise of standard deviation ``noise``.

    Each call of ``noisy`` owns a fresh generator seeded with ``seed``, so the same
    call sequence gives the same gradients on every run.

    Examples
    --------
    >>> g = noisy(lambda w: 0 * w, noise=1.0, seed=0)
    >>> a = g(np.zeros(2)); b = noisy(lambda w: 0 * w, 1.0, seed=0)(np.zeros(2))
    >>> bool(np.all(a == b))
    True
    """
    _validate.grad_fn(grad_fn)
    noise = float(_validate.non_negative(noise, "noise"))
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer; got {seed!r}")
    rng = np.random.default_rng(seed)

    def noisy_grad(w):
        g = np.asarray(grad_fn(w), dtype=np.float64)
        return g + noise * rng.standard_normal(g.shape)

    return noisy_grad


def _start(w0, size):
    w0 = np.atleast_1d(_validate.finite("w0", w0)).astype(np.float64)
    if w0.shape != (size,):
        raise ValueError(f"w0 must hold {size} number(s) for this problem; got shape {w0.shape}")
    return w0
