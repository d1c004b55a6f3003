"""Selecting features (spatial.query.features) on the small test layers, every expectation
written out by hand from ``tests/data/app_src`` (seventeen features: the 科技创新轴 with its
three segments and five nodes, two more city places, two 表5-1 clusters and their four parks)
and the industry taxonomy (data/industries.yaml)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from _appdata import AXIS_WALK, HUANGPU_WALK, build_fixture_layers

from spatial.plans.layers import load_layers
from spatial.query.features import (
    Selection,
    axis_member_ids,
    axis_nodes,
    axis_segments,
    industry_counts,
    industry_match_tags,
    is_whole_axis,
    linked_mask,
    plan_industry_table,
    plan_view,
    resolve_segment,
    search_mask,
    select,
    step,
)

AXIS = ["sti-axis", "axis-huangpu", "axis-haizhu", "axis-nansha"]
CITY = [*AXIS, *AXIS_WALK, "hkust-gz", "tricky-name"]
AUTO = ["cluster-auto", "huadu-hitech-zone", "huadu-equipment-park"]
ELECTRONICS = ["cluster-electronics", "cetc-park", "guoguang-2025"]
HUADU = ["cluster-auto", "cluster-electronics", "huadu-hitech-zone", "huadu-equipment-park",
         "cetc-park", "guoguang-2025"]


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("selection_layers")))


def ids(sel: Selection, gdf: gpd.GeoDataFrame) -> list[str]:
    return list(select(gdf, sel).index)


def test_no_choice_keeps_every_feature_in_layer_order(gdf) -> None:
    assert ids(Selection(), gdf) == list(gdf.index) and len(gdf) == 17


def test_plans(gdf) -> None:
    assert ids(Selection(plans=("huadu_mfg",)), gdf) == HUADU
    assert ids(Selection(plans=("gz_sti",)), gdf) == CITY
    assert ids(Selection(plans=("gz_sti", "huadu_mfg")), gdf) == list(gdf.index)
    assert ids(Selection(plans=("tianhe_sti",)), gdf) == []


def test_industries_fold_synonyms_and_expand_groups(gdf) -> None:
    assert ids(Selection(industries=("生物医药",)), gdf) == ["axis-huangpu", "shengwudao"]
    # 汽车产业 is the group of 汽车制造 and 新能源汽车: the cluster and its two parks
    assert ids(Selection(industries=("汽车产业",)), gdf) == AUTO
    assert ids(Selection(industries=("汽车",)), gdf) == AUTO  # a synonym of the group
    assert ids(Selection(industries=("智能装备",)), gdf) == ["huadu-equipment-park"]
    # either of two industries
    assert ids(Selection(industries=("教育科研", "软件和信息服务")), gdf) == [
        "hkust-gz", "tricky-name"
    ]
    assert industry_match_tags(["汽车制造"]) == {"汽车制造"}
    assert {"汽车制造", "新能源汽车", "智能网联汽车"} <= industry_match_tags(["汽车产业"])


def test_roles(gdf) -> None:
    assert ids(Selection(roles=("core",)), gdf) == ["zhishicheng", "kexuecheng"]
    assert ids(Selection(roles=("park", "zone")), gdf) == [
        "pazhou", "tricky-name", "huadu-hitech-zone", "huadu-equipment-park", "cetc-park",
        "guoguang-2025",
    ]


def test_clusters_are_the_cluster_and_its_members(gdf) -> None:
    assert ids(Selection(clusters=("cluster-auto",)), gdf) == AUTO
    assert ids(Selection(clusters=("cluster-auto", "cluster-electronics")), gdf) == HUADU
    assert ids(Selection(clusters=("no-such-cluster",)), gdf) == []


def test_segments_by_id_or_name_and_the_whole_axis(gdf) -> None:
    huangpu = ["axis-huangpu", *HUANGPU_WALK]
    assert ids(Selection(segment="axis-huangpu"), gdf) == huangpu
    assert ids(Selection(segment="黄埔段"), gdf) == huangpu
    # 海珠段: its members and the nodes placed on it (生物岛 is on two segments)
    assert ids(Selection(segment="海珠段"), gdf) == ["axis-haizhu", "shengwudao", "pazhou"]
    assert ids(Selection(segment="南沙段"), gdf) == ["axis-nansha", "nansha-kexuecheng", "hkust-gz"]
    on_axis = [*AXIS, *AXIS_WALK, "hkust-gz"]
    for whole in ("sti-axis", "全轴", "科技创新轴"):
        assert ids(Selection(segment=whole), gdf) == on_axis, whole
    assert ids(Selection(segment="越秀段"), gdf) == []
    assert resolve_segment(gdf, "海珠") == "axis-haizhu"
    assert resolve_segment(gdf, "全轴") == "sti-axis" and resolve_segment(gdf, "x") is None
    assert is_whole_axis(gdf, "sti-axis") and not is_whole_axis(gdf, "axis-huangpu")
    assert not is_whole_axis(gdf, None) and not is_whole_axis(gdf, "")
    assert axis_member_ids(gdf) == set(on_axis)


def test_text_finds_names_aliases_excerpts_and_industry_words(gdf) -> None:
    # the pole's name, and the axis sentence quoted by the axis and both poles
    assert ids(Selection(query="南沙科学城"), gdf) == ["sti-axis", "zhishicheng", "nansha-kexuecheng"]
    assert ids(Selection(query="琶洲"), gdf) == ["pazhou"]  # an alias
    assert ids(Selection(query="  琶洲 "), gdf) == ["pazhou"]  # trimmed
    # the university's name, and the 南沙段's words that name it
    assert ids(Selection(query="香港科技大学"), gdf) == ["axis-nansha", "hkust-gz"]
    # an industry word matches the places tagged with it, whatever their words say
    assert set(ids(Selection(query="AI"), gdf)) >= {"kexuecheng", "pazhou"}
    assert ids(Selection(query="没有这个地方"), gdf) == []


def test_choices_combine(gdf) -> None:
    sel = Selection(plans=("gz_sti",), industries=("人工智能",), segment="黄埔段")
    assert ids(sel, gdf) == ["axis-huangpu", "kexuecheng"]
    assert ids(Selection(clusters=("cluster-auto",), roles=("park",)), gdf) == [
        "huadu-equipment-park"
    ]


def test_url_parameters_round_trip_and_are_cleaned(gdf) -> None:
    sel = Selection(plans=("gz_sti",), industries=("生物医药", "人工智能"), roles=("core",),
                    clusters=("cluster-auto",), segment="黄埔段", query="岛", linked=True)
    params = sel.to_params()
    assert params == {
        "plans": ["gz_sti"], "industries": ["生物医药", "人工智能"], "roles": ["core"],
        "clusters": ["cluster-auto"], "segment": ["黄埔段"], "q": ["岛"], "linked": ["1"],
    }
    assert Selection.from_params(params) == sel
    assert Selection().to_params() == {}
    messy = {"plans": " gz_sti , huadu_mfg,gz_sti", "roles": ["core", " park "],
             "linked": "yes", "other": "x"}
    assert Selection.from_params(messy) == Selection(
        plans=("gz_sti", "huadu_mfg"), roles=("core", "park"), linked=True
    )
    assert not Selection.from_params({"linked": "0"}).linked
    assert Selection.from_params({"q": ["a", "b"], "segment": ["x", "y"]}) == Selection(
        segment="x", query="a"
    )
    assert sel.with_(query="").query == "" and sel.with_(query="").plans == ("gz_sti",)


def test_axis_walk_pole_to_pole_and_by_segment(gdf) -> None:
    assert list(axis_nodes(gdf).index) == AXIS_WALK
    assert list(axis_nodes(gdf, "全轴").index) == AXIS_WALK
    assert list(axis_nodes(gdf, "黄埔段").index) == HUANGPU_WALK
    # a segment's walk: its axis nodes, then its other members in the segment's order
    assert list(axis_nodes(gdf, "axis-nansha").index) == ["nansha-kexuecheng", "hkust-gz"]
    assert axis_nodes(gdf, "越秀段").empty
    assert list(axis_segments(gdf).index) == ["axis-huangpu", "axis-haizhu", "axis-nansha"]


def test_step_moves_along_a_walk_and_stops_at_its_ends() -> None:
    walk = ["a", "b", "c"]
    assert step(walk, "a", 1) == "b" and step(walk, "b", -1) == "a"
    assert step(walk, "c", 1) == "c" and step(walk, "a", -1) == "a"
    assert step(walk, "a", 5) == "c"
    assert step(walk, None, 1) == "a" and step(walk, "zz", -1) == "c"
    assert step([], "a", 1) is None


def test_industry_counts_count_groups_once_per_feature(gdf) -> None:
    counts = industry_counts(gdf)
    assert counts["汽车制造"] == 3  # the auto cluster and its two parks
    assert counts["新能源汽车"] == 1
    assert counts["汽车产业"] == 3  # the cluster carries two car industries: counted once
    assert counts["生物医药"] == 2 and counts["智能电子"] == 3
    # 新一代信息技术: 黄埔段, 知识城 and 科学城 (人工智能), 琶洲, 天河智慧城, the electronics three
    assert counts["新一代信息技术"] == 8
    values = list(counts)
    assert values == sorted(values, reverse=True) and min(values) > 0  # largest first


def test_plan_industry_table_counts_each_plans_own_roles(gdf) -> None:
    table = plan_industry_table(gdf)
    cell = table.set_index(["plan", "industry"])["count"]
    assert cell[("huadu_mfg", "智能电子")] == 3 and cell[("gz_sti", "人工智能")] == 3
    parks = plan_industry_table(gdf, roles=("park",)).set_index(["plan", "industry"])["count"]
    assert parks[("huadu_mfg", "智能电子")] == 2 and ("gz_sti", "人工智能") not in parks.index


def test_a_plans_own_roles_and_the_places_it_only_links_to(gdf) -> None:
    frame = gdf.copy()
    # 科学城: a core in the city plan, a pole in a district plan that places it too
    frame.at["kexuecheng", "plans"] = ["gz_sti", "tianhe_sti"]
    frame.at["kexuecheng", "plan_roles"] = {
        "gz_sti": {"role": "core", "group": None}, "tianhe_sti": {"role": "pole", "group": "多极"}
    }
    frame.at["pazhou", "mentions"] = [{"plan": "tianhe_sti", "text": "琶洲"}]  # in passing
    frame.at["kexuecheng", "links"] = ["hkust-gz"]
    viewed = plan_view(frame, ["tianhe_sti"])
    assert viewed.at["kexuecheng", "role"] == "pole" and viewed.at["kexuecheng", "group"] == "多极"
    assert viewed.at["zhishicheng", "role"] == "core"  # placed by no chosen plan: unchanged
    assert plan_view(frame, []) is frame
    assert list(frame.index[linked_mask(frame, ["tianhe_sti"])]) == ["pazhou", "hkust-gz"]
    assert ids(Selection(plans=("tianhe_sti",)), frame) == ["kexuecheng"]
    assert ids(Selection(plans=("tianhe_sti",), linked=True), frame) == [
        "kexuecheng", "pazhou", "hkust-gz"
    ]
    poles = select(frame, Selection(plans=("tianhe_sti",), roles=("pole",)))
    assert list(poles.index) == ["kexuecheng"]  # the role filter follows the plan's own roles


def test_text_search_ignores_case_and_reads_english_names_and_blank_queries(gdf) -> None:
    frame = gdf.copy()
    frame["name_en"] = None
    frame.at["kexuecheng", "name_en"] = "Guangzhou Science City"
    assert list(frame.index[search_mask(frame, "science CITY")]) == ["kexuecheng"]
    assert search_mask(frame, "   ").tolist() == [True] * len(frame)  # no query: everything
    assert search_mask(frame, "").dtype == bool


def test_a_walk_starts_at_its_first_node_when_the_current_one_is_not_on_it() -> None:
    assert step(["a", "b", "c"], "zz", 0) == "a"


def test_plan_roles_decide_the_counts_and_a_mention_by_another_plan_is_no_link(gdf) -> None:
    frame = gdf.copy()
    frame.at["kexuecheng", "plans"] = ["gz_sti", "tianhe_sti"]
    frame.at["kexuecheng", "plan_roles"] = {
        "gz_sti": {"role": "core", "group": None}, "tianhe_sti": {"role": "pole", "group": "多极"}
    }
    frame.at["pazhou", "plan_roles"] = None  # no per-plan roles: its own role counts
    poles = plan_industry_table(frame, roles=("pole",)).set_index(["plan", "industry"])["count"]
    assert poles.to_dict() == {("tianhe_sti", "人工智能"): 1}  # 科学城 is a pole of that plan only
    zones = plan_industry_table(frame, roles=("zone",)).set_index(["plan", "industry"])["count"]
    assert zones[("gz_sti", "人工智能")] == 1 and zones[("gz_sti", "数字经济")] == 1  # 琶洲
    frame.at["tricky-name", "mentions"] = [{"plan": "huadu_sti", "text": "天河"}, "not a mention"]
    assert not linked_mask(frame, ["tianhe_sti"]).any()
