"""The exercise catalogue: the single source of notebook 08's questions, the key and the variants.

Each answer the catalogue computes with momentum_lib is checked here against the formula
it rests on, written out in plain floats, at the practice numbers and at numbers drawn
for personal variants; each known mistake against the answer it must never equal.
"""

import json
import math
import random
import re

import nbformat
import numpy as np
import pytest

from momentum_lib.exercises import _build, _key, catalogue, check

DRAWS = 25   # personal variants drawn per exercise


def _variants(ex, n=DRAWS):
    rng = random.Random(f"catalogue-test-{ex.id}")
    return [ex.practice] + [ex.variant_params(rng) for _ in range(n)]


# --- generated, byte for byte ---------------------------------------------------------------------

def test_key_json_is_the_catalogue_and_its_texts_byte_for_byte():
    assert _build.key_text() == _key.KEY_PATH.read_text(encoding="utf-8")


def test_notebook_08s_question_cells_are_the_catalogues_byte_for_byte():
    nb = nbformat.read(_build.notebook_path(), as_version=4)
    _, changed = _build.with_question_cells(nb)
    assert changed == [], f"run `make exercises`: cells {changed} differ from the catalogue"


def test_a_new_entry_gets_its_three_cells_after_the_last_exercise(monkeypatch):
    last = catalogue.EXERCISES[-1]
    new_id = f"ex{last.number + 1}"
    new_entry = last.__class__(**{**last.__dict__, "id": new_id})
    monkeypatch.setattr(catalogue, "EXERCISES", (*catalogue.EXERCISES, new_entry))
    nb = nbformat.read(_build.notebook_path(), as_version=4)
    new, changed = _build.with_question_cells(nb)
    ids = [c.id for c in new.cells]
    at = ids.index(last.cell_ids()[2])
    assert ids[at + 1: at + 4] == list(new_entry.cell_ids()) == changed
    assert new.cells[at + 3].source == f'check("{new_id}", answer)'


def test_the_texts_parser_reads_every_section_and_refuses_unknown_ones():
    texts = _build.parse_texts("# ex\n\npreamble\n\n## Hint 1\n\nfirst\n\n## Hint 2\n\nsecond\n\n"
                               "## Solution\n\nline one\n\nline two\n\n## Mistake: sign\n\nsign!\n")
    assert texts.hints == ["first", "second"] and texts.solution == "line one\n\nline two"
    assert texts.feedback == {"sign": "sign!"} and texts.keyed is None
    with pytest.raises(ValueError, match="unknown section"):
        _build.parse_texts("## Hint 1\n\nh\n\n## Solution\n\ns\n\n## Answer\n\n3\n")


def test_every_known_mistake_has_feedback_and_every_feedback_a_mistake():
    for ex in catalogue.EXERCISES:
        _build.spec_of(ex, _build.read_texts(ex.id))   # raises on a missing or orphan text


# --- the answers, against their formulas ----------------------------------------------------------

def _ema(grads, beta):
    v, out = 0.0, []
    for g in grads:
        v = beta * v + (1 - beta) * g
        out.append(v)
    return out


def _buffer(grads, mu):
    b = 0.0
    for g in grads:
        b = mu * b + g
    return b


def _lowest(lr, beta, nesterov, steps=50):
    """Plain-float heavy ball or NAG (EMA form) on J = w²/2 from w = 1: the lowest w."""
    w, v, low = 1.0, 0.0, 1.0
    for _ in range(steps):
        x = w - lr * beta * v if nesterov else w
        v = beta * v + (1 - beta) * x
        w -= lr * v
        low = min(low, w)
    return low


ORACLES = {
    "ex1": lambda p: (-p["lr"] * p["grads"][-1], -p["lr"] * _ema(p["grads"], p["beta"])[-1]),
    "ex2": lambda p: tuple((1 - p["beta"]) * p["beta"] ** (t - 1) for t in (p["t1"], p["t2"])),
    "ex6": lambda p: (2 + 2 * p["beta"]) / ((1 - p["beta"]) * p["lam"]),      # αλ < 2 + 2β
    "ex7": lambda p: ((math.sqrt(p["kappa"]) - 1) / (math.sqrt(p["kappa"]) + 1)) ** 2,
    "ex8": lambda p: p["lr"] * (1 - p["beta"]),
    "ex9": lambda p: -p["lr"] * _buffer(p["grads"], p["mu"]),                # Keras m = −η·b
    "ex11": lambda p: (_lowest(p["lr"], p["beta"], False), _lowest(p["lr"], p["beta"], True)),
    "ex12": lambda p: math.log(0.5) / math.log(p["beta"]),
    "ex13": lambda p: p["lr"] * (1 - p["beta"]),
    "ex14": lambda p: (p["lr"] * p["sigma"] ** 2 * (1 + p["beta"])
                       / (p["lam"] * (1 - p["beta"]) * (2 * (1 + p["beta"]) - p["lr"] * p["lam"]))),
    "ex15": lambda p: (p["eff"] - 2) / (p["eff"] + 2),
}


@pytest.mark.parametrize("xid", sorted(ORACLES, key=lambda x: int(x[2:])))
def test_each_answer_is_its_formula_for_practice_and_variant_numbers(xid):
    ex = catalogue.entry(xid)
    for p in _variants(ex):
        got, want = ex.answer(p), ORACLES[xid](p)
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12), (p, got, want)


