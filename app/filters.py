"""The sidebar: search, filters, colour rule, basemap and the user's own layer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from app import appstate
from app.data import (
    forget_upload,
    get_layers,
    plan_names,
    read_upload,
    selected_ids,
    selection_from_key,
    selection_key,
)
from app.state import clear_filters, landing, on_hit_pick, widget_value
from spatial.geo.basemaps import NO_TILES, basemap_choices
from spatial.plaintext import capped_notes, markdown_text
from spatial.plans.schema import role_label
from spatial.plans.taxonomy import load_taxonomy
from spatial.query.features import (
    AXIS_ID,
    Selection,
    industry_counts,
)
from spatial.query.search import rank_hits, suggest
from spatial.symbology import RULES, rule_label

ss = st.session_state
CHOOSE = "请选择 Choose"  # multiselect placeholder, Chinese first
MAX_HITS = 8  # search hits listed under the search box
CLEAR_KEY = "clear"  # 清除筛选's key: the map client foresees its effect (app.map)


def industry_name(taxonomy: Any, tag: str) -> str:
    """An industry as the filter lists it, before its count: a group with its English name
    and 大类, an industry indented beneath it."""
    try:
        industry = taxonomy.get(tag)
    except KeyError:
        return tag
    if industry.level == "group":  # a group covers the industries beneath it
        return f"{tag} {industry.en} · 大类".replace("  ", " ").rstrip()
    return f"\u3000└ {tag} {industry.en}".replace("  ", " ").rstrip()


def option_formats(gdf: gpd.GeoDataFrame | None) -> dict[str, Callable[[str], str]]:
    """Each filter widget's key -> how it writes an option (an industry before its count):
    the one source of the sidebar's labels, the segment box's and the map client's."""
    names, taxonomy = plan_names(), load_taxonomy()
    return {
        "plans": lambda p: names.get(p, p),
        "industries": lambda t: industry_name(taxonomy, t),
        "roles": role_label,
        "clusters": lambda c: feature_label(gdf, c) if gdf is not None else c,
        "colour_by": rule_label,
        "segment": lambda k: segment_label(gdf, k),
    }


def filter_labels(gdf: gpd.GeoDataFrame | None, options: appstate.Options) -> dict[str, dict]:
    """Each filter widget's key -> {the label it shows for an option: the option}
    (:func:`option_formats`; an industry without its count, which changes with the other
    filters; every label stripped of the spaces around it). The map client reads the
    widgets' choices through them to redraw at a click (``static/gzmap/predict.js``)."""
    values = {
        "plans": options.plans, "industries": options.industries, "roles": options.roles,
        "clusters": options.clusters, "colour_by": RULES, "segment": ("", *options.segments),
    }
    return {
        key: {fmt(v).strip(): v for v in values[key]}
        for key, fmt in option_formats(gdf).items()
    }


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


@st.cache_data(max_entries=64, show_spinner=False)
def ranked_hits(folder: str, stamp: tuple, key: tuple) -> list[tuple[str, int, str]]:
    """``(id, rank, reason)`` of a selection's search hits, best first (cached per selection)."""
    gdf = get_layers(folder, stamp)
    shown = gdf.loc[selected_ids(folder, stamp, key)]
    return [(h.id, h.rank, h.reason) for h in rank_hits(shown, selection_from_key(key).query)]


@st.cache_data(max_entries=64, show_spinner=False)
def facet_counts(folder: str, stamp: tuple, key: tuple) -> pd.Series:
    """Features per industry tag under a selection (``key`` without industries), cached per
    selection."""
    return industry_counts(get_layers(folder, stamp).loc[selected_ids(folder, stamp, key)])


def search_missed(folder: str, stamp: tuple, sel: Selection) -> bool:
    """True when a search finds nothing among the places the other filters keep: the map then
    stays as it was before the search (an empty map says less than the suggestions)."""
    return bool(sel.query) and not selected_ids(folder, stamp, selection_key(sel))


