"""The upload parser itself (``spatial.uploads._worker.parse``), called in this process.

The app only ever runs it in a worker process (``tests/test_hostile_layers.py`` and
``tests/test_hostile_uploads.py`` go that way); calling it here checks the same answers where
a test can see every step, mutation testing included. Expected messages and values are written
out by hand.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from spatial.uploads import _worker
from spatial.uploads._worker import (
    MAX_FEATURES,
    MAX_PROPERTIES,
    MAX_VALUE_CHARS,
    MAX_VERTICES_TOTAL,
    display_name,
    is_gpkg,
    parse,
)

BIO_ISLAND = (113.3665, 23.0855)
ZHISHICHENG = (113.49, 23.366)


def _soon() -> float:
    return time.monotonic() + 60


def _doc(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False).encode()


def _point(lonlat, **props) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": list(lonlat)}}


def _problems(answer: dict) -> str:
    return "\n".join(answer["problems"])


def _table(answer: dict) -> list[list[str | None]]:
    """The answer's rows (one mapping per feature, holding the columns it has) as a table."""
    return [[row.get(column) for column in answer["columns"]] for row in answer["rows"]]


def test_a_good_geojson_becomes_columns_rows_and_geometry() -> None:
    data = _doc(
        _point(BIO_ISLAND, name="广州国际生物岛", 类型="园区", 面积=123.5, 已建=True, 标签=["a", "b"]),
        _point(ZHISHICHENG, id="zsc", note=None),
    )
    answer = parse(data, "点.geojson", _soon())
    assert answer["problems"] == [] and answer["notes"] == []
    assert answer["columns"] == ["name", "类型", "面积", "已建", "标签", "id", "note"]
    assert _table(answer) == [
        ["广州国际生物岛", "园区", "123.5", "true", '["a", "b"]', None, None],
        ["zsc", None, None, None, None, "zsc", None],  # named after its id
    ]
    points = [shapely.from_wkb(h) for h in answer["wkb"]]
    assert [(p.x, p.y) for p in points] == [BIO_ISLAND, ZHISHICHENG]


def test_an_unnamed_feature_gets_a_numbered_placeholder() -> None:
    answer = parse(_doc(_point(BIO_ISLAND), _point(ZHISHICHENG, 名称="知识城")), "x.json", _soon())
    assert [row["name"] for row in answer["rows"]] == ["未命名要素 #1 (unnamed feature)", "知识城"]


def test_broken_and_empty_files_are_messages() -> None:
    assert "不是有效的 JSON" in _problems(parse(b"{", "bad.geojson", _soon()))
    empty = parse(_doc(), "empty.geojson", _soon())
    assert "no features: the layer is empty" in _problems(empty) and "columns" not in empty


def test_caps_on_features_properties_and_values_name_the_first_feature() -> None:
    many = _doc(*[_point(BIO_ISLAND) for _ in range(MAX_FEATURES + 1)])
    assert f"{MAX_FEATURES + 1} features, over the cap of {MAX_FEATURES}" in _problems(
        parse(many, "many.geojson", _soon())
    )
    wide_props = {f"p{i}": i for i in range(MAX_PROPERTIES + 1)}
    wide = _doc(_point(BIO_ISLAND, id="w1", **wide_props), _point(BIO_ISLAND, id="w2", **wide_props))
    text = _problems(parse(wide, "wide.geojson", _soon()))
    assert "w1" in text and f"{MAX_PROPERTIES + 2} properties (and 1 more feature(s))" in text  # id too
    assert f"over the cap of {MAX_PROPERTIES} properties per feature" in text
    at_cap = {f"p{i}": i for i in range(MAX_PROPERTIES)}
    assert parse(_doc(_point(BIO_ISLAND, **at_cap)), "ok.geojson", _soon())["problems"] == []
    long = _doc(_point(BIO_ISLAND, id="l1", note="字" * (MAX_VALUE_CHARS + 1)))
    text = _problems(parse(long, "long.geojson", _soon()))
    assert f"property 'note' has {MAX_VALUE_CHARS + 1} characters" in text and "l1" in text
    fine = _doc(_point(BIO_ISLAND, note="字" * MAX_VALUE_CHARS))
    assert parse(fine, "fine.geojson", _soon())["problems"] == []
    long_key = _doc(_point(BIO_ISLAND, **{"键" * (MAX_VALUE_CHARS + 1): 1}))
    assert "over the cap of" in _problems(parse(long_key, "key.geojson", _soon()))


