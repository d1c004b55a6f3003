"""The map reads like a map, in headless Chromium on the project's layers: a name on what is
drawn (the Huadu parks counted on screen, the 规划衔接 map too), the selection framed (checked
from the map's bounds), the view in the URL through Back, Forward and a shared link, the
legend's share of the map, a phone's page scrolled from the map.

Run with ``pytest -m browser``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from _browser import WAIT_MS, project_app, wait_map_still, wait_settled

from spatial.plans.layers import load_layers
from spatial.plans.schema import OUTSIDE_ROLE
from spatial.query.features import Selection, plan_view, select
from spatial.symbology import drawn_features

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

HUADU = ("huadu_sti", "huadu_mfg")
HUADU_PARKS = "/?plans=huadu_sti,huadu_mfg&roles=park"
MAP = "document.querySelector('.gz-map').gzMap"
VIEW = f"(() => {{ const m = {MAP}, c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; }})()"
SHOWN_LABELS = ("[...document.querySelectorAll('.gz-map .gz-label')]"
                ".filter(d => d.style.display !== 'none')")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with project_app(tmp_path_factory, "mapview_browser") as url:
        yield url


def drawn(sel: Selection):
    """The features a selection draws on the map, in the roles the map draws them in."""
    gdf = load_layers()
    return drawn_features(plan_view(select(gdf, sel), sel.plans))


def frame_of(gdf) -> list[list[float]]:
    """[[south, west], [north, east]] of the features, the context outside the city aside."""
    inside = gdf[gdf["role"] != OUTSIDE_ROLE]
    west, south, east, north = (float(v) for v in inside.total_bounds)
    return [[south, west], [north, east]]


def open_map(browser, url: str, width: int = 1600, height: int = 1000, phone: bool = False):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector(".gz-host[data-gz-selection]")
    page.wait_for_function(f"{MAP} && {MAP}.getContainer().hasAttribute('data-gz-labels')")
    return page, errors


def contains(page, bounds) -> bool:
    return page.evaluate(f"{MAP}.getBounds().contains({bounds})")


def boxes(page, js: str) -> list[dict]:
    return page.evaluate(f"{js}.map(e => {{ const r = e.getBoundingClientRect(); return "
                         "{x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, "
                         "text: e.textContent}; })")


def overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (a["x0"] + slack < b["x1"] and b["x0"] + slack < a["x1"]
            and a["y0"] + slack < b["y1"] and b["y0"] + slack < a["y1"])


def hash_view(url: str) -> tuple[int, float, float] | None:
    found = re.search(r"#map=(\d+)/(-?[\d.]+)/(-?[\d.]+)", url)
    return (int(found[1]), float(found[2]), float(found[3])) if found else None


def same_view(a, b, tol: float = 1e-3) -> bool:
    return a[0] == b[0] and abs(a[1] - b[1]) < tol and abs(a[2] - b[2]) < tol


def test_every_huadu_park_is_named_clear_of_markers_and_names(app_url: str, browser) -> None:
    parks = drawn(Selection(plans=HUADU, roles=("park",)))
    page, errors = open_map(browser, app_url + HUADU_PARKS)
    page.wait_for_function(f"{SHOWN_LABELS}.length >= {len(parks)}", timeout=20_000)
    assert int(page.locator(".gz-host").get_attribute("data-gz-shown")) == len(parks)
    labels = boxes(page, SHOWN_LABELS)
    named = {b["text"].replace("\n", "") for b in labels}
    assert named == set(parks["name"])  # all of them, and nothing else
    markers = boxes(page, "[...document.querySelectorAll('.gz-map .gz-marker')]")
    assert len(markers) >= len(parks)
    for i, a in enumerate(labels):
        assert not any(overlap(a, b) for b in labels[i + 1:]), a["text"]
        assert not any(overlap(a, m) for m in markers), a["text"]
    # district names sit above the markers (a pane drawn over theirs), haloed
    z = page.evaluate(
        "(() => { const pane = s => +getComputedStyle(document.querySelector(s)"
        ".closest('.leaflet-pane')).zIndex; return [pane('.gz-map .gz-district-label'),"
        " pane('.gz-map .gz-marker')]; })()")
    assert z[0] > z[1]
    assert errors == []
    page.context.close()


def test_a_selection_is_framed_and_a_moved_map_is_offered_the_frame(app_url: str,
                                                                     browser) -> None:
    page, errors = open_map(browser, app_url + "/", 1280, 720)
    wait_settled(page)
    everything = drawn(Selection())
    inside = frame_of(everything)
    west, south, east, north = (float(v) for v in everything.total_bounds)
    page.wait_for_function(f"{MAP}.getBounds().contains({inside})")
    # framed on the city: the context outside it (东莞, 深圳, 香港) does not widen the frame
    fits_all = page.evaluate(f"{MAP}.getBoundsZoom([[{south}, {west}], [{north}, {east}]])")
    assert page.evaluate(VIEW)[0] > fits_all
    # Chinese first: a metric scale, a layer switcher in Chinese
    assert page.locator(".leaflet-control-scale-line").all_inner_texts()[0].endswith("km")
    assert not re.search(r"\b(mi|ft)\b", page.locator(".leaflet-control-scale").inner_text())
    page.locator(".leaflet-control-layers").hover()
    entries = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert entries and all(re.match(r"\s*[\u4e00-\u9fff]", e) for e in entries), entries
    assert all(re.search(r"[\u4e00-\u9fff]", e.split("·")[-1]) for e in entries), entries

    # a plan chosen: the map frames its features
    before = page.evaluate(VIEW)
    plans = page.locator('[data-testid="stMultiSelect"]').filter(has_text="规划 Plans")
    plans.click()
    page.keyboard.type("花都区先进制造")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    huadu = frame_of(drawn(Selection(plans=("huadu_mfg",))))
    page.wait_for_function(f"{MAP}.getBounds().contains({huadu}) && {MAP}.getZoom() > "
                           f"{before[0]}")
    wait_settled(page)

    # the user moves the map; the next selection leaves it there and offers the frame
    box = page.locator(".gz-map").bounding_box()
    x, y = box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y + 120, steps=8)
    page.mouse.up()
    # the drag's inertia is over: the map has stood still a while (an animation's flag alone
    # may be read before the inertia has started)
    moved = wait_map_still(page.main_frame, quiet_ms=800)
    roles = page.locator('[data-testid="stMultiSelect"]').filter(has_text="类型 Roles")
    roles.click()
    page.keyboard.type("园区")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    button = page.locator(".gz-results-button")
    button.wait_for()
    assert "缩放至结果" in button.inner_text()
    assert same_view(page.evaluate(VIEW), moved, 1e-6)
    button.click()
    parks = frame_of(drawn(Selection(plans=("huadu_mfg",), roles=("park",))))
    page.wait_for_function(f"{MAP}.getBounds().contains({parks})")
    assert button.count() == 0
    assert errors == []
    page.context.close()


def test_the_view_is_in_the_url_and_back_forward_and_links_reopen_it(app_url: str,
                                                                     browser) -> None:
    page, errors = open_map(browser, app_url + HUADU_PARKS, 1280, 720)
    page.wait_for_function("/#map=\\d+\\//.test(location.hash)")
    wait_settled(page)
    assert same_view(hash_view(page.url), page.evaluate(VIEW))
    z = page.evaluate(VIEW)[0]
    page.locator(".leaflet-control-zoom-in").click()  # the user zooms in: the URL follows
    page.wait_for_function(f"{MAP}.getZoom() === {z + 1} && "
                           f"location.hash.startsWith('#map={z + 1}/')")
    parks_url, parks_view = page.url, hash_view(page.url)
    assert same_view(parks_view, page.evaluate(VIEW))

    page.get_by_role("button", name="清除筛选 Clear filters").click()  # a new history entry
    page.wait_for_function("!location.search.includes('roles')")
    page.locator(".gz-results-button").click()  # the user had moved the map: framed on demand
    page.wait_for_function(f"/#map=/.test(location.hash) && !location.hash.startsWith("
                           f"'#map={parks_view[0]}/')")
    wait_settled(page)
    city_view = hash_view(page.url)
    assert city_view[0] < parks_view[0]

    page.go_back()  # the parks, where the user had zoomed
    page.wait_for_function(f"{MAP}.getZoom() === {parks_view[0]}")
    assert page.url == parks_url and same_view(page.evaluate(VIEW), parks_view)
    wait_settled(page)
    page.go_forward()  # the whole city again
    page.wait_for_function(f"{MAP}.getZoom() === {city_view[0]}")
    assert same_view(page.evaluate(VIEW), city_view)
    assert errors == []
    page.context.close()

    # a shared link opens the sender's view; a shared place opens where the sender saw it
    shared, errors = open_map(browser, parks_url, 1280, 720)
    shared.wait_for_function(f"{MAP}.getZoom() === {parks_view[0]}")
    assert same_view(shared.evaluate(VIEW), parks_view)
    shared.context.close()
    place, errors2 = open_map(browser, app_url + "/?node=gz-bio-island#map=12/23.08/113.37",
                              1280, 720)
    place.wait_for_function(f"{MAP}.getZoom() === 12")
    assert same_view(place.evaluate(VIEW), (12, 23.08, 113.37), 1e-3)
    assert errors == [] and errors2 == []
    place.context.close()


def legend_share(page) -> float:
    return page.evaluate(
        "(() => { const l = document.querySelector('.gz-map .gz-legend').getBoundingClientRect(),"
        " m = document.querySelector('.gz-map').getBoundingClientRect();"
        " return (l.width * l.height) / (m.width * m.height); })()")


def test_legend_keeps_to_a_quarter_of_the_map_with_every_label_whole(app_url: str,
                                                                      browser) -> None:
    for width, height in ((1600, 1000), (1280, 720)):
        page, errors = open_map(browser, app_url + "/", width, height)
        legend = page.locator(".gz-map .gz-legend")
        assert legend.get_attribute("open") is not None  # a wide screen: open
        assert legend_share(page) <= 0.25, (width, height)
        cut = page.evaluate("[...document.querySelectorAll('.gz-legend-text')]"
                            ".filter(t => t.scrollWidth > t.clientWidth + 1"
                            " || getComputedStyle(t).textOverflow === 'ellipsis').length")
        assert cut == 0
        whole = page.evaluate("[...document.querySelectorAll('.gz-legend-entry')]"
                              ".map(e => [e.getAttribute('data-label'), e.textContent.trim()])")
        assert whole and all(" ".join(label.split()) == " ".join(text.split())
                             for label, text in whole), whole
        assert errors == []
        page.context.close()

    phone, errors = open_map(browser, app_url + "/", 390, 844, phone=True)
    legend = phone.locator(".gz-map .gz-legend")
    assert legend.get_attribute("open") is None  # a phone: folded
    legend.locator("summary").click()
    phone.wait_for_function("document.querySelector('.gz-map .gz-legend').open")
    assert legend_share(phone) <= 0.25
    assert errors == []
    phone.context.close()


def test_a_phone_scrolls_the_page_from_the_map(app_url: str, browser) -> None:
    page, errors = open_map(browser, app_url + "/", 390, 844, phone=True)
    wait_settled(page)
    box = page.locator(".gz-map").bounding_box()
    assert box["height"] <= 0.65 * 844  # the page below the map shows
    scroller = ("(() => { let e = document.querySelector('.gz-map');"
                " while (e && !(e.scrollHeight > e.clientHeight + 1 &&"
                " /(auto|scroll)/.test(getComputedStyle(e).overflowY))) e = e.parentElement;"
                " return e || document.scrollingElement; })()")
    top = page.evaluate(f"{scroller}.scrollTop")
    before = page.evaluate(VIEW)
    # one finger drags up across the map (a touch screen's events, as the browser gets them)
    cdp = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, 11):
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 25 * k}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function(f"{scroller}.scrollTop > {top} + 100", timeout=10_000)
    assert same_view(page.evaluate(VIEW), before, 1e-9)  # one finger: the map stays
    assert errors == []
    page.context.close()


def test_the_alignment_map_names_its_places(app_url: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(app_url + "/?view=alignment&district=天河区")
    page.wait_for_selector(".gz-page-map .gz-district-label", state="attached")
    page.wait_for_function("document.querySelector('.gz-page-map').gzMap")
    page.wait_for_function("[...document.querySelectorAll('.gz-page-map .gz-label')]"
                           ".filter(d => d.style.display !== 'none').length >= 15")
    names = page.evaluate("[...document.querySelectorAll('.gz-page-map .gz-label')]"
                          ".filter(d => d.style.display !== 'none').map(d => d.textContent)")
    assert "天河智慧城" in [n.replace("\n", "") for n in names]
    context.close()


def test_the_here_map_names_its_places(app_url: str, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(app_url + "/?view=here&at=113.366,23.062")  # 大学城, by 生物岛
    page.wait_for_function("document.querySelector('.gz-page-map') &&"
                           " document.querySelector('.gz-page-map').gzMap")
    shown = ("[...document.querySelectorAll('.gz-page-map .gz-label')]"
             ".filter(d => d.style.display !== 'none')")
    page.wait_for_function(f"{shown}.length >= 2")
    names = {n.replace("\n", "") for n in page.evaluate(f"{shown}.map(d => d.textContent)")}
    assert names <= set(load_layers()["name"]), names  # the places' own names
    assert "广州大学城" in names
    context.close()
