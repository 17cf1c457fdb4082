"""Record torch.optim.SGD training the notebook 07 network, for ``tests/test_network.py``.

``momentum_lib.network`` claims to train a one-hidden-layer tanh network exactly as
PyTorch would. This script builds the same network in torch (float64, same starting
weights from ``network.init_mlp``), trains it with ``torch.optim.SGD`` on the same
digits mini-batches (``network.epoch_batches``) for several settings (momentum,
Nesterov, plain SGD, a per-step learning-rate schedule set on the param group), and
stores what torch computed in ``momentum_lib/data/network_sgd.npz``: the batch loss of
every step, the parameters at a few checkpoints, and torch's gradient at the start.
The tests then replay the numpy training against that file without torch.

Run by hand, never by CI (torch is not a project requirement)::

    python3 -m venv ../fwenv
    ../fwenv/bin/pip install torch==2.13.0 numpy
    ../fwenv/bin/python -m devtools.record_network_conformance   # from the repository root

(``make conformance-network FWPYTHON=...`` does the last line.) After recording it
compares the numpy training with the file and prints the largest differences.
"""

import json
import platform
import sys
from pathlib import Path

import numpy as np

from momentum_lib import datasets, network

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "momentum_lib" / "data" / "network_sgd.npz"
HIDDEN, BATCH, STEPS, SEED = 16, 32, 20, 7
CHECKPOINTS = (1, 5, STEPS)
FIELDS = ("W1", "b1", "W2", "b2")


SCHEDULE = {"warmup": 5, "decay": "cosine", "final": 0.1}


def cases():
    """name → (lr, momentum, nesterov, schedule or None)."""
    schedule = network.warmup_then_decay(STEPS, **SCHEDULE)
    return {
        "momentum": (0.1, 0.9, False, None),
        "nesterov": (0.1, 0.9, True, None),
        "sgd": (0.5, 0.0, False, None),
        "momentum_schedule": (0.3, 0.5, False, schedule),
    }


def setup():
    d = datasets.digits()
    params = network.init_mlp(64, HIDDEN, 10, seed=SEED)
    batches = network.epoch_batches(len(d.y_train), BATCH, 1, seed=SEED)[:STEPS]
    return d, params, batches


def run_torch(d, params, batches, lr, momentum, nesterov, schedule):
    import torch

    torch.set_default_dtype(torch.float64)
    W1, b1, W2, b2 = (torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params)
    x, y = torch.tensor(d.x_train), torch.tensor(d.y_train)
    opt = torch.optim.SGD([W1, b1, W2, b2], lr=lr, momentum=momentum, nesterov=nesterov)

    def loss_of(idx):
        z = torch.tanh(x[idx] @ W1 + b1) @ W2 + b2
        return torch.nn.functional.cross_entropy(z, y[idx])

    out = {"loss": [], "grad0": None}
    for t, idx in enumerate(batches):
        idx = torch.tensor(idx)
        if schedule is not None:
            for group in opt.param_groups:
                group["lr"] = lr * float(schedule[t])
        opt.zero_grad()
        loss = loss_of(idx)
        loss.backward()
        if t == 0:
            out["grad0"] = [p.grad.detach().numpy().copy() for p in (W1, b1, W2, b2)]
        opt.step()
        out["loss"].append(loss.item())
        if t + 1 in CHECKPOINTS:
            out[t + 1] = [p.detach().numpy().copy() for p in (W1, b1, W2, b2)]
    return out


def record():
    import torch

    d, params, batches = setup()
    arrays = {"batches": batches}
    for name, (lr, momentum, nesterov, schedule) in cases().items():
        out = run_torch(d, params, batches, lr, momentum, nesterov, schedule)
        arrays[f"{name}/loss"] = np.array(out["loss"])
        for field, g in zip(FIELDS, out["grad0"]):
            arrays[f"{name}/grad0/{field}"] = g
        for step in CHECKPOINTS:
            for field, p in zip(FIELDS, out[step]):
                arrays[f"{name}/step{step}/{field}"] = p
    meta = {
        "what": "torch.optim.SGD training a 64-16-10 tanh MLP (cross-entropy) on digits mini-batches, float64",
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "torch": torch.__version__},
        "hidden": HIDDEN, "batch": BATCH, "steps": STEPS, "seed": SEED,
        "checkpoints": list(CHECKPOINTS),
        "cases": {k: {"lr": v[0], "momentum": v[1], "nesterov": v[2],
                      "schedule": None if v[3] is None else SCHEDULE}
                  for k, v in cases().items()},
    }
    arrays["meta"] = np.array(json.dumps(meta))
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, **arrays)
    return meta


def replay(data, name):
    """The numpy training of case ``name`` with the recorded batches: (losses, {step: params})."""
    d, params, _ = setup()
    batches = data["batches"]
    lr, momentum, nesterov, schedule = cases()[name]
    out = {}
    for step in CHECKPOINTS:
        r = network.train(params, d.x_train, d.y_train, batches[:step], lr=lr, beta=momentum,
                          nesterov=nesterov, lr_schedule=None if schedule is None else schedule[:step])
        out[step] = r.params
        losses = r.batch_loss
    return losses, out


def compare():
    data = np.load(DATA)
    worst = 0.0
    for name in cases():
        losses, params = replay(data, name)
        diff = np.max(np.abs(losses - data[f"{name}/loss"]))
        for step, p in params.items():
            for field, q in zip(FIELDS, p):
                diff = max(diff, np.max(np.abs(q - data[f"{name}/step{step}/{field}"])))
        print(f"{name:>18}: largest absolute difference {diff:.3e}")
        worst = max(worst, diff)
    return worst


def main():
    meta = record()
    print(f"wrote {DATA} ({DATA.stat().st_size / 1024:.1f} KiB), versions {meta['versions']}")
    print(f"largest difference numpy vs torch: {compare():.3e}")


if __name__ == "__main__":
    sys.exit(main())
