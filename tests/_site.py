"""Shared pieces of the published site's tests: layers with hostile text, the offline
basemap's geography from the local OSM fixture, a static server on loopback, a Chromium page
that may fetch nothing but that server, and a colour looked for in its screenshot."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from _appdata import build_fixture_layers

HOSTILE = "<img src=x onerror=alert(1)>{{7*7}}"
HOSTILE_PLACE = "<script>alert(2)</script>基地"
#: The feature of the fixture layers renamed to :data:`HOSTILE`.
HOSTILE_ID = "guoguang-2025"


#: The Content-Security-Policy README's nginx block sends with the site: no inline script, no
#: eval; scripts from blob: URLs (the client runs a 规划衔接 map's folium script from one).
SITE_CSP = (
    "default-src 'self'; script-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https://*.basemaps.cartocdn.com https://tile.openstreetmap.org "
    "https://*.is.autonavi.com; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'self'"
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    csp = ""

    def log_message(self, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()


class _Strict(_Quiet):
    csp = SITE_CSP


@contextlib.contextmanager
def served(folder: Path, csp: bool = False) -> Iterator[str]:
    """``folder`` over HTTP on a free loopback port, as ``python -m http.server -d`` serves it
    (with ``csp``, every answer carries :data:`SITE_CSP`)."""
    handler = functools.partial(_Strict if csp else _Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hostile_layers(out: Path) -> Path:
    """The fixture layers with :data:`HOSTILE` as a park's name, and a register of two places
    named without a site (one with a hostile name)."""
    folder = build_fixture_layers(out)
    path = folder / "huadu_mfg.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feature in doc["features"]:
        if feature["properties"]["id"] == HOSTILE_ID:
            feature["properties"]["name"] = HOSTILE
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    places = [
        {
            "id": "huangpu-lab",
            "name": "黄埔实验室",
            "name_en": None,
            "aliases": ["黄埔实验室（筹）"],
            "role": "lab",
            "plans": ["gz_sti"],
            "district": ["黄埔区"],
            "industries": ["教育科研"],
            "reason": "选址尚未公布。",
            "excerpts": [
                {
                    "plan": "gz_sti",
                    "section": "七、引领产业发展",
                    "text": "高标准建设“黄埔实验室”，助力黄埔硬科技创新先行区建设。",
                }
            ],
        },
        {
            "id": "hostile-base",
            "name": HOSTILE_PLACE,
            "name_en": None,
            "aliases": [],
            "role": None,
            "plans": ["huadu_mfg"],
            "district": ["花都区"],
            "industries": ["汽车制造"],
            "reason": "尚无选址。",
            "excerpts": [{"plan": "huadu_mfg", "section": "", "text": "建设汽车零部件配套基地。"}],
        },
    ]
    (folder / "register.json").write_text(
        json.dumps({"type": "register", "places": places}, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def copy_layers(out: Path, src: Path) -> Path:
    """A copy of a folder of built layers (its GeoJSON and the register)."""
    out.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.json*"):
        shutil.copy(path, out / path.name)
    return out


def offline_page(browser, base: str, viewport: dict | None = None):
    """A new page (in a context of its own) that may fetch from ``base`` only: every other
    request is aborted (the basemaps' tiles among them). Errors and dialogs are collected."""
    context = browser.new_context(
        viewport=viewport or {"width": 1400, "height": 900}, locale="zh-CN"
    )
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base + "/") else route.abort()
        ),
    )
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e =>"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    page.gz_errors = []
    page.gz_dialogs = []
    page.gz_outside = []
    page.on("pageerror", lambda e: page.gz_errors.append(str(e)))
    page.on("dialog", lambda d: (page.gz_dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(base + "/") or r.url.startswith(("data:", "blob:"))
            else page.gz_outside.append(r.url)
        ),
    )
    return page


def osm_fixture_context(cache: Path) -> dict:
    """The offline basemap's geography from the local OSM fixture (``tests/data/small.osm``:
    water, a river, main roads, rail, the airport), cached in ``cache`` as ``gzmap fetch-osm``
    caches it and read back as the app reads its cache."""
    import osmnx as ox
    from shapely.geometry import box

    from spatial.geo.osm import fetch_osm, load_osm_context

    small = Path(__file__).parent / "data" / "small.osm"
    fetch = lambda polygon, tags: ox.features_from_xml(small, tags=tags)  # noqa: E731
    assert fetch_osm(cache, fetcher=fetch, extent=box(113.2, 22.9, 113.5, 23.5)) == 0
    return load_osm_context(cache, extract_dir=None)


def colour_near(img, x: float, y: float, colour: str, radius: int = 2) -> bool:
    """Whether a pixel of ``img`` (RGB) within ``radius`` of (x, y) has ``colour`` (#rrggbb),
    give or take antialiasing."""
    want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            got = img.getpixel((round(x) + dx, round(y) + dy))
            if all(abs(a - b) <= 24 for a, b in zip(got, want, strict=True)):
                return True
    return False
