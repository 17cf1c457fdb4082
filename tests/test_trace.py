"""trace_table: the source post's walkthrough and its rendering."""

import numpy as np
import pytest

from momentum_lib import trace_table

POST_GRADS = [0.5, 0.4, 0.3, 0.1, -0.1]


def test_reproduces_the_walkthrough():
    # v and w after each step, worked by hand from v ← βv + (1 − β)g, w ← w − lr·v, w₀ = v₀ = 0
    # (the walkthrough notebook 03 prints).
    t = trace_table(POST_GRADS, lr=0.1, beta=0.9)
    np.testing.assert_allclose(t.v, [0.05, 0.085, 0.1065, 0.10585, 0.085265], rtol=1e-12)
    np.testing.assert_allclose(t.w, [-0.005, -0.0135, -0.02415, -0.034735, -0.0432615], rtol=1e-12)
    np.testing.assert_allclose(t.dw, -0.1 * t.v)
    assert t.step.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(t.g, POST_GRADS)


def test_step_three_moves_further_than_step_one_with_a_smaller_gradient():
    t = trace_table(POST_GRADS, lr=0.1, beta=0.9)
    assert abs(t.g[2]) < abs(t.g[0])
    assert abs(t.dw[2]) > abs(t.dw[0])
    assert abs(t.dw[2]) == pytest.approx(0.01065) and abs(t.dw[0]) == pytest.approx(0.005)


def test_beta_zero_is_gradient_descent():
    t = trace_table(POST_GRADS, lr=0.1, beta=0.0)
    np.testing.assert_allclose(t.dw, -0.1 * np.array(POST_GRADS))


def test_pytorch_convention_and_start_values():
    t = trace_table([1.0, 1.0], lr=0.5, beta=0.5, w0=2.0, v0=1.0, convention="pytorch")
    # v1 = 0.5*1 + 1 = 1.5, w1 = 2 - 0.75; v2 = 0.75 + 1 = 1.75, w2 = 1.25 - 0.875
    np.testing.assert_allclose(t.v, [1.5, 1.75])
    np.testing.assert_allclose(t.w, [1.25, 0.375])


def test_renders_as_text_and_html():
    t = trace_table(POST_GRADS, lr=0.1, beta=0.9)
    text = str(t)
    assert "-0.0432615" in text and "Δw" in text and len(text.splitlines()) == 8
    html = t._repr_html_()
    assert html.count("<tr>") == 6 and "-0.0432615" in html and "<caption>" in html


@pytest.mark.parametrize("grads, exc, message", [
    ([], ValueError, "grads must be a non-empty 1-D sequence"),
    ([[0.1, 0.2]], ValueError, "grads must be a non-empty 1-D sequence"),
    ([0.1, np.nan], ValueError, "grads must be finite"),
    (["a", "b"], TypeError, "grads must be a number"),
    (None, TypeError, "grads must be a number"),
])
def test_bad_gradients_are_named(grads, exc, message):
    with pytest.raises(exc, match=message):
        trace_table(grads, lr=0.1, beta=0.9)


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        trace_table(POST_GRADS, lr=-0.1, beta=0.9)
    with pytest.raises(ValueError, match=r"beta must lie in \[0, 1\)"):
        trace_table(POST_GRADS, lr=0.1, beta=1.0)
    with pytest.raises(ValueError, match="lr must be a single number"):
        trace_table(POST_GRADS, lr=[0.1, 0.2], beta=0.9)
    with pytest.raises(ValueError, match="convention must be one of"):
        trace_table(POST_GRADS, lr=0.1, beta=0.9, convention="EMA")
