"""Shared pytest hooks and fixtures: one Chromium for every browser test (Playwright's sync API
allows one running instance per thread), one JupyterLab and one classroom-mode server for all
the browser tests a process runs (each started on first use), the fidelity oracle, and the
browser timings (key press → new image) recorded per front end and shown at the end of a run,
where CI logs keep them."""

import hashlib
import json
import os
import pathlib
import time

import pytest

TIMINGS = pathlib.Path(__file__).resolve().parents[1] / "test-artifacts" / "browser_timings"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    fresh = sorted(f for f in TIMINGS.glob("*.json") if f.stat().st_mtime >= _STARTED)
    if not fresh:
        return
    terminalreporter.section("key press → new image in a real browser (ms)")
    for path in fresh:
        s = json.loads(path.read_text())["summary"].get("key_to_src_ms")
        if s:
            terminalreporter.write_line(
                f"{path.stem:>10}: median {s['median']}, p95 {s['p95']} over {s['n']} moves")


@pytest.fixture(scope="session")
def playwright_browser():
    import devtools as bs

    sync_api = bs.require_browser_stack()
    with sync_api.sync_playwright() as p:
        browser = bs.launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def served_copy(tmp_path_factory):
    """The notebooks, copied: neither server can write into the working tree. Where the stored
    ``language_info`` differs from this kernel's only in the Python patch release, the copy
    takes this kernel's (said on stdout): JupyterLab marks a notebook modified on opening when
    they differ, and the patch release is checked apart (test_notebooks.py)."""
    import devtools as bs
    from momentum_lib import _notebooks

    folder = bs.copy_notebooks(tmp_path_factory.mktemp("served") / "notebooks")
    local = _notebooks.kernel_metadata()["language_info"]
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        stored = nb.get("metadata", {}).get("language_info", {})
        if stored.get("version") != local["version"] and \
                {**stored, "version": local["version"]} == local:
            print(f"{path.name}: stored with Python {stored['version']}, this kernel is {local['version']}")
            nb["metadata"]["language_info"]["version"] = local["version"]
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def oracle(served_copy, tmp_path_factory):
    """Per notebook, what its explorers hold after a headless run (no front end), and after
    each explorer's reset(): computed once per test run, on first use, from the served copy
    in an environment made as the servers' are. pytest-xdist's workers share the answers
    through files beside their temporary folders (one worker computes a notebook's while the
    others wait on its lock)."""
    import fcntl

    import devtools as bs

    run = tmp_path_factory.getbasetemp()
    shared = (run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run) / "oracle"
    shared.mkdir(exist_ok=True)
    env = bs.isolated_env(tmp_path_factory.mktemp("oracle-home"))

    def get(nb):
        name = f"{nb.stem}-{hashlib.sha1(nb.read_bytes()).hexdigest()[:12]}"
        answer = shared / f"{name}.json"
        with open(shared / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not answer.exists():
                answer.write_text(json.dumps(bs.oracle_reports(served_copy / nb.name, env=env)))
        return tuple(json.loads(answer.read_text()))
    return get


@pytest.fixture(scope="module")
def record(request):
    """Per notebook, what moving the module's explorers measured; written when the module
    ends to test-artifacts/browser_timings/<FRONTEND>.json (the module's FRONTEND)."""
    import devtools as bs

    frontend = request.module.FRONTEND
    results = {}
    yield results
    if not results:
        return
    TIMINGS.mkdir(parents=True, exist_ok=True)
    src = [t for r in results.values() for t in r.get("src_ms", [])]
    load = [t for r in results.values() for t in r.get("load_ms", [])]
    out = {"summary": {"key_to_src_ms": bs.summarise(src), "key_to_decoded_ms": bs.summarise(load)},
           "per_notebook": {nb: {"explorers": r.get("explorers", 0),
                                 "key_to_src_ms": bs.summarise(r.get("src_ms", [])),
                                 "key_to_decoded_ms": bs.summarise(r.get("load_ms", [])),
                                 "drags": r.get("drags", []), "load": r.get("load"),
                                 "warnings": r.get("warnings", []),
                                 "console": r.get("console", [])}
                            for nb, r in results.items()}}
    (TIMINGS / f"{frontend}.json").write_text(json.dumps(out, indent=2))
    drags = [d for r in results.values() for d in r.get("drags", [])]
    if drags:
        print(f"\n{frontend}: drag release → final image (ms):",
              [d["release_to_final_ms"] for d in drags], "outdated frames after release:",
              [d["outdated_after_release"] for d in drags], "load:", bs.load_average())


@pytest.fixture(scope="session")
def jupyterlab(playwright_browser, served_copy, tmp_path_factory):
    import devtools as bs

    server = bs.start_jupyterlab(served_copy.parent, tmp_path_factory.mktemp("lab-home"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def classroom(playwright_browser, served_copy, tmp_path_factory):
    import devtools as bs

    server = bs.start_present(served_copy, tmp_path_factory.mktemp("voila-home"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def a11y_findings(request):
    """Every axe-core finding of the module, ours or the application's; written when the
    module ends to test-artifacts/a11y/<FRONTEND>.json and tallied per page, owner and rule."""
    from devtools import a11y

    found = []
    yield found
    if not found:
        return
    out = TIMINGS.parent / "a11y"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{request.module.FRONTEND}.json").write_text(json.dumps(found, indent=1))
    print("\naxe-core findings (elements) per page, owner, rule and impact:")
    for (where, owner, rule, impact), n in sorted(a11y.tally(found).items()):
        print(f"  {where:<40} {owner:<10} {rule:<28} {impact:<9} {n}")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Test files with browser, grading or slow tests first, each file's tests in their own
    order: pytest-xdist hands files to its workers in this order (`--dist loadfile`), and a
    long file handed out last would finish alone after the others."""
    heavy = {item.path for item in items
             if any(item.get_closest_marker(m) for m in ("browser", "grading", "slow"))}
    items.sort(key=lambda item: item.path not in heavy)
