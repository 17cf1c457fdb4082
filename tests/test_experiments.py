"""momentum_lib.experiments: the source post's β experiment, path measures, Nesterov's pieces."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from momentum_lib import experiments as ex
from momentum_lib import problems, run, theory

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


# --- the source post's β experiment ----------------------------------------------------


def post_code_as_written(beta, lr=0.1, epochs=20, ema=False):
    """The post's ``train_momentum``, transcribed to plain Python floats (no numpy, no library)."""
    xs = [-1.414, -0.707, 0.000, 0.707, 1.414]
    ys = list(xs)
    w = b = v_w = v_b = 0.0
    losses = []
    for _ in range(epochs):
        r = [w * x + b - y for x, y in zip(xs, ys)]
        losses.append(sum(e * e for e in r) / 5)
        dw = 2 * sum(e * x for e, x in zip(r, xs)) / 5
        db = 2 * sum(r) / 5
        scale = (1 - beta) if ema else 1.0
        v_w = beta * v_w + scale * dw
        v_b = beta * v_b + scale * db
        w -= lr * v_w
        b -= lr * v_b
    return losses


# What the post's code prints (PyTorch-style velocity), checked independently of the library
# with plain Python floats before the library existed.
POST_CODE_PYTORCH = {0.0: (0.9997, 0.1678, 0.0002), 0.5: (0.9997, 0.0151, 0.0000),
                     0.9: (0.9997, 0.0950, 0.0977), 0.99: (0.9997, 0.1925, 0.5731)}
# The same experiment with the EMA form (β = 0 is the same run).
POST_CODE_EMA = {0.0: (0.9997, 0.1678, 0.0002), 0.5: (0.9997, 0.2301, 0.0000),
                 0.9: (0.9997, 0.6797, 0.0613), 0.99: (0.9997, 0.9606, 0.4405)}


@pytest.mark.parametrize("convention, expected", [("pytorch", POST_CODE_PYTORCH),
                                                  ("ema", POST_CODE_EMA)])
def test_source_post_losses_reproduce_reference_table(convention, expected):
    betas = list(expected)
    table = ex.loss_at(ex.source_post_losses(betas, convention=convention), at=(1, 5, 20))
    for beta, row in zip(betas, table):
        assert [f"{x:.4f}" for x in row] == [f"{x:.4f}" for x in expected[beta]], beta


@pytest.mark.parametrize("ema", [False, True])
def test_source_post_losses_match_a_plain_python_transcription_of_the_post(ema):
    betas = [0.0, 0.3, 0.5, 0.9, 0.99]
    losses = ex.source_post_losses(betas, convention="ema" if ema else "pytorch")
    assert losses.shape == (5, 20)
    for beta, row in zip(betas, losses):
        np.testing.assert_allclose(row, post_code_as_written(beta, ema=ema), rtol=1e-12, atol=1e-15)


def test_source_post_losses_honours_lr_and_epochs():
    losses = ex.source_post_losses([0.5], lr=0.05, epochs=7)
    np.testing.assert_allclose(losses[0], post_code_as_written(0.5, lr=0.05, epochs=7), rtol=1e-12)


def test_source_post_losses_rejects_bad_arguments_by_name():
    with pytest.raises(ValueError, match="betas"):
        ex.source_post_losses([0.5, 1.0])
    with pytest.raises(TypeError, match="epochs"):
        ex.source_post_losses(epochs=2.5)
    with pytest.raises(ValueError, match="convention"):
        ex.source_post_losses(convention="keras")
    with pytest.raises(ValueError, match="lr"):
        ex.source_post_losses(lr=0.0)


def test_post_claim_is_not_what_its_code_prints():
    # The quoted table must stay a quotation: it disagrees with the computation.
    computed = ex.loss_at(ex.source_post_losses(list(ex.SOURCE_POST_CLAIM)))
    claimed = np.array(list(ex.SOURCE_POST_CLAIM.values()))
    assert not np.allclose(np.round(computed, 4), claimed)
    assert ex.SOURCE_POST_CLAIM[0.9][1] == 0.0011     # the post's headline "Loss@5 = 0.0011"


