"""Every registered explorer, driven through the extremes and random values of its controls.

The loop is over ``EXPLORERS``, so explorers added later (notebooks 04–05) are
covered without editing this file.
"""

import itertools
import math
import re
import subprocess
import sys

import numpy as np
import pytest

ipywidgets = pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

from momentum_lib import RunResult, run  # noqa: E402
from momentum_lib.explorers import EXPLORERS, Explorer, InputError  # noqa: E402
from momentum_lib.explorers._sliders import GridSlider, linear_grid, log_grid  # noqa: E402
from momentum_lib.explorers import _page  # noqa: E402
from momentum_lib.explorers._base import NOTHING_DRAWN  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DIVERGED = re.compile(r"diverged\b.*\bstep \d+", re.IGNORECASE | re.DOTALL)
NAMES = sorted(EXPLORERS)
# Training retrains two networks on every move: sweeping all its corners is the slow tier's.
NAMES_TRAINING_SLOW = [pytest.param(n, marks=pytest.mark.slow) if n == "training" else n
                       for n in NAMES]
pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def explorers():
    # One instance per explorer for the whole module: building a figure is the slow part.
    return {name: EXPLORERS[name]() for name in NAMES}


def _range(widget):
    return widget.min, widget.max


def _extremes(ex, key):
    """Values to try for one control: its ends, or the explorer's sample texts."""
    widget = ex.controls[key]
    if isinstance(widget, GridSlider):
        return [widget.min, widget.max]
    if isinstance(widget, ipywidgets.Text):
        return [ex.defaults.get(key, widget.value), *ex.text_examples.get(key, [])]
    if isinstance(widget, ipywidgets.Dropdown):
        return [o[1] if isinstance(o, tuple) else o for o in widget.options]
    return list(_range(widget))


def _random_value(ex, key, rng):
    widget = ex.controls[key]
    if isinstance(widget, GridSlider):      # off the stops too: kept exactly
        lo, hi = widget.min, widget.max
        return float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) if lo > 0 else float(rng.uniform(lo, hi))
    if isinstance(widget, ipywidgets.IntSlider):
        return int(rng.integers(widget.min, widget.max + 1))
    values = _extremes(ex, key)
    return values[int(rng.integers(len(values)))]


def _runs(result):
    """Every ``RunResult`` inside an explorer's result (in its dicts, lists and tuples)."""
    if isinstance(result, RunResult):
        yield result
    elif isinstance(result, dict):
        for r in result.values():
            yield from _runs(r)
    elif isinstance(result, (tuple, list)):
        for r in result:
            yield from _runs(r)


def _diverged(result):
    """Whether any run inside the explorer's result diverged, read from run()'s own output;
    None if there is no RunResult inside (nothing to compare)."""
    runs = list(_runs(result))
    return any(bool(np.any(r.diverged_at >= 0)) for r in runs) if runs else None


def _check_consistent(ex):
    """The status line says "diverged at step" exactly when a run diverged, and says it once:
    the figure repeats no message (on bad input it only notes that nothing is drawn). The
    figure's text alternative says what the status line says."""
    status = ex.status_line.value
    figure_text = " ".join(ex.scene.message.get_text().split())   # (the figure may wrap it)
    assert ex.png().startswith(PNG_SIGNATURE)
    assert _page.plain_text(status) in ex.alt and ex.alt_line.value == _page.escape(ex.alt)
    if "error" in ex.state:
        assert ex.state["error"] in status and figure_text == NOTHING_DRAWN
        return
    assert figure_text == "", (ex.values, figure_text)
    diverged = _diverged(ex.result)
    if diverged is None:
        diverged = ex.state["diverged_at"] >= 0
    # "diverged at step k", or e.g. "both diverged (momentum at step k, …)"
    assert bool(DIVERGED.search(status)) == diverged, (ex.values, status)
    if ex.state["diverged_at"] >= 0:
        assert f"step {ex.state['diverged_at']}" in status


