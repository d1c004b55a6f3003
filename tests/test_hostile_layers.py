"""Hostile and broken layers, through both doors: ``gzmap validate <file>`` and an upload.

Every bad input gets a message naming the file, the feature and the problem; nothing crashes;
an upload that is refused leaves nothing behind. Names full of markup are plain text: the
curated validator reports them, an upload keeps them verbatim for the map to escape.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from spatial._io import atomic_write_text, dumps_json
from spatial.cli import main
from spatial.plans.layers import read_layer_file
from spatial.plans.manifest import get_plan
from spatial.plans.texts import load_plan
from spatial.plans.validate import MAX_LAYER_BYTES, parse_layer_bytes, validate_features
from spatial.uploads.reader import (
    MAX_PROBLEMS_LISTED,
    MAX_UPLOAD_BYTES,
    display_name,
    read_user_layer,
    start_worker,
)

HOSTILE = Path(__file__).parent / "data" / "hostile"
BIO_ISLAND = [113.3665, 23.0855]


# -- watching for writes ------------------------------------------------------------------------
_WRITES: list[str] | None = None
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _audit(event: str, args: tuple) -> None:
    if _WRITES is None:
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(path, int):  # an already-open descriptor (the worker's pipe), not a file
            return
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        ):
            _WRITES.append(str(path))
    elif event in ("os.mkdir", "os.rename", "os.replace", "shutil.copyfile"):
        _WRITES.append(str(args[0]))


sys.addaudithook(_audit)  # permanent, but inert unless a test is watching


@dataclass
class Sandbox:
    """A private temp folder and working directory, and every write made while watching."""

    tmp: Path
    cwd: Path
    writes: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def watch(self) -> Iterator[None]:
        global _WRITES
        _WRITES = self.writes
        try:
            yield
        finally:
            _WRITES = None
            # bytecode caches written by a first import are not the code under test's doing
            self.writes[:] = [w for w in self.writes if "__pycache__" not in w]

    def writes_outside_tmp(self) -> list[str]:
        return [w for w in self.writes if not Path(w).resolve().is_relative_to(self.tmp)]

    def leftovers(self) -> list[Path]:
        return sorted(self.tmp.rglob("*")) + sorted(self.cwd.rglob("*"))


@pytest.fixture(scope="module", autouse=True)
def _worker() -> None:
    """The upload worker's fork server, started once like the app does at start-up."""
    start_worker()


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    tmp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    tmp.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.chdir(cwd)
    return Sandbox(tmp.resolve(), cwd.resolve())


def _assert_refused_cleanly(layer, sandbox: Sandbox, temp_file_allowed: bool = False) -> None:
    assert layer.gdf is None and not layer.ok
    assert layer.problems
    assert sandbox.leftovers() == []
    if temp_file_allowed:
        assert sandbox.writes_outside_tmp() == []
    else:
        assert sandbox.writes == []


# -- bad inputs, one per kind -------------------------------------------------------------------
def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _deep_coordinates() -> bytes:
    inner = _nested(100_000).decode()
    return (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"id": "deep"}, "geometry": {"type": "Point", "coordinates": ' + inner + "}}]}"
    ).encode()


def _oversize() -> bytes:
    """A well-formed layer, only too big: the size alone must refuse it."""
    feat = {
        "type": "Feature",
        "properties": {"id": "big", "name": "大", "note": "x" * MAX_LAYER_BYTES},
        "geometry": {"type": "Point", "coordinates": BIO_ISLAND},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feat]}).encode()


GENERATED = {
    "deep_nesting.geojson": lambda: _nested(100_000),
    "deep_coordinates.geojson": _deep_coordinates,
    "oversize.geojson": _oversize,
}

