"""The update rules: what one step computes, broadcasting, and bad input."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from momentum_lib import momentum_step, nesterov_step, sgd_step

floats = st.floats(-10, 10, allow_nan=False)
betas = st.floats(0, 0.999)
lrs = st.floats(1e-4, 2)


@given(w=floats, g=floats, lr=lrs)
def test_sgd_step_moves_against_the_gradient(w, g, lr):
    assert sgd_step(w, g, lr) == pytest.approx(w - lr * g)


@given(w=floats, v=floats, g=floats, lr=lrs)
@pytest.mark.parametrize("convention", ["ema", "pytorch"])
def test_beta_zero_momentum_is_sgd(convention, w, v, g, lr):
    w1, v1 = momentum_step(w, v, g, lr, 0.0, convention=convention)
    assert w1 == sgd_step(w, g, lr)
    assert v1 == g


def test_momentum_step_formulas_by_hand():
    # EMA: v = 0.9*0.2 + 0.1*0.5 = 0.23, w = 1 - 0.1*0.23
    w, v = momentum_step(1.0, 0.2, 0.5, lr=0.1, beta=0.9)
    assert (float(w), float(v)) == pytest.approx((0.977, 0.23))
    # PyTorch: v = 0.9*0.2 + 0.5 = 0.68, w = 1 - 0.1*0.68
    w, v = momentum_step(1.0, 0.2, 0.5, lr=0.1, beta=0.9, convention="pytorch")
    assert (float(w), float(v)) == pytest.approx((0.932, 0.68))


@given(w=floats, v=floats, g=floats, lr=lrs, beta=betas)
def test_ema_with_lr_equals_pytorch_with_rescaled_lr(w, v, g, lr, beta):
    # EMA velocity is (1-β) times the PyTorch one; lr·(1-β) compensates exactly.
    w_e, v_e = momentum_step(w, v * (1 - beta), g, lr, beta, "ema")
    w_p, v_p = momentum_step(w, v, g, lr * (1 - beta), beta, "pytorch")
    assert w_e == pytest.approx(w_p, rel=1e-12, abs=1e-12)
    assert v_e == pytest.approx(v_p * (1 - beta), rel=1e-12, abs=1e-12)


def test_nesterov_takes_the_gradient_at_the_lookahead_point():
    seen = []

    def grad_fn(w):
        seen.append(float(w))
        return 2 * w

    w, v = nesterov_step(1.0, 0.5, grad_fn, lr=0.1, beta=0.9)
    assert seen == [pytest.approx(1.0 - 0.1 * 0.9 * 0.5)]
    v_expected = 0.9 * 0.5 + 0.1 * 2 * seen[0]
    assert float(v) == pytest.approx(v_expected)
    assert float(w) == pytest.approx(1.0 - 0.1 * v_expected)


@given(w=floats, g_scale=st.floats(0.1, 5), lr=lrs, beta=betas)
def test_with_zero_velocity_nesterov_equals_momentum(w, g_scale, lr, beta):
    grad_fn = lambda x: g_scale * x  # noqa: E731
    assert nesterov_step(w, 0.0, grad_fn, lr, beta) == pytest.approx(
        momentum_step(w, 0.0, grad_fn(w), lr, beta))


def test_steps_broadcast_over_a_grid_of_settings():
    lr = np.array([0.1, 0.2, 0.3])[:, None, None]
    beta = np.array([0.0, 0.5, 0.9, 0.99])[None, :, None]
    w = np.array([1.0, -2.0])
    g = np.array([0.5, 0.25])
    w1, v1 = momentum_step(w, np.zeros(2), g, lr, beta)
    assert w1.shape == (3, 4, 2)
    for i in range(3):
        for j in range(4):
            wij, _ = momentum_step(w, np.zeros(2), g, float(lr[i, 0, 0]), float(beta[0, j, 0]))
            np.testing.assert_array_equal(w1[i, j], wij)


@pytest.mark.parametrize("beta", [-0.1, 1.0, 1.5, np.nan, np.inf])
def test_bad_beta_is_named(beta):
    with pytest.raises(ValueError, match=r"beta must lie in \[0, 1\)"):
        momentum_step(0.0, 0.0, 1.0, 0.1, beta)


@pytest.mark.parametrize("lr", [0.0, -1.0, np.nan, np.inf])
def test_bad_lr_is_named(lr):
    for call in (lambda: sgd_step(0.0, 1.0, lr),
                 lambda: momentum_step(0.0, 0.0, 1.0, lr, 0.5),
                 lambda: nesterov_step(0.0, 0.0, lambda w: w, lr, 0.5)):
        with pytest.raises(ValueError, match="lr must be finite and > 0"):
            call()


def test_non_numbers_are_type_errors():
    with pytest.raises(TypeError, match="lr must be a number"):
        sgd_step(0.0, 1.0, "fast")
    with pytest.raises(TypeError, match="g must be a number"):
        momentum_step(0.0, 0.0, None, 0.1, 0.5)
    with pytest.raises(TypeError, match="grad_fn must be callable"):
        nesterov_step(0.0, 0.0, 3.0, 0.1, 0.5)


def test_unknown_convention_lists_the_allowed_ones():
    with pytest.raises(ValueError, match="convention must be one of 'ema', 'pytorch'; got 'keras'"):
        momentum_step(0.0, 0.0, 1.0, 0.1, 0.5, convention="keras")


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match="g has shape \\(3,\\).*w's shape \\(2,\\)"):
        momentum_step(np.zeros(2), np.zeros(2), np.zeros(3), 0.1, 0.5)
    with pytest.raises(ValueError, match="v has shape"):
        momentum_step(np.zeros(2), np.zeros(3), np.zeros(2), 0.1, 0.5)


def test_grad_fn_returning_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match="grad_fn returned a gradient of shape \\(3,\\)"):
        nesterov_step(np.zeros(2), np.zeros(2), lambda w: np.zeros(3), 0.1, 0.5)
