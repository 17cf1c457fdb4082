"""momentum_lib.exercises: answers recomputed here, hints for known mistakes, no spoilers.

Every correct answer below is computed in this file, twice where possible: once
with momentum_lib (trace_table, theory, run) and once from the formula in
REFERENCE.md (plain Python floats). The key only stores hashes, so these tests are
what ties it to the maths.
"""

import decimal
import os
import json
import math
import pathlib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import momentum_lib as ml
from momentum_lib import exercises, noise, practice, problems, theory
from momentum_lib.exercises import _key, check, hint, solution

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = next((ROOT / "notebooks").glob("*_exercises.ipynb"))  # its number may change

# --- the answers, recomputed ------------------------------------------------------

GRADS = [0.5, 0.4, 0.3, 0.1, -0.1]   # the source post's trace (REFERENCE §1)


def _ema_velocities(grads, beta=0.9):
    v, out = 0.0, []
    for g in grads:
        v = beta * v + (1 - beta) * g
        out.append(v)
    return out


def _torch_buffer(grads, mu):
    b = 0.0
    for g in grads:
        b = mu * b + g
    return b


def _lowest(nesterov, lr=1.0, beta=0.9, steps=50):
    """Plain-float heavy ball / NAG (EMA form) on J = w²/2 from w = 1: the lowest w."""
    w, v, low = 1.0, 0.0, 1.0
    for _ in range(steps):
        x = w - lr * beta * v if nesterov else w
        v = beta * v + (1 - beta) * x
        w -= lr * v
        low = min(low, w)
    return low


V = _ema_velocities(GRADS)
# REFERENCE §1: v5 = 0.085265, so the momentum step is -0.0085265; the SGD step is +0.01.
EX1 = (-0.1 * GRADS[-1], -0.1 * V[-1])
EX2 = (0.1 * 0.9 ** 9, 0.1 * 0.9 ** 49)           # REFERENCE §1: 0.0387 and 0.000573
EX6 = (2 + 2 * 0.9) / 3 / (1 - 0.9)                # REFERENCE §3: αλ < 2 + 2β, α = lr(1−β)
EX7 = ((math.sqrt(64) - 1) / (math.sqrt(64) + 1)) ** 2   # REFERENCE §3
EX8 = 0.05 * (1 - 0.95)                             # REFERENCE §2: EMA lr η = PyTorch lr η(1−β)
EX9 = -0.03 * _torch_buffer(GRADS[:3], 0.9)         # REFERENCE §2: Keras m = −η·b_torch
EX11 = (_lowest(False), _lowest(True))
EX12 = math.log(0.5) / math.log(0.95)
# notebooks 06 and 07 (PyTorch form)
EX13 = 0.1 * (1 - 0.9)                               # η/(1 − β) = SGD's η = 0.1
EX14 = 0.05 * 0.5 ** 2 * (1 + 0.9) / (2.0 * (1 - 0.9) * (2 * (1 + 0.9) - 0.05 * 2.0))  # α = η
EX15 = (5.0 * 1.0 - 2) / (5.0 * 1.0 + 2)             # 5(1 − β) < 2(1 + β)
DIGITS_ETAS = np.array([0.016, 0.032, 0.064, 0.128, 0.256, 0.512])
EX16 = 0.128                                          # recomputed in test_ex16_…
CHOICES = {"ex3": "c", "ex4": "d", "ex5": "a", "ex10": "b"}


def test_the_answers_agree_with_the_library():
    t = ml.trace_table(GRADS, lr=0.1, beta=0.9)
    assert t.dw[-1] == pytest.approx(EX1[1], rel=1e-12)
    assert -0.1 * t.g[-1] == pytest.approx(EX1[0], rel=1e-12)
    assert EX1[1] == pytest.approx(-0.0085265, rel=1e-9)   # REFERENCE §1
    w = theory.past_gradient_weights(0.9, 10)[0], theory.past_gradient_weights(0.9, 50)[0]
    assert w == pytest.approx(EX2, rel=1e-12)
    assert float(theory.max_stable_lr(0.9, 3.0)) == pytest.approx(EX6, rel=1e-12)
    assert theory.optimal_parameters(64.0).beta == pytest.approx(EX7, rel=1e-12)
    assert float(theory.half_life(0.95)) == pytest.approx(EX12, rel=1e-12)
    tt = ml.trace_table(GRADS[:3], lr=0.03, beta=0.9, convention="pytorch")
    assert -0.03 * tt.v[-1] == pytest.approx(EX9, rel=1e-12)
    p = problems.parabola()
    lows = [float(ml.run(p.grad, p.w0, 50, lr=1.0, beta=0.9, method=m).w.min())
            for m in ("momentum", "nesterov")]
    assert lows == pytest.approx(EX11, abs=1e-12)


