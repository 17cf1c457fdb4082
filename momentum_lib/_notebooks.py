"""Keep the stored notebooks executed, normalised and checkable by nbval.

nbval compares a cell's fresh outputs with the stored ones, but silently skips
any code cell stored without an execution count, so a stripped notebook checks
nothing. The notebooks are therefore stored *executed*, in a normal form that
re-execution reproduces byte for byte:

* notebook metadata keeps the kernelspec and the language_info exactly as the kernel that ran
  the notebook reported them (:func:`kernel_metadata`), and nothing else. On opening a notebook,
  JupyterLab (and Notebook 7, and the static edition, which share its notebook panel) writes the
  running kernel's ``kernelspec`` (name, display_name, language) and ``language_info`` (the
  kernel_info reply's, version included) into the notebook's metadata, and marks the notebook
  modified unless each equals what is stored, compared whole (``JSONExt.deepEqual`` in
  ``YNotebook.setMetadata`` of @jupyter/ydoc, called from ``NotebookPanel._updateSpec`` and
  ``_updateLanguage`` of @jupyterlab/notebook). ``language_info.version`` is the kernel's full
  Python version, so a kernel on another patch release (3.11.2 where 3.11.7 ran the notebooks)
  shows the mark until the learner saves; another front end's kernel (the static edition's
  Pyodide) gets its own metadata with :func:`with_kernel_metadata`;
* every image output keeps its metadata (an image's ``alt`` text and display width);
* cell metadata keeps tags only (no timings, no "execution" records);
* consecutive stream outputs of one stream are stored as one (their split depends on timing);
* widget state and widget-view data are dropped (their model ids change on
  every run and mean nothing without a live kernel); the text/plain fallback stays;
* every code cell carries an execution count, 1, 2, 3, … in order;
* nbformat 4.5: every cell keeps a stable id (so the claims ledgers can name
  cells, and opening a notebook does not mark it modified); a cell without one
  gets an id derived from the notebook's content, never a random one.

Usage::

    python -m momentum_lib._notebooks execute notebooks/*.ipynb   # re-run and normalise
    python -m momentum_lib._notebooks check notebooks/*.ipynb     # fail if not normalised
    python -m momentum_lib._notebooks claims notebooks/*.ipynb    # fail if a ledger is broken
"""

import argparse
import copy
import hashlib
import os
import re
import sys

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNEL_METADATA = ("kernelspec", "language_info")
KERNEL_NAME = "python3"
SKIP_TAGS = {"nbval-skip", "skip-execution"}


def normalise(nb):
    """The normal form of a notebook node (a new object; the input is untouched)."""
    nb = copy.deepcopy(nb)
    meta = nb.get("metadata", {})
    nb["metadata"] = {key: meta[key] for key in KERNEL_METADATA if key in meta}
    seen = set()
    for index, cell in enumerate(nb["cells"]):
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
        cell["id"] = _stable_id(cell, index, seen)
        if cell["cell_type"] != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        outputs = []
        for out in cell.get("outputs", []):
            out = dict(out)
            out.pop("transient", None)
            if "data" in out:
                out["data"] = {k: v for k, v in out["data"].items() if k != WIDGET_VIEW}
                if not out["data"]:
                    continue
            if out.get("output_type") == "execute_result":
                out["execution_count"] = cell.get("execution_count")
            previous = outputs[-1] if outputs else {}
            if out.get("output_type") == "stream" and previous.get("output_type") == "stream" \
                    and previous.get("name") == out.get("name"):
                # how a stream is cut into messages depends on timing: store it whole
                previous["text"] = _text(previous["text"]) + _text(out["text"])
                continue
            outputs.append(out)
        cell["outputs"] = outputs
    nb["nbformat"], nb["nbformat_minor"] = 4, 5
    return nb


def _text(text):
    return "".join(text) if isinstance(text, list) else text


