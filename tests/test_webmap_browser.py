"""The map client in headless Chromium, on a static page (spatial.webmap.site): thousands of
points on one canvas, hover names a place (its text escaped), a click reports its id; a new
message restyles the map already drawn (colours by the rule, numbered nodes, highlight, names,
legend); the own layer comes once and is asked for again when missing.

Needs Debian's Chromium at /usr/bin/chromium and ``playwright``; run with ``pytest -m browser``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from _appdata import build_fixture_layers
from _site import served

from spatial import symbology
from spatial.plans.layers import frame_from_features, load_layers
from spatial.query.features import Selection, select
from spatial.symbology import view_symbology
from spatial.testing.chromium import CHROMIUM_ARGS, CHROMIUM_PATH
from spatial.webmap import client
from spatial.webmap.screen import POINT_CLOUD_MIN
from spatial.webmap.site import Site, write_page, write_site

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

HOSTILE = "<img src=x onerror=alert(1)>{{7*7}}"
LEAFLET = "window.gzClient.base.map"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM_PATH), args=list(CHROMIUM_ARGS))
        yield b
        b.close()


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_function("document.querySelector('#map').getAttribute('data-gz-selection')")
    return page, errors, dialogs


def selection_of(gdf: gpd.GeoDataFrame, site: Site, sel: Selection, rule: str = "industry",
                 key: str = "view") -> dict:
    """The selection a view sends the client, as the app builds it."""
    shown = select(gdf, sel)
    out = client.view_selection(shown, gdf["role"], site.position,
                                view_symbology(gdf, sel, rule))
    bounds = out.pop("bounds")
    out.update(key=key, highlight=-1, frame={"key": key, "bounds": bounds}, focus=None,
               unsited=[])
    return out


def many_parks(n: int, hostile: int) -> gpd.GeoDataFrame:
    """``n`` parks on a grid; park ``hostile`` has a hostile name and is drawn last (on top)."""
    feats = [
        {
            "type": "Feature",
            "properties": {"id": f"p-{i}", "name": HOSTILE if i == hostile else f"园区{i}",
                           "role": "park", "plans": ["gz_sti"], "industries": ["生物医药"]},
            "geometry": {"type": "Point",
                         "coordinates": [113.2 + (i % 60) * 0.004, 23.05 + (i // 60) * 0.004]},
        }
        for i in range(n)
    ]
    feats.append(feats.pop(hostile))
    frame = frame_from_features(feats, layer="parks")
    return frame.set_index("id", drop=False).rename_axis(None)


def hover(page, lat: float, lon: float) -> tuple[float, float]:
    """Bring the pointer onto a latitude and longitude of the map, from aside as a hand does
    (a hover needs a move); returns that page position."""
    at = page.evaluate(
        f"(() => {{ var p = {LEAFLET}.latLngToContainerPoint([{lat}, {lon}]);"
        " var box = document.querySelector('#map').getBoundingClientRect();"
        " return [p.x + box.left, p.y + box.top]; })()"
    )
    page.mouse.move(at[0] - 20, at[1])
    page.mouse.move(at[0], at[1], steps=5)
    return at[0], at[1]


def test_point_cloud_hover_and_click_in_a_real_browser(browser, tmp_path: Path) -> None:
    n = POINT_CLOUD_MIN * 4
    hostile = n // 2 + 30  # mid-map, clear of the legend and the controls
    parks = many_parks(n, hostile)
    site = write_site(tmp_path, parks)
    write_page(site, site.message(selection_of(parks, site, Selection())))
    with served(tmp_path) as url:
        page, errors, dialogs = open_page(browser, url)
        page.locator(".leaflet-gzPoints-pane canvas").wait_for()
        assert page.locator(".gz-marker").count() == 0  # no DOM marker per point
        assert page.evaluate("window.gzClient.clouds.parks.count()") == n

        lon, lat = parks.at[f"p-{hostile}", "geometry"].coords[0]
        at = hover(page, lat, lon)
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        assert tooltip.inner_text().startswith(HOSTILE)  # shown as text, template syntax too
        assert page.locator(".leaflet-tooltip img").count() == 0
        page.mouse.click(at[0], at[1])
        page.wait_for_function("window.gzReports.length > 0")
        assert page.evaluate("window.gzReports") == [["click", {"id": f"p-{hostile}"}]]
        assert errors == [] and dialogs == []
        page.close()


def marker_fills(page) -> dict[str, str]:
    """Accessible name -> fill of each marker drawn as the role's shape."""
    return page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.gz-marker svg[aria-label]')]"
        ".filter(s => s.querySelector('g')).map(s => [s.getAttribute('aria-label'),"
        " s.querySelector('g').getAttribute('fill')]))"
    )


