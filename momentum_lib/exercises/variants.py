"""Graded mode: one personal variant of the exercises notebook per student.

    python -m momentum_lib.exercises variants secret teacher.secret
    python -m momentum_lib.exercises variants make --roster roster.csv --secret teacher.secret --out handout/
    python -m momentum_lib.exercises grade submissions/ --roster roster.csv --secret teacher.secret

Each student gets the same sixteen exercises with their own numbers (gradients,
η, β, λ, κ, noise, …) and, for the multiple-choice ones, the options in their own
order. The numbers are derived from the teacher's secret and the student's id
(HMAC-SHA256), and the notebook carries them in its metadata together with an
HMAC tag over (student id, numbers): a hand-in whose numbers were edited, that
carries another student's variant, or that has no variant is detected. The
grader recomputes each student's expected answers with ``momentum_lib`` from the
variant's numbers, so no answer key for graded variants exists anywhere but in
the teacher's process. In a personal notebook ``check`` only records the answer
(no feedback: there is no key to give it); practice mode is unchanged.

Answer sharing: an answer that is wrong for its student but right for another
student's variant is reported, and the whole hand-in then scores 0 (not for the
multiple-choice ones, nor for ex16, whose answer is one of six listed values that
many variants share: a match there is no evidence).
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

from . import _answers
from .grading import ExerciseResult, clip

EXERCISES = [f"ex{i}" for i in range(1, 17)]
KINDS = {"ex1": "pair", "ex2": "pair", "ex11": "pair", "ex3": "choice", "ex4": "choice",
         "ex5": "choice", "ex10": "choice"}
TOLERANCES = {x: ("rel", 1e-3) for x in EXERCISES}
TOLERANCES.update({"ex2": ("rel", 5e-3), "ex11": ("abs", 5e-4), "ex12": ("abs", 0.05)})
# the option that is right, in the practice notebook's lettering
CORRECT_OPTION = {"ex3": "c", "ex4": "d", "ex5": "a", "ex10": "b"}
# answers picked from a short list shared by many variants: a match with another
# student's variant is no evidence of copying
SHARED_ANSWERS = {"ex16"}
# ex16's learning rates: (1 − β) times these effective learning rates
DIGITS_EFFECTIVE_LRS = (0.16, 0.32, 0.64, 1.28, 2.56, 5.12)
METADATA_KEY = "momentum_variant"
NOTEBOOK_PATTERN = "*_exercises.ipynb"


# --- the secret and the numbers ----------------------------------------------------------

def new_secret(path):
    """Write a new random secret (64 hex digits) readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")


def read_secret(path):
    text = Path(path).read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise ValueError(f"{path}: a secret must be at least 32 characters")
    return text.encode("utf-8")