def test_vertices_are_capped_over_the_whole_upload() -> None:
    half = MAX_VERTICES_TOTAL // 2 + 1
    line = [[113.2 + i * 1e-6, 23.1] for i in range(half)]
    feat = {"type": "Feature", "properties": {"id": "l"},
            "geometry": {"type": "LineString", "coordinates": line}}
    one = parse(_doc(feat), "one.geojson", _soon())
    assert one["problems"] == []
    two = parse(_doc(feat, dict(feat, properties={"id": "l2"})), "two.geojson", _soon())
    assert f"more than {MAX_VERTICES_TOTAL} vertices (at feature l2)" in _problems(two)


def test_geometry_problems_are_listed_for_every_feature() -> None:
    swapped = _point(BIO_ISLAND[::-1], id="s1")
    outside = _point((116.4, 39.9), id="s2")  # Beijing
    text = _problems(parse(_doc(swapped, outside, _point(BIO_ISLAND)), "bad.geojson", _soon()))
    assert "s1" in text and "s2" in text


def test_the_deadline_stops_the_check() -> None:
    answer = parse(_doc(_point(BIO_ISLAND)), "late.geojson", time.monotonic() - 1)
    assert "took longer than the time limit" in _problems(answer)


def _gpkg(path: Path, frame: gpd.GeoDataFrame, **kw) -> bytes:
    frame.to_file(path, driver="GPKG", **kw)
    return path.read_bytes()


def test_a_geopackage_is_read_reprojected_with_its_first_layer_named(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["甲", "乙"], "n": [1, 2]},
        geometry=[shapely.Point(BIO_ISLAND), shapely.Point(ZHISHICHENG)], crs="EPSG:4326",
    )
    path = tmp_path / "two.gpkg"
    _gpkg(path, frame.to_crs("EPSG:32649"), layer="utm")
    frame.iloc[:1].to_file(path, layer="second", driver="GPKG")
    data = path.read_bytes()
    assert is_gpkg(data) and not is_gpkg(b"{}")
    answer = parse(data, "two.gpkg", _soon())
    assert answer["problems"] == [] and answer["columns"] == ["name", "n"]
    assert _table(answer) == [["甲", "1"], ["乙", "2"]]
    points = [shapely.from_wkb(h) for h in answer["wkb"]]
    assert points[0].distance(shapely.Point(BIO_ISLAND)) < 1e-6
    assert points[1].distance(shapely.Point(ZHISHICHENG)) < 1e-6
    assert answer["notes"] == ["只读取了第一个图层“utm”（共 2 个） — only the first of 2 layers, 'utm', was read"]


def test_a_geopackage_in_metres_without_a_crs_is_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["b"]}, geometry=[shapely.Point(742418.0, 2554948.0)])
    answer = parse(_gpkg(tmp_path / "m.gpkg", frame), "m.gpkg", _soon())
    assert _problems(answer).startswith("图层没有坐标参考系")
    lonlat = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(BIO_ISLAND)])
    assert parse(_gpkg(tmp_path / "ll.gpkg", lonlat), "ll.gpkg", _soon())["problems"] == []


