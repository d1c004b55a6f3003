"""广州“十四五”科技创新规划地图 — browse the 科技创新轴, filter by industry, read the plans.

Run with ``make app`` (``streamlit run streamlit_app.py``). This file holds layout and widgets
only: selection logic lives in ``spatial.features``, the map in ``spatial.webmap``, the URL
state in ``spatial.appstate``, the panel text in ``spatial.detail`` and the files to download
in ``spatial.downloads``.

``GZMAP_LAYERS_DIR`` points the app at another folder of built layers (the tests use it).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from spatial import appstate, detail, downloads, overview, webmap
from spatial._paths import LAYERS_DIR
from spatial.basemaps import DEFAULT_BASEMAP
from spatial.features import (
    AXIS_ID,
    Selection,
    axis_nodes,
    industry_counts,
    select,
    step,
)
from spatial.manifest import load_manifest
from spatial.schema import role_label
from spatial.taxonomy import load_taxonomy

TITLE = "广州“十四五”科技创新规划地图"
SUBTITLE = "Guangzhou 14th Five-Year science & technology plans on the map"
MAP_HEIGHT = 640
FOLLOW_ZOOM = 12
LIST_KEYS = ("plans", "industries", "roles", "clusters")

st.set_page_config(page_title=TITLE, page_icon="🗺️", layout="wide")
ss = st.session_state
CHOOSE = "请选择 Choose"  # multiselect placeholder, Chinese first


# -- data, loaded once -----------------------------------------------------------------------------

def layers_dir() -> Path:
    """Where the built layers are read from."""
    return Path(os.environ.get("GZMAP_LAYERS_DIR") or LAYERS_DIR)


def layers_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, modification times and sizes of the layer files: a rebuild changes it."""
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.geojson"))
    )


@st.cache_resource(max_entries=2, show_spinner="加载图层 Loading layers…")
def get_layers(folder: str, stamp: tuple) -> gpd.GeoDataFrame | None:
    """All features (shared, never modified), or None when no layer is built yet."""
    from spatial.layers import clear_cache, load_layers

    if not stamp:
        return None
    clear_cache()
    return load_layers(Path(folder))


@st.cache_resource(show_spinner=False)
def get_districts() -> gpd.GeoDataFrame | None:
    """District outlines, or None when ``data/geo`` has not been built."""
    from spatial.base import BaseDataMissing, load_districts

    try:
        return load_districts()
    except BaseDataMissing:
        return None


@st.cache_resource(max_entries=2, show_spinner=False)
def feature_html(folder: str, stamp: tuple) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """Popup and tooltip HTML of the features, each built when first drawn, once per layer
    version (shared, never copied)."""
    gdf = get_layers(folder, stamp)
    if gdf is None:
        return {}, {}
    names = plan_names()
    return (
        webmap.FeatureHtml(gdf, lambda props: webmap.popup_html(props, names)),
        webmap.FeatureHtml(gdf, webmap.tooltip_html),
    )


@st.cache_resource(max_entries=2, show_spinner=False)
def web_layers(folder: str, stamp: tuple) -> gpd.GeoDataFrame | None:
    """The features with their geometry simplified for the screen, once per layer version."""
    gdf = get_layers(folder, stamp)
    return webmap.simplify_for_web(gdf) if gdf is not None else None


