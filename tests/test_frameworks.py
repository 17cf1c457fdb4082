"""The emulations in momentum_lib.frameworks take the real frameworks' steps.

The reference trajectories in tests/conformance/sgd_trajectories.json were recorded
from torch.optim.SGD, keras.optimizers.SGD (Keras 3, jax backend) and optax.sgd in
float64 by devtools/record_conformance.py. Where the frameworks are importable (they
are not project requirements) the same comparison also runs live.
"""

import importlib.util
import inspect
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from devtools import record_conformance as recorder
from momentum_lib.frameworks import (
    EMULATIONS, ema_momentum, keras_sgd, optax_sgd, polyak_heavy_ball, pytorch_sgd,
    sutskever_momentum,
)

HERE = Path(__file__).resolve().parent
DATA = json.loads((HERE / "conformance" / "sgd_trajectories.json").read_text())
# Recorded frameworks differ from the emulations by rounding only: a few ulps.
RTOL = 1e-12


def relative_difference(got, ref):
    return float(np.max(np.abs(np.asarray(got) - ref)) / np.max(np.abs(ref)))


def _replay(run, **changes):
    """Run the emulation named in a recorded run, on the run's problem and settings."""
    problem = DATA["problems"][run["problem"]]
    kwargs = dict(run["hyperparameters"])
    lr_name = "lr" if run["framework"] == "torch" else "learning_rate"
    if run["schedule"]:
        kwargs[lr_name] = DATA["schedules"][run["schedule"]]
    kwargs.update(changes)
    grad_fn = recorder.numpy_grad(problem, run["sign"])
    return EMULATIONS[run["emulation"]](grad_fn, problem["w0"], DATA["steps"], **kwargs)


def _run_id(run):
    parts = [run["framework"], run["problem"]]
    parts += [f"{k}={v}" for k, v in run["hyperparameters"].items()]
    if run["schedule"]:
        parts.append(f"schedule={run['schedule']}")
    return "-".join(parts)


# ---------------------------------------------------------------- against the recorded data

@pytest.mark.parametrize("run", DATA["runs"], ids=_run_id)
def test_emulation_matches_recorded_framework(run):
    ref = np.asarray(run["iterates"])
    got = _replay(run)
    assert got.shape == ref.shape
    assert relative_difference(got, ref) <= RTOL


def test_recorded_data_says_where_it_came_from():
    versions = DATA["versions"]
    for name in ("torch", "keras", "jax", "optax", "numpy"):
        assert versions.get(name), name
    assert versions["keras_backend"] == "jax"
    assert DATA["dtype"] == "float64"


@pytest.mark.parametrize("framework,emulation", [
    ("torch", pytorch_sgd), ("keras", keras_sgd), ("optax", optax_sgd)])
def test_recorded_data_exercises_every_option(framework, emulation):
    # Every hyperparameter of the emulation is set away from its default in
    # some recorded run, and some run uses a schedule: an option added to an
    # emulation without new reference data fails here.
    params = inspect.signature(emulation).parameters
    options = {name for name, p in params.items()
               if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is not inspect.Parameter.empty}
    runs = [r for r in DATA["runs"] if r["framework"] == framework]
    used = {k for r in runs for k, v in r["hyperparameters"].items() if v != params[k].default}
    assert options <= used, options - used
    assert any(r["schedule"] for r in runs)


def _run(framework, schedule=None, **hyperparameters):
    for run in DATA["runs"]:
        if (run["framework"], run["schedule"], run["hyperparameters"]) == (
                framework, schedule, hyperparameters) and run["problem"] == "valley2d":
            return run
    raise LookupError(hyperparameters)


# The data can tell the plausible misreadings apart: each would miss it by far
# more than rounding.

def test_data_rules_out_a_damped_first_buffer():
    run = _run("torch", lr=0.1, momentum=0.9, dampening=0.5)
    problem = DATA["problems"]["valley2d"]
    grad_fn = recorder.numpy_grad(problem)
    # Misreading: b starts at (1 − τ)·g₁ instead of g₁ (i.e. b from zero).
    w, b, misread = np.array(problem["w0"]), 0.0, [problem["w0"]]
    for _ in range(DATA["steps"]):
        b = 0.9 * b + 0.5 * grad_fn(w)
        w = w - 0.1 * b
        misread.append(w)
    assert relative_difference(misread, np.asarray(run["iterates"])) > 1e-3


def test_data_rules_out_dampening_applied_without_momentum():
    run = _run("torch", lr=0.05, dampening=0.5)
    # Had PyTorch kept a buffer at momentum 0, every step would be (1 − τ)·g: half as long.
    halved = _replay(run, lr=0.025, dampening=0.0)
    assert relative_difference(halved, np.asarray(run["iterates"])) > 1e-3


