"""docs/speed.md is the generator's output for the one results file it names, unedited.

The generator (benchmarks/speed_page.py, `make speed`) is run as a program, as `make speed` runs it.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "browser.json"
PAGE = REPO / "docs" / "speed.md"


def speed_page(results, output):
    done = subprocess.run([sys.executable, "-m", "benchmarks.speed_page", "--results", str(results),
                           "--output", str(output)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return Path(output).read_text()


def test_the_speed_page_is_generated_whole_from_the_results(tmp_path):
    assert PAGE.read_text() == speed_page(RESULTS, tmp_path / "speed.md"), \
        "docs/speed.md is not what `make speed` writes from benchmarks/results/browser.json"


def test_the_page_names_the_commit_and_the_load_of_its_run(tmp_path):
    run = json.loads(RESULTS.read_text())
    run.update(commit="0123456789ab", machine={"cores": 2, "machine": "x86_64", "python": "3.11.7"},
               load_start=[0.5, 0.6, 0.7], load_end=[1.5, 1.6, 1.7])
    (tmp_path / "named.json").write_text(json.dumps(run))
    text = speed_page(tmp_path / "named.json", tmp_path / "named.md")
    assert "commit `0123456789ab`" in text
    assert "0.5/0.6/0.7 (1/5/15 min) at the start, 1.5/1.6/1.7 at the end" in text
    assert "2 cores, x86_64" in text
    del run["commit"]
    (tmp_path / "unnamed.json").write_text(json.dumps(run))
    assert "not recorded" in speed_page(tmp_path / "unnamed.json", tmp_path / "unnamed.md")
