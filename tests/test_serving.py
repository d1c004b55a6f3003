"""Serving a bureau: production settings, and nginx in front of two replicas of the app.

The proxy test starts ``deploy/run.sh`` (nginx + 2 Streamlit processes on loopback) and drives
a dozen sessions through it with the protocol-level client of the load test: they open one
shared link together, then each changes the industry filter its own way. Others run
``deploy/run.sh`` from a checkout in a folder only its owner can enter, as root (as CI and a
container do). They need nginx (``make sysdeps`` installs it) and skip, saying so, without it.
"""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest
from _serving import (
    STREAMLIT_STATIC,
    closed_folder,
    copy_checkout,
    fetch,
    main_module,
    needs_nginx,
    needs_root,
    open_dir,
    serve_proxied,
)

from benchmarks.load import SETUPS, burst
from benchmarks.servers import free_ports
from spatial._paths import LAYERS_DIR, ROOT

#: Whether deploy/run.sh serves the OGC API at /ogc/ (the ogc extra).
OGC_INSTALLED = all(importlib.util.find_spec(m) for m in ("pygeoapi", "gunicorn"))
#: Some of its collections: every built layer, and the register.
OGC_COLLECTIONS = {p.stem for p in LAYERS_DIR.glob("*.geojson")} | {"register"}


def ogc_collections(base_url: str, timeout: float = 90) -> list[dict]:
    """The collections /ogc/ lists, once its server is up (deploy/run.sh starts it last)."""
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = fetch(base_url + "/ogc/collections?f=json")
        if status == 200:
            return json.loads(body)["collections"]
        assert time.monotonic() < deadline, f"/ogc/collections answered {status}: {body[:200]}"
        time.sleep(0.5)


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    with open_dir() as folder:
        yield folder


