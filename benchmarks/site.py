"""A published site's figures (``gzmap publish``): rows 7a-7e, ``python -m benchmarks.site``
(also part of ``python -m benchmarks``).

The project's layers published into a temporary folder, served on loopback the two ways
README shows: ``python -m http.server -d site`` (its own process; no compression) and nginx
with the site's gzip twins (``gzip_static``; skipped when nginx is not installed). Headless
Chromium (Playwright) at 1600×1000, a new browser context for every new page, taken in turns
with an anchor: the bare static page of the map client (:mod:`spatial.webmap.site`) showing
the same view, every feature, with nothing else on the page (no controls, no index, no panel):
what the site adds to the client is the difference.

* **7a** a new page until the first frame drawn with markers (the probe of
  :mod:`benchmarks.browser`: both ends read as wall-clock times), each server and the anchor;
* **7b** the whole site gzipped (every file's gzip twin, or the file: what a browser could
  download of it) and a first visit's transfer through nginx;
* **7c** a filter click until the frame drawn after the client restyled (both ends read in the
  page: the pointer pressed, and the frame after the client's ``gzmap:drawn``), over plans,
  industries, roles, the colour rule and 清除筛选; **7d** of which the view computed in the
  browser (``siteview.js`` and the controls: ``gzSite.lastShowMs``);
* **7e** ``gzmap publish`` itself.

Usage::

    python -m benchmarks.site              # ~1 minute
    python -m benchmarks.site --runs 20
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.browser import first_drawn, static_server
from spatial.testing.appserver import HOST, free_port
from spatial.testing.chromium import CHROMIUM_PATH, launch

#: In every page before its own scripts: the time of each pointer press, and after each map
#: drawn by the client (``gzmap:drawn``), the time from the last press to the next frame.
PROBE = """(() => {
  window.__gzs = {press: 0, times: []};
  document.addEventListener("pointerdown", function (e) { window.__gzs.press = e.timeStamp; }, true);
  document.addEventListener("gzmap:drawn", function () {
    var t0 = window.__gzs.press;
    requestAnimationFrame(function () {
      setTimeout(function () { if (t0) { window.__gzs.times.push(performance.now() - t0); } }, 0);
    });
  }, true);
})();"""

#: The filter clicks of row 7c, in turn (each box is clicked on, then off again later).
CLICKS = (
    "input[name='plans'][value='huadu_mfg']",
    "details[data-key='industries'] summary",
    "input[name='industries'][value='生物医药']",
    "input[name='colour'][value='plan']",
    "input[name='plans'][value='huadu_mfg']",
    "details[data-key='roles'] summary",
    "input[name='roles'][value='park']",
    "input[name='colour'][value='industry']",
    "#gzs-clear",
)
_OPENERS = ("summary",)


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {proc.returncode})")
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer")


@contextlib.contextmanager
def http_server(folder: Path) -> Iterator[str]:
    """``python -m http.server -d folder`` on a free loopback port, in its own process."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", "-d", str(folder), "-b", HOST, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, proc)
        yield f"http://{HOST}:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


NGINX_CONF = """worker_processes 1;
user {user};
error_log {run}/error.log warn;
pid {run}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    client_body_temp_path {run}/cb; proxy_temp_path {run}/px; fastcgi_temp_path {run}/fc;
    uwsgi_temp_path {run}/uw; scgi_temp_path {run}/sc;
    server {{
        listen {host}:{port};
        root {site};
        gzip_static on;
        location ~ "\\.[0-9a-f]{{16}}\\.[a-z]+$" {{ expires max; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_server(folder: Path) -> Iterator[str | None]:
    """The site behind nginx with its gzip twins (None when nginx is not installed)."""
    from benchmarks.servers import nginx_path

    exe = nginx_path()
    if exe is None:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as run:
        conf = Path(run) / "nginx.conf"
        user = "root" if os.geteuid() == 0 else "nobody"
        conf.write_text(
            NGINX_CONF.format(
                user=user,
                run=run,
                mime="/etc/nginx/mime.types",
                host=HOST,
                port=port,
                site=folder,
            )
        )
        proc = subprocess.Popen(
            [exe, "-p", run, "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_port(port, proc)
            yield f"http://{HOST}:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def transferred(browser: Any, url: str) -> int:
    """Bytes a first visit of ``url`` fetches (transfer sizes, the map drawn and idle)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.querySelector('.gz-marker')")
        page.wait_for_load_state("networkidle")
        return int(
            page.evaluate(
                "performance.getEntriesByType('navigation').concat("
                "performance.getEntriesByType('resource'))"
                ".filter(e => e.name.startsWith(location.origin))"
                ".reduce((a, e) => a + (e.transferSize || 0), 0)"
            )
        )
    finally:
        context.close()


