"""Argument checks shared by the public functions.

Every check raises ``ValueError`` or ``TypeError`` with a message that names the
argument and says what is allowed, so a learner who passes ``beta=1.2`` reads
``beta must lie in [0, 1); got 1.2`` rather than a numpy traceback.

References
----------
scikit-learn's ``sklearn/utils/_param_validation.py`` is the model: a constraint stated
once, a message that names the argument (docs/references.md).
"""

import numbers

import numpy as np

CONVENTIONS = ("ema", "pytorch")
METHODS = ("sgd", "momentum", "nesterov")


def _describe(value):
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(value)
    bad = arr.ravel()
    return f"array of shape {arr.shape} (first values {bad[:3].tolist()})"


def as_float_array(name, value):
    """``value`` as a float64 array; ``TypeError`` naming ``name`` otherwise."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number or an array of numbers; got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or an array of numbers; got {type(value).__name__}"
        ) from None
    return arr


def finite(name, value):
    """A float array whose entries are all finite."""
    arr = as_float_array(name, value)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got {_describe(value)}")
    return arr


def learning_rate(value, name="lr"):
    """A learning rate: finite and > 0 (scalar or array)."""
    arr = as_float_array(name, value)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be finite and > 0; got {_describe(value)}")
    return arr


def momentum_coefficient(value, name="beta"):
    """A momentum coefficient β in [0, 1) (scalar or array)."""
    arr = as_float_array(name, value)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr >= 1):
        raise ValueError(f"{name} must lie in [0, 1); got {_describe(value)}")
    return arr


def non_negative(value, name):
    """A finite coefficient ≥ 0 (weight decay, dampening)."""
    arr = as_float_array(name, value)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must be finite and >= 0; got {_describe(value)}")
    return arr


def steps(value, name="steps"):
    """A number of steps: an integer ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 0; got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0; got {value}")
    return int(value)


def choice(value, name, allowed):
    """One of ``allowed`` (strings)."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def convention(value):
    return choice(value, "convention", CONVENTIONS)


def method(value):
    return choice(value, "method", METHODS)


def same_shape(name, arr, ref_name, ref):
    """``arr`` must broadcast to ``ref``'s shape without changing it."""
    try:
        shape = np.broadcast_shapes(np.shape(arr), np.shape(ref))
    except ValueError:
        shape = None
    if shape != np.shape(ref):
        raise ValueError(
            f"{name} has shape {np.shape(arr)}, which does not match "
            f"{ref_name}'s shape {np.shape(ref)}"
        )


def grad_fn(fn):
    if not callable(fn):
        raise TypeError(f"grad_fn must be callable (w -> gradient); got {type(fn).__name__}")
    return fn


def call_grad(fn, w, name="grad_fn"):
    """Evaluate ``fn(w)`` and insist that the gradient has the shape of ``w``."""
    g = np.asarray(fn(w), dtype=np.float64)
    if g.shape != np.shape(w):
        raise ValueError(
            f"{name} returned a gradient of shape {g.shape} for w of shape "
            f"{np.shape(w)}; it must return an array of the same shape as w"
        )
    return g
