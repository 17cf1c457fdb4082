"""Class grading: run each hand-in in its own sandbox and report per student and exercise.

**Grading runs the students' code.** Each hand-in runs in its own bubblewrap
sandbox (``sandbox``) inside its own control group (``caps``): a private copy of
that one notebook, nothing of the teacher's visible, no network, its own processes
(all killed at the end), caps on processes, memory, CPU, file size and output.

How a score is collected. Inside the sandbox every ``check(...)`` appends the answer
it read to a record file; after each cell the runner sends the new lines back
through its own pipe; the grader checks them again in its own process (``results``
says which answer counts).

Statuses per exercise: correct, wrong, not answered, no check cell, unreadable (the
hand-in could not be read or was refused), timed out, error; each with a reason. Any
failure of one hand-in becomes a status and a reason on its row; nothing stops the
run over the class. The reports are rewritten atomically after every hand-in, so an
interrupted run (Ctrl-C) keeps every row that was finished.
"""

import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from . import report, sandbox as _sandbox
from .handins import display_name, find_notebooks, read_hand_in
from .results import ExerciseResult, NotebookGrade, clip, practice_verdict, results_from_events


def _refused(name, ids, reason, status="unreadable"):
    return NotebookGrade(name, {x: ExerciseResult(status, reason) for x in ids}, [reason])


def grade_notebook(path, exercise_ids, *, timeout=60, budget=600, kernel_name="python3",
                   sandbox=True, root=None, verdict=None, limits=None, prepare=None,
                   caps_kind=None):
    """Run one hand-in and score it; never raises (but KeyboardInterrupt).

    ``prepare(hand_in, path)`` (graded mode) returns (student, verdict, notes) or
    raises ``ValueError(reason)`` to refuse the hand-in.
    """
    name = display_name(path, root)
    try:
        hand_in, refused = read_hand_in(path)
        if refused:
            return _refused(name, exercise_ids, refused)
        student, extra, practice = "", [], prepare is None
        verdict = verdict or practice_verdict
        if prepare is not None:
            try:
                student, verdict, extra = prepare(hand_in, path)
            except ValueError as error:
                return _refused(name, exercise_ids, clip(str(error), 200), "error")
        outcome = _sandbox.run_hand_in(hand_in.data, "submission.ipynb", hand_in.code_cells,
                                       timeout=timeout, budget=budget, kernel_name=kernel_name,
                                       sandbox=sandbox, limits=limits, caps_kind=caps_kind)
        results, notes, solutions = results_from_events(exercise_ids, hand_in.code_cells,
                                                        outcome, verdict, practice)
        finish = getattr(verdict, "finish", None)
        if finish is not None:
            results, more = finish(results)
            notes = notes + more
        notes = hand_in.notes + extra + notes
        if solutions:
            notes.append("solution shown for " + ", ".join(solutions))
        return NotebookGrade(name, results, notes, solutions, student)
    except Exception as error:  # noqa: BLE001  (one hand-in never stops the class)
        return _refused(name, exercise_ids, clip(f"grader error: {type(error).__name__}: {error}",
                                                 200), "error")


def check_sandbox(sandbox, echo):
    """The caps this machine gives (``caps.plan()`` kind); raises RuntimeError without a sandbox."""
    from . import caps

    if not sandbox:
        echo("WARNING: grading WITHOUT a sandbox: every hand-in runs with your rights and can "
             "read, change or delete your files and the other hand-ins.")
        return None
    ok, message = _sandbox.self_test()
    if not ok:
        raise RuntimeError(message)
    kind, why = caps.plan()
    if kind in ("nproc", "none"):
        echo(f"WARNING: {why}.")
    return kind


def _run_all(found, one, jobs):
    """Call ``one(i)`` for every hand-in, ``jobs`` at a time; on Ctrl-C stop every run at once."""
    if jobs <= 1:
        for i in range(len(found)):
            one(i)
        return
    pool = ThreadPoolExecutor(max_workers=jobs)
    pending = {pool.submit(one, i) for i in range(len(found))}
    try:
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in done:
                f.result()
    except BaseException:
        for f in pending:
            f.cancel()
        _sandbox.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def check_private(files, sandbox):
    """Raise RuntimeError if a teacher's file lies inside what every sandbox mounts."""
    if not sandbox:
        return
    for f in files:
        mounted = f and _sandbox.exposed(f)
        if mounted:
            raise RuntimeError(f"{f} is inside {mounted}, which every sandbox can read: move it "
                               "out of there (and out of the Python environment and momentum_lib)")


def grade(paths, *, csv_path="grades.csv", json_path=None, timeout=60, budget=600,
          kernel_name="python3", sandbox=True, echo=print, grader=None, ids=None, limits=None,
          jobs=1, gradebook=None):
    """Grade every notebook under ``paths``; rewrite the reports after each; return the grades.

    ``grader`` (graded mode, a ``graded.Grader``) binds each hand-in to its student and
    checks it against that student's variant. ``gradebook`` is ``{"canvas": path,
    "moodle": path}`` (graded mode). Raises RuntimeError, before anything runs, when the
    sandbox cannot start, a teacher's file is visible inside it, or the secret is wrong.
    On Ctrl-C every run in progress is stopped, the reports keep every finished row, and
    KeyboardInterrupt propagates.
    """
    from ..exercises.catalogue import ids as catalogue_ids

    ids = list(ids or catalogue_ids())
    mode = "practice" if grader is None else "graded"
    check_private([csv_path, json_path, *(gradebook or {}).values(),
                   *(grader.files if grader else ())], sandbox)
    caps_kind = check_sandbox(sandbox, echo)
    _sandbox.resume()
    start = time.monotonic()
    found = find_notebooks(paths)
    prepare = None
    if grader is not None:
        try:
            grader.survey(found)
        except ValueError as error:
            raise RuntimeError(str(error)) from None
        prepare = grader.prepare
    done = [None] * len(found)
    lock = threading.Lock()
    book = dict(gradebook or {})
    if grader is not None:
        book.update(roster=grader.roster, names=grader.names)
    summary_path = str(csv_path)[:-4] + "-summary.txt" if str(csv_path).endswith(".csv") else None

    def write():
        report.write_results([d for d in done if d is not None], ids, csv_path=csv_path,
                             json_path=json_path, mode=mode, roster=book.get("roster"),
                             names=book.get("names"), canvas_path=book.get("canvas"),
                             moodle_path=book.get("moodle"),
                             summary_path=summary_path if csv_path else None)

    def one(i):
        nb_path, root = found[i]
        echo(f"grading {report.visible(display_name(nb_path, root))} …")
        g = grade_notebook(nb_path, ids, timeout=timeout, budget=budget, kernel_name=kernel_name,
                           sandbox=sandbox, root=root, prepare=prepare, limits=limits,
                           caps_kind=caps_kind)
        with lock:
            done[i] = g
            write()

    try:
        _run_all(found, one, jobs)
    finally:
        with lock:
            write()
    grades = [d for d in done if d is not None]
    echo(report.summary_table(grades, ids, mode))
    written = [str(p) for p in (csv_path, json_path, summary_path if csv_path else None,
                                book.get("canvas"), book.get("moodle")) if p]
    if written:
        echo(f"results written to {', '.join(written)} "
             f"({len(grades)} hand-ins, {time.monotonic() - start:.0f} s)")
    return grades
