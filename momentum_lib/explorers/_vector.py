"""The dynamic artists of an explorer as a small SVG: what a slider move sends.

An explorer's figure is stacked images in the browser (see ``_frames.py``): the
static part (axes, ticks, labels, contours, legend) as a PNG sent only when it
changes, and on top of it the *dynamic* artists (paths, markers, loss curves,
messages) as an SVG sent on every β/η move. A move then costs the geometry of a
few lines (a few KB) instead of every pixel of the frame (50–250 KB at 2×), and
the top layer is as sharp on a projector or a high-density screen as on a laptop.

The SVG is written by matplotlib's own SVG renderer, so line widths, dashes,
markers, colours, alpha, clipping and text (as glyph outlines, no font needed in
the browser) are matplotlib's. :class:`CompactSVG` only makes its output short:

* coordinates in tenths of a point, written relative to the previous vertex
  (``l12.3-4``) instead of six decimals of absolute position; the rounding moves
  a point by at most 0.05 pt (0.07 CSS px);
* the markers of one line as one invisible polyline carrying an SVG ``<marker>``
  at every vertex, instead of one ``<use>`` element per marker;
* no metadata, no group per artist, and ids numbered from 0, so that the same
  frame gives the same bytes (and an unchanged frame is not sent again).
"""

import io
import itertools

import numpy as np
from matplotlib.backends import backend_svg
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

MIME_FORMAT = "svg+xml"     # the ipywidgets.Image format: the browser shows an image/svg+xml


def _number(units, digits=1):
    """A coordinate counted in 10**-digits as short decimal text (digits=1: 123 → '12.3',
    -5 → '-.5', 40 → '4'; digits=2: 5 → '.05')."""
    whole, part = divmod(abs(units), 10 ** digits)
    sign = "-" if units < 0 else ""
    if part == 0:
        return f"{sign}{whole}"
    fraction = f"{part:0{digits}d}".rstrip("0")
    return f"{sign}{whole if whole else ''}.{fraction}"


def _pairs(units, digits):
    """Numbers of a path command joined as SVG allows: a minus sign separates by itself."""
    out = []
    for k in units:
        text = _number(int(k), digits)
        if out and not text.startswith("-"):
            out.append(" ")
        out.append(text)
    return "".join(out)


def path_data(vertices, codes, digits=1):
    """SVG path data for matplotlib path ``vertices`` and ``codes`` (already transformed),
    with ``digits`` decimals.

    The first point of each subpath is absolute (``M``), every other point relative to
    the previous *rounded* point, so rounding errors never accumulate along a path.
    """
    points = np.rint(np.asarray(vertices, dtype=float) * 10 ** digits).astype(np.int64)
    if codes is None:
        codes = np.full(len(points), Path.LINETO, dtype=np.uint8)
        if len(codes):
            codes[0] = Path.MOVETO
    out = []
    x = y = x0 = y0 = 0
    i, n = 0, len(points)
    while i < n:
        code = codes[i]
        if code == Path.MOVETO:
            x, y = (int(v) for v in points[i])
            x0, y0 = x, y
            out.append("M" + _pairs((x, y), digits))
            i += 1
        elif code == Path.LINETO:
            start = i
            while i < n and codes[i] == Path.LINETO:
                i += 1
            run = points[start:i]
            steps = np.diff(np.vstack([(x, y), run]), axis=0)
            out.append("l" + _pairs(steps.ravel(), digits))
            x, y = (int(v) for v in run[-1])
        elif code in (Path.CURVE3, Path.CURVE4):
            k = 2 if code == Path.CURVE3 else 3
            segment = points[i:i + k] - (x, y)
            out.append(("q" if k == 2 else "c") + _pairs(segment.ravel(), digits))
            x, y = (int(v) for v in points[i + k - 1])
            i += k
        elif code == Path.CLOSEPOLY:
            out.append("z")
            x, y = x0, y0
            i += 1
        else:       # STOP
            break
    return "".join(out)


