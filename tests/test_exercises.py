"""momentum_lib.exercises for learners: check, hint and solution, without spoilers.

The answers come from the catalogue (whose formulas ``test_catalogue.py`` checks); these
tests check what a learner meets: every way of typing an answer, both sides of each
tolerance, junk that must never raise, hints and solutions that say what they should and
only when asked, and a key and a notebook from which no answer can be read.
"""

import decimal
import json
import math
import pathlib
import re
import subprocess
import sys
from fractions import Fraction

import nbformat
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentum_lib as ml
from momentum_lib import exercises, noise, problems, theory
from momentum_lib.exercises import _answers, _build, _key, catalogue, check, hint, solution

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = _build.notebook_path()
ENTRIES = catalogue.EXERCISES


def _answer(xid):
    ex = catalogue.entry(xid)
    return _build.read_texts(xid).keyed if ex.kind == "choice" else ex.answer(ex.practice)


NUMBERS = {ex.id: _answer(ex.id) for ex in ENTRIES if ex.kind == "number"}
PAIRS = {ex.id: _answer(ex.id) for ex in ENTRIES if ex.kind == "pair"}
CHOICES = {ex.id: _answer(ex.id) for ex in ENTRIES if ex.kind == "choice"}


# --- accepted forms -------------------------------------------------------------------------------

def _forms(x):
    return [x, float(x), np.float64(x), np.float32(x) if abs(x) > 1e-3 else x,
            np.array(x), repr(x), f" {x:+.8e} ", f"{x:.6g}".replace("-", "−")]


@pytest.mark.parametrize("xid", NUMBERS)
def test_a_number_is_accepted_in_every_form(xid):
    for form in _forms(NUMBERS[xid]):
        result = check(xid, form)
        assert result.correct, (xid, form, str(result))


def _as_fraction(x):
    return Fraction(x).limit_denominator(10_000)


@pytest.mark.parametrize("xid", ["ex6", "ex7", "ex8", "ex13", "ex14", "ex15"])
def test_fractions_and_decimals_are_accepted(xid):
    f = _as_fraction(NUMBERS[xid])
    for form in (f, f"{f.numerator}/{f.denominator}", f" {f.numerator} / {f.denominator} ",
                 decimal.Decimal(f.numerator) / f.denominator):
        assert check(xid, form).correct, (xid, form)


@pytest.mark.parametrize("xid", PAIRS)
def test_a_pair_is_accepted_as_tuple_list_array_or_text(xid):
    a, b = PAIRS[xid]
    for form in [(a, b), [a, b], np.array([a, b]), (np.float64(a), np.array(b)),
                 f"{a!r}, {b!r}", f"({a:.8g}; {b:.8g})", (str(a), str(b))]:
        result = check(xid, form)
        assert result.correct and result.parts == [True, True], (xid, form, str(result))


@pytest.mark.parametrize("xid", CHOICES)
def test_a_letter_is_accepted_however_written(xid):
    letter = CHOICES[xid]
    for form in [letter, letter.upper(), f"({letter})", f"{letter.upper()})", f" {letter}. ",
                 np.str_(letter)]:
        assert check(xid, form).correct, form


def test_ids_are_forgiving_about_case_and_spaces():
    assert check(" EX6 ", NUMBERS["ex6"]).correct


# --- tolerance: both sides of the edge ----------------------------------------------------------

def _shifted(x, tol, k):
    """x moved by k tolerances (relative or absolute), away from zero."""
    if tol.mode == "rel":
        return x * (1 + k * tol.tol)
    return x + math.copysign(k * tol.tol, x)


@pytest.mark.parametrize("xid", NUMBERS)
def test_numbers_within_the_tolerance_are_accepted_and_beyond_it_rejected(xid):
    x, tol = NUMBERS[xid], catalogue.entry(xid).tolerance
    for k in (0.9, -0.9, 0.5, -0.5):
        assert check(xid, _shifted(x, tol, k)).correct, (xid, k)
    for k in (1.1, -1.1, 2.0, -2.0, 30.0):
        assert check(xid, _shifted(x, tol, k)).status == "incorrect", (xid, k)