@st.cache_resource(max_entries=64, show_spinner=False)
def map_layers(folder: str, stamp: tuple, key: tuple, basemap: str) -> webmap.MapLayers:
    """The map's drawing items for a selection on a basemap (shared, never modified)."""
    gdf = get_layers(folder, stamp)
    popups, tips = feature_html(folder, stamp)
    shown = web_layers(folder, stamp).loc[selected_ids(folder, stamp, key)]
    return webmap.prepare_layers(
        shown, basemap=basemap, popups=popups, tooltips=tips, layer_order=list(layer_labels(gdf)),
        simplify_m=None,
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def district_items(basemap: str) -> tuple[dict, ...]:
    """District outlines and labels drawn for a basemap (shared, never modified)."""
    return webmap.prepare_districts(get_districts(), basemap)


@st.cache_data(max_entries=256, show_spinner=False)
def selected_ids(folder: str, stamp: tuple, key: tuple) -> list[str]:
    """Ids of the features a selection keeps (cached per selection)."""
    gdf = get_layers(folder, stamp)
    if gdf is None:
        return []
    return list(select(gdf, selection_from_key(key)).index)


@st.cache_data(max_entries=16, show_spinner=False)
def read_upload(data: bytes, filename: str) -> Any:
    """Read an uploaded layer once per file content."""
    from spatial.upload import read_user_layer

    return read_user_layer(data, filename)


@st.cache_data(max_entries=2, show_spinner=False)
def layer_options(folder: str, stamp: tuple) -> appstate.Options:
    """What the layers offer to choose from (plans, tags, roles, clusters, segments, ids)."""
    return appstate.options_from_layers(get_layers(folder, stamp), plan_names(), basemap_keys())


def basemap_keys() -> list[str]:
    """Every basemap key the app offers, the default first, no tiles last."""
    return [key for key, _label in webmap.basemap_choices()]


def layer_labels(gdf: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Layer file name -> label for the map's layer switcher, plans in manifest order.

    A plan's own layer is labelled with the plan's name; an extra layer of a plan
    (``gz_sti_facilities``) with the plan's name and the rest of the file name.
    """
    names = plan_names()
    layers = set(gdf["layer"].dropna()) if gdf is not None else set()
    labels: dict[str, str] = {}
    for plan_id, name in names.items():
        labels[plan_id] = name
        for extra in sorted(lay for lay in layers if lay.startswith(plan_id + "_")):
            labels[extra] = f"{name} · {extra[len(plan_id) + 1:]}"
    for other in sorted(layers - set(labels)):
        labels[other] = other
    return labels


def plan_names() -> dict[str, str]:
    """Plan id -> short Chinese name, in manifest order."""
    return {p.id: p.short_name for p in load_manifest()}


def selection_key(sel: Selection) -> tuple:
    """A hashable key of a selection, for the caches."""
    return (sel.plans, sel.industries, sel.roles, sel.clusters, sel.segment or "", sel.query)


def selection_from_key(key: tuple) -> Selection:
    """The selection a :func:`selection_key` stands for."""
    plans, industries, roles, clusters, segment, query = key
    return Selection(plans, industries, roles, clusters, segment or None, query)


def optional_module(name: str) -> Any:
    """A project module a colleague may not have written yet, or None."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def static_url(folder: str) -> str:
    """URL of a folder of ``./static`` served by Streamlit (``server.enableStaticServing``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{folder}" if base else f"/app/static/{folder}"


# -- callbacks (run before the script, so they may set widget state) -------------------------------
def open_node(fid: str | None) -> None:
    """Open a feature's panel; the walk list follows when the feature is on the walk."""
    ss.node = fid
    ss.walk_pick = fid if fid in ss.get("_walk_ids", []) else None


def on_walk_pick() -> None:
    ss.node = ss.walk_pick


def on_step(delta: int) -> None:
    open_node(step(list(ss.get("_walk_ids", [])), ss.get("node"), delta))


def on_segment() -> None:
    # a new segment frames the map on the segment; the walk starts afresh
    ss.node = None
    ss.walk_pick = None


def on_related(key: str) -> None:
    picked = ss.get(key)
    if picked:
        open_node(picked)
        ss[key] = None  # the pill is an action, not a state


def on_map_click() -> None:
    fid = appstate.clicked_feature(ss.get("map"))
    if fid and fid in ss.get("_all_ids", ()):
        open_node(fid)


def on_table_pick() -> None:
    rows = ss.get("results", {}).get("selection", {}).get("rows", [])
    ids = ss.get("_table_ids", [])
    if rows and rows[0] < len(ids):
        open_node(ids[rows[0]])


def on_chart_pick() -> None:
    pick = appstate.chart_pick(ss.get("overview"))
    if pick is None:
        return
    plan, industry = pick
    if plan in ss.get("_plan_options", ()):
        ss.plans = [plan]
    if industry in ss.get("_industry_options", ()):
        ss.industries = [industry]


def clear_filters() -> None:
    for key in LIST_KEYS:
        ss[key] = []
    ss.q = ""
    ss.segment = ""
    ss.node = None
    ss.walk_pick = None


# -- state: URL → widgets on first run, widgets → URL on every run ---------------------------------
def init_state(options: appstate.Options, gdf: gpd.GeoDataFrame | None) -> None:
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    state, notes = appstate.sanitize(appstate.AppState.from_query(params), options, gdf)
    sel = state.selection
    ss.plans = list(sel.plans)
    ss.industries = list(sel.industries)
    ss.roles = list(sel.roles)
    ss.clusters = list(sel.clusters)
    ss.segment = sel.segment or ""
    ss.q = sel.query
    ss.basemap = state.basemap
    ss.node = state.node
    ss.walk_pick = None
    ss._url_notes = notes
    ss._init = True


def keep_valid(options: appstate.Options) -> None:
    """Drop widget values the (possibly rebuilt) data no longer offers."""
    allowed = {
        "plans": options.plans,
        "industries": options.industries,
        "roles": options.roles,
        "clusters": options.clusters,
    }
    for key, values in allowed.items():
        current = ss.get(key, [])
        kept = [v for v in current if v in values]
        if kept != current:
            ss[key] = kept
    if ss.get("segment") and ss.segment not in options.segments:
        ss.segment = ""
    if ss.get("node") and ss.node not in options.nodes:
        ss.node = None
    if ss.get("basemap") not in options.basemaps:
        ss.basemap = DEFAULT_BASEMAP


def current_state() -> appstate.AppState:
    sel = Selection(
        plans=tuple(ss.plans),
        industries=tuple(ss.industries),
        roles=tuple(ss.roles),
        clusters=tuple(ss.clusters),
        segment=ss.segment or None,
        query=(ss.q or "").strip()[: appstate.MAX_QUERY_CHARS],
    )
    return appstate.AppState(selection=sel, node=ss.node, basemap=ss.basemap)


def sync_url(state: appstate.AppState) -> None:
    wanted = state.to_query()
    current = {k: st.query_params.get(k) for k in st.query_params}
    if wanted != current:
        st.query_params.from_dict(wanted)


# -- page parts ----------------------------------------------------------------------------------------
def feature_label(gdf: gpd.GeoDataFrame, fid: str) -> str:
    return str(gdf.at[fid, "name"]) if fid in gdf.index else fid


def segment_label(gdf: gpd.GeoDataFrame | None, key: str) -> str:
    if not key:
        return "不限 All features"
    if key == AXIS_ID:
        return "科技创新轴 全轴 Whole axis"
    if gdf is not None and key in gdf.index:
        row = gdf.loc[key]
        short = next((a for a in row["aliases"] or [] if a.endswith("段")), None)
        return short or str(row["name"])
    return key


def sidebar(
    gdf: gpd.GeoDataFrame | None, options: appstate.Options, sel: Selection, folder: str,
    stamp: tuple,
) -> Any:
    """Filters, basemap and the user's own layer; returns the uploaded layer (or None)."""
    names = plan_names()
    taxonomy = load_taxonomy()
    sb = st.sidebar
    sb.header("筛选 Filter")
    sb.text_input(
        "搜索 Search",
        key="q",
        placeholder="地名、别称或规划原文，如 生物医药",
        help="Names, aliases and the plans' own words; industry synonyms count too.",
    )
    sb.multiselect(
        "规划 Plans",
        options=list(options.plans),
        format_func=lambda p: names.get(p, p),
        key="plans",
        placeholder=CHOOSE,
    )
    counts = pd.Series(dtype=int)
    if gdf is not None:  # facet counts: what each tag would show under the other filters
        ids = selected_ids(folder, stamp, selection_key(sel.with_(industries=())))
        counts = industry_counts(gdf.loc[ids])

    def industry_label(tag: str) -> str:
        try:
            en = taxonomy.get(tag).en
        except KeyError:
            en = ""
        return f"{tag} {en} ({int(counts.get(tag, 0))})".replace("  ", " ")

    sb.multiselect(
        "产业 Industries",
        options=list(options.industries),
        format_func=industry_label,
        key="industries",
        placeholder=CHOOSE,
        help="括号内为当前其他筛选条件下的地点数。Counts under the other filters.",
    )
    sb.multiselect(
        "类型 Roles",
        options=list(options.roles),
        format_func=role_label,
        key="roles",
        placeholder=CHOOSE,
    )
    sb.multiselect(
        "产业集群 Clusters（花都 表5-1）",
        options=list(options.clusters),
        format_func=lambda c: feature_label(gdf, c) if gdf is not None else c,
        key="clusters",
        placeholder=CHOOSE,
        help="选中集群即显示其核心园区。A cluster shows with its core parks.",
    )
    sb.button("清除筛选 Clear filters", on_click=clear_filters, key="clear")
    sb.divider()
    choices = dict(webmap.basemap_choices())
    sb.selectbox(
        "底图 Basemap",
        options=list(choices),
        format_func=lambda k: choices.get(k, k),
        key="basemap",
        help="离线时底图瓦片无法加载，区界与要素照常显示。Offline, tiles don't load; outlines do.",
    )
    return own_layer(sb)


def own_layer(sb: Any) -> Any:
    upload = optional_module("spatial.upload")
    with sb.expander("我的图层 Own layer"):
        if upload is None:
            st.caption("上传功能尚未就绪。Upload is not available yet.")
            return None
        limit_mb = upload.MAX_UPLOAD_BYTES / 1024 / 1024
        file = st.file_uploader(
            f"GeoJSON / GeoPackage（≤ {limit_mb:g} MB，仅本次会话）",
            type=["geojson", "json", "gpkg"],
            key="upload",
        )
        if file is None:
            return None
        data = file.getvalue()
        if len(data) > upload.MAX_UPLOAD_BYTES:
            st.error(f"文件过大（上限 {limit_mb:g} MB）。File too large.")
            return None
        layer = read_upload(data, file.name)
        for problem in layer.problems:
            st.error(problem)
        for note in getattr(layer, "notes", []):
            st.info(note)
        if layer.ok:
            st.success(f"已叠加 {len(layer.gdf)} 个要素。Overlaid {len(layer.gdf)} features.")
            return layer
        return None


def axis_walk(gdf: gpd.GeoDataFrame, options: appstate.Options) -> list[str]:
    """Segment choice, previous/next and the node list; returns the walk's ids."""
    st.selectbox(
        "浏览科技创新轴 Browse the innovation axis",
        options=["", *options.segments],
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
    prev_col, pos_col, next_col = st.columns([2, 2, 2])
    prev_col.button("◀ 上一个 Prev", key="prev", on_click=on_step, args=(-1,),
                    width="stretch")
    next_col.button("下一个 Next ▶", key="next", on_click=on_step, args=(1,),
                    width="stretch")
    node = ss.get("node")
    where = f"{walk_ids.index(node) + 1} / {len(walk_ids)}" if node in walk_ids else f"– / {len(walk_ids)}"
    pos_col.markdown(f"<div style='text-align:center;padding-top:6px'>{where}</div>",
                     unsafe_allow_html=True)

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


def node_panel(gdf: gpd.GeoDataFrame, fid: str | None) -> None:
    if not fid or fid not in gdf.index:
        st.info("点击地图上的地点，或在列表中选择，查看规划原文。\n\n"
                "Click a place on the map or pick one from a list to read what the plans say.")
        return
    row = gdf.loc[fid].to_dict()
    st.subheader(str(row["name"]))
    if webmap.text_of(row.get("name_en")):
        st.caption(webmap.text_of(row["name_en"]))
    facts = detail.feature_facts(row, gdf)
    st.markdown(
        "<table class='gz-facts'>"
        + "".join(
            f"<tr><th style='text-align:left;padding-right:8px;vertical-align:top;"
            f"white-space:nowrap'>{webmap.esc(k)}</th><td>{webmap.esc(v)}</td></tr>"
            for k, v in facts
        )
        + "</table>",
        unsafe_allow_html=True,
    )
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
    views = detail.excerpt_views(row)
    st.markdown(f"**规划原文 What the plans say**（{len(views)}）")
    for i, view in enumerate(views):
        with st.container(border=True):
            st.markdown(f"**{view.plan_title}**")
            if view.section:
                st.caption(" › ".join(view.section_parts))
            st.markdown(
                f"<blockquote style='margin:0'>{webmap.esc(view.text)}</blockquote>",
                unsafe_allow_html=True,
            )
            if st.toggle("查看上下文 Read in context", key=f"ctx_{fid}_{i}"):
                st.markdown(
                    detail.safe_context_html(view.plan_id, view.text, chars=260),
                    unsafe_allow_html=True,
                )


def results_table(gdf: gpd.GeoDataFrame, shown: gpd.GeoDataFrame) -> None:
    names = plan_names()
    table = pd.DataFrame(
        {
            "名称 Name": shown["name"],
            "类型 Role": shown["role"].map(role_label),
            "所在区 District": shown["district"].map("、".join),
            "产业 Industries": shown["industries"].map("、".join),
            "规划 Plans": shown["plans"].map(lambda ps: "、".join(names.get(p, p) for p in ps)),
            "id": shown.index,
        }
    )
    ss._table_ids = list(shown.index)
    st.dataframe(
        table,
        key="results",
        on_select=on_table_pick,
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * max(len(table), 1)),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def overview_chart(folder: str, stamp: tuple, key: tuple) -> dict | None:
    """The overview chart's spec for a selection (cached: stepping along the axis is free)."""
    gdf = get_layers(folder, stamp)
    names = plan_names()
    options = layer_options(folder, stamp)
    table = overview.overview_table(gdf, selection_from_key(key), names)
    return overview.overview_spec(
        table, [names.get(p, p) for p in options.plans], options.industries
    )


def overview_panel(folder: str, stamp: tuple, sel: Selection) -> None:
    spec = overview_chart(folder, stamp, selection_key(sel))
    if spec is None:
        st.caption("当前筛选下没有带产业标签的地点。No tagged places under the other filters.")
        return
    st.caption("每格：该规划中带此产业标签的地点数。点击一格即按该规划与产业筛选。"
               " Click a cell to filter the map by that plan and industry.")
    st.vega_lite_chart(
        spec,
        width="stretch",
        key="overview",
        on_select=on_chart_pick,
        selection_mode=overview.PICK,
    )


def download_panel(shown: gpd.GeoDataFrame, state: appstate.AppState) -> None:
    n = len(shown)
    st.caption(f"下载当前筛选的 {n} 个要素（含规划摘录）。The {n} filtered features, with excerpts.")
    stem = "gzplan-" + hashlib.sha1(repr(sorted(state.to_query().items())).encode()).hexdigest()[:8]
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "GeoJSON", data=lambda: downloads.to_geojson_bytes(shown), file_name=f"{stem}.geojson",
        mime=downloads.FORMATS["geojson"][1], on_click="ignore", key="dl_geojson",
        disabled=n == 0, width="stretch",
    )
    c2.download_button(
        "GeoPackage", data=lambda: downloads.to_gpkg_bytes(shown), file_name=f"{stem}.gpkg",
        mime=downloads.FORMATS["gpkg"][1], on_click="ignore", key="dl_gpkg",
        disabled=n == 0, width="stretch",
    )
    c3.download_button(
        "CSV", data=lambda: downloads.to_csv_bytes(shown), file_name=f"{stem}.csv",
        mime=downloads.FORMATS["csv"][1], on_click="ignore", key="dl_csv",
        disabled=n == 0, width="stretch",
    )
    st.divider()
    briefing_export(state)


def briefing_export(state: appstate.AppState) -> None:
    st.markdown("**简报图 Briefing map**（A4 横版，300 dpi）")
    export = optional_module("spatial.export")
    if export is None or not hasattr(export, "render_map"):
        st.info("简报图导出模块尚未就绪（spatial.export）。Print export is not available yet.")
        return
    title = st.text_input("图名 Title", key="export_title", placeholder="默认按筛选条件生成")
    key = repr((sorted(state.to_query().items()), title))
    c1, c2 = st.columns(2)
    for col, fmt in ((c1, "png"), (c2, "pdf")):
        if col.button(f"生成 {fmt.upper()} Render", key=f"render_{fmt}", width="stretch"):
            with st.spinner(f"正在生成 {fmt.upper()}…"):
                try:
                    data = export.render_map(state.selection, fmt=fmt, title=title or None)
                except Exception as exc:  # the user needs to see why, not a stack trace
                    st.error(f"生成失败 Rendering failed: {exc}")
                else:
                    ss[f"_export_{fmt}"] = (key, data)
        made = ss.get(f"_export_{fmt}")
        if made and made[0] == key:
            col.download_button(
                f"下载 {fmt.upper()} Download", data=made[1], file_name=f"gzplan-map.{fmt}",
                mime="image/png" if fmt == "png" else "application/pdf",
                key=f"dl_{fmt}", on_click="ignore", width="stretch",
            )


def draw_map(
    gdf: gpd.GeoDataFrame | None,
    state: appstate.AppState,
    user_layer: Any,
    folder: str,
    stamp: tuple,
) -> None:
    tips = feature_html(folder, stamp)[1] if gdf is not None else {}
    sel = state.selection
    bounds = None
    if gdf is not None and sel.segment:  # frame the whole segment, whatever else is filtered
        segment_ids = selected_ids(folder, stamp, selection_key(Selection(segment=sel.segment)))
        bounds = webmap.frame_bounds(gdf.loc[segment_ids])
    prepared = (
        map_layers(folder, stamp, selection_key(sel), state.basemap)
        if gdf is not None
        else webmap.MapLayers((), (), None)
    )
    fmap = webmap.build_map(
        prepared,
        districts=district_items(state.basemap),
        basemap=state.basemap,
        bounds=bounds,
        layer_names=layer_labels(gdf),
        user_layer=user_layer.gdf if user_layer is not None else None,
        asset_base=static_url("leaflet"),
    )
    node = state.node if gdf is not None and state.node in gdf.index else None
    highlight = webmap.highlight_group(
        gdf.loc[node].to_dict() if node else None,
        gdf.at[node, "geometry"] if node else None,
        state.basemap,
        tips.get(node) if node else None,
    )
    # Follow a newly opened feature; otherwise leave the view to the user (or, when the map
    # reloads for new filters, to the framing of what they selected).
    center = None
    if node and node != ss.get("_centered"):
        center = webmap.focus_point(gdf.at[node, "geometry"], state.basemap)
    ss._centered = node
    st_folium(
        fmap,
        key="map",
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_object_clicked_tooltip", "last_object_clicked_count"],
        feature_group_to_add=highlight,
        center=center,
        zoom=FOLLOW_ZOOM if center else None,
        on_change=on_map_click,
    )


# -- the page ------------------------------------------------------------------------------------------
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
                   + "; ".join(ss._url_notes))
        ss._url_notes = []
    if gdf is None:
        st.info("还没有图层：请先运行 `gzmap build-layers`。No layers built yet: run `gzmap build-layers`.")

    state = current_state()
    user_layer = sidebar(gdf, options, state.selection, str(folder), stamp)
    state = current_state()  # the sidebar's widgets may have changed it
    shown = None
    if gdf is not None:
        shown = gdf.loc[selected_ids(str(folder), stamp, selection_key(state.selection))]

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
        draw_map(gdf, state, user_layer, str(folder), stamp)
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
                if shown.empty:
                    st.info("没有符合条件的地点。No places match these filters.")
                results_table(gdf, shown)
            with tab_chart:
                overview_panel(str(folder), stamp, state.selection)
            with tab_dl:
                download_panel(shown, state)
    with side_col:
        if gdf is not None:
            node_panel(gdf, ss.get("node"))
    sync_url(current_state())

main()
