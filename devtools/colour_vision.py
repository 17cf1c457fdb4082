"""Greyscale and colour-vision check of the figures: a library for the test and a script.

    python -m devtools.colour_vision       # every explorer figure and every stored PNG

Two simulations of what a reader may see:

* **greyscale** (a black-and-white print-out, a washed-out projector): CIE lightness L*
  of the colour's relative luminance;
* **deuteranopia** (the most common colour-vision deficiency, about 5% of men): the
  Machado, Oliveira & Fernandes (2009) matrix for severity 1.0, applied in linear RGB.

**Explorers** are checked artist by artist: in every axes, every two lines drawn for
different things must differ by line style or marker (which survive any colour loss),
or else by at least ``MIN_LIGHTNESS`` in greyscale lightness *and* ``MIN_DELTA_E`` in
colour under deuteranopia. **Stored notebook PNGs** carry no artists; the script reports
their main colours and which pairs collapse in either simulation (a report, not a
verdict: lines of equal grey may still differ by style).

The script writes the simulated images to ``test-artifacts/colour/`` to look at.
"""

import io
import itertools
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "test-artifacts" / "colour"

# Machado et al. 2009, deuteranopia, severity 1.0 (linear RGB → linear RGB).
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
MIN_LIGHTNESS = 12.0     # ΔL* between two lines that differ only in colour
MIN_DELTA_E = 20.0       # ΔE (CIE76) under deuteranopia, same case
MAX_LINE_LIGHTNESS = 85.0   # a line lighter than this nearly vanishes on white (yellow F0E442: 89)


def to_linear(srgb):
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear):
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def lightness(rgb):
    """CIE L* (0–100) of sRGB colours in [0, 1] (last axis RGB)."""
    y = to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, y * 24389 / 27)


def lab(rgb):
    """CIELAB (D65) of sRGB colours in [0, 1]."""
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = to_linear(rgb) @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def deuteranopia(rgb):
    return to_srgb(to_linear(rgb) @ DEUTERANOPIA.T)


def greyscale(rgb):
    grey = to_srgb(to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722]))
    return np.repeat(grey[..., None], 3, axis=-1)


def simulate_png(png_bytes):
    """(greyscale, deuteranopia) versions of a PNG, as PNG bytes."""
    from PIL import Image

    im = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    rgb = np.asarray(im, dtype=float) / 255
    out = []
    for f in (greyscale, deuteranopia):
        buf = io.BytesIO()
        Image.fromarray(np.round(f(rgb) * 255).astype(np.uint8)).save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


# ---- explorers: artist by artist ------------------------------------------------------

def _lines(ax, scene):
    """The lines of ``ax`` that carry data (not contours, reference lines or markers alone)."""
    from matplotlib.colors import to_rgb

    skip = {id(getattr(scene, "contours", None))}
    lines = []
    for line in ax.get_lines():
        if id(line) in skip or not line.get_visible():
            continue
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        if x.size < 2 or np.all(np.isnan(y)) or np.ptp(x[~np.isnan(x)]) == 0:
            continue       # a single point, an axhline/axvline or empty
        if min(to_rgb(line.get_color())) > 0.97:
            continue       # a white halo drawn under another line, not a line of its own
        lines.append({"label": line.get_label(), "colour": to_rgb(line.get_color()),
                      "style": _dashes(line), "marker": str(line.get_marker())})
    return lines


def _dashes(line):
    ls = line.get_linestyle()
    if ls in ("None", "none", " ", ""):
        return "none"
    offset, dashes = line._unscaled_dash_pattern
    return "solid" if not dashes else tuple(round(d, 2) for d in dashes)


def pair_problem(a, b):
    """Why two lines could be confused, or ``None``."""
    if a["style"] != b["style"] or a["marker"] != b["marker"]:
        return None
    c = np.array([a["colour"], b["colour"]])
    d_l = abs(float(np.diff(lightness(c))[0]))
    d_e = float(np.linalg.norm(np.diff(lab(deuteranopia(c)), axis=0)))
    if d_l >= MIN_LIGHTNESS and d_e >= MIN_DELTA_E:
        return None
    return (f"{a['label']!r} and {b['label']!r}: same line style and marker, "
            f"greyscale ΔL* {d_l:.0f} (need {MIN_LIGHTNESS:.0f}), deuteranopia ΔE {d_e:.0f} "
            f"(need {MIN_DELTA_E:.0f})")


