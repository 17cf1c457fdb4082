"""The projector view and the laptop view, measured in Chromium.

Classroom mode on a 1920×1080 projector at 150 % (a CSS viewport of 1280×720 at device scale
1.5): every figure uses the column (an explorer's figure with the table beside it), figure type is at least 80 % of the body text as shown,
explorer slider tracks are at least 300 CSS px; the measurements are printed. At that size
and in JupyterLab on a 1366×768 laptop, no element sticks out of its cell, no text is cut
off, and no number is split across lines.

Figure type in CSS px = type size in points × dpi / 72 × displayed width / design width, with
the tick-label size the drawing style sets (momentum_lib.drawing.TICK_SIZE) and the dpi at
which the library lays figures out (RC["figure.dpi"], one inch = dpi CSS px at design width;
a figure drawn at twice that for sharpness says so in its width metadata, an explorer in its
own width), so that the design width is what the figure would be shown at.
Whether a legend sits off the data is not measured here: that was checked by eye in the
screenshots this test saves (test-artifacts/projector/).
"""

import pytest

import devtools as bs
from momentum_lib import drawing

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOKS = bs.notebook_paths()
PROJECTOR = {"viewport": {"width": 1280, "height": 720}, "device_scale_factor": 1.5}
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "device_scale_factor": 1}
MIN_COLUMN_SHARE = 0.9      # a figure's displayed width over the column's
MIN_TYPE_SHARE = 0.8        # figure type over body text, both as displayed
MIN_TRACK_PX = 300


def figure_type_px(fig, points=drawing.TICK_SIZE, dpi=drawing.RC["figure.dpi"]):
    """Type of ``points`` in ``fig`` as displayed, in CSS px."""
    return points * dpi / 72 * fig["displayed"] / fig["design"]


@pytest.fixture(scope="module")
def measured():
    rows = []
    yield rows
    if rows:
        print("\nprojector (1920×1080 at 150 %, classroom mode): per figure, displayed / column "
              "width, tick type / body text, slider tracks (CSS px)")
        for row in rows:
            print("  " + row)


def shot(page, frontend, nb):
    path = bs.ARTIFACTS / "projector" / frontend
    path.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path / f"{nb.stem}.png"), full_page=True)


def layout_problems(page, cell_selector, where):
    return [f"{where} cell {p['cell']}: {p['kind']} ({p['by']}) at {p['element']}: {p['text']!r}"
            for p in page.evaluate(bs.script("layout_problems"), cell_selector)]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_classroom_on_a_projector(nb, playwright_browser, classroom, measured):
    context = playwright_browser.new_context(**PROJECTOR)
    page = context.new_page()
    where = f"classroom {nb.stem}"
    try:
        bs.open_in_classroom(page, classroom, nb)
        m = page.evaluate(bs.script("projector_measures"))
        shot(page, "classroom", nb)
        explorers = page.locator(".momentum-explorer")
        for i in range(explorers.count()):
            explorers.nth(i).screenshot(path=str(bs.ARTIFACTS / "projector" / "classroom" /
                                                 f"{nb.stem}-explorer{i + 1}.png"))
        problems = layout_problems(page, bs.VOILA_CELL, where)
        measured.append(f"{nb.stem}: viewport {m['viewport']} px, column {m['column']:.0f} px, "
                        f"body text {m['body']} px")
        for fig in m["figures"]:
            type_px = figure_type_px(fig)
            tracks = ", ".join(f"{t:.0f}" for t in fig.get("tracks", []))
            measured.append(
                f"  cell {fig['cell']} {fig['kind']}: {fig['used']:.0f} / {m['column']:.0f} = "
                f"{fig['used'] / m['column']:.2f}; type {type_px:.1f} / {m['body']} = "
                f"{type_px / m['body']:.2f}" + (f"; tracks {tracks}" if tracks else ""))
            if fig["used"] < MIN_COLUMN_SHARE * m["column"]:
                problems.append(f"{where} cell {fig['cell']}: {fig['kind']} {fig['used']:.0f} px "
                                f"wide in a {m['column']:.0f} px column")
            if type_px < MIN_TYPE_SHARE * m["body"]:
                problems.append(f"{where} cell {fig['cell']}: {fig['kind']} type {type_px:.1f} px "
                                f"< {MIN_TYPE_SHARE:.0%} of the {m['body']} px body text")
            short = [t for t in fig.get("tracks", []) if t < MIN_TRACK_PX]
            if short:
                problems.append(f"{where} cell {fig['cell']}: slider tracks {short} px "
                                f"< {MIN_TRACK_PX} px")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_jupyterlab_on_a_laptop(nb, playwright_browser, jupyterlab):
    context = playwright_browser.new_context(**LAPTOP)
    page = context.new_page()
    try:
        bs.open_in_jupyterlab(page, jupyterlab, nb)
        shot(page, "jupyterlab", nb)
        problems = layout_problems(page, bs.LAB_CELL, f"JupyterLab {nb.stem}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
        bs.close_lab_sessions(jupyterlab)
