"""The stored notebooks: executed, normalised, and really checked by nbval."""

import json
import pathlib
import shutil
import subprocess
import sys

import nbformat
import pytest

from momentum_lib import _notebooks

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_index.ipynb") in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_executed_and_normalised(path):
    assert _notebooks.problems(path) == []


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2].isdigit() and p.name[:2] != "00"],
                         ids=lambda p: p.name)
def test_numbered_notebooks_have_a_checked_explorer_and_navigation(path):
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code"
               and "nbval-ignore-output" not in c.metadata.get("tags", [])]
    assert any(".set(" in c.source and c.outputs for c in checked), \
        "a checked cell must set an explorer's sliders and print what it computed"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "00_index.ipynb" in markdown, "navigation links back to the contents"


def test_importing_the_rules_does_not_import_drawing_or_widgets():
    code = "import momentum_lib, sys; print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def _tiny_notebook(tmp_path, count=1, metadata=None):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1 + 1)")])
    nb.cells[0].execution_count = count
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    path = tmp_path / "tiny.ipynb"
    path.write_text(_notebooks.dumps(_notebooks.normalise(nb)))
    return path


def test_check_accepts_a_normalised_executed_notebook(tmp_path):
    assert _notebooks.problems(_tiny_notebook(tmp_path)) == []


def test_check_rejects_a_cell_without_execution_count(tmp_path):
    found = _notebooks.problems(_tiny_notebook(tmp_path, count=None))
    assert any("no execution count" in p for p in found)


def test_check_rejects_volatile_metadata(tmp_path):
    path = _tiny_notebook(tmp_path)
    nb = json.loads(path.read_text())
    nb["cells"][0]["metadata"]["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00"}
    nb["metadata"]["widgets"] = {"state": {}}
    path.write_text(json.dumps(nb, indent=1) + "\n")
    assert any("not normalised" in p for p in _notebooks.problems(path))


def test_check_rejects_out_of_order_execution(tmp_path):
    path = _tiny_notebook(tmp_path, count=7)
    assert any("expected 1" in p for p in _notebooks.problems(path))


def test_normalise_drops_widget_views_but_keeps_their_text():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("w")])
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", data={"text/plain": "Explorer", _notebooks.WIDGET_VIEW: {"model_id": "ab12"}})]
    out = _notebooks.normalise(nb).cells[0].outputs[0]
    assert out["data"] == {"text/plain": "Explorer"}


def _nbval(path):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", str(path),
         "--sanitize-with", str(SANITIZE), "--rootdir", str(path.parent)],
        capture_output=True, text=True, cwd=path.parent, timeout=300)


@pytest.mark.slow
def test_a_tampered_stored_output_makes_nbval_fail(tmp_path):
    original = ROOT / "notebooks" / "00_index.ipynb"
    good = tmp_path / "good" / original.name
    bad = tmp_path / "bad" / original.name
    for path in (good, bad):
        path.parent.mkdir()
        shutil.copy(original, path)
    nb = json.loads(bad.read_text())
    # Change one printed number of a checked cell: 0.01065 -> 0.10650 (the source post's mistake).
    tampered = False
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", []))
            if "0.01065" in text:
                out["text"] = text.replace("0.01065", "0.10650")
                tampered = True
    assert tampered, "00_index should print the step-3 step size"
    bad.write_text(json.dumps(nb, indent=1) + "\n")
    assert _nbval(good).returncode == 0
    result = _nbval(bad)
    assert result.returncode == 1
    assert "0.10650" in result.stdout


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] in {"01", "02", "03", "04", "05"}],
                         ids=lambda p: p.name)
