"""The page switch (地图 / 规划衔接 / 这里规划了什么) and the pages other than the map.

Each page keeps its choices in the URL (:mod:`app.viewparams`); the map page keeps its own
(:mod:`app.appstate`), and they stay there while another page is open, so a link or Back and
Forward bring both back. In the session, a page's widgets are not drawn while another page is
open: Streamlit would forget their values, and a widget drawn again would show its default (and
send it back on the next run) unless its value is set in the very run that draws it. So every
page's values are carried through each run (:func:`carry_pages`) and handed back to its widgets
in the run that opens it again.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from app.state import current_state, sync_url, url_params, widget_value
from app.viewparams import VIEWS, ViewParams
from spatial.plaintext import capped_notes

ss = st.session_state

#: Each page's widget (and widget-like) values, kept while another page is open.
PAGE_KEYS: dict[str, tuple[str, ...]] = {
    "map": (
        "plans", "industries", "roles", "clusters", "segment", "q", "linked", "basemap",
        "colour_by", "node", "walk_pick", "panel_tab",
    ),
    "alignment": ("align_target", "align_level"),
    "here": ("here_mode", "here_at_text", "here_gcj02", "here_radius", "here_area_pick"),
}


def ignored_from_link(notes: list[str]) -> str:
    """The warning for values a link gave that were ignored, on every page.

    Each note quotes the link, so each is escaped for Streamlit Markdown (and cut, and at most
    a few listed) by :func:`spatial.plaintext.capped_notes`: the one way link text reaches a
    page.
    """
    return "链接中的部分参数无效，已忽略 Ignored from the link: " + "; ".join(capped_notes(notes))


def page_switch() -> str:
    """The page switch; on the first run it opens the page the URL names. Returns the page."""
    if not ss.get("_pages_init"):
        params, notes = ViewParams.from_query(url_params())
        if "_landing_page" not in ss:  # a new page: the switch starts there (see init_state)
            ss._landing_page = params.view
        else:
            ss.page = params.view
        ss.align_target = params.target
        ss._here_params = params
        ss._pages_init = True
        if notes:
            st.warning(ignored_from_link(notes))
    if "page" in ss and ss.page not in VIEWS:
        ss.page = "map"
    st.segmented_control(
        "页面 Page",
        options=list(VIEWS),
        default=ss._landing_page if ss.get("_landing_page") in VIEWS else "map",
        format_func=VIEWS.get,
        key="page",
        label_visibility="collapsed",
        on_change=_keep_page,
    )
    ss._last_page = ss.page
    carry_pages(ss.page)
    return ss.page


def carry_pages(view: str) -> None:
    """Keep the values of the pages not drawn in this run, and give the page that opens again
    its values back (before its widgets are drawn)."""
    reopened = ss.get("_drawn_page") != view
    for page, keys in PAGE_KEYS.items():
        if page == view and not reopened:
            continue
        for key in keys:
            if key in ss:
                ss[key] = ss[key]
    ss._drawn_page = view


def _keep_page() -> None:
    if ss.get("page") is None:  # clicking the open page again deselects it: stay there
        ss.page = ss.get("_last_page") or "map"


def other_page(view: str, gdf: gpd.GeoDataFrame | None, folder: str, stamp: tuple) -> None:
    """Draw the 规划衔接 or 这里规划了什么 page and put its choices in the URL, after the map
    page's (which the link keeps for the way back)."""
    if gdf is None:
        st.info("还没有图层：请先运行 `gzmap build-layers`。No layers built yet.")
        return
    basemap = str(widget_value("basemap") or "")
    if view == "alignment":
        from app.alignment_view import alignment_page

        target = alignment_page(gdf, folder, stamp, basemap)
        params = ViewParams(view="alignment", target=target)
    else:
        from app.here_view import here_page, init_from_url

        if ss.get("_here_params") is not None:
            init_from_url(ss._here_params)
            ss._here_params = None
        params = here_page(gdf, folder, stamp, basemap)
    sync_url(current_state(), params)
