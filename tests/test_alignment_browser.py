"""The 规划衔接 and 这里规划了什么 pages in headless Chromium, on the real layers: a click on a
place opens both plans' words; a click on the ground lists what covers and neighbours it.

Prints the click-to-panel times. Run with ``pytest -m browser``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from _browser import WAIT_MS, map_frame_with, project_app, wait_map_still, wait_settled

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with project_app(tmp_path_factory, "align_browser") as url:
        yield url


def _screen_point(element) -> tuple[float, float]:
    """Page coordinates of an element inside the map's iframe."""
    box = element.bounding_box()  # already in page coordinates for frames
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _open(browser, url: str):
    """A new page at ``url``, and the list its script errors are collected in."""
    page = browser.new_page(viewport={"width": 1500, "height": 1300}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    return page, errors


def test_click_a_place_reads_both_plans(app_url: str, browser) -> None:
    page, errors = _open(browser, f"{app_url}/?view=alignment&district=天河区")
    frame = map_frame_with(page, "path.leaflet-interactive")
    frame.locator("path.leaflet-interactive").nth(19).wait_for()  # the district's places
    wait_map_still(frame)  # the map has framed the district: the places stay where they are
    # the topmost place under the pointer is what its tooltip names and what a click opens
    markers = frame.locator("path.leaflet-interactive")
    name = None
    for i in range(markers.count() - 1, -1, -1):
        x, y = _screen_point(markers.nth(i))
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
    wait_settled(page)
    map_frame_with(page, "path.leaflet-interactive").locator("path.leaflet-interactive").nth(
        19
    ).wait_for()
    assert errors == []
    page.close()


def test_click_the_ground_lists_what_the_plans_say_there(app_url: str, browser) -> None:
    # start on the 生物岛 point; then click the map's centre (the same point)
    page, errors = _open(browser, f"{app_url}/?view=here&at=113.382,23.082&radius=3000")
    page.get_by_text("广州国际生物岛").first.wait_for()
    frame = map_frame_with(page, ".leaflet-container")
    wait_map_still(frame)  # framed on the point: a click lands where it is aimed
    box = frame.locator(".leaflet-container").bounding_box()
    start = time.perf_counter()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for_function("() => !location.search.includes('113.382000')")
    page.get_by_text("此处 Here").first.wait_for()
    elapsed = time.perf_counter() - start
    print(f"\n这里规划了什么: click on the ground -> list in {elapsed:.2f} s ({page.url})")
    assert "view=here" in page.url and "at=" in page.url
    wait_settled(page)
    map_frame_with(page, "path.leaflet-interactive")  # the map is drawn again after the rerun
    assert errors == []
    page.close()
