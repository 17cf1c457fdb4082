"""How an explorer's frame reaches the browser: the dynamic artists as a compact SVG over a
PNG background sent once per static key (``_frames.py``, ``_vector.py``).

The unit tests check the SVG's geometry against matplotlib's own numbers and that a frame
depends on the values only; the browser test draws the layers in real Chromium and compares
the pixels with the kernel's Agg frame of the same values, including a deliberately
misplaced layer that must fail.
"""

import io
import re
import xml.etree.ElementTree as ET

import ipywidgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.path import Path

from momentum_lib.explorers import EXPLORERS, GridSlider
from momentum_lib.explorers._vector import _number, path_data, svg_layer

NAMES = list(EXPLORERS)
SVG = "{http://www.w3.org/2000/svg}"
COMMAND = re.compile(r"([MlqcCzZ])([^MlqcCzZ]*)")
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


def parse_path(d):
    """Absolute vertices of the path data ``path_data`` writes (M absolute, l/q/c relative)."""
    points, x, y, x0, y0 = [], 0.0, 0.0, 0.0, 0.0
    for command, args in COMMAND.findall(d):
        numbers = [float(v) for v in NUMBER.findall(args)]
        pairs = list(zip(numbers[::2], numbers[1::2]))
        if command == "M":
            x, y = x0, y0 = pairs[0]
            points.append((x, y))
        elif command == "l":
            for dx, dy in pairs:
                x, y = x + dx, y + dy
                points.append((x, y))
        elif command in "qc":
            k = 2 if command == "q" else 3
            for i in range(0, len(pairs), k):
                segment = [(x + dx, y + dy) for dx, dy in pairs[i:i + k]]
                points.extend(segment)
                x, y = segment[-1]
        elif command == "z":
            x, y = x0, y0
    return np.array(points)


def test_numbers_are_short_and_exact():
    assert [_number(k) for k in (123, -5, 40, 0, -120, 7)] == ["12.3", "-.5", "4", "0", "-12", ".7"]
    assert [_number(k, 2) for k in (5, -105, 120, 1234)] == [".05", "-1.05", "1.2", "12.34"]
    for k in range(-2000, 2000, 37):
        assert round(float(_number(k)) * 10) == k


def test_path_data_round_trips_within_half_a_unit_without_drift():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(0, 7, size=(2000, 2)), axis=0) + 300
    d = path_data(walk, None)
    back = parse_path(d)
    assert back.shape == walk.shape
    # each point within half a tenth of a point, also the last one: no accumulated rounding
    assert np.abs(back - walk).max() <= 0.05 + 1e-9
    # and short: under 10 bytes a vertex, against ~25 for matplotlib's six decimals
    assert len(d) < 10 * len(walk)


def test_path_data_follows_moves_curves_and_closes():
    path = Path([(0, 0), (10, 0), (10, 10), (0, 0), (20, 20), (25, 30), (30, 20), (0, 0)],
                [Path.MOVETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY,
                 Path.MOVETO, Path.CURVE3, Path.CURVE3, Path.STOP])
    d = path_data(path.vertices, path.codes)
    assert d == "M0 0l10 0 0 10zM20 20q5 10 10 0"
    assert np.allclose(parse_path(d), [(0, 0), (10, 0), (10, 10), (20, 20), (25, 30), (30, 20)])


def svg_of(fig, artists):
    root = ET.fromstring(svg_layer(fig, artists))
    assert root.tag == f"{SVG}svg"
    return root


def test_a_line_with_markers_is_one_path_and_one_marker_polyline():
    fig = Figure(figsize=(4, 3), dpi=200)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8), xlim=(0, 10), ylim=(0, 10))
    x = np.linspace(0.5, 9.5, 40)
    line, = ax.plot(x, 5 + 3 * np.sin(x), marker="o", markersize=4, color="#0072b2", lw=2)
    line.set_animated(True)
    dpi = fig.dpi
    root = svg_of(fig, [line])
    assert fig.dpi == dpi                  # restored after drawing at 72 dpi
    markers = root.findall(f".//{SVG}marker")
    assert len(markers) == 1 and markers[0].get("markerUnits") == "userSpaceOnUse"
    carriers = [p for p in root.iter(f"{SVG}path") if p.get("marker-mid")]
    assert len(carriers) == 1
    points = parse_path(carriers[0].get("d"))
    assert len(points) == len(x)           # one marker per data point, each drawn once
    # where matplotlib puts them: display coordinates at 72 dpi, y flipped
    fig.dpi = 72
    try:
        expected = ax.transData.transform(np.column_stack([x, 5 + 3 * np.sin(x)]))
    finally:
        fig.dpi = dpi
    expected[:, 1] = fig.get_size_inches()[1] * 72 - expected[:, 1]
    assert np.abs(points - expected).max() <= 0.05 + 1e-9
    # the line, stroked in its colour and width in points, clipped to the axes
    strokes = [p for p in root.iter(f"{SVG}path") if "stroke: #0072b2" in (p.get("style") or "")
               and not p.get("marker-mid") and p.get("clip-path")]
    assert strokes and "stroke-width: 2" in strokes[0].get("style")


