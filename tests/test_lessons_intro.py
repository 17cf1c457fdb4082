"""The measurements and figures behind notebooks 01–03 (valley race, noise spread, conventions)."""

import math

import numpy as np
import pytest

from momentum_lib import experiments as ex
from momentum_lib import frameworks, problems, run, theory


# ---- valley_race: a robust "settled" step --------------------------------------------------

def test_valley_race_settles_where_the_distance_stays_within_tol():
    r = ex.valley_race(50.0, lr=1.9, beta=0.9, steps=200, convention="ema")
    for result, settled in ((r.gd, r.gd_settled), (r.momentum, r.momentum_settled)):
        dist = np.linalg.norm(result.w, axis=-1)
        assert settled > 0
        assert np.all(dist[settled:] <= 0.01)
        assert dist[settled - 1] > 0.01


def test_settling_is_not_flattered_by_a_ripple_trough():
    # Issue 9.6: at κ = 50, lr 1.9, β = 0.9 (EMA form) momentum's loss first dips below 1e-3
    # at step 52 and comes back above it; the distance settles only later.
    r = ex.valley_race(50.0, lr=1.9, beta=0.9, steps=200, convention="ema")
    first_below = int(np.flatnonzero(r.momentum.loss < 1e-3)[0])
    dist = np.linalg.norm(r.momentum.w, axis=-1)
    assert np.any(r.momentum.loss[first_below:] >= 1e-3)
    assert r.momentum_settled > first_below
    assert r.momentum_settled == int(ex.settling_step(r.momentum.w, 0.0, 0.01))
    assert dist[r.momentum_settled:].max() <= 0.01


def test_valley_race_pytorch_form_is_heavy_ball_with_the_same_lr():
    r = ex.valley_race(500.0, lr=1.9, beta=0.9, steps=50, convention="pytorch")
    p = problems.narrow_valley(500.0)
    w = frameworks.polyak_heavy_ball(p.grad, p.w0, 50, lr=1.9, beta=0.9)
    np.testing.assert_allclose(r.momentum.w, w, atol=1e-12)


def test_valley_race_reports_never_as_minus_one():
    r = ex.valley_race(500.0, lr=1.9, beta=0.9, steps=20, convention="pytorch")
    assert r.gd_settled == -1 and r.momentum_settled == -1


# ---- stationary_spread and long_run_spread ---------------------------------------------------

@pytest.mark.parametrize("lr, beta, noise, lam, convention", [
    (0.1, 0.0, 1.0, 1.0, "ema"),
    (0.1, 0.9, 1.0, 1.0, "ema"),
    (1.5, 0.9, 3.0, 1.0, "ema"),
    (0.05, 0.5, 2.0, 2.0, "pytorch"),
    (1.9, 0.0, 1.0, 1.0, "ema"),
])
def test_the_closed_form_spread_matches_a_long_simulation(lr, beta, noise, lam, convention):
    theory_ = float(ex.stationary_spread(lr, beta, noise, lam, convention))
    measured = float(ex.long_run_spread(lr, beta, noise, lam=lam, steps=60_000, burn_in=3_000,
                                        seed=3, convention=convention))
    assert measured == pytest.approx(theory_, rel=0.08)


def test_spread_formula_special_cases():
    # β = 0: AR(1) w⁺ = (1 − ηλ)w − ησξ has variance η²σ²/(1 − (1 − ηλ)²) = ησ²/(λ(2 − ηλ)).
    lr, sigma, lam = 0.3, 1.7, 2.0
    gd = float(ex.stationary_spread(lr, 0.0, sigma, lam))
    assert gd == pytest.approx(math.sqrt(lr ** 2 * sigma ** 2 / (1 - (1 - lr * lam) ** 2)))
    # EMA form: ησ²/(λ(2 − ηλ(1−β)/(1+β))) — never above gradient descent's at the same η.
    for beta in (0.5, 0.9, 0.99):
        mom = float(ex.stationary_spread(lr, beta, sigma, lam))
        assert mom == pytest.approx(math.sqrt(lr * sigma ** 2 / (lam * (2 - lr * lam * (1 - beta) / (1 + beta)))))
        assert mom <= gd
    # Small η: both tend to √(ησ²/(2λ)).
    tiny = 1e-6
    for beta in (0.0, 0.9):
        assert float(ex.stationary_spread(tiny, beta, 1.0)) == pytest.approx(math.sqrt(tiny / 2), rel=1e-5)
    # PyTorch form at the same lr: variance about 1/(1 − β) times larger.
    ratio = float(ex.stationary_spread(1e-4, 0.9, 1.0, convention="pytorch")
                  / ex.stationary_spread(1e-4, 0.0, 1.0, convention="pytorch")) ** 2
    assert ratio == pytest.approx(10.0, rel=1e-3)


def test_spread_is_infinite_beyond_the_stability_limit():
    limit = float(theory.max_stable_lr(0.9, 1.0))
    assert math.isfinite(float(ex.stationary_spread(limit * 0.99, 0.9, 1.0)))
    assert float(ex.stationary_spread(limit * 1.01, 0.9, 1.0)) == math.inf
    assert float(ex.stationary_spread(2.5, 0.0, 1.0)) == math.inf
    assert float(ex.stationary_spread(0.1, 0.9, 0.0)) == 0.0


