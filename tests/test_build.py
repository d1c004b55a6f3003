"""The layer builder: merging plans into one feature, excerpt lookup, derived geometry, problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from shapely.geometry import shape

from spatial.plans.build import build_layers

CITY = {
    "plan": "gz_sti",
    "features": [
        {
            "id": "zhishicheng",
            "name": "中新广州知识城",
            "role": "core",
            "district": "黄埔区",
            "industries": ["集成电路", "生命科学"],
            "excerpts": ["中新广州知识城建设具有全球影响力的国家知识中心。"],
            "geometry": {"point": [113.49, 23.37]},
            "location_source": "best knowledge",
            "location_precision_m": 2000,
        },
        {
            "id": "bio-island",
            "name": "广州国际生物岛",
            "role": "zone",
            "district": ["黄埔区", "海珠区"],
            "excerpts": [{"text": "广州国际生物岛依托国家实验室、省实验室等优势资源"}],
            "geometry": {"point": [113.366, 23.086]},
            "location_source": "best knowledge",
            "location_precision_m": 500,
        },
        {
            "id": "axis",
            "name": "科技创新轴",
            "role": "axis",
            "members": ["zhishicheng", "bio-island"],
            "excerpts": ["打造科技创新轴"],
            "geometry": {"derived": {"method": "line"}},
        },
        {
            "id": "hull",
            "name": "测试带",
            "role": "belt",
            "excerpts": ["打造科技创新轴"],
            "geometry": {
                "derived": {
                    "method": "hull",
                    "members": ["zhishicheng", "bio-island"],
                    "buffer_m": 500,
                }
            },
        },
    ],
}
BAIYUN = {
    "plan": "baiyun_sti",
    "features": [
        {"id": "bio-island", "name": "生物岛", "excerpts": ["生物岛"], "industries": ["生物医药"]}
    ],
}


def _write(src: Path, name: str, doc: dict) -> None:
    src.mkdir(parents=True, exist_ok=True)
    (src / f"{name}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _features(out: Path) -> dict[str, dict]:
    feats = {}
    for path in out.glob("*.geojson"):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            feats[f["properties"]["id"]] = f
    return feats


def test_build_merges_plans_fills_sections_and_derives_geometry(tmp_path: Path) -> None:
    _write(tmp_path / "src", "gz_sti", CITY)
    _write(tmp_path / "src", "baiyun_sti", BAIYUN)
    result = build_layers(tmp_path / "src", tmp_path / "out")
    assert not result.problems, result.report_lines()
    feats = _features(tmp_path / "out")
    island = feats["bio-island"]["properties"]
    assert island["plans"] == ["gz_sti", "baiyun_sti"]  # one feature, an excerpt from each plan
    assert island["name"] == "广州国际生物岛" and "生物岛" in island["aliases"]
    assert island["industries"] == ["生物医药"]
    assert island["excerpts"][0]["section"].endswith("科技创新轴（黄埔段）")
    assert island["excerpts"][0]["seed"] == "004_c53a813f44610f0f.txt"
    assert feats["zhishicheng"]["properties"]["industries"] == [
        "集成电路",
        "生物医药",
    ]  # synonym folded
    line = shape(feats["axis"]["geometry"])
    assert line.geom_type == "LineString" and len(line.coords) == 2
    assert tuple(line.coords[0]) == pytest.approx((113.49, 23.37))
    assert "derived: 按次序连接各成员代表点的直线" in feats["axis"]["properties"]["location_source"]
    hull = shape(feats["hull"]["geometry"])
    # members in two districts: one part per district, each clipped to its district
    assert hull.geom_type == "MultiPolygon" and len(hull.geoms) == 2
    assert hull.contains(shape(feats["zhishicheng"]["geometry"]))
    assert hull.contains(shape(feats["bio-island"]["geometry"]))
    assert feats["hull"]["properties"]["district"] == ["黄埔区", "海珠区"]  # from the geometry
    assert set(feats["axis"]["properties"]["district"]) >= {"黄埔区", "海珠区"}
    assert feats["hull"]["properties"]["location_precision_m"] == 2000  # widest member's


def test_a_derived_district_that_disagrees_with_the_geometry_is_a_problem(tmp_path: Path) -> None:
    city = json.loads(json.dumps(CITY))
    city["features"][3]["district"] = ["天河区"]
    _write(tmp_path / "src", "gz_sti", city)
    text = "\n".join(map(str, build_layers(tmp_path / "src", tmp_path / "out").problems))
    assert "hull: district 天河区 differs from the districts its derived geometry lies in" in text


def test_network_is_a_trunk_with_branches(tmp_path: Path) -> None:
    city = json.loads(json.dumps(CITY))
    city["features"][2]["geometry"] = {
        "derived": {"method": "network", "trunk": ["zhishicheng", "bio-island"], "branches": [["bio-island", "hull"]]}
    }
    city["features"][3]["geometry"] = {"point": [113.30, 23.12]}
    city["features"][3].update(location_source="best knowledge", location_precision_m=500, district=["天河区"])
    _write(tmp_path / "src", "gz_sti", city)
    result = build_layers(tmp_path / "src", tmp_path / "out")
    assert not result.problems, result.report_lines()
    axis = shape(_features(tmp_path / "out")["axis"]["geometry"])
    assert axis.geom_type == "MultiLineString"
    trunk, branch = axis.geoms
    assert tuple(trunk.coords[0]) == pytest.approx((113.49, 23.37))
    assert tuple(branch.coords[0]) == pytest.approx(tuple(trunk.coords[-1]))
    assert tuple(branch.coords[-1]) == pytest.approx((113.30, 23.12))


def test_each_plan_keeps_its_own_role_and_group(tmp_path: Path) -> None:
    """One feature, one geometry; the city plan's role leads, the district plan keeps its own."""
    _write(tmp_path / "src", "gz_sti", CITY)
    baiyun = {
        "plan": "baiyun_sti",
        "features": [
            {"id": "bio-island", "role": "pole", "group": "多极", "excerpts": ["生物岛"]},
            {"id": "zhishicheng", "mentions": ["与中新知识城、南沙科学城"]},
        ],
    }
    _write(tmp_path / "src", "baiyun_sti", baiyun)
    result = build_layers(tmp_path / "src", tmp_path / "out")
    assert not result.problems, result.report_lines()
    feats = _features(tmp_path / "out")
    island = feats["bio-island"]["properties"]
    assert island["plan_roles"] == {
        "gz_sti": {"role": "zone", "group": None},
        "baiyun_sti": {"role": "pole", "group": "多极"},
    }
    assert (island["role"], island["group"]) == ("zone", None)  # "all plans": manifest order
    knowledge = feats["zhishicheng"]["properties"]
    assert knowledge["plans"] == ["gz_sti"]  # a passing mention does not place it
    assert [m["plan"] for m in knowledge["mentions"]] == ["baiyun_sti"]
    assert knowledge["mentions"][0]["seed"] == "002_b58c63558eaf1907.txt"


