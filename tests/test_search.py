"""Ranked search: the place a planner means comes first, and each hit says why it matched."""

from __future__ import annotations

import geopandas as gpd
import pytest
from _appdata import build_fixture_layers

from spatial.plans.layers import load_layers
from spatial.query.features import Selection, select
from spatial.query.search import rank_hits, suggest


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("search_layers")))


def test_alias_beats_plan_text(gdf: gpd.GeoDataFrame) -> None:
    hits = rank_hits(gdf, "知识城")
    assert hits[0].id == "zhishicheng" and hits[0].reason == "别称：知识城"
    rest = hits[1:]
    assert rest and all(h.rank == 4 for h in rest)
    assert all("知识城" in h.reason and h.reason.startswith("规划原文：“") for h in rest)


def test_name_part_beats_plan_text(gdf: gpd.GeoDataFrame) -> None:
    ids = [h.id for h in rank_hits(gdf, "科学城")]
    assert ids[:2] == ["kexuecheng", "nansha-kexuecheng"]  # an alias, then a name containing it


def test_exact_name_comes_first(gdf: gpd.GeoDataFrame) -> None:
    name = gdf.at["shengwudao", "name"]
    hits = rank_hits(gdf, name)
    assert hits[0].id == "shengwudao" and hits[0].reason == "名称"


def test_ranking_finds_exactly_what_the_filter_keeps(gdf: gpd.GeoDataFrame) -> None:
    for query in ("知识城", "生物医药", "科学城", "没有这个地方"):
        kept = set(select(gdf, Selection(query=query)).index)
        assert {h.id for h in rank_hits(gdf, query)} == kept


def test_english_names_are_searched_and_say_so(gdf: gpd.GeoDataFrame) -> None:
    name_en = gdf.at["zhishicheng", "name_en"]
    hits = rank_hits(gdf, name_en.split()[-2].lower() + " city")  # "knowledge city"
    assert hits[0].id == "zhishicheng" and hits[0].reason == f"英文名：{name_en}"
    assert rank_hits(gdf, name_en)[0].reason == f"英文名：{name_en}"


def test_a_mistyped_name_suggests_the_name_meant(gdf: gpd.GeoDataFrame) -> None:
    assert rank_hits(gdf, "知识诚") == []  # a homophone from a pinyin input method
    first = suggest(gdf, "知识诚")[0]
    assert (first.id, first.name) == ("zhishicheng", "知识城")
    assert rank_hits(gdf, first.name)[0].id == "zhishicheng"  # the suggestion finds it
    # one character too many inside a longer name
    assert suggest(gdf, "广州科学城城")[0].id == "kexuecheng"
    # an English name with a letter missing
    assert suggest(gdf, "Knowlege City")[0].id == "zhishicheng"


def test_pinyin_typed_as_letters_suggests_the_place() -> None:
    gdf = load_layers()
    first = suggest(gdf, "zhishicheng")[0]
    assert first.name == "知识城" and first.how == "拼音相近"
    assert suggest(gdf, "琶州")[0].name.startswith("琶洲")  # a homophone, two characters


def test_nothing_near_suggests_nothing(gdf: gpd.GeoDataFrame) -> None:
    assert suggest(gdf, "没有这个地方") == []
    assert suggest(gdf, "城") == []  # one character is too little to guess from
    assert suggest(gdf, "qwxz") == []
