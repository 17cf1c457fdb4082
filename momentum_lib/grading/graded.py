"""Graded mode in the grader: which student a hand-in belongs to, and its answers checked.

**Binding.** A hand-in belongs to the student whose roster id names a folder on its
path under the submissions folder (or its file name): ``submissions/s07/…ipynb`` is
s07's. The id must match exactly, so a look-alike (a Cyrillic ``ѕ``, another case) is
no id. A hand-in whose path names no student, or two, is refused on its own row; so
is every hand-in of a student who has more than one (the teacher keeps one). A
hand-in must carry its own student's variant: one that carries another student's
variant, or altered numbers, scores 0. So a variant only ever credits the student
whose path it is under, whatever the other hand-ins are.

**A wrong secret** is found before anything runs: when no hand-in's variant verifies
with the secret given, the grader stops and says so, instead of accusing every
student of altering their notebook.

**Answer sharing.** An answer that is wrong for its student but right for another
student's variant is reported, and the whole hand-in then scores 0 (not for the
multiple-choice ones, nor for exercises whose answers many variants share).
"""

import hmac
import threading
import unicodedata
from pathlib import Path

from ..exercises import _answers, catalogue
from . import variants
from .handins import read_hand_in
from .results import ExerciseResult, clip, short


def _close(x, a, tolerance):
    return tolerance.accepts(x, a)


def _read(ex, answer):
    if ex.kind == "choice":
        return _answers.read_choice(answer, ex.letters)
    if ex.kind == "pair":
        return _answers.read_pair(answer)
    return _answers.read_number(answer)


def matches(ex, answer, expected):
    """Is the recorded ``answer`` right for a numeric ``expected``? Never raises."""
    value, problem = _read(ex, answer)
    if problem is not None:
        return False
    if ex.kind == "pair":
        return all(_close(v, e, ex.tolerance) for v, e in zip(value, expected))
    return _close(value, expected, ex.tolerance)


def _practice_letter(ex, letter, p):
    """The practice notebook's letter of the option a student saw as ``letter``."""
    return p["order"][ex.letters.index(letter)]


def choice_result(ex, answer, p):
    """Correct or wrong for a multiple-choice answer, by the practice key and the student's order."""
    from ..exercises import _verdict_parts

    letter, problem = _read(ex, answer)
    if problem is not None:
        return ExerciseResult("wrong", clip(f"could not read the answer: {problem}"), answer)
    practice = _practice_letter(ex, letter, p)
    if _verdict_parts(ex.id, practice)[0]:
        return ExerciseResult("correct", "", answer)
    label = f"chose {ex.options[ex.letters.index(practice)].label}"
    return ExerciseResult("wrong", f"recognised mistake: {label}", answer, label)


def recognised(ex, answer, p):
    """The name of the known mistake ``answer`` is, for the numbers ``p``, or ""."""
    value, problem = _read(ex, answer)
    if problem is not None:
        return ""
    values = value if ex.kind == "pair" else (value,)
    for m in ex.known_mistakes(p):
        if m.part < len(values) and _close(values[m.part], m.value, ex.tolerance):
            return m.name
    return ""


class Verdict:
    """Checks one hand-in's recorded answers against its own variant's."""

    def __init__(self, grader, student):
        self.grader, self.student = grader, student
        self.params = grader.params(student)
        self.expected = grader.expected(student)
        self.copied = {}

    def __call__(self, xid, answer, problem):
        ex = catalogue.entry(xid)
        if problem:
            return ExerciseResult("wrong", clip(f"could not read the answer: {problem}"), answer)
        if ex.kind == "choice":
            return choice_result(ex, answer, self.params[xid])
        if matches(ex, answer, self.expected[xid]):
            return ExerciseResult("correct", "", answer)
        if not ex.shared_answers:
            other = self.grader.owner_of(ex, answer, exclude=self.student)
            if other:
                self.copied[xid] = other
                return ExerciseResult("wrong", f"matches the variant of {other}, not this "
                                               "student's", answer, "answer of another student's variant")
        name = recognised(ex, answer, self.params[xid])
        if name:
            return ExerciseResult("wrong", clip(f"recognised mistake: {name}"), answer, name)
        return ExerciseResult("wrong", clip(f"{short(answer)} is not within the tolerance of "
                                            f"this variant's {_short(self.expected[xid])}"), answer)

    def finish(self, results):
        if not self.copied:
            return results, []
        who = ", ".join(sorted(set(self.copied.values())))
        order = catalogue.ids()
        note = (f"answers match another student's variant ({who}) in "
                + ", ".join(sorted(self.copied, key=order.index)) + ": the hand-in scores 0")
        out = {x: (r._replace(status="wrong", reason=note) if r.status == "correct" else r)
               for x, r in results.items()}
        return out, [note]


def _short(x):
    if isinstance(x, tuple):
        return "(" + ", ".join(f"{v:.6g}" for v in x) + ")"
    return f"{x:.6g}" if isinstance(x, float) else str(x)


