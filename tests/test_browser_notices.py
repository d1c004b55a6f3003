"""A dropped connection: 正在重新连接 Reconnecting instead of Streamlit's English dialog, and
the page back at the view its link names once the server is (real Chromium, real server).

The server is killed (SIGKILL, as a crashed replica) and started again on the same port; the
page must say what is happening in Chinese and English while it waits, never show Streamlit's
"Connection error … Are you connected to the internet?", and come back by itself to the
这里规划了什么 view its URL holds.

Run with ``pytest -m browser``; needs /usr/bin/chromium and playwright.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
from pathlib import Path

import pytest
from _browser import WAIT_MS, chromium

from app.browser_notices import TOO_BIG
from spatial._paths import ROOT
from spatial.testing.appserver import free_port, streamlit_command, wait_healthy

pytestmark = pytest.mark.browser

VIEW = "/?view=here&at=113.366000,23.062000&basemap=none"


@contextlib.contextmanager
def server(port: int, log: Path):
    with log.open("ab") as out:
        proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc, 90, log)
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)


def test_a_killed_server_shows_reconnecting_and_the_page_comes_back(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1300, "height": 900}, locale="zh-CN")
        page.set_default_timeout(WAIT_MS)
        with server(port, tmp_path / "first.log") as proc:
            page.goto(url + VIEW)
            page.get_by_text("此处 Here", exact=False).first.wait_for()
            page.wait_for_function("() => location.search.includes('view=here')")
            before = page.url  # as the app keeps it
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            notice = page.locator("#gz-reconnect")
            notice.wait_for(state="visible")
            page.screenshot(path=str(tmp_path / "away.png"))
            assert "正在重新连接 Reconnecting" in notice.inner_text()
            # Streamlit's own dialog is there, hidden: the English text is never seen
            english = page.get_by_text("Are you connected to the internet?")
            english.wait_for(state="attached")
            assert not english.is_visible()
            on_top = page.evaluate(
                "() => document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.outerHTML")
            assert "gz-reconnect" in on_top or "正在重新连接" in on_top, on_top
        with server(port, tmp_path / "second.log"):
            notice.wait_for(state="detached")  # the page reloaded
            page.get_by_text("此处 Here", exact=False).first.wait_for()
            assert page.url == before
            assert page.locator('[role="dialog"]').count() == 0
            assert page.get_by_text("Failed to fetch").count() == 0
            page.screenshot(path=str(tmp_path / "back.png"))


def test_a_file_over_the_transport_cap_gets_the_apps_words(tmp_path: Path) -> None:
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * (6 * 1024 * 1024 + 1))  # over the 6 MiB cap: never sent
    port = free_port()
    with chromium() as browser, server(port, tmp_path / "server.log"):
        page = browser.new_page(viewport={"width": 1300, "height": 900}, locale="zh-CN")
        page.set_default_timeout(WAIT_MS)
        page.goto(f"http://127.0.0.1:{port}/?basemap=none")
        page.get_by_text("我的图层 Own layer").click()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
        page.get_by_text(TOO_BIG).wait_for()
        assert page.get_by_text("or smaller").count() == 0
        page.locator('[data-testid="stFileUploader"]').screenshot(path=str(tmp_path / "too_big.png"))