@pytest.mark.parametrize("name", NAMES)
def test_dom_contract_classes(explorers, name):
    ex = explorers[name]
    assert isinstance(ex.widget, ipywidgets.VBox)
    assert "momentum-explorer" in ex.widget._dom_classes
    assert "explorer-beta" in ex.controls["beta"]._dom_classes
    assert "explorer-lr" in ex.controls["lr"]._dom_classes
    assert "explorer-figure" in ex.figure._dom_classes
    assert "explorer-moves" in ex.image._dom_classes
    assert "explorer-background" in ex.background._dom_classes
    # the images in the figure's one grid cell, the moving one on top (later in the DOM),
    # with the overlay of cached_by artists between them if there are any
    middle = [ex.overlay] if ex.scene.cached else []
    assert list(ex.figure.children) == [ex.background, *middle, ex.image]
    if ex.scene.cached:
        assert "explorer-overlay" in ex.overlay._dom_classes
    else:
        assert ex.overlay is None           # no widget that would never show anything
    assert {w.layout.grid_area for w in ex.figure.children} == {"1 / 1 / 2 / 2"}
    assert isinstance(ex.status_line, ipywidgets.HTML)
    assert "explorer-status" in ex.status_line._dom_classes

    def descendants(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from descendants(child)

    inside = list(descendants(ex.widget))
    for part in (ex.controls["beta"], ex.controls["lr"], ex.figure, ex.image, ex.background,
                 ex.status_line, ex.reset_button):
        assert any(part is w for w in inside)
    # beta must be a slider in [0, 1)
    assert isinstance(ex.controls["beta"], GridSlider)
    assert 0.0 <= ex.controls["beta"].min and ex.controls["beta"].max < 1.0


@pytest.mark.parametrize("name", NAMES_TRAINING_SLOW)
def test_extremes_of_every_control(explorers, name):
    ex = explorers[name]
    ex.reset()
    numeric = [k for k in ex.controls if not isinstance(ex.controls[k], ipywidgets.Text)]
    # every corner of the numeric controls' box (includes the diverging ones)
    for corner in itertools.product(*(_extremes(ex, k) for k in numeric)):
        ex.set(**dict(zip(numeric, corner)))
        _check_consistent(ex)
    ex.reset()
    for key in ex.controls:
        for value in _extremes(ex, key):
            ex.set(**{key: value})
            _check_consistent(ex)
        ex.reset()


@pytest.mark.parametrize("name", NAMES_TRAINING_SLOW)
def test_random_settings(explorers, name):
    ex = explorers[name]
    rng = np.random.default_rng(20240601)
    for _ in range(30):
        ex.set(**{key: _random_value(ex, key, rng) for key in ex.controls})
        _check_consistent(ex)
    ex.reset()


@pytest.mark.parametrize("name", NAMES)
def test_the_image_changes_when_a_value_changes(explorers, name):
    ex = explorers[name]
    for key in ex.controls:
        ex.reset()
        values = _extremes(ex, key)
        images = set()
        for value in values:
            ex.set(**{key: value})
            images.add(ex.png())
        assert len(images) > 1, f"{name}: moving {key} over {values} left the figure unchanged"
    ex.reset()


@pytest.mark.parametrize("name", NAMES)
def test_reset_restores_the_starting_picture(explorers, name):
    ex = explorers[name]
    ex.reset()
    before, state = ex.png(), dict(ex.state)
    lo, _hi = _range(ex.controls["beta"])
    ex.set(beta=lo)
    assert ex.png() != before
    ex.reset_button.click()
    assert ex.png() == before
    assert ex.state == state


@pytest.mark.parametrize("name", NAMES)
def test_set_validates_its_arguments(explorers, name):
    ex = explorers[name]
    with pytest.raises(TypeError, match="no control 'gamma'"):
        ex.set(gamma=0.5)
    with pytest.raises(ValueError, match="beta"):
        ex.set(beta=1.5)
    with pytest.raises(TypeError, match="beta"):
        ex.set(beta="0.5")
    with pytest.raises(ValueError, match="lr"):
        ex.set(lr=_range(ex.controls["lr"])[1] * 10)


@pytest.mark.parametrize("name", NAMES)
def test_slider_moves_redraw_through_the_observer(explorers, name):
    # A learner's move arrives as a trait change, not through set().
    ex = explorers[name]
    ex.reset()
    before = ex.png()
    ex.controls["beta"].value = _range(ex.controls["beta"])[0]
    assert ex.wait_drawn()
    assert ex.state["beta"] == ex.controls["beta"].min
    assert ex.png() != before
    ex.reset()


@pytest.mark.parametrize("name", NAMES)
def test_snapshot_and_repr(explorers, name):
    ex = explorers[name]
    image = ex.snapshot()
    assert image.data.startswith(PNG_SIGNATURE)
    bundle, metadata = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert metadata["image/png"]["width"] == ex.display_width
    assert image.width == ex.display_width
    html_form = image._repr_mimebundle_()[0]["text/html"]
    assert "momentum-snapshot" in html_form and f'alt="{ex.alt}"' in html_form.replace("&#x27;", "'")


def _pixels(png):
    from io import BytesIO

    from PIL import Image

    return np.asarray(Image.open(BytesIO(png)).convert("RGB"), dtype=int)


def _full_redraw(ex, values=None, then_bad=None):
    """The explorer's frame drawn anew: its scene built on a fresh figure at ``values`` (its
    own by default), every artist plain, the layered ones then the dynamic ones raised in
    that order over the static ones (the order the frame stacks them), and one full Agg draw.
    ``then_bad``: bad input that follows ``values``, after which a frame keeps the static
    artists and shows only the ``always`` dynamic ones and the message."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=ex.figsize, dpi=ex.fig.dpi)
    FigureCanvasAgg(fig)
    move = ex.move(ex.values if values is None else values)
    scene = ex.new_scene(fig, move)
    for k, artist in enumerate(scene.layer + scene.dynamic):
        artist.set_animated(False)
        artist.set_zorder(1000 + k)
    ex.pose(scene, move)
    if then_bad is not None:
        for artist in scene.dynamic:
            artist.set_visible(any(artist is a for a in [*scene.always, scene.message]))
        ex.pose(scene, ex.move({**move.values, **then_bad}))
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


@pytest.mark.parametrize("name", NAMES)
def test_blitted_frame_matches_a_full_redraw(explorers, name):
    """The frame built from cached layers shows what one full draw of the same scene shows:
    no pixel differs by more than 32/255 (anti-aliasing may differ by less), at the starting
    values, at the largest β and η (where runs diverge) and with bad text (the figure's note).
    Leaving out any dynamic artist that draws something fails it (the smallest, a
    marker, differs on hundreds of pixels)."""
    ex = explorers[name]
    bad_text = [{key: "abc"} for key, w in ex.controls.items() if isinstance(w, ipywidgets.Text)]
    for values in ({}, {"beta": ex.controls["beta"].max, "lr": ex.controls["lr"].max}, *bad_text):
        ex.reset()
        if values in bad_text:
            full = _full_redraw(ex, then_bad=values)
            ex.set(**values)
        else:
            ex.set(**values)
            full = _full_redraw(ex)
        blitted = _pixels(ex.png())
        assert blitted.shape == full.shape
        differ = (np.abs(blitted - full) > 32).any(axis=2)
        rows, cols = np.nonzero(differ)
        assert not differ.any(), (f"{name} at {values}: {differ.sum()} pixels differ, rows "
                                  f"{rows.min()}–{rows.max()}, columns {cols.min()}–{cols.max()}")
    ex.reset()


@pytest.mark.slow
def test_interact_way_renders_the_same_settings():
    """The benchmarks' baselines draw what the explorers draw: ``benchmarks/run.py --check``
    compares, for every explorer at three settings, the whole-PNG way's frames byte for byte
    and the interact way's pixels with the explorer's frame (it fails on a baseline that
    draws other values)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(root / "benchmarks" / "run.py"), "--check"],
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "every way draws the same frames" in out.stderr


def _recipe():
    """The example explorer of momentum_lib/explorers/README.md, from its first Python block
    that defines a class."""
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "momentum_lib" / "explorers" /
            "README.md").read_text(encoding="utf-8")
    code = next(block for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
                if "class " in block)
    namespace = {"__name__": "recipe"}
    exec(compile(code, "README.md", "exec"), namespace)
    return next(v for v in namespace.values()
                if isinstance(v, type) and issubclass(v, Explorer) and v is not Explorer)


