"""A page whose replica was killed, in headless Chromium through ``deploy/run.sh``.

nginx + 2 replicas. The page's replica is SIGKILLed: the page reconnects to the other one with
its view from the URL, and once the killed replica is back (and nginx sends requests to it
again), the page's uploads and downloads still reach the replica that holds its session. Needs
nginx and Debian's Chromium; skips, saying so, without them.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import WAIT_MS, chromium, wait_settled
from _serving import (
    fetch,
    listening,
    map_drawn,
    needs_nginx,
    open_dir,
    replica_of,
    serve_proxied,
)

from benchmarks.servers import Server

pytestmark = [pytest.mark.browser, needs_nginx]

#: The issue's bound for a killed replica to answer again.
BACK_WITHIN_S = 30
#: A view in the URL: the page must come back to it after reconnecting.
VIEW = "?basemap=none&industries=生物医药"


@pytest.fixture
def server() -> Iterator[Server]:
    with open_dir() as folder, serve_proxied(2, folder / "run") as running:
        yield running


def wait_until(condition, what: str, timeout_ms: int = WAIT_MS, page=None) -> None:
    waited = 0
    while not condition():
        assert waited < timeout_ms, f"{what} not within {timeout_ms / 1000:g} s"
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)
        waited += 200


def routing_cookie(context) -> str:
    (value,) = [c["value"] for c in context.cookies() if c["name"] == "gzmap_replica"]
    return f"gzmap_replica={value}"


def test_a_page_moved_off_a_killed_replica_uploads_and_downloads_once_it_is_back(
    server: Server, tmp_path: Path
) -> None:
    layer = tmp_path / "调研点.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "调研点"},
         "geometry": {"type": "Point", "coordinates": [113.52, 23.33]}}]}, ensure_ascii=False))
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN",
                                      accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        opened: list[tuple[float, list]] = []  # each websocket: when, frames received
        healthy: list[float] = []  # when the page's health checks were answered

        def on_socket(ws) -> None:
            frames: list[int] = []
            ws.on("framereceived", lambda payload: frames.append(len(payload)))
            opened.append((time.monotonic(), frames))

        page.on("websocket", on_socket)
        page.on("response", lambda r: r.url.endswith("/_stcore/health") and r.status == 200
                and healthy.append(time.monotonic()))
        page.goto(server.url + "/" + VIEW)
        wait_until(lambda: map_drawn(page), "the map", page=page)
        wait_settled(page)

        first_cookie = routing_cookie(context)
        victim = replica_of(server, first_cookie)
        pid = listening(int(victim.rsplit(":", 1)[1]))
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()

        # The page reconnects, to the other replica (the killed one is not back yet): a health
        # check answered, then a new websocket.
        wait_until(lambda: any(t > killed_at for t in healthy)
                   and any(t > min(h for h in healthy if h > killed_at) for t, _ in opened),
                   "the page's reconnection", page=page)
        # Its new session runs at the user's first action (Streamlit's front end asks for no
        # run when it reconnects; the app's page watcher may also reload the page), with the
        # view from the URL.
        page.get_by_role("tab", name="下载 Download").click()
        wait_until(lambda: opened[-1][1], "an answer on the new websocket", page=page)
        wait_settled(page)
        wait_until(lambda: map_drawn(page), "the map after reconnecting", page=page)
        industries = page.locator('[data-testid="stMultiSelect"]').filter(has_text="产业 Industries")
        assert "生物医药" in industries.inner_text()

        # The killed replica is back, and nginx sends requests to it again: the page's first
        # routing cookie reaches it.
        wait_until(lambda: fetch(f"http://{victim}/_stcore/health")[2] == b"ok",
                   "the killed replica", timeout_ms=BACK_WITHIN_S * 1000, page=page)
        wait_until(lambda: replica_of(server, first_cookie) == victim,
                   "requests reaching the restarted replica", page=page)

        # An upload from the page reaches its session.
        page.get_by_text("我的图层 Own layer").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(layer))
        try:
            page.get_by_text("已叠加 1 个要素").wait_for(timeout=30_000)
        except Exception as exc:
            shown = page.locator('[data-testid="stFileUploader"]').all_inner_texts()
            raise AssertionError(f"the upload got no answer; the uploader shows {shown}") from exc
        wait_settled(page)

        # So does a download (made by the session, fetched from /media/).
        page.get_by_role("tab", name="下载 Download").click()
        button = page.get_by_role("button", name="CSV 代码")
        with page.expect_download(timeout=30_000) as got:
            button.click()
        saved = tmp_path / "view.csv"
        got.value.save_as(saved)
        assert got.value.failure() is None
        with saved.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) > 5 and all(r["id"] for r in rows)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=tmp_path / "after-failover.png")
        context.close()