@st.cache_data(max_entries=64, show_spinner=False)
def suggestions(folder: str, stamp: tuple, key: tuple) -> list[tuple[str, str, str]]:
    """``(id, name, why)`` of the names nearest a search that found nothing, among the places
    the other filters keep (cached per selection)."""
    sel = selection_from_key(key)
    gdf = get_layers(folder, stamp)
    pool = gdf.loc[selected_ids(folder, stamp, selection_key(sel.with_(query="")))]
    return [(s.id, s.name, s.how) for s in suggest(pool, sel.query)]


def use_suggestion(name: str) -> None:
    ss.q = name
    ss.hit_pick = None


def search_hits(gdf: gpd.GeoDataFrame, folder: str, stamp: tuple, sel: Selection, sb: Any) -> None:
    """The search's hits, best first, each with why it matched; choosing one opens it. Without
    hits, the names nearest what was typed, each a button that searches for it."""
    hits = ranked_hits(folder, stamp, selection_key(sel))
    if not hits:
        sb.warning(
            f"没有找到“{markdown_text(sel.query, limit=40)}”，地图保持原样。"
            "Nothing found; the map is unchanged."
        )
        near = suggestions(folder, stamp, selection_key(sel))
        if near:
            sb.caption("您是不是要找 Did you mean:")
        for fid, name, why in near:
            sb.button(
                markdown_text(name, limit=60),
                key=f"suggest_{fid}",
                on_click=use_suggestion,
                args=(name,),
                help=why,
            )
        return
    ss._hit_reasons = {fid: reason for fid, _rank, reason in hits}
    shown = [fid for fid, _rank, _reason in hits[:MAX_HITS]]
    if ss.get("hit_pick") not in shown:
        ss.hit_pick = None
    sb.radio(
        f"搜索结果 {len(hits)} 处（按匹配程度）Hits, best first",
        options=shown,
        format_func=lambda fid: markdown_text(
            f"{feature_label(gdf, fid)} · {ss._hit_reasons.get(fid, '')}", limit=80
        ),
        key="hit_pick",
        index=None,
        on_change=on_hit_pick,
    )
    if len(hits) > MAX_HITS:
        sb.caption(f"另有 {len(hits) - MAX_HITS} 处见“结果”表。{len(hits) - MAX_HITS} more in Results.")


def choose(
    sb: Any, label: str, key: str, options: Iterable[str], format_func: Callable[[str], str],
    help: str | None = None,
) -> None:
    """A filter's multiselect, with a Chinese-first placeholder and no "select all" (its
    built-in text is English only), starting from the page's link (:func:`landing`)."""
    options = list(options)
    sb.multiselect(
        label,
        options=options,
        default=[v for v in landing(key) if v in options] or None,
        format_func=format_func,
        key=key,
        placeholder=CHOOSE,
        select_all=False,
        help=help,
    )