def test_the_recipe_in_the_readme_builds_and_moves():
    cls = _recipe()
    ex = cls()
    assert ex.state["diverged_at"] == -1 and "loss after 40 steps" in ex.status_line.value
    assert f"explorer-{cls.name}" in ex.widget._dom_classes
    background, moves = ex.background.value, ex.image.value
    ex.set(beta=0.5)                                 # a β move: a new SVG, the same background
    assert ex.image.value != moves and ex.background.value is background
    beta = ex.controls["beta"]
    _front_end_sends(beta, index=0)                  # a learner's move, drawn on the worker
    assert ex.wait_drawn() and ex.state["beta"] == 0.0
    ex.set(lr=3.0)                                   # β = 0, η = 3 on λ = 1: it diverges
    assert ex.state["diverged_at"] >= 0 and "diverged at step" in ex.status_line.value
    assert not (np.abs(_pixels(ex.png()) - _full_redraw(ex)) > 32).any()
    ex.set(steps=100)                                # a new static key: a new background
    assert ex.background.value != background
    ex.reset()
    assert ex.values == cls.defaults


def test_every_hook_runs_once_per_move():
    from momentum_lib.explorers.valley import ValleyExplorer

    calls = []

    def counted(hook):
        def call(self, *args):
            calls.append(hook)
            return getattr(ValleyExplorer, hook)(self, *args)
        return call

    hooks = ("compute", "summary", "message", "static_key", "layer_key", "restyle", "update",
             "status")
    Counted = type("Counted", (ValleyExplorer,), {h: counted(h) for h in hooks})
    ex = Counted()
    calls.clear()
    ex.set(beta=0.5)                        # no new static key: no restyle
    assert sorted(calls) == sorted(h for h in hooks if h != "restyle"), calls
    calls.clear()
    ex.set(steps=100)                       # a new static key: restyle too, once
    assert sorted(calls) == sorted(hooks), calls


