"""The fidelity oracle: what a notebook's explorers hold when no front end is there.

The oracle is the notebook run headless (nbclient): no slider can write anything back, so
its explorers hold exactly what the notebook's code set. In a browser, after the page has
rendered every explorer, the same question (``kernel/fidelity_report.py``, sent as source)
is put to the page's own kernel through a second client, and the answers are compared.
"""

import base64
import io
import json
import re
from pathlib import Path

from .servers import ARTIFACTS, kernel_run

KERNEL = Path(__file__).resolve().parent / "kernel"
REPORT_CODE = (KERNEL / "fidelity_report.py").read_text()
RESET_CODE = (KERNEL / "fidelity_reset.py").read_text()


def _parse_report(text):
    for line in text.splitlines():
        if line.startswith("FIDELITY"):
            return json.loads(line[len("FIDELITY"):])
    raise AssertionError(f"no fidelity report in kernel output:\n{text[-2000:]}")


def has_explorers(nb_path):
    return "Explorer" in Path(nb_path).read_text()


def oracle_reports(nb_path, env=None, timeout=300):
    """(after the notebook's code, after every explorer's reset()) from a headless run;
    ``env``: the kernel's environment (give it the servers' ``isolated_env``, so the two
    runs differ only in having a front end, not in matplotlib's or IPython's config)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(nb_path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CODE))
    nb.cells.append(nbformat.v4.new_code_cell(RESET_CODE))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(Path(nb_path).parent)}})
    client.execute(**({} if env is None else {"env": env}))

    def text(cell):
        return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")

    return _parse_report(text(nb.cells[-2])), _parse_report(text(nb.cells[-1]))


def kernel_report(connection_file, code=REPORT_CODE):
    """The report of a running kernel (``RESET_CODE``: after pressing every reset())."""
    return _parse_report(kernel_run(connection_file, code))


def fidelity_problems(expected, got, where):
    """Every explorer value, widget value, value behind the figure, and the figure itself
    in the browser's kernel, against the headless run."""
    problems = []
    if sorted(expected) != sorted(got):
        problems.append(f"{where}: explorers {sorted(got)}, expected {sorted(expected)}")
    for name in sorted(set(expected) & set(got)):
        e, g = expected[name], got[name]
        for part, what in (("values", "kept"), ("widgets", "in its widget"),
                           ("state", "behind the figure")):
            for key, value in e["values"].items():
                if g[part].get(key) != value:
                    problems.append(f"{where}: {name}.{key} = {g[part].get(key)!r} {what}; "
                                    f"the notebook's code set {value!r}")
        # The same pixels may be encoded into other PNG bytes (a frame composed from cached
        # layers against one drawn whole); what a learner sees is the pixels.
        difference = _png_difference(e, g, f"{where}-{name}") if e["png"] != g["png"] else None
        if difference:
            problems.append(f"{where}: {name}'s figure differs from the headless run's "
                            f"({difference}; frames drawn: "
                            f"{g.get('frames_drawn')} here, {e.get('frames_drawn')} headless)")
    return problems


def _png_difference(expected, got, stem):
    """Where two reported figures differ (saved under test-artifacts/fidelity/ for a look), or
    None if their pixels are the same."""
    import numpy as np
    from matplotlib import image

    out = ARTIFACTS / "fidelity"
    out.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", stem)
    pixels = []
    for which, report in (("headless", expected), ("browser-kernel", got)):
        data = base64.b64decode(report["png_bytes"])
        (out / f"{stem}-{which}.png").write_bytes(data)
        pixels.append(image.imread(io.BytesIO(data), format="png"))
    a, b = pixels
    if a.shape != b.shape:
        return f"sizes {a.shape} headless, {b.shape} here"
    differ = np.abs(a - b).max(axis=-1) > 0
    if not differ.any():
        return None
    rows, cols = np.nonzero(differ)
    return (f"{differ.sum()} pixels differ, rows {rows.min()}–{rows.max()}, "
            f"columns {cols.min()}–{cols.max()}, largest difference "
            f"{np.abs(a - b).max() * 255:.0f}/255; images in test-artifacts/fidelity/")


def page_fidelity_problems(page, connection_file, expected, expected_reset, where):
    """The page's kernel after every explorer has rendered, against the headless run
    (``expected``), then again after a real click on every reset button
    (``expected_reset``)."""
    from .gestures import click_resets

    problems = fidelity_problems(expected, kernel_report(connection_file), where)
    click_resets(page)
    return problems + fidelity_problems(expected_reset, kernel_report(connection_file),
                                        f"{where}, after the reset buttons")