def read_roster(path):
    """Student ids from a CSV: the column 'id' if there is one, else the first column."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{path}: the roster is empty")
    head = [c.strip().lower() for c in rows[0]]
    col = head.index("id") if "id" in head else 0
    body = rows[1:] if "id" in head else rows
    ids = [r[col].strip() for r in body if len(r) > col and r[col].strip()]
    bad = [i for i in ids if not re.fullmatch(r"[A-Za-z0-9_.@-]{1,64}", i)]
    if bad:
        raise ValueError(f"{path}: ids may use letters, digits and _ . @ - only: {bad[:3]}")
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: an id appears twice")
    return ids


def _grid(rng, lo, hi, step):
    n = int(round((hi - lo) / step))
    return round(lo + step * rng.randint(0, n), 6)


def params_for(secret, student):
    """The student's numbers: deterministic in (secret, student id)."""
    seed = hmac.new(secret, f"params|{student}".encode(), hashlib.sha256).digest()
    rng = random.Random(int.from_bytes(seed[:16], "big"))
    p = {}
    grads = sorted((_grid(rng, 0.1, 0.8, 0.05) for _ in range(4)), reverse=True)
    p["ex1"] = {"lr": rng.choice([0.05, 0.1, 0.2]), "beta": _grid(rng, 0.8, 0.95, 0.01),
                "grads": grads + [-_grid(rng, 0.05, 0.3, 0.05)]}
    p["ex2"] = {"beta": _grid(rng, 0.8, 0.95, 0.01), "t1": rng.randint(5, 15),
                "t2": rng.randint(30, 60)}
    p["ex6"] = {"beta": _grid(rng, 0.8, 0.95, 0.01), "lam": _grid(rng, 1.5, 8.0, 0.5)}
    p["ex7"] = {"kappa": rng.randint(10, 400)}
    p["ex8"] = {"lr": _grid(rng, 0.01, 0.2, 0.005),
                "beta": rng.choice([0.8, 0.85, 0.9, 0.95, 0.98, 0.99])}
    p["ex9"] = {"lr": _grid(rng, 0.01, 0.1, 0.005), "mu": _grid(rng, 0.8, 0.95, 0.01),
                "grads": [_grid(rng, 0.1, 0.9, 0.05) for _ in range(3)]}
    p["ex11"] = {"lr": rng.choice([0.5, 0.75, 1.0, 1.25, 1.5]), "beta": _grid(rng, 0.85, 0.95, 0.01)}
    p["ex12"] = {"beta": _grid(rng, 0.8, 0.99, 0.001)}
    for x in ("ex3", "ex4", "ex5", "ex10"):
        letters = list("abc" if x == "ex10" else "abcd")
        rng.shuffle(letters)
        p[x] = {"order": letters}   # the practice options, in this student's order
    # notebooks 06 and 07 (drawn after the others, so that ex1–ex12 keep their numbers)
    p["ex13"] = {"lr": _grid(rng, 0.05, 0.5, 0.01),
                 "beta": rng.choice([0.8, 0.85, 0.9, 0.95, 0.98, 0.99])}
    p["ex14"] = {"lam": _grid(rng, 1.0, 4.0, 0.5), "sigma": _grid(rng, 0.2, 1.0, 0.1),
                 "lr": _grid(rng, 0.01, 0.1, 0.01), "beta": rng.choice([0.8, 0.85, 0.9, 0.95])}
    p["ex15"] = {"eff": _grid(rng, 2.5, 12.0, 0.1)}
    beta = rng.choice([0.8, 0.85, 0.9, 0.95])
    p["ex16"] = {"beta": beta, "epochs": rng.choice([2, 3, 4]),
                 "lrs": [round((1 - beta) * e, 6) for e in DIGITS_EFFECTIVE_LRS]}
    return p


def _canonical(student, params):
    return json.dumps({"student": student, "params": params}, sort_keys=True,
                      separators=(",", ":"))


def tag_for(secret, student, params):
    return hmac.new(secret, _canonical(student, params).encode(), hashlib.sha256).hexdigest()


# --- the expected answers, recomputed with momentum_lib ------------------------------------------

def expected_answers(params):
    """{exercise: answer} for one variant (numbers, pairs, or the letter of the right option)."""
    import momentum_lib as ml
    import numpy as np

    from momentum_lib import frameworks, noise, practice, problems, theory

    a = {}
    q = params["ex1"]
    t = ml.trace_table(q["grads"], lr=q["lr"], beta=q["beta"])
    a["ex1"] = (float(-q["lr"] * t.g[-1]), float(t.dw[-1]))
    q = params["ex2"]
    a["ex2"] = (float(theory.past_gradient_weights(q["beta"], q["t1"])[0]),
                float(theory.past_gradient_weights(q["beta"], q["t2"])[0]))
    q = params["ex6"]
    a["ex6"] = float(theory.max_stable_lr(q["beta"], q["lam"]))
    a["ex7"] = float(theory.optimal_parameters(float(params["ex7"]["kappa"])).beta)
    q = params["ex8"]
    a["ex8"] = float(frameworks.ema_lr_to_pytorch_lr(q["lr"], q["beta"]))
    q = params["ex9"]
    t = ml.trace_table(q["grads"], lr=q["lr"], beta=q["mu"], convention="pytorch")
    a["ex9"] = float(-q["lr"] * t.v[-1])
    q = params["ex11"]
    p = problems.parabola()
    a["ex11"] = tuple(float(ml.run(p.grad, p.w0, 50, lr=q["lr"], beta=q["beta"], method=m).w.min())
                      for m in ("momentum", "nesterov"))
    a["ex12"] = float(theory.half_life(params["ex12"]["beta"]))
    q = params["ex13"]
    a["ex13"] = float(q["lr"] / noise.effective_lr(1.0, q["beta"]))
    q = params["ex14"]
    a["ex14"] = float(noise.stationary_variance(q["lr"], q["beta"], q["lam"], q["sigma"]))
    a["ex15"] = float(practice.smallest_stable_beta(params["ex15"]["eff"], 1.0))
    q = params["ex16"]
    lrs = np.array(q["lrs"])
    val = practice.train_settings(_digits_task(), lrs, q["beta"], epochs=q["epochs"]).val_loss[-1]
    a["ex16"] = float(lrs[np.nanargmin(val)])
    for x, right in CORRECT_OPTION.items():
        a[x] = "abcd"[params[x]["order"].index(right)]
    return a


