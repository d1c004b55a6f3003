"""The proxy's hardening under ``deploy/run.sh``: headers, request limits, where it listens.

One nginx + 1 replica on loopback for the module, with a small number of open pages allowed
per client address (``GZMAP_PAGES_PER_CLIENT=3``) so that the limit is reached cheaply. Needs
nginx; skips, saying so, without it. ``make app`` is started on its own port too.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import websockets.exceptions
from _serving import (
    STREAMLIT_STATIC,
    fetch,
    main_module,
    needs_brotli,
    needs_nginx,
    open_dir,
    serve_proxied,
)
from websockets.sync.client import connect

from benchmarks.servers import Server, free_ports
from spatial._paths import ROOT
from spatial.webmap import preboot

try:
    import brotli
except ImportError:  # the serve extra; the tests that need it skip
    brotli = None

PAGES = 3  # open pages allowed per client address in this module


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with open_dir() as folder, serve_proxied(
        1, folder / "run", env={"GZMAP_PAGES_PER_CLIENT": str(PAGES)}
    ) as running:
        yield running


def listening_on(port: int) -> set[str]:
    """The addresses a server listens on at ``port``."""
    return {
        c.laddr.ip for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    }


def put(server: Server, length: int, body: bool = True) -> int:
    """Status of an upload-sized PUT of ``length`` bytes (only announced when not ``body``)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.putrequest("PUT", "/_stcore/upload_file/no-such-session/no-such-file")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        if body:
            conn.send(b"x" * length)
        return conn.getresponse().status
    finally:
        conn.close()


def page_socket(base_url: str, **options):
    """A websocket to the app as a page opens it."""
    parts = urlsplit(base_url)
    return connect(f"ws://{parts.netloc}/_stcore/stream", subprotocols=["streamlit"],
                   open_timeout=30, **options)