def _keras_variant(problem, steps, lr, momentum, wd, variant):
    """Keras SGD with weight decay put somewhere else than Keras puts it."""
    grad_fn = recorder.numpy_grad(problem)
    w, m, out = np.array(problem["w0"]), 0.0, [problem["w0"]]
    for _ in range(steps):
        if variant == "coupled":            # L2 into the gradient, as PyTorch does
            m = momentum * m - lr * (grad_fn(w) + wd * w)
            w = w + m
        elif variant == "gradient after decay":
            w = w - lr * wd * w
            m = momentum * m - lr * grad_fn(w)
            w = w + m
        elif variant == "decay after step":
            g = grad_fn(w)
            m = momentum * m - lr * g
            w = w + m
            w = w - lr * wd * w
        out.append(w)
    return np.array(out)


@pytest.mark.parametrize("variant", ["coupled", "gradient after decay", "decay after step"])
def test_data_pins_where_keras_applies_weight_decay(variant):
    # Keras decays w first, from the gradient taken at the undecayed w, and the
    # decay never enters the velocity.
    run = _run("keras", learning_rate=0.1, momentum=0.8, weight_decay=0.05)
    ref = np.asarray(run["iterates"])
    problem = DATA["problems"]["valley2d"]
    misread = _keras_variant(problem, DATA["steps"], 0.1, 0.8, 0.05, variant)
    assert relative_difference(misread, ref) > 1e-6


# ---------------------------------------------------------------- behaviour shared by all

def _quadratic(w):
    return np.array([1.0, 0.2]) * w


BASE = {
    "pytorch_sgd": {"lr": 0.1, "momentum": 0.9},
    "keras_sgd": {"learning_rate": 0.1, "momentum": 0.9},
    "optax_sgd": {"learning_rate": 0.1, "momentum": 0.9},
    "ema_momentum": {"lr": 0.1, "beta": 0.9},
    "sutskever_momentum": {"lr": 0.1, "momentum": 0.9},
    "polyak_heavy_ball": {"lr": 0.1, "beta": 0.9},
}
LR_NAME = {name: "learning_rate" if "learning_rate" in kw else "lr" for name, kw in BASE.items()}
MOMENTUM_NAME = {name: "beta" if "beta" in kw else "momentum" for name, kw in BASE.items()}


def test_every_emulation_is_listed():
    assert set(EMULATIONS) == set(BASE)


@pytest.mark.parametrize("name", BASE)
def test_shape_dtype_and_start(name):
    iterates = EMULATIONS[name](_quadratic, [1, -2], 5, **BASE[name])
    assert iterates.shape == (6, 2) and iterates.dtype == np.float64
    assert iterates[0].tolist() == [1.0, -2.0]
    scalar = EMULATIONS[name](lambda w: w, 1.0, 3, **BASE[name])
    assert scalar.shape == (4,)
    matrix = EMULATIONS[name](lambda w: w, np.ones((2, 3)), 3, **BASE[name])
    assert matrix.shape == (4, 2, 3)


@pytest.mark.parametrize("name", BASE)
def test_zero_steps_calls_no_gradient(name):
    def never(w):
        raise AssertionError("grad_fn called")

    assert EMULATIONS[name](never, [1.0, 2.0], 0, **BASE[name]).tolist() == [[1.0, 2.0]]


@pytest.mark.parametrize("name", BASE)
def test_grad_fn_called_once_per_step_and_w0_untouched(name):
    calls = []
    w0 = np.array([1.0, -1.0])

    def grad_fn(w):
        calls.append(w.copy())
        return w  # aliasing w must not let an in-place update corrupt anything

    out = EMULATIONS[name](grad_fn, w0, 7, **BASE[name])
    assert len(calls) == 7
    assert w0.tolist() == [1.0, -1.0]
    assert np.all(np.isfinite(out))


@pytest.mark.parametrize("name", BASE)
def test_schedule_forms_agree(name):
    # A number, a list of per-step values and a callable t -> lr mean the same.
    kw = dict(BASE[name])
    lr = kw.pop(LR_NAME[name])
    const = EMULATIONS[name](_quadratic, [1.0, 1.0], 6, **kw, **{LR_NAME[name]: lr})
    listed = EMULATIONS[name](_quadratic, [1.0, 1.0], 6, **kw, **{LR_NAME[name]: [lr] * 6})
    called = EMULATIONS[name](_quadratic, [1.0, 1.0], 6, **kw, **{LR_NAME[name]: lambda t: lr})
    np.testing.assert_array_equal(const, listed)
    np.testing.assert_array_equal(const, called)
    seen = []
    EMULATIONS[name](_quadratic, [1.0, 1.0], 4, **kw,
                     **{LR_NAME[name]: lambda t: seen.append(t) or 0.1})
    assert seen == [0, 1, 2, 3]


