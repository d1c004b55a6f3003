"""Shared pieces of the tests that run ``deploy/run.sh``: skips, folders, a checkout's copy,
which replica serves a browser, whether a page's map is drawn."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import psutil
import pytest
import streamlit

from benchmarks.servers import Server, nginx_path, serve
from spatial._paths import ROOT

needs_nginx = pytest.mark.skipif(
    nginx_path() is None, reason="nginx is not installed (make sysdeps installs it)"
)
#: Streamlit's front end as installed (index.html, static/js/...).
STREAMLIT_STATIC = Path(streamlit.__file__).parent / "static"
#: Debian's brotli_static module for nginx (libnginx-mod-http-brotli-static).
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
needs_brotli = pytest.mark.skipif(
    not BROTLI_MODULE.exists() or importlib.util.find_spec("brotli") is None,
    reason="needs nginx's brotli_static module (make sysdeps) and the brotli package (serve extra)",
)


def main_module(page: bytes) -> str:
    """The path of Streamlit's main module in the app's page, which the page's pre-boot script
    starts once the map is drawn (:mod:`spatial.webmap.preboot`)."""
    return re.search(rb'var MAIN = "\./(static/js/[^"]+\.js)"', page)[1].decode()


needs_root = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="needs root: nginx's workers then run as another user (nobody), as under CI",
)


@contextlib.contextmanager
def open_dir() -> Iterator[Path]:
    """A temporary folder every user may enter (nginx's workers read deploy/run.sh's run
    folder; pytest's own temporary folders are closed to other users)."""
    with tempfile.TemporaryDirectory(prefix="gzmap-test-") as tmp:
        os.chmod(tmp, 0o755)
        yield Path(tmp)


def closed_folder(parent: Path) -> Path:
    """A folder only its owner may enter (what ``mktemp -d`` makes, or a home directory)."""
    folder = parent / "home"
    folder.mkdir()
    os.chmod(folder, 0o700)
    return folder


def copy_checkout(dest: Path) -> Path:
    """The project's files as this checkout has them (git's list, with uncommitted ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@contextlib.contextmanager
def serve_proxied(
    replicas: int, run_dir: Path | None = None, env: dict[str, str] | None = None, **options: Any
) -> Iterator[Server]:
    """``deploy/run.sh`` (nginx and ``replicas``) on free ports, the OGC API's server too
    (:func:`benchmarks.servers.serve` picks its port)."""
    with serve(replicas=replicas, proxy=True, run_dir=run_dir, env=env, **options) as server:
        yield server


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case) and body of a GET, whatever the status (0: no
    answer)."""
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=15) as resp:
            return resp.status, resp.headers, resp.read()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read()
    except OSError as exc:  # refused, reset, timed out
        return 0, Message(), str(exc).encode()


def replica_of(server: Server, cookie: str, timeout: float = 30) -> str:
    """``127.0.0.1:port`` of the replica that answers a browser sending ``cookie`` now (read
    from nginx's access log: its ``route=`` is the routing cookie, ``replica=`` every replica
    tried, the last one answered)."""
    route = cookie.split("gzmap_replica=", 1)[1].split(";")[0]
    probe = f"/_stcore/health?probe={time.monotonic_ns()}"  # this request's own line
    status, _, _ = fetch(server.url + probe, {"Cookie": cookie})
    assert status == 200
    deadline = time.monotonic() + timeout  # nginx writes its log every 5 s
    pattern = rf'"GET {re.escape(probe)} [^"]*" \d+ \d+ replica=(.+?) time=\S+ route={route}\b'
    while time.monotonic() < deadline:
        found = re.search(pattern, (server.run_dir / "access.log").read_text())
        if found:
            return re.split(r"[ ,:]+ ", found[1])[-1]
        time.sleep(0.5)
    raise AssertionError(f"no request of route {route} in nginx's access log")


def listening(port: int) -> int:
    """The process id of the server listening on ``port``."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise AssertionError(f"nothing listens on port {port}")


def map_drawn(page) -> bool:
    """Whether a Leaflet map in the page (or one of its frames) has drawn features."""
    drawn = ".leaflet-container .leaflet-interactive, .leaflet-container canvas"
    for frame in page.frames:
        try:
            if not frame.is_detached() and frame.locator(drawn).count():
                return True
        except Exception:  # a frame going away while being looked at
            continue
    return False
