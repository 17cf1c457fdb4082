"""The exercise catalogue: one entry per exercise, the single source of every exercise.

    from momentum_lib.exercises import catalogue
    ex = catalogue.entry("ex6")
    ex.question(ex.practice, practice=True)    # the question cell of notebook 08
    ex.answer(ex.practice)                     # the answer, computed with momentum_lib

Notebook 08's question cells, the practice key (``key.json``) and every graded variant
are generated from these entries (see ``docs/exercises.md`` for how to add one); the
hints, worked solutions and mistake feedback live beside them in
``maintainer/exercises/``, out of a learner's sight.
"""

from ._entry import Exercise, Mistake, Option, Tolerance
from .part1 import ENTRIES as _PART1
from .part2 import ENTRIES as _PART2
from .part3 import ENTRIES as _PART3

EXERCISES = (*_PART1, *_PART2, *_PART3)
_BY_ID = {ex.id: ex for ex in EXERCISES}


def ids():
    """The exercise ids in order: ["ex1", "ex2", ...]."""
    return [ex.id for ex in EXERCISES]


def entry(exercise_id):
    """The catalogue entry of ``exercise_id`` (KeyError for an unknown id)."""
    return _BY_ID[exercise_id]


__all__ = ["EXERCISES", "Exercise", "Mistake", "Option", "Tolerance", "entry", "ids"]