_DIGITS = []


def _digits_task():
    """The digits task of notebook 07, made once per process."""
    if not _DIGITS:
        from momentum_lib import practice

        _DIGITS.append(practice.digits_task())
    return _DIGITS[0]


def _close(x, a, tol):
    mode, t = tol
    return abs(x - a) <= (t if mode == "abs" else t * abs(a))


def matches(xid, answer, expected):
    """Is ``answer`` (as recorded) right for ``expected``? Never raises."""
    kind = KINDS.get(xid, "number")
    if kind == "choice":
        value, problem = _answers.read_choice(answer, list("abcd")[: 3 if xid == "ex10" else 4])
        return problem is None and value == expected
    if kind == "pair":
        value, problem = _answers.read_pair(answer)
        return problem is None and all(_close(v, e, TOLERANCES[xid]) for v, e in zip(value, expected))
    value, problem = _answers.read_number(answer)
    return problem is None and _close(value, expected, TOLERANCES[xid])


# --- the personal notebooks --------------------------------------------------------------------

def find_exercises_notebook(start=None):
    """The practice notebook, found by pattern (its number may change)."""
    base = Path(start) if start else Path(__file__).resolve().parents[2] / "notebooks"
    found = sorted(base.glob(NOTEBOOK_PATTERN))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one {NOTEBOOK_PATTERN} in {base}; found {len(found)}")
    return found[0]


def _fmt(x):
    return f"{x:g}"


