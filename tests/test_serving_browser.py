"""The app through the proxy in headless Chromium: the page loads within the proxy's
Content-Security-Policy and limits, its icons come from a small font, and other sites cannot
frame it.

nginx + 1 replica started by ``deploy/run.sh`` with the production limits. Needs nginx and
Debian's Chromium; skips, saying so, without them.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import re
import threading
from collections.abc import Iterator

import pytest
from _browser import WAIT_MS, chromium, wait_settled
from _serving import STREAMLIT_STATIC, map_drawn, needs_nginx, open_dir, serve_proxied

from benchmarks.servers import Server

pytestmark = [pytest.mark.browser, needs_nginx]

#: In every document: note each Content-Security-Policy violation.
RECORD_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(
    [e.violatedDirective, e.blockedURI, e.sourceFile || location.href].join(" "));
}, true);"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with open_dir() as folder, serve_proxied(
        1, folder / "run", env={"GZMAP_PAGES_PER_CLIENT": ""}
    ) as running:  # empty: deploy/run.sh's default limit
        yield running


def violations(page) -> list[str]:
    seen = []
    for frame in page.frames:
        try:
            seen += frame.evaluate("window.__csp || []")
        except Exception:
            continue
    return seen


def test_the_page_loads_within_the_proxys_policy_and_limits(server: Server, tmp_path) -> None:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        responses, console = [], []
        page.on("response", lambda r: responses.append((r.status, r.url, r.headers)))
        page.on("console", lambda m: console.append(m.text))
        page.goto(server.url + "/?basemap=osm")
        page.wait_for_function("document.readyState === 'complete'")
        waited = 0
        while not map_drawn(page):
            assert waited < WAIT_MS, "no map drawn"
            page.wait_for_timeout(200)
            waited += 200
        page.get_by_role("tab", name=re.compile("概览")).click()  # the overview chart (Vega)
        page.locator(".vega-embed svg, .vega-embed canvas").first.wait_for(timeout=WAIT_MS)
        page.screenshot(path=tmp_path / "through-nginx.png")

        assert violations(page) == []
        assert [m for m in console if "Content Security Policy" in m] == []
        ours = [(s, u, h) for s, u, h in responses if u.startswith(server.url)]
        assert len(ours) > 50  # Streamlit's front end, file by file
        assert [(s, u) for s, u, _ in ours if s >= 400] == []  # nothing refused (429) or lost
        assert [u for _, u, h in ours if h.get("x-content-type-options") != "nosniff"] == []
        # Scripts and styles travel compressed (all but those under 1 KB): gzip, or brotli
        # once its copies are made.
        assert [u for _, u, h in ours if re.search(r"\.(js|css)$", u)
                and h.get("content-encoding") not in ("gzip", "br")
                and int(h.get("content-length", 0)) >= 1024] == []

        # A second visit takes Streamlit's front end from the browser's cache (content-hashed
        # names, kept a year), asking the proxy for none of it.
        again = context.new_page()
        cdp = context.new_cdp_session(again)
        cdp.send("Network.enable")
        fetched, cached = {}, set()  # request id -> url; ids answered by the cache
        cdp.on("Network.requestWillBeSent", lambda e: fetched.update({
            e["requestId"]: e["request"]["url"]}))
        cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", lambda e: (
            e["response"].get("fromDiskCache") or e["response"].get("fromMemoryCache")
        ) and cached.add(e["requestId"]))
        again.goto(server.url + "/?basemap=osm")
        waited = 0
        while not map_drawn(again):
            assert waited < WAIT_MS, "no map drawn on the second visit"
            again.wait_for_timeout(200)
            waited += 200
        front_end = {i: u for i, u in fetched.items() if u.startswith(server.url + "/static/")}
        assert len(front_end) > 50
        assert [u for i, u in front_end.items() if i not in cached] == []
        context.close()


#: Every icon Streamlit's front end can draw (it names them ``:material/<name>:``).
FRONT_END_ICONS = sorted({
    name for script in (STREAMLIT_STATIC / "static" / "js").glob("*.js")
    for name in re.findall(r":material/([a-z0-9_]+):", script.read_text(errors="replace"))
})
#: The icon font as Streamlit ships it: every Material Symbols icon.
SHIPPED_ICON_FONT = next((STREAMLIT_STATIC / "static" / "media").glob("MaterialSymbols-*.woff2"))

#: A row of icons (one span each, 24 px) in the given font family, added to the page.
ICON_ROW = """([id, family, names]) => {
  const row = document.createElement("div");
  row.id = id;
  row.style.cssText = "position:fixed;left:0;top:0;z-index:2147483647;background:#fff;" +
    "display:flex;flex-wrap:wrap;width:960px;font-size:24px;line-height:1;color:#000";
  for (const name of names) {
    const icon = document.createElement("span");
    icon.textContent = name;
    icon.style.cssText = `font-family:'${family}';display:inline-block;white-space:nowrap`;
    row.appendChild(icon);
  }
  document.body.appendChild(row);
}"""


def test_icons_come_from_a_small_font_and_draw_as_in_streamlits_own(
    server: Server, tmp_path
) -> None:
    shipped = base64.b64encode(SHIPPED_ICON_FONT.read_bytes()).decode()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        fonts = []  # (bytes on the wire, url) of each font fetched
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        urls = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.update({
            e["requestId"]: e["request"]["url"]}))
        cdp.on("Network.loadingFinished", lambda e: urls.get(e["requestId"], "").endswith(
            ".woff2") and fonts.append((e["encodedDataLength"], urls[e["requestId"]])))
        page.goto(server.url + "/?basemap=none")
        waited = 0
        while not map_drawn(page):
            assert waited < WAIT_MS, "no map drawn"
            page.wait_for_timeout(200)
            waited += 200
        # The page's own icons (the sidebar's button, the expanders' chevrons) are drawn as
        # icons, one square glyph each, not as their names (with Streamlit's page, which comes
        # after the map: static/gzmap/preboot.js).
        page.locator('[data-testid="stSidebar"] [data-testid="stIconMaterial"]').first.wait_for(
            state="attached")
        wait_settled(page)
        page.evaluate("document.fonts.ready.then(() => true)")
        drawn = page.locator('[data-testid="stIconMaterial"]')
        assert drawn.count() >= 1
        for box in [drawn.nth(i).bounding_box() for i in range(drawn.count())]:
            assert box["width"] <= 1.2 * box["height"], box
        # Its icon font is a small one: the icons the front end names, not all 4,000.
        (icon_font,) = [(n, u) for n, u in fonts if "MaterialSymbols" in u]
        assert icon_font[0] < 40_000, icon_font

        # Every icon the front end can name, in the font the proxy sends and in the font
        # Streamlit ships (from a data: URL), draws the same.
        page.evaluate("""async (data) => {
          const face = new FontFace("Shipped icons", `url(data:font/woff2;base64,${data})`);
          document.fonts.add(await face.load());
        }""", shipped)
        shots, widths = {}, {}
        for row, family in (("served", "Material Symbols Rounded"), ("shipped", "Shipped icons")):
            page.evaluate(ICON_ROW, [row, family, FRONT_END_ICONS])
            page.evaluate("document.fonts.ready")
            shots[row] = page.locator(f"#{row}").screenshot(path=tmp_path / f"{row}-icons.png")
            widths[row] = page.evaluate(
                f"[...document.querySelectorAll('#{row} span')].map(s => s.offsetWidth)")
            page.evaluate(f"document.getElementById('{row}').remove()")
        # (nearly all are one 24-pixel icon: a name the font does not know is drawn as text)
        assert sum(w <= 30 for w in widths["shipped"]) >= 0.95 * len(FRONT_END_ICONS)
        assert widths["served"] == widths["shipped"]
        assert shots["served"] == shots["shipped"]
        page.close()


@contextlib.contextmanager
def framing_site(url: str) -> Iterator[str]:
    """Another site (another port on loopback) whose page puts ``url`` in an iframe."""
    body = f'<iframe src="{url}" width="800" height="600"></iframe>'.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    site = http.server.HTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_port}/"
    finally:
        site.shutdown()
        thread.join()


def test_another_site_cannot_frame_the_app(server: Server) -> None:
    with chromium() as browser, framing_site(server.url + "/") as elsewhere:
        page = browser.new_page()
        console = []
        page.on("console", lambda m: console.append(m.text))
        page.goto(elsewhere)
        waited = 0
        while not [m for m in console if "frame-ancestors" in m]:
            framed = [f for f in page.frames[1:] if f.locator('[data-testid="stApp"]').count()]
            assert not framed, "the app shows inside another site's page"
            assert waited < WAIT_MS, f"no frame-ancestors refusal; console: {console}"
            page.wait_for_timeout(200)
            waited += 200
        assert page.frames[1].locator('[data-testid="stApp"]').count() == 0
