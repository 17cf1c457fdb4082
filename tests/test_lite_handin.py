"""A graded variant worked in the static edition and handed in, end to end.

The teacher makes a personal variant for one roster student (a test secret); the student
opens the JupyterLite site (`make lite`, served from 127.0.0.1) in Chromium, makes a folder,
uploads the notebook through the file browser, runs it, types answers into the answer
cells and runs their checks, saves, and downloads it (the file browser's Download). The downloaded
file goes under ``submissions/<id>/`` and the grader (bubblewrap sandbox) grades it: the
right answers typed are credited, the wrong one is not, the others are not answered.

Skips without Chromium/playwright, a built site or bubblewrap, unless
MOMENTUM_REQUIRE_BROWSER=1 (then the browser parts are failures).
"""

import json
import os
from pathlib import Path

import pytest

import devtools as bs
from momentum_lib.exercises import _build, catalogue
from momentum_lib.grading import graded, run, sandbox, variants

END_TO_END = [pytest.mark.browser, pytest.mark.grading, pytest.mark.slow, pytest.mark.timeout(1500),
              pytest.mark.skipif(not sandbox.self_test()[0], reason="bubblewrap cannot run here")]


def end_to_end(test):
    for mark in END_TO_END:
        test = mark(test)
    return test

STUDENT = "s07"
SITE = Path(os.environ.get("MOMENTUM_LITE_SITE", bs.REPO / "_site")).resolve()
KERNEL_TIMEOUT_MS = 300_000   # a cold Pyodide start on a loaded 2-core machine
FOLDER = "hand-in"
CELL = bs.LAB_CELL
# What the student types: three right answers (a pair, a number, a multiple choice) and one
# wrong number; every other exercise keeps `answer = None`.
RIGHT = ("ex1", "ex6", "ex3")
WRONG = "ex7"


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    base = tmp_path_factory.mktemp("teacher")
    (base / "roster.csv").write_text(f"id,name\ns01,Someone Else\n{STUDENT},Student Seven\n")
    variants.new_secret(base / "teacher.secret")
    made = variants.make_class(base / "roster.csv", base / "teacher.secret", base / "handout")
    return base, next(p for p in made if p.parent.name == STUDENT)


def typed_answers(secret):
    """{exercise id: source of the answer cell} for the student's own numbers."""
    params = variants.params_for(secret, STUDENT)
    typed = {}
    for xid in (*RIGHT, WRONG):
        ex = catalogue.entry(xid)
        if ex.kind == "choice":
            keyed = _build.read_texts(xid).keyed
            value = ex.letters[params[xid]["order"].index(keyed)]
        else:
            value = ex.answer(params[xid])
            value = tuple(map(float, value)) if isinstance(value, tuple) else float(value)
        if xid == WRONG:
            value = round(value * 3 + 7, 3)
        typed[xid] = f"answer = {value!r}"
    return typed


def upload_into_folder(page, notebook):
    """New Folder (named FOLDER), open it, Upload Files: what docs/static-edition.md says."""
    page.wait_for_selector(".jp-DirListing-item", timeout=KERNEL_TIMEOUT_MS)
    page.click('jp-button[data-command="filebrowser:create-new-directory"]')
    editor = page.locator("input.jp-DirListing-editor")
    editor.wait_for(timeout=30_000)
    editor.fill(FOLDER)
    editor.press("Enter")
    page.locator(".jp-DirListing-itemText", has_text=FOLDER).dblclick()
    page.wait_for_function(
        f"() => (document.querySelector('.jp-BreadCrumbs') || {{}}).textContent?.includes('{FOLDER}')",
        timeout=30_000)
    with page.expect_file_chooser() as chooser:
        page.click('jp-button[title="Upload Files"]')
    chooser.value.set_files(str(notebook))
    item = page.locator(".jp-DirListing-itemText", has_text=notebook.name)
    item.wait_for(timeout=60_000)
    item.dblclick()


def answer(page, cells, xid, source):
    """Replace the exercise's answer cell with ``source``, run it and its check cell; return
    what the check printed."""
    _, answer_id, check_id = catalogue.entry(xid).cell_ids()
    index = [c.get("id") for c in cells].index(answer_id)
    assert cells[index + 1].get("id") == check_id, f"{xid}: the check cell does not follow"
    cell = page.locator(CELL).nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Shift+Enter")
    check = page.locator(CELL).nth(index + 1)
    before = check.locator(".jp-InputPrompt").inner_text()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([sel, i, before]) => {
             const cell = document.querySelectorAll(sel)[i];
             const p = cell.querySelector('.jp-InputPrompt').textContent;
             return p !== before && !p.includes('*') && cell.querySelector('.jp-OutputArea-output');
           }""", arg=[CELL, index + 1, before], timeout=120_000)
    return " ".join(check.locator(".jp-OutputArea-output").first.inner_text().split())


def as_saved_by_jupyterlab(value):
    """A JSON value after a JavaScript round trip (JSON.parse, JSON.stringify): 4.0 -> 4."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: as_saved_by_jupyterlab(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_saved_by_jupyterlab(v) for v in value]
    return value


