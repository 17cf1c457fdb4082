"""Class grading: run each hand-in in its own sandbox and report per student and exercise.

    python -m momentum_lib.exercises grade submissions/ [--csv grades.csv] [--json grades.json]

**Grading runs the students' code.** Each hand-in runs in its own bubblewrap
sandbox (see ``momentum_lib.exercises.sandbox``): a private copy of that one
notebook, nothing of the teacher's visible, no network, its own processes (all
killed at the end), limits on memory, CPU time, file size and output. Without
bubblewrap, use Docker (README) or ``--no-sandbox`` (a warning is printed).

How a score is collected. Inside the sandbox every ``check(...)`` appends the
answer it read to a record file; after each cell the runner sends the new lines
back through its own pipe; the grader checks them again in its own process.

Which answer counts: **the first deliberate answer per exercise.** A recorded
answer to exN is deliberate unless
  1. it is the untouched placeholder ``None`` (``answer = None``), or
  2. it was passed as the variable ``answer`` while that variable did not hold an
     answer to exN: the last cell assigning ``answer`` failed, or no cell assigned
     ``answer`` since an earlier exercise was checked with it (a check cell placed
     before its answer cell).
Among the deliberate answers to exN, in the order the notebook ran, the first
counts; later ones (scratch checks, loops trying many values) are ignored.

Statuses per exercise: correct, wrong, not answered, no check cell, unreadable
(the hand-in could not be read or was refused), timed out, error; each with a
reason. Any failure of one hand-in becomes a status and a reason on its row;
nothing stops the run over the class. The CSV and JSON files are rewritten
atomically (temporary file + rename) after every hand-in.
"""

import csv
import io
import json
import os
import re
import stat
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from . import sandbox as _sandbox

STATUSES = ("correct", "wrong", "not answered", "no check cell", "unreadable", "timed out", "error")
SYMBOLS = {"correct": "✔", "wrong": "✘", "not answered": "·", "no check cell": "–",
           "unreadable": "?", "timed out": "⧗", "error": "!"}
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

_CHECK_CALL = re.compile(r"""check\(\s*["']\s*(ex\d+)\s*["']""", re.IGNORECASE)
_CHECK_WITH_ANSWER = re.compile(r"""check\(\s*["']\s*(ex\d+)\s*["']\s*,\s*answer\s*\)""",
                                re.IGNORECASE)
_ASSIGNS_ANSWER = re.compile(r"^\s*answer\s*=(?!=)", re.MULTILINE)


class ExerciseResult(NamedTuple):
    status: str
    reason: str = ""
    answer: object = None
    mistake: str = ""


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
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(",;:") + "…"


def display_name(path, root=None):
    """A path shown relative to the folder given, safe to print whatever its bytes."""
    p = Path(path)
    if root is not None:
        try:
            p = p.relative_to(root)
        except ValueError:
            pass
    raw = os.fsencode(str(p))
    return raw.decode("utf-8", errors="replace")


# --- finding hand-ins -------------------------------------------------------------------

def _is_notebook_name(name):
    return os.fsencode(name).lower().endswith(b".ipynb")


def find_notebooks(paths):
    """[(path, root)]: every ``*.ipynb`` (any case) under ``paths``, sorted, checkpoints skipped.

    Entries that are not regular files (FIFOs, folders named like a notebook,
    symbolic links) are returned too, so that they get a row saying why they were
    refused. Symbolic links to folders are not followed.
    """
    found = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            root = p
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
                names = [d for d in dirnames if _is_notebook_name(d)] + filenames
                for name in sorted(names):
                    if _is_notebook_name(name):
                        found.append((Path(dirpath) / name, root))
        else:
            found.append((p, p.parent))
    found.sort(key=lambda pr: os.fsencode(str(pr[0])))
    return found


# --- reading a hand-in --------------------------------------------------------------------

class HandIn(NamedTuple):
    data: bytes
    notebook: dict
    code_cells: list        # [(index from 1, source)]
    notes: list


def _refuse(reason):
    return None, reason


