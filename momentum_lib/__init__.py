"""momentum_lib: SGD with momentum and Nesterov momentum, small enough to read.

The update rules (``sgd_step``, ``momentum_step``, ``nesterov_step``), ``run`` for
whole grids of settings, and ``trace_table`` for worked examples. Submodules:
``problems`` (things to optimise), ``theory`` (rates and best settings on a
quadratic), ``frameworks`` (exact emulations of PyTorch, Keras, Optax and the
papers). Drawing and widgets live in ``momentum_lib.drawing`` and
``momentum_lib.explorers``, which import matplotlib and ipywidgets only when
they are imported themselves.
"""

from . import frameworks, problems, theory
from .rules import momentum_step, nesterov_step, sgd_step
from .trace import TraceTable, trace_table
from .trajectory import RunResult, run

__all__ = [
    "sgd_step", "momentum_step", "nesterov_step", "run", "RunResult",
    "trace_table", "TraceTable", "problems", "theory", "frameworks",
]
__version__ = "0.1.0"
