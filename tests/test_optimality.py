"""Why momentum is optimal: iteration matrices, the lower bound, each method's best rate,
all checked against simulation (property tests with hypothesis) and brute-force search."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import momentum_lib as ml
from momentum_lib import experiments, problems, theory

METHODS = ("momentum", "nesterov")
betas = st.floats(0.0, 0.95)
curvatures = st.floats(0.05, 1.0)
conventions = st.sampled_from(["ema", "pytorch"])


@given(lr=st.floats(0.01, 3.0), beta=betas, lam=curvatures, method=st.sampled_from(METHODS),
       convention=conventions)
@settings(max_examples=200, deadline=None)
def test_the_rate_is_the_spectral_radius_of_the_iteration_matrix(lr, beta, lam, method, convention):
    m = theory.iteration_matrix(lr, beta, lam, method=method, convention=convention)
    radius = np.abs(np.linalg.eigvals(m)).max()
    assert radius == pytest.approx(float(theory.rate(lr, beta, lam, method, convention)),
                                   rel=1e-6, abs=1e-7)


@given(alpha=st.floats(0.02, 3.5), beta=betas, lam=curvatures, method=st.sampled_from(METHODS))
@settings(max_examples=60, deadline=None)
def test_a_long_run_measures_the_closed_form_rate(alpha, beta, lam, method):
    # Away from critical damping (where a factor t biases any finite measurement) the
    # rate read off a simulated run is the spectral radius.
    m = theory.iteration_matrix(alpha, beta, lam, method=method, convention="pytorch")
    trace, det = m[0, 0], -m[0, 1]
    assume(abs(trace * trace - 4 * det) > 0.02)          # not near critical damping
    rate = float(theory.rate(alpha, beta, lam, method=method, convention="pytorch"))
    assume(0.3 < rate < 0.97 or 1.02 < rate < 1.5)
    p = problems.parabola(lam)
    r = ml.run(p.grad, p.w0, 1500, lr=alpha, beta=beta, method=method, convention="pytorch")
    measured = float(experiments.measured_rate(experiments.error_norms(r.w, p.minimum),
                                               floor=1e-280))
    assert measured == pytest.approx(rate, abs=5e-3)


@given(kappa=st.floats(1.5, 50.0), angle=st.floats(-3.0, 3.0), lr=st.floats(0.05, 3.0),
       beta=betas, method=st.sampled_from(METHODS + ("sgd",)))
@settings(max_examples=40, deadline=None)
def test_the_rotated_run_is_the_per_direction_runs_rotated_back(kappa, angle, lr, beta, method):
    if method == "sgd":
        beta = 0.0
    p = problems.narrow_valley(kappa, angle=angle)
    er = experiments.eigen_run(p, 60, lr=lr, beta=beta, method=method)
    direct = ml.run(p.grad, p.w0, 60, lr=lr, beta=beta, method=method)
    assume(not np.any(direct.diverged))
    scale = max(1.0, float(np.abs(direct.w).max()))
    np.testing.assert_allclose(er.w, direct.w, rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(sorted(er.curvatures), [1.0 / kappa, 1.0], rtol=1e-12)
    # the eigenvectors are orthonormal and diagonalise the Hessian
    h = experiments.hessian_of(p)
    np.testing.assert_allclose(er.basis.T @ h @ er.basis, np.diag(er.curvatures), atol=1e-12)


def test_eigen_run_really_uses_the_matrices():
    # If the matrices were wrong the result would differ: swap the two methods' matrices.
    p = problems.narrow_valley(10.0, angle=0.5)
    hb = experiments.eigen_run(p, 40, lr=2.0, beta=0.9, method="momentum")
    nag = experiments.eigen_run(p, 40, lr=2.0, beta=0.9, method="nesterov")
    assert np.abs(hb.w - nag.w).max() > 1e-2


@given(kappa=st.floats(1.0001, 1e6))
@settings(max_examples=100, deadline=None)
def test_heavy_ball_meets_the_lower_bound_and_the_others_do_not(kappa):
    b = theory.best_rates(kappa)
    assert float(b["momentum"]) == pytest.approx(float(b["lower bound"]), rel=1e-12)
    assert b["lower bound"] < b["nesterov"] < b["nesterov, classic"] <= b["sgd"] + 1e-15
    o = theory.optimal_parameters(kappa, convention="pytorch")
    assert o.rate == pytest.approx(float(theory.lower_bound_rate(kappa)), rel=1e-12)


@pytest.mark.parametrize("kappa", [4.0, 30.0, 300.0])
@pytest.mark.parametrize("convention", ["ema", "pytorch"])
def test_each_best_tuning_achieves_its_rate_over_the_whole_interval(kappa, convention):
    lams = np.geomspace(1.0 / kappa, 1.0, 201)
    for method, tuning in [("momentum", "classic"), ("nesterov", "classic"), ("nesterov", "best")]:
        o = theory.optimal_parameters(kappa, method=method, convention=convention, tuning=tuning)
        worst = float(theory.worst_rate(o.lr, o.beta, lams, method=method, convention=convention))
        assert worst == pytest.approx(o.rate, rel=1e-6), (method, tuning)


@pytest.mark.parametrize("kappa", [10.0, 100.0])
@pytest.mark.parametrize("method", ["momentum", "nesterov", "sgd"])
def test_a_brute_force_search_finds_the_closed_form_optimum(kappa, method):
    found = experiments.grid_best_rate(kappa, method=method)
    best = theory.optimal_parameters(kappa, method=method, convention="pytorch", tuning="best")
    assert found.rate == pytest.approx(best.rate, abs=2e-6)
    assert found.lr == pytest.approx(best.lr, rel=1e-3)
    assert found.beta == pytest.approx(best.beta, abs=1e-3)


def test_nesterov_best_is_better_than_its_classic_tuning():
    classic = theory.optimal_parameters(100.0, method="nesterov", convention="pytorch")
    best = theory.optimal_parameters(100.0, method="nesterov", convention="pytorch", tuning="best")
    assert (round(classic.rate, 4), round(best.rate, 4)) == (0.9, 0.8847)


def test_steps_to_shrink_is_the_first_step_below_the_factor():
    rates = np.array([0.0, 0.3, 0.9, 0.9802, 0.999])
    steps = theory.steps_to_shrink(rates, 1e-3)
    for r, n in zip(rates[1:], steps[1:]):
        assert r ** n <= 1e-3 < r ** (n - 1)
    assert steps[0] == 1
    assert np.isinf(theory.steps_to_shrink(1.0))


def test_shrink_steps_counts_what_a_direct_run_shows():
    kappas = [10.0, 100.0]
    for method in ("momentum", "sgd", "nesterov"):
        s = experiments.shrink_steps(kappas, method=method, tuning="best")
        for k, kappa in enumerate(kappas):
            p, o = problems.narrow_valley(kappa), s.settings[k]
            r = ml.run(p.grad, p.w0, s.steps, lr=o.lr, beta=o.beta, method=method, convention="pytorch")
            e = experiments.error_norms(r.w, p.minimum)
            n = s.counted[k]
            assert np.all(e[n:] <= 1e-3 * e[0]) and e[n - 1] > 1e-3 * e[0], (method, kappa)
            assert s.implied[k] == theory.steps_to_shrink(o.rate, 1e-3)


def test_counted_steps_exceed_the_implied_ones_only_where_the_error_carries_a_factor_t():
    kappas = [10.0, 100.0, 1000.0]
    hb = experiments.shrink_steps(kappas)
    gd = experiments.shrink_steps(kappas, method="sgd")
    # gradient descent at its best: both directions shrink by the same factor every step
    np.testing.assert_array_equal(gd.counted, gd.implied)
    # heavy ball at its optimum is critically damped: (a + b·t)·rateᵗ needs more steps
    assert np.all(hb.counted > hb.implied)
    assert hb.counted.tolist() == [15, 52, 185]


@pytest.mark.parametrize("call, error, message", [
    (lambda: experiments.shrink_steps([0.5]), ValueError, "condition numbers >= 1"),
    (lambda: experiments.shrink_steps([10.0], factor=1.5), ValueError, "factor must lie"),
    (lambda: experiments.shrink_steps([np.inf]), ValueError, "kappas must be finite"),
    (lambda: theory.lower_bound_rate(0.5), ValueError, "kappa must be finite and >= 1"),
    (lambda: theory.best_rates(np.nan), ValueError, "kappa"),
    (lambda: theory.optimal_parameters(10.0, tuning="fast"), ValueError, "tuning must be"),
    (lambda: theory.iteration_matrix(0.1, 0.5, 1.0, method="sgd"), ValueError, "beta must be 0"),
    (lambda: theory.steps_to_shrink(0.5, 2.0), ValueError, "factor must lie"),
    (lambda: theory.steps_to_shrink(np.nan), ValueError, "rate must be finite"),
    (lambda: experiments.grid_best_rate(0.5), ValueError, "kappa must be"),
    (lambda: experiments.step_difference(problems.parabola(), lr=1.0, beta=0.5, steps=5, window=10),
     ValueError, "window"),
])
def test_bad_input_is_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_iteration_matrix_broadcasts():
    m = theory.iteration_matrix(np.array([0.1, 0.2, 0.3]), 0.9, np.array([[1.0], [0.5]]))
    assert m.shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(m[..., 1, 0], 1.0)


# ---- near the minimum: momentum and Nesterov from the same state -----------------------------

@given(beta=st.floats(0.3, 0.95), alpha=st.floats(0.05, 0.8))
@settings(max_examples=30, deadline=None)
def test_the_relative_step_difference_does_not_vanish_near_the_minimum(beta, alpha):
    lr = alpha / (1 - beta)           # EMA form
    d = experiments.step_difference(problems.parabola(), lr=lr, beta=beta, steps=300, window=20)
    assume(d.absolute[-20:].max() > 1e-250)
    assert d.absolute[-20:].max() < 1e-2 * d.absolute[1:21].max()    # the absolute one does
    assert d.relative[-1] > 0.25 * d.relative[1]                     # the relative one does not


def test_step_difference_is_the_closed_form_on_a_quadratic():
    p, lr, beta = problems.narrow_valley(10.0, angle=0.3), 2.0, 0.9
    d = experiments.step_difference(p, lr=lr, beta=beta, steps=50)
    r = ml.run(p.grad, p.w0, 50, lr=lr, beta=beta)
    h = experiments.hessian_of(p)
    expected = np.linalg.norm(lr ** 2 * beta * (1 - beta) * r.v[:-1] @ h.T, axis=-1)
    np.testing.assert_allclose(d.absolute, expected, rtol=1e-9, atol=1e-15)
    assert d.absolute[0] == 0.0                      # the run starts at rest


# ---- beyond quadratics ---------------------------------------------------------------------

def test_heavy_ball_cycles_and_nesterov_converges_on_the_lessard_function():
    p = experiments.lessard_counterexample(w0=3.3)
    hb = theory.optimal_parameters(25.0, lam_max=25.0, convention="pytorch")
    nag = theory.optimal_parameters(25.0, lam_max=25.0, method="nesterov", convention="pytorch")
    w = ml.run(p.grad, p.w0, 900, lr=hb.lr, beta=hb.beta, convention="pytorch").w[:, 0]
    np.testing.assert_allclose(w[-3:], w[-6:-3], atol=1e-9)        # a cycle of period 3
    assert np.abs(w[-3:]).min() > 0.5
    wn = ml.run(p.grad, p.w0, 300, lr=nag.lr, beta=nag.beta, method="nesterov",
                convention="pytorch").w[:, 0]
    assert abs(wn[-1]) < 1e-12


def test_the_lessard_function_is_smooth_and_strongly_convex_with_its_gradient():
    p = experiments.lessard_counterexample()
    x = np.linspace(-2.0, 5.0, 70001)[:, None]
    g = p.grad(x)[:, 0]
    slope = np.diff(g) / np.diff(x[:, 0])
    assert slope.min() >= 1.0 - 1e-9 and slope.max() <= 25.0 + 1e-9     # μ = 1, L = 25
    numeric = np.diff(p.loss(x)) / np.diff(x[:, 0])
    np.testing.assert_allclose(numeric, 0.5 * (g[1:] + g[:-1]), atol=1e-6)


def test_figure_data_for_notebook_05():
    salary = problems.salary_regression()
    loss, envelope, rates = experiments.loss_with_envelope(salary, 40, lr=0.1, betas=(0.0, 0.9))
    assert loss.shape == envelope.shape == (41, 2)
    np.testing.assert_allclose(envelope[0], loss[0])
    np.testing.assert_allclose(rates, [0.8001, 0.9487], atol=1e-4)
    curves = experiments.loss_vs_beta((10.0,), np.linspace(0, 0.9, 10), 50)
    best, losses = curves[10.0]
    assert losses.shape == (10,) and best.beta == pytest.approx(0.2699, abs=1e-4)


def test_a_path_that_steps_exactly_onto_the_minimum_once_still_measures_its_rate():
    # αλ = 1: heavy ball's first step lands on 0 exactly, then the ripple resumes at rate √β.
    p = problems.parabola(1.0)
    r = ml.run(p.grad, p.w0, 1500, lr=1.0, beta=0.5, method="momentum", convention="pytorch")
    errors = experiments.error_norms(r.w, p.minimum)
    assert errors[1] == 0.0
    assert float(experiments.measured_rate(errors, floor=1e-280)) == pytest.approx(0.5 ** 0.5, abs=5e-3)