# file, feature id as validate prints it, the English problem, the Chinese one an upload shows
CASES = [
    ("invalid_json.geojson", "-", "invalid JSON", "不是有效的 JSON"),
    ("not_utf8.geojson", "-", "not UTF-8", "不是 UTF-8"),
    ("not_feature_collection.geojson", "-", "not a GeoJSON FeatureCollection", "要素集合"),
    (
        "wrong_geometry_type.geojson",
        "wrong-type",
        "'GeometryCollection' is not one of",
        "几何类型不受支持",
    ),
    ("self_intersecting.geojson", "bow-tie", "invalid geometry: Self-intersection", "几何图形无效"),
    ("swapped_lonlat.geojson", "swapped", "latitude/longitude swapped", "经纬度顺序颠倒"),
    ("projected_coords.geojson", "projected", "looks like projected metres", "投影坐标"),
    ("deep_nesting.geojson", "-", "nested too deeply", "嵌套层数过深"),
    ("deep_coordinates.geojson", "-", "nested too deeply", "嵌套层数过深"),
    ("oversize.geojson", "-", "over the 5 MiB limit", "文件过大（上限 5 MiB）"),
]


def _bad_bytes(name: str) -> bytes:
    return GENERATED[name]() if name in GENERATED else (HOSTILE / name).read_bytes()


def _bad_path(name: str, tmp_path: Path) -> Path:
    if name not in GENERATED:
        return HOSTILE / name
    path = tmp_path / name
    path.write_bytes(GENERATED[name]())
    return path


def _says(problem: str, where: str, chinese: str, english: str) -> bool:
    """Whether an upload message reads ``<where><Chinese …> — <file>: <id>: <English …>``."""
    zh, _, en = problem.partition(" — ")
    return zh.startswith(where) and chinese in zh and english in en


def _validate(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str]]:
    status = main(["validate", "--no-districts", *map(str, paths)])
    return status, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("name", "fid", "english", "chinese"), CASES, ids=[c[0] for c in CASES])
def test_validate_names_file_feature_and_problem(
    name: str, fid: str, english: str, chinese: str, tmp_path: Path, capsys
) -> None:
    status, lines = _validate(capsys, _bad_path(name, tmp_path))
    assert status == 1
    assert any(name in line and f": {fid}: " in line and english in line for line in lines), lines


@pytest.mark.parametrize(("name", "fid", "english", "chinese"), CASES, ids=[c[0] for c in CASES])
def test_upload_refuses_with_a_clear_message_and_writes_nothing(
    name: str, fid: str, english: str, chinese: str, sandbox: Sandbox
) -> None:
    data = _bad_bytes(name)
    with sandbox.watch():
        layer = read_user_layer(data, name)
    _assert_refused_cleanly(layer, sandbox)
    where = "" if fid == "-" else f"要素 {fid}："
    assert any(_says(p, where, chinese, english) and name in p for p in layer.problems), (
        layer.problems
    )


SEVERAL = [
    ("swapped", "latitude/longitude swapped", "经纬度顺序颠倒"),
    ("bow-tie", "Self-intersection", "几何图形无效"),
    ("circle", "geometry type 'Circle'", "几何类型不受支持"),
    ("projected", "projected metres", "投影坐标"),
    ("no-geometry", "no geometry", "要素没有几何图形"),
    ("open-ring", "a polygon ring is not closed", "几何图形无效"),
]


def test_validate_reports_every_problem_of_a_file(capsys) -> None:
    status, lines = _validate(capsys, HOSTILE / "several_problems.geojson")
    assert status == 1
    for fid, english, _ in SEVERAL:
        assert any(
            f"several_problems.geojson: {fid}: {english}" in ln
            or (f"several_problems.geojson: {fid}: " in ln and english in ln)
            for ln in lines
        ), fid
    geometry_words = ("coordinate", "geometry", "ring")
    assert not [ln for ln in lines if ": fine: " in ln and any(w in ln for w in geometry_words)]


def test_upload_lists_every_problem_of_a_file(sandbox: Sandbox) -> None:
    data = (HOSTILE / "several_problems.geojson").read_bytes()
    with sandbox.watch():
        layer = read_user_layer(data, "several_problems.geojson")
    _assert_refused_cleanly(layer, sandbox)
    assert len(layer.problems) == len(SEVERAL)
    for fid, english, chinese in SEVERAL:
        assert any(_says(p, f"要素 {fid}：", chinese, english) for p in layer.problems), fid


