"""Runs one hand-in's code cells in a fresh kernel; meant to run inside the sandbox.

    python -m momentum_lib.grading._runner JOB.json

JOB.json: {"cells": [[index, source], ...], "timeout": seconds, "record": path,
"kernel": name}. The runner executes the cells one by one and writes one JSON line
per event on its standard output, which is the only channel back to the grader:

    {"type": "cell", "index": i, "status": "ok" | "error" | "timeout",
     "ename": "...", "records": [...], "dropped": bytes}
    {"type": "dead", "index": i, "reason": "..."}    the kernel died or stopped
    {"type": "end"}

``records`` are the lines that ``check``/``solution`` appended to the record file
during that cell (``$MOMENTUM_EXERCISES_RECORD``), read here, inside the sandbox, so
the grader never opens a file the hand-in could have replaced. Cell outputs are
dropped as they arrive (a cell printing 300 MB costs time, not memory). Everything
a hand-in can do to this process only changes its own row: the grader re-checks
every recorded answer in its own process.
"""

import json
import logging
import os
import sys

RECORD_BYTES_PER_CELL = 64 * 1024
RECORD_LINES_PER_CELL = 200


def _emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class _RecordReader:
    """Reads what was appended to the record file since the last call, bounded."""

    def __init__(self, path):
        self.path, self.offset = path, 0

    def new_lines(self):
        dropped, lines = 0, []
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return lines, dropped
        try:
            st = os.fstat(fd)
            import stat

            if not stat.S_ISREG(st.st_mode):
                return lines, dropped
            if st.st_size < self.offset:  # truncated or replaced: start again
                self.offset = 0
            size = st.st_size - self.offset
            os.lseek(fd, self.offset, os.SEEK_SET)
            data = os.read(fd, min(size, RECORD_BYTES_PER_CELL))
            if size > RECORD_BYTES_PER_CELL:
                dropped = size - RECORD_BYTES_PER_CELL
            self.offset = st.st_size
        except OSError:
            return lines, dropped
        finally:
            os.close(fd)
        for raw in data.split(b"\n")[:RECORD_LINES_PER_CELL]:
            text = raw.decode("utf-8", errors="replace").strip()
            if not text:
                continue
            try:
                entry = json.loads(text)
            except ValueError:
                continue  # a line damaged by a crash or by the hand-in's own code
            if isinstance(entry, dict):
                lines.append(entry)
        return lines, dropped


def _client_class():
    from nbclient import NotebookClient

    class QuietClient(NotebookClient):
        """Keeps no outputs: only the execute replies matter to the grader."""

        def output(self, outs, msg, display_id, cell_index):
            return None

        def handle_comm_msg(self, outs, msg, cell_index):
            return None

        def _update_display_id(self, display_id, msg):
            return None

    return QuietClient


def run(job):
    import nbformat
    from nbclient.exceptions import DeadKernelError

    timeout = float(job["timeout"])
    cells = [nbformat.v4.new_code_cell(src) for _, src in job["cells"]]
    indices = [i for i, _ in job["cells"]]
    nb = nbformat.v4.new_notebook(cells=cells)
    reader = _RecordReader(job["record"])
    last = {}
    client = _client_class()(
        nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeout", "evalue": f"cell exceeded {timeout} s",
                          "traceback": []},
        kernel_name=job.get("kernel", "python3"), record_timing=False, iopub_timeout=4,
        startup_timeout=240,
        resources={"metadata": {"path": os.getcwd()}},
    )
    client.log = logging.getLogger("momentum_lib.grading.runner")
    client.log.setLevel(logging.CRITICAL)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: last.update(
        reply=execute_reply)
    index = None
    try:
        with client.setup_kernel(stderr=open(os.devnull, "w"), stdout=open(os.devnull, "w")):
            for pos, cell in enumerate(nb.cells):
                index = indices[pos]
                last.clear()
                client.execute_cell(cell, pos)
                content = (last.get("reply") or {}).get("content", {})
                status, ename = "ok", None
                if content.get("ename") == "CellTimeout":
                    status = "timeout"
                elif content.get("status") == "error":
                    status, ename = "error", str(content.get("ename", ""))[:60]
                records, dropped = reader.new_lines()
                _emit({"type": "cell", "index": index, "status": status, "ename": ename,
                       "records": records, "dropped": dropped})
    except DeadKernelError:
        records, dropped = reader.new_lines()
        _emit({"type": "dead", "index": index, "reason": "the kernel died",
               "records": records, "dropped": dropped})
    except Exception as error:  # noqa: BLE001  (reported as this hand-in's row)
        records, dropped = reader.new_lines()
        _emit({"type": "dead", "index": index,
               "reason": f"execution stopped: {type(error).__name__}",
               "records": records, "dropped": dropped})
    _emit({"type": "end"})


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    os.unlink(sys.argv[1])  # the hand-in has no business reading its job
    run(job)


if __name__ == "__main__":
    main()
