"""Record reference trajectories from the real PyTorch, Keras 3 and Optax SGD.

The emulations in ``momentum_lib.frameworks`` claim to take the same steps as the
frameworks. This script runs the frameworks themselves, in float64, for every
option they offer (momentum, dampening, nesterov, weight decay, maximize, a
learning-rate schedule), on two small smooth problems, and stores what they did in
``tests/conformance/sgd_trajectories.json``. ``tests/test_frameworks.py`` then
checks every emulation against that file, without needing any framework.

It is run by hand, never by CI, in an environment that has the frameworks (they
are not project requirements)::

    python3.11 -m venv ../fwenv
    ../fwenv/bin/pip install torch==2.13.0 keras jax optax   # a CPU build of torch
    ../fwenv/bin/python -m devtools.record_conformance       # from the repository root

(``make conformance FWPYTHON=../fwenv/bin/python`` does the last line.)

Keras runs on the jax backend (set here) with ``jax_enable_x64`` and floatx
float64. After recording, the script compares the emulations with what it
recorded and prints the largest relative difference per emulation.

The problems are f(w) = ½·wᵀHw − bᵀw + c·Σ log cosh(wᵢ): a rotated quadratic
plus a smooth non-quadratic term, so gradients change from step to step in a way
that is not linear in w. Each framework differentiates f with its own autograd;
the tests rebuild the gradient Hw − b + c·tanh(w) in numpy from the numbers in the
data file.
"""

import json
import math
import os
import platform
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "conformance" / "sgd_trajectories.json"
STEPS = 30


# ---------------------------------------------------------------- problems and schedules

def _rotation(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def make_problems():
    """Two small problems, defined by the numbers that go into the data file."""
    r2 = _rotation(0.5)
    h2 = r2 @ np.diag([1.0, 0.1]) @ r2.T
    q3, _ = np.linalg.qr(np.random.default_rng(2013).normal(size=(3, 3)))
    h3 = q3 @ np.diag([0.8, 0.5, 0.2]) @ q3.T
    # Exactly symmetric, so autograd's ½(H + Hᵀ)w and the tests' Hw are the same numbers.
    h2, h3 = (h2 + h2.T) / 2, (h3 + h3.T) / 2
    return {
        "valley2d": {"H": h2.tolist(), "b": [0.3, -0.2], "c": 0.1, "w0": [1.5, -2.0]},
        "bowl3d": {"H": h3.tolist(), "b": [0.1, 0.0, -0.3], "c": 0.05, "w0": [-1.0, 0.5, 2.0]},
    }


def make_schedules(steps=STEPS):
    """Per-step learning rates: linear warm-up then cosine decay, and a step decay."""
    t = np.arange(steps)
    warmup_cosine = 0.3 * np.minimum(1.0, (t + 1) / 5) * 0.5 * (1 + np.cos(np.pi * t / steps))
    step_decay = 0.4 * 0.5 ** (t // 10)
    return {"warmup_cosine": warmup_cosine.tolist(), "step_decay": step_decay.tolist()}


def numpy_grad(problem, sign=1.0):
    """∇(sign·f) in numpy, from a problem as stored in the data file."""
    H = np.asarray(problem["H"], dtype=np.float64)
    b = np.asarray(problem["b"], dtype=np.float64)
    c = float(problem["c"])

    def grad_fn(w):
        return sign * (H @ w - b + c * np.tanh(w))

    return grad_fn


# ---------------------------------------------------------------- what to record

# (framework, emulation, problem, sign, schedule or None, hyperparameters by the
# framework's own names). sign −1: the framework is handed −f, which only makes
# sense with maximize=True (maximising −f is minimising f).
def _cases():
    torch_cases = [
        {"lr": 0.1},
        {"lr": 0.05, "dampening": 0.5},  # no momentum: PyTorch ignores dampening
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.9},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "weight_decay": 0.05},
        {"lr": 0.1, "momentum": 0.8, "weight_decay": 0.05},
        {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
        {"lr": 0.1, "momentum": 0.9, "maximize": True, "_sign": -1.0},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True, "_sign": -1.0},
        {"momentum": 0.9, "_schedule": "warmup_cosine"},
        {"momentum": 0.9, "nesterov": True, "_schedule": "step_decay"},
        {"momentum": 0.7, "dampening": 0.3, "weight_decay": 0.01, "_schedule": "warmup_cosine"},
    ]
    keras_cases = [
        {"learning_rate": 0.1},
        {"learning_rate": 0.1, "momentum": 0.9},
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
        {"learning_rate": 0.1, "weight_decay": 0.05},
        {"learning_rate": 0.1, "momentum": 0.8, "weight_decay": 0.05},
        {"learning_rate": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
        {"momentum": 0.9, "_schedule": "warmup_cosine"},
        {"momentum": 0.9, "nesterov": True, "_schedule": "step_decay"},
        {"momentum": 0.7, "weight_decay": 0.05, "_schedule": "warmup_cosine"},
    ]
    optax_cases = [
        {"learning_rate": 0.1},
        {"learning_rate": 0.1, "momentum": 0.0},
        {"learning_rate": 0.1, "momentum": 0.9},
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
        {"momentum": 0.9, "_schedule": "warmup_cosine"},
        {"momentum": 0.9, "nesterov": True, "_schedule": "step_decay"},
    ]
    for framework, emulation, cases in [("torch", "pytorch_sgd", torch_cases),
                                        ("keras", "keras_sgd", keras_cases),
                                        ("optax", "optax_sgd", optax_cases)]:
        for case in cases:
            case = dict(case)
            sign = case.pop("_sign", 1.0)
            schedule = case.pop("_schedule", None)
            yield framework, emulation, sign, schedule, case


# ---------------------------------------------------------------- the frameworks themselves

def run_torch(problem, steps, sign, lrs, hyperparameters):
    """torch.optim.SGD; a schedule goes through LambdaLR (base lr 1, so lr_t is exact)."""
    import torch

    H = torch.tensor(problem["H"], dtype=torch.float64)
    b = torch.tensor(problem["b"], dtype=torch.float64)
    c = float(problem["c"])
    w = torch.tensor(problem["w0"], dtype=torch.float64, requires_grad=True)
    settings = dict(hyperparameters)
    scheduler = None
    if lrs is not None:
        opt = torch.optim.SGD([w], lr=1.0, **settings)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda t: lrs[min(t, len(lrs) - 1)])
    else:
        opt = torch.optim.SGD([w], **settings)
    iterates = [w.detach().numpy().copy()]
    used_lrs = []
    for _ in range(steps):
        opt.zero_grad()
        f = 0.5 * w @ H @ w - b @ w + c * torch.log(torch.cosh(w)).sum()
        (sign * f).backward()
        used_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
        iterates.append(w.detach().numpy().copy())
    if lrs is not None:
        assert used_lrs == list(lrs), "LambdaLR did not apply the schedule exactly"
    assert w.dtype == torch.float64
    return np.array(iterates)


