"""The accessibility audit's own check: on a page planted with one defect of each kind, axe-core's
findings are sorted by where they sit.

The audit itself runs on every notebook in tests/test_jupyterlab.py and tests/test_classroom.py
(and the static edition's, tests/test_lite.py): after Run All, then each explorer after a
keyboard move of each of its sliders. It counts, against the project, WCAG 2.1 A/AA violations
of serious or critical impact in the project's own content (explorers, outputs, Markdown, and in
classroom mode the template and page); devtools/a11y.py says how an element's owner is decided.
Every finding, ours or JupyterLab's/Voila's, is written to test-artifacts/a11y/ and tallied at
the end of those modules, per page and rule.
"""

import pytest

from devtools import a11y

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


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
