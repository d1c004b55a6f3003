"""Filtered features as GeoJSON, GeoPackage and CSV: what a planner takes away must be whole."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _appdata import AUTO_CLUSTER_PARKS, build_fixture_layers

from spatial.exports import downloads
from spatial.plans.layers import COLUMNS, load_layers
from spatial.plans.schema import GUANGZHOU_BBOX
from spatial.query.features import Selection, select


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("download_layers")))


@pytest.fixture(scope="module")
def auto_cluster(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return select(gdf, Selection(clusters=("cluster-auto",)))


def test_geojson_keeps_the_layer_contract(gdf: gpd.GeoDataFrame) -> None:
    doc = json.loads(downloads.to_geojson_bytes(gdf))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert [f["id"] for f in doc["features"]] == list(gdf.index)
    bio = next(f for f in doc["features"] if f["id"] == "shengwudao")
    props = bio["properties"]
    assert list(props) == COLUMNS
    assert props["district"] == ["黄埔区", "海珠区"]
    assert props["axis_order"] == 3 and isinstance(props["axis_order"], int)
    assert props["group"] is None  # absent stays null, not NaN
    (excerpt,) = props["excerpts"]
    assert set(excerpt) == {"plan", "seed", "section", "text"}
    assert excerpt["text"].startswith("广州国际生物岛依托国家实验室")
    assert bio["geometry"] == {"type": "Point", "coordinates": [113.369, 23.077]}


def test_geojson_of_a_selection_reads_back_as_layers(
    auto_cluster: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "sel.geojson"
    path.write_bytes(downloads.to_geojson_bytes(auto_cluster))
    back = load_layers(tmp_path)
    assert set(back["name"]) == {"汽车产业集群", *AUTO_CLUSTER_PARKS}
    assert back.loc["cluster-auto", "attributes"]["belt"] == "西部先进制造业产业带"


def test_csv_is_readable_in_a_spreadsheet(gdf: gpd.GeoDataFrame) -> None:
    data = downloads.to_csv_bytes(gdf)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(table) == len(gdf)
    row = table.set_index("id").loc["shengwudao"]
    assert row["district"] == "黄埔区、海珠区"
    assert row["aliases"] == "生物岛"
    assert json.loads(row["excerpts"]) == gdf.at["shengwudao", "excerpts"]
    assert row["excerpt_text"].startswith("【gz_sti】广州国际生物岛依托")
    assert row["axis_order"] == "3"
    assert row["wkt"] == "POINT (113.369 23.077)"
    lon_min, lat_min, lon_max, lat_max = GUANGZHOU_BBOX
    lons = table["lon"].astype(float)
    lats = table["lat"].astype(float)
    assert lons.between(lon_min, lon_max).all() and lats.between(lat_min, lat_max).all()
    segment = table.set_index("id").loc["axis-huangpu"]
    assert json.loads(segment["members"]) == ["zhishicheng", "kexuecheng", "shengwudao"]


def test_csv_cells_never_start_a_formula(gdf: gpd.GeoDataFrame) -> None:
    hostile = gdf.copy()
    hostile.loc["shengwudao", "name"] = '=HYPERLINK("http://elsewhere.example","点我")'
    hostile.loc["shengwudao", "aliases"] = ["@SUM(1)", "生物岛"]
    hostile.loc["zhishicheng", "name"] = "-2+3"
    hostile.loc["zhishicheng", "location_source"] = "\t=cmd"
    table = pd.read_csv(
        io.BytesIO(downloads.to_csv_bytes(hostile)),
        encoding="utf-8-sig",
        dtype=str,
        keep_default_na=False,
    ).set_index("id")
    assert table.at["shengwudao", "name"] == "'" + hostile.at["shengwudao", "name"]
    assert table.at["shengwudao", "aliases"] == "'@SUM(1)、生物岛"
    assert table.at["zhishicheng", "name"] == "'-2+3"
    assert table.at["zhishicheng", "location_source"] == "' =cmd"  # a TAB is one more space
    risky = ("=", "+", "-", "@", "\t", "\r")
    assert not [v for v in table.to_numpy().ravel() if v.lstrip(" ").startswith(risky)]
    assert table.at["kexuecheng", "name"] == gdf.at["kexuecheng", "name"]  # others untouched


@pytest.mark.parametrize("form", ["code", "zh"])
def test_a_line_break_inside_a_value_never_splits_a_csv_row(gdf: gpd.GeoDataFrame, form: str) -> None:
    from spatial.exports.csv_zh import to_csv_zh_bytes

    hostile = gdf.copy()
    hostile.loc["shengwudao", "name"] = "生物岛\r=1+2"
    hostile.loc["zhishicheng", "name"] = "知识城\n@SUM(1)\r\n+1\x00\x1b"
    data = downloads.to_csv_bytes(hostile) if form == "code" else to_csv_zh_bytes(hostile)
    text = data.decode("utf-8-sig")
    # every field quoted: any reader keeps each row whole, whatever its idea of a line break
    rows = list(csv.reader(io.StringIO(text.replace("\r", "\n"), newline="")))
    assert len(rows) == len(gdf) + 1 and {len(r) for r in rows} == {len(rows[0])}
    lines = [ln for ln in re.split(r"\r\n|\r|\n", text) if ln]
    assert all(ln.startswith('"') for ln in lines if not ln.startswith("【")), "a row split"
    name = "name" if form == "code" else "名称"
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    names = set(table[name])
    assert "生物岛 =1+2" in names
    assert "知识城 @SUM(1) +1" in {" ".join(n.split()) for n in names}
    assert not [v for v in table.to_numpy().ravel() if re.search(r"[\x00-\x08\x0b-\x1f]", v)]


def _read_gpkg(path: Path) -> gpd.GeoDataFrame:
    """Every feature layer of a GeoPackage, as one frame."""
    import pyogrio

    names = [name for name, _ in pyogrio.list_layers(path) if name != "layer_styles"]
    return pd.concat([gpd.read_file(path, layer=name) for name in names], ignore_index=True)


def test_geopackage_reads_back(auto_cluster: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "sel.gpkg"
    path.write_bytes(downloads.to_gpkg_bytes(auto_cluster))
    back = _read_gpkg(path)
    assert back.crs.equals("EPSG:4326")
    assert set(back["id"]) == set(auto_cluster.index)
    cluster = back.set_index("id").loc["cluster-auto"]
    assert json.loads(cluster["members"]) == ["huadu-hitech-zone", "huadu-equipment-park"]
    assert json.loads(cluster["excerpts"])[0]["text"].startswith("汽车产业集群。依托")
    assert cluster.geometry.geom_type == "Polygon"
    assert set(back.geom_type) == {"Polygon", "Point"}


def test_geopackage_of_mixed_geometry(gdf: gpd.GeoDataFrame, tmp_path: Path) -> None:
    """One layer per geometry kind: a QGIS layer has one geometry type."""
    import pyogrio

    path = tmp_path / "all.gpkg"
    path.write_bytes(downloads.to_gpkg_bytes(gdf))
    layers = dict(pyogrio.list_layers(path))
    assert {n: layers[n] for n in layers if n != "layer_styles"} == {
        "gzplan_selection_points": "Point",
        "gzplan_selection_lines": "LineString",
        "gzplan_selection_polygons": "Polygon",
    }
    back = _read_gpkg(path)
    assert len(back) == len(gdf)
    assert set(back.geom_type) == {"Point", "LineString", "Polygon"}


def test_geopackage_carries_qgis_styles_like_the_print_maps(
    gdf: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    """QGIS applies the default style of layer_styles on opening: the print maps' role shapes
    and industry colours, Chinese field aliases and role names."""
    import sqlite3
    import xml.etree.ElementTree as ET

    from spatial.plot.style import industry_coloured, industry_colours, primary_colour, style_of

    path = tmp_path / "styled.gpkg"
    path.write_bytes(downloads.to_gpkg_bytes(gdf))
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    assert cols == [
        "id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
        "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui",
        "update_time",
    ]  # fmt: skip
    rows = con.execute(
        "SELECT f_table_name, f_geometry_column, styleQML, styleSLD, useAsDefault FROM layer_styles"
    ).fetchall()
    geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    assert ("layer_styles", "attributes") in con.execute(
        "SELECT table_name, data_type FROM gpkg_contents"
    ).fetchall()
    con.close()
    assert {r[0] for r in rows} == set(geom_cols)
    styles = {}
    for table, geom_col, qml, sld, default in rows:
        assert geom_col == geom_cols[table] and default == 1
        styles[table] = ET.fromstring(qml)
        ET.fromstring(sld)  # parses
    points = styles["gzplan_selection_points"]
    renderer = points.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "role"
    cats = {c.get("value"): c for c in renderer.iter("category")}
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    park = symbols[cats["park"].get("symbol")]
    assert cats["park"].get("label") == "园区 Park"
    opts = {o.get("name"): o.get("value") for o in park.find("layer").find("Option")}
    assert opts["name"] == "diamond"  # the park's shape on the print maps
    dd = park.find(".//Option[@name='fillColor']/Option[@name='expression']")
    assert dd.get("value") == '"map_colour"'
    aliases = {a.get("field"): a.get("name") for a in points.iter("alias")}
    assert aliases["name"] == "名称" and aliases["industries"] == "产业"
    value_map = points.find(".//field[@name='role']/editWidget")
    assert value_map.get("type") == "ValueMap"
    lines = styles["gzplan_selection_lines"].find("renderer-v2")
    line_cats = {c.get("value"): c.get("symbol") for c in lines.iter("category")}
    axis = {s.get("name"): s for s in lines.iter("symbol")}[line_cats["axis"]]
    axis_opts = {o.get("name"): o.get("value") for o in axis.find("layer").find("Option")}
    r, g, b = (int(style_of("axis").colour[i : i + 2], 16) for i in (1, 3, 5))
    assert axis_opts["line_color"] == f"{r},{g},{b},255"
    # the colour each feature wears is the print map's colour for the same features
    back = _read_gpkg(path).set_index("id")
    colours = industry_colours(industry_coloured(gdf, number_axis=False))
    for fid, row in gdf[gdf.geom_type == "Point"].iterrows():
        assert back.loc[fid, "map_colour"] == primary_colour(row["industries"] or [], colours)
    assert back["map_colour"].nunique() > 3


def test_empty_selection(gdf: gpd.GeoDataFrame) -> None:
    empty = gdf.iloc[:0]
    assert json.loads(downloads.to_geojson_bytes(empty))["features"] == []
    assert pd.read_csv(io.BytesIO(downloads.to_csv_bytes(empty)), encoding="utf-8-sig").empty
    with pytest.raises(ValueError, match="empty"):
        downloads.to_gpkg_bytes(empty)


def test_projected_input_is_refused(gdf: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="EPSG:4326"):
        downloads.to_geojson_bytes(gdf.to_crs("EPSG:32649"))
