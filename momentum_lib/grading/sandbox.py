"""Running one hand-in in its own bubblewrap sandbox.

Grading runs students' code. Each hand-in runs in a fresh sandbox made by
bubblewrap (``bwrap``, Debian/Ubuntu package ``bubblewrap``), a maintained
sandboxing tool built on Linux namespaces (the one Flatpak uses):

* **files**: a private, empty, size-limited home (tmpfs) holding only a copy of
  that one notebook; the system, Python and ``momentum_lib`` are mounted
  read-only; the submissions folder, the teacher's home, the other hand-ins, the
  results file and the grader's temporary files are not mounted at all, so they
  do not exist inside. /tmp is private too. Nothing the hand-in writes survives it.
* **network**: none (``--unshare-net``: a loopback device only, which the kernel
  needs to talk to the runner).
* **processes**: its own PID namespace (``--unshare-pid``): it sees only its own
  processes (not the grader's command line), and when the run ends, or the
  grader stops it, every process it started dies with it (``--die-with-parent``;
  a PID namespace ends with its first process). No detached process survives.
* **limits** (``prlimit``, inherited by every process inside): address space
  (memory), CPU seconds, size of any file written, open files; plus a wall-clock
  budget per hand-in enforced by the grader, and a cap on what the grader reads
  back. Cell outputs are discarded inside the sandbox.
* **caps on the whole hand-in** (``caps``): a control group per hand-in caps its
  number of processes, its memory (tmpfs files and shared memory included) and its
  CPU share; ``/dev/shm`` is a private tmpfs of its own size and the rest of ``/dev``
  is read-only; System V IPC is private (``--unshare-ipc``) and dies with the run.
* **the channel back**: the runner's standard output, a pipe that exists only for
  this run. The grader reads at most ``MAX_CHANNEL_BYTES`` from it and re-checks
  every recorded answer in its own process, so a hand-in can only ever change its
  own row.

Without bubblewrap (macOS, Windows, or a Linux without user namespaces) run the
grader inside Docker instead (see docs/grading.md), or pass ``--no-sandbox`` knowing
that the hand-ins then run with your rights.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BWRAP = "/usr/bin/bwrap"
MAX_CHANNEL_BYTES = 4 * 1024 * 1024   # what the grader reads back from one hand-in
MAX_LINE_BYTES = 512 * 1024
HOME = "/home/student"
RECORD = "/tmp/momentum-record.jsonl"
LIB_MOUNT = "/opt/momentum"

DEFAULT_LIMITS = {
    "memory_mb": 3072,      # address space per process, and memory of the whole hand-in
    "disk_mb": 64,          # the sandbox's home, /tmp and /dev/shm (tmpfs, each)
    "file_mb": 32,          # largest file a process may write
    "open_files": 256,
    "processes": 512,       # processes and threads of the whole hand-in
    "cpus": 1.0,            # cores the whole hand-in may use at once
    "total_memory_mb": None,  # memory of the whole hand-in (default: memory_mb)
}

_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group",
        "nsswitch.conf", "hosts", "alternatives", "fonts", "mime.types"]


def bwrap_path():
    """The bubblewrap executable, or None."""
    if os.access(BWRAP, os.X_OK):
        return BWRAP
    return shutil.which("bwrap")


_VERSION = {}


def bwrap_version(bwrap=None):
    """bubblewrap's version as a tuple, e.g. (0, 8, 0); (0,) when it cannot be read."""
    bw = bwrap or bwrap_path()
    if bw not in _VERSION:
        try:
            out = subprocess.run([bw, "--version"], capture_output=True, text=True, timeout=30).stdout
            _VERSION[bw] = tuple(int(x) for x in out.split()[-1].split("."))
        except Exception:  # noqa: BLE001
            _VERSION[bw] = (0,)
    return _VERSION[bw]


def _python_roots():
    """Directories that must be visible read-only for this Python to run."""
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
             os.path.realpath(sys.exec_prefix)}
    exe = Path(sys.executable)
    roots.add(str(exe.parent))
    try:
        roots.add(str(Path(os.path.realpath(exe)).parent.parent))
    except OSError:
        pass
    system = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
    return sorted(r for r in roots if r != "/" and not r.startswith(system))


def _lib_dir():
    import momentum_lib

    return str(Path(momentum_lib.__file__).resolve().parent)


def sandbox_env(limits=None):
    """The environment inside the sandbox (nothing inherited from the teacher's)."""
    return {
        "HOME": HOME, "USER": "student", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8", "PYTHONPATH": LIB_MOUNT, "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/mpl", "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter", "JUPYTER_CONFIG_DIR": "/tmp/jupyter-config",
        "JUPYTER_PLATFORM_DIRS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "MOMENTUM_EXERCISES_RECORD": RECORD,
        "MOMENTUM_EXERCISES_GRADING": "1",
    }


