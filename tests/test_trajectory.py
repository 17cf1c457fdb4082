"""run(): many steps for a grid of settings, divergence, and bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from momentum_lib import momentum_step, nesterov_step, problems, run, sgd_step


def step_by_step(grad_fn, w0, steps, lr, beta, method, convention):
    """The reference: the public one-step rules applied in a Python loop."""
    w, v = np.asarray(w0, float), np.zeros_like(np.asarray(w0, float))
    out = [w]
    for _ in range(steps):
        if method == "sgd":
            w = sgd_step(w, grad_fn(w), lr)
        elif method == "momentum":
            w, v = momentum_step(w, v, grad_fn(w), lr, beta, convention)
        else:
            w, v = nesterov_step(w, v, grad_fn, lr, beta, convention)
        out.append(w)
    return np.array(out)


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
@pytest.mark.parametrize("convention", ["ema", "pytorch"])
def test_a_grid_run_equals_one_by_one_runs(method, convention):
    p = problems.narrow_valley(30.0, angle=0.4)
    lr = np.array([0.05, 0.5, 1.5])[:, None]
    beta = np.array([0.0, 0.5, 0.9, 0.97])[None, :]
    r = run(p.grad, p.w0, 40, lr=lr, beta=beta, method=method, convention=convention)
    assert r.w.shape == (41, 3, 4, 2)
    for i in range(3):
        for j in range(4):
            ref = step_by_step(p.grad, p.w0, 40, lr[i, 0], beta[0, j], method, convention)
            np.testing.assert_allclose(r.w[:, i, j], ref, rtol=1e-13, atol=1e-15)


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(0.01, 1.5), kappa=st.floats(1, 50), w0=st.tuples(st.floats(-5, 5), st.floats(-5, 5)))
def test_beta_zero_momentum_equals_sgd(lr, kappa, w0):
    p = problems.narrow_valley(kappa)
    a = run(p.grad, w0, 25, lr=lr, beta=0.0, method="momentum")
    b = run(p.grad, w0, 25, lr=lr, method="sgd")
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(a.v, b.v)


def test_records_velocity_gradient_and_loss():
    p = problems.parabola(2.0, w0=1.0)
    r = run(p.grad, p.w0, 3, lr=0.1, beta=0.5, loss_fn=p.loss)
    assert r.w.shape == (4, 1) and r.v.shape == (4, 1) and r.g.shape == (3, 1)
    # step 1 by hand: g = 2, v = 0.5*2 = 1, w = 1 - 0.1 = 0.9
    assert r.g[0, 0] == pytest.approx(2.0)
    assert r.v[1, 0] == pytest.approx(1.0)
    assert r.w[1, 0] == pytest.approx(0.9)
    np.testing.assert_allclose(r.loss, [p.loss(w) for w in r.w])
    assert r.v[0, 0] == 0 and not r.diverged and r.diverged_at == -1


def test_divergence_is_recorded_per_setting_without_warnings():
    p = problems.narrow_valley(10.0)
    lr = np.array([0.5, 5.0, 50.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = run(p.grad, p.w0, 200, lr=lr, beta=0.9, loss_fn=p.loss, convention="pytorch")
    assert r.diverged.tolist() == [False, True, True]
    k = r.diverged_at
    assert k[0] == -1 and 0 < k[2] < k[1] <= 200
    for s in (1, 2):
        assert np.all(np.isfinite(r.w[: k[s], s])), "iterates before divergence stay"
        assert np.all(np.isnan(r.w[k[s]:, s])), "nothing is drawn after divergence"
        assert np.all(np.isnan(r.loss[k[s]:, s]))
        assert np.max(np.abs(r.w[k[s] - 1, s])) <= 1e6
    assert np.all(np.isfinite(r.w[:, 0]))


def test_overflow_to_inf_is_divergence_not_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = run(lambda w: np.exp(np.abs(w)) * 1e308, [1.0], 5, lr=1.0, bound=np.inf)
    assert r.diverged_at == 1


def test_zero_steps_returns_the_start():
    r = run(lambda w: w, [1.0, 2.0], 0, lr=0.1, beta=0.5)
    np.testing.assert_array_equal(r.w, [[1.0, 2.0]])
    assert r.g.shape == (0, 2)


@pytest.mark.parametrize("kwargs, exc, message", [
    (dict(steps=-1), ValueError, "steps must be an integer >= 0"),
    (dict(steps=2.5), TypeError, "steps must be an integer"),
    (dict(lr=0.0), ValueError, "lr must be finite and > 0"),
    (dict(lr=[0.1, -0.1]), ValueError, "lr must be finite and > 0"),
    (dict(beta=1.0), ValueError, r"beta must lie in \[0, 1\)"),
    (dict(method="adam"), ValueError, "method must be one of 'sgd', 'momentum', 'nesterov'"),
    (dict(convention="keras"), ValueError, "convention must be one of"),
    (dict(method="sgd", beta=0.9), ValueError, "beta must be 0 for method='sgd'"),
    (dict(lr=np.ones(3), beta=np.ones(4) * 0.5), ValueError, "do not broadcast"),
    (dict(w0=[np.nan]), ValueError, "w0 must be finite"),
    (dict(w0="start"), TypeError, "w0 must be a number"),
    (dict(loss_fn=3), TypeError, "loss_fn must be callable"),
    (dict(loss_fn=lambda w: np.zeros(7)), ValueError, "loss_fn returned shape"),
    (dict(grad_fn=lambda w: np.zeros(5)), ValueError, "grad_fn returned a gradient of shape"),
    (dict(grad_fn="grad"), TypeError, "grad_fn must be callable"),
])
def test_bad_input_names_the_argument(kwargs, exc, message):
    args = dict(grad_fn=lambda w: 2 * w, w0=[1.0], steps=3, lr=0.1, beta=0.0)
    args.update(kwargs)
    grad_fn, w0, steps = args.pop("grad_fn"), args.pop("w0"), args.pop("steps")
    with pytest.raises(exc, match=message):
        run(grad_fn, w0, steps, **args)


def test_a_diverged_setting_stays_stopped_even_if_its_next_step_would_be_fine():
    # A noisy gradient can push a frozen setting back inside the bound; it must not restart.
    calls = {"n": 0}

    def grad_fn(w):
        calls["n"] += 1
        return np.where(calls["n"] == 3, 1e7, 0.01) * np.ones_like(w)

    r = run(grad_fn, [0.0], 6, lr=np.array([1.0, 1.0]), beta=0.0, bound=1e3)
    assert r.diverged_at.tolist() == [3, 3]
    assert np.all(np.isnan(r.w[3:])) and np.all(np.isfinite(r.w[:3]))
    assert np.all(np.isnan(r.g[3:])) and np.all(np.isfinite(r.g[:3]))
    # only one setting diverges: the other keeps going and is recorded
    calls["n"] = 0
    r = run(grad_fn, [0.0], 6, lr=np.array([1e-5, 1.0]), beta=0.0, bound=1e3)
    assert r.diverged_at.tolist() == [-1, 3]
    assert np.all(np.isfinite(r.w[:, 0])) and np.all(np.isnan(r.w[3:, 1]))
