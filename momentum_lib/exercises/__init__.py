"""Exercises with offline answer checking, targeted hints and worked solutions.

For learners (the exercises notebook, 08)::

    from momentum_lib.exercises import check, hint, solution
    answer = 0.05
    check("ex1", answer)     # ✔ Correct / ✘ Not yet / … Not answered yet
    hint("ex1")              # the next hint for ex1 each time you ask
    solution("ex1")          # the worked solution, only when you ask

``check`` accepts what people type: ints, floats, numpy scalars and 0-d arrays,
numeric text (" +1e-2 ", "1/10", "−0.5"), fractions, tuples or lists of two
numbers where a question asks for two, and letters for multiple choice ("b",
"(b)", "B)"). It never raises on an answer: for anything else it says what it
expected. Known wrong answers (a sign error, a missing (1 − β), the learning rate
applied twice, ...) are recognised and answered with a targeted hint.

How answers are kept (see ``_key``): salted hashes of answers rounded to a tenth
of their tolerance, so that no answer can be read or grepped from the package;
hints and solutions are compressed and scrambled. This protects learners from
spoilers, not the key from a determined reader: anyone can undo it with
``momentum_lib.exercises._key.reveal``.

Every exercise is one entry of ``catalogue`` (its rules, numbers, question and
answer); the key and notebook 08's question cells are generated from the catalogue
and the maintainers' texts by ``make exercises`` (see docs/exercises.md). In a
personal, graded notebook ``recorded`` replaces ``check``. Teachers grade with
``momentum_lib.grading``, which nothing here imports.
"""

import html
import json
import os
import re
from functools import lru_cache

from . import _answers, _key

RECORD_ENV = "MOMENTUM_EXERCISES_RECORD"

_STYLES = {
    # Okabe–Ito colours; the word and the symbol carry the meaning, colour only helps.
    "correct": ("✔", "Correct", "#0072B2", "#e6f1f8"),
    "incorrect": ("✘", "Not yet", "#D55E00", "#fbece4"),
    "blank": ("…", "Not answered yet", "#6b6b6b", "#f2f2f2"),
    "unreadable": ("?", "Could not read this answer", "#D55E00", "#fbece4"),
    "unknown": ("?", "Unknown exercise", "#6b6b6b", "#f2f2f2"),
    "usage": ("?", "How to call check", "#6b6b6b", "#f2f2f2"),
}


@lru_cache(maxsize=1)
def _key_data():
    return _key.load()


def _exercise(exercise_id):
    if not isinstance(exercise_id, str):
        return None
    for ex in _key_data()["exercises"]:
        if ex["id"] == exercise_id.strip().lower():
            return ex
    return None


def exercise_ids():
    """The ids of all exercises, in order: ["ex1", "ex2", ...]."""
    return [ex["id"] for ex in _key_data()["exercises"]]


def tolerance(exercise_id):
    """What ``exercise_id`` expects and how close a number must be, in words."""
    ex = _exercise(exercise_id)
    if ex is None:
        return "unknown exercise"
    if ex["kind"] == "choice":
        return f"one letter, {ex['choices'][0]}–{ex['choices'][-1]}"
    if ex["kind"] == "pair":
        return f"two numbers, each within {ex['tolerance_text']}"
    return f"a number within {ex['tolerance_text']}"


_CODE = re.compile(r"`([^`]+)`")


def _html_line(text):
    """Escaped text; `backticked` pieces (calls a learner may copy) shown as code."""
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text).strip())


class _Box:
    """A message that renders as a boxed note in Jupyter and as text in a terminal."""

    status = "blank"

    def __init__(self, headline, lines=()):
        self.headline = headline
        self.lines = list(lines)

    def __str__(self):
        symbol, word = _STYLES[self.status][:2]
        out = [f"{symbol} {word} — {self.headline}"]
        out += [f"  {line}" for line in self.lines]
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self):
        symbol, word, colour, background = _STYLES[self.status]
        items = "".join(f"<li>{_html_line(line)}</li>" for line in self.lines)
        body = f"<ul style='margin:0.3em 0 0 0'>{items}</ul>" if items else ""
        return (
            f"<div style='border-left:6px solid {colour};background:{background};"
            f"padding:0.4em 0.8em;margin:0.2em 0;color:#111'>"
            f"<strong>{symbol} {word}</strong> — {html.escape(self.headline)}{body}</div>"
        )


class CheckResult(_Box):
    """What ``check`` found.

    Attributes
    ----------
    exercise_id : str
    status : {"correct", "incorrect", "blank", "unreadable", "unknown", "usage"}
    correct : bool
    parts : list of bool or None (for two-number answers: which number was right)
    lines : the feedback shown under the headline
    """

    def __init__(self, exercise_id, status, headline, lines=(), parts=None):
        super().__init__(headline, lines)
        self.exercise_id = exercise_id
        self.status = status
        self.parts = parts

    @property
    def correct(self):
        return self.status == "correct"

    def __bool__(self):
        return self.correct