def read_hand_in(path):
    """(HandIn, None) or (None, reason it cannot be graded). Never raises, never blocks."""
    try:
        st = os.lstat(path)
    except OSError as error:
        return _refuse(f"cannot be opened ({error.strerror or type(error).__name__})")
    kind = ("a symbolic link" if stat.S_ISLNK(st.st_mode) else
            "a folder" if stat.S_ISDIR(st.st_mode) else
            "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
            "a device or socket" if not stat.S_ISREG(st.st_mode) else None)
    if kind:
        return _refuse(f"refused: {kind}, not a notebook file")
    if st.st_size > MAX_NOTEBOOK_BYTES:
        return _refuse(f"refused: {st.st_size / 1e6:.0f} MB, larger than the "
                       f"{MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB a notebook may be")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return _refuse("refused: not a regular file")
            chunks, total = [], 0
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                total += len(chunk)
                if total > MAX_NOTEBOOK_BYTES:
                    return _refuse("refused: the file grew while it was read")
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as error:
        return _refuse(f"cannot be read ({error.strerror or type(error).__name__})")
    data = b"".join(chunks)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse("unreadable notebook: not UTF-8 text")
    try:
        nb = json.loads(text)
    except ValueError:
        return _refuse("unreadable notebook: not valid JSON")
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return _refuse("unreadable notebook: no list of cells")
    notes, code = [], []
    for i, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict):
            notes.append(f"cell {i} is not a cell; skipped")
            continue
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            notes.append(f"cell {i}: its source is {type(source).__name__}, not text; skipped")
            continue
        code.append((i, source))
    return HandIn(data, nb, code, notes), None


# --- turning events into results ------------------------------------------------------------

def _answer_of(entry):
    answer = entry.get("answer")
    if isinstance(answer, list):
        answer = tuple(answer)
    return answer


def deliberate_answers(events, code_cells):
    """{exercise: (cell index, record)}: the first deliberate answer per exercise (see module doc)."""
    sources = dict(code_cells)
    chosen, stale = {}, {}
    answer_ok, answer_for = False, None   # does `answer` hold a fresh answer, and for what
    answer_cell = None
    for event in events:
        if event.get("type") not in ("cell", "dead"):
            continue
        index = event.get("index")
        source = sources.get(index, "")
        assigns = bool(_ASSIGNS_ANSWER.search(source))
        if assigns:
            answer_ok = event.get("status") == "ok" or event.get("type") == "dead"
            answer_for, answer_cell = None, index
        uses_answer = {x.lower() for x in _CHECK_WITH_ANSWER.findall(source)}
        for entry in event.get("records") or []:
            if not isinstance(entry, dict) or entry.get("event", "check") != "check":
                continue
            xid = str(entry.get("exercise", ""))[:12]
            if xid in chosen:
                continue
            if entry.get("answer") is None and not entry.get("problem"):
                continue  # the placeholder: not an answer
            if xid in uses_answer:
                if not answer_ok and answer_cell is not None:
                    stale.setdefault(xid, f"its answer cell (cell {answer_cell}) failed, so "
                                          "`answer` did not hold an answer to it")
                    continue
                if answer_for is not None and answer_for != xid:
                    stale.setdefault(xid, f"the check ran before any answer to it was set "
                                          f"(`answer` still held the answer to {answer_for})")
                    continue
                answer_for = xid
            chosen[xid] = (index, entry)
    return chosen, stale


def _solutions(events):
    seen = []
    for event in events:
        for entry in event.get("records") or []:
            if isinstance(entry, dict) and entry.get("event") == "solution":
                xid = str(entry.get("exercise", ""))[:12]
                if xid not in seen:
                    seen.append(xid)
    return seen


def practice_verdict(xid, answer, problem):
    """ExerciseResult for one recorded answer, checked with the practice key."""
    from . import _verdict_parts

    if problem:
        return ExerciseResult("wrong", clip(f"could not read the answer: {problem}"), answer)
    correct, mistakes = _verdict_parts(xid, answer)
    if correct:
        return ExerciseResult("correct", "", answer)
    if mistakes:
        label = first_sentence(mistakes[0])
        return ExerciseResult("wrong", clip(f"recognised mistake: {label}"), answer, label)
    return ExerciseResult("wrong", clip(f"{_short(answer)} is not within the tolerance"), answer)


def first_sentence(text):
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return clip(m.group(1) if m else text, 120)


def _short(answer):
    from . import _answers

    return _answers.describe(answer, 40)


