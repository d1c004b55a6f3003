"""What the user feels in a browser: a filter click until the new features are drawn.

The app runs under ``streamlit run`` and is driven by headless Chromium (Playwright). A run
opens a view filtered to parks (``?roles=park``), waits for the map, clicks 清除筛选 Clear
filters and times until the map shows the other roles' markers. The app draws the features
into the map already on the page; its baseline is the same app with ``GZMAP_MAP_RELOAD=1``,
where every change reloads the whole map (the behaviour before). The first map of a new
session with warm server caches is timed too.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spatial.testing.appserver import run_app
from spatial.testing.chromium import CHROMIUM_PATH, launch, map_frames

#: Run in every document of the page before its own scripts. In the map's frames it notes,
#: after each change in the number of markers, when the next frame has been drawn
#: (``__gzDrawn``: [wall-clock ms, markers]); in the page, when a pointer was pressed
#: (``__gzPress``). The map's frame starts as about:blank and keeps that window when it loads
#: the component, without running this again, so the watch on its new document starts from
#: the first element the component adds (its scripts, before any map is drawn).
PROBE = """(() => {
  if (window.__gzDrawn) { return; }
  window.__gzDrawn = [];
  window.__gzPress = [];
  var clock = function () { return performance.timeOrigin + performance.now(); };
  if (window === window.top) {
    document.addEventListener("pointerdown", function (e) {
      window.__gzPress.push(performance.timeOrigin + e.timeStamp);
    }, true);
    return;
  }
  var watched = null, last = -1;
  function count() {
    var n = document.querySelectorAll(".gz-marker").length;
    if (n === last) { return; }
    last = n;
    requestAnimationFrame(function () {
      setTimeout(function () { window.__gzDrawn.push([clock(), n]); }, 0);
    });
  }
  function watch() {
    if (watched === document) { return; }
    watched = document;
    new MutationObserver(count).observe(document, {subtree: true, childList: true});
    count();
  }
  var append = Element.prototype.appendChild;
  Element.prototype.appendChild = function (child) { watch(); return append.call(this, child); };
  watch();
})();"""


@contextlib.contextmanager
def app_server(layers: Path | None, reload: bool, root: Path | None = None) -> Iterator[str]:
    """``streamlit run`` of the app (of the checkout at ``root``, default this one) on a free
    port; yields its URL."""
    env: dict[str, str | None] = {"GZMAP_MAP_RELOAD": "1" if reload else "0"}
    if layers is not None:
        env["GZMAP_LAYERS_DIR"] = str(layers)
    with run_app(env=env, root=root) as app:
        yield app.url


def _drawn(page: Any) -> list[tuple[float, int]]:
    """(seconds since the epoch, markers) after each frame that drew a new number of markers,
    over the page's map frames."""
    seen: list[tuple[float, int]] = []
    for frame in map_frames(page):
        with contextlib.suppress(Exception):  # a frame going away while being looked at
            seen += [(t / 1000, int(n)) for t, n in frame.evaluate("window.__gzDrawn || []")]
    return sorted(seen)


def _wait_drawn(page: Any, done: Any, since: float, timeout_s: float = 60.0) -> float:
    """Epoch seconds of the first frame drawn after ``since`` whose markers satisfy ``done``."""
    t0 = time.time()
    while time.time() - t0 < timeout_s:
        hits = [t for t, n in _drawn(page) if t >= since and done(n)]
        if hits:
            return hits[0]
        page.wait_for_timeout(25)
    raise RuntimeError("the map did not change in time")


def click_to_drawn(url: str, runs: int) -> tuple[float, float]:
    """Median seconds of (first map drawn in a new session, filter click -> features drawn).

    A new session runs from the call that opens the page to the first frame drawn with
    markers. A click runs from the pointer pressed on the button (as the page saw it; not the
    automation's own checks before it presses) to the first frame drawn with more markers.
    Both ends are read in the browser, so polling from here adds nothing to the figures.
    """
    from playwright.sync_api import sync_playwright

    firsts: list[float] = []
    clicks: list[float] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            for i in range(runs + 1):  # the first run warms the server's caches
                page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
                page.add_init_script(PROBE)
                t0 = time.time()
                page.goto(f"{url}/?roles=park&basemap=none", wait_until="commit")
                first = _wait_drawn(page, lambda n: n > 0, t0) - t0
                page.wait_for_timeout(800)  # the map settles (its first value reaches the app)
                parks = max(n for _t, n in _drawn(page))
                page.evaluate("window.__gzPress = []")
                page.get_by_role("button", name="清除筛选 Clear filters").click()
                pressed = page.evaluate("window.__gzPress[0]") / 1000
                took = _wait_drawn(page, lambda n, parks=parks: n > parks, pressed) - pressed
                if i:
                    firsts.append(first)
                    clicks.append(took)
                page.close()
        finally:
            browser.close()
    return statistics.median(firsts), statistics.median(clicks)


def bench_browser(runs: int, scale_n: int) -> list[Any]:
    """Rows 6a-6c: first map and filter click -> features drawn, dynamic vs full reload."""
    from benchmarks.__main__ import Row, write_synthetic_layers

    if not CHROMIUM_PATH.exists():
        print("browser rows skipped: no Chromium at " + str(CHROMIUM_PATH), file=sys.stderr)
        return []
    figures: dict[tuple[str, bool], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        big = write_synthetic_layers(tmp, scale_n)
        for label, layers in (("real", None), ("big", big)):
            for reload in (False, True):
                with app_server(layers, reload) as url:
                    figures[label, reload] = click_to_drawn(url, runs)
    return [
        Row("6a map drawn in a new session, warm (Chromium)", figures["real", False][0], "s",
            baseline=figures["real", True][0], target=2.0),
        Row("6b filter click -> features drawn (Chromium)", figures["real", False][1], "s",
            baseline=figures["real", True][1], target=0.5),
        Row(f"6c filter click -> drawn, {scale_n:,} more parks", figures["big", False][1], "s",
            baseline=figures["big", True][1], target=1.0 if scale_n <= 10_000 else None),
    ]


def compare(other: Path, rounds: int) -> list[str]:
    """Rows 6a and 6b of this checkout against another one, served side by side and opened in
    turn (``rounds`` × 3 new pages each), so both meet the machine in the same moments.

    The browser figures follow the machine's load more than any change: compared across runs,
    a change smaller than ~0.3 s is lost in the noise.
    """
    figures: dict[str, tuple[list[float], list[float]]] = {"this": ([], []), "other": ([], [])}
    with app_server(None, False) as this, app_server(None, False, root=other) as that:
        for _ in range(rounds):
            for label, url in (("this", this), ("other", that)):
                first, click = click_to_drawn(url, 3)
                figures[label][0].append(first)
                figures[label][1].append(click)
    lines = []
    for label, name in (("other", str(other)), ("this", "this checkout")):
        firsts, clicks = figures[label]
        lines.append(
            f"{name}: 6a {statistics.median(firsts):.2f} s ({', '.join(f'{x:.2f}' for x in firsts)}),"
            f" 6b {statistics.median(clicks) * 1000:.0f} ms"
            f" ({', '.join(f'{x * 1000:.0f}' for x in clicks)})"
        )
    return lines