def _stable_id(cell, index, seen):
    """The cell's own id if it has a valid, unused one; else one derived from its place and source."""
    cell_id = cell.get("id")
    if not (isinstance(cell_id, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", cell_id)
            and cell_id not in seen):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        digest = hashlib.sha1(f"{index}\n{source}".encode()).hexdigest()
        cell_id = next(digest[i:i + 8] for i in range(0, 33) if digest[i:i + 8] not in seen)
    seen.add(cell_id)
    return cell_id


def dumps(nb):
    import nbformat

    return nbformat.writes(nbformat.from_dict(nb), version=4) + "\n"


def problems(path):
    """Everything that makes the stored notebook at ``path`` unfit for nbval."""
    import nbformat

    with open(path, encoding="utf-8") as f:
        text = f.read()
    nb = nbformat.reads(text, as_version=4)
    found = []
    if dumps(normalise(nb)) != text:
        found.append("not normalised (run `make notebooks`)")
    expected = 1
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & SKIP_TAGS:
            continue
        count = cell.get("execution_count")
        if count is None:
            found.append(f"code cell {index} has no execution count: nbval would skip it silently")
        elif count != expected:
            found.append(f"code cell {index} has execution count {count}, expected {expected}: "
                         "the notebook was not run top to bottom in one go")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"code cell {index} stores an error ({out.get('ename')})")
        expected = (count or expected) + 1
    return found


NBVAL_UNCHECKED_TAGS = SKIP_TAGS | {"nbval-ignore-output"}
COMPARED_MIMES = {"text/plain", "text/html", "image/svg+xml"}
_EVIDENCE = re.compile(r"(cell|derivation)\s+`([A-Za-z0-9_-]{1,64})`")


RANDOMNESS = re.compile(r"none|exact expectation|seeds (\d+)–(\d+)")
MIN_SEEDS = 5


def read_ledger(path):
    """The rows of a claims ledger: dicts with number, claim, regime, prose, evidence, randomness.

    A ledger (``claims/<notebook stem>.md``, see :func:`ledger_path_for`) is a Markdown table with the columns
    ``| # | claim | regime | prose cell | evidence | randomness |``. ``prose cell`` is the id of the
    Markdown cell that states the claim, in backticks. ``evidence`` lists one or more
    ``cell `ID` `` (a code cell whose checked output demonstrates the claim) or
    ``derivation `ID` `` (a Markdown cell that proves it), separated by commas. ``randomness``
    says how a claim drawn from random runs was checked: ``none`` (nothing random),
    ``seeds A–B`` (the evidence checks it for every seed A … B, at least five) or
    ``exact expectation`` (an expectation computed exactly, or an exact statement about one).
    ``randomness`` is None for a row written without that column.
    """
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = [p.strip() for p in line.strip().strip("|").split("|")]
            if not line.lstrip().startswith("|") or len(parts) not in (5, 6) or parts[0] in {"#", ""} \
                    or set(parts[0]) <= set("-: "):
                continue
            prose = re.findall(r"`([^`]+)`", parts[3])
            rows.append({"number": parts[0], "claim": parts[1], "regime": parts[2],
                         "prose": prose, "evidence": _EVIDENCE.findall(parts[4]),
                         "evidence_text": parts[4], "randomness": parts[5] if len(parts) == 6 else None})
    return rows


def randomness_problems(row, cells, random_cells):
    """What is wrong with a ledger row's ``randomness`` given which evidence cells draw random numbers.

    ``random_cells``: ``{cell id: what draws}`` (``_randomness.random_cells``). A row whose evidence
    cell uses random draws must name its seeds (at least ``MIN_SEEDS``, and one evidence cell must
    print "seeds A–B") or say ``exact expectation``; a row that names seeds needs random evidence.
    """
    value = row["randomness"]
    if value is None:
        return ["no randomness column"]
    match = RANDOMNESS.fullmatch(value)
    if not match:
        return [f"randomness must be 'none', 'seeds A–B' (an en dash) or 'exact expectation'; got {value!r}"]
    drawn = [(cell_id, random_cells[cell_id]) for kind, cell_id in row["evidence"]
             if kind == "cell" and cell_id in random_cells]
    if value == "none" and drawn:
        cell_id, why = drawn[0]
        return [f"cell `{cell_id}` uses random draws ({why}) but randomness says none: check the claim "
                f"over seeds (seeds A–B, at least {MIN_SEEDS}) or state it as an exact expectation"]
    if not value.startswith("seeds"):
        return []
    first, last = int(match.group(1)), int(match.group(2))
    found = []
    if last - first + 1 < MIN_SEEDS:
        found.append(f"{value} is {max(0, last - first + 1)} seed(s); at least {MIN_SEEDS} are needed")
    if not drawn:
        found.append(f"names {value} but no evidence cell uses random draws")
    label = f"seeds {first}–{last}"
    if not any(cells.get(cell_id) is not None and checked_by_nbval(cells[cell_id])
               and label in cell_text(cells[cell_id]) for _, cell_id in row["evidence"]):
        found.append(f"no evidence cell prints '{label}': the evidence must check the claim over those seeds")
    return found


