"""An explorer's controls: sliders over exact stops, and the checks on values set from code.

Why not ``FloatSlider``/``FloatLogSlider``? Their front end recomputes the value from the
handle's position (``min + k·step`` or ``10**(k·step)`` in JavaScript) and sends it back
whenever the kernel changes it: β = 0.9 came back as 0.9000000000000001, η = 1.9 as 1.9055
and κ = 50 as 50.1187, overwriting what code had set. A :class:`GridSlider` is a
``SelectionSlider`` over a list of exact numbers: the front end only ever sends the index of
a stop, so what the screen shows is what the kernel keeps.

An explorer's controls are GridSliders, ``IntSlider``, ``Dropdown`` and ``Text`` widgets
(:data:`CONTROL_TYPES`); each sends back exactly the value it shows.
"""

import math
import numbers

import ipywidgets as widgets
import traitlets


def control_style():
    """Keyword arguments every control shares: the full label shown. Widths come from the
    explorer's stylesheet (``_page.STYLE_CSS``: fluid, a slider's track at least
    ``--explorer-track``), never an inline size a classroom stylesheet could not reach."""
    return {"style": {"description_width": "initial"}, "layout": widgets.Layout()}


class GridSlider(widgets.SelectionSlider):
    """A slider over a fixed list of exact numbers: what it shows is what the kernel keeps.

    Each stop's number is a Python float made from its decimal text, so ``0.9`` is the
    literal 0.9, and its label is that number as the readout shows it (``fmt``). A value
    set from code that is not a stop (e.g. a computed optimum) is kept exactly: :meth:`show`
    adds it as an extra stop, labelled with ``exact_fmt``, until the next value set from
    code. ``min``, ``max`` and ``grid`` are plain Python attributes (not synced).
    """

    _reshaping = False      # True while the stops change (the value passes through others)

    def __init__(self, grid, value, fmt, description, exact_fmt=".4g", **kwargs):
        self.grid = tuple(sorted(set(float(v) for v in grid)))
        self.fmt, self.exact_fmt = fmt, exact_fmt
        options = self._options(())
        self._stops = [v for _label, v in options]
        super().__init__(options=options, description=description, continuous_update=True,
                         **{**control_style(), **kwargs})
        self.show(value)

    @property
    def min(self):
        return self.grid[0]

    @property
    def max(self):
        return self.grid[-1]

    def _options(self, extra):
        stops = [(format(v, self.fmt), v) for v in self.grid]
        stops += [(format(v, self.exact_fmt), v) for v in extra if v not in self.grid]
        return sorted(stops, key=lambda stop: stop[1])

    def show(self, value, keep=()):
        """Put the handle on ``value`` exactly (adding it as a stop if it is not one);
        ``keep``: other off-grid values that stay stops (e.g. the starting value)."""
        value = float(value)
        options = self._options([v for v in (value, *keep) if v not in self.grid])
        with self.hold_sync():
            if [v for _label, v in options] != self._stops:
                self._set_stops(options)
            self.value = value

    def _set_stops(self, options):
        self._reshaping = True
        try:
            self._stops = [v for _label, v in options]
            with self.hold_trait_notifications():
                self.options = options
        finally:
            self._reshaping = False

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        # Replaces SelectionSlider's check, which refuses a value that is not a stop:
        # ``widget.value = x`` with x between two stops (as FloatSlider allowed) makes x a
        # stop of its own, kept exactly, instead of an "invalid selection" error.
        value = proposal.value
        if value is None or value in self._stops:
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise traitlets.TraitError(f"{self.description}: a number is needed, got {value!r}")
        number = float(value)
        if not self.min <= number <= self.max:
            raise traitlets.TraitError(
                f"{self.description} must lie in [{self.min:.4g}, {self.max:.4g}]; got {number!r}")
        self._set_stops(self._options([number, *(v for v in self._stops if v not in self.grid)]))
        return number


def _decimals(step):
    """Decimal places of a step such as 0.01 (→ 2) or 5 (→ 0)."""
    text = format(step, "f").rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def linear_grid(lo, hi, step):
    """``lo, lo + step, …, hi`` as exact decimals (0.9, never 0.9000000000000001)."""
    digits = _decimals(step) + _decimals(lo)
    n = int(round((hi - lo) / step))
    stops = [float(f"{lo + k * step:.{digits}f}") for k in range(n + 1)]
    return sorted(set(v for v in stops if lo - 1e-12 <= v <= hi + 1e-12) | {float(lo), float(hi)})


# Mantissas of the stops of a log slider: steps of 2.5–5% (≈ 75 stops a decade), and every
# one a short decimal, so values like 1.9, 2, 50 or 0.05 are stops.
_MANTISSAS = ([round(1 + 0.05 * k, 2) for k in range(20)] + [round(2 + 0.1 * k, 1) for k in range(30)]
              + [round(5 + 0.2 * k, 1) for k in range(25)])


def log_grid(lo, hi):
    """Short decimals from ``lo`` to ``hi`` spaced roughly evenly on a log scale."""
    stops = {float(lo), float(hi)}
    for exponent in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in _MANTISSAS:
            v = float(f"{m}e{exponent}")
            if lo <= v <= hi:
                stops.add(v)
    return sorted(stops)


def float_slider(value, lo, hi, step, fmt, description):
    """A keyboard-operable slider on a linear scale, stops every ``step`` (exact decimals)."""
    return GridSlider(linear_grid(lo, hi, step), value, fmt, description)


def log_slider(value, lo, hi, description, fmt=".3g"):
    """A slider on a log scale between ``lo`` and ``hi`` (short decimals, ~75 a decade)."""
    return GridSlider(log_grid(lo, hi), value, fmt, description)


def kappa_slider(value, largest=1000.0):
    """The condition number κ of a valley, from 1 to ``largest``."""
    return log_slider(value, 1.0, largest, "condition number κ")


CONTROL_TYPES = (GridSlider, widgets.IntSlider, widgets.Dropdown, widgets.Text)


def check_control(owner, key, widget):
    """Raise a TypeError naming ``owner``'s control ``key`` if its widget is of a type an
    explorer cannot keep exactly (see :data:`CONTROL_TYPES`)."""
    if not isinstance(widget, CONTROL_TYPES):
        kinds = ", ".join(t.__name__ for t in CONTROL_TYPES)
        raise TypeError(f"{owner}: control {key!r} is a {type(widget).__name__}; "
                        f"an explorer's controls are {kinds} widgets")


def checked_value(key, widget, value):
    """``value`` for the control ``key`` if ``widget`` can hold it; else a TypeError or
    ValueError naming the control, the value and what it accepts."""
    if isinstance(widget, widgets.Text):
        if not isinstance(value, str):
            raise TypeError(f"{key} must be a string; got {type(value).__name__}")
        return value
    if isinstance(widget, widgets.Dropdown):
        options = [o[1] if isinstance(o, tuple) else o for o in widget.options]
        if value not in options:
            raise ValueError(f"{key} must be one of {options}; got {value!r}")
        return value
    integral = isinstance(widget, widgets.IntSlider)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral if integral else numbers.Real):
        raise TypeError(f"{key} must be {'an integer' if integral else 'a number'}; got {value!r}")
    if not widget.min <= value <= widget.max:
        raise ValueError(f"{key} must lie in [{widget.min:.4g}, {widget.max:.4g}]; got {value!r}")
    return value


def show_value(widget, value, keep=()):
    """Put ``widget`` on ``value`` (a GridSlider keeps it exactly, plus the values ``keep``)."""
    if isinstance(widget, GridSlider):
        widget.show(value, keep=keep)
    else:
        widget.value = value
