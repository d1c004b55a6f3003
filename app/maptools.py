"""What the map's tools report, and what the page does with it: a position picked for the
建议修改 form, a study area drawn (or taken from the own layer), the extent to print, a
feature of the own layer clicked (its properties in the panel, as plain text).

Everything the browser reports is untrusted: numbers are checked to be finite and in range,
shapes bounded in size, and a value that is not what it should be is ignored.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from app.state import PLACE_TAB, widget_value
from spatial.webmap import publish

ss = st.session_state
AREA_TAB = "范围 Area"
#: A drawn study area with more vertices than this is ignored (Leaflet.draw makes a few).
MAX_AREA_VERTICES = 5000
PICK_HINT = "点击地图设定位置（建议修改）Click the map to set the place's position"


def _datum() -> str:
    try:
        return publish.datum_of(widget_value("basemap") or "none")
    except KeyError:
        return "wgs84"


def _number(value: Any, low: float, high: float) -> float | None:
    """A finite number within [low, high] from the browser, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) and low <= value <= high else None


def _to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if _datum() == "gcj02":
        from spatial.geo.coords import gcj02_to_wgs84

        return gcj02_to_wgs84(lon, lat)
    return lon, lat


# -- picking a position -------------------------------------------------------------------------


def pick_message(state: Any, gdf: Any) -> dict[str, str] | None:
    """``{key, hint}`` while the open place's 建议修改 form takes a position from a click on
    the map: a place of the register, or a place drawn as a point."""
    node = state.node
    if not node or not ss.get(f"sg_open_{node}"):
        return None
    if gdf is not None and node in gdf.index:
        geom = gdf.at[node, "geometry"]
        if geom is None or geom.geom_type != "Point":
            return None
    return {"key": str(node), "hint": PICK_HINT}


# -- the own layer -------------------------------------------------------------------------------


def on_map_own() -> None:
    """A feature of the own layer was clicked: its properties go in the place panel."""
    value = (ss.get("map") or {}).get("own")
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return
    ss._own_pick = value["id"][:64]
    ss.node = None
    ss.walk_pick = None
    ss.panel_tab = PLACE_TAB


def own_feature_panel(layer: Any) -> bool:
    """The panel of the own layer's clicked feature: its name and every property, as plain
    text (an uploaded file's names and values may hold anything). False when there is none."""

    fid = ss.get("_own_pick")
    gdf = getattr(layer, "gdf", None)
    if fid is None or gdf is None or fid not in set(map(str, gdf.index)):
        return False
    row = gdf.loc[[i for i in gdf.index if str(i) == fid][0]]
    name = row.get("name") or f"#{fid}"
    with st.container(key="gz_own"):
        _own_feature(layer, fid, row, name)
    return True


def _own_feature(layer: Any, fid: str, row: Any, name: Any) -> None:
    from app.excerpts import safe_html

    st.markdown(
        f"<div class='gz-own-head' style='color:#555;font-size:0.85rem'>我的图层 My layer · "
        f"{safe_html(layer.name)}</div><div class='gz-own-name' style='font-size:1.35rem;"
        f"font-weight:600;margin:0.2rem 0 0.6rem'>{safe_html(name)}</div>",
        unsafe_allow_html=True,
    )
    rows = "".join(
        f"<tr><th>{safe_html(key)}</th><td>{safe_html(value)}</td></tr>"
        for key, value in row.items()
        if key != "geometry" and value is not None and str(value) != ""
    )
    st.markdown(f"<table class='gz-own-props'>{rows}</table>", unsafe_allow_html=True)
    geom = row.geometry
    if geom is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
        st.button("这片区域规划了什么 What's planned in this area", key="own_area",
                  on_click=use_as_area, args=(geom.__geo_interface__, str(name)))


# -- the study area ------------------------------------------------------------------------------


def _polygon(geometry: Any) -> Any:
    """A polygon the browser reported (GeoJSON, the map's datum) as a valid WGS84 shape, or
    None when it is not a bounded polygon inside the map's range."""
    import shapely
    from shapely.geometry import shape

    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    try:
        geom = shape(geometry)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError,
            shapely.errors.GEOSException):
        return None
    coords = shapely.get_coordinates(geom)
    if not 4 <= len(coords) <= MAX_AREA_VERTICES or not (
        ((coords[:, 0] >= 70) & (coords[:, 0] <= 140) & (coords[:, 1] >= 0)
         & (coords[:, 1] <= 60)).all()
    ):
        return None
    if _datum() == "gcj02":
        from spatial.geo.coords import geom_gcj02_to_wgs84

        geom = geom_gcj02_to_wgs84(geom)
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type.endswith("Polygon")])
    return geom if geom.geom_type.endswith("Polygon") and geom.area > 0 else None


def on_map_area() -> None:
    """A study area was drawn on the map: the panel shows what the plans place in it."""
    value = (ss.get("map") or {}).get("area")
    geom = _polygon(value.get("geometry")) if isinstance(value, dict) else None
    if geom is None:
        return
    use_as_area(geom.__geo_interface__, "地图上画的范围 Drawn on the map", drawn=True)


def use_as_area(geometry: dict[str, Any], label: str, drawn: bool = False) -> None:
    """Take a WGS84 polygon (GeoJSON) as the study area and open its tab."""
    seq = ss.get("_study_area", {}).get("seq", 0) + 1
    ss._study_area = {"seq": seq, "geometry": geometry, "label": label, "drawn": drawn}
    ss.panel_tab = AREA_TAB


def clear_area() -> None:
    ss.pop("_study_area", None)


def study_area() -> dict[str, Any] | None:
    """This session's study area: ``{seq, geometry (WGS84 GeoJSON), label, drawn}``."""
    return ss.get("_study_area")


def area_message(datum: str) -> dict[str, Any] | None:
    """The study area for the map to draw, in its datum."""
    area = study_area()
    if not area:
        return None
    geometry = area["geometry"]
    if datum == "gcj02":
        from shapely.geometry import mapping, shape

        from spatial.geo.coords import geom_wgs84_to_gcj02

        geometry = mapping(geom_wgs84_to_gcj02(shape(geometry)))
    return {"key": f"{area['seq']}-{datum}", "geometry": geometry}


# -- printing the view ---------------------------------------------------------------------------


def on_map_view() -> None:
    """The 打印当前视图 button: the map's extent (WGS84) for the print dialog."""
    value = (ss.get("map") or {}).get("view")
    if not isinstance(value, dict):
        return
    bounds = value.get("bounds")
    try:
        (s, w), (n, e) = bounds
    except (TypeError, ValueError):
        return
    s, n = _number(s, -90, 90), _number(n, -90, 90)
    w, e = _number(w, -180, 180), _number(e, -180, 180)
    zoom = _number(value.get("zoom"), 0, 25)
    if None in (s, w, n, e) or not (s < n and w < e):
        return
    west, south = _to_wgs84(w, s)
    east, north = _to_wgs84(e, n)
    ss._print_view = {"bounds": (west, south, east, north), "zoom": zoom}
    ss._print_open = True