def checked_by_nbval(cell):
    """Whether nbval compares this code cell's output: executed, not exempted, with text output."""
    if cell.get("cell_type") != "code" or cell.get("execution_count") is None:
        return False
    if set(cell.get("metadata", {}).get("tags", [])) & NBVAL_UNCHECKED_TAGS:
        return False
    return any(out.get("output_type") == "stream"
               or set(out.get("data", {})) & COMPARED_MIMES
               for out in cell.get("outputs", []))


def ledger_problems(notebook_path, ledger_path):
    """Everything that keeps the ledger at ``ledger_path`` from backing ``notebook_path``'s claims."""
    import nbformat

    if not os.path.isfile(ledger_path):
        return [f"no claims ledger at {ledger_path}"]
    from . import _randomness

    nb = nbformat.read(notebook_path, as_version=4)
    cells = {cell.get("id"): cell for cell in nb.cells}
    random_cells = _randomness.random_cells(nb)
    rows = read_ledger(ledger_path)
    found = [] if rows else [f"{ledger_path}: the ledger has no rows"]
    without = [row["number"] for row in rows if row["randomness"] is None]
    if without:
        found.append(f"{os.path.basename(ledger_path)}: rows {', '.join(without)} have no randomness column "
                     "(| # | claim | regime | prose cell | evidence | randomness |)")
    for row in rows:
        where = f"{os.path.basename(ledger_path)} row {row['number']}"
        if row["randomness"] is not None:
            found += [f"{where}: {problem}" for problem in randomness_problems(row, cells, random_cells)]
        if not row["claim"]:
            found.append(f"{where}: no claim stated")
        if not row["prose"]:
            found.append(f"{where}: no prose cell named")
        for cell_id in row["prose"]:
            if cell_id not in cells:
                found.append(f"{where}: prose cell `{cell_id}` is not in the notebook")
        if not row["evidence"]:
            found.append(f"{where}: no evidence (cell `ID` or derivation `ID`)")
        for kind, cell_id in row["evidence"]:
            cell = cells.get(cell_id)
            if cell is None:
                found.append(f"{where}: {kind} `{cell_id}` is not in the notebook")
            elif kind == "derivation" and cell.cell_type != "markdown":
                found.append(f"{where}: derivation `{cell_id}` is not a Markdown cell")
            elif kind == "cell" and not checked_by_nbval(cell):
                found.append(f"{where}: cell `{cell_id}` is not checked by nbval (not a code cell, "
                             "not executed, exempted by a tag, or without text output)")
    return found


def ledger_path_for(notebook_path):
    """``claims/<stem>.md`` for ``notebooks/<stem>.ipynb``: the folder ``claims`` beside the
    notebooks' folder, so that what serves the notebooks (JupyterLab's file browser, the
    classroom index, the static edition) lists notebooks only."""
    folder, name = os.path.split(os.path.abspath(notebook_path))
    return os.path.join(os.path.dirname(folder), "claims", os.path.splitext(name)[0] + ".md")


def kernel_metadata(kernel_name=KERNEL_NAME, timeout=60):
    """What a fresh kernel ``kernel_name`` reports, as a front end writes it into a notebook.

    Returns ``{"kernelspec": {"display_name", "language", "name"}, "language_info": {...}}``:
    the kernelspec as the Jupyter server serves it (its ``KernelSpecManager``) and the
    ``language_info`` of the kernel's kernel_info reply, from a kernel started for the purpose.
    """
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=kernel_name, startup_timeout=timeout)
    try:
        reply = client.kernel_info(reply=True, timeout=timeout)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return {"kernelspec": kernelspec(kernel_name), "language_info": reply["content"]["language_info"]}