def test_bad_gradient_text_is_a_message_not_a_traceback(explorers):
    ex = explorers["trace"]
    ex.set(grads="0.5, abc")
    assert "abc" in ex.status_line.value
    assert " ".join(ex.scene.message.get_text().split()) == NOTHING_DRAWN
    assert ex.result is None
    ex.set(grads="0.5, 0.4")
    assert ex.scene.message.get_text() == ""
    ex.reset()


def test_trace_explorer_reproduces_the_post_walkthrough(explorers):
    # The source post's walkthrough (EMA form, η = 0.1, β = 0.9, ∇J = 0.5, 0.4, 0.3, 0.1,
    # −0.1) by hand: v = 0.05, 0.085, 0.1065, 0.10585, 0.085265 (v ← 0.9v + 0.1∇J), so
    # Δw = −ηv: Δw₁ = −0.005, Δw₃ = −0.01065, Δw₅ = −0.0085265, where gradient descent's
    # Δw₅ = −η∇J₅ = +0.01; w₅ is the sum of the five Δw, −0.0432615.
    ex = explorers["trace"]
    ex.reset()
    dw, sgd_dw = ex.state["dw"], ex.state["sgd_dw"]
    assert dw[0] == pytest.approx(-0.005)
    assert dw[2] == pytest.approx(-0.01065)
    assert dw[4] == pytest.approx(-0.0085265)
    assert sgd_dw[4] == pytest.approx(0.01)
    assert ex.state["final_w"] == pytest.approx(-0.0432615)


def test_parse_gradients():
    from momentum_lib.explorers.trace import parse_gradients

    assert parse_gradients("0.5, 0.4 -0.1") == [0.5, 0.4, -0.1]
    assert parse_gradients("1;2,,3") == [1.0, 2.0, 3.0]
    for bad in ("", "x", "1, inf", "nan", ",".join(["1"] * 13)):
        with pytest.raises(InputError):
            parse_gradients(bad)


def test_valley_rows_are_gradient_descent_and_momentum_in_the_pytorch_form():
    from momentum_lib.explorers.valley import valley_runs

    p, r = valley_runs(50.0, 1.9, 0.9, 40)
    gd = run(p.grad, p.w0, 40, lr=1.9, method="sgd", loss_fn=p.loss)
    mom = run(p.grad, p.w0, 40, lr=1.9, beta=0.9, convention="pytorch", loss_fn=p.loss)
    np.testing.assert_allclose(r.w[:, 0], gd.w)
    np.testing.assert_allclose(r.w[:, 1], mom.w)


def test_valley_divergence_is_reported_for_gradient_descent_alone(explorers):
    # PyTorch form on curvature 1: gradient descent diverges for η > 2 (factor |1 − η| > 1),
    # momentum only for η > 2 + 2β = 3.8 at β = 0.9 (the heavy ball converges iff
    # 0 < ηλ < 2 + 2β: Polyak 1964, https://doi.org/10.1016/0041-5553(64)90137-5).
    ex = explorers["valley"]
    ex.set(beta=0.9, lr=3.0, kappa=10.0, steps=100)
    assert ex.state["diverged_at"] == -1
    assert ex.state["sgd_diverged_at"] > 0
    assert "gradient descent diverged at step" in ex.status_line.value
    ex.set(lr=3.9)
    assert ex.state["diverged_at"] > 0
    ex.reset()


def test_momentum_diverges_at_the_top_of_every_lr_slider(explorers):
    # A learner can reach momentum's divergence too: at β = 0.99 and the largest η it must
    # not survive, and the status line states the stability limit for the current β.
    for name in ("valley", "intuition"):
        ex = explorers[name]
        top = _range(ex.controls["lr"])[1]
        ex.set(beta=_range(ex.controls["beta"])[1], lr=top)
        assert ex.state["diverged_at"] >= 0, name
        assert ex.state["stable_lr"] < top
        assert f"{ex.state['stable_lr']:.3g} (momentum at this β)" in ex.status_line.value
        ex.reset()


