"""Moving between the app's pages in headless Chromium: a round trip through 规划衔接 keeps the
map's filters in the URL and on the map, every action is one history entry that Back and
Forward walk, a mistyped search suggests the name meant, and on a phone the page switch reads
whole.

Needs Debian's Chromium at /usr/bin/chromium and the ``playwright`` package.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from _browser import WAIT_MS, map_frame_with, wait_settled

pytestmark = pytest.mark.browser


def open_page(browser, url: str, width: int = 1600, height: int = 1000):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    return page


def shown_count(page) -> str:
    """The title's "地图显示 N / M" as text, once the map page shows it."""
    title = page.locator(".gz-title span")
    title.wait_for()
    return re.search(r"\d+ / \d+", title.inner_text()).group(0)


def query(page) -> dict[str, str]:
    """The page URL's query, one value per key."""
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def switch_to(page, label: str) -> None:
    page.locator(".st-key-page button").filter(has_text=label).click()


def test_a_round_trip_through_another_page_keeps_the_filters(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?roles=park,core&basemap=none")
    map_frame_with(page, ".gz-marker")
    wait_settled(page)
    filtered = shown_count(page)
    shown, total = map(int, filtered.split(" / "))
    assert 0 < shown < total  # a filtered view, not everything
    entries = page.evaluate("history.length")

    switch_to(page, "规划衔接")
    page.get_by_text("区级规划承接 Taken up").wait_for()
    wait_settled(page)
    assert query(page)["view"] == "alignment" and query(page)["roles"] == "park,core"
    assert page.evaluate("history.length") == entries + 1

    switch_to(page, "地图 Map")
    map_frame_with(page, ".gz-marker")
    wait_settled(page)  # the map's own second run must not undo the filters
    assert shown_count(page) == filtered
    assert query(page)["roles"] == "park,core" and "view" not in query(page)
    roles = page.locator('[data-testid="stMultiSelect"]').filter(has_text="类型 Roles")
    assert "园区" in roles.inner_text() and "核" in roles.inner_text()
    assert page.evaluate("history.length") == entries + 2  # one entry per action, no doubles

    # Back and Forward walk the two actions
    page.go_back()
    page.get_by_text("区级规划承接 Taken up").wait_for()
    assert query(page)["view"] == "alignment"
    page.go_back()
    page.wait_for_function("!location.search.includes('view=')")
    assert shown_count(page) == filtered and query(page)["roles"] == "park,core"
    page.go_forward()
    page.get_by_text("区级规划承接 Taken up").wait_for()
    page.close()


def test_on_a_phone_the_page_switch_reads_whole(app_url, browser, tmp_path) -> None:
    page = open_page(browser, app_url + "/?basemap=none", width=390, height=844)
    buttons = page.locator(".st-key-page button")
    buttons.last.wait_for()
    wait_settled(page)
    shot = tmp_path / "phone-page-switch.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        text = buttons.nth(i).locator("p")
        label = text.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{label!r} runs off the screen"
        clipped = text.evaluate(
            "p => p.scrollWidth > p.clientWidth + 1 || p.scrollHeight > p.clientHeight + 1"
            " || p.getBoundingClientRect().bottom > p.closest('button').getBoundingClientRect()"
            ".bottom + 1"
        )
        assert not clipped, f"{label!r} is cut"
    switch_to(page, "这里规划了什么")
    page.get_by_placeholder("113.366, 23.062").wait_for()
    page.close()


def test_a_mistyped_search_keeps_the_map_and_suggests_the_name(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?basemap=none")
    map_frame_with(page, ".gz-marker")
    wait_settled(page)
    before = shown_count(page)
    page.get_by_placeholder("地名、别称或规划原文").fill("知识诚")
    page.keyboard.press("Enter")
    suggestion = page.get_by_role("button", name="知识城", exact=True)
    suggestion.wait_for()
    page.get_by_text("没有找到“知识诚”").wait_for()
    wait_settled(page)
    assert shown_count(page) == before  # the map as it was, not an empty one
    map_frame_with(page, ".gz-marker")
    suggestion.click()
    page.wait_for_function("decodeURIComponent(location.search).includes('q=知识城')")
    hits = page.locator('[data-testid="stRadio"]').filter(has_text="搜索结果")
    first = hits.locator('[role="radiogroup"] label').first
    first.wait_for()
    assert first.inner_text().startswith("中新广州知识城")
    page.close()


def _click_row(page, row: int) -> None:
    """Click the middle of the places table's ``row`` (0 = the first), not on its tick box."""
    grid = page.locator('[data-testid="stDataFrameResizable"]').first
    grid.wait_for()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + 35 * (row + 1) + 17)


def test_a_table_row_opens_its_words_and_a_new_district_starts_afresh(app_url, browser) -> None:
    page = open_page(browser, app_url + "/?view=alignment&district=天河区&basemap=none")
    page.get_by_text("区级规划承接 Taken up").wait_for()
    wait_settled(page)
    _click_row(page, 0)
    heading = page.locator('[class*="st-key-align_evidence"] h4')
    heading.wait_for()
    first = heading.inner_text()
    # the words show beside the map, within the window, without scrolling
    assert heading.bounding_box()["y"] < 1000
    page.locator('[data-testid="stSelectbox"]').filter(has_text="区级规划").click()
    page.get_by_role("option").filter(has_text="花都区").first.click()
    page.wait_for_function("decodeURIComponent(location.search).includes('花都区')")
    wait_settled(page)
    # nothing is still picked from the other district
    assert page.locator('[class*="st-key-align_evidence"] h4').count() == 0
    _click_row(page, 0)
    heading.wait_for()
    assert heading.inner_text() != first
    page.close()
