"""OSM context: osmnx parsing of a local OSM file, the atomic cache, and the offline path.

No network: ``tests/data/small.osm`` is a hand-written OSM XML extract with real-ish Guangzhou
coordinates (a stretch of the Pearl River, a pond, 京港澳高速, 黄埔大道, a residential street,
白云机场, a helipad, 广深铁路 and a yard track, 广州南站, 广州东站 and the 体育西路 metro station).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import osmnx as ox
import pytest
import requests
from shapely.geometry import Point, box

import spatial._io
import spatial.geo.osm as osm
from spatial.cli import main
from spatial.geo.base import districts_containing, load_city_outline, load_districts
from spatial.geo.context import EXTRACT_ATTRIBUTION, EXTRACT_DIR, EXTRACT_GROUPS, build_context
from spatial.geo.osm import (
    OSM_ATTRIBUTION,
    OSM_GROUPS,
    CacheError,
    cache_path,
    context_sources,
    fetch_osm,
    load_osm_context,
    prepare_group,
    read_cache_file,
)

SMALL_OSM = Path(__file__).parent / "data" / "small.osm"
EXTENT = box(113.2, 22.9, 113.5, 23.5)


def from_xml(polygon, tags):
    return ox.features_from_xml(SMALL_OSM, tags=tags)


def parsed(key: str):
    return prepare_group(key, ox.features_from_xml(SMALL_OSM, tags=OSM_GROUPS[key].tags))


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_water_keeps_the_river_and_drops_ponds():
    water = parsed("water")
    assert list(water["name"]) == ["珠江"]
    assert water.geom_type.tolist() == ["Polygon"]
    assert water.crs.equals("EPSG:4326")
    assert parsed("rivers").geom_type.tolist() == ["LineString"]


def test_roads_are_motorways_and_trunks_only():
    roads = parsed("roads")
    assert dict(zip(roads["name"], roads["kind"], strict=True)) == {
        "京港澳高速": "motorway",
        "黄埔大道": "trunk",
    }
    assert roads.set_index("name").loc["京港澳高速", "ref"] == "G4"
    assert set(roads.geom_type) == {"LineString"}


def test_airport_keeps_baiyun_and_drops_the_helipad():
    airport = parsed("airport")
    assert list(airport["name"]) == ["广州白云国际机场"]
    assert list(airport["osm_id"]) == ["way/3001"]


def test_rail_keeps_main_lines_and_drops_yards():
    rail = parsed("rail")
    assert list(rail["name"]) == ["广深铁路"]
    assert set(rail.geom_type) == {"LineString"}


def test_stations_are_railway_points_without_metro():
    stations = parsed("stations")
    assert sorted(stations["name"]) == ["广州东站", "广州南站"]
    assert set(stations.geom_type) == {"Point"}
    south = stations.set_index("name").geometry["广州南站"]
    assert districts_containing(south) == ["番禺区"]


def test_fetch_caches_one_file_per_group_and_resumes(tmp_path, capsys):
    assert fetch_osm(tmp_path, fetcher=from_xml, extent=EXTENT) == 0
    assert files_in(tmp_path) == sorted(f"{k}.geojson" for k in OSM_GROUPS)
    out = capsys.readouterr().out
    assert "[3/6] roads: 2 features" in out

    context = load_osm_context(tmp_path)
    assert set(context) == set(OSM_GROUPS)
    assert list(context["airport"]["name"]) == ["广州白云国际机场"]
    header = json.loads(cache_path(tmp_path, "roads").read_text(encoding="utf-8"))["gzmap_osm"]
    assert header["count"] == 2 and "OpenStreetMap" in header["attribution"]

    def must_not_fetch(polygon, tags):
        raise AssertionError("an intact cached group was fetched again")

    assert fetch_osm(tmp_path, fetcher=must_not_fetch, extent=EXTENT) == 0
    assert "roads: cached (2 features)" in capsys.readouterr().out


def test_corrupt_cache_file_is_ignored_and_refetched(tmp_path, capsys):
    assert fetch_osm(tmp_path, fetcher=from_xml, extent=EXTENT) == 0
    roads = cache_path(tmp_path, "roads")
    text = roads.read_text(encoding="utf-8")
    roads.write_text(text[: len(text) // 2], encoding="utf-8")  # a truncated copy

    with pytest.warns(UserWarning, match="roads.geojson"):
        context = load_osm_context(tmp_path)
    assert "roads" not in context and "water" in context

    asked: list[dict] = []

    def counting(polygon, tags):
        asked.append(tags)
        return from_xml(polygon, tags)

    capsys.readouterr()
    assert fetch_osm(tmp_path, fetcher=counting, extent=EXTENT) == 0
    assert asked == [OSM_GROUPS["roads"].tags]
    assert "roads: " in capsys.readouterr().out
    assert len(read_cache_file(roads, "roads")) == 2


def test_cache_header_must_match_contents(tmp_path):
    assert fetch_osm(tmp_path, ["stations"], fetcher=from_xml, extent=EXTENT) == 0
    path = cache_path(tmp_path, "stations")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = data["features"][:1]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CacheError, match="count"):
        read_cache_file(path, "stations")
    with pytest.raises(CacheError, match="expected 'roads'"):
        read_cache_file(path, "roads")


def test_nothing_cached_gives_an_empty_context(tmp_path):
    assert load_osm_context(tmp_path / "missing", extract_dir=None) == {}
    assert context_sources(tmp_path / "missing", extract_dir=None) == []


def test_the_shipped_extract_stands_in_for_an_empty_cache(tmp_path):
    context = load_osm_context(tmp_path / "missing")
    assert set(context) == set(EXTRACT_GROUPS) == {"water", "rivers"}
    city = load_city_outline().union_all()
    for frame in context.values():
        assert str(frame.crs) == "EPSG:4326" and len(frame)
        assert frame.attrs["attribution"] == EXTRACT_ATTRIBUTION
        assert frame.union_all().intersects(city)  # it covers Guangzhou
    assert set(context["water"].geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(context["rivers"].geom_type) <= {"LineString", "MultiLineString"}
    # the Pearl River's estuary (狮子洋, off 南沙) is water; the hills of 从化 are not
    water = context["water"].union_all()
    assert water.contains(Point(113.62, 22.75)) and not water.intersects(Point(113.6, 23.6))
    assert context_sources(tmp_path / "missing") == [EXTRACT_ATTRIBUTION]
    # a cached group wins over the extract, and is named as OpenStreetMap
    assert fetch_osm(tmp_path, ["water"], fetcher=from_xml, extent=EXTENT) == 0
    mixed = load_osm_context(tmp_path)
    assert mixed["water"].attrs["attribution"] == OSM_ATTRIBUTION
    assert mixed["rivers"].attrs["attribution"] == EXTRACT_ATTRIBUTION
    assert context_sources(tmp_path) == [OSM_ATTRIBUTION, EXTRACT_ATTRIBUTION]


@pytest.mark.skipif(shutil.which("gmt") is None, reason="needs Debian's gmt and gmt-gshhg-full")
def test_the_shipped_extract_is_what_build_context_makes(tmp_path):
    counts = build_context(tmp_path)
    for group in EXTRACT_GROUPS:
        built = read_cache_file(cache_path(tmp_path, group), group)
        shipped = read_cache_file(cache_path(EXTRACT_DIR, group), group)
        assert counts[group] == len(built) == len(shipped)
        assert built.geometry.geom_equals_exact(shipped.geometry, tolerance=1e-6).all()
    size = sum(cache_path(EXTRACT_DIR, g).stat().st_size for g in EXTRACT_GROUPS)
    assert size < 2_000_000  # small enough to ship


def test_offline_prints_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    def no_dns(*args, **kwargs):
        raise requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='overpass-api.de', port=443): Max retries exceeded "
            "(Caused by NameResolutionError(\"Failed to resolve 'overpass-api.de' "
            '([Errno -2] Name or service not known)"))'
        )

    monkeypatch.setattr(requests, "get", no_dns)
    cache = tmp_path / "osm"
    assert main(["fetch-osm", "--cache", str(cache)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("gzmap fetch-osm: no network")
    assert "overpass-api.de" in lines[0] and "name resolution failed" in lines[0]
    assert "Traceback" not in captured.err
    assert not cache.exists() or files_in(cache) == []
    # the district base keeps working
    assert len(load_districts()) == 11


def test_network_failure_mid_run_keeps_finished_groups_only(tmp_path, capsys):
    def flaky(polygon, tags):
        if tags == OSM_GROUPS["rivers"].tags:
            raise requests.exceptions.ConnectionError("Connection aborted.")
        return from_xml(polygon, tags)

    assert fetch_osm(tmp_path, fetcher=flaky, extent=EXTENT) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no network" in err[0]
    assert files_in(tmp_path) == ["water.geojson"]  # no partial or temporary files
    assert len(read_cache_file(cache_path(tmp_path, "water"), "water")) == 1


def test_osmnx_request_failure_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(osm, "_check_overpass", lambda: None)

    def refused(polygon, tags):
        raise requests.exceptions.ConnectionError("[Errno 111] Connection refused")

    monkeypatch.setattr(ox, "features_from_polygon", refused)
    assert fetch_osm(tmp_path / "osm", ["airport"], extent=EXTENT) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gzmap fetch-osm: no network — the Overpass request failed (connection refused); "
        "OSM context not updated (the district base works without it)"
    ]


def test_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(spatial._io.os, "replace", broken_replace)  # the shared atomic writer
    with pytest.raises(OSError, match="disk full"):
        fetch_osm(tmp_path, ["water"], fetcher=from_xml, extent=EXTENT)
    assert files_in(tmp_path) == []


def test_broken_osmnx_response_cache_is_dropped(tmp_path):
    http = tmp_path / "http"
    http.mkdir()
    (http / "good.json").write_text('{"elements": []}', encoding="utf-8")
    (http / "partial.json").write_text('{"elements": [{"type": "no', encoding="utf-8")
    assert osm._drop_broken_http_cache(http) == 1
    assert files_in(http) == ["good.json"]


def test_unknown_group_is_refused(tmp_path, capsys):
    assert fetch_osm(tmp_path, ["trams"], fetcher=from_xml, extent=EXTENT) == 2
    assert "unknown group" in capsys.readouterr().err
