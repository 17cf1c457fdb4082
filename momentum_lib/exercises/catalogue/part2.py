"""Part 2 of the exercises: questions answered with the library of notebooks 01–05."""

import math

from ._entry import Exercise, Mistake, Option, Tolerance, fmt, fmt_list, grid, markdown

REL = Tolerance("rel", 1e-3, "0.1% (relative)")


# --- ex6 ------------------------------------------------------------------------------------------

def _ex6_answer(p):
    from ...theory import max_stable_lr

    return float(max_stable_lr(p["beta"], p["lam"]))


def _ex6_mistakes(p):
    b, lam = p["beta"], p["lam"]
    edge = (2 + 2 * b) / ((1 - b) * lam)
    return (
        Mistake("Polyak's step α instead of the EMA-form η", 0, (2 + 2 * b) / lam),
        Mistake("gradient descent's limit 2/λ", 0, 2 / lam),
        Mistake("gradient descent's condition αλ < 2", 0, 2 / ((1 - b) * lam)),
        Mistake("Nesterov's limit", 0, 2 * (1 + b) / (1 + 2 * b) / lam / (1 - b)),
        Mistake("multiplied by λ instead of dividing", 0, (2 + 2 * b) * lam / (1 - b)),
        Mistake("a negative learning rate", 0, -edge),
    )


def _ex6_stem(p, practice):
    lam = fmt(p["lam"])
    return markdown(
        "### Exercise 6 · The edge of stability",
        "In Polyak's form (step α, momentum β), heavy ball on a quadratic with curvature λ converges "
        f"exactly when 0 < αλ < 2 + 2β. For **β = {fmt(p['beta'])}** and curvature **λ = {lam}**, "
        "momentum in the **EMA form** (the `lr` of `ml.run`) converges for every learning rate below "
        "an edge value and for none at or above it. What is that edge?",
        "Check your value with `theory.max_stable_lr`, or by running `ml.run` on "
        f"`problems.parabola({p['lam']:g})` for 1000 steps at 1% below and 1% above it: "
        "`abs(result.w[-1])` has shrunk far below w₀ = 1 below the edge and has grown above it. "
        "(`result.diverged` is no test here: it only says whether |w| passed 10⁶, and just above the "
        "edge that takes many steps"
        + (" — the cell below shows it.)" if practice else ".)"),
    )


EX6 = Exercise(
    id="ex6",
    title=lambda p: (f"the stability edge of the learning rate (β = {fmt(p['beta'])}, "
                     f"λ = {fmt(p['lam'])}, EMA form)"),
    kind="number", stem=_ex6_stem, practice={"beta": 0.9, "lam": 3.0},
    answer=_ex6_answer, mistakes=_ex6_mistakes, tolerance=REL,
    draw=lambda rng: {"beta": grid(rng, 0.8, 0.95, 0.01), "lam": grid(rng, 1.5, 8.0, 0.5)})


# --- ex7 ------------------------------------------------------------------------------------------

def _ex7_answer(p):
    from ...theory import optimal_parameters

    return float(optimal_parameters(float(p["kappa"])).beta)


def _ex7_mistakes(p):
    k = float(p["kappa"])
    r = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    return (
        Mistake("the best rate instead of the best β", 0, r),
        Mistake("κ used instead of √κ", 0, ((k - 1) / (k + 1)) ** 2),
        Mistake("gradient descent's best rate", 0, (k - 1) / (k + 1)),
        Mistake("Nesterov's classic rate", 0, 1 - 1 / math.sqrt(k)),
        Mistake("the customary default 0.9", 0, 0.9),
    )


def _ex7_stem(p, practice):
    k = p["kappa"]
    return markdown(
        "### Exercise 7 · The best β for a valley",
        f"A quadratic valley's curvatures range from λmin to λmax = {k}·λmin: its condition number "
        f"is **κ = {k}**. With the learning rate chosen best for it, which β makes heavy ball "
        "converge fastest? (Notebook 05's phase diagram shows where it lies; "
        "`theory.optimal_parameters` computes it.)",
    )


EX7 = Exercise(
    id="ex7", title=lambda p: f"the best β for condition number κ = {p['kappa']}", kind="number",
    stem=_ex7_stem, practice={"kappa": 64}, answer=_ex7_answer, mistakes=_ex7_mistakes,
    tolerance=REL, draw=lambda rng: {"kappa": rng.randint(10, 400)})


# --- ex8 ------------------------------------------------------------------------------------------

def _ex8_answer(p):
    from ...frameworks import ema_lr_to_pytorch_lr

    return float(ema_lr_to_pytorch_lr(p["lr"], p["beta"]))