def test_the_same_frame_gives_the_same_bytes_and_no_metadata():
    ex = EXPLORERS["valley"]()
    first = bytes(ex.image.value)
    assert b"<metadata" not in first and not first.startswith(b"<?xml")
    ex.set(beta=0.5)
    ex.set(beta=0.9)
    assert bytes(ex.image.value) == first


@pytest.mark.parametrize("name", NAMES)
def test_a_frame_depends_on_the_values_not_on_what_the_canvas_held(name):
    """Every pixel of a frame comes from the cached background and this frame's artists:
    leftovers in Agg's buffer (a renderer remade at another dpi starts transparent) never
    show. A figure 4.6 in × 200 dpi = 919.9999999999999 px tall must keep its top row in
    the cached background (Agg's region copy truncates fig.bbox)."""
    ex = EXPLORERS[name]()
    first = ex.png()
    renderer = ex.fig.canvas.get_renderer()
    np.asarray(renderer.buffer_rgba())[:] = 123      # what an earlier frame might have left
    ex.set(beta=ex.controls["beta"].grid[0])
    ex.reset()
    assert ex.fig.canvas.get_renderer() is renderer
    assert ex.png() == first


@pytest.mark.parametrize("name", NAMES)
def test_a_beta_or_lr_move_sends_a_small_svg_and_no_background(name):
    ex = EXPLORERS[name]()
    background = ex.background.value
    assert bytes(background).startswith(b"\x89PNG")
    sizes = []
    for key in ("beta", "lr"):
        stops = ex.controls[key].grid
        i = stops.index(ex.values[key]) if ex.values[key] in stops else len(stops) // 2
        for j in (i - 1, i + 1):
            ex.set(**{key: stops[min(max(j, 0), len(stops) - 1)]})
            sizes.append(len(ex.image.value))
            assert ex.background.value is background
    assert max(sizes) < 20_000, sizes


def test_a_static_change_sends_a_new_opaque_background():
    ex = EXPLORERS["valley"]()
    before = ex.background.value
    ex.set(kappa=10.0)
    after = bytes(ex.background.value)
    assert after != bytes(before)
    assert after[25] == 2                       # PNG colour type 2: RGB, no alpha channel
    from PIL import Image
    assert Image.open(io.BytesIO(after)).mode == "RGB"


def far_values(ex):
    """Values far from the defaults, one control at a time from the defaults on, as a learner
    moves them: each slider's ends, the first and last option, huge and then tiny gradients
    (these at both ends of η too: wide ticks, offset labels). Each stop keeps the values
    before it, so together they pass every static, layer and overlay key to an end."""
    values, stops = ex.values, []
    lr = ex.controls["lr"].grid
    for key, widget in ex.controls.items():
        if isinstance(widget, GridSlider):
            far = [{key: widget.grid[0]}, {key: widget.grid[-1]}]
        elif isinstance(widget, ipywidgets.Dropdown):
            far = [{key: widget.options[0]}, {key: widget.options[-1]}]
        elif isinstance(widget, ipywidgets.Text):
            far = [{key: text, "lr": rate} for text in ("1e6, -1e6, 5e5", "1e-3, 2e-3")
                   for rate in (lr[0], lr[-1])]
        else:
            far = [{key: widget.min}, {key: widget.max}]
        for change in far:
            values = {**values, **change}
            stops.append(values)
    return stops


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_same_values_give_the_same_frame_whatever_the_way_there(name):
    """What the figure shows is a function of the values, not of the way there. One explorer
    travels through far values (which change limits, offset labels, cached backgrounds,
    layers and overlays) one control at a time, then back through the same stops in reverse
    (moving one control back at a time), then resets; at every stop the frame and every
    image sent are those of a new explorer set to those values in one move. (Both start at
    the defaults: the layout is fixed once, when an explorer is made.) If ``update`` ran
    before ``restyle``, intuition's paths would be cut at the previous noise level's limits
    after a σ move: this fails on that order."""
    cls = EXPLORERS[name]
    travelled = cls()
    stops = far_values(travelled)
    direct = {}

    def shown(ex):
        return ex.png(), [bytes(w.value) for w in ex.figure.children]

    def same_as_direct(k):
        if k not in direct:       # one new explorer per stop, made when first needed
            values = stops[k] if k >= 0 else travelled.values
            direct[k] = shown(cls().set(**values))
        assert shown(travelled) == direct[k], (name, travelled.values)

    for k in [*range(len(stops)), *range(len(stops) - 2, -1, -1)]:
        travelled.set(**stops[k])
        same_as_direct(k)
    travelled.reset()
    same_as_direct(-1)


