"""The page: title, link notes, sidebar, map column and side panel, URL kept in sync."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import streamlit as st

from app import appstate
from app.browser_notices import watch_connection
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
from app.filters import own_layer, ranked_hits, search_missed, sidebar
from app.map import COUNT_TEXT, draw_map
from app.maptools import own_feature_panel
from app.pages import PAGE_KEYS, ignored_from_link, other_page, page_switch
from app.panel import axis_walk, node_panel
from app.printview import maybe_print_dialog
from app.results import download_panel, overview_panel, results_table
from app.state import (
    PLACE_TAB,
    WIDGET_DEFAULTS,
    current_state,
    history_navigation,
    init_state,
    keep_valid,
    sync_url,
    url_params,
)
from spatial.query import unsited
from spatial.query.features import plan_view

ss = st.session_state
TITLE = "广州“十四五”科技创新规划地图"
#: What the URL carries, as the widgets (and the place open) hold it on every page.
URL_CHOICES = (*WIDGET_DEFAULTS, "node", "page", "align_target", *PAGE_KEYS["here"])
PANEL_TABS = (PLACE_TAB, "结果 Results", "概览 Overview", "下载 Download")

#: The map fills the window's height beside a panel that scrolls on its own; on a phone (the
#: columns stacked) the map takes 60 % of the height, so the page shows what follows it,
#: and the panel is part of the page.
PAGE_CSS = """<style>
:root { --gz-h: max(440px, calc(100vh - 7rem)); }
[data-testid="stMainBlockContainer"] { padding: 3.2rem 1.2rem 0 1.2rem; max-width: 100%; }
[data-testid="stSidebarHeader"] { height: 2.5rem; }
.gz-title { font-size: 1.05rem; line-height: 1.6rem; padding-top: 0.35rem; white-space: nowrap;
            overflow: hidden; text-overflow: ellipsis; }