STEMS = {
    "ex1": lambda q: (
        "### Exercise 1 · Step 5: vanilla SGD against momentum\n\n"
        f"w₀ = 0, v₀ = 0, learning rate η = {_fmt(q['lr'])}, β = {_fmt(q['beta'])} in the EMA form "
        "(v ← βv + (1−β)∇J, w ← w − η·v), gradients "
        + ", ".join(_fmt(g) for g in q["grads"]) + ".\n\n"
        "What is the weight change Δw at step 5 for **vanilla SGD** (Δw = −η·∇J with the same η) and "
        "for **momentum** (Δw = −η·v₅, after the velocity update)?\n\n"
        "Answer with a pair, signs included: `answer = (SGD step, momentum step)`."),
    "ex2": lambda q: (
        "### Exercise 2 · How long does momentum remember?\n\n"
        "In the EMA form the velocity at step t is a weighted sum of all gradients so far. For "
        f"β = {_fmt(q['beta'])}, what weight does the **step-1 gradient** carry inside the velocity at "
        f"step {q['t1']}, and at step {q['t2']}?\n\n"
        f"Answer with a pair: `answer = (weight at step {q['t1']}, weight at step {q['t2']})`."),
    "ex6": lambda q: (
        "### Exercise 6 · The edge of stability\n\n"
        "In Polyak's form (step α, momentum β), heavy ball on a quadratic with curvature λ converges "
        f"exactly when 0 < αλ < 2 + 2β. For **β = {_fmt(q['beta'])}** and curvature "
        f"**λ = {_fmt(q['lam'])}**, momentum in the **EMA form** (the `lr` of `ml.run`) converges for "
        "every learning rate below an edge value and for none at or above it. What is that edge?"),
    "ex7": lambda q: (
        "### Exercise 7 · The best β for a valley\n\n"
        f"A quadratic valley's condition number is **κ = {q['kappa']}**. With the learning rate chosen "
        "best for it, which β makes heavy ball converge fastest?"),
    "ex8": lambda q: (
        "### Exercise 8 · Translating a learning rate to PyTorch\n\n"
        f"You tuned **η = {_fmt(q['lr'])} with β = {_fmt(q['beta'])} in the EMA form**. Which learning "
        f"rate makes PyTorch's `torch.optim.SGD(params, lr=?, momentum={_fmt(q['beta'])})` follow "
        "exactly the same path?"),
    "ex9": lambda q: (
        "### Exercise 9 · Keras's momentum variable\n\n"
        f"PyTorch `SGD(lr={_fmt(q['lr'])}, momentum={_fmt(q['mu'])})` and Keras "
        f"`SGD(learning_rate={_fmt(q['lr'])}, momentum={_fmt(q['mu'])})` see the same gradients "
        + ", ".join(_fmt(g) for g in q["grads"]) + " on one scalar weight and take identical steps. "
        "PyTorch stores b (b ← μb + g, w ← w − η·b); Keras stores m (m ← μm − η·g, w ← w + m). "
        "What is Keras's **m after step 3**?"),
    "ex11": lambda q: (
        "### Exercise 11 · Measure: how far past the minimum?\n\n"
        f"On the parabola J(w) = ½w² (`problems.parabola()`, w₀ = 1) with **η = {_fmt(q['lr'])} and "
        f"β = {_fmt(q['beta'])}** in the EMA form, run momentum and NAG for 50 steps with `ml.run` "
        "and report the lowest w each reaches.\n\n"
        "Answer with a pair: `answer = (momentum's lowest w, NAG's lowest w)`."),
    "ex12": lambda q: (
        "### Exercise 12 · The half-life of the velocity's memory\n\n"
        f"For **β = {_fmt(q['beta'])}**, after how many steps has a gradient's weight inside the "
        "velocity halved? Give the exact value (a real number, not rounded to whole steps)."),
    "ex13": lambda q: (
        "### Exercise 13 · Switching momentum on without changing the effective step\n\n"
        f"You train with plain mini-batch SGD at **η = {_fmt(q['lr'])}** and like where it ends up. Now "
        f"you switch on momentum with **β = {_fmt(q['beta'])} in the PyTorch form** (b ← βb + g, "
        "w ← w − η·b, as in `torch.optim.SGD`). Which η keeps the long-run, noise-dominated behaviour "
        "the same, that is, gives the same effective learning rate?"),
    "ex14": lambda q: (
        "### Exercise 14 · The noise floor\n\n"
        f"Heavy ball in the **PyTorch form** on J(w) = ½λw² with **λ = {_fmt(q['lam'])}** sees the "
        "gradients λw + σξ, with ξ ~ N(0, 1) independent at every step and "
        f"**σ = {_fmt(q['sigma'])}**. With **η = {_fmt(q['lr'])} and β = {_fmt(q['beta'])}**, what is "
        "the long-run (stationary) variance of w?"),
    "ex15": lambda q: (
        "### Exercise 15 · Where momentum helps at a fixed effective η\n\n"
        "Take a quadratic whose largest curvature is λ = 1, and fix the effective learning rate "
        f"**η/(1 − β) = {_fmt(q['eff'])}** (PyTorch form, so η = {_fmt(q['eff'])}·(1 − β)). Plain SGD "
        "(β = 0) needs η·λ < 2 and is unstable there; heavy ball is stable when 0 < η·λ < 2(1 + β). "
        "Above which β is heavy ball stable at this effective learning rate? Give the edge value."),
    "ex16": lambda q: (
        "### Exercise 16 · Tune η for momentum on the digits network\n\n"
        f"Notebook 07's network, `task = practice.digits_task()`. Train momentum with "
        f"**β = {_fmt(q['beta'])}** (PyTorch form) for **{q['epochs']} epochs** at the six learning "
        "rates η ∈ {" + ", ".join(_fmt(x) for x in q["lrs"]) + "} in one call, "
        f"`practice.train_settings(task, etas, {_fmt(q['beta'])}, epochs={q['epochs']})` with `etas` "
        "a numpy array, and read the validation losses after the last epoch, `.val_loss[-1]` (one "
        "per η). Which η gives the lowest validation loss?"),
}

_OPTION = re.compile(r"^\* \*\*\(([a-d])\)\*\* ", re.MULTILINE)


def _shuffle_options(source, order):
    """Markdown with its option bullets re-lettered in ``order`` (old letters, new positions)."""
    starts = [m.start() for m in _OPTION.finditer(source)]
    if len(starts) != len(order):
        raise ValueError("the options of a multiple-choice exercise could not be found")
    head, bullets = source[: starts[0]], []
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(source)
        bullets.append(source[s:end].rstrip("\n"))
    by_letter = {_OPTION.match(b).group(1): _OPTION.sub("", b, count=1) for b in bullets}
    lines = [f"* **({'abcd'[i]})** {by_letter[old]}" for i, old in enumerate(order)]
    return head + "\n".join(lines)