def test_role_for_a_plan_without_an_excerpt_is_a_problem(tmp_path: Path) -> None:
    _write(tmp_path / "src", "gz_sti", CITY)
    baiyun = {
        "plan": "baiyun_sti",
        "features": [{"id": "bio-island", "role": "pole", "mentions": ["生物岛"]}],
    }
    _write(tmp_path / "src", "baiyun_sti", baiyun)
    text = "\n".join(map(str, build_layers(tmp_path / "src", tmp_path / "out").problems))
    assert "role/group given for plan 'baiyun_sti', which has no excerpt" in text


def test_build_is_reproducible_and_check_mode_spots_stale_files(tmp_path: Path) -> None:
    _write(tmp_path / "src", "gz_sti", CITY)
    build_layers(tmp_path / "src", tmp_path / "out")
    first = (tmp_path / "out" / "gz_sti.geojson").read_bytes()
    again = build_layers(tmp_path / "src", tmp_path / "out")
    assert not again.written and (tmp_path / "out" / "gz_sti.geojson").read_bytes() == first
    changed = json.loads(json.dumps(CITY))
    changed["features"][0]["location_precision_m"] = 1500
    _write(tmp_path / "src", "gz_sti", changed)
    check = build_layers(tmp_path / "src", tmp_path / "out", check_only=True)
    assert [p.name for p in check.stale] == ["gz_sti.geojson"]
    assert (tmp_path / "out" / "gz_sti.geojson").read_bytes() == first  # check writes nothing


def test_build_reports_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(CITY))
    bad["features"][0]["excerpts"] = [
        "中新广州知识城建设具有全国影响力的国家知识中心。"
    ]  # altered quote
    bad["features"][1]["industries"] = ["不存在的产业"]
    bad["features"][1]["colour"] = "red"
    bad["features"][2]["geometry"] = {"derived": {"method": "line", "members": ["nowhere"]}}
    _write(tmp_path / "src", "gz_sti", bad)
    conflicting = {
        "plan": "baiyun_sti",
        "features": [{"id": "bio-island", "location_precision_m": 900, "excerpts": ["生物岛"]}],
    }
    _write(tmp_path / "src", "baiyun_sti", conflicting)
    result = build_layers(tmp_path / "src", tmp_path / "out")
    text = "\n".join(map(str, result.problems))
    assert "zhishicheng: quote not found" in text
    assert "不存在的产业" in text
    assert "unknown key(s): colour" in text
    assert "unknown member(s): nowhere" in text
    assert "location_precision_m 900 conflicts with 500" in text
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.geojson"))


def test_the_register_is_written_in_the_same_set_as_the_layers(tmp_path: Path) -> None:
    """A built file given with the layers (the place register) is written with them or not at
    all: when it cannot be written, no layer changes either."""
    _write(tmp_path / "src", "gz_sti", CITY)
    out = tmp_path / "out"
    out.mkdir()
    register = out / "register.json"
    together = build_layers(tmp_path / "src", out, also={register: '{"places": []}\n'})
    assert register.read_text() == '{"places": []}\n'
    assert {p.name for p in together.written} == {"gz_sti.geojson", "register.json"}
    check = build_layers(tmp_path / "src", out, check_only=True, also={register: "{}\n"})
    assert [p.name for p in check.stale] == ["register.json"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    changed = json.loads(json.dumps(CITY))
    changed["features"][0]["location_precision_m"] = 1500
    _write(tmp_path / "src", "gz_sti", changed)
    blocked = out / "gz_sti.geojson" / "register.json"  # its folder is a file: cannot be written
    with pytest.raises(OSError):
        build_layers(tmp_path / "src", out, also={blocked: "{}\n"})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