def test_the_new_answers_agree_with_the_library():
    assert float(noise.effective_lr(EX13, 0.9)) == pytest.approx(0.1, rel=1e-12)
    assert float(noise.stationary_variance(0.05, 0.9, 2.0, 0.5)) == pytest.approx(EX14, rel=1e-12)
    assert float(noise.stationary_covariance(0.05, 0.9, [[2.0]], [[0.25]])[0, 0]) == pytest.approx(
        EX14, rel=1e-9)
    assert practice.smallest_stable_beta(5.0, 1.0) == pytest.approx(EX15, rel=1e-12)
    # at the edge, η = 5(1 − β) is exactly heavy ball's largest stable η
    assert float(theory.max_stable_lr(EX15, 1.0, convention="pytorch")) == pytest.approx(
        5.0 * (1 - EX15), rel=1e-12)


def test_ex14_the_floor_is_what_a_long_simulation_measures():
    xi = noise.gaussian_noise(6000, (200, 1), seed=14)
    w = noise.noisy_quadratic_run([2.0], [0.0], 0.05, 0.9, 0.5, xi).w[1000:, :, 0]
    assert float(np.var(w)) == pytest.approx(EX14, rel=0.05)
    assert abs(float(np.var(w)) - 0.03125) > abs(float(np.var(w)) - EX14)   # not the small-step rule


def test_ex15_the_edge_is_where_heavy_ball_at_that_effective_lr_starts_to_diverge():
    p = problems.parabola(1.0)
    for beta, stable in ((EX15 + 0.01, True), (EX15 - 0.01, False)):
        r = ml.run(p.grad, p.w0, 3000, lr=5.0 * (1 - beta), beta=beta, convention="pytorch")
        w = abs(float(r.w[-1, 0]))
        assert (w < 1e-3) if stable else not (w < 1.0), (beta, w)
    sgd = ml.run(p.grad, p.w0, 50, lr=5.0, beta=0.0, convention="pytorch")
    assert not abs(float(sgd.w[-1, 0])) < 1.0          # plain SGD at η_eff = 5 is unstable


def test_ex16_the_best_eta_on_the_digits_network_by_one_call_and_by_separate_runs():
    task = practice.digits_task()
    val = practice.train_settings(task, DIGITS_ETAS, 0.9, epochs=3).val_loss[-1]
    assert float(DIGITS_ETAS[np.nanargmin(val)]) == EX16
    assert np.sort(val)[1] > 1.2 * np.min(val)              # a clear winner, not a near tie
    one = [float(practice.train_settings(task, np.array([e]), 0.9, epochs=3).val_loss[-1][0])
           for e in DIGITS_ETAS]
    np.testing.assert_allclose(one, val, rtol=1e-9)
    # the solution's numbers: the six losses, and plain SGD best at η/(1 − β) = 1.28 on the ×10 grid
    assert [f"{v:.3f}" for v in val] == ["0.567", "0.272", "0.161", "0.127", "0.165", "0.246"]
    sgd = practice.train_settings(task, DIGITS_ETAS * 10, 0.0, epochs=3).val_loss[-1]
    assert int(np.nanargmin(sgd)) == 3 and f"{sgd[3]:.3f}" == "0.130"


def test_ex13_keeping_eta_raises_the_floor_as_the_feedback_says():
    ratio = noise.stationary_variance(0.1, 0.9, 1, 1) / noise.stationary_variance(0.1, 0, 1, 1)
    assert f"{float(ratio):.2f}" == "9.76"
    assert "9.76" in str(check("ex13", 0.1))


def test_the_ema_lr_and_the_pytorch_lr_give_the_same_path():
    valley = problems.narrow_valley(10.0)
    ema = ml.run(valley.grad, valley.w0, 25, lr=0.05, beta=0.95)
    torch = ml.run(valley.grad, valley.w0, 25, lr=EX8, beta=0.95, convention="pytorch")
    np.testing.assert_allclose(ema.w, torch.w, rtol=1e-12, atol=1e-14)


