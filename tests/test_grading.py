"""Class grading on tests/sample_submissions: every kind of broken notebook, one run.

The sample notebooks were made from the exercises notebook when it had twelve
exercises (answers filled in with library calls, as a student would); the later
exercises came after, so every sample has no check cell for them (scores below out of all):

  all_correct    every answer right                                    -> 12
  partly_wrong   ex1, ex3, ex6, ex8, ex11, ex12 wrong; ex9 unreadable text
                 (counted wrong); ex4 blank                             -> 4
  raises         a scratch cell raises before ex3; ex4's answer cell raises
                 (answer would keep ex3's value: not scored); ex9's check
                 cell has a typo (NameError)                            -> 10
  hangs          an endless loop before ex3, interrupted by the timeout  -> 12
  missing_cells  ex5-ex7 deleted, ex12's check cell deleted             -> 8
  malformed      the first third of a notebook file (invalid JSON)     -> 0

Timeouts are sized for a loaded 2-core machine (measured at load ≈ 4: a kernel
start plus 40 cells took up to 25 s per notebook there): a per-cell timeout of
20 s only cuts the endless loop, and nothing here asserts on elapsed time.
"""

import csv
import io
import json
import pathlib
import subprocess
import sys

import pytest

from momentum_lib.exercises import exercise_ids
from momentum_lib.grading import handins, report, results, run, sandbox

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "sample_submissions"
IDS = exercise_ids()
TIMEOUT = 20   # seconds per cell
BUDGET = 600   # seconds per notebook

C, W, N, M, U, E = "correct", "wrong", "not answered", "no check cell", "unreadable", "error"
NEW = [M] * (len(IDS) - 12)    # the samples predate every exercise after ex12
EXPECTED = {
    "all_correct.ipynb": [C] * 12 + NEW,
    "partly_wrong.ipynb": [W, C, W, N, C, W, C, W, W, C, W, W] + NEW,
    "raises.ipynb": [C, C, C, N, C, C, C, C, E, C, C, C] + NEW,
    "hangs.ipynb": [C] * 12 + NEW,
    "missing_cells.ipynb": [C, C, C, C, M, M, M, C, C, C, C, M] + NEW,
    "malformed.ipynb": [U] * len(IDS),
}

needs_bwrap = pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("grades")
    printed = []
    grades = run.grade([SAMPLES], csv_path=out / "grades.csv", json_path=out / "grades.json",
                       timeout=TIMEOUT, budget=BUDGET, echo=printed.append)
    return (grades, (out / "grades.csv").read_text(encoding="utf-8"),
            json.loads((out / "grades.json").read_text(encoding="utf-8")), "\n".join(printed))


def test_the_samples_answer_the_first_twelve_exercises():
    assert IDS[:12] == [f"ex{i}" for i in range(1, 13)]


@pytest.mark.grading
@pytest.mark.slow
@needs_bwrap
def test_every_sample_gets_its_statuses(graded):
    grades, _, _, _ = graded
    assert sorted(g.path for g in grades) == sorted(EXPECTED)
    for g in grades:
        assert [g.results[x].status for x in IDS] == EXPECTED[g.path], (g.path, g.results)
        assert g.score == EXPECTED[g.path].count(C)


@pytest.mark.grading
@pytest.mark.slow
@needs_bwrap
def test_the_csv_has_a_status_and_a_reason_per_exercise(graded):
    _, text, _, _ = graded
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:4 + len(IDS)] == ["file", "student", "score", "out_of", *IDS]
    by = {r["file"]: r for r in rows}
    assert [by["missing_cells.ipynb"][x] for x in IDS] == EXPECTED["missing_cells.ipynb"]
    assert "NameError" in by["raises.ipynb"]["ex9_reason"]
    assert "answer cell" in by["raises.ipynb"]["ex4_reason"] and "failed" in by["raises.ipynb"]["ex4_reason"]
    assert 'check("ex5"' in by["missing_cells.ipynb"]["ex5_reason"]
    assert "still None" in by["partly_wrong.ipynb"]["ex4_reason"]
    assert "could not read" in by["partly_wrong.ipynb"]["ex9_reason"]
    assert "not valid JSON" in by["malformed.ipynb"]["ex1_reason"]
    assert "timed out" in by["hangs.ipynb"]["notes"]


