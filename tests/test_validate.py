"""`gzmap validate`: every contract problem is reported, with file and feature id, all at once."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from _contract import GOOD

from spatial.cli import main
from spatial.plans.validate import parse_layer_bytes, validate_features


def _problems(*features: dict, districts: bool = False) -> list[str]:
    doc = {"type": "FeatureCollection", "features": list(features)}
    layer = parse_layer_bytes(json.dumps(doc, ensure_ascii=False).encode(), "layers/t.geojson")
    return [str(p) for p in validate_features([layer], check_districts=districts)]


def _with(**changes: object) -> dict:
    feat = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if key == "coordinates":
            feat["geometry"]["coordinates"] = value
        else:
            feat["properties"][key] = value
    return feat


def test_good_feature_has_no_problem() -> None:
    assert _problems(GOOD) == []


def test_every_plan_needs_its_role() -> None:
    two_plans = _with(plans=["gz_sti", "baiyun_sti"])
    problems = _problems(two_plans)
    assert any("plan_roles has no entry for plan 'baiyun_sti'" in p for p in problems)
    bad_role = _with(plan_roles={"gz_sti": {"role": "hub", "group": None}})
    assert any("plan_roles['gz_sti']: unknown role 'hub'" in p for p in _problems(bad_role))
    stray = _with(plan_roles={"gz_sti": {"role": "zone"}, "tianhe_sti": {"role": "pole"}})
    assert any("plan_roles names plan(s) not in plans" in p for p in _problems(stray))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"role": "tower"}, "unknown role 'tower'"),
        ({"industries": ["芯片"]}, "industry '芯片' is a synonym: use '集成电路'"),
        ({"industries": ["炼金术"]}, "unknown industry '炼金术'"),
        ({"district": ["黄浦区"]}, "unknown district '黄浦区'"),
        ({"plans": ["gz_sti", "shenzhen"]}, "unknown plan 'shenzhen'"),
        ({"id": "Bio Island"}, "is not a slug"),
        ({"location_precision_m": 0}, "location_precision_m must be positive"),
        ({"members": ["nowhere"]}, "members refers to unknown id 'nowhere'"),
        ({"aliases": "生物岛"}, "'aliases' must be list"),
        ({"coordinates": [23.0855, 113.3665]}, "latitude/longitude swapped"),
        ({"coordinates": [739000.0, 2555000.0]}, "projected metres"),
        ({"coordinates": [121.47, 31.23]}, "outside Guangzhou's extent"),
    ],
)
def test_each_contract_problem_is_named(changes: dict, expected: str) -> None:
    problems = _problems(_with(**changes))
    assert any(expected in p and p.startswith("layers/t.geojson: ") for p in problems), problems


def test_missing_property_and_plans_mismatch() -> None:
    feat = _with(plans=["gz_sti", "baiyun_sti"])
    del feat["properties"]["location_source"]
    problems = _problems(feat)
    assert any("missing property 'location_source'" in p for p in problems)
    assert any("differ from the plans of its excerpts" in p for p in problems)


def test_excerpt_must_be_verbatim_and_in_the_right_section() -> None:
    altered = _with()
    altered["properties"]["excerpts"][0]["text"] = (
        "广州国际生物岛依托国家实验室、市实验室等优势资源"
    )
    wrong_section = _with(id="other", name="其他", aliases=[])
    wrong_section["properties"]["excerpts"][0]["section"] = "一、立足科技创新发展新基点"
    problems = _problems(altered, wrong_section)
    assert any("gz-bio-island: excerpt 1: quote not found" in p for p in problems)
    assert any("other: excerpt 1: section" in p and "科技创新轴（黄埔段）" in p for p in problems)


def test_duplicate_ids_and_names_across_files() -> None:
    a = parse_layer_bytes(
        json.dumps({"type": "FeatureCollection", "features": [GOOD]}).encode(), "a.geojson"
    )
    twin = _with(name="另一个生物岛", aliases=[])
    copy_named = _with(id="island-copy", name="生物岛", aliases=[])
    b = parse_layer_bytes(
        json.dumps({"type": "FeatureCollection", "features": [twin, copy_named]}).encode(),
        "b.geojson",
    )
    problems = [str(p) for p in validate_features([a, b], check_districts=False)]
    assert any(
        p.startswith("b.geojson: gz-bio-island: duplicate id (also in a.geojson)") for p in problems
    )
    assert any("name or alias '生物岛' also used by gz-bio-island" in p for p in problems)


def test_self_intersecting_polygon_is_invalid() -> None:
    bow = _with()
    bow["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[113.30, 23.10], [113.35, 23.15], [113.35, 23.10], [113.30, 23.15], [113.30, 23.10]]
        ],
    }
    assert any("invalid geometry: Self-intersection" in p for p in _problems(bow))


def test_feature_outside_its_district() -> None:
    pytest.importorskip("spatial.geo.base")
    misplaced = _with(district=["花都区"])  # the island is in 海珠区's polygon, far from 花都
    problems = _problems(misplaced, districts=True)
    assert any("lies in 海珠区, not in 花都区" in p for p in problems), problems
    assert _problems(GOOD, districts=True) == []  # either listed district is enough


def test_all_problems_of_a_file_are_reported_not_only_the_first(tmp_path: Path, capsys) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            _with(role="tower"),
            _with(id="b", name="乙", aliases=[], district=["火星区"]),
        ],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    status = main(["validate", "--no-districts", str(path)])
    err = capsys.readouterr().err
    assert status == 1
    assert "gz-bio-island: unknown role 'tower'" in err
    assert "b: unknown district '火星区'" in err
    assert "b: excerpt 1 names neither '乙' nor an alias" in err  # it quotes 生物岛's sentence
    assert "3 problem(s) found" in err


def test_repository_layers_are_valid(capsys) -> None:
    """The curated layers pass the full contract, districts and excerpts included."""
    if not list(Path("layers").glob("*.geojson")):
        pytest.fail("no layers/*.geojson in the repository")
    status = main(["validate"])
    assert status == 0, capsys.readouterr().err


def test_built_layers_are_up_to_date_with_their_sources() -> None:
    from spatial.plans.build import build_layers

    result = build_layers(check_only=True)
    assert not result.problems, result.report_lines()
    assert not result.stale, "run `gzmap build-layers`: " + ", ".join(p.name for p in result.stale)


def test_outside_role_goes_with_in_guangzhou_false_and_the_wider_context_extent() -> None:
    """区外 context (东莞松山湖, 香港) lies beyond Guangzhou's extent; a city place may not."""
    hong_kong = [114.17, 22.30]
    context = _with(role="outside", in_guangzhou=False, district=[], coordinates=hong_kong)
    context["properties"]["plan_roles"] = {"gz_sti": {"role": "outside", "group": None}}
    assert _problems(context, districts=True) == []
    city_place = _with(coordinates=hong_kong)
    assert any("outside Guangzhou's extent" in p for p in _problems(city_place))
    not_context = _with(in_guangzhou=False, district=[])  # outside the city yet a zone
    assert any("in_guangzhou: false go together" in p for p in _problems(not_context))
    with_district = copy.deepcopy(context)
    with_district["properties"]["district"] = ["天河区"]
    assert any("names no district" in p for p in _problems(with_district))
    far = _with(role="outside", in_guangzhou=False, district=[], coordinates=[121.47, 31.23])
    assert any("outside the context drawn" in p for p in _problems(far))  # Shanghai: no


@pytest.mark.parametrize("value", ["生物\r岛", "生物\n=1+1", "生物\x00岛", "生物\u2028岛"])
def test_a_curated_name_is_one_line_without_control_characters(value: str) -> None:
    problems = _problems(_with(name=value, aliases=["生物岛"]))
    assert any("contains control characters or line breaks" in p for p in problems), problems
    problems = _problems(_with(aliases=["生物岛", value]))
    assert any("alias" in p and "control characters" in p for p in problems), problems
