"""theory: closed-form rates agree with simulated runs (Polyak 1964; Sutskever et al. 2013; Goh 2017)."""

import numpy as np
import pytest

from momentum_lib import problems, run, theory


def measured_rate(method, lr, beta, lam, convention, t1=150, t2=350):
    """Per-step shrink factor of the error, from the envelope of a simulated run."""
    p = problems.parabola(lam, w0=1.0)
    r = run(p.grad, p.w0, t2 + 20, lr=lr, beta=beta, method=method, convention=convention,
            bound=np.inf)
    env = lambda t: np.max(np.abs(r.w[t:t + 20, ..., 0]), axis=0)  # noqa: E731
    return (env(t2) / env(t1)) ** (1.0 / (t2 - t1))


GRID_LR = np.linspace(0.05, 4.0, 14)
GRID_BETA = np.array([0.0, 0.3, 0.6, 0.8, 0.9])


@pytest.mark.parametrize("method", ["momentum", "nesterov"])
@pytest.mark.parametrize("convention", ["ema", "pytorch"])
def test_rates_match_simulation_across_a_grid(method, convention):
    lr, beta = np.meshgrid(GRID_LR, GRID_BETA)
    predicted = theory.rate(lr, beta, 1.0, method, convention)
    measured = measured_rate(method, lr, beta, 1.0, convention)
    # Compare where the error neither vanishes below rounding nor sits on a double root.
    usable = (predicted > 0.55) & (predicted < 1.25) & (np.abs(predicted - 1) > 0.005)
    assert usable.sum() >= 15
    np.testing.assert_allclose(measured[usable], predicted[usable], rtol=0.02)
    # converge / diverge classification agrees everywhere away from the boundary
    clear = np.abs(predicted - 1) > 0.02
    assert np.array_equal((measured < 1)[clear], (predicted < 1)[clear])


def test_gradient_descent_rate():
    lr = np.linspace(0.1, 2.5, 9) + 0.01  # avoid lr·λ = 1, where the error is exactly 0
    np.testing.assert_allclose(measured_rate("sgd", lr, 0.0, 1.0, "ema", 20, 60),
                               np.abs(1 - lr), rtol=1e-9)


def test_underdamped_rate_is_sqrt_beta_not_two_sqrt_beta():
    # |σ| = √β in the complex regime (Goh's Distill article prints 2√β).
    assert theory.heavy_ball_rate(0.1, 0.9, 2.0, convention="pytorch") == pytest.approx(np.sqrt(0.9))


def test_stability_boundaries():
    beta = np.array([0.0, 0.5, 0.9])
    for convention in ("ema", "pytorch"):
        for method in ("momentum", "nesterov"):
            edge = theory.max_stable_lr(beta, 2.0, method, convention)
            assert np.all(theory.rate(edge * 0.99, beta, 2.0, method, convention) < 1)
            assert np.all(theory.rate(edge * 1.01, beta, 2.0, method, convention) > 1)
    # heavy ball αλ < 2 + 2β; NAG αλ < 2(1+μ)/(1+2μ) → 4/3 as μ → 1
    np.testing.assert_allclose(theory.max_stable_lr(beta, 1.0, "momentum", "pytorch"), 2 + 2 * beta)
    assert theory.max_stable_lr(0.9999, 1.0, "nesterov", "pytorch") == pytest.approx(4 / 3, rel=1e-3)
    assert theory.max_stable_lr(0.9, 4.0, "sgd") == pytest.approx(0.5)


@pytest.mark.parametrize("convention", ["ema", "pytorch"])
@pytest.mark.parametrize("lr", [0.3, 2.0])       # lr·λ below and above 1
def test_critical_beta_is_where_the_roots_meet_on_both_sides_of_lr_lambda_one(convention, lr):
    lam = 1.0
    b = float(theory.critical_beta(lr, lam, convention))
    alpha = float(theory.polyak_step(lr, b, convention))
    # the double root: discriminant zero, rate |1 − √(αλ)|
    assert (1 + b - alpha * lam) ** 2 == pytest.approx(4 * b)
    assert theory.heavy_ball_rate(lr, b, lam, convention) == pytest.approx(abs(1 - np.sqrt(alpha * lam)))
    # just above: complex roots, modulus √β; just below: real, the larger above √β
    assert theory.heavy_ball_rate(lr, b + 0.01, lam, convention) == pytest.approx(np.sqrt(b + 0.01))
    assert theory.heavy_ball_rate(lr, b - 0.01, lam, convention) > np.sqrt(b - 0.01) + 1e-6


def test_no_beta_is_critical_from_lr_lambda_four_on_in_the_pytorch_form():
    assert np.isnan(theory.critical_beta(4.0, 1.0, "pytorch"))
    assert np.isnan(theory.best_beta(4.0, [0.01, 1.0]))


@pytest.mark.parametrize("lr", [0.5, 1.0, 2.0, 3.0, 3.3, 3.4, 3.6, 3.9])
def test_best_beta_beats_every_beta_of_a_fine_grid_on_both_sides_of_the_optimal_lr(lr):
    lams = [0.01, 1.0]                                   # κ = 100, η* = 3.306
    best = float(theory.best_beta(lr, lams))
    fine = np.linspace(0.0, 0.999, 20001)
    worst = theory.worst_rate(lr, fine, lams, convention="pytorch")
    assert best == pytest.approx(fine[np.argmin(worst)], abs=1e-4)
    assert float(theory.worst_rate(lr, best, lams, convention="pytorch")) <= worst.min() + 1e-12
    lr_star = theory.optimal_parameters(100.0, convention="pytorch").lr
    end = lams[0] if lr <= lr_star else lams[1]          # λmin's critical β below η*, λmax's above
    assert best == pytest.approx(float(theory.critical_beta(lr, end, "pytorch")))


