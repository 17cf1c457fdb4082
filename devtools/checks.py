"""What the browser tests check on a notebook they have opened, in JupyterLab or in classroom
mode: each function takes the :class:`Opened` page and returns what is wrong (or measured),
the tests assert."""

from dataclasses import dataclass, field

from . import a11y
from .fidelity import has_explorers, page_fidelity_problems
from .gestures import drag_slider, exercise_explorers
from .page import summarise
from .servers import kernel_connection_file, load_average


@dataclass
class Opened:
    """One notebook's page once it has run, and what was seen on the way there."""
    nb: object
    page: object
    watch: object                                    # page.Watch
    frontend: str                                    # "JupyterLab" or "classroom"
    kernel: str = ""
    tabs: list = field(default_factory=list)         # JupyterLab: the tabs just after opening
    dirty: list = field(default_factory=list)        # ... and those marked modified
    not_run: list = field(default_factory=list)      # code cells (by position) that did not run
    errors: list = field(default_factory=list)       # error outputs
    warnings: list = field(default_factory=list)
    cells: int = 0                                   # classroom: the cells Voila rendered

    @property
    def where(self):
        return f"{self.frontend} {self.nb.stem}"


def fidelity_problems(opened, server, oracle):
    """The page's kernel holds what the notebook's code set and the reset buttons restore it
    (the headless run's answers, ``oracle(nb)``); its websocket has Nagle's algorithm off."""
    problems = page_fidelity_problems(opened.page, kernel_connection_file(server, opened.kernel),
                                      *oracle(opened.nb), opened.where)
    nagle = server.nagle_problem(opened.kernel, opened.where)
    return problems + ([nagle] if nagle else [])


def explorer_count_problem(opened, oracle):
    """None if the page shows as many explorers as the headless run made."""
    expected = len(oracle(opened.nb)[0]) if has_explorers(opened.nb) else 0
    shown = opened.page.locator(".momentum-explorer").count()
    if shown != expected:
        return f"{opened.where}: {shown} explorers on the page, {expected} in the kernel"
    return None


def accessibility_findings(opened, app):
    """axe-core over the whole page, then over each explorer after a keyboard move of each of
    its sliders (``app``: "lab" or "voila", whose own elements are reported, not counted)."""
    found = a11y.audit(opened.page, app, where=opened.where)
    return found + a11y.audit_explorers(opened.page, app, opened.where)


def keyboard_and_drags(opened, moves_per_slider, shot_prefix):
    """Every explorer's β and lr moved from the keyboard (``gestures.exercise_explorers``
    asserts the figure and readout change), then one half-second mouse drag of each β; the
    timings, the load and the page's console warnings, for the report."""
    result = exercise_explorers(opened.page, moves_per_slider, shot_prefix)
    result["drags"] = [dict(drag_slider(opened.page, i, "explorer-beta"), load=load_average())
                       for i in range(result["explorers"])]
    result["warnings"], result["load"] = opened.warnings, load_average()
    result["console"] = [{"type": t, "text": x[:300]} for _url, t, x in opened.watch.console]
    s = summarise(result["src_ms"])
    print(f"{opened.where}: key press → new image median {s['median']} ms, "
          f"p95 {s['p95']} ms over {s['n']} moves")
    return result
