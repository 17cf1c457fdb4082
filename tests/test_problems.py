"""problems: gradients are the derivatives of the losses, over grids too."""

import numpy as np
import pytest

from momentum_lib import problems


def numerical_grad(loss, w, h=1e-6):
    g = np.zeros_like(w)
    for i in range(w.shape[-1]):
        e = np.zeros_like(w)
        e[..., i] = h
        g[..., i] = (loss(w + e) - loss(w - e)) / (2 * h)
    return g


@pytest.mark.parametrize("make", [
    problems.salary_regression,
    lambda: problems.narrow_valley(25.0),
    lambda: problems.narrow_valley(25.0, angle=0.7),
    lambda: problems.parabola(3.0),
])
def test_gradient_matches_finite_differences_on_a_grid(make):
    p = make()
    w = np.random.default_rng(0).normal(size=(4, 3) + p.w0.shape)
    np.testing.assert_allclose(p.grad(w), numerical_grad(p.loss, w), rtol=1e-6, atol=1e-8)
    assert p.loss(w).shape == (4, 3)
    np.testing.assert_allclose(p.grad(p.minimum), 0, atol=1e-12)


def test_salary_data_is_the_posts():
    p = problems.salary_regression()
    np.testing.assert_array_equal(problems.SALARY_X, [-1.414, -0.707, 0.0, 0.707, 1.414])
    # loss at w = b = 0 is mean(y²); the Hessian is diag(2·mean(x²), 2), κ ≈ 1
    assert float(p.loss(p.w0)) == pytest.approx(np.mean(problems.SALARY_X ** 2))
    np.testing.assert_allclose(sorted(p.curvatures), [2 * np.mean(problems.SALARY_X ** 2), 2.0])
    np.testing.assert_allclose(p.minimum, [1.0, 0.0], atol=1e-12)


def test_valley_curvatures_and_rotation_keep_the_spectrum():
    flat, turned = problems.narrow_valley(50.0), problems.narrow_valley(50.0, angle=1.0)
    np.testing.assert_allclose(flat.curvatures, [0.02, 1.0])
    w = np.array([0.3, -0.8])
    # a rotation changes the gradient but not the loss of the rotated point
    c, s = np.cos(1.0), np.sin(1.0)
    assert turned.loss(np.array([[c, -s], [s, c]]) @ w) == pytest.approx(flat.loss(w))


def test_noisy_gradients_are_seeded_and_centred():
    base = problems.narrow_valley(10.0).grad
    w = np.ones((2000, 2))
    a = problems.noisy(base, 0.5, seed=3)(w)
    b = problems.noisy(base, 0.5, seed=3)(w)
    c = problems.noisy(base, 0.5, seed=4)(w)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_allclose((a - base(w)).std(), 0.5, rtol=0.05)
    np.testing.assert_array_equal(problems.noisy(base, 0.0)(w), base(w))


@pytest.mark.parametrize("call, exc, message", [
    (lambda: problems.narrow_valley(0.5), ValueError, "kappa must be a finite number >= 1"),
    (lambda: problems.narrow_valley(np.inf), ValueError, "kappa must be finite"),
    (lambda: problems.narrow_valley("big"), TypeError, "kappa must be a number"),
    (lambda: problems.narrow_valley(10, w0=(1, 2, 3)), ValueError, "w0 must hold 2"),
    (lambda: problems.parabola(-1.0), ValueError, "curvature must be finite and > 0"),
    (lambda: problems.noisy(lambda w: w, -1.0), ValueError, "noise must be finite and >= 0"),
    (lambda: problems.noisy(lambda w: w, 1.0, seed=1.5), TypeError, "seed must be an integer"),
    (lambda: problems.noisy(None, 1.0), TypeError, "grad_fn must be callable"),
])
def test_bad_input_is_named(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
