"""Caps on a whole hand-in: processes, memory and CPU, that hold for root too.

Per-process limits (``prlimit``) do not bound a hand-in as a whole: RLIMIT_NPROC does
nothing for root, and memory kept in tmpfs files, System V segments or memfds is not
address space. A control group does bound the whole: every process a hand-in starts
is in its group, ``pids.max`` caps how many there are (a fork bomb meets it),
``memory`` caps the memory they use, page cache and tmpfs included, and the CPU
controller gives the group the share of two processes (the runner and the kernel
it drives) and at most one core, whatever the number of processes in it, so a
spinning hand-in cannot starve the machine.

What works where (``plan()`` picks the first):

* **cgroup v2** (current distributions): a child of the grader's own group, with
  ``pids.max``, ``memory.max`` (and ``memory.swap.max`` 0) and ``cpu.max``. Needs the
  group to be writable (root, or a delegated group, e.g. under ``systemd-run --user
  --scope -p Delegate=yes``) and the ``pids`` and ``memory`` controllers enabled for it.
* **cgroup v1** (older systems and hybrid set-ups): the same in the ``pids``,
  ``memory``, ``cpu`` and ``freezer`` hierarchies, each a child of the grader's group.
* **nproc**: a teacher who is not root gets RLIMIT_NPROC, which counts every process
  of the teacher's user (so it is set a margin above what already runs); memory then
  rests on the per-process limit and the size-limited tmpfs mounts.
* **none**: root without usable control groups; the grader says so and runs without
  whole-hand-in caps.
"""

import os
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("pids", "memory", "cpu", "freezer")
DEFAULTS = {"processes": 512, "memory_mb": 3072, "cpus": 1.0}


def _own_groups():
    """{controller or "": path of this process's group} from /proc/self/cgroup."""
    groups = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return groups
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for c in controllers.split(",") if controllers else [""]:
            groups[c] = path
    return groups


def _v2_mount():
    for candidate in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        if (candidate / "cgroup.controllers").is_file():
            return candidate
    return None


def _writable_dir(path):
    return path.is_dir() and os.access(path, os.W_OK)


def _v2_base():
    """The grader's own v2 group if it can hold capped children, else None."""
    mount, own = _v2_mount(), _own_groups().get("")
    if mount is None or own is None:
        return None
    base = mount / own.lstrip("/")
    try:
        enabled = (base / "cgroup.subtree_control").read_text().split()
        available = (base / "cgroup.controllers").read_text().split()
    except OSError:
        return None
    if not {"pids", "memory"} <= set(available) or not _writable_dir(base):
        return None
    missing = [c for c in ("pids", "memory", "cpu") if c in available and c not in enabled]
    try:
        if missing:
            (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in missing))
    except OSError:
        return None
    return base


def _v1_bases():
    """{controller: the grader's own v1 group} if every controller is there and writable."""
    own, bases = _own_groups(), {}
    for c in V1_CONTROLLERS:
        if c not in own or not (CGROUP_ROOT / c).is_dir():
            return None
        base = CGROUP_ROOT / c / own[c].lstrip("/")
        if not _writable_dir(base):
            return None
        bases[c] = base
    return bases


def plan():
    """(kind, reason): how this machine caps a hand-in: "v2", "v1", "nproc" or "none"."""
    if _v2_base() is not None:
        return "v2", "cgroup v2: processes, memory and CPU capped per hand-in"
    if _v1_bases() is not None:
        return "v1", "cgroup v1: processes, memory and CPU capped per hand-in"
    if os.geteuid() != 0:
        return "nproc", ("not root and no writable control group: processes capped by "
                         "RLIMIT_NPROC, memory per process only")
    return "none", ("root without a writable control group: a hand-in's processes and total "
                    "memory are not capped (start the grader in a delegated cgroup)")