def test_format_loss_table_rows_and_divergence():
    text = ex.format_loss_table([0.0, 0.9], [[1.0, 0.12345, 0.0], [1.0, np.nan, np.inf]])
    lines = text.splitlines()
    assert "Loss@1" in lines[0] and "Loss@20" in lines[0]
    assert lines[2].split("|")[2].strip() == "0.1235"
    assert lines[3].count("diverged") == 2
    assert lines[3].startswith(" 0.90")


def test_loss_at_counts_from_one():
    losses = np.arange(20.0).reshape(1, 20)
    assert ex.loss_at(losses, at=(1, 5, 20)).tolist() == [[0.0, 4.0, 19.0]]


# --- measuring a path ----------------------------------------------------------------------


def test_overshoot_of_gradient_descent_that_flips_sign():
    # GD with lr·c = 1.5 on a parabola: w_t = (−0.5)^t, so the largest overshoot is 0.5 (t = 1).
    p = problems.parabola(1.0, w0=1.0)
    r = run(p.grad, p.w0, 30, lr=1.5, method="sgd", beta=0.0)
    assert ex.overshoot(r.w, p.minimum)[0] == pytest.approx(0.5)


def test_overshoot_is_zero_for_a_monotone_approach_and_works_per_coordinate():
    path = np.array([[-3.0, 1.0], [-2.0, -0.4], [-1.0, 0.1], [-0.2, 0.0]])
    np.testing.assert_allclose(ex.overshoot(path, [0.0, 0.0]), [0.0, 0.4])
    np.testing.assert_allclose(ex.overshoot(path, [-1.5, 0.0]), [1.3, 0.4])   # ran on to −0.2


def test_overshoot_ignores_nan_steps_of_a_diverged_run():
    path = np.array([[1.0], [-2.0], [np.nan], [np.nan]])
    assert ex.overshoot(path, 0.0)[0] == 2.0


def test_settling_step_cases():
    path = np.array([[1.0], [0.5], [-0.05], [0.2], [0.01], [0.0]])
    assert ex.settling_step(path, 0.0, tol=0.1) == 4
    assert ex.settling_step(path, 0.0, tol=2.0) == 0          # inside from the start
    assert ex.settling_step(path, 0.0, tol=1e-9) == 5         # only the last step
    assert ex.settling_step(np.array([[1.0], [0.9]]), 0.0, tol=0.1) == -1
    assert ex.settling_step(np.array([[1.0], [0.01], [np.nan]]), 0.0, tol=0.1) == -1


def test_settling_step_uses_the_norm_over_parameters_and_broadcasts_over_settings():
    # two settings, two parameters: (steps+1, S=2, P=2)
    w = np.zeros((4, 2, 2))
    w[:, 0] = [[3, 4], [0.3, 0.4], [0, 0.4], [0, 0]]   # norms 5, 0.5, 0.4, 0
    w[:, 1] = [[1, 0], [0, 1], [1, 0], [0, 1]]         # norm 1 throughout
    assert ex.settling_step(w, [0, 0], tol=0.45).tolist() == [2, -1]
    np.testing.assert_allclose(ex.error_norms(w, 0)[:, 0], [5, 0.5, 0.4, 0])


def test_measured_rate_of_geometric_and_oscillating_sequences():
    t = np.arange(400.0)
    assert float(ex.measured_rate(0.95 ** t)) == pytest.approx(0.95, abs=1e-12)
    # underdamped error: r^t·|cos(θt + φ)| has zeros, the envelope rate is still r
    ripple = 0.97 ** t * np.abs(np.cos(0.3 * t + 0.2))
    assert float(ex.measured_rate(ripple)) == pytest.approx(0.97, abs=2e-3)
    # a growing error reads > 1
    assert float(ex.measured_rate(1.05 ** t[:200])) == pytest.approx(1.05)


def test_measured_rate_stops_before_underflow_and_handles_settings():
    t = np.arange(1000.0)[:, None]
    e = np.concatenate([0.2 ** t, 0.9 ** t], axis=1)       # 0.2^1000 underflows to 0
    np.testing.assert_allclose(ex.measured_rate(e), [0.2, 0.9], rtol=1e-9)