.gz-title span { color: #666; font-size: 0.8rem; margin-left: 0.8rem; }
.st-key-gz_watcher { display: none; }
.st-key-gz_panel { height: var(--gz-h) !important; max-height: var(--gz-h); overflow-y: auto;
                   overflow-x: hidden; padding-right: 0.4rem; flex-wrap: nowrap; }
/* a phone: the page switch spans the width, each label wraps inside its own button; the map
   leaves room for the page to scroll, the panel follows the map */
@media (max-width: 640px) {
  :root { --gz-h: min(60vh, 520px); }
  .st-key-gz_panel { height: auto !important; max-height: none; overflow-y: visible; }
  .gz-title { white-space: normal; }
  .st-key-page, .st-key-page [data-testid="stButtonGroup"] { width: 100% !important; }
  .st-key-page [role="radiogroup"] { width: 100%; overflow: visible; }
  .st-key-page button { flex: 1 1 auto; min-width: 0; height: auto; padding: 0.25rem 0.35rem; }
  .st-key-page button p { white-space: normal; line-height: 1.25; text-align: center;
                          font-size: 0.85rem; }
}
</style>"""


def close_link_notes() -> None:
    ss._url_notes = []


def link_notes() -> None:
    """What the link asked for that could not be shown; stays until the user closes it."""
    if not ss.get("_url_notes"):
        return
    note, close = st.columns([9, 1], vertical_alignment="center")
    note.warning(ignored_from_link(ss._url_notes))  # link text is never markup
    close.button("✕", key="close_link_notes", on_click=close_link_notes, help="关闭 Close")


def main() -> None:
    """The page. A URL that differs from the one the last run left (browser Back or Forward,
    which rerun the script with the history entry's URL) is read again, as on a first visit,
    so Back and Forward walk the views; every view change is a history entry.

    The URL a run starts from is noted before anything else: a run cut short by the next
    action (a second Back while the first one's page is still being drawn) must not leave the
    URL of the run before it, or the next run would take the new URL for one it already shows.

    A run the user started with a widget (or a button's callback) is never Back or Forward,
    even with an old URL: a second change made before the first one's URL has reached the
    browser (a slow link, two quick clicks) comes with the URL from before the first. A URL
    that differs is read again when Streamlit marks the run as Back or Forward
    (:func:`app.state.history_navigation`), or, where it cannot (``AppTest``), when no choice
    the URL carries has changed since the last run (:func:`choices`).
    """
    url = url_params()
    moved = ss.get("_synced") is not None and url != ss._synced
    if ss.get("_init") and moved and (history_navigation() or choices() == ss.get("_choices")):
        ss._init = False
        ss._pages_init = False
    ss._synced = url
    page()
    ss._synced = url_params()
    ss._choices = choices()
    watch_connection()  # last on the page: a lost connection shows 正在重新连接, then reloads


def choices() -> tuple[str, ...]:
    """What the user has chosen that the URL carries: the same as at the end of the last run
    unless a widget or a callback changed it (a tab, a walk's pick, which the URL does not
    carry, are left out)."""
    return tuple(repr(ss.get(k)) for k in URL_CHOICES)


def page() -> None:
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

    st.markdown(PAGE_CSS, unsafe_allow_html=True)
    # the title (written once the count is known) and the page switch, one row: a container
    # rather than two columns, as a rerun sends each block again
    top = st.container(horizontal=True, vertical_alignment="center", gap="small")
    title_col = top.empty()
    with top:
        view = page_switch()
    if gdf is None:
        st.info("还没有图层：请先运行 `gzmap build-layers`。No layers built yet: run `gzmap build-layers`.")
    if view != "map":
        title_col.markdown(f"<div class='gz-title'><b>{TITLE}</b></div>", unsafe_allow_html=True)
        other_page(view, gdf, str(folder), stamp)
        return

    typed = current_state()
    state = typed
    if gdf is not None and search_missed(str(folder), stamp, typed.selection):
        state = replace(typed, selection=typed.selection.with_(query=""))  # the map as it was
    layer = own_layer()
    shown = None
    if gdf is not None:
        shown = gdf.loc[selected_ids(str(folder), stamp, selection_key(state.selection))]
        shown = plan_view(shown, state.selection.plans)  # each plan's own roles
    named = unsited.select_unsited(register, state.selection)  # no site: listed, never drawn
    total = 0 if gdf is None else len(gdf)
    count = COUNT_TEXT.format(shown=0 if shown is None else len(shown), total=total)
    title_col.markdown(
        f"<div class='gz-title'><b>{TITLE}</b><span>{count}</span></div>", unsafe_allow_html=True
    )

    map_col, side_col = st.columns([3, 2], gap="small")
    # The map first: its message, the page's largest, reaches the browser ahead of the
    # sidebar and the panel (~0.2 s sooner on a new page), and its frame starts loading with
    # them. Every input of the map is known here: widgets and buttons act through their
    # callbacks, which run before the script.
    with map_col:
        draw_map(gdf, state, layer if layer is not None and layer.ok else None, str(folder),
                 stamp, named)
    sidebar(gdf, options, typed.selection, str(folder), stamp, layer)
    panel = side_col.container(key="gz_panel")
    with panel:
        link_notes()
        if gdf is not None:
            axis_walk(gdf, options)
    with panel:
        if gdf is not None and shown is not None:
            place, results, chart, files = st.tabs(
                list(PANEL_TABS), key="panel_tab", on_change="rerun"
            )
            # Only the open tab is built and sent (a tab click reruns the script): a
            # hidden results table or chart would cost server time and, in the browser,
            # their scripts and a redraw on every change, on the thread that draws the map.
            if place.open:
                with place:
                    node = ss.get("node")
                    # a feature of the own layer clicked, else the place open (or none)
                    if node or not own_feature_panel(layer):
                        if node and node in gdf.index and node not in shown.index:
                            st.info("此地点不在当前筛选结果中，仍为您打开。"
                                    "This place is outside the current filters; opened anyway.")
                        node_panel(gdf, node, register)
            if results.open:
                with results:
                    if not named.empty:
                        st.caption(unsited.counts_line(named))
                    if shown.empty and named.empty:
                        st.info("没有符合条件的地点。No places match these filters.")
                    reasons = None
                    if state.selection.query:
                        hits = ranked_hits(str(folder), stamp, selection_key(state.selection))
                        reasons = {fid: reason for fid, _rank, reason in hits}
                    results_table(gdf, shown, named, reasons)
            if chart.open:
                with chart:
                    overview_panel(str(folder), stamp, state.selection, named)
            if files.open:
                with files:
                    download_panel(shown, state, named, str(folder), stamp)
    maybe_print_dialog(state)
    sync_url(current_state())
