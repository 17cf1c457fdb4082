"""What a catalogue entry is: the exercise's rules, numbers, question text and answer.

An entry holds everything about one exercise that every install needs: how it is
answered (a number, a pair of numbers, a letter), how close a number must be, the
numbers of the practice notebook, how a personal variant draws its own numbers, the
question as a template over those numbers, the answer computed with ``momentum_lib``
and the known mistakes with their values. The texts that would spoil the exercise
(hints, the worked solution, the feedback on each mistake, and for a multiple-choice
question which option is keyed) are kept by the maintainers beside the catalogue
(``maintainer/exercises/``) and reach learners only scrambled, inside ``key.json``.
"""

import re
import textwrap
from dataclasses import dataclass
from typing import Callable, Mapping

LETTERS = "abcdefgh"
WIDTH = 100   # Markdown source lines are wrapped here, as in the other notebooks


@dataclass(frozen=True)
class Tolerance:
    """How close a number must be: ``abs`` (|x − a| ≤ tol) or ``rel`` (|x − a| ≤ tol·|a|)."""

    mode: str
    tol: float
    text: str

    def accepts(self, x, a):
        return abs(x - a) <= (self.tol if self.mode == "abs" else self.tol * abs(a))

    def as_dict(self):
        return {"mode": self.mode, "tol": self.tol}


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: ``name`` (a short label for reports), the part it answers, its value."""

    name: str
    part: int
    value: object


@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice question and a short label for reports."""

    text: str
    label: str


@dataclass(frozen=True)
class Exercise:
    """One exercise of the catalogue (see the module docstring).

    ``stem(p, practice)`` is the question's Markdown for the numbers ``p``; ``practice`` is
    True for the practice notebook, which may add a sentence that only its own numbers make
    true. A multiple-choice stem stops before its options: they are appended, in the order
    ``p["order"]`` gives (old letters in their new places). ``draw(rng)`` gives a personal
    variant's numbers; without it every variant has the practice numbers.
    """

    id: str
    title: Callable[[Mapping], str]
    kind: str                                   # "number", "pair" or "choice"
    stem: Callable[[Mapping, bool], str]
    practice: Mapping
    answer: Callable[[Mapping], object] | None = None
    mistakes: Callable[[Mapping], tuple] = lambda p: ()
    tolerance: Tolerance | None = None
    parts: tuple = ()
    example: str = "0.05"
    prompt: str = "a number"
    options: tuple = ()
    draw: Callable | None = None
    shared_answers: bool = False               # many variants share each answer

    @property
    def number(self):
        return int(self.id[2:])

    @property
    def letters(self):
        return list(LETTERS[: len(self.options)])

    @property
    def personal(self):
        """Do variants get numbers of their own (not only their own order of options)?"""
        return self.draw is not None

    def variant_params(self, rng):
        """A personal variant's numbers, drawn with ``rng`` (a ``random.Random``)."""
        if self.kind == "choice":
            order = self.letters
            rng.shuffle(order)
            return {"order": order}
        return dict(self.draw(rng)) if self.draw else dict(self.practice)

    def question(self, p, practice=False):
        """The whole question cell: the stem and, for multiple choice, the options in ``p``'s order."""
        text = self.stem(p, practice)
        if self.kind != "choice":
            return text
        bullets = [bullet(f"* **({LETTERS[i]})** {self.options[self.letters.index(old)].text}")
                   for i, old in enumerate(p["order"])]
        return text + "\n\n" + "\n".join(bullets)

    def known_mistakes(self, p):
        """The mistakes for the numbers ``p``, less any that the tolerance would accept as right
        (a rounded value, say, can fall within it for some numbers)."""
        if self.kind == "choice":
            return ()
        answer = self.answer(p)
        answer = answer if self.kind == "pair" else (answer,)
        return tuple(m for m in self.mistakes(p)
                     if not self.tolerance.accepts(m.value, answer[m.part]))

    def part_labels(self, p):
        """The names of a pair's two numbers for the numbers ``p``."""
        return [label.format(**p) for label in self.parts]

    def answer_cell(self, p):
        return f"answer = None  # your answer: {self.prompt.format(**p)}"

    def check_cell(self):
        return f'check("{self.id}", answer)'

    def cell_ids(self):
        return (f"{self.id}-stem", f"{self.id}-answer", f"{self.id}-check")


# --- writing the Markdown ----------------------------------------------------------------------

_KEEP = "\x00"   # a space the wrapping must not break at
_OPERATOR_SPACE = re.compile(r" (?=[=←+−<>×~])|(?<=[=←+−<>×~]) ")


def _wrap(text, indent=""):
    """``text`` on lines of at most ``WIDTH`` characters, never broken inside ``a = b``."""
    kept = _OPERATOR_SPACE.sub(_KEEP, " ".join(text.split()))
    return textwrap.fill(kept, WIDTH, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False).replace(_KEEP, " ")


def paragraph(text):
    """One paragraph, wrapped at ``WIDTH``, formulas kept on one line."""
    return _wrap(text)


def bullet(text):
    return _wrap(text, indent="  ")


def markdown(heading, *paragraphs):
    """A question cell: its ``### Exercise`` heading and wrapped paragraphs (``None`` left out)."""
    return "\n\n".join([heading] + [paragraph(p) for p in paragraphs if p])


def fmt(x):
    """A number as the questions print it: shortest form, a true minus sign."""
    return f"{x:g}".replace("-", "−")


def fmt_list(xs):
    return ", ".join(fmt(x) for x in xs)


def grid(rng, lo, hi, step):
    """A value drawn uniformly from lo, lo + step, …, hi."""
    n = int(round((hi - lo) / step))
    return round(lo + step * rng.randint(0, n), 6)