def test_validate_goes_on_past_a_broken_file(tmp_path: Path, capsys) -> None:
    status, lines = _validate(
        capsys,
        HOSTILE / "invalid_json.geojson",
        _bad_path("deep_nesting.geojson", tmp_path),
        HOSTILE / "swapped_lonlat.geojson",
    )
    assert status == 1
    assert any("invalid_json.geojson: -: invalid JSON" in ln for ln in lines)
    assert any("deep_nesting.geojson: -: JSON nested too deeply" in ln for ln in lines)
    assert any("swapped_lonlat.geojson: swapped: coordinate" in ln for ln in lines)


def test_long_lists_of_problems_are_cut_with_a_count(sandbox: Sandbox) -> None:
    n = MAX_PROBLEMS_LISTED + 70
    feats = [
        {
            "type": "Feature",
            "properties": {"id": f"s{i}"},
            "geometry": {"type": "Point", "coordinates": BIO_ISLAND[::-1]},
        }
        for i in range(n)
    ]
    data = json.dumps({"type": "FeatureCollection", "features": feats}).encode()
    with sandbox.watch():
        layer = read_user_layer(data, "many.geojson")
    _assert_refused_cleanly(layer, sandbox)
    assert len(layer.problems) == MAX_PROBLEMS_LISTED + 1
    assert "另有 70 个问题" in layer.problems[-1] and "70 more problem(s)" in layer.problems[-1]


def test_upload_refuses_unknown_file_types_and_empty_layers(sandbox: Sandbox) -> None:
    with sandbox.watch():
        kml = read_user_layer(b"<kml/>", "layer.kml")
        empty = read_user_layer(b'{"type": "FeatureCollection", "features": []}', "empty.json")
    _assert_refused_cleanly(kml, sandbox)
    _assert_refused_cleanly(empty, sandbox)
    assert (
        kml.problems[0].startswith("不支持的文件类型")
        and ".geojson, .json, .gpkg" in kml.problems[0]
    )
    assert empty.problems[0].startswith("图层没有要素")


def test_upload_size_cap_is_the_one_stated(sandbox: Sandbox) -> None:
    assert MAX_UPLOAD_BYTES == MAX_LAYER_BYTES == 5 * 1024 * 1024
    with sandbox.watch():
        layer = read_user_layer(b" " * (MAX_UPLOAD_BYTES + 1), "x.gpkg")
    _assert_refused_cleanly(layer, sandbox)
    assert "5 MiB" in layer.problems[0]


# -- deep nesting and big files -----------------------------------------------------------------
def test_moderately_nested_property_is_kept_as_text() -> None:
    deep = json.loads(_nested(200))
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "嵌套", "x": deep},
                "geometry": {"type": "Point", "coordinates": BIO_ISLAND},
            }
        ],
    }
    layer = read_user_layer(json.dumps(doc).encode(), "nested.geojson")
    assert layer.ok
    assert layer.gdf["x"].iloc[0] == json.dumps(deep)


def _points_layer(n: int, note: str = "") -> bytes:
    feats = [
        {
            "type": "Feature",
            "properties": {"id": f"p{i}", "name": f"地点 <{i}>", "note": note},
            "geometry": {
                "type": "Point",
                "coordinates": [113.2 + (i % 500) / 1000, 23.0 + i / n / 2],
            },
        }
        for i in range(n)
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False).encode()


def test_a_file_just_under_the_cap_is_read_whole() -> None:
    n = 20_000
    data = _points_layer(n, note="备注" * 17)
    assert MAX_UPLOAD_BYTES * 0.8 < len(data) <= MAX_UPLOAD_BYTES
    layer = read_user_layer(data, "big.geojson")
    assert layer.ok and len(layer.gdf) == n
    assert layer.gdf["name"].iloc[-1] == f"地点 <{n - 1}>"


