"""URL state of the app: round trips, stale links, map clicks and chart picks."""

from __future__ import annotations

import html
import re

import geopandas as gpd
import pytest
from _appdata import build_fixture_layers
from hypothesis import given
from hypothesis import strategies as st

from app.appstate import (
    AppState,
    chart_pick,
    clicked_feature,
    options_from_layers,
    sanitize,
)
from spatial import webmap
from spatial.plans.layers import load_layers
from spatial.plans.manifest import plan_ids
from spatial.query.features import AXIS_ID, Selection

BASEMAPS = ["positron", "osm", "amap", "none"]


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("state_layers")))


@pytest.fixture(scope="module")
def options(gdf: gpd.GeoDataFrame):
    return options_from_layers(gdf, plan_ids(), BASEMAPS)


def test_query_round_trip() -> None:
    state = AppState(
        selection=Selection(
            plans=("gz_sti", "huadu_mfg"),
            industries=("生物医药",),
            roles=("park", "zone"),
            clusters=("cluster-auto",),
            segment="axis-huangpu",
            query="生物, 医药",
        ),
        node="shengwudao",
        basemap="amap",
    )
    params = state.to_query()
    assert params["plans"] == "gz_sti,huadu_mfg"
    assert params["q"] == "生物, 医药"  # search text is not split on commas
    assert AppState.from_query(params) == state


def test_defaults_stay_out_of_the_url() -> None:
    assert AppState().to_query() == {}


def test_repeated_keys_are_read_as_lists() -> None:
    state = AppState.from_query({"industries": ["生物医药", "集成电路"], "node": [" x "]})
    assert state.selection.industries == ("生物医药", "集成电路")
    assert state.node == "x"


@given(
    st.dictionaries(
        st.sampled_from(
            ["plans", "industries", "roles", "clusters", "segment", "q", "node", "basemap", "junk"]
        ),
        st.text(max_size=30),
    )
)
def test_any_query_string_yields_a_valid_state(params: dict) -> None:
    # no fixture here: hypothesis runs this many times; the options are built inline
    options_local = options_from_layers(None, plan_ids(), BASEMAPS)
    state, _notes = sanitize(AppState.from_query(params), options_local)
    assert set(state.selection.plans) <= set(options_local.plans)
    assert state.basemap in BASEMAPS
    assert state.node is None
    assert len(state.selection.query) <= 100


def test_options_follow_the_data(options) -> None:
    assert options.plans == ("gz_sti", "huadu_mfg")
    assert options.segments == (AXIS_ID, "axis-huangpu", "axis-haizhu", "axis-nansha")
    assert options.clusters == ("cluster-auto", "cluster-electronics")
    assert options.roles[:3] == ("axis", "axis_segment", "core")  # legend order
    assert options.industries.index("新一代信息技术") < options.industries.index("生物医药")


def test_sanitize_folds_synonyms_and_segment_names(gdf, options) -> None:
    raw = AppState.from_query({"industries": "生物技术,芯片", "segment": "南沙段"})
    state, notes = sanitize(raw, options, gdf)
    assert state.selection.industries == ("生物医药",)
    assert state.selection.segment == "axis-nansha"
    assert notes == ["industries: 集成电路"]
    whole, _ = sanitize(AppState.from_query({"segment": "全轴"}), options, gdf)
    assert whole.selection.segment == AXIS_ID


def test_sanitize_drops_unknown_values_and_says_so(gdf, options) -> None:
    raw = AppState(
        selection=Selection(
            plans=("nope",), roles=("park", "moon"), clusters=("kexuecheng",), segment="火星段"
        ),
        node="gone",
        basemap="google",
    )
    state, notes = sanitize(raw, options, gdf)
    assert state.selection == Selection(roles=("park",))
    assert state.node is None and state.basemap == "positron"
    assert notes == [
        "segment: 火星段",
        "node: gone",
        "basemap: google",
        "plans: nope",
        "roles: moon",
        "clusters: kexuecheng",
    ]


def browser_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_clicked_feature_reads_the_tooltip_the_map_reports(gdf) -> None:
    tip = webmap.tooltip_html(gdf.loc["kexuecheng"].to_dict())
    assert clicked_feature({"last_object_clicked_tooltip": browser_text(tip)}) == "kexuecheng"
    assert clicked_feature({"last_object_clicked_tooltip": "我的图层 · 某处"}) is None
    assert clicked_feature({"last_object_clicked_tooltip": None}) is None
    assert clicked_feature(None) is None


def test_chart_pick() -> None:
    event = {"selection": {"pick": [{"plan": "huadu_mfg", "industry": "汽车制造", "count": 3}]}}
    assert chart_pick(event) == ("huadu_mfg", "汽车制造")
    assert chart_pick({"selection": {"pick": []}}) is None
    assert chart_pick({"selection": {}}) is None
    assert chart_pick(None) is None
