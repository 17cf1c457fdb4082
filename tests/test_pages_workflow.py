"""The GitHub Pages workflow publishes the static edition only after its browser test passed."""

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # not in the browser-versions environment

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "lite-pages.yml"


def test_the_site_is_tested_in_chromium_before_it_is_uploaded_and_deployed():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    steps = jobs["build"]["steps"]

    def position(predicate, what):
        found = [i for i, s in enumerate(steps) if predicate(s)]
        assert found, f"no step that {what}"
        return found[0]

    build = position(lambda s: "make lite" in s.get("run", ""), "builds the site")
    test = position(lambda s: "tests/test_lite.py" in s.get("run", ""), "runs the Lite test")
    upload = position(lambda s: s.get("uses", "").startswith("actions/upload-pages-artifact"),
                      "uploads the site")
    assert build < test < upload
    assert steps[test].get("env", {}).get("MOMENTUM_REQUIRE_BROWSER") == "1", \
        "without Chromium the test would skip, and an untested site would be published"
    assert "chromium" in " ".join(s.get("run", "") for s in steps[:test])
    assert jobs["deploy"]["needs"] == "build"
