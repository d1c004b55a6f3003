"""这片区域规划了什么: every plan element meeting a study area, on the real layers, and
``gzmap here --area FILE``."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import Point, box, mapping

from spatial.cli import main
from spatial.query.area import area_of, format_area, what_is_in_area

GEOD = Geod(ellps="WGS84")


def around(lon: float, lat: float, half_m: float):
    """A square study area ``2 × half_m`` across, centred on a point (WGS84)."""
    east, _, _ = GEOD.fwd(lon, lat, 90, half_m)
    west, _, _ = GEOD.fwd(lon, lat, 270, half_m)
    _, north, _ = GEOD.fwd(lon, lat, 0, half_m)
    _, south, _ = GEOD.fwd(lon, lat, 180, half_m)
    return box(west, south, east, north)


def by_id(elements) -> dict:
    return {e.id: e for e in elements}


def write_layer(path: Path, geoms, names=None) -> Path:
    features = [
        {"type": "Feature", "properties": {"name": (names or ["范围"] * len(geoms))[i]},
         "geometry": mapping(g)}
        for i, g in enumerate(geoms)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def test_a_study_area_lists_the_places_in_it_with_their_words(layers) -> None:
    place = layers.loc["zhishicheng"].geometry
    area = around(place.x, place.y, 1500)
    res = what_is_in_area(layers, area)
    inside = by_id(res.inside)
    el = inside["zhishicheng"]
    assert el.kind == "point" and el.certain and el.share == 1.0
    assert el.excerpts[0]["text"].startswith("中新广州知识城")  # its own words first
    # the area in square metres, as a geodesic measure gives it
    true_m2 = abs(GEOD.geometry_area_perimeter(area)[0])
    assert res.area_m2 == pytest.approx(true_m2, rel=0.005)
    # every point place inside is listed, none outside
    points = layers[layers.geom_type == "Point"]
    in_box = set(points.index[points.within(area)])
    assert {e.id for e in res.inside if e.kind == "point"} == in_box
    assert "中新广州知识城" in format_area(res)


def test_a_drawn_area_reports_the_part_inside(layers) -> None:
    island = layers.loc["gz-bio-island"].geometry
    west, south, east, north = island.bounds
    half = box(west - 0.01, south - 0.01, (west + east) / 2, north + 0.01)  # its western half
    el = by_id(what_is_in_area(layers, half).inside)["gz-bio-island"]
    metric = gpd.GeoSeries([island, island.intersection(half)], crs=4326).to_crs(32649)
    assert el.kind == "area" and 0 < el.share < 1
    assert el.inside_m2 == pytest.approx(metric.iloc[1].area, rel=0.01)
    assert el.share == pytest.approx(metric.iloc[1].area / metric.iloc[0].area, abs=0.01)


def test_a_derived_shape_counts_only_through_its_members(layers) -> None:
    segment = layers.loc["axis-huangpu"]
    members = layers.loc[[m for m in segment["members"] if m in layers.index]]
    metric_members = members.to_crs(32649).geometry
    # a spot inside the segment's drawn hull, far from every member place
    hull = gpd.GeoSeries([segment.geometry], crs=4326).to_crs(32649).iloc[0]
    spot = None
    for x in range(int(hull.bounds[0]), int(hull.bounds[2]), 500):
        for y in range(int(hull.bounds[1]), int(hull.bounds[3]), 500):
            p = Point(x, y)
            if hull.contains(p.buffer(300)) and metric_members.distance(p).min() > 4000:
                spot = p
                break
        if spot:
            break
    assert spot is not None, "the hull reaches beyond its members"
    lonlat = gpd.GeoSeries([spot], crs=32649).to_crs(4326).iloc[0]
    res = what_is_in_area(layers, around(lonlat.x, lonlat.y, 200))
    assert "axis-huangpu" not in by_id(res.inside)
    # around a member it is listed, naming the member
    zsc = layers.loc["zhishicheng"].geometry
    seg = by_id(what_is_in_area(layers, around(zsc.x, zsc.y, 500)).inside)["axis-huangpu"]
    assert seg.derived and seg.members_inside == ["中新广州知识城"]


def test_a_point_just_outside_within_its_precision_is_possibly_inside(layers) -> None:
    place = layers.loc["zhishicheng"]
    reach = place["location_precision_m"]
    east, _, _ = GEOD.fwd(place.geometry.x, place.geometry.y, 90, reach / 2)
    _, north, _ = GEOD.fwd(east, place.geometry.y, 0, 300)
    _, south, _ = GEOD.fwd(east, place.geometry.y, 180, 300)
    far_east, _, _ = GEOD.fwd(east, place.geometry.y, 90, 600)
    res = what_is_in_area(layers, box(east, south, far_east, north))
    el = by_id(res.possibly)["zhishicheng"]
    assert not el.certain and el.distance_m == pytest.approx(reach / 2, rel=0.02)
    assert "zhishicheng" not in by_id(res.inside)


def test_area_of_refuses_a_layer_without_polygons() -> None:
    with pytest.raises(ValueError, match="没有面"):
        area_of(gpd.GeoDataFrame(geometry=[Point(113.3, 23.1)], crs=4326))


def test_cli_area_text_json_and_refusals(tmp_path: Path, capsys, layers) -> None:
    zsc = layers.loc["zhishicheng"].geometry
    good = write_layer(tmp_path / "研究范围.geojson", [around(zsc.x, zsc.y, 1500)])
    assert main(["here", "--area", str(good)]) == 0
    assert "中新广州知识城" in capsys.readouterr().out
    assert main(["here", "--area", str(good), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "zhishicheng" in [e["id"] for e in doc["inside"]] and doc["area_m2"] > 0
    # hostile or useless files: one line each, exit 2, no traceback
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    points = write_layer(tmp_path / "points.geojson", [zsc])
    far = write_layer(tmp_path / "far.geojson", [box(2.0, 48.0, 2.1, 48.1)])  # Paris
    for path in (broken, points, far, tmp_path / "missing.geojson"):
        assert main(["here", "--area", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("gzmap here: ") and err.count("\n") == 1, err
    assert main(["here", "113.4", "23.3", "--area", str(good)]) == 2
    assert main(["here"]) == 2
    assert capsys.readouterr().err.count("\n") == 2
