"""The page switch (地图 / 规划衔接 / 这里规划了什么) and the pages other than the map.

Each page keeps its choices in the URL (:mod:`app.viewparams`); the map page keeps its own
(:mod:`app.appstate`). While another page is open the map page's widgets are not drawn, so
their values are carried over here, ready for the way back.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from app.state import sync_url, url_params
from app.viewparams import VIEWS, ViewParams
from spatial.plaintext import capped_notes

ss = st.session_state

#: The map page's widget values to keep while another page is open.
MAP_KEYS = ("plans", "industries", "roles", "clusters", "segment", "q", "basemap", "node")


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
        ss.page = params.view
        ss.align_target = params.target
        ss._here_params = params
        ss._pages_init = True
        if notes:
            st.warning(ignored_from_link(notes))
    if ss.get("page") not in VIEWS:
        ss.page = "map"
    st.segmented_control(
        "页面 Page",
        options=list(VIEWS),
        format_func=VIEWS.get,
        key="page",
        label_visibility="collapsed",
        on_change=_keep_page,
    )
    ss._last_page = ss.page
    return ss.page


def _keep_page() -> None:
    if ss.get("page") is None:  # clicking the open page again deselects it: stay there
        ss.page = ss.get("_last_page") or "map"


def other_page(view: str, gdf: gpd.GeoDataFrame | None, folder: str, stamp: tuple) -> None:
    """Draw the 规划衔接 or 这里规划了什么 page and put its choices in the URL."""
    for key in MAP_KEYS:
        if key in ss:
            ss[key] = ss[key]
    if gdf is None:
        st.info("还没有图层：请先运行 `gzmap build-layers`。No layers built yet.")
        return
    basemap = ss.get("basemap") or ""
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
    sync_url(params)
