"""Graded mode: personal variants made from the catalogue, bound to their student, graded from
answers recomputed with the catalogue.

A class of 30 generated variants, filled in honestly (each answer computed from the
student's own numbers), scores 16/16 each; a hand-in with another student's answers, one
carrying another student's variant, and one with edited numbers score 0.
"""

import copy
import csv
import hmac
import json
import os
import shutil
import time

import nbformat
import pytest

from momentum_lib.exercises import _build, catalogue
from momentum_lib.grading import graded, run, sandbox, variants

ROSTER = [f"s{i:02d}" for i in range(30)]


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    (base / "roster.csv").write_text("id,name\n" + "".join(f"{s},Student {s}\n" for s in ROSTER))
    variants.new_secret(base / "teacher.secret")
    made = variants.make_class(base / "roster.csv", base / "teacher.secret", base / "handout")
    return base, made, variants.read_secret(base / "teacher.secret")


def test_the_secret_is_private_and_numbers_are_deterministic(teacher):
    base, _, secret = teacher
    assert (base / "teacher.secret").stat().st_mode & 0o077 == 0
    assert variants.params_for(secret, "s01") == variants.params_for(secret, "s01")
    assert variants.params_for(secret, "s01") != variants.params_for(secret, "s02")
    assert variants.params_for(b"x" * 32, "s01") != variants.params_for(secret, "s01")


def test_every_variant_is_the_practice_notebook_with_the_catalogues_questions(teacher):
    """Byte for byte: each question and answer cell is the catalogue's for the student's numbers;
    every other cell up to the worked facts is the practice notebook's, outputs cleared."""
    base, made, secret = teacher
    practice = nbformat.read(_build.notebook_path(), as_version=4)
    cut = [c.id for c in practice.cells].index(variants.CUT_AT)
    assert [p.parent.name for p in made] == ROSTER
    for path in made:
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata[variants.METADATA_KEY]
        params = variants.params_for(secret, path.parent.name)
        assert meta["student"] == path.parent.name and meta["params"] == json.loads(
            json.dumps(params))
        expected = {variants.INTRO_CELL: None, variants.SETUP_CELL: variants.SETUP}
        for ex in catalogue.EXERCISES:
            stem, answer, check = ex.cell_ids()
            expected[stem] = ex.question(params[ex.id])
            expected[answer] = ex.answer_cell(params[ex.id])
        assert [c.id for c in nb.cells] == [c.id for c in practice.cells[:cut]]
        for cell, original in zip(nb.cells, practice.cells):
            want = expected.get(cell.id, original.source)
            assert want is None or cell.source == want, cell.id
            assert cell.cell_type != "code" or (cell.outputs == [] and cell.execution_count is None)


def test_each_students_options_are_the_practice_options_in_their_own_order(teacher):
    _, made, secret = teacher
    orders = set()
    for path in made:
        p = variants.params_for(secret, path.parent.name)
        for ex in catalogue.EXERCISES:
            if ex.kind == "choice":
                text = ex.question(p[ex.id])
                assert all(o.text.split()[0] in text for o in ex.options)
                assert sorted(p[ex.id]["order"]) == ex.letters
                orders.add((ex.id, tuple(p[ex.id]["order"])))
    assert len(orders) > 4 * 4          # the orders do differ between students


def test_the_intro_names_exactly_the_exercises_with_personal_numbers(teacher):
    _, made, _ = teacher
    nb = nbformat.read(made[0], as_version=4)
    intro = next(c.source for c in nb.cells if c.id == variants.INTRO_CELL)
    personal = [ex.number for ex in catalogue.EXERCISES if ex.draw is not None]
    assert f"exercises {variants._ranges(personal)} are yours alone" in intro
    assert variants._ranges([1, 2, 6, 7, 8, 9, 11, 12]) == "1, 2, 6–9 and 11, 12"


def test_every_digits_variant_has_a_clear_best_eta():
    """ex16: for every (β, epochs) a variant can draw, the best η wins by a margin (no near tie
    that rounding on another machine could flip), and it is an inner grid point."""
    import numpy as np

    from momentum_lib.exercises.catalogue import part3

    for beta in (0.8, 0.85, 0.9, 0.95):
        for epochs in (2, 3, 4):
            p = {"beta": beta, "epochs": epochs,
                 "lrs": [round((1 - beta) * e, 6) for e in part3.DIGITS_EFFECTIVE_LRS]}
            val = part3.ex16_losses(p)
            i = int(np.nanargmin(val))
            assert 0 < i < len(val) - 1, (beta, epochs, val)
            assert np.sort(val)[1] > 1.03 * val[i], (beta, epochs, val)


def test_the_graded_check_records_without_judging(tmp_path, monkeypatch):
    from momentum_lib.exercises import RECORD_ENV, recorded

    monkeypatch.setenv(RECORD_ENV, str(tmp_path / "r.jsonl"))
    text = repr(recorded.check("ex6", "12.5"))
    assert "recorded 12.5" in text and "Correct" not in text and "Not yet" not in text
    assert "switched off" in repr(recorded.solution("ex6"))
    assert json.loads((tmp_path / "r.jsonl").read_text())["answer"] == 12.5
    assert "Call it as" in repr(recorded.check("ex99", 1))


