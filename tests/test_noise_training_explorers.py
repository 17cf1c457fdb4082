"""The explorers of notebooks 06 (noise) and 07 (training): what they compute is what they claim."""

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
