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
from spatial.geo.basemaps import NO_TILES
from spatial.plans.layers import frame_from_features, load_layers
from spatial.plans.schema import METRIC_CRS, ROLES


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
    labels = re.findall(r'data-label="([^"]+)"', legend)
    assert labels == ["创新轴 Innovation axis", "核 Core", "园区 Park"]


# -- the map ---------------------------------------------------------------------------------------
def test_map_draws_every_feature_with_its_role(gdf: gpd.GeoDataFrame) -> None:
    page = render(webmap.build_map(gdf, basemap=NO_TILES))
    items = batch_items(page)
    ids = {webmap.tooltip_feature_id(text_content(i["t"])) for i in items if "t" in i}
    assert ids == set(gdf.index)
    star = next(i for i in items if "中新广州知识城" in i.get("t", "") and i["k"] == "marker")
    assert "<polygon points=\"12,1.2" in star["i"]["html"]  # the core's star
    axis = next(i for i in items if "⟦sti-axis⟧" in i.get("t", ""))
    assert axis["k"] == "line" and axis["o"]["weight"] == webmap.ROLE_STYLES["axis"].weight
    legend = re.search(r"var legend = (\".*?\");", page).group(1)
    assert "产业集群 Industry cluster" in json.loads(legend)


def test_hostile_text_is_escaped_everywhere() -> None:
    frame = frame_from_features([hostile_feature()])
    frame = frame.set_index("id", drop=False)
    m = webmap.build_map(frame, basemap=NO_TILES)
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
                                   basemap=NO_TILES, user_layer=user))
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
    page = render(webmap.build_map(gdf, basemap=NO_TILES, asset_base="/app/static/leaflet"))
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
    page = render(webmap.build_map(gdf.iloc[:0], districts=districts, basemap=NO_TILES))
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
    group = webmap.highlight_group(row.to_dict(), row.geometry, NO_TILES)
    m = webmap.build_map(gdf.iloc[:0], basemap=NO_TILES)
    group.add_to(m)
    items = batch_items(render(m))
    assert [i["k"] for i in items] == ["polygon", "circle", "marker"]
    assert "广州科学城（已选中 selected）" in items[-1]["i"]["html"]
    assert webmap.highlight_group(None, None).to_dict()["children"] == {}


def test_focus_point_is_in_the_basemap_datum(gdf: gpd.GeoDataFrame) -> None:
    geom = gdf.at["zhishicheng", "geometry"]
    assert webmap.focus_point(geom, NO_TILES) == (23.366, 113.4905)
    lat, lon = webmap.focus_point(geom, "amap")
    assert lat != 23.366 and abs(lat - 23.366) < 0.01
    assert webmap.focus_point(None) is None


def test_basemap_choices_end_with_no_tiles() -> None:
    keys = [k for k, _ in webmap.basemap_choices()]
    assert keys[-1] == NO_TILES and "positron" in keys and "amap" in keys


def test_fixture_is_the_one_the_app_tests_use(tmp_path: Path) -> None:
    out = build_fixture_layers(tmp_path)
    assert sorted(p.name for p in out.glob("*.geojson")) == ["gz_sti.geojson", "huadu_mfg.geojson"]


