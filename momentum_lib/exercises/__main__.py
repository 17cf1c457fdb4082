"""Command line for teachers.

    python -m momentum_lib.exercises grade PATH... [--csv grades.csv] [--json grades.json]
    python -m momentum_lib.exercises list
    python -m momentum_lib.exercises variants secret FILE
    python -m momentum_lib.exercises variants make --roster ROSTER.csv --secret FILE --out DIR
    python -m momentum_lib.exercises grade PATH... --roster ROSTER.csv --secret FILE  (graded mode)

Grading runs the students' code, each hand-in in its own bubblewrap sandbox:
see ``momentum_lib.exercises.sandbox``.
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
processes (all killed when it ends), limits on memory, CPU time, file size and
what it can send back. Answers come back through a pipe of that run only and are
checked again here. Without bubblewrap, run this inside Docker (see the README);
--no-sandbox runs the hand-ins with your rights and prints a warning.

With --roster and --secret (graded mode) each hand-in must be the personal
variant made for its student by `variants make`; its answers are recomputed from
that variant's numbers.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m momentum_lib.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="run submitted notebooks in sandboxes; write CSV/JSON reports",
                       description=GRADE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("paths", nargs="+", help="notebooks, or folders searched for *.ipynb (any case)")
    g.add_argument("--csv", default="grades.csv", help="CSV report (default: grades.csv)")
    g.add_argument("--json", default=None, help="JSON report with the class summary (default: "
                                                "the CSV name with .json)")
    g.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    g.add_argument("--budget", type=float, default=600.0,
                   help="seconds per notebook before its sandbox is stopped (default 600)")
    g.add_argument("--memory-mb", type=int, default=3072, help="address space per process (MB)")
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
    args = parser.parse_args(argv)

    if args.command == "grade":
        from . import grading

        prepare = ids = None
        if args.roster or args.secret:
            if not (args.roster and args.secret):
                parser.error("graded mode needs both --roster and --secret")
            from . import variants

            grader = variants.Grader.from_files(args.roster, args.secret)
            prepare, ids = grader.prepare, variants.EXERCISES
        json_path = args.json or (str(args.csv)[:-4] + ".json" if str(args.csv).endswith(".csv")
                                  else str(args.csv) + ".json")
        try:
            grading.grade(args.paths, csv_path=args.csv, json_path=json_path,
                          timeout=args.timeout, budget=args.budget, kernel_name=args.kernel,
                          sandbox=not args.no_sandbox, prepare=prepare, ids=ids,
                          limits={"memory_mb": args.memory_mb}, jobs=max(1, args.jobs))
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    elif args.command == "list":
        from . import _key

        for ex in _key.load()["exercises"]:
            how = ex.get("tolerance_text") or "one of " + ", ".join(ex["choices"])
            print(f"{ex['id']:>5}  {ex['title']}  [{how}]")
    elif args.command == "variants":
        from . import variants

        if args.variants_command == "secret":
            variants.new_secret(args.file)
            print(f"wrote {args.file}: keep it private, it decides every student's numbers")
        else:
            made = variants.make_class(args.roster, args.secret, args.out, args.notebook)
            print(f"wrote {len(made)} notebooks under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
