"""Development tools for the series, never installed for learners.

The harness the browser tests, the benchmarks and the JupyterLite build share: servers
(:mod:`.servers`), Debian's Chromium through Playwright (:mod:`.chromium`), what is read in
a page (:mod:`.page`, with the JavaScript in ``js/``), the gestures of a learner
(:mod:`.gestures`), opening a notebook (:mod:`.opening`), the fidelity oracle
(:mod:`.fidelity`), the in-server socket report (:mod:`.sockets`), the accessibility audit
(:mod:`.a11y`, axe-core) and what the browser tests check on an opened notebook (:mod:`.checks`). Beside them, scripts run by hand: the framework recorders
(``python -m devtools.record_conformance``, ``record_network_conformance``), the colour-vision
check (``python -m devtools.colour_vision``) and screenshots at classroom sizes
(``python -m devtools.record_views``).

Import it from the repository root (pytest's ``pythonpath`` setting, or ``python -m``). This
module re-exports the harness's public names.
"""

from . import a11y, checks
from .chromium import CHROMIUM, CHROMIUM_ARGS, launch_chromium, require_browser_stack, unavailable
from .fidelity import (
    RESET_CODE, REPORT_CODE, fidelity_problems, has_explorers, kernel_report, oracle_reports,
    page_fidelity_problems,
)
from .gestures import (
    click_resets, drag_slider, exercise_explorers, frames_around_release, install_probe,
    mouse_drag, move_slider, toward_middle,
)
from .opening import close_lab_sessions, open_in_classroom, open_in_jupyterlab
from .page import (
    LAB_CELL, LAB_PROMPTS, VOILA_CELL, Watch, cell_problems, explorer_states, explorer_views, lab_menu,
    lab_run_all, lab_run_all_outcome, layout_problems, printed_by_cell, raises_exception_cells, script, summarise,
    view_problems, voila_kernel_id, wait_explorers_drawn, wait_kernel_idle, wait_widgets_settled,
)
from .servers import (
    ARTIFACTS, BIN, REPO, Server, copy_notebooks, free_port, isolated_env, kernel_connection_file,
    kernel_processes, kernel_run, load_average, notebook_paths, notebooks_dir, start_jupyterlab,
    start_present, start_static, write_lab_settings,
)

# The page scripts by their former names.
INSTALL_PROBE = script("install_probe")
EXPLORER_STATE = script("explorer_state")
EXPLORER_VIEW = script("explorer_view")
CELL_PROBLEMS = script("cell_problems")