def filter_clicks(browser: Any, url: str, rounds: int) -> tuple[list[float], list[float]]:
    """Each filter click of :data:`CLICKS` ``rounds`` times: (click -> frame drawn, view
    computed), in seconds."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    context.add_init_script(PROBE)
    clicks: list[float] = []
    views: list[float] = []
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("document.querySelector('.gz-marker') && window.gzSite.view")
        for _ in range(rounds):
            for selector in CLICKS:
                if selector.endswith(_OPENERS):
                    page.locator(selector).click()
                    continue
                before = page.evaluate("window.__gzs.times.length")
                page.locator(selector).click()
                page.wait_for_function(f"window.__gzs.times.length > {before}")
                clicks.append(
                    page.evaluate("window.__gzs.times[window.__gzs.times.length - 1]") / 1000
                )
                views.append(page.evaluate("window.gzSite.lastShowMs") / 1000)
            page.evaluate(
                "document.querySelectorAll('details.gzs-filter:not([data-key=plans])')"
                ".forEach(d => d.open = false)"
            )
    finally:
        context.close()
    return clicks, views


def anchor_page(folder: Path) -> Path:
    """The map client alone on a static page, drawing the site's first view (every feature,
    coloured by industry, the district outlines and their counts of places without a site)."""
    from spatial.geo.base import load_districts
    from spatial.plans.layers import load_layers
    from spatial.query import unsited
    from spatial.query.features import Selection, select
    from spatial.symbology import view_symbology
    from spatial.webmap import client
    from spatial.webmap.site import write_page, write_site

    gdf = load_layers()
    site = write_site(folder, gdf, districts=load_districts())
    view = client.view_selection(
        select(gdf, Selection()), gdf["role"], site.position, view_symbology(gdf, Selection())
    )
    bounds = view.pop("bounds")
    counts = unsited.district_counts(unsited.load_unsited())
    view.update(
        key="all",
        highlight=-1,
        frame={"key": "|", "bounds": bounds},
        focus=None,
        unsited=sorted(counts.items()),
    )
    return write_page(site, site.message(view))


def _stats(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def bench_site(runs: int) -> list[Any]:
    """Rows 7a-7e (see the module's notes)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.__main__ import Row
    from spatial.exports.site import publish_site

    if not CHROMIUM_PATH.exists():
        print("site rows skipped: no Chromium at " + str(CHROMIUM_PATH), file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        os.chmod(tmp, 0o755)  # nginx's worker reads the files
        t0 = time.perf_counter()
        site = publish_site(Path(tmp) / "site")
        written = time.perf_counter() - t0
        anchor = anchor_page(Path(tmp) / "anchor")
        browser = launch(pw)
        plain: list[float] = []
        gz: list[float] = []
        bare: list[float] = []
        try:
            with (
                http_server(site.folder) as url,
                nginx_server(site.folder) as nginx,
                static_server(anchor.parent) as anchor_url,
            ):
                for u in (url, nginx, f"{anchor_url}/{anchor.name}"):
                    if u:
                        first_drawn(browser, u)  # warm the server and the disk cache
                for _ in range(runs):  # in turns, so the machine's moments fall on all three
                    plain.append(first_drawn(browser, url + "/"))
                    if nginx:
                        gz.append(first_drawn(browser, nginx + "/"))
                    bare.append(first_drawn(browser, f"{anchor_url}/{anchor.name}"))
                visit = transferred(browser, (nginx or url) + "/")
                clicks, views = filter_clicks(browser, url + "/", max(1, runs // 2))
        finally:
            browser.close()
    served = "nginx, gzip twins" if gz else "python -m http.server"
    rows = [
        Row(
            "7a site: new page -> first markers (python -m http.server)",
            _stats(plain),
            "s",
            target=0.5,
        ),
    ]
    if gz:
        rows.append(
            Row(
                "7a site: new page -> first markers (nginx, gzip twins)",
                _stats(gz),
                "s",
                target=0.5,
            )
        )
    rows += [
        Row("7a anchor: the client alone, the same view -> first markers", _stats(bare), "s"),
        Row("7b site: every file gzipped (the whole site)", site.gzip_bytes, "B", target=2e6),
        Row("7b of which raw (no compression)", site.raw_bytes, "B"),
        Row(f"7b site: a first visit's transfer ({served})", visit, "B"),
        Row("7c site: filter click -> map redrawn", _stats(clicks), "s", target=0.050),
        Row("7d of which the view computed in the browser", _stats(views), "s"),
        Row("7e gzmap publish (the whole site written)", written, "s"),
    ]
    return rows


def main(argv: list[str] | None = None) -> int:
    from benchmarks.__main__ import print_table

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.site", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--runs", type=int, default=10, help="new pages per server (median)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    rows = bench_site(max(1, args.runs))
    print_table(rows)
    load = os.getloadavg()[0]
    print(f"\n{len(rows)} figures in {time.perf_counter() - t0:.0f} s; load average {load:.1f}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
