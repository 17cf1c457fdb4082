"""Every figure has a text alternative computed from what it shows, stored where Jupyter's tools read it.

A stored figure output (``image/png``) carries ``metadata["image/png"]["alt"]`` (read by nbconvert's
classic HTML template and Jupyter Book), the same words as its ``text/plain`` (which nbval compares,
so the numbers in it are checked like printed ones), and is followed by a caption output that shows
them in JupyterLab and Voila, which do not read the metadata. Each drawing function computes its text
from the arrays it draws: other data give other words.
"""

import pathlib
import re

import nbformat
import numpy as np
import pytest

from momentum_lib import _notebooks, drawing, drawing_noise, drawing_theory, experiments, problems
from momentum_lib.exercises import overview

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def figure_outputs(nb):
    """``(cell, index of the output, output)`` for every stored ``image/png`` output."""
    return [(cell, k, out) for cell in nb.cells if cell.cell_type == "code"
            for k, out in enumerate(cell.get("outputs", [])) if "image/png" in out.get("data", {})]


def is_explorer(out):
    """Whether a figure output is an explorer's frame: the explorer itself (its text is its repr)
    or its ``snapshot()`` (an ``<img>`` of class ``momentum-snapshot``)."""
    text = _notebooks._text(out["data"].get("text/plain", ""))
    return bool(re.match(r"[A-Za-z]+Explorer\(", text)) or \
        "momentum-snapshot" in _notebooks._text(out["data"].get("text/html", ""))


def alt_problems(cell, k, out):
    """What is missing from the figure output ``out`` (the k-th output of ``cell``)."""
    where = f"cell `{cell.id}` output {k}"
    alt = out.get("metadata", {}).get("image/png", {}).get("alt")
    if not isinstance(alt, str) or not alt.strip():
        return [f"{where}: no metadata['image/png']['alt']"]
    if alt.startswith(drawing.UNDESCRIBED):
        return [f"{where}: described by its labels only (the drawing function attached no alt text)"]
    found = []
    if _notebooks._text(out["data"].get("text/plain", "")) != alt:
        found.append(f"{where}: text/plain is not the alt text, so nbval does not check its numbers")
    following = cell.outputs[k + 1] if k + 1 < len(cell.outputs) else {}
    if _notebooks._text(following.get("data", {}).get("text/plain", "")) != f"Figure: {alt}" \
            or "text/markdown" not in following.get("data", {}):
        found.append(f"{where}: no visible caption (a text/markdown output 'Figure: …') right after it")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_figure_has_its_text_alternative_and_a_caption(path):
    nb = nbformat.read(path, as_version=4)
    found = [p for cell, k, out in figure_outputs(nb) if not is_explorer(out)
             for p in alt_problems(cell, k, out)]
    assert not found, f"{path.name}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if any(
    is_explorer(o) for _, _, o in figure_outputs(nbformat.read(p, as_version=4)))], ids=lambda p: p.name)
def test_every_stored_explorer_figure_has_its_text_alternative(path):
    nb = nbformat.read(path, as_version=4)
    found = [f"cell `{cell.id}` output {k}: no metadata['image/png']['alt']"
             for cell, k, out in figure_outputs(nb) if is_explorer(out)
             and not out.get("metadata", {}).get("image/png", {}).get("alt")]
    assert not found, f"{path.name}:\n" + "\n".join(found)


def test_the_series_has_figures_to_check():
    static = [o for p in NOTEBOOKS for _, _, o in figure_outputs(nbformat.read(p, as_version=4))
              if not is_explorer(o)]
    assert len(static) >= 15


def test_nbval_compares_the_alt_text():
    path = ROOT / "notebooks" / "05_beta_sensitivity.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell, _, out = next(f for f in figure_outputs(nb) if not is_explorer(f[2]))
    assert _notebooks.checked_by_nbval(cell)
    assert out["metadata"]["image/png"]["alt"] in _notebooks.cell_text(cell)


# ---- the helpers ------------------------------------------------------------------------------

def shown(fig, alt=None):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()     # display() publishes through a shell
    with capture_output() as captured:
        drawing.show(fig, alt)
    return captured.outputs


def test_show_stores_the_alt_text_in_the_image_metadata_and_as_a_caption():
    fig = drawing.described(drawing.new_figure((2, 1)), "A blank test figure, 2 by 1 inches.")
    image, caption = shown(fig)
    assert image.metadata == {"image/png": {"alt": "A blank test figure, 2 by 1 inches."}}
    assert image.data["text/plain"] == "A blank test figure, 2 by 1 inches."
    assert image.data["image/png"]
    assert caption.data["text/plain"] == "Figure: A blank test figure, 2 by 1 inches."
    assert caption.data["text/markdown"].startswith("*Figure:*")


def test_a_figure_nobody_described_says_what_its_labels_say_and_bad_alt_text_is_refused():
    # A learner's own figure (or an old hand-in's) still displays, described by its labels.
    fig = drawing.new_figure((2, 1))
    ax = fig.add_subplot()
    ax.set(title="my run", xlabel="step", ylabel="loss $J$")
    image, caption = shown(fig)
    assert image.data["text/plain"] == f"{drawing.UNDESCRIBED}: my run, x: step, y: loss J."
    assert shown(drawing.new_figure((2, 1)))[0].data["text/plain"] == f"{drawing.UNDESCRIBED}."
    with pytest.raises(ValueError, match="text alternative"):
        drawing.checked_alt("  ")
    with pytest.raises(ValueError, match="plain text"):
        drawing.described(drawing.new_figure((2, 1)), "costs $5")