def bwrap_command(notebook_name, nb_fd, job_fd, limits=None, bwrap=None):
    """The full command: prlimit, bwrap and its mounts, then the runner."""
    lim = dict(DEFAULT_LIMITS, **(limits or {}))
    mb = 1024 * 1024
    cmd = ["prlimit", f"--as={lim['memory_mb'] * mb}", f"--fsize={lim['file_mb'] * mb}",
           f"--nofile={lim['open_files']}"]
    if lim.get("cpu_s"):
        cmd.append(f"--cpu={int(lim['cpu_s'])}")
    if lim.get("nproc"):
        cmd.append(f"--nproc={int(lim['nproc'])}")
    cmd += ["--", bwrap or bwrap_path() or BWRAP,
            "--die-with-parent", "--new-session",
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grading",
            "--cap-drop", "ALL", "--clearenv"]
    # The scratch folders first: bwrap mounts in order, so a Python or venv that lives under
    # /tmp (a checkout there, as CI may have) is bound over the fresh tmpfs, not hidden by it.
    # tmpfs size limits need bubblewrap 0.7 (Debian 12 has 0.8); older ones get the per-file
    # limit only
    sized = bwrap_version(bwrap) >= (0, 7)
    for mount in ("/tmp", HOME):
        cmd += (["--size", str(lim["disk_mb"] * mb)] if sized else []) + ["--tmpfs", mount]
    for name in ("/usr", "/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(name):
            cmd += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            cmd += ["--ro-bind", name, name]
    for name in _ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for root in _python_roots():
        cmd += ["--ro-bind", root, root]
    cmd += ["--ro-bind", _lib_dir(), f"{LIB_MOUNT}/momentum_lib",
            "--proc", "/proc", "--dev", "/dev"]
    # a private /dev/shm of its own size; the rest of /dev (a tmpfs without a size) read-only
    cmd += (["--size", str(lim["disk_mb"] * mb)] if sized else []) + ["--tmpfs", "/dev/shm"]
    cmd += ["--remount-ro", "/dev"]
    cmd += ["--file", str(nb_fd), f"{HOME}/{notebook_name}",
            "--file", str(job_fd), "/tmp/job.json",
            "--chdir", HOME]
    for key, value in sandbox_env(lim).items():
        cmd += ["--setenv", key, value]
    cmd += ["--", sys.executable, "-m", "momentum_lib.grading._runner", "/tmp/job.json"]
    return cmd


def mounted_paths():
    """The host folders a sandbox sees (read-only): the system, Python, momentum_lib, /etc files."""
    paths = [Path(p) for p in ("/usr", "/bin", "/lib", "/lib64", "/sbin")]
    paths += [Path("/etc") / name for name in _ETC]
    paths += [Path(r) for r in _python_roots()] + [Path(_lib_dir())]
    return [Path(os.path.realpath(p)) for p in paths if os.path.lexists(p)]


def exposed(path):
    """The mounted folder that makes ``path`` visible inside every sandbox, or None."""
    real = Path(os.path.realpath(path))
    for mounted in mounted_paths():
        if real == mounted or mounted in real.parents:
            return mounted
    return None


class Outcome:
    """What came back from one run: the runner's events and how the run ended."""

    def __init__(self):
        self.events, self.ended, self.killed, self.problem = [], False, None, None
        self.returncode, self.seconds, self.stderr = None, 0.0, ""
        self.caps_notes = []


def _reader(stream, outcome, cap, lock, done):
    buf, total = b"", 0
    try:
        while True:
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            total += len(chunk)
            if total > cap:
                with lock:
                    outcome.problem = (f"the hand-in sent more than {cap // (1024 * 1024)} MB "
                                       "back to the grader; the rest was ignored")
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            if len(buf) > MAX_LINE_BYTES:
                buf = b""
            for line in lines:
                try:
                    event = json.loads(line.decode("utf-8", errors="replace"))
                except ValueError:
                    continue
                if isinstance(event, dict):
                    with lock:
                        outcome.events.append(event)
                        if event.get("type") == "end":
                            outcome.ended = True
    finally:
        done.set()


def _drain(stream, keep, out):
    got = b""
    try:
        while True:
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            if len(got) < keep:
                got += chunk[: keep - len(got)]
    finally:
        out.append(got.decode("utf-8", errors="replace"))


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


_LIVE = set()            # the process groups of the runs in progress (for stop_all)
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()
_GROUP_NAMES = iter(range(1, 1 << 62))


def stop_all():
    """Kill every hand-in run in progress: the grader was interrupted. Each of those runs
    then raises KeyboardInterrupt instead of returning a result (until ``resume()``)."""
    _STOPPING.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        _kill_group(proc)


def resume():
    _STOPPING.clear()


def _command(notebook_bytes, notebook_name, job, lim, sandbox, caps_kind):
    """(cmd, env, pass_fds, cwd, feed, workdir, group) for one run."""
    from . import caps

    group = None
    if not sandbox:
        workdir = tempfile.mkdtemp(prefix="momentum-grade-")
        Path(workdir, notebook_name).write_bytes(notebook_bytes)
        job_path = Path(workdir, ".job.json")
        record = str(Path(workdir, ".record.jsonl"))
        job_path.write_text(json.dumps(dict(job, record=record)), encoding="utf-8")
        env = dict(os.environ, MOMENTUM_EXERCISES_RECORD=record,
                   MOMENTUM_EXERCISES_GRADING="1", MPLBACKEND="Agg")
        cmd = [sys.executable, "-m", "momentum_lib.grading._runner", str(job_path)]
        return cmd, env, (), workdir, [], workdir, None
    if caps_kind == "nproc":
        lim = dict(lim, nproc=caps.nproc_limit(lim["processes"]))
    if caps_kind in ("v1", "v2"):
        group = caps.Group(caps_kind, f"momentum-{os.getpid()}-{next(_GROUP_NAMES)}", {
            "processes": lim["processes"], "cpus": lim["cpus"],
            "memory_mb": lim["total_memory_mb"] or lim["memory_mb"]})
    nb_r, nb_w = os.pipe()
    job_r, job_w = os.pipe()
    cmd = bwrap_command(notebook_name, nb_r, job_r, lim)
    if group is not None:
        cmd = group.wrap(cmd)
    feed = [(nb_w, notebook_bytes), (job_w, json.dumps(job).encode("utf-8"))]
    return cmd, {"PATH": "/usr/bin:/bin"}, (nb_r, job_r), "/", feed, None, group


def run_hand_in(notebook_bytes, notebook_name, cells, *, timeout, budget, kernel_name="python3",
                sandbox=True, limits=None, caps_kind=None):
    """Run ``cells`` ([(index, source)]) of one hand-in; return an ``Outcome``. Never raises
    but KeyboardInterrupt, after which nothing of the run is left.

    ``caps_kind`` is ``caps.plan()[0]``, asked once per class run (default: asked here).
    """
    from . import caps

    outcome = Outcome()
    lim = dict(DEFAULT_LIMITS, **(limits or {}))
    lim.setdefault("cpu_s", int(budget) + 30)
    job = {"cells": cells, "timeout": timeout, "record": RECORD, "kernel": kernel_name}
    start = time.monotonic()
    proc = workdir = group = None
    if _STOPPING.is_set():
        raise KeyboardInterrupt("the grader was interrupted")
    try:
        if sandbox and caps_kind is None:
            caps_kind = caps.plan()[0]
        cmd, env, pass_fds, cwd, feed, workdir, group = _command(
            notebook_bytes, notebook_name, job, lim, sandbox, caps_kind)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd, pass_fds=pass_fds,
                                start_new_session=True)
        with _LIVE_LOCK:
            _LIVE.add(proc)
        for fd in pass_fds:
            os.close(fd)
        if feed:   # bwrap copies both pipes into the sandbox before it runs anything
            threading.Thread(target=_feed, args=(feed,), daemon=True).start()
        _watch(proc, outcome, budget)
    except Exception as error:  # noqa: BLE001
        outcome.killed = outcome.killed or f"could not run the hand-in: {type(error).__name__}: {error}"
    finally:
        if proc is not None:
            _kill_group(proc)
            with _LIVE_LOCK:
                _LIVE.discard(proc)
        if group is not None:
            group.kill()
            outcome.caps_notes = group.findings()
            group.close()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if _STOPPING.is_set():
        raise KeyboardInterrupt("the grader was interrupted")
    outcome.seconds = time.monotonic() - start
    return outcome


