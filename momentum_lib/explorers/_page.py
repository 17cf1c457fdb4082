"""What an explorer looks like on the page: its widgets, their CSS classes and their type size.

The explorer is a ``VBox`` (CSS class ``momentum-explorer`` and ``explorer-<name>``) of
separate widgets: its stylesheet (with the page script of :mod:`._access`), the controls with
the reset button, the figure (a ``GridBox`` whose images share one grid cell, see
:mod:`._frames`) with any side panels, the figure's hidden text alternative, the status line
(an ``HTML`` widget) and its hidden copy for screen readers. Nothing beyond ipywidgets core is
needed, so an explorer works in JupyterLab, Notebook 7, VS Code, Voila and JupyterLite.
"""

import html
import re

import ipywidgets as widgets

from . import _access

# Scoped to explorers, and needing no front-end extension (a <style> in an HTML widget):
# - slider labels, readouts, text boxes and the reset button in the page's widget type size
#   (--jp-widgets-font-size: 13 px in JupyterLab, larger in classroom mode), never a fixed
#   inline size that a classroom stylesheet cannot reach;
# - a fluid layout: the figure is --explorer-figure-width wide (by default its natural
#   width: see figure_box; a classroom stylesheet sets it to 100% to use the column) and
#   never wider than the column; a slider's track is at least --explorer-track (300 px) where the
#   column has room, and the controls wrap onto more rows where it has not;
# - a visible focus ring on every control (keyboard users must see where they are);
# - .explorer-live (the status line's copy for screen readers) and .explorer-alt (the
#   figure's text alternative), hidden from view.
STYLE_CSS = ("<style>.momentum-explorer{--explorer-font-size:max(15px,"
             "var(--jp-widgets-font-size,13px));--explorer-track:300px;"
             "--explorer-focus:var(--jp-brand-color1,#1565c0);}"
             ".momentum-explorer .widget-label, .momentum-explorer .widget-readout,"
             ".momentum-explorer .widget-text input, .momentum-explorer button,"
             ".momentum-explorer .widget-label-basic"
             "{font-size:var(--explorer-font-size);}"
             # (the live region's copy in the same size: hidden, but a copy in all)
             ".momentum-explorer .explorer-status, .momentum-explorer .explorer-live"
             "{font-size:calc(var(--explorer-font-size) + 1px);"
             "line-height:1.4;}"
             ".momentum-explorer .widget-readout{min-width:4.5em;}"
             ".momentum-explorer .explorer-controls, .momentum-explorer .explorer-row"
             "{flex-wrap:wrap;max-width:100%;}"
             ".momentum-explorer .widget-slider, .momentum-explorer .widget-text,"
             ".momentum-explorer .widget-dropdown"
             "{font-size:var(--explorer-font-size);width:auto!important;flex:1 1 auto;"
             "min-width:min(22.7em,100%);max-width:100%;}"
             ".momentum-explorer .widget-slider .slider-container"
             "{flex:1 1 var(--explorer-track);min-width:min(var(--explorer-track),60vw);}"
             ".momentum-explorer .noUi-handle:focus-visible, .momentum-explorer button:focus-visible,"
             ".momentum-explorer select:focus-visible, .momentum-explorer input:focus-visible"
             "{outline:3px solid var(--explorer-focus)!important;outline-offset:2px;}"
             ".momentum-explorer .explorer-live, .momentum-explorer .explorer-alt"
             "{position:absolute!important;width:1px;height:1px;"
             "margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;"
             "border:0;}</style>")


def escape(text):
    """``text`` safe inside the status line's HTML (quotes may stay)."""
    return html.escape(text, quote=False)


def status_html(inner):
    """The status line's HTML around ``inner``; its size comes from :data:`STYLE_CSS`, so
    classroom mode scales it."""
    return f'<span class="explorer-status-text">{inner}</span>'


def status_line():
    """The ``HTML`` widget under the figure that says what the figure shows, on every frame."""
    line = widgets.HTML()
    line.add_class("explorer-status")
    return line


def alt_text():
    """The figure's text alternative (CSS class ``explorer-alt``), hidden from view: the
    script of :mod:`._access` makes it the moves image's ``alt`` (an ``Image`` widget has
    none, and its ``tooltip`` breaks its view in ipywidgets 8.1)."""
    line = widgets.HTML()
    line.add_class("explorer-alt")
    return line


def live_region():
    """The status line's copy for screen readers (CSS class ``explorer-live``), hidden from
    view and filled once a move has settled: a polite live region (see :mod:`._access`)."""
    line = widgets.HTML()
    line.add_class("explorer-live")
    return line


_TAGS = re.compile(r"<br\s*/?>|<[^>]+>")


def plain_text(markup):
    """The status line's HTML as one line of plain text (a line break becomes "; ")."""
    text = _TAGS.sub(lambda m: "; " if m.group(0).startswith("<br") else "", markup)
    return " ".join(html.unescape(text).split())


def picture(fmt, css_class, shown=True):
    """An ``Image`` widget as wide as the figure (see :func:`figure_box`), in the figure's one
    grid cell."""
    image = widgets.Image(format=fmt, layout=widgets.Layout(
        width="100%", max_width="100%", height="auto", grid_area="1 / 1 / 2 / 2",
        display=None if shown else "none"))
    image.add_class(css_class)
    return image


def figure_box(images, width):
    """The ``GridBox`` (CSS class ``explorer-figure``) stacking ``images`` in one cell, the
    later ones on top: ``width`` CSS px wide, or ``--explorer-figure-width`` where a
    stylesheet sets it, and never wider than the column. It never scrolls (its images fit it),
    so it is no scrollable region that keyboard users would need to reach."""
    box = widgets.GridBox(list(images), layout=widgets.Layout(
        grid_template_columns="minmax(0, 1fr)", max_width="100%", overflow="hidden",
        width=f"var(--explorer-figure-width, {width}px)"))
    box.add_class("explorer-figure")
    return box


def reset_button(on_click):
    """The "reset" button (CSS class ``explorer-reset``)."""
    button = widgets.Button(description="reset", tooltip="back to the starting values",
                            icon="undo", layout=widgets.Layout(width="110px"))
    button.add_class("explorer-reset")
    button.on_click(lambda _button: on_click())
    return button


def explorer_box(name, controls, reset, figure, side, alt, status, live):
    """The whole explorer: ``controls`` two to a row beside ``reset`` (in this order for Tab),
    the ``figure`` with the ``side`` widgets (which wrap below it when the notebook column is
    too narrow for both) and its text alternative ``alt``, the ``status`` line and its
    ``live`` copy for screen readers."""
    sliders = list(controls)
    rows = [widgets.HBox(sliders[i:i + 2]) for i in range(0, len(sliders), 2)]
    for row in rows:
        row.add_class("explorer-row")
    top = widgets.HBox([widgets.VBox(rows), reset], layout=widgets.Layout(align_items="center"))
    top.add_class("explorer-controls")
    if side:
        figure = widgets.HBox([figure, *side], layout=widgets.Layout(flex_flow="row wrap"))
    css = widgets.HTML(STYLE_CSS + _access.script_tag(),
                       layout=widgets.Layout(height="0px", margin="0px"))
    box = widgets.VBox([css, top, figure, alt, status, live])
    box.add_class("momentum-explorer")
    box.add_class(f"explorer-{name}")
    return box