def test_condition_number_for_beta_inverts_the_optimal_beta():
    for beta in (0.1, 0.5, 0.9, 0.99):
        kappa = float(theory.condition_number_for_beta(beta))
        assert theory.optimal_parameters(kappa).beta == pytest.approx(beta, rel=1e-12)
    assert round(float(theory.condition_number_for_beta(0.9)), 4) == 1441.9993


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1000.0])
@pytest.mark.parametrize("convention", ["ema", "pytorch"])
def test_optimal_parameters_achieve_their_rate(kappa, convention):
    lams = [1.0 / kappa, 1.0]
    for method in ("sgd", "momentum", "nesterov"):
        o = theory.optimal_parameters(kappa, method=method, convention=convention)
        got = theory.worst_rate(o.lr, o.beta, lams, method, convention)
        assert got == pytest.approx(o.rate, abs=1e-6)
    hb = theory.optimal_parameters(kappa, convention=convention)
    gd = theory.optimal_parameters(kappa, method="sgd")
    assert hb.rate <= gd.rate + 1e-12
    # optimal heavy-ball β ≈ 0.88 only at κ ≈ 1000
    if kappa == 1000.0:
        assert hb.beta == pytest.approx(0.88, abs=0.005)


def test_no_nearby_setting_beats_the_optimum():
    kappa = 50.0
    o = theory.optimal_parameters(kappa, convention="pytorch")
    lr, beta = np.meshgrid(np.linspace(0.5, 1.5, 101) * o.lr, np.linspace(0, 0.99, 100))
    grid = theory.worst_rate(lr, beta, [1 / kappa, 1.0], convention="pytorch")
    assert grid.min() >= o.rate - 1e-9


def test_past_gradient_weights_and_windows():
    # the source post's exercise 2: (1-β)β^(t-1) = 0.0387 at t=10, 0.000573 at t=50 for β = 0.9
    assert theory.past_gradient_weights(0.9, 10)[0] == pytest.approx(0.1 * 0.9 ** 9)
    assert theory.past_gradient_weights(0.9, 50)[0] == pytest.approx(0.1 * 0.9 ** 49)
    np.testing.assert_allclose(theory.past_gradient_weights(0.9, 4, "pytorch"), 0.9 ** np.arange(3, -1, -1))
    assert theory.past_gradient_weights(0.9, 30).sum() == pytest.approx(1 - 0.9 ** 30)
    assert theory.effective_window(0.99) == pytest.approx(100)
    assert theory.half_life(0.99) == pytest.approx(68.97, abs=0.01)
    assert theory.weight_in_last(0.99, 100) == pytest.approx(1 - 0.99 ** 100)
    assert theory.half_life(0.0) == 0.0


def test_weights_are_what_the_velocity_really_holds():
    g = np.random.default_rng(1).normal(size=12)
    from momentum_lib import trace_table
    for conv in ("ema", "pytorch"):
        v_last = trace_table(g, lr=0.1, beta=0.8, convention=conv).v[-1]
        assert v_last == pytest.approx(theory.past_gradient_weights(0.8, 12, conv) @ g)


@pytest.mark.parametrize("call, exc, message", [
    (lambda: theory.heavy_ball_rate(0.1, 1.0, 1.0), ValueError, "beta must lie"),
    (lambda: theory.nesterov_rate(-0.1, 0.5, 1.0), ValueError, "lr must be finite and > 0"),
    (lambda: theory.gd_rate(0.1, 0.0), ValueError, "lam must be finite and > 0"),
    (lambda: theory.rate(0.1, 0.5, 1.0, method="adam"), ValueError, "method must be one of"),
    (lambda: theory.rate(0.1, 0.5, 1.0, method="sgd"), ValueError, "beta must be 0"),
    (lambda: theory.max_stable_lr(0.5, 1.0, convention="tf"), ValueError, "convention must be one of"),
    (lambda: theory.optimal_parameters(0.5), ValueError, "kappa must be a finite number >= 1"),
    (lambda: theory.optimal_parameters("10"), TypeError, "kappa must be a number"),
    (lambda: theory.past_gradient_weights(0.9, -1), ValueError, "t must be an integer >= 0"),
    (lambda: theory.effective_window(1.0), ValueError, "beta must lie"),
    (lambda: theory.worst_rate(0.1, 0.5, [[1.0]]), ValueError, "lams must be a 1-D list"),
    (lambda: theory.polyak_step(0.1, 0.5, convention="keras"), ValueError, "convention must be one of"),
    (lambda: theory.critical_beta(np.inf, 1.0), ValueError, "lr must be finite and > 0"),
    (lambda: theory.half_life(-0.5), ValueError, "beta must lie"),
    (lambda: theory.best_beta(1.0, [0.01, 1.0], convention="ema"), ValueError, "PyTorch form"),
    (lambda: theory.best_beta(1.0, [[0.01, 1.0]]), ValueError, "lams must be a 1-D list"),
    (lambda: theory.condition_number_for_beta(1.0), ValueError, "beta must lie"),
    (lambda: theory.weight_in_last(0.9, 2.5), TypeError, "n must be an integer"),
    (lambda: theory.optimal_parameters(10.0, lam_max=0.0), ValueError, "lam must be finite and > 0"),
    (lambda: theory.optimal_parameters(10.0, method="adam"), ValueError, "method must be one of"),
])
def test_bad_input_is_named(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_the_docstring_examples_of_the_theory_modules_run():
    import doctest

    from momentum_lib import experiments

    for module in (theory, experiments):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
