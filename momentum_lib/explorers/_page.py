"""What an explorer looks like on the page: its widgets, their CSS classes and their type size.

The explorer is a ``VBox`` (CSS class ``momentum-explorer`` and ``explorer-<name>``) of four
separate widgets: the controls with the reset button, the figure (a ``GridBox`` whose images
share one grid cell, see :mod:`._frames`) with any side panels, and the status line (an
``HTML`` widget). Nothing beyond ipywidgets core is needed, so an explorer works in
JupyterLab, Notebook 7, VS Code, Voila and JupyterLite.
"""

import html

import ipywidgets as widgets

# Slider labels, readouts, text boxes and the reset button in the page's widget type size
# (--jp-widgets-font-size: 13 px in JupyterLab, larger in classroom mode), never a fixed
# inline size that a classroom stylesheet cannot reach. Scoped to explorers; it needs no
# front-end extension (a <style> in an HTML widget).
STYLE_CSS = ("<style>.momentum-explorer{--explorer-font-size:max(15px,"
             "var(--jp-widgets-font-size,13px));}"
             ".momentum-explorer .widget-label, .momentum-explorer .widget-readout,"
             ".momentum-explorer .widget-text input, .momentum-explorer button,"
             ".momentum-explorer .widget-label-basic"
             "{font-size:var(--explorer-font-size);}"
             ".momentum-explorer .explorer-status{font-size:calc(var(--explorer-font-size) + 1px);"
             "line-height:1.4;}"
             ".momentum-explorer .widget-readout{min-width:4.5em;}"
             # the controls' 340 px (control_style) grow with the type, so that larger
             # labels do not squeeze the slider tracks
             ".momentum-explorer .widget-slider, .momentum-explorer .widget-text"
             "{font-size:var(--explorer-font-size);width:22.7em!important;}</style>")


def escape(text):
    """``text`` safe inside the status line's HTML (quotes may stay)."""
    return html.escape(text, quote=False)


def status_html(inner):
    """The status line's HTML around ``inner``; its size comes from :data:`STYLE_CSS`, so
    classroom mode scales it."""
    return f'<span class="explorer-status-text">{inner}</span>'


def status_line():
    """The ``HTML`` widget under the figure that says what the figure shows."""
    line = widgets.HTML()
    line.add_class("explorer-status")
    return line


def picture(fmt, css_class, width, shown=True):
    """An ``Image`` widget ``width`` CSS px wide (narrower if the column is), in the figure's
    one grid cell."""
    image = widgets.Image(format=fmt, layout=widgets.Layout(
        width=f"{width}px", max_width="100%", height="auto", grid_area="1 / 1 / 2 / 2",
        display=None if shown else "none"))
    image.add_class(css_class)
    return image


def figure_box(images, width):
    """The ``GridBox`` (CSS class ``explorer-figure``) stacking ``images`` in one cell, the
    later ones on top."""
    box = widgets.GridBox(list(images), layout=widgets.Layout(
        grid_template_columns="minmax(0, 1fr)", width=f"{width}px", max_width="100%"))
    box.add_class("explorer-figure")
    return box


def reset_button(on_click):
    """The "reset" button (CSS class ``explorer-reset``)."""
    button = widgets.Button(description="reset", tooltip="back to the starting values",
                            icon="undo", layout=widgets.Layout(width="110px"))
    button.add_class("explorer-reset")
    button.on_click(lambda _button: on_click())
    return button


def explorer_box(name, controls, reset, figure, side, status):
    """The whole explorer: ``controls`` two to a row beside ``reset``, the ``figure`` with the
    ``side`` widgets (which wrap below it when the notebook column is too narrow for both),
    and the ``status`` line."""
    sliders = list(controls)
    rows = [widgets.HBox(sliders[i:i + 2]) for i in range(0, len(sliders), 2)]
    top = widgets.HBox([widgets.VBox(rows), reset], layout=widgets.Layout(align_items="center"))
    if side:
        figure = widgets.HBox([figure, *side], layout=widgets.Layout(flex_flow="row wrap"))
    css = widgets.HTML(STYLE_CSS, layout=widgets.Layout(height="0px", margin="0px"))
    box = widgets.VBox([css, top, figure, status])
    box.add_class("momentum-explorer")
    box.add_class(f"explorer-{name}")
    return box
