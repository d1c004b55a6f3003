"""The app's state: widget callbacks, URL → widgets on the first run, widgets → URL on every
run."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from app import appstate
from app.viewparams import ViewParams
from spatial.query.features import (
    Selection,
    step,
)
from spatial.symbology import DEFAULT_RULE, RULES

ss = st.session_state
PLACE_TAB = "地点 Place"
LIST_KEYS = ("plans", "industries", "roles", "clusters")


# -- callbacks (run before the script, so they may set widget state) -------------------------------


def open_node(fid: str | None) -> None:
    """Open a feature's panel; the walk list follows when the feature is on the walk."""
    ss.node = fid
    ss.pop("_own_pick", None)  # the panel shows a place now, not a feature of the own layer
    if fid:
        ss.panel_tab = PLACE_TAB  # the panel shows the place just opened
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
    """A click on the map (the client's ``click`` event): ``{"id": …}`` a feature, opened; or,
    while the open place's 建议修改 form takes a position, ``{"lat", "lng", "pick"}`` anywhere,
    which the form takes (``take_map_click``) instead of opening what lies there."""
    from app.sitepick import main_map_is_gcj02, picked_position, take_map_click

    clicked = (ss.get("map") or {}).get("click")
    at = picked_position(clicked)
    if at is not None and take_map_click(*at, gcj02=main_map_is_gcj02()):
        return
    fid = clicked.get("id") if isinstance(clicked, dict) else None
    if isinstance(fid, str) and fid in ss.get("_all_ids", ()):
        open_node(fid)


def on_map_need() -> None:
    """The map client lacks what it was told it holds — the uploaded layer (``{own: key}``),
    or what its loader keeps (``{kept: true}``: the files, the URL's keys): send it all again."""
    ss._own_needed = True
    ss._map_sent = {}


def on_hit_pick() -> None:
    """A search hit was chosen: open it (the map zooms to it)."""
    if ss.get("hit_pick"):
        open_node(ss.hit_pick)


def on_table_pick() -> None:
    """A row, or a cell of it (a click on the name), was picked in the results table."""
    picked = ss.get("results", {}).get("selection", {})
    rows = list(picked.get("rows", [])) + [cell[0] for cell in picked.get("cells", [])]
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
    """Every filter back to none. Only the widgets whose value changes are written: a widget
    written by the app is sent again in full (its value with it), an unchanged one is not."""
    for key, empty in [*((k, []) for k in LIST_KEYS), ("q", ""), ("segment", "")]:
        if widget_value(key) != empty:
            ss[key] = empty
    ss.node = None
    ss.walk_pick = None


# -- state: URL → widgets on first run, widgets → URL on every run ---------------------------------


def url_params() -> dict[str, list[str]]:
    """The page's URL query, as lists of values."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def history_navigation() -> bool:
    """Whether this run is the browser's Back or Forward (Streamlit 1.67 marks such a run; a
    run under ``AppTest`` is never marked)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    return bool(getattr(get_script_run_ctx(), "is_history_navigation", False))


#: The map page's widgets and the value each has when nothing chose another.
WIDGET_DEFAULTS: dict[str, object] = {
    "plans": [], "industries": [], "roles": [], "clusters": [], "segment": "", "q": "",
    "linked": False, "basemap": appstate.APP_BASEMAP, "colour_by": DEFAULT_RULE,
}


def landing(key: str) -> object:
    """The value the map page's widget ``key`` starts from: what the link that opened the
    page gave it, else its default. The widgets are drawn with it as their default."""
    return ss.get("_landing", {}).get(key, WIDGET_DEFAULTS[key])


def widget_value(key: str) -> object:
    """The map page's widget ``key`` as it stands (before it is drawn in this run, too)."""
    return ss[key] if key in ss else landing(key)


def init_state(options: appstate.Options, gdf: gpd.GeoDataFrame | None) -> None:
    """The view the URL names. On a new page its values become the widgets' defaults and no
    widget state is written: a value written by the script is sent with the widget
    (``set_value``), so the next run's widget would differ from the page's and be sent again
    in full. Later (Back, Forward) the URL's values are written into the widgets."""
    state, notes = appstate.sanitize(appstate.AppState.from_query(url_params()), options, gdf)
    sel = state.selection
    values = {
        "plans": list(sel.plans), "industries": list(sel.industries), "roles": list(sel.roles),
        "clusters": list(sel.clusters), "segment": sel.segment or "", "q": sel.query,
        "linked": sel.linked, "basemap": state.basemap, "colour_by": state.colour_by,
    }
    if "_landing" not in ss:
        ss._landing = values
    else:
        for key, value in values.items():
            ss[key] = value
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
    landed = ss.get("_landing", {})
    for key, values in allowed.items():
        if key in landed:
            landed[key] = [v for v in landed[key] if v in values]
        current = ss.get(key, [])
        kept = [v for v in current if v in values]
        if kept != current:
            ss[key] = kept
    if landed.get("segment") and landed["segment"] not in options.segments:
        landed["segment"] = ""
    if landed.get("basemap") not in (None, *options.basemaps):
        landed["basemap"] = appstate.APP_BASEMAP
    if ss.get("segment") and ss.segment not in options.segments:
        ss.segment = ""
    if ss.get("node") and ss.node not in options.nodes:
        ss.node = None
    if "basemap" in ss and ss.basemap not in options.basemaps:
        ss.basemap = appstate.APP_BASEMAP
    if "colour_by" in ss and ss.colour_by not in RULES:
        ss.colour_by = DEFAULT_RULE


def current_state() -> appstate.AppState:
    value = widget_value
    sel = Selection(
        plans=tuple(value("plans")),
        industries=tuple(value("industries")),
        roles=tuple(value("roles")),
        clusters=tuple(value("clusters")),
        segment=value("segment") or None,
        query=(value("q") or "").strip()[: appstate.MAX_QUERY_CHARS],
        linked=bool(value("linked")),
    )
    return appstate.AppState(
        selection=sel, node=ss.get("node"), basemap=value("basemap"),
        colour_by=value("colour_by") or DEFAULT_RULE,
    )


def sync_url(state: appstate.AppState, page: ViewParams | None = None) -> None:
    """Put the map page's view, then the open page's choices, in the URL (untouched when it
    already says the same, so a run that changes nothing adds no history entry)."""
    wanted = state.to_query()
    if page is not None:
        wanted.update(page.to_query())
    current = {k: st.query_params.get(k) for k in st.query_params}
    if wanted != current:
        st.query_params.from_dict(wanted)
