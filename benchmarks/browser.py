"""Bytes per slider move and key press → frame in a real browser: explorers against ipympl.

``make bench-browser`` (or ``python benchmarks/browser.py``) measures, in Debian's Chromium
driven by playwright, against a JupyterLab on 127.0.0.1 (free port, isolated HOME, as the
browser tests start it), for every explorer in ``momentum_lib.explorers.EXPLORERS``:

* **ways** of drawing the same figure, all in one generated notebook per explorer and page:
  ``png`` (``EXPLORERS[name](frames="png")``, the whole RGBA PNG frame per move: the
  baseline), ``layers`` (the default: a static PNG background sent when it
  changes, an SVG of the dynamic artists per move), and the same figure in ipympl 0.10.0
  (``%matplotlib widget``) drawn by the explorer's own hooks (``_build_scene``, ``compute``,
  ``update``, ``message``; see ``browser_kernel.py``) and moved by ipywidgets sliders with the
  explorer's stops, either with ``fig.canvas.draw_idle()`` or with hand-written blitting
  (``restore_region``, ``draw_artist`` of the dynamic artists, ``canvas.blit``);
* **bytes per move**: a CDP session (``Network.enable``) sums the ``webSocketFrameReceived``
  payloads of the kernel's websocket (``/api/kernels/…/channels``) from the key press until
  the frame is shown and no frame has arrived for a quiet spell; binary frames arrive
  base64-encoded and count their decoded length, text frames their UTF-8 length. Frames are
  attributed only while one way is being moved. The *image* bytes are the message buffers
  that are PNG or SVG (the frames themselves), the rest is JSON (comm messages, the status
  line, kernel busy/idle);
* **key press → frame** (median, p95): the probe of ``devtools/js/install_probe.js`` stamps the
  key as it enters the page (capture-phase ``keydown``); for an explorer the frame is the
  ``load`` of ``img.explorer-moves`` (the whole frame in ``png``, the SVG layer in
  ``layers``). ipympl draws into a
  ``<canvas>``: a new PNG (a blob URL) goes into an off-screen ``Image``, whose ``onload``
  paints it into an off-screen canvas and then, for each view, into the view's visible
  ``<canvas>`` with ``drawImage`` (``update_canvas`` in ipympl's ``mpl_widget.js``). There is
  no DOM change to observe, so an init script wraps ``CanvasRenderingContext2D.drawImage``
  and stamps every call whose target canvas is in the document, inside a benchmark box: the
  moment the new pixels are on the visible canvas, the same moment as an explorer's decoded
  ``<img>`` (both are painted at the next frame);
* **device scale factor**: explorers always render at 2× (a 900 × 450 CSS px figure is an
  1800 × 900 PNG), whatever the screen. ipympl renders at the page's ``devicePixelRatio``, so
  its ways run in a page at scale 2 (the same pixels as the explorers; the pair compared in
  the ratios) and in a second page at scale 1 (half the pixels each way);
* an **emulated link** like Binder from a classroom: ``Network.emulateNetworkConditions``,
  10 Mbit/s down (1.25e6 bytes/s), 5 Mbit/s up, 40 ms latency. It is checked at the start of
  the run: a button makes the kernel send 100 B or 625 kB over the websocket, and click →
  shown is timed with the link off and on; the 625 kB answer must take about 0.5 s longer
  on it (reported as "network check"). Under the link: key press → frame and a one-second
  mouse drag of β (release → last frame), also on localhost;
* **rounds**: the ways are interleaved (every way, both links, then the next round), with
  the load average at the start and end of each round.

A visual check writes, per explorer, a screenshot of the figure at scale 2 in ``layers``
(and ``png``, a control) after one β move, the kernel's own composite PNG of the same values
(``EXPLORERS[name](**values).png()`` in this process), and an amplified difference to
``test-artifacts/bench-browser/``, with the share of pixels differing by more than 8/255 and
32/255 in any channel.

Writes ``benchmarks/results/browser.md`` and ``browser.json`` (``--quick``: one explorer,
few presses, into ``test-artifacts/bench-browser/``; ``make test`` runs it only to keep the
script working). Nothing is asserted about timings.
"""

import argparse
import base64
import json
import os
import platform
import shutil
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

import devtools as bs
from devtools import provenance

REPO = bs.REPO

ARTIFACTS = REPO / "test-artifacts" / "bench-browser"
RESULTS = REPO / "benchmarks" / "results"
# Wide enough for the widest explorer (1150 CSS px) beside JupyterLab's file browser, so no
# figure is shrunk (the visual check compares pixels one to one).
VIEWPORT = {"width": 1800, "height": 1000}
# 10 Mbit/s down, 5 Mbit/s up, 40 ms: a classroom's Wi-Fi to Binder.
LINK = {"offline": False, "latency": 40, "downloadThroughput": 1.25e6, "uploadThroughput": 625_000}
NO_LINK = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}

# (way, device scale factor): the explorers' two encodings and ipympl's two ways at scale 2,
# then ipympl again at scale 1 in a second page.
EXPLORER_WAYS = ("png", "layers")
MPL_WAYS = ("ipympl-blit", "ipympl-draw_idle")
LABELS = {"png": "explorer, whole PNG frames", "layers": "explorer, layers",
          "ipympl-blit": "ipympl, blitting", "ipympl-draw_idle": "ipympl, draw_idle"}