def results_from_events(ids, code_cells, outcome, verdict):
    """Per exercise results, row notes and solutions viewed, from a run's events."""
    events = outcome.events
    notes = []
    chosen, stale = deliberate_answers(events, code_cells)
    blank = {str(r.get("exercise")) for e in events for r in (e.get("records") or [])
             if isinstance(r, dict) and r.get("event", "check") == "check" and r.get("answer") is None}
    present = {}
    for index, source in code_cells:
        for xid in _CHECK_CALL.findall(source):
            present.setdefault(xid.lower(), []).append(index)
    ran = {e.get("index"): e for e in events if e.get("type") == "cell"}
    errors = [i for i, e in ran.items() if e.get("status") == "error"]
    timeouts = [i for i, e in ran.items() if e.get("status") == "timeout"]
    dead = next((e for e in events if e.get("type") == "dead"), None)
    dropped = sum(int(e.get("dropped") or 0) for e in events if isinstance(e.get("dropped"), int))
    if errors:
        notes.append("error in cell " + ", ".join(
            f"{i} ({clip(ran[i].get('ename') or 'error', 40)})" for i in sorted(errors)))
    if timeouts:
        notes.append("timed out (interrupted) in cell " + ", ".join(map(str, sorted(timeouts))))
    if dead:
        notes.append(f"{dead.get('reason', 'stopped')} at cell {dead.get('index')}")
    if outcome.killed:
        notes.append(outcome.killed)
    elif not outcome.ended and not dead:
        notes.append("the run ended early" + (f": {clip(outcome.stderr, 120)}"
                                              if outcome.stderr.strip() else ""))
    if dropped:
        notes.append(f"record file grew too fast; {dropped} bytes ignored")
    results = {}
    for xid in ids:
        if xid in chosen:
            index, entry = chosen[xid]
            try:
                results[xid] = verdict(xid, _answer_of(entry), entry.get("problem"))
            except Exception as error:  # noqa: BLE001
                results[xid] = ExerciseResult("error", f"could not check the answer: "
                                                       f"{type(error).__name__}")
            continue
        cells = present.get(xid)
        if not cells:
            results[xid] = ExerciseResult("no check cell", f"no cell calls check(\"{xid}\", …)")
            continue
        if xid in stale:
            results[xid] = ExerciseResult("not answered", stale[xid])
            continue
        states = [ran.get(i, {}).get("status") for i in cells]
        if "ok" in states:
            results[xid] = ExerciseResult("not answered", "the answer is still None" if xid in blank
                                          else "its check cell ran but recorded no answer "
                                               "(check was redefined or the record file damaged)")
        elif "timeout" in states:
            results[xid] = ExerciseResult("timed out", f"its check cell (cell {cells[0]}) timed out")
        elif "error" in states:
            e = ran[cells[states.index("error")]]
            results[xid] = ExerciseResult("error", clip(f"its check cell (cell {e['index']}) raised "
                                                        f"{e.get('ename') or 'an error'}"))
        elif outcome.killed and "budget" in (outcome.killed or ""):
            results[xid] = ExerciseResult("timed out", "the notebook's time budget ran out before "
                                                       f"its check cell (cell {cells[0]})")
        else:
            why = dead.get("reason") if dead else (outcome.killed or "the run ended early")
            results[xid] = ExerciseResult("error", clip(f"its check cell (cell {cells[0]}) never "
                                                        f"ran: {why}"))
    return results, notes, _solutions(events)


def grade_notebook(path, exercise_ids, *, timeout=60, budget=600, kernel_name="python3",
                   sandbox=True, root=None, verdict=None, limits=None, prepare=None):
    """Run one hand-in and score it; never raises.

    ``prepare(hand_in)`` (graded mode) returns (student, verdict, notes) or raises
    ``ValueError(reason)`` to refuse the hand-in.
    """
    name = display_name(path, root)
    try:
        hand_in, refused = read_hand_in(path)
        if refused:
            return NotebookGrade(name, {x: ExerciseResult("unreadable", refused) for x in exercise_ids},
                                 [refused])
        student, extra = "", []
        verdict = verdict or practice_verdict
        if prepare is not None:
            try:
                student, verdict, extra = prepare(hand_in, path)
            except ValueError as error:
                reason = clip(str(error), 200)
                return NotebookGrade(name, {x: ExerciseResult("error", reason)
                                            for x in exercise_ids}, [reason], [], "")
        outcome = _sandbox.run_hand_in(hand_in.data, "submission.ipynb", hand_in.code_cells,
                                       timeout=timeout, budget=budget, kernel_name=kernel_name,
                                       sandbox=sandbox, limits=limits)
        results, notes, solutions = results_from_events(exercise_ids, hand_in.code_cells,
                                                        outcome, verdict)
        finish = getattr(verdict, "finish", None)
        if finish is not None:
            results, more = finish(results)
            notes = notes + more
        notes = hand_in.notes + extra + notes
        if solutions:
            notes.append("solution shown for " + ", ".join(solutions))
        return NotebookGrade(name, results, notes, solutions, student)
    except Exception as error:  # noqa: BLE001  (one hand-in never stops the class)
        reason = clip(f"grader error: {type(error).__name__}: {error}", 200)
        return NotebookGrade(name, {x: ExerciseResult("error", reason) for x in exercise_ids},
                             [reason])


# --- reports --------------------------------------------------------------------------------

