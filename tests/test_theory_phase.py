"""The phase diagram's closed form agrees with simulation, point by point.

Notebook 05 draws the convergence rate over (lr, β) from ``momentum_lib.theory``
without running anything. These tests run the optimiser at every point of a grid on
the narrow valley and check that (1) it converges exactly where the closed form says
the rate is below 1, and (2) the rate read off the simulated error norms equals the
closed-form rate.
"""

import numpy as np
import pytest

from momentum_lib import experiments as ex
from momentum_lib import problems, run, theory

STEPS = 1500
# Points whose rate is within this margin of 1 are too close to the boundary to
# classify in STEPS steps (1.02^1500 ≈ 8·10^12 clears the divergence bound 10^6).
MARGIN = 0.02


def simulate_grid(kappa, lr, beta, method, convention):
    p = problems.narrow_valley(kappa)
    r = run(p.grad, p.w0, STEPS, lr=lr[None, :], beta=beta[:, None], method=method,
            convention=convention)
    errors = ex.error_norms(r.w, p.minimum)
    return p, r, errors


def grid_for(method, convention):
    beta = np.linspace(0.0, 0.97, 25)
    if convention == "pytorch":
        top = 4.2 if method == "momentum" else 2.2
        lr = np.linspace(0.05, top, 27)
    else:   # EMA: α = lr·(1 − β), so the stable learning rates reach far higher
        lr = np.geomspace(0.05, 80.0, 27)
    return lr, beta


CASES = [(kappa, method, convention)
         for kappa in (10.0, 100.0)
         for method in ("momentum", "nesterov")
         for convention in ("pytorch", "ema")]


@pytest.mark.parametrize("kappa, method, convention", CASES)
def test_simulation_converges_exactly_where_theory_rate_is_below_one(kappa, method, convention):
    lr, beta = grid_for(method, convention)
    p, r, errors = simulate_grid(kappa, lr, beta, method, convention)
    rates = ex.phase_rates(lr, beta, p.curvatures, method=method, convention=convention)
    clear = np.abs(rates - 1.0) > MARGIN
    # both kinds of point must be present or the test proves little
    assert (rates[clear] < 1).sum() > 50 and (rates[clear] > 1).sum() > 50
    predicted_divergent = rates > 1.0
    np.testing.assert_array_equal(r.diverged[clear], predicted_divergent[clear])
    converging = clear & ~predicted_divergent
    assert np.all(errors[-1][converging] < 1e-3 * errors[0][converging])


@pytest.mark.parametrize("kappa, method, convention", CASES)
def test_measured_rate_equals_closed_form_rate(kappa, method, convention):
    lr, beta = grid_for(method, convention)
    p, r, errors = simulate_grid(kappa, lr, beta, method, convention)
    rates = ex.phase_rates(lr, beta, p.curvatures, method=method, convention=convention)
    measured = ex.measured_rate(errors)
    # Rates far from 0 (where the errors underflow within a few steps) and below
    # the divergence margin: compare the per-step factor itself.
    check = (rates > 0.3) & (rates < 0.995)
    assert check.sum() > 150
    np.testing.assert_allclose(measured[check], rates[check], atol=5e-3)


def test_optimum_of_phase_diagram_is_the_closed_form_optimum():
    # The best cell of a fine grid sits next to theory.optimal_parameters, and
    # running there realises the promised rate (√κ − 1)/(√κ + 1).
    kappa = 100.0
    lr = np.linspace(0.01, 4.2, 400)
    beta = np.linspace(0.0, 0.99, 400)
    grid = ex.phase_rates(lr, beta, [1 / kappa, 1.0], convention="pytorch")
    i, j = np.unravel_index(np.argmin(grid), grid.shape)
    best = theory.optimal_parameters(kappa, convention="pytorch")
    assert abs(lr[j] - best.lr) < 0.05 and abs(beta[i] - best.beta) < 0.01
    assert grid.min() == pytest.approx(best.rate, abs=5e-3)
    p = problems.narrow_valley(kappa)
    r = run(p.grad, p.w0, 400, lr=best.lr, beta=best.beta, convention="pytorch")
    assert float(ex.measured_rate(ex.error_norms(r.w, p.minimum))) == pytest.approx(
        (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), abs=5e-3)


