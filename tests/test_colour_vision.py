"""Every explorer's method lines stay distinguishable in greyscale and for a deuteranope
(see ``devtools/colour_vision.py``; ``python -m devtools.colour_vision`` also checks the
stored notebook figures and writes simulated images to look at)."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("ipywidgets")

from devtools import colour_vision as cv  # noqa: E402
from momentum_lib.explorers import EXPLORERS  # noqa: E402

@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_method_lines_survive_greyscale_and_deuteranopia(name):
    ex = EXPLORERS[name]()
    problems = cv.explorer_problems(ex)
    ex.set(beta=ex.controls["beta"].min)       # a second state: other lines visible
    problems += cv.explorer_problems(ex)
    assert not problems, "\n".join(problems)


def test_the_checker_catches_hue_only_lines_and_accepts_line_styles():
    from matplotlib.figure import Figure
    from types import SimpleNamespace

    fig = Figure()
    ax = fig.add_subplot()
    # Okabe–Ito vermillion and blue: very different hues, nearly the same grey
    ax.plot([0, 1], [0, 1], color="#D55E00", label="a")
    ax.plot([0, 1], [1, 0], color="#0072B2", label="b")
    ex = SimpleNamespace(name="probe", fig=fig, scene=SimpleNamespace())
    assert len(cv.explorer_problems(ex)) == 1
    ax.lines[1].set_linestyle("--")
    assert cv.explorer_problems(ex) == []
    # red and green of equal lightness collapse for a deuteranope
    ax.lines[1].set_linestyle("-")
    ax.lines[0].set_color("#C03030")
    ax.lines[1].set_color("#4A8A00")
    assert "deuteranopia" in cv.explorer_problems(ex)[0]


def test_simulations_keep_black_white_and_grey():
    for rgb in ([0, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5]):
        c = np.array(rgb, dtype=float)
        np.testing.assert_allclose(cv.deuteranopia(c), c, atol=2e-3)
        np.testing.assert_allclose(cv.greyscale(c), c, atol=2e-3)
    assert cv.lightness(np.array([1.0, 1.0, 1.0])) == pytest.approx(100.0)