def shown_labels(page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('.gz-label')].filter(d => d.style.display !== 'none')"
        ".map(d => d.textContent)"
    )


def test_a_new_message_restyles_the_map_already_drawn(browser, tmp_path: Path) -> None:
    gdf = load_layers(build_fixture_layers(tmp_path / "layers"))
    gdf.loc["guoguang-2025", "name"] = HOSTILE  # a hostile name among the places
    site = write_site(tmp_path / "site", gdf)
    every = selection_of(gdf, site, Selection())
    write_page(site, site.message(every))
    with served(tmp_path / "site") as url:
        page, errors, dialogs = open_page(browser, url)
        page.evaluate("window.gzSameDocument = true")
        # every place drawn, each in the colour the rule gives it (as the print map does)
        fills = marker_fills(page)
        sym = view_symbology(gdf, Selection(), "industry")
        want = {gdf.at[fid, "name"]: sym.fills[fid] for fid in sym.coloured
                if gdf.at[fid, "geometry"].geom_type == "Point"}
        assert want and {k: fills.get(k) for k in want} == want
        assert HOSTILE in fills  # its name is an attribute's text, not markup
        assert "中新广州知识城" in shown_labels(page)  # a core, named at city zoom
        legend = page.locator(".gz-legend")
        assert legend.count() == 1 and legend.locator("[data-colour]").count() >= 2
        # every entry's whole label as the print legend has it (the client rebuilds the
        # labels the message leaves out)
        labels = page.evaluate("[...document.querySelectorAll('.gz-legend-entry')]"
                               ".map(e => e.getAttribute('data-label'))")
        assert labels == [e.label for e in sym.legend.symbols + sym.legend.colours]

        # the plan rule, the axis numbered, a node highlighted: one message, the same map
        sel = Selection(segment="axis-huangpu")
        view = selection_of(gdf, site, sel, rule="plan", key="huangpu")
        view["highlight"] = site.position["shengwudao"]
        page.evaluate(f"window.gzClient.apply({client_message_json(site, view)})")
        page.wait_for_function(
            "document.querySelector('#map').getAttribute('data-gz-selection') === 'huangpu'"
        )
        numbers = page.evaluate(
            "[...document.querySelectorAll('.gz-marker svg text')].map(t => t.textContent)"
        )
        axis = {str(n) for n in view_symbology(gdf, sel, "plan").numbered.values()}
        assert axis and set(numbers) == axis  # the nodes of the segment, by their numbers
        assert page.locator('[aria-label="广州国际生物岛（已选中 selected）"]').count() == 1
        assert page.locator('[aria-label="国光2025国际双创社区"]').count() == 0  # filtered out
        plan_fills = set(marker_fills(page).values())
        assert plan_fills <= {*symbology.plan_colours().values(), symbology.SEVERAL_PLANS,
                              symbology.OTHER_INDUSTRY, symbology.NEUTRAL_FILL}
        assert page.evaluate("window.gzSameDocument === true")
        assert page.locator(".gz-legend").get_attribute("data-rule") == "plan"

        # back to every place: those the segment hid and those it recoloured wear the
        # industry colours again, and the axis nodes their shapes
        every["key"] = "every-again"
        page.evaluate(f"window.gzClient.apply({client_message_json(site, every)})")
        page.wait_for_function(
            "document.querySelector('#map').getAttribute('data-gz-selection') === 'every-again'"
        )
        fills = marker_fills(page)
        assert {k: fills.get(k) for k in want} == want
        assert page.locator(".gz-marker svg text").count() == 0
        assert page.locator("img").count() == 0 and errors == [] and dialogs == []
        page.close()