def page_socket_when_allowed(base_url: str, **options):
    """:func:`page_socket`, once this module's small limit of open pages lets one more in (the
    pages of an earlier test may still be closing)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return page_socket(base_url, **options)
        except websockets.exceptions.InvalidStatus:
            assert time.monotonic() < deadline, "no page could be opened"
            time.sleep(0.3)


@needs_nginx
def test_every_response_says_how_to_treat_it(server: Server) -> None:
    status, _, page = fetch(server.url + "/")
    script = main_module(page)
    paths = ["/", f"/{script}", "/app/static/leaflet/leaflet.js", "/_stcore/host-config",
             "/static/js/no-such-file.js", "/_stcore/no-such-route"]
    for path in paths:
        status, headers, _ = fetch(server.url + path)
        assert status, path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path
        assert headers.get("X-Frame-Options") == "SAMEORIGIN", path
        assert len(headers.get_all("X-Content-Type-Options")) == 1, path

    _, headers, _ = fetch(server.url + "/")
    policy = dict(
        (d.split(" ", 1) + [""])[:2] for d in headers["Content-Security-Policy"].split("; ")
    )
    assert policy["frame-ancestors"] == "'self'"
    assert policy["object-src"] == "'none'"
    # Scripts: the site's own files, the code Streamlit runs from blob: URLs it makes (the map
    # client's mount) and the page's two inline scripts (Streamlit's, the map's pre-boot: by
    # the hashes of what the page holds), nothing else.
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    inline = re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page, re.S)
    assert len(inline) == 2 and b"GzPreboot" in inline[1]
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(i).digest()).decode()}'" for i in inline]
    assert policy["script-src"] == " ".join(["'self'", "blob:", *hashes, "'wasm-unsafe-eval'"])
    assert "https://tile.openstreetmap.org" in policy["img-src"].split()


@needs_nginx
def test_request_bodies_are_capped_near_the_apps_upload_limit(server: Server) -> None:
    # The app refuses over 5 MiB with its own message: 6 MB still reaches the replica (which
    # refuses this made-up upload itself), 9 MB is refused by the proxy.
    assert put(server, 9 * 1024 * 1024, body=False) == 413
    assert put(server, 6 * 1000 * 1000) not in (413, 429, 502)


@needs_nginx
def test_one_client_cannot_flood_the_upload_path(server: Server) -> None:
    time.sleep(3)  # the earlier test's uploads out of the rate's window
    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(lambda _: put(server, 1000), range(30)))
    refused = statuses.count(429)
    assert refused >= 10, statuses
    assert len(statuses) - refused >= 4, statuses  # the first few reach the replica


@needs_nginx
def test_one_client_holds_a_bounded_number_of_open_pages(server: Server) -> None:
    with contextlib.ExitStack() as stack:
        opened = [stack.enter_context(page_socket_when_allowed(server.url))
                  for _ in range(PAGES)]
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            stack.enter_context(page_socket(server.url))
        assert refused.value.response.status_code == 429
        opened[0].close()
        # a closed page frees its place (once nginx has seen it close)
        stack.enter_context(page_socket_when_allowed(server.url))


@needs_nginx
def test_text_travels_compressed_and_hashed_names_are_kept(server: Server) -> None:
    _, _, page = fetch(server.url + "/")
    # Streamlit's main module, which the page's pre-boot script starts (spatial.webmap.preboot)
    script = main_module(page)
    index = preboot.page((STREAMLIT_STATIC / "index.html").read_text("utf-8")).encode("utf-8")
    for path, source in ((f"/{script}", (STREAMLIT_STATIC / script).read_bytes()),
                         ("/app/static/leaflet/leaflet.js",
                          (ROOT / "static/leaflet/leaflet.js").read_bytes()),
                         ("/", index)):
        status, headers, body = fetch(server.url + path, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip", path
        assert gzip.decompress(body) == source, path
        assert "Content-Length" in headers, path  # a gzip twin made at start, not per request

    # Streamlit's files carry a content hash in their names: kept a year. The page and files
    # without a hash are revalidated, and an unchanged one comes back as a bodiless 304.
    assert fetch(f"{server.url}/{script}")[1]["Cache-Control"] == (
        "public, max-age=31536000, immutable"
    )
    for path in ("/", "/app/static/leaflet/leaflet.js"):
        _, headers, _ = fetch(server.url + path)
        assert headers["Cache-Control"] == "no-cache", path
        status, _, body = fetch(server.url + path, {"If-None-Match": headers["ETag"]})
        assert (status, body) == (304, b""), path


def fetch_when(url: str, encoding: str, timeout: float = 300) -> tuple[Message, bytes]:
    """Headers and body of ``url`` asked for with ``Accept-Encoding: <encoding>``, once the proxy
    answers with it (deploy/run.sh makes brotli copies in the background, every 30 s)."""
    deadline = time.monotonic() + timeout
    while True:
        status, headers, body = fetch(url, {"Accept-Encoding": encoding})
        if status == 200 and headers.get("Content-Encoding") == encoding:
            return headers, body
        assert time.monotonic() < deadline, f"{url}: {status} {headers.get('Content-Encoding')}"
        time.sleep(1)


@needs_nginx
@needs_brotli
def test_browsers_that_accept_brotli_get_it(server: Server) -> None:
    _, _, page = fetch(server.url + "/")
    script = main_module(page)
    for path, source in ((f"/{script}", STREAMLIT_STATIC / script),
                         ("/app/static/leaflet/leaflet.js", ROOT / "static/leaflet/leaflet.js")):
        headers, body = fetch_when(server.url + path, "br")
        assert brotli.decompress(body) == source.read_bytes(), path
        assert len(body) < 0.9 * len(gzip.compress(source.read_bytes(), 9)), path
        assert "Accept-Encoding" in headers["Vary"], path
        # and a browser that does not accept brotli still gets gzip
        assert fetch(server.url + path, {"Accept-Encoding": "gzip"})[1]["Content-Encoding"] == "gzip"


@needs_nginx
@needs_brotli
def test_a_file_the_app_writes_as_it_runs_is_soon_sent_by_the_proxy_compressed(
    server: Server,
) -> None:
    # As the map client's data files, written when a page first needs them: a replica answers
    # for the file until deploy/run.sh has copied it (every 30 s), then nginx sends it, brotli-
    # compressed, cached for a year (a content hash in its name).
    content = json.dumps([{"name": f"点 {i}", "lon": 113.3 + i / 1000} for i in range(200)],
                         ensure_ascii=False).encode()
    path = ROOT / "static" / "data" / f"probe.{secrets.token_hex(8)}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    try:
        status, _, body = fetch(f"{server.url}/app/static/data/{path.name}")
        assert (status, body) == (200, content)  # at once, from a replica
        headers, body = fetch_when(f"{server.url}/app/static/data/{path.name}", "br", 120)
        assert brotli.decompress(body) == content
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    finally:
        path.unlink()


@needs_nginx
def test_the_websocket_is_compressed_directly_and_through_the_proxy(server: Server) -> None:
    for base in (server.replica_urls[0], server.url):
        with page_socket_when_allowed(base, compression="deflate") as ws:
            extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
            assert extensions.startswith("permessage-deflate"), base


@needs_nginx
def test_the_proxy_listens_on_loopback_unless_told_otherwise(server: Server) -> None:
    port = urlsplit(server.url).port
    assert listening_on(port) == {"127.0.0.1"}


def test_make_app_listens_on_loopback_on_the_port_it_is_given() -> None:
    venv = Path(sys.executable).parent.parent
    (port,) = free_ports(1)
    proc = subprocess.Popen(
        ["make", "-s", "-o", f"{venv}/.installed", "app", f"VENV={venv}", f"PORT={port}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "STREAMLIT_SERVER_HEADLESS": "true"},
    )
    try:
        deadline = time.monotonic() + 90
        while not listening_on(port):
            assert proc.poll() is None, "make app exited"
            assert time.monotonic() < deadline, f"nothing listens on {port}"
            time.sleep(0.3)
        assert listening_on(port) == {"127.0.0.1"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