class Hint(_Box):
    status = "blank"

    def __str__(self):
        return "\n".join([f"Hint — {self.headline}"] + [f"  {line}" for line in self.lines])

    __repr__ = __str__

    def _repr_html_(self):
        items = "".join(f"<p style='margin:0.3em 0'>{_html_line(x)}</p>" for x in self.lines)
        return (
            "<div style='border-left:6px solid #56B4E9;background:#eef7fc;padding:0.4em 0.8em;"
            f"color:#111'><strong>Hint</strong> — {html.escape(self.headline)}{items}</div>"
        )


class Solution:
    """A worked solution: Markdown in Jupyter, plain text in a terminal."""

    def __init__(self, exercise_id, title, text):
        self.exercise_id, self.title, self.text = exercise_id, title, text

    def __str__(self):
        return f"Worked solution — {self.exercise_id}: {self.title}\n\n{self.text}"

    __repr__ = __str__

    def _repr_markdown_(self):
        return f"**Worked solution — {self.exercise_id}: {self.title}**\n\n{self.text}"


def _unknown(exercise_id):
    ids = exercise_ids()
    return CheckResult(
        _answers.describe(exercise_id), "unknown",
        f"{_answers.describe(exercise_id)} is not an exercise id",
        [f"The exercises are {ids[0]} … {ids[-1]}, written in quotes: `check(\"{ids[0]}\", answer)`."],
    )


def _read(ex, answer):
    kind = ex["kind"]
    if kind == "choice":
        return _answers.read_choice(answer, ex["choices"], ex["example"])
    if kind == "pair":
        return _answers.read_pair(answer, ex["example"])
    return _answers.read_number(answer, ex["example"])


def _grade_part(ex, part, x, salt):
    """(correct?, [(mistake index, feedback)]) for one number or letter."""
    xid = ex["id"]
    if ex["kind"] == "choice":
        found = {_key.digest(salt, xid, part, x): x}
    else:
        found = _key.matching_hashes(salt, xid, part, x, ex["tolerance"])

    def close(h):
        return ex["kind"] == "choice" or _key.within(x, found[h], ex["tolerance"])

    answer = ex["answer"][part]
    if answer in found and close(answer):
        return True, []
    return False, [
        (i, _key.reveal(salt, f"{xid}/mistake/{i}", m["feedback"]))
        for i, m in enumerate(ex["mistakes"])
        if m["part"] == part and m["hash"] in found and close(m["hash"])
    ]


def _record(exercise_id, value, problem, event="check"):
    """When grading, append what was checked to the file named by $MOMENTUM_EXERCISES_RECORD."""
    path = os.environ.get(RECORD_ENV)
    if not path:
        return
    try:
        entry = {"event": event, "exercise": exercise_id, "answer": value, "problem": problem}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
    except Exception:
        pass  # recording must never disturb the learner


_MISSING = object()


def _usage(headline, lines):
    return CheckResult("check", "usage", headline, lines)


def _misuse(exercise_id, answer, extra):
    """A friendly box for a call that is not ``check("exN", answer)``, or None."""
    ids = exercise_ids()
    example = f'`check("{ids[5]}", answer)`'
    if extra:
        names = ", ".join(sorted(extra))
        return _usage(f"check() does not take {names}=…", [
            f"Call it with the exercise id and your answer, in that order: {example}."])
    if exercise_id is _MISSING:
        return _usage("check() needs the exercise id and your answer", [
            f"For example {example}, after the cell that sets `answer`."])
    if answer is _MISSING:
        if _exercise(exercise_id) is not None:
            xid = _exercise(exercise_id)["id"]
            return _usage(f"check(\"{xid}\") needs your answer too", [
                f"Write `check(\"{xid}\", answer)` after the cell that sets `answer`."])
        return _usage("check() needs the exercise id and your answer", [
            f"For example {example}."])
    if not isinstance(exercise_id, str) and isinstance(answer, str) and _exercise(answer):
        xid = _exercise(answer)["id"]
        return _usage("the exercise id comes first", [
            f"Swap the two: `check(\"{xid}\", {_answers.describe(exercise_id, 24)})` "
            f"or `check(\"{xid}\", answer)`."])
    return None