def test_a_truncated_geopackage_is_a_message(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(BIO_ISLAND)], crs="EPSG:4326")
    data = _gpkg(tmp_path / "a.gpkg", frame)
    assert _problems(parse(data[: len(data) // 3], "cut.gpkg", _soon())).startswith(
        "无法读取 GeoPackage"
    )


@pytest.mark.parametrize(
    ("props", "name"),
    [
        ({"name": "甲", "名称": "乙", "id": "丙"}, "甲"),
        ({"name": "  ", "名称": "乙"}, "乙"),
        ({"id": 42}, "42"),
        ({"id": float("nan")}, ""),
        ({"name": True}, ""),
        ({"name": "<b>x</b>"}, "<b>x</b>"),  # verbatim: the caller escapes
        ("not a dict", ""),
    ],
)
def test_display_name(props, name: str) -> None:
    assert display_name(props) == name


def test_a_long_display_name_is_cut_with_an_ellipsis() -> None:
    shown = display_name({"name": "名" * 500})
    assert len(shown) == _worker.MAX_NAME_CHARS and shown.endswith("…")


def _with_srs(path: Path, srs_id: int, organization: str = "EPSG", definition: str = "") -> bytes:
    """The GeoPackage at ``path`` with its layer moved to spatial reference ``srs_id``, defined
    as given (GeoPackages from other programs than GDAL carry such entries)."""
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,))
        con.execute(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
            "organization_coordsys_id, definition) VALUES ('x', ?, ?, ?, ?)",
            (srs_id, organization, srs_id, definition or "undefined"),
        )
        con.execute("UPDATE gpkg_geometry_columns SET srs_id = ?", (srs_id,))
        con.execute("UPDATE gpkg_contents SET srs_id = ?", (srs_id,))
    con.close()
    return path.read_bytes()


def test_a_geopackage_with_no_spatial_reference_is_read_as_lonlat_or_refused(
    tmp_path: Path,
) -> None:
    lonlat = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(BIO_ISLAND)], crs="EPSG:4326")
    _gpkg(tmp_path / "ll.gpkg", lonlat)
    answer = parse(_with_srs(tmp_path / "ll.gpkg", 0), "ll.gpkg", _soon())
    assert answer["problems"] == [] and _table(answer) == [["a"]]
    metres = gpd.GeoDataFrame({"name": ["b"]}, geometry=[shapely.Point(742418.0, 2554948.0)],
                              crs="EPSG:32649")
    _gpkg(tmp_path / "m.gpkg", metres)
    answer = parse(_with_srs(tmp_path / "m.gpkg", -1), "m.gpkg", _soon())
    assert answer["problems"] == [
        "图层没有坐标参考系，坐标也不是经纬度 — m.gpkg: -: no coordinate reference system, and the "
        "coordinates are not longitude/latitude: save the layer with its CRS"
    ]


def test_an_unusable_crs_is_a_message_naming_the_file(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(BIO_ISLAND)], crs="EPSG:4326")
    _gpkg(tmp_path / "bad.gpkg", frame)
    data = _with_srs(tmp_path / "bad.gpkg", 990001, organization="NONE", definition="GARBAGE CRS")
    (problem,) = parse(data, "bad.gpkg", _soon())["problems"]
    assert problem.startswith("无法转换到 WGS84 经纬度 — bad.gpkg: -: cannot reproject 'GARBAGE CRS': ")


def test_messages_name_the_file_and_the_cap_exactly() -> None:
    many = _doc(*[_point(BIO_ISLAND) for _ in range(MAX_FEATURES + 1)])
    assert parse(many, "many.geojson", _soon())["problems"] == [
        f"要素过多（每次上传最多 {MAX_FEATURES:,} 个） — many.geojson: -: {MAX_FEATURES + 1} features, "
        f"over the cap of {MAX_FEATURES} features per upload"
    ]
    at_cap = parse(_doc(*[_point(BIO_ISLAND) for _ in range(MAX_FEATURES)]), "cap.json", _soon())
    assert at_cap["problems"] == [] and len(at_cap["rows"]) == MAX_FEATURES
    late = parse(_doc(_point(BIO_ISLAND)), "late.geojson", time.monotonic() - 1)
    assert late == {
        "problems": ["文件处理超时（上限 8 秒） — late.geojson: -: took longer than the time limit "
                     "to check"],
        "notes": [],
    }


def test_a_long_list_of_problems_is_cut_with_a_count() -> None:
    swapped = [_point(BIO_ISLAND[::-1], id=f"s{i}") for i in range(_worker.MAX_PROBLEMS_LISTED + 3)]
    problems = parse(_doc(*swapped), "s.geojson", _soon())["problems"]
    assert len(problems) == _worker.MAX_PROBLEMS_LISTED + 1
    assert problems[-1] == "……另有 3 个问题未列出 — 3 more problem(s) not listed"
    exactly = [_point(BIO_ISLAND[::-1], id=f"s{i}") for i in range(_worker.MAX_PROBLEMS_LISTED)]
    problems = parse(_doc(*exactly), "s.geojson", _soon())["problems"]
    assert len(problems) == _worker.MAX_PROBLEMS_LISTED and "未列出" not in problems[-1]
    one_more = [*exactly, _point(BIO_ISLAND[::-1], id="last")]
    assert parse(_doc(*one_more), "s.geojson", _soon())["problems"][-1] == (
        "……另有 1 个问题未列出 — 1 more problem(s) not listed"
    )


