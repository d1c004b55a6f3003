"""Shared pieces of the headless-Chromium tests: the app as a pytest fixture, the browser, and
finding the map's iframe once it shows something."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from spatial.testing.appserver import AppNotStarted, RunningApp, run_app
from spatial.testing.chromium import CHROMIUM_PATH, LEAFLET_MAP, launch, map_frames

STARTUP_LIMIT_S = 90
WAIT_MS = 60_000

#: Run before the page's scripts: Streamlit's websocket hands the page each message it
#: receives ``window.__gzHoldMs`` late, in the order they came, so a test can hold the
#: server's answer back.
HOLD = """(() => {
  const Native = window.WebSocket, queue = [];
  let timer = null;
  const deliver = () => {
    timer = null;
    while (queue.length && queue[0].due <= performance.now()) {
      const m = queue.shift();
      m.fn.call(m.self, m.e);
    }
    if (queue.length) { timer = setTimeout(deliver, queue[0].due - performance.now()); }
  };
  const held = (fn, self) => function (e) {
    const ms = window.__gzHoldMs || 0;
    if (!ms && !queue.length) { fn.call(self, e); return; }
    const last = queue.length ? queue[queue.length - 1].due : 0;
    queue.push({ fn: fn, self: self, e: e, due: Math.max(performance.now() + ms, last) });
    if (!timer) { timer = setTimeout(deliver, Math.max(0, queue[0].due - performance.now())); }
  };
  class Held extends Native {
    addEventListener(type, fn, options) {
      return super.addEventListener(type, type === "message" ? held(fn, this) : fn, options);
    }
    set onmessage(fn) { super.onmessage = fn ? held(fn, this) : null; }
    get onmessage() { return super.onmessage; }
  }
  window.WebSocket = Held;
})();"""


@contextlib.contextmanager
def app_for_test(
    log: Path, env: Mapping[str, str | None] | None = None, args: Sequence[str] = ()
) -> Iterator[RunningApp]:
    """:func:`spatial.testing.appserver.run_app`, failing the test (with the server's log) if it
    does not start."""
    try:
        with run_app(env=env, args=args, log=log, startup_s=STARTUP_LIMIT_S) as app:
            yield app
    except AppNotStarted as exc:
        pytest.fail(str(exc))


@contextlib.contextmanager
def project_app(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    """The URL of the app on the project's own layers (not the tests' slice), its log in a new
    folder ``name``: a module's ``app_url`` fixture."""
    log = tmp_path_factory.mktemp(name) / "streamlit.log"
    with app_for_test(log, env={"GZMAP_LAYERS_DIR": None}) as app:
        yield app.url


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright, or a skip that says what is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


def map_frame_with(page, selector: str, without: str | None = None, timeout_ms: int = WAIT_MS):
    """The frame holding the map once it holds ``selector`` (and, if given, no ``without``)."""
    from playwright.sync_api import Error

    waited = 0
    while waited <= timeout_ms:
        for frame in map_frames(page):
            try:
                if frame.locator(selector).count() and (
                    without is None or not frame.locator(without).count()
                ):
                    return frame
            except Error:  # the old map went away while being looked at
                continue
        page.wait_for_timeout(200)
        waited += 200
    raise AssertionError(f"no map showed {selector!r} within {timeout_ms / 1000:g} s")


def wait_settled(page, quiet_ms: int = 1500, timeout_ms: int = WAIT_MS) -> None:
    """Wait until the app has run no script for ``quiet_ms`` in a row, as a person looks at a
    new page before clicking on it: a busy server may still be in the page's run when the map
    is first drawn."""
    app = page.locator('[data-testid="stApp"]')
    quiet = waited = 0
    while waited <= timeout_ms:
        state = app.get_attribute("data-test-script-state")
        quiet = quiet + 100 if state == "notRunning" else 0
        if quiet >= quiet_ms:
            return
        page.wait_for_timeout(100)
        waited += 100
    raise AssertionError(f"the app kept running its script for {timeout_ms / 1000:g} s")


#: The Leaflet map of a frame: the app's (``LEAFLET_MAP``), a folium page's ``window.map``, or
#: any map the page made.
_MAP_JS = (
    f"(({LEAFLET_MAP}) || window.map"
    " || Object.values(window).find(v => window.L && v instanceof window.L.Map))"
)


def wait_map_still(frame, quiet_ms: int = 1500, timeout_ms: int = WAIT_MS) -> list:
    """Wait until the Leaflet map in ``frame`` has kept its zoom and centre for ``quiet_ms`` in a
    row (its first fits and re-fits while the page lays out are over); return [zoom, lat, lon]."""
    last = None
    quiet = waited = 0
    while waited <= timeout_ms:
        now = frame.evaluate(
            f"(() => {{ const m = {_MAP_JS}; if (!m) return null;"
            " const c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; })()"
        )
        quiet = quiet + 100 if now is not None and now == last else 0
        if quiet >= quiet_ms:
            return now
        last = now
        frame.page.wait_for_timeout(100)
        waited += 100
    raise AssertionError(f"the map kept moving for {timeout_ms / 1000:g} s (last at {last})")


def wait_until(predicate, what: str, timeout_ms: int = WAIT_MS, page=None):
    """Poll ``predicate()`` until it returns something true and return that; fail naming ``what``
    (a condition that must come to hold, not a fixed wait). With ``page``, the browser's events
    go on being handled between polls."""
    waited = 0
    while True:
        value = predicate()
        if value:
            return value
        if waited > timeout_ms:
            raise AssertionError(f"{what}: not so within {timeout_ms / 1000:g} s (last {value!r})")
        if page is None:
            time.sleep(0.1)
        else:
            page.wait_for_timeout(100)
        waited += 100


def point_of(element, lat: float, lon: float) -> tuple[float, float]:
    """The page position of a latitude and longitude on the map (in the map's datum)."""
    box = element.bounding_box()
    x, y = element.evaluate(
        f"el => {{ const p = el.gzMap.latLngToContainerPoint([{lat}, {lon}]);"
        " return [p.x, p.y]; }"
    )
    return box["x"] + x, box["y"] + y


def set_view(element, lat: float, lon: float, zoom: int) -> None:
    """Move the map as a person would: the client no longer frames what it first framed."""
    element.dispatch_event("keydown")
    element.evaluate(f"el => el.gzMap.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
