"""The accessibility audit: axe-core over every notebook, in JupyterLab and in classroom mode.

Each notebook is audited after Run All (the whole page), then each explorer again after a
keyboard move of each of its sliders (that explorer only: what a move changes). The test
counts, against the project, WCAG 2.1 A/AA violations of serious or critical impact in the
project's own content (explorers, outputs, Markdown, and in classroom mode the template and
page); devtools/a11y.py says how an element's owner is decided. Every finding, ours or
JupyterLab's/Voila's, is written to test-artifacts/a11y.json and tallied at the end of the
module, per page and rule.

The session's JupyterLab and classroom servers (tests/conftest.py), one browser, one page at a
time.
"""

import json

import pytest

import devtools as bs
from devtools import a11y

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOKS = bs.notebook_paths()
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def findings():
    """Every finding of the module; tallied per page, owner and rule when it ends."""
    found = []
    yield found
    if not found:
        return
    bs.ARTIFACTS.mkdir(exist_ok=True)
    (bs.ARTIFACTS / "a11y.json").write_text(json.dumps(found, indent=1))
    print("\naxe-core findings (elements) per page, owner, rule and impact:")
    for (where, owner, rule, impact), n in sorted(a11y.tally(found).items()):
        print(f"  {where:<40} {owner:<10} {rule:<28} {impact:<9} {n}")


def check(found, where):
    ours = a11y.counted(found)
    assert not ours, (f"{where}: {len(ours)} serious/critical WCAG violations in the project's "
                      f"own content:\n{a11y.describe(ours)}")


PAGE = """<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>
<div class="jp-Toolbar"><button></button></div>
<div class="jp-OutputArea-output"><img src="data:image/png;base64,iVBORw0KGgo="></div>
<div class="jp-OutputArea-output"><div class="momentum-explorer">
  <div role="slider" tabindex="0" aria-valuenow="1" aria-valuemin="0" aria-valuemax="2"></div>
</div></div>
<div class="jp-MarkdownOutput"><p style="color:#bbb">faint text</p></div>
</main></body></html>"""


@pytest.mark.parametrize("frontend, owner", [("lab", "JupyterLab"), ("voila", "Voila")])
def test_findings_are_sorted_by_where_they_sit(playwright_browser, frontend, owner):
    """Ours: the unnamed image in an output, the unnamed slider in an explorer, the faint
    Markdown text; the application's: the unnamed toolbar button."""
    page = playwright_browser.new_page()
    try:
        page.set_content(PAGE)
        found = {(f["rule"], f["area"], f["owner"], f["counted"]) for f in a11y.audit(page, frontend)}
    finally:
        page.close()
    assert found == {("button-name", "other", owner, False),
                     ("image-alt", "output", "ours", True),
                     ("aria-input-field-name", "explorer", "ours", True),
                     ("color-contrast", "markdown", "ours", True)}


FRONTENDS = {"lab": ("JupyterLab", "jupyterlab", bs.open_in_jupyterlab),
             "voila": ("classroom", "classroom", bs.open_in_classroom)}


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_axe(nb, frontend, playwright_browser, findings, request):
    label, fixture, open_notebook = FRONTENDS[frontend]
    server = request.getfixturevalue(fixture)
    page = playwright_browser.new_page(viewport=VIEWPORT)
    where = f"{label} {nb.stem}"
    try:
        open_notebook(page, server, nb)
        found = a11y.audit(page, frontend, where=where)
        found += a11y.audit_explorers(page, frontend, where)
        findings += found
        check(found, where)
    finally:
        page.close()
        if frontend == "lab":
            bs.close_lab_sessions(server)


def test_classroom_index_lists_the_notebooks_only(playwright_browser, classroom, findings):
    """Voila's file listing (its tree page) shows the notebooks and nothing else. The page
    frame is the classroom template's (page.html), so counted; the listing is Voila's own
    (a JupyterLab file browser), so reported only."""
    page = playwright_browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(classroom.url("/"))
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-DirListing-item').length >= n",
            arg=len(NOTEBOOKS), timeout=60_000)
        found = a11y.audit(page, "voila", where="classroom index")
        findings += found
        listed = [t.strip() for t in page.locator(".jp-DirListing-itemText").all_inner_texts()]
        assert listed == [p.name for p in NOTEBOOKS], f"the classroom index lists {listed}"
        check(found, "classroom index")
    finally:
        page.close()
