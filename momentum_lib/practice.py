"""Notebook 07's experiments: the digits network trained over grids of (η, β) and schedules.

Thin wrappers around ``network`` and ``datasets`` so that the notebook's cells stay
short. Everything is in the PyTorch form (b ← β·b + g, w ← w − η·b).

Which results are worth printing. Near the edge of stability a training run is chaotic: a
difference in the last bits of the starting weights (which another CPU's BLAS kernel or SIMD
path for tanh makes at every step) grows until the final loss is a different number. So every
run is trained twice, the second time from starting weights changed by a relative ``NUDGE``
(1e-8, far above rounding and far below anything that matters), and its result counts as
*stable* only if the two final losses agree within a relative ``TOLERANCE`` (1e-3). A stable
result is printed with its digits; an unstable one is printed as "unstable", on every machine.
"""

from typing import NamedTuple

import numpy as np

from . import datasets, network
from ._threads import single_blas_thread


class Task(NamedTuple):
    """The digits split and the network's starting weights (shared by every run)."""
    data: datasets.Split
    params0: network.MLP


NUDGE = 1e-8
TOLERANCE = 1e-3
CHANCE_LOSS = float(np.log(10.0))   # the cross-entropy of a uniform guess over 10 classes


def digits_task(hidden=32, seed=0):
    """The 64-``hidden``-10 tanh network on ``datasets.digits()``, PyTorch-style initialisation."""
    return Task(datasets.digits(), network.init_mlp(64, hidden, 10, seed=seed))


def train_settings(task, lr, beta, *, batch_size=32, epochs=3, seed=0, warmup=0, decay="none",
                   nesterov=False):
    """Train every (lr, β) setting (arrays broadcast to S) on the same seeded mini-batches.

    ``warmup`` (steps) and ``decay`` shape η over the run (``network.warmup_then_decay``).
    Runs with one BLAS thread: the products are small, and on a busy machine threads
    cost more than they give (see ``momentum_lib._threads``).
    """
    d = task.data
    batches = network.epoch_batches(len(d.y_train), batch_size, epochs, seed)
    schedule = network.warmup_then_decay(len(batches), warmup=warmup, decay=decay)
    with single_blas_thread():
        return network.train(task.params0, d.x_train, d.y_train, batches, lr=lr, beta=beta,
                             lr_schedule=schedule, nesterov=nesterov, x_val=d.x_val, y_val=d.y_val)


def halving_grid(lr0, n_lr, n_beta):
    """η = lr0·2ʲ (j < n_lr) and β = 1 − 2⁻ⁱ (i < n_beta), as a (β rows, η columns) meshgrid.

    The effective learning rate η/(1 − β) = lr0·2^(i+j) is then constant along every
    anti-diagonal, so iso-lines of η/(1 − β) pass through grid points.
    """
    lrs = lr0 * 2.0 ** np.arange(n_lr)
    betas = 1.0 - 0.5 ** np.arange(n_beta)
    return lrs, betas, *np.meshgrid(lrs, betas)


def along_effective_lr(lr_grid, beta_grid, values, effective):
    """The entries of ``values`` (grid-shaped) whose η/(1 − β) equals ``effective``, β ascending.

    Returns (betas, values) on that iso-line.
    """
    eff = lr_grid / (1.0 - beta_grid)
    on = np.isclose(eff, effective, rtol=1e-9)
    order = np.argsort(beta_grid[on])
    return beta_grid[on][order], values[on][order]


def smallest_stable_beta(effective_lr, lam):
    """The β above which heavy ball is stable at a fixed effective learning rate η/(1 − β).

    PyTorch form, curvature ``lam``: with η = η_eff·(1 − β), the stability condition
    0 < η·λ < 2(1 + β) (notebook 05) holds exactly for β > (η_eff·λ − 2)/(η_eff·λ + 2).
    Returns 0 where every β ≥ 0 is stable (η_eff·λ ≤ 2, where plain SGD is stable too).
    Broadcasts over arrays; both arguments must be positive.
    """
    x = np.asarray(effective_lr, dtype=float) * np.asarray(lam, dtype=float)
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError("effective_lr and lam must be positive and finite")
    out = np.maximum((x - 2.0) / (x + 2.0), 0.0)
    return out if out.ndim else float(out)


def nudged(params, rel=NUDGE):
    """``params`` with every number changed by a relative ``rel``, alternately up and down."""
    def nudge(p):
        signs = np.where(np.arange(p.size) % 2, 1.0, -1.0).reshape(p.shape)
        return p * (1.0 + rel * signs)

    return network.MLP(*(nudge(p) for p in params))


class SeedRuns(NamedTuple):
    """Final validation losses over seeds, and which of them are stable.

    seeds: the seeds (each seeds the starting weights and the mini-batch order).
    loss: (seeds, *S) validation loss after the last epoch; NaN where the run diverged.
    stable: (seeds, *S) the run from nudged starting weights ends within ``TOLERANCE``
        (both diverged counts as agreeing).
    """
    seeds: tuple
    loss: np.ndarray
    stable: np.ndarray


def final_losses(lr, beta, seeds, *, hidden=32, **train_kwargs):
    """Train every (lr, β) setting for every seed, twice (plain and nudged start): ``SeedRuns``.

    ``train_kwargs`` go to ``train_settings`` (epochs, batch_size, warmup, decay, nesterov).
    """
    seeds = tuple(int(s) for s in np.atleast_1d(seeds))
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    loss, stable = [], []
    for seed in seeds:
        task = digits_task(hidden, seed)
        plain = train_settings(task, lr, beta, seed=seed, **train_kwargs).val_loss[-1]
        twin = train_settings(Task(task.data, nudged(task.params0)), lr, beta, seed=seed,
                              **train_kwargs).val_loss[-1]
        loss.append(plain)
        stable.append(np.isclose(plain, twin, rtol=TOLERANCE, atol=0.0)
                      | (np.isnan(plain) & np.isnan(twin)))
    return SeedRuns(seeds, np.array(loss), np.array(stable))


