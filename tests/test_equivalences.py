"""Which momentum conventions are the same algorithm, and which are not
(Sutskever et al. 2013, eqs. 1–4; docs/references.md).

Random smooth problems f(w) = ½·wᵀHw − bᵀw + c·Σ log cosh(wᵢ) and random
hyperparameters; every claimed equality is checked iterate for iterate, and every
claimed difference is checked against the formula that predicts it.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import momentum_lib
from momentum_lib.frameworks import (
    ema_lr_to_pytorch_lr, ema_momentum, ema_velocity_to_pytorch_buffer,
    keras_sgd, keras_velocity_to_pytorch_buffer, optax_sgd, polyak_heavy_ball,
    pytorch_buffer_to_keras_velocity, pytorch_lr_to_ema_lr, pytorch_sgd,
    sutskever_momentum,
)

# Same algorithm, different order of floating-point operations: agreement to
# rounding, accumulated over at most 40 steps.
RTOL = 1e-12
SETTINGS = settings(max_examples=30, deadline=None)


def close(a, b, rtol=RTOL):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b))) <= rtol * max(1.0, float(np.max(np.abs(b))))


@st.composite
def problems(draw):
    """(grad_fn, w0) for a random rotated quadratic plus c·Σ log cosh(w)."""
    seed = draw(st.integers(0, 2**32 - 1))
    dim = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    h = q @ np.diag(rng.uniform(0.05, 1.0, size=dim)) @ q.T
    h = (h + h.T) / 2
    b = rng.uniform(-0.5, 0.5, size=dim)
    c = rng.uniform(0.0, 0.2)

    def grad_fn(w):  # broadcasts over leading axes, so run() can use it on a grid
        return w @ h - b + c * np.tanh(w)

    return grad_fn, rng.uniform(-2, 2, size=dim)


lrs = st.floats(0.01, 0.5)
betas = st.floats(0.0, 0.95)
steps_ = st.integers(1, 40)


@st.composite
def schedules(draw, steps):
    """A learning-rate schedule that really varies: per-step values in [0.01, 0.5]."""
    values = draw(st.lists(st.floats(0.01, 0.5), min_size=steps, max_size=steps))
    return values


def velocities(iterates):
    """The displacement w_t − w_{t−1} of every step (t = 1..T)."""
    return np.diff(iterates, axis=0)


# ---------------------------------------------------------------- constant learning rate

@SETTINGS
@given(problem=problems(), lr=lrs, beta=betas, steps=steps_)
def test_constant_lr_frameworks_and_polyak_take_the_same_steps(problem, lr, beta, steps):
    grad_fn, w0 = problem
    torch = pytorch_sgd(grad_fn, w0, steps, lr=lr, momentum=beta)
    assert close(optax_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta), torch)
    assert close(keras_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta), torch)
    assert close(polyak_heavy_ball(grad_fn, w0, steps, lr=lr, beta=beta), torch)
    assert close(sutskever_momentum(grad_fn, w0, steps, lr=lr, momentum=beta), torch)


@SETTINGS
@given(problem=problems(), lr=lrs, beta=betas, steps=steps_)
def test_keras_velocity_is_minus_lr_times_pytorch_buffer(problem, lr, beta, steps):
    grad_fn, w0 = problem
    keras = keras_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta)
    m = velocities(keras)  # Keras: w ← w + m, so m_t is the displacement
    # PyTorch's buffer rebuilt from its own recursion along the same path.
    b, buffers = np.zeros_like(w0), []
    for w in keras[:-1]:
        b = beta * b + grad_fn(w)
        buffers.append(b)
    assert close(keras_velocity_to_pytorch_buffer(m, lr), buffers, rtol=1e-9)
    assert close(pytorch_buffer_to_keras_velocity(np.array(buffers), lr), m)


@SETTINGS
@given(problem=problems(), lr=lrs, beta=betas, steps=steps_, scheduled=st.booleans())
def test_ema_form_is_pytorch_with_lr_times_one_minus_beta(problem, lr, beta, steps, scheduled):
    # Exactly from the first step, and also under a schedule (both multiply the
    # whole velocity by the current lr).
    grad_fn, w0 = problem
    ema_lrs = [lr * (1 + 0.5 * np.sin(t)) for t in range(steps)] if scheduled else lr
    ema = ema_momentum(grad_fn, w0, steps, lr=ema_lrs, beta=beta)
    torch_lrs = [ema_lr_to_pytorch_lr(x, beta) for x in np.atleast_1d(ema_lrs)]
    torch = pytorch_sgd(grad_fn, w0, steps, lr=torch_lrs if scheduled else torch_lrs[0],
                        momentum=beta)
    assert close(ema, torch)
    # The EMA velocity v_t = −Δw_t/lr_t is (1 − β) times PyTorch's buffer.
    v_ema = -velocities(ema) / np.reshape(np.broadcast_to(ema_lrs, (steps,)), (steps, 1))
    b_torch = -velocities(torch) / np.reshape(np.broadcast_to(torch_lrs, (steps,)), (steps, 1))
    assert close(ema_velocity_to_pytorch_buffer(v_ema, beta), b_torch, rtol=1e-9)


@given(lr=lrs, beta=betas)
def test_lr_conversions_are_inverse(lr, beta):
    assert pytorch_lr_to_ema_lr(ema_lr_to_pytorch_lr(lr, beta), beta) == pytest.approx(lr, rel=1e-12)
    assert float(ema_lr_to_pytorch_lr(lr, beta)) == pytest.approx(lr * (1 - beta))


# ---------------------------------------------------------------- dampening is not the EMA form

@SETTINGS
@given(beta=st.floats(0.05, 0.95), lr=lrs, steps=steps_,
       g=st.lists(st.floats(-2, 2).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=3))
def test_dampening_beta_is_not_the_ema_form_on_a_constant_gradient(beta, lr, steps, g):
    g = np.array(g)
    const = lambda w: g  # noqa: E731  (a linear loss: the gradient never changes)
    w0 = np.zeros_like(g)
    damped = pytorch_sgd(const, w0, steps, lr=lr, momentum=beta, dampening=beta)
    ema = ema_momentum(const, w0, steps, lr=lr, beta=beta)
    b = -velocities(damped) / lr
    v = -velocities(ema) / lr
    t = np.arange(1, steps + 1)[:, None]
    # b_t = g for every t (it starts at g and averages g with g); v_t = (1 − βᵗ)·g.
    assert close(b, np.broadcast_to(g, b.shape), rtol=1e-9)
    assert close(v, (1 - beta**t) * g, rtol=1e-9)
    # The gap: b_t − v_t = βᵗ·g₁ (subtract the two recursions): shrinking, but there from step 1 ...
    assert close(b - v, beta**t * g, rtol=1e-9)
    assert np.all(np.abs(b[0] - v[0]) >= 0.05 * np.abs(g) * 0.99)
    # ... and the first step is 1/(1 − β) times the EMA form's.
    assert close(velocities(damped)[0] / velocities(ema)[0], np.full(g.shape, 1 / (1 - beta)),
                 rtol=1e-9)


@SETTINGS
@given(beta=st.floats(0.05, 0.95), lr=lrs,
       grads=st.lists(st.floats(-2, 2), min_size=2, max_size=30))
def test_dampening_gap_is_beta_to_the_t_times_first_gradient_for_any_gradients(beta, lr, grads):
    # Feed both the same gradient sequence (grad_fn ignores w; the emulations
    # call it once per step, in order): the two averages obey the same
    # recursion after step 1, so their gap decays like βᵗ from β·g₁.
    def sequence():
        it = iter(grads)
        return lambda w: np.array([next(it)])

    steps = len(grads)
    b = -velocities(pytorch_sgd(sequence(), [0.0], steps, lr=lr, momentum=beta, dampening=beta)) / lr
    v = -velocities(ema_momentum(sequence(), [0.0], steps, lr=lr, beta=beta)) / lr
    t = np.arange(1, steps + 1)[:, None]
    assert np.allclose(b - v, beta**t * grads[0], rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- Nesterov

@SETTINGS
@given(problem=problems(), lr=lrs, beta=st.floats(0.01, 0.95), steps=steps_)
def test_framework_nesterov_forms_agree_and_are_sutskevers_lookahead_point(problem, lr, beta, steps):
    grad_fn, w0 = problem
    torch = pytorch_sgd(grad_fn, w0, steps, lr=lr, momentum=beta, nesterov=True)
    assert close(optax_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta, nesterov=True), torch)
    assert close(keras_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta, nesterov=True), torch)
    theta = sutskever_momentum(grad_fn, w0, steps, lr=lr, momentum=beta, nesterov=True)
    v = np.concatenate([np.zeros_like(theta[:1]), velocities(theta)])
    assert close(theta + beta * v, torch)  # the look-ahead point θ + μ·v ...
    assert np.any(theta[1:] != torch[1:])  # ... and not θ itself


@SETTINGS
@given(problem=problems(), lr=lrs, beta=st.floats(0.01, 0.95), steps=steps_)
def test_library_nesterov_is_sutskevers_nag(problem, lr, beta, steps):
    # momentum_lib's look-ahead w − lr·β·v is Sutskever's θ + μ·v with ε = lr
    # (PyTorch convention) or ε = lr·(1 − β) (EMA form: v_ema = (1 − β)·v).
    grad_fn, w0 = problem
    for convention, eps in [("pytorch", lr), ("ema", lr * (1 - beta))]:
        lib = momentum_lib.run(grad_fn, w0, steps, lr=lr, beta=beta, method="nesterov",
                               convention=convention).w
        assert close(lib, sutskever_momentum(grad_fn, w0, steps, lr=eps, momentum=beta,
                                             nesterov=True))


# ---------------------------------------------------------------- learning-rate schedules

@SETTINGS
@given(problem=problems(), beta=betas, data=st.data(), nesterov=st.booleans())
def test_under_a_schedule_pytorch_is_optax(problem, beta, data, nesterov):
    grad_fn, w0 = problem
    steps = data.draw(steps_)
    lr = data.draw(schedules(steps))
    nesterov = nesterov and beta > 0
    torch = pytorch_sgd(grad_fn, w0, steps, lr=lr, momentum=beta, nesterov=nesterov)
    assert close(optax_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta,
                           nesterov=nesterov), torch)


@SETTINGS
@given(problem=problems(), beta=betas, data=st.data())
def test_under_a_schedule_keras_is_sutskever_and_polyak(problem, beta, data):
    grad_fn, w0 = problem
    steps = data.draw(steps_)
    lr = data.draw(schedules(steps))
    keras = keras_sgd(grad_fn, w0, steps, learning_rate=lr, momentum=beta)
    assert close(sutskever_momentum(grad_fn, w0, steps, lr=lr, momentum=beta), keras)
    assert close(polyak_heavy_ball(grad_fn, w0, steps, lr=lr, beta=beta), keras)


def predicted_schedule_paths(lr, beta, g, steps):
    """Closed forms on a constant gradient g, from w0 = 0, as explicit double sums.

    PyTorch: Δw_s = −η_s·Σ_{r≤s} β^{s−r}·g   (the current lr times the whole buffer)
    Keras:   Δw_s = −Σ_{r≤s} β^{s−r}·η_r·g   (each lr kept with its own gradient)
    """
    torch, keras = [np.zeros_like(g)], [np.zeros_like(g)]
    for s in range(1, steps + 1):
        weights = np.array([beta ** (s - r) for r in range(1, s + 1)])
        torch.append(torch[-1] - lr[s - 1] * weights.sum() * g)
        keras.append(keras[-1] - (weights * np.asarray(lr[:s])).sum() * g)
    return np.array(torch), np.array(keras)


@SETTINGS
@given(beta=st.floats(0.05, 0.95), data=st.data(),
       g=st.lists(st.floats(-2, 2).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=3))
def test_schedule_difference_between_pytorch_and_keras_is_what_the_formulas_say(beta, data, g):
    g = np.array(g)
    steps = data.draw(st.integers(2, 30))
    lr = data.draw(schedules(steps))
    const = lambda w: g  # noqa: E731
    torch_pred, keras_pred = predicted_schedule_paths(lr, beta, g, steps)
    torch = pytorch_sgd(const, np.zeros_like(g), steps, lr=lr, momentum=beta)
    keras = keras_sgd(const, np.zeros_like(g), steps, learning_rate=lr, momentum=beta)
    assert close(torch, torch_pred, rtol=1e-10)
    assert close(keras, keras_pred, rtol=1e-10)
    # The first step agrees; the second differs by β·(η₁ − η₂)·g: PyTorch re-scales
    # the first gradient by the new lr, Keras keeps it at the lr it came with.
    assert close(torch[1], keras[1])
    second_gap = (keras[2] - keras[1]) - (torch[2] - torch[1])
    assert close(second_gap, -beta * (lr[0] - lr[1]) * g, rtol=1e-10)


def test_schedule_difference_is_real_on_a_curved_problem():
    # A warm-up then decay, on the 2-D valley plus log cosh: PyTorch = Optax to
    # rounding, but Keras lands visibly elsewhere.
    h = np.array([[0.8, 0.3], [0.3, 0.4]])
    grad_fn = lambda w: w @ h - np.array([0.3, -0.2]) + 0.1 * np.tanh(w)  # noqa: E731
    lr = [0.3 * min(1, (t + 1) / 5) * 0.5 * (1 + np.cos(np.pi * t / 30)) for t in range(30)]
    w0 = np.array([1.5, -2.0])
    torch = pytorch_sgd(grad_fn, w0, 30, lr=lr, momentum=0.9)
    optax = optax_sgd(grad_fn, w0, 30, learning_rate=lr, momentum=0.9)
    keras = keras_sgd(grad_fn, w0, 30, learning_rate=lr, momentum=0.9)
    assert close(torch, optax, rtol=1e-14)
    assert np.max(np.abs(torch - keras)) > 1e-2
    # At a constant lr the same three agree.
    same = [f(grad_fn, w0, 30, **{k: 0.1}, momentum=0.9)
            for f, k in [(pytorch_sgd, "lr"), (optax_sgd, "learning_rate"), (keras_sgd, "learning_rate")]]
    assert close(same[0], same[1]) and close(same[0], same[2])


# ---------------------------------------------------------------- the library's run()

@SETTINGS
@given(problem=problems(), lr=lrs, beta=betas, steps=steps_)
def test_run_pytorch_convention_is_torch_sgd(problem, lr, beta, steps):
    grad_fn, w0 = problem
    result = momentum_lib.run(grad_fn, w0, steps, lr=lr, beta=beta, convention="pytorch")
    torch = pytorch_sgd(grad_fn, w0, steps, lr=lr, momentum=beta)
    assert close(result.w, torch)
    # run's velocity is PyTorch's buffer: b_t = −Δw_t / lr.
    assert close(result.v[1:], -velocities(torch) / lr, rtol=1e-9)


@SETTINGS
@given(problem=problems(), lr=lrs, beta=betas, steps=steps_)
def test_run_ema_convention_is_the_ema_form(problem, lr, beta, steps):
    grad_fn, w0 = problem
    result = momentum_lib.run(grad_fn, w0, steps, lr=lr, beta=beta, convention="ema")
    assert close(result.w, ema_momentum(grad_fn, w0, steps, lr=lr, beta=beta))


@SETTINGS
@given(problem=problems(), lr=lrs, steps=steps_)
def test_run_sgd_is_every_framework_without_momentum(problem, lr, steps):
    grad_fn, w0 = problem
    result = momentum_lib.run(grad_fn, w0, steps, lr=lr, method="sgd")
    assert close(result.w, pytorch_sgd(grad_fn, w0, steps, lr=lr))
    assert close(result.w, keras_sgd(grad_fn, w0, steps, learning_rate=lr))
    assert close(result.w, optax_sgd(grad_fn, w0, steps, learning_rate=lr))


@settings(max_examples=10, deadline=None)
@given(problem=problems(), steps=steps_)
def test_run_over_a_grid_matches_each_setting(problem, steps):
    grad_fn, w0 = problem
    lr = np.array([[0.05], [0.2], [0.4]])
    beta = np.array([0.0, 0.5, 0.9])
    grid = momentum_lib.run(grad_fn, w0, steps, lr=lr, beta=beta, convention="pytorch").w
    assert grid.shape == (steps + 1, 3, 3) + w0.shape
    for i in range(3):
        for j in range(3):
            one = pytorch_sgd(grad_fn, w0, steps, lr=float(lr[i, 0]), momentum=float(beta[j]))
            assert close(grid[:, i, j], one)
