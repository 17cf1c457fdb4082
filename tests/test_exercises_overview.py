"""The exercises notebook's opening picture (momentum_lib.exercises.overview)."""

import numpy as np
import pytest

from momentum_lib import theory
from momentum_lib.exercises import overview


@pytest.fixture(scope="module")
def runs():
    return overview.best_setting_runs(10.0, 30)


def test_settings_are_theorys_best_and_nesterov_is_the_classic_tuning(runs):
    assert runs["momentum"].settings == theory.optimal_parameters(10.0)
    nag = runs["nesterov"].settings
    assert nag.lr * (1 - nag.beta) == pytest.approx(1.0)          # α = 1/L, L = 1
    assert nag.beta == pytest.approx((10 ** 0.5 - 1) / (10 ** 0.5 + 1))


def test_the_numbers_the_notebook_states(runs):
    swing = {m: np.abs(r.result.w[1:, 1]).max() for m, r in runs.items()}
    assert swing["momentum"] > swing["sgd"]                       # swings wider across
    assert runs["momentum"].result.loss[-1] < 1e-6 * runs["sgd"].result.loss[-1]
    assert runs["nesterov"].rate_across == pytest.approx(0.0, abs=1e-6)   # steep direction at once


def test_every_path_stays_inside_the_axes(runs):
    fig = overview.draw(runs, 10.0)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for r in runs.values():
        w = r.result.w
        assert (w[:, 0] > x0).all() and (w[:, 0] < x1).all()
        assert (w[:, 1] > y0).all() and (w[:, 1] < y1).all()
    assert len(ax.get_legend().get_texts()) == 3


def test_the_view_holds_the_minimum_even_for_a_path_on_one_side():
    (x0, x1), (y0, y1) = overview.view_limits(overview.best_setting_runs(4.0, 3))
    assert x0 < 0 < x1 and y0 < 0 < y1


def test_the_summary_names_every_method(runs):
    text = overview.summary(runs)
    assert [line.split(":")[0].strip() for line in text.splitlines()] == [
        "gradient descent", "momentum", "Nesterov"]
