"""The city plan's “一轴四核多点” (广州市科技创新“十四五”规划, chapter 三) as built layers.

Names and their order are read from the plan text itself (the 一轴 paragraph, the 专栏 headings),
so a node dropped, renamed or put out of order in ``layers/src/gz_sti.yaml`` fails here rather
than leaving a silent gap on the map.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely

from spatial.plans.derive import representative_point
from spatial.plans.schema import METRIC_CRS
from spatial.plans.texts import Heading, load_plan

PLAN = "gz_sti"
LAYOUT_CHAPTER = "三、优化提升空间布局，擘画科技创新蓝图"
SEGMENT_IDS = {
    "黄埔": "axis-huangpu",
    "白云": "axis-baiyun",
    "天河": "axis-tianhe",
    "海珠": "axis-haizhu",
    "番禺": "axis-panyu",
    "南沙": "axis-nansha",
}
MULTI_POINT_BOXES = {
    "专栏 中部多点重点建设内容": "中部多点",
    "专栏 东部北部多点重点建设内容": "东部北部多点",
    "专栏 南部多点重点建设内容": "南部多点",
}


@pytest.fixture(scope="module")
def axis_nodes(layers: gpd.GeoDataFrame) -> list[str]:
    """Ids of the features with an ``axis_order``, in that order."""
    nodes = layers[layers["axis_order"].notna()]
    return list(nodes.sort_values("axis_order").index)


def _metric(geom):
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]


def _plan_match(pattern: str) -> re.Match[str]:
    match = re.search(pattern, load_plan(PLAN).clean)
    assert match, f"pattern {pattern!r} not in the plan text"
    return match


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split("、") if n.strip()]


def _items_in_box(box_title: str) -> list[Heading]:
    plan = load_plan(PLAN)
    boxes = [h for h in plan.headings if h.kind == "box" and h.title == box_title]
    assert len(boxes) == 1, f"box {box_title!r} not found once in the plan"
    box = boxes[0]
    return [h for h in plan.headings if h.kind == "item" and box.start <= h.start < box.end]


def _gz_sections(row) -> list[str]:
    return [e["section"] for e in row["excerpts"] if e["plan"] == PLAN]


# -- 一轴 -------------------------------------------------------------------------------------
def test_axis_runs_pole_to_pole_through_every_linked_node(layers, by_name, axis_nodes):
    match = _plan_match(
        r"一轴：即科技创新轴。以(.+?)和(.+?)为极点，链接(.+?)等全市域科技创新关键节点"
    )
    first_pole, last_pole = by_name[match.group(1)], by_name[match.group(2)]
    assert first_pole == "zhishicheng" and last_pole == "nansha-science-city"
    linked = [by_name[n] for n in _names(match.group(3))]

    orders = [int(layers.loc[n, "axis_order"]) for n in axis_nodes]
    assert orders == list(range(1, len(axis_nodes) + 1)), "axis_order must run 1..n without gaps"
    assert axis_nodes[0] == first_pole and axis_nodes[-1] == last_pole
    assert set(axis_nodes) == {first_pole, last_pole, *linked}

    axis = layers.loc["sti-axis"]
    assert axis["role"] == "axis"
    assert axis["members"] == axis_nodes
    # drawn as the plan's network: a trunk pole to pole, 白云湖 (off the spine) as a branch
    trunk, branch = axis.geometry.geoms
    trunk_nodes = [n for n in axis_nodes if n != "baiyunhu-digital-city"]
    assert len(trunk.coords) == len(trunk_nodes)
    for coord, node in zip(trunk.coords, trunk_nodes, strict=True):
        at = _metric(representative_point(layers.loc[node].geometry))
        assert _metric(shapely.Point(coord)).distance(at) < 1.0, f"axis vertex off {node}"
    end = _metric(shapely.Point(branch.coords[-1]))
    assert end.distance(_metric(representative_point(layers.loc["baiyunhu-digital-city"].geometry))) < 1.0


def test_axis_order_rule_is_stated_on_the_axis(layers):
    attrs = layers.loc["sti-axis", "attributes"]
    assert "白云湖" in attrs["order_rule"] and "白云湖" in attrs["baiyunhu_note"]


def test_segments_follow_the_plan_order_along_the_axis(layers, axis_nodes):
    headings = re.findall(r"科技创新轴（(\S+?)段）", load_plan(PLAN).clean)
    assert headings == list(SEGMENT_IDS), "the plan's segment list changed"
    first_node_order = []
    for position, (district, seg_id) in enumerate(SEGMENT_IDS.items(), start=1):
        seg = layers.loc[seg_id]
        assert seg["role"] == "axis_segment"
        assert seg["attributes"]["segment_order"] == position
        assert any(s.endswith(f"科技创新轴（{district}段）") for s in _gz_sections(seg))
        orders = [
            int(layers.loc[n, "axis_order"])
            for n in axis_nodes
            if seg_id in layers.loc[n, "axis_segment"]
        ]
        assert orders, f"no axis node on {seg_id}"
        first_node_order.append(min(orders))
    assert first_node_order == sorted(first_node_order), (
        "walking the axis from 知识城 must meet the segments in the plan's order"
    )


@pytest.mark.parametrize("seg_id", list(SEGMENT_IDS.values()))
def test_segment_members_exist_and_lie_in_the_segment(layers, seg_id):
    seg = layers.loc[seg_id]
    assert seg["members"], f"{seg_id} has no members"
    area = _metric(seg.geometry)
    for member in seg["members"]:
        assert member in layers.index, f"{seg_id}: member {member} missing"
        assert seg_id in layers.loc[member, "axis_segment"], f"{member} does not name {seg_id}"
        point = _metric(representative_point(layers.loc[member].geometry))
        assert area.buffer(1.0).contains(point), f"{member} outside the {seg_id} area"


def test_each_segment_names_its_places_in_its_paragraph(layers):
    """Every member of a segment is quoted by name (or alias) in the segment's own paragraph."""
    for seg_id in SEGMENT_IDS.values():
        seg = layers.loc[seg_id]
        paragraph = " ".join(e["text"] for e in seg["excerpts"] if e["plan"] == PLAN)
        for member in seg["members"]:
            row = layers.loc[member]
            names = [row["name"], *row["aliases"]]
            parent = row["parent"]
            # a campus stands for its university, which the paragraph names
            if isinstance(parent, str):
                names.append(layers.loc[parent, "name"])
            assert any(n in paragraph for n in names), f"{seg_id}: {member} not in its paragraph"