@pytest.mark.grading
@pytest.mark.slow
@needs_bwrap
def test_the_json_has_the_class_summary_with_recognised_mistakes(graded):
    _, _, data, printed = graded
    summary = {s["exercise"]: s for s in data["summary"]}
    partly = next(h for h in data["hand_ins"] if h["file"] == "partly_wrong.ipynb")
    assert partly["results"]["ex1"]["status"] == "wrong" and "answer" in partly["results"]["ex1"]
    assert summary["ex1"]["solved"] == 4 and summary["ex1"]["hand_ins"] == 6
    assert summary["ex6"]["common_mistakes"][0]["count"] == 1
    assert "Polyak" in summary["ex6"]["common_mistakes"][0]["mistake"]
    assert "Per exercise: solved / hand-ins" in printed
    # notes and reasons end at a word, never in the middle of one
    for h in data["hand_ins"]:
        for r in h["results"].values():
            assert not r["reason"] or r["reason"].endswith(("…", ".", ")", "'")) or \
                r["reason"][-1].isalnum()


@pytest.mark.grading
@pytest.mark.slow
@needs_bwrap
def test_the_printed_table_shows_every_status(graded):
    _, _, _, printed = graded
    line = next(x for x in printed.splitlines() if x.startswith("partly_wrong.ipynb "))
    assert f"4/{len(IDS)}" in line and "✘✔✘·✔✘✔✘✘✔✘✘" + "–" * len(NEW) in line.replace(" ", "")
    assert "✔ correct  ✘ wrong  · not answered  – no check cell  ? unreadable" in printed


def test_clip_cuts_at_a_word():
    assert results.clip("alpha beta gamma delta", 12) == "alpha beta…"
    assert results.clip("short", 12) == "short"


def test_first_deliberate_answer_counts():
    cells = [(1, "answer = None"), (2, 'check("ex6", answer)'), (3, "answer = 12.6"),
             (4, 'check("ex6", answer)'), (5, 'check("ex6", 38/3)')]
    rec = lambda a: [{"event": "check", "exercise": "ex6", "answer": a, "problem": None}]  # noqa: E731
    events = [{"type": "cell", "index": 1, "status": "ok", "records": []},
              {"type": "cell", "index": 2, "status": "ok", "records": rec(None)},
              {"type": "cell", "index": 3, "status": "ok", "records": []},
              {"type": "cell", "index": 4, "status": "ok", "records": rec(12.6)},
              {"type": "cell", "index": 5, "status": "ok", "records": rec(38 / 3)}]
    chosen, stale = results.deliberate_answers(events, cells)
    assert chosen["ex6"][1]["answer"] == 12.6 and not stale   # None skipped, later scratch ignored


def test_a_check_before_its_answer_cell_is_not_scored_and_says_why():
    cells = [(1, "answer = 0.6"), (2, 'check("ex7", answer)'), (3, 'check("ex8", answer)'),
             (4, "answer = 0.0025")]
    events = [{"type": "cell", "index": 1, "status": "ok", "records": []},
              {"type": "cell", "index": 2, "status": "ok", "records": [
                  {"event": "check", "exercise": "ex7", "answer": 0.6}]},
              {"type": "cell", "index": 3, "status": "ok", "records": [
                  {"event": "check", "exercise": "ex8", "answer": 0.6}]},
              {"type": "cell", "index": 4, "status": "ok", "records": []}]
    chosen, stale = results.deliberate_answers(events, cells)
    assert "ex8" not in chosen and "still held the answer to ex7" in stale["ex8"]


def test_a_loop_of_guesses_scores_its_first_guess_only():
    cells = [(1, 'for x in range(100):\n    check("ex12", x / 2)')]
    events = [{"type": "cell", "index": 1, "status": "ok", "records": [
        {"event": "check", "exercise": "ex12", "answer": x / 2} for x in range(100)]}]
    assert results.deliberate_answers(events, cells)[0]["ex12"][1]["answer"] == 0.0


def test_folders_are_searched_any_case_and_checkpoints_skipped(tmp_path):
    (tmp_path / "alice" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "alice" / "06_exercises.ipynb").write_text("{}")
    (tmp_path / "alice" / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("{}")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "06_exercises.ipynb").write_text("{}")
    (tmp_path / "UPPER.IPYNB").write_text("{}")
    names = [handins.display_name(p, r) for p, r in handins.find_notebooks([tmp_path])]
    assert names == ["UPPER.IPYNB", "alice/06_exercises.ipynb", "bob/06_exercises.ipynb"]