@pytest.mark.parametrize("xid", PAIRS)
def test_each_number_of_a_pair_is_judged_on_its_own(xid):
    a, b = PAIRS[xid]
    tol = catalogue.entry(xid).tolerance
    assert check(xid, (_shifted(a, tol, 0.9), _shifted(b, tol, -0.9))).correct
    result = check(xid, (a, _shifted(b, tol, 1.2)))
    assert result.status == "incorrect" and result.parts == [True, False]
    assert "✔ right" in str(result) and "✘ not yet" in str(result)


def test_the_source_posts_rounded_velocity_is_a_near_miss_with_its_own_hint():
    # −η × 0.085 (the post's rounded v₅) is 0.3% off: outside 0.1%, recognised.
    a, m = PAIRS["ex1"]
    result = check("ex1", (a, round(m, 4)))
    assert result.parts == [True, False] and "rounded" in str(result)


def test_three_significant_figures_are_enough_where_the_tolerance_says_so():
    assert check("ex2", tuple(float(f"{x:.3g}") for x in PAIRS["ex2"])).correct
    assert check("ex12", round(NUMBERS["ex12"], 1)).correct


@settings(max_examples=200, deadline=None)
@given(a=st.floats(1e-6, 1e6), sign=st.sampled_from([1, -1]),
       tol=st.sampled_from([1e-3, 5e-3, 0.02]), mode=st.sampled_from(["rel", "abs"]),
       u=st.floats(-0.9, 0.9), far=st.floats(1.1, 50))
def test_the_grid_scheme_accepts_within_and_rejects_beyond_the_tolerance(a, sign, tol, mode, u, far):
    a *= sign
    tolerance = {"mode": mode, "tol": tol * (abs(a) if mode == "abs" else 1)}
    token = _key.token_of(a, tolerance)
    stored = _key.digest("salt", "exZ", 0, token)

    def accepted(x):
        found = _key.matching_hashes("salt", "exZ", 0, x, tolerance)
        return stored in found and _key.within(x, found[stored], tolerance)

    t = tolerance["tol"] * (abs(a) if mode == "rel" else 1)
    assert accepted(a)
    assert accepted(a + u * t)
    assert not accepted(a + far * t) and not accepted(a - far * t)


@pytest.mark.parametrize("xid", CHOICES)
def test_every_wrong_choice_is_explained_differently(xid):
    explanations = set()
    for letter in catalogue.entry(xid).letters:
        if letter == CHOICES[xid]:
            continue
        result = check(xid, letter)
        assert result.status == "incorrect" and len(result.lines) == 2, str(result)
        explanations.add(result.lines[0])
    assert len(explanations) == len(catalogue.entry(xid).letters) - 1


def test_an_unrecognised_wrong_answer_says_the_tolerance_and_how_to_get_help():
    text = str(check("ex6", 1234.5))
    assert "0.1% (relative)" in text and 'hint("ex6")' in text


# --- never raises ---------------------------------------------------------------------------------

class _BadFloat:
    def __float__(self):
        raise RuntimeError("no")


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")

    def __float__(self):
        raise ValueError("no float")


class _FloatLike:
    def __float__(self):
        return NUMBERS["ex6"]


JUNK = [
    "", " ", "abc", "0.0.1", "1e", "e5", "--1", "+-1", "1/0", "0/0", "1/", "/2", "nan", "inf",
    "-inf", "NaN", "1e400", "½", "٣", "0x10", "1_000", "(", ")", "(,)", "a, b", "1, 2, 3",
    "🙂", "\x00", "b" * 10_000, "None", "True",
    float("nan"), float("inf"), -float("inf"), 1e308 * 10, 10 ** 400, -(10 ** 400), 10 ** 5000,
    1 + 2j, complex(1, 0), np.complex128(1), True, False, np.bool_(True),
    [], [1], [1, 2, 3], [[1, 2]], (), (1,), (1, 2, 3), ((1, 2), 3), {}, {"a": 1}, {1, 2},
    frozenset(), b"0.5", bytearray(b"1"), np.array([]), np.array([1.0]), np.zeros((2, 2)),
    np.array(["a", "b"]), np.array(np.nan), np.float64("nan"), np.array([np.nan, 1.0]),
    _BadFloat(), _BadRepr(), object(), type, print, Ellipsis, NotImplemented, slice(1),
    range(2), iter([1]), Fraction(10 ** 400, 3), decimal.Decimal("nan"),
    decimal.Decimal("1e999999"), (None, None), (None, 1.0), ("x", 1.0), (float("nan"), 1.0),
    (True, False),
]
# one id per way of reading an answer, and ids that are not exercises
JUNK_IDS = ["ex6", "ex1", "ex3", "nope", None, 6, ["ex1"]]


