"""What a screen reader and a keyboard get from an explorer, beyond what ipywidgets sets.

ipywidgets 8 renders a slider's handle as noUiSlider's ``role="slider"`` element, which
moves with the arrow keys, Home/End and Page Up/Down (five stops), but it leaves the handle
without an accessible name (the visible ``<label>`` is not tied to it) and, for a
``SelectionSlider``, announces the stop's *index* ("90") instead of its value ("0.90").
An ``Image`` widget has no ``alt`` (and setting its ``tooltip`` breaks its view in ipywidgets
8.1: the base view reads the ``description`` an ``Image`` lacks), and an ``HTML`` widget
cannot be a live region. None of
these attributes can be set from the kernel, so each explorer carries a few lines of
JavaScript in its own stylesheet widget (an ``HTML`` widget, whose content ipywidgets
inserts as HTML): an ``<img>`` whose ``onerror`` runs :data:`SCRIPT` on the explorer's
box. It needs no front-end extension, so it runs wherever the widgets do (JupyterLab,
Notebook 7, Voila, JupyterLite), and it only ever sets attributes:

- each slider's handle: ``aria-label`` from its label ("momentum β") and ``aria-valuetext``
  from its readout ("0.90"); the readout leaves the Tab order (the handle says its value);
- each drop-down and text box: ``aria-label`` from its label;
- the reset button's icon is hidden from screen readers (its glyph is a private-use
  character that would otherwise be read as part of the button's name);
- the moves image (``img.explorer-moves``): ``alt`` from the text the kernel puts in the
  hidden ``.explorer-alt`` on every frame (``Explorer.describe``), which is then hidden
  from screen readers too (the image says it); the images under it are marked decorative
  (``alt=""``);
- the visible status line is hidden from screen readers, and the visually hidden copy the
  kernel fills once a move has settled (``.explorer-live``) is a polite live region
  (``role="status"``), so a drag is announced once, at its end.

A ``MutationObserver`` on the box re-applies these as widgets render and values change; it
writes an attribute only when its value differs, so it never feeds itself.
"""

import html

# One function of the explorer's box, installed on ``window`` once per page.
SCRIPT = r"""
(function (img) {
  var A = window.momentumExplorerAccess;
  if (!A) {
    A = window.momentumExplorerAccess = {};
    A.set = function (el, name, value) {
      if (el.getAttribute(name) !== value) el.setAttribute(name, value);
    };
    A.fix = function (box) {
      box.querySelectorAll('.widget-slider, .widget-dropdown, .widget-text').forEach(function (w) {
        var label = w.querySelector('.widget-label');
        var name = label ? label.textContent.trim() : '';
        var handle = w.querySelector('.noUi-handle');
        var readout = w.querySelector('.widget-readout');
        if (handle && name) A.set(handle, 'aria-label', name);
        if (handle && readout) A.set(handle, 'aria-valuetext', readout.textContent.trim());
        if (readout) { A.set(readout, 'tabindex', '-1'); A.set(readout, 'aria-hidden', 'true'); }
        var field = w.querySelector('select, input');
        if (field && name) A.set(field, 'aria-label', name);
      });
      box.querySelectorAll('button i').forEach(function (icon) { A.set(icon, 'aria-hidden', 'true'); });
      var alt = box.querySelector('.explorer-alt');
      if (alt) A.set(alt, 'aria-hidden', 'true');
      box.querySelectorAll('.explorer-figure img').forEach(function (im) {
        var moves = im.classList.contains('explorer-moves');
        A.set(im, 'alt', moves && alt ? alt.textContent.trim() : '');
      });
      box.querySelectorAll('.explorer-status').forEach(function (s) {
        A.set(s, 'aria-hidden', 'true');
      });
      box.querySelectorAll('.explorer-live').forEach(function (s) {
        A.set(s, 'role', 'status'); A.set(s, 'aria-live', 'polite'); A.set(s, 'aria-atomic', 'true');
      });
    };
    A.watch = function (start, tries) {
      var box = start.closest('.momentum-explorer');
      if (!box) {
        if (tries > 0) setTimeout(function () { A.watch(start, tries - 1); }, 50);
        return;
      }
      if (box.dataset.access) return;
      box.dataset.access = 'on';
      A.fix(box);
      new MutationObserver(function () { A.fix(box); }).observe(box, {
        subtree: true, childList: true, characterData: true, attributes: true,
        attributeFilter: ['aria-valuetext']});
    };
  }
  A.watch(img, 200);
})(this)
"""


def script_tag():
    """The hidden ``<img>`` that runs :data:`SCRIPT` once it fails to load (``data:,`` is no
    image), for the stylesheet widget of an explorer."""
    code = " ".join(line.strip() for line in SCRIPT.strip().splitlines())
    return f'<img src="data:," alt="" hidden onerror="{html.escape(code, quote=True)}">'
