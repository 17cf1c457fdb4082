"""The series' shared figure style and its static plot functions."""

import html
import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from momentum_lib import drawing, problems, run  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.filterwarnings("error")


def test_every_method_colour_is_a_hex_colour():
    for name, colour in drawing.METHOD_COLOURS.items():
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", colour), name


def test_the_compared_methods_have_distinct_colours():
    # The pairs a figure puts side by side must never share a colour.
    for group in (("sgd", "momentum", "nesterov", "theory"),
                  ("pytorch", "keras", "optax", "ema", "polyak")):
        colours = [drawing.METHOD_COLOURS[m] for m in group]
        assert len(set(colours)) == len(colours), group


def test_projector_type_sizes():
    # ≥ 14 pt ticks, ≥ 16 pt labels and titles: readable on a classroom projector.
    assert drawing.RC["xtick.labelsize"] >= 14 and drawing.RC["ytick.labelsize"] >= 14
    assert drawing.RC["axes.labelsize"] >= 16 and drawing.RC["axes.titlesize"] >= 16


def _tick_sizes(fig):
    sizes = []
    for ax in fig.axes:
        for label in ax.get_xticklabels() + ax.get_yticklabels():
            sizes.append(label.get_fontsize())
    return sizes


def test_static_figures_render_to_png_with_large_ticks():
    p = problems.narrow_valley(50.0)
    gd = run(p.grad, p.w0, 20, lr=1.9, method="sgd")
    mom = run(p.grad, p.w0, 20, lr=1.9, beta=0.9)
    figures = [
        drawing.gradient_components(gd.g, mom.v),
        drawing.gradient_weights([0.5, 0.9]),
        drawing.trajectories({"sgd": gd.w[:, 0], "momentum": mom.w[:, 0]}, title="t"),
    ]
    for fig in figures:
        png = drawing.png_bytes(fig)
        assert png.startswith(PNG_SIGNATURE)
        sizes = _tick_sizes(fig)
        assert sizes and min(sizes) >= 14
        for ax in fig.axes:
            assert ax.get_xlabel()          # every axis says what it shows


def test_gradient_components_draws_what_it_is_given():
    g = np.array([[0.1, 1.0], [0.1, -0.8], [0.1, 0.64]])
    fig = drawing.gradient_components(g)
    across, along = fig.axes
    np.testing.assert_allclose(across.lines[1].get_ydata(), g[:, 1])
    np.testing.assert_allclose(along.lines[1].get_ydata(), g[:, 0])


def test_gradient_weights_plots_the_theory_weights():
    fig = drawing.gradient_weights([0.9], t=5)
    line = fig.axes[0].lines[0]
    # newest gradient first: (1 − β)·β^k for k = 0..4 (the source post's exercise 2)
    np.testing.assert_allclose(line.get_ydata(), 0.1 * 0.9 ** np.arange(5))


def test_show_displays_a_png(monkeypatch):
    import base64

    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    drawing.show(drawing.gradient_weights([0.5]))
    (image, how), (caption, _) = shown
    assert base64.b64decode(image["image/png"]).startswith(PNG_SIGNATURE)
    assert how["raw"] and how["metadata"]["image/png"]["alt"] == image["text/plain"]
    # JupyterLab shows the text/html form, whose <img> carries the same PNG and text.
    assert f'src="data:image/png;base64,{image["image/png"]}"' in image["text/html"]
    assert f'alt="{html.escape(image["text/plain"])}"' in image["text/html"]
    assert caption["text/plain"] == "Figure: " + image["text/plain"]


def test_drawing_uses_no_pyplot():
    code = ("import sys; from momentum_lib import drawing; "
            "drawing.png_bytes(drawing.gradient_weights([0.9])); "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_method_has_a_line_style_and_no_two_methods_share_colour_and_style():
    from momentum_lib.drawing import METHOD_COLOURS, METHOD_LINESTYLES, method_style

    assert set(METHOD_LINESTYLES) == set(METHOD_COLOURS)
    core = ["sgd", "momentum", "nesterov", "lookahead"]
    assert len({str(METHOD_LINESTYLES[m]) for m in core}) == len(core)
    assert method_style("momentum") == {"color": METHOD_COLOURS["momentum"], "linestyle": "-"}