class Group:
    """The control group of one hand-in (``kind`` "v1" or "v2"); ``close()`` removes it."""

    def __init__(self, kind, name, limits=None):
        lim = dict(DEFAULTS, **(limits or {}))
        self.kind, self.limits, self.paths = kind, lim, []
        try:
            self._create(name)
        except BaseException:
            self.close()    # no half-made group is left behind
            raise

    def _create(self, name):
        lim = self.limits
        memory = int(lim["memory_mb"]) * 1024 * 1024
        quota = int(100_000 * float(lim["cpus"]))
        if self.kind == "v2":
            path = _v2_base() / name
            path.mkdir()
            self.paths = [path]
            _write(path / "pids.max", lim["processes"])
            _write(path / "memory.max", memory)
            _write(path / "memory.swap.max", 0, optional=True)
            _write(path / "cpu.max", f"{quota} 100000", optional=True)
            _write(path / "cpu.weight", 2 * 100, optional=True)
        else:
            bases = _v1_bases()
            for c in V1_CONTROLLERS:
                (bases[c] / name).mkdir()
                self.paths.append(bases[c] / name)
            pids, mem, cpu, _ = self.paths
            _write(pids / "pids.max", lim["processes"])
            _write(mem / "memory.limit_in_bytes", memory)
            _write(mem / "memory.memsw.limit_in_bytes", memory, optional=True)
            _write(cpu / "cpu.cfs_period_us", 100_000, optional=True)
            _write(cpu / "cpu.cfs_quota_us", quota, optional=True)
            _write(cpu / "cpu.shares", 2 * 1024, optional=True)

    def wrap(self, cmd):
        """``cmd`` started inside this group: a shell joins it, then execs ``cmd``."""
        procs = [str(p / "cgroup.procs") for p in self.paths]
        script = ('while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; '
                  'shift; exec "$@"')
        return ["/bin/sh", "-c", script, "sh", *procs, "--", *cmd]

    def pids(self):
        try:
            return [int(x) for x in (self.paths[0] / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def findings(self):
        """What the caps stopped, in words (for the hand-in's row)."""
        found = []
        pids = self.paths[0]
        events = _read(pids / "pids.events")
        if events and any(line.split()[-1] != "0" for line in events.splitlines()
                          if line.startswith("max")):
            found.append(f"hit the cap of {self.limits['processes']} processes")
        mem = self.paths[0] if self.kind == "v2" else self.paths[1]
        oom = _read(mem / ("memory.events" if self.kind == "v2" else "memory.oom_control"))
        if any(line.split()[0] in ("oom_kill", "max") and line.split()[-1] != "0"
               for line in oom.splitlines() if line.split()):
            found.append(f"hit the memory cap of {self.limits['memory_mb']} MB")
        return found

    def kill(self, patience=10.0):
        """SIGKILL every process of the group until it is empty (frozen first where possible)."""
        if len(self.paths) < (1 if self.kind == "v2" else len(V1_CONTROLLERS)):
            return   # not made whole: nothing can run in it
        deadline = time.monotonic() + patience
        if self.kind == "v2" and (self.paths[0] / "cgroup.kill").exists():
            _write(self.paths[0] / "cgroup.kill", 1, optional=True)
        freezer = self.paths[3] / "freezer.state" if self.kind == "v1" else None
        if freezer:
            _write(freezer, "FROZEN", optional=True)
        while (left := self.pids()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if freezer:
                _write(freezer, "THAWED", optional=True)   # a frozen task dies once thawed
            time.sleep(0.05)

    def close(self):
        self.kill()
        for path in reversed(self.paths):
            for _ in range(100):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


def _write(path, value, optional=False):
    try:
        Path(path).write_text(str(value))
    except OSError:
        if not optional:
            raise


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def nproc_limit(margin=DEFAULTS["processes"]):
    """RLIMIT_NPROC for a hand-in of a non-root teacher: what the user runs now, plus ``margin``."""
    uid, count = os.getuid(), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return count + margin
