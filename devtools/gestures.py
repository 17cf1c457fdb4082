"""What a learner does to an explorer, done in a real page: key presses and mouse drags.

Each gesture waits for the figure it causes and returns what the page's probe
(``js/install_probe.js``) stamped, all on the page's own clock.
"""

from .page import explorer_states, script, wait_explorers_drawn


def install_probe(page):
    """Install the page's probe and watch every explorer; return how many are watched."""
    page.evaluate(script("install_probe"))
    return page.evaluate("() => window.__probe.watch()")


def explorer(page, index):
    return page.locator(".momentum-explorer").nth(index)


def move_slider(page, explorer_index, slider_class, key, timeout_ms=10_000):
    """Press ``key`` on one slider's handle; wait for the new image; return (ms to src
    change, ms to image decoded, readout before, readout after, src before, src after)."""
    handle = explorer(page, explorer_index).locator(f".{slider_class} .noUi-handle").first
    field = "beta" if slider_class == "explorer-beta" else "lr"
    before = explorer_states(page)[explorer_index]
    n, m = page.evaluate("(i) => window.__probe.counts(i)", explorer_index)
    handle.focus()
    page.keyboard.press(key)
    page.wait_for_function("([i, n, m]) => window.__probe.next(i, n, m) !== null",
                           arg=[explorer_index, n, m], timeout=timeout_ms)
    change, load = page.evaluate("([i, n, m]) => window.__probe.next(i, n, m)",
                                 [explorer_index, n, m])
    after = explorer_states(page)[explorer_index]
    return (change["at"] - change["key"], load["at"] - load["key"],
            before[field], after[field], before["src"], after["src"])


def exercise_explorers(page, moves_per_slider, shot_prefix):
    """Move every explorer's β and lr sliders with the keyboard, alternating
    ArrowRight/ArrowLeft so a slider never runs into its end; check figure and readout
    change on every move. Returns {"explorers": n, "src_ms": [...], "load_ms": [...]}
    and saves one screenshot per explorer."""
    states = wait_explorers_drawn(page)
    assert install_probe(page) == len(states)
    src_ms, load_ms, failures = [], [], []
    for i, state in enumerate(states):
        assert state["width"] > 0 and state["height"] > 0, f"explorer {i}: figure not drawn"
        assert state["hasBeta"] and state["hasLr"], f"explorer {i}: β or lr slider missing ({state})"
        explorer(page, i).scroll_into_view_if_needed()
        for cls in ("explorer-beta", "explorer-lr"):
            for k in range(moves_per_slider):
                key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                try:
                    t_src, t_load, r0, r1, s0, s1 = move_slider(page, i, cls, key)
                except Exception as exc:  # playwright TimeoutError: no new image came
                    failures.append(f"explorer {i} {cls} move {k} ({key}): no new image ({exc.__class__.__name__})")
                    continue
                if r0 == r1:
                    failures.append(f"explorer {i} {cls} move {k}: readout stayed {r0!r}")
                if s0 == s1:
                    failures.append(f"explorer {i} {cls} move {k}: image src unchanged")
                src_ms.append(t_src)
                load_ms.append(t_load)
        explorer(page, i).screenshot(path=f"{shot_prefix}-explorer{i + 1}.png")
    assert not failures, "\n".join(failures)
    return {"explorers": len(states), "src_ms": src_ms, "load_ms": load_ms}


def click_resets(page):
    """Press every explorer's reset button (a real click) and let the kernel answer."""
    buttons = page.locator(".momentum-explorer .explorer-reset")
    for i in range(buttons.count()):
        buttons.nth(i).scroll_into_view_if_needed()
        buttons.nth(i).click()
    page.wait_for_timeout(1500)


def _handle_and_track(box, slider_class):
    return (box.locator(f".{slider_class} .noUi-handle").first.bounding_box(),
            box.locator(f".{slider_class} .noUi-target").first.bounding_box())


def _middleward(h, t):
    return 1 if h["x"] + h["width"] / 2 < t["x"] + t["width"] / 2 else -1


def toward_middle(box, slider_class):
    """+1 if the handle of ``box``'s slider ``slider_class`` is left of its track's middle,
    else −1."""
    return _middleward(*_handle_and_track(box, slider_class))


def mouse_drag(page, box, slider_class, direction, duration_ms, steps, fraction=0.4):
    """Press the mouse on the handle of ``box``'s slider ``slider_class``, move it over
    ``fraction`` of the track in ``steps`` moves spread over ``duration_ms``, and release.
    ``direction`` is +1 (right) or −1 (left); None: toward the middle of the track."""
    box.scroll_into_view_if_needed()
    h, t = _handle_and_track(box, slider_class)
    if direction is None:
        direction = _middleward(h, t)
    x0, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    distance = direction * fraction * t["width"]
    page.mouse.move(x0, y)
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(x0 + distance * k / steps, y)
        page.wait_for_timeout(duration_ms / steps)
    page.mouse.up()


def frames_around_release(page, source, key, gesture, quiet_ms, timeout_ms):
    """Run ``gesture`` (a mouse drag), wait until no frame has come for ``quiet_ms`` since
    the release, and return (frames shown before the release, the stamps of those shown
    after it, the release time). ``source``: ``"probe"`` (the frames of explorer ``key``)
    or ``"bench"`` (those of the benchmark's way ``key``, ``window.__bench``)."""
    n0 = page.evaluate(script("frames_since"), [source, key, None])
    gesture()
    page.wait_for_function(script("release_quiet"), arg=[source, key, quiet_ms], polling=50,
                           timeout=timeout_ms)
    stamps, up_at = page.evaluate(script("frames_since"), [source, key, n0])
    after = [at for at in stamps if at > up_at]
    return len(stamps) - len(after), after, up_at


def drag_slider(page, explorer_index, slider_class, duration_ms=500, steps=25, quiet_ms=1500,
                timeout_ms=20_000, direction=None, fraction=0.4):
    """Drag one slider's handle with the mouse for ``duration_ms`` over ``fraction`` of its
    track (toward its middle unless ``direction`` is ±1), release, and wait until its figure
    has stopped changing for ``quiet_ms``.

    Returns the frames (image src changes) drawn during the drag and after the release,
    the outdated ones among the latter (all but the last), release → last frame in ms, and
    the readout and image src before and after.
    """
    box = explorer(page, explorer_index)
    field = "beta" if slider_class == "explorer-beta" else "lr"
    before = explorer_states(page)[explorer_index]
    during, after, up_at = frames_around_release(
        page, "probe", explorer_index,
        lambda: mouse_drag(page, box, slider_class, direction, duration_ms, steps, fraction),
        quiet_ms, timeout_ms)
    now = explorer_states(page)[explorer_index]
    return {"frames_during": during, "frames_after_release": len(after),
            "outdated_after_release": max(0, len(after) - 1),
            "release_to_final_ms": round(after[-1] - up_at, 1) if after else 0.0,
            "readout": (before[field], now[field]), "src": (before["src"], now["src"])}

