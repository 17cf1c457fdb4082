"""The accessibility audit: axe-core run in a real page, its findings sorted by whose they are.

axe-core comes from the PyPI package ``axe-playwright-python`` (requirements-dev.in), which
ships ``axe.min.js``; nothing is fetched at test time. :func:`audit` injects it into a page
(JupyterLab, JupyterLite or classroom mode) and returns one finding per violating element,
with the part of the page the element lies in, decided by DOM ancestry:

- ``explorer``: inside an explorer (``.momentum-explorer``: its sliders, figure, status line);
- ``output``: inside another cell output (``.jp-OutputArea-output``: figures, printed text,
  tables, widgets);
- ``markdown``: inside a rendered Markdown cell (``.jp-MarkdownOutput``);
- ``page``: the document or its body (rules such as ``html-has-lang``, ``landmark-one-main``);
- ``template``: the classroom template's own elements (``#rendered_cells`` and what it adds);
- ``editor``: a code cell's editor (JupyterLab's CodeMirror and its highlighting);
- ``other``: anything else (the application's own interface).

In JupyterLab and JupyterLite the project's content is explorer, output and markdown; the page
itself and everything else is JupyterLab's. In classroom mode the page is the project's
template, so page and template count as the project's too; what Voila draws outside them
(its spinner, its tree page) is Voila's.
"""

from collections import Counter
from functools import cache
from importlib import resources

from .gestures import install_probe, move_slider
from .page import script

# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (reported, only WCAG counted).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}
# What a finding must be for the test to count it against the project.
COUNTED_IMPACTS = ("serious", "critical")

# First match wins: an explorer is inside an output, which may be inside the template.
AREAS = [
    ("explorer", ".momentum-explorer"),
    ("output", ".jp-OutputArea-output"),
    ("markdown", ".jp-MarkdownOutput"),
    ("editor", ".jp-InputArea-editor, .cm-editor, .CodeMirror"),
    ("template", "#rendered_cells"),
]
OURS = {
    "lab": {"explorer", "output", "markdown"},
    "voila": {"explorer", "output", "markdown", "page", "template"},
}
OWNER_NAMES = {"lab": "JupyterLab", "voila": "Voila"}


@cache
def axe_source():
    """axe-core's ``axe.min.js`` as ``axe-playwright-python`` ships it."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text()


def audit(page, frontend, context=None, where=""):
    """Run axe-core over ``page`` (or the elements matching the CSS selector ``context``).

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page whose content has rendered (after Run All, or a classroom page once Voila
        has revealed its cells).
    frontend : {"lab", "voila"}
        ``"lab"`` for JupyterLab and JupyterLite (the same interface), ``"voila"`` for
        classroom mode.
    context : str, optional
        A CSS selector: audit only these elements (e.g. one explorer after a move).
    where : str
        A label kept in every finding (e.g. ``"JupyterLab 01_the_problem"``).

    Returns
    -------
    list of dict
        One per violating element: rule, impact, help, target (axe's selector), area,
        owner (``"ours"`` or the frontend's name), counted (ours and serious or critical
        and a WCAG rule), html, summary, where.
    """
    if frontend not in OURS:
        raise ValueError(f"frontend must be one of {sorted(OURS)}, not {frontend!r}")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    findings = page.evaluate(script("axe_audit"), {"context": context, "tags": TAGS, "areas": AREAS})
    for f in findings:
        f["where"] = where
        f["owner"] = "ours" if f["area"] in OURS[frontend] else OWNER_NAMES[frontend]
        f["counted"] = (f["owner"] == "ours" and f["impact"] in COUNTED_IMPACTS
                        and bool(WCAG_TAGS & set(f.pop("tags"))))
        f.pop("tags", None)
    return findings


def audit_explorers(page, frontend, where=""):
    """Move each explorer's β and η sliders one key step (ArrowRight), then audit that
    explorer alone: what a move changes (figure, its text alternative, status line)."""
    found = []
    for i in range(install_probe(page)):
        page.locator(".momentum-explorer").nth(i).scroll_into_view_if_needed()
        for cls in ("explorer-beta", "explorer-lr"):
            move_slider(page, i, cls, "ArrowRight")
        page.evaluate("(i) => document.querySelectorAll('.momentum-explorer')[i]"
                      ".setAttribute('data-audit', String(i))", i)
        found += audit(page, frontend, context=f'[data-audit="{i}"]',
                       where=f"{where}, explorer {i + 1} moved")
    return found


def counted(findings):
    """The findings held against the project: its own content, serious or critical, WCAG."""
    return [f for f in findings if f["counted"]]


def tally(findings):
    """{(where, owner, rule, impact): number of elements}, for the report."""
    return Counter((f["where"], f["owner"], f["rule"], f["impact"]) for f in findings)


def describe(findings, limit=40):
    """One line per finding (up to ``limit``): where, rule, impact, area and selector."""
    lines = [f"{f['where']}: {f['rule']} ({f['impact']}) in {f['area']} at {f['target']}: "
             f"{f['help']}; {f['html'][:160]}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)
