"""The answer key: salted hashes of rounded answers, and lightly hidden texts.

How a numeric answer is stored
------------------------------
Each exercise has a tolerance, absolute (|x − a| ≤ tol) or relative
(|x − a| ≤ tol·|a|). The answer a is snapped to a grid ten times finer than the
tolerance and only the grid index k is kept, hashed with a salt:

    abs:  k = round(a / q),              q = tol / 10,   grid value k·q
    rel:  k = round(ln|a| / ln(1 + r)),  r = tol / 10,   grid value ±(1 + r)^k

    token = "k" (abs) or "+k" / "-k" (rel);  stored = sha256(salt|id|part|token)

To check a learner's x, every grid index within tolerance of x (about twenty of
them) is hashed; x is accepted when one of them is stored *and* x lies within the
tolerance of that grid value. So the tolerance holds exactly around the answer
rounded to a tenth of the tolerance, and no printable form of the answer is kept.
Known wrong answers ("targeted mistakes") are stored the same way, each with the
feedback it deserves. Multiple-choice answers are hashed letters.

Texts (hints, feedback, worked solutions) are zlib-compressed, XOR-ed with a keystream derived from the salt and
base64-encoded: unreadable by accident, not secret. Anyone determined can call
``reveal`` or simply try all the letters; this protects learners from spoilers,
not the key from a determined reader.

The key is generated, byte for byte reproducibly, from the exercise catalogue and
the maintainers' texts (``momentum_lib.exercises._build``, run by ``make
exercises``); it does not carry them. Graded classes do not use this key for their
numeric answers: see ``momentum_lib.grading.variants``.
"""

import base64
import hashlib
import json
import math
import zlib
from pathlib import Path

KEY_PATH = Path(__file__).with_name("key.json")
GRID = 10  # grid points per tolerance width: the answer is kept to tol/GRID
HASH_CHARS = 24


# --- hashing ---------------------------------------------------------------------

def digest(salt, exercise_id, part, token):
    text = f"{salt}|{exercise_id}|{part}|{token}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


def _rel_step(tol):
    return math.log1p(tol / GRID)


def token_of(value, tolerance):
    """The grid token of an exact answer (used when building the key)."""
    mode, tol = tolerance["mode"], tolerance["tol"]
    if mode == "abs":
        return str(round(value / (tol / GRID)))
    if value == 0:
        raise ValueError("a relative tolerance cannot hold an answer of 0; use mode 'abs'")
    sign = "+" if value > 0 else "-"
    return f"{sign}{round(math.log(abs(value)) / _rel_step(tol))}"


def grid_value(token, tolerance):
    mode, tol = tolerance["mode"], tolerance["tol"]
    if mode == "abs":
        return int(token) * (tol / GRID)
    sign = 1.0 if token[0] == "+" else -1.0
    return sign * math.exp(int(token[1:]) * _rel_step(tol))


def candidate_tokens(x, tolerance):
    """Every grid token whose grid value may lie within tolerance of x."""
    mode, tol = tolerance["mode"], tolerance["tol"]
    if not math.isfinite(x):
        return []
    if mode == "abs":
        q = tol / GRID
        lo, hi = (x - tol) / q, (x + tol) / q
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > 10 * GRID:
            return []  # too large for the grid to resolve: cannot be a stored value
        return [str(k) for k in range(math.floor(lo) - 1, math.ceil(hi) + 2)]
    if x == 0 or tol >= 1:
        return []
    step = _rel_step(tol)
    sign = "+" if x > 0 else "-"
    lo = math.log(abs(x) / (1 + tol)) / step
    hi = math.log(abs(x) / (1 - tol)) / step
    return [f"{sign}{k}" for k in range(math.floor(lo) - 1, math.ceil(hi) + 2)]


def within(x, token, tolerance):
    a = grid_value(token, tolerance)
    bound = tolerance["tol"] * (1.0 if tolerance["mode"] == "abs" else abs(a))
    return abs(x - a) <= bound


def matching_hashes(salt, exercise_id, part, x, tolerance):
    """{hash: token} for the grid points within tolerance of x."""
    return {digest(salt, exercise_id, part, t): t for t in candidate_tokens(x, tolerance)}


# --- hiding texts ----------------------------------------------------------------

def _keystream(salt, label, n):
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{salt}|{label}|{counter}".encode("utf-8")).digest()
        counter += 1
    return bytes(out[:n])


def hide(salt, label, text):
    raw = zlib.compress(text.encode("utf-8"), 9)
    mixed = bytes(a ^ b for a, b in zip(raw, _keystream(salt, label, len(raw))))
    return base64.b64encode(mixed).decode("ascii")


def reveal(salt, label, blob):
    mixed = base64.b64decode(blob.encode("ascii"))
    raw = bytes(a ^ b for a, b in zip(mixed, _keystream(salt, label, len(mixed))))
    return zlib.decompress(raw).decode("utf-8")


# --- the key file ----------------------------------------------------------------

def load(path=KEY_PATH):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def build(spec, about=""):
    """The stored key from a spec (``_build.spec_of`` makes one per exercise): hashes and
    hidden texts.

    The spec is ``{"salt": ..., "exercises": [{"id", "title", "kind", "choices" |
    "tolerance" + "tolerance_text", "parts" (pairs), "example", "answer",
    "mistakes": [{"part", "value", "feedback"}], "hints": [...], "solution"}]}``.

    Deterministic: the same spec (with its salt) always gives the same key.
    """
    salt = spec["salt"]
    exercises = []
    for ex in spec["exercises"]:
        xid, kind = ex["id"], ex["kind"]
        tol = ex.get("tolerance")

        def token(value, part):
            return value.lower() if kind == "choice" else token_of(float(value), tol)

        answers = ex["answer"] if kind == "pair" else [ex["answer"]]
        stored = {
            "id": xid,
            "title": ex["title"],
            "kind": kind,
        }
        if kind == "choice":
            stored["choices"] = ex["choices"]
        else:
            stored["tolerance"] = tol
            stored["tolerance_text"] = ex["tolerance_text"]
        if kind == "pair":
            stored["parts"] = ex["parts"]
        stored["example"] = ex["example"]
        stored["answer"] = [digest(salt, xid, p, token(a, p)) for p, a in enumerate(answers)]
        stored["mistakes"] = [
            {
                "part": m.get("part", 0),
                "hash": digest(salt, xid, m.get("part", 0), token(m["value"], m.get("part", 0))),
                "feedback": hide(salt, f"{xid}/mistake/{i}", m["feedback"]),
            }
            for i, m in enumerate(ex["mistakes"])
        ]
        stored["hints"] = [hide(salt, f"{xid}/hint/{i}", h) for i, h in enumerate(ex["hints"])]
        stored["solution"] = hide(salt, f"{xid}/solution", ex["solution"])
        exercises.append(stored)
    return {
        "about": about,
        "format": 2,
        "salt": salt,
        "exercises": exercises,
    }


def dumps(key):
    """The key as stored: stable formatting so rebuilding gives identical bytes."""
    return json.dumps(key, indent=1, ensure_ascii=False) + "\n"