def loss_text(loss, stable=True, fmt=".3g"):
    """A final loss as it may be printed on any machine.

    "unstable" if the run is not ``stable``; "diverged" if it blew up (NaN); "above chance
    level 2.30" if it ends above the loss of a uniform guess, ln 10; otherwise the number.
    """
    if not stable:
        return "unstable"
    if np.isnan(loss):
        return "diverged"
    if loss > CHANCE_LOSS:
        return f"above chance level {CHANCE_LOSS:.2f}"
    return format(float(loss), fmt)


def seed_summary(loss, stable, fmt=".2g"):
    """One setting's final losses over the seeds, as text that is the same on every machine.

    "median (lowest–highest)" if every seed's run is stable and finite; "unstable k/n" if k of
    the n runs are unstable; "diverged k/n" if k stable runs diverged (and none is unstable).
    """
    loss, stable = np.asarray(loss, dtype=np.float64), np.asarray(stable, dtype=bool)
    n = loss.size
    if not stable.all():
        return f"unstable {n - int(stable.sum())}/{n}"
    if np.isnan(loss).any():
        return f"diverged {int(np.isnan(loss).sum())}/{n}"
    lo, mid, hi = (format(float(v), fmt) for v in (loss.min(), np.median(loss), loss.max()))
    return mid if lo == hi else f"{mid} ({lo}–{hi})"


def seed_summaries(runs, fmt=".2g"):
    """``seed_summary`` of every setting of ``runs`` (``SeedRuns``): an array of text, shape S."""
    loss = np.moveaxis(runs.loss, 0, -1)
    stable = np.moveaxis(runs.stable, 0, -1)
    out = np.empty(loss.shape[:-1], dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = seed_summary(loss[index], stable[index], fmt)
    return out


class Tuned(NamedTuple):
    """Per seed and row: the lowest stable loss over η, its effective η, and the range of effective
    η over which stable runs end below ``good`` (lo, hi; NaN if none). Shapes (seeds, rows)."""
    best: np.ndarray
    best_effective_lr: np.ndarray
    good_from: np.ndarray
    good_to: np.ndarray


def tune_lr(runs, lrs, betas, good=0.2):
    """Tune η per seed and per β: ``runs`` from ``final_losses(lrs[None, :], betas[:, None], …)``.

    Unstable runs are never the best and never count as good: their loss is not reproducible.
    """
    lrs, betas = np.asarray(lrs, dtype=np.float64), np.asarray(betas, dtype=np.float64)
    loss = np.where(runs.stable, runs.loss, np.nan)
    eff = lrs[None, :] / (1.0 - betas[:, None])                        # (rows, lrs)
    with np.errstate(invalid="ignore"):
        finite = np.where(np.isnan(loss), np.inf, loss)
        pick = np.argmin(finite, axis=-1)
        best = np.take_along_axis(finite, pick[..., None], axis=-1)[..., 0]
        ok = loss < good
        eff_b = np.broadcast_to(eff, loss.shape)
        lo = np.where(ok.any(-1), np.min(np.where(ok, eff_b, np.inf), axis=-1), np.nan)
        hi = np.where(ok.any(-1), np.max(np.where(ok, eff_b, -np.inf), axis=-1), np.nan)
    return Tuned(np.where(np.isinf(best), np.nan, best), np.take_along_axis(eff_b, pick[..., None], -1)[..., 0], lo, hi)


def seed_label(seeds):
    """"seeds A–B" for consecutive seeds (how notebooks and claims ledgers name them)."""
    seeds = [int(s) for s in seeds]
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        raise ValueError(f"seeds must be consecutive; got {seeds}")
    return f"seeds {seeds[0]}–{seeds[-1]}"


def tuned_table(tuned, seeds, betas):
    """Lines of text: per seed, each β's best stable loss, its η/(1 − β), and the range of
    η/(1 − β) over which stable runs end below 0.2."""
    def good(k, row):
        lo, hi = tuned.good_from[k, row], tuned.good_to[k, row]
        return "none" if np.isnan(lo) else f"{lo:.2g}–{hi:.2g}"
    head = " | ".join(f"β = {b:g}: best  at η/(1−β)  loss < 0.2 for η/(1−β)" for b in betas)
    lines = [f"seed | {head}"]
    for k, seed in enumerate(seeds):
        lines.append(f"{seed:>4} | " + " | ".join(
            f"{'':{len(f'β = {b:g}: ')}}{tuned.best[k, row]:.3f}  {tuned.best_effective_lr[k, row]:>10.3g}  "
            f"{good(k, row):>22}" for row, b in enumerate(betas)))
    return lines


def relative_change(base, other, k):
    """other/base − 1 of setting ``k`` in every seed where both runs are stable (``SeedRuns``)."""
    both = base.stable[:, k] & other.stable[:, k]
    return other.loss[both, k] / base.loss[both, k] - 1.0


def times_lowest(table, k, name):
    """In how many seeds ``table[name]`` has the lowest stable loss of setting ``k`` among ``table``."""
    loss = np.array([np.where(t.stable[:, k], t.loss[:, k], np.inf) for t in table.values()])
    return int(np.sum(np.argmin(loss, axis=0) == list(table).index(name)))