@pytest.mark.parametrize("name", BASE)
def test_zero_momentum_is_gradient_descent(name):
    kw = dict(BASE[name], **{MOMENTUM_NAME[name]: 0.0})
    lr = kw[LR_NAME[name]]
    w, expected = np.array([1.0, 1.0]), [[1.0, 1.0]]
    for _ in range(4):
        w = w - lr * _quadratic(w)
        expected.append(w)
    got = EMULATIONS[name](_quadratic, [1.0, 1.0], 4, **kw)
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_keras_and_optax_ignore_nesterov_without_momentum_like_the_frameworks():
    plain = optax_sgd(_quadratic, [1.0, 1.0], 4, learning_rate=0.1)
    np.testing.assert_array_equal(optax_sgd(_quadratic, [1.0, 1.0], 4, learning_rate=0.1,
                                            nesterov=True), plain)
    np.testing.assert_array_equal(keras_sgd(_quadratic, [1.0, 1.0], 4, learning_rate=0.1,
                                            nesterov=True), plain)


def test_pytorch_maximize_ascends_the_given_gradient():
    up = pytorch_sgd(_quadratic, [1.0, 1.0], 3, lr=0.1, maximize=True)
    assert np.all(np.abs(up[-1]) > 1.0)
    down = pytorch_sgd(lambda w: -_quadratic(w), [1.0, 1.0], 3, lr=0.1, maximize=True)
    np.testing.assert_array_equal(down, pytorch_sgd(_quadratic, [1.0, 1.0], 3, lr=0.1))


# ---------------------------------------------------------------- bad input

def _call(name, **changes):
    args = {"grad_fn": _quadratic, "w0": [1.0, 2.0], "steps": 3}
    kwargs = dict(BASE[name])
    for key, value in changes.items():
        (args if key in args else kwargs)[key] = value
    return EMULATIONS[name](args["grad_fn"], args["w0"], args["steps"], **kwargs)


@pytest.mark.parametrize("name", BASE)
@pytest.mark.parametrize("field,value,error", [
    ("lr", 0.0, ValueError), ("lr", -0.1, ValueError), ("lr", float("nan"), ValueError),
    ("lr", "fast", TypeError), ("lr", [0.1, 0.1], ValueError), ("lr", [0.1, -0.1, 0.1], ValueError),
    ("lr", lambda t: 0.1 - 0.05 * t, ValueError), ("lr", lambda t: [0.1, 0.1], TypeError),
    ("momentum", 1.0, ValueError), ("momentum", -0.1, ValueError), ("momentum", [0.5, 0.9], TypeError),
    ("steps", -1, ValueError), ("steps", 2.5, TypeError), ("steps", True, TypeError),
    ("w0", [1.0, float("inf")], ValueError), ("w0", "origin", TypeError),
    ("grad_fn", "not callable", TypeError), ("grad_fn", lambda w: w[:1], ValueError),
])
def test_bad_argument_is_named(name, field, value, error):
    key = {"lr": LR_NAME[name], "momentum": MOMENTUM_NAME[name]}.get(field, field)
    with pytest.raises(error, match=key):
        _call(name, **{key: value})


@pytest.mark.parametrize("name", BASE)
def test_unknown_hyperparameter_is_named(name):
    with pytest.raises(TypeError, match="velocity_scale"):
        _call(name, velocity_scale=2.0)


@pytest.mark.parametrize("name", ["pytorch_sgd", "keras_sgd", "optax_sgd", "sutskever_momentum"])
def test_nesterov_must_be_a_bool(name):
    with pytest.raises(TypeError, match="nesterov"):
        _call(name, nesterov="yes")