# RendererSVG's ``metadata``: each entry set to None is left out, so none is written.
NO_METADATA = {"Format": None, "Type": None, "Creator": None, "Date": None}


class CompactSVG(backend_svg.RendererSVG):
    """matplotlib's SVG renderer with short output (see the module docstring).

    It replaces two private methods of ``RendererSVG``, ``_make_id`` (ids numbered from 0,
    not salted hashes) and ``_convert_path`` (relative coordinates), and its public
    ``draw_markers`` reads the private ``_get_style``, ``_get_clip_attrs`` and ``_markers``;
    ``README.md`` beside this file lists what to re-check when matplotlib changes.
    """

    def __init__(self, width, height, out):
        super().__init__(width, height, out, metadata=NO_METADATA)
        self._ids = itertools.count()

    def _make_id(self, type, content):
        return f"{type}{next(self._ids)}"

    def open_group(self, s, gid=None):
        pass

    def close_group(self, s):
        pass

    def _convert_path(self, path, transform=None, clip=None, simplify=None, sketch=None,
                      digits=1):
        # The same cleaning as matplotlib's (NaN gaps, clipping to the canvas, simplifying
        # a dense line), written compactly.
        clip_box = (0.0, 0.0, self.width, self.height) if clip else None
        cleaned = path.cleaned(transform=transform, remove_nans=True, clip=clip_box,
                               simplify=simplify, curves=True, sketch=sketch)
        return path_data(cleaned.vertices, cleaned.codes, digits)

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):
        flip = trans + Affine2D().scale(1.0, -1.0).translate(0.0, self.height)   # y down
        points = flip.transform(np.asarray(path.vertices, float))
        points = points[np.isfinite(points).all(axis=1)]
        if not len(points):
            return
        # a marker is a few points wide: its outline to a hundredth of a point
        marker = self._convert_path(marker_path, marker_trans + Affine2D().scale(1.0, -1.0),
                                    simplify=False, digits=2)
        style = self._get_style(gc, rgbFace)
        key = (marker, style)
        oid = self._markers.get(key)
        writer = self.writer
        if oid is None:
            oid = self._markers[key] = self._make_id("m", key)
            writer.start("defs")
            # userSpaceOnUse: the marker keeps its size in points whatever the host's stroke
            writer.start("marker", id=oid, markerUnits="userSpaceOnUse", overflow="visible",
                         markerWidth="1", markerHeight="1")
            writer.element("path", d=marker, style=style)
            writer.end("marker")
            writer.end("defs")
        # An unstroked polyline through the points with the marker at each vertex, once
        # (a lone point gets a zero-length segment and a marker at its start only).
        url = f"url(#{oid})"
        if len(points) == 1:
            data, ends = path_data(points, None) + "l0 0", {"marker-start": url}
        else:
            data, ends = path_data(points, None), {"marker-start": url, "marker-mid": url,
                                                  "marker-end": url}
        writer.start("g", **self._get_clip_attrs(gc))
        writer.element("path", d=data, style="fill:none;stroke:none", attrib=ends)
        writer.end("g")


def svg_layer(fig, artists):
    """``artists`` of ``fig`` drawn as a standalone SVG (bytes), the size of the figure.

    The figure is drawn at 72 dpi meanwhile (points are the SVG's units, as in
    ``savefig(format="svg")``) and its dpi is restored after.
    """
    dpi = fig.dpi
    out = io.StringIO()
    fig.dpi = 72
    try:
        width, height = fig.get_size_inches() * 72
        renderer = CompactSVG(width, height, out)
        for artist in artists:
            if artist.get_visible():
                artist.draw(renderer)
        renderer.finalize()
    finally:
        fig.dpi = dpi
    text = out.getvalue()
    return text[text.index("<svg"):].encode("utf-8")      # no XML declaration or doctype
