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

from spatial._appserver import run_app
from spatial._chromium import CHROMIUM_PATH, launch, map_frames

MARKERS = "document.querySelectorAll('.gz-marker').length"


@contextlib.contextmanager
def app_server(layers: Path | None, reload: bool) -> Iterator[str]:
    """``streamlit run`` of the app on a free port; yields its URL."""
    env: dict[str, str | None] = {"GZMAP_MAP_RELOAD": "1" if reload else "0"}
    if layers is not None:
        env["GZMAP_LAYERS_DIR"] = str(layers)
    with run_app(env=env) as app:
        yield app.url


def _markers(page: Any) -> int:
    """Markers drawn in the map on the page now (the largest count over its frames)."""
    best = -1
    for frame in map_frames(page):
        with contextlib.suppress(Exception):  # a frame going away while being looked at
            best = max(best, int(frame.evaluate(MARKERS)))
    return best


def _wait(page: Any, done: Any, timeout_s: float = 60.0) -> float:
    """Seconds until ``done(markers)`` holds, polling every 10 ms."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        if done(_markers(page)):
            return time.perf_counter() - t0
        page.wait_for_timeout(10)
    raise RuntimeError("the map did not change in time")


def click_to_drawn(url: str, runs: int) -> tuple[float, float]:
    """Median seconds of (first map drawn in a new session, filter click -> features drawn)."""
    from playwright.sync_api import sync_playwright

    firsts: list[float] = []
    clicks: list[float] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            for i in range(runs + 1):  # the first run warms the server's caches
                page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
                t0 = time.perf_counter()
                page.goto(f"{url}/?roles=park&basemap=none")
                _wait(page, lambda n: n > 0)
                first = time.perf_counter() - t0
                page.wait_for_timeout(800)  # the map settles (its first value reaches the app)
                parks = _markers(page)
                page.get_by_role("button", name="清除筛选 Clear filters").click()
                took = _wait(page, lambda n, parks=parks: n > parks)
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