@pytest.mark.grading
@needs_bwrap
def test_the_command_line_writes_csv_and_json_and_its_help_says_code_runs(tmp_path):
    out = tmp_path / "class.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "momentum_lib.grading", "grade",
         str(SAMPLES / "partly_wrong.ipynb"), str(SAMPLES / "malformed.ipynb"),
         "--csv", str(out), "--timeout", str(TIMEOUT)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert {r[0]: r[2] for r in rows[1:]} == {"partly_wrong.ipynb": "4", "malformed.ipynb": "0"}
    data = json.loads((tmp_path / "class.json").read_text())
    assert {h["file"]: h["score"] for h in data["hand_ins"]} == {"partly_wrong.ipynb": 4,
                                                                  "malformed.ipynb": 0}
    helptext = subprocess.run([sys.executable, "-m", "momentum_lib.grading", "grade", "--help"],
                              capture_output=True, text=True, timeout=120).stdout
    assert "RUNS THE STUDENTS' CODE" in helptext and "bubblewrap" in helptext
    assert "--no-sandbox" in helptext


def test_without_a_sandbox_a_warning_is_printed(tmp_path):
    printed = []
    run.grade([SAMPLES / "malformed.ipynb"], csv_path=tmp_path / "g.csv", sandbox=False,
              echo=printed.append)
    assert printed[0].startswith("WARNING: grading WITHOUT a sandbox")


@pytest.mark.grading
@needs_bwrap
def test_a_kernel_that_dies_keeps_what_was_recorded_before(tmp_path):
    import nbformat

    nb = nbformat.read(SAMPLES / "all_correct.ipynb", as_version=4)
    after_ex4 = next(i for i, c in enumerate(nb.cells) if 'check("ex4"' in c.source) + 1
    nb.cells.insert(after_ex4, nbformat.v4.new_code_cell("import os; os._exit(1)"))
    path = tmp_path / "dies.ipynb"
    nbformat.write(nb, path)
    g = run.grade_notebook(path, IDS, timeout=TIMEOUT, budget=BUDGET)
    assert g.score == 4 and g.results["ex5"].status == "error"
    assert "never ran" in g.results["ex5"].reason and any("died" in n for n in g.notes)


