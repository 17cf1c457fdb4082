"""Hostile hand-ins and careless teachers, for maintainers: each test is one way a class run
can be broken, stalled, injected or cheated, and asserts that it cannot.

The attacks (the numbers follow the grading guide, docs/grading.md, "What the grader
holds against"):

1. binding: a hand-in placed beside one's own that carries a classmate's variant,
   a look-alike folder name, a path with no roster id;
2. stalling: a cell of millions of blank lines, hundreds of thousands of forged
   records, parsed by the grader after the run;
3. report injection: formula prefixes, terminal escapes and newlines in file names,
   recorded answers and error names;
4. memory outside the address-space limit: tmpfs files in /dev/shm and /dev, System V
   shared memory;
5. a fork bomb;
6. a teacher's secret or roster inside a folder every sandbox mounts;
7. teacher mistakes: a wrong secret, a missing roster, a roster id "..", Ctrl-C with
   two jobs, a notebook saved with a byte-order mark.

The tests that run hand-ins are marked ``grading``; those that take long, ``slow``.
"""

import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from momentum_lib.grading import graded, handins, report, results, run, sandbox, variants
from test_sandbox import _probe   # code in, the fields of its record lines out

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "sample_submissions"
GRADER = [sys.executable, "-m", "momentum_lib.grading"]
needs_bwrap = pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")


def _notebook(*sources, metadata=None):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {}, "cells": [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [], "execution_count": None,
         "source": s} for i, s in enumerate(sources)]})


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """A class of three with their personal notebooks, and the teacher's files."""
    base = tmp_path_factory.mktemp("class")
    (base / "roster.csv").write_text("id,name\ns01,Ann\ns02,Bob\ns03,Cy\n")
    variants.new_secret(base / "teacher.secret")
    made = variants.make_class(base / "roster.csv", base / "teacher.secret", base / "handout")
    return base, {p.parent.name: p for p in made}


def _bind_all(grader, subs):
    """{hand-in: student it credits, or "refused: why"}, in the order the grader runs them."""
    found = handins.find_notebooks([subs])
    if hasattr(grader, "survey"):
        grader.survey(found)
    out = {}
    for path, root in found:
        hand_in, refused = handins.read_hand_in(path)
        try:
            out[handins.display_name(path, root)] = grader.prepare(hand_in, path)[0]
        except ValueError as error:
            out[handins.display_name(path, root)] = f"refused: {error}"
    return out


# --- 1. binding ---------------------------------------------------------------------------------