# -- size and speed ----------------------------------------------------------------------------------
def park_frame(n: int, **extra) -> gpd.GeoDataFrame:
    """``n`` parks on a grid in Tianhe (one hostile name among them when asked)."""
    feats = []
    for i in range(n):
        props = {"id": f"p-{i}", "name": f"园区{i}", "role": "park", "plans": ["gz_sti"]}
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Point",
                                   "coordinates": [113.30 + (i % 40) * 0.0021234567,
                                                   23.10 + (i // 40) * 0.0017654321]}})
    feats[0]["properties"].update(extra)
    frame = frame_from_features(feats, layer="parks")
    return frame.set_index("id", drop=False).rename_axis(None)


def cloud_items(page: str) -> list[dict]:
    return [i for i in batch_items(page) if i["k"] == "points"]


def test_many_points_of_a_role_become_one_point_cloud() -> None:
    few = render(webmap.build_map(park_frame(30), basemap=NO_TILES))
    assert cloud_items(few) == [] and "var canvas = true" not in few  # a few: SVG markers

    frame = park_frame(webmap.POINT_CLOUD_MIN + 1)
    page = render(webmap.build_map(frame, basemap=NO_TILES))
    (cloud,) = cloud_items(page)
    assert not [i for i in batch_items(page) if i["k"] == "marker"]  # no per-point markers
    assert cloud["id"] == list(frame.index) and cloud["n"][5] == "园区5"
    assert cloud["r"] == "园区" and "p" not in cloud  # role label; no popup HTML at all
    assert len(cloud["ll"]) == 2 * len(frame)
    lat, lon = cloud["ll"][2:4]  # point 1, lat first
    assert (lat, lon) == (23.1, round(113.30 + 0.0021234567, 5))
    assert all(round(v, 5) == v for v in cloud["ll"])
    assert cloud["s"] == webmap._canvas_shape("diamond")  # the park's shape, as in the legend
    # one shared canvas that takes the mouse, and the code drawing on it
    assert '"gzPoints"' in page and "L.gzPointCloud" in page
    pane = re.search(r'createPane\(\s*"gzPoints"\);(.*?)(?:var |\(function)', page, re.S).group(1)
    assert "pointerEvents" not in pane  # folium's custom panes ignore the mouse by default


def test_point_cloud_text_is_escaped_and_inert() -> None:
    frame = park_frame(webmap.POINT_CLOUD_MIN + 1, name="<img src=x onerror=alert(1)>{{7*7}}")
    page = render(webmap.build_map(frame, basemap=NO_TILES))
    (cloud,) = cloud_items(page)
    assert cloud["n"][0] == "&lt;img src=x onerror=alert(1)&gt;{{7*7}}"
    assert "<img" not in page
    assert '"&lt;img src=x onerror=alert(1)&gt;\\u007b{7*7}}"' in page  # no template delimiter
    # the browser's text of a cloud tooltip carries the id, as a marker's does
    tip = f"<b>{cloud['n'][0]}</b> · {cloud['r']}<span style=\"display:none\">⟦{cloud['id'][0]}⟧</span>"
    assert webmap.tooltip_feature_id(text_content(tip)) == "p-0"
    assert "{{7*7}}" in text_content(tip)


def test_point_cloud_threshold_counts_each_role_and_layer_apart() -> None:
    frame = park_frame(12)
    frame.loc[frame.index[:5], "role"] = "lab"
    prepared = webmap.prepare_layers(frame, basemap=NO_TILES, cloud_min=6)
    (name, items), = prepared.groups
    assert name == "parks" and prepared.has_point_clouds
    kinds = sorted(i["k"] for i in items)
    assert kinds == ["marker"] * 5 + ["points"]  # 7 parks > 6: a cloud; 5 labs: markers


def test_geometry_is_simplified_for_the_screen_within_tolerance() -> None:
    # a wiggly 2 km ring: hundreds of vertices, none more than a few metres off a circle
    center = gpd.GeoSeries([Point(113.35, 23.12)], crs="EPSG:4326").to_crs(METRIC_CRS)
    ring = center.iloc[0].buffer(2000, quad_segs=128)
    wiggly = Polygon([(x + (3 if k % 2 else -3), y) for k, (x, y) in enumerate(ring.exterior.coords[:-1])])
    frame = gpd.GeoDataFrame({"name": ["a", "pt"]}, crs=METRIC_CRS,
                             geometry=[wiggly, center.iloc[0]]).to_crs("EPSG:4326")
    simple = webmap.simplify_for_web(frame)
    before, after = (len(g.exterior.coords) for g in (frame.geometry[0], simple.geometry[0]))
    assert after < before / 4
    moved = simple.to_crs(METRIC_CRS).geometry[0].hausdorff_distance(wiggly)
    assert moved <= webmap.WEB_TOLERANCE_M + 1
    assert simple.geometry[1].equals(frame.geometry[1])  # points stay where they are


def test_district_outlines_keep_their_common_border() -> None:
    # two districts sharing a long, finely drawn border
    west = [(113.20, 23.00), *[(113.30 + 0.00002 * (k % 2), 23.00 + 0.001 * k) for k in range(201)],
            (113.20, 23.20)]
    east = [(113.40, 23.00), (113.40, 23.20), *reversed(west[1:-1])]
    frame = gpd.GeoDataFrame({"name": ["西区", "东区"], "name_en": ["W", "E"], "adcode": ["1", "2"]},
                             geometry=[Polygon(west), Polygon(east)], crs="EPSG:4326")
    items = webmap.prepare_districts(frame, NO_TILES)
    rings = [i["ll"][0] for i in items if i["k"] == "polygon"]
    assert len(rings[0]) < len(west) / 2  # simplified
    shared = {tuple(p) for p in rings[0]} & {tuple(p) for p in rings[1]}
    assert len(shared) >= 4  # the border is still one line, drawn by both
    simple = gpd.GeoSeries([Polygon([(lon, lat) for lat, lon in r]) for r in rings], crs="EPSG:4326")
    metric = simple.to_crs(METRIC_CRS)
    assert metric.iloc[0].intersection(metric.iloc[1]).area < 1.0  # no overlap
    assert abs(metric.union_all().area - metric.area.sum()) < 1.0


def test_feature_html_builds_only_what_is_drawn(gdf: gpd.GeoDataFrame) -> None:
    built: list[str] = []

    def build(props):
        built.append(props["id"])
        return webmap.popup_html(props)

    popups = webmap.FeatureHtml(gdf, build)
    assert len(popups) == len(gdf) and built == []
    assert popups["shengwudao"] == webmap.popup_html(gdf.loc["shengwudao"].to_dict())
    assert popups.get("shengwudao") and popups.get("nowhere") is None
    assert built == ["shengwudao"]  # built once, on first use


def test_layer_names_reach_the_layer_switcher_as_typed(gdf: gpd.GeoDataFrame) -> None:
    page = render(webmap.build_map(gdf, basemap=NO_TILES,
                                   layer_names={"gz_sti": "{{7*7}} 规划"}))
    label = re.search(r'control.addOverlay\(group, ("[^"]*")\)', page).group(1)
    assert json.loads(label) == "{{7*7}} 规划"  # not evaluated by a second template pass


# -- names on the map ------------------------------------------------------------------------------
def test_structure_is_named_at_city_zoom_and_everything_closer(gdf: gpd.GeoDataFrame) -> None:
    labels = webmap.label_items(gdf)
    by_name = {html.unescape(item[2]): item for item in labels}
    assert set(by_name) == set(gdf["name"])  # every feature has its name on the map
    city = [html.unescape(i[2]) for i in labels if i[3] < 12]
    assert "中新广州知识城" in city  # a core
    assert all(gdf.loc[gdf["name"] == n, "role"].iloc[0] != "park" or
               gdf.loc[gdf["name"] == n, "axis_order"].notna().iloc[0] for n in city)
    # structure labels come first, so they win where labels would overlap
    majors = [i[8] for i in labels]
    assert majors == sorted(majors, reverse=True)


def test_label_names_are_escaped() -> None:
    frame = frame_from_features([hostile_feature()]).set_index("id", drop=False)
    (item,) = webmap.label_items(frame)
    assert "<img" not in item[2] and "&lt;img" in item[2]


def test_cluster_legend_shows_the_outlined_area_the_map_draws() -> None:
    legend = webmap.legend_html(["cluster"])
    assert "<rect" in legend and "stroke-dasharray" in legend  # a dotted area, as drawn
    assert "21.1,6.75" not in legend  # not the hexagon marker the map never draws for it


def test_point_cloud_points_wear_their_colour_rule_colour() -> None:
    """A canvas point cloud colours each point as an SVG marker would: by the view's rule."""
    from spatial.symbology import symbolise

    frame = park_frame(webmap.POINT_CLOUD_MIN + 1)
    frame["industries"] = [["生物医药"] if i % 3 else ["集成电路"] for i in range(len(frame))]
    frame.loc["p-7", "plans"] = ["gz_sti", "huadu_sti"]
    for rule in ("industry", "plan"):
        sym = symbolise(frame, rule)
        (cloud,) = cloud_items(render(webmap.build_map(frame, basemap=NO_TILES,
                                                       symbology=sym)))
        worn = [cloud["pc"][k] for k in cloud["c"]]
        assert worn == [sym.fills[fid] for fid in cloud["id"]]
        assert len(set(worn)) == 2
    # and the same features as SVG markers wear the same colours
    few = frame.iloc[:30]
    sym = symbolise(few, "industry")
    items = batch_items(render(webmap.build_map(few, basemap=NO_TILES, symbology=sym)))
    for item in (i for i in items if i["k"] == "marker"):
        fid = webmap.tooltip_feature_id(text_content(item["t"]))
        assert f'fill="{sym.fills[fid]}"' in item["i"]["html"]
