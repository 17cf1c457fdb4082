"""Graded mode: per-student variants, bound to their student, graded from recomputed answers.

The done-when of issue 11: a class of 30 generated variants, graded, gives 30/30
correct for the honest solutions (made by filling in the answers momentum_lib
computes for each variant) and 0 for hand-ins that submit another student's
answers; a hand-in carrying another student's variant, or altered numbers, is
detected.
"""

import copy
import hmac
import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from momentum_lib.exercises import grading, sandbox, variants

ROSTER = [f"s{i:02d}" for i in range(30)]


def _fill(nb, answers):
    """The honest student: each `answer = None` cell before check("exN") gets the answer."""
    nb = copy.deepcopy(nb)
    cells = nb.cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and cell.source.startswith("check("):
            xid = cell.source.split('"')[1]
            j = max(k for k in range(i) if cells[k].source.startswith("answer ="))
            cells[j].source = f"answer = {answers[xid]!r}"
    return nb


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    (base / "roster.csv").write_text("id,name\n" + "".join(f"{s},Student {s}\n" for s in ROSTER))
    variants.new_secret(base / "teacher.secret")
    made = variants.make_class(base / "roster.csv", base / "teacher.secret", base / "handout")
    return base, made


def test_the_secret_is_private_and_numbers_are_deterministic(teacher):
    base, _ = teacher
    assert (base / "teacher.secret").stat().st_mode & 0o077 == 0
    secret = variants.read_secret(base / "teacher.secret")
    assert variants.params_for(secret, "s01") == variants.params_for(secret, "s01")
    assert variants.params_for(secret, "s01") != variants.params_for(secret, "s02")
    assert variants.params_for(b"x" * 32, "s01") != variants.params_for(secret, "s01")


def test_every_student_gets_a_personal_notebook_with_their_numbers(teacher):
    base, made = teacher
    assert [p.parent.name for p in made] == ROSTER
    assert made[0].name.endswith("_exercises.ipynb")
    secret = variants.read_secret(base / "teacher.secret")
    nb = nbformat.read(made[3], as_version=4)
    meta = nb.metadata[variants.METADATA_KEY]
    assert meta["student"] == "s03" and meta["params"] == json.loads(json.dumps(
        variants.params_for(secret, "s03")))
    text = "\n".join(c.source for c in nb.cells)
    assert f"κ = {meta['params']['ex7']['kappa']}**" in text
    q = meta["params"]["ex16"]
    assert f"**β = {q['beta']:g}** (PyTorch form) for **{q['epochs']} epochs**" in text
    assert f"η/(1 − β) = {meta['params']['ex15']['eff']:g}**" in text
    assert "Exercise 13 · " in text and "### Exercise 14 · The noise floor" in text
    assert "For teachers" not in text and "variants import check" in text
    assert "The facts the questions use" not in text      # it would give ex3 away
    # the multiple-choice options are re-lettered in the student's order
    ex3 = next(c.source for c in nb.cells if c.source.startswith("### Exercise 3"))
    right = meta["params"]["ex3"]["order"].index("c")
    assert "Only the absolute difference" in ex3.split(f"**({'abcd'[right]})**")[1].split("* **(")[0]


def test_expected_answers_are_sensible_for_every_variant(teacher):
    base, _ = teacher
    secret = variants.read_secret(base / "teacher.secret")
    for s in ROSTER:
        a = variants.expected_answers(variants.params_for(secret, s))
        assert a["ex1"][0] > 0 and a["ex1"][1] < 0 < a["ex6"] and 0 < a["ex7"] < 1
        assert a["ex11"][0] < a["ex11"][1] < 0          # both overshoot, momentum further
        assert a["ex3"] in "abcd" and a["ex10"] in "abc"
        p = variants.params_for(secret, s)
        assert a["ex13"] == pytest.approx(p["ex13"]["lr"] * (1 - p["ex13"]["beta"]), rel=1e-12)
        assert 0 < a["ex14"] and 0 < a["ex15"] < 1
        assert a["ex16"] in p["ex16"]["lrs"][1:-1]       # an inner grid point, never an end


def test_the_new_exercises_answers_follow_their_formulas_for_any_numbers():
    """ex13–ex15 from plain formulas (PyTorch form), against expected_answers."""
    for student in ("a", "b", "c", "d", "e", "f"):
        p = variants.params_for(b"k" * 32, student)
        a = variants.expected_answers(p)
        q = p["ex14"]
        alpha, lam, beta = q["lr"], q["lam"], q["beta"]
        floor = alpha * q["sigma"] ** 2 * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - alpha * lam))
        assert a["ex14"] == pytest.approx(floor, rel=1e-12)
        x = p["ex15"]["eff"]
        assert a["ex15"] == pytest.approx((x - 2) / (x + 2), rel=1e-12)