def test_ex16s_answer_is_the_grid_point_of_lowest_loss_trained_one_by_one():
    from momentum_lib import practice
    from momentum_lib.exercises.catalogue import part3

    ex = catalogue.entry("ex16")
    p = ex.practice
    task = practice.digits_task()
    one = [float(practice.train_settings(task, np.array([e]), p["beta"],
                                         epochs=p["epochs"]).val_loss[-1][0]) for e in p["lrs"]]
    np.testing.assert_allclose(one, part3.ex16_losses(p), rtol=1e-9)
    assert ex.answer(p) == p["lrs"][int(np.argmin(one))]


def test_every_exercise_has_an_oracle_or_is_multiple_choice_or_trained():
    covered = set(ORACLES) | {"ex16"}
    assert {ex.id for ex in catalogue.EXERCISES if ex.kind != "choice"} == covered


# --- mistakes -------------------------------------------------------------------------------------

def test_known_mistakes_differ_from_the_answer_beyond_the_tolerance():
    """At the practice numbers every mistake is told apart from the answer; for drawn numbers a
    mistake that falls within the tolerance (a rounded value can) is dropped, and few are."""
    kept = total = 0
    for ex in catalogue.EXERCISES:
        if ex.kind == "choice":
            continue
        assert ex.known_mistakes(ex.practice) == ex.mistakes(ex.practice), ex.id
        for p in _variants(ex):
            answer = ex.answer(p)
            answer = answer if ex.kind == "pair" else (answer,)
            for m in ex.known_mistakes(p):
                assert not ex.tolerance.accepts(m.value, answer[m.part]), (ex.id, m, p)
            kept += len(ex.known_mistakes(p))
            total += len(ex.mistakes(p))
    assert kept >= 0.98 * total, (kept, total)


def test_every_practice_mistake_gets_its_own_feedback_from_check():
    for ex in catalogue.EXERCISES:
        texts = _build.read_texts(ex.id)
        if ex.kind == "choice":
            wrong = [(x, texts.feedback[x]) for x in ex.letters if x != texts.keyed]
        else:
            right = ex.answer(ex.practice)
            wrong = []
            for m in ex.known_mistakes(ex.practice):
                value = list(right) if ex.kind == "pair" else m.value
                if ex.kind == "pair":
                    value[m.part] = m.value
                wrong.append((tuple(value) if ex.kind == "pair" else value, texts.feedback[m.name]))
        for value, feedback in wrong:
            result = check(ex.id, value)
            assert result.status == "incorrect", (ex.id, value)
            assert any(feedback in line for line in result.lines), (ex.id, value, str(result))


# --- the questions --------------------------------------------------------------------------------

def test_every_question_renders_its_own_numbers_for_every_variant():
    for ex in catalogue.EXERCISES:
        for p in _variants(ex, 5):
            text = ex.question(p) + ex.title(p) + ex.answer_cell(p)
            assert "{" not in text.replace("η ∈ {", "") and "None" not in ex.question(p), ex.id
            assert text.count("### Exercise") == 1 and f"Exercise {ex.number} ·" in text
            for key in ("kappa", "beta", "lam", "eff", "lr", "mu", "sigma"):
                if key in p and ex.personal:
                    shown = f"{p[key]:g}".replace("-", "−")
                    assert shown in ex.question(p), (ex.id, key, shown)


def _option_lengths(ex):
    return [len(o.text) for o in ex.options]


@pytest.mark.parametrize("xid", [ex.id for ex in catalogue.EXERCISES if ex.kind == "choice"])
def test_no_option_gives_the_key_away_by_its_length(xid):
    """The keyed option is neither the longest nor the shortest by a visible margin: every
    option lies within 15% of the options' mean length."""
    ex = catalogue.entry(xid)
    lengths = _option_lengths(ex)
    mean = sum(lengths) / len(lengths)
    assert all(abs(n - mean) <= 0.15 * mean for n in lengths), (xid, lengths)


def test_random_exercises_fix_their_seed_where_the_answer_depends_on_it():
    """ex16's best η moves with the seeds of the network's weights and of the mini-batches;
    so the question fixes both (the defaults, seed 0) and says so."""
    from momentum_lib import practice

    ex = catalogue.entry("ex16")
    p = ex.practice
    best = {}
    for seed in range(6):
        task = practice.digits_task(seed=seed)
        val = practice.train_settings(task, np.array(p["lrs"]), p["beta"], epochs=p["epochs"],
                                      seed=seed).val_loss[-1]
        best[seed] = p["lrs"][int(np.nanargmin(val))]
    assert best[0] == ex.answer(p)
    if len(set(best.values())) > 1:
        stem = ex.question(p, practice=True)
        assert re.search(r"seed 0", stem), stem


def test_the_stems_name_the_regime_of_the_effective_learning_rate_rule():
    for xid in ("ex13",):
        stem = catalogue.entry(xid).question(catalogue.entry(xid).practice, practice=True)
        assert "≪ 1" in stem, stem


def test_every_entry_is_found_by_its_id_and_numbered_in_order():
    assert catalogue.ids() == [f"ex{i}" for i in range(1, len(catalogue.EXERCISES) + 1)]
    assert all(catalogue.entry(x).id == x for x in catalogue.ids())
    assert json.loads(_key.KEY_PATH.read_text())["exercises"][-1]["id"] == catalogue.ids()[-1]
