"""From what a hand-in's run recorded to one status and reason per exercise.

Which answer counts: **the first deliberate answer per exercise.** A recorded
answer to exN is deliberate unless
  1. it is the untouched placeholder ``None`` (``answer = None``), or
  2. it was passed as the variable ``answer`` while that variable did not hold an
     answer to exN: the last cell assigning ``answer`` failed, or no cell assigned
     ``answer`` since an earlier exercise was checked with it (a check cell placed
     before its answer cell).
Among the deliberate answers to exN, in the order the notebook ran, the first
counts; later ones (scratch checks, loops trying many values) are ignored.

Everything recorded comes from the hand-in and may be forged: each cell's source is
scanned once, with patterns that run in time linear in its length, and every record
costs a constant amount of work, so no hand-in can make this step slow.
"""

import re
from collections import Counter
from typing import NamedTuple

from .handins import MAX_CELL_CHARS

STATUSES = ("correct", "wrong", "not answered", "no check cell", "unreadable", "timed out", "error")
ATTEMPTS_FLAG = 3   # in practice mode, this many checks of one exercise are flagged

_CHECK_CALL = re.compile(r"""check\(\s*["']\s*(ex\d{1,3})\s*["']""", re.IGNORECASE)
_CHECK_WITH_ANSWER = re.compile(r"""check\(\s*["']\s*(ex\d{1,3})\s*["']\s*,\s*answer\s*\)""",
                                re.IGNORECASE)
_ASSIGNS_ANSWER = re.compile(r"^[ \t]*answer[ \t]*=(?!=)", re.MULTILINE)


class ExerciseResult(NamedTuple):
    status: str
    reason: str = ""
    answer: object = None
    mistake: str = ""
    flags: tuple = ()


class NotebookGrade(NamedTuple):
    """One hand-in: ``results`` maps exercise id -> ExerciseResult."""

    path: str
    results: dict
    notes: list
    solutions: list = []
    student: str = ""

    @property
    def score(self):
        return sum(r.status == "correct" for r in self.results.values())


