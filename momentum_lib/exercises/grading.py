"""Class grading: run each submitted notebook in a fresh kernel and score its checks.

    python -m momentum_lib.exercises grade submissions/ [--csv grades.csv] [--timeout 30]

How a score is collected. The grader starts a fresh kernel per notebook with the
environment variable ``MOMENTUM_EXERCISES_RECORD`` naming a temporary file. Every
``check(...)`` the notebook runs appends the answer it read (as JSON) to that
file. After the run the grader checks the last recorded answer of each exercise
again, in its own process, with the same key. So a score is what the student's
own check cells showed, no output parsing is involved, and a kernel that dies or
hangs keeps what it recorded before.

Cells run one at a time with ``allow_errors``: a cell that raises is noted (cells
are counted from 1, markdown included, as in the notebook file) and the next one
runs. When the cell assigning ``answer`` fails, ``answer`` still holds the previous
exercise's value, so the check that follows is not scored (and is noted). A cell that exceeds the per-cell timeout is interrupted (noted, and
the run goes on); a notebook that exceeds its total time budget, or whose kernel
dies, stops there and keeps what it earned. A file that is not a notebook scores
0 and is reported. Nothing stops the run over the whole class.

Safety: grading executes the students' code with the grader's rights, as nbgrader
does. Run it in a container or a virtual machine, as an unprivileged user,
without network access (e.g. ``docker run --network none --user 1000 ...``), and
keep the timeouts. Never grade on a machine holding secrets.
"""

import csv
import io
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

_CHECK_CALL = re.compile(r"""check\(\s*["'](ex\d+)["']""")


class NotebookGrade(NamedTuple):
    """One submission's result: per exercise 'correct', 'wrong', 'blank' or 'missing'."""

    path: str
    results: dict
    notes: list

    @property
    def score(self):
        return sum(r == "correct" for r in self.results.values())


def find_notebooks(paths):
    """The .ipynb files named by ``paths`` (files, or folders searched recursively), sorted."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            found.append(p)
    return found


def _recorded(path):
    """Last recorded answer per exercise from the record file."""
    answers = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return answers
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            answers[str(entry["exercise"])] = (entry.get("answer"), entry.get("problem"))
        except Exception:
            continue  # a line damaged by a crash or by student code is skipped
    return answers


def _regrade(exercise_id, recorded):
    """Check a recorded answer again, in the grader's own process."""
    from . import check

    answer, problem = recorded
    if answer is None:
        return "wrong" if problem else "blank"  # unreadable counts as answered, and wrong
    if isinstance(answer, list):
        answer = tuple(answer)
    return "correct" if check(exercise_id, answer).correct else "wrong"


_ASSIGNS_ANSWER = re.compile(r"^\s*answer\s*=", re.MULTILINE)


def _count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


