"""The folium map: role styling that survives greyscale, escaping, basemaps, offline assets."""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from _appdata import build_fixture_layers
from shapely.geometry import Point, Polygon

from spatial import webmap
from spatial.layers import frame_from_features, load_layers
from spatial.schema import ROLES


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("webmap_layers")))


def render(m) -> str:
    return m.get_root().render()


def batch_items(page: str) -> list[dict]:
    """Every item the map's batched layers draw, decoded from the page."""
    items = []
    for blob in re.findall(r"var items = (\[.*?\]);\n", page):
        items.extend(json.loads(blob))
    return items


def text_content(fragment: str) -> str:
    """What a browser's ``textContent`` gives for an HTML fragment (tags gone, entities read)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def hostile_feature(**props) -> dict:
    base = {
        "id": "evil",
        "name": "<img src=x onerror=alert(1)>`${x}`{{7*7}}{% raw %}",
        "role": "park",
        "plans": ["gz_sti"],
        "district": ["天河区"],
        "industries": [],
        "aliases": [],
        "excerpts": [
            {"plan": "gz_sti", "seed": "s", "section": "一、x › </script><script>alert(2)</script>",
             "text": "“引号”</script>{{ config }}"}
        ],
        "location_source": "test",
        "location_precision_m": 10,
    }
    base.update(props)
    return {"type": "Feature", "properties": base,
            "geometry": {"type": "Point", "coordinates": [113.33, 23.13]}}


# -- styles ----------------------------------------------------------------------------------------
def test_every_role_has_its_own_style() -> None:
    assert set(webmap.ROLE_STYLES) == set(ROLES)


def test_roles_stay_apart_in_greyscale() -> None:
    levels = {role: webmap.grey_level(style.color) for role, style in webmap.ROLE_STYLES.items()}
    for (a, la), (b, lb) in itertools.combinations(levels.items(), 2):
        assert abs(la - lb) >= 4, f"{a} and {b} print as nearly the same grey"


def test_point_roles_have_distinct_shapes_and_line_roles_distinct_dashes() -> None:
    lines = {r: webmap.ROLE_STYLES[r] for r in webmap.LINE_ROLES}
    points = {r: s for r, s in webmap.ROLE_STYLES.items() if r not in lines}
    assert len({s.shape for s in points.values()}) == len(points)
    assert len({(s.dash, s.weight) for s in lines.values()}) == len(lines)


def test_grey_level_of_black_white_and_mid_grey() -> None:
    assert webmap.grey_level("#000000") == pytest.approx(0, abs=0.01)
    assert webmap.grey_level("#ffffff") == pytest.approx(100, abs=0.01)
    assert webmap.grey_level("#777777") == pytest.approx(50.0, abs=1)
    with pytest.raises(ValueError):
        webmap.grey_level("red")


def test_legend_lists_only_the_roles_shown_in_legend_order() -> None:
    legend = webmap.legend_html(["park", "axis", "core"])
    labels = re.findall(r"<span>([^<]+)</span>", legend)
    assert labels == ["创新轴 Innovation axis", "核 Core", "园区 Park"]


# -- the map ---------------------------------------------------------------------------------------
def test_map_draws_every_feature_with_its_role(gdf: gpd.GeoDataFrame) -> None:
    page = render(webmap.build_map(gdf, basemap=webmap.NO_TILES))
    items = batch_items(page)
    ids = {webmap.tooltip_feature_id(text_content(i["t"])) for i in items if "t" in i}
    assert ids == set(gdf.index)
    star = next(i for i in items if "中新广州知识城" in i.get("t", "") and i["k"] == "marker")
    assert "<polygon points=\"12,1.2" in star["i"]["html"]  # the core's star
    axis = next(i for i in items if "⟦sti-axis⟧" in i.get("t", ""))
    assert axis["k"] == "line" and axis["o"]["weight"] == webmap.ROLE_STYLES["axis"].weight
    legend = re.search(r"div.innerHTML = (\".*?\");", page).group(1)
    assert "产业集群 Industry cluster" in json.loads(legend)


def test_hostile_text_is_escaped_everywhere() -> None:
    frame = frame_from_features([hostile_feature()])
    frame = frame.set_index("id", drop=False)
    m = webmap.build_map(frame, basemap=webmap.NO_TILES)
    page = render(m)  # folium renders through Jinja: template syntax in text must stay inert
    assert "49" not in re.sub(r"[0-9a-f]{32}", "", page).replace("113.33", "")
    items = batch_items(page)
    tooltip, popup = items[0]["t"], items[0]["p"]
    for fragment in (tooltip, popup):
        assert "<img" not in fragment and "<script" not in fragment
        assert "&lt;img src=x onerror=alert(1)&gt;" in fragment
    assert "{{7*7}}" in text_content(tooltip)  # shown as typed, not evaluated
    assert "</script>" not in page.split("<script>", 2)[-1].split("</script>")[0]


def test_user_layer_names_are_escaped() -> None:
    user = gpd.GeoDataFrame(
        {"name": ["<b>mine</b>", None]},
        geometry=[Point(113.3, 23.1), Polygon([(113.3, 23.1), (113.31, 23.1), (113.31, 23.11)])],
        crs="EPSG:4326",
    )
    page = render(webmap.build_map(gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"),
                                   basemap=webmap.NO_TILES, user_layer=user))
    tips = [i["t"] for i in batch_items(page) if "t" in i]
    assert any("&lt;b&gt;mine&lt;/b&gt;" in t for t in tips)
    assert any("#1" in t for t in tips)  # an unnamed feature gets a placeholder
    assert "我的图层 My layer" in page


def test_tooltip_id_survives_the_browser_text() -> None:
    tip = webmap.tooltip_html({"id": "gz-bio-island", "name": "广州国际生物岛", "role": "node"})
    assert webmap.tooltip_feature_id(text_content(tip)) == "gz-bio-island"
    assert webmap.tooltip_feature_id("天河区") is None
    assert webmap.tooltip_feature_id(None) is None


def test_offline_assets_and_no_tiles(gdf: gpd.GeoDataFrame) -> None:
    page = render(webmap.build_map(gdf, basemap=webmap.NO_TILES, asset_base="/app/static/leaflet"))
    assert '<script src="/app/static/leaflet/leaflet.js"></script>' in page
    assert "cdn.jsdelivr" not in page and "jquery" not in page and "bootstrap" not in page
    assert "L.tileLayer" not in page


def test_basemap_tiles_and_gcj02_shift(gdf: gpd.GeoDataFrame) -> None:
    one = gdf.loc[["zhishicheng"]]
    positron = render(webmap.build_map(one, basemap="positron"))
    assert "basemaps.cartocdn.com" in positron
    amap = render(webmap.build_map(one, basemap="amap"))
    assert "autonavi.com" in amap
    wgs = next(i["ll"] for i in batch_items(positron) if i["k"] == "marker")
    gcj = next(i["ll"] for i in batch_items(amap) if i["k"] == "marker")
    assert wgs == pytest.approx([23.366, 113.4905], abs=1e-6)
    shift = ((gcj[0] - wgs[0]) ** 2 + (gcj[1] - wgs[1]) ** 2) ** 0.5
    assert 0.002 < shift < 0.008  # a few hundred metres, as GCJ-02 is in Guangzhou
    with pytest.raises(KeyError):
        webmap.build_map(one, basemap="google")


def test_district_outlines_are_drawn_and_not_clickable(gdf: gpd.GeoDataFrame) -> None:
    districts = gpd.GeoDataFrame(
        {"name": ["天河区"], "name_en": ["Tianhe"], "adcode": ["440106"]},
        geometry=[Polygon([(113.3, 23.1), (113.45, 23.1), (113.45, 23.25), (113.3, 23.25)])],
        crs="EPSG:4326",
    )
    page = render(webmap.build_map(gdf.iloc[:0], districts=districts, basemap=webmap.NO_TILES))
    items = batch_items(page)
    outline = next(i for i in items if i["k"] == "polygon")
    assert outline["o"]["interactive"] is False and outline["o"]["pane"] == "gzDistricts"
    assert any("天河区" in i.get("i", {}).get("html", "") for i in items)
    assert not any("t" in i for i in items)  # nothing in the district layer reruns the app


def test_frame_bounds() -> None:
    assert webmap.frame_bounds(None) is None
    one = gpd.GeoDataFrame(geometry=[Point(113.3, 23.1)], crs="EPSG:4326")
    (south, west), (north, east) = webmap.frame_bounds(one)
    assert north - south == pytest.approx(0.02) and east - west == pytest.approx(0.02)
    assert (south + north) / 2 == pytest.approx(23.1)


def test_popup_quotes_the_plans(gdf: gpd.GeoDataFrame) -> None:
    row = gdf.loc["shengwudao"].to_dict()
    popup = webmap.popup_html(row, {"gz_sti": "广州市科技创新规划"})
    assert "广州市科技创新规划 · 科技创新轴（黄埔段）" in popup
    assert "创新产品的发展”" in popup
    short = webmap.popup_html(row, excerpt_chars=12)
    assert "“广州国际生物岛依托国家…”" in short  # 11 characters and an ellipsis
    assert "nan" not in popup  # absent values are left out, not printed


def test_highlight_marks_the_selected_feature(gdf: gpd.GeoDataFrame) -> None:
    row = gdf.loc["kexuecheng"]
    group = webmap.highlight_group(row.to_dict(), row.geometry, webmap.NO_TILES)
    m = webmap.build_map(gdf.iloc[:0], basemap=webmap.NO_TILES)
    group.add_to(m)
    items = batch_items(render(m))
    assert [i["k"] for i in items] == ["polygon", "circle", "marker"]
    assert "广州科学城（已选中 selected）" in items[-1]["i"]["html"]
    assert webmap.highlight_group(None, None).to_dict()["children"] == {}


def test_focus_point_is_in_the_basemap_datum(gdf: gpd.GeoDataFrame) -> None:
    geom = gdf.at["zhishicheng", "geometry"]
    assert webmap.focus_point(geom, webmap.NO_TILES) == (23.366, 113.4905)
    lat, lon = webmap.focus_point(geom, "amap")
    assert lat != 23.366 and abs(lat - 23.366) < 0.01
    assert webmap.focus_point(None) is None


def test_basemap_choices_end_with_no_tiles() -> None:
    keys = [k for k, _ in webmap.basemap_choices()]
    assert keys[-1] == webmap.NO_TILES and "positron" in keys and "amap" in keys


def test_fixture_is_the_one_the_app_tests_use(tmp_path: Path) -> None:
    out = build_fixture_layers(tmp_path)
    assert sorted(p.name for p in out.glob("*.geojson")) == ["gz_sti.geojson", "huadu_mfg.geojson"]