def with_kernel_metadata(nb, metadata):
    """A copy of the notebook node ``nb`` whose kernelspec and language_info are ``metadata``'s.

    ``metadata``: ``{"kernelspec": {...}, "language_info": {...}}`` exactly as the kernel that
    will open the notebook reports them (:func:`kernel_metadata` for a local kernel), so that
    opening it marks nothing modified. Any other notebook metadata is dropped, as
    :func:`normalise` does.
    """
    missing = [key for key in KERNEL_METADATA if key not in metadata]
    if missing:
        raise ValueError(f"kernel metadata needs {', '.join(missing)}: the front end writes both")
    nb = copy.deepcopy(nb)
    nb["metadata"] = {key: copy.deepcopy(metadata[key]) for key in KERNEL_METADATA}
    return nb


def kernelspec(kernel_name=KERNEL_NAME):
    """The ``kernelspec`` metadata a front end writes for kernel ``kernel_name``: its name, and
    the display name and language of its spec as the Jupyter server finds it."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    return {"display_name": spec.display_name, "language": spec.language, "name": kernel_name}


def run(nb, folder, *, preamble=None, timeout=600):
    """A copy of the notebook node ``nb`` executed top to bottom in a fresh kernel started in ``folder``.

    ``preamble``: code run first in the same kernel (its cell is dropped from the result), e.g.
    to change how random numbers are drawn for a reproducibility check.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if preamble:
        nb.cells.insert(0, nbformat.v4.new_code_cell(preamble, id="preamble"))
    NotebookClient(nb, timeout=timeout, kernel_name=KERNEL_NAME, record_timing=False,
                   resources={"metadata": {"path": folder}}).execute()
    if preamble:
        nb.cells.pop(0)
    nb.metadata["kernelspec"] = kernelspec()   # nbclient stored the kernel's language_info
    return nb


def execute(path, timeout=600):
    """Run the notebook at ``path`` in a fresh kernel (from its folder) and store it normalised."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb = run(nb, os.path.dirname(os.path.abspath(path)), timeout=timeout)
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(normalise(nb)))


def cell_text(cell, substitutions=()):
    """What nbval compares of a code cell's outputs (streams, text, HTML, SVG), as one string.

    ``substitutions``: (regex, replacement) pairs applied to the text, as nbval's
    ``--sanitize-with`` does.
    """
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(_text(out.get("text", "")))
        parts += [_text(out["data"][m]) for m in sorted(COMPARED_MIMES) if m in out.get("data", {})]
    text = "".join(parts)
    for pattern, replacement in substitutions:
        text = re.sub(pattern, replacement, text)
    return text


def checked_text(nb, substitutions=()):
    """``{cell id: cell_text}`` for every code cell that nbval checks."""
    return {cell.get("id"): cell_text(cell, substitutions) for cell in nb.cells if checked_by_nbval(cell)}


def output_differences(stored, fresh, substitutions=()):
    """Lines of checked output that differ between two executions of one notebook, as messages."""
    before, after = checked_text(stored, substitutions), checked_text(fresh, substitutions)
    found = []
    for cell_id, text in before.items():
        new = after.get(cell_id)
        if new is None:
            found.append(f"cell `{cell_id}`: no checked output any more")
            continue
        old_lines, new_lines = text.splitlines(), new.splitlines()
        for k, (a, b) in enumerate(zip(old_lines, new_lines)):
            if a != b:
                found.append(f"cell `{cell_id}` line {k + 1}:\n  stored: {a}\n  now:    {b}")
        if len(old_lines) != len(new_lines):
            found.append(f"cell `{cell_id}`: {len(old_lines)} lines stored, {len(new_lines)} now")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m momentum_lib._notebooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["execute", "check", "claims"])
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        if args.action == "execute":
            print(f"executing {path}", flush=True)
            execute(path)
        elif args.action == "claims":
            for problem in ledger_problems(path, ledger_path_for(path)):
                print(f"{path}: {problem}")
                status = 1
        else:
            for problem in problems(path):
                print(f"{path}: {problem}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
