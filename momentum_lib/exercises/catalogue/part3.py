"""Part 3 of the exercises: noisy gradients and the digits network (notebooks 06 and 07).

All in the PyTorch form (b ← βb + g, w ← w − η·b), the form those notebooks use.
"""

import math

from ._entry import Exercise, Mistake, Tolerance, fmt, grid, markdown

REL = Tolerance("rel", 1e-3, "0.1% (relative)")


# --- ex13 -----------------------------------------------------------------------------------------

def _ex13_answer(p):
    from ...noise import effective_lr

    return float(p["lr"] / effective_lr(1.0, p["beta"]))


EX13 = Exercise(
    id="ex13",
    title=lambda p: (f"the η that keeps SGD's effective learning rate (η = {fmt(p['lr'])}, "
                     f"β = {fmt(p['beta'])}, PyTorch form)"),
    kind="number",
    stem=lambda p, practice: markdown(
        "### Exercise 13 · Switching momentum on without changing the effective step",
        f"You train with plain mini-batch SGD at **η = {fmt(p['lr'])}** and like where it ends up. "
        f"Now you switch on momentum with **β = {fmt(p['beta'])} in the PyTorch form** (b ← βb + g, "
        "w ← w − η·b, as in `torch.optim.SGD`). Which η gives the same effective learning rate "
        "η/(1 − β)? That rate sets the long-run, noise-dominated behaviour as long as it is small "
        "against the largest curvature λ (η/(1 − β)·λ ≪ 1; ex14 shows what changes when it is "
        "not). Check your value with `noise.effective_lr(lr, beta)`."),
    practice={"lr": 0.1, "beta": 0.9}, answer=_ex13_answer,
    mistakes=lambda p: (
        Mistake("η kept unchanged", 0, p["lr"]),
        Mistake("multiplied by 1/(1 − β) instead of dividing", 0, p["lr"] / (1 - p["beta"])),
        Mistake("multiplied by β", 0, p["lr"] * p["beta"]),
        Mistake("multiplied by 1 + β", 0, p["lr"] * (1 + p["beta"])),
    ),
    tolerance=REL,
    draw=lambda rng: {"lr": grid(rng, 0.05, 0.5, 0.01),
                      "beta": rng.choice([0.8, 0.85, 0.9, 0.95, 0.98, 0.99])})


# --- ex14 -----------------------------------------------------------------------------------------

def _floor(alpha, beta, lam, var):
    """Heavy ball's stationary variance in Polyak's form (notebook 06's closed form)."""
    return alpha * var * (1 + beta) / (lam * (1 - beta) * (2 * (1 + beta) - alpha * lam))


def _ex14_answer(p):
    from ...noise import stationary_variance

    return float(stationary_variance(p["lr"], p["beta"], p["lam"], p["sigma"]))


def _ex14_mistakes(p):
    lr, b, lam, s = p["lr"], p["beta"], p["lam"], p["sigma"]
    eff = lr / (1 - b)
    return (
        Mistake("plain SGD's floor at the same η", 0, _floor(lr, 0.0, lam, s * s)),
        Mistake("σ used for σ²", 0, _floor(lr, b, lam, s)),
        Mistake("the EMA form's step α = η(1 − β)", 0, _floor(lr * (1 - b), b, lam, s * s)),
        Mistake("the standard deviation", 0, math.sqrt(_floor(lr, b, lam, s * s))),
        Mistake("the small-step approximation", 0, eff * s * s / (2 * lam)),
        Mistake("plain SGD at the effective η", 0, _floor(eff, 0.0, lam, s * s)),
    )


EX14 = Exercise(
    id="ex14",
    title=lambda p: (f"the noise floor of heavy ball (λ = {fmt(p['lam'])}, σ = {fmt(p['sigma'])}, "
                     f"η = {fmt(p['lr'])}, β = {fmt(p['beta'])}, PyTorch form)"),
    kind="number",
    stem=lambda p, practice: markdown(
        "### Exercise 14 · The noise floor",
        f"Heavy ball in the **PyTorch form** on J(w) = ½λw² with **λ = {fmt(p['lam'])}** sees the "
        "gradients λw + σξ, with ξ ~ N(0, 1) independent at every step and "
        f"**σ = {fmt(p['sigma'])}**. With **η = {fmt(p['lr'])} and β = {fmt(p['beta'])}**, what is "
        "the long-run (stationary) variance of w? Notebook 06 derives the formula: work it out by "
        "hand first, then compare with `noise.stationary_variance`."),
    practice={"lam": 2.0, "sigma": 0.5, "lr": 0.05, "beta": 0.9}, answer=_ex14_answer,
    mistakes=_ex14_mistakes, tolerance=REL,
    draw=lambda rng: {"lam": grid(rng, 1.0, 4.0, 0.5), "sigma": grid(rng, 0.2, 1.0, 0.1),
                      "lr": grid(rng, 0.01, 0.1, 0.01), "beta": rng.choice([0.8, 0.85, 0.9, 0.95])})


# --- ex15 -----------------------------------------------------------------------------------------