def test_junk_never_raises_and_says_what_was_expected():
    """Every junk value against every reader (number, pair, letter) and against bad ids; the
    hypothesis test below covers arbitrary objects beyond this list."""
    for xid in JUNK_IDS:
        for junk in JUNK:
            result = check(xid, junk)
            assert result.status in {"unreadable", "incorrect", "unknown", "blank"}, (xid, junk)
            text, html = str(result), result._repr_html_()
            assert repr(result) == text and text and html
            if result.status == "unreadable" and xid != "nope":
                assert "expected" in text, (xid, text)


def _problem_kinds(reader):
    """The distinct explanations ``reader`` gives for the junk (the junk's own text masked)."""
    kinds = set()
    for junk in JUNK:
        value, problem = reader(junk)
        if problem and problem != "blank":
            kinds.add(re.sub(r"(got|not) .*", r"\1 …", problem.replace(_answers.describe(junk), "…")))
    return kinds


@pytest.mark.parametrize("reader", [_answers.read_number, _answers.read_pair],
                         ids=["number", "pair"])
def test_junk_gets_explanations_that_say_what_was_wrong_with_it(reader):
    """Not one message for everything: the junk reaches at least four different explanations
    per reader (a non-finite number, a complex one, a wrong shape, text that is not a number…)."""
    assert len(_problem_kinds(reader)) >= 4, _problem_kinds(reader)


def test_a_float_like_object_is_read_through_float():
    assert check("ex6", _FloatLike()).correct


def test_booleans_are_not_numbers():
    for b in (True, False, np.bool_(True)):
        result = check("ex12", b)
        assert result.status == "unreadable" and "True/False" in str(result)


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
    | st.complex_numbers() | st.fractions() | st.decimals() | st.just(_BadFloat())
    | st.builds(np.float64, st.floats()) | st.builds(np.array, st.floats()),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(xid=st.sampled_from(["ex1", "ex2", "ex4", "ex7", "ex11", "ex12"]) | st.text(max_size=5),
       answer=anything)
def test_check_never_raises_on_arbitrary_objects(xid, answer):
    result = check(xid, answer)
    assert result.status in {"correct", "incorrect", "unreadable", "unknown", "blank", "usage"}
    str(result), result._repr_html_()


# --- display, hints, solutions ---------------------------------------------------------------------

@pytest.mark.parametrize("answer, word, symbol", [
    ("right", "Correct", "✔"), (1.0, "Not yet", "✘"), (None, "Not answered yet", "…"),
    ("abc", "Could not read", "?")])
def test_the_box_says_a_word_and_a_symbol_not_only_a_colour(answer, word, symbol):
    result = check("ex6", NUMBERS["ex6"] if answer == "right" else answer)
    for text in (str(result), result._repr_html_()):
        assert word in text and symbol in text


