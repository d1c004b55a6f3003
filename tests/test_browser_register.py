"""The running app on the project's layers in headless Chromium: places without a site show on
the map only as per-district counts, the map still draws, and their panel says why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from test_browser import STARTUP_LIMIT_S, WAIT_MS, free_port, map_frame_with

from spatial._chromium import CHROMIUM_ARGS, CHROMIUM_PATH
from spatial._paths import LAYERS_DIR, ROOT
from spatial.features import Selection
from spatial.unsited import load_unsited, select_unsited

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (LAYERS_DIR / "register.json").exists():
        pytest.skip("the register is not built")
    port = free_port()
    log = tmp_path_factory.mktemp("browser_register_log") / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != "GZMAP_LAYERS_DIR"}
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
           "true", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
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


def test_counts_per_district_and_the_panel_of_a_place_without_a_site(app_url, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/?industries={quote('皮革皮具')}&node=huadu-leather-expo-centre&basemap=none")
    frame = map_frame_with(page, ".gz-unsited-count")
    labels = [frame.locator(".gz-unsited-count").nth(i).inner_text()
              for i in range(frame.locator(".gz-unsited-count").count())]
    named = select_unsited(load_unsited(), Selection(industries=("皮革皮具",)))
    expected = sum("花都区" in d for d in named["district"])
    assert expected >= 5  # 狮岭's platforms
    assert f"花都区：{expected} 处尚无确定位置" in labels
    assert frame.locator(".gz-marker, .leaflet-interactive").count() >= 5  # the map still draws
    for name in ("中国皮具之都展贸中心", "狮岭阳光6号电商直播基地"):  # never a point
        assert frame.locator(f'[aria-label="{name}"]').count() == 0
    page.get_by_role("heading", name="中国皮具之都展贸中心").wait_for()
    page.get_by_text("规划提及，尚无确定位置 · Named in the plans").wait_for()
    assert not errors, errors
