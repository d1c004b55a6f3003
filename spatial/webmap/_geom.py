"""Points of shapely geometry for the map, rounded to :data:`COORD_DECIMALS`."""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

#: Decimals kept in map coordinates: 5 is about 1 m, finer than any location in the layers.
COORD_DECIMALS = 5


def _point_of(geom: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) where a feature's marker, highlight and name sit."""
    if geom.geom_type == "Point":
        return round(geom.y, COORD_DECIMALS), round(geom.x, COORD_DECIMALS)
    centroid = geom.centroid
    point = centroid if geom.contains(centroid) else geom.representative_point()
    return round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)