# -- 四核 -------------------------------------------------------------------------------------
def test_four_cores_are_core_features_with_their_column_text(layers, by_name):
    cores = _names(_plan_match(r"四核：即(.+?)。").group(1))
    assert len(cores) == 4
    for name in cores:
        row = layers.loc[by_name[name]]
        assert row["role"] == "core" and row["group"] == "四核", name
        assert any(s.endswith(f"专栏 “一区三城”创新核建设内容 › {name}") for s in _gz_sections(row))


def test_core_sub_areas_have_their_parent(layers, by_name):
    for name in ("琶洲片区", "广州国际金融城片区", "鱼珠片区", "大学城片区"):
        assert layers.loc[by_name[name], "parent"] == "ai-digital-zone", name
    assert layers.loc[by_name["明珠科学园"], "parent"] == "nansha-science-city"


# -- 多点 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("box_title", list(MULTI_POINT_BOXES))
def test_every_named_multi_point_is_one_feature_with_its_group(layers, by_name, box_title):
    group = MULTI_POINT_BOXES[box_title]
    items = _items_in_box(box_title)
    assert items, f"no items in {box_title}"
    for item in items:
        assert item.title in by_name, f"{item.title} is not a feature"
        row = layers.loc[by_name[item.title]]
        assert row["group"] == group, f"{item.title}: group {row['group']!r}"
        assert any(s.endswith(f"{box_title} › {item.title}") for s in _gz_sections(row)), (
            f"{item.title}: no excerpt from its own paragraph"
        )


def test_a_multi_point_that_is_an_axis_node_is_one_feature(layers, by_name):
    for multi_point, axis_name in (
        ("南沙庆盛科技创新产业基地", "南沙庆盛片区"),
        ("明珠科学园", "南沙明珠科学园"),
        ("天河智慧城", "天河智慧城"),
        ("白云湖数字科技城", "白云湖数字科技城"),
    ):
        fid = by_name[multi_point]
        assert fid == by_name[axis_name]
        sections = _gz_sections(layers.loc[fid])
        assert any("专栏“一轴”" in s or "（一）强化“一轴”" in s for s in sections), fid
        assert any("多点重点建设内容" in s for s in sections), fid


