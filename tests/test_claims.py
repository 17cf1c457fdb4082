"""Every notebook has a claims ledger, and every ledger row is backed by a checked cell or a derivation."""

import pathlib
import shutil

import nbformat
import pytest

from momentum_lib import _notebooks

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_claim_is_backed_by_a_checked_cell_or_a_derivation(path):
    assert _notebooks.ledger_problems(path, _notebooks.ledger_path_for(path)) == []


def test_every_ledger_belongs_to_a_notebook():
    stems = {p.stem for p in NOTEBOOKS}
    assert {p.stem for p in (ROOT / "claims").glob("*.md")} - stems == set()


def test_the_notebooks_folder_holds_notebooks_only():
    """What serves notebooks/ (JupyterLab's file browser, the classroom index) lists what is
    in it, hidden files (checkpoints) aside."""
    shown = sorted(p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith("."))
    assert shown == [p.name for p in NOTEBOOKS]


def test_a_ledger_lies_in_claims_beside_the_notebooks_folder(tmp_path):
    path = tmp_path / "notebooks" / "01_x.ipynb"
    assert pathlib.Path(_notebooks.ledger_path_for(path)) == tmp_path / "claims" / "01_x.md"


def _copy_with_ledger(tmp_path, ledger_text):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Two plus two is four.", id="prose"),
        nbformat.v4.new_code_cell("print(2 + 2)", id="sum"),
        nbformat.v4.new_markdown_cell("By counting: 1+1+1+1.", id="proof"),
    ])
    nb.cells[1].execution_count = 1
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="4\n")]
    path = tmp_path / "nb.ipynb"
    path.write_text(_notebooks.dumps(_notebooks.normalise(nb)))
    (tmp_path / "claims").mkdir()
    ledger = tmp_path / "claims" / "nb.md"
    ledger.write_text("| # | claim | regime | prose cell | evidence | randomness |\n|---|---|---|---|---|---|\n"
                      + ledger_text)
    return path, ledger


def test_a_backed_ledger_passes(tmp_path):
    path, ledger = _copy_with_ledger(tmp_path, "| 1 | 2+2=4 | integers | `prose` | cell `sum`, derivation `proof` | none |\n")
    assert _notebooks.ledger_problems(path, ledger) == []


def test_a_removed_evidence_cell_fails(tmp_path):
    path, ledger = _copy_with_ledger(tmp_path, "| 1 | 2+2=4 | integers | `prose` | cell `sum` | none |\n")
    nb = nbformat.read(path, as_version=4)
    del nb.cells[1]
    path.write_text(_notebooks.dumps(_notebooks.normalise(nb)))
    assert any("`sum` is not in the notebook" in p for p in _notebooks.ledger_problems(path, ledger))


def test_a_removed_cell_of_a_real_notebook_fails(tmp_path):
    source = NOTEBOOKS[1]
    rows = _notebooks.read_ledger(_notebooks.ledger_path_for(source))
    cited = next(cell_id for row in rows for kind, cell_id in row["evidence"] if kind == "cell")
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") != cited]
    (tmp_path / "notebooks").mkdir()
    copy = tmp_path / "notebooks" / source.name
    copy.write_text(_notebooks.dumps(_notebooks.normalise(nb)))
    assert any(f"`{cited}` is not in the notebook" in p
               for p in _notebooks.ledger_problems(copy, _notebooks.ledger_path_for(copy)))


@pytest.mark.parametrize("tags, executed, text, reason", [
    (["nbval-ignore-output"], True, True, "exempted by a tag"),
    (["nbval-skip"], True, True, "exempted by a tag"),
    ([], False, True, "not executed"),
    ([], True, False, "no text output"),
])
def test_an_unchecked_evidence_cell_fails(tmp_path, tags, executed, text, reason):
    path, ledger = _copy_with_ledger(tmp_path, "| 1 | 2+2=4 | integers | `prose` | cell `sum` | none |\n")
    nb = nbformat.read(path, as_version=4)
    cell = nb.cells[1]
    if tags:
        cell.metadata["tags"] = tags
    if not executed:
        cell.execution_count = None
    if not text:
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]
    path.write_text(_notebooks.dumps(_notebooks.normalise(nb)))
    assert any("not checked by nbval" in p for p in _notebooks.ledger_problems(path, ledger)), reason


