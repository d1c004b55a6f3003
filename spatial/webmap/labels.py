"""Names on the web map, as a printed 布局图 has them: the rules the client places them by.

At city zoom only the structure is named: the axis and its segments, cores, poles, belts,
corridors and the nodes on the axis. From :data:`CLOSE_ZOOM` on, every feature is. The map
client (``static/gzmap/labels.js``, ``L.GzLabels``) lays the labels out again after every zoom
or pan: in priority order (:data:`ROLE_PRIORITY`, structure first), a label that would overlap
a label already placed, a district name or a count of places without a site is hidden (those
are never hidden); a label's element is made only when it is first shown, so a map of
thousands of places does not build thousands of hidden ones. Label boxes are estimated from
the text (a CJK character is one em wide), so the layout needs no measuring in the page. The
client escapes every name it writes; the constants here reach it in its symbology
(:func:`spatial.webmap.client.client_style`).
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from spatial.webmap._geom import COORD_DECIMALS, _point_of

#: Label priority of each role (lower is placed first and wins a collision).
ROLE_PRIORITY: dict[str, int] = {
    "axis": 0, "axis_segment": 1, "core": 2, "pole": 3, "belt": 4, "corridor": 5,
    "cluster": 6, "zone": 7, "node": 8, "park": 9, "university": 10, "lab": 11,
    "facility": 12,
}
#: Roles named at city zoom (with the nodes on the axis).
CITY_ROLES = ("axis", "axis_segment", "core", "pole", "belt", "corridor")
#: Zoom from which every feature is named.
CLOSE_ZOOM = 12
#: Lowest zoom at which the structure is named (the whole city is about zoom 9-10).
CITY_ZOOM = 8
#: Most labels one map carries (the highest priorities are kept).
MAX_LABELS = 1500

#: Label font sizes in pixels: structure labels a size larger; padding on each side.
FONT_PX = {"structure": 13, "other": 12}
PAD_PX = 2


def _anchor(geom: BaseGeometry) -> tuple[float, float]:
    """``(lat, lon)`` a label hangs on: a line's midpoint, else the feature's marker point."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        pt = line.interpolate(0.5, normalized=True)
        return round(pt.y, COORD_DECIMALS), round(pt.x, COORD_DECIMALS)
    return _point_of(geom)