# Cyrillic and Greek letters drawn like Latin ones (a few of Unicode's confusables): enough
# to name a look-alike in the refusal; the refusal itself needs no table (ids match exactly)
_LATIN_LOOK = str.maketrans("аеорсухѕіјԁһӏνοαтмкв" "АЕОРСХЅІЈНКМТВΑΒΕΖΗΙΚΜΝΟΡΤΧΥ",
                            "aeopcyxsijdhlvoatmkb" "AEOPCXSIJHKMTBABEZHIKMNOPTXY")


def _looks_like(part, roster):
    """The roster id that ``part`` imitates with other scripts' letters or marks, or None."""
    if part.isascii():
        return None
    folded = unicodedata.normalize("NFKD", part.translate(_LATIN_LOOK))
    folded = folded.encode("ascii", "ignore").decode()
    return next((s for s in roster if s.lower() == folded.lower()), None)


class Grader:
    """Binds each hand-in to its student, verifies its variant, recomputes its answers."""

    def __init__(self, secret, roster, names=None, files=()):
        self.secret, self.roster, self.files = secret, list(roster), tuple(files)
        self.names = names or {s: s for s in self.roster}
        self._ids = set(self.roster)
        self._params, self._expected, self._bound = {}, {}, {}
        self._lock = threading.Lock()

    @classmethod
    def from_files(cls, roster_path, secret_path):
        names = variants.read_roster_names(roster_path)
        return cls(variants.read_secret(secret_path), list(names), names,
                   (roster_path, secret_path))

    def params(self, student):
        with self._lock:
            if student not in self._params:
                self._params[student] = variants.params_for(self.secret, student)
            return self._params[student]

    def expected(self, student):
        p = self.params(student)
        with self._lock:
            if student not in self._expected:
                self._expected[student] = variants.expected_answers(p)
            return self._expected[student]

    def owner_of(self, ex, answer, exclude):
        for other in self.roster:
            if other != exclude and matches(ex, answer, self.expected(other)[ex.id]):
                return other
        return None

    # --- binding ----------------------------------------------------------------------------

    def student_of(self, path, root):
        """(student, None) or (None, why the path names no single student)."""
        p = Path(path)
        try:
            parts = p.relative_to(root).parts
        except ValueError:
            parts = p.parts[-1:]
        parts = [*parts[:-1], Path(parts[-1]).stem] if parts else []
        named = sorted({x for x in parts if x in self._ids})
        if len(named) == 1:
            return named[0], None
        if named:
            return None, f"its path names {len(named)} students ({', '.join(named)}); keep it " \
                         "in its student's folder only"
        fake = next(((x, s) for x in parts if (s := _looks_like(x, self.roster))), None)
        why = (f"{fake[0]!r} looks like {fake[1]} but is not a roster id (other characters)"
               if fake else "no folder or file name on its path is a roster id")
        return None, f"its path names no student of the roster: {why}"

    def survey(self, found):
        """Bind every hand-in before any runs; raise ValueError when the secret is wrong.

        ``found`` is ``[(path, root)]`` as ``handins.find_notebooks`` gives.
        """
        owners, carried, verified = {}, 0, 0
        for path, root in found:
            student, why = self.student_of(path, root)
            self._bound[str(path)] = (student, why)
            if student:
                owners.setdefault(student, []).append(path)
            meta = _variant(path)
            if meta is not None:
                carried += 1
                verified += self._verifies(meta)
        for student, paths in owners.items():
            if len(paths) > 1:
                names = ", ".join(Path(p).name for p in paths)
                for p in paths:
                    self._bound[str(p)] = (None, f"{student} has {len(paths)} hand-ins ({names}); "
                                                 "keep one")
        if carried and not verified:
            raise ValueError(f"none of the {carried} hand-ins carrying a variant was made with "
                             "this secret: is --secret the file `variants make` used?")

    def _verifies(self, meta):
        student, params, tag = meta.get("student"), meta.get("params"), meta.get("tag")
        if not (isinstance(student, str) and isinstance(tag, str) and isinstance(params, dict)):
            return False
        return hmac.compare_digest(tag, variants.tag_for(self.secret, student, params))

    def prepare(self, hand_in, path):
        """(student, verdict, notes), or ValueError(reason) to refuse the hand-in."""
        if str(path) not in self._bound:
            raise ValueError("not surveyed: the grader binds hand-ins before it runs them")
        student, why = self._bound[str(path)]
        if student is None:
            raise ValueError(why)
        meta = hand_in.notebook.get("metadata")
        meta = meta.get(variants.METADATA_KEY) if isinstance(meta, dict) else None
        if not isinstance(meta, dict):
            raise ValueError("not a personal variant: its metadata carries no variant")
        carried, params = meta.get("student"), meta.get("params")
        if not isinstance(carried, str) or not isinstance(params, dict):
            raise ValueError("its variant metadata is damaged")
        if carried != student:
            raise ValueError(f"handed in as {student}'s but carries the variant of "
                             f"{clip(carried, 40)!r}")
        if not self._verifies(meta):
            raise ValueError("its variant metadata was altered (the tag does not match)")
        if params != self.params(student):
            raise ValueError("its variant's numbers are not the ones made for its student")
        return student, Verdict(self, student), []


def _variant(path):
    hand_in, refused = read_hand_in(path)
    if refused:
        return None
    meta = hand_in.notebook.get("metadata")
    meta = meta.get(variants.METADATA_KEY) if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else None