def test_a_derivation_must_be_markdown_and_a_row_needs_evidence(tmp_path):
    path, ledger = _copy_with_ledger(
        tmp_path, "| 1 | 2+2=4 | integers | `prose` | derivation `sum` | none |\n| 2 | odd | | `prose` | trust me | none |\n")
    found = _notebooks.ledger_problems(path, ledger)
    assert any("derivation `sum` is not a Markdown cell" in p for p in found)
    assert any("row 2: no evidence" in p for p in found)


def test_a_missing_ledger_fails(tmp_path):
    path, _ = _copy_with_ledger(tmp_path, "")
    assert _notebooks.ledger_problems(path, tmp_path / "claims" / "absent.md") != []


# ---------------------------------------------------------------- the randomness column

def _random_notebook(tmp_path, ledger_rows, printed="seeds 0–5: spread 0.21–0.24\n"):
    """A notebook whose cell `draw` uses noise.gaussian_noise and cell `exact` a closed form."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("The spread is about 0.22.", id="prose"),
        nbformat.v4.new_code_cell("from momentum_lib import noise", id="imports"),
        nbformat.v4.new_code_cell("xi = noise.gaussian_noise(100, 1, seed=0)\nprint(xi.std())", id="draw"),
        nbformat.v4.new_code_cell("print(noise.stationary_variance(0.1, 0.9, 1.0, 1.0))", id="exact"),
    ])
    for k, (cell, text) in enumerate(zip(nb.cells[1:], ["", printed, "0.51\n"]), start=1):
        cell.execution_count = k
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    path = tmp_path / "nb.ipynb"
    path.write_text(_notebooks.dumps(_notebooks.normalise(nb)))
    (tmp_path / "claims").mkdir()
    ledger = tmp_path / "claims" / "nb.md"
    ledger.write_text("| # | claim | regime | prose cell | evidence | randomness |\n|---|---|---|---|---|---|\n"
                      + "".join(f"| {k + 1} | a claim | a regime | `prose` | {ev} | {rnd} |\n"
                                for k, (ev, rnd) in enumerate(ledger_rows)))
    return _notebooks.ledger_problems(path, ledger)


def test_random_evidence_checked_over_seeds_or_as_an_exact_expectation_passes(tmp_path):
    assert _random_notebook(tmp_path, [("cell `draw`", "seeds 0–5"), ("cell `draw`", "exact expectation"),
                                       ("cell `exact`", "none"), ("cell `exact`", "exact expectation")]) == []


def test_a_claim_from_random_draws_marked_none_fails_and_names_the_draw(tmp_path):
    found = _random_notebook(tmp_path, [("cell `draw`", "none")])
    assert len(found) == 1 and "cell `draw` uses random draws (noise.gaussian_noise)" in found[0]


@pytest.mark.parametrize("rows, message", [
    ([("cell `draw`", "seeds 0–3")], "at least 5"),
    ([("cell `draw`", "seeds 2–7")], "no evidence cell prints 'seeds 2–7'"),
    ([("cell `exact`", "seeds 0–5")], "no evidence cell uses random draws"),
    ([("cell `draw`", "seeds 0-5")], "an en dash"),
    ([("cell `draw`", "random")], "must be 'none'"),
])
def test_a_randomness_cell_that_does_not_hold_fails(tmp_path, rows, message):
    assert any(message in p for p in _random_notebook(tmp_path, rows)), message


def test_a_ledger_without_the_randomness_column_fails_once(tmp_path):
    path, ledger = _copy_with_ledger(tmp_path, "")
    ledger.write_text("| # | claim | regime | prose cell | evidence |\n|---|---|---|---|---|\n"
                      "| 1 | 2+2=4 | integers | `prose` | cell `sum` |\n| 2 | 4 | integers | `prose` | cell `sum` |\n")
    found = _notebooks.ledger_problems(path, ledger)
    assert len(found) == 1 and "rows 1, 2 have no randomness column" in found[0]


def test_a_random_claim_of_a_real_ledger_marked_none_fails(tmp_path):
    source = ROOT / "notebooks" / "07_in_practice.ipynb"
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copy(source, tmp_path / source.name)
    ledger = tmp_path / "claims" / "07_in_practice.md"
    text = ledger.read_text()
    row = next(line for line in text.splitlines() if "cell `buys`" in line and line.endswith("| seeds 0–5 |"))
    ledger.write_text(text.replace(row, row.replace("| seeds 0–5 |", "| none |")))
    found = _notebooks.ledger_problems(tmp_path / source.name, ledger)
    assert any("cell `buys` uses random draws (practice.final_losses)" in p for p in found)
