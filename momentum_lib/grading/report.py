"""The grader's reports: CSV, JSON, gradebook files for Canvas and Moodle, the printed table.

Every string a hand-in controls (its file name, what it recorded, the names of its
errors) is neutralised on its way out, following OWASP's guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection):

* ``visible``: control and formatting characters (terminal escapes, newlines, tabs,
  bidirectional overrides) are written as escapes such as ``\\x1b``, so nothing a
  hand-in sends can move the cursor, retitle a terminal or split a row;
* ``cell``: in files a spreadsheet opens (CSV, Canvas, Moodle), a text starting with
  ``=``, ``+``, ``-`` or ``@`` gets a leading ``'``, so it is read as text, never as a
  formula.
"""

import csv
import io
import json
import os
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from .results import STATUSES, clip, short

SYMBOLS = {"correct": "✔", "wrong": "✘", "not answered": "·", "no check cell": "–",
           "unreadable": "?", "timed out": "⧗", "error": "!"}
_FORMULA_START = ("=", "+", "-", "@")


def _escape(ch):
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text):
    """``text`` with every control or formatting character written as an escape."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch == " " or unicodedata.category(ch)[0] not in "CZ" else _escape(ch)
                   for ch in text)


def cell(value):
    """A value for a spreadsheet cell: numbers as they are, text made visible and inert."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = visible(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _writer(file):
    return csv.writer(file, lineterminator="\n")


def _flags(g, ids):
    return "; ".join(f"{x}: {', '.join(g.results[x].flags)}" for x in ids if g.results[x].flags)


def write_csv(grades, ids, file):
    """One row per hand-in: file, student, score, out_of, a status per exercise, solutions
    shown, practice flags, notes, then a reason per exercise."""
    writer = _writer(file)
    writer.writerow(["file", "student", "score", "out_of", *ids, "solutions_shown", "flags",
                     "notes", *(f"{x}_reason" for x in ids)])
    for g in grades:
        writer.writerow([cell(v) for v in (
            g.path, g.student, g.score, len(ids), *(g.results[x].status for x in ids),
            " ".join(g.solutions), _flags(g, ids), "; ".join(g.notes),
            *(g.results[x].reason for x in ids))])


def class_summary(grades, ids, top=3):
    """Per exercise: how many solved it, answered it, and the most common recognised mistakes."""
    out = []
    for x in ids:
        rs = [g.results[x] for g in grades]
        counts = Counter(r.status for r in rs)
        mistakes = Counter(r.mistake for r in rs if r.mistake)
        out.append({
            "exercise": x, "solved": counts["correct"], "hand_ins": len(rs),
            "wrong": counts["wrong"],
            "not_answered": counts["not answered"] + counts["no check cell"],
            "other": sum(counts[s] for s in ("unreadable", "timed out", "error")),
            "solution_shown": sum(x in g.solutions for g in grades),
            "flagged": sum(bool(r.flags) for r in rs),
            "common_mistakes": [{"mistake": visible(m), "count": n}
                                for m, n in mistakes.most_common(top)],
        })
    return out


def _result_json(r):
    out = {"status": r.status, "reason": visible(r.reason)}
    if r.answer is not None:
        out["answer"] = visible(short(r.answer))
    if r.mistake:
        out["mistake"] = visible(r.mistake)
    if r.flags:
        out["flags"] = [visible(f) for f in r.flags]
    return out


def to_json(grades, ids, mode="practice"):
    return {
        "mode": mode,
        "exercises": list(ids),
        "statuses": list(STATUSES),
        "hand_ins": [{
            "file": visible(g.path), "student": visible(g.student), "score": g.score,
            "out_of": len(ids), "notes": [visible(n) for n in g.notes],
            "solutions_shown": [visible(s) for s in g.solutions],
            "results": {x: _result_json(g.results[x]) for x in ids},
        } for g in grades],
        "summary": class_summary(grades, ids),
    }


def summary_lines(grades, ids):
    """The per-exercise summary, one line each: solved share, then the top recognised mistakes."""
    lines = ["Per exercise: solved / hand-ins (share); most common recognised mistakes"]
    for s in class_summary(grades, ids):
        share = f"{100 * s['solved'] / s['hand_ins']:.0f}%" if s["hand_ins"] else "–"
        common = "; ".join(f"{m['count']}× {m['mistake']}" for m in s["common_mistakes"])
        head = f"{s['exercise']:>5} {s['solved']:>3}/{s['hand_ins']:<3} {share:>4}  "
        lines.append((head + clip(common, 100 - len(head))).rstrip())
    return lines


