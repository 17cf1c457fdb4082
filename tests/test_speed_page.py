"""docs/speed.md is the generator's output for the one results file it names, unedited."""

import json
from pathlib import Path

from benchmarks import speed_page

REPO = Path(__file__).resolve().parents[1]


def test_the_speed_page_is_generated_whole_from_the_results():
    run = json.loads(speed_page.RESULTS.read_text())
    assert speed_page.OUTPUT.read_text() == speed_page.page(run, "benchmarks/results/browser.json"), \
        "docs/speed.md is not what `make speed` writes from benchmarks/results/browser.json"


def test_the_page_names_the_commit_and_the_load_of_its_run(tmp_path):
    run = json.loads(speed_page.RESULTS.read_text())
    run.update(commit="0123456789ab", machine={"cores": 2, "machine": "x86_64", "python": "3.11.7"},
               load_start=[0.5, 0.6, 0.7], load_end=[1.5, 1.6, 1.7])
    text = speed_page.page(run, "browser.json")
    assert "commit `0123456789ab`" in text
    assert "0.5/0.6/0.7 (1/5/15 min) at the start, 1.5/1.6/1.7 at the end" in text
    assert "2 cores, x86_64" in text
    del run["commit"]
    assert "not recorded" in speed_page.page(run, "browser.json")
