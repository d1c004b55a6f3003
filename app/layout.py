"""The page: title, link notes, sidebar, map column and side panel, URL kept in sync."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import streamlit as st

from app.data import (
    basemap_keys,
    get_layers,
    get_unsited,
    layer_options,
    layers_dir,
    layers_stamp,
    plan_names,
    selected_ids,
    selection_key,
    unsited_stamp,
)
from app.filters import sidebar
from app.map import draw_map
from app.pages import other_page, page_switch
from app.panel import axis_walk, node_panel
from app.results import download_panel, overview_panel, results_table
from app.state import current_state, init_state, keep_valid, sync_url
from spatial import appstate, unsited, webmap
from spatial.features import plan_view
from spatial.manifest import load_manifest
from spatial.plaintext import capped_notes

ss = st.session_state
TITLE = "广州“十四五”科技创新规划地图"
SUBTITLE = "Guangzhou 14th Five-Year science & technology plans on the map"


def main() -> None:
    folder = layers_dir()
    stamp = layers_stamp(folder)
    gdf: gpd.GeoDataFrame | None
    try:
        gdf = get_layers(str(folder), stamp)
    except Exception as exc:  # a broken layer file: say which, keep the map of districts
        st.error(f"图层读取失败，请运行 `gzmap validate`。Layers could not be read: {exc}")
        gdf = None
    if gdf is not None:
        options = layer_options(str(folder), stamp)
    else:
        options = appstate.options_from_layers(None, plan_names(), basemap_keys())
    register = get_unsited(str(folder), unsited_stamp(folder))
    options = replace(options, nodes=options.nodes | frozenset(register.index))
    if not ss.get("_init"):
        init_state(options, gdf)
    keep_valid(options)
    ss._all_ids = options.nodes
    ss._plan_options = options.plans
    ss._industry_options = options.industries

    st.markdown(f"### {TITLE}")
    st.caption(
        SUBTITLE + " · " + "、".join(p.short_name for p in load_manifest())
    )
    if ss.get("_url_notes"):
        st.warning("链接中的部分参数无效，已忽略 Ignored from the link: "
                   + "; ".join(capped_notes(ss._url_notes)))  # link text is never markup
        ss._url_notes = []
    if gdf is None:
        st.info("还没有图层：请先运行 `gzmap build-layers`。No layers built yet: run `gzmap build-layers`.")

    view = page_switch()
    if view != "map":
        other_page(view, gdf, str(folder), stamp)
        return

    state = current_state()
    user_layer = sidebar(gdf, options, state.selection, str(folder), stamp)
    state = current_state()  # the sidebar's widgets may have changed it
    shown = None
    if gdf is not None:
        shown = gdf.loc[selected_ids(str(folder), stamp, selection_key(state.selection))]
        shown = plan_view(shown, state.selection.plans)  # each plan's own roles
    named = unsited.select_unsited(register, state.selection)  # no site: listed, never drawn

    map_col, side_col = st.columns([3, 2], gap="medium")
    with side_col:
        if gdf is not None:
            axis_walk(gdf, options)
    state = current_state()  # the walk may have changed the open node
    with map_col:
        total = 0 if gdf is None else len(gdf)
        st.caption(
            f"地图显示 {0 if shown is None else len(shown)} / {total} 个要素 "
            f"features shown · 点击地点查看规划原文 click a place to read the plans"
        )
        draw_map(gdf, state, user_layer, str(folder), stamp, named)
        if not named.empty:
            st.caption(unsited.counts_line(named))
        if state.basemap != webmap.NO_TILES:
            st.caption(
                "底图瓦片需联网；离线时区界与要素照常显示（可选“无底图”）。"
                "Tiles need internet; offline, district outlines and places still show."
            )
        if gdf is not None and shown is not None:
            tab_table, tab_chart, tab_dl = st.tabs(
                ["结果 Results", "概览 Overview", "下载 Download"]
            )
            with tab_table:
                if shown.empty and named.empty:
                    st.info("没有符合条件的地点。No places match these filters.")
                results_table(gdf, shown, named)
            with tab_chart:
                overview_panel(str(folder), stamp, state.selection, named)
            with tab_dl:
                download_panel(shown, state, named)
    with side_col:
        if gdf is not None:
            node_panel(gdf, ss.get("node"), register)
    sync_url(current_state())
