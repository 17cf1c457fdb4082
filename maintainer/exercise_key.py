"""Maintainers only: build the practice answer key from its plain-text spec.

    python maintainer/exercise_key.py build SPEC.json    # rewrite momentum_lib/exercises/key.json
    python maintainer/exercise_key.py verify SPEC.json   # exit 1 unless key.json == build(SPEC)

The spec (answers, known mistakes with their feedback, hints, worked solutions) is
plain JSON that maintainers keep OUTSIDE the repository: the published key holds
only salted hashes and scrambled texts. This script lives outside the package, so
a learner's install (``pip install momentum_lib``) has no command that prints the
key. To edit an exercise: change the spec, run ``build``, run
``pytest tests/test_exercises.py`` (it recomputes every answer from the library and
checks that the new key accepts it), commit key.json, keep the spec safe.
"""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from momentum_lib.exercises import _key  # noqa: E402


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("build", "verify"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, spec_path = argv
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    text = _key.dumps(_key.build(spec))
    if command == "build":
        _key.KEY_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {_key.KEY_PATH}")
        return 0
    same = _key.KEY_PATH.read_text(encoding="utf-8") == text
    print("key.json matches the spec" if same else "key.json differs from the spec")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
