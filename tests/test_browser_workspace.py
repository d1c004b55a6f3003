"""The map as a planner's workspace, in headless Chromium: names on the map without hovering,
the map stays in view while the panel is read, filters redraw in place, Back walks the views,
search puts the place meant first and zooms to it.

Needs Debian's Chromium at /usr/bin/chromium and the ``playwright`` package.
"""

from __future__ import annotations

import pytest
from _browser import WAIT_MS, map_frame_with, wait_map_still, wait_until

from spatial.testing.chromium import LEAFLET_MAP

pytestmark = pytest.mark.browser


def open_page(browser, url: str, width: int = 1600, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    return page


def shown_labels(frame) -> list[str]:
    return frame.evaluate(
        "[...document.querySelectorAll('.gz-label')]"
        ".filter(d => d.style.display !== 'none').map(d => d.textContent)"
    )


def test_names_show_on_the_landing_map_without_hovering(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?basemap=none")
    frame = map_frame_with(page, ".gz-label")
    # a core, named at city zoom, once the map has framed the city and laid its labels out
    wait_until(lambda: "中新广州知识城" in shown_labels(frame), "知识城 labelled", page=page)
    wait_map_still(frame)
    assert "中新广州知识城" in shown_labels(frame)
    assert frame.locator(".leaflet-tooltip").count() == 0  # nothing hovered
    # no two names overlap, and none covers a district name
    boxes = frame.evaluate(
        "[...document.querySelectorAll('.gz-label, .gz-district-label > div')]"
        ".filter(d => d.offsetParent !== null || d.style.display === 'block')"
        ".map(d => { const r = d.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        ".filter(b => b[2] > b[0])"
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 1 or overlap_y <= 1, (a, b)
    page.close()


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_reading_a_long_panel_keeps_the_map_in_view(app_url, browser, size) -> None:
    page = open_page(browser, app_url + "/?basemap=none&node=sti-axis", *size)
    map_frame_with(page, ".gz-marker")
    page.get_by_role("heading", name="科技创新轴").wait_for()
    box = page.locator(".gz-map").bounding_box()
    assert box["height"] >= 0.7 * size[1]  # the map fills the window's height
    page.get_by_text("查看上下文").first.click()  # the plan's text around the excerpt
    panel = page.locator(".st-key-gz_panel")
    wait_until(  # a panel longer than the window, once the context is shown
        lambda: panel.evaluate("p => p.scrollHeight > p.clientHeight"), "panel overflows", page=page
    )
    panel.hover()
    page.mouse.wheel(0, 5000)  # read to the end of the panel
    wait_until(lambda: panel.evaluate("p => p.scrollTop") > 0, "the panel scrolled", page=page)
    box = page.locator(".gz-map").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= size[1] + 2  # the map did not move
    page.close()


def test_back_returns_to_the_previous_view(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?basemap=none")
    map_frame_with(page, '[aria-label="中新广州知识城"]')
    roles = page.locator('[data-testid="stMultiSelect"]').filter(has_text="类型 Roles")
    roles.click()
    page.keyboard.type("园区")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url("**roles=park**")
    map_frame_with(page, ".gz-marker", without='[aria-label="中新广州知识城"]')
    page.go_back()
    page.wait_for_function("!location.search.includes('roles=')")
    map_frame_with(page, '[aria-label="中新广州知识城"]')  # the landing view again
    page.get_by_text("地图显示 17 / 17").wait_for()
    page.go_forward()
    page.wait_for_url("**roles=park**")
    map_frame_with(page, ".gz-marker", without='[aria-label="中新广州知识城"]')
    page.close()


def test_search_puts_the_place_meant_first_and_zooms_to_it(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?basemap=none")
    frame = map_frame_with(page, ".gz-marker")
    page.get_by_placeholder("地名、别称或规划原文").fill("知识城")
    page.keyboard.press("Enter")
    hits = page.locator('[data-testid="stRadio"]').filter(has_text="搜索结果")
    first = hits.locator('[role="radiogroup"] label').first
    first.wait_for()
    assert first.inner_text().startswith("中新广州知识城")
    first.click()
    page.get_by_role("heading", name="中新广州知识城").wait_for()
    frame.wait_for_function(f"({LEAFLET_MAP}) && ({LEAFLET_MAP}).getZoom() >= 12")
    _, lat, lon = wait_map_still(frame)  # the zoom's animation has ended where it was going
    assert abs(lat - 23.36) < 0.15 and abs(lon - 113.55) < 0.2
    page.close()


def test_a_link_that_names_a_place_opens_the_map_on_it(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?node=shengwudao&basemap=none")
    frame = map_frame_with(page, ".gz-marker")
    page.get_by_role("heading", name="广州国际生物岛").wait_for()
    where = wait_map_still(frame)  # past the first map's re-fits while the page lays out
    zoom, lat, lon = where
    assert zoom >= 12, where  # not the whole city (zoom ~9-10)
    assert abs(lat - 23.077) < 0.03 and abs(lon - 113.369) < 0.03, where  # the island's point
    page.close()
