"""Web maps of the 规划衔接 and 这里规划了什么 pages (folium; no Streamlit).

Places are coloured by alignment status (:data:`spatial.query.alignment.STATUS_COLORS`), the same
colours as the print briefing, and named as on the main map (the client places the names,
:func:`spatial.webmap.labels.label_items`; district names above the markers). Tooltips are
:func:`spatial.webmap.tooltip_html` (escaped, the feature id hidden in them), so a click is
recognised exactly as on the main map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from spatial.geo.basemaps import NO_TILES, get_basemap, shift_to_basemap
from spatial.geo.coords import wgs84_to_gcj02
from spatial.plaintext import esc, text_of
from spatial.query.alignment import (
    AREA_ROLES,
    DISTRICT_ONLY,
    STATUS_COLORS,
    STATUS_LABELS,
    Alignment,
    status_frame,
)
from spatial.query.here import HereResult
from spatial.webmap._geom import _point_of
from spatial.webmap.labels import label_items
from spatial.webmap.leaflet import _Names, _Scale, _TouchPan
from spatial.webmap.map import GUANGZHOU_BOUNDS, GUANGZHOU_CENTER, use_leaflet_only
from spatial.webmap.popups import tooltip_html

__all__ = ["HERE_COLORS", "alignment_map", "here_legend_html", "here_map", "status_legend_html"]

#: The 这里规划了什么 map's colours: areas covering the point, and elements near it.
HERE_COLORS = {"covering": "#2166ac", "nearby": "#d6604d", "point": "#111111"}

_DISTRICT_STYLE = {"color": "#555555", "weight": 1, "fill": False}
#: Radius of a place's marker (px): its name keeps clear of it.
_MARKER_PX = 7
_FOCUS_STYLE = {"color": "#222222", "weight": 2.5, "fillColor": "#f2f2f2", "fillOpacity": 0.35}


def _base_map(basemap: str, asset_base: str | None) -> folium.Map:
    m = folium.Map(location=list(GUANGZHOU_CENTER), zoom_start=10, tiles=None)
    use_leaflet_only(m, asset_base)
    _Scale().add_to(m)
    _TouchPan().add_to(m)
    folium.map.CustomPane("gzDistrictNames", z_index=630, pointer_events=False).add_to(m)
    if basemap != NO_TILES:
        folium.TileLayer(**get_basemap(basemap).folium_kwargs(), control=False).add_to(m)
        if overlay := get_basemap(basemap).overlay_kwargs():  # 天地图's annotation
            folium.TileLayer(**overlay, control=False).add_to(m)
    return m


def _add_names(m: folium.Map, shown: gpd.GeoDataFrame) -> None:
    """Name the features drawn, as the main map does (the client places the names)."""
    if shown.empty:
        return
    points = [g for g in shown.geometry if g is not None and g.geom_type == "Point"]
    symbols = [[round(g.y, 6), round(g.x, 6), _MARKER_PX] for g in points]
    _Names(label_items(shown[["name", "role", "geometry"]], _MARKER_PX), symbols).add_to(m)


def _add_districts(
    m: folium.Map, districts: gpd.GeoDataFrame | None, focus: str | None, basemap: str
) -> None:
    if districts is None or districts.empty:
        return
    shown = shift_to_basemap(districts[["name", "geometry"]], basemap)
    folium.GeoJson(
        shown.__geo_interface__,
        name="行政区 Districts",
        style_function=lambda f: (
            _FOCUS_STYLE if f["properties"]["name"] == focus else _DISTRICT_STYLE
        ),
        interactive=False,
    ).add_to(m)
    for name, geom in zip(shown["name"], shown.geometry, strict=True):  # above the markers
        if geom is None or geom.is_empty:
            continue
        folium.Marker(
            list(_point_of(geom)),
            icon=folium.DivIcon(html=f"<div>{esc(text_of(name))}</div>", icon_size=(0, 0),
                                class_name="gz-district-label"),
            interactive=False, keyboard=False, pane="gzDistrictNames",
        ).add_to(m)


def _add_feature(m: folium.Map, row: Mapping[str, Any], geom: BaseGeometry, color: str) -> None:
    tip = folium.Tooltip(tooltip_html(row), sticky=True)
    gtype = geom.geom_type
    if gtype in ("Polygon", "MultiPolygon"):
        area_like = row.get("role") in AREA_ROLES
        folium.GeoJson(
            geom.__geo_interface__,
            style_function=lambda _f, c=color, a=area_like: {
                "color": c,
                "weight": 2,
                "dashArray": "6 4" if a else None,
                "fillColor": c,
                "fillOpacity": 0.12 if a else 0.3,
            },
            tooltip=tip,
        ).add_to(m)
    elif gtype in ("LineString", "MultiLineString"):
        folium.GeoJson(
            geom.__geo_interface__,
            style_function=lambda _f, c=color: {"color": c, "weight": 4, "opacity": 0.9},
            tooltip=tip,
        ).add_to(m)
    else:
        pt = geom if gtype == "Point" else geom.representative_point()
        folium.CircleMarker(
            [pt.y, pt.x],
            radius=_MARKER_PX,
            color="#1a1a1a",
            weight=1,
            fill=True,
            fill_color=color,
            fill_opacity=0.95,
            tooltip=tip,
        ).add_to(m)


#: The closest a frame zooms in: a frame of one point has no size, and a map without tiles
#: has no zoom limit of its own, so Leaflet would zoom in without end (a NaN centre, no map).
FIT_MAX_ZOOM = 16


def _fit(m: folium.Map, frame: gpd.GeoDataFrame) -> None:
    if frame.empty:
        return
    west, south, east, north = frame.total_bounds
    m.fit_bounds([[south, west], [north, east]], padding=(20, 20), max_zoom=FIT_MAX_ZOOM)


def status_legend_html() -> str:
    """A small HTML legend of the three statuses (escaped labels)."""
    rows = "".join(
        f"<span style='display:inline-block;margin-right:12px'>"
        f"<span style='display:inline-block;width:12px;height:12px;border-radius:6px;"
        f"background:{STATUS_COLORS[s]};border:1px solid #1a1a1a;vertical-align:middle'></span> "
        f"{esc(zh)} {esc(en)}</span>"
        for s, (zh, en) in STATUS_LABELS.items()
    )
    return f"<div style='font-size:0.85rem'>{rows}</div>"


def here_legend_html(radius_m: float) -> str:
    """Legend of the 这里规划了什么 map."""
    items = (
        (HERE_COLORS["covering"], "覆盖此点的范围 areas covering the point"),
        (HERE_COLORS["nearby"], f"{radius_m:,.0f} 米内 within {radius_m:,.0f} m"),
        (HERE_COLORS["point"], "所选点 the point"),
    )
    rows = "".join(
        f"<span style='display:inline-block;margin-right:12px'>"
        f"<span style='display:inline-block;width:12px;height:12px;border-radius:6px;"
        f"background:{c};vertical-align:middle'></span> {esc(label)}</span>"
        for c, label in items
    )
    return f"<div style='font-size:0.85rem'>{rows}</div>"


def alignment_map(
    gdf: gpd.GeoDataFrame,
    alignment: Alignment,
    *,
    districts: gpd.GeoDataFrame | None = None,
    basemap: str = NO_TILES,
    asset_base: str | None = None,
) -> folium.Map:
    """The district's places coloured by alignment status, framed on the district.

    Areas (axis segment, belts, clusters) are drawn first and dashed, then places on top.
    """
    m = _base_map(basemap, asset_base)
    _add_districts(m, districts, alignment.district, basemap)
    frame = status_frame(gdf, alignment)
    shown = shift_to_basemap(frame, basemap)
    kind = shown.geometry.geom_type.map(
        {"Polygon": 0, "MultiPolygon": 0, "LineString": 1, "MultiLineString": 1}
    ).fillna(2)
    # places both plans name, and those only the city names, are drawn last: on top
    on_top = (shown["alignment_status"] != DISTRICT_ONLY).astype(int)
    order = (kind * 2 + on_top).sort_values(kind="stable")
    for fid in order.index:
        row = shown.loc[fid]
        if row.geometry is None or row.geometry.is_empty:
            continue
        _add_feature(m, row.to_dict(), row.geometry, STATUS_COLORS[row["alignment_status"]])
    # frame the district's places; a place of several districts drawn elsewhere does not widen it
    framed = shown
    if districts is not None and alignment.district in set(districts["name"]):
        outline = shift_to_basemap(districts[districts["name"] == alignment.district], basemap)
        inside = shown[shown.intersects(outline.geometry.union_all().buffer(0.01))]
        framed = inside if len(inside) else outline
    _add_names(m, shown)
    _fit(m, framed)
    return m


def here_map(
    gdf: gpd.GeoDataFrame,
    result: HereResult | None,
    *,
    districts: gpd.GeoDataFrame | None = None,
    basemap: str = NO_TILES,
    asset_base: str | None = None,
) -> folium.Map:
    """The point, its radius, and the elements covering (dark) or near it (light)."""
    m = _base_map(basemap, asset_base)
    _add_districts(m, districts, result.district if result else None, basemap)
    if result is None:
        m.fit_bounds([list(GUANGZHOU_BOUNDS[0]), list(GUANGZHOU_BOUNDS[1])])
        return m
    covering = [e.id for e in result.covering]
    nearby = [e.id for e in result.nearby]
    ids = [i for i in covering + nearby if i in gdf.index]
    shown = shift_to_basemap(gdf.loc[ids], basemap)
    for fid in ids:
        row = shown.loc[fid]
        color = HERE_COLORS["covering"] if fid in covering else HERE_COLORS["nearby"]
        _add_feature(m, row.to_dict(), row.geometry, color)
    _add_names(m, shown)
    lon, lat = result.lon, result.lat
    if basemap != NO_TILES and get_basemap(basemap).crs == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    folium.Circle(
        [lat, lon],
        radius=result.radius_m,
        color=HERE_COLORS["point"],
        weight=1,
        dash_array="5 5",
        fill=False,
        interactive=False,
    ).add_to(m)
    folium.CircleMarker(
        [lat, lon],
        radius=6,
        color=HERE_COLORS["point"],
        fill=True,
        fill_opacity=1.0,
        interactive=False,
    ).add_to(m)
    pad = max(result.radius_m, 500) * 1.25 / 111_000
    m.fit_bounds([[lat - pad, lon - pad], [lat + pad, lon + pad]])
    return m
