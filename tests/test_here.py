"""这里规划了什么: elements covering and near a point, on the real layers."""

from __future__ import annotations

import json
import math

import pytest
from pyproj import Geod

from spatial.cli import main
from spatial.geo.coords import wgs84_to_gcj02
from spatial.query.here import format_here, parse_lonlat, what_is_here

BIO_ISLAND_INSIDE = (113.382, 23.082)  # inside the drawn 官洲岛 outline
ISSUE_POINT = (113.366, 23.062)  # the channel between 生物岛 and 大学城
UNIVERSITY_TOWN = (113.39, 23.05)
CONGHUA_HILLS = (113.75, 23.75)  # forest in north 从化, no plan element near
NORTH_STATION = (113.2, 23.378)  # 广州北站


def ids(elements) -> list[str]:
    return [e.id for e in elements]


def test_point_on_bio_island_is_covered_by_the_island_with_its_excerpts(layers) -> None:
    res = what_is_here(layers, *BIO_ISLAND_INSIDE, radius_m=1500)
    assert "gz-bio-island" in ids(res.covering)
    island = next(e for e in res.covering if e.id == "gz-bio-island")
    assert island.distance_m == 0 and island.contains
    assert sorted(x["text"] for x in island.excerpts) == sorted(
        x["text"] for x in layers.at["gz-bio-island", "excerpts"]
    )
    assert all(x["section"] for x in island.excerpts)
    # the island's labs are points: "here" within their stated precision, never containing it
    lab = next(e for e in res.covering if e.id == "bioisland-lab")
    assert lab.within_precision and not lab.contains and 0 < lab.distance_m <= lab.precision_m
    assert res.district in ("海珠区", "黄埔区")


def test_covering_is_smallest_area_first(layers) -> None:
    res = what_is_here(layers, *BIO_ISLAND_INSIDE)
    # a point claims the disc of its stated precision
    areas = [
        math.pi * e.precision_m**2 if e.within_precision
        else layers.to_crs(32649).at[e.id, "geometry"].area
        for e in res.covering
    ]
    assert areas == sorted(areas)
    assert res.covering[0].id == "gz-bio-island"  # the island, not the axis segments around it


def test_neighbours_are_nearest_first_and_distances_are_metres(layers) -> None:
    lon, lat = ISSUE_POINT
    res = what_is_here(layers, lon, lat, radius_m=2500)
    dists = [e.distance_m for e in res.nearby]
    assert dists == sorted(dists) and all(0 < d <= 2500 for d in dists)
    geod = Geod(ellps="WGS84")
    for el in res.nearby:
        geom = layers.at[el.id, "geometry"]
        if geom.geom_type == "Point":
            _, _, true_m = geod.inv(lon, lat, geom.x, geom.y)
            assert el.distance_m == pytest.approx(true_m, rel=0.005)


def test_issue_point_names_bio_island_as_a_neighbour_only_within_the_radius(layers) -> None:
    wide = what_is_here(layers, *ISSUE_POINT, radius_m=1500)
    assert "gz-bio-island" in ids(wide.nearby)
    # near the 黄埔段's 生物岛 part, not inside it: the segment no longer spreads over the channel
    assert "axis-huangpu" in ids(wide.nearby) and "axis-huangpu" not in ids(wide.covering)
    narrow = what_is_here(layers, *ISSUE_POINT, radius_m=500)
    assert "gz-bio-island" not in ids(narrow.nearby + narrow.covering)


def test_university_town_point(layers) -> None:
    res = what_is_here(layers, *UNIVERSITY_TOWN, radius_m=0)
    assert {"gz-university-town", "axis-panyu"} <= set(ids(res.covering))
    assert res.district == "番禺区"
    assert res.nearby == []


def test_a_belt_answers_from_its_member_park_not_from_its_hull(layers) -> None:
    park = layers.at["huadu-auto-city", "geometry"]
    res = what_is_here(layers, park.x, park.y, radius_m=100)
    assert "huadu-auto-belt" not in ids(res.covering)  # a hull of points covers nothing
    belt = next(e for e in res.nearby if e.id == "huadu-auto-belt")
    assert belt.derived and belt.member == "花都汽车城" and belt.distance_m < 1
    assert res.district == "花都区"
    park_here = next(e for e in res.covering if e.id == "huadu-auto-city")
    assert park_here.within_precision and park_here.distance_m < 1  # the park, drawn as a point


def test_the_north_station_is_inside_no_shape_drawn_around_points(layers) -> None:
    """`gzmap here 113.2 23.378` once said 广州北站 was inside the 智能装备和机器人 cluster."""
    res = what_is_here(layers, *NORTH_STATION, radius_m=0)
    assert not [e.id for e in res.covering if e.derived]
    wide = what_is_here(layers, *NORTH_STATION, radius_m=5000)
    robots = next(e for e in wide.nearby if e.id == "huadu-cluster-equipment-robots")
    member = layers[layers["name"] == robots.member].iloc[0]
    assert member.name in layers.at["huadu-cluster-equipment-robots", "members"]
    assert robots.distance_m > 2000  # the distance of its nearest park, not of a hull