def _ex15_answer(p):
    from ...practice import smallest_stable_beta

    return float(smallest_stable_beta(p["eff"], 1.0))


def _ex15_mistakes(p):
    x = p["eff"]
    edge = (x - 2) / (x + 2)
    return (
        Mistake("gradient descent's limit ηλ < 2 kept", 0, 1 - 2 / x),
        Mistake("η kept at the effective learning rate", 0, (x - 2) / 2),
        Mistake("the fraction upside down", 0, (x + 2) / (x - 2)),
        Mistake("1 − β instead of β", 0, 1 - edge),
    )


EX15 = Exercise(
    id="ex15",
    title=lambda p: (f"the smallest stable β at effective learning rate η/(1 − β) = {fmt(p['eff'])} "
                     "(λ = 1, PyTorch form)"),
    kind="number",
    stem=lambda p, practice: markdown(
        "### Exercise 15 · Where momentum helps at a fixed effective η",
        "Take a quadratic whose largest curvature is λ = 1, and fix the effective learning rate "
        f"**η/(1 − β) = {fmt(p['eff'])}** (PyTorch form, so η = {fmt(p['eff'])}·(1 − β)). Plain SGD "
        "(β = 0) needs η·λ < 2 and is unstable there; heavy ball is stable when 0 < η·λ < 2(1 + β). "
        "Above which β is heavy ball stable at this effective learning rate? Give the edge value. "
        "(Notebook 07's grid of (η, β) shows where this matters on a real network.)"),
    practice={"eff": 5.0}, answer=_ex15_answer, mistakes=_ex15_mistakes, tolerance=REL,
    example="0.5", draw=lambda rng: {"eff": grid(rng, 2.5, 12.0, 0.1)})


# --- ex16 -----------------------------------------------------------------------------------------

# ex16's grid: (1 − β) times these effective learning rates
DIGITS_EFFECTIVE_LRS = (0.16, 0.32, 0.64, 1.28, 2.56, 5.12)
_TASK = []


def digits_task():
    """Notebook 07's digits task, made once per process (ex16's answers train on it)."""
    if not _TASK:
        from ...practice import digits_task as make

        _TASK.append(make())
    return _TASK[0]


def ex16_losses(p):
    """The six validation losses after the last epoch, one per η of ``p["lrs"]``."""
    import numpy as np

    from ...practice import train_settings

    return train_settings(digits_task(), np.array(p["lrs"]), p["beta"],
                          epochs=p["epochs"]).val_loss[-1]


def _ex16_best(p):
    import numpy as np

    return int(np.nanargmin(ex16_losses(p)))


def _ex16_mistakes(p):
    lrs, best = p["lrs"], _ex16_best(p)
    out = [Mistake("η/(1 − β) instead of η", 0, lrs[best] / (1 - p["beta"]))]
    for name, i in (("the next larger η", best + 1), ("the next smaller η", best - 1),
                    ("the largest η", len(lrs) - 1)):
        if 0 <= i < len(lrs) and i != best and all(m.value != lrs[i] for m in out):
            out.append(Mistake(name, 0, lrs[i]))
    return tuple(out)


def _ex16_draw(rng):
    beta = rng.choice([0.8, 0.85, 0.9, 0.95])
    return {"beta": beta, "epochs": rng.choice([2, 3, 4]),
            "lrs": [round((1 - beta) * e, 6) for e in DIGITS_EFFECTIVE_LRS]}


def _ex16_stem(p, practice):
    etas = ", ".join(fmt(x) for x in p["lrs"])
    return markdown(
        "### Exercise 16 · Tune η for momentum on the digits network",
        f"Notebook 07's network, `task = practice.digits_task()`. Train momentum with "
        f"**β = {fmt(p['beta'])}** (PyTorch form) for **{p['epochs']} epochs** at the six learning "
        f"rates η ∈ {{{etas}}} in one call, "
        f"`practice.train_settings(task, etas, {p['beta']:g}, epochs={p['epochs']})` with `etas` a "
        "numpy array, and read the validation losses after the last epoch, `.val_loss[-1]` (one per "
        "η). Which η gives the lowest validation loss? Both calls use their default seed 0, for the "
        "network's starting weights and for the order of the mini-batches, and the answer is for "
        "seed 0, since with other seeds the best η can differ."
        + (" Then train plain SGD (β = 0) on the grid ten times larger and compare its best η with "
           "your η/(1 − β)." if practice else ""),
    )


EX16 = Exercise(
    id="ex16", title=lambda p: (f"the best η for β = {fmt(p['beta'])} on the digits network "
                                f"({p['epochs']} epochs)"),
    kind="number", stem=_ex16_stem,
    practice={"beta": 0.9, "epochs": 3, "lrs": [0.016, 0.032, 0.064, 0.128, 0.256, 0.512]},
    answer=lambda p: float(p["lrs"][_ex16_best(p)]), mistakes=_ex16_mistakes,
    tolerance=Tolerance("rel", 1e-3, "0.1% (relative), one of the six η's"),
    draw=_ex16_draw, shared_answers=True)

ENTRIES = (EX13, EX14, EX15, EX16)
