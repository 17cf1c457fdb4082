"""The numpy network: gradients by finite differences, training against recorded torch.optim.SGD."""

import json
from pathlib import Path

import numpy as np
import pytest

from devtools import record_network_conformance as REC
from momentum_lib import datasets, network

HERE = Path(__file__).resolve().parent
DATA = np.load(HERE.parent / "momentum_lib" / "data" / "network_sgd.npz")
META = json.loads(str(DATA["meta"]))




def _small(seed=1, settings=()):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 3, size=5)
    p = network.broadcast_params(network.init_mlp(4, 6, 3, seed=seed), settings)
    # break the symmetry between settings so that a mix-up would show
    p = network.MLP(*(q + 0.1 * rng.normal(size=q.shape) for q in p))
    return p, x, y


@pytest.mark.parametrize("settings", [(), (3,), (2, 2)])
def test_gradient_matches_central_finite_differences(settings):
    p, x, y = _small(settings=settings)
    _, grads = network.loss_and_grad(p, x, y)
    eps = 1e-6
    for i, field in enumerate(p):
        flat = field.reshape(*settings, -1)
        for j in range(flat.shape[-1]):
            plus, minus = [q.copy() for q in p], [q.copy() for q in p]
            plus[i].reshape(*settings, -1)[..., j] += eps
            minus[i].reshape(*settings, -1)[..., j] -= eps
            fd = (network.cross_entropy(network.MLP(*plus), x, y)
                  - network.cross_entropy(network.MLP(*minus), x, y)) / (2 * eps)
            np.testing.assert_allclose(grads[i].reshape(*settings, -1)[..., j], fd, rtol=1e-6, atol=1e-9)


def test_loss_is_log_of_classes_for_zero_weights():
    p = network.MLP(np.zeros((4, 6)), np.zeros(6), np.zeros((6, 3)), np.zeros(3))
    x, y = np.ones((5, 4)), np.array([0, 1, 2, 0, 1])
    assert float(network.cross_entropy(p, x, y)) == pytest.approx(np.log(3))


def test_log_softmax_survives_huge_scores():
    out = network.log_softmax(np.array([[1e4, 0.0, -1e4]]))
    assert np.all(np.isfinite(out)) and out[0, 0] == pytest.approx(0.0)


def test_recorded_data_says_where_it_came_from():
    assert META["versions"]["torch"].startswith("2.13.0")
    assert set(META["cases"]) == set(REC.cases())


