"""Geometry for print maps: the map CRS, base layers in it, shapely to matplotlib paths.

Everything is drawn in a metric CRS (:data:`MAP_CRS`, CGCS2000 / 3-degree Gauss-Kruger CM 114E,
whose central meridian runs through Guangzhou), so the scale bar is true and the north arrow is
turned by the (small) grid convergence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.path import Path as MplPath
from pyproj import Transformer

#: The CRS maps are drawn in: CGCS2000 / 3-degree Gauss-Kruger CM 114E (metres).
MAP_CRS = "EPSG:4547"
MAP_CRS_LABEL = "CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547)"


@dataclass
class BaseData:
    """Vector base layers in :data:`MAP_CRS`.

    Attributes
    ----------
    districts : GeoDataFrame
        Columns ``name``, ``name_en``, ``geometry``.
    city : GeoDataFrame or None
        The city outline.
    osm : dict of str to GeoDataFrame
        Cached OSM context groups (``water``, ``rivers``, ``roads``, ``airport``, …).
    """

    districts: gpd.GeoDataFrame
    city: gpd.GeoDataFrame | None = None
    osm: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)


def to_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in :data:`MAP_CRS` (a frame without a CRS is refused)."""
    if gdf.crs is None:
        raise ValueError("geometry without a CRS cannot be drawn")
    return gdf if gdf.crs.equals(MAP_CRS) else gdf.to_crs(MAP_CRS)


def prepare_base(
    districts: gpd.GeoDataFrame,
    city: gpd.GeoDataFrame | None = None,
    osm: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> BaseData:
    """Project base layers to :data:`MAP_CRS` once (callers cache the result)."""
    return BaseData(
        districts=to_crs(districts),
        city=to_crs(city) if city is not None else None,
        osm={k: to_crs(v) for k, v in (osm or {}).items() if v is not None and len(v)},
    )


@lru_cache(maxsize=1)
def to_map_crs() -> Transformer:
    """WGS84 longitude/latitude to :data:`MAP_CRS`."""
    return Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)


def polygon_path(geom: shapely.Geometry) -> MplPath | None:
    """One compound path for a (multi)polygon, holes included."""
    rings = []
    for poly in shapely.get_parts(geom):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings.append(np.asarray(poly.exterior.coords)[:, :2])
        rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
    rings = [r for r in rings if len(r) >= 3]
    if not rings:
        return None
    verts = np.concatenate(rings)
    codes = np.full(len(verts), MplPath.LINETO, dtype=MplPath.code_type)
    start = 0
    for ring in rings:
        codes[start] = MplPath.MOVETO
        codes[start + len(ring) - 1] = MplPath.CLOSEPOLY
        start += len(ring)
    return MplPath(verts, codes)


def line_segments(geoms: Sequence[shapely.Geometry]) -> tuple[list[np.ndarray], np.ndarray]:
    """Coordinate arrays of every line part, and the index of the geometry each came from."""
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return [], np.zeros(0, dtype=int)
    parts, src = shapely.get_parts(arr, return_index=True)
    lines = shapely.boundary(parts)
    is_line = np.isin(shapely.get_type_id(parts), (1, 2))  # LineString, LinearRing
    lines[is_line] = parts[is_line]
    lines, src2 = shapely.get_parts(lines, return_index=True)
    src = src[src2]
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    if len(coords) == 0:
        return [], np.zeros(0, dtype=int)
    splits = np.flatnonzero(np.diff(idx)) + 1
    segs = np.split(coords, splits)
    owners = src[idx[np.concatenate([[0], splits])]]
    return segs, owners


def map_extent(
    frame: gpd.GeoDataFrame | gpd.GeoSeries, base: BaseData, aspect: float, min_span_m: float
) -> tuple[float, float, float, float]:
    """The map frame: ``frame``'s bounds (or the city's) with a margin, at ``aspect`` (w / h)."""
    if len(frame):
        x0, y0, x1, y1 = frame.total_bounds
    elif base.city is not None and len(base.city):
        x0, y0, x1, y1 = base.city.total_bounds
    else:
        x0, y0, x1, y1 = base.districts.total_bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = max(x1 - x0, min_span_m) * 1.12
    h = max(y1 - y0, min_span_m) * 1.12
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def view_extent(
    bounds: tuple[float, float, float, float],
    paper_mm: tuple[float, float],
    scale: float | None = None,
) -> tuple[float, float, float, float]:
    """The map frame of a view on screen: its WGS84 ``bounds`` (west, south, east, north) in
    :data:`MAP_CRS`, widened to the map frame's shape on paper (``paper_mm``, width and
    height), or, with ``scale`` (the denominator of 1:scale), the frame at that scale
    around the view's centre."""
    x0, y0, x1, y1 = to_map_crs().transform_bounds(*bounds, densify_pts=21)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if scale:
        w, h = paper_mm[0] / 1000 * scale, paper_mm[1] / 1000 * scale
    else:
        w, h = x1 - x0, y1 - y0
        if w / h < paper_mm[0] / paper_mm[1]:
            w = h * paper_mm[0] / paper_mm[1]
        else:
            h = w * paper_mm[1] / paper_mm[0]
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def clip_simplify(geoms: gpd.GeoSeries, bbox: tuple[float, ...], tol: float) -> gpd.GeoSeries:
    """Geometries clipped to ``bbox`` and simplified to ``tol`` metres; empty ones dropped."""
    arr = np.asarray(geoms.values, dtype=object)
    arr = shapely.clip_by_rect(arr, *bbox)
    arr = shapely.simplify(arr, tol, preserve_topology=True)
    keep = ~shapely.is_empty(arr)
    return gpd.GeoSeries(arr[keep], index=geoms.index[keep], crs=geoms.crs)
