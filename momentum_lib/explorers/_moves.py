"""Moves from a front end, coalesced: a drag draws the latest values, never a queue of old ones.

A slider dragged in the browser sends a move every few milliseconds, faster than a frame
can be drawn. The observer records the new value and asks for a frame; a worker thread
draws; moves that arrive while a frame is being drawn replace each other, so only the latest
is drawn next. A frame overtaken by a newer move while it was computed is not sent, unless
none went out for :data:`MIN_FRAME_GAP` seconds, so a fast drag never starves the screen.
Values set from code (``Explorer.set``, ``widget.value = x``) are drawn synchronously.

A move has *settled* when no newer one came for :data:`SETTLE_DELAY` seconds after its frame:
then, and only then, the explorer tells a screen reader what the figure now shows (a drag or
a held arrow key is announced once, at its end, not once per frame).
"""

import sys
import threading
import time
import traceback

# Front-end moves are drawn on a worker thread where the kernel has threads; a browser
# kernel (Pyodide, the JupyterLite edition) has none and draws each move as it arrives.
THREADS = sys.platform != "emscripten"

# During a drag a frame is shown at least this often (s).
MIN_FRAME_GAP = 0.1

# A move is announced once no newer one came for this long after its frame (s): well beyond
# the gaps within a drag or a key held down (≤ 50 ms) and ipywidgets' round trip of throttled
# updates on a loaded machine, short enough to answer a key press.
SETTLE_DELAY = 0.5


def from_front_end(widget):
    """Whether the change being notified on ``widget`` came from a front end: ipywidgets
    applies a front end's update under a property lock (``Widget.set_state``)."""
    return bool(getattr(widget, "_property_lock", None))


class Coalescer:
    """Draws the latest values on a worker thread, one frame at a time.

    Parameters
    ----------
    draw : callable
        ``draw()`` draws a frame of the current values (and may skip sending it if
        :meth:`overtaken`).
    on_error : callable
        ``on_error(exception)``: what a worker does with an exception (never a silent
        dead slider).
    name : str
        The worker thread's name.
    on_settled : callable, optional
        ``on_settled()``: called (under :attr:`lock`) once a drawn move has settled, i.e. no
        newer move came for :data:`SETTLE_DELAY` seconds.

    Attributes
    ----------
    lock : threading.RLock
        Held while a frame is drawn (also by code that reads or draws the figure).
    """

    def __init__(self, draw, on_error, name, on_settled=None):
        self._draw, self._on_error, self._name = draw, on_error, name
        self._on_settled = on_settled
        self.lock = threading.RLock()
        self._pending_lock = threading.Lock()
        self.pending = self._worker = False
        self._timer = None

    def request(self):
        """A move from a front end: draw it on the worker (started if none runs)."""
        with self._pending_lock:
            self.pending = True
            self._stop_timer()
            if self._worker:
                return
            self._worker = True
        threading.Thread(target=self._work, name=self._name, daemon=True).start()

    def cancel(self):
        """Forget a queued move (values set from code overtake it)."""
        self.pending = False

    def overtaken(self, last_frame_at):
        """Whether a newer move is waiting and a frame went out (at ``last_frame_at``, in
        ``time.monotonic()`` seconds) less than MIN_FRAME_GAP ago."""
        return self.pending and time.monotonic() - last_frame_at < MIN_FRAME_GAP

    def _work(self):
        while True:
            with self.lock:
                with self._pending_lock:
                    if not self.pending:
                        self._worker = False
                        self._start_timer()
                        return
                    self.pending = False     # taken now: later moves ask for one more frame
                try:
                    self._draw()
                except Exception as error:
                    traceback.print_exception(error, file=sys.__stderr__)
                    self._on_error(error)

    def _start_timer(self):
        # (under _pending_lock) the last move was drawn: it settles unless a newer one comes
        if self._on_settled is not None:
            self._timer = threading.Timer(SETTLE_DELAY, self._settle)
            self._timer.daemon = True
            self._timer.start()

    def _stop_timer(self):
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _settle(self):
        with self.lock:
            with self._pending_lock:
                if self.pending or self._worker or self._timer is None:
                    return
                self._timer = None
            try:
                self._on_settled()
            except Exception as error:
                traceback.print_exception(error, file=sys.__stderr__)
                self._on_error(error)

    @property
    def settling(self):
        """Whether a drawn move waits to settle (its announcement is still to come)."""
        return self._timer is not None

    def wait(self, timeout=10.0):
        """Block until no frame is pending or being drawn; returns whether that happened."""
        deadline = time.monotonic() + timeout
        while (self._worker or self.pending) and time.monotonic() < deadline:
            time.sleep(0.001)
        with self.lock:
            return not (self._worker or self.pending)
