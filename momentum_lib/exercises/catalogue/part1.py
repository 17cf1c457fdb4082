"""Part 1 of the exercises: the source post's five questions, stated correctly."""

from ._entry import Exercise, Mistake, Option, Tolerance, fmt, fmt_list, grid, markdown

REL = Tolerance("rel", 1e-3, "0.1% (relative)")


# --- ex1 ------------------------------------------------------------------------------------------

def _ex1_draw(rng):
    grads = sorted((grid(rng, 0.1, 0.8, 0.05) for _ in range(4)), reverse=True)
    return {"lr": rng.choice([0.05, 0.1, 0.2]), "beta": grid(rng, 0.8, 0.95, 0.01),
            "grads": grads + [-grid(rng, 0.05, 0.3, 0.05)]}


def _ex1_table(p):
    from ...trace import trace_table

    return trace_table(p["grads"], lr=p["lr"], beta=p["beta"])


def _ex1_answer(p):
    t = _ex1_table(p)
    return (float(-p["lr"] * t.g[-1]), float(t.dw[-1]))


def _ex1_mistakes(p):
    lr, g5 = p["lr"], p["grads"][-1]
    v = _ex1_table(p).v
    v5, v4 = float(v[-1]), float(v[-2])
    return (
        Mistake("SGD step with η applied twice", 0, -lr * lr * g5),
        Mistake("SGD step with the wrong sign", 0, lr * g5),
        Mistake("SGD step without η", 0, -g5),
        Mistake("the gradient instead of the SGD step", 0, g5),
        Mistake("momentum step with η applied twice", 1, -lr * lr * v5),
        Mistake("−v₅ instead of −η·v₅", 1, -v5),
        Mistake("the velocity instead of the step", 1, v5),
        Mistake("momentum step with the wrong sign", 1, lr * v5),
        Mistake("velocity rounded to three decimals", 1, -lr * round(v5, 3)),
        Mistake("the velocity before step 5", 1, -lr * v4),
        Mistake("SGD's step given for momentum's", 1, -lr * g5),
    )


def _ex1_stem(p, practice):
    return markdown(
        "### Exercise 1 · Step 5: vanilla SGD against momentum",
        ("The trace of notebook 03: " if practice else "")
        + f"w₀ = 0, v₀ = 0, learning rate η = {fmt(p['lr'])}, β = {fmt(p['beta'])} in the EMA form "
        f"(v ← βv + (1−β)∇J, w ← w − η·v), gradients {fmt_list(p['grads'])}. At step 5 the gradient "
        "has turned negative: the minimum has been passed.",
        "What is the weight change Δw at step 5 for **vanilla SGD** (Δw = −η·∇J with the same η) and "
        "for **momentum** (Δw = −η·v₅, after the velocity update)? Which one takes the larger step, "
        "and in which direction does each go?",
        "Answer with a pair, signs included: `answer = (SGD step, momentum step)`."
        + (" *(The source post writes the SGD step as −0.1 × η × (−0.1): that has one factor too "
           "many.)*" if practice else ""),
    )


EX1 = Exercise(
    id="ex1", title=lambda p: "step 5: vanilla SGD against momentum", kind="pair",
    stem=_ex1_stem, practice={"lr": 0.1, "beta": 0.9, "grads": [0.5, 0.4, 0.3, 0.1, -0.1]},
    answer=_ex1_answer, mistakes=_ex1_mistakes, tolerance=REL,
    parts=("SGD step", "momentum step"), example="(0.5, -0.2)",
    prompt="(SGD step, momentum step)", draw=_ex1_draw)


# --- ex2 ------------------------------------------------------------------------------------------

def _ex2_weight(beta, t):
    from ...theory import past_gradient_weights

    return float(past_gradient_weights(beta, t)[0])


def _ex2_mistakes(p):
    b, ts = p["beta"], (p["t1"], p["t2"])
    wrong = (("no (1−β) factor", lambda t: b ** (t - 1)),
             ("one power of β too many", lambda t: (1 - b) * b ** t),
             ("β^t", lambda t: b ** t),
             ("one power of β too few", lambda t: (1 - b) * b ** (t - 2)))
    return tuple(Mistake(name, part, f(t)) for name, f in wrong for part, t in enumerate(ts))


def _ex2_stem(p, practice):
    return markdown(
        "### Exercise 2 · How long does momentum remember?",
        "In the EMA form the velocity at step t is a weighted sum of all gradients so far. For "
        f"β = {fmt(p['beta'])}, what weight does the **step-1 gradient** carry inside the velocity at "
        f"step {p['t1']}, and at step {p['t2']}?",
        f"Answer with a pair: `answer = (weight at step {p['t1']}, weight at step {p['t2']})`. Then "
        "ask yourself what the two numbers say about the \"effective window\" of momentum.",
    )


