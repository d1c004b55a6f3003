"""Valid uploads that would cost the map or the server without bound: each is refused with its
cap named, and what an accepted layer costs stays bounded.

Each part of a multi-part geometry is one thing to draw (a MultiPoint of 99,999 points drew
99,999 circles with a tooltip each), every distinct property name one column kept for the
session, and the map gets the layer's names and shapes: each has a cap.
"""

from __future__ import annotations

import json

import pytest

#: What the map may be sent for one own layer (bytes).
from _uploads import collection, heavy_lines, points  # noqa: E402

from spatial.uploads import _worker as worker
from spatial.uploads.reader import (
    MAX_COLUMNS,
    MAX_PARTS,
    read_user_layer,
    start_worker,
)

MAP_BUDGET = 5_000_000


@pytest.fixture(scope="module", autouse=True)
def _worker() -> None:
    start_worker()


def multipoint(n: int, decimals: int = 4) -> bytes:
    """One feature: a MultiPoint of ``n`` points, every one inside Guangzhou."""
    geom = {"type": "MultiPoint", "coordinates": points(n, decimals=decimals)}
    return collection([{"type": "Feature", "properties": {"name": "多点"}, "geometry": geom}])


def map_geojson_bytes(gdf) -> int:
    """What a map of the layer is sent at least: names and shapes as GeoJSON."""
    return len(gdf[["name", "geometry"]].to_json(ensure_ascii=False).encode("utf-8"))


def test_a_multipoint_of_99999_points_is_refused_by_the_parts_cap() -> None:
    data = multipoint(99_999, decimals=3)
    assert len(data) < 1.7e6  # ~1.5 MiB, under the file cap
    layer = read_user_layer(data, "multipoint.geojson")
    assert not layer.ok
    assert any("几何部件过多" in p and "99999 parts" in p for p in layer.problems), layer.problems


def test_parts_count_with_features_against_one_cap() -> None:
    half = MAX_PARTS // 2
    geom = {"type": "MultiPoint", "coordinates": points(half + 1)}
    feats = [{"type": "Feature", "properties": {"name": "多点"}, "geometry": geom}]
    feats += [
        {"type": "Feature", "properties": {"name": f"点{i}"},
         "geometry": {"type": "Point", "coordinates": xy}}
        for i, xy in enumerate(points(half, seed=2))
    ]
    layer = read_user_layer(collection(feats), "mixed.geojson")
    assert any(f"{MAX_PARTS + 1} parts" in p for p in layer.problems), layer.problems


def test_a_multipoint_at_the_parts_cap_is_drawn_and_its_map_payload_is_bounded() -> None:
    layer = read_user_layer(multipoint(MAX_PARTS), "multipoint.geojson")
    assert layer.ok, layer.problems
    assert len(layer.gdf.geometry.iloc[0].geoms) == MAX_PARTS
    assert map_geojson_bytes(layer.gdf) <= MAP_BUDGET


def test_features_with_their_own_property_names_are_refused_by_the_columns_cap() -> None:
    feats = [
        {"type": "Feature",
         "properties": {"name": f"点{i}", **{f"k{i}_{j}": "v" for j in range(6)}},
         "geometry": {"type": "Point", "coordinates": xy}}
        for i, xy in enumerate(points(1_200))
    ]
    data = collection(feats)
    assert len(data) < 250 * 1024  # a small file
    layer = read_user_layer(data, "columns.geojson")
    assert not layer.ok
    assert any("属性名过多" in p and f"{MAX_COLUMNS} property names" in p for p in layer.problems)


def test_a_layer_at_the_columns_cap_is_read_and_keeps_its_properties() -> None:
    per = 4
    n = MAX_COLUMNS // per  # name + 4 own keys each: MAX_COLUMNS keys with the names
    feats = [
        {"type": "Feature",
         "properties": {"name": f"点{i}", **{f"k{i}_{j}": f"{j}" for j in range(per - 1)}},
         "geometry": {"type": "Point", "coordinates": xy}}
        for i, xy in enumerate(points(n))
    ]
    layer = read_user_layer(collection(feats), "columns.geojson")
    assert layer.ok, layer.problems
    assert layer.gdf.loc[3, "k3_2"] == "2" and layer.gdf.loc[3, "k4_0"] is None


def test_a_layer_whose_names_would_send_more_than_the_map_payload_cap_is_refused() -> None:
    # 7,000 points, each named with 200 Chinese characters (the longest name kept): a 4.9 MB
    # file, under the 5 MiB cap, that is mostly names, every one of which the map is sent.
    name = "很长的名字" * 40
    feats = [
        {"type": "Feature", "properties": {"name": name},
         "geometry": {"type": "Point", "coordinates": xy}}
        for xy in points(7_000)
    ]
    data = collection(feats)
    assert len(data) < 5 * 1024 * 1024
    layer = read_user_layer(data, "names.geojson")
    assert not layer.ok
    assert any("图层在地图上的数据过大" in p and "refused, not simplified" in p
               for p in layer.problems), layer.problems


def test_the_heaviest_accepted_shapes_stay_within_the_map_budget() -> None:
    layer = read_user_layer(heavy_lines(), "lines.geojson")
    assert layer.ok, layer.problems
    assert map_geojson_bytes(layer.gdf) <= MAP_BUDGET


def test_an_answer_over_its_cap_comes_back_as_a_refusal(monkeypatch) -> None:
    sent: list[bytes] = []

    class Conn:
        def send_bytes(self, raw: bytes) -> None:
            sent.append(raw)

        def close(self) -> None:
            pass

    monkeypatch.setattr(worker, "_limit_resources", lambda *a: None)  # not in this process
    monkeypatch.setattr(worker, "MAX_ANSWER_BYTES", 2_000)
    data = collection([
        {"type": "Feature", "properties": {"name": f"点{i}", "note": "x" * 100},
         "geometry": {"type": "Point", "coordinates": xy}}
        for i, xy in enumerate(points(100))
    ])
    worker.child_main(Conn(), data, "big.geojson")
    answer = json.loads(sent[0])
    assert len(sent[0]) <= 2_000
    assert "rows" not in answer and "文件处理结果过大" in answer["problems"][0]