def explorer_problems(ex):
    """Confusable line pairs in an explorer's current figure, per axes."""
    problems = []
    for k, ax in enumerate(ex.fig.axes):
        lines = _lines(ax, ex.scene)
        for line in lines:
            light = float(lightness(np.array(line["colour"])))
            if light > MAX_LINE_LIGHTNESS:
                problems.append(f"{ex.name} ({ax.get_title() or ax.get_ylabel()}): {line['label']!r} "
                                f"is faint on white (L* {light:.0f} > {MAX_LINE_LIGHTNESS:.0f})")
        for a, b in itertools.combinations(lines, 2):
            why = pair_problem(a, b)
            if why:
                title = ax.get_title() or ax.get_ylabel() or f"axes {k}"
                problems.append(f"{ex.name} ({title}): {why}")
    return problems


# ---- stored PNGs: a palette report ----------------------------------------------------

def main_colours(png_bytes, min_share=0.002):
    """The saturated colours that cover at least ``min_share`` of a PNG's pixels."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB"), dtype=float) / 255
    flat = rgb.reshape(-1, 3)
    saturated = flat[(flat.max(1) - flat.min(1)) > 0.25]
    if saturated.size == 0:
        return []
    q = np.round(saturated * 15) / 15
    values, counts = np.unique(q, axis=0, return_counts=True)
    keep = counts >= min_share * flat.shape[0]
    return [tuple(v) for v in values[keep]]


def palette_report(png_bytes):
    colours = main_colours(png_bytes)
    collapsed = []
    for a, b in itertools.combinations(colours, 2):
        c = np.array([a, b])
        if float(np.linalg.norm(np.diff(lab(c), axis=0))) < MIN_DELTA_E:
            continue   # the same colour anti-aliased: not two colours
        d_l = abs(float(np.diff(lightness(c))[0]))
        d_e = float(np.linalg.norm(np.diff(lab(deuteranopia(c)), axis=0)))
        if d_l < MIN_LIGHTNESS or d_e < MIN_DELTA_E:
            collapsed.append({"pair": ["#%02X%02X%02X" % tuple(round(255 * x) for x in col) for col in c],
                              "grey_dL": round(d_l, 1), "deuteranopia_dE": round(d_e, 1)})
    faint = ["#%02X%02X%02X" % tuple(round(255 * x) for x in c) for c in colours
             if float(lightness(np.array(c))) > MAX_LINE_LIGHTNESS]
    return {"colours": len(colours), "close_pairs": collapsed, "faint": faint}


def main():
    import base64

    from momentum_lib.explorers import EXPLORERS

    OUT.mkdir(parents=True, exist_ok=True)
    report = {"explorers": {}, "notebooks": {}}
    for name in EXPLORERS:
        ex = EXPLORERS[name]()
        report["explorers"][name] = explorer_problems(ex)
        grey, deut = simulate_png(ex.png())
        (OUT / f"explorer-{name}-grey.png").write_bytes(grey)
        (OUT / f"explorer-{name}-deuteranopia.png").write_bytes(deut)
    for nb_path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        for cell in nb["cells"]:
            for k, out in enumerate(cell.get("outputs", [])):
                data = out.get("data", {}).get("image/png")
                if not data:
                    continue
                png = base64.b64decode(data if isinstance(data, str) else "".join(data))
                key = f"{nb_path.stem}/{cell.get('id', '?')}"
                report["notebooks"][key] = palette_report(png)
                grey, deut = simulate_png(png)
                stem = f"{nb_path.stem}-{cell.get('id', '?')}-{k}"
                (OUT / f"{stem}-grey.png").write_bytes(grey)
                (OUT / f"{stem}-deuteranopia.png").write_bytes(deut)
    print(json.dumps(report, indent=1, ensure_ascii=False))
    print(f"simulated images in {OUT.relative_to(REPO)}/", file=sys.stderr)
    return 1 if any(report["explorers"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