def test_the_stability_edge_is_where_run_starts_to_diverge():
    p = problems.parabola(3.0)
    inside = ml.run(p.grad, p.w0, 3000, lr=0.99 * EX6, beta=0.9)
    outside = ml.run(p.grad, p.w0, 3000, lr=1.01 * EX6, beta=0.9)
    assert not inside.diverged.any() and outside.diverged.all()


def test_momentum_overshoots_more_than_nesterov_so_ex10_is_b():
    assert EX11[0] < EX11[1] < 0   # momentum goes further past 0


# --- accepted forms -------------------------------------------------------------------

NUMBERS = {"ex6": EX6, "ex7": EX7, "ex8": EX8, "ex9": EX9, "ex12": EX12, "ex13": EX13,
           "ex14": EX14, "ex15": EX15, "ex16": EX16}
PAIRS = {"ex1": EX1, "ex2": EX2, "ex11": EX11}


def _forms(x):
    return [x, float(x), np.float64(x), np.float32(x) if abs(x) > 1e-3 else x,
            np.array(x), repr(x), f" {x:+.8e} ", f"{x:.6g}".replace("-", "−")]


@pytest.mark.parametrize("xid", NUMBERS)
def test_a_number_is_accepted_in_every_form(xid):
    for form in _forms(NUMBERS[xid]):
        result = check(xid, form)
        assert result.correct, (xid, form, str(result))


@pytest.mark.parametrize("xid, fraction", [("ex6", "38/3"), ("ex7", Fraction(49, 81)),
                                           ("ex8", "1/400"), ("ex7", " 49 / 81 "),
                                           ("ex6", decimal.Decimal(38) / 3), ("ex15", "3/7"),
                                           ("ex13", "1/100"), ("ex14", Fraction(95, 2960))])
def test_fractions_and_decimals_are_accepted(xid, fraction):
    assert check(xid, fraction).correct


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
    assert check(" EX6 ", EX6).correct


# --- tolerance: both sides of the edge ------------------------------------------------

def _tol(xid):
    return next(e for e in _key.load()["exercises"] if e["id"] == xid)["tolerance"]


def _shifted(x, tol, k):
    """x moved by k tolerances (relative or absolute), away from zero."""
    if tol["mode"] == "rel":
        return x * (1 + k * tol["tol"])
    return x + math.copysign(k * tol["tol"], x)


@pytest.mark.parametrize("xid", NUMBERS)
@pytest.mark.parametrize("k", [0.9, -0.9, 0.5, -0.5])
def test_numbers_within_the_tolerance_are_accepted(xid, k):
    x = NUMBERS[xid]
    assert check(xid, _shifted(x, _tol(xid), k)).correct


@pytest.mark.parametrize("xid", NUMBERS)
@pytest.mark.parametrize("k", [1.1, -1.1, 2.0, -2.0, 30.0])
def test_near_misses_are_rejected(xid, k):
    x = NUMBERS[xid]
    result = check(xid, _shifted(x, _tol(xid), k))
    assert result.status == "incorrect", (xid, k)


@pytest.mark.parametrize("xid", PAIRS)
def test_each_number_of_a_pair_is_judged_on_its_own(xid):
    a, b = PAIRS[xid]
    tol = _tol(xid)
    assert check(xid, (_shifted(a, tol, 0.9), _shifted(b, tol, -0.9))).correct
    result = check(xid, (a, _shifted(b, tol, 1.2)))
    assert result.status == "incorrect" and result.parts == [True, False]
    assert "✔ right" in str(result) and "✘ not yet" in str(result)


def test_the_source_posts_rounded_velocity_is_a_near_miss_with_its_own_hint():
    # -0.1 × 0.085 (the post's rounded v5) is 0.3% off: outside 0.1%, recognised.
    result = check("ex1", (0.01, -0.0085))
    assert result.parts == [True, False] and "rounded" in str(result)


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


# --- targeted mistakes ------------------------------------------------------------------

