"""Command line: grading for teachers, key editing for maintainers.

    python -m momentum_lib.exercises grade PATH... [--csv grades.csv] [--timeout 30]
    python -m momentum_lib.exercises list
    python -m momentum_lib.exercises key-export SPEC.json   # plain text: keep it outside the repo
    python -m momentum_lib.exercises key-build SPEC.json    # rewrite key.json from SPEC.json

Grading runs the students' code: see ``momentum_lib.exercises.grading`` for how
to contain it (container or VM, unprivileged user, no network, timeouts).
"""

import argparse
import json
import sys

from . import _key


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m momentum_lib.exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="run submitted notebooks and write a score table")
    g.add_argument("paths", nargs="+", help="notebooks, or folders searched for *.ipynb")
    g.add_argument("--csv", default="grades.csv", help="CSV output (default: grades.csv)")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    g.add_argument("--budget", type=float, default=300.0,
                   help="seconds per notebook before it is stopped (default 300)")
    g.add_argument("--kernel", default="python3", help="kernel name (default python3)")
    sub.add_parser("list", help="list the exercises and their tolerances")
    e = sub.add_parser("key-export", help="write the key as an editable plain-text spec")
    e.add_argument("spec")
    b = sub.add_parser("key-build", help="rebuild key.json from a plain-text spec")
    b.add_argument("spec")
    args = parser.parse_args(argv)

    if args.command == "grade":
        from .grading import grade

        grade(args.paths, csv_path=args.csv, timeout=args.timeout, budget=args.budget,
              kernel_name=args.kernel)
    elif args.command == "list":
        for ex in _key.load()["exercises"]:
            how = ex.get("tolerance_text") or "one of " + ", ".join(ex["choices"])
            print(f"{ex['id']:>5}  {ex['title']}  [{how}]")
    elif args.command == "key-export":
        with open(args.spec, "w", encoding="utf-8") as f:
            json.dump(_key.export(_key.load()), f, indent=1, ensure_ascii=False)
        print(f"wrote {args.spec}: it contains the answers, keep it out of the repository")
    elif args.command == "key-build":
        with open(args.spec, encoding="utf-8") as f:
            spec = json.load(f)
        _key.KEY_PATH.write_text(_key.dumps(_key.build(spec)), encoding="utf-8")
        print(f"wrote {_key.KEY_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
