"""The overview chart: plan × industry counts that a click turns into filters."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from _appdata import build_fixture_layers

from spatial.plans.layers import load_layers
from spatial.query import overview
from spatial.query.features import Selection

NAMES = {"gz_sti": "广州市科技创新规划", "huadu_mfg": "花都区先进制造业规划"}


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("overview_layers")))


def cell(table, plan: str, industry: str) -> int:
    hit = table[(table["plan"] == plan) & (table["industry"] == industry)]
    return int(hit["count"].sum())


def test_counts_per_plan_and_industry(gdf: gpd.GeoDataFrame) -> None:
    table = overview.overview_table(gdf, Selection(), NAMES)
    assert cell(table, "huadu_mfg", "智能电子") == 3  # the cluster and its two parks
    assert cell(table, "gz_sti", "人工智能") == 3  # 科学城, 琶洲 and the 黄埔段
    assert cell(table, "gz_sti", "智能电子") == 0
    assert set(table["plan_name"]) == set(NAMES.values())


def test_counts_ignore_plan_and_industry_filters_but_mark_them(gdf: gpd.GeoDataFrame) -> None:
    sel = Selection(plans=("huadu_mfg",), industries=("汽车制造",))
    table = overview.overview_table(gdf, sel, NAMES)
    assert cell(table, "gz_sti", "人工智能") == 3  # still shown: a click may switch to it
    picked = table[table["picked"]]
    assert list(zip(picked["plan"], picked["industry"], strict=True)) == [("huadu_mfg", "汽车制造")]


def test_counts_follow_the_other_filters(gdf: gpd.GeoDataFrame) -> None:
    table = overview.overview_table(gdf, Selection(segment="axis-huangpu"), NAMES)
    assert set(table["plan"]) == {"gz_sti"}
    assert cell(table, "gz_sti", "人工智能") == 2  # 科学城 and the segment itself


def test_spec_has_the_click_selection_and_orders(gdf: gpd.GeoDataFrame) -> None:
    table = overview.overview_table(gdf, Selection(), NAMES)
    spec = overview.overview_spec(table, list(NAMES.values()), ["人工智能", "智能电子", "生物医药"])
    params = [p for p in spec.get("params", []) if p["name"] == overview.PICK]
    assert params and params[0]["select"]["fields"] == ["plan", "industry"]
    rect = spec["layer"][0]["encoding"]
    assert rect["y"]["sort"] == ["人工智能", "智能电子", "生物医药"]
    assert rect["x"]["sort"] == list(NAMES.values())
    assert overview.overview_spec(table.iloc[:0], [], []) is None


@pytest.mark.parametrize(
    "plans, industries",
    [((), ("人工智能",)), (("huadu_mfg",), ("汽车制造", "智能电子")), (("gz_sti",), ()), ((), ())],
)
def test_outlining_a_shared_spec_equals_building_it_for_the_filters(
    gdf: gpd.GeoDataFrame, plans: tuple, industries: tuple
) -> None:
    # The app builds the chart once without plan/industry filters and outlines the picked cells.
    order = list(NAMES.values()), ["人工智能", "智能电子", "生物医药", "汽车制造"]
    shared = overview.overview_spec(overview.overview_table(gdf, Selection(), NAMES), *order)
    before = repr(shared)
    sel = Selection(plans=plans, industries=industries)
    built = overview.overview_spec(overview.overview_table(gdf, sel, NAMES), *order)
    marked = overview.mark_picked(shared, plans, industries)

    def rows(spec: dict) -> list[dict]:
        return sorted((r for rs in spec["datasets"].values() for r in rs),
                      key=lambda r: (r["plan"], r["industry"]))

    assert rows(marked) == rows(built)
    assert any(r["picked"] for r in rows(marked)) == bool(industries)

    def layout(spec: dict) -> str:  # the chart without its data; internal names normalised
        text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)
        return re.sub(r"view_[0-9a-f]+_\d+", "view", re.sub(r"data-[0-9a-f]+", "data", text))

    assert layout(marked) == layout(built)
    assert repr(shared) == before  # the shared spec is left as it was
