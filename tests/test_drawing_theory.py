"""The static figures of notebooks 04 and 05 (momentum_lib.drawing_theory): they render, name the
methods, keep each method's line style, and use real sub- and superscripts."""

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import momentum_lib as ml  # noqa: E402
from momentum_lib import drawing, drawing_theory, experiments, problems  # noqa: E402
from momentum_lib.drawing import METHOD_LINESTYLES  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")


def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
        out += [t.get_text() for t in ax.texts]
    return [t for t in out if t]


def _legend_labels(fig):
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def _check(fig):
    png = drawing.png_bytes(fig)
    assert png.startswith(b"\x89PNG")
    for text in _texts(fig):
        outside = re.sub(r"\$[^$]*\$", "", text)
        assert not re.search(r"\w_\w|\^\(", outside), text
        assert "nesterov" not in text and "sgd" not in text, text
    return fig


@pytest.fixture(scope="module")
def valley_runs():
    valley = problems.narrow_valley(10.0)
    cmp = experiments.compare_overshoot(valley, lr=2.0, beta=0.9, steps=60, tol=0.05)
    return {m: o.run for m, o in cmp.items()}


def test_paths_figure_names_both_methods_with_their_line_styles(valley_runs):
    fig = _check(drawing_theory.nesterov_paths_figure(valley_runs, 10.0, lr=2.0, beta=0.9))
    assert _legend_labels(fig) == ["momentum", "Nesterov"]
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert lines["momentum"].get_linestyle() != lines["Nesterov"].get_linestyle()
    np.testing.assert_allclose(lines["Nesterov"].get_ydata(), valley_runs["nesterov"].w[:, 1])
    assert "EMA form" in fig.axes[0].get_title()
    assert fig.axes[1].get_title() == r"crossing the floor $w_2 = 0$"


def test_the_valley_lesson_shows_each_coordinate_against_the_step():
    race = experiments.valley_race(500.0, lr=1.9, beta=0.9, steps=300, convention="pytorch")
    fig = _check(drawing_theory.valley_lesson_figure(race, 500.0, lr=1.9, beta=0.9, steps=150,
                                                     across_steps=40))
    path, across, along = fig.axes
    assert (across.get_title(), along.get_title()) == ("across the valley", "along the floor")
    assert "η = 1.9 (PyTorch form, both)" in path.get_title()
    for ax, col, n in ((across, 1, 41), (along, 0, 151), (path, 1, 151)):
        lines = {line.get_label(): line for line in ax.get_lines()}
        for name, r in (("gradient descent", race.gd), ("momentum", race.momentum)):
            np.testing.assert_array_equal(lines[name].get_ydata(), r.w[:n, col])
    # the zigzag across: gradient descent's w₂ flips sign at every one of the first steps
    w2 = {line.get_label(): line.get_ydata() for line in across.get_lines()}["gradient descent"]
    assert np.all(np.sign(w2[1:11]) != np.sign(w2[:10]))
    markers = {line.get_label(): line.get_marker() for line in path.get_lines()}
    assert markers["gradient descent"] != markers["momentum"]          # greyscale-safe
    assert "crawls" in fig._suptitle.get_text() and "swing" in fig._suptitle.get_text()


def test_lookahead_legend_sits_below_the_axes_and_leaves_the_plot_wide():
    valley = problems.narrow_valley(10.0)
    r = ml.run(valley.grad, valley.w0, 3, lr=2.0, beta=0.9)
    la = experiments.lookahead_arrows(valley.grad, r.w[3], r.v[3], lr=2.0, beta=0.9)
    fig = _check(drawing_theory.lookahead_figure(r.w, la, 10.0, lr=2.0, beta=0.9,
                                                 xlim=(-2.76, -2.38), ylim=(-0.37, 0.13)))
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    plot = ax.get_window_extent()
    assert legend.y1 <= plot.y0                         # under the axes, not beside them
    assert plot.width >= 0.7 * fig.bbox.width
    labels = _legend_labels(fig)
    assert any("Nesterov" in t for t in labels) and any("momentum" in t for t in labels)


def test_settling_figure_marks_the_band_and_both_methods():
    p = problems.parabola(1.0, w0=1.0)
    cmp = experiments.compare_overshoot(p, lr=2.0, beta=0.9, steps=40, tol=0.05)
    fig = _check(drawing_theory.settling_figure({m: o.run for m, o in cmp.items()}, lr=2.0,
                                                beta=0.9, tol=0.05))
    assert _legend_labels(fig) == ["within 0.05", "momentum", "Nesterov"]


