"""Geometry as Leaflet coordinates: ``[lat, lon]`` rounded to :data:`COORD_DECIMALS`."""

from __future__ import annotations

from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

#: Decimals kept in map coordinates: 5 is about 1 m, finer than any location in the layers.
COORD_DECIMALS = 5


def _latlngs(coords: Any) -> list[list[float]]:
    """``[[lat, lon], …]`` of a coordinate sequence, rounded to :data:`COORD_DECIMALS`."""
    xy = np.asarray(coords, dtype=float)
    if xy.size == 0:
        return []
    return np.round(xy[:, 1::-1], COORD_DECIMALS).tolist()


def _polygon_rings(geom: BaseGeometry) -> list[list[list[list[float]]]]:
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return [
        [_latlngs(p.exterior.coords), *(_latlngs(r.coords) for r in p.interiors)] for p in polys
    ]


def _line_parts(geom: BaseGeometry) -> list[list[list[float]]]:
    lines = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
    return [_latlngs(line.coords) for line in lines]


def _point_of(geom: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) where a feature's marker or highlight sits."""
    if geom.geom_type == "Point":
        return round(geom.y, COORD_DECIMALS), round(geom.x, COORD_DECIMALS)
    centroid = geom.centroid
    point = centroid if geom.contains(centroid) else geom.representative_point()
    return round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)
