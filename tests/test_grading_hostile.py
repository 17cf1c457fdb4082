"""Hostile hand-ins: each attack class of issue 11, graded in one class run before an
honest student. Asserted: the honest row is unchanged (12/16: the sample predates
ex13–ex16, which it has no check cell for), nothing outside the
sandboxes is written, the results files are intact (also after a detached process
had time to act), no process of a hand-in survives, and the grader's memory stays
small. The attacker encodes what it could see into its own answers: a correct
answer means "could not see it".
"""

import json
import os
import resource
import shutil
import time
from pathlib import Path

import pytest

from momentum_lib.exercises import grading, sandbox

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "sample_submissions"
MARKER = "HOSTILE_MARKER_7f3a"
IDS = [f"ex{i}" for i in range(1, 13)]   # the exercises the sample hand-ins answer

pytestmark = pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")


def _notebook(*sources):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [], "execution_count": None,
         "source": s} for i, s in enumerate(sources)]})


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
    grades = grading.grade([sub], csv_path=results, json_path=out / "grades.json", timeout=60,
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


def test_the_honest_student_after_the_attackers_is_untouched(class_run):
    victim = class_run["grades"]["z_victim.ipynb"]
    assert victim.score == 12 and all(victim.results[x].status == "correct" for x in IDS)
    assert {r.status for x, r in victim.results.items() if x not in IDS} == {"no check cell"}
    assert not victim.notes


def test_nothing_outside_the_sandboxes_was_written_or_read(class_run):
    assert class_run["before"] == class_run["after"]
    assert not (class_run["outside"] / "pwned").exists() and not (class_run["sub"] / "pwned").exists()
    assert not Path(f"/tmp/{MARKER}").exists()
    attacker = class_run["grades"]["a_attacks.ipynb"]
    # correct = "could not": see the grader's command line, read the secret, see the submissions
    assert [attacker.results[x].status for x in ("ex3", "ex4", "ex5")] == ["correct"] * 3


def test_the_results_file_is_intact_after_the_grader_returned(class_run):
    assert class_run["csv"] == class_run["csv_later"] and "pwned" not in class_run["csv_later"]


def test_no_process_of_a_hand_in_survives(class_run):
    alive = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if MARKER.encode() in Path(f"/proc/{p}/cmdline").read_bytes():
                    alive.append(p)
            except OSError:
                pass
    assert alive == []


def test_a_damaged_record_file_costs_only_its_own_answers(class_run):
    attacker = class_run["grades"]["a_attacks.ipynb"]
    assert attacker.results["ex7"].status == "correct"       # recorded before the damage
    assert attacker.results["ex8"].status == "not answered"  # the record became a folder
    assert attacker.results["ex1"].status == "no check cell"
    assert not any("error in cell" in n for n in attacker.notes), attacker.notes


def test_floods_are_contained_and_the_grader_stays_small(class_run):
    g = class_run["grades"]
    assert class_run["rss_growth_mb"] < 300
    assert g["c_flood_record.ipynb"].results["ex12"].status in ("correct", "error", "not answered")
    assert g["b_flood_output.ipynb"].results["ex6"].status in ("correct", "error", "not answered")


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
    grades = grading.grade([sub / "a_attacks.ipynb"], csv_path=None, sandbox=False, timeout=60,
                           budget=400, echo=lambda *a: None)
    attacker = grades[0]
    assert (outside / "pwned").exists() and (sub / "pwned").exists()
    assert attacker.results["ex4"].status == "wrong"        # it read the secret
    assert attacker.results["ex5"].status == "wrong"        # it saw / rewrote the victim
    assert (sub / "z_victim.ipynb").read_text() == "{}"
    time.sleep(9)
    assert decoy.read_text() == "pwned"                     # the detached process survived
    Path(f"/tmp/{MARKER}").unlink(missing_ok=True)
