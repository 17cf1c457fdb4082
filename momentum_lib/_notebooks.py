"""Keep the stored notebooks executed, normalised and checkable by nbval.

nbval compares a cell's fresh outputs with the stored ones, but silently skips
any code cell stored without an execution count, so a stripped notebook checks
nothing. The notebooks are therefore stored *executed*, in a normal form that
re-execution reproduces byte for byte:

* notebook metadata keeps the kernelspec and the language name only;
* cell metadata keeps tags only (no timings, no "execution" records);
* widget state and widget-view data are dropped (their model ids change on
  every run and mean nothing without a live kernel); the text/plain fallback stays;
* every code cell carries an execution count, 1, 2, 3, … in order.

Usage::

    python -m momentum_lib._notebooks execute notebooks/*.ipynb   # re-run and normalise
    python -m momentum_lib._notebooks check notebooks/*.ipynb     # fail if not normalised
"""

import argparse
import copy
import os
import sys

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SKIP_TAGS = {"nbval-skip", "skip-execution"}


def normalise(nb):
    """The normal form of a notebook node (a new object; the input is untouched)."""
    nb = copy.deepcopy(nb)
    meta = nb.get("metadata", {})
    language = meta.get("language_info", {}).get("name", "python")
    nb["metadata"] = {
        "kernelspec": meta.get("kernelspec", {"display_name": "Python 3", "language": "python",
                                               "name": "python3"}),
        "language_info": {"name": language},
    }
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
        cell.pop("id", None)
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
            outputs.append(out)
        cell["outputs"] = outputs
    nb["nbformat"], nb["nbformat_minor"] = 4, 4
    return nb


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


def execute(path, timeout=600):
    """Run the notebook at ``path`` in a fresh kernel (from its folder) and store it normalised."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    folder = os.path.dirname(os.path.abspath(path))
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                   resources={"metadata": {"path": folder}}).execute()
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(normalise(nb)))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m momentum_lib._notebooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["execute", "check"])
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        if args.action == "execute":
            print(f"executing {path}", flush=True)
            execute(path)
        else:
            for problem in problems(path):
                print(f"{path}: {problem}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