def _ex8_mistakes(p):
    lr, b = p["lr"], p["beta"]
    return (
        Mistake("divided by (1−β) instead of multiplied", 0, lr / (1 - b)),
        Mistake("the same learning rate", 0, lr),
        Mistake("multiplied by β instead of (1−β)", 0, lr * b),
        Mistake("divided by β", 0, lr / b),
    )


EX8 = Exercise(
    id="ex8", title=lambda p: "the PyTorch learning rate equal to an EMA-form lr", kind="number",
    stem=lambda p, practice: markdown(
        "### Exercise 8 · Translating a learning rate to PyTorch",
        f"You tuned **η = {fmt(p['lr'])} with β = {fmt(p['beta'])} in the EMA form**. Which learning "
        f"rate makes PyTorch's `torch.optim.SGD(params, lr=?, momentum={p['beta']:g})` follow exactly "
        "the same path? Verify it with `ml.run(..., convention=\"pytorch\")` on any problem."),
    practice={"lr": 0.05, "beta": 0.95}, answer=_ex8_answer, mistakes=_ex8_mistakes,
    tolerance=REL,
    draw=lambda rng: {"lr": grid(rng, 0.01, 0.2, 0.005),
                      "beta": rng.choice([0.8, 0.85, 0.9, 0.95, 0.98, 0.99])})


# --- ex9 ------------------------------------------------------------------------------------------

def _ex9_buffer(grads, mu):
    from ...trace import trace_table

    return [float(b) for b in trace_table(grads, lr=1.0, beta=mu, convention="pytorch").v]


def _ex9_answer(p):
    return -p["lr"] * _ex9_buffer(p["grads"], p["mu"])[-1]


def _ex9_mistakes(p):
    from ...trace import trace_table

    lr, g = p["lr"], p["grads"]
    b = _ex9_buffer(g, p["mu"])
    ema = float(trace_table(g, lr=lr, beta=p["mu"]).v[-1])
    return (
        Mistake("the wrong sign", 0, lr * b[-1]),
        Mistake("−b: PyTorch's buffer without η", 0, -b[-1]),
        Mistake("PyTorch's buffer b", 0, b[-1]),
        Mistake("the EMA-form velocity", 0, -lr * ema),
        Mistake("m after step 2", 0, -lr * b[-2]),
        Mistake("m after step 1", 0, -lr * g[0]),
    )


EX9 = Exercise(
    id="ex9", title=lambda p: "Keras's momentum variable from PyTorch's buffer", kind="number",
    stem=lambda p, practice: markdown(
        "### Exercise 9 · Keras's momentum variable",
        f"PyTorch `SGD(lr={p['lr']:g}, momentum={p['mu']:g})` and Keras "
        f"`SGD(learning_rate={p['lr']:g}, momentum={p['mu']:g})` see the same gradients "
        f"{fmt_list(p['grads'])} on one scalar weight and take identical steps. PyTorch stores a "
        "buffer b (b ← μb + g, w ← w − η·b); Keras stores a momentum variable m (m ← μm − η·g, "
        "w ← w + m). What is Keras's **m after step 3**?"),
    practice={"lr": 0.03, "mu": 0.9, "grads": [0.5, 0.4, 0.3]}, answer=_ex9_answer,
    mistakes=_ex9_mistakes, tolerance=REL,
    draw=lambda rng: {"lr": grid(rng, 0.01, 0.1, 0.005), "mu": grid(rng, 0.8, 0.95, 0.01),
                      "grads": [grid(rng, 0.1, 0.9, 0.05) for _ in range(3)]})


# --- ex10: multiple choice -----------------------------------------------------------------------

EX10 = Exercise(
    id="ex10", title=lambda p: "why momentum overshoots more than NAG", kind="choice",
    stem=lambda p, practice: markdown(
        "### Exercise 10 · Why does momentum overshoot more?",
        "Notebook 04 compared the two methods on the parabola J(w) = ½w² (`problems.parabola()`, "
        "curvature 1, w₀ = 1) at η = 2 and β = 0.9 in the EMA form: momentum went further past the "
        "minimum than NAG. It does so at **η = 1 and β = 0.9** too, the setting of this exercise "
        "and the next (the facts at the end print both). Which mechanism explains it? Work out "
        "where each method takes its gradient at the step where w has just crossed 0 (w slightly "
        "below 0, v large and positive)."),
    practice={"order": list("abc")}, example='"c"', prompt="a letter",
    options=(
        Option("NAG's steps are all shorter than momentum's: its effective learning rate is "
               "smaller, so it builds up less speed.", "NAG's steps are all shorter"),
        Option("NAG's gradient is taken at w − η·β·v, further past the minimum, where it pulls back "
               "harder: NAG brakes sooner.", "NAG's gradient is taken further past the minimum"),
        Option("After the crossing the gradient at w still points forward, so momentum's velocity "
               "keeps growing while NAG's does not.", "the gradient still points forward"),
    ))