# Stamps every drawImage onto a visible canvas inside a benchmark box (ipympl's frames).
# The benchmark's own page scripts (benchmarks/js/), beside devtools' probe.
BENCH_JS = Path(__file__).resolve().parent / "js"
DRAW_HOOK = (BENCH_JS / "draw_hook.js").read_text()


# --- Latency: a delay line in front of the server ------------------------------------------
# Chromium's emulated latency is "from request sent to response headers received": it delays
# HTTP requests, not the frames of an open websocket (the network check shows it: a 100-byte
# answer is as fast on the emulated link as on localhost). Its throughput limits do apply to
# the websocket. So the page talks to the server through this relay, which holds every chunk
# for half the round trip in each direction while the link is on.

class DelayLine:
    """A TCP relay on 127.0.0.1 (a free port) to ``target_port``; ``one_way_s`` is the delay
    added to every chunk in each direction (0 = off), order kept."""

    def __init__(self, target_port):
        import asyncio
        import threading

        self.target_port, self.port, self.one_way_s = target_port, bs.free_port(), 0.0
        self._asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(10)
        self.base_url = f"http://127.0.0.1:{self.port}"

    def _run(self, ready):
        asyncio = self._asyncio
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        ready.set()
        self.loop.run_forever()

    async def _client(self, reader, writer):
        asyncio = self._asyncio
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer),
                             return_exceptions=True)

    async def _pipe(self, reader, writer):
        asyncio, loop = self._asyncio, self.loop
        queue = asyncio.Queue()

        async def pump():
            while True:
                try:
                    data = await reader.read(65536)
                except OSError:
                    data = b""
                await queue.put((loop.time() + self.one_way_s, data))
                if not data:
                    return

        async def deliver():
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()

        await asyncio.gather(pump(), deliver(), return_exceptions=True)

    def url(self, server, path):
        return server.url(path).replace(server.base_url, self.base_url, 1)

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)


# --- The kernel websocket's frames -------------------------------------------------------