def test_a_filter_change_from_a_few_places_draws_the_others_in_their_colours(
        browser, tmp_path: Path) -> None:
    gdf = load_layers(build_fixture_layers(tmp_path / "layers"))
    site = write_site(tmp_path / "site", gdf)
    few = selection_of(gdf, site, Selection(segment="axis-huangpu"), key="few")
    every = selection_of(gdf, site, Selection(), key="every")
    write_page(site, site.message(few))
    with served(tmp_path / "site") as url:
        page, errors, dialogs = open_page(browser, url)
        # the page idles after its first view (the client makes the other markers meanwhile)
        page.evaluate("new Promise(done => requestIdleCallback(() => setTimeout(done, 200)))")
        page.evaluate(f"window.gzClient.apply({client_message_json(site, every)})")
        page.wait_for_function(
            "document.querySelector('#map').getAttribute('data-gz-selection') === 'every'"
        )
        sym = view_symbology(gdf, Selection(), "industry")
        want = {gdf.at[fid, "name"]: sym.fills[fid] for fid in sym.coloured
                if gdf.at[fid, "geometry"].geom_type == "Point"}
        fills = marker_fills(page)
        assert want and {k: fills.get(k) for k in want} == want
        # one marker per place, each named for a screen reader
        names = page.evaluate("[...document.querySelectorAll('.gz-marker svg')]"
                              ".map(s => s.getAttribute('aria-label'))")
        assert len(names) == len(set(names)) and set(want) <= set(names)
        assert errors == [] and dialogs == []
        page.close()


def client_message_json(site: Site, selection: dict) -> str:
    return json.dumps(site.message(selection), ensure_ascii=False)


def test_own_layer_comes_once_and_is_asked_for_when_missing(browser, tmp_path: Path) -> None:
    gdf = load_layers(build_fixture_layers(tmp_path / "layers"))
    site = write_site(tmp_path / "site", gdf)
    own = gpd.GeoDataFrame({"name": [HOSTILE + "调研点"]}, geometry=gpd.points_from_xy([113.52],
                                                                                    [23.33]),
                           crs="EPSG:4326")
    layer = {"key": "k1", "name": "我的图层 My layer", "features": client.own_features(own)}
    write_page(site, site.message(selection_of(gdf, site, Selection()), own=layer))
    # a page that is told of a layer it never received asks for it
    write_page(site, site.message(selection_of(gdf, site, Selection()),
                                  own={"key": "k2", "name": "x"}), "told.html")
    with served(tmp_path / "site") as url:
        page, errors, dialogs = open_page(browser, url)
        # the point is a pin on the own layer's canvas: one feature held, hovered where it is
        page.locator(".leaflet-gzOwnPoints-pane canvas").wait_for()
        held = "window.gzClient.ownLayer.cloud.count()"
        assert page.evaluate(held) == 1
        hover(page, 23.33, 113.52)
        tip = page.locator(".leaflet-tooltip").filter(has_text="调研点")
        tip.wait_for()
        assert HOSTILE in tip.inner_text() and page.locator(".leaflet-tooltip img").count() == 0
        # later messages name the layer only; it stays, and nothing is asked for
        again = selection_of(gdf, site, Selection(roles=("park",)), key="again")
        message = site.message(again, own={"key": "k1", "name": "我的图层 My layer"})
        page.evaluate(f"window.gzClient.apply({json.dumps(message, ensure_ascii=False)})")
        page.wait_for_function(
            "document.querySelector('#map').getAttribute('data-gz-selection') === 'again'"
        )
        assert page.evaluate(held) == 1 and page.evaluate("window.gzReports") == []
        page.close()
        told, errors2, _ = open_page(browser, url + "/told.html")
        told.wait_for_function("window.gzReports.length > 0")
        assert told.evaluate("window.gzReports") == [["need", {"own": "k2"}]]
        assert errors == [] and errors2 == [] and dialogs == []
        told.close()
