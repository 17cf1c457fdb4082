"""One BLAS thread for small, latency-bound work (an explorer's retraining on every move).

numpy's OpenBLAS splits even tiny matrix products over every core. On a busy two-core
machine the threads then wait for each other: the live-training explorer measured
~0.1 s a move with one BLAS thread and ~0.6 s with two under the same load. With
``threadpoolctl`` installed (it is in requirements.txt) ``single_blas_thread()`` limits
BLAS to one thread inside its block; without it the block runs unchanged.
"""

import contextlib

_controller = None


def single_blas_thread():
    """A context manager: BLAS uses one thread inside it (if threadpoolctl is available)."""
    global _controller
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:          # optional: only speed depends on it
        return contextlib.nullcontext()
    if _controller is None:
        import numpy  # noqa: F401  (BLAS must be loaded before the controller looks for it)

        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")
