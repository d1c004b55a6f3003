"""Serving a bureau: production settings, and nginx in front of two replicas of the app.

The proxy test starts ``deploy/run.sh`` (nginx + 2 Streamlit processes on loopback) and drives
a dozen sessions through it with the protocol-level client of the load test: they open one
shared link together, then each changes the industry filter its own way. It needs nginx
(``make sysdeps`` installs it) and skips, saying so, without it.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections import defaultdict
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from benchmarks.load import SETUPS, burst
from benchmarks.servers import nginx_path, serve
from spatial._paths import ROOT

needs_nginx = pytest.mark.skipif(
    nginx_path() is None, reason="nginx is not installed (make sysdeps installs it)"
)


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
def test_nginx_two_replicas_shared_link_each_session_its_own(tmp_path) -> None:
    run_dir = tmp_path / "run"
    link = urlencode({"industries": "生物医药"})
    with serve(replicas=2, proxy=True, run_dir=run_dir) as server:
        with urlopen(server.url + "/_stcore/health", timeout=10) as resp:
            assert resp.read() == b"ok"
        with urlopen(server.url + "/", timeout=10) as resp:  # a first visit gets its replica
            assert "gzmap_replica=" in resp.headers.get("Set-Cookie", "")
            assert b"<html" in resp.read()
        # Leaflet comes from nginx (its cache header), byte for byte the repository's copy.
        with urlopen(server.url + "/app/static/leaflet/leaflet.js", timeout=10) as resp:
            assert "public" in resp.headers.get("Cache-Control", "")
            assert resp.read() == (ROOT / "static" / "leaflet" / "leaflet.js").read_bytes()
        result = asyncio.run(burst(server, SETUPS["proxy2"], 12, link, timeout=120))

    assert result.errors == []
    assert len(result.to_map) == 12 and result.changes == 12
    # one link, one view for all; after the change each session's map and URL are its own
    assert result.mixed == 0

    # Sticky: every request of one browser (page, websocket) reached one replica, and the
    # sessions were spread over both.
    replicas_of = defaultdict(set)
    for line in (run_dir / "access.log").read_text().splitlines():
        found = re.search(r"replica=(\S+) .* route=(\S+)", line)
        if found and found[1] != "-":
            replicas_of[found[2]].add(found[1])
    assert len(replicas_of) >= 12
    assert all(len(r) == 1 for r in replicas_of.values()), replicas_of
    assert len(set().union(*replicas_of.values())) == 2