def test_a_forged_tag_fails_verification(teacher):
    _, _, secret = teacher
    params = variants.params_for(secret, "s00")
    assert hmac.compare_digest(variants.tag_for(secret, "s00", params),
                               variants.tag_for(secret, "s00", params))
    assert variants.tag_for(secret, "s00", params) != variants.tag_for(secret, "s01", params)
    assert variants.tag_for(b"y" * 32, "s00", params) != variants.tag_for(secret, "s00", params)


# --- a class graded -------------------------------------------------------------------------------

def _right_letter(ex, p):
    """The letter the student sees for the keyed option (the key's texts say which it is)."""
    keyed = _build.read_texts(ex.id).keyed
    return ex.letters[p["order"].index(keyed)]


def _answers(secret, student):
    p = variants.params_for(secret, student)
    return {ex.id: (_right_letter(ex, p[ex.id]) if ex.kind == "choice" else ex.answer(p[ex.id]))
            for ex in catalogue.EXERCISES}


def _fill(nb, answers):
    """The honest student: each `answer = None` cell gets the answer computed for them."""
    nb = copy.deepcopy(nb)
    for ex in catalogue.EXERCISES:
        cell = next(c for c in nb.cells if c.id == ex.cell_ids()[1])
        cell.source = f"answer = {answers[ex.id]!r}"
    return nb


@pytest.mark.grading
@pytest.mark.slow
@pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")
def test_a_class_of_30_honest_hand_ins_scores_in_full_and_cheats_score_0(teacher, tmp_path):
    base, made, secret = teacher
    sub = tmp_path / "submissions"
    answers = {s: _answers(secret, s) for s in ROSTER}
    for path in made:
        s = path.parent.name
        (sub / s).mkdir(parents=True)
        nbformat.write(_fill(nbformat.read(path, as_version=4), answers[s]), sub / s / path.name)
    grader = graded.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    load = os.getloadavg()[0]
    start = time.monotonic()
    grades = run.grade([sub], csv_path=tmp_path / "g.csv", json_path=tmp_path / "g.json",
                       timeout=60, budget=600, grader=grader, echo=lambda *a: None, jobs=2,
                       gradebook={"canvas": tmp_path / "canvas.csv"})
    seconds = time.monotonic() - start
    print(f"30 variants graded in {seconds:.0f} s with 2 jobs (load average {load:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after)")
    n = len(catalogue.EXERCISES)
    assert [g.score for g in grades] == [n] * 30, [(g.path, g.notes) for g in grades if g.score < n]
    assert [g.student for g in grades] == ROSTER and [g.notes for g in grades] == [[]] * 30
    canvas = list(csv.reader((tmp_path / "canvas.csv").open(encoding="utf-8")))
    assert [r[3] for r in canvas[2:]] == ROSTER and {r[-1] for r in canvas[2:]} == {str(n)}

    cheats = tmp_path / "cheats"
    # s01 with s02's answers; s03 hands in s04's filled notebook; s05 edits its numbers
    (cheats / "s01").mkdir(parents=True)
    nbformat.write(_fill(nbformat.read(made[1], as_version=4), answers["s02"]),
                   cheats / "s01" / made[1].name)
    (cheats / "s03").mkdir()
    shutil.copy(sub / "s04" / made[4].name, cheats / "s03" / made[4].name)
    (cheats / "s05").mkdir()
    nb = nbformat.read(sub / "s05" / made[5].name, as_version=4)
    nb.metadata[variants.METADATA_KEY]["params"]["ex7"]["kappa"] = 64
    nbformat.write(nb, cheats / "s05" / made[5].name)
    grader = graded.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    cheated = {g.path: g for g in run.grade([cheats], csv_path=None, timeout=60, budget=600,
                                            grader=grader, echo=lambda *a: None, jobs=2)}
    copy_row = cheated[f"s01/{made[1].name}"]
    assert copy_row.score == 0 and any("s02" in n for n in copy_row.notes)
    swap = cheated[f"s03/{made[4].name}"]
    assert swap.score == 0 and "carries the variant of 's04'" in swap.notes[0]
    edited = cheated[f"s05/{made[5].name}"]
    assert edited.score == 0 and "altered" in edited.notes[0]


def test_graded_mistakes_are_recognised_from_the_students_own_numbers(teacher):
    _, _, secret = teacher
    grader = graded.Grader(secret, ["s07"])    # alone: no classmate's answer can match
    verdict = graded.Verdict(grader, "s07")
    p = variants.params_for(secret, "s07")
    ex = catalogue.entry("ex6")
    alpha = ex.known_mistakes(p["ex6"])[0]
    result = verdict("ex6", alpha.value, None)
    assert result.status == "wrong" and result.mistake == alpha.name
    right = _answers(secret, "s07")
    assert verdict("ex3", right["ex3"], None).status == "correct"
    wrong = next(x for x in "abcd" if x != right["ex3"])
    assert verdict("ex3", wrong, None).mistake.startswith("chose ")