SETUP = ("import momentum_lib as ml\nfrom momentum_lib import noise, practice, problems, theory\n"
         "from momentum_lib.exercises.variants import check, hint, solution\n")
INTRO = ("**Your personal, graded version.** The numbers in exercises 1, 2, 6–9 and 11–16 are "
         "yours alone, and the options of the multiple-choice questions are in your own order. "
         "`check` records your answer without saying whether it is right: your teacher's grader "
         "computes that from your numbers. For each exercise the first answer you check (other "
         "than `None`) is the one that counts. Do not edit this notebook's metadata: it identifies "
         "your variant.")


def personal_notebook(template, student, params, tag):
    """The practice notebook turned into ``student``'s variant (an nbformat notebook)."""
    import copy

    import nbformat

    nb = copy.deepcopy(template)
    cells = []
    for cell in nb.cells:
        src = cell.source
        m = re.match(r"### Exercise (\d+) ", src) if cell.cell_type == "markdown" else None
        if m and f"ex{m.group(1)}" in STEMS:
            cell.source = STEMS[f"ex{m.group(1)}"](params[f"ex{m.group(1)}"])
        elif m and f"ex{m.group(1)}" in CORRECT_OPTION:
            cell.source = _shuffle_options(src, params[f"ex{m.group(1)}"]["order"])
        if cell.cell_type == "markdown" and src.startswith(("## The facts the questions use",
                                                            "## For teachers")):
            break  # the worked facts, the teachers' section and what follows stay out
        if cell.cell_type == "markdown" and src.startswith("## How the exercises work"):
            cell.source = "## How the exercises work\n\n" + INTRO
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if "from momentum_lib.exercises import check" in cell.source:
                cell.source = SETUP + "".join(
                    line + "\n" for line in cell.source.splitlines()
                    if not line.startswith(("import momentum_lib", "from momentum_lib import",
                                            "from momentum_lib.exercises import",
                                            "for ex_id", "    print(f\"{ex_id")))
        cells.append(cell)
    nb.cells = cells
    nb.metadata[METADATA_KEY] = {"student": student, "params": params, "tag": tag}
    return nb


def make_class(roster_path, secret_path, out_dir, notebook=None):
    """One folder per student under ``out_dir`` holding their personal notebook."""
    import nbformat

    secret, ids = read_secret(secret_path), read_roster(roster_path)
    source = Path(notebook) if notebook else find_exercises_notebook()
    template = nbformat.read(source, as_version=4)
    made = []
    for student in ids:
        params = params_for(secret, student)
        nb = personal_notebook(template, student, params, tag_for(secret, student, params))
        folder = Path(out_dir) / student
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / source.name
        nbformat.write(nb, str(path))
        made.append(path)
    return made


# --- in the student's kernel: record, do not judge ------------------------------------------------

class Recorded:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def check(exercise_id=None, answer=None, **extra):
    """Graded mode: record ``answer`` for the teacher's grader; say what was read."""
    from . import _record

    xid = exercise_id.strip().lower() if isinstance(exercise_id, str) else None
    if extra or xid not in EXERCISES:
        return Recorded('Call it as `check("ex6", answer)`: the exercise id first, then your answer.')
    kind = KINDS.get(xid, "number")
    if kind == "choice":
        value, problem = _answers.read_choice(answer, list("abc" if xid == "ex10" else "abcd"))
    elif kind == "pair":
        value, problem = _answers.read_pair(answer)
    else:
        value, problem = _answers.read_number(answer)
    if problem == "blank":
        _record(xid, None, None)
        return Recorded(f"… {xid}: not answered yet (replace `answer = None` with your answer).")
    if problem:
        _record(xid, None, problem)
        return Recorded(f"? {xid}: {problem}. Only your first answer counts: fix it before checking.")
    _record(xid, list(value) if isinstance(value, tuple) else value, None)
    return Recorded(f"✎ {xid}: recorded {_answers.describe(value)}. Your teacher's grader checks it; "
                    "the first answer you check is the one that counts.")