def test_valley_status_names_eta_and_its_form_and_a_robust_settling_step(explorers):
    from momentum_lib.experiments import settling_step

    ex = explorers["valley"]
    ex.reset()
    status = ex.status_line.value
    assert "η = " in status and "PyTorch form" in status and "lr" not in status
    assert ex.state["settled"] == int(settling_step(ex.result.w[:, 1], 0.0, 0.01))
    # At the defaults momentum settles within the run and gradient descent does not.
    assert 0 < ex.state["settled"] <= ex.state["steps"] and ex.state["sgd_settled"] == -1
    assert f"momentum step {ex.state['settled']}" in status


def test_divergence_advice_is_to_lower_eta_not_beta(explorers):
    # A smaller β lowers the stability limit in both forms ((2 + 2β) and (2 + 2β)/(1 − β)),
    # so "lower β" would be wrong advice.
    from momentum_lib import theory

    assert theory.max_stable_lr(0.5, 1.0, convention="pytorch") < theory.max_stable_lr(0.9, 1.0, convention="pytorch")
    assert theory.max_stable_lr(0.5, 1.0) < theory.max_stable_lr(0.9, 1.0)
    for name, lr in (("valley", 3.9), ("intuition", 39.0)):
        ex = explorers[name]
        ex.set(beta=0.9, lr=lr)
        assert ex.state["diverged_at"] >= 0
        message = ex.move(ex.values).message
        assert "lower η" in message and "β" not in message
        assert message in ex.status_line.value and ex.scene.message.get_text() == ""
        ex.reset()


def test_diverging_paths_are_cut_where_they_leave_the_view(explorers):
    # A diverging path leaves the view once: no solid block of wall-to-wall clipped segments.
    ex = explorers["valley"]
    ex.set(beta=0.0, lr=10.0, steps=100)
    x, y = ex.scene.paths["sgd"].get_data()
    assert np.isfinite(x).sum() <= 3
    ex = explorers["intuition"]
    ex.set(beta=0.9, lr=2.5, noise=3.0)
    assert ex.state["sgd_diverged_at"] > 0
    _t, w = ex.scene.paths["sgd"].get_data()
    lo, hi = ex.scene.w_ax.get_ylim()
    finite = w[np.isfinite(w)]
    assert finite.size < len(w) and np.all((finite >= lo) & (finite <= hi))
    for name in ("valley", "intuition"):
        explorers[name].reset()


def test_intuition_noise_is_seeded(explorers):
    ex = explorers["intuition"]
    ex.set(noise=2.0)
    first = ex.png()
    ex.set(noise=1.0)
    ex.set(noise=2.0)
    assert ex.png() == first
    ex.reset()


def test_intuition_shares_one_noise_stream_and_reports_the_long_run_spread(explorers):
    from momentum_lib.experiments import stationary_spread

    ex = explorers["intuition"]
    ex.set(beta=0.9, lr=0.1, noise=1.0)
    r = ex.result
    noise = r.g[:, :, 0] - r.w[:-1, :, 0]          # g − λw with λ = 1: the draws themselves
    np.testing.assert_allclose(noise[:, 0], noise[:, 1], atol=1e-12)
    assert ex.state["sgd_spread"] == pytest.approx(float(stationary_spread(0.1, 0.0, 1.0)))
    assert ex.state["momentum_spread"] == pytest.approx(float(stationary_spread(0.1, 0.9, 1.0)))
    assert f"gradient descent {ex.state['sgd_spread']:.3g}, momentum" in ex.status_line.value
    ex.reset()


def test_trace_table_aligns_decimals_and_explorer_is_compact(explorers):
    import re as _re

    ex = explorers["trace"]
    ex.reset()
    cells = _re.findall(r"<td>([^<]*)</td>", ex.scene.table.value)
    columns = [cells[k::5] for k in range(5)]
    for column in columns[1:]:
        places = {len(c.split(".")[1]) if "." in c else 0 for c in column}
        assert len(places) == 1, column          # one number of decimals per column
    assert columns[2][2] == "+0.1065"           # v₃ = 0.9·0.085 + 0.1·0.3 of the post's trace
    assert ex.figsize[1] * ex.dpi <= 400        # figure ≤ 400 px tall, table beside it


def test_intuition_window_is_one_over_one_minus_beta(explorers):
    ex = explorers["intuition"]
    ex.set(beta=0.8)
    assert ex.state["effective_window"] == pytest.approx(5.0)
    assert ex.state["half_life"] == pytest.approx(math.log(0.5) / math.log(0.8))
    ex.reset()