@pytest.mark.parametrize("changes", [
    {"nesterov": True, "momentum": 0.0},
    {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
])
def test_pytorch_nesterov_needs_momentum_and_no_dampening(changes):
    with pytest.raises(ValueError, match="nesterov"):
        pytorch_sgd(_quadratic, [1.0], 2, lr=0.1, **changes)


@pytest.mark.parametrize("field", ["dampening", "weight_decay"])
def test_pytorch_coefficients_must_be_non_negative(field):
    with pytest.raises(ValueError, match=field):
        pytorch_sgd(_quadratic, [1.0], 2, lr=0.1, momentum=0.5, **{field: -0.1})


def test_pytorch_maximize_must_be_a_bool():
    with pytest.raises(TypeError, match="maximize"):
        pytorch_sgd(_quadratic, [1.0], 2, lr=0.1, maximize=1)


def test_keras_weight_decay_must_be_non_negative():
    with pytest.raises(ValueError, match="weight_decay"):
        keras_sgd(_quadratic, [1.0], 2, learning_rate=0.1, weight_decay=-0.01)


def test_other_names_are_rejected_with_the_right_ones_listed():
    with pytest.raises(TypeError, match="lr, momentum"):
        pytorch_sgd(_quadratic, [1.0], 2, lr=0.1, beta=0.9)
    with pytest.raises(TypeError, match="learning_rate"):
        ema_momentum(_quadratic, [1.0], 2, lr=0.1, beta=0.9, learning_rate=0.1)
    with pytest.raises(TypeError):
        polyak_heavy_ball(_quadratic, [1.0], 2, lr=0.1)  # beta is required
    with pytest.raises(TypeError):
        sutskever_momentum(_quadratic, [1.0], 2, lr=0.1)  # momentum is required


# ---------------------------------------------------------------- live, where the frameworks exist

def _has(module):
    return importlib.util.find_spec(module) is not None


def _random_problem(seed, dim):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    h = q @ np.diag(rng.uniform(0.05, 1.0, size=dim)) @ q.T
    h = (h + h.T) / 2
    return {"H": h.tolist(), "b": rng.uniform(-0.5, 0.5, dim).tolist(),
            "c": float(rng.uniform(0, 0.2)), "w0": rng.uniform(-2, 2, dim).tolist()}


live_cases = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1), "dim": st.integers(1, 3), "steps": st.integers(1, 25),
    "lr": st.floats(0.01, 0.5), "momentum": st.sampled_from([0.0, 0.5, 0.9, 0.99]),
    "nesterov": st.booleans(), "decay": st.sampled_from([0.0, 0.01, 0.1]),
    "schedule": st.booleans(),
})


def _lrs(case):
    t = np.arange(case["steps"])
    return (case["lr"] * (0.5 + 0.5 * np.cos(np.pi * t / case["steps"]))
            + 1e-3).tolist() if case["schedule"] else None


@pytest.mark.skipif(not _has("torch"), reason="torch is not installed (not a project requirement)")
@settings(max_examples=25, deadline=None)
@given(case=live_cases, dampening=st.sampled_from([0.0, 0.3, 0.9]), maximize=st.booleans())
def test_live_torch(case, dampening, maximize):
    problem = _random_problem(case["seed"], case["dim"])
    nesterov = case["nesterov"] and case["momentum"] > 0
    hyper = {"momentum": case["momentum"], "weight_decay": case["decay"], "maximize": maximize,
             "nesterov": nesterov, "dampening": 0.0 if nesterov else dampening}
    lrs = _lrs(case)
    if lrs is None:
        hyper["lr"] = case["lr"]
    sign = -1.0 if maximize else 1.0
    ref = recorder.run_torch(problem, case["steps"], sign, lrs, hyper)
    got = pytorch_sgd(recorder.numpy_grad(problem, sign), problem["w0"], case["steps"],
                      **dict(hyper, lr=lrs or case["lr"]))
    assert relative_difference(got, ref) <= RTOL


def _jax_x64():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import jax

    jax.config.update("jax_enable_x64", True)


@pytest.mark.skipif(not (_has("keras") and _has("jax")), reason="keras/jax are not installed")
@settings(max_examples=15, deadline=None)
@given(case=live_cases)
def test_live_keras(case):
    _jax_x64()
    import keras

    if keras.backend.backend() != "jax":
        pytest.skip("the live Keras check runs on the jax backend")
    keras.config.set_floatx("float64")
    problem = _random_problem(case["seed"], case["dim"])
    hyper = {"momentum": case["momentum"], "nesterov": case["nesterov"],
             "weight_decay": case["decay"] or None}
    lrs = _lrs(case)
    if lrs is None:
        hyper["learning_rate"] = case["lr"]
    ref = recorder.run_keras(problem, case["steps"], 1.0, lrs, hyper)
    got = keras_sgd(recorder.numpy_grad(problem), problem["w0"], case["steps"],
                    **dict(hyper, learning_rate=lrs or case["lr"]))
    assert relative_difference(got, ref) <= RTOL


@pytest.mark.skipif(not (_has("optax") and _has("jax")), reason="optax/jax are not installed")
@settings(max_examples=15, deadline=None)
@given(case=live_cases, no_trace=st.booleans())
def test_live_optax(case, no_trace):
    _jax_x64()
    problem = _random_problem(case["seed"], case["dim"])
    hyper = {"momentum": None if no_trace else case["momentum"], "nesterov": case["nesterov"]}
    lrs = _lrs(case)
    if lrs is None:
        hyper["learning_rate"] = case["lr"]
    ref = recorder.run_optax(problem, case["steps"], 1.0, lrs, hyper)
    got = optax_sgd(recorder.numpy_grad(problem), problem["w0"], case["steps"],
                    **dict(hyper, learning_rate=lrs or case["lr"]))
    assert relative_difference(got, ref) <= RTOL
