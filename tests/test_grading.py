"""Class grading on tests/sample_submissions: every kind of broken notebook, one run.

The sample notebooks were made from notebooks/06_exercises.ipynb (answers filled in
with library calls, as a student would):

  all_correct    every answer right                                    -> 12/12
  partly_wrong   ex1, ex3, ex6, ex8, ex11, ex12 wrong; ex9 unreadable text
                 (counted wrong); ex4 blank                             -> 4/12
  raises         a scratch cell raises before ex3; ex4's answer cell raises
                 (answer would keep ex3's value: not scored); ex9's check
                 cell has a typo (NameError)                            -> 10/12
  hangs          an endless loop before ex3, interrupted by the timeout  -> 12/12
  missing_cells  ex5-ex7 deleted, ex12's check cell deleted             -> 8/12
  malformed      the first third of a notebook file (invalid JSON)     -> 0/12
"""

import csv
import io
import pathlib
import subprocess
import sys
import time

import pytest

from momentum_lib.exercises import exercise_ids, grading

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "sample_submissions"
IDS = [f"ex{i}" for i in range(1, 13)]
TIMEOUT = 3  # seconds per cell: the endless loop is cut after this

EXPECTED_SCORES = {
    "all_correct.ipynb": 12, "partly_wrong.ipynb": 4, "raises.ipynb": 10,
    "hangs.ipynb": 12, "missing_cells.ipynb": 8, "malformed.ipynb": 0,
}
# CSV marks: 1 correct, 0 wrong, empty when not answered / no check cell.
EXPECTED_MARKS = {
    "all_correct.ipynb": "1 1 1 1 1 1 1 1 1 1 1 1",
    "partly_wrong.ipynb": "0 1 0 _ 1 0 1 0 0 1 0 0",
    "raises.ipynb": "1 1 1 _ 1 1 1 1 _ 1 1 1",
    "hangs.ipynb": "1 1 1 1 1 1 1 1 1 1 1 1",
    "missing_cells.ipynb": "1 1 1 1 _ _ _ 1 1 1 1 _",
    "malformed.ipynb": "_ _ _ _ _ _ _ _ _ _ _ _",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades") / "grades.csv"
    printed = []
    start = time.monotonic()
    grades = grading.grade([SAMPLES], csv_path=out, timeout=TIMEOUT, echo=printed.append)
    elapsed = time.monotonic() - start
    return grades, out.read_text(encoding="utf-8"), "\n".join(printed), elapsed


def test_the_exercise_ids_are_the_ones_the_samples_were_made_for():
    assert exercise_ids() == IDS


def test_every_sample_is_found_and_graded(graded):
    grades, _, _, _ = graded
    assert sorted(pathlib.Path(g.path).name for g in grades) == sorted(EXPECTED_SCORES)


def test_the_csv_has_the_expected_scores_and_marks(graded):
    _, text, _, _ = graded
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["file", "score", "out_of", *IDS, "notes"]
    for row in rows:
        name = pathlib.Path(row["file"]).name
        assert int(row["score"]) == EXPECTED_SCORES[name], (name, row)
        assert row["out_of"] == "12"
        marks = " ".join(row[x] or "_" for x in IDS)
        assert marks == EXPECTED_MARKS[name], name


def test_problems_are_reported_in_the_notes(graded):
    _, text, _, _ = graded
    notes = {pathlib.Path(r["file"]).name: r["notes"] for r in csv.DictReader(io.StringIO(text))}
    assert notes["all_correct.ipynb"] == "" and notes["partly_wrong.ipynb"] == ""
    assert "timed out" in notes["hangs.ipynb"] and "interrupted" in notes["hangs.ipynb"]
    assert "error in cell" in notes["raises.ipynb"]
    assert "not scored, its answer cell failed: ex4" in notes["raises.ipynb"]
    assert "no check cell for ex5, ex6, ex7, ex12" in notes["missing_cells.ipynb"]
    assert "not valid JSON" in notes["malformed.ipynb"]


def test_the_printed_table_matches_the_csv(graded):
    _, _, printed, _ = graded
    symbols = {"1": "✔", "0": "✘", "_": "·"}
    for name, score in EXPECTED_SCORES.items():
        line = next(x for x in printed.splitlines() if x.startswith(name + " "))
        assert f" {score}/12 " in line
        if name not in ("missing_cells.ipynb", "malformed.ipynb"):
            marks = " ".join(symbols[m] for m in EXPECTED_MARKS[name].split())
            assert marks.replace(" ", "") in line.replace(" ", "")
    assert "✔ correct  ✘ wrong  · not answered  – no check cell" in printed


def test_the_hanging_notebook_costs_about_one_timeout_not_forever(graded):
    _, _, _, elapsed = graded
    assert elapsed < 60


def test_a_file_that_is_not_a_notebook_needs_no_kernel(tmp_path):
    bad = tmp_path / "x.ipynb"
    bad.write_text('{"cells": [', encoding="utf-8")
    g = grading.grade_notebook(bad, IDS)
    assert g.score == 0 and "not valid JSON" in g.notes[0]


def test_folders_are_searched_and_checkpoints_skipped(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "a" / "s1.ipynb").write_text("{}")
    (tmp_path / "a" / ".ipynb_checkpoints" / "s1-checkpoint.ipynb").write_text("{}")
    (tmp_path / "s2.ipynb").write_text("{}")
    found = grading.find_notebooks([tmp_path])
    assert [p.name for p in found] == ["s1.ipynb", "s2.ipynb"]


def test_the_command_line_prints_the_table_and_writes_the_csv(tmp_path):
    out = tmp_path / "class.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "momentum_lib.exercises", "grade",
         str(SAMPLES / "partly_wrong.ipynb"), str(SAMPLES / "malformed.ipynb"),
         "--csv", str(out), "--timeout", str(TIMEOUT)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line.split()[1:] for line in proc.stdout.splitlines() if line}
    assert lines["partly_wrong.ipynb"] == "4/12 ✘ ✔ ✘ · ✔ ✘ ✔ ✘ ✘ ✔ ✘ ✘".split()
    assert lines["malformed.ipynb"][:13] == ["0/12"] + ["–"] * 12
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert [r[1] for r in rows[1:]] == ["4", "0"]


def test_a_recorded_answer_is_checked_again_by_the_grader():
    assert grading._regrade("ex3", ("c", None)) == "correct"
    assert grading._regrade("ex3", ("a", None)) == "wrong"
    assert grading._regrade("ex3", (None, None)) == "blank"
    assert grading._regrade("ex3", (None, "expected one of a–d")) == "wrong"
    assert grading._regrade("ex1", ([0.01, -0.5], None)) == "wrong"


def test_a_kernel_that_dies_keeps_what_was_recorded_before(tmp_path):
    import nbformat

    nb = nbformat.read(SAMPLES / "all_correct.ipynb", as_version=4)
    after_ex4 = next(i for i, c in enumerate(nb.cells) if 'check("ex4"' in c.source) + 1
    nb.cells.insert(after_ex4, nbformat.v4.new_code_cell("import os; os._exit(1)"))
    path = tmp_path / "dies.ipynb"
    nbformat.write(nb, path)
    g = grading.grade_notebook(path, IDS, timeout=TIMEOUT)
    assert g.score == 4 and [g.results[x] for x in ("ex4", "ex5")] == ["correct", "blank"]
    assert any("kernel died" in n for n in g.notes)