def message_parts(data):
    """The parts of one kernel websocket message: [channel, header, parent, metadata,
    content, *buffers] (v1 protocol, what JupyterLab 4 speaks), or [json, *buffers] (the
    legacy binary format); None if neither parses."""
    if len(data) >= 16:
        n = int.from_bytes(data[:8], "little")
        if 3 <= n <= 1024 and len(data) >= 8 * (n + 1):
            offsets = [int.from_bytes(data[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
            if offsets[0] == 8 * (n + 1) and offsets == sorted(offsets) and offsets[-1] == len(data):
                return [data[offsets[i]:offsets[i + 1]] for i in range(n - 1)]
    if len(data) >= 8:
        n = struct.unpack("!I", data[:4])[0]
        if 1 <= n <= 1024 and len(data) >= 4 * (n + 1):
            offsets = list(struct.unpack("!" + "I" * n, data[4:4 * (n + 1)])) + [len(data)]
            if offsets[0] == 4 * (n + 1) and offsets == sorted(offsets):
                return [data[offsets[i]:offsets[i + 1]] for i in range(n)]
    return None


def image_bytes(data):
    """Bytes of ``data`` (one websocket message) that are a frame: PNG or SVG buffers, or
    JSON content carrying an SVG."""
    parts = message_parts(data)
    if parts is None:
        return len(data) if b"<svg" in data[:100_000] else 0
    total = 0
    buffers = parts[5:] if len(parts) >= 5 and parts[0][:16].isascii() and len(parts[0]) < 16 else parts[1:]
    for b in buffers:
        if b[:8] == b"\x89PNG\r\n\x1a\n" or b"<svg" in b[:400]:
            total += len(b)
    if len(parts) >= 5 and b"<svg" in parts[4]:
        total += len(parts[4])
    return total


def message_kind(data):
    """"msg_type" or "comm_msg <method> <state keys>", plus "+ buffers" when it has any."""
    parts = message_parts(data)
    if parts is None or len(parts) < 5:
        return "unparsed"
    try:
        header, content = json.loads(parts[1]), json.loads(parts[4])
    except ValueError:
        return "unparsed"
    kind = header.get("msg_type", "?")
    if kind == "comm_msg":
        d = content.get("data", {})
        keys = ",".join(sorted(d.get("state", {}))) if isinstance(d.get("state"), dict) else ""
        kind += f" {d.get('method', '')} {keys}".rstrip()
    return kind + (" + buffers" if len(parts) > 5 and any(parts[5:]) else "")


class Wire:
    """The kernel websocket's frames as the page receives and sends them (CDP events)."""

    def __init__(self, cdp):
        self.urls = {}
        self.received, self.sent = [], []    # (arrival monotonic s, bytes, image bytes)
        self.kinds = []                      # per received frame: what it was (message_kind)
        cdp.on("Network.webSocketCreated", lambda p: self.urls.__setitem__(p["requestId"], p["url"]))
        cdp.on("Network.webSocketFrameReceived", lambda p: self._frame(p, self.received))
        cdp.on("Network.webSocketFrameSent", lambda p: self._frame(p, self.sent))

    def _frame(self, p, into):
        if "/channels" not in self.urls.get(p["requestId"], ""):
            return
        r = p["response"]
        if r.get("opcode") == 2:
            data = base64.b64decode(r["payloadData"])
        else:
            data = r["payloadData"].encode("utf-8")
        into.append((time.monotonic(), len(data), image_bytes(data) if into is self.received else 0))
        if into is self.received:
            self.kinds.append(message_kind(data))

    def mark(self):
        return len(self.received), len(self.sent)

    def settle(self, page, quiet_ms, timeout_s=30):
        """Pump events until no frame has arrived for ``quiet_ms``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            page.wait_for_timeout(min(40, quiet_ms))
            last = max([t for t, _n, _i in self.received[-1:]] + [t for t, _n, _i in self.sent[-1:]] + [0])
            if time.monotonic() - last >= quiet_ms / 1000:
                return

    def since(self, mark):
        got, sent = self.received[mark[0]:], self.sent[mark[1]:]
        kinds = {}
        for (_t, n, _i), kind in zip(got, self.kinds[mark[0]:]):
            kinds[kind] = kinds.get(kind, 0) + n
        return {"bytes": sum(n for _t, n, _i in got), "image": sum(i for _t, _n, i in got),
                "messages": len(got), "sent": sum(n for _t, n, _i in sent), "kinds": kinds}


# --- The generated notebooks --------------------------------------------------------------

def make_notebook(path, name, ways, network_check):
    import nbformat

    cells = [nbformat.v4.new_code_cell(
        "%matplotlib widget\nimport sys\n"
        f"sys.path.insert(0, {str(REPO / 'benchmarks')!r})\n"
        "from browser_kernel import explorer, MplWay, NetworkCheck")]
    if network_check:
        cells.append(nbformat.v4.new_code_cell("NetworkCheck().widget"))
    for way in ways:
        if way in EXPLORER_WAYS:
            cells.append(nbformat.v4.new_code_cell(f"explorer({name!r}, {way!r})"))
        else:
            cells.append(nbformat.v4.new_code_cell(
                f"MplWay({name!r}, {way.split('-', 1)[1]!r}).widget"))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, str(path))


def open_notebook(browser, server, relay, nb_path, root, dsf, ways, nudged):
    """A page (own context at ``dsf``) with the notebook run; its CDP session and wire."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=dsf)
    context.add_init_script(DRAW_HOOK)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    wire = Wire(cdp)
    rel = nb_path.relative_to(root)
    page.goto(relay.url(server, f"/lab/workspaces/{nb_path.stem}/tree/{rel}"))
    bs.wait_kernel_idle(page, timeout_ms=120_000)
    page.wait_for_selector(bs.LAB_CELL)
    bs.lab_run_all(page, timeout_ms=300_000, clear=False)
    not_run, problems, _warnings = bs.lab_run_all_outcome(page, nb_path, timeout_ms=120_000)
    if problems or not_run:
        raise RuntimeError(f"{nb_path.name}: cells not run {not_run}; errors: {problems}")
    bs.wait_explorers_drawn(page, timeout_ms=120_000)
    bs.install_probe(page)
    page.evaluate(bs.script("install_bench", BENCH_JS))
    mpl = [w for w in ways if w.startswith("ipympl")]
    drawn = "(ways) => ways.every((w) => window.__bench.frames(w).length > 0)"
    try:
        try:
            page.wait_for_function(drawn, arg=mpl, timeout=30_000)
        except Exception:
            # Now and then an ipympl figure's first image never comes (seen with two figures
            # in one notebook); drawing it from a second kernel client sends it.
            kernel = next(s["kernel"]["id"] for s in server.api("GET", "/api/sessions")
                          if s["path"].endswith(nb_path.name))
            said = bs.kernel_run(bs.kernel_connection_file(server, kernel),
                                 "from browser_kernel import MplWay\nprint(MplWay.redraw_all())")
            nudged.append(f"{nb_path.name}: an ipympl figure had no first image after 30 s; "
                          f"redrawn from the kernel: {said.strip()}")
            print(nudged[-1], flush=True)
            page.wait_for_function(drawn, arg=mpl, timeout=60_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"{nb_path.stem}-not-drawn.png"))
        state = page.evaluate("""() => [window.__mplDraws.length, document.querySelectorAll('.mpl-bench').length,
            Array.from(document.querySelectorAll('.mpl-bench canvas')).map(c => [c.width, c.height])]""")
        raise RuntimeError(f"{nb_path.name}: ipympl figures not drawn: {state}; errors {errors}")
    page.wait_for_timeout(500)
    return {"page": page, "cdp": cdp, "wire": wire, "context": context, "errors": errors,
            "dsf": dsf, "ways": ways, "relay": relay}


def set_link(tab, on):
    """The emulated link on or off: Chromium's throughput limits and the relay's delay."""
    tab["cdp"].send("Network.emulateNetworkConditions", LINK if on else NO_LINK)
    tab["relay"].one_way_s = LINK["latency"] / 2000 if on else 0.0


# --- Moves --------------------------------------------------------------------------------

def press(tab, way, slider, key, quiet_ms, timeout_ms=30_000):
    """One key press on a way's slider: key → frame shown (ms) and the bytes it cost."""
    page, wire = tab["page"], tab["wire"]
    handle = page.locator(f".bench-way-{way} .{slider} .noUi-handle").first
    n = page.evaluate("(w) => window.__bench.frames(w).length", way)
    handle.focus()
    wire.settle(page, 60)
    mark = wire.mark()
    page.keyboard.press(key)
    # the first frame shown after this key press (a late frame of an earlier action, with no
    # key stamp or an older one, is passed over)
    first_after = ("([w, n]) => window.__bench.frames(w).slice(n).find("
                   "(f) => f.key !== null && f.key === window.__probe.keyAt && f.at >= f.key)")
    page.wait_for_function(first_after, arg=[way, n], polling=10, timeout=timeout_ms)
    frame = page.evaluate(first_after, [way, n])
    wire.settle(page, quiet_ms)
    extra = page.evaluate("([w, n]) => window.__bench.frames(w).length - n - 1", [way, n])
    return {"ms": round(frame["at"] - frame["key"], 2), "extra_frames": extra, **wire.since(mark)}


def drag(tab, way, direction, slider="explorer-beta", duration_ms=1000, steps=50, quiet_ms=1500,
         timeout_ms=30_000):
    """A mouse drag of a slider's handle over 40% of its track (``direction`` ±1) for ``duration_ms``; release
    → last frame shown, frames during and after the release, and the bytes. A way still drawing
    ``timeout_ms`` after the release raises Playwright's TimeoutError (the run notes it: ipympl's
    blitting on the trace figure, whose frames never stop after a drag, did)."""
    page, wire = tab["page"], tab["wire"]
    box = page.locator(f".bench-way-{way}")
    box.scroll_into_view_if_needed()
    marks = []

    def gesture():
        wire.settle(page, 60)
        marks.append(wire.mark())
        bs.mouse_drag(page, box, slider, direction, duration_ms, steps)

    during, after, up_at = bs.frames_around_release(
        page, "bench", way, gesture, quiet_ms, timeout_ms)
    wire.settle(page, 200)
    return {"frames_during": during, "frames_after_release": len(after),
            "release_to_last_ms": round(after[-1] - up_at, 1) if after else 0.0,
            **wire.since(marks[0])}


def network_check(tab, repeats=3):
    """Click → shown for a 100 B and a 625 kB kernel answer, link off and on (ms)."""
    page, out = tab["page"], {}
    page.locator(".bench-net-out").scroll_into_view_if_needed()
    for on in (False, True):
        set_link(tab, on)
        for size in ("small", "large"):
            times = []
            for _ in range(repeats):
                k = page.evaluate("() => (document.querySelector('.bench-net-k') || {textContent: '0'}).textContent")
                mark = tab["wire"].mark()
                page.evaluate("""(size) => {
                    window.__netAt = performance.now();
                    document.querySelector('.bench-net-' + size + ' button, button.bench-net-' + size).click();
                }""", size)
                page.wait_for_function(
                    "(k) => { const e = document.querySelector('.bench-net-k');"
                    " if (e && e.textContent !== k && !window.__netDone) window.__netDone = performance.now();"
                    " return e && e.textContent !== k; }", arg=k, polling=5, timeout=30_000)
                ms = page.evaluate("() => { const d = window.__netDone - window.__netAt; window.__netDone = 0; return d; }")
                tab["wire"].settle(page, 200)
                times.append({"ms": round(ms, 1), **tab["wire"].since(mark)})
            out[f"{'link' if on else 'localhost'} {size}"] = times
    set_link(tab, False)
    return out


# --- Visual check -------------------------------------------------------------------------

MARGIN = 2      # CSS px around the figure in the visual check's screenshot


def visual_check(tab, name, way):
    """One β move (→), then the figure's screenshot against the kernel's own PNG of the same
    values; the figure is moved back (←) afterwards."""
    import io

    import numpy as np
    from PIL import Image

    from momentum_lib.explorers import EXPLORERS

    page = tab["page"]
    box = page.locator(f".bench-way-{way}")
    box.scroll_into_view_if_needed()
    press(tab, way, "explorer-beta", "ArrowRight", 200)
    page.wait_for_timeout(300)
    readout = box.locator(".explorer-beta .widget-readout").first.text_content().strip()
    probe = EXPLORERS[name]()
    options = probe.controls["beta"].options
    beta = next(v for label, v in options if label == readout)
    values = {**probe.values, "beta": beta}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        kernel_png = EXPLORERS[name](frames=way, **values).png()
    except TypeError:
        kernel_png = EXPLORERS[name](**values).png()
    (ARTIFACTS / f"{name}-{way}-kernel.png").write_bytes(kernel_png)
    ref = Image.open(io.BytesIO(kernel_png)).convert("RGBA")
    # The page's pixels around the figure's top-left corner, a margin of MARGIN CSS px on each
    # side: the figure may sit at a fractional CSS position, which Chromium snaps to a device
    # pixel, so the screenshot is aligned with the kernel's PNG by the shift (within the
    # margin) that matches the two best. The static background is most of the figure, so it
    # decides the shift; a misplaced layer still shows as a difference.
    corner = page.evaluate(bs.script("figure_corner", BENCH_JS), box.element_handle())
    m = MARGIN
    big_path = ARTIFACTS / f"{name}-{way}-browser-margin.png"
    page.screenshot(path=str(big_path), clip={"x": corner[0] - m, "y": corner[1] - m,
                                               "width": ref.size[0] / 2 + 2 * m,
                                               "height": ref.size[1] / 2 + 2 * m})
    press(tab, way, "explorer-beta", "ArrowLeft", 200)
    big = Image.open(big_path).convert("RGBA")
    big_path.unlink()
    out = {"values": values, "browser_size": big.size, "kernel_size": ref.size,
           "css_width": corner[2], "corner": corner[:2]}
    W, H = ref.size
    if big.size != (W + 4 * m, H + 4 * m):
        out["problem"] = f"screenshot {big.size} ≠ kernel PNG {ref.size} + margins"
        return out
    white = Image.new("RGBA", big.size, "white")
    A = np.asarray(Image.alpha_composite(white, big).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.alpha_composite(Image.new("RGBA", ref.size, "white"), ref).convert("RGB"),
                   dtype=np.int16)
    gray_b = b.sum(axis=2)
    shifts = [(int(np.abs(A[dy:dy + H, dx:dx + W].sum(axis=2) - gray_b).mean() * 1000), dx, dy)
              for dy in range(4 * m + 1) for dx in range(4 * m + 1)]
    _, dx, dy = min(shifts)
    a = A[dy:dy + H, dx:dx + W]
    Image.fromarray(a.astype(np.uint8)).save(ARTIFACTS / f"{name}-{way}-browser.png")
    out["shift_device_px"] = [dx - 2 * m, dy - 2 * m]
    diff = np.abs(a - b).max(axis=2)
    Image.fromarray(np.clip(diff * 8, 0, 255).astype(np.uint8)).save(ARTIFACTS / f"{name}-{way}-diff.png")
    out.update({"over_8": round(float((diff > 8).mean()), 6), "over_32": round(float((diff > 32).mean()), 6),
                "max": int(diff.max()), "pixels": int(diff.size)})
    return out


# --- Summaries ----------------------------------------------------------------------------

def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else None


def summary_row(recs):
    presses = [r for r in recs if r["kind"] == "press"]
    local = [r["ms"] for r in presses if r["link"] == "localhost"]
    linked = [r["ms"] for r in presses if r["link"] == "link"]
    sizes = [r["bytes"] for r in presses]
    images = sum(r["image"] for r in presses)
    drags = {link: [r["release_to_last_ms"] for r in recs if r["kind"] == "drag" and r["link"] == link]
             for link in ("localhost", "link")}
    drag_bytes = [r["bytes"] / (r["duration_ms"] / 1000) for r in recs
                  if r["kind"] == "drag" and r["link"] == "localhost"]
    med = lambda xs: round(statistics.median(xs), 1) if xs else None  # noqa: E731
    return {"n": len(presses), "bytes_median": med(sizes), "bytes_p95": pct(sizes, 0.95),
            "image_share": round(images / sum(sizes), 3) if sum(sizes) else None,
            "local_median": med(local), "local_p95": pct(local, 0.95),
            "link_median": med(linked), "link_p95": pct(linked, 0.95),
            "drag_local_median": med(drags["localhost"]), "drag_link_median": med(drags["link"]),
            "drag_local_max": max(drags["localhost"], default=None),
            "drag_link_max": max(drags["link"], default=None),
            "drag_bytes_per_s": med(drag_bytes),
            "extra_frames": sum(r.get("extra_frames", 0) for r in presses)}


def raw_numbers(records):
    """Every measurement, compactly: {explorer: {way: {link: {"ms": [...], "bytes": [...],
    "image": [...]}, "drags": [...]}}}."""
    raw = {}
    for r in records:
        per = raw.setdefault(r["explorer"], {}).setdefault(r["way"], {"drags": []})
        if r["kind"] == "drag":
            per["drags"].append({k: v for k, v in r.items() if k not in ("explorer", "way", "kind")})
        else:
            cell = per.setdefault(r["link"], {"ms": [], "bytes": [], "image": []})
            for k in ("ms", "bytes", "image"):
                cell[k].append(r[k])
            if r["link"] == "localhost" and "kinds" in r and "kinds" not in per:
                per["kinds"] = r["kinds"]     # what the first move's bytes were
    return raw


def fmt(x, unit=""):
    if x is None:
        return "–"
    if unit == "kB":
        return f"{x / 1000:.1f}"
    return f"{x:.1f}" if isinstance(x, float) else str(x)


def write_report(out, path_md, path_json):
    # One line per top-level key: small, and still readable with a JSON viewer.
    path_json.write_text("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                             for k, v in out.items()) + "\n}\n")
    L = ["# Explorers in the browser: bytes per move and key press → frame, against ipympl", "",
         f"`python -m benchmarks.browser{' --quick' if out['quick'] else ''}` on {out['date']}, "
         f"commit {out.get('commit') or 'not recorded'} "
         f"({out['rounds']} interleaved rounds, {out['presses']} key presses per slider, way, link and round)."]
    L += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in out["versions"].items()) + ".", "",
          f"Emulated link: {LINK['downloadThroughput'] * 8 / 1e6:g} Mbit/s down, "
          f"{LINK['uploadThroughput'] * 8 / 1e6:g} Mbit/s up (Chromium's `Network.emulateNetworkConditions`), "
          f"{LINK['latency']} ms round trip (its `latency` covers HTTP requests only, so a relay in front of "
          f"the server delays every websocket chunk by {LINK['latency'] / 2:g} ms each way). "
          "Explorers render at 2× always; ipympl at the page's "
          "device scale factor (@2×: the explorers' pixels; @1×: a quarter of them).", "",
          "Bytes: the kernel websocket's frames received per key press (median, p95; kB = 1000 B), "
          "and the share that is the image. Times: key press → frame shown (ms, median / p95); "
          "drag: a one-second mouse drag of β, release → last frame shown (ms, median over rounds).", "",
          "| explorer | way | kB/move median | p95 | image share | localhost key→frame | "
          "emulated link key→frame | drag release→last, localhost | emulated | kB/s while dragging (localhost) |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for name, ways in out["summary"].items():
        for way, s in ways.items():
            L.append(f"| {name} | {way} | {fmt(s['bytes_median'], 'kB')} | {fmt(s['bytes_p95'], 'kB')} | "
                     f"{fmt(s['image_share'])} | {fmt(s['local_median'])} / {fmt(s['local_p95'])} | "
                     f"{fmt(s['link_median'])} / {fmt(s['link_p95'])} | {fmt(s['drag_local_median'])} | "
                     f"{fmt(s['drag_link_median'])} | {fmt(s['drag_bytes_per_s'], 'kB')} |")
    L += ["", "## Ratios (same run)", "",
          "| explorer | bytes png ÷ layers | link key→frame png ÷ layers | bytes ipympl blitting @2× ÷ layers | "
          "link key→frame ipympl blitting @2× ÷ layers | link key→frame ipympl draw_idle @2× ÷ layers |",
          "|---|---|---|---|---|---|"]
    for name, r in out["ratios"].items():
        L.append(f"| {name} | {fmt(r.get('bytes_png_over_layers'))} | {fmt(r.get('link_png_over_layers'))} | "
                 f"{fmt(r.get('bytes_blit_over_layers'))} | {fmt(r.get('link_blit_over_layers'))} | "
                 f"{fmt(r.get('link_idle_over_layers'))} |")
    L += ["", "## Does the emulated link throttle the websocket?", "",
          "Click → shown for a kernel answer of 100 B and of 625 kB, link off and on (ms, each of "
          f"{len(next(iter(out['network_check'].values()), []))} clicks). On the link the 100 B answer should take "
          "about the round trip (40 ms) longer, the 625 kB answer that plus 500 ms at 1.25e6 B/s:", ""]
    for k, v in out["network_check"].items():
        L.append(f"- {k}: " + ", ".join(f"{t['ms']:.0f}" for t in v)
                 + f" (received {statistics.median([t['bytes'] for t in v]) / 1000:.1f} kB)")
    if out.get("throttle_fit"):
        L += ["", out["throttle_fit"]]
    kinds = [(name, way, per["kinds"]) for name, ways in out.get("raw", {}).items()
             for way, per in ways.items() if "kinds" in per]
    if kinds:
        L += ["", "## What one move's bytes are", "",
              "The first β key press of each way on localhost, by kernel message (bytes):", ""]
        for name, way, k in kinds:
            L.append(f"- {name}, {way}: " + "; ".join(f"{kind} {n}" for kind, n in
                                                      sorted(k.items(), key=lambda kv: -kv[1])))
    L += ["", "## Visual check: the browser's figure against the kernel's composite PNG", "",
          "After one β move, at device scale factor 2; images in `test-artifacts/bench-browser/` "
          "(`*-browser.png`, `*-kernel.png`, `*-diff.png`: the difference × 8).", "",
          "| explorer | way | pixels differing > 8/255 | > 32/255 | max difference (/255) | "
          "screenshot aligned by (device px) |", "|---|---|---|---|---|---|"]
    for name, per in out["visual"].items():
        for way, v in per.items():
            if "problem" in v:
                L.append(f"| {name} | {way} | {v['problem']} | | | |")
            else:
                L.append(f"| {name} | {way} | {100 * v['over_8']:.3f}% | {100 * v['over_32']:.3f}% | {v['max']} | "
                         f"{v.get('shift_device_px', '–')} |")
    L += ["", "## Load average (1, 5, 15 min) at the start and end of each round", "",
          "| explorer | round | start | end |", "|---|---|---|---|"]
    for r in out["rounds_load"]:
        L.append(f"| {r['explorer']} | {r['round']} | {r['start']} | {r['end']} |")
    if out.get("notes"):
        L += ["", "## Notes", ""] + [f"- {n}" for n in out["notes"]]
    path_md.write_text("\n".join(L) + "\n")


def versions(browser):
    from importlib.metadata import version

    out = {"Chromium": browser.version}
    for pkg in ("jupyterlab", "ipympl", "ipywidgets", "matplotlib", "playwright"):
        try:
            out[pkg] = version(pkg)
        except Exception:
            out[pkg] = "not installed"
    out["Python"] = platform.python_version()
    return out


def visual_only(browser, server, relay, root, names):
    """The visual check alone, into test-artifacts/bench-browser/visual.json: the results
    of a run (``benchmarks/results/``) are only ever written whole, by one run."""
    visual = {}
    for name in names:
        nb = root / f"visual_{name}.ipynb"
        make_notebook(nb, name, list(EXPLORER_WAYS), network_check=False)
        tab = open_notebook(browser, server, relay, nb, root, 2, list(EXPLORER_WAYS), [])
        try:
            visual[name] = {way: visual_check(tab, name, way) for way in EXPLORER_WAYS}
            print(f"{name}: visual", {w: {k: v.get(k) for k in ("over_8", "over_32", "max", "shift_device_px")}
                                      for w, v in visual[name].items()}, flush=True)
        finally:
            tab["context"].close()
            for session in server.api("GET", "/api/sessions"):
                server.api("DELETE", f"/api/sessions/{session['id']}")
    (ARTIFACTS / "visual.json").write_text(json.dumps(visual, indent=1))
    return 0


def way_key(way, dsf):
    return way if way in EXPLORER_WAYS else f"{way} @{dsf}×"


def main(argv=None):
    from momentum_lib.explorers import EXPLORERS

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="one explorer, one round, two presses: keeps the script working")
    ap.add_argument("--explorers", nargs="*", default=None, help="names (default: all)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--presses", type=int, default=6, help="key presses per slider, way, link, round")
    ap.add_argument("--no-ipympl", action="store_true",
                    help="only the explorers' two ways (png, layers), e.g. to re-run one explorer")
    ap.add_argument("--visual-only", action="store_true",
                    help="only the visual check, into test-artifacts/bench-browser/visual.json")
    args = ap.parse_args(argv)
    names = args.explorers or list(EXPLORERS)
    rounds, presses, drag_ms = args.rounds, args.presses, 1000
    out_dir = RESULTS
    if args.quick:
        names, rounds, presses, drag_ms = names[:1] if args.explorers else ["valley"], 1, 2, 300
        out_dir = ARTIFACTS
    if not bs.CHROMIUM.exists():
        print(f"{bs.CHROMIUM} not found: no browser benchmark")
        return 0 if args.quick else 1
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("the playwright package is not installed: no browser benchmark")
        return 0 if args.quick else 1

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    root, home = tmp / "root", tmp / "home"
    root.mkdir()
    home.mkdir()
    records, rounds_load, visual, notes = [], [], {}, []
    net = {}
    server = bs.start_jupyterlab(root, home)
    relay = DelayLine(int(server.base_url.rsplit(":", 1)[1]))
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    commit, load_start = provenance.commit(), provenance.load()
    try:
        with sync_playwright() as p:
            browser = bs.launch_chromium(p)
            vers = versions(browser)
            if args.visual_only:
                return visual_only(browser, server, relay, root, names)
            for e_index, name in enumerate(names):
                # One notebook (kernel, page) for the two explorers, one per ipympl figure
                # and scale: two ipympl figures in one notebook now and then left the second
                # without its first image.
                specs = [(2, list(EXPLORER_WAYS))] + ([] if args.no_ipympl else
                                                      [(dsf, [w]) for dsf in (2, 1) for w in MPL_WAYS])
                print(f"{name}: opening the notebooks (load {bs.load_average()})", flush=True)
                tabs = []
                try:
                    for dsf, ways in specs:
                        nb = root / f"bench_{name}_{'_'.join(ways)}_{dsf}x.ipynb"
                        make_notebook(nb, name, ways, network_check=(e_index == 0 and not tabs))
                        tabs.append(open_notebook(browser, server, relay, nb, root, dsf, ways, notes))
                    if e_index == 0:
                        net = network_check(tabs[0], repeats=2 if args.quick else 3)
                        print("network check (ms):", {k: [t["ms"] for t in v] for k, v in net.items()}, flush=True)
                    visual[name] = {}
                    for way in EXPLORER_WAYS:
                        try:
                            visual[name][way] = visual_check(tabs[0], name, way)
                        except Exception as exc:  # reported, the timings still run
                            visual[name][way] = {"problem": f"{type(exc).__name__}: {exc}"[:300]}
                    print(f"{name}: visual", {w: {k: v.get(k) for k in ('over_8', 'over_32', 'max', 'problem')}
                                              for w, v in visual[name].items()}, flush=True)
                    for rnd in range(1, rounds + 1):
                        load0 = bs.load_average()
                        for tab in tabs:
                            tab["page"].bring_to_front()
                            for way in tab["ways"]:
                                key = way_key(way, tab["dsf"])
                                tab["page"].locator(f".bench-way-{way}").scroll_into_view_if_needed()
                                for link in ("localhost", "link"):
                                    set_link(tab, link == "link")
                                    quiet = 150 if link == "localhost" else 300
                                    for slider in ("explorer-beta", "explorer-lr"):
                                        for k in range(presses):
                                            arrow = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                                            r = press(tab, way, slider, arrow, quiet)
                                            records.append({"explorer": name, "way": key, "round": rnd,
                                                            "link": link, "kind": "press", "slider": slider, **r})
                                # Towards the middle on localhost, back on the link: every round
                                # starts where the first did.
                                direction = bs.toward_middle(
                                    tab["page"].locator(f".bench-way-{way}"), "explorer-beta")
                                for link, sign in (("localhost", 1), ("link", -1)):
                                    set_link(tab, link == "link")
                                    try:
                                        d = drag(tab, way, sign * direction, duration_ms=drag_ms,
                                                 steps=max(10, drag_ms // 20))
                                    except PlaywrightTimeout as exc:
                                        note = (f"{name} @{tab['dsf']}× {key}, {link}, round {rnd}: "
                                                f"frames did not stop after a drag's release "
                                                f"({str(exc).splitlines()[0]}); that drag is not counted")
                                        print(note, flush=True)
                                        notes.append(note)
                                        continue
                                    records.append({"explorer": name, "way": key, "round": rnd, "link": link,
                                                     "kind": "drag", "duration_ms": drag_ms, **d})
                                set_link(tab, False)
                        rounds_load.append({"explorer": name, "round": rnd, "start": load0, "end": bs.load_average()})
                        print(f"{name}: round {rnd} done (load {load0} → {bs.load_average()})", flush=True)
                    for tab in tabs:
                        if tab["errors"]:
                            notes.append(f"{name} @{tab['dsf']}×: JavaScript errors {tab['errors'][:3]}")
                finally:
                    for tab in tabs:
                        tab["context"].close()
                    for session in server.api("GET", "/api/sessions"):
                        server.api("DELETE", f"/api/sessions/{session['id']}")
            browser.close()
    finally:
        relay.stop()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    summary, ratios = {}, {}
    for name in names:
        summary[name] = {}
        keys = [*EXPLORER_WAYS, *(f"{w} @2×" for w in MPL_WAYS), *(f"{w} @1×" for w in MPL_WAYS)]
        for key in keys:
            recs = [r for r in records if r["explorer"] == name and r["way"] == key]
            if recs:
                label = LABELS.get(key) or f"{LABELS[key.split(' @')[0]]} @{key.split(' @')[1]}"
                summary[name][label] = summary_row(recs)
        s = {k: summary_row([r for r in records if r["explorer"] == name and r["way"] == k]) for k in keys}

        def ratio(a, b):
            return round(a / b, 2) if a and b else None
        ratios[name] = {
            "bytes_png_over_layers": ratio(s["png"]["bytes_median"], s["layers"]["bytes_median"]),
            "link_png_over_layers": ratio(s["png"]["link_median"], s["layers"]["link_median"]),
            "bytes_blit_over_layers": ratio(s["ipympl-blit @2×"]["bytes_median"], s["layers"]["bytes_median"]),
            "link_blit_over_layers": ratio(s["ipympl-blit @2×"]["link_median"], s["layers"]["link_median"]),
            "link_idle_over_layers": ratio(s["ipympl-draw_idle @2×"]["link_median"], s["layers"]["link_median"]),
        }
    # Throttling, seen in the moves themselves: across ways, the link's extra time per
    # press against its bytes (least squares slope, s per byte → bytes per second).
    pairs = []
    for name in names:
        for key in {r["way"] for r in records if r["explorer"] == name}:
            recs = [r for r in records if r["explorer"] == name and r["way"] == key and r["kind"] == "press"]
            loc = [r["ms"] for r in recs if r["link"] == "localhost"]
            lnk = [r["ms"] for r in recs if r["link"] == "link"]
            if loc and lnk:
                pairs.append((statistics.median([r["bytes"] for r in recs]),
                              statistics.median(lnk) - statistics.median(loc)))
    fit = ""
    if len(pairs) >= 3:
        xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx > 0:
            slope = sum((x - mx) * (y - my) for x, y in pairs) / sxx
            fit = (f"Across the {len(pairs)} (explorer, way) pairs of this run, the link's extra median time per "
                   f"key press grows by {slope * 1000:.3f} ms per kB of the move (the link's 1.25e6 B/s alone "
                   f"would give 0.800 ms per kB), with {my - slope * mx:.0f} ms at zero bytes.")
    out = {"date": started, "commit": commit, "machine": provenance.machine(),
           "load_start": load_start, "load_end": provenance.load(), "quick": args.quick, "rounds": rounds, "presses": presses,
           "versions": vers, "link": LINK, "summary": summary, "ratios": ratios,
           "network_check": net, "throttle_fit": fit, "visual": visual, "rounds_load": rounds_load,
           "notes": notes, "raw": raw_numbers(records)}
    out_dir.mkdir(parents=True, exist_ok=True)
    write_report(out, out_dir / "browser.md", out_dir / "browser.json")
    print((out_dir / "browser.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