def test_beta_figures_use_a_distinct_style_per_beta():
    salary = problems.salary_regression()
    betas = (0.0, 0.5, 0.9, 0.99)
    loss, envelope, _ = experiments.loss_with_envelope(salary, 30, lr=0.1, betas=betas)
    fig = _check(drawing_theory.beta_losses_figure(loss, envelope, betas, lr=0.1, stop=19))
    colours = [line.get_color() for line in fig.axes[0].get_lines()
               if line.get_label().startswith("β =")]
    assert colours == [c for c, _ in drawing_theory.BETA_STYLES]
    assert len({str(ls) for _, ls in drawing_theory.BETA_STYLES}) == 4    # greyscale-safe
    grid = np.linspace(0, 0.9, 20)
    fig = _check(drawing_theory.best_beta_figure(grid, experiments.loss_vs_beta((10.0, 100.0), grid, 30),
                                                 steps=30))
    assert "PyTorch form" in _legend_labels(fig)[0]


def test_optimal_rates_figure_draws_the_implied_steps_and_the_counted_markers():
    kappas = np.geomspace(1.0, 1e4, 30)
    counted_at = np.array([10.0, 100.0])
    counted = {"momentum": (counted_at, np.array([15, 52])), "sgd": (counted_at, np.array([35, 346]))}
    fig = _check(drawing_theory.optimal_rates_figure(kappas, counted))
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    bound, hb = lines["lower bound's rate, first-order methods"], lines["heavy ball, optimal (η, β)"]
    np.testing.assert_array_equal(bound.get_ydata(), hb.get_ydata())    # heavy ball's rate is the bound's
    gd = lines["gradient descent, best η"].get_ydata()
    nag = lines["Nesterov, best (η, β)"].get_ydata()
    assert np.all(gd[1:] >= nag[1:]) and np.all(nag[1:] >= hb.get_ydata()[1:])
    assert hb.get_linestyle() != lines["Nesterov, best (η, β)"].get_linestyle()
    assert METHOD_LINESTYLES["sgd"] != METHOD_LINESTYLES["momentum"]
    # the markers are the counts given, not the rate-implied lines, and say where the runs start
    marks = lines["heavy ball: counted in a run from (\u22123, 1)"]
    assert marks.get_linestyle() == "None"
    np.testing.assert_array_equal(marks.get_xdata(), counted_at)
    np.testing.assert_array_equal(marks.get_ydata(), [15, 52])
    assert "counted" in fig.axes[0].get_title() and "implies" in fig.axes[0].get_title()
    plain = drawing_theory.optimal_rates_figure(kappas)
    assert "counted" not in plain.axes[0].get_title()


def test_stability_figure_draws_both_edges_and_one_colour_bar():
    fig = _check(drawing_theory.stability_figure(n=40))
    plots = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in plots] == ["heavy ball (momentum)", "Nesterov"]
    edges = [next(line for line in ax.get_lines() if line.get_label() == "stability edge") for ax in plots]
    mu = edges[0].get_ydata()
    np.testing.assert_allclose(edges[0].get_xdata(), 2 + 2 * mu)
    np.testing.assert_allclose(edges[1].get_xdata(), 2 * (1 + mu) / (1 + 2 * mu))
    assert len(fig.axes) == 3                                         # two plots, one colour bar
    assert "Nesterov" in fig._suptitle.get_text()


def test_phase_diagram_figure_names_kappa_and_marks_the_optimum():
    lr, beta = np.linspace(0.02, 4.2, 30), np.linspace(0, 0.99, 30)
    rates = experiments.phase_rates(lr, beta, [0.01, 1.0])
    fig = _check(drawing_theory.phase_diagram_figure(lr, beta, rates, [0.01, 1.0], 100.0))
    ax = fig.axes[0]
    assert ax.get_title() == "Rate of momentum on the valley, κ = 100"
    star = next(line for line in ax.get_lines() if line.get_marker() == "*")
    assert star.get_xdata()[0] == pytest.approx(3.3058, abs=1e-4)
    assert len(fig.axes) == 2                                          # the diagram and its colour bar


def test_eigen_figure_shows_the_run_projected_on_the_eigenvectors():
    p = problems.narrow_valley(10.0, angle=np.radians(30))
    er = experiments.eigen_run(p, 30, lr=2.0, beta=0.9)
    direct = ml.run(p.grad, p.w0, 30, lr=2.0, beta=0.9)
    fig = _check(drawing_theory.eigen_figure(p, er, direct, angle=np.radians(30)))
    right = fig.axes[1]
    circles = [line for line in right.get_lines() if line.get_marker() == "o"]
    assert len(circles) == 2
    np.testing.assert_allclose(circles[0].get_ydata(), (direct.w @ er.basis)[::3, 0], atol=1e-12)


def test_phase_diagram_legend_uses_mathtext():
    with drawing.style():
        fig = drawing.new_figure((6, 4))
        ax = fig.add_subplot()
        lr, beta = np.linspace(0.02, 4.2, 20), np.linspace(0, 0.99, 20)
        rates = experiments.phase_rates(lr, beta, [0.01, 1.0])
        drawing_theory.draw_phase_diagram(ax, lr, beta, rates, [0.01, 1.0], 100.0)
    _check(fig)
    assert any(r"$\lambda_{\min}$" in t for t in _legend_labels(fig))