@pytest.mark.parametrize("name", sorted(REC.cases()))
def test_first_gradient_matches_torch_autograd(name):
    d, params, _ = REC.setup()
    idx = DATA["batches"][0]
    _, grads = network.loss_and_grad(params, d.x_train[idx], d.y_train[idx])
    for field, g in zip(REC.FIELDS, grads):
        np.testing.assert_allclose(g, DATA[f"{name}/grad0/{field}"], rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", sorted(REC.cases()))
def test_training_matches_torch_optim_sgd_to_float64_precision(name):
    losses, params = REC.replay(DATA, name)
    np.testing.assert_allclose(losses, DATA[f"{name}/loss"], rtol=0, atol=1e-14)
    for step, p in params.items():
        for field, q in zip(REC.FIELDS, p):
            np.testing.assert_allclose(q, DATA[f"{name}/step{step}/{field}"], rtol=0, atol=1e-14)


def test_nesterov_and_momentum_recordings_really_differ():
    # otherwise the Nesterov case would not test the Nesterov branch
    diff = np.abs(DATA["nesterov/step20/W1"] - DATA["momentum/step20/W1"]).max()
    assert diff > 1e-4


def test_a_grid_of_settings_trains_each_setting_as_alone():
    d = datasets.digits()
    p0 = network.init_mlp(64, 8, 10, seed=3)
    batches = network.epoch_batches(len(d.y_train), 64, 1, seed=3)[:15]
    lr, beta = np.meshgrid([0.05, 0.5], [0.0, 0.9])
    grid = network.train(p0, d.x_train, d.y_train, batches, lr=lr, beta=beta)
    for i in range(2):
        for j in range(2):
            one = network.train(p0, d.x_train, d.y_train, batches, lr=lr[i, j], beta=beta[i, j])
            np.testing.assert_allclose(grid.batch_loss[:, i, j], one.batch_loss, rtol=1e-12)
            np.testing.assert_allclose(grid.params.W1[i, j], one.params.W1, rtol=1e-12, atol=1e-15)


def test_divergence_is_flagged_and_becomes_nan():
    d = datasets.digits()
    p0 = network.init_mlp(64, 8, 10, seed=3)
    batches = network.epoch_batches(len(d.y_train), 32, 1, seed=3)
    r = network.train(p0, d.x_train, d.y_train, batches, lr=np.array([0.1, 1e5]), beta=0.9,
                      x_val=d.x_val, y_val=d.y_val)
    assert r.diverged.tolist() == [False, True]
    assert np.isnan(r.batch_loss[-1, 1]) and np.isfinite(r.batch_loss[-1, 0])
    assert np.isnan(r.val_loss[-1, 1])


def test_validation_is_measured_at_the_start_and_once_per_epoch():
    d = datasets.digits()
    p0 = network.init_mlp(64, 8, 10, seed=3)
    batches = network.epoch_batches(len(d.y_train), 100, 2, seed=3)
    r = network.train(p0, d.x_train, d.y_train, batches, lr=0.1, beta=0.9, x_val=d.x_val, y_val=d.y_val)
    assert r.eval_steps.tolist() == [0, 14, 28]
    assert float(r.val_loss[0]) == pytest.approx(float(network.cross_entropy(p0, d.x_val, d.y_val)))


def test_epoch_batches_cover_each_example_at_most_once_per_epoch():
    b = network.epoch_batches(103, 10, 3, seed=0)
    assert b.shape == (30, 10)
    for epoch in range(3):
        chunk = b[10 * epoch:10 * (epoch + 1)].ravel()
        assert len(set(chunk.tolist())) == 100


def test_schedule_shapes():
    s = network.warmup_then_decay(10, warmup=4, decay="cosine", final=0.0)
    assert s[:4].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert s[-1] < 0.05 and np.all(np.diff(s[3:]) <= 0)
    assert np.all(network.warmup_then_decay(5) == 1.0)


@pytest.mark.parametrize("bad, error", [
    ({"lr": -1.0}, ValueError), ({"beta": 1.0}, ValueError),
    ({"batches": np.zeros((3,), dtype=int)}, ValueError),
    ({"lr_schedule": np.ones(2)}, ValueError)])
def test_bad_training_arguments_are_named(bad, error):
    d = datasets.digits()
    p0 = network.init_mlp(64, 4, 10)
    kwargs = {"lr": 0.1, "beta": 0.9, "batches": np.zeros((3, 4), dtype=int), **bad}
    batches = kwargs.pop("batches")
    with pytest.raises(error):
        network.train(p0, d.x_train, d.y_train, batches, **kwargs)


def test_bad_batch_size_is_named():
    with pytest.raises(ValueError, match="batch_size"):
        network.epoch_batches(10, 0, 1, seed=0)


def test_digits_file_is_checked_and_split_is_stable():
    d = datasets.digits()
    assert d.x_train.shape == (1437, 64) and d.x_val.shape == (360, 64)
    assert set(np.unique(d.y_train).tolist()) == set(range(10))
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
    again = datasets.digits()
    assert np.array_equal(d.x_val, again.x_val)
    with pytest.raises(ValueError, match="n_val"):
        datasets.digits(n_val=0)


def test_a_damaged_digits_file_is_refused(monkeypatch):
    monkeypatch.setattr(datasets, "DIGITS_SHA256", "0" * 64)
    with pytest.raises(RuntimeError, match="damaged"):
        datasets.digits_raw()


def test_library_replay_of_the_recording_agrees_with_the_tests_replay():
    worst, meta = network.compare_with_recording(HERE.parent / "momentum_lib" / "data" / "network_sgd.npz")
    assert 0.0 <= worst < 1e-14
    assert meta["versions"]["torch"].startswith("2.13.0")


def test_library_replay_notices_a_tampered_recording(tmp_path):
    data = {k: DATA[k] for k in DATA.files}
    data["momentum/step5/W2"] = data["momentum/step5/W2"] + 1e-9
    path = tmp_path / "bad.npz"
    np.savez(path, **data)
    worst, _ = network.compare_with_recording(path)
    assert worst >= 1e-9 * 0.99


def test_recording_path_points_at_the_committed_file():
    assert network.recording_path() == HERE.parent / "momentum_lib" / "data" / "network_sgd.npz"


def test_parameter_shapes_and_count():
    shapes = network.parameter_shapes(64, 32, 10, settings=(6, 12))
    assert shapes == network.MLP((6, 12, 64, 32), (6, 12, 32), (6, 12, 32, 10), (6, 12, 10))
    params = network.init_mlp(64, 32, 10, seed=0)
    assert network.parameter_count(64, 32, 10) == sum(p.size for p in params) == 2410
    assert tuple(p.shape for p in network.broadcast_params(params, (6, 12))) == tuple(shapes)


def test_gradient_check_is_tiny_for_the_true_gradient_and_catches_a_wrong_one(monkeypatch):
    d = datasets.digits()
    params = network.init_mlp(64, 8, 10, seed=3)
    x, y = d.x_train[:16], d.y_train[:16]
    assert network.gradient_check(params, x, y) < 1e-6
    true = network.loss_and_grad

    def wrong(params, x, y):                     # a backpropagation that forgets tanh's derivative
        loss, g = true(params, x, y)
        return loss, network.MLP(g.W1 * 1.01, g.b1, g.W2, g.b2)

    monkeypatch.setattr(network, "loss_and_grad", wrong)
    assert network.gradient_check(params, x, y) > 5e-3