def test_importing_momentum_lib_does_not_import_drawing_libraries():
    code = ("import sys, momentum_lib; "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_explorers_never_import_pyplot_on_their_own():
    code = ("import sys; from momentum_lib.explorers import EXPLORERS; "
            "[EXPLORERS[n]() for n in EXPLORERS]; print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_registry_entries_are_explorers():
    for name in EXPLORERS:
        cls = EXPLORERS[name]
        assert issubclass(cls, Explorer)
        assert cls.name == name


def test_gradient_descent_and_momentum_differ_by_more_than_hue_in_my_explorers(explorers):
    # Greyscale-safe: lines differ in line style; the trace bars in fill.
    for name in ("valley", "intuition"):
        paths = explorers[name].scene.paths
        assert paths["sgd"].get_linestyle() != paths["momentum"].get_linestyle(), name
    bars = explorers["trace"].scene.bars
    assert bars["sgd"][0].get_fill() != bars["momentum"][0].get_fill() or \
        bars["sgd"][0].get_facecolor() != bars["momentum"][0].get_facecolor()
    from matplotlib.colors import to_rgb

    def grey(c):
        r, g, b = to_rgb(c)
        return 0.299 * r + 0.587 * g + 0.114 * b

    assert abs(grey(bars["sgd"][0].get_facecolor()) - grey(bars["momentum"][0].get_facecolor())) > 0.3


def test_my_eta_sliders_name_their_form(explorers):
    # η everywhere, with its form explicit (the EMA and PyTorch forms differ by 1/(1 − β)).
    forms = {"valley": "PyTorch form", "intuition": "EMA form", "trace": "EMA form"}
    for name, form in forms.items():
        ex = explorers[name]
        assert ex.controls["lr"].description.startswith("η") and form in ex.controls["lr"].description
        assert form in ex.status_line.value and "lr" not in ex.status_line.value


# ---- notebooks 04 and 05: forms of η, stability limits, markers, notation ---------------------

def _figure_texts(fig):
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    for ax in fig.axes:
        texts += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t]


def _raw_notation(text):
    """Sub/superscripts typed as plain text outside mathtext: "λ_min", "w_look", "rate^(2t)"."""
    outside = re.sub(r"\$[^$]*\$", "", text)
    return bool(re.search(r"\w_\w|\^\(", outside))


@pytest.mark.parametrize("name, form", [("nesterov", "EMA form"), ("phase", "PyTorch form")])
def test_the_lr_slider_says_which_form_of_eta_it_is(explorers, name, form):
    ex = explorers[name]
    assert ex.controls["lr"].description == f"η ({form})"
    if name == "phase":
        assert "PyTorch form" in ex.status_line.value


@pytest.mark.parametrize("name", ["nesterov", "phase"])
def test_figure_text_has_no_raw_sub_or_superscripts(explorers, name):
    ex = explorers[name]
    texts = _figure_texts(ex.fig)
    assert texts
    assert not [t for t in texts if _raw_notation(t)]
    assert not any("nesterov" in t for t in texts)     # the method's name, not the code name


def test_nesterov_lines_differ_by_line_style_as_well_as_colour(explorers):
    scene = explorers["nesterov"].scene
    for artists in (scene.paths, scene.across):
        m, n = artists["momentum"], artists["nesterov"]
        assert m.get_linestyle() != n.get_linestyle()


def test_the_nesterov_lr_slider_reaches_both_stability_limits_at_every_beta(explorers):
    from momentum_lib import theory

    ex = explorers["nesterov"]
    top_beta = ex.controls["beta"].max
    for method in ("momentum", "nesterov"):
        limit = float(theory.max_stable_lr(top_beta, 1.0, method=method, convention="ema"))
        assert ex.lr_range[1] > limit
    ex.set(beta=top_beta, lr=ex.lr_range[1])
    assert ex.state["diverged_at"] >= 0 and ex.state["nesterov_diverged_at"] >= 0
    ex.set(beta=0.9, lr=2.0)
    status = ex.status_line.value
    assert "momentum converges for η below 38" in status and "Nesterov below 13.6" in status
    ex.set(lr=20.0)
    assert "Nesterov below 13.6 (η is above it)" in ex.status_line.value
    ex.reset()


def test_the_phase_marker_stays_whole_inside_the_axes_at_every_corner(explorers):
    ex = explorers["phase"]
    ax, point = ex.scene.ax, ex.scene.point
    box = ax.get_window_extent()
    radius = point.get_markersize() / 2 * ex.fig.dpi / 72 + point.get_markeredgewidth()
    for beta in (ex.controls["beta"].min, ex.controls["beta"].max):
        for lr in (ex.controls["lr"].min, ex.controls["lr"].max):
            ex.set(beta=beta, lr=lr)
            x, y = ax.transData.transform((lr, beta))
            assert box.x0 <= x - radius and x + radius <= box.x1, (beta, lr)
            assert box.y0 <= y - radius and y + radius <= box.y1, (beta, lr)
    ex.reset()


# ---- fidelity: what code sets is what the kernel keeps and shows ----------------------

def _front_end_sends(widget, **state):
    """What ipywidgets does with an 'update' message from a front end."""
    widget.set_state(state)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_are_kept_exactly_and_shown_as_stops(name):
    cls = EXPLORERS[name]
    ex = cls()
    assert ex.values == {**{k: w.value for k, w in ex.controls.items()}, **cls.defaults}
    for key, value in cls.defaults.items():
        widget = ex.controls[key]
        assert widget.value == value and ex.state[key] == value
        if isinstance(widget, GridSlider):
            # the readout shows the value's own label, not a neighbour's
            assert widget.label == format(value, widget.fmt)


@pytest.mark.parametrize("name", NAMES)
def test_values_set_by_code_survive_the_front_end(explorers, name):
    ex = explorers[name]
    ex.reset()
    sliders = {k: w for k, w in ex.controls.items() if isinstance(w, GridSlider)}
    # off every stop: kept exactly, shown as an extra stop
    odd = {k: w.min + (w.max - w.min) * 0.123456789 for k, w in sliders.items()}
    ex.set(**odd)
    png = ex.png()
    for k, w in sliders.items():
        assert ex.values[k] == odd[k] == w.value == ex.state[k]
        # a front end echoing the index it was sent changes nothing
        _front_end_sends(w, index=w.index)
    assert ex.wait_drawn()
    assert ex.values == {**ex.values, **odd} and ex.png() == png
    # a learner's move to the next stop is drawn, and the value is that stop exactly
    key, w = next(iter(sliders.items()))
    _front_end_sends(w, index=w.index + 1 if w.index + 1 < len(w.options) else w.index - 1)
    assert ex.wait_drawn()
    assert ex.values[key] == w.value == ex.state[key]
    assert ex.values[key] in w.grid or ex.values[key] == odd[key]
    ex.reset()
    assert ex.values == ex._initial


def test_a_control_that_cannot_keep_its_value_exactly_is_refused():
    """FloatSlider and FloatLogSlider recompute their value in the browser and send back
    0.9000000000000001 for 0.9: an explorer refuses them, saying which control and why."""
    from momentum_lib.explorers.valley import ValleyExplorer

    class Rounding(ValleyExplorer):
        def extra_controls(self):
            return {**super().extra_controls(),
                    "kappa": ipywidgets.FloatLogSlider(value=50.0, base=10, min=0, max=3)}

    with pytest.raises(TypeError, match="control 'kappa' is a FloatLogSlider"):
        Rounding()


def test_grids_are_exact_decimals():
    assert 0.9 in linear_grid(0.0, 0.99, 0.01) and 0.3 in linear_grid(0.0, 0.99, 0.01)
    assert len(linear_grid(0.0, 0.99, 0.01)) == 100
    grid = log_grid(0.01, 40.0)
    for v in (0.01, 0.05, 0.1, 1.0, 1.9, 2.0, 10.0, 38.0, 39.0, 40.0):
        assert v in grid
    ratios = np.diff(np.log(grid))
    assert ratios.min() > 0 and ratios.max() < np.log(1.06)


def test_moves_from_the_front_end_are_coalesced():
    """While a frame is being drawn, newer moves replace each other: only the latest is drawn."""
    from momentum_lib.explorers.valley import ValleyExplorer

    ex = ValleyExplorer()
    beta = ex.controls["beta"]
    start = ex.frames_drawn
    with ex._coalescer.lock:       # as if a frame were being drawn
        for index in range(10, 60, 5):
            _front_end_sends(beta, index=index)
        assert ex.frames_drawn == start
    assert ex.wait_drawn()
    assert ex.frames_drawn - start == 1          # ten moves, one frame: the last
    assert ex.state["beta"] == ex.values["beta"] == beta.options[55][1]


def test_a_frame_overtaken_by_a_newer_move_is_dropped_unless_the_screen_would_starve():
    import time

    from momentum_lib.explorers._moves import MIN_FRAME_GAP, Coalescer

    drawn = []
    coalescer = Coalescer(lambda: drawn.append(1), print, "test")
    assert not coalescer.overtaken(time.monotonic())        # nothing newer waits
    coalescer.pending = True                                 # a newer move waits …
    assert coalescer.overtaken(time.monotonic())             # … and a frame went out just now
    assert not coalescer.overtaken(time.monotonic() - 2 * MIN_FRAME_GAP)   # none for a while
    # the explorer applies the rule: an overtaken frame is computed but not sent
    from momentum_lib.explorers.valley import ValleyExplorer

    ex = ValleyExplorer()
    start = ex.frames_drawn
    ex._coalescer.pending = True
    ex._draw_latest()                                        # its last frame: just now
    assert ex.frames_drawn == start
    ex.frames.last_at -= 2 * MIN_FRAME_GAP
    ex._draw_latest()
    assert ex.frames_drawn == start + 1                      # sent, so a drag shows motion
    ex._coalescer.pending = False


def test_a_slider_value_written_in_python_between_stops_is_kept_exactly():
    from momentum_lib.explorers.valley import ValleyExplorer

    ex = ValleyExplorer()
    frames = ex.frames_drawn
    ex.controls["lr"].value = 1.234            # between the stops 1.2 and 1.25
    assert ex.values["lr"] == 1.234 == ex.state["lr"] == ex.controls["lr"].value
    assert ex.controls["lr"].label == "1.234"
    assert ex.frames_drawn == frames + 1       # one frame, never one for a passing value
    with pytest.raises(ipywidgets.widgets.trait_types.traitlets.TraitError):
        ex.controls["lr"].value = 1000.0
    ex.reset()
    assert ex.values["lr"] == 1.9


def test_without_threads_a_front_end_move_is_drawn_at_once(monkeypatch):
    """A browser kernel (Pyodide) has no threads: moves are drawn synchronously there."""
    from momentum_lib.explorers import _moves

    monkeypatch.setattr(_moves, "THREADS", False)
    ex = EXPLORERS["valley"]()
    slider = ex.controls["beta"]
    before = ex.png()
    monkeypatch.setattr(_moves.threading, "Thread", None)     # any thread would fail loudly
    _front_end_sends(slider, index=slider.index - 5)
    assert ex.state["beta"] == slider.value != ex.defaults["beta"]
    assert ex.png() != before


# ---- what a screen reader gets ----------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_the_figure_has_a_text_alternative_that_follows_every_move(explorers, name):
    ex = explorers[name]
    before = ex.alt
    assert ex.alt.startswith(ex.drawn) and len(ex.drawn) > 20
    assert _page.plain_text(ex.status_line.value) in ex.alt
    ex.set(beta=ex.controls["beta"].min)
    assert ex.alt != before
    assert _page.plain_text(ex.status_line.value) in ex.alt
    # static renderers (GitHub, nbviewer, HTML export) get it as the PNG's alt
    _bundle, metadata = ex._repr_mimebundle_()
    assert metadata["image/png"]["alt"] == ex.alt
    ex.reset()


def test_plain_text_of_a_status_line():
    assert _page.plain_text("<span>a &lt; b<br>c · <b>d</b></span>") == "a < b; c · d"


def test_a_drag_is_announced_once_when_it_settles():
    """Moves from a front end update the status line with every frame, but the live region
    (what a screen reader announces) once the last move has settled; a move set from code is
    announced at once."""
    from momentum_lib.explorers.valley import ValleyExplorer

    ex = ValleyExplorer()
    announced = []
    ex.live_line.observe(lambda change: announced.append(change.new), names="value")
    statuses = []
    ex.status_line.observe(lambda change: statuses.append(change.new), names="value")
    beta = ex.controls["beta"]
    for index in range(60, 80, 2):            # a drag: ten moves, each drawn as it comes
        _front_end_sends(beta, index=index)
        assert ex.wait_drawn()
    assert ex.wait_settled()
    assert len(statuses) >= 2                   # the visible line followed the drag
    assert announced == [ex.status_line.value] == [statuses[-1]]
    ex.set(lr=1.0)
    assert announced[-1] == ex.status_line.value and len(announced) == 2
    ex.reset()
    assert ex.wait_settled() and len(announced) == 3


def test_the_page_has_the_live_region_and_the_access_script():
    from momentum_lib.explorers import _access

    ex = EXPLORERS["valley"]()
    css = ex.widget.children[0]
    assert _access.script_tag() in css.value and 'onerror="' in css.value
    assert ex.widget.children[-1] is ex.live_line and "explorer-live" in ex.live_line._dom_classes
    assert ex.live_line.value == ex.status_line.value
    # every control's label says what it sets: the script names the handle after it
    for key, widget in ex.controls.items():
        assert widget.description and widget.description != key or key == "steps"
