"""The 这里规划了什么 page: click the map or type a lon/lat (WGS84 or Amap's GCJ-02), read
every plan element covering or near the point with the plans' words; or take a study area (a
polygon of the own layer, or a file given here) and read every element meeting it."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from app.data import get_layers
from app.excerpts import evidence_block, safe_html
from app.map import page_map
from app.viewparams import ViewParams
from spatial.geo.basemaps import NO_TILES, get_basemap
from spatial.geo.coords import gcj02_to_wgs84
from spatial.plaintext import markdown_text
from spatial.query.here import (
    DEFAULT_RADIUS_M,
    HereElement,
    HereResult,
    parse_lonlat,
    plan_short,
    what_is_here,
)
from spatial.webmap.pages import here_legend_html, here_map

ss = st.session_state
MAP_HEIGHT = 520
RADII = (0, 500, 1000, 1500, 2000, 3000, 5000, 10000, 20000)


def _on_click() -> None:
    basemap = ss.get("_here_basemap", NO_TILES)
    clicked = (ss.get("here_map") or {}).get("last_clicked")
    if not clicked:
        return
    lon, lat = float(clicked["lng"]), float(clicked["lat"])
    if basemap != NO_TILES and get_basemap(basemap).crs == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)  # the map is drawn in Amap's datum
    ss.here_at_text = f"{lon:.6f}, {lat:.6f}"
    ss.here_gcj02 = False


@st.cache_data(max_entries=32, show_spinner=False)
def _what_is_here(
    folder: str, stamp: tuple, lon: float, lat: float, radius_m: float, gcj02: bool
) -> HereResult:
    """What is at a point, once per point, radius and layer version (it measures every
    feature in metres)."""
    return what_is_here(get_layers(folder, stamp), lon, lat, radius_m=radius_m, gcj02=gcj02)


class _Ev:
    """An excerpt in the shape :func:`evidence_block` reads."""

    def __init__(self, exc: dict[str, str]) -> None:
        self.text = exc["text"]
        self.section = exc["section"]
        self.feature_name = plan_short(exc["plan"])


def _element(el: HereElement) -> None:
    where = "覆盖此点 covers the point" if el.contains else f"{el.distance_m:,.0f} m"
    if el.within_precision:
        where = f"点位 {el.distance_m:,.0f} m，在其位置精度内 within its stated precision"
    notes = []
    if el.derived:
        notes.append("范围由成员推算 area derived from its members")
    if el.precision_m:
        notes.append(f"位置精度 ±{el.precision_m:,.0f} m")
    label = markdown_text(f"{el.name} · {el.role_label} · {where}")
    with st.expander(label, expanded=el.contains or el.within_precision):
        if notes:
            st.caption(" · ".join(notes))
        evidence_block([_Ev(e) for e in el.excerpts], show_place=True)


def init_from_url(params: ViewParams) -> None:
    """Put the URL's point into the widgets (first run only)."""
    if params.at:
        ss.here_at_text = f"{params.at[0]:.6f}, {params.at[1]:.6f}"
    ss.here_gcj02 = params.gcj02
    ss.here_radius = min(RADII, key=lambda r: abs(r - params.radius_m))


def here_page(gdf: gpd.GeoDataFrame, folder: str, stamp: tuple, basemap: str) -> ViewParams:
    """Draw the page; returns its part of the URL."""
    ss.setdefault("here_mode", "point")
    st.segmented_control(
        "查询 Ask about",
        options=["point", "area"],
        format_func=lambda k: "一个点 A point" if k == "point" else "一片区域 A study area",
        key="here_mode",
        required=True,
        label_visibility="collapsed",
    )
    if ss.here_mode == "area":
        from app.area_view import area_panel

        area_panel(gdf)
        return ViewParams(view="here")
    ss.setdefault("here_at_text", "")
    ss.setdefault("here_gcj02", False)
    ss.setdefault("here_radius", int(DEFAULT_RADIUS_M))
    c1, c2, c3 = st.columns([3, 1, 2])
    c1.text_input(
        "经纬度 Lon, lat",
        key="here_at_text",
        max_chars=60,
        placeholder="113.366, 23.062 — 或点击地图 or click the map",
    )
    c2.checkbox(
        "高德坐标 GCJ-02", key="here_gcj02", help="从高德地图复制的坐标（GCJ-02），将换算为 WGS84"
    )
    c3.select_slider("半径 Radius (m)", options=RADII, key="here_radius")
    point = None
    result = None
    if ss.here_at_text.strip():
        try:
            point = parse_lonlat(ss.here_at_text)
            result = _what_is_here(
                folder, stamp, *point, radius_m=float(ss.here_radius), gcj02=bool(ss.here_gcj02)
            )
        except ValueError as exc:
            st.warning(markdown_text(exc, limit=300))  # it quotes what was typed
            point = None
    map_col, side_col = st.columns([3, 2], gap="medium")
    ss._here_basemap = basemap or NO_TILES
    with map_col:
        if result is not None:
            st.markdown(here_legend_html(result.radius_m), unsafe_allow_html=True)
        page_map(
            here_map, gdf, result, basemap, key="here_map", height=MAP_HEIGHT,
            returned=["last_clicked"], on_change=_on_click,
        )
    with side_col:
        if result is None:
            st.info(
                "点击地图或输入经纬度，查看覆盖或邻近该点的规划要素及原文。"
                "Click the map or type a lon/lat to see what the plans say there."
            )
        else:
            st.markdown(
                f"**{safe_html(result.district or '不在广州市范围内 outside Guangzhou')}** · "
                f"WGS84 {result.lon:.6f}, {result.lat:.6f}"
            )
            st.markdown(
                f"**此处 Here**（{len(result.covering)}）：覆盖此点，或点位在其精度内 "
                "covering the point, or drawn within their stated precision of it"
            )
            for el in result.covering:
                _element(el)
            if not result.covering:
                st.caption("此处没有规划要素。No plan element is here.")
            st.markdown(
                f"**{result.radius_m:,.0f} 米内 Within {result.radius_m:,.0f} m**"
                f"（{len(result.nearby)}）"
            )
            for el in result.nearby:
                _element(el)
            if not result.nearby:
                st.caption("半径内没有其他规划要素。Nothing else within the radius.")
    return ViewParams(
        view="here", at=point, gcj02=bool(ss.here_gcj02), radius_m=float(ss.here_radius)
    )
