"""Command line for teachers (see docs/grading.md).

    python -m momentum_lib.grading grade PATH... [--csv grades.csv] [--json grades.json]
    python -m momentum_lib.grading list
    python -m momentum_lib.grading variants secret FILE
    python -m momentum_lib.grading variants make --roster ROSTER.csv --secret FILE --out DIR
    python -m momentum_lib.grading grade PATH... --roster ROSTER.csv --secret FILE  (graded mode)

Every mistake of the teacher's (a missing file, a wrong secret, a bad roster id) is
one line on standard error and exit status 2; Ctrl-C stops a run at once with exit
status 130, the reports holding every hand-in that was finished.
"""

import argparse
import sys

GRADE_HELP = """\
Runs every submitted notebook and reports, per student and exercise, a status
(correct, wrong, not answered, no check cell, unreadable, timed out, error) and
the reason; the first deliberate answer per exercise counts.

GRADING RUNS THE STUDENTS' CODE. Each hand-in runs in its own bubblewrap sandbox:
a private copy of that one notebook in an empty home, your files and the other
hand-ins not visible, the system and Python read-only, no network, its own
processes (all killed when it ends), caps on processes, memory, CPU, file size and
what it can send back. Answers come back through a pipe of that run only and are
checked again here. Without bubblewrap, run this inside Docker (docs/grading.md);
--no-sandbox runs the hand-ins with your rights and prints a warning.

With --roster and --secret (graded mode) each hand-in must be the personal
variant made for its student by `variants make`, in a folder named by the
student's id; its answers are recomputed from that variant's numbers, and
gradebook files for Canvas and Moodle are written beside the CSV.
"""


def _parser():
    parser = argparse.ArgumentParser(prog="python -m momentum_lib.grading")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="run submitted notebooks in sandboxes; write the reports",
                       description=GRADE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("paths", nargs="+", help="notebooks, or folders searched for *.ipynb (any case)")
    g.add_argument("--csv", default="grades.csv", help="CSV report (default: grades.csv)")
    g.add_argument("--json", default=None, help="JSON report with the class summary (default: "
                                                "the CSV name with .json)")
    g.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    g.add_argument("--budget", type=float, default=600.0,
                   help="seconds per notebook before its sandbox is stopped (default 600)")
    g.add_argument("--memory-mb", type=int, default=3072,
                   help="memory of one hand-in, and address space of each of its processes (MB)")
    g.add_argument("--processes", type=int, default=512,
                   help="processes and threads one hand-in may have at once (default 512)")
    g.add_argument("--kernel", default="python3", help="kernel name (default python3)")
    g.add_argument("--jobs", type=int, default=1, help="hand-ins graded at once (default 1)")
    g.add_argument("--no-sandbox", action="store_true",
                   help="run hand-ins WITHOUT isolation, with your rights (prints a warning)")
    g.add_argument("--roster", help="graded mode: CSV of student ids (column 'id' or the first)")
    g.add_argument("--secret", help="graded mode: the teacher's secret file")
    sub.add_parser("list", help="list the exercises and their tolerances")
    v = sub.add_parser("variants", help="graded mode: personal notebooks per student")
    vsub = v.add_subparsers(dest="variants_command", required=True)
    vs = vsub.add_parser("secret", help="create the teacher's secret file (keep it private)")
    vs.add_argument("file")
    vm = vsub.add_parser("make", help="one personal notebook per student in the roster")
    vm.add_argument("--roster", required=True)
    vm.add_argument("--secret", required=True)
    vm.add_argument("--out", required=True, help="folder: one sub-folder per student")
    vm.add_argument("--notebook", default=None, help="the exercises notebook (default: found "
                                                     "as notebooks/*_exercises.ipynb)")
    return parser


def _report_paths(csv_path, json_path):
    stem = str(csv_path)[:-4] if str(csv_path).endswith(".csv") else str(csv_path)
    return json_path or stem + ".json", stem + "-canvas.csv", stem + "-moodle.csv"


def _grade(args, parser):
    from . import run

    grader = None
    if args.roster or args.secret:
        if not (args.roster and args.secret):
            parser.error("graded mode needs both --roster and --secret")
        from .graded import Grader

        grader = Grader.from_files(args.roster, args.secret)
    json_path, canvas, moodle = _report_paths(args.csv, args.json)
    run.grade(args.paths, csv_path=args.csv, json_path=json_path, timeout=args.timeout,
              budget=args.budget, kernel_name=args.kernel, sandbox=not args.no_sandbox,
              grader=grader, limits={"memory_mb": args.memory_mb, "processes": args.processes},
              jobs=max(1, args.jobs),
              gradebook={"canvas": canvas, "moodle": moodle} if grader else None)


def _variants(args):
    from . import variants

    if args.variants_command == "secret":
        variants.new_secret(args.file)
        print(f"wrote {args.file}: keep it private, it decides every student's numbers")
    else:
        made = variants.make_class(args.roster, args.secret, args.out, args.notebook)
        print(f"wrote {len(made)} notebooks under {args.out}")


def _list():
    from ..exercises import catalogue

    for ex in catalogue.EXERCISES:
        how = ex.tolerance.text if ex.tolerance else "one of " + ", ".join(ex.letters)
        print(f"{ex.id:>5}  {ex.title(ex.practice)}  [{how}]")


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "grade":
            _grade(args, parser)
        elif args.command == "list":
            _list()
        else:
            _variants(args)
    except KeyboardInterrupt:
        print("interrupted: every hand-in run was stopped; the reports hold the finished ones",
              file=sys.stderr)
        return 130
    except (RuntimeError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