def test_html_export_keeps_the_static_figures(path):
    """GitHub, nbviewer and `nbconvert --to html` have no kernel: the figures must be stored PNGs,
    and the first figure must come before the first live explorer."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_filename(str(path))
    figures = body.count('src="data:image/png;base64,')
    assert figures >= 2, f"{path.name}: only {figures} PNG figure(s) in the HTML export"
    nb = nbformat.read(path, as_version=4)
    first_png = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                     and any("image/png" in o.get("data", {}) for o in c.outputs))
    first_explorer = next(i for i, c in enumerate(nb.cells)
                          if "nbval-ignore-output" in c.metadata.get("tags", []))
    assert first_png < first_explorer


def test_normalise_keeps_cell_ids_and_derives_missing_ones_deterministically():
    cells = [nbformat.v4.new_markdown_cell("a", id="intro"), nbformat.v4.new_code_cell("1")]
    nb = nbformat.v4.new_notebook(cells=cells)
    del nb.cells[1]["id"]
    first, second = _notebooks.normalise(nb), _notebooks.normalise(nb)
    assert first["nbformat_minor"] == 5
    assert first["cells"][0]["id"] == "intro"
    assert first["cells"][1]["id"] == second["cells"][1]["id"]
    assert len(first["cells"][1]["id"]) == 8


def test_normalise_replaces_duplicate_ids():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", id="x"),
                                         nbformat.v4.new_code_cell("2", id="x")])
    ids = [c["id"] for c in _notebooks.normalise(nb)["cells"]]
    assert ids[0] == "x" and ids[1] != "x"


def test_normalise_stores_a_stream_whole_however_it_was_cut():
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="2\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="w\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    outputs = _notebooks.normalise(nb)["cells"][0]["outputs"]
    assert [(o["name"], o["text"]) for o in outputs] == [("stdout", "1\n2\n"), ("stderr", "w\n")]


# ---- what the kernel reports, stored so that opening marks nothing modified ----------------------

@pytest.fixture(scope="module")
def local_kernel():
    return _notebooks.kernel_metadata()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_kernel_metadata_is_what_the_kernel_reports(path, local_kernel):
    """JupyterLab compares both whole (tests/test_jupyterlab.py opens them); only the patch release
    of Python may differ between the machine that executed the notebooks and this one."""
    meta = nbformat.read(path, as_version=4).metadata
    assert meta.get("kernelspec") == local_kernel["kernelspec"]
    stored, local = dict(meta.get("language_info", {})), dict(local_kernel["language_info"])
    stored_version, local_version = stored.pop("version", ""), local.pop("version")
    assert stored == local
    assert stored_version.split(".")[:2] == local_version.split(".")[:2], \
        f"stored with Python {stored_version}, the kernel here is {local_version}"


def test_normalise_keeps_the_kernel_metadata_and_the_image_metadata():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show()", execution_count=1)])
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "A."},
                                                  metadata={"image/png": {"alt": "A.", "width": 300}})]
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python", "version": "3.11.7"}, "widgets": {}}
    out = _notebooks.normalise(nb)
    assert out["metadata"] == {key: nb.metadata[key] for key in ("kernelspec", "language_info")}
    assert out["cells"][0]["outputs"][0]["metadata"] == {"image/png": {"alt": "A.", "width": 300}}


def test_with_kernel_metadata_writes_another_kernels_report():
    nb = {"cells": [], "metadata": {"kernelspec": {"name": "python3"}, "widgets": {}}, "nbformat": 4,
          "nbformat_minor": 5}
    pyodide = {"kernelspec": {"display_name": "Python (Pyodide)", "language": "python", "name": "python"},
               "language_info": {"name": "python", "version": "3.12.7", "mimetype": "text/x-python"}}
    out = _notebooks.with_kernel_metadata(nb, pyodide)
    assert out["metadata"] == pyodide and out["metadata"] is not pyodide
    assert nb["metadata"]["kernelspec"] == {"name": "python3"}      # the input is untouched
    with pytest.raises(ValueError, match="language_info"):
        _notebooks.with_kernel_metadata(nb, {"kernelspec": pyodide["kernelspec"]})