EX2 = Exercise(
    id="ex2", title=lambda p: f"the weight of the step-1 gradient at steps {p['t1']} and {p['t2']}",
    kind="pair", stem=_ex2_stem, practice={"beta": 0.9, "t1": 10, "t2": 50},
    answer=lambda p: (_ex2_weight(p["beta"], p["t1"]), _ex2_weight(p["beta"], p["t2"])),
    mistakes=_ex2_mistakes,
    tolerance=Tolerance("rel", 5e-3, "0.5% (relative): three significant figures are enough"),
    parts=("weight at t = {t1}", "weight at t = {t2}"), example="(0.5, 0.002)",
    prompt="(weight at step {t1}, weight at step {t2})",
    draw=lambda rng: {"beta": grid(rng, 0.8, 0.95, 0.01), "t1": rng.randint(5, 15),
                      "t2": rng.randint(30, 60)})


# --- ex3, ex4, ex5: multiple choice ---------------------------------------------------------------

EX3 = Exercise(
    id="ex3", title=lambda p: "NAG and momentum near the minimum", kind="choice",
    stem=lambda p, practice: markdown(
        "### Exercise 3 · Nesterov near the minimum",
        "NAG takes its gradient at the look-ahead point w − η·β·v. The source post argues that near "
        "the minimum the velocity dies down, v ≈ 0, and concludes that NAG's update then becomes the "
        "same as momentum's, so the two behave alike there. The velocity does die down; the question "
        "is whether the conclusion follows. On a quadratic (for example ex10's parabola, EMA form), "
        "which statement is true near the minimum?"),
    practice={"order": list("abcd")}, example='"a"', prompt='a letter, e.g. "a"',
    options=(
        Option("The updates become identical as v → 0, so NAG and momentum approach the minimum at "
               "one and the same rate.", "the updates become identical"),
        Option("The look-ahead moves NAG's fixed point, so NAG settles at a slightly different, "
               "flatter point than momentum.", "a different fixed point"),
        Option("The gap between the two updates shrinks in proportion to v, as fast as the steps, so "
               "the rates stay different.", "the gap shrinks with the steps"),
        Option("Near the minimum NAG needs a smaller learning rate than momentum, or it starts to "
               "oscillate all over again.", "a smaller learning rate near the minimum"),
    ))

EX4 = Exercise(
    id="ex4", title=lambda p: "momentum when mini-batch gradients disagree (EMA form)",
    kind="choice",
    stem=lambda p, practice: markdown(
        "### Exercise 4 · When mini-batch gradients disagree",
        "A network trains with momentum, β = 0.9, in the **EMA form** (v ← βv + (1−β)g, w ← w − η·v). "
        "Its mini-batches are small, so consecutive mini-batch gradients differ a lot: the noise in "
        "each is much larger than the mean gradient they share. Compared with plain SGD at the same "
        "η, what does momentum do?"),
    practice={"order": list("abcd")}, example='"a"', prompt="a letter",
    options=(
        Option("It adds the noise up: the velocity grows to about 1/(1−β) times a typical "
               "gradient, and every step gets larger.", "it adds the noise up"),
        Option("It makes neurons that started identical drift apart, so that they learn different "
               "features from the same data.", "it breaks symmetry"),
        Option("It makes training diverge: the velocity keeps old, wrong directions and piles them "
               "up from one step to the next.", "it diverges"),
        Option("It averages the noise out: the disagreeing parts largely cancel in the velocity, "
               "the shared direction survives.", "it averages the noise out"),
    ))

EX5 = Exercise(
    id="ex5", title=lambda p: "AdamW with β₁ = β₂ = 0", kind="choice",
    stem=lambda p, practice: (
        markdown(
            "### Exercise 5 · AdamW with β₁ = β₂ = 0",
            "AdamW combines a momentum-like first moment m (coefficient β₁) with a second moment v "
            "(coefficient β₂) and **decoupled** weight decay — the λ·w term is added to the update, "
            "not to the gradient, so it is not L2 regularisation (the source post calls it L2):")
        + "\n\nw ← w − η·( m̂ / (√v̂ + ε) + λ·w ).\n\n"
        + "With λ = 0 this is Adam. What does AdamW reduce to when β₁ = 0 and β₂ = 0?"),
    practice={"order": list("abcd")}, example='"b"', prompt="a letter",
    options=(
        Option("Sign descent with decoupled weight decay: w ← w − η·(sign(g) + λ·w) up to ε, each "
               "coordinate moving by η.", "sign descent"),
        Option("Plain SGD with L2 regularisation: w ← w − η·(g + λ·w), the decay term added to the "
               "gradient as usual.", "SGD with L2"),
        Option("Adam without weight decay: λ has no effect once β₁ = β₂ = 0, so the update is "
               "w ← w − η·m̂/(√v̂ + ε).", "no weight decay"),
        Option("Normalised gradient descent: w ← w − η·(g/‖g‖ + λ·w), one step of length η for the "
               "whole vector.", "normalised gradient descent"),
    ))

ENTRIES = (EX1, EX2, EX3, EX4, EX5)