def _jax_loss(problem, sign):
    import jax.numpy as jnp

    H = jnp.asarray(problem["H"], dtype=jnp.float64)
    b = jnp.asarray(problem["b"], dtype=jnp.float64)
    c = float(problem["c"])

    def loss(w):
        return sign * (0.5 * w @ H @ w - b @ w + c * jnp.sum(jnp.log(jnp.cosh(w))))

    return loss


def run_keras(problem, steps, sign, lrs, hyperparameters):
    """keras.optimizers.SGD (Keras 3, jax backend); a schedule is a LearningRateSchedule."""
    import jax
    import keras

    class TableSchedule(keras.optimizers.schedules.LearningRateSchedule):
        """lr_t read from a table, indexed by the optimizer's iteration count."""

        def __init__(self, values):
            self.values = values

        def __call__(self, step):
            table = keras.ops.convert_to_tensor(self.values, dtype="float64")
            return keras.ops.take(table, step)

    grad = jax.grad(_jax_loss(problem, sign))
    w = keras.Variable(np.asarray(problem["w0"]), dtype="float64")
    settings = dict(hyperparameters)
    if lrs is not None:
        settings["learning_rate"] = TableSchedule(list(lrs))
    opt = keras.optimizers.SGD(**settings)
    iterates = [np.asarray(w.value).copy()]
    for _ in range(steps):
        g = grad(w.value)
        opt.apply([g], [w])
        iterates.append(np.asarray(w.value).copy())
    # The iteration counter is int32; every float (lr, momentum) must be float64.
    assert str(w.dtype) == "float64"
    assert all(str(v.dtype) in ("float64", "int32", "int64") for v in opt.variables)
    return np.array(iterates)