def test_an_unnamed_feature_is_named_by_its_position_in_problems() -> None:
    (problem,) = parse(_doc(_point(BIO_ISLAND), _point(BIO_ISLAND[::-1])), "p.geojson",
                       _soon())["problems"]
    assert problem.startswith("要素 #1：") and "p.geojson: #1: " in problem


def test_a_crs_member_is_tolerated_and_checked_coordinates_still_are() -> None:
    doc = json.loads(_doc(_point(BIO_ISLAND, name="甲")))
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    answer = parse(json.dumps(doc).encode(), "qgis.geojson", _soon())
    assert answer["problems"] == [] and _table(answer) == [["甲"]]


def test_only_a_geopackage_header_says_geopackage(tmp_path: Path) -> None:
    import sqlite3

    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    data = plain.read_bytes()
    assert data.startswith(b"SQLite format 3\x00") and not is_gpkg(data)
    fake = bytearray(b"\x00" * 100)
    fake[68:72] = b"GPKG"
    assert not is_gpkg(bytes(fake))
    answer = parse(data, "plain.gpkg", _soon())
    assert answer["problems"] and "columns" not in answer


def test_geopackage_answers_name_the_file_and_say_only_what_applies(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(BIO_ISLAND)], crs="EPSG:4326")
    data = _gpkg(tmp_path / "one.gpkg", frame)
    one = parse(data, "one.gpkg", _soon())
    assert one["problems"] == [] and one["notes"] == []  # one layer: nothing to say about others
    (problem,) = parse(data[: len(data) // 3], "cut.gpkg", _soon())["problems"]
    assert "— cut.gpkg: -: " in problem
    late = parse(data, "late.gpkg", time.monotonic() - 1)
    assert late["problems"] and "late.gpkg" in late["problems"][0] and "columns" not in late
    empty = gpd.GeoDataFrame({"name": ["e"]}, geometry=[shapely.Point()], crs="EPSG:4326")
    (problem,) = parse(_gpkg(tmp_path / "e.gpkg", empty), "e.gpkg", _soon())["problems"]
    assert "e.gpkg: e: no geometry" in problem  # GDAL stores an empty point as none


@pytest.mark.parametrize(
    ("exitcode", "why"),
    [
        (-24, "took longer than the 8 s time limit (CPU)"),  # SIGXCPU: the CPU limit
        (-9, "worker stopped by signal 9 without an answer, most likely over the 512 MiB memory limit"),
        (1, "worker stopped (1) without an answer, most likely over the 512 MiB memory limit"),
        (0, "worker stopped (0) without an answer, most likely over the 512 MiB memory limit"),
        (None, "worker stopped (None) without an answer, most likely over the 512 MiB memory limit"),
    ],
)
def test_why_a_worker_stopped_is_said_in_words(exitcode, why: str) -> None:
    from spatial.uploads.reader import _why_stopped

    assert _why_stopped(exitcode, 8.0, 512 * 1024 * 1024) == why


def test_crs_checks_at_their_edges(tmp_path: Path) -> None:
    nulls = gpd.GeoDataFrame({"name": ["n"]}, geometry=[None], crs="EPSG:4326")
    _gpkg(tmp_path / "n.gpkg", nulls)
    (problem,) = parse(_with_srs(tmp_path / "n.gpkg", 0), "n.gpkg", _soon())["problems"]
    assert "n.gpkg: n: no geometry" in problem  # no coordinates to doubt the lon/lat of
    half = gpd.GeoDataFrame({"name": ["h"]}, geometry=[shapely.Point(113.3, 2554948.0)],
                            crs="EPSG:4326")
    _gpkg(tmp_path / "h.gpkg", half)
    (problem,) = parse(_with_srs(tmp_path / "h.gpkg", -1), "h.gpkg", _soon())["problems"]
    assert "coordinates are not longitude/latitude" in problem  # a longitude, no latitude
    long_name = "GARBAGE " + "x" * 80
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(BIO_ISLAND)], crs="EPSG:4326")
    _gpkg(tmp_path / "g.gpkg", frame)
    data = _with_srs(tmp_path / "g.gpkg", 990002, organization="NONE", definition=long_name)
    (problem,) = parse(data, "g.gpkg", _soon())["problems"]
    quoted = f"cannot reproject {long_name[:60]!r}: "
    assert quoted in problem and len(problem.split(quoted, 1)[1]) > 0  # cut, then the reason