def test_caption_escapes_markdown():
    caption = drawing.caption_output("λ_max * 2 [sic] <b>")
    assert caption["text/markdown"] == r"*Figure:* λ\_max \* 2 \[sic\] \<b\>"


@pytest.mark.parametrize("x, digits, text", [(-0.0421, 2, "−0.042"), (1.26e-5, 2, "1.3 × 10⁻⁵"),
                                             (12345.0, 3, "12300"), (0.5, 2, "0.5"), (3.0e6, 2, "3.0 × 10⁶"),
                                             (float("nan"), 2, "not a number")])
def test_numbers_are_written_as_read(x, digits, text):
    assert drawing.number(x, digits) == text


# ---- each figure's text states its numbers ------------------------------------------------------

def test_gradient_weights_text_follows_beta():
    a = drawing.gradient_weights([0.5, 0.9], t=30).alt_text
    b = drawing.gradient_weights([0.5, 0.8], t=30).alt_text
    assert "β = 0.5 and 0.9" in a and "The newest weighs 0.5 and 0.1" in a
    assert "β = 0.5 and 0.8" in b and "The newest weighs 0.5 and 0.2" in b


def test_phase_diagram_text_states_the_optimum_and_the_diverging_share():
    lr, beta = np.linspace(0.02, 4.2, 40), np.linspace(0.0, 0.99, 40)
    texts = {}
    for kappa in (10.0, 100.0):
        lams = problems.narrow_valley(kappa).curvatures
        rates = experiments.phase_rates(lr, beta, lams, convention="pytorch")
        texts[kappa] = drawing_theory.phase_diagram_figure(lr, beta, rates, lams, kappa).alt_text
    assert "κ = 100" in texts[100.0] and "η* = 3.31" in texts[100.0] and "β* = 0.669" in texts[100.0]
    assert "κ = 10;" in texts[10.0] and "β* = 0.27," in texts[10.0]
    assert "% of the grid" in texts[10.0]


def test_settling_text_states_the_steps():
    runs = {m: o.run for m, o in experiments.compare_overshoot(problems.parabola(), lr=2.0, beta=0.9,
                                                               steps=100, tol=0.05).items()}
    text = drawing_theory.settling_figure(runs, lr=2.0, beta=0.9, tol=0.05).alt_text
    settled = {m: experiments.settling_step(r.w, 0.0, 0.05) for m, r in runs.items()}
    assert f"from step {settled['momentum']} for momentum" in text
    assert f"from step {settled['nesterov']} for Nesterov" in text
    wider = drawing_theory.settling_figure(runs, lr=2.0, beta=0.9, tol=0.5).alt_text
    assert wider != text and "|w| ≤ 0.5" in wider


def test_loss_and_validation_texts_follow_their_data():
    loss = np.array([[1.0, 1.0], [0.5, 0.1], [0.25, 0.01]])
    a = drawing_theory.beta_losses_figure(loss, loss, [0.5, 0.9], lr=0.1).alt_text
    assert "0.25 for β = 0.5 and 0.01 for β = 0.9: lowest for β = 0.9" in a
    b = drawing_theory.beta_losses_figure(loss[:, ::-1], loss, [0.5, 0.9], lr=0.1).alt_text
    assert "lowest for β = 0.5" in b
    labels = [("momentum", "momentum"), ("gradient descent", "sgd")]
    v = drawing_noise.validation_curves(np.arange(3.0), loss, labels, title="test").alt_text
    assert "momentum: 0.25; gradient descent: 0.01" in v


def test_grid_text_names_the_lowest_stable_setting_and_counts_the_unstable():
    lrs, betas = np.array([0.01, 0.02, 0.04]), np.array([0.0, 0.5])
    values = np.array([[1.0, 0.5, 0.2], [0.8, 0.3, 0.05]])
    unstable = np.array([[False, False, False], [False, False, True]])
    text = drawing_noise.grid_figure(lrs, betas, values, unstable, label="loss", iso=[0.04]).alt_text
    assert "Lowest among stable settings: 0.2 at η = 0.04, β = 0" in text
    assert "1 of 6 settings are unstable" in text


def test_valley_and_overview_texts_state_where_the_paths_end():
    runs = overview.best_setting_runs(kappa=10.0, steps=30)
    text = overview.draw(runs, 10.0).alt_text
    distance = np.linalg.norm(runs["sgd"].result.w[-1])
    assert f"gradient descent {drawing.number(distance)}" in text
    race = experiments.valley_race(10.0, lr=0.5, beta=0.9, steps=60, convention="pytorch")
    valley = drawing_theory.valley_lesson_figure(race, 10.0, lr=0.5, beta=0.9, steps=60).alt_text
    assert f"ends at w₁ = {drawing.number(race.gd.w[60, 0])}" in valley
    assert "κ = 10" in valley


def test_spread_text_bounds_the_measurements_coarsely():
    lrs = np.array([0.01, 0.1])
    th_gd, th_m = np.array([0.1, 0.3]), np.array([0.3, 0.9])
    close = drawing.spread_comparison(lrs, th_gd, th_m, th_gd * 1.03, th_m * 0.99).alt_text
    far = drawing.spread_comparison(lrs, th_gd, th_m, th_gd * 1.3, th_m).alt_text
    assert "3 times as far" in close and "within 5 %" in close
    assert "within 50 %" in far