def test_a_classmates_variant_beside_ones_own_credits_nobody_and_spoils_nothing(handout, tmp_path):
    base, made = handout
    subs = tmp_path / "subs"
    for folder, source in (("s01", "s01"), ("s02", "s02")):
        (subs / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(made[source], subs / folder / made[source].name)
    shutil.copy(made["s02"], subs / "s01" / "s02.ipynb")          # planted beside s01's own
    grader = graded.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    bound = _bind_all(grader, subs)
    name = made["s01"].name
    assert bound[f"s02/{name}"] == "s02", bound                    # the real hand-in counts
    assert bound[f"s01/{name}"] == "s01", bound
    assert bound["s01/s02.ipynb"].startswith("refused") and "2 students" in bound["s01/s02.ipynb"]
    assert list(bound.values()).count("s02") == 1


def test_a_look_alike_folder_or_a_path_without_an_id_is_refused_by_rule(handout, tmp_path):
    base, made = handout
    subs = tmp_path / "subs"
    name = made["s02"].name
    for folder, source in (("\u0455" "02", "s02"), ("nobody", "s03")):   # Cyrillic dze, then Latin 0 2
        (subs / folder).mkdir(parents=True)
        shutil.copy(made[source], subs / folder / name)
    grader = graded.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    bound = _bind_all(grader, subs)
    assert "not a roster id" in bound[f"\u0455" f"02/{name}"], bound
    assert "names no student" in bound[f"nobody/{name}"], bound


def test_a_roster_id_that_is_a_path_is_refused_and_nothing_is_written_outside(tmp_path):
    (tmp_path / "roster.csv").write_text("id\ns01\n..\n")
    variants.new_secret(tmp_path / "t.secret")
    out = tmp_path / "deep" / "handout"
    proc = subprocess.run([*GRADER, "variants", "make", "--roster", str(tmp_path / "roster.csv"),
                           "--secret", str(tmp_path / "t.secret"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "'..' is not a valid id" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not list((tmp_path / "deep").rglob("*.ipynb"))


# --- 2. stalling ----------------------------------------------------------------------------------

_STALL = """
import sys, time
from momentum_lib.grading import results
n = {n}
cells = [(1, "\\n" * n + "pass"), (2, 'check("ex6", answer)')]
events = [{{"type": "cell", "index": 1, "status": "ok", "records": []}}] * 50
events += [{{"type": "cell", "index": 2, "status": "ok", "records": [
    {{"event": "solution", "exercise": f"x{{i}}"}} for i in range(100_000)]}}]
start = time.monotonic()
results.deliberate_answers(events, cells)
if hasattr(results, "record_counts"):
    results.record_counts(events, ["ex6"])
else:
    results._solutions(events)
print(f"{{time.monotonic() - start:.2f}}")
"""


def test_a_cell_of_blank_lines_and_forged_records_are_parsed_in_linear_time():
    """A 20 MB cell (the largest notebook the grader reads) of blank lines, seen in 50 events,
    and 100 000 forged solution records: quadratic parsing took hours here; linear takes well
    under a second. The timeout is for a loaded machine, not a speed claim."""
    try:
        proc = subprocess.run([sys.executable, "-c",
                               _STALL.format(n=handins.MAX_NOTEBOOK_BYTES - 100)],
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("parsing one hand-in's records took more than 60 s")
    assert proc.returncode == 0, proc.stderr
    print(f"parsed in {proc.stdout.strip()} s")


# --- 3. report injection ---------------------------------------------------------------------------

INJECTED_NAMES = ["=1+1.ipynb", "@SUM(1+1).ipynb", "+1.ipynb", "-1.ipynb",
                  "\x1b]0;pwned\x07title.ipynb", "a\nb.ipynb", "tab\tcr\r.ipynb", "\u202eevil.ipynb"]


def _forged_grade():
    """A hand-in's row built from what it recorded: forged records and an error name."""
    cells = [(1, "answer = 1"), (2, 'check("ex6", answer)')]
    outcome = sandbox.Outcome()
    outcome.ended = True
    outcome.events = [
        {"type": "cell", "index": 1, "status": "error", "ename": "\x1b[2J=cmd|' /C calc'!A0",
         "records": []},
        {"type": "cell", "index": 2, "status": "ok", "records": [
            {"event": "solution", "exercise": "=cmd|' /C calc'!A0"},
            {"event": "check", "exercise": "ex6", "answer": None,
             "problem": '=HYPERLINK("http://x","y")'}]}]
    res, notes, sols = results.results_from_events(["ex6"], cells, outcome,
                                                    results.practice_verdict)
    return results.NotebookGrade("+forged.ipynb", res, notes, sols)


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def _controls(text):
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f
            or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"]


def test_student_controlled_strings_reach_the_reports_inert(tmp_path):
    import csv

    subs = tmp_path / "subs"
    subs.mkdir()
    for name in INJECTED_NAMES:
        (subs / name).write_text("{}")
    printed = []
    grades = run.grade([subs], csv_path=tmp_path / "g.csv", json_path=tmp_path / "g.json",
                       sandbox=False, echo=printed.append, ids=["ex6"])
    grades.append(_forged_grade())
    buffer = __import__("io").StringIO()
    report.write_csv(grades, ["ex6"], buffer)
    rows = list(csv.reader(__import__("io").StringIO(buffer.getvalue())))
    assert len(rows) == len(INJECTED_NAMES) + 2
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (value, row)
            assert not _controls(value) and "\n" not in value, (value, row)
    data = json.loads((tmp_path / "g.json").read_text())
    forged = json.dumps(report.to_json(grades, ["ex6"]), ensure_ascii=False)
    for text in [*_strings(data), forged]:
        assert not _controls(text), repr(text)
    table = report.summary_table(grades, ["ex6"])
    assert not _controls(table) and "\x1b" not in "\n".join(printed)
    body = [line for line in table.splitlines() if line.endswith(("unreadable notebook: not valid "
                                                                  "JSON", "no list of cells"))]
    assert len(body) == len(INJECTED_NAMES)                   # one line per hand-in


# --- 4. memory ------------------------------------------------------------------------------------

_MEMORY_PROBE = """
import ctypes, json, os
def report(**k):
    open(os.environ['MOMENTUM_EXERCISES_RECORD'], 'a').write(json.dumps(k) + '\\n')
mb = 0
for i in range(40):
    try:
        with open(f'/dev/shm/f{{i}}', 'wb') as f:
            f.write(b'x' * (32 << 20))
        mb += 32
    except OSError:
        break
report(shm_mb=mb)
try:
    open('/dev/evil', 'wb').write(b'x' * (1 << 20)); report(dev_writable=True)
except OSError:
    report(dev_writable=False)
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.restype, libc.shmat.restype = ctypes.c_int, ctypes.c_void_p
libc.shmat.argtypes, libc.shmdt.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int], [ctypes.c_void_p]
report(host_segment_visible=libc.shmget({key}, 0, 0) >= 0)
sysv = 0
for i in range(8):
    sid = libc.shmget(0, 256 << 20, 0o1600)
    addr = libc.shmat(sid, None, 0) if sid >= 0 else None
    if addr in (None, ctypes.c_void_p(-1).value):
        break
    ctypes.memset(addr, 1, 256 << 20)
    libc.shmdt(addr)
    sysv += 256
    report(sysv_mb=sysv)
"""


@pytest.mark.grading
@needs_bwrap
def test_memory_outside_the_address_space_is_capped_and_ipc_is_private():
    libc = ctypes.CDLL(None, use_errno=True)
    key = 0x4D4F4D17
    host = libc.shmget(key, 4096, 0o1600)
    try:
        found, out = _probe(_MEMORY_PROBE.format(key=key), limits={"total_memory_mb": 768})
    finally:
        if host >= 0:
            libc.shmctl(host, 0, None)   # IPC_RMID
    print(f"wrote {found.get('shm_mb')} MB to /dev/shm, touched {found.get('sysv_mb', 0)} MB "
          f"of System V memory; notes: {getattr(out, 'caps_notes', None)}")
    assert found["shm_mb"] <= sandbox.DEFAULT_LIMITS["disk_mb"], found
    assert found["dev_writable"] is False
    assert found["host_segment_visible"] is False
    assert found.get("sysv_mb", 0) <= 768, found


# --- 5. fork bomb ---------------------------------------------------------------------------------

_BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"


class _Watch(threading.Thread):
    """Samples the machine while a hand-in runs: processes, and how long a command takes."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop, self.counts, self.latencies = threading.Event(), [], []

    def run(self):
        while not self.stop.wait(0.25):
            self.counts.append(sum(p.isdigit() for p in os.listdir("/proc")))
            start = time.monotonic()
            try:
                subprocess.run(["/bin/true"], timeout=30)
                self.latencies.append(time.monotonic() - start)
            except (OSError, subprocess.SubprocessError):
                self.latencies.append(float("inf"))   # the machine could not start a command


@pytest.mark.grading
@pytest.mark.slow
@needs_bwrap
def test_a_fork_bomb_ends_with_its_own_row_and_the_machine_stays_responsive(tmp_path):
    cap = 256
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "bomb.ipynb").write_text(_notebook(
        _BOMB, "from momentum_lib.exercises import check\ncheck('ex6', 38/3)"))
    baseline = sum(p.isdigit() for p in os.listdir("/proc"))
    load_before = os.getloadavg()[0]
    watch = _Watch()
    watch.start()
    try:
        grades = run.grade([subs], csv_path=tmp_path / "g.csv", timeout=10, budget=30,
                           echo=lambda *a: None, limits={"processes": cap})
    finally:
        watch.stop.set()
        watch.join()
    extra = max(watch.counts) - baseline
    worst = max(watch.latencies)
    print(f"fork bomb: at most {extra} processes above the {baseline} before it; starting a "
          f"command took at most {worst * 1000:.0f} ms (median "
          f"{sorted(watch.latencies)[len(watch.latencies) // 2] * 1000:.0f} ms); load average "
          f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; row: {grades[0].notes}")
    assert len(grades) == 1 and grades[0].results["ex6"].status in ("timed out", "error")
    assert extra <= cap + 100, extra
    # Responsive: a command still starts at once (the median), and slow starts stay rare. One
    # slow start proves nothing on a machine that other work already loads (4.7 s seen in CI at
    # load 14 before the bomb began), so the worst case is printed, not asserted.
    assert sorted(watch.latencies)[len(watch.latencies) // 2] < 0.5, watch.latencies
    assert sum(t > 2.0 for t in watch.latencies) <= 0.1 * len(watch.latencies), watch.latencies
    time.sleep(2)
    assert sum(p.isdigit() for p in os.listdir("/proc")) - baseline < 50


# --- 6. the teacher's files out of the sandbox's sight ---------------------------------------------------

def test_a_secret_or_roster_inside_what_every_sandbox_mounts_is_refused(handout, tmp_path):
    base, _ = handout
    inside = Path(sys.prefix) / f"teacher-{os.getpid()}.secret"
    shutil.copy(base / "teacher.secret", inside)
    (tmp_path / "subs").mkdir()
    try:
        proc = subprocess.run([*GRADER, "grade", str(tmp_path / "subs"), "--roster",
                               str(base / "roster.csv"), "--secret", str(inside), "--csv",
                               str(tmp_path / "g.csv")], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)
    finally:
        inside.unlink()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "every sandbox can read" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "g.csv").exists()


# --- 7. teacher mistakes ------------------------------------------------------------------------

def test_a_wrong_secret_is_said_once_before_anything_runs(handout, tmp_path):
    base, made = handout
    subs = tmp_path / "subs"
    for s in ("s01", "s02"):
        (subs / s).mkdir(parents=True)
        shutil.copy(made[s], subs / s / made[s].name)
    variants.new_secret(tmp_path / "other.secret")
    proc = subprocess.run([*GRADER, "grade", str(subs), "--roster", str(base / "roster.csv"),
                           "--secret", str(tmp_path / "other.secret"), "--csv",
                           str(tmp_path / "g.csv")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout
    assert "secret" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "altered" not in proc.stdout + proc.stderr


def test_a_missing_roster_is_one_line(tmp_path):
    variants.new_secret(tmp_path / "t.secret")
    proc = subprocess.run([*GRADER, "grade", str(tmp_path), "--roster", str(tmp_path / "no.csv"),
                           "--secret", str(tmp_path / "t.secret")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2 and "no.csv" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_notebook_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + (SAMPLES / "all_correct.ipynb").read_bytes())
    hand_in, refused = handins.read_hand_in(path)
    assert refused is None and len(hand_in.code_cells) > 20
    assert not hand_in.data.startswith(b"\xef\xbb\xbf")       # what the sandbox gets nbformat reads
    nbformat.reads(hand_in.data.decode("utf-8"), as_version=4)


_HANG = "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', 'import time; " \
        "time.sleep(600)', '{marker}'])\ntime.sleep(600)"


def _marked(marker):
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{p}/cmdline").read_bytes():
                    found.append(int(p))
            except OSError:
                pass
    return found


@pytest.mark.grading
@needs_bwrap
def test_ctrl_c_stops_a_two_job_run_within_seconds_and_keeps_the_reports(tmp_path):
    marker = f"CTRL_C_MARKER_{os.getpid()}"
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        (subs / name).write_text(_notebook(_HANG.format(marker=marker)))
    proc = subprocess.Popen([*GRADER, "grade", str(subs), "--jobs", "2", "--timeout", "600",
                             "--budget", "600", "--csv", str(tmp_path / "g.csv")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while len(_marked(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(_marked(marker)) == 2, "both hand-ins should be running"
        start = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("Ctrl-C did not stop the run within 60 s")
        stopped = time.monotonic() - start
        print(f"Ctrl-C to exit: {stopped:.1f} s")
        assert stopped < 15 and proc.returncode == 130, (stopped, proc.returncode)
        time.sleep(1)
        assert _marked(marker) == []
        rows = (tmp_path / "g.csv").read_text().splitlines()
        assert rows[0].startswith("file,student,score")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in _marked(marker):
            os.kill(pid, signal.SIGKILL)


# --- the sandbox's walls: files, processes, the channel back, floods -------------------------------

MARKER = "HOSTILE_MARKER_7f3a"
IDS = [f"ex{i}" for i in range(1, 13)]   # the exercises the sample hand-ins answer


def _detached_code(results):
    return f"import time; time.sleep(6); open({str(results)!r}, 'w').write('pwned')"


def _attacks(sub, secret, results, outside):
    return _notebook(
        "import os, glob, subprocess, sys\nfrom momentum_lib.exercises import check",
        # write outside its folder, and into the submissions folder
        f"for p in [{str(outside / 'pwned')!r}, {str(sub / 'pwned')!r}, '/tmp/{MARKER}']:\n"
        "    try:\n        open(p, 'w').write('x')\n    except Exception:\n        pass",
        # read the grader's command line through /proc
        "seen = []\nfor p in os.listdir('/proc'):\n    try:\n"
        "        seen.append(open(f'/proc/{p}/cmdline', 'rb').read())\n    except Exception:\n"
        "        pass\nleak = any(b'pytest' in s or b'grades' in s for s in seen)\n"
        "check('ex3', 'a' if leak else 'c')",
        # read a secret file
        f"try:\n    open({str(secret)!r}).read(); got = True\nexcept Exception:\n    got = False\n"
        "check('ex4', 'a' if got else 'd')",
        # see / rewrite a later student's notebook
        f"try:\n    open({str(sub / 'z_victim.ipynb')!r}, 'w').write('{{}}'); wrote = True\n"
        "except Exception:\n    wrote = False\n"
        f"check('ex5', 'b' if wrote or os.path.exists({str(sub)!r}) else 'a')",
        # append to every answer record it can find (the next students' included)
        "for p in glob.glob('/tmp/**/*.jsonl', recursive=True) + glob.glob('/home/**/*.jsonl', recursive=True):\n"
        "    try:\n        open(p, 'a').write(json.dumps({'event': 'check', 'exercise': 'ex1', "
        "'answer': [9, 9]}) + '\\n')\n    except Exception:\n        pass\nimport json",
        # a detached process that rewrites the results after the grader exits
        f"code = {_detached_code(results)!r}\n"
        f"subprocess.Popen([sys.executable, '-c', code, '{MARKER}'], start_new_session=True,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        os.execv(sys.executable, [sys.executable, '-c', code, '{MARKER}'])\n    os._exit(0)",
        # damage its own record file: non-UTF-8 bytes, then a directory in its place
        "rec = os.environ['MOMENTUM_EXERCISES_RECORD']\nopen(rec, 'ab').write(b'\\xff\\xfe\\n')\n"
        "check('ex7', 0.6049382716049383)",
        "os.remove(rec); os.mkdir(rec)\ncheck('ex8', 0.0025)",
        # network
        "import socket\ns = socket.socket(); s.settimeout(3)\ntry:\n    s.connect(('1.1.1.1', 80)); net = True\n"
        "except Exception:\n    net = False\nprint(net)",
    )


@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    if not sandbox.self_test()[0]:
        pytest.skip("bubblewrap cannot run here")
    Path(f"/tmp/{MARKER}").unlink(missing_ok=True)
    base = tmp_path_factory.mktemp("hostile")
    sub, out, outside = base / "submissions", base / "out", base / "outside"
    for d in (sub, out, outside):
        d.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("the teacher's secret")
    results = out / "grades.csv"
    (sub / "a_attacks.ipynb").write_text(_attacks(sub, secret, results, outside))
    (sub / "b_flood_output.ipynb").write_text(_notebook(
        "print('x' * 300_000_000)", "from momentum_lib.exercises import check\ncheck('ex6', 38/3)"))
    (sub / "c_flood_record.ipynb").write_text(_notebook(
        "import os\nwith open(os.environ['MOMENTUM_EXERCISES_RECORD'], 'a') as f:\n"
        "    for _ in range(400):\n        f.write('x' * 1_000_000)",
        "from momentum_lib.exercises import check\ncheck('ex12', 13.51)"))
    with open(sub / "d_huge.ipynb", "wb") as f:
        f.truncate(150 * 1024 * 1024)      # 150 MB
    os.mkfifo(sub / "e_fifo.ipynb")
    (sub / "f_folder.ipynb").mkdir()
    (sub / "g_number_source.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": 42, "metadata": {}, "outputs": []},
        {"cell_type": "code", "source": ["from momentum_lib.exercises import check\n",
                                         "check('ex7', 0.6049382716049383)"],
         "metadata": {}, "outputs": []}]}))
    with open(os.path.join(os.fsencode(sub), b"h_caf\xe9.ipynb"), "wb") as f:
        f.write(b"{not json")
    (sub / "SHOUT.IPYNB").write_text("{}")
    shutil.copy(SAMPLES / "all_correct.ipynb", sub / "z_victim.ipynb")
    before = _snapshot(base, exclude=out)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    printed = []
    start = time.monotonic()
    grades = run.grade([sub], csv_path=results, json_path=out / "grades.json", timeout=60,
                           budget=400, echo=printed.append)
    seconds = time.monotonic() - start
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    csv_text = results.read_text(encoding="utf-8")
    time.sleep(10)   # the detached processes would have acted by now
    return dict(base=base, sub=sub, out=out, outside=outside, grades={g.path: g for g in grades},
                before=before, after=_snapshot(base, exclude=out), csv=csv_text,
                csv_later=results.read_text(encoding="utf-8"), rss_growth_mb=rss_growth_mb,
                seconds=seconds, printed="\n".join(printed))


def _snapshot(base, exclude):
    out = {}
    for dirpath, dirnames, filenames in os.walk(base):
        if Path(dirpath) == exclude:
            continue
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if Path(p) == exclude:
                continue
            st = os.lstat(p)
            out[p] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


@pytest.mark.grading
@pytest.mark.slow
def test_the_honest_student_after_the_attackers_is_untouched(class_run):
    victim = class_run["grades"]["z_victim.ipynb"]
    assert victim.score == 12 and all(victim.results[x].status == "correct" for x in IDS)
    assert {r.status for x, r in victim.results.items() if x not in IDS} == {"no check cell"}
    assert not victim.notes


@pytest.mark.grading
@pytest.mark.slow
def test_nothing_outside_the_sandboxes_was_written_or_read(class_run):
    assert class_run["before"] == class_run["after"]
    assert not (class_run["outside"] / "pwned").exists() and not (class_run["sub"] / "pwned").exists()
    assert not Path(f"/tmp/{MARKER}").exists()
    attacker = class_run["grades"]["a_attacks.ipynb"]
    # correct = "could not": see the grader's command line, read the secret, see the submissions
    assert [attacker.results[x].status for x in ("ex3", "ex4", "ex5")] == ["correct"] * 3


@pytest.mark.grading
@pytest.mark.slow
def test_the_results_file_is_intact_after_the_grader_returned(class_run):
    assert class_run["csv"] == class_run["csv_later"] and "pwned" not in class_run["csv_later"]


@pytest.mark.grading
@pytest.mark.slow
def test_no_process_of_a_hand_in_survives(class_run):
    assert _marked(MARKER) == []


@pytest.mark.grading
@pytest.mark.slow
def test_a_damaged_record_file_costs_only_its_own_answers(class_run):
    attacker = class_run["grades"]["a_attacks.ipynb"]
    assert attacker.results["ex7"].status == "correct"       # recorded before the damage
    assert attacker.results["ex8"].status == "not answered"  # the record became a folder
    assert attacker.results["ex1"].status == "no check cell"
    assert not any("error in cell" in n for n in attacker.notes), attacker.notes


@pytest.mark.grading
@pytest.mark.slow
def test_floods_are_contained_and_the_grader_stays_small(class_run):
    g = class_run["grades"]
    assert class_run["rss_growth_mb"] < 300
    assert g["c_flood_record.ipynb"].results["ex12"].status in ("correct", "error", "not answered")
    assert g["b_flood_output.ipynb"].results["ex6"].status in ("correct", "error", "not answered")


@pytest.mark.grading
@pytest.mark.slow
def test_broken_files_get_a_row_with_a_reason(class_run):
    g = class_run["grades"]
    assert "larger than" in g["d_huge.ipynb"].notes[0]
    assert "named pipe" in g["e_fifo.ipynb"].notes[0]
    assert "a folder" in g["f_folder.ipynb"].notes[0]
    assert "source is int" in g["g_number_source.ipynb"].notes[0]
    assert g["g_number_source.ipynb"].results["ex7"].status == "correct"
    assert g["h_caf\ufffd.ipynb"].results["ex1"].status == "unreadable"
    assert g["SHOUT.IPYNB"].results["ex1"].status == "unreadable"
    print(class_run["printed"])
    print(f"hostile class of {len(g)} graded in {class_run['seconds']:.0f} s")


@pytest.mark.grading
@pytest.mark.slow
def test_without_the_sandbox_the_same_attacks_succeed_so_this_suite_can_fail(tmp_path):
    sub, outside = tmp_path / "submissions", tmp_path / "outside"
    sub.mkdir()
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("s")
    decoy = tmp_path / "decoy.csv"
    decoy.write_text("ok")
    (sub / "a_attacks.ipynb").write_text(_attacks(sub, secret, decoy, outside))
    shutil.copy(SAMPLES / "all_correct.ipynb", sub / "z_victim.ipynb")
    grades = run.grade([sub / "a_attacks.ipynb"], csv_path=None, sandbox=False, timeout=60,
                           budget=400, echo=lambda *a: None)
    attacker = grades[0]
    assert (outside / "pwned").exists() and (sub / "pwned").exists()
    assert attacker.results["ex4"].status == "wrong"        # it read the secret
    assert attacker.results["ex5"].status == "wrong"        # it saw / rewrote the victim
    assert (sub / "z_victim.ipynb").read_text() == "{}"
    time.sleep(9)
    assert decoy.read_text() == "pwned"                     # the detached process survived
    Path(f"/tmp/{MARKER}").unlink(missing_ok=True)