def test_html_escapes_what_the_learner_typed():
    html = check("ex6", "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_hints_come_one_after_another_and_stop_at_the_last(monkeypatch):
    monkeypatch.setattr(exercises, "_hints_given", {})
    n = len(_build.read_texts("ex1").hints)
    shown = [str(hint("ex1")) for _ in range(n + 1)]
    assert [s.splitlines()[0] for s in shown] == [
        f"Hint — ex1, hint {min(i, n)} of {n}" for i in range(1, n + 2)]
    assert str(hint("ex1", 1)).splitlines()[0] == f"Hint — ex1, hint 1 of {n}"
    assert "last hint" in shown[-1]


def test_every_exercise_has_hints_and_a_solution_that_do_not_crash():
    for xid in exercises.exercise_ids():
        assert str(hint(xid, 1)) and hint(xid, 1)._repr_html_()
        sol = solution(xid)
        assert xid in str(sol) and sol._repr_markdown_().startswith("**Worked solution")


_NUMBER = re.compile(r"(?<![\w.])[−+-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?")


def _numbers(text):
    return [float(x.replace("−", "-")) for x in _NUMBER.findall(text)]


def _states(ex, text, answer):
    """Does ``text`` state ``answer`` (a number within the tolerance, or the keyed letter)?"""
    if ex.kind == "choice":
        return f"({answer})" in text
    parts = answer if ex.kind == "pair" else (answer,)
    return any(ex.tolerance.accepts(x, a) for x in _numbers(text) for a in parts)


def test_the_worked_solution_states_the_answer_and_nothing_else_does():
    """The solution's bold result is the answer (each part, within the tolerance; the keyed
    letter for multiple choice); no hint, no feedback on a wrong answer and no stem states it."""
    for ex in ENTRIES:
        answer = _answer(ex.id)
        texts = _build.read_texts(ex.id)
        bold = " ".join(re.findall(r"\*\*([^*]+)\*\*", str(solution(ex.id))))
        parts = answer if ex.kind == "pair" else (answer,)
        for a in parts:
            stated = (f"({a})" in bold if ex.kind == "choice"
                      else any(ex.tolerance.accepts(x, a) for x in _numbers(bold)))
            assert stated, (ex.id, a, bold)
        unasked = [*(str(hint(ex.id, i + 1)) for i in range(len(texts.hints))),
                   *texts.feedback.values()]
        if ex.kind != "choice" and ex.id != "ex16":   # these questions list every candidate
            unasked.append(ex.question(ex.practice, practice=True))
        for text in unasked:
            assert not _states(ex, text, answer), (ex.id, text)


def test_ex3s_solution_states_the_rates_and_the_relative_effect_the_library_computes():
    sol = str(solution("ex3"))
    rates = [float(theory.rate(1.0, 0.9, 1.0, m)) for m in ("momentum", "nesterov")]
    assert f"{rates[0]:.4f} per step for momentum, {rates[1]:.4f} for NAG" in sol
    p = problems.parabola()
    r = ml.run(p.grad, p.w0, 200, lr=1.0, beta=0.9)
    w, v = r.w[:, 0], r.v[:, 0]
    mom = -(0.9 * v + 0.1 * w)
    nag = -(0.9 * v + 0.1 * (w - 0.9 * v))
    rel = np.abs(nag - mom)[20:200] / np.abs(mom)[20:200]
    assert f"about {100 * float(np.median(rel)):.0f}% (median over steps 20–200)" in sol


def test_ex4s_noise_spreads_in_the_two_forms_hold_over_five_seeds():
    sol = str(solution("ex4"))
    beta = 0.9
    ema, buffer = math.sqrt((1 - beta) / (1 + beta)), 1 / math.sqrt(1 - beta ** 2)
    assert f"≈ {ema:.2f}" in sol and f"≈ {buffer:.1f}" in sol
    for seed in range(5):
        g = np.random.default_rng(seed).normal(size=100_000)
        v = b = 0.0
        vs, bs = [], []
        for x in g:
            v, b = beta * v + (1 - beta) * x, beta * b + x
            vs.append(v)
            bs.append(b)
        assert np.std(vs[100:]) == pytest.approx(ema, rel=0.03), seed
        assert np.std(bs[100:]) == pytest.approx(buffer, rel=0.03), seed


def test_ex14s_floor_is_what_long_simulations_measure_over_five_seeds():
    floor = NUMBERS["ex14"]
    small_step = 0.05 / (1 - 0.9) * 0.25 / (2 * 2.0)
    for seed in range(5):
        xi = noise.gaussian_noise(6000, (200, 1), seed=seed)
        w = noise.noisy_quadratic_run([2.0], [0.0], 0.05, 0.9, 0.5, xi).w[1000:, :, 0]
        assert float(np.var(w)) == pytest.approx(floor, rel=0.05), seed
        assert abs(float(np.var(w)) - small_step) > abs(float(np.var(w)) - floor), seed


def test_ex13s_feedback_quotes_the_floor_ratio_the_library_computes():
    ratio = noise.stationary_variance(0.1, 0.9, 1, 1) / noise.stationary_variance(0.1, 0, 1, 1)
    assert f"{float(ratio):.2f}-fold" in str(check("ex13", 0.1))


def test_ex6s_diverged_flag_is_no_test_just_above_the_edge_but_the_size_of_w_is():
    edge, p = NUMBERS["ex6"], problems.parabola(3.0)
    r = ml.run(p.grad, p.w0, 100, lr=12.7, beta=0.9)
    assert not r.diverged and abs(r.w[-1, 0]) > 1e3
    below = ml.run(p.grad, p.w0, 1000, lr=0.99 * edge, beta=0.9)
    above = ml.run(p.grad, p.w0, 1000, lr=1.01 * edge, beta=0.9)
    assert abs(below.w[-1, 0]) < 1e-3
    assert not np.isfinite(above.w[-1, 0]) or abs(above.w[-1, 0]) > 1


def test_ex10_the_lookahead_point_is_further_past_the_minimum_at_the_crossing():
    p = problems.parabola()
    r = ml.run(p.grad, p.w0, 50, lr=1.0, beta=0.9, method="nesterov")
    w, v = r.w[:, 0], r.v[:, 0]
    t = int(np.argmax(w < 0))              # first iterate past the minimum
    assert v[t] > 0 and w[t] - 1.0 * 0.9 * v[t] < w[t] < 0


def test_unknown_ids_are_answered_not_raised():
    for fn in (hint, solution):
        assert "not an exercise id" in str(fn("ex99"))


def test_check_records_answers_for_the_grader_when_asked(tmp_path, monkeypatch):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(exercises.RECORD_ENV, str(record))
    check("ex1", ("1/100", np.float64(-0.5)))
    check("ex3", " (B) ")
    check("ex6", None)
    solution("ex7")
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines[0] == {"event": "check", "exercise": "ex1", "answer": [0.01, -0.5],
                        "problem": None}
    assert lines[1]["answer"] == "b" and lines[2]["answer"] is None
    assert lines[3] == {"event": "solution", "exercise": "ex7", "answer": None, "problem": None}


def test_without_the_variable_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(exercises.RECORD_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    check("ex6", 1.0)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call, phrase", [
    (lambda: check("ex6"), 'needs your answer too'),
    (lambda: check(), "needs the exercise id and your answer"),
    (lambda: check(exercise="ex6", answer=3), "does not take exercise="),
    (lambda: check("ex6", ans=3), "does not take ans="),
    (lambda: check(38 / 3, "ex6"), "the exercise id comes first"),
])
def test_misuse_gets_a_friendly_message_not_a_traceback(call, phrase):
    result = call()
    assert result.status == "usage" and not result.correct
    assert phrase in str(result) and 'check("ex6", answer)' in str(result)