def test_measured_rate_of_a_diverged_run_is_above_one():
    p = problems.parabola(1.0)
    r = run(p.grad, p.w0, 200, lr=2.5, method="sgd", beta=0.0)    # rate |1 − 2.5| = 1.5
    assert r.diverged.item()
    assert float(ex.measured_rate(ex.error_norms(r.w, p.minimum))) == pytest.approx(1.5)


# --- Nesterov --------------------------------------------------------------------------------


def test_lookahead_arrows_with_zero_velocity_give_one_and_the_same_step():
    p = problems.narrow_valley(10.0)
    la = ex.lookahead_arrows(p.grad, p.w0, np.zeros(2), lr=2.0, beta=0.9)
    np.testing.assert_array_equal(la.w_look, p.w0)
    np.testing.assert_array_equal(la.g_look, la.g)
    np.testing.assert_array_equal(la.w_nesterov, la.w_momentum)


def test_lookahead_arrows_on_a_quadratic():
    p = problems.narrow_valley(10.0)
    w, v, lr, beta = np.array([-2.0, 0.5]), np.array([-1.0, 0.8]), 2.0, 0.9
    la = ex.lookahead_arrows(p.grad, w, v, lr=lr, beta=beta)
    np.testing.assert_allclose(la.w_look, w - lr * beta * v)
    np.testing.assert_allclose(la.g_look, [0.1, 1.0] * la.w_look)
    np.testing.assert_allclose(la.w_momentum, w - lr * (beta * v + (1 - beta) * la.g))
    # the two steps differ only in where the gradient was taken
    np.testing.assert_allclose(la.w_nesterov - la.w_momentum, -lr * (1 - beta) * (la.g_look - la.g))


def sutskever_nag(grad_fn, theta0, steps, eps, mu):
    """Sutskever et al. (2013), https://proceedings.mlr.press/v28/sutskever13.html: v ← μv − ε∇f(θ + μv), θ ← θ + v."""
    theta, v = np.array(theta0, dtype=float), np.zeros_like(theta0, dtype=float)
    out = [theta.copy()]
    for _ in range(steps):
        v = mu * v - eps * grad_fn(theta + mu * v)
        theta = theta + v
        out.append(theta.copy())
    return np.array(out)


def torch_style_nesterov(grad_fn, p0, steps, lr, mu):
    """torch.optim.SGD(nesterov=True, dampening=0) as ``torch/optim/sgd.py`` computes it."""
    p, b = np.array(p0, dtype=float), None
    out = [p.copy()]
    for _ in range(steps):
        g = grad_fn(p)
        b = g.copy() if b is None else mu * b + g
        p = p - lr * (g + mu * b)
        out.append(p.copy())
    return np.array(out)


def test_nesterov_in_ema_form_is_sutskever_nag_with_eps_lr_times_one_minus_beta():
    p = problems.narrow_valley(10.0)
    lr, beta = 2.0, 0.9
    ours = run(p.grad, p.w0, 60, lr=lr, beta=beta, method="nesterov", convention="ema").w
    np.testing.assert_allclose(ours, sutskever_nag(p.grad, p.w0, 60, lr * (1 - beta), beta),
                               rtol=1e-12, atol=1e-14)


def test_framework_nesterov_iterate_is_sutskevers_lookahead_point():
    p = problems.narrow_valley(10.0)
    lr, mu = 0.3, 0.8
    theta = sutskever_nag(p.grad, p.w0, 40, lr, mu)
    np.testing.assert_allclose(ex.sutskever_lookahead(theta, mu),
                               torch_style_nesterov(p.grad, p.w0, 40, lr, mu), rtol=1e-12, atol=1e-14)
    # ... and not θ itself
    assert not np.allclose(theta, torch_style_nesterov(p.grad, p.w0, 40, lr, mu))


