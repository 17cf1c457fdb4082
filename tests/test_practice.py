import numpy as np
import pytest

from momentum_lib import practice


def test_halving_grid_iso_lines_are_anti_diagonals():
    lrs, betas, L, Bt = practice.halving_grid(0.01, 5, 4)
    eff = L / (1 - Bt)
    for i in range(4):
        for j in range(5):
            assert eff[i, j] == pytest.approx(0.01 * 2 ** (i + j))
    b, v = practice.along_effective_lr(L, Bt, np.arange(20.0).reshape(4, 5), 0.04)
    assert b.tolist() == [0.0, 0.5, 0.75] and v.tolist() == [2.0, 6.0, 10.0]


def test_train_settings_trains_each_setting_on_the_same_batches():
    task = practice.digits_task(hidden=8)
    r = practice.train_settings(task, np.array([0.1, 0.1]), np.array([0.9, 0.9]), epochs=1)
    assert np.array_equal(r.batch_loss[:, 0], r.batch_loss[:, 1])
    assert r.val_loss[-1, 0] < r.val_loss[0, 0]


def test_warmup_changes_the_run_and_starts_small():
    task = practice.digits_task(hidden=8)
    plain = practice.train_settings(task, 0.1, 0.9, epochs=1)
    warm = practice.train_settings(task, 0.1, 0.9, epochs=1, warmup=20)
    assert plain.batch_loss[0] == warm.batch_loss[0]        # same start
    assert not np.allclose(plain.batch_loss[5:], warm.batch_loss[5:])