def _calls(fn, *args) -> int:
    """How many Python and C functions a call runs: a clock-free measure of work."""
    count = 0

    def profile(frame, event, arg) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("path", ["upload", "validate"])
def test_work_grows_linearly_with_the_number_of_features(path: str) -> None:
    def run(n: int) -> None:
        data = _points_layer(n)
        if path == "upload":
            assert read_user_layer(data, "n.geojson").ok
        else:
            validate_features([parse_layer_bytes(data, "n.geojson")], check_districts=False)

    run(50)  # warm caches (taxonomy, manifest, imports)
    small, large = _calls(run, 400), _calls(run, 1600)
    assert large < 4.4 * small, (small, large)  # quadratic work would be ~16x


# -- untrusted text -----------------------------------------------------------------------------
def _hostile_names() -> dict[str, str]:
    doc = json.loads((HOSTILE / "hostile_names.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f["properties"]["name"] for f in doc["features"]}


def test_upload_keeps_hostile_names_as_plain_text(sandbox: Sandbox) -> None:
    data = (HOSTILE / "hostile_names.geojson").read_bytes()
    with sandbox.watch():
        layer = read_user_layer(data, "hostile_names.geojson")
    assert layer.ok, layer.problems
    assert sandbox.writes == [] and sandbox.leftovers() == []
    names = _hostile_names()
    assert list(layer.gdf["name"]) == list(names.values())  # verbatim: nothing stripped
    assert list(layer.gdf["id"]) == list(names)
    assert set(layer.gdf["description"]) == {'<a href="javascript:alert(1)">点我</a>'}
    for text in [*layer.gdf["name"], *layer.gdf["description"]]:
        escaped = html.escape(text)
        assert not set("<>\"'") & set(escaped)
        assert html.unescape(escaped) == text


def test_validate_reports_markup_in_curated_names(capsys) -> None:
    status, lines = _validate(capsys, HOSTILE / "hostile_names.geojson")
    assert status == 1
    for fid in _hostile_names():
        assert any(
            f"hostile_names.geojson: {fid}: name " in ln and "markup characters" in ln
            for ln in lines
        ), fid


QUOTE = "广州国际生物岛依托国家实验室、省实验室等优势资源"


def _curated_feature(**changes: object) -> dict:
    section = load_plan("gz_sti").find(QUOTE).section
    props = {
        "id": "gz-bio-island",
        "name": "广州国际生物岛",
        "aliases": ["生物岛"],
        "role": "zone",
        "plans": ["gz_sti"],
        "plan_roles": {"gz_sti": {"role": "zone", "group": None}},
        "district": ["黄埔区", "海珠区"],
        "industries": ["生物医药"],
        "excerpts": [
            {"plan": "gz_sti", "seed": get_plan("gz_sti").file, "section": section, "text": QUOTE}
        ],
        "location_source": "best knowledge: centre of the island",
        "location_precision_m": 400,
        **changes,
    }
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": BIO_ISLAND},
    }


def _curated_problems(feat: dict) -> list[str]:
    doc = {"type": "FeatureCollection", "features": [feat]}
    layer = parse_layer_bytes(dumps_json(doc).encode(), "layers/t.geojson")
    return [str(p) for p in validate_features([layer], check_districts=False)]


def test_markup_smuggled_into_a_verbatim_excerpt_is_reported() -> None:
    assert _curated_problems(_curated_feature()) == []
    smuggled = "<span onmouseover=alert(1)>" + QUOTE
    feat = _curated_feature(name="<img src=x onerror=alert(1)>生物岛")
    feat["properties"]["excerpts"][0]["text"] = smuggled
    assert load_plan("gz_sti").contains(smuggled)  # the quote finder skips the seeds' markers
    problems = _curated_problems(feat)
    assert any("gz-bio-island: name '<img" in p and "markup characters <>" in p for p in problems)
    assert any("gz-bio-island: excerpt 1 contains markup" in p for p in problems)
    assert not any("quote not found" in p for p in problems)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_names_a_spreadsheet_would_run_as_formulas_are_reported(start: str) -> None:
    feat = _curated_feature(name=start + "HYPERLINK(1)生物岛", aliases=[start + "1"])
    problems = _curated_problems(feat)
    assert any("gz-bio-island: name " in p and "runs as a formula" in p for p in problems)
    assert any("gz-bio-island: alias " in p and "runs as a formula" in p for p in problems)
    assert not any("formula" in p for p in _curated_problems(_curated_feature(name="a=b")))


def test_hostile_text_survives_round_trips_unchanged(tmp_path: Path) -> None:
    names = list(_hostile_names().values())
    feats = []
    for i, name in enumerate(names):
        feat = _curated_feature(id=f"f{i}", name=name, aliases=[])
        feat["properties"]["excerpts"][0]["text"] = name + QUOTE
        feats.append(feat)
    doc = {"type": "FeatureCollection", "features": feats}
    path = tmp_path / "hostile.geojson"
    atomic_write_text(path, dumps_json(doc))

    parsed = parse_layer_bytes(path.read_bytes(), path.name)
    assert [f["properties"]["name"] for f in parsed.features] == names

    frame = read_layer_file(path)
    assert list(frame["name"]) == names
    assert [e[0]["text"] for e in frame["excerpts"]] == [n + QUOTE for n in names]

    again = json.loads(frame.to_json())
    assert [f["properties"]["name"] for f in again["features"]] == names

    upload = read_user_layer(path.read_bytes(), path.name)
    assert upload.ok and list(upload.gdf["name"]) == names
    back = json.loads(upload.gdf.to_json())
    assert [f["properties"]["name"] for f in back["features"]] == names


def test_display_name_takes_name_then_chinese_name_then_id() -> None:
    assert display_name({"name": "<b>甲</b>", "名称": "乙", "id": "c"}) == "<b>甲</b>"
    assert display_name({"name": "  ", "名称": "乙", "id": "c"}) == "乙"
    assert display_name({"name": None, "id": "c-1"}) == "c-1"
    assert display_name({"id": 42}) == "42"
    assert display_name({"name": ["列表"], "id": float("nan")}) == ""
    assert display_name(None) == ""
    long = "长" * 500
    assert display_name({"name": long}).endswith("…") and len(display_name({"name": long})) == 200


def test_upload_file_name_loses_its_folders(sandbox: Sandbox) -> None:
    data = (HOSTILE / "good_upload.geojson").read_bytes()
    with sandbox.watch():
        layer = read_user_layer(data, "..\\..\\etc/../<b onclick=x>layer.geojson")
    assert layer.ok and layer.name == "<b onclick=x>layer.geojson"
    assert sandbox.writes == []


def test_good_upload_is_read_with_its_crs_member_and_properties() -> None:
    layer = read_user_layer((HOSTILE / "good_upload.geojson").read_bytes(), "good.GeoJSON")
    assert layer.ok, layer.problems
    gdf = layer.gdf
    assert str(gdf.crs) == "EPSG:4326"
    assert list(gdf["name"]) == ["广州国际生物岛", "中新广州知识城", "pazhou"]
    assert gdf["类型"].iloc[0] == "园区" and gdf["类型"].iloc[1] is None
    assert gdf["面积"].iloc[1] == "123.5"
    assert list(gdf.geometry.geom_type) == ["Point", "Point", "Polygon"]


# -- GeoPackage ---------------------------------------------------------------------------------
def _gpkg(tmp_path: Path, gdf: gpd.GeoDataFrame, name: str = "layer.gpkg", **kw) -> bytes:
    path = tmp_path / name
    gdf.to_file(path, driver="GPKG", **kw)
    return path.read_bytes()


def _frame(geoms: list, crs: str | None = "EPSG:4326", **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=crs)


def test_geopackage_is_reprojected_and_keeps_names(tmp_path: Path, sandbox: Sandbox) -> None:
    names = list(_hostile_names().values())[:2]
    wgs = _frame([shapely.Point(BIO_ISLAND), shapely.Point(113.49, 23.366)], 名称=names)
    data = _gpkg(tmp_path, wgs.to_crs("EPSG:32649"), layer="utm")
    with sandbox.watch():
        layer = read_user_layer(data, "utm.gpkg")
    assert layer.ok, layer.problems
    assert sandbox.writes_outside_tmp() == [] and sandbox.leftovers() == []
    assert str(layer.gdf.crs) == "EPSG:4326"
    assert list(layer.gdf["name"]) == names and list(layer.gdf["名称"]) == names
    assert layer.gdf.geometry.iloc[0].distance(shapely.Point(BIO_ISLAND)) < 1e-6


def test_geopackage_reads_its_first_layer_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "two.gpkg"
    _frame([shapely.Point(BIO_ISLAND)], name=["甲"]).to_file(path, layer="first")
    _frame([shapely.Point(113.49, 23.366)], name=["乙"]).to_file(path, layer="second")
    layer = read_user_layer(path.read_bytes(), "two.gpkg")
    assert layer.ok and list(layer.gdf["name"]) == ["甲"]
    assert layer.notes and "first" in layer.notes[0] and "共 2 个" in layer.notes[0]


def test_geopackage_without_crs(tmp_path: Path, sandbox: Sandbox) -> None:
    lonlat = _gpkg(tmp_path, _frame([shapely.Point(BIO_ISLAND)], crs=None, name=["a"]), "ll.gpkg")
    metres = _gpkg(
        tmp_path, _frame([shapely.Point(742418.0, 2554948.0)], crs=None, name=["b"]), "m.gpkg"
    )
    with sandbox.watch():
        ok = read_user_layer(lonlat, "ll.gpkg")
        refused = read_user_layer(metres, "m.gpkg")
    assert ok.ok and str(ok.gdf.crs) == "EPSG:4326"
    _assert_refused_cleanly(refused, sandbox, temp_file_allowed=True)
    assert (
        refused.problems[0].startswith("图层没有坐标参考系")
        and "save the layer with its CRS" in (refused.problems[0])
    )


@pytest.mark.parametrize(
    ("geom", "chinese", "english"),
    [
        (shapely.Point(BIO_ISLAND[::-1]), "经纬度顺序颠倒", "latitude/longitude swapped"),
        (
            shapely.Polygon([(113.30, 23.10), (113.35, 23.15), (113.35, 23.10), (113.30, 23.15)]),
            "几何图形无效",
            "Self-intersection",
        ),
    ],
    ids=["swapped", "self-intersecting"],
)
def test_geopackage_geometry_is_checked_like_geojson(
    geom, chinese: str, english: str, tmp_path: Path, sandbox: Sandbox
) -> None:
    data = _gpkg(tmp_path, _frame([geom], id=["bad-1"]))
    with sandbox.watch():
        layer = read_user_layer(data, "bad.gpkg")
    _assert_refused_cleanly(layer, sandbox, temp_file_allowed=True)
    assert _says(layer.problems[0], "要素 bad-1：", chinese, english), layer.problems


def test_gpkg_name_on_other_content_never_reaches_gdal(sandbox: Sandbox) -> None:
    vrt = b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
    with sandbox.watch():
        layers = [
            read_user_layer(data, "x.gpkg")
            for data in (vrt, (HOSTILE / "good_upload.geojson").read_bytes())
        ]
    for layer in layers:
        _assert_refused_cleanly(layer, sandbox)  # not even a temporary file
        assert layer.problems[0].startswith("不是 GeoPackage 文件")


def test_truncated_geopackage_is_refused_and_cleaned_up(tmp_path: Path, sandbox: Sandbox) -> None:
    data = _gpkg(tmp_path, _frame([shapely.Point(BIO_ISLAND)], name=["a"]))
    with sandbox.watch():
        layer = read_user_layer(data[: len(data) // 3], "cut.gpkg")
    _assert_refused_cleanly(layer, sandbox, temp_file_allowed=True)
    assert layer.problems[0].startswith("无法读取 GeoPackage")
