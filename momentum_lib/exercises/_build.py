"""Maintainers: generate the practice key and notebook 08's question cells from the catalogue.

    python -m momentum_lib.exercises._build            # rewrite key.json and 08's question cells
    python -m momentum_lib.exercises._build --check    # exit 1 if either differs from the catalogue

``make exercises`` runs the first and then re-executes notebook 08. The catalogue
(``momentum_lib.exercises.catalogue``) gives each exercise's rules, numbers, question
and answer; the texts that would spoil it (hints, worked solution, feedback on each
known mistake, the keyed option) come from ``maintainer/exercises/<id>.md`` in the
repository, which a learner's install does not contain. Both outputs are
deterministic: the same catalogue and texts give the same bytes.
"""

import argparse
import sys
from pathlib import Path
from typing import NamedTuple

from . import _key, catalogue

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ROOT / "maintainer" / "exercises"
SALT = "4f1c9a7e2b6d8053c1e4a9f27b3d6e10"
ABOUT = ("Answer key of momentum_lib.exercises. Answers are salted hashes of rounded values; texts "
         "are compressed and scrambled so that nobody reads a solution by accident. This hides "
         "spoilers; it is not a secret. Generated from the exercise catalogue and the texts in "
         "maintainer/exercises/ by `make exercises`: do not edit by hand.")


class Texts(NamedTuple):
    """One exercise's spoiler texts, as the maintainers write them."""

    hints: list
    solution: str
    feedback: dict       # mistake name (or option letter) -> feedback
    keyed: str | None    # the right option of a multiple-choice question


def parse_texts(text, where="texts"):
    """The ``Texts`` of one ``maintainer/exercises/<id>.md`` file.

    Sections start with ``## Hint N``, ``## Solution``, ``## Mistake: <name>``,
    ``## Keyed option`` or ``## Option <letter>``; what precedes the first is a preamble.
    """
    sections, head, lines = [], None, []
    for line in text.splitlines():
        if line.startswith("## "):
            if head is not None:
                sections.append((head, "\n".join(lines).strip("\n")))
            head, lines = line[3:].strip(), []
        elif head is not None:
            lines.append(line)
    if head is not None:
        sections.append((head, "\n".join(lines).strip("\n")))
    hints, solution, feedback, keyed = [], None, {}, None
    for head, body in sections:
        if head == f"Hint {len(hints) + 1}":
            hints.append(body)
        elif head == "Solution":
            solution = body
        elif head.startswith("Mistake: "):
            feedback[head[len("Mistake: "):]] = body
        elif head.startswith("Option "):
            feedback[head[len("Option "):]] = body
        elif head == "Keyed option":
            keyed = body.strip()
        else:
            raise ValueError(f"{where}: unknown section '## {head}'")
    if not hints or solution is None:
        raise ValueError(f"{where}: needs '## Hint 1' and '## Solution'")
    return Texts(hints, solution, feedback, keyed)


def read_texts(exercise_id, folder=TEXTS):
    path = Path(folder) / f"{exercise_id}.md"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the texts of {exercise_id} (hints, solution, feedback) "
                                "are missing; see docs/exercises.md")
    return parse_texts(path.read_text(encoding="utf-8"), str(path))


def _mistakes(ex, texts):
    """[{part, value, feedback}] in the catalogue's order, each with its feedback."""
    p = ex.practice
    if ex.kind == "choice":
        if texts.keyed not in ex.letters:
            raise ValueError(f"{ex.id}: '## Keyed option' must be one of {ex.letters}")
        found = [(0, letter, letter) for letter in ex.letters if letter != texts.keyed]
    else:
        found = [(m.part, m.value, m.name) for m in ex.known_mistakes(p)]
    names = [name for _, _, name in found]
    missing = [n for n in names if n not in texts.feedback]
    extra = [n for n in texts.feedback if n not in names]
    if missing or extra:
        raise ValueError(f"{ex.id}: feedback missing for {missing}, or for no known mistake: {extra}")
    return [{"part": part, "value": value, "feedback": texts.feedback[name]}
            for part, value, name in found]


def spec_of(ex, texts):
    """The key builder's spec of one exercise, at the practice numbers."""
    p = ex.practice
    spec = {"id": ex.id, "title": ex.title(p), "kind": ex.kind, "example": ex.example,
            "mistakes": _mistakes(ex, texts), "hints": texts.hints, "solution": texts.solution}
    if ex.kind == "choice":
        spec["choices"], spec["answer"] = ex.letters, texts.keyed
    else:
        spec["tolerance"], spec["tolerance_text"] = ex.tolerance.as_dict(), ex.tolerance.text
        answer = ex.answer(p)
        spec["answer"] = list(answer) if ex.kind == "pair" else answer
    if ex.kind == "pair":
        spec["parts"] = ex.part_labels(p)
    return spec