def test_a_variant_saved_by_jupyterlab_still_verifies(tmp_path):
    """A variant with a whole-number float among its numbers (a step size of 1.0): the front
    end writes it back as an int, and the tag must still verify. Such a variant is drawn with
    one of the first secrets tried (most variants have one; not every secret gives s07 one)."""
    (tmp_path / "roster.csv").write_text(f"id,name\n{STUDENT},Student Seven\n")
    for attempt in range(40):
        secret = tmp_path / f"teacher{attempt}.secret"
        variants.new_secret(secret)
        made = variants.make_class(tmp_path / "roster.csv", secret, tmp_path / f"handout{attempt}")
        meta = json.loads(made[0].read_text())["metadata"][variants.METADATA_KEY]
        saved = as_saved_by_jupyterlab(meta)
        if json.dumps(saved) != json.dumps(meta):
            break
    else:
        pytest.fail("40 secrets gave no variant with a whole-number float")
    grader = graded.Grader.from_files(tmp_path / "roster.csv", secret)
    assert grader._verifies(saved) and grader._verifies(meta)


@end_to_end
def test_a_variant_worked_in_jupyterlite_is_graded_like_any_other(teacher, playwright_browser,
                                                                   tmp_path):
    base, handout = teacher
    site = SITE
    if not (site / "jupyter-lite.json").exists():
        bs.unavailable(f"no JupyterLite site in {site}: build it with `make lite`")
    secret = variants.read_secret(base / "teacher.secret")
    typed = typed_answers(secret)
    cells = json.loads(handout.read_text())["cells"]
    server = bs.start_static(site, tmp_path)
    context = playwright_browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page_errors = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    submissions = tmp_path / "submissions"
    try:
        page.goto(server.url("/lab/index.html"))
        upload_into_folder(page, handout)
        page.wait_for_selector(CELL, timeout=KERNEL_TIMEOUT_MS)
        bs.wait_kernel_idle(page, timeout_ms=KERNEL_TIMEOUT_MS)
        bs.lab_run_all(page, timeout_ms=KERNEL_TIMEOUT_MS)
        not_run, errors, _ = bs.lab_run_all_outcome(page, handout, timeout_ms=120_000)
        assert not errors and not not_run, (errors, not_run)
        shown = {xid: answer(page, cells, xid, source) for xid, source in typed.items()}
        for xid, text in shown.items():
            assert f"{xid}: recorded" in text and "Traceback" not in text, (xid, text)
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=60_000)
        # JupyterLite 0.6 has no File → Download: the file browser's context menu has it.
        page.locator(".jp-DirListing-itemText", has_text=handout.name).click(button="right")
        with page.expect_download(timeout=60_000) as download:
            page.click('.lm-Menu-item[data-command="filebrowser:download"]')
        (submissions / STUDENT).mkdir(parents=True)
        saved = submissions / STUDENT / download.value.suggested_filename
        download.value.save_as(saved)
        assert not page_errors, page_errors
    finally:
        context.close()
        server.stop()

    handed_in = json.loads(saved.read_text())
    assert handed_in["metadata"][variants.METADATA_KEY] == \
        json.loads(handout.read_text())["metadata"][variants.METADATA_KEY]
    grader = graded.Grader.from_files(base / "roster.csv", base / "teacher.secret")
    [row] = run.grade([submissions], csv_path=tmp_path / "grades.csv", timeout=120, budget=900,
                      grader=grader, echo=lambda *a: None)
    statuses = {xid: r.status for xid, r in row.results.items()}
    assert row.student == STUDENT and not row.notes, (row.student, row.notes)
    assert {x: statuses[x] for x in RIGHT} == {x: "correct" for x in RIGHT}, row.results
    assert statuses[WRONG] == "wrong", row.results[WRONG]
    others = {x: s for x, s in statuses.items() if x not in typed}
    assert set(others.values()) == {"not answered"}, others
    assert row.score == len(RIGHT)