# --- no spoilers, and teachers' tools apart -------------------------------------------------------

def _spoilers():
    """Printable forms of each numeric answer: 4 to 7 significant digits, and repr.

    Left out: answers too short to tell apart from the questions' own data (ex1's SGD step,
    ex8's and ex13's), and ex16's, which is one of the six η's its question lists.
    """
    short = {("ex1", 0), ("ex8", 0), ("ex13", 0), ("ex16", 0)}
    out = set()
    for xid, value in {**NUMBERS, **PAIRS}.items():
        for part, x in enumerate(value if isinstance(value, tuple) else (value,)):
            if (xid, part) not in short:
                out |= {f"{abs(x):.{digits}g}" for digits in (4, 5, 6, 7)} | {repr(abs(x))}
    return sorted(out)


def _package_texts():
    pkg = ROOT / "momentum_lib"
    return {p: p.read_text(encoding="utf-8") for p in pkg.rglob("*")
            if p.suffix in {".py", ".json", ".txt", ".md"}}


def test_no_answer_appears_in_the_notebook_or_the_package():
    texts = {NOTEBOOK: NOTEBOOK.read_text(encoding="utf-8"), **_package_texts()}
    for spoiler in _spoilers():
        found = [str(p.relative_to(ROOT)) for p, text in texts.items() if spoiler in text]
        assert not found, f"{spoiler!r} found in {found}"