a1, m1 = EX1
v5 = V[-1]
MISTAKES = [
    # ex1, the four mistakes of the brief, in each part where they can happen
    ("ex1", (-0.1 * 0.1 * GRADS[-1], m1), "twice"),          # lr applied twice (SGD)
    ("ex1", (a1, -0.1 * 0.1 * v5), "twice"),                 # lr applied twice (momentum)
    ("ex1", (a1, v5), "velocity"),                           # v instead of lr·v
    ("ex1", (a1, -v5), "velocity"),
    ("ex1", (-a1, m1), "Sign"),                              # sign errors
    ("ex1", (a1, -m1), "Sign"),
    ("ex1", (a1, -0.1 * _torch_buffer(GRADS, 0.9)), "(1−β)"),  # forgot (1−β)
    ("ex1", (a1, -0.1 * V[-2]), "before step 5"),
    ("ex2", (0.9 ** 9, 0.9 ** 49), "(1−β)"),
    ("ex2", (0.1 * 0.9 ** 10, 0.1 * 0.9 ** 50), "One power"),
    ("ex6", 3.8 / 3, "(1−β)"),
    ("ex6", 2 / 3, "gradient descent"),
    ("ex6", 2 / 3 / 0.1, "2 + 2β"),
    ("ex6", 2 * 1.9 / 2.8 / 3 / 0.1, "Nesterov"),
    ("ex7", 7 / 9, "square"),
    ("ex7", (63 / 65) ** 2, "√κ"),
    ("ex7", 63 / 65, "gradient descent"),
    ("ex8", 0.05 / 0.05, "other way round"),
    ("ex8", 0.05, "20 times"),
    ("ex8", 0.05 * 0.95, "(1−β)"),
    ("ex9", -EX9, "Sign"),
    ("ex9", _torch_buffer(GRADS[:3], 0.9), "buffer"),
    ("ex9", -0.03 * _ema_velocities(GRADS[:3])[-1], "EMA"),
    ("ex9", -0.03 * _torch_buffer(GRADS[:2], 0.9), "step 2"),
    ("ex11", (-EX11[0], -EX11[1]), "negative"),
    ("ex11", (EX11[1], EX11[0]), "NAG's lowest"),
    ("ex12", 1 / 0.05, "effective window"),
    ("ex12", math.log(2) / 0.05, "approximates"),
    ("ex12", 14, "rounded up"),
    ("ex12", 13, "rounded down"),
    ("ex6", -EX6, "positive"),
    ("ex8", 0.05 / 0.95, "divides by β"),
    ("ex9", -0.03 * GRADS[0], "after step 1"),
    ("ex2", (0.1 * 0.9 ** 8, 0.1 * 0.9 ** 48), "too few"),
    ("ex11", (EX11[0], -0.393993934225633), "nesterov=True"),
    ("ex12", -EX12, "positive"),
    ("ex13", 0.1, "10 times larger"),
    ("ex13", 0.1 / (1 - 0.9), "instead of dividing"),
    ("ex13", 0.1 * 0.9, "β is not the factor"),
    ("ex13", 0.1 * (1 + 0.9), "not 1 + β"),
    ("ex14", 0.05 * 0.25 / (2.0 * (2 - 0.05 * 2.0)), "plain SGD's floor"),       # β = 0, same η
    ("ex14", 0.05 * 0.5 * 1.9 / (2.0 * 0.1 * 3.7), "not σ"),                      # σ for σ²
    ("ex14", 0.005 * 0.25 * 1.9 / (2.0 * 0.1 * (3.8 - 0.01)), "EMA form"),          # α = η(1 − β)
    ("ex14", math.sqrt(EX14), "standard deviation"),
    ("ex14", 0.5 * 0.25 / (2 * 2.0), "small-step"),                                # η_eff σ²/(2λ)
    ("ex14", 0.5 * 0.25 / (2.0 * (2 - 0.5 * 2.0)), "about half"),                   # SGD at η_eff
    ("ex15", 1 - 2 / 5, "gradient descent's limit"),
    ("ex15", (5 - 2) / 2, "keeps η = 5"),
    ("ex15", 7 / 3, "upside down"),
    ("ex15", 1 - EX15, "1 − β"),
    ("ex16", 1.28, "η itself"),
    ("ex16", 0.256, "0.165"),
    ("ex16", 0.064, "0.161"),
    ("ex16", 0.512, "0.246"),
]


@pytest.mark.parametrize("xid, answer, phrase", MISTAKES)
def test_known_mistakes_get_their_targeted_hint(xid, answer, phrase):
    result = check(xid, answer)
    assert result.status == "incorrect"
    assert phrase in str(result), str(result)