def test_streamlit_runs_with_the_production_settings() -> None:
    # What Streamlit itself resolves from .streamlit/config.toml in the app's folder, so a
    # misspelt or retired option (which Streamlit ignores with a warning) fails here.
    options = {
        "server.fileWatcherType": "none",  # no source watcher
        "server.runOnSave": False,
        "runner.magicEnabled": False,
        "runner.postScriptGC": False,  # no full garbage collection after every run
        "client.showErrorDetails": "none",  # no tracebacks in users' browsers
        "browser.gatherUsageStats": False,
        "server.enableWebsocketCompression": True,  # permessage-deflate
    }
    code = (
        "import json, sys; from streamlit import config; "
        "print(json.dumps({k: config.get_option(k) for k in json.loads(sys.argv[1])}))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(options))],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert json.loads(shown.strip().splitlines()[-1]) == options


@needs_nginx
def test_nginx_two_replicas_shared_link_each_session_its_own(open_tmp) -> None:
    run_dir = open_tmp / "run"
    link = urlencode({"industries": "生物医药"})
    with serve_proxied(2, run_dir) as server:
        with urlopen(server.url + "/_stcore/health", timeout=10) as resp:
            assert resp.read() == b"ok"
        with urlopen(server.url + "/", timeout=10) as resp:  # a first visit gets its replica
            assert "gzmap_replica=" in resp.headers.get("Set-Cookie", "")
            assert b"<html" in resp.read()
        # Leaflet, byte for byte the repository's copy.
        with urlopen(server.url + "/app/static/leaflet/leaflet.js", timeout=10) as resp:
            assert resp.read() == (ROOT / "static" / "leaflet" / "leaflet.js").read_bytes()
        result = asyncio.run(burst(server, SETUPS["proxy2"], 12, link, timeout=120))
        if OGC_INSTALLED:  # the OGC API - Features at /ogc/, its links through the proxy
            collections = {c["id"]: c for c in ogc_collections(server.url)}
            assert set(collections) >= OGC_COLLECTIONS
            items = next(link["href"] for link in collections["register"]["links"]
                         if link["rel"] == "items" and "json" in link["type"])
            assert items.startswith(server.url + "/ogc/collections/register/items")
            status, _, body = fetch(items)
            assert status == 200 and json.loads(body)["features"]

    assert result.errors == []
    assert len(result.to_map) == 12 and result.changes == 12
    # one link, one view for all; after the change each session's map and URL are its own
    assert result.mixed == 0

    # Sticky: every request a replica answered (the websockets, the page's other requests)
    # was answered by the replica the browser's cookie names, and the sessions were spread
    # over both.
    answered = defaultdict(set)  # the replica a cookie names -> the replicas that answered it
    pages = defaultdict(int)  # replica -> websockets it answered
    for line in (run_dir / "access.log").read_text().splitlines():
        found = re.search(r'"GET (\S+) .* route=(\S+) answered=(\S+)$', line)
        if found and "-" not in (found[2], found[3]):  # a cookie, and a replica answered
            answered[found[2]].add(found[3])
            pages[found[3]] += found[1] == "/_stcore/stream"
    assert all(replicas == {route} for route, replicas in answered.items()), answered
    assert sum(pages.values()) >= 12 and min(pages.values()) > 0 and len(pages) == 2, pages


@needs_nginx
@needs_root
def test_serves_a_checkout_in_a_folder_only_its_owner_can_enter(open_tmp) -> None:
    # The checkout and its files are closed to nginx's workers; the page, Streamlit's front
    # end and the app's static/ are served all the same, and so is a file the app writes into
    # static/ once it runs (content-hashed data files).
    checkout = copy_checkout(closed_folder(open_tmp) / "gzplan-map")
    layer = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"点 {i}"},
         "geometry": {"type": "Point", "coordinates": [113.3 + i / 1000, 23.1]}}
        for i in range(100)
    ]}
    (checkout / "static" / "data").mkdir()
    before = checkout / "static" / "data" / "layer.89abcdef01234567.geojson"
    before.write_text(json.dumps(layer, ensure_ascii=False))
    with serve_proxied(1, root=checkout) as server:
        status, headers, page = fetch(server.url + "/")
        assert status == 200 and b"<html" in page
        script = main_module(page)
        status, _, body = fetch(f"{server.url}/{script}")
        assert status == 200 and body == (STREAMLIT_STATIC / script).read_bytes()
        status, _, body = fetch(server.url + "/app/static/leaflet/leaflet.js")
        assert status == 200 and body == (checkout / "static/leaflet/leaflet.js").read_bytes()

        # Data files: sent gzipped, kept a year (their names carry a content hash), whether
        # they were there at start or written by the app afterwards.
        after = checkout / "static" / "data" / "probe.0123456789abcdef.json"
        after.write_text(json.dumps(layer, ensure_ascii=False))
        os.chmod(after, 0o600)
        for path in (before, after):
            url = f"{server.url}/app/static/data/{path.name}"
            status, headers, body = fetch(url, {"Accept-Encoding": "gzip"})
            assert status == 200 and gzip.decompress(body) == path.read_bytes(), path.name
            assert headers["Content-Encoding"] == "gzip"
            assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert fetch(f"{server.url}/app/static/data/{before.name}")[1]["Content-Type"] == (
            "application/geo+json"
        )


@needs_nginx
@needs_root
def test_a_run_folder_nginx_cannot_enter_is_named_at_start(open_tmp) -> None:
    closed = closed_folder(open_tmp)
    port, replica, ogc = free_ports(3)
    env = {
        **os.environ, "PYTHON": sys.executable, "GZMAP_REPLICAS": "1",
        "GZMAP_PORT": str(port), "GZMAP_LISTEN": "127.0.0.1",
        "GZMAP_REPLICA_PORT": str(replica), "GZMAP_RUN_DIR": str(closed / "run"),
        "GZMAP_OGC_PORT": str(ogc),
    }
    proc = subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "run.sh")], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        _out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    assert proc.returncode != 0
    said = err.strip().splitlines()[-1]
    assert "nginx cannot read" in said and f"{closed} is closed to them" in said, err
