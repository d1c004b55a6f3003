"""The side panel: the walk along the innovation axis and the open place's panel."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from app import appstate
from app.data import plan_names
from app.filters import segment_label
from app.state import landing, on_related, on_segment, on_step, on_walk_pick
from app.suggest import history_box, suggest_box
from spatial.plaintext import esc, text_of
from spatial.query import detail, unsited
from spatial.query.features import axis_nodes

ss = st.session_state


def axis_walk(gdf: gpd.GeoDataFrame, options: appstate.Options) -> list[str]:
    """Segment choice, previous/next and the node list; returns the walk's ids."""
    segments = ["", *options.segments]
    st.selectbox(
        "浏览科技创新轴 Browse the innovation axis",
        options=segments,
        index=segments.index(landing("segment")) if landing("segment") in segments else 0,
        format_func=lambda k: segment_label(gdf, k),
        key="segment",
        on_change=on_segment,
    )
    walk = axis_nodes(gdf, ss.segment or None)
    walk_ids = list(walk.index)
    ss._walk_ids = walk_ids
    ss.walk_pick = ss.get("node") if ss.get("node") in walk_ids else None  # the list follows
    if not walk_ids:
        st.caption("此段暂无轴上节点。No axis nodes here yet.")
        return walk_ids
    # one row that never wraps (a container of its own, not three columns: a rerun sends
    # each block again, and a column is one)
    node = ss.get("node")
    where = f"{walk_ids.index(node) + 1} / {len(walk_ids)}" if node in walk_ids else f"– / {len(walk_ids)}"
    with st.container(horizontal=True, wrap=False, vertical_alignment="center"):
        st.button("◀ 上一个 Prev", key="prev", on_click=on_step, args=(-1,), width="stretch")
        st.markdown(f"<div style='text-align:center'>{where}</div>", unsafe_allow_html=True)
        st.button("下一个 Next ▶", key="next", on_click=on_step, args=(1,), width="stretch")

    def walk_label(fid: str) -> str:
        order = walk.at[fid, "axis_order"]
        prefix = f"{int(order)}." if pd.notna(order) else "·"
        return f"{prefix} {walk.at[fid, 'name']}"

    with st.container(height=260):
        st.radio(
            "轴上节点 Nodes in axis order",
            options=walk_ids,
            format_func=walk_label,
            key="walk_pick",
            on_change=on_walk_pick,
            index=None,
            label_visibility="collapsed",
        )
    return walk_ids


def node_panel(gdf: gpd.GeoDataFrame, fid: str | None, named: pd.DataFrame | None = None) -> None:
    if fid and named is not None and fid in named.index:
        unsited_panel(named.loc[fid].to_dict())
        return
    if not fid or fid not in gdf.index:
        st.info("点击地图上的地点，或在列表中选择，查看规划原文。\n\n"
                "Click a place on the map or pick one from a list to read what the plans say.")
        return
    row = gdf.loc[fid].to_dict()
    st.subheader(str(row["name"]))
    if text_of(row.get("name_en")):
        st.caption(text_of(row["name_en"]))
    _facts_table(detail.feature_facts(row, gdf))
    related = detail.related_ids(gdf, fid)
    if related:
        st.pills(
            "相关地点 Related places",
            options=related,
            format_func=lambda r: str(gdf.at[r, "name"]),
            key=f"rel_{fid}",
            on_change=on_related,
            args=(f"rel_{fid}",),
        )
    history_box(fid)
    excerpt_list(row, fid)
    suggest_box(row, on_map=True)


def unsited_panel(place: dict) -> None:
    """A place the plans name without a known site: why there is none, and the plans' words."""
    st.subheader(str(place["name"]))
    st.warning(f"{unsited.NO_SITE_LABEL} · Named in the plans, no known site")
    facts = unsited.place_facts(place, plan_names())
    _facts_table(facts)
    excerpt_list(place, str(place["id"]))
    suggest_box(place, on_map=False)


def _facts_table(facts: list[tuple[str, str]]) -> None:
    st.markdown(
        "<table class='gz-facts'>"
        + "".join(
            f"<tr><th style='text-align:left;padding-right:8px;vertical-align:top;"
            f"white-space:nowrap'>{esc(k)}</th><td>{esc(v)}</td></tr>"
            for k, v in facts
        )
        + "</table>",
        unsafe_allow_html=True,
    )


def excerpt_list(row: dict, fid: str) -> None:
    """Every plan's words about a place, each readable in context."""
    views = detail.excerpt_views(row)
    st.markdown(f"**规划原文 What the plans say**（{len(views)}）")
    for i, view in enumerate(views):
        with st.container(border=True):
            st.markdown(f"**{view.plan_title}**")
            if view.section:
                st.caption(" › ".join(view.section_parts))
            st.markdown(
                f"<blockquote style='margin:0'>{esc(view.shown)}</blockquote>",
                unsafe_allow_html=True,
            )
            if st.toggle("查看上下文 Read in context", key=f"ctx_{fid}_{i}"):
                st.markdown(
                    detail.safe_context_html(view.plan_id, view.text, chars=260),
                    unsafe_allow_html=True,
                )
