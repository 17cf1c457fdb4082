"""The explorers of notebooks 06 (noise) and 07 (training): what they compute is what they claim."""

import re

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from momentum_lib import network, noise  # noqa: E402
from momentum_lib.explorers import EXPLORERS  # noqa: E402
from momentum_lib.explorers import noise as noise_explorer  # noqa: E402
from momentum_lib.explorers import training as training_explorer  # noqa: E402


@pytest.fixture(scope="module")
def noisy():
    return EXPLORERS["noise"]()


@pytest.fixture(scope="module")
def trainer():
    return EXPLORERS["training"]()


def test_noise_rows_are_gradient_descent_at_the_effective_lr_and_momentum(noisy):
    noisy.set(lr=0.05, beta=0.8, sigma=0.01, kappa=10.0)
    # the same runs, rebuilt from the explorer's own noise stream and the update rules
    xi = noisy._xi
    w = np.broadcast_to(np.array(noise_explorer.W0), (noise_explorer.CHAINS, 2, 2)).copy()
    b = np.zeros_like(w)
    lr, beta = np.array([0.25, 0.05])[:, None], np.array([0.0, 0.8])[:, None]
    for t in range(noise_explorer.STEPS):
        b = beta * b + np.array([1.0, 0.1]) * w + 0.01 * xi[t]
        w = w - lr * b
    np.testing.assert_allclose(noisy.result.w[-1], w, rtol=1e-10, atol=1e-14)
    noisy.reset()


def test_noise_stream_is_common_to_both_methods_and_fixed_across_moves(noisy):
    noisy.reset()
    first = noisy.result.w.copy()
    noisy.set(beta=0.5)
    noisy.reset()
    assert np.array_equal(first, noisy.result.w)
    # β = 0: both rows are plain gradient descent at the same η on the same noise
    noisy.set(beta=0.0)
    np.testing.assert_array_equal(noisy.result.w[:, :, 0], noisy.result.w[:, :, 1])
    noisy.reset()


def test_noise_spread_at_defaults_matches_the_closed_form(noisy):
    noisy.reset()
    s = noisy.state
    np.testing.assert_allclose(s["measured_std"], s["theory_std"], rtol=0.2)
    lams = np.array([1.0, 0.1])
    expected = np.sqrt(noise.stationary_variance(s["lr"], s["beta"], lams, s["sigma"]))
    np.testing.assert_allclose(s["theory_std"][1], expected)


def _library_settling(lr, beta, sigma, kappa):
    """``noise.floor_settling`` for the explorer's two rows, called here directly."""
    eff = lr / (1 - beta)
    return noise.floor_settling([1.0, 1.0 / kappa], [1.0, 1.0], [eff, lr], [0.0, beta], sigma,
                                noise_explorer.STEPS)


def test_noise_compares_with_theory_only_where_the_runs_have_reached_their_floor(noisy):
    # β = 0.29, η = 0.05: the flat direction w₂ is far above its floor during the measuring
    # window, so no measured / theory pair is printed for it, only when it will be there.
    noisy.set(beta=0.29, lr=0.05, sigma=0.05, kappa=10.0)
    status, s = noisy.status_line.value, noisy.state
    lib = _library_settling(0.05, 0.29, 0.05, 10.0)
    assert s["at_floor"] == [[True, False], [True, False]]
    assert not lib.settled[:, 1].any()
    for m, method in ((1, "momentum"), (0, "gradient descent at η/(1−β)")):
        step = f"{lib.expected_step[m, 1]:.0f}"
        assert f"w₂ not at its floor yet (expected ≈ step {step})" in status
        assert f"{s['measured_std'][m][0]:.3g} / {s['theory_std'][m][0]:.3g} (w₁)" in status
        assert f"/ {s['theory_std'][m][1]:.3g} (w₂)" not in status
    assert "0.0297 (w₂)" not in status       # the misleading pair a learner used to see
    # β = 0.9 (the default): every direction settles before step STEPS − TAIL, all pairs shown
    noisy.reset()
    lib = _library_settling(0.05, 0.9, 0.05, 10.0)
    assert lib.settled.all() and (lib.from_step <= noise_explorer.STEPS - noise_explorer.TAIL).all()
    assert noisy.state["at_floor"] == [[True, True], [True, True]]
    assert "not at its floor" not in noisy.status_line.value
    assert len(re.findall(r"[\d.e-]+ / [\d.e-]+ \(w[₁₂]\)", noisy.status_line.value)) == 4


def test_noise_floor_reached_is_the_library_settling_within_the_window():
    # settled, but only from a step inside the measuring window: not at the floor throughout it
    lr, beta, sigma, kappa = 0.05, 0.7, 0.05, 10.0
    lib = _library_settling(lr, beta, sigma, kappa)
    at_floor, step = noise_explorer.floor_reached(lr, beta, sigma, kappa)
    window = noise_explorer.STEPS - noise_explorer.TAIL
    assert lib.settled[:, 1].all() and (lib.from_step[:, 1] > window).all()
    np.testing.assert_array_equal(at_floor, lib.settled & (lib.from_step <= window))
    assert not at_floor[:, 1].any()
    np.testing.assert_array_equal(step, lib.expected_step)


def test_noise_reports_gradient_descent_diverging_alone(noisy):
    noisy.set(lr=0.3, beta=0.9)
    assert noisy.state["sgd_diverged_at"] >= 0 and noisy.state["momentum_diverged_at"] == -1
    assert "momentum did not" in noisy.status_line.value
    noisy.reset()


def test_training_rows_share_batches_and_match_a_direct_training(trainer):
    trainer.set(lr=0.05, beta=0.9, batch_size=64, epochs=2)
    d = trainer._data
    batches = network.epoch_batches(len(d.y_train), 64, 2, training_explorer.SEED)
    direct = network.train(trainer._params0, d.x_train, d.y_train, batches, lr=np.array([0.5, 0.05]),
                           beta=np.array([0.0, 0.9]), x_val=d.x_val, y_val=d.y_val)
    np.testing.assert_allclose(trainer.result.val_loss, direct.val_loss, rtol=1e-12)
    assert trainer.state["steps"] == 2 * (len(d.y_train) // 64)
    trainer.reset()


def test_training_status_counts_steps_and_names_both_methods(trainer):
    trainer.reset()
    status = trainer.status_line.value
    assert "220 steps" in status and "momentum" in status and "gradient descent at η/(1−β)" in status


def test_training_epoch_means():
    losses = np.arange(12.0).reshape(6, 2)
    np.testing.assert_array_equal(training_explorer.epoch_means(losses, 3), [[2.0, 3.0], [8.0, 9.0]])


def test_single_blas_thread_limits_inside_and_restores_after():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from momentum_lib._threads import single_blas_thread

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    with single_blas_thread():
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before
