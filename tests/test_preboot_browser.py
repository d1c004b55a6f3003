"""A new page draws the map before Streamlit's front end starts (``static/gzmap/preboot.js``),
in headless Chromium on the project's layers, served as ``make app`` serves it (``asgi.py``):
the map is there before the sidebar, stands where the map's component will stand, and becomes
that component's map; a click made meanwhile opens its place; what the page cannot draw, or
draws wrong, is left to the server's answer.

Run with ``pytest -m browser``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from _browser import HOLD, WAIT_MS, project_app, wait_settled, wait_until

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

VIEW = "/?roles=park&basemap=none"
#: Run before the page's scripts: when the first marker is drawn, whether it stood in the
#: pre-boot's box and whether Streamlit's sidebar was there yet; and the box's map's place on
#: the page, as last seen.
RECORD = """(() => {
  window.__gzFirst = null;
  new MutationObserver(() => {
    const box = document.querySelector(".gz-preboot .gz-map");
    if (box) { const r = box.getBoundingClientRect(); window.__gzBoxRect = [r.left, r.top, r.width, r.height]; }
    if (window.__gzFirst || !document.querySelector(".gz-marker")) { return; }
    window.__gzFirst = {
      inBox: Boolean(document.querySelector(".gz-preboot .gz-marker")),
      sidebar: Boolean(document.querySelector("[data-testid='stSidebar']")),
    };
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();"""
MAP = "document.querySelector('[data-gz-shown]')"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[str]:
    with project_app(tmp_path_factory, "preboot_browser") as url:
        # a first page of the offline basemap: the server keeps its map's manifest
        page = browser.new_page()
        page.goto(url + VIEW)
        page.wait_for_selector(".gz-marker", timeout=WAIT_MS)
        wait_settled(page)
        page.close()
        yield url


#: The map's view index, and the component's loader, as the page asks for them.
INDEX_FILE = re.compile(r"/view-index\.[0-9a-f]+\.json")
LOADER_FILE = re.compile(r"/gzmap-loader\.[0-9a-f]+\.js")


def _open(browser, url: str, *init: str, size: tuple[int, int] = (1600, 1000),
          routes: dict | None = None):
    """A new context's page at ``url``, with the scripts ``init`` run first and the requests
    ``routes`` names (pattern -> handler) answered by their handlers."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  locale="zh-CN")
    for script in (RECORD, *init):
        context.add_init_script(script)
    for pattern, handler in (routes or {}).items():
        context.route(pattern, handler)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return context, page, errors


def _state(page) -> str:
    return page.evaluate("window.GzPreboot ? GzPreboot.state : ''")


def _rect(page) -> list[float]:
    return page.evaluate("(() => { const r = document.querySelector('.gz-host .gz-map')"
                         ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_a_new_page_draws_the_map_first_where_it_stays(app_url: str, browser, size) -> None:
    context, page, errors = _open(browser, app_url + VIEW, size=size)
    page.wait_for_function("window.GzPreboot && GzPreboot.state === 'taken'")
    wait_settled(page)
    first = page.evaluate("window.__gzFirst")
    assert first == {"inBox": True, "sidebar": False}  # the map before Streamlit's page
    # one map, now the component's: the box is gone, the client and its Leaflet map moved in
    assert page.locator(".gz-host").count() == 1 and page.locator(".gz-preboot").count() == 0
    assert page.locator(".leaflet-container").count() == 1
    assert page.locator(".st-key-map .gz-host[data-gz-preboot='taken']").count() == 1
    # the server's first answer is what was drawn
    assert page.evaluate(f"{MAP}.getAttribute('data-gz-predicted')") == "match"
    assert page.evaluate(f"{MAP}.getAttribute('data-gz-shown')") == "54"
    page.get_by_text(re.compile(r"地图显示 54 / \d+")).wait_for()
    # and it did not move on the page when Streamlit's page came round it
    box, final = page.evaluate("window.__gzBoxRect"), _rect(page)
    assert all(abs(a - b) <= 2 for a, b in zip(box, final, strict=True)), (box, final)
    assert errors == []
    context.close()


def test_a_new_server_has_the_map_of_its_own_basemap_ready_for_its_first_page(
    app_url: str,
) -> None:
    """Made when the server starts (asgi.py), not by a first page: the fixture's only page
    was of the offline basemap."""
    from urllib.request import urlopen

    from app.appstate import APP_BASEMAP

    def held() -> dict:
        with urlopen(app_url + "/", timeout=10) as answer:
            page = answer.read().decode("utf-8")
        return json.loads(re.search(r"var INLINE = (\{.*?\});", page)[1])["basemaps"]

    assert APP_BASEMAP != "none"
    wait_until(lambda: APP_BASEMAP in held(), "the deployment's basemap's manifest in the page")


def test_a_click_on_the_map_before_streamlit_is_up_opens_its_place(app_url: str, browser) -> None:
    # every message of the server held back 3 s: the component comes late
    context, page, errors = _open(browser, app_url + VIEW, HOLD, "window.__gzHoldMs = 3000")
    page.wait_for_function("window.GzPreboot && GzPreboot.state === 'drawn'")
    park = page.locator(".gz-preboot .gz-marker [role='img'][aria-label]").first
    name = park.get_attribute("aria-label")
    park.click()
    assert _state(page) == "drawn"  # clicked on the map the page drew alone
    page.evaluate("window.__gzHoldMs = 0")
    page.get_by_role("heading", name=name).wait_for()
    assert "node=" in page.url
    assert errors == []
    context.close()


@pytest.mark.parametrize(("link", "why"), [
    ("/?q=生物医药&basemap=none", "skip: left to the server"),
    ("/?roles=no-such-role&basemap=none", "skip: a value the layers lack"),
    ("/?roles=park&basemap=no-such-basemap", "skip: no manifest of no-such-basemap"),
])
def test_what_the_page_cannot_draw_is_left_to_streamlit(app_url: str, browser, link, why) -> None:
    context, page, errors = _open(browser, app_url + link)
    page.wait_for_selector(".st-key-map .gz-marker")
    wait_settled(page)
    assert _state(page) == why
    assert page.locator(".gz-preboot").count() == 0
    assert page.locator(".leaflet-container").count() == 1
    assert errors == []
    context.close()


def test_another_page_of_the_app_is_left_to_streamlit(app_url: str, browser) -> None:
    context, page, errors = _open(browser, app_url + "/?view=alignment&district=天河区")
    page.wait_for_selector(".leaflet-container")  # the 规划衔接 page's own map
    wait_settled(page)
    assert _state(page) == "skip: left to the server"
    assert page.locator(".gz-preboot").count() == 0
    assert page.locator(".leaflet-container").count() == 1
    assert errors == []
    context.close()


def test_a_map_no_component_takes_does_not_stay_on_the_page(app_url: str, browser) -> None:
    # the map's component cannot load: nothing takes the pre-booted map
    context, page, _errors = _open(browser, app_url + VIEW,
                                   routes={LOADER_FILE: lambda r: r.fulfill(status=404)})
    page.wait_for_function("window.GzPreboot && GzPreboot.state === 'drawn'")
    page.wait_for_function("GzPreboot.state === 'gone'")  # once Streamlit has run the page
    assert page.locator(".gz-preboot").count() == 0
    assert page.locator("[data-testid='stSidebar'] .st-key-roles").count() == 1
    context.close()


def test_a_narrow_window_is_left_to_streamlit(app_url: str, browser) -> None:
    context, page, errors = _open(browser, app_url + VIEW, size=(800, 900))
    page.wait_for_selector(".st-key-map .gz-marker")
    assert _state(page) == "skip: narrow window"
    assert errors == []
    context.close()


def test_a_map_the_page_drew_wrong_is_redrawn_by_the_servers_answer(app_url: str, browser) -> None:
    def untagged(route) -> None:  # the page's view index says no place has an industry
        index = json.loads(route.fetch().text())
        for feature in index["f"]:
            feature["ind"] = []
        route.fulfill(status=200, content_type="application/json", body=json.dumps(index))

    context, page, _errors = _open(browser, app_url + VIEW, routes={INDEX_FILE: untagged})
    page.wait_for_function("window.GzPreboot && GzPreboot.state === 'drawn'")
    assert "智能装备" not in page.locator(".gz-preboot .gz-legend").inner_text()
    page.wait_for_function(f"{MAP} && {MAP}.getAttribute('data-gz-predicted') === 'differ'")
    wait_settled(page)
    assert "智能装备" in page.locator(".gz-legend").inner_text()  # the server's view
    context.close()


def test_streamlit_starts_when_the_maps_files_cannot_be_had(app_url: str, browser) -> None:
    context, page, _errors = _open(browser, app_url + VIEW,
                                   routes={INDEX_FILE: lambda r: r.fulfill(status=404)})
    page.wait_for_selector("[data-testid='stSidebar'] .st-key-roles")
    page.wait_for_selector(".st-key-map .gz-marker")  # the map's component draws it
    assert _state(page).startswith("skip: ")
    assert page.locator(".gz-preboot").count() == 0
    context.close()