# -- places and districts ---------------------------------------------------------------------
def test_bio_island_lists_both_districts_and_holds_its_facilities(layers):
    island = layers.loc["gz-bio-island"]
    assert set(island["district"]) == {"黄埔区", "海珠区"}
    assert island.geometry.geom_type in ("Polygon", "MultiPolygon")
    children = layers[layers["parent"] == "gz-bio-island"]
    assert {"生物岛实验室", "人类细胞谱系大科学研究设施"} <= set(children["name"])
    for fid, child in children.iterrows():
        assert island.geometry.contains(child.geometry), f"{fid} is not on the island"


def test_university_town_is_the_island_polygon_in_panyu(layers):
    town = layers.loc["gz-university-town"]
    assert town["district"] == ["番禺区"]
    assert town.geometry.geom_type == "Polygon"
    area_km2 = _metric(town.geometry).area / 1e6
    assert 12 < area_km2 < 24, f"小谷围岛 is about 18 km², drawn {area_km2:.1f} km²"


def test_labs_facilities_and_universities_are_in_the_facilities_layer(layers, by_name):
    for name in (
        "广州实验室",
        "生物岛实验室",
        "南方海洋科学与工程广东省实验室（广州）",
        "人工智能与数字经济广东省实验室（广州）",
        "冷泉生态系统研究装置",
        "人类细胞谱系大科学研究设施",
        "香港科技大学（广州）",
        "中国科学院大学广州学院",
    ):
        assert name in by_name, f"{name} missing"
        row = layers.loc[by_name[name]]
        assert row["layer"] == "gz_sti_facilities", name
    city = layers[layers["plans"].apply(lambda p: PLAN in p)]
    for fid, row in city.iterrows():
        if row["role"] in ("lab", "facility", "university"):
            assert row["layer"] in ("gz_sti_facilities", "tianhe_sti"), fid


def test_every_city_feature_quotes_the_city_plan_and_states_its_precision(layers):
    city = layers[layers["layer"].isin(["gz_sti", "gz_sti_facilities"])]
    assert len(city) > 60
    for fid, row in city.iterrows():
        assert PLAN in row["plans"], fid
        assert row["location_precision_m"] > 0, fid
        assert row["location_source"], fid
    layout = city[city["layer"] == "gz_sti"]
    for fid, row in layout.iterrows():
        assert any(s.startswith(LAYOUT_CHAPTER) for s in _gz_sections(row)), (
            f"{fid}: no excerpt from the layout chapter"
        )


def test_places_outside_guangzhou_the_plans_name_are_drawn_as_context_beyond_the_city(layers):
    """东莞松山湖, 坂雪岗, 穗莞深城际, the 广深港澳 corridor …: drawn with the 区外 role, never in a
    district of Guangzhou, each with the plans' words that name it."""
    from spatial.geo.base import districts_containing
    from spatial.symbology import drawn_features

    outside = layers[layers["role"] == "outside"]
    named = {
        "gba-sti-corridor",  # 广深港澳科技创新走廊, named by all five plans
        "suiguanshen-intercity",  # 穗莞深城际 (花都)
        "sz-hk-sti-zone",  # 深港科技创新（特别）合作区
        "dg-songshanhu-science-city",  # 东莞松山湖
        "fs-nanhai-electronics-park",  # 佛山南海
        "huadu-qingxin-transfer-park",  # 广州花都（清新）产业转移工业园, in 清远 清新
        "sz-bantian-science-city",  # 坂雪岗科技城
    }
    assert named <= set(outside.index)
    assert set(layers.loc[~layers["in_guangzhou"].astype(bool)].index) == set(outside.index)
    for fid, row in outside.iterrows():
        assert list(row["district"]) == [], fid
        assert row["excerpts"], fid
        if row.geometry.geom_type == "Point":
            assert districts_containing(row.geometry, tolerance_m=0.0) == [], fid
    corridor = layers.at["gba-sti-corridor", "geometry"]
    assert corridor.bounds[1] < 22.3  # it reaches Hong Kong and Macao
    assert set(layers.at["gba-sti-corridor", "plans"]) == {
        "gz_sti",
        "huadu_sti",
        "huadu_mfg",
        "baiyun_sti",
        "tianhe_sti",
    }
    assert named <= set(drawn_features(layers).index)  # the maps draw them, as context