def test_an_axis_that_follows_lr_is_sent_apart_only_when_its_limits_change():
    ex = EXPLORERS["trace"]()
    axis = ex.scene.yaxis
    assert [artist for artist, _key in ex.scene.cached] == [axis]
    assert list(ex.figure.children) == [ex.background, ex.overlay, ex.image]
    overlay, moves = ex.overlay.value, ex.image.value
    ex.set(beta=0.5)                        # Δw's limits follow η, not β
    assert ex.overlay.value is overlay and ex.image.value != moves
    assert len(ex.image.value) < len(overlay)  # the bars: fewer bytes than the axis's glyphs
    seen = {}
    for lr in ex.controls["lr"].grid[::7]:
        ex.set(lr=lr)
        # its key (the limits) is all the axis's look depends on: the SVG kept for a key
        # is the one a fresh drawing of the axis gives now
        assert bytes(ex.overlay.value) == svg_layer(ex.fig, [axis])
        seen.setdefault(ex.scene.ax.get_ylim(), bytes(ex.overlay.value))
        assert seen[ex.scene.ax.get_ylim()] == bytes(ex.overlay.value)
    assert len(set(seen.values())) == len(seen) > 3
    assert b"DejaVuSans" in bytes(ex.overlay.value)     # tick labels as glyphs
    assert b"DejaVuSans" not in bytes(ex.image.value)   # not in the moves layer


@pytest.mark.parametrize("grads", ["1e6, -1e6, 5e5", "0.5, 0.4, 0.3", "1e-3, 2e-3, -1e-3"])
def test_the_trace_axis_label_stays_on_the_figure_at_any_scale(grads):
    ex = EXPLORERS["trace"]()
    stops = ex.controls["lr"].grid
    for lr in (stops[0], ex.values["lr"], stops[len(stops) // 2], stops[-1]):
        ex.set(grads=grads, lr=lr)
        ex.png()                                    # draws the axis at these limits
        renderer = ex.fig.canvas.get_renderer()
        label = ex.scene.ax.yaxis.label.get_window_extent(renderer)
        ticks = [t.get_window_extent(renderer) for t in ex.scene.ax.get_yticklabels()
                 if t.get_text()]
        assert label.x0 >= 0, (grads, lr, label)
        assert all(label.x1 <= t.x0 for t in ticks), (grads, lr)


# --- in a real browser ------------------------------------------------------------
PAGE = """<html><body style="margin:0"><div id="f" style="display:grid;
grid-template-columns:minmax(0,1fr);width:{w}px">{images}</div></body></html>"""
IMG = """<img style="grid-area:1/1/2/2;width:{w}px;height:auto;{shift}"
src="data:image/{format};base64,{data}">"""


def drawn_share(page, ex, shift=""):
    """Share of pixels where Chromium's drawing of the stacked layers (the figure's
    images, in order) differs from the kernel's Agg frame by more than 96/255 in some
    channel (at device scale factor 2). ``shift``: CSS for the background only."""
    import base64

    from PIL import Image

    w = ex.display_width
    images = "".join(
        IMG.format(w=w, shift=shift if i == 0 else "", format=image.format,
                   data=base64.b64encode(bytes(image.value)).decode())
        for i, image in enumerate(ex.figure.children))
    html = PAGE.format(w=w, images=images)
    page.set_content(html)
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete && i.naturalWidth)")
    shot = np.asarray(Image.open(io.BytesIO(page.locator("#f").screenshot())).convert("RGB"), int)
    agg = np.asarray(Image.open(io.BytesIO(ex.png())).convert("RGB"), int)
    assert shot.shape == agg.shape, (shot.shape, agg.shape)
    return float(np.mean(np.abs(shot - agg).max(axis=2) > 96))


@pytest.mark.browser
@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", NAMES)
def test_chromium_draws_the_layers_as_the_kernel_draws_the_frame(playwright_browser, name):
    context = playwright_browser.new_context(device_scale_factor=2,
                                             viewport={"width": 1300, "height": 700})
    try:
        page = context.new_page()
        ex = EXPLORERS[name]()
        lr = ex.controls["lr"]
        for values in ({}, {"beta": 0.5}, {"lr": lr.max}):    # the last one diverges or nearly
            ex.set(**values)
            share = drawn_share(page, ex)
            # anti-aliasing and unhinted glyphs differ on edges only (0-0.7 % of pixels
            # seen); a layer half a CSS pixel off already differs on 2-4 %
            assert share < 0.015, (values, share)
        # the check can fail: a background one CSS pixel off fails it
        ex.reset()
        assert drawn_share(page, ex, shift="transform:translate(1px,1px)") >= 0.015
    finally:
        context.close()


def test_the_moves_layer_does_not_grow_with_the_pixel_ratio():
    # The figures are rendered at 2× for projectors; the SVG of a move is about the same
    # bytes at 1× (tight_layout places the axes a fraction of a point differently at
    # another dpi), while the background PNG, sent once per static key, grows.
    cls = EXPLORERS["valley"]
    at_1x = type("ValleyAt1x", (cls,), {"pixel_ratio": 1})()
    at_2x = cls()
    for beta in (0.3, 0.95):
        at_1x.set(beta=beta)
        at_2x.set(beta=beta)
        assert abs(len(at_1x.image.value) / len(at_2x.image.value) - 1) < 0.05
    assert len(at_2x.background.value) > 2 * len(at_1x.background.value)
