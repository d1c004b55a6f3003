"""Baiyun's “一园一城双廊” and Tianhe's “一核两区多极” as built layers.

Names are parsed from the plans' own layout paragraphs where the text allows it, so a feature renamed
or dropped from a source fails here rather than silently leaving a gap on the map.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest

from spatial.plans.derive import representative_point
from spatial.plans.schema import METRIC_CRS
from spatial.plans.texts import load_plan

BAIYUN_LAYOUT_CHAPTER = "三、科技创新新格局"
TIANHE_LAYOUT_CHAPTER = "四、空间布局"


def _metric(geom):
    """A WGS84 geometry in EPSG:32649 (metres)."""
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]


def _plan_match(plan_id: str, pattern: str) -> re.Match[str]:
    """Search a plan's clean text; fail the test (not error) if the plan lost the passage."""
    match = re.search(pattern, load_plan(plan_id).clean)
    assert match, f"{plan_id}: pattern {pattern!r} not in the plan text"
    return match


def _split_names(text: str, separators: str = "、") -> list[str]:
    return [n.strip() for n in re.split(f"[{separators}]", text) if n.strip()]


def _excerpt_sections(row, plan_id: str) -> list[str]:
    return [e["section"] for e in row["excerpts"] if e["plan"] == plan_id]


# -- Baiyun: 一园一城双廊 -------------------------------------------------------------------------
def test_baiyun_layout_elements_are_features_quoting_the_layout_chapter(layers, by_name):
    sentence = _plan_match("baiyun_sti", r"形成以(.+?)的科技创新格局").group(1)
    names = re.findall(r"“([^”]+)”", sentence)
    assert names == [
        "广州民营科技园",
        "白云湖数字科技城",
        "数字经济创新走廊",
        "白云大道产业创新走廊",
    ]
    for name in names:
        assert name in by_name, f"{name} is not a feature"
        row = layers.loc[by_name[name]]
        sections = _excerpt_sections(row, "baiyun_sti")
        assert any(s.startswith(BAIYUN_LAYOUT_CHAPTER) for s in sections), (name, sections)


def _baiyun_corridor_nodes() -> dict[str, list[str]]:
    """The plan's own node list of each corridor, in the plan's order."""
    avenue = _plan_match("baiyun_sti", r"链接([^，。]+?)等科技创新关键节点").group(1)
    digital = _plan_match("baiyun_sti", r"推动([^，。]+?)成为西部数字经济创新走廊驱动引擎").group(1)
    return {
        "白云大道产业创新走廊": _split_names(avenue),
        "数字经济创新走廊": _split_names(digital, "、与"),
    }


def test_baiyun_corridor_nodes_as_the_plan_lists_them():
    nodes = _baiyun_corridor_nodes()
    assert nodes["白云大道产业创新走廊"] == [
        "白云新城",
        "广州设计之都",
        "民科园核心区",
        "美丽健康产业园",
    ]
    assert nodes["数字经济创新走廊"] == ["白云湖数字科技城", "广州西岸"]


@pytest.mark.parametrize("corridor", ["白云大道产业创新走廊", "数字经济创新走廊"])
def test_baiyun_corridor_line_passes_its_nodes_in_plan_order(layers, by_name, corridor):
    row = layers.loc[by_name[corridor]]
    assert row["role"] == "corridor"
    assert row.geometry.geom_type == "LineString"
    expected = [by_name[n] for n in _baiyun_corridor_nodes()[corridor]]
    assert row["members"] == expected

    line = _metric(row.geometry)
    along = []
    for fid in expected:
        point = _metric(representative_point(layers.loc[fid].geometry))
        assert line.distance(point) < 1.0, (
            f"{corridor} misses {fid} by {line.distance(point):.0f} m"
        )
        along.append(line.project(point))
    assert along == sorted(along) and len(set(along)) == len(along), (corridor, along)


def test_baiyun_private_park_holds_its_core_and_three_parks(layers, by_name):
    parks = _plan_match("baiyun_sti", r"打造([^，。]+?)三个制造业基地").group(1)
    park = layers.loc["gz-private-sci-park"]
    for name in ["民科园核心区", *_split_names(parks)]:
        fid = by_name[name]
        assert layers.loc[fid, "parent"] == "gz-private-sci-park", name
        assert fid in park["members"], name