# -- the reader around the worker: what the app is handed ---------------------------------------


def test_an_accepted_upload_is_a_lonlat_layer_of_text_with_absent_properties_empty() -> None:
    from spatial.uploads.reader import read_user_layer

    data = _doc(_point(BIO_ISLAND, name="甲", n=3), _point(ZHISHICHENG, 名称="乙"))
    layer = read_user_layer(data, "两点.geojson")
    assert layer.ok and layer.problems == [] and layer.notes == [] and layer.name == "两点.geojson"
    gdf = layer.gdf
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["name"]) == ["甲", "乙"]  # the display name, from name or 名称
    assert gdf.loc[0, "n"] == "3"  # text, whatever the file's type
    assert gdf.loc[1, "n"] is None and gdf.loc[0, "名称"] is None  # absent: None, not NaN
    assert list(gdf.geometry) == [shapely.Point(BIO_ISLAND), shapely.Point(ZHISHICHENG)]


@pytest.mark.parametrize(
    ("filename", "data", "name", "problem"),
    [
        ("C:\\Users\\甲\\layer.shp", b"{}", "layer.shp",
         "不支持的文件类型 — layer.shp: -: unsupported file type '.shp': use .geojson, .json, .gpkg"),
        ("", b"{}", "upload",
         "不支持的文件类型 — upload: -: unsupported file type '(none)': use .geojson, .json, .gpkg"),
        ("/tmp/d/x.GPKG", b"{}", "x.GPKG",
         "不是 GeoPackage 文件 — x.GPKG: -: not a GeoPackage (SQLite GPKG header missing)"),
        ("big.geojson", b" " * (5 * 1024 * 1024 + 1), "big.geojson",
         "文件过大（上限 5 MiB） — big.geojson: -: file is 5.0 MiB, over the 5 MiB limit for an "
         "upload"),
    ],
)  # fmt: skip
def test_a_file_is_named_without_its_folders_and_refused_before_reading(
    filename, data, name, problem, monkeypatch
) -> None:
    from spatial.uploads import reader

    monkeypatch.setattr(reader, "_run_worker", lambda *a: pytest.fail("a worker was started"))
    layer = reader.read_user_layer(data, filename)
    assert (layer.name, layer.gdf, layer.problems, layer.ok) == (name, None, [problem], False)


def test_a_long_file_name_is_cut() -> None:
    from spatial.uploads.reader import MAX_NAME_CHARS, read_user_layer

    layer = read_user_layer(_doc(_point(BIO_ISLAND)), "长" * 300 + ".geojson")
    assert layer.name == "长" * MAX_NAME_CHARS and not layer.ok


def test_a_garbled_answer_from_the_worker_is_a_message(monkeypatch) -> None:
    from spatial.uploads import reader

    monkeypatch.setattr(reader, "_run_worker",
                        lambda *a: {"columns": ["a"], "rows": [], "wkb": ["zz"]})
    layer = reader.read_user_layer(_doc(_point(BIO_ISLAND)), "bad.geojson")
    assert layer.gdf is None and not layer.ok
    (problem,) = layer.problems
    assert problem.startswith("文件处理进程意外终止 — bad.geojson: -: worker stopped: bad answer (")
    monkeypatch.setattr(reader, "_run_worker",
                        lambda *a: {"problems": ["p1", "p2"], "notes": ["n1"], "columns": []})
    layer = reader.read_user_layer(_doc(_point(BIO_ISLAND)), "refused.geojson")
    assert (layer.problems, layer.notes, layer.gdf) == (["p1", "p2"], ["n1"], None)


