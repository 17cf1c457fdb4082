"""Notebooks 06 and 07's figures: what each draws is what the notebook says it draws."""

import matplotlib.patches as mpatches
import numpy as np

from momentum_lib import drawing_noise, noise, practice


def test_equal_lr_pictures_put_momentum_beside_each_gradient_descent_and_keep_every_path_inside():
    t = np.arange(201)
    lrs, betas = np.array([0.01, 0.01, 0.1]), np.array([0.9, 0.0, 0.0])
    paths = noise.shared_stream_paths(1.0, lrs, betas, 1.0, 200, seeds=[3])[0]
    std = np.sqrt(noise.stationary_variance(lrs, betas, 1.0, 1.0))
    fig = drawing_noise.equal_lr_pictures(t, paths, lrs, betas, std)
    left, right = fig.axes
    assert left.get_title() == "equal η = 0.01" and right.get_title() == "equal effective η/(1−β) = 0.1"
    assert [line.get_label() for line in left.get_legend().get_lines()] == \
        ["momentum, η = 0.01, β = 0.9", "gradient descent, η = 0.01"]
    lo, hi = left.get_ylim()
    assert lo < min(paths.min(), -2 * std.max()) and hi > max(paths.max(), 2 * std.max())


def test_phase_panels_draw_one_panel_per_batch_size_with_its_floors():
    t = np.arange(11)
    curves = {B: np.column_stack([np.linspace(10, 1, 11), np.linspace(10, 2, 11)]) / B for B in (1, 16)}
    floors = {B: np.array([1.0, 2.0]) / B for B in (1, 16)}
    fig = drawing_noise.phase_panels(t, curves, floors)
    assert [ax.get_title() for ax in fig.axes] == ["batch size B = 1", "batch size B = 16"]
    levels = sorted(line.get_ydata()[0] for line in fig.axes[1].get_lines()
                    if len(set(line.get_ydata())) == 1)
    np.testing.assert_allclose(levels, [1 / 16, 2 / 16])


def test_validation_curves_mark_each_run_and_dot_the_second_of_a_method():
    val = np.array([[2.3, 2.3, 2.3], [1.0, 2.0, 0.9], [0.5, 1.5, 0.4]])
    labels = [("momentum", "momentum"), ("gd a", "sgd"), ("gd b", "sgd")]
    fig = drawing_noise.validation_curves(np.arange(3), val, labels, title="t")
    lines = fig.axes[0].get_lines()
    assert [line.get_marker() for line in lines] == ["o", "s", "^"]
    assert lines[1].get_color() == lines[2].get_color() != lines[0].get_color()
    dashes = [line._unscaled_dash_pattern for line in lines[1:]]    # the pattern matplotlib draws
    assert dashes[0] != dashes[1]
    assert fig.axes[0].get_yscale() == "log"


def test_grid_figure_hatches_exactly_the_unstable_settings():
    lrs, betas, LR, BETA = practice.halving_grid(0.01, 4, 3)
    values = LR / (1 - BETA)
    unstable = np.zeros(LR.shape, bool)
    unstable[2, 3] = unstable[1, 3] = True
    fig = drawing_noise.grid_figure(lrs, betas, values, unstable, label="loss", iso=[0.04])
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if isinstance(p, mpatches.Rectangle) and p.get_hatch() == "//"]
    assert len(hatched) == 2
    assert {round(p.get_x() * np.sqrt(2), 9) for p in hatched} == {round(lrs[3], 9)}
    assert ax.get_legend().get_texts()[0].get_text() == "unstable in some seed"
    calm = drawing_noise.grid_figure(lrs, betas, values, np.zeros(LR.shape, bool), label="loss", iso=[])
    assert calm.axes[0].get_legend() is None