def test_point_outside_every_element(layers) -> None:
    res = what_is_here(layers, *CONGHUA_HILLS, radius_m=1500)
    assert res.is_empty
    assert res.district == "从化区"
    assert "(无)" in format_here(res)
    outside = what_is_here(layers, 114.5, 22.3)
    assert outside.district is None and outside.is_empty


def test_gcj02_input_gives_the_same_answer(layers) -> None:
    wgs = what_is_here(layers, *ISSUE_POINT, radius_m=1500)
    g_lon, g_lat = wgs84_to_gcj02(*ISSUE_POINT)
    gcj = what_is_here(layers, g_lon, g_lat, radius_m=1500, gcj02=True)
    assert (gcj.lon, gcj.lat) == pytest.approx((wgs.lon, wgs.lat), abs=1e-6)
    assert ids(gcj.covering) == ids(wgs.covering)
    for a, b in zip(gcj.nearby, wgs.nearby, strict=True):
        assert a.id == b.id and a.distance_m == pytest.approx(b.distance_m, abs=0.5)
    # taken as WGS84 the Amap coordinates land ~600 m away: the distances differ
    unconverted = what_is_here(layers, g_lon, g_lat, radius_m=1500)
    assert [e.distance_m for e in unconverted.nearby] != [e.distance_m for e in wgs.nearby]


@pytest.mark.parametrize("radius", [-1, 1e9, float("nan")])
def test_bad_radius_is_refused(layers, radius) -> None:
    with pytest.raises(ValueError, match="半径"):
        what_is_here(layers, *ISSUE_POINT, radius_m=radius)


def test_parse_lonlat() -> None:
    assert parse_lonlat("113.366,23.062") == (113.366, 23.062)
    assert parse_lonlat(" 113.366， 23.062 ") == (113.366, 23.062)
    assert parse_lonlat("23.062 113.366") == (113.366, 23.062)
    for bad in ("", "113.366", "abc def", "1e999 23", "113 23 5", "<script> 1"):
        with pytest.raises(ValueError):
            parse_lonlat(bad)


def test_cli_here_json_and_text(capsys) -> None:
    assert main(["here", "113.382", "23.082", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["covering"][0]["id"] == "gz-bio-island"
    assert doc["covering"][0]["excerpts"][0]["text"]
    g_lon, g_lat = wgs84_to_gcj02(113.382, 23.082)
    assert main(["here", f"{g_lon:.7f}", f"{g_lat:.7f}", "--gcj02"]) == 0
    text = capsys.readouterr().out
    assert "广州国际生物岛" in text and "GCJ-02" in text and "覆盖此点" in text


def test_cli_here_bad_radius_is_one_line(capsys) -> None:
    assert main(["here", "113.366", "23.062", "--radius", "-5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "半径" in err


def test_a_point_place_within_its_precision_is_here_nearest_first(layers) -> None:
    place = layers.loc["zhishicheng"]
    reach = place["location_precision_m"]
    geod = Geod(ellps="WGS84")
    lon, lat, _ = geod.fwd(place.geometry.x, place.geometry.y, 90, reach * 0.6)  # 0.6 × precision east
    res = what_is_here(layers, lon, lat, radius_m=0)
    here = [e for e in res.covering if e.within_precision]
    assert here and "zhishicheng" in ids(here)
    el = next(e for e in here if e.id == "zhishicheng")
    assert el.distance_m == pytest.approx(reach * 0.6, rel=0.01) and not el.contains
    # equal claims come nearest first; a point is here only within its own precision
    for a, b in zip(here, here[1:], strict=False):
        if a.precision_m == b.precision_m:
            assert a.distance_m <= b.distance_m
    assert all(e.distance_m <= e.precision_m for e in here)
    beyond_lon, beyond_lat, _ = geod.fwd(place.geometry.x, place.geometry.y, 90, reach * 1.2)
    far = what_is_here(layers, beyond_lon, beyond_lat, radius_m=reach * 2)
    assert "zhishicheng" not in ids(far.covering) and "zhishicheng" in ids(far.nearby)


def test_at_a_place_its_own_words_come_first(layers) -> None:
    place = layers.loc["zhishicheng"]
    res = what_is_here(layers, place.geometry.x, place.geometry.y, radius_m=0)
    assert res.covering[0].id == "zhishicheng"  # the place itself, before the segment around it
    texts = [x["text"] for x in res.covering[0].excerpts]
    assert texts[0].startswith(("中新广州知识城", "知识城"))  # about 知识城 itself
    assert sorted(texts) == sorted(x["text"] for x in place["excerpts"])  # none lost
    # an excerpt that names it among other places (the axis sentence) comes after
    listing = [t for t in texts if "南沙科学城" in t]
    assert listing and texts.index(listing[0]) > 0