# -- a worker that goes wrong: what the reader says of it ---------------------------------------


def _fake_worker(monkeypatch, act) -> None:
    """Make the reader's worker a forked process that does ``act(sender)`` instead of parsing
    (fork: the act may be any function of this test)."""
    import multiprocessing

    from spatial.uploads import reader

    def process(_ctx, args, start_timeout):
        sender = args[0]
        return multiprocessing.get_context("fork").Process(target=act, args=(sender,),
                                                           daemon=True)

    monkeypatch.setattr(reader, "_process", process)


def _killed(_sender) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _over_cpu(_sender) -> None:
    os.kill(os.getpid(), signal.SIGXCPU)  # what the kernel sends at the CPU-time limit


def _asleep(_sender) -> None:
    time.sleep(30)


def _lists(sender) -> None:
    sender.send_bytes(b"[1, 2]")


#: What a worker that read a file answers (made here: a forked child only sends it).
_ANSWER = json.dumps({"problems": [], "notes": ["kept"], "columns": ["name"],
                      "rows": [{"name": "甲"}], "wkb": ["00"]}).encode()


def _answers(sender) -> None:
    sender.send_bytes(_ANSWER)


@pytest.mark.parametrize(
    ("act", "seconds", "why"),
    [
        (_killed, 8.0, "超出内存限制（上限 512 MiB） — 杀.geojson: -: worker stopped by signal 9 "
                       "without an answer, most likely over the 512 MiB memory limit"),
        (_asleep, 0.5, "文件处理超时（上限 8 秒） — 杀.geojson: -: took longer than the 0.5 s time "
                       "limit"),
        (_over_cpu, 8.0, "文件处理超时（上限 8 秒） — 杀.geojson: -: took longer than the 8 s time "
                         "limit (CPU)"),
        (_lists, 8.0, "文件处理进程意外终止 — 杀.geojson: -: worker stopped: bad answer"),
    ],
    ids=["killed", "too-slow", "over-cpu", "bad-answer"],
)  # fmt: skip
def test_a_worker_that_goes_wrong_is_a_message_naming_the_file_and_why(
    monkeypatch, act, seconds, why
) -> None:
    from spatial.uploads import reader

    _fake_worker(monkeypatch, act)
    started = time.monotonic()
    answer = reader._run_worker(b"{}", "杀.geojson", seconds=seconds,
                                memory_bytes=512 * 1024 * 1024)
    assert answer == {"problems": [why], "notes": []}
    assert time.monotonic() - started < seconds + 6  # waited for the limit, not the sleeper


def test_a_worker_that_answers_is_handed_on_as_it_answered(monkeypatch) -> None:
    from spatial.uploads import reader

    _fake_worker(monkeypatch, _answers)
    answer = reader._run_worker(b"{}", "a.geojson", seconds=8.0)
    assert answer["notes"] == ["kept"] and answer["rows"] == [{"name": "甲"}]


@pytest.mark.parametrize(
    ("error", "why"),
    [
        (TimeoutError(), "文件处理超时（上限 8 秒） — s.geojson: -: took longer than the 8 s time limit "
                         "to start"),
        (OSError("no room"), "文件处理进程意外终止 — s.geojson: -: worker stopped: could not start "
                             "(no room)"),
    ],
    ids=["fork-server-wedged", "no-process"],
)  # fmt: skip
def test_a_worker_that_cannot_start_is_a_message(monkeypatch, error, why) -> None:
    from spatial.uploads import reader

    class Unstartable:
        def start(self) -> None:
            raise error

    monkeypatch.setattr(reader, "_process", lambda *a, **k: Unstartable())
    assert reader._run_worker(b"{}", "s.geojson", seconds=8.0) == {"problems": [why], "notes": []}


def test_a_file_of_exactly_the_upload_limit_is_not_refused_for_its_size() -> None:
    from spatial.uploads.reader import MAX_UPLOAD_BYTES, _quick_refusal

    assert _quick_refusal(b" " * MAX_UPLOAD_BYTES, "full.geojson") == ""
    assert _quick_refusal(b" " * (MAX_UPLOAD_BYTES + 1), "full.geojson").startswith("file is 5.0 MiB")
