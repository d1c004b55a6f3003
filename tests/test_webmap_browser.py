"""A map with thousands of points in headless Chromium: drawn on one canvas, hover names a
place (its text escaped), and a click yields the place's id the way the app reads it.

Needs Debian's Chromium at /usr/bin/chromium and ``playwright``; run with ``pytest -m browser``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from spatial import webmap
from spatial._paths import ROOT
from spatial.geo.basemaps import NO_TILES
from spatial.plans.layers import frame_from_features
from spatial.testing.chromium import CHROMIUM_ARGS, CHROMIUM_PATH

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

HOSTILE = "<img src=x onerror=alert(1)>{{7*7}}"

#: What streamlit-folium reads from a clicked layer whose group carries the tooltip
#: (its ``onLayerClick``: ``e.target.getTooltip().getContent()(e.sourceTarget).innerText``).
CLICK_TEXT_JS = """() => {
    var map = Object.values(window).find(function (v) { return v instanceof L.Map; });
    var point = null, cloud = null;
    map.eachLayer(function (l) { if (l instanceof L.GzShape) { point = l; } });  // the last
    map.eachLayer(function (l) {
        if (l instanceof L.FeatureGroup && l.hasLayer(point) && l.getTooltip()) { cloud = l; }
    });
    var at = map.latLngToContainerPoint(point.getLatLng());
    var box = map.getContainer().getBoundingClientRect();
    return {text: cloud.getTooltip().getContent()(point).innerText,
            x: at.x + box.left, y: at.y + box.top};
}"""


def many_parks(n: int, hostile: int) -> gpd.GeoDataFrame:
    """``n`` parks on a grid; park ``hostile`` has a hostile name and is drawn last (on top)."""
    feats = [
        {
            "type": "Feature",
            "properties": {
                "id": f"p-{i}",
                "name": HOSTILE if i == hostile else f"园区{i}",
                "role": "park",
            },
            "geometry": {
                "type": "Point",
                "coordinates": [113.2 + (i % 60) * 0.004, 23.05 + (i // 60) * 0.004],
            },
        }
        for i in range(n)
    ]
    feats.append(feats.pop(hostile))
    frame = frame_from_features(feats, layer="parks")
    return frame.set_index("id", drop=False).rename_axis(None)


def test_point_cloud_hover_and_click_in_a_real_browser(tmp_path: Path) -> None:
    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    n = webmap.POINT_CLOUD_MIN * 4
    hostile = n // 2 + 30  # mid-map, clear of the legend and the controls
    m = webmap.build_map(
        many_parks(n, hostile),
        basemap=NO_TILES,
        asset_base=(ROOT / "static" / "leaflet").as_uri(),
    )
    page_path = tmp_path / "map.html"
    page_path.write_text(m.get_root().render(), encoding="utf-8")

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM_PATH), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_path.as_uri())
        page.locator(".leaflet-gzPoints-pane canvas").wait_for()
        assert page.locator(".gz-marker").count() == 0  # no DOM marker per point
        assert (
            page.evaluate(
                "() => { var n = 0, map = Object.values(window).find(v => v instanceof L.Map);"
                " map.eachLayer(l => { if (l instanceof L.GzShape) n++; }); return n; }"
            )
            == n
        )

        clicked = page.evaluate(CLICK_TEXT_JS)
        assert webmap.tooltip_feature_id(clicked["text"]) == f"p-{hostile}"  # its panel opens

        page.wait_for_timeout(300)  # the canvas draws on the next animation frame
        page.mouse.move(clicked["x"] - 20, clicked["y"])
        page.mouse.move(clicked["x"], clicked["y"], steps=5)
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for()
        assert tooltip.inner_text().startswith(HOSTILE)  # shown as text, template syntax too
        assert page.locator(".leaflet-tooltip img").count() == 0
        assert errors == [] and dialogs == []
        browser.close()