def run_optax(problem, steps, sign, lrs, hyperparameters):
    """optax.sgd; a schedule is a callable of the step count."""
    import jax
    import jax.numpy as jnp
    import optax

    grad = jax.grad(_jax_loss(problem, sign))
    settings = dict(hyperparameters)
    if lrs is not None:
        table = jnp.asarray(lrs, dtype=jnp.float64)
        settings["learning_rate"] = lambda count: table[count]
    opt = optax.sgd(**settings)
    w = jnp.asarray(problem["w0"], dtype=jnp.float64)
    state = opt.init(w)
    iterates = [np.asarray(w).copy()]
    for _ in range(steps):
        updates, state = opt.update(grad(w), state, w)
        w = optax.apply_updates(w, updates)
        iterates.append(np.asarray(w).copy())
    assert w.dtype == jnp.float64
    return np.array(iterates)


RUNNERS = {"torch": run_torch, "keras": run_keras, "optax": run_optax}


def record(frameworks=("torch", "keras", "optax")):
    problems = make_problems()
    schedules = make_schedules()
    runs = []
    for framework, emulation, sign, schedule, hyperparameters in _cases():
        if framework not in frameworks:
            continue
        lrs = schedules[schedule] if schedule else None
        for name, problem in problems.items():
            iterates = RUNNERS[framework](problem, STEPS, sign, lrs, hyperparameters)
            runs.append({
                "framework": framework, "emulation": emulation, "problem": name,
                "sign": sign, "schedule": schedule, "hyperparameters": hyperparameters,
                "iterates": iterates.tolist(),
            })
    return problems, schedules, runs


def versions():
    import jax
    import keras
    import optax
    import torch

    return {
        "python": platform.python_version(), "numpy": np.__version__,
        "torch": torch.__version__, "keras": keras.__version__,
        "keras_backend": keras.backend.backend(), "jax": jax.__version__,
        "optax": optax.__version__,
    }


def write(path, problems, schedules, runs):
    """JSON, one run per line: small, diffable, and floats round-trip exactly (repr)."""
    head = {
        "about": "Reference SGD trajectories from the real frameworks, float64. "
                 "Written by devtools/record_conformance.py; read by tests/test_frameworks.py.",
        "versions": versions(), "dtype": "float64", "steps": STEPS,
        "loss": "f(w) = 0.5 w.H.w - b.w + c sum(log cosh w); sign -1 means the framework "
                "was handed -f (used with maximize=True)",
        "problems": problems, "schedules": schedules,
    }
    lines = json.dumps(head, indent=1)[:-2]  # reopen the object to append "runs"
    body = ",\n".join(json.dumps(r, separators=(",", ":")) for r in runs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(lines + ',\n "runs": [\n' + body + "\n ]\n}\n")


def compare(data):
    """Largest relative difference, per emulation, between the data and momentum_lib."""
    from momentum_lib.frameworks import EMULATIONS

    worst = {}
    for run in data["runs"]:
        problem = data["problems"][run["problem"]]
        kwargs = dict(run["hyperparameters"])
        if run["schedule"]:
            key = "lr" if run["framework"] == "torch" else "learning_rate"
            kwargs[key] = data["schedules"][run["schedule"]]
        ref = np.asarray(run["iterates"])
        got = EMULATIONS[run["emulation"]](numpy_grad(problem, run["sign"]), problem["w0"],
                                           data["steps"], **kwargs)
        rel = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
        worst[run["emulation"]] = max(worst.get(run["emulation"], 0.0), rel)
    return worst


def main():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import keras
        import optax  # noqa: F401
        import torch  # noqa: F401
    except ImportError as err:
        sys.exit(f"record_conformance needs torch, keras, jax and optax ({err}); "
                 "see this script's docstring for the environment")
    if keras.backend.backend() != "jax":
        sys.exit(f"run with KERAS_BACKEND=jax (got {keras.backend.backend()})")
    keras.config.set_floatx("float64")

    problems, schedules, runs = record()
    write(DATA, problems, schedules, runs)
    data = json.loads(DATA.read_text())
    print(f"wrote {DATA.relative_to(REPO)}: {len(runs)} runs, "
          f"{DATA.stat().st_size / 1024:.1f} KiB, versions {data['versions']}")
    for name, rel in compare(data).items():
        print(f"  {name:12s} largest relative difference {rel:.3e}")


if __name__ == "__main__":
    main()
