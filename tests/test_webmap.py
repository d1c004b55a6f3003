"""The map's server side: role styles that survive greyscale; the client's static files (the
features and district outlines as GeoJSON, in each datum, under content-hashed names); its
messages (which features, roles, colours, legend); the folium-built map it draws on (tiles,
offline assets, names as typed). What the client draws from them: test_webmap_browser."""

from __future__ import annotations

import gzip
import html
import itertools
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from _appdata import build_fixture_layers
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon

from spatial import symbology, webmap
from spatial.geo.basemaps import NO_TILES
from spatial.plans.layers import frame_from_features, load_layers
from spatial.plans.schema import METRIC_CRS, ROLES
from spatial.query.features import Selection, select
from spatial.symbology import view_symbology
from spatial.webmap import client, publish
from spatial.webmap.map import basemap_script
from spatial.webmap.pages import here_map


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("webmap_layers")))


def text_content(fragment: str) -> str:
    """What a browser's ``textContent`` gives for an HTML fragment (tags gone, entities read)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def document(gdf: gpd.GeoDataFrame, datum: str = "wgs84", labels=None) -> tuple[dict, tuple]:
    content, ids = publish.features_document(gdf, datum, labels or {})
    return json.loads(content), ids


HOSTILE = "<img src=x onerror=alert(1)>`${x}`{{7*7}}{% raw %}</script>"


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


# -- the features file -----------------------------------------------------------------------------
def test_the_file_has_every_feature_with_its_role_layer_and_tags(gdf: gpd.GeoDataFrame) -> None:
    doc, ids = document(gdf, labels={"huadu_mfg": "花都", "gz_sti": "广州"})
    assert doc["type"] == "FeatureCollection" and doc["gzmap"]["datum"] == "wgs84"
    by_id = {f["id"]: f for f in doc["features"]}
    assert list(ids) == [f["id"] for f in doc["features"]] and set(ids) == set(gdf.index)
    core = by_id["zhishicheng"]["properties"]
    assert core["role"] == "core" and core["layer"] == "gz_sti" and core["name"] == "中新广州知识城"
    assert by_id["zhishicheng"]["geometry"] == {"type": "Point", "coordinates": [113.4905, 23.366]}
    assert set(core["industries"]) == set(gdf.at["zhishicheng", "industries"])
    axis = by_id["sti-axis"]
    assert axis["geometry"]["type"].endswith("LineString") and "label_point" in axis["properties"]
    # layers in the switcher's order, areas before lines before points within each
    layers = [f["properties"]["layer"] for f in doc["features"]]
    assert layers == sorted(layers, key=["huadu_mfg", "gz_sti"].index)
    kinds = [(f["properties"]["layer"], f["geometry"]["type"]) for f in doc["features"]]
    rank = {"Polygon": 0, "MultiPolygon": 0, "LineString": 1, "MultiLineString": 1}
    for layer in ("huadu_mfg", "gz_sti"):
        order = [rank.get(k, 2) for lay, k in kinds if lay == layer]
        assert order == sorted(order)
    # coordinates to 5 decimals (~1 m): nothing finer is sent
    text = json.dumps(doc)
    assert not re.search(r"\d\.\d{6,}", text.replace("e-", ""))


def test_features_no_map_draws_are_left_out(gdf: gpd.GeoDataFrame) -> None:
    frame = gdf.copy()
    frame.loc["zhishicheng", "in_guangzhou"] = False
    frame.loc["shengwudao", "geometry"] = None
    _doc, ids = document(frame)
    assert "zhishicheng" not in ids and "shengwudao" not in ids and "kexuecheng" in ids


def test_names_go_as_typed_and_json_keeps_them_inert() -> None:
    feat = {"type": "Feature", "properties": {"id": "evil", "name": HOSTILE, "role": "park",
                                               "plans": ["gz_sti"], "industries": []},
            "geometry": {"type": "Point", "coordinates": [113.33, 23.13]}}
    frame = frame_from_features([feat]).set_index("id", drop=False)
    content, _ids = publish.features_document(frame, "wgs84", {})
    assert json.loads(content)["features"][0]["properties"]["name"] == HOSTILE  # the client escapes
    # the basemap script quotes layer labels as JSON, escaped for HTML, never evaluated
    script = basemap_script(NO_TILES, {"evil": HOSTILE}, "k")
    assert "<img" not in script and "</script>" not in script and "49" not in script


def test_gcj02_file_lines_up_with_amap(gdf: gpd.GeoDataFrame) -> None:
    wgs, _ = document(gdf.loc[["zhishicheng"]], "wgs84")
    gcj, _ = document(gdf.loc[["zhishicheng"]], "gcj02")
    (x0, y0), (x1, y1) = (d["features"][0]["geometry"]["coordinates"] for d in (wgs, gcj))
    assert (x0, y0) == pytest.approx((113.4905, 23.366), abs=1e-6)
    assert 0.002 < ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 < 0.008  # a few hundred metres
    assert publish.datum_of("amap") == "gcj02" and publish.datum_of(NO_TILES) == "wgs84"


def test_district_outlines_keep_their_common_border() -> None:
    # two districts sharing a long, finely drawn border
    west = [(113.20, 23.00), *[(113.30 + 0.00002 * (k % 2), 23.00 + 0.001 * k) for k in range(201)],
            (113.20, 23.20)]
    east = [(113.40, 23.00), (113.40, 23.20), *reversed(west[1:-1])]
    frame = gpd.GeoDataFrame({"name": ["西区", "东区"], "name_en": ["W", "E"], "adcode": ["1", "2"]},
                             geometry=[Polygon(west), Polygon(east)], crs="EPSG:4326")
    simple = webmap.simplify_for_web(frame, coverage=True)
    doc = json.loads(publish.districts_document(frame, simple, "wgs84"))
    rings = [f["geometry"]["coordinates"][0] for f in doc["features"]]
    assert [f["properties"]["name"] for f in doc["features"]] == ["西区", "东区"]
    assert all(len(f["properties"]["label_point"]) == 2 for f in doc["features"])
    assert len(rings[0]) < len(west) / 2  # simplified
    shared = {tuple(p) for p in rings[0]} & {tuple(p) for p in rings[1]}
    assert len(shared) >= 4  # the border is still one line, drawn by both
    polys = gpd.GeoSeries([Polygon(r) for r in rings], crs="EPSG:4326").to_crs(METRIC_CRS)
    assert polys.iloc[0].intersection(polys.iloc[1]).area < 1.0  # no overlap
    assert abs(polys.union_all().area - polys.area.sum()) < 1.0


def test_files_are_named_by_their_content_with_a_gzip_copy(tmp_path: Path) -> None:
    name = publish.write_hashed("features-wgs84", ".geojson", b'{"a": 1}', tmp_path)
    assert re.fullmatch(r"features-wgs84\.[0-9a-f]{16}\.geojson", name)
    assert gzip.decompress((tmp_path / (name + ".gz")).read_bytes()) == b'{"a": 1}'
    assert publish.write_hashed("features-wgs84", ".geojson", b'{"a": 1}', tmp_path) == name
    assert publish.write_hashed("features-wgs84", ".geojson", b'{"a": 2}', tmp_path) != name


# -- messages --------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3000).flatmap(
    lambda n: st.tuples(st.just(n), st.sets(st.integers(0, n - 1), max_size=n))))
def test_which_features_to_show_round_trips(case) -> None:
    n, positions = case
    show = client.encode_show(sorted(positions), n)
    assert list(client.decode_show(show, n)) == sorted(positions)


def test_a_filter_of_many_features_costs_bits_not_ids() -> None:
    n = 200_000
    every_third = np.arange(0, n, 3)
    show = client.encode_show(every_third, n)
    assert "bits" in show and len(json.dumps(show)) < n / 5.5  # ~33 kB whatever is chosen
    assert client.encode_show(np.arange(n), n) == {"all": True}
    assert client.encode_show(np.arange(1000, 5000), n) == {"ranges": [1000, 4000]}


def test_a_view_tells_roles_colours_numbers_and_legend(gdf: gpd.GeoDataFrame) -> None:
    _doc, ids = document(gdf)
    position = {fid: i for i, fid in enumerate(ids)}
    sel = Selection(segment="axis-huangpu")
    sym = view_symbology(gdf, sel, "industry")
    view = client.view_selection(select(gdf, sel), gdf["role"], position, sym)
    shown = {ids[i] for i in client.decode_show(view["show"], len(ids))}
    assert shown == set(select(gdf, sel).index)
    numbered = {ids[int(k)]: n for k, n in view["numbered"].items()}
    assert numbered == sym.numbered and numbered
    assert view["colour"] == {"rule": "industry", "tags": list(sym.colours)}
    assert list(sym.colours.values()) == list(symbology.INDUSTRY_PALETTE[: len(sym.colours)])
    legend = view["legend"]
    assert [e[0] for e in legend["symbols"]] == [e.key for e in sym.legend.symbols]
    assert [e[2] for e in legend["symbols"]] == [e.short for e in sym.legend.symbols]
    (south, west), (north, east) = view["bounds"]
    assert south <= 23.366 <= north and west <= 113.4905 <= east  # 知识城, its northern node
    # each plan's own roles: a feature a chosen plan places differently is told apart
    planned = select(gdf, sel).copy()
    planned.loc["shengwudao", "role"] = "zone"
    view = client.view_selection(planned, gdf["role"], position, sym)
    assert view["roles"] == {str(position["shengwudao"]): "zone"}


def test_the_client_style_is_the_symbology() -> None:
    style = client.client_style()
    assert set(style["roles"]) == set(ROLES)
    for role, s in webmap.ROLE_STYLES.items():
        assert style["roles"][role]["color"] == s.color and style["roles"][role]["size"] == s.size
    assert style["labels"]["city_roles"] and style["cloud_min"] == webmap.POINT_CLOUD_MIN


def test_own_layer_goes_as_plain_text_labels() -> None:
    user = gpd.GeoDataFrame(
        {"name": ["<b>mine</b>", None]},
        geometry=[Point(113.3, 23.1), Polygon([(113.3, 23.1), (113.31, 23.1), (113.31, 23.11)])],
        crs="EPSG:4326",
    )
    doc = client.own_features(user)
    assert [f["properties"]["label"] for f in doc["features"]] == ["<b>mine</b>", ""]
    assert [f["id"] for f in doc["features"]] == ["0", "1"]  # the client names the unnamed #1


def test_a_whole_folium_map_gives_the_same_script_each_time(gdf: gpd.GeoDataFrame) -> None:
    parts = [client.folium_parts(here_map(gdf, None)) for _ in range(2)]
    assert parts[0] == parts[1] and parts[0]["name"] in parts[0]["script"]
    assert not re.search(r"[0-9a-f]{32}", parts[0]["script"])


# -- the folium-built map --------------------------------------------------------------------------
def test_offline_assets_and_no_tiles() -> None:
    script = basemap_script(NO_TILES, {"gz_sti": "广州市科技创新规划"}, "k")
    assert "L.tileLayer" not in script and "http" not in script  # nothing from outside
    assert 'GzMap.basemaps["k"]' in script and "gzDistricts" in script and "gzPoints" in script
    assert basemap_script(NO_TILES, {"gz_sti": "广州市科技创新规划"}, "k") == script  # stable


def test_basemap_tiles() -> None:
    assert "basemaps.cartocdn.com" in basemap_script("positron", {}, "k")
    assert "autonavi.com" in basemap_script("amap", {}, "k")
    with pytest.raises(KeyError):
        basemap_script("google", {}, "k")


def test_layer_names_reach_the_layer_switcher_as_typed() -> None:
    script = basemap_script(NO_TILES, {"gz_sti": "{{7*7}} 规划"}, "k")
    labels = json.loads(re.search(r"labels: (\{.*\})\};", script, re.S).group(1))
    assert html.unescape(labels["gz_sti"]) == "{{7*7}} 规划"  # not evaluated by a template pass


def test_tooltip_id_survives_the_browser_text() -> None:
    tip = webmap.tooltip_html({"id": "gz-bio-island", "name": "广州国际生物岛", "role": "node"})
    assert webmap.tooltip_feature_id(text_content(tip)) == "gz-bio-island"
    assert webmap.tooltip_feature_id("天河区") is None
    assert webmap.tooltip_feature_id(None) is None


def test_frame_bounds() -> None:
    assert webmap.frame_bounds(None) is None
    one = gpd.GeoDataFrame(geometry=[Point(113.3, 23.1)], crs="EPSG:4326")
    (south, west), (north, east) = webmap.frame_bounds(one)
    assert north - south == pytest.approx(0.02) and east - west == pytest.approx(0.02)
    assert (south + north) / 2 == pytest.approx(23.1)
    # context outside the city (东莞, 深圳) never widens a frame; alone, it is framed
    places = gpd.GeoDataFrame({"role": ["park", "outside", "node"]},
                              geometry=[Point(113.2, 23.4), Point(114.5, 22.5), Point(113.4, 23.1)],
                              crs="EPSG:4326")
    assert webmap.frame_bounds(places) == ((23.1, 113.2), (23.4, 113.4))
    assert webmap.frame_bounds(places[places["role"] == "outside"])[1][1] > 114.5


def test_popup_quotes_the_plans(gdf: gpd.GeoDataFrame) -> None:
    row = gdf.loc["shengwudao"].to_dict()
    popup = webmap.popup_html(row, {"gz_sti": "广州市科技创新规划"})
    assert "广州市科技创新规划 · 科技创新轴（黄埔段）" in popup
    assert "创新产品的发展”" in popup
    short = webmap.popup_html(row, excerpt_chars=12)
    assert "“广州国际生物岛依托国家…”" in short  # 11 characters and an ellipsis
    assert "nan" not in popup  # absent values are left out, not printed


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


# -- size -----------------------------------------------------------------------------------------
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




@pytest.mark.parametrize("sel", [Selection(), Selection(roles=("park",)),
                                 Selection(plans=("huadu_mfg",))])
def test_the_legend_sent_as_counts_is_the_same_legend_written_out(
    gdf: gpd.GeoDataFrame, sel: Selection
) -> None:
    shown = select(gdf, sel)
    position = {fid: k for k, fid in enumerate(gdf.index)}
    selection = webmap.client.view_selection(
        shown, gdf["role"], position, view_symbology(shown, sel, "industry"))
    sent = webmap.client.compact_legend(selection)
    assert sent["legend"].get("counts"), "the app's legend leads with its industry colours"
    assert len(json.dumps(sent, ensure_ascii=False)) < len(json.dumps(selection, ensure_ascii=False))
    assert webmap.client.expand_legend(sent) == selection
