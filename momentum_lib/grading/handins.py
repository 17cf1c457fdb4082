"""Finding hand-ins under the folders given and reading one, whatever its bytes.

Nothing here runs a hand-in or trusts it: a file is read with a size cap, without
following links or blocking on pipes, and parsed once, in time linear in its size.
"""

import json
import os
import stat
from pathlib import Path
from typing import NamedTuple

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_CELL_CHARS = 200_000   # a cell longer than this is parsed in its first MAX_CELL_CHARS only


def display_name(path, root=None):
    """A path relative to the folder given, decoded whatever its bytes (not yet made safe to print)."""
    p = Path(path)
    if root is not None:
        try:
            p = p.relative_to(root)
        except ValueError:
            pass
    return os.fsencode(str(p)).decode("utf-8", errors="replace")


def _is_notebook_name(name):
    return os.fsencode(name).lower().endswith(b".ipynb")


def find_notebooks(paths):
    """[(path, root)]: every ``*.ipynb`` (any case) under ``paths``, sorted, checkpoints skipped.

    Entries that are not regular files (FIFOs, folders named like a notebook,
    symbolic links) are returned too, so that they get a row saying why they were
    refused. Symbolic links to folders are not followed.
    """
    found = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
                names = [d for d in dirnames if _is_notebook_name(d)] + filenames
                found += [(Path(dirpath) / n, p) for n in sorted(names) if _is_notebook_name(n)]
        else:
            found.append((p, p.parent))
    found.sort(key=lambda pr: os.fsencode(str(pr[0])))
    return found


class HandIn(NamedTuple):
    data: bytes
    notebook: dict
    code_cells: list        # [(index from 1, source)]
    notes: list


def _kind_refused(mode):
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    return None if stat.S_ISREG(mode) else "a device or socket"


def _read_capped(path):
    """(bytes, None) or (None, reason): the whole file, at most MAX_NOTEBOOK_BYTES."""
    try:
        st = os.lstat(path)
    except OSError as error:
        return None, f"cannot be opened ({error.strerror or type(error).__name__})"
    kind = _kind_refused(st.st_mode)
    if kind:
        return None, f"refused: {kind}, not a notebook file"
    if st.st_size > MAX_NOTEBOOK_BYTES:
        return None, (f"refused: {st.st_size / 1e6:.0f} MB, larger than the "
                      f"{MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB a notebook may be")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None, "refused: not a regular file"
            chunks, total = [], 0
            while chunk := os.read(fd, 1 << 20):
                total += len(chunk)
                if total > MAX_NOTEBOOK_BYTES:
                    return None, "refused: the file grew while it was read"
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as error:
        return None, f"cannot be read ({error.strerror or type(error).__name__})"
    return b"".join(chunks), None


def _code_cells(cells):
    """([(index, source)], notes) for the code cells of a parsed notebook."""
    notes, code = [], []
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            notes.append(f"cell {i} is not a cell; skipped")
            continue
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            notes.append(f"cell {i}: its source is {type(source).__name__}, not text; skipped")
            continue
        code.append((i, source))
    return code, notes


def read_hand_in(path):
    """(HandIn, None) or (None, reason it cannot be graded). Never raises, never blocks.

    A UTF-8 byte-order mark (some editors save one) is accepted.
    """
    data, refused = _read_capped(path)
    if refused:
        return None, refused
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "unreadable notebook: not UTF-8 text"
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError):
        return None, "unreadable notebook: not valid JSON"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None, "unreadable notebook: no list of cells"
    code, notes = _code_cells(nb["cells"])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]   # the sandbox's copy without the mark, which nbformat refuses
    return HandIn(data, nb, code, notes), None