def write_csv(grades, exercise_ids, file):
    """One row per hand-in: file, student, score, out_of, a status per exercise, solutions
    shown, notes, then a reason per exercise."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(["file", "student", "score", "out_of", *exercise_ids, "solutions_shown",
                     "notes", *(f"{x}_reason" for x in exercise_ids)])
    for g in grades:
        writer.writerow([g.path, g.student, g.score, len(exercise_ids),
                         *(g.results[x].status for x in exercise_ids), " ".join(g.solutions),
                         "; ".join(g.notes), *(g.results[x].reason for x in exercise_ids)])


def class_summary(grades, exercise_ids, top=3):
    """Per exercise: how many solved it, answered it, and the most common recognised mistakes."""
    out = []
    for x in exercise_ids:
        rs = [g.results[x] for g in grades]
        counts = Counter(r.status for r in rs)
        mistakes = Counter(r.mistake for r in rs if r.mistake)
        out.append({
            "exercise": x, "solved": counts["correct"], "hand_ins": len(rs),
            "wrong": counts["wrong"],
            "not_answered": counts["not answered"] + counts["no check cell"],
            "other": sum(counts[s] for s in ("unreadable", "timed out", "error")),
            "solution_shown": sum(x in g.solutions for g in grades),
            "common_mistakes": [{"mistake": m, "count": n} for m, n in mistakes.most_common(top)],
        })
    return out


def to_json(grades, exercise_ids):
    return {
        "exercises": list(exercise_ids),
        "statuses": list(STATUSES),
        "hand_ins": [{
            "file": g.path, "student": g.student, "score": g.score, "out_of": len(exercise_ids),
            "notes": g.notes, "solutions_shown": g.solutions,
            "results": {x: {"status": g.results[x].status, "reason": g.results[x].reason,
                            **({"answer": _short(g.results[x].answer)}
                               if g.results[x].answer is not None else {}),
                            **({"mistake": g.results[x].mistake} if g.results[x].mistake else {})}
                        for x in exercise_ids},
        } for g in grades],
        "summary": class_summary(grades, exercise_ids),
    }


def summary_table(grades, exercise_ids):
    """The printed table and, below it, the class summary per exercise."""
    names = [g.path for g in grades]
    width = max([len("hand-in")] + [len(n) for n in names])
    cols = [x.replace("ex", "") for x in exercise_ids]
    head = f"{'hand-in':<{width}}  score  " + " ".join(f"{c:>2}" for c in cols) + "  notes"
    lines = [head, "-" * len(head)]
    for name, g in zip(names, grades):
        marks = " ".join(f"{SYMBOLS[g.results[x].status]:>2}" for x in exercise_ids)
        score = f"{g.score}/{len(exercise_ids)}"
        lines.append(f"{name:<{width}}  {score:>5}  {marks}  {clip('; '.join(g.notes), 200)}".rstrip())
    lines.append("  ".join(f"{SYMBOLS[s]} {s}" for s in STATUSES))
    lines.append("")
    lines.append("Per exercise: solved / hand-ins; most common recognised mistakes")
    for s in class_summary(grades, exercise_ids):
        common = "; ".join(f"{m['count']}× {m['mistake']}" for m in s["common_mistakes"])
        lines.append(f"{s['exercise']:>5}  {s['solved']:>3}/{s['hand_ins']:<3} {common}".rstrip())
    return "\n".join(lines)


def _atomic_write(path, text):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_results(grades, ids, csv_path=None, json_path=None):
    if csv_path:
        buffer = io.StringIO()
        write_csv(grades, ids, buffer)
        _atomic_write(csv_path, buffer.getvalue())
    if json_path:
        _atomic_write(json_path, json.dumps(to_json(grades, ids), indent=1, ensure_ascii=False))


def grade(paths, *, csv_path="grades.csv", json_path=None, timeout=60, budget=600,
          kernel_name="python3", sandbox=True, echo=print, prepare=None, ids=None, limits=None,
          jobs=1):
    """Grade every notebook under ``paths``; rewrite the reports after each; return the grades."""
    from . import exercise_ids as _ids

    ids = list(ids or _ids())
    if sandbox:
        ok, message = _sandbox.self_test()
        if not ok:
            raise RuntimeError(message)
    else:
        echo("WARNING: grading WITHOUT a sandbox: every hand-in runs with your rights and can "
             "read, change or delete your files and the other hand-ins.")
    start = time.monotonic()
    found = find_notebooks(paths)
    done = [None] * len(found)
    lock = threading.Lock()

    def one(i):
        nb_path, root = found[i]
        echo(f"grading {display_name(nb_path, root)} …")
        g = grade_notebook(nb_path, ids, timeout=timeout, budget=budget, kernel_name=kernel_name,
                           sandbox=sandbox, root=root, prepare=prepare, limits=limits)
        with lock:
            done[i] = g
            write_results([d for d in done if d is not None], ids, csv_path, json_path)

    if jobs > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, range(len(found))))
    else:
        for i in range(len(found)):
            one(i)
    grades = [d for d in done if d is not None]
    write_results(grades, ids, csv_path, json_path)
    echo(summary_table(grades, ids))
    written = [p for p in (csv_path, json_path) if p]
    if written:
        echo(f"results written to {', '.join(map(str, written))} "
             f"({len(grades)} hand-ins, {time.monotonic() - start:.0f} s)")
    return grades