@pytest.mark.parametrize("xid", CHOICES)
def test_every_wrong_choice_is_explained(xid):
    choices = _key.load()["exercises"][exercise_index(xid)]["choices"]
    right = CHOICES[xid]
    explanations = set()
    for letter in choices:
        if letter == right:
            continue
        result = check(xid, letter)
        assert result.status == "incorrect"
        assert len(result.lines) == 2, str(result)   # the explanation, then how to get help
        explanations.add(result.lines[0])
    assert len(explanations) == len(choices) - 1


def exercise_index(xid):
    return exercises.exercise_ids().index(xid)


def test_an_unrecognised_wrong_answer_says_the_tolerance_and_how_to_get_help():
    text = str(check("ex6", 1234.5))
    assert "0.1% (relative)" in text and 'hint("ex6")' in text


# --- never raises -----------------------------------------------------------------------


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
        return EX6


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


@pytest.mark.parametrize("xid", ["ex1", "ex3", "ex6", "ex11", "nope", None, 6, ["ex1"]])
@pytest.mark.parametrize("junk", JUNK, ids=lambda j: type(j).__name__)
def test_junk_never_raises_and_says_what_was_expected(xid, junk):
    result = check(xid, junk)
    assert result.status in {"unreadable", "incorrect", "unknown", "blank"}
    text, html = str(result), result._repr_html_()
    assert repr(result) == text and text and html
    if result.status == "unreadable" and xid != "nope":
        assert "expected" in text


def test_there_are_at_least_fifty_junk_inputs():
    assert len(JUNK) >= 50


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


# --- display, hints, solutions ---------------------------------------------------------

@pytest.mark.parametrize("answer, word, symbol", [
    (EX6, "Correct", "✔"), (1.0, "Not yet", "✘"), (None, "Not answered yet", "…"),
    ("abc", "Could not read", "?")])
def test_the_box_says_a_word_and_a_symbol_not_only_a_colour(answer, word, symbol):
    result = check("ex6", answer)
    for text in (str(result), result._repr_html_()):
        assert word in text and symbol in text