def test_no_hint_solution_or_feedback_text_is_in_the_package():
    texts = "\n".join(_package_texts().values())
    for ex in ENTRIES:
        t = _build.read_texts(ex.id)
        for text in [*t.hints, t.solution, *t.feedback.values()]:
            assert text[:60] not in texts, (ex.id, text[:60])


def test_the_key_holds_hashes_not_values():
    key = _key.load()
    text = _key.KEY_PATH.read_text(encoding="utf-8").replace(key["about"], "")
    for x in NUMBERS.values():
        assert f"{x:.4g}" not in text
    for ex in key["exercises"]:
        assert all(len(h) == _key.HASH_CHARS and int(h, 16) >= 0 for h in ex["answer"])
        assert "source" not in ex
    assert not hasattr(_key, "export")


def test_building_is_deterministic():
    spec = {"salt": "s", "exercises": [{
        "id": "ex1", "title": "t", "kind": "number", "tolerance": {"mode": "rel", "tol": 1e-3},
        "tolerance_text": "0.1%", "example": "0.5", "answer": 2.5,
        "mistakes": [{"part": 0, "value": 25, "feedback": "ten times"}],
        "hints": ["h"], "solution": "s"}]}
    assert _key.dumps(_key.build(spec)) == _key.dumps(_key.build(json.loads(json.dumps(spec))))
    assert "2.5" not in _key.dumps(_key.build(spec))


def test_hiding_round_trips_and_is_not_plain_text():
    blob = _key.hide("s", "label", "the answer is 0.0085265")
    assert "0.0085265" not in blob
    assert _key.reveal("s", "label", blob) == "the answer is 0.0085265"


def test_the_stored_notebook_is_the_learners_version():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    by_id = {c.id: c for c in nb.cells}
    for ex in ENTRIES:
        _, answer, check_cell = ex.cell_ids()
        assert by_id[answer].source.startswith("answer = None")
        text = "".join(by_id[check_cell].outputs[0]["data"]["text/plain"])
        assert text.startswith("… Not answered yet")


def test_the_notebook_keeps_a_place_for_the_explorer():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    heads = ["".join(c["source"]).splitlines()[0] for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert "## Explore before you answer" in heads
    assert heads.index("## Explore before you answer") < 4


def test_a_learners_notebook_never_imports_the_teachers_tools():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                         if c.cell_type == "code")
        assert "momentum_lib.grading" not in code and "from momentum_lib import grading" not in code
    loaded = subprocess.run([sys.executable, "-c", "import sys, momentum_lib.exercises, "
                             "momentum_lib.exercises.recorded; print(sorted(m for m in sys.modules "
                             "if m.startswith('momentum_lib.grading')))"],
                            capture_output=True, text=True, timeout=120)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr


def test_the_teachers_command_lists_the_exercises():
    out = subprocess.run([sys.executable, "-m", "momentum_lib.grading", "list"],
                         capture_output=True, text=True, timeout=120).stdout.splitlines()
    assert [line.split()[0] for line in out] == exercises.exercise_ids()
    bad = subprocess.run([sys.executable, "-m", "momentum_lib.grading", "key-export", "spec.json"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_ex16s_solution_states_the_losses_the_library_computes():
    from momentum_lib import practice
    from momentum_lib.exercises.catalogue import part3

    p = catalogue.entry("ex16").practice
    val = part3.ex16_losses(p)
    sol = str(solution("ex16"))
    assert ", ".join(f"{v:.3f}" for v in val) + ": the lowest" in sol
    sgd = practice.train_settings(practice.digits_task(), np.array(p["lrs"]) * 10, 0.0,
                                  epochs=p["epochs"]).val_loss[-1]
    best = int(np.nanargmin(sgd))
    assert f"η/(1 − β) = {p['lrs'][best] * 10:g} is where plain SGD" in sol
    assert f"validation loss {sgd[best]:.3f} against {np.nanmin(val):.3f}" in sol