def sidebar(
    gdf: gpd.GeoDataFrame | None, options: appstate.Options, sel: Selection, folder: str,
    stamp: tuple, layer: Any = None,
) -> None:
    """Filters, basemap and the user's own layer (``layer``: what :func:`own_layer` read, whose
    problems and notes the upload box shows)."""
    sb = st.sidebar
    sb.header("筛选 Filter")
    sb.text_input(
        "搜索 Search",
        key="q",
        value=landing("q"),
        max_chars=appstate.MAX_QUERY_CHARS,
        placeholder="地名、别称或规划原文，如 生物医药",
        help="Names, aliases and the plans' own words; industry synonyms count too.",
    )
    if gdf is not None and sel.query:
        search_hits(gdf, folder, stamp, sel, sb)
    formats = option_formats(gdf)
    choose(sb, "规划 Plans", "plans", options.plans, formats["plans"])
    if not sel.plans:
        # Disabled: Streamlit drops the value a browser sends for a disabled widget and sends
        # the widget again with its own (``set_value``) on every run. Set it here, the same
        # on every run, and the widget is the same message each time (sent as a reference).
        ss.linked = widget_value("linked")
    sb.toggle(
        "含仅提及的地点 Include linked places",
        key="linked",
        value=landing("linked"),
        disabled=not sel.plans,
        help="规划仅顺带提及或关联、不在其布局内的地点。"
        "Places the chosen plans only name in passing or link to, outside their own layout.",
    )
    counts = pd.Series(dtype=int)
    if gdf is not None:  # facet counts: what each tag would show under the other filters
        counts = facet_counts(folder, stamp, selection_key(sel.with_(industries=())))

    def industry_label(tag: str) -> str:
        return f"{formats['industries'](tag)} ({int(counts.get(tag, 0))})"

    choose(
        sb, "产业 Industries", "industries", options.industries, industry_label,
        help="括号内为当前其他筛选条件下的地点数。Counts under the other filters.",
    )
    choose(sb, "类型 Roles", "roles", options.roles, formats["roles"])
    choose(
        sb, "产业集群 Clusters（花都 表5-1）", "clusters", options.clusters, formats["clusters"],
        help="选中集群即显示其核心园区。A cluster shows with its core parks.",
    )
    sb.button("清除筛选 Clear filters", on_click=clear_filters, key=CLEAR_KEY)
    sb.divider()
    sb.segmented_control(
        "着色 Colour by",
        options=list(RULES),
        format_func=formats["colour_by"],
        key="colour_by",
        default=landing("colour_by"),
        required=True,
        help="符号与面的填色：按产业，或按安置它的规划（多个规划者另色）；简报图同样着色。"
        "Fill of symbols and areas: by industry, or by the plan placing it (several plans: "
        "one colour); the briefing map follows.",
    )
    choices = dict(basemap_choices())
    keys = list(choices)
    sb.selectbox(
        "底图 Basemap",
        options=keys,
        index=keys.index(landing("basemap")) if landing("basemap") in keys else 0,
        format_func=lambda k: choices.get(k, k),
        key="basemap",
        help="离线时底图瓦片无法加载，地图改画离线底图（水系、道路、铁路、机场）。"
        "Offline, tiles don't load: the map draws the offline basemap (water, roads, rail).",
    )
    if ss.get("basemap") != NO_TILES:
        sb.caption(
            "底图瓦片需联网；无法加载时自动改用“离线底图”。"
            "Tiles need internet; without them the map draws the offline basemap."
        )
    own_layer_box(sb, layer)


def own_layer() -> Any:
    """The layer read from the file in the sidebar's 我的图层 box, or None without a file.

    It is read before the map, which overlays it and is drawn ahead of the sidebar. The box's
    file is the widget's value from the browser, there before the widget is drawn again.
    """
    file = ss.get("upload")
    if file is None:
        forget_upload()
        return None
    status = st.sidebar.empty()

    def queued(waiting: int) -> None:  # every worker busy: say so while the file waits
        status.info(
            f"排队中 Queued… 服务器正在读取其他上传，本文件排第 {waiting} 位。"
            f"Other uploads are being read; yours is number {waiting} in the queue."
        )

    try:
        return read_upload(file.getvalue(), file.name, on_queued=queued)
    finally:
        status.empty()


def own_layer_box(sb: Any, layer: Any) -> None:
    """The upload box and what became of its file: problems, notes, features overlaid."""
    from spatial.uploads import reader

    # Built only while open or holding a file (opening it reruns the script): a new page
    # then loads no upload scripts, and a folded box with a file keeps it.
    box = sb.expander("我的图层 Own layer", key="own_box", on_change="rerun")
    if not box.open and ss.get("upload") is None:
        return
    with box:
        limit_mib = reader.MAX_UPLOAD_BYTES / 1024 / 1024
        # No `type=` filter: a wrong file type gets the reader's own message below, in the same
        # place as every other refusal, instead of the widget's easily missed English one.
        st.file_uploader(
            f"GeoJSON / GeoPackage（≤ {limit_mib:g} MiB，仅本次会话 this session only）",
            key="upload",
            help=reader.limits_text(),
        )
        if layer is None:
            return
        for problem in layer.problems:  # they quote file and layer names: plain text
            st.error(markdown_text(problem))
        for note in capped_notes(getattr(layer, "notes", []), max_chars=300):
            st.info(note)
        if layer.ok:
            st.success(f"已叠加 {len(layer.gdf)} 个要素。Overlaid {len(layer.gdf)} features.")
