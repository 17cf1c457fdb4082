"""Graded mode: one personal variant of the exercises notebook per student.

    python -m momentum_lib.grading variants secret teacher.secret
    python -m momentum_lib.grading variants make --roster roster.csv --secret teacher.secret --out handout/

Each student gets the same exercises with their own numbers (every exercise whose
catalogue entry draws numbers) and, for the multiple-choice ones, the options in
their own order. The numbers are derived from the teacher's secret and the
student's id (HMAC-SHA256, one stream per exercise, so adding an exercise changes
nobody's other numbers), and the notebook carries them in its metadata with an
HMAC tag over (student id, numbers). The grader (``graded``) recomputes each
student's answers from the catalogue, so no answer key for graded variants exists
anywhere but in the teacher's process.
"""

import csv
import hashlib
import hmac
import json
import os
import random
import re
import secrets
from pathlib import Path

from ..exercises import catalogue
from ..exercises._build import notebook_path

METADATA_KEY = "momentum_variant"
ID_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
CUT_AT = "stem-derivations"      # the practice notebook's cells from here on stay out
INTRO_CELL, SETUP_CELL = "how-exercises-work", "exercises-setup"


# --- the secret and the roster -------------------------------------------------------------------

def new_secret(path):
    """Write a new random secret (64 hex digits) readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")


def read_secret(path):
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ValueError(f"{path}: cannot read the secret ({error.strerror})") from None
    if len(text) < 32:
        raise ValueError(f"{path}: a secret must be at least 32 characters")
    return text.encode("utf-8")


def read_roster_names(path):
    """{student id: name} from a CSV: the column 'id' (else the first), and 'name' if there is one.

    An id is ASCII letters, digits and ``_ . @ -``, starts with a letter or a digit (so
    it is a safe folder name and never ``..``), and differs from every other id even
    ignoring case.
    """
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    except OSError as error:
        raise ValueError(f"{path}: cannot read the roster ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"{path}: not a UTF-8 CSV file ({error})") from None
    if not rows:
        raise ValueError(f"{path}: the roster is empty")
    head = [c.strip().lower() for c in rows[0]]
    col = head.index("id") if "id" in head else 0
    name_col = head.index("name") if "name" in head else None
    body = rows[1:] if "id" in head else rows
    names = {}
    for r in body:
        student = r[col].strip() if len(r) > col else ""
        if not student:
            continue
        if not ID_RULE.fullmatch(student):
            raise ValueError(f"{path}: {student[:40]!r} is not a valid id: ids use ASCII letters, "
                             "digits and _ . @ - and start with a letter or a digit")
        if student.lower() in {s.lower() for s in names}:
            raise ValueError(f"{path}: the id {student!r} appears twice (ignoring case)")
        name = r[name_col].strip() if name_col is not None and len(r) > name_col else ""
        names[student] = name or student
    if not names:
        raise ValueError(f"{path}: the roster has no ids")
    return names


def read_roster(path):
    return list(read_roster_names(path))


# --- the numbers -------------------------------------------------------------------------------

def params_for(secret, student):
    """The student's numbers, {exercise id: params}: deterministic in (secret, student id)."""
    params = {}
    for ex in catalogue.EXERCISES:
        seed = hmac.new(secret, f"params|{student}|{ex.id}".encode(), hashlib.sha256).digest()
        params[ex.id] = ex.variant_params(random.Random(int.from_bytes(seed[:16], "big")))
    return params


def _as_javascript_writes(value):
    """``value`` with every whole float as an int: JupyterLab and JupyterLite hold a notebook
    as JavaScript numbers and save 4.0 as 4, so the tag must not tell them apart."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _as_javascript_writes(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_javascript_writes(v) for v in value]
    return value


def _canonical(student, params):
    return json.dumps({"student": student, "params": _as_javascript_writes(params)},
                      sort_keys=True, separators=(",", ":"))


def tag_for(secret, student, params):
    return hmac.new(secret, _canonical(student, params).encode(), hashlib.sha256).hexdigest()


def expected_answers(params):
    """{exercise: answer} for one variant; None for a multiple-choice one (its key decides)."""
    return {ex.id: (ex.answer(params[ex.id]) if ex.answer else None) for ex in catalogue.EXERCISES}


# --- the personal notebooks --------------------------------------------------------------------

SETUP = ("import numpy as np\n\nimport momentum_lib as ml\n"
         "from momentum_lib import noise, practice, problems, theory\n"
         "from momentum_lib.exercises.recorded import check, hint, solution")


def _intro():
    own = [ex.number for ex in catalogue.EXERCISES if ex.personal]
    return ("## How the exercises work\n\n**Your personal, graded version.** The numbers in "
            f"exercises {_ranges(own)} are yours alone, and the options of the multiple-choice "
            "questions are in your own order. `check` records your answer without saying whether "
            "it is right: your teacher's grader computes that from your numbers. For each "
            "exercise the first answer you check (other than `None`) is the one that counts. Do "
            "not edit this notebook's metadata: it identifies your variant.")


def _ranges(numbers):
    """[1, 2, 6, 7, 8] -> "1, 2 and 6–8"."""
    runs = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    parts = [f"{a}" if a == b else f"{a}, {b}" if b == a + 1 else f"{a}–{b}" for a, b in runs]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def personal_notebook(template, student, params, tag):
    """The practice notebook turned into ``student``'s variant (an nbformat notebook)."""
    import copy

    nb = copy.deepcopy(template)
    replace = {INTRO_CELL: _intro(), SETUP_CELL: SETUP}
    for ex in catalogue.EXERCISES:
        stem, answer, _ = ex.cell_ids()
        replace[stem] = ex.question(params[ex.id])
        replace[answer] = ex.answer_cell(params[ex.id])
    ids = [c.get("id") for c in nb.cells]
    missing = [cid for cid in [*replace, CUT_AT] if cid not in ids]
    if missing:
        raise ValueError(f"the exercises notebook has no cells {missing}: run `make exercises`")
    cells = []
    for cell in nb.cells[: ids.index(CUT_AT)]:
        if cell.get("id") in replace:
            cell.source = replace[cell.id]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    nb.metadata[METADATA_KEY] = {"student": student, "params": params, "tag": tag}
    return nb


def make_class(roster_path, secret_path, out_dir, notebook=None):
    """One folder per student under ``out_dir`` holding their personal notebook."""
    import nbformat

    secret, ids = read_secret(secret_path), read_roster(roster_path)
    source = Path(notebook) if notebook else notebook_path()
    template = nbformat.read(source, as_version=4)
    out = Path(out_dir).resolve()
    made = []
    for student in ids:
        folder = out / student
        if folder.resolve().parent != out:     # ids are checked; this is the last line of defence
            raise ValueError(f"{student!r} would write outside {out}")
        params = params_for(secret, student)
        nb = personal_notebook(template, student, params, tag_for(secret, student, params))
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / source.name))
        made.append(folder / source.name)
    return made


__all__ = ["new_secret", "read_secret", "read_roster", "params_for", "tag_for",
           "expected_answers", "personal_notebook", "make_class"]
