"""Where random numbers enter: the marks, the cells that use them, and the nudge."""

import ast
import pathlib

import nbformat
import numpy as np
import pytest

from momentum_lib import _randomness

PACKAGE = pathlib.Path(_randomness.__file__).resolve().parent
# Functions that call a generator but are not random experiments, and why.
NOT_EXPERIMENTS = {
    "momentum_lib.datasets.digits": "the train/validation split is part of the task, fixed by its seed",
    "momentum_lib.noise.least_squares": "the synthetic data set is part of the problem, fixed by its seed",
    "momentum_lib.grading.variants.params_for": "which variant of an exercise a student gets",
}


def _calls_a_generator(node):
    return any(isinstance(n, ast.Call) and (_randomness._dotted(n.func) or "").endswith(
        ("random.default_rng", "random.Random")) for n in ast.walk(node))


def test_every_function_that_calls_a_generator_is_marked_or_named_here():
    unmarked = []
    for module, path, _ in _randomness._modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and _calls_a_generator(node) \
                    and not _randomness._is_marked(node) and f"{module}.{node.name}" not in NOT_EXPERIMENTS:
                unmarked.append(f"{module}.{node.name}")
    assert unmarked == []


def test_the_exemptions_still_exist():
    sources = {f"{m}.{n.name}" for m, path, _ in _randomness._modules()
               for n in ast.parse(path.read_text(encoding="utf-8")).body if isinstance(n, ast.FunctionDef)}
    assert set(NOT_EXPERIMENTS) <= sources


def test_random_sources_reach_wrappers_and_explorers_but_not_closed_forms():
    sources = _randomness.random_sources()
    for name in ("noise.gaussian_noise", "noise.ensemble_loss", "noise.minibatch_variances", "network.init_mlp", "practice.train_settings",
                 "practice.final_losses", "experiments.long_run_spread", "explorers.noise.NoiseExplorer",
                 "explorers.training.TrainingExplorer", "explorers.intuition.IntuitionExplorer"):
        assert f"momentum_lib.{name}" in sources, name
    for name in ("noise.stationary_variance", "theory.optimal_parameters", "trajectory.run",
                 "explorers.valley.ValleyExplorer", "datasets.digits", "noise.expected_loss",
                 "network.compare_with_recording"):
        assert f"momentum_lib.{name}" not in sources, name


def _notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s, id=f"c{k}")
                                           for k, s in enumerate(sources)])


def test_random_cells_follow_variables_across_cells_until_they_are_rebound():
    nb = _notebook(
        "import numpy as np\nfrom momentum_lib import noise",
        "xi = noise.gaussian_noise(10, 1, seed=0)",          # a draw
        "print(xi.std())",                                    # uses it
        "var = noise.stationary_variance(0.1, 0.9, 1.0, 1.0)\nprint(var)",   # closed form
        "for x in xi:\n    y = 2 * x",                       # loop variable bound to a draw
        "print(y)",
        "xi = np.zeros(3)\nprint(xi)",                       # rebound: no longer random
        "print(xi, [k for k in range(3)])",
        "get_ipython().run_line_magic('time', '')\n%time 1",  # not Python: skipped
    )
    found = _randomness.random_cells(nb)
    assert set(found) == {"c1", "c2", "c4", "c5"}
    assert found["c1"] == "noise.gaussian_noise" and found["c2"] == "xi" and found["c5"] == "y"


def test_random_cells_resolve_aliases_and_the_explorers_lazy_imports():
    nb = _notebook("import momentum_lib as ml\nfrom momentum_lib.explorers import NoiseExplorer as NE",
                   "e = NE()", "print(e.state)", "print(ml.theory.optimal_parameters(10.0))")
    assert set(_randomness.random_cells(nb)) == {"c1", "c2"}


def test_nudged_draws_differ_at_rounding_level_and_integers_do_not_move():
    plain = np.random.default_rng(5)
    expected = plain.standard_normal(6), plain.uniform(size=3), plain.integers(0, 100, 5)
    undo = _randomness.nudge_random_draws(1e-15)
    try:
        rng = np.random.default_rng(5)
        got = rng.standard_normal(6), rng.uniform(size=3), rng.integers(0, 100, 5)
        scalar = np.random.default_rng(5).standard_normal()
    finally:
        undo()
    assert np.all(got[0] != expected[0]) and np.allclose(got[0], expected[0], rtol=2e-15, atol=0)
    assert np.allclose(got[1], expected[1], rtol=2e-15, atol=0) and np.any(got[1] != expected[1])
    assert np.array_equal(got[2], expected[2])
    assert isinstance(scalar, float) and scalar == pytest.approx(expected[0][0], rel=2e-15)
    assert np.array_equal(np.random.default_rng(5).standard_normal(6), expected[0])   # undone