def hint(exercise_id=None, *args, **kwargs):
    return Recorded("Hints are switched off in your graded version; the practice notebook has them.")


def solution(exercise_id=None, *args, **kwargs):
    return Recorded("Solutions are switched off in your graded version.")


# --- in the teacher's grader ------------------------------------------------------------------

class _Verdict:
    def __init__(self, grader, student, expected):
        self.grader, self.student, self.expected = grader, student, expected
        self.copied = {}

    def __call__(self, xid, answer, problem):
        if problem:
            return ExerciseResult("wrong", clip(f"could not read the answer: {problem}"), answer)
        if matches(xid, answer, self.expected[xid]):
            return ExerciseResult("correct", "", answer)
        if KINDS.get(xid) != "choice" and xid not in SHARED_ANSWERS:
            other = self.grader.owner_of(xid, answer, exclude=self.student)
            if other:
                self.copied[xid] = other
                return ExerciseResult("wrong", f"matches the variant of {other}, not this student's",
                                      answer, "answer of another student's variant")
        return ExerciseResult("wrong", clip(f"{_answers.describe(answer)} is not within the "
                                            f"tolerance of this variant's {_short(self.expected[xid])}"),
                              answer)

    def finish(self, results):
        if not self.copied:
            return results, []
        who = ", ".join(sorted(set(self.copied.values())))
        note = (f"answers match another student's variant ({who}) in "
                + ", ".join(sorted(self.copied, key=EXERCISES.index)) + ": the hand-in scores 0")
        out = {x: (ExerciseResult("wrong", note, r.answer, r.mistake) if r.status == "correct" else r)
               for x, r in results.items()}
        return out, [note]


def _short(x):
    if isinstance(x, tuple):
        return "(" + ", ".join(f"{v:.6g}" for v in x) + ")"
    return f"{x:.6g}" if isinstance(x, float) else str(x)


class Grader:
    """Verifies each hand-in's variant and recomputes its expected answers."""

    def __init__(self, secret, roster):
        self.secret, self.roster = secret, list(roster)
        self.seen = {}
        self._expected = {}
        import threading

        self._lock = threading.Lock()

    @classmethod
    def from_files(cls, roster_path, secret_path):
        return cls(read_secret(secret_path), read_roster(roster_path))

    def expected(self, student):
        if student not in self._expected:
            answers = expected_answers(params_for(self.secret, student))
            self._expected.setdefault(student, answers)
        return self._expected[student]

    def owner_of(self, xid, answer, exclude):
        for other in self.roster:
            if other != exclude and matches(xid, answer, self.expected(other)[xid]):
                return other
        return None

    def _student_from_path(self, path):
        parts = [p for p in Path(path).parts] + [Path(path).stem]
        hits = {p for p in parts if p in self.roster}
        return hits.pop() if len(hits) == 1 else None

    def prepare(self, hand_in, path):
        """(student, verdict, notes) or ValueError(reason)."""
        meta = hand_in.notebook.get("metadata")
        meta = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
        if not isinstance(meta, dict):
            raise ValueError("not a personal variant: its metadata carries no variant")
        student, params, tag = meta.get("student"), meta.get("params"), meta.get("tag")
        if not isinstance(student, str) or not isinstance(tag, str) or not isinstance(params, dict):
            raise ValueError("its variant metadata is damaged")
        if student not in self.roster:
            raise ValueError(f"its variant is for {clip(student, 40)!r}, who is not in the roster")
        if not hmac.compare_digest(tag, tag_for(self.secret, student, params)):
            raise ValueError("its variant metadata was altered (the tag does not match)")
        if params != params_for(self.secret, student):
            raise ValueError("its variant's numbers are not the ones made for its student")
        owner = self._student_from_path(path)
        if owner is not None and owner != student:
            raise ValueError(f"handed in as {owner}'s but carries the variant of {student}")
        with self._lock:
            if student in self.seen:
                raise ValueError(f"a second hand-in with {student}'s variant "
                                 f"(the first: {self.seen[student]})")
            self.seen[student] = str(path)
        notes = [] if owner else ["student identified by the variant only (not by the file's path)"]
        return student, _Verdict(self, student, self.expected(student)), notes


__all__ = ["params_for", "tag_for", "expected_answers", "make_class", "Grader", "check"]
