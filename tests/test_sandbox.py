"""The sandbox itself: what a hand-in sees and what it cannot do (bubblewrap, limits).

Each probe runs code in a real sandbox and sends what it found back as record
lines (the runner forwards every JSON object appended to the record file).
"""

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from momentum_lib.grading import caps, sandbox

needs_bwrap = pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")
ROOT = Path(__file__).resolve().parents[1]


def _probe(code, **kw):
    cells = [[1, "import json, os\ndef report(**k):\n"
                 "    open(os.environ['MOMENTUM_EXERCISES_RECORD'], 'a').write(json.dumps(k) + '\\n')"],
             [2, code]]
    out = sandbox.run_hand_in(b"{}", "submission.ipynb", cells, timeout=kw.pop("timeout", 60),
                              budget=kw.pop("budget", 300), **kw)
    found = {}
    for e in out.events:
        for r in e.get("records") or []:
            found.update(r)
    return found, out


@pytest.fixture(scope="module")
def view():
    if not sandbox.self_test()[0]:
        pytest.skip("bubblewrap cannot run here")
    os.environ["TEACHER_TOKEN"] = "do-not-leak"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    code = f"""
import socket
def can_connect(host, port):
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect((host, port)); return True
    except Exception:
        return False
def can_write(path, size):
    try:
        with open(path, 'wb') as f:
            for _ in range(size):
                f.write(b'x' * 1048576)
        return True
    except Exception:
        return False
def can_alloc(mb):
    try:
        b = bytearray(mb * 1048576); return True
    except MemoryError:
        return False
report(root=sorted(os.listdir('/')), cwd=os.getcwd(), home=sorted(os.listdir('.')),
       repo=[n for n in os.listdir({str(ROOT)!r}) if n != '.venv'] if os.path.isdir({str(ROOT)!r}) else [], pids=len([p for p in os.listdir('/proc') if p.isdigit()]),
       env='TEACHER_TOKEN' in os.environ, host=can_connect('127.0.0.1', {port}),
       net=can_connect('1.1.1.1', 80), etc=sorted(os.listdir('/etc')),
       big_file=can_write('/tmp/big', 40), full_home=can_write('/home/student/a', 30) and
       can_write('/home/student/b', 30) and can_write('/home/student/c', 30),
       alloc=can_alloc(4096), hostname=socket.gethostname())
"""
    found, out = _probe(code)
    server.close()
    return found


@pytest.mark.grading
def test_a_hand_in_sees_only_its_own_copy_and_the_system(view):
    assert view["cwd"] == "/home/student" and view["home"] == ["submission.ipynb"]
    # the teacher's files are not there (a virtual environment inside the checkout is mounted
    # read-only where it is, so the checkout's folder may exist, holding only that)
    assert view["repo"] == []
    assert "shadow" not in view["etc"] and "passwd" in view["etc"]
    assert not view["env"]                        # nothing of the teacher's environment
    assert view["hostname"] == "grading"


@pytest.mark.grading
def test_no_network_not_even_the_hosts_loopback(view):
    assert not view["net"] and not view["host"]


@pytest.mark.grading
def test_its_own_processes_only(view):
    assert view["pids"] < 10                      # bwrap's init, the runner, the kernel


@pytest.mark.grading
def test_limits_on_file_size_disk_and_memory(view):
    assert not view["big_file"]                   # 40 MB > the 32 MB file limit
    assert not view["full_home"]                  # 90 MB > the 64 MB home
    assert not view["alloc"]                      # 4 GB > the 3 GB address space


@pytest.mark.grading
@pytest.mark.slow
@needs_bwrap
def test_the_budget_stops_a_hand_in_and_every_process_it_started():
    marker = "SANDBOX_BUDGET_MARKER_51c2"
    code = (f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', "
            f"'import time; time.sleep(600)', '{marker}'], start_new_session=True)\ntime.sleep(600)")
    start = time.monotonic()
    _, out = _probe(code, timeout=600, budget=25)
    assert "budget" in out.killed and time.monotonic() - start < 120
    time.sleep(1)
    alive = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline_has(p, marker)]
    assert alive == []


def _cmdline_has(pid, marker):
    try:
        return marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_the_command_is_what_the_docs_say():
    cmd = sandbox.bwrap_command("n.ipynb", 5, 6)
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--clearenv",
                 "--cap-drop", "--new-session"):
        assert flag in cmd
    assert cmd[0] == "prlimit" and any(a.startswith("--as=") for a in cmd)
    assert json.dumps(cmd)  # plain strings only
    # a private, size-limited /dev/shm, and the rest of /dev read-only, after /dev is made
    dev, shm = cmd.index("/dev"), cmd.index("/dev/shm")
    assert cmd[shm - 1] == "--tmpfs" and cmd[shm - 3] == "--size" and dev < shm
    assert cmd.index("--remount-ro") > shm and cmd[cmd.index("--remount-ro") + 1] == "/dev"


def test_this_machine_caps_each_hand_in_with_a_control_group():
    """Root on a cgroup v1/v2 hybrid here: the v1 pids, memory, cpu and freezer hierarchies."""
    kind, why = caps.plan()
    assert kind in ("v1", "v2"), why


def test_a_control_group_starts_its_command_inside_and_is_removed(tmp_path):
    kind, _ = caps.plan()
    if kind not in ("v1", "v2"):
        pytest.skip("no writable control group here")
    group = caps.Group(kind, f"momentum-test-{os.getpid()}", {"processes": 64})
    try:
        out = subprocess.run(group.wrap(["/bin/sh", "-c", "cat /proc/self/cgroup"]),
                             capture_output=True, text=True, timeout=60).stdout
        assert group.paths[0].name in out
        assert (group.paths[0] / "pids.max").read_text().strip() == "64"
    finally:
        group.close()
    assert not any(p.exists() for p in group.paths)


def test_an_old_bubblewrap_gets_no_tmpfs_size_option(monkeypatch):
    monkeypatch.setitem(sandbox._VERSION, "/old/bwrap", (0, 6, 1))
    assert "--size" not in sandbox.bwrap_command("n.ipynb", 5, 6, bwrap="/old/bwrap")
    monkeypatch.setitem(sandbox._VERSION, "/new/bwrap", (0, 8, 0))
    assert "--size" in sandbox.bwrap_command("n.ipynb", 5, 6, bwrap="/new/bwrap")


@pytest.mark.grading
@needs_bwrap
def test_flooding_the_channel_back_stops_that_hand_in_only():
    code = ("import os\nrunner = next(p for p in os.listdir('/proc') if p.isdigit() and\n"
            "    b'_runner' in open(f'/proc/{p}/cmdline', 'rb').read())\n"
            "with open(f'/proc/{runner}/fd/1', 'w') as f:\n"
            "    for _ in range(20):\n        f.write('x' * 1_000_000 + '\\n')")
    start = time.monotonic()
    _, out = _probe(code)
    assert out.killed and "more than 4 MB" in out.killed
    assert time.monotonic() - start < 120


def test_the_scratch_tmpfs_is_mounted_before_python_so_a_venv_under_tmp_stays_visible():
    # bwrap mounts in order: a tmpfs on /tmp after the binds would hide a checkout's venv in /tmp
    cmd = sandbox.bwrap_command("submission.ipynb", 3, 4)
    tmpfs = [i for i, arg in enumerate(cmd) if arg == "--tmpfs" and cmd[i + 1] in ("/tmp", sandbox.HOME)]
    binds = [i for i, arg in enumerate(cmd) if arg in ("--ro-bind", "--ro-bind-try", "--symlink")]
    assert tmpfs and binds and max(tmpfs) < min(binds)