def check(exercise_id=_MISSING, answer=_MISSING, **extra):
    """Check ``answer`` to exercise ``exercise_id`` ("ex1", "ex2", ...).

    Returns a ``CheckResult``: a box saying ✔ Correct, ✘ Not yet (with targeted
    feedback when the answer is a known mistake), … Not answered yet, or what was
    expected when the answer could not be read. Never raises on the answer.

    Examples
    --------
    >>> check("ex6", None).status
    'blank'
    >>> check("ex6", "1/2").correct
    False
    >>> check("ex3", [1, 2]).status
    'unreadable'
    """
    try:
        misuse = _misuse(exercise_id, answer, extra)
        if misuse is not None:
            return misuse
        ex = _exercise(exercise_id)
        if ex is None:
            return _unknown(exercise_id)
        xid = ex["id"]
        value, problem = _read(ex, answer)
        if problem == "blank":
            _record(xid, None, None)
            return CheckResult(xid, "blank", f"{xid}: {ex['title']}", [
                f"Replace `answer = None` with your answer, e.g. `answer = {ex['example']}`, "
                "then run the check again.",
            ])
        if problem is not None:
            _record(xid, None, problem)
            return CheckResult(xid, "unreadable", f"{xid}: {problem}.", [
                f"Ask for a hint with `hint(\"{xid}\")`.",
            ])
        _record(xid, list(value) if isinstance(value, tuple) else value, None)
        return _verdict(ex, value)
    except Exception as error:  # a bug of ours must not become the learner's traceback
        return CheckResult(_answers.describe(exercise_id), "unreadable",
                           "the checker could not process this answer",
                           [f"internal error: {type(error).__name__}; please report it"])


def _verdict(ex, value):
    salt = _key_data()["salt"]
    xid = ex["id"]
    values = value if ex["kind"] == "pair" else (value,)
    graded = [_grade_part(ex, p, x, salt) for p, x in enumerate(values)]
    parts = [ok for ok, _ in graded]
    if all(parts):
        return CheckResult(xid, "correct", f"{xid}: {ex['title']}",
                           [f"See the worked solution with `solution(\"{xid}\")` if you like."],
                           parts if ex["kind"] == "pair" else None)
    lines = []
    if ex["kind"] == "pair":
        for p, (ok, feedback) in enumerate(graded):
            label = ex["parts"][p]
            lines.append(f"{label}: {'✔ right' if ok else '✘ not yet'}")
            lines += [f"{label}: {f}" for _, f in feedback]
    else:
        lines += [f for _, f in graded[0][1]]
    if ex["kind"] != "choice" and not any(graded[p][1] for p in range(len(graded))):
        lines.append(f"Accepted: {tolerance(xid)}.")
    lines.append(f"Ask for a hint with `hint(\"{xid}\")`; `solution(\"{xid}\")` shows the "
                 "worked solution.")
    return CheckResult(xid, "incorrect", f"{xid}: {ex['title']}", lines,
                       parts if ex["kind"] == "pair" else None)


def _verdict_parts(exercise_id, answer):
    """(correct?, [indices of the recognised mistakes]) for a recorded answer: for the grader."""
    ex = _exercise(exercise_id)
    if ex is None:
        raise ValueError(f"unknown exercise {exercise_id!r}")
    value, problem = _read(ex, answer)
    if problem is not None:
        return False, []
    salt = _key_data()["salt"]
    values = value if ex["kind"] == "pair" else (value,)
    graded = [_grade_part(ex, p, x, salt) for p, x in enumerate(values)]
    return all(ok for ok, _ in graded), [i for _, found in graded for i, _ in found]


_hints_given = {}  # exercise id -> hints shown so far (the only state kept here)


def hint(exercise_id, level=None):
    """The next hint for ``exercise_id`` (or hint number ``level``, from 1).

    Hints go from a nudge to almost the method; they never state the answer.
    """
    ex = _exercise(exercise_id)
    if ex is None:
        return _unknown(exercise_id)
    xid, hints, salt = ex["id"], ex["hints"], _key_data()["salt"]
    if level is None:
        level = min(_hints_given.get(xid, 0) + 1, len(hints))
        _hints_given[xid] = level
    try:
        level = max(1, min(int(level), len(hints)))
    except Exception:
        level = 1
    text = _key.reveal(salt, f"{xid}/hint/{level - 1}", hints[level - 1])
    more = (f"Ask again for hint {level + 1} of {len(hints)}." if level < len(hints)
            else f"That was the last hint; `solution(\"{xid}\")` shows the worked solution.")
    return Hint(f"{xid}, hint {level} of {len(hints)}", [text, more])


def solution(exercise_id):
    """The worked solution of ``exercise_id``: shown only when you ask.

    When a teacher grades the notebook, the report says which solutions were shown.
    """
    ex = _exercise(exercise_id)
    if ex is None:
        return _unknown(exercise_id)
    salt = _key_data()["salt"]
    _record(ex["id"], None, None, event="solution")  # graders report who looked
    return Solution(ex["id"], ex["title"], _key.reveal(salt, f"{ex['id']}/solution", ex["solution"]))


__all__ = ["check", "hint", "solution", "exercise_ids", "tolerance", "CheckResult"]
