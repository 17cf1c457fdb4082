"""Reading what a learner typed: numbers, pairs of numbers, letters.

Every reader returns ``(value, None)`` or ``(None, problem)`` where ``problem`` is a
sentence saying what was expected. Nothing here raises on learner input: answers
arrive from a notebook, where a traceback teaches nothing.
"""

import math
import numbers
import re
from fractions import Fraction

import numpy as np

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
_FRACTION_RE = re.compile(rf"^({_NUMBER})\s*/\s*({_NUMBER})$")
_MINUS_SIGNS = {"\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"}


def describe(obj, limit=40):
    """A short description of any object, for messages (never raises)."""
    try:
        text = repr(obj)
    except Exception:
        text = f"an object of type {type(obj).__name__}"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _kind_of(obj):
    if isinstance(obj, str):
        return f"the text {describe(obj)}"
    if isinstance(obj, (list, tuple)):
        return f"a {type(obj).__name__} of {len(obj)} item{'s' if len(obj) != 1 else ''}"
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape}"
    return describe(obj)


def _from_text(text):
    s = text.strip()
    for bad, good in _MINUS_SIGNS.items():
        s = s.replace(bad, good)
    s = s.replace(" ", "")
    if _NUMBER_RE.match(s):
        return float(s)
    m = _FRACTION_RE.match(s)
    if m:
        num, den = float(m.group(1)), float(m.group(2))
        if den == 0:
            return None
        return num / den
    return None


def read_number(obj, example="0.05"):
    """One real, finite number from what a learner typed."""
    expected = f"expected a number like {example}"
    try:
        if obj is None:
            return None, "blank"
        if isinstance(obj, (bool, np.bool_)):
            return None, f"{expected}; True/False is not a number answer here"
        if isinstance(obj, np.ndarray):
            if obj.ndim == 0:
                return read_number(obj.item(), example)
            if obj.size == 1:
                return None, f"{expected}, not {_kind_of(obj)} (take its single entry)"
            return None, f"{expected}, not {_kind_of(obj)}"
        if isinstance(obj, np.generic):
            return read_number(obj.item(), example)
        if isinstance(obj, str):
            x = _from_text(obj)
            if x is None:
                return None, f"{expected} (digits, a decimal point, e-notation or a fraction like 1/10); got {_kind_of(obj)}"
        elif isinstance(obj, (complex, np.complexfloating)) or (
            isinstance(obj, numbers.Complex) and not isinstance(obj, numbers.Real)
        ):
            return None, f"{expected}: a real number, not the complex number {describe(obj)}"
        elif isinstance(obj, numbers.Integral):
            try:
                x = float(int(obj))
            except OverflowError:
                return None, f"{expected}; {describe(obj, 20)} is far too large to be the answer"
        elif isinstance(obj, Fraction):
            try:
                x = float(obj)
            except OverflowError:
                return None, f"{expected}; this fraction is far too large to be the answer"
        elif isinstance(obj, (list, tuple, dict, set, frozenset, bytes)):
            return None, f"{expected}, not {_kind_of(obj)}"
        else:
            x = float(obj)  # numbers.Real, Decimal, 0-d tensors, anything with __float__
        if not math.isfinite(x):
            return None, f"{expected}; got {describe(x)}, which is not a finite number"
        return x, None
    except Exception:
        return None, f"{expected}; could not read a number from {_kind_of(obj)}"


def read_pair(obj, example="(0.5, -0.2)"):
    """Two numbers: a tuple, list, array of two, or text like "0.5, -0.2"."""
    expected = f"expected two numbers in brackets, like {example}"
    try:
        if obj is None:
            return None, "blank"
        if isinstance(obj, str):
            pieces = [p for p in re.split(r"[,;]|\s+", obj.strip().strip("()[]")) if p]
            items = pieces
        elif isinstance(obj, np.ndarray):
            if obj.shape != (2,):
                return None, f"{expected}, not {_kind_of(obj)}"
            items = list(obj)
        elif isinstance(obj, (tuple, list)):
            items = list(obj)
        else:
            return None, f"{expected}, not {_kind_of(obj)}"
        if len(items) != 2:
            return None, f"{expected}, not {_kind_of(obj)}"
        values = []
        for i, item in enumerate(items):
            x, problem = read_number(item)
            if problem is not None:
                which = "first" if i == 0 else "second"
                what = "missing" if problem == "blank" else problem
                return None, f"{expected}; the {which} number: {what}"
            values.append(x)
        return tuple(values), None
    except Exception:
        return None, f"{expected}; could not read {_kind_of(obj)}"


def read_choice(obj, choices, example=None):
    """One letter of ``choices`` from "b", "B", "(b)", "b)", " B. "."""
    span = f"{choices[0]}–{choices[-1]}"
    example = example or f'"{choices[-1]}"'
    expected = f"expected one of {span}, as a letter in quotes like {example}"
    try:
        if obj is None:
            return None, "blank"
        if isinstance(obj, np.str_):
            obj = str(obj)
        if not isinstance(obj, str):
            return None, f"{expected}; got {_kind_of(obj)}"
        s = obj.strip().lower().strip("()[]").rstrip(").:").strip()
        if len(s) == 1 and s in choices:
            return s, None
        return None, f"{expected}; got {_kind_of(obj)}"
    except Exception:
        return None, f"{expected}; could not read {_kind_of(obj)}"