def key_text(folder=TEXTS):
    """``key.json`` as it must be stored, from the catalogue and the texts in ``folder``."""
    spec = {"salt": SALT, "exercises": [spec_of(ex, read_texts(ex.id, folder))
                                        for ex in catalogue.EXERCISES]}
    return _key.dumps(_key.build(spec, about=ABOUT))


# --- notebook 08's question cells ---------------------------------------------------------------

def _new_cell(kind, cell_id, source):
    import nbformat

    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    return make(source, id=cell_id)


def question_cells(ex):
    """[(kind, id, source)] of ``ex``'s three cells in the practice notebook."""
    stem, answer, check = ex.cell_ids()
    p = ex.practice
    return [("markdown", stem, ex.question(p, practice=True)),
            ("code", answer, ex.answer_cell(p)), ("code", check, ex.check_cell())]


def with_question_cells(nb):
    """(notebook, changed ids): ``nb`` with every exercise's cells as the catalogue makes them.

    Cells of an exercise the catalogue no longer has are removed; a new exercise's three
    cells go right after the previous exercise's check cell. A changed check cell loses
    its output (re-execute the notebook).
    """
    import copy

    nb = copy.deepcopy(nb)
    known = {cid for ex in catalogue.EXERCISES for cid in ex.cell_ids()}
    changed = [c.get("id") for c in nb.cells
               if _is_question_id(c.get("id", "")) and c.get("id") not in known]
    nb.cells = [c for c in nb.cells if c.get("id") not in changed]
    after = None
    for ex in catalogue.EXERCISES:
        index = {c.get("id"): i for i, c in enumerate(nb.cells)}
        present = [cid for cid in ex.cell_ids() if cid in index]
        if present and len(present) != 3:
            raise ValueError(f"notebook has only {present} of {ex.id}'s cells")
        if not present:
            if after is None:
                raise ValueError(f"{ex.id}: the first exercise's cells must already exist")
            at = index[after] + 1
            nb.cells[at:at] = [_new_cell(kind, cid, "") for kind, cid, _ in question_cells(ex)]
            index = {c.get("id"): i for i, c in enumerate(nb.cells)}
        for kind, cid, source in question_cells(ex):
            cell = nb.cells[index[cid]]
            if cell.cell_type != kind:
                raise ValueError(f"cell {cid} must be a {kind} cell")
            if cell.source != source:
                cell.source = source
                if kind == "code":
                    cell.outputs, cell.execution_count = [], None
                changed.append(cid)
        after = ex.cell_ids()[2]
    return nb, changed


def _is_question_id(cell_id):
    head, _, tail = cell_id.partition("-")
    return head.startswith("ex") and head[2:].isdigit() and tail in ("stem", "answer", "check")


NOTEBOOK_PATTERN = "*_exercises.ipynb"


def notebook_path(folder=None):
    """The practice notebook, found by pattern in ``folder`` (default: the checkout's notebooks/)."""
    base = Path(folder) if folder else ROOT / "notebooks"
    found = sorted(base.glob(NOTEBOOK_PATTERN))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one {NOTEBOOK_PATTERN} in {base}; found {len(found)}")
    return found[0]


# --- command line -------------------------------------------------------------------------------

def main(argv=None):
    import nbformat

    from .. import _notebooks

    parser = argparse.ArgumentParser(prog="python -m momentum_lib.exercises._build")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if key.json or 08's cells differ")
    parser.add_argument("--texts", default=str(TEXTS), help="folder of the <id>.md texts")
    args = parser.parse_args(argv)
    key = key_text(args.texts)
    path = notebook_path()
    nb, changed = with_question_cells(nbformat.read(path, as_version=4))
    key_stale = _key.KEY_PATH.read_text(encoding="utf-8") != key
    if args.check:
        for what, stale in (("key.json", key_stale), (f"{path.name}: cells {changed}", changed)):
            print(f"{what}: {'differs from the catalogue' if stale else 'up to date'}")
        return 1 if key_stale or changed else 0
    if key_stale:
        _key.KEY_PATH.write_text(key, encoding="utf-8")
        print(f"wrote {_key.KEY_PATH}")
    if changed:
        path.write_text(_notebooks.dumps(_notebooks.normalise(nb)), encoding="utf-8")
        print(f"wrote {path} (changed cells: {', '.join(changed)}); re-execute it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
