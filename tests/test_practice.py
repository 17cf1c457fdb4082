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


def test_nudged_changes_every_weight_by_the_relative_amount_alternately():
    params = practice.digits_task(hidden=8).params0
    moved = practice.nudged(params, rel=1e-6)
    for p, q in zip(params, moved):
        ratio = (q / p).ravel()
        assert np.allclose(ratio[0::2], 1 - 1e-6, rtol=0, atol=1e-12)
        assert np.allclose(ratio[1::2], 1 + 1e-6, rtol=0, atol=1e-12)


def test_final_losses_calls_a_chaotic_run_unstable_and_a_calm_one_stable():
    runs = practice.final_losses(np.array([0.05, 2.0]), 0.9, seeds=[0, 1], hidden=8, epochs=1)
    assert runs.seeds == (0, 1) and runs.loss.shape == runs.stable.shape == (2, 2)
    assert runs.stable[:, 0].all()          # η/(1−β) = 0.5: the nudge changes nothing that shows
    assert not runs.stable[:, 1].any()      # η/(1−β) = 20: the nudge grows into another result
    assert np.all(runs.loss[:, 0] < 1.5)


def test_final_losses_trains_each_seed_from_its_own_weights_and_batches():
    runs = practice.final_losses(0.05, 0.9, seeds=[0, 1], hidden=8, epochs=1)
    for k, seed in enumerate((0, 1)):
        task = practice.digits_task(hidden=8, seed=seed)
        direct = practice.train_settings(task, 0.05, 0.9, epochs=1, seed=seed).val_loss[-1]
        assert runs.loss[k] == direct
    with pytest.raises(ValueError, match="at least one seed"):
        practice.final_losses(0.05, 0.9, seeds=[], hidden=8, epochs=1)


@pytest.mark.parametrize("loss, stable, text", [
    (0.1234, True, "0.123"), (0.1234, False, "unstable"), (np.nan, True, "diverged"),
    (42.5, True, "above chance level 2.30"), (2.2, True, "2.2"),
])
def test_loss_text_prints_digits_only_for_a_stable_run_below_chance(loss, stable, text):
    assert practice.loss_text(loss, stable) == text
    assert practice.loss_text(0.1234, True, ".2f") == "0.12"


def test_seed_summary_prints_a_median_and_range_only_when_every_run_is_stable():
    assert practice.seed_summary([0.12, 0.10, 0.15], [True] * 3) == "0.12 (0.1–0.15)"
    assert practice.seed_summary([0.1201, 0.1199], [True, True]) == "0.12"
    assert practice.seed_summary([0.12, 9.0, 0.15], [True, False, True]) == "unstable 1/3"
    assert practice.seed_summary([np.nan, 0.2, np.nan], [True] * 3) == "diverged 2/3"
    runs = practice.SeedRuns((0, 1), np.array([[0.1, 0.5], [0.2, 0.7]]), np.array([[True, True], [True, False]]))
    assert practice.seed_summaries(runs).tolist() == ["0.15 (0.1–0.2)", "unstable 1/2"]


def test_tune_lr_ignores_unstable_runs():
    lrs = np.array([0.1, 0.2, 0.4])
    loss = np.array([[[0.5, 0.3, 0.05], [0.4, 0.15, 0.1]]])           # (seeds, β rows, η)
    stable = np.array([[[True, True, False], [True, True, True]]])
    t = practice.tune_lr(practice.SeedRuns((0,), loss, stable), lrs, [0.0, 0.5])
    assert t.best.tolist() == [[0.3, 0.1]]                             # 0.05 is unstable: not the best
    assert t.best_effective_lr.tolist() == [[0.2, 0.8]]
    assert t.good_from[0, 0] != t.good_from[0, 0] and t.good_from[0, 1] == 0.4 and t.good_to[0, 1] == 0.8
    lines = practice.tuned_table(t, [0], [0.0, 0.5])
    assert len(lines) == 2 and "none" in lines[1] and "0.4–0.8" in lines[1]


def test_seed_label_relative_change_and_times_lowest():
    assert practice.seed_label(range(6)) == "seeds 0–5"
    with pytest.raises(ValueError, match="consecutive"):
        practice.seed_label([0, 2])
    a = practice.SeedRuns((0, 1, 2), np.array([[1.0], [2.0], [4.0]]), np.ones((3, 1), bool))
    b = practice.SeedRuns((0, 1, 2), np.array([[1.5], [1.0], [9.0]]), np.array([[True], [True], [False]]))
    np.testing.assert_allclose(practice.relative_change(a, b, 0), [0.5, -0.5])
    assert practice.times_lowest({"a": a, "b": b}, 0, "a") == 2 and practice.times_lowest({"a": a, "b": b}, 0, "b") == 1
