"""GCJ-02 ⇄ WGS84: reference pairs, round trips, identity outside China, geometry wrappers."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from spatial.geo.coords import (
    gcj02_to_wgs84,
    gdf_gcj02_to_wgs84,
    gdf_wgs84_to_gcj02,
    geom_gcj02_to_wgs84,
    geom_wgs84_to_gcj02,
    in_china,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")

# Reference pairs (wgs_lat, wgs_lon, gcj_lat, gcj_lon) from the eviltransform test suite,
# https://github.com/googollee/eviltransform — python/test.py and go/transform_test.go (TESTS).
# There wgs2gcj must match to 6 decimals and the exact inverse to within 0.5 m.
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def dist_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVILTRANSFORM_PAIRS)
def test_forward_matches_reference(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-6)
    assert lat == pytest.approx(glat, abs=1e-6)


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVILTRANSFORM_PAIRS)
def test_inverse_matches_reference(wlat, wlon, glat, glon):
    assert dist_m(gcj02_to_wgs84(glon, glat), (wlon, wlat)) < 0.5


def test_round_trip_across_guangzhou_is_below_a_metre():
    lons = np.linspace(112.95, 114.05, 12)
    lats = np.linspace(22.55, 23.95, 12)
    worst = 0.0
    for lon in lons:
        for lat in lats:
            back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
            worst = max(worst, dist_m(back, (lon, lat)))
            back = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
            worst = max(worst, dist_m(back, (lon, lat)))
    assert worst < 1.0


def test_shift_in_guangzhou_is_about_600_metres_to_the_south_east():
    # Over the city extent the GCJ-02 offset is 588-638 m (measured on a 23 x 29 grid).
    wgs = (113.3245, 23.1064)  # 广州塔 Canton Tower
    gcj = wgs84_to_gcj02(*wgs)
    assert 550 < dist_m(wgs, gcj) < 700
    # GCJ-02 in Guangzhou lies east and south of WGS84.
    assert gcj[0] > wgs[0]
    assert gcj[1] < wgs[1]


@pytest.mark.parametrize(
    "lon,lat",
    [(139.6917, 35.6895), (-0.1276, 51.5072), (151.2093, -33.8688)],  # Tokyo, London, Sydney
)
def test_identity_outside_china_without_warnings(lon, lat):
    assert not in_china(lon, lat)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert wgs84_to_gcj02(lon, lat) == (lon, lat)
        assert gcj02_to_wgs84(lon, lat) == (lon, lat)
        poly = Point(lon, lat).buffer(0.01)
        assert geom_wgs84_to_gcj02(poly).equals_exact(poly, 0)


def test_geometry_wrapper_shifts_every_vertex_and_keeps_structure():
    shell = [(113.30, 23.10), (113.35, 23.10), (113.35, 23.14), (113.30, 23.14)]
    hole = [(113.31, 23.11), (113.32, 23.11), (113.32, 23.12)]
    poly = MultiPolygon([Polygon(shell, [hole]), Point(113.5, 23.3).buffer(0.01)])
    out = geom_wgs84_to_gcj02(poly)
    assert out.geom_type == "MultiPolygon"
    assert len(out.geoms) == 2
    assert len(out.geoms[0].interiors) == 1
    assert out.is_valid
    for (x, y), (gx, gy) in zip(
        poly.geoms[0].exterior.coords, out.geoms[0].exterior.coords, strict=True
    ):
        assert (gx, gy) == pytest.approx(wgs84_to_gcj02(x, y), abs=1e-12)
    back = geom_gcj02_to_wgs84(out)
    assert back.equals_exact(poly, 1e-7)  # ~1 cm


def test_geometry_wrapper_handles_arrays_and_empty():
    geoms = np.array([Point(113.3, 23.1), LineString([(113.3, 23.1), (113.4, 23.2)])])
    out = geom_wgs84_to_gcj02(geoms)
    assert len(out) == 2
    assert out[0].x == pytest.approx(wgs84_to_gcj02(113.3, 23.1)[0])
    assert geom_wgs84_to_gcj02(Point()).is_empty


def test_geodataframe_wrappers_keep_attributes_crs_and_input():
    gdf = gpd.GeoDataFrame(
        {"name": ["广州塔", "花城广场"]},
        geometry=[Point(113.3245, 23.1064), Point(113.3240, 23.1195)],
        crs="EPSG:4326",
    )
    before = gdf.geometry.copy()
    gcj = gdf_wgs84_to_gcj02(gdf)
    assert list(gcj["name"]) == ["广州塔", "花城广场"]
    assert gcj.crs.equals("EPSG:4326")
    assert gdf.geometry.geom_equals(before).all()  # the input is not modified
    moved = [
        dist_m((a.x, a.y), (b.x, b.y)) for a, b in zip(gdf.geometry, gcj.geometry, strict=True)
    ]
    assert all(550 < m < 700 for m in moved)
    back = gdf_gcj02_to_wgs84(gcj)
    for a, b in zip(gdf.geometry, back.geometry, strict=True):
        assert dist_m((a.x, a.y), (b.x, b.y)) < 0.01


def test_geodataframe_wrapper_refuses_projected_data():
    gdf = gpd.GeoDataFrame(geometry=[Point(113.3, 23.1)], crs="EPSG:4326").to_crs("EPSG:32649")
    with pytest.raises(ValueError, match="EPSG:4326"):
        gdf_wgs84_to_gcj02(gdf)
