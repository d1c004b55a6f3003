"""Geometry of the layer sources: explicit points and polygons, and shapes derived from members.

Derived shapes are built in EPSG:32649 (metres) so they answer spatial questions right:

* ``line`` — a straight line through the members' points in the order given;
* ``network`` — a trunk line through ``trunk`` (pole to pole) plus ``branches``, each a line from
  a trunk node to places off the trunk (the 科技创新轴: 白云湖 as a branch, not a detour);
* ``hull`` — per district: the buffered convex hull of the members that lie in each district,
  clipped to that district, so a segment of one district never swallows places of another (a
  lone member in a district of its own is buffered at most :data:`LONE_BUFFER_M`);
* ``parts`` — the members joined, not their hull: each member's own area, or a point member
  buffered, clipped to its district; members far apart stay separate parts (a cluster of three
  scattered parks is three patches, never the 58 km² between them).

The ``district`` of a derived feature is computed from its geometry (:func:`districts_of`); the
method is recorded in ``location_source`` as ``derived:`` followed by a Chinese description.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from spatial.plans.schema import METRIC_CRS

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

#: A district counts for a derived area holding at least this share of it, or for a derived line
#: running at least this far through it (smaller overlaps are boundary noise).
MIN_AREA_SHARE = 0.02
MIN_LINE_M = 1000.0

#: Buffer of a hull's lone member in a district other members are not in, metres.
LONE_BUFFER_M = 500.0

METHODS = ("line", "network", "hull", "parts")


def to_metric(geom: Any) -> Any:
    """A WGS84 shapely geometry in EPSG:32649."""
    return shapely.transform(geom, lambda xy: _project(_TO_METRIC, xy))


def to_wgs84(geom: Any) -> Any:
    """An EPSG:32649 shapely geometry in WGS84."""
    return shapely.transform(geom, lambda xy: _project(_TO_WGS84, xy))


def _project(transformer: Transformer, xy: Any) -> Any:
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def representative_point(geom: Any) -> Point:
    """The point a line through members passes: the point itself, else the centroid if inside."""
    if geom.geom_type == "Point":
        return geom
    centroid = geom.centroid
    return centroid if geom.contains(centroid) else geom.point_on_surface()


def explicit_geometry(spec: Any) -> Any:
    """The geometry a source gives (None for a derived one).

    Raises
    ------
    ValueError
        If the spec is not exactly one of ``point``, ``polygon``, ``line``, ``lines``,
        ``derived`` or is invalid.
    """
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ValueError("geometry must have exactly one of point, polygon, line, lines, derived")
    ((kind, value),) = spec.items()
    if kind == "point":
        lon, lat = (float(v) for v in value)
        return Point(lon, lat)
    if kind == "polygon":
        ring = [(float(x), float(y)) for x, y in value]
        poly = Polygon(ring)
        if not poly.is_valid:
            raise ValueError(f"polygon is not valid: {shapely.is_valid_reason(poly)}")
        return poly
    if kind == "line":  # a drawn line (a corridor's course outside the city)
        return LineString([(float(x), float(y)) for x, y in value])
    if kind == "lines":  # several drawn lines (a corridor's branches)
        return MultiLineString([[(float(x), float(y)) for x, y in line] for line in value])
    if kind == "derived":
        return None
    raise ValueError(f"unknown geometry kind {kind!r}")


def _districts_metric() -> tuple[tuple[str, ...], Any]:
    """:func:`spatial.geo.base.districts_metric`, imported on first use: that module loads
    geopandas, which this one does without."""
    from spatial.geo.base import districts_metric

    return districts_metric()


def district_of_point(point_m: Point) -> str | None:
    """The district containing a metric point, else the nearest one (None without districts)."""
    names, geoms = _districts_metric()
    if not names:
        return None
    for name, geom in zip(names, geoms, strict=True):
        if geom.covers(point_m):
            return name
    return names[int(np.argmin([g.distance(point_m) for g in geoms]))]


def districts_of(geom_wgs84: Any) -> list[str]:
    """Districts a derived geometry lies in, largest share first.

    Areas count a district holding at least :data:`MIN_AREA_SHARE` of them, lines one they run
    through for at least :data:`MIN_LINE_M` metres, points the district containing them.
    """
    geom = to_metric(geom_wgs84)
    names, geoms = _districts_metric()
    if geom.geom_type == "Point":
        name = district_of_point(geom)
        return [name] if name else []
    shares: list[tuple[float, str]] = []
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        for name, district in zip(names, geoms, strict=True):
            share = geom.intersection(district).area / geom.area if geom.area else 0.0
            if share >= MIN_AREA_SHARE:
                shares.append((share, name))
    else:
        for name, district in zip(names, geoms, strict=True):
            inside = geom.intersection(district).length
            if inside >= min(MIN_LINE_M, 0.5 * geom.length):
                shares.append((inside, name))
    return [name for _, name in sorted(shares, key=lambda s: -s[0])]


def _points(ids: list[str], geoms: dict[str, Any]) -> list[Point]:
    return [representative_point(geoms[m]) for m in ids]


def _line(pts: list[Point]) -> Any:
    return to_metric(LineString([(p.x, p.y) for p in pts]))


def _derive_network(
    spec: dict[str, Any], geoms: dict[str, Any], names: dict[str, str]
) -> tuple[Any, str]:
    trunk = list(spec.get("trunk") or [])
    if len(trunk) < 2:
        raise ValueError("a network needs a trunk of at least two members")
    lines = [_line(_points(trunk, geoms))]
    described = []
    for branch in spec.get("branches") or []:
        branch = list(branch)
        if len(branch) < 2 or branch[0] not in trunk:
            raise ValueError(f"a branch starts at a trunk node and has a place: {branch}")
        lines.append(_line(_points(branch, geoms)))
        described.append(" → ".join(names[m] for m in branch))
    how = f"derived: 经各极点与节点的主干线（{' → '.join(names[m] for m in trunk)}）"
    if described:
        how += f"，支线 {'；'.join(described)}"
    return to_wgs84(MultiLineString(lines) if len(lines) > 1 else lines[0]), how + "，在 EPSG:32649 中计算"


def _derive_hull(
    members: list[str], spec: dict[str, Any], geoms: dict[str, Any], names: dict[str, str]
) -> tuple[Any, str]:
    buffer_m = float(spec.get("buffer_m", 1000))
    by_district: dict[str | None, list[Any]] = {}
    for m in members:
        part = to_metric(geoms[m])
        key = district_of_point(to_metric(representative_point(geoms[m])))
        by_district.setdefault(key, []).append(part)
    dnames, dgeoms = _districts_metric()
    area_of = dict(zip(dnames, dgeoms, strict=True))
    pieces = []
    for district, parts in by_district.items():
        # a lone member in another district is drawn as itself, not spread over its neighbours
        own = min(buffer_m, LONE_BUFFER_M) if len(parts) == 1 and len(by_district) > 1 else buffer_m
        hull = shapely.union_all(parts).convex_hull.buffer(own, quad_segs=8)
        if district in area_of:
            hull = hull.intersection(area_of[district].buffer(0))
            hull = shapely.union_all(
                [hull, *(p.buffer(1) for p in parts if p.geom_type != "Point")]
            )
        pieces.append(hull)
    shape = shapely.union_all(pieces)
    shape = shapely.make_valid(shape) if not shape.is_valid else shape
    if shape.geom_type == "GeometryCollection":
        shape = shapely.union_all(
            [g for g in shape.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        )
    label = " → ".join(names[m] for m in members)
    how = (
        f"derived: 成员（{label}）的凸包外扩 {buffer_m:g} 米，每区各成一块并裁至区界，在 EPSG:32649 中计算"
    )
    return to_wgs84(shape), how


def _derive_parts(
    members: list[str], spec: dict[str, Any], geoms: dict[str, Any], names: dict[str, str]
) -> tuple[Any, str]:
    buffer_m = float(spec.get("buffer_m", 1000))
    dnames, dgeoms = _districts_metric()
    area_of = dict(zip(dnames, dgeoms, strict=True))
    pieces = []
    for m in members:
        part = to_metric(geoms[m])
        if part.geom_type not in ("Polygon", "MultiPolygon"):
            part = part.buffer(buffer_m, quad_segs=8)
        district = district_of_point(to_metric(representative_point(geoms[m])))
        if district in area_of:
            part = part.intersection(area_of[district].buffer(0))
        pieces.append(part)
    shape = shapely.union_all(pieces)
    shape = shapely.make_valid(shape) if not shape.is_valid else shape
    label = "、".join(names[m] for m in members)
    how = (
        f"derived: 各成员（{label}）本身的范围，点状成员外扩 {buffer_m:g} 米，裁至所在区后合并；"
        "成员相距较远时为互不相连的多块，不以凸包连成一片，在 EPSG:32649 中计算"
    )
    return to_wgs84(shape), how


def derive(
    spec: dict[str, Any], members: list[str], geoms: dict[str, Any], names: dict[str, str]
) -> tuple[Any, str]:
    """A derived geometry (WGS84) and the ``location_source`` text describing the method.

    ``members`` are every member the shape is built from (a network's trunk and branches).

    Raises
    ------
    ValueError
        On an unknown method or members, or too few members for the method.
    """
    method = spec.get("method")
    missing = [m for m in members if m not in geoms]
    if missing:
        raise ValueError(f"derived geometry names unknown member(s): {', '.join(missing)}")
    if method == "network":
        return _derive_network(spec, geoms, names)
    if not members:
        raise ValueError("derived geometry needs members")
    if method == "line":
        if len(members) < 2:
            raise ValueError("a derived line needs at least two members")
        label = " → ".join(names[m] for m in members)
        return (
            to_wgs84(_line(_points(members, geoms))),
            f"derived: 按次序连接各成员代表点的直线（{label}），在 EPSG:32649 中计算",
        )
    if method == "hull":
        return _derive_hull(members, spec, geoms, names)
    if method == "parts":
        return _derive_parts(members, spec, geoms, names)
    raise ValueError(f"unknown derived method {method!r} ({', '.join(METHODS)})")