def test_an_interrupted_run_keeps_the_rows_already_done_and_no_temporary_files(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    for name in ("a.ipynb", "b.ipynb", "c.ipynb"):
        (sub / name).write_text("{broken")
    seen = []

    def echo(line):
        seen.append(line)
        if line.startswith("grading c.ipynb"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run.grade([sub], csv_path=tmp_path / "g.csv", json_path=tmp_path / "g.json",
                  sandbox=False, echo=echo)
    rows = list(csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert [r["file"] for r in rows] == ["a.ipynb", "b.ipynb"]
    assert len(json.loads((tmp_path / "g.json").read_text())["hand_ins"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-summary.txt", "g.csv", "g.json", "sub"]


# --- practice mode: what a teacher should know about each answer ------------------------------------

def _events(*records_per_cell):
    return [{"type": "cell", "index": i, "status": "ok", "records": list(recs)}
            for i, recs in enumerate(records_per_cell, start=1)]


def _check(xid, answer):
    return {"event": "check", "exercise": xid, "answer": answer, "problem": None}


def _outcome(events):
    out = sandbox.Outcome()
    out.events, out.ended = events, True
    return out


def test_practice_answers_after_a_solution_or_many_checks_are_flagged():
    cells = [(1, 'solution("ex6")'), (2, 'check("ex6", 38/3)'), (3, 'check("ex7", 0.1)'),
             (4, 'for x in range(5):\n    check("ex8", x)'), (5, 'check("ex12", 13.5)'),
             (6, 'solution("ex12")')]
    events = _events([{"event": "solution", "exercise": "ex6"}], [_check("ex6", 38 / 3)],
                     [_check("ex7", 0.1)], [_check("ex8", x) for x in range(5)],
                     [_check("ex12", 13.5)], [{"event": "solution", "exercise": "ex12"}])
    res, notes, sols = results.results_from_events(["ex6", "ex7", "ex8", "ex12"], cells,
                                                   _outcome(events), results.practice_verdict,
                                                   practice=True)
    assert res["ex6"].flags == ("answered after its solution was shown",)
    assert res["ex7"].flags == ()
    assert res["ex8"].flags == ("checked 5 times",) and res["ex8"].answer == 0
    assert res["ex12"].flags == ()                      # the solution came after the answer
    assert sols == ["ex6", "ex12"]
    g = results.NotebookGrade("a.ipynb", res, notes, sols)
    import io

    buffer = io.StringIO()
    report.write_csv([g], ["ex6", "ex7", "ex8", "ex12"], buffer)
    row = next(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert row["flags"] == "ex6: answered after its solution was shown; ex8: checked 5 times"
    assert "feedback, not marks" in report.summary_table([g], ["ex6"])


def test_graded_answers_carry_no_practice_flags():
    events = _events([{"event": "solution", "exercise": "ex6"}], [_check("ex6", 1.0)])
    res, _, _ = results.results_from_events(["ex6"], [(1, "x"), (2, 'check("ex6", 1.0)')],
                                            _outcome(events), results.practice_verdict)
    assert res["ex6"].flags == ()


# --- gradebook files ------------------------------------------------------------------------------

def _grade(student, statuses):
    res = {x: results.ExerciseResult(s) for x, s in statuses.items()}
    return results.NotebookGrade(f"{student}/08_exercises.ipynb", res, [], [], student)


BOOK_IDS = ["ex1", "ex2", "ex3"]
BOOK = [_grade("s01", {"ex1": "correct", "ex2": "wrong", "ex3": "correct"}),
        _grade("=s02", {"ex1": "correct", "ex2": "correct", "ex3": "correct"})]
ROSTER = ["s01", "=s02", "s03"]   # s03 handed nothing in; "=s02" stands for a hostile name


def test_the_canvas_file_has_canvass_import_layout():
    """Canvas's gradebook import: the identity columns Student, ID, SIS User ID, SIS Login ID,
    Section, then one column per assignment, and a "Points Possible" row (Instructure, "How do
    I import grades in the Gradebook?")."""
    import io

    buffer = io.StringIO()
    report.write_canvas(BOOK, BOOK_IDS, ROSTER, {"s01": "Ann"}, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert len(rows[0]) == 5 + len(BOOK_IDS) + 1 and rows[0][-1].endswith("(total)")
    assert rows[1][0] == "Points Possible" and rows[1][5:] == ["1", "1", "1", "3"]
    by = {r[3]: r for r in rows[2:]}
    assert by["s01"][0] == "Ann" and by["s01"][5:] == ["1", "0", "1", "2"]
    assert by["'=s02"][5:] == ["1", "1", "1", "3"]        # a formula-looking id made inert
    assert by["s03"][5:] == ["", "", "", ""]              # no hand-in: left ungraded
    assert len(rows) == 2 + len(ROSTER)


def test_the_moodle_file_has_moodles_import_layout():
    """Moodle's CSV grade import: a header row, a column to "Map from" (ID number, mapped to
    the user field useridnumber), one numeric column per grade item (MoodleDocs, "Grade import")."""
    import io

    buffer = io.StringIO()
    report.write_moodle(BOOK, BOOK_IDS, ROSTER, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows[0][0] == "ID number" and len(rows[0]) == 1 + len(BOOK_IDS) + 1
    assert all(h.endswith("(Real)") for h in rows[0][1:])
    assert rows[1:] == [["s01", "1", "0", "1", "2"], ["'=s02", "1", "1", "1", "3"]]


def test_the_per_exercise_summary_fits_one_screen():
    ids = exercise_ids()
    mistake = results.ExerciseResult("wrong", "", 1.0, "a long mistake name " * 8)
    grades = [results.NotebookGrade(f"{i}.ipynb", {x: mistake for x in ids}, [])
              for i in range(30)]
    lines = report.summary_lines(grades, ids)
    assert len(lines) == 1 + len(ids) and all(len(x) <= 100 for x in lines)
    assert lines[1].split()[:4] == ["ex1", "0/30", "0%", "30×"]
    assert len({line.index("/") for line in lines[1:]}) == 1          # the columns line up
