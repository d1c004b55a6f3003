"""The running app on the project's layers in headless Chromium: places without a site show on
the map only as per-district counts, the map still draws, and their panel says why."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from _browser import WAIT_MS, app_for_test, map_frame_with

from spatial._paths import LAYERS_DIR
from spatial.query.features import Selection
from spatial.query.unsited import load_unsited, select_unsited

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (LAYERS_DIR / "register.json").exists():
        pytest.skip("the register is not built")
    log = tmp_path_factory.mktemp("browser_register_log") / "streamlit.log"
    with app_for_test(log, env={"GZMAP_LAYERS_DIR": None}) as app:  # the project's layers
        yield app.url


def test_counts_per_district_and_the_panel_of_a_place_without_a_site(app_url, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(
        f"{app_url}/?industries={quote('皮革皮具')}&node=huadu-leather-quality-centre&basemap=none"
    )
    frame = map_frame_with(page, ".gz-unsited-count")
    labels = [frame.locator(".gz-unsited-count").nth(i).inner_text()
              for i in range(frame.locator(".gz-unsited-count").count())]
    named = select_unsited(load_unsited(), Selection(industries=("皮革皮具",)))
    expected = sum("花都区" in d for d in named["district"])
    assert expected >= 5  # the leather platforms without a site
    assert f"{expected} 处未定位" in labels
    title = f"花都区：{expected} 处规划提及的地点尚无确定位置"
    assert frame.locator(f'.gz-unsited-count[title="{title}"]').count() == 1
    assert frame.locator(".gz-marker, .leaflet-interactive").count() >= 5  # the map still draws
    for name in ("国家皮革制品质量监督检验中心（广州）", "圣地环贸港箱包直播基地"):  # never a point
        assert frame.locator(f'[aria-label="{name}"]').count() == 0
    page.get_by_role("heading", name="国家皮革制品质量监督检验中心（广州）").wait_for()
    page.get_by_text("规划提及，尚无确定位置 · Named in the plans").wait_for()
    assert not errors, errors