def clip(text, limit=160):
    """``text`` shortened to at most ``limit`` characters at a word boundary."""
    text = " ".join(str(text)[: 4 * limit].split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(",;:") + "…"


def short(answer, limit=40):
    from ..exercises._answers import describe

    return describe(answer, limit)


class CellFacts(NamedTuple):
    assigns: bool           # a line `answer = …`
    uses_answer: frozenset  # exercises checked with the variable `answer`
    checks: tuple           # exercises this cell calls check for


def cell_facts(code_cells):
    """{index: CellFacts}, each cell scanned once (its first MAX_CELL_CHARS characters)."""
    facts = {}
    for index, source in code_cells:
        head = source[:MAX_CELL_CHARS]
        facts[index] = CellFacts(bool(_ASSIGNS_ANSWER.search(head)),
                                 frozenset(x.lower() for x in _CHECK_WITH_ANSWER.findall(head)),
                                 tuple(dict.fromkeys(x.lower() for x in _CHECK_CALL.findall(head))))
    return facts


_NO_FACTS = CellFacts(False, frozenset(), ())


def _records(event, kind=None):
    """(exercise, record) for the records of one event, of one ``kind`` or all, in order."""
    if event.get("type") not in ("cell", "dead"):
        return
    for entry in event.get("records") or []:
        if isinstance(entry, dict) and (kind is None or entry.get("event", "check") == kind):
            yield str(entry.get("exercise", ""))[:12], entry


def deliberate_answers(events, code_cells, facts=None):
    """({exercise: (cell index, record, position)}, {exercise: why a check did not count})."""
    facts = facts if facts is not None else cell_facts(code_cells)
    chosen, stale = {}, {}
    answer_ok, answer_for, answer_cell = False, None, None   # what `answer` holds, and since when
    position = 0
    for event in events:
        if event.get("type") not in ("cell", "dead"):
            continue
        index = event.get("index")
        f = facts.get(index, _NO_FACTS) if isinstance(index, int) else _NO_FACTS
        if f.assigns:
            answer_ok = event.get("status") == "ok" or event.get("type") == "dead"
            answer_for, answer_cell = None, index
        for xid, entry in _records(event, "check"):
            position += 1
            if xid in chosen or (entry.get("answer") is None and not entry.get("problem")):
                continue  # already counted, or the placeholder
            if xid in f.uses_answer:
                if not answer_ok and answer_cell is not None:
                    stale.setdefault(xid, f"its answer cell (cell {answer_cell}) failed, so "
                                          "`answer` did not hold an answer to it")
                    continue
                if answer_for is not None and answer_for != xid:
                    stale.setdefault(xid, f"the check ran before any answer to it was set "
                                          f"(`answer` still held the answer to {answer_for})")
                    continue
                answer_for = xid
            chosen[xid] = (index, entry, position)
    return chosen, stale


def record_counts(events, ids):
    """(solutions in the order first shown, {exercise: checks recorded before its first
    solution}, Counter of answered checks per exercise, exercises whose check recorded None).

    Positions count check records in the order ``deliberate_answers`` counts them.
    """
    known = set(ids)
    solutions, first_solution, checks, blank = [], {}, Counter(), set()
    position = 0
    for event in events:
        for xid, entry in _records(event):
            kind = entry.get("event", "check")
            if kind == "check":
                position += 1
            if xid not in known:
                continue
            if kind == "solution" and xid not in first_solution:
                first_solution[xid] = position
                solutions.append(xid)
            elif kind == "check" and entry.get("answer") is None:
                blank.add(xid)
            elif kind == "check":
                checks[xid] += 1
    return solutions, first_solution, checks, blank


def practice_flags(xid, position, first_solution, checks):
    """What a teacher should know about a practice answer: seen the solution, many tries."""
    flags = []
    if xid in first_solution and first_solution[xid] < position:
        flags.append("answered after its solution was shown")
    if checks[xid] >= ATTEMPTS_FLAG:
        flags.append(f"checked {checks[xid]} times")
    return tuple(flags)


def practice_verdict(xid, answer, problem):
    """ExerciseResult for one recorded answer, checked with the practice key."""
    from ..exercises import _verdict_parts
    from ..exercises.catalogue import entry

    if problem:
        return ExerciseResult("wrong", clip(f"could not read the answer: {problem}"), answer)
    correct, mistakes = _verdict_parts(xid, answer)
    if correct:
        return ExerciseResult("correct", "", answer)
    if mistakes:
        ex = entry(xid)
        if ex.kind == "choice":
            letter = str(answer).strip().lower().strip("()[]").rstrip(").:").strip()
            label = f"chose ({letter}): {ex.options[ex.letters.index(letter)].label}"
        else:
            label = ex.known_mistakes(ex.practice)[mistakes[0]].name
        return ExerciseResult("wrong", clip(f"recognised mistake: {label}"), answer, label)
    return ExerciseResult("wrong", clip(f"{short(answer)} is not within the tolerance"), answer)


def _run_notes(outcome, ran, dead):
    notes = []
    errors = [i for i, e in ran.items() if e.get("status") == "error"]
    timeouts = [i for i, e in ran.items() if e.get("status") == "timeout"]
    dropped = sum(e["dropped"] for e in outcome.events if type(e.get("dropped")) is int)
    if errors:
        shown = sorted(errors)[:10]
        notes.append("error in cell " + ", ".join(
            f"{i} ({clip(ran[i].get('ename') or 'error', 40)})" for i in shown)
            + (f" and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""))
    if timeouts:
        notes.append("timed out (interrupted) in cell " + ", ".join(map(str, sorted(timeouts)[:10])))
    if dead:
        notes.append(clip(f"{dead.get('reason', 'stopped')} at cell {dead.get('index')}", 120))
    if outcome.killed:
        notes.append(outcome.killed)
    elif not outcome.ended and not dead:
        notes.append("the run ended early" + (f": {clip(outcome.stderr, 120)}"
                                              if outcome.stderr.strip() else ""))
    notes += list(getattr(outcome, "caps_notes", []))
    if dropped:
        notes.append(f"record file grew too fast; {dropped} bytes ignored")
    return notes


def _unanswered(xid, cells, ran, stale, blank, outcome, dead):
    """The result of an exercise with no deliberate answer: why there is none."""
    if not cells:
        return ExerciseResult("no check cell", f"no cell calls check(\"{xid}\", …)")
    if xid in stale:
        return ExerciseResult("not answered", stale[xid])
    states = [ran.get(i, {}).get("status") for i in cells]
    if "ok" in states:
        return ExerciseResult("not answered", "the answer is still None" if xid in blank
                              else "its check cell ran but recorded no answer "
                                   "(check was redefined or the record file damaged)")
    if "timeout" in states:
        return ExerciseResult("timed out", f"its check cell (cell {cells[0]}) timed out")
    if "error" in states:
        e = ran[cells[states.index("error")]]
        return ExerciseResult("error", clip(f"its check cell (cell {e['index']}) raised "
                                            f"{e.get('ename') or 'an error'}"))
    if outcome.killed and "budget" in outcome.killed:
        return ExerciseResult("timed out", "the notebook's time budget ran out before "
                                           f"its check cell (cell {cells[0]})")
    why = dead.get("reason") if dead else (outcome.killed or "the run ended early")
    return ExerciseResult("error", clip(f"its check cell (cell {cells[0]}) never ran: {why}"))


def results_from_events(ids, code_cells, outcome, verdict, practice=False):
    """Per exercise results, row notes and solutions viewed, from a run's events."""
    events = outcome.events
    facts = cell_facts(code_cells)
    chosen, stale = deliberate_answers(events, code_cells, facts)
    solutions, first_solution, checks, blank = record_counts(events, ids)
    present = {}
    for index, f in facts.items():
        for xid in f.checks:
            present.setdefault(xid, []).append(index)
    ran = {e.get("index"): e for e in events if e.get("type") == "cell"}
    dead = next((e for e in events if e.get("type") == "dead"), None)
    results = {}
    for xid in ids:
        if xid not in chosen:
            results[xid] = _unanswered(xid, present.get(xid), ran, stale, blank, outcome, dead)
            continue
        _, entry, position = chosen[xid]
        answer = entry.get("answer")
        answer = tuple(answer) if isinstance(answer, list) else answer
        try:
            result = verdict(xid, answer, entry.get("problem"))
        except Exception as error:  # noqa: BLE001  (one answer never stops the row)
            result = ExerciseResult("error", f"could not check the answer: {type(error).__name__}")
        if practice:
            result = result._replace(flags=practice_flags(xid, position, first_solution, checks))
        results[xid] = result
    return results, _run_notes(outcome, ran, dead), solutions