def test_sutskever_lookahead_by_hand():
    np.testing.assert_allclose(ex.sutskever_lookahead([[1.0, 2.0], [0.5, 1.0], [0.0, 1.5]], 0.5),
                               [[1.0, 2.0], [0.25, 0.5], [-0.25, 1.75]])


def test_compare_overshoot_nesterov_overshoots_less_on_a_parabola():
    # Closed-form check of the first overshoot: with lr·(1−β) = α and c = 1 the EMA
    # iteration is Polyak's with α; momentum's overshoot must exceed Nesterov's, and
    # β = 0 must make the two identical (zero velocity: the same gradient).
    p = problems.parabola(1.0, w0=1.0)
    out = ex.compare_overshoot(p, lr=2.0, beta=0.9, steps=200, tol=0.05)
    m, n = out["momentum"], out["nesterov"]
    assert m.overshoot[0] > n.overshoot[0] > 0
    assert m.settled > n.settled > 0
    np.testing.assert_allclose(m.overshoot, ex.overshoot(m.run.w, 0.0))
    same = ex.compare_overshoot(p, lr=0.5, beta=0.0, steps=50, tol=0.05)
    np.testing.assert_array_equal(same["momentum"].run.w, same["nesterov"].run.w)


def test_compare_overshoot_first_overshoot_by_hand():
    # Momentum, EMA form, lr = 2, β = 0.9 on J = w²/2 from w = 1, transcribed by hand:
    # v ← 0.9v + 0.1w, w ← w − 2v, iterate until w turns back after crossing 0.
    w, v, lowest = 1.0, 0.0, 0.0
    for _ in range(60):
        v = 0.9 * v + 0.1 * w
        w = w - 2.0 * v
        lowest = min(lowest, w)
    out = ex.compare_overshoot(problems.parabola(1.0), lr=2.0, beta=0.9, steps=60, tol=0.05,
                               methods=("momentum",))
    assert out["momentum"].overshoot[0] == pytest.approx(-lowest, rel=1e-12)


# --- scanning (lr, β) ----------------------------------------------------------------------


def test_phase_rates_grid_layout_and_values():
    lr, beta = np.array([0.5, 1.0, 3.0]), np.array([0.0, 0.5])
    grid = ex.phase_rates(lr, beta, [0.1, 1.0], convention="pytorch")
    assert grid.shape == (2, 3)
    # β = 0 row is gradient descent: max over λ of |1 − lr·λ|
    np.testing.assert_allclose(grid[0], [max(abs(1 - a * 0.1), abs(1 - a)) for a in lr])
    # a point in the middle against theory directly
    assert grid[1, 2] == pytest.approx(max(theory.heavy_ball_rate(3.0, 0.5, lam, convention="pytorch")
                                           for lam in (0.1, 1.0)))


def test_loss_after_matches_single_runs_and_marks_divergence():
    p = problems.narrow_valley(10.0)
    betas = np.array([0.0, 0.5, 0.9])
    got = ex.loss_after(p, 25, lr=1.5, beta=betas)
    for beta, loss in zip(betas, got):
        r = run(p.grad, p.w0, 25, lr=1.5, beta=beta, convention="pytorch", loss_fn=p.loss)
        assert loss == pytest.approx(r.loss[25])
    assert np.isnan(ex.loss_after(p, 200, lr=3.0, beta=0.0))      # lr·λmax = 3 > 2


# --- the notebook shows computed numbers, not typed ones ----------------------------------


def _code_cells(name):
    nb = json.loads((NOTEBOOKS / name).read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_notebook_05_tables_are_computed_by_the_library():
    cells = [c for c in _code_cells("05_beta_sensitivity.ipynb") if "source_post_losses" in c]
    assert cells, "no cell of notebook 05 calls experiments.source_post_losses"
    computed = ["0.9997", "0.1678", "0.0002", "0.0151", "0.0950", "0.0977", "0.1925", "0.5731",
                "0.2301", "0.6797", "0.0613", "0.9606", "0.4405"]
    for source in cells:
        for literal in computed:
            assert literal not in source, f"table cell types {literal} instead of computing it"
        # no four-decimal literals at all in a table cell
        assert not re.search(r"\b0\.\d{4}\b", source), source