def test_underdamped_rate_on_the_salary_data_is_sqrt_beta():
    # once underdamped the heavy-ball rate is √β (0.948683 for β = 0.9; Goh's Distill article prints 2√β);
    # the post's experiment (PyTorch form, lr 0.1, curvatures ≈ 2) is underdamped for β ≥ 0.5.
    p = problems.salary_regression()
    betas = np.array([0.5, 0.9, 0.99])
    rates = theory.worst_rate(0.1, betas, p.curvatures, convention="pytorch")
    np.testing.assert_allclose(rates, np.sqrt(betas), rtol=1e-12)
    assert rates[1] == pytest.approx(0.948683, abs=1e-6)
    r = run(p.grad, p.w0, 3000, lr=0.1, beta=betas, convention="pytorch")
    # floor: the minimum is known only to rounding (~1e-16), stop well above that
    measured = ex.measured_rate(ex.error_norms(r.w, p.minimum), floor=1e-12)
    np.testing.assert_allclose(measured, rates, atol=2e-3)


def test_nesterov_is_stable_only_below_four_thirds_as_mu_goes_to_one():
    # NAG stable iff αλ < 2(1 + μ)/(1 + 2μ); heavy ball iff αλ < 2 + 2β (Polyak 1964).
    mu = np.array([0.0, 0.5, 0.9, 0.99, 0.999])
    edge = 2 * (1 + mu) / (1 + 2 * mu)
    np.testing.assert_allclose(theory.max_stable_lr(mu, 1.0, method="nesterov", convention="pytorch"), edge)
    assert edge[-1] == pytest.approx(4 / 3, abs=1e-3)
    inside = theory.nesterov_rate(edge * 0.99, mu, 1.0, convention="pytorch")
    outside = theory.nesterov_rate(edge * 1.01, mu, 1.0, convention="pytorch")
    assert np.all(inside < 1) and np.all(outside > 1)
    # simulate just inside and just outside the edge for μ = 0.9
    p = problems.parabola(1.0)
    r = run(p.grad, p.w0, 3000, lr=np.array([0.99, 1.01]) * edge[2], beta=0.9,
            method="nesterov", convention="pytorch")
    assert r.diverged.tolist() == [False, True]


def test_critical_damping_curve_is_where_the_roots_turn_complex():
    # drawing_theory draws β = (1 − √(lr·λ))² on both sides of lr·λ = 1: on the curve the
    # discriminant (1 + β − lr·λ)² − 4β of the heavy-ball recurrence vanishes; just above it
    # the roots are complex with modulus √β, just below they are real and the rate exceeds √β.
    from momentum_lib.drawing_theory import critical_damping_beta

    lam = 0.7
    lr = np.linspace(0.05, 3.5, 40)
    beta = critical_damping_beta(lr, lam)
    inside = beta < 0.98
    lr, beta = lr[inside], beta[inside]
    np.testing.assert_allclose((1 + beta - lr * lam) ** 2 - 4 * beta, 0.0, atol=1e-12)
    above = np.minimum(beta + 0.01, 0.99)
    np.testing.assert_allclose(theory.heavy_ball_rate(lr, above, lam, convention="pytorch"),
                               np.sqrt(above), rtol=1e-12)
    below = np.maximum(beta - 0.01, 0.0)
    ok = beta > 0.01
    assert np.all(theory.heavy_ball_rate(lr[ok], below[ok], lam, convention="pytorch")
                  > np.sqrt(below[ok]) + 1e-9)
    # on the creeping side it is the library's critical β
    creeping = lr * lam <= 1
    np.testing.assert_allclose(beta[creeping],
                               theory.critical_beta(lr[creeping], lam, convention="pytorch"))


def test_rate_colours_count_nines_and_grey_out_divergence():
    from momentum_lib.drawing_theory import DIVERGED_GREY, rate_nines, rate_rgba
    from matplotlib.colors import to_rgba

    np.testing.assert_allclose(rate_nines([0.0, 0.9, 0.99, 0.999]), [0, 1, 2, 3], atol=1e-9)
    assert np.isnan(rate_nines([1.0, 1.5])).all()
    rgba = rate_rgba(np.array([[0.5, 1.2]]))
    assert rgba.dtype == np.uint8 and rgba.shape == (1, 2, 4)
    grey = np.round(np.array(to_rgba(DIVERGED_GREY)) * 255)
    np.testing.assert_allclose(rgba[0, 1], grey, atol=1)
    assert not np.allclose(rgba[0, 0], grey, atol=1)