def _watch(proc, outcome, budget):
    """Read the run's events until it ends or its budget is spent; then end what is left."""
    lock, done, err = threading.Lock(), threading.Event(), []
    t_out = threading.Thread(target=_reader, args=(proc.stdout, outcome, MAX_CHANNEL_BYTES,
                                                   lock, done), daemon=True)
    t_err = threading.Thread(target=_drain, args=(proc.stderr, 4000, err), daemon=True)
    t_out.start()
    t_err.start()
    deadline = time.monotonic() + budget
    while not done.wait(timeout=min(1.0, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline:
            outcome.killed = f"stopped after the notebook's budget of {budget:g} s"
            break
    if not outcome.killed and outcome.problem:
        outcome.killed = outcome.problem
    _kill_group(proc)  # whatever is left of this hand-in goes now
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    t_out.join(timeout=5)
    t_err.join(timeout=5)
    outcome.returncode = proc.returncode
    outcome.stderr = err[0] if err else ""


def _feed(pairs):
    for fd, data in pairs:
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view[:65536])
                view = view[n:]
        except OSError:
            pass
        finally:
            try:
                os.close(fd)
            except OSError:
                pass


def self_test():
    """(ok, message): can a sandbox start here? Used by the grader before a class run."""
    bw = bwrap_path()
    if bw is None:
        return False, ("bubblewrap (bwrap) is not installed: `apt-get install bubblewrap`, or run "
                       "the grader in Docker (see docs/grading.md), or pass --no-sandbox")
    cmd = [bw, "--unshare-user", "--unshare-pid", "--unshare-net", "--die-with-parent",
           "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except Exception as error:  # noqa: BLE001
        return False, f"bubblewrap could not start: {error}"
    if proc.returncode != 0:
        return False, ("bubblewrap could not create a sandbox here (user namespaces disabled?): "
                       + proc.stderr.strip()[:300])
    return True, "bubblewrap works"
