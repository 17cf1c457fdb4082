"""Noise floor, effective learning rate and mini-batch noise: closed forms against simulation."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from momentum_lib import noise, theory

betas = st.floats(0.0, 0.95)
lams = st.floats(0.05, 5.0)


@settings(max_examples=60, deadline=None)
@given(beta=betas, lam=lams, frac=st.floats(0.02, 0.95), sigma=st.floats(0.1, 3.0))
def test_closed_form_variance_solves_the_lyapunov_equation(beta, lam, frac, sigma):
    # any stable step: α·λ a fraction of the limit 2 + 2β
    lr = frac * (2 + 2 * beta) / lam
    closed = float(noise.stationary_variance(lr, beta, lam, sigma))
    lyap = noise.stationary_covariance(lr, beta, [[lam]], [[sigma ** 2]])[0, 0]
    assert closed == pytest.approx(lyap, rel=1e-8)


@settings(max_examples=8, deadline=None)
@given(beta=st.floats(0.0, 0.9), lam=st.floats(0.2, 2.0), frac=st.floats(0.05, 0.6))
def test_closed_form_variance_matches_long_simulations(beta, lam, frac):
    lr = frac * (2 + 2 * beta) / lam
    steps, chains = 4000, 200
    xi = noise.gaussian_noise(steps, (chains, 1), seed=11)
    r = noise.noisy_quadratic_run([lam], [0.0], lr, beta, 1.0, xi)
    measured = r.w[steps // 2:].var()
    theory_ = float(noise.stationary_variance(lr, beta, lam, 1.0))
    # 2000 correlated steps × 200 chains: a few per cent of sampling error
    assert measured == pytest.approx(theory_, rel=0.12)


def test_sgd_special_case():
    assert float(noise.stationary_variance(0.1, 0.0, 2.0, 3.0)) == pytest.approx(0.1 * 9 / (2 * (2 - 0.2)))


@settings(max_examples=40, deadline=None)
@given(beta=betas, lam=lams, eta_eff=st.floats(1e-4, 1e-2))
def test_at_equal_effective_lr_momentum_has_about_sgds_floor(beta, lam, eta_eff):
    lr = eta_eff * (1 - beta)
    hb = float(noise.stationary_variance(lr, beta, lam, 1.0))
    sgd = float(noise.stationary_variance(eta_eff, 0.0, lam, 1.0))
    assert hb <= sgd * (1 + 1e-12)                   # never above it
    assert hb == pytest.approx(sgd, rel=eta_eff * lam)   # and equal to first order in η_eff·λ


@settings(max_examples=40, deadline=None)
@given(beta=st.floats(0.05, 0.95), lam=lams, lr=st.floats(1e-4, 1e-2))
def test_at_equal_pytorch_lr_momentum_raises_the_floor_about_one_over_one_minus_beta(beta, lam, lr):
    ratio = noise.stationary_variance(lr, beta, lam, 1.0) / noise.stationary_variance(lr, 0.0, lam, 1.0)
    assert float(ratio) > 1.0
    assert float(ratio) == pytest.approx(1 / (1 - beta), rel=0.03)


def test_unstable_settings_have_infinite_variance_and_no_lyapunov_solution():
    assert np.isinf(noise.stationary_variance(4.0, 0.5, 1.0, 1.0))
    with pytest.raises(ValueError, match="unstable"):
        noise.stationary_covariance(4.0, 0.5, [[1.0]], [[1.0]])


def test_ema_form_is_pytorch_form_with_scaled_lr():
    a = noise.stationary_variance(0.1, 0.9, 1.0, 1.0, convention="ema")
    b = noise.stationary_variance(0.01, 0.9, 1.0, 1.0, convention="pytorch")
    assert float(a) == pytest.approx(float(b))
    assert float(noise.effective_lr(0.01, 0.9)) == pytest.approx(0.1)
    assert float(noise.effective_lr(0.1, 0.9, convention="ema")) == pytest.approx(0.1)


def test_loss_floor_sums_the_directions():
    lams = np.array([1.0, 0.1])
    expected = 0.5 * sum(l * float(noise.stationary_variance(0.05, 0.5, l, 2.0)) for l in lams)
    assert float(noise.loss_floor(0.05, 0.5, lams, 2.0)) == pytest.approx(expected)


def test_common_noise_stream_is_shared_and_noiseless_run_is_deterministic_momentum():
    xi = noise.gaussian_noise(50, (4, 1, 2), seed=0)
    r = noise.noisy_quadratic_run([1.0, 0.1], [1.0, 1.0], np.array([0.1, 0.01]), np.array([0.0, 0.9]), 0.0, xi)
    # no noise: heavy ball in closed form
    from momentum_lib import run
    ref = run(lambda w: np.array([1.0, 0.1]) * w, [1.0, 1.0], 50, lr=np.array([0.1, 0.01]),
              beta=np.array([0.0, 0.9]), convention="pytorch")
    np.testing.assert_allclose(r.w[:, 0], ref.w, rtol=1e-12)
    assert np.array_equal(noise.gaussian_noise(5, 3, seed=4), noise.gaussian_noise(5, 3, seed=4))


def test_divergence_becomes_nan():
    xi = noise.gaussian_noise(200, (1,), seed=0)
    r = noise.noisy_quadratic_run([1.0], [1.0], np.array([0.1, 5.0]), 0.0, 1.0, xi)
    assert np.isfinite(r.loss[-1, 0]) and np.isnan(r.loss[-1, 1])


def test_bad_inputs_are_named():
    xi = noise.gaussian_noise(5, (1,), seed=0)
    with pytest.raises(ValueError, match="sigma"):
        noise.noisy_quadratic_run([1.0], [0.0], 0.1, 0.0, -1.0, xi)
    with pytest.raises(ValueError, match="lr_schedule"):
        noise.noisy_quadratic_run([1.0], [0.0], 0.1, 0.0, 1.0, xi, lr_schedule=np.ones(3))
    with pytest.raises(ValueError, match="batch_size"):
        noise.minibatch_indices(10, 11, 5, seed=0)


def test_minibatch_noise_covariance_matches_sampled_gradients():
    p = noise.least_squares(n=500, seed=2)
    C = p.gradient_noise_covariance()
    idx = noise.minibatch_indices(500, 8, 20000, seed=3)
    Xb, yb = p.X[idx], p.y[idx]
    g = np.einsum("tbi,tb->ti", Xb, Xb @ p.w_star - yb) / 8
    np.testing.assert_allclose(np.cov(g.T), C / 8, rtol=0.05, atol=2e-4)


def test_minibatch_spread_matches_the_lyapunov_floor():
    p = noise.least_squares(n=2000, seed=0)
    B, lr, beta, steps = 10, 0.02, 0.9, 20000
    batches = noise.minibatch_indices(len(p.y), B, steps, seed=1)
    w = noise.minibatch_run(p, p.w_star, lr, beta, batches)
    measured = np.cov(w[1000:].T)
    predicted = noise.stationary_covariance(lr, beta, p.hessian, p.gradient_noise_covariance() / B)
    np.testing.assert_allclose(np.diag(measured), np.diag(predicted), rtol=0.2)


def test_minibatch_run_without_noise_is_full_batch_momentum():
    p = noise.least_squares(n=50, seed=0)
    full = np.tile(np.arange(50), (30, 1))
    w = noise.minibatch_run(p, [0.0, 0.0], 0.1, 0.5, full)
    from momentum_lib import run
    ref = run(lambda w: (w @ p.X.T - p.y) @ p.X / 50, [0.0, 0.0], 30, lr=0.1, beta=0.5, convention="pytorch")
    np.testing.assert_allclose(w, ref.w, rtol=1e-10, atol=1e-13)


def test_crossover_and_first_below():
    a = np.array([5.0, 4.0, 1.0, 3.0, 1.0, 1.0])
    b = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    assert int(noise.crossover_step(a, b)) == 4
    assert int(noise.crossover_step(b, a)) == -1
    assert int(noise.first_step_below(a, 2.0)) == 2
    assert int(noise.first_step_below(a, 0.5)) == -1


def test_ensemble_loss_reaches_the_loss_floor():
    lams = np.array([1.0, 0.2])
    m = noise.ensemble_loss(lams, [0.0, 0.0], np.array([0.1, 0.01]), np.array([0.0, 0.9]), 0.5,
                            steps=3000, chains=100, seed=5)
    floor = noise.loss_floor(np.array([0.1, 0.01]), np.array([0.0, 0.9]), lams, 0.5)
    np.testing.assert_allclose(m[1000:].mean(axis=0), floor, rtol=0.1)


# ---------------------------------------------------------------- exact expectations

@pytest.mark.parametrize("convention", ["pytorch", "ema"])
def test_expected_loss_is_the_limit_of_the_monte_carlo_mean(convention):
    lams, w0 = np.array([1.0, 0.05]), [3.0, -2.0]
    lrs, betas = np.array([0.5, 0.3]), np.array([0.0, 0.8])
    exact = noise.expected_loss(lams, w0, lrs, betas, 0.3, 300, convention=convention)
    xi = noise.gaussian_noise(300, (4000, 1, 2), seed=11)
    runs = noise.noisy_quadratic_run(lams, w0, lrs, betas, 0.3, xi, convention=convention).loss
    mean, se = runs.mean(axis=1), runs.std(axis=1) / np.sqrt(4000)
    assert np.all(np.abs(mean - exact) <= 5 * se + 1e-12)       # every step, both settings


def test_expected_moments_without_noise_are_the_noise_free_run():
    lams, w0 = np.array([1.0, 0.1]), [1.0, 2.0]
    m = noise.expected_moments(lams, w0, 0.4, 0.7, 0.0, 50)
    ref = noise.noisy_quadratic_run(lams, w0, 0.4, 0.7, 0.0, np.zeros((50, 2))).w
    np.testing.assert_allclose(m.mean, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m.second, ref ** 2, rtol=1e-12, atol=1e-15)


def test_expected_loss_settles_at_the_floor_and_follows_a_schedule():
    lams = np.array([1.0, 0.2])
    e = noise.expected_loss(lams, [2.0, 2.0], 0.05, 0.9, 0.5, 4000)
    np.testing.assert_allclose(e[-1], noise.loss_floor(0.05, 0.9, lams, 0.5), rtol=1e-9)
    cut = np.where(np.arange(4000) < 2000, 1.0, 0.1)
    decayed = noise.expected_loss(lams, [2.0, 2.0], 0.05, 0.9, 0.5, 4000, lr_schedule=cut)
    np.testing.assert_array_equal(decayed[:2001], e[:2001])
    np.testing.assert_allclose(decayed[-1], noise.loss_floor(0.005, 0.9, lams, 0.5), rtol=1e-3)
    with pytest.raises(ValueError, match="lr_schedule"):
        noise.expected_loss(lams, [2.0, 2.0], 0.05, 0.9, 0.5, 10, lr_schedule=np.ones(3))


def test_crossover_of_the_expected_losses_in_notebook_06():
    # κ = 100, best noise-free settings, σ = 0.1/√B: the crossover steps the notebook prints.
    lams, w0 = np.array([1.0, 0.01]), [10.0, 10.0]
    gd, hb = theory.optimal_parameters(100.0, method="sgd"), theory.optimal_parameters(100.0, convention="pytorch")
    lrs, betas = np.array([gd.lr, hb.lr]), np.array([0.0, hb.beta])
    steps = [int(noise.crossover_step(*noise.expected_loss(lams, w0, lrs, betas, 0.1 / np.sqrt(B), 800).T))
             for B in (1, 16, 256)]
    assert steps == [80, 150, 219]


def test_floor_settling_knows_when_a_slow_direction_has_not_settled():
    # The explorer's default start (1, 1) on κ = 10, σ = 0.05: at β = 0.29, η = 0.05 the flat
    # direction (λ = 0.1) is still far above its floor at step 300; at β = 0.9 both have settled.
    slow = noise.floor_settling([1.0, 0.1], [1.0, 1.0], 0.05, 0.29, 0.05, 300)
    assert slow.settled.tolist() == [True, False] and slow.from_step[1] == -1
    assert slow.gap[1] > 1 and 300 < slow.expected_step[1] < 2000
    long = noise.floor_settling([1.0, 0.1], [1.0, 1.0], 0.05, 0.29, 0.05, int(slow.expected_step[1]) + 50)
    assert long.settled[1] and abs(long.from_step[1] - slow.expected_step[1]) < 0.2 * slow.expected_step[1]
    fast = noise.floor_settling([1.0, 0.1], [1.0, 1.0], 0.05, 0.9, 0.05, 300)
    assert fast.settled.all() and np.all(fast.from_step < 200)
    assert np.all(np.abs(fast.gap) <= 0.1)


def test_floor_settling_of_an_unstable_setting_is_never():
    s = noise.floor_settling([1.0], [1.0], 3.0, 0.0, 0.1, 100)
    assert not s.settled[0] and np.isinf(s.expected_step[0])
    with pytest.raises(ValueError, match="tol"):
        noise.floor_settling([1.0], [1.0], 0.1, 0.0, 0.1, 100, tol=1.5)


def test_minibatch_covariance_equals_the_additive_one_when_every_example_has_the_same_xx():
    # x = ±1 in one dimension: x·xᵀ = H for every example, so H_B = H and the part of the noise
    # that grows with w − w* vanishes.
    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 1.0], size=(400, 1))
    y = 0.7 * X[:, 0] + rng.standard_normal(400)
    p = noise.LeastSquares(X, y, np.linalg.lstsq(X, y, rcond=None)[0], X.T @ X / 400)
    exact = noise.minibatch_stationary_covariance(0.3, 0.5, p, 4)
    additive = noise.stationary_covariance(0.3, 0.5, p.hessian, p.gradient_noise_covariance() / 4)
    np.testing.assert_allclose(exact, additive, rtol=1e-10)


@pytest.mark.slow
def test_minibatch_covariance_predicts_the_measured_spread_where_the_additive_one_is_low():
    p = noise.least_squares(n=2000, scales=(1.0, 0.5), seed=0)
    measured = noise.minibatch_variances(p, 0.5, 0.0, 10, 20000, range(10))           # (seeds, 2)
    additive = np.diag(noise.stationary_covariance(0.5, 0.0, p.hessian, p.gradient_noise_covariance() / 10))
    exact = np.diag(noise.minibatch_stationary_covariance(0.5, 0.0, p, 10))
    se = measured.std(axis=0, ddof=1) / np.sqrt(10)
    assert np.all(np.abs(measured.mean(axis=0) - exact) < 3 * se)
    assert np.all(measured.mean(axis=0) - additive > 3 * se)


def test_minibatch_covariance_rejects_settings_whose_moments_grow_and_bad_batch_sizes():
    p = noise.least_squares(n=200, seed=0)
    with pytest.raises(ValueError, match="grow without bound"):
        noise.minibatch_stationary_covariance(2.5, 0.0, p, 1)
    with pytest.raises(ValueError, match="batch_size"):
        noise.minibatch_stationary_covariance(0.1, 0.0, p, 0)


def test_shared_stream_paths_share_the_noise_within_a_seed_and_not_across_seeds():
    paths = noise.shared_stream_paths(1.0, np.array([0.1, 0.1]), np.array([0.0, 0.0]), 1.0, 50, seeds=[0, 1])
    assert paths.shape == (2, 51, 2)
    np.testing.assert_array_equal(paths[:, :, 0], paths[:, :, 1])          # same setting, same noise
    assert not np.allclose(paths[0], paths[1])


def test_path_statistics_measure_spread_steps_and_correlation():
    t = np.linspace(0, 20, 401)
    paths = np.stack([np.sin(t), 2 * np.sin(t), -np.sin(t)], axis=-1)[None]    # one "seed"
    stats = noise.path_statistics(paths, burn_in=0)
    np.testing.assert_allclose(stats.corr[0], [1.0, 1.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(stats.std[0, 1] / stats.std[0, 0], 2.0)
    np.testing.assert_allclose(stats.step_std[0, 1] / stats.step_std[0, 0], 2.0)


def test_simulated_variance_over_seeds_brackets_the_closed_form():
    sim = noise.simulated_variance(np.array([0.1, 0.01]), np.array([0.0, 0.9]), 1.0, 1.0, 4000, 50, range(5))
    assert sim.shape == (5, 2)
    ratio = sim / noise.stationary_variance(np.array([0.1, 0.01]), np.array([0.0, 0.9]), 1.0, 1.0)
    assert np.all(np.abs(ratio - 1) < 0.1) and np.ptp(ratio, axis=0).min() > 0


def test_seed_range_and_mean_texts():
    assert noise.seed_range(np.array([0.21, 0.2049, 0.23])) == "0.205–0.230"
    assert noise.seed_range(np.array([0.2101, 0.2102]), ".2f") == "0.21"
    assert list(noise.seed_range(np.array([[1.0, 3.0], [2.0, 3.0]]), ".1f")) == ["1.0–2.0", "3.0"]
    assert noise.seed_mean_text(np.array([1.0, 1.1, 1.2])) == "1.100 ± 0.058"