def test_html_escapes_what_the_learner_typed():
    html = check("ex6", "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_hints_come_one_after_another_and_stop_at_the_last(monkeypatch):
    monkeypatch.setattr(exercises, "_hints_given", {})
    shown = [str(hint("ex1")) for _ in range(4)]
    assert [s.splitlines()[0] for s in shown] == [
        "Hint — ex1, hint 1 of 3", "Hint — ex1, hint 2 of 3", "Hint — ex1, hint 3 of 3",
        "Hint — ex1, hint 3 of 3"]
    assert str(hint("ex1", 1)).splitlines()[0] == "Hint — ex1, hint 1 of 3"
    assert "last hint" in shown[-1]


@pytest.mark.parametrize("xid", exercises.exercise_ids())
def test_every_exercise_has_hints_and_a_solution_that_do_not_crash(xid):
    assert str(hint(xid, 1)) and hint(xid, 1)._repr_html_()
    sol = solution(xid)
    assert xid in str(sol) and sol._repr_markdown_().startswith("**Worked solution")


def test_the_worked_solution_states_the_answer_only_when_asked():
    assert "0.0085265" in str(solution("ex1"))       # REFERENCE §1
    assert "0.0387" in str(solution("ex2"))          # REFERENCE §1


def test_unknown_ids_are_answered_not_raised():
    for fn in (hint, solution):
        assert "not an exercise id" in str(fn("ex99"))


def test_check_records_answers_for_the_grader_when_asked(tmp_path, monkeypatch):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(exercises.RECORD_ENV, str(record))
    check("ex1", ("1/100", np.float64(-0.5)))
    check("ex3", " (B) ")
    check("ex6", None)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines[0] == {"event": "check", "exercise": "ex1", "answer": [0.01, -0.5],
                        "problem": None}
    assert lines[1]["answer"] == "b" and lines[2]["answer"] is None


def test_without_the_variable_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(exercises.RECORD_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    check("ex6", 1.0)
    assert list(tmp_path.iterdir()) == []


# --- no spoilers ---------------------------------------------------------------------------

def _spoilers():
    """Printable forms of each numeric answer: 4 to 7 significant digits, and repr.

    Left out on purpose: ex1's SGD step (+0.01), ex8's 0.0025 and ex13's 0.01 are too
    short to be told apart from the questions' own data (lr = 0.1, 0.05, ...), and ex16's
    answer is one of the six η's its question lists; they are covered by the hash-only
    storage test below.
    """
    values = [EX1[1], *EX2, EX6, EX7, EX9, *EX11, EX12, EX14, EX15]
    out = set()
    for x in values:
        out |= {f"{abs(x):.{digits}g}" for digits in (4, 5, 6, 7)}
        out.add(repr(abs(x)))
    # Three-digit forms a learner would type (REFERENCE §1 quotes 0.0387 and 0.000573).
    out |= {"0.0387", "0.000573", "0.00853", "38/3", "49/81", "13.51", "0.0321", "0.429"}
    return sorted(out)


def _package_texts():
    pkg = ROOT / "momentum_lib"
    return {p: p.read_text(encoding="utf-8") for p in pkg.rglob("*")
            if p.suffix in {".py", ".json", ".txt", ".md"}}


@pytest.mark.parametrize("spoiler", _spoilers())
def test_no_answer_appears_in_the_notebook_or_the_package(spoiler):
    texts = {NOTEBOOK: NOTEBOOK.read_text(encoding="utf-8"), **_package_texts()}
    found = [str(p.relative_to(ROOT)) for p, text in texts.items() if spoiler in text]
    assert not found, f"{spoiler!r} found in {found}"


def test_the_key_holds_hashes_not_values():
    key = _key.load()
    text = _key.KEY_PATH.read_text(encoding="utf-8")
    for x in (EX1[0], EX8, EX6, EX7, EX13, EX14, EX15, EX16):
        assert f"{x:.4g}" not in text.replace(key["about"], "")
    for ex in key["exercises"]:
        assert all(len(h) == _key.HASH_CHARS and int(h, 16) >= 0 for h in ex["answer"])


def test_the_stored_notebook_is_the_learners_version():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    answers = [c for c in nb["cells"] if c["cell_type"] == "code"
               and "".join(c["source"]).startswith("answer =")]
    checks = [c for c in nb["cells"] if c["cell_type"] == "code"
              and "".join(c["source"]).startswith("check(")]
    assert len(answers) == len(checks) == len(exercises.exercise_ids())
    assert all("".join(c["source"]).startswith("answer = None") for c in answers)
    for c in checks:
        text = "".join(c["outputs"][0]["data"]["text/plain"])
        assert text.startswith("… Not answered yet")


def test_the_notebook_keeps_a_place_for_the_explorer():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    heads = ["".join(c["source"]).splitlines()[0] for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert "## Explore before you answer" in heads
    assert heads.index("## Explore before you answer") < 4


# --- the key file --------------------------------------------------------------------------

def test_the_key_carries_no_source_and_the_package_cannot_export_it():
    key = _key.load()
    assert key["format"] == 2 and all("source" not in ex for ex in key["exercises"])
    assert not hasattr(_key, "export")
    from momentum_lib.exercises.__main__ import main

    with pytest.raises(SystemExit):
        main(["key-export", "spec.json"])


@pytest.mark.skipif(not os.environ.get("MOMENTUM_KEY_SPEC"),
                    reason="the key's plain-text spec is kept outside the repository; "
                           "set MOMENTUM_KEY_SPEC to its path to run this")
def test_the_maintainer_spec_rebuilds_the_key_byte_for_byte_with_the_answers_recomputed_here():
    spec = json.loads(pathlib.Path(os.environ["MOMENTUM_KEY_SPEC"]).read_text(encoding="utf-8"))
    assert _key.dumps(_key.build(spec)) == _key.KEY_PATH.read_text(encoding="utf-8")
    ex = {e["id"]: e for e in spec["exercises"]}
    assert ex["ex1"]["answer"] == pytest.approx(list(EX1), rel=1e-12)
    assert ex["ex7"]["answer"] == pytest.approx(EX7, rel=1e-12)
    assert {x: ex[x]["answer"] for x in CHOICES} == CHOICES
    for x, value in (("ex13", EX13), ("ex14", EX14), ("ex15", EX15), ("ex16", EX16)):
        assert ex[x]["answer"] == pytest.approx(value, rel=1e-12), x


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


def test_the_rounded_values_reference_quotes_are_accepted():
    # REFERENCE §1: Δw_momentum = −0.0085265; weights 0.0387 (t = 10) and 0.000573 (t = 50).
    assert check("ex1", (0.01, -0.00853)).correct
    assert check("ex2", (0.0387, 0.000573)).correct
    assert check("ex12", 13.5).correct and check("ex7", 0.605).correct


def test_the_command_line_lists_the_exercises(capsys):
    from momentum_lib.exercises.__main__ import main

    assert main(["list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == exercises.exercise_ids()


# --- calls that are not check("exN", answer) --------------------------------------------

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


def test_solution_use_is_recorded_for_the_grader(tmp_path, monkeypatch):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(exercises.RECORD_ENV, str(record))
    solution("ex7")
    assert json.loads(record.read_text())["event"] == "solution"


# --- the corrected exercises (issue 9): the solutions' numbers, recomputed ----------------------

def test_ex3_the_lookahead_keeps_its_relative_effect_near_the_minimum():
    # rates on ex10's parabola, EMA form: 0.9487 (momentum) and 0.9000 (NAG)
    assert float(theory.rate(1.0, 0.9, 1.0, "momentum")) == pytest.approx(0.9487, abs=5e-5)
    assert float(theory.rate(1.0, 0.9, 1.0, "nesterov")) == pytest.approx(0.9000, abs=5e-5)
    p = problems.parabola()
    r = ml.run(p.grad, p.w0, 200, lr=1.0, beta=0.9)
    w, v = r.w[:, 0], r.v[:, 0]
    mom = -(0.9 * v + 0.1 * w)
    nag = -(0.9 * v + 0.1 * (w - 0.9 * v))
    rel = np.abs(nag - mom)[20:200] / np.abs(mom)[20:200]
    assert round(float(np.median(rel)), 2) == 0.09     # "about 9% (median over steps 20–200)"
    assert "0.9487" in str(solution("ex3")) or "0.9487" in str(check("ex3", "a"))


def test_ex4_noise_spread_in_the_two_forms():
    rng = np.random.default_rng(0)
    g = rng.normal(size=200_000)
    beta, v, b, vs, bs = 0.9, 0.0, 0.0, [], []
    for x in g:
        v = beta * v + (1 - beta) * x
        b = beta * b + x
        vs.append(v)
        bs.append(b)
    assert np.std(vs[100:]) == pytest.approx(math.sqrt((1 - beta) / (1 + beta)), rel=0.03)   # 0.23
    assert np.std(bs[100:]) == pytest.approx(1 / math.sqrt(1 - beta ** 2), rel=0.03)          # 2.3
    assert round(math.sqrt(0.1 / 1.9), 2) == 0.23 and round(1 / math.sqrt(0.19), 1) == 2.3


def test_ex6_diverged_is_no_test_just_above_the_edge_but_the_size_of_w_is():
    p = problems.parabola(3.0)
    r = ml.run(p.grad, p.w0, 100, lr=12.7, beta=0.9)
    assert not r.diverged and abs(r.w[-1, 0]) > 1e3
    below = ml.run(p.grad, p.w0, 1000, lr=0.99 * EX6, beta=0.9)
    above = ml.run(p.grad, p.w0, 1000, lr=1.01 * EX6, beta=0.9)
    assert abs(below.w[-1, 0]) < 1e-3
    assert not np.isfinite(above.w[-1, 0]) or abs(above.w[-1, 0]) > 1


def test_ex10_the_lookahead_point_is_further_past_the_minimum_at_the_crossing():
    p = problems.parabola()
    r = ml.run(p.grad, p.w0, 50, lr=1.0, beta=0.9, method="nesterov")
    w, v = r.w[:, 0], r.v[:, 0]
    t = int(np.argmax(w < 0))              # first iterate past the minimum
    assert v[t] > 0 and w[t] - 1.0 * 0.9 * v[t] < w[t] < 0


def test_the_new_mistake_values_are_what_the_feedback_says():
    from momentum_lib import frameworks

    p = problems.parabola()
    assert float(frameworks.pytorch_sgd(p.grad, p.w0, 50, lr=0.1, momentum=0.9,
                                        nesterov=True).min()) == pytest.approx(-0.394, abs=5e-4)
    assert 0.95 ** 13 == pytest.approx(0.513, abs=5e-4) and 0.95 ** 13 > 0.5
