"""Derived shapes answer spatial questions right: the axis is the plan's network, a segment holds
no place of another district, and every district property matches the boundary data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from spatial.geo.base import load_districts
from spatial.plans.derive import representative_point
from spatial.plans.schema import METRIC_CRS

BRANCH_NODES = {"baiyunhu-digital-city"}  # off the 科学城–天河智慧城 spine


@pytest.fixture(scope="module")
def metric(layers) -> gpd.GeoDataFrame:
    return layers.to_crs(METRIC_CRS)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return load_districts().to_crs(METRIC_CRS).set_index("name")


def _point(metric: gpd.GeoDataFrame, fid: str) -> shapely.Point:
    return representative_point(metric.at[fid, "geometry"])


def test_axis_trunk_length_is_the_sum_of_its_pole_to_pole_hops(layers, metric) -> None:
    nodes = layers[layers["axis_order"].notna()].sort_values("axis_order").index
    trunk_nodes = [n for n in nodes if n not in BRANCH_NODES]
    hops = sum(
        _point(metric, a).distance(_point(metric, b))
        for a, b in zip(trunk_nodes, trunk_nodes[1:], strict=False)
    )
    axis = metric.at["sti-axis", "geometry"]
    trunk = max(axis.geoms, key=lambda g: g.length) if hasattr(axis, "geoms") else axis
    assert trunk.length == pytest.approx(hops, rel=0.10)
    assert trunk.length < 90_000  # the old 科学城 → 白云湖 → 天河智慧城 detour drew 115.6 km


def test_branch_joins_the_trunk_at_its_nearest_node(layers, metric) -> None:
    axis = metric.at["sti-axis", "geometry"]
    trunk, *branches = sorted(axis.geoms, key=lambda g: -g.length)
    assert len(branches) == 1
    branch = branches[0]
    baiyunhu = _point(metric, "baiyunhu-digital-city")
    assert shapely.Point(branch.coords[-1]).distance(baiyunhu) < 1
    start = shapely.Point(branch.coords[0])
    trunk_vertices = [shapely.Point(c) for c in trunk.coords]
    assert min(v.distance(start) for v in trunk_vertices) < 1  # starts on a trunk node
    nearest = min(v.distance(baiyunhu) for v in trunk_vertices)
    assert branch.length == pytest.approx(nearest, abs=1)


def test_no_point_of_tianhe_is_inside_the_huangpu_segment(layers, metric, districts) -> None:
    huangpu = metric.at["axis-huangpu", "geometry"]
    tianhe = districts.at["天河区", "geometry"]
    xmin, ymin, xmax, ymax = tianhe.bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, 40), np.linspace(ymin, ymax, 40))
    grid = shapely.points(xs.ravel(), ys.ravel())
    inside_tianhe = grid[shapely.contains(tianhe, grid)]
    assert len(inside_tianhe) > 200
    assert not shapely.contains(huangpu, inside_tianhe).any()
    for fid in ("tianhe-smart-city", "tianhe-hitech-zone", "kyl-software-cluster", "ifc-area"):
        assert not huangpu.contains(_point(metric, fid)), fid


def test_a_segment_holds_no_place_of_another_district(layers, metric, districts) -> None:
    points = metric[metric.geometry.geom_type == "Point"]
    for sid in layers.index[layers["role"] == "axis_segment"]:
        seg = metric.at[sid, "geometry"]
        own = set(layers.at[sid, "district"])
        for fid, geom in points.geometry.items():
            if seg.contains(geom):
                where = {d for d, area in districts.geometry.items() if area.covers(geom)}
                assert where & own, (sid, fid, where)
    # 琶洲 is 海珠's, next to 生物岛 but not in the 黄埔段's part around the island
    assert not metric.at["axis-huangpu", "geometry"].contains(_point(metric, "ai-digital-zone"))


def test_derived_features_name_the_districts_their_shape_lies_in(layers, metric, districts) -> None:
    derived = layers[layers["location_source"].str.contains("derived:", regex=False)]
    assert len(derived) >= 15
    for fid in derived.index:
        geom = metric.at[fid, "geometry"]
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            share = {d: geom.intersection(a).area / geom.area for d, a in districts.geometry.items()}
        else:
            share = {d: geom.intersection(a).length / geom.length for d, a in districts.geometry.items()}
        big = {d for d, s in share.items() if s >= 0.05}
        listed = set(layers.at[fid, "district"])
        assert big <= listed, (fid, big - listed)
        assert all(share[d] > 0 for d in listed), (fid, listed)


def test_every_point_lies_in_a_district_it_names(layers, metric, districts) -> None:
    """No tolerance: a point drawn in the river on the wrong bank is moved onto its own bank."""
    points = metric[(metric.geometry.geom_type == "Point") & layers["in_guangzhou"].ne(False)]
    wrong = []
    for fid, geom in points.geometry.items():
        where = {d for d, area in districts.geometry.items() if area.covers(geom)}
        if not where & set(layers.at[fid, "district"]):
            wrong.append((fid, layers.at[fid, "district"], where))
    assert not wrong
    for fid in ("baietan-finance-zone", "gz-intl-pharma-port"):
        assert districts.at["荔湾区", "geometry"].covers(metric.at[fid, "geometry"]), fid


NORTH_STATION = (113.2, 23.378)  # 广州北站, between 北站商务区 and the 花都湖 一核


def test_a_cluster_claims_no_more_than_its_member_parks(layers, metric) -> None:
    """A cluster is its core parks joined, never their hull: each part holds a member, the whole
    is no bigger than the members' own patches, and 广州北站 (no member) is outside them all."""
    station = gpd.GeoSeries([shapely.Point(NORTH_STATION)], crs=4326).to_crs(METRIC_CRS)[0]
    clusters = layers.index[layers["role"] == "cluster"]
    assert len(clusters) >= 9
    for cid in clusters:
        shape = metric.at[cid, "geometry"]
        members = [metric.at[m, "geometry"] for m in layers.at[cid, "members"]]
        parts = getattr(shape, "geoms", [shape])
        for part in parts:
            assert any(part.intersects(m) for m in members), cid  # no part without a member
        patches = shapely.union_all([m if m.area else m.buffer(1500) for m in members])
        assert shape.area <= patches.area * 1.001, cid
        assert not shape.contains(station), cid
    robots = metric.at["huadu-cluster-equipment-robots", "geometry"]
    assert robots.geom_type == "MultiPolygon"  # three scattered parks stay three patches


def test_a_shape_built_on_placed_guesses_says_so_and_is_no_more_precise(layers) -> None:
    guesses = set(layers.index[layers["location_source"].str.startswith("best guess")])
    assert {
        "huadu-green-value-park",
        "huadu-green-building-park",
        "huadu-ustb-materials-park",
        "huadu-sysu-institute",
    } <= guesses  # 地点不详，绘于…: placed guesses, named so
    derived = layers[layers["location_source"].str.contains("derived:", regex=False)]
    for fid, row in derived.iterrows():
        guessed = [m for m in row["members"] if m in guesses]
        if not guessed:
            continue
        assert "位置为估计" in row["location_source"], fid
        worst = max(layers.at[m, "location_precision_m"] for m in guessed)
        assert row["location_precision_m"] >= worst, fid
