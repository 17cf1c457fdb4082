"""``check``, ``hint`` and ``solution`` in a personal, graded notebook: record, do not judge.

A graded variant's numbers are the student's own, so no key exists to judge them
here: ``check`` only reads the answer, says what it read, and records it for the
teacher's grader (``momentum_lib.grading``), which recomputes the right answers.
"""

from . import _answers, _exercise, _read, _record


class Recorded:
    """What a graded ``check`` says: plain text, in Jupyter and in a terminal."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def check(exercise_id=None, answer=None, **extra):
    """Record ``answer`` to ``exercise_id`` for the teacher's grader; say what was read."""
    ex = _exercise(exercise_id)
    if extra or ex is None:
        return Recorded('Call it as `check("ex6", answer)`: the exercise id first, then your answer.')
    xid = ex["id"]
    value, problem = _read(ex, answer)
    if problem == "blank":
        _record(xid, None, None)
        return Recorded(f"… {xid}: not answered yet (replace `answer = None` with your answer).")
    if problem:
        _record(xid, None, problem)
        return Recorded(f"? {xid}: {problem}. Only your first answer counts: fix it before checking.")
    _record(xid, list(value) if isinstance(value, tuple) else value, None)
    return Recorded(f"✎ {xid}: recorded {_answers.describe(value)}. Your teacher's grader checks it; "
                    "the first answer you check is the one that counts.")


def hint(exercise_id=None, *args, **kwargs):
    return Recorded("Hints are switched off in your graded version; the practice notebook has them.")


def solution(exercise_id=None, *args, **kwargs):
    return Recorded("Solutions are switched off in your graded version.")


__all__ = ["check", "hint", "solution"]