def summary_table(grades, ids, mode="practice"):
    """The printed table (one line per hand-in) and the per-exercise summary below it."""
    names = [visible(g.path) for g in grades]
    width = min(60, max([len("hand-in")] + [len(n) for n in names]))
    cols = [x.replace("ex", "") for x in ids]
    head = f"{'hand-in':<{width}}  score  " + " ".join(f"{c:>2}" for c in cols) + "  notes"
    lines = [head, "-" * len(head)]
    for name, g in zip(names, grades):
        marks = " ".join(f"{SYMBOLS[g.results[x].status]:>2}" for x in ids)
        notes = visible(clip("; ".join(g.notes + ([_flags(g, ids)] if _flags(g, ids) else [])),
                             200))
        lines.append(f"{clip(name, width):<{width}}  {g.score:>2}/{len(ids):<2}  {marks}  "
                     f"{notes}".rstrip())
    lines.append("  ".join(f"{SYMBOLS[s]} {s}" for s in STATUSES))
    if mode == "practice":
        lines.append("Practice mode: the key ships with the library, so these scores are "
                     "feedback, not marks; flags say which answers came after a solution or "
                     "many checks.")
    return "\n".join(lines + [""] + summary_lines(grades, ids))


# --- gradebook files ------------------------------------------------------------------------------

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTITY = "ID number"


def _points(g, ids):
    return [int(g.results[x].status == "correct") for x in ids]


def _by_student(grades, roster):
    """{student: grade} for the hand-ins bound to a roster student."""
    return {g.student: g for g in grades if g.student in roster}


def write_canvas(grades, ids, roster, names, file, assignment="Momentum exercises"):
    """Canvas's gradebook import layout: the five identity columns, one column per exercise
    and one for the total, a "Points Possible" row, then one row per roster student.

    The roster id goes into "SIS Login ID" (Canvas matches students by it); a student
    without a hand-in gets empty cells, which Canvas leaves ungraded.
    """
    writer = _writer(file)
    columns = [f"{assignment}: {x}" for x in ids] + [f"{assignment} (total)"]
    writer.writerow(CANVAS_IDENTITY + columns)
    writer.writerow(["Points Possible", "", "", "", ""] + [1] * len(ids) + [len(ids)])
    done = _by_student(grades, roster)
    for student in roster:
        g = done.get(student)
        points = _points(g, ids) + [g.score] if g else [""] * (len(ids) + 1)
        writer.writerow([cell(names.get(student, student)), "", "", cell(student), ""] + points)


def write_moodle(grades, ids, roster, file, assignment="Momentum exercises"):
    """Moodle's CSV grade import: a header row, an identity column to "Map from" (ID number),
    one column per exercise and one for the total, one row per roster student with a hand-in."""
    writer = _writer(file)
    writer.writerow([MOODLE_IDENTITY] + [f"{assignment}: {x} (Real)" for x in ids]
                    + [f"{assignment} total (Real)"])
    done = _by_student(grades, roster)
    for student in roster:
        if student in done:
            g = done[student]
            writer.writerow([cell(student)] + _points(g, ids) + [g.score])


# --- writing ------------------------------------------------------------------------------------

def atomic_write(path, text):
    """Write ``text`` to ``path`` through a temporary file and a rename (never half a file)."""
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


def _text(write, *args):
    buffer = io.StringIO()
    write(*args, buffer)
    return buffer.getvalue()


def write_results(grades, ids, *, csv_path=None, json_path=None, mode="practice",
                  roster=None, names=None, canvas_path=None, moodle_path=None, summary_path=None):
    """Rewrite every report asked for (each atomically)."""
    if csv_path:
        atomic_write(csv_path, _text(write_csv, grades, ids))
    if json_path:
        atomic_write(json_path, json.dumps(to_json(grades, ids, mode), indent=1,
                                           ensure_ascii=False))
    if summary_path:
        atomic_write(summary_path, "\n".join(summary_lines(grades, ids)) + "\n")
    if roster is not None and canvas_path:
        atomic_write(canvas_path, _text(write_canvas, grades, ids, roster, names or {}))
    if roster is not None and moodle_path:
        atomic_write(moodle_path, _text(write_moodle, grades, ids, roster))