# --- ex11 -----------------------------------------------------------------------------------------

def _ex11_lowest(p, method):
    from ...problems import parabola
    from ...trajectory import run

    par = parabola()
    return float(run(par.grad, par.w0, 50, lr=p["lr"], beta=p["beta"], method=method).w.min())


def _ex11_answer(p):
    return (_ex11_lowest(p, "momentum"), _ex11_lowest(p, "nesterov"))


def _ex11_mistakes(p):
    from ...frameworks import pytorch_sgd
    from ...problems import parabola

    mom, nag = _ex11_answer(p)
    par = parabola()
    torch = float(pytorch_sgd(par.grad, par.w0, 50, lr=p["lr"] * (1 - p["beta"]),
                              momentum=p["beta"], nesterov=True).min())
    return (
        Mistake("the size of momentum's overshoot, not the lowest w", 0, -mom),
        Mistake("the size of NAG's overshoot, not the lowest w", 1, -nag),
        Mistake("NAG's lowest w given first", 0, nag),
        Mistake("momentum's lowest w given second", 1, mom),
        Mistake("PyTorch's nesterov=True path", 1, torch),
    )


def _ex11_stem(p, practice):
    return markdown(
        "### Exercise 11 · Measure: how far past the minimum?",
        f"On ex10's parabola (`problems.parabola()`, w₀ = 1), with **η = {fmt(p['lr'])} and "
        f"β = {fmt(p['beta'])}** in the EMA form, run both methods for 50 steps with `ml.run` "
        "(`method=\"momentum\"` and `method=\"nesterov\"`) and report the lowest w each reaches (a "
        "negative number: past the minimum).",
        "Answer with a pair: `answer = (momentum's lowest w, NAG's lowest w)`.",
    )


EX11 = Exercise(
    id="ex11", title=lambda p: "how far past the minimum? (momentum, NAG)", kind="pair",
    stem=_ex11_stem, practice={"lr": 1.0, "beta": 0.9}, answer=_ex11_answer,
    mistakes=_ex11_mistakes, tolerance=Tolerance("abs", 5e-4, "±0.0005"),
    parts=("momentum's lowest w", "NAG's lowest w"), example="(-0.5, -0.2)",
    prompt="(momentum's lowest w, NAG's lowest w)",
    draw=lambda rng: {"lr": rng.choice([0.5, 0.75, 1.0, 1.25, 1.5]),
                      "beta": grid(rng, 0.85, 0.95, 0.01)})


# --- ex12 -----------------------------------------------------------------------------------------

def _ex12_answer(p):
    from ...theory import half_life

    return float(half_life(p["beta"]))


def _ex12_mistakes(p):
    b = p["beta"]
    h = math.log(0.5) / math.log(b)
    return (
        Mistake("the effective window 1/(1−β)", 0, 1 / (1 - b)),
        Mistake("the approximation ln 2/(1−β)", 0, math.log(2) / (1 - b)),
        Mistake("rounded up to whole steps", 0, math.ceil(h)),
        Mistake("a negative half-life", 0, -h),
        Mistake("half the effective window", 0, 1 / (2 * (1 - b))),
        Mistake("rounded down to whole steps", 0, math.floor(h)),
    )


EX12 = Exercise(
    id="ex12", title=lambda p: f"the half-life of the velocity's memory (β = {fmt(p['beta'])})",
    kind="number",
    stem=lambda p, practice: markdown(
        "### Exercise 12 · The half-life of the velocity's memory",
        "Each step multiplies every old gradient's weight inside the velocity by β. For "
        f"**β = {fmt(p['beta'])}**, after how many steps has a gradient's weight halved? Give the exact "
        "value (a real number, not rounded to whole steps), and compare it with the effective window "
        "1/(1−β)."),
    practice={"beta": 0.95}, answer=_ex12_answer, mistakes=_ex12_mistakes,
    tolerance=Tolerance("abs", 0.05, "±0.05 steps"),
    draw=lambda rng: {"beta": grid(rng, 0.8, 0.99, 0.001)})

ENTRIES = (EX6, EX7, EX8, EX9, EX10, EX11, EX12)