def _run(nb, path, timeout, budget, record, kernel_name):
    """Execute ``nb`` cell by cell.

    Returns (notes, stale): ``stale`` holds the exercises whose check ran after the
    cell meant to set ``answer`` had failed, so that ``answer`` still held the
    previous exercise's value; those are not scored.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    import logging

    notes, errors, timed_out, stale = [], [], [], set()
    last_reply = {}
    client = NotebookClient(
        nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"cell exceeded {timeout} s",
                          "traceback": []},
        kernel_name=kernel_name, record_timing=False, iopub_timeout=2,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    client.log = logging.getLogger("momentum_lib.exercises.grading.nbclient")
    client.log.setLevel(logging.CRITICAL)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: last_reply.update(
        reply=execute_reply)
    env = dict(os.environ, **{"MOMENTUM_EXERCISES_RECORD": str(record)})
    start, index, answer_failed = time.monotonic(), -1, False
    try:
        with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):
            for index, cell in enumerate(nb.cells):
                if cell.get("cell_type") != "code":
                    continue
                if time.monotonic() - start > budget:
                    notes.append(f"stopped at cell {index + 1}: notebook exceeded {budget:g} s")
                    break
                last_reply.clear()
                before = _count_lines(record)
                client.execute_cell(cell, index)
                content = (last_reply.get("reply") or {}).get("content", {})
                failed = True
                if content.get("ename") == "CellTimeout":
                    timed_out.append(index + 1)
                elif content.get("status") == "error" or any(
                    o.get("output_type") == "error" for o in cell.get("outputs", [])
                ):
                    errors.append(index + 1)
                else:
                    failed = False
                source = cell.get("source", "")
                if _ASSIGNS_ANSWER.search(source):
                    answer_failed = failed
                if _count_lines(record) > before:
                    if answer_failed:
                        stale.update(_CHECK_CALL.findall(source))
                    answer_failed = False
    except DeadKernelError:
        notes.append(f"kernel died at cell {index + 1}")
    except Exception as error:  # a broken kernel or client must not stop the class run
        notes.append(f"execution stopped: {type(error).__name__}: {str(error)[:80]}")
    if timed_out:
        notes.insert(0, f"timed out (> {timeout:g} s, interrupted) in cell "
                        + ", ".join(map(str, timed_out)))
    if errors:
        notes.insert(0, f"error in cell {', '.join(map(str, errors))}")
    return notes, stale


def grade_notebook(path, exercise_ids, *, timeout=30, budget=300, kernel_name="python3"):
    """Run one submission and score it; never raises."""
    import nbformat

    path = Path(path)
    results = {x: "blank" for x in exercise_ids}
    try:
        nb = nbformat.read(path, as_version=4)
        nb.cells  # noqa: B018  (an object without cells is not a notebook)
    except Exception as error:
        kind = ("not valid JSON" if type(error).__name__ in ("NotJSONError", "JSONDecodeError")
                else f"{type(error).__name__}: {str(error)[:60]}")
        return NotebookGrade(str(path), {x: "missing" for x in exercise_ids},
                             [f"unreadable notebook ({kind}): scored 0"])
    present = set()
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            present.update(_CHECK_CALL.findall(cell.get("source", "")))
    fd, record = tempfile.mkstemp(prefix="momentum-grade-", suffix=".jsonl")
    os.close(fd)
    try:
        notes, stale = _run(nb, path, timeout, budget, record, kernel_name)
        answers = _recorded(record)
    finally:
        os.unlink(record)
    for x in exercise_ids:
        if x in stale:
            results[x] = "blank"
        elif x in answers:
            results[x] = _regrade(x, answers[x])
        elif x not in present:
            results[x] = "missing"
    if stale:
        notes.append("not scored, its answer cell failed: "
                     + ", ".join(x for x in exercise_ids if x in stale))
    missing = [x for x in exercise_ids if results[x] == "missing"]
    if missing:
        notes.append("no check cell for " + ", ".join(missing))
    return NotebookGrade(str(path), results, notes)


_MARK = {"correct": "1", "wrong": "0", "blank": "", "missing": ""}


def write_csv(grades, exercise_ids, file):
    """One row per notebook: file, score, out_of, one column per exercise (1, 0, or
    empty when not answered), notes."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(["file", "score", "out_of", *exercise_ids, "notes"])
    for g in grades:
        writer.writerow([g.path, g.score, len(exercise_ids),
                         *(_MARK[g.results[x]] for x in exercise_ids), "; ".join(g.notes)])


def summary_table(grades, exercise_ids):
    """The printed table: ✔ correct, ✘ wrong, · not answered, – no check cell."""
    symbol = {"correct": "✔", "wrong": "✘", "blank": "·", "missing": "–"}
    names = [Path(g.path).name for g in grades]
    width = max([len("notebook")] + [len(n) for n in names])
    cols = [x.replace("ex", "") for x in exercise_ids]
    head = f"{'notebook':<{width}}  score  " + " ".join(f"{c:>2}" for c in cols) + "  notes"
    lines = [head, "-" * len(head)]
    for name, g in zip(names, grades):
        marks = " ".join(f"{symbol[g.results[x]]:>2}" for x in exercise_ids)
        score = f"{g.score}/{len(exercise_ids)}"
        lines.append(f"{name:<{width}}  {score:>5}  {marks}  {'; '.join(g.notes)}".rstrip())
    lines.append("✔ correct  ✘ wrong  · not answered  – no check cell")
    return "\n".join(lines)


def grade(paths, *, csv_path="grades.csv", timeout=30, budget=300, kernel_name="python3",
          echo=print):
    """Grade every notebook under ``paths``; write ``csv_path``; return the grades."""
    from . import exercise_ids as _ids

    ids = _ids()
    notebooks = find_notebooks(paths)
    grades = []
    for nb_path in notebooks:
        echo(f"grading {nb_path} …")
        grades.append(grade_notebook(nb_path, ids, timeout=timeout, budget=budget,
                                     kernel_name=kernel_name))
    buffer = io.StringIO()
    write_csv(grades, ids, buffer)
    if csv_path:
        Path(csv_path).write_text(buffer.getvalue(), encoding="utf-8")
    echo(summary_table(grades, ids))
    if csv_path:
        echo(f"scores written to {csv_path}")
    return grades