def test_noisy_parabola_runs_share_one_noise_stream():
    r = ex.noisy_parabola_runs(0.1, np.array([0.0, 0.5, 0.9]), 2.0, 50, w0=1.0, seed=7)
    noise = r.g[..., 0] - 1.0 * r.w[:-1, :, 0]
    np.testing.assert_allclose(noise, noise[:, :1] * np.ones((1, 3)), atol=1e-12)
    assert np.std(noise) > 1.0
    again = ex.noisy_parabola_runs(0.1, np.array([0.0, 0.5, 0.9]), 2.0, 50, w0=1.0, seed=7)
    np.testing.assert_array_equal(r.w, again.w)
    # β = 0 row is exactly gradient descent on the same noise
    xi = np.random.default_rng(7).standard_normal(50)
    w = 1.0
    for t in range(50):
        w = w - 0.1 * (w + 2.0 * xi[t])
    assert r.w[-1, 0, 0] == pytest.approx(w)


def test_long_run_spread_marks_diverged_settings_and_checks_its_arguments():
    s = ex.long_run_spread(np.array([0.1, 3.0]), 0.0, 1.0, steps=3000, burn_in=100)
    assert math.isfinite(s[0]) and math.isnan(s[1])
    with pytest.raises(ValueError, match="burn_in"):
        ex.long_run_spread(0.1, 0.0, 1.0, steps=100, burn_in=200)
    with pytest.raises(ValueError, match="noise"):
        ex.stationary_spread(0.1, 0.0, -1.0)


# ---- convention_paths ------------------------------------------------------------------------

def test_all_conventions_take_the_same_steps_at_a_constant_lr():
    p = problems.parabola(1.0, w0=1.0)
    out = ex.convention_paths(p.grad, p.w0, 30, lr=0.1, beta=0.9)
    assert list(out) == list(ex.CONVENTIONS)
    ref = out["PyTorch"][1]
    for name, (kwargs, w) in out.items():
        np.testing.assert_allclose(w, ref, rtol=0, atol=1e-12, err_msg=name)
    assert out["EMA form"][0] == {"lr": pytest.approx(1.0), "beta": 0.9}
    assert out["Keras"][0] == {"learning_rate": 0.1, "momentum": 0.9}


def test_a_schedule_splits_the_conventions_into_two_families():
    p = problems.parabola(1.0, w0=1.0)
    out = ex.convention_paths(p.grad, p.w0, 30, lr=0.1, beta=0.9,
                              schedule=lambda t: 1.0 if t < 10 else 0.1)
    w = {name: path for name, (_, path) in out.items()}
    for a, b in (("PyTorch", "Optax"), ("PyTorch", "EMA form"), ("Keras", "Sutskever"),
                 ("Keras", "Polyak")):
        np.testing.assert_allclose(w[a], w[b], atol=1e-12)
    np.testing.assert_allclose(w["PyTorch"][:11], w["Keras"][:11], atol=1e-12)
    assert abs(w["PyTorch"][11, 0] - w["Keras"][11, 0]) > 1e-3


# ---- figures ---------------------------------------------------------------------------------

def test_schedule_split_draws_differences_from_the_reference():
    pytest.importorskip("matplotlib")
    from momentum_lib import drawing

    p = problems.parabola(1.0, w0=1.0)
    out = ex.convention_paths(p.grad, p.w0, 30, lr=0.1, beta=0.9,
                              schedule=lambda t: 1.0 if t < 10 else 0.1)
    paths = {name: w for name, (_, w) in out.items()}
    fig = drawing.schedule_split(paths, cut=10)
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    np.testing.assert_allclose(lines["PyTorch"].get_ydata(), 0.0)
    np.testing.assert_allclose(lines["Keras"].get_ydata(), paths["Keras"][:, 0] - paths["PyTorch"][:, 0])
    # no two conventions share colour, style and width: coinciding paths stay visible
    styles = {(line.get_color(), str(line.get_linestyle()), line.get_linewidth()) for line in lines.values()}
    assert len(styles) == len(lines)
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert "PyTorch = Optax = EMA form" in labels and "Keras = Sutskever = Polyak" in labels
    assert drawing.png_bytes(fig).startswith(b"\x89PNG")


def test_cut_at_exit_stops_a_diverging_path_and_keeps_returning_ones():
    from momentum_lib.drawing import cut_at_exit

    x, y = cut_at_exit([0.0, 0.5, 5.0, -50.0, 500.0], [0.0, 0.1, 0.2, 0.3, 0.4],
                       limits=[(-1, 1), (-1, 1)])
    assert x[:3].tolist() == [0.0, 0.5, 1.0] and np.isnan(x[3:]).all() and np.isnan(y[3:]).all()
    (back,) = cut_at_exit([0.0, 3.0, 0.5], limits=[(-1, 1)])
    assert np.isfinite(back).all() and back[2] == 0.5
    (nan_end,) = cut_at_exit([0.0, 0.5, 9.0, np.nan], limits=[(-1, 1)])
    assert nan_end[2] == 1.0 and np.isnan(nan_end[3])
    with pytest.raises(ValueError):
        cut_at_exit([0.0], [0.0], limits=[(-1, 1)])


def test_polyak_is_not_the_near_invisible_yellow():
    from momentum_lib.drawing import METHOD_COLOURS

    assert METHOD_COLOURS["polyak"].upper() != "#F0E442"


def test_long_run_spread_of_the_velocity_and_the_gradients():
    # EMA velocity of white noise: spread σ·√((1 − β)/(1 + β)) plus the (small) part from w.
    g = float(ex.long_run_spread(0.01, 0.9, 1.0, of="g", steps=30_000))
    v = float(ex.long_run_spread(0.01, 0.9, 1.0, of="v", steps=30_000))
    assert g == pytest.approx(1.0, rel=0.05)
    assert v == pytest.approx(math.sqrt(0.1 / 1.9), rel=0.1)
    with pytest.raises(ValueError, match="of must be"):
        ex.long_run_spread(0.1, 0.9, 1.0, of="x")
