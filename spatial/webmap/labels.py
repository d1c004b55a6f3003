"""Names on the web map, as a printed 布局图 has them: the rules the client places them by.

Every feature in view is named unless its name would overlap a more important one, a marker,
a district's name or a count of places without a site. The map client
(``static/gzmap/labels.js``, ``L.GzLabels``) lays the names out again after every zoom or pan,
as the print placer does (:mod:`spatial.plot.labels`): most important first (the structure —
the axis and its segments, cores, poles, belts, corridors and the nodes on the axis —, then by
role, :data:`ROLE_PRIORITY`, then the larger first), each at the first of eight positions
around its symbol that is free; when few names are in view, further out with a leader line,
so a small selection is named whole. A name's element is made only when it is first shown,
so a map of thousands of places does not build thousands of hidden ones. The client sets every
name as text; the constants here reach it in its symbology
(:func:`spatial.webmap.client.client_style`).

The pages' folium maps (:mod:`spatial.webmap.pages`) name their features the same way:
:func:`label_items` gives the client's items for a frame of features.
"""

from __future__ import annotations

import math

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from spatial.plaintext import text_of
from spatial.webmap._geom import COORD_DECIMALS, _point_of

#: Label priority of each role (lower is placed first and wins a collision).
ROLE_PRIORITY: dict[str, int] = {
    "axis": 0, "axis_segment": 1, "core": 2, "pole": 3, "belt": 4, "corridor": 5,
    "cluster": 6, "zone": 7, "node": 8, "park": 9, "university": 10, "lab": 11,
    "facility": 12, "outside": 20,
}
#: The structure: named before everything else, in a larger type.
CITY_ROLES = ("axis", "axis_segment", "core", "pole", "belt", "corridor")
#: Lowest zoom at which names are shown (the whole city is about zoom 9-10; below this,
#: the province).
MIN_ZOOM = 8
#: Most labels one map carries (the highest priorities are kept).
MAX_LABELS = 1500


def _anchor(geom: BaseGeometry) -> tuple[float, float]:
    """``(lat, lon)`` a label hangs on: a line's midpoint, else the feature's marker point."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        pt = line.interpolate(0.5, normalized=True)
        return round(pt.y, COORD_DECIMALS), round(pt.x, COORD_DECIMALS)
    return _point_of(geom)


def _extent(geom: BaseGeometry) -> float:
    """The diagonal of a shape's bounding box (degrees, longitude scaled to latitude's
    length), as the client ranks names of one role by size."""
    west, south, east, north = geom.bounds
    dx = (east - west) * math.cos(math.radians((south + north) / 2))
    return math.hypot(dx, north - south)


def label_items(gdf: gpd.GeoDataFrame, marker_px: float = 7) -> list[dict]:
    """The names of a map's features as the client places them (``L.GzLabels`` items), most
    important first.

    Parameters
    ----------
    gdf : GeoDataFrame
        The features drawn (``name``, ``role``, geometry in the map's datum).
    marker_px : float
        Radius of the marker points are drawn with (a name keeps clear of it); lines are
        named on their midpoint, areas on their marker point, centred first.

    Returns
    -------
    list of dict
        ``{at: [lat, lon], text, r, centred, major, minZoom, tier}`` (names of one tier are
        as important as each other); ``text`` is the name as text (the client never reads
        it as HTML).
    """
    rows = []
    for name, role, geom in zip(gdf["name"], gdf["role"], gdf.geometry, strict=True):
        text = text_of(name).strip()
        if not text or geom is None or geom.is_empty:
            continue
        role = text_of(role)
        point = geom.geom_type in ("Point", "MultiPoint")
        major = role in CITY_ROLES
        rank = (0 if major else 1, ROLE_PRIORITY.get(role, 99), -_extent(geom), text)
        lat, lon = _anchor(geom)
        rows.append((rank, {"at": [lat, lon], "text": text, "r": marker_px if point else 0,
                            "centred": not point, "major": major, "minZoom": MIN_ZOOM}))
    rows.sort(key=lambda row: row[0])
    tiers: dict[tuple, int] = {}
    for rank, item in rows:
        item["tier"] = tiers.setdefault(rank[:3], len(tiers))
    return [item for _rank, item in rows[:MAX_LABELS]]
