"""What the user feels in a browser, with anchors measured in the same run.

Headless Chromium (Playwright) at 1600×1000, a new browser context for every new page (nothing
in the browser's cache). Rows, each with min / median / max over ``runs``:

* **6a** a new page of the app (``?roles=park&basemap=none``) until the first frame drawn with
  markers, taken in turns with two anchors: **Streamlit's hello page** (a title and a line of
  text, until the title is drawn) and **a static page** of the same layers (the map client on
  a page any web server serves, :mod:`spatial.webmap.site`); the ratios app / anchor; and
  when the sidebar's filters are drawn (the app's page draws the map before Streamlit's front
  end starts, ``static/gzmap/preboot.js``: the filters come after it);
* **6b** a filter click (清除筛选 Clear filters on that view) until the frame drawn with the
  other roles' markers, from the pointer pressed on the button as the page saw it (and the
  share of clicks the map drew before the server's answer, ``static/gzmap/predict.js``), taken
  in turns with its anchor: **a bare Streamlit page** whose button reruns the script and draws
  more marks (the round trip through Streamlit alone); **6c** the same with 10,000 more parks;
* **6d** the websocket bytes of that click (the messages as the browser receives them);
* **6e** script runs a new page causes; **6f** bytes a new page downloads, first visit and
  repeat visit (transfer sizes as the browser reports them, and the websocket's messages);
* **6g** the server's CPU time for one new page opened in Chromium (psutil, the app's
  processes), to set beside the protocol client's figure of ``--load``.

Both ends of a time are read in the page (a probe notes the press and the frame drawn after
each change in the number of markers), so neither Playwright's checks nor polling count.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.servers import Server, serve
from spatial._paths import ROOT
from spatial.testing.chromium import CHROMIUM_PATH, launch

#: Run in every document before its own scripts: notes, after each change in the number of
#: elements matching ``window.__gzWatch`` (markers by default), when the next frame has been
#: drawn (``__gzDrawn``: [wall-clock ms, count]), and when a pointer was pressed (``__gzPress``).
PROBE = """(() => {
  if (window.__gzDrawn) { return; }
  window.__gzDrawn = [];
  window.__gzPress = [];
  var clock = function () { return performance.timeOrigin + performance.now(); };
  document.addEventListener("pointerdown", function (e) {
    window.__gzPress.push(performance.timeOrigin + e.timeStamp);
  }, true);
  var last = -1, watched = null;
  function count() {
    if (!window.__gzControls && document.querySelector(window.__gzControlsAt)) {
      window.__gzControls = -1;  // the sidebar's filters drawn (the app's page)
      requestAnimationFrame(function () {
        setTimeout(function () { window.__gzControls = clock(); }, 0);
      });
    }
    var n = document.querySelectorAll(window.__gzWatch || ".gz-marker").length;
    if (n === last) { return; }
    last = n;
    requestAnimationFrame(function () {
      setTimeout(function () { window.__gzDrawn.push([clock(), n]); }, 0);
    });
  }
  // A frame whose document is rewritten in place (an older map component wrote its page
  // into an about:blank frame) keeps this window: watch whichever document is current.
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

VIEW = "/?roles=park&basemap=none"
#: The app's sidebar filters, drawn (row 6a's other side: what the map drawn first costs them).
CONTROLS = ".st-key-roles [data-testid='stMultiSelectTagsContainer']"
HELLO_APP = ROOT / "benchmarks" / "hello_app.py"
RERUN_APP = ROOT / "benchmarks" / "rerun_app.py"


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on a free loopback port (a static page's server)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def static_site(folder: Path) -> Path:
    """The static anchor: the map client on a page of the project's layers, the app's view."""
    from spatial.geo.base import load_districts
    from spatial.plans.layers import load_layers
    from spatial.query.features import Selection, select
    from spatial.symbology import view_symbology
    from spatial.webmap import client
    from spatial.webmap.site import write_page, write_site

    gdf = load_layers()
    site = write_site(folder, gdf, districts=load_districts())
    sel = Selection(roles=("park",))
    view = client.view_selection(select(gdf, sel), gdf["role"], site.position,
                                 view_symbology(gdf, sel))
    bounds = view.pop("bounds")
    view.update(key="parks", highlight=-1, frame={"key": "", "bounds": bounds}, focus=None,
                unsited=[])
    return write_page(site, site.message(view))


class Watch:
    """A page with the probe, its websocket messages counted as they arrive."""

    def __init__(self, browser: Any, watch: str = ".gz-marker") -> None:
        self.context = browser.new_context(viewport={"width": 1600, "height": 1000},
                                           locale="zh-CN")
        self.context.add_init_script(PROBE.replace("window.__gzWatch", repr(watch))
                                     .replace("window.__gzControlsAt", repr(CONTROLS)))
        self.page = self.context.new_page()
        self.frames: list[tuple[float, bytes]] = []
        self.page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda data: self.frames.append((time.time(), _bytes(data)))))

    def drawn(self, page: Any = None) -> list[tuple[float, int]]:
        """(seconds since the epoch, count) after each frame drawn with a new count, over the
        page (default this one) and its frames."""
        seen: list[tuple[float, int]] = []
        for frame in (page or self.page).frames:
            with contextlib.suppress(Exception):  # a frame going away while being looked at
                seen += [(t / 1000, int(n)) for t, n in frame.evaluate("window.__gzDrawn || []")]
        return sorted(seen)

    def wait_drawn(self, done: Callable[[int], bool], since: float, timeout: float = 60) -> float:
        """Epoch seconds of the first frame drawn after ``since`` whose count satisfies ``done``."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            hits = [t for t, n in self.drawn() if t >= since and done(n)]
            if hits:
                return hits[0]
            self.page.wait_for_timeout(25)
        raise RuntimeError("the page did not draw in time")

    def runs_and_bytes(self, since: float) -> tuple[int, int]:
        """Script runs finished, and websocket bytes received, since ``since``."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        runs = size = 0
        for t, data in self.frames:
            if t < since:
                continue
            size += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            runs += msg.WhichOneof("type") == "script_finished"
        return runs, size

    def wait_quiet(self, quiet_ms: int = 1500, timeout_ms: int = 60_000) -> None:
        """Until the app has run no script for ``quiet_ms``."""
        app = self.page.locator('[data-testid="stApp"]')
        quiet = waited = 0
        while waited <= timeout_ms and quiet < quiet_ms:
            state = app.get_attribute("data-test-script-state")
            quiet = quiet + 100 if state == "notRunning" else 0
            self.page.wait_for_timeout(100)
            waited += 100

    def transferred(self) -> int:
        """Bytes the page fetched over HTTP (transfer sizes: headers and compressed bodies)."""
        return int(self.page.evaluate(
            "performance.getEntriesByType('navigation').concat("
            "performance.getEntriesByType('resource'))"
            ".reduce((a, e) => a + (e.transferSize || 0), 0)"
        ))

    def close(self) -> None:
        self.context.close()


def _bytes(data: Any) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def first_drawn(browser: Any, url: str, watch: str = ".gz-marker") -> float:
    """Seconds from opening ``url`` in a new context to the first frame drawn with ``watch``."""
    w = Watch(browser, watch)
    try:
        t0 = time.time()
        w.page.goto(url, wait_until="commit")
        return w.wait_drawn(lambda n: n > 0, t0) - t0
    finally:
        w.close()


def press_drawn(w: Watch, button: str = "清除筛选 Clear filters") -> float:
    """Seconds from the pointer pressed on ``button`` to the first frame drawn with more marks
    than before (both ends read in the page)."""
    before = max((n for _t, n in w.drawn()), default=0)
    w.page.evaluate("window.__gzPress = []")
    w.page.get_by_role("button", name=button).click()
    pressed = w.page.evaluate("window.__gzPress[0]") / 1000
    return w.wait_drawn(lambda n: n > before, pressed) - pressed


def rerun_click(browser: Any, url: str) -> float:
    """Row 6b's anchor: a new page of :data:`RERUN_APP`, then its button until redrawn."""
    w = Watch(browser)
    try:
        t0 = time.time()
        w.page.goto(url, wait_until="commit")
        w.wait_drawn(lambda n: n > 0, t0)
        w.wait_quiet()
        return press_drawn(w)
    finally:
        w.close()


def app_session(browser: Any, server: Server | None, url: str) -> dict[str, float]:
    """A new page of the app: first markers, script runs, bytes (first and repeat visit),
    server CPU (when ``server`` can tell); then the filter click: time to redrawn, websocket
    bytes."""
    w = Watch(browser)
    usage = (lambda: server.usage().cpu) if server is not None else (lambda: float("nan"))
    try:
        cpu0 = usage()
        t0 = time.time()
        w.page.goto(url + VIEW, wait_until="commit")
        first = w.wait_drawn(lambda n: n > 0, t0) - t0
        w.wait_quiet()
        controls = w.page.evaluate("window.__gzControls || 0") / 1000 - t0
        cpu = usage() - cpu0
        runs, ws_bytes = w.runs_and_bytes(t0)
        first_bytes = w.transferred() + ws_bytes
        clicked = time.time()
        click = press_drawn(w)
        w.wait_quiet(quiet_ms=800)
        _runs, click_bytes = w.runs_and_bytes(clicked)
        # whether the map drew the click before the server's answer (static/gzmap/predict.js)
        foreseen = w.page.evaluate(
            "(document.querySelector('[data-gz-predicted]') || {getAttribute: () => ''})"
            ".getAttribute('data-gz-predicted')"
        ) == "match"
        # a repeat visit: the same browser (its cache), a new page
        again = w.context.new_page()
        again.goto(url + VIEW)
        while not any(n > 0 for _t, n in w.drawn(again)):
            again.wait_for_timeout(50)
        again.wait_for_timeout(1500)
        repeat = int(again.evaluate(
            "performance.getEntriesByType('navigation').concat("
            "performance.getEntriesByType('resource'))"
            ".reduce((a, e) => a + (e.transferSize || 0), 0)"
        )) + ws_bytes
        return {"first": first, "controls": controls, "runs": runs, "bytes": first_bytes, "repeat": repeat,
                "cpu": cpu, "click": click, "click_bytes": click_bytes,
                "foreseen": float(foreseen)}
    finally:
        w.close()


def _stats(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def bench_browser(runs: int, scale_n: int) -> list[Any]:
    """Rows 6a-6g (see the module's notes)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.__main__ import Row, write_synthetic_layers

    if not CHROMIUM_PATH.exists():
        print("browser rows skipped: no Chromium at " + str(CHROMIUM_PATH), file=sys.stderr)
        return []
    app: list[dict[str, float]] = []
    hello: list[float] = []
    static: list[float] = []
    rerun: list[float] = []
    big: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        page = static_site(Path(tmp) / "site")
        browser = launch(pw)
        try:
            with serve() as server, serve(app=HELLO_APP) as hello_server, \
                    serve(app=RERUN_APP) as rerun_server, \
                    static_server(page.parent) as site_url:
                app_session(browser, server, server.url)  # warms the server's caches
                first_drawn(browser, hello_server.url, "h1")
                first_drawn(browser, f"{site_url}/{page.name}")
                rerun_click(browser, rerun_server.url)
                for _ in range(runs):  # in turns, so the machine's moments fall on all four
                    app.append(app_session(browser, server, server.url))
                    hello.append(first_drawn(browser, hello_server.url, "h1"))
                    static.append(first_drawn(browser, f"{site_url}/{page.name}"))
                    rerun.append(rerun_click(browser, rerun_server.url))
            layers = write_synthetic_layers(Path(tmp) / "big", scale_n)
            with serve(env={"GZMAP_LAYERS_DIR": str(layers)}) as server:
                app_session(browser, server, server.url)
                big = [app_session(browser, server, server.url) for _ in range(max(1, runs // 2))]
        finally:
            browser.close()

    def col(rows: list[dict[str, float]], key: str) -> list[float]:
        return [r[key] for r in rows]

    first = _stats(col(app, "first"))
    ratio_hello = first[1] / statistics.median(hello)
    ratio_static = first[1] / statistics.median(static)
    return [
        Row("6a new page -> first markers (app)", first, "s", target=None),
        Row("6a new page -> the sidebar's filters drawn (app)", _stats(col(app, "controls")),
            "s"),
        Row("6a anchor: Streamlit hello page -> title drawn", _stats(hello), "s"),
        Row("6a anchor: static page, same layers -> first markers", _stats(static), "s"),
        Row("6a ratio app / hello (medians)", ratio_hello, "×", target=1.3),
        Row("6a ratio app / static page (medians)", ratio_static, "×", target=4.0),
        Row("6b filter click -> redrawn", _stats(col(app, "click")), "s", target=0.150),
        Row("6b clicks drawn before the server's answer (foreseen)",
            sum(col(app, "foreseen")) / max(1, len(app)), "%"),
        Row("6b anchor: bare Streamlit page, button -> redrawn", _stats(rerun), "s"),
        Row("6b ratio app / bare Streamlit page (medians)",
            statistics.median(col(app, "click")) / statistics.median(rerun), "×"),
        Row(f"6c filter click -> redrawn, {scale_n:,} more parks", _stats(col(big, "click")), "s",
            target=1.0 if scale_n <= 10_000 else None),
        Row("6d websocket bytes per filter change", _stats(col(app, "click_bytes")), "B",
            target=10e3),
        Row("6e script runs per new page", _stats(col(app, "runs")), "runs", target=1),
        Row("6f bytes per new page, first visit", _stats(col(app, "bytes")), "B"),
        Row("6f bytes per new page, repeat visit", _stats(col(app, "repeat")), "B"),
        Row("6g server CPU per new Chromium page", _stats(col(app, "cpu")), "s"),
    ]


def compare(other: Path, rounds: int) -> list[str]:
    """Rows 6a, 6b and 6d of this checkout against another one, served side by side and opened
    in turn (``rounds`` new pages each), so both meet the machine in the same moments.

    The browser figures follow the machine's load more than any change: compared across runs,
    a change smaller than ~0.3 s is lost in the noise.
    """
    from playwright.sync_api import sync_playwright

    from spatial.testing.appserver import run_app

    figures: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
    with serve() as this, run_app(root=other) as that, sync_playwright() as pw:
        browser = launch(pw)
        try:
            for url in (this.url, that.url):
                app_session(browser, None, url)  # warm
            for _ in range(rounds):
                figures["this"].append(app_session(browser, this, this.url))
                figures["other"].append(app_session(browser, None, that.url))
        finally:
            browser.close()
    lines = []
    for label, name in (("other", str(other)), ("this", "this checkout")):
        firsts = [f["first"] for f in figures[label]]
        clicks = [f["click"] for f in figures[label]]
        sizes = [f["click_bytes"] for f in figures[label]]
        controls = [f["controls"] for f in figures[label]]
        lines.append(
            f"{name}: 6a {statistics.median(firsts):.2f} s ({', '.join(f'{x:.2f}' for x in firsts)}),"
            f" filters drawn {statistics.median(controls):.2f} s"
            f" ({', '.join(f'{x:.2f}' for x in controls)}),"
            f" 6b {statistics.median(clicks) * 1000:.0f} ms"
            f" ({', '.join(f'{x * 1000:.0f}' for x in clicks)}),"
            f" 6d {statistics.median(sizes) / 1000:.2f} KB"
            f" ({', '.join(f'{x / 1000:.2f}' for x in sizes)})"
        )
    return lines


def real_page(server: Server, link: str = "") -> tuple[list[str], float]:
    """One new page opened in Chromium at ``?link``: the paths of the files it fetched from
    the server (besides the page itself), and the server's CPU seconds for it (until its
    script has finished running). What a browser does, for the load client to model."""
    from urllib.parse import urlsplit

    from playwright.sync_api import sync_playwright

    origin = urlsplit(server.url).netloc
    paths: list[str] = []
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            w = Watch(browser)
            w.page.on("request", lambda r: paths.append(r.url) if r.method == "GET" else None)
            cpu0 = server.usage().cpu
            t0 = time.time()
            w.page.goto(f"{server.url}/?{link}", wait_until="commit")
            try:
                w.wait_drawn(lambda n: n > 0, t0)
            except RuntimeError:
                raise RuntimeError("the map did not draw within 60 s") from None
            w.wait_quiet()
            cpu = server.usage().cpu - cpu0
            w.close()
        finally:
            browser.close()
    own = []
    for url in paths:
        parts = urlsplit(url)
        if parts.netloc == origin and parts.path not in ("/", "/_stcore/stream"):
            own.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(own)), cpu