def test_baiyun_features_lie_in_baiyun(layers):
    own = layers[layers["layer"] == "baiyun_sti"]
    assert len(own) >= 15
    assert all(d == ["白云区"] for d in own["district"])


# -- Tianhe: 一核两区多极 -------------------------------------------------------------------------
def _tianhe_layout_names() -> dict[str, list[str]]:
    heads = {
        "一核": r"（一）一核引领：([^。]+)。",
        "两区": r"（二）两区协同：([^。]+)。",
        "多极": r"（三）多极支撑：([^。]+)。",
    }
    return {k: _split_names(_plan_match("tianhe_sti", p).group(1)) for k, p in heads.items()}


def test_tianhe_layout_elements_are_features_quoting_the_layout_chapter(layers, by_name):
    names = _tianhe_layout_names()
    assert names["一核"] == ["环五山创新策源区"]
    assert len(names["两区"]) == 2 and len(names["多极"]) == 3
    for name in [n for group in names.values() for n in group]:
        assert name in by_name, f"{name} is not a feature (name or alias)"
        row = layers.loc[by_name[name]]
        sections = _excerpt_sections(row, "tianhe_sti")
        assert any(s.startswith(TIANHE_LAYOUT_CHAPTER) for s in sections), (name, sections)


def test_tianhe_shared_places_are_the_city_features(by_name):
    names = _tianhe_layout_names()
    assert by_name[names["一核"][0]] == "tianhe-wushan-core"
    assert [by_name[n] for n in names["两区"]] == ["tianhe-smart-city", "ifc-area"]
    assert [by_name[n] for n in names["多极"]][:2] == ["tianhe-cbd", "kyl-software-cluster"]


def test_tianhe_core_lists_the_universities_and_institutes_the_plan_names(layers, by_name):
    match = _plan_match("tianhe_sti", r"基础研究策源地。依托(.+?)等高校，以及(.+?)等科研单位")
    universities, institutes = _split_names(match.group(1)), _split_names(match.group(2))
    assert len(universities) == 4 and len(institutes) == 2
    core = layers.loc["tianhe-wushan-core"]
    assert core["role"] == "core"
    assert "shipai-wushan-longdong" in core["links"]
    for name, role in [(u, "university") for u in universities] + [
        (i, "facility") for i in institutes
    ]:
        assert name in by_name, f"{name} is not a feature"
        fid = by_name[name]
        assert layers.loc[fid, "role"] == role, name
        assert layers.loc[fid, "parent"] == "tianhe-wushan-core", name
        assert fid in core["members"], name
    # the core is drawn over the campuses it names
    for name in universities:
        campus = layers.loc[by_name[name]].geometry
        assert core.geometry.contains(campus), name


def test_tianhe_core_members_exist_and_point_back(layers):
    core = layers.loc["tianhe-wushan-core"]
    assert len(core["members"]) >= 10
    for fid in core["members"]:
        assert fid in layers.index, fid
        assert layers.loc[fid, "parent"] == "tianhe-wushan-core", fid


# -- partners and places outside the districts ------------------------------------------------
@pytest.mark.parametrize(
    ("plan_id", "fid"),
    [
        ("baiyun_sti", "zhishicheng"),
        ("baiyun_sti", "nansha-science-city"),
        ("tianhe_sti", "nansha-science-city"),
        ("tianhe_sti", "gz-science-city"),
    ],
)
def test_partners_are_city_features_the_district_plan_mentions_in_passing(layers, plan_id, fid):
    row = layers.loc[fid]
    assert row["layer"].startswith("gz_sti")
    assert plan_id not in row["plans"]  # the plan does not place it
    assert plan_id in {m["plan"] for m in row["mentions"]}


def test_places_outside_guangzhou_are_drawn_only_as_context(layers):
    ours = layers[layers["plans"].apply(lambda ps: bool({"baiyun_sti", "tianhe_sti"} & set(ps)))]
    outside = ("佛山", "南海", "深圳", "深港", "坂雪岗", "东莞", "松山湖", "以色列", "横琴", "前海")
    for fid, row in ours.iterrows():
        for name in [row["name"], *row["aliases"]]:
            if any(word in name for word in outside):  # drawn, but as 区外 context only
                assert row["role"] == "outside" and row["in_guangzhou"] is False, (fid, name)