def test_every_digits_variant_has_a_clear_best_eta():
    """ex16: for every (β, epochs) a variant can draw, the best η wins by a margin (no near tie
    that rounding on another machine could flip), and it is an inner grid point."""
    import numpy as np

    from momentum_lib import practice

    task = practice.digits_task()
    for beta in (0.8, 0.85, 0.9, 0.95):
        for epochs in (2, 3, 4):
            lrs = np.array([round((1 - beta) * e, 6) for e in variants.DIGITS_EFFECTIVE_LRS])
            val = practice.train_settings(task, lrs, beta, epochs=epochs).val_loss[-1]
            i = int(np.nanargmin(val))
            assert 0 < i < len(lrs) - 1, (beta, epochs, val)
            assert np.sort(val)[1] > 1.03 * val[i], (beta, epochs, val)


def test_graded_check_records_without_judging(tmp_path, monkeypatch):
    from momentum_lib.exercises import RECORD_ENV

    monkeypatch.setenv(RECORD_ENV, str(tmp_path / "r.jsonl"))
    text = repr(variants.check("ex6", "12.5"))
    assert "recorded 12.5" in text and "Correct" not in text and "Not yet" not in text
    assert "switched off" in repr(variants.solution("ex6"))
    assert json.loads((tmp_path / "r.jsonl").read_text())["answer"] == 12.5


@pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")
def test_a_class_of_30_honest_hand_ins_scores_30_of_30_and_copies_score_0(teacher, tmp_path):
    base, made = teacher
    secret = variants.read_secret(base / "teacher.secret")
    sub = tmp_path / "submissions"
    answers = {s: variants.expected_answers(variants.params_for(secret, s)) for s in ROSTER}
    for path in made:
        s = path.parent.name
        (sub / s).mkdir(parents=True)
        nbformat.write(_fill(nbformat.read(path, as_version=4), answers[s]), sub / s / path.name)
    cheats = tmp_path / "cheats"
    # copy: s01's own notebook with s02's answers; s03 hands in s04's filled notebook;
    # s05 edits the numbers in its metadata
    (cheats / "s01").mkdir(parents=True)
    nbformat.write(_fill(nbformat.read(made[1], as_version=4), answers["s02"]),
                   cheats / "s01" / made[1].name)
    (cheats / "s03").mkdir()
    shutil.copy(sub / "s04" / made[4].name, cheats / "s03" / made[4].name)
    (cheats / "s05").mkdir()
    nb = nbformat.read(sub / "s05" / made[5].name, as_version=4)
    nb.metadata[variants.METADATA_KEY]["params"]["ex7"]["kappa"] = 64
    nbformat.write(nb, cheats / "s05" / made[5].name)

    grader = variants.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    start = time.monotonic()
    grades = grading.grade([sub], csv_path=tmp_path / "g.csv", json_path=tmp_path / "g.json",
                           timeout=60, budget=600, prepare=grader.prepare, ids=variants.EXERCISES,
                           echo=lambda *a: None, jobs=2)
    seconds = time.monotonic() - start
    assert len(grades) == 30
    n = len(variants.EXERCISES)
    assert n == 16
    assert [g.score for g in grades] == [n] * 30, [(g.path, g.notes) for g in grades if g.score < n]
    assert [g.student for g in grades] == ROSTER
    assert [g.notes for g in grades] == [[]] * 30          # every cell of a personal notebook runs
    print(f"30 variants graded in {seconds:.0f} s with 2 jobs")
    Path(base / "timing.txt").write_text(f"{seconds:.1f}\n")

    grader = variants.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    cheated = {g.path: g for g in grading.grade([cheats], csv_path=None, timeout=60, budget=600,
                                                 prepare=grader.prepare, ids=variants.EXERCISES,
                                                 echo=lambda *a: None, jobs=2)}
    copy_row = cheated[f"s01/{made[1].name}"]
    assert copy_row.score == 0 and any("s02" in n for n in copy_row.notes)
    swap = cheated[f"s03/{made[4].name}"]
    assert swap.score == 0 and "carries the variant of s04" in swap.notes[0]
    edited = cheated[f"s05/{made[5].name}"]
    assert edited.score == 0 and "altered" in edited.notes[0]


def test_a_forged_tag_fails_verification(teacher):
    base, _ = teacher
    secret = variants.read_secret(base / "teacher.secret")
    params = variants.params_for(secret, "s00")
    assert hmac.compare_digest(variants.tag_for(secret, "s00", params),
                               variants.tag_for(secret, "s00", params))
    assert variants.tag_for(secret, "s00", params) != variants.tag_for(secret, "s01", params)
    assert variants.tag_for(b"y" * 32, "s00", params) != variants.tag_for(secret, "s00", params)
