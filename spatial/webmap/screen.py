"""Geometry for the screen: simplified within a tolerance, framed, centred on a feature; and
how many points of a role the client still draws one by one (:mod:`spatial.webmap`)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from spatial.geo.basemaps import DEFAULT_BASEMAP, NO_TILES, to_basemap_crs
from spatial.plans.schema import METRIC_CRS, OUTSIDE_ROLE
from spatial.webmap._geom import _point_of

#: Simplification tolerance (metres) of polygons and lines on the web map.
WEB_TOLERANCE_M = 20.0
#: Above this many points of one role in one layer in view, the client draws them on one
#: canvas (``L.GzPoints``) instead of as one marker each.
POINT_CLOUD_MIN = 300


def simplify_for_web(
    gdf: gpd.GeoDataFrame, tolerance_m: float = WEB_TOLERANCE_M, coverage: bool = False
) -> gpd.GeoDataFrame:
    """Polygons and lines simplified for the screen (a copy; points are left as they are).

    Simplification runs in metres (:data:`spatial.plans.schema.METRIC_CRS`) and keeps every shape
    valid; a shape that would vanish keeps its full geometry. At 20 m nothing moves by more
    than a few pixels below zoom 15, and a district outline needs a tenth of its vertices.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in WGS84 (EPSG:4326).
    tolerance_m : float
        Largest distance (metres) a simplified edge may stray from the original.
    coverage : bool
        Simplify the polygons as one coverage (``shapely.coverage_simplify``), so neighbours
        such as districts keep a common border with neither gaps nor overlaps.
    """
    if gdf.empty or tolerance_m <= 0:
        return gdf
    geoms = gdf.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)  # 0 point, 4 multipoint, -1 missing
    todo = np.flatnonzero(~np.isin(kinds, (-1, 0, 4)))
    if todo.size == 0:
        return gdf
    metric = gpd.GeoSeries(geoms[todo], crs=gdf.crs or "EPSG:4326").to_crs(METRIC_CRS)
    values = metric.to_numpy()
    if coverage and np.isin(kinds[todo], (3, 6)).all():
        try:
            simple = shapely.coverage_simplify(values, tolerance_m)
        except shapely.errors.GEOSException:  # not a clean coverage: one shape at a time
            simple = shapely.simplify(values, tolerance_m, preserve_topology=True)
    else:
        simple = shapely.simplify(values, tolerance_m, preserve_topology=True)
    back = gpd.GeoSeries(simple, crs=METRIC_CRS).to_crs(gdf.crs or "EPSG:4326").to_numpy()
    lost = shapely.is_empty(back) | ~shapely.is_valid(back)
    out = geoms.copy()
    out[todo] = np.where(lost, geoms[todo], back)
    result = gdf.copy()
    result[gdf.geometry.name] = gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs)
    return result


def frame_bounds(
    gdf: gpd.GeoDataFrame | None, min_span_deg: float = 0.02
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """``((south, west), (north, east))`` around a frame's geometry, None when it has none.

    Features drawn as context outside Guangzhou (role ``outside``) never widen the frame:
    they count only when there is nothing else. A frame of one point gets at least
    ``min_span_deg`` of extent so the map doesn't zoom in to the last tile.
    """
    if gdf is None or gdf.empty:
        return None
    if "role" in gdf.columns:
        inside = gdf[gdf["role"] != OUTSIDE_ROLE]
        gdf = inside if not inside.empty else gdf
    geoms = gdf.geometry.dropna()
    geoms = geoms[~geoms.is_empty]
    if geoms.empty:
        return None
    west, south, east, north = (float(v) for v in geoms.total_bounds)
    half = min_span_deg / 2
    if east - west < min_span_deg:
        mid = (east + west) / 2
        west, east = mid - half, mid + half
    if north - south < min_span_deg:
        mid = (north + south) / 2
        south, north = mid - half, mid + half
    return (round(south, 6), round(west, 6)), (round(north, 6), round(east, 6))


def _to_basemap(geometry: BaseGeometry, basemap: str) -> BaseGeometry:
    if basemap == NO_TILES:
        return geometry
    frame = gpd.GeoDataFrame(geometry=[geometry], crs="EPSG:4326")
    return to_basemap_crs(frame, basemap).geometry.iloc[0]


def focus_point(geometry: BaseGeometry | None, basemap: str = DEFAULT_BASEMAP):
    """``(lat, lon)`` to centre the map on for a feature, in the basemap's datum."""
    if geometry is None or geometry.is_empty:
        return None
    return _point_of(_to_basemap(geometry, basemap))
