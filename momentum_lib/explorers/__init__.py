"""Interactive explorers: sliders that redraw a figure within one frame.

Each explorer is a small subclass of :class:`Explorer`; ``README.md`` beside this file says
how to write one and how a frame reaches the browser. Importing this package imports
matplotlib and ipywidgets; ``import momentum_lib`` alone does not.

``EXPLORERS`` maps a short name to the explorer class; tests and
``benchmarks/run.py`` iterate over it, so a new explorer is covered by both
once it has its line in ``_REGISTRY``. Classes are imported on first access so
that one module failing to import does not take the others down.

>>> from momentum_lib.explorers import EXPLORERS
>>> ex = EXPLORERS["valley"]()            # doctest: +SKIP
>>> ex.set(beta=0.5).state["diverged_at"]  # doctest: +SKIP
-1
"""

import importlib
from collections.abc import Mapping

from ._base import Explorer, Move
from ._frames import Frames
from ._png import encode_png
from ._scene import InputError, Scene, clip, divergence_message
from ._sliders import GridSlider, control_style, float_slider, kappa_slider, log_slider

# name: (module inside momentum_lib.explorers, class name) — one line per explorer.
_REGISTRY = {
    "valley": ("valley", "ValleyExplorer"),
    "intuition": ("intuition", "IntuitionExplorer"),
    "trace": ("trace", "TraceExplorer"),
    "nesterov": ("nesterov", "NesterovExplorer"),
    "phase": ("phase", "PhaseExplorer"),
    "noise": ("noise", "NoiseExplorer"),
    "training": ("training", "TrainingExplorer"),
}


class _LazyRegistry(Mapping):
    """``{name: Explorer subclass}``, importing each module on first access."""

    def __getitem__(self, name):
        module, cls = _REGISTRY[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), cls)

    def __iter__(self):
        return iter(_REGISTRY)

    def __len__(self):
        return len(_REGISTRY)

    def __repr__(self):
        return f"EXPLORERS({', '.join(_REGISTRY)})"


EXPLORERS = _LazyRegistry()


def __getattr__(attr):
    # ``from momentum_lib.explorers import ValleyExplorer`` without importing all.
    for name, (_module, cls) in _REGISTRY.items():
        if cls == attr:
            return EXPLORERS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


__all__ = ["EXPLORERS", "Explorer", "Frames", "GridSlider", "InputError", "Move", "Scene", "clip",
           "control_style", "divergence_message", "encode_png", "float_slider", "kappa_slider",
           "log_slider",
           *(cls for _module, cls in _REGISTRY.values())]
