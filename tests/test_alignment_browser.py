"""The 规划衔接 and 这里规划了什么 pages in headless Chromium, on the real layers: a click on a
place opens both plans' words; a click on the ground lists what covers and neighbours it.

Prints the click-to-panel times. Run with ``pytest -m browser``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from spatial._chromium import CHROMIUM_ARGS, CHROMIUM_PATH
from spatial._paths import ROOT

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

STARTUP_LIMIT_S = 90
WAIT_MS = 60_000


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("align_browser") / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != "GZMAP_LAYERS_DIR"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start within {STARTUP_LIMIT_S}s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM_PATH), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


def _map_frame(page, selector: str):
    waited = 0
    while waited <= WAIT_MS:
        for frame in page.frames:
            if "streamlit_folium" in frame.url and not frame.is_detached():
                try:
                    if frame.locator(selector).count():
                        return frame
                except sync_api.Error:
                    continue
        page.wait_for_timeout(200)
        waited += 200
    raise AssertionError(f"no map showed {selector!r}")


def _screen_point(page, frame, element) -> tuple[float, float]:
    """Page coordinates of an element inside the map's iframe."""
    box = element.bounding_box()  # already in page coordinates for frames
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_click_a_place_reads_both_plans(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1300}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/?view=alignment&district=天河区")
    frame = _map_frame(page, "path.leaflet-interactive")
    page.wait_for_timeout(1500)  # the map has framed the district
    assert frame.locator("path.leaflet-interactive").count() >= 20  # the district's places
    # the topmost place under the pointer is what its tooltip names and what a click opens
    markers = frame.locator("path.leaflet-interactive")
    name = None
    for i in range(markers.count() - 1, -1, -1):
        x, y = _screen_point(page, frame, markers.nth(i))
        page.mouse.move(x, y)
        tip = frame.locator(".leaflet-tooltip")
        try:
            tip.first.wait_for(timeout=1500)
        except sync_api.Error:
            continue
        name = tip.first.inner_text().split("·")[0].strip()
        if name:
            break
    assert name, "no place showed a tooltip"
    start = time.perf_counter()
    page.mouse.click(x, y)
    page.locator(f"h4:has-text('{name}')").wait_for()
    elapsed = time.perf_counter() - start
    print(f"\n规划衔接: click on {name} -> both plans' words in {elapsed:.2f} s")
    page.get_by_text("广州市科技创新规划").first.wait_for()
    assert page.locator("blockquote").count() >= 1  # a plan's own words
    assert "district=" in page.url and "view=alignment" in page.url
    # after the rerun the map is still whole, and no script failed
    page.wait_for_timeout(1000)
    assert (
        _map_frame(page, "path.leaflet-interactive").locator("path.leaflet-interactive").count()
        >= 20
    )
    assert errors == []
    page.close()


def test_click_the_ground_lists_what_the_plans_say_there(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1300}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    # start on the 生物岛 point; then click the map's centre (the same point)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/?view=here&at=113.382,23.082&radius=3000")
    page.get_by_text("广州国际生物岛").first.wait_for()
    frame = _map_frame(page, ".leaflet-container")
    page.wait_for_timeout(1500)
    box = frame.locator(".leaflet-container").bounding_box()
    start = time.perf_counter()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for_function("() => !location.search.includes('113.382000')")
    page.get_by_text("覆盖此点 Covering").first.wait_for()
    elapsed = time.perf_counter() - start
    print(f"\n这里规划了什么: click on the ground -> list in {elapsed:.2f} s ({page.url})")
    assert "view=here" in page.url and "at=" in page.url
    page.wait_for_timeout(1000)
    assert _map_frame(page, "path.leaflet-interactive").locator("path.leaflet-interactive").count()
    assert errors == []
    page.close()
