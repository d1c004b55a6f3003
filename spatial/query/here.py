"""这里规划了什么 — what the plans say at a point.

Given a point (WGS84, or GCJ-02 as copied from Amap), :func:`what_is_here` lists every plan
element whose area contains it, the other elements within a radius, nearest first, the district
the point lies in, and each element's excerpts. Distances are measured in EPSG:32649 (UTM 49N), in
metres.

A shape derived from member places (a belt, a cluster, an axis segment, a 核) claims no more than
its members: it covers a point only where one of its members' own drawn areas does (the 海珠段
covers a point of 生物岛's outline), never merely because the point falls inside the hull or
buffer drawn around member points; otherwise it is a neighbour, at the distance of its nearest
member (``member`` names it).

A place drawn as a point (知识城, 天河智慧城) is "here" too when the query lies within its
stated precision (``location_precision_m``) of it; it claims the disc of that precision, and
the places here come the most precise claim first (smallest area, then nearest). Each
element's excerpts that name the place itself come before those that name it in a list of
others (:func:`own_excerpts_first`).

The app's map click and ``gzmap here LON LAT`` both go through this module: the app asks
:func:`what_is_here` of its loaded frame, the command line :func:`what_is_here_cached`, which
answers the same from a cached index (:mod:`spatial.query.here_index`) without importing
pandas or geopandas.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import Point

from spatial._paths import LAYERS_DIR
from spatial.geo.coords import gcj02_to_wgs84
from spatial.plans.manifest import get_plan
from spatial.plans.schema import role_label
from spatial.query.here_index import METRIC_EPSG, HereIndex, index_from_frame, load_index, to_metric

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "DEFAULT_RADIUS_M",
    "MAX_RADIUS_M",
    "HereElement",
    "HereResult",
    "format_here",
    "own_excerpts_first",
    "parse_lonlat",
    "what_is_here",
    "what_is_here_cached",
]

#: Default search radius for neighbouring elements, in metres.
DEFAULT_RADIUS_M = 1500.0
#: Largest radius accepted (a whole district is about 40 km across).
MAX_RADIUS_M = 20_000.0
#: At most this many neighbouring elements are listed.
MAX_NEARBY = 30

_AREA_TYPES = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class HereElement:
    """One plan element at or near the point.

    Attributes
    ----------
    id, name, role : str
        The feature's id, Chinese name and role.
    plans : list of str
        Plan ids that name it.
    distance_m : float
        0 for an element whose area contains the point, else the distance in metres (EPSG:32649).
    contains : bool
        True when the element's area contains the point.
    derived : bool
        True when the geometry is derived from member places (belts, clusters, axis segments).
    precision_m : float or None
        The feature's ``location_precision_m``: how far the true place may be from the drawing.
    excerpts : list of dict
        ``{plan, section, text}`` for every excerpt, those naming the place itself first.
    member : str or None
        For a derived shape, the name of the member place covering the point or nearest to it:
        the distance is that member's, not the drawn hull's.
    within_precision : bool
        True for a place drawn as a point whose stated precision reaches the query point: it
        may well be here (``distance_m`` says how far its drawn point is).
    """

    id: str
    name: str
    role: str
    plans: list[str]
    distance_m: float
    contains: bool
    derived: bool
    precision_m: float | None
    excerpts: list[dict[str, str]] = field(default_factory=list)
    member: str | None = None  # a derived shape: the member that covers or is nearest the point
    within_precision: bool = False

    @property
    def role_label(self) -> str:
        """The role in Chinese and English, e.g. ``园区 park``."""
        return role_label(self.role)


@dataclass(frozen=True)
class HereResult:
    """The answer for one point.

    Attributes
    ----------
    lon, lat : float
        The point in WGS84.
    input_lon, input_lat : float
        The point as given.
    gcj02 : bool
        Whether the input was GCJ-02 (converted to WGS84 with :mod:`spatial.geo.coords`).
    radius_m : float
        The radius used for neighbours.
    district : str or None
        The district containing the point; None outside Guangzhou.
    covering : list of HereElement
        The elements whose area contains the point and the places drawn as points whose stated
        precision reaches it, the most precise claim first: smallest area (for a point, the
        disc of its precision), then nearest.
    nearby : list of HereElement
        Other elements within ``radius_m``, nearest first (at most ``MAX_NEARBY``).
    """

    lon: float
    lat: float
    input_lon: float
    input_lat: float
    gcj02: bool
    radius_m: float
    district: str | None
    covering: list[HereElement]
    nearby: list[HereElement]

    @property
    def is_empty(self) -> bool:
        """True when no element covers or neighbours the point."""
        return not self.covering and not self.nearby

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``--json`` output)."""
        return asdict(self)


def plan_short(plan_id: str) -> str:
    """A plan's short name, the id for an unknown plan (read from the manifest alone, so a
    point query does not load the 规划衔接 module and the industry taxonomy)."""
    try:
        return get_plan(plan_id).short_name
    except KeyError:
        return plan_id


def parse_lonlat(text: str) -> tuple[float, float]:
    """Parse ``"113.366, 23.062"`` (comma, space or full-width comma) into ``(lon, lat)``.

    Amap's "copy coordinates" gives ``lon,lat``; a pair whose first number looks like a latitude
    and second like a longitude (``23.06, 113.37``) is swapped back.

    Raises
    ------
    ValueError
        With a message for the user when the text is not two finite numbers.
    """
    raw = str(text or "")[:100].replace("，", ",").replace(",", " ").split()
    if len(raw) != 2:
        raise ValueError("请输入经度和纬度两个数字，例如 113.366, 23.062 (lon, lat)")
    try:
        a, b = float(raw[0]), float(raw[1])
    except ValueError:
        raise ValueError("经纬度必须是数字，例如 113.366, 23.062 (lon, lat)") from None
    if abs(a) <= 90 < abs(b) <= 180:
        a, b = b, a
    _check_lonlat(a, b)
    return a, b


def _check_lonlat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("经纬度必须是有限的数字 (lon/lat must be finite numbers)")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"经纬度超出范围: {lon}, {lat} (lon -180..180, lat -90..90)")


def _check_radius(radius_m: float) -> float:
    radius = float(radius_m)
    if not math.isfinite(radius) or radius < 0 or radius > MAX_RADIUS_M:
        raise ValueError(
            f"半径须在 0 到 {MAX_RADIUS_M:.0f} 米之间 (radius 0..{MAX_RADIUS_M:.0f} m)"
        )
    return radius


def own_excerpts_first(excerpts: Any, names: list[str]) -> list[dict[str, str]]:
    """``{plan, section, text}`` of each excerpt, those about the place itself first.

    An excerpt is the more about a place the earlier it names it (by its name or an alias):
    under a heading that names it, or from its first words (中新广州知识城建设…), before a
    sentence that names it among others (以中新广州知识城和南沙科学城为极点，链接…). Excerpts
    that never name it come last; ties keep the feature's order.
    """
    plain = [
        {
            "plan": str(e.get("plan", "")),
            "section": str(e.get("section") or ""),
            "text": str(e.get("text") or ""),
        }
        for e in excerpts or []
    ]
    names = [n for n in names if n]

    def first_mention(exc: dict[str, str]) -> int:
        heading = exc["section"].rsplit("›", 1)[-1]
        if any(n in heading for n in names):
            return -1
        at = [exc["text"].find(n) for n in names]
        return min((a for a in at if a >= 0), default=len(exc["text"]) + 1_000_000)

    order = sorted(range(len(plain)), key=lambda i: (first_mention(plain[i]), i))
    return [plain[i] for i in order]


def _element(
    index: HereIndex, i: int, distance_m: float, contains: bool, member: str | None = None
) -> HereElement:
    precision = float(index.precision[i])
    return HereElement(
        id=index.ids[i],
        name=index.names[i],
        role=index.roles[i],
        plans=list(index.plans[i]),
        distance_m=round(float(distance_m), 1),
        contains=contains,
        derived=bool(index.derived[i]),
        precision_m=None if math.isnan(precision) else precision,
        excerpts=own_excerpts_first(index.excerpts[i], [index.names[i], *index.aliases[i]]),
        member=member,
    )


def _own_parts(
    i: int, index: HereIndex, position: dict[Any, int], seen: frozenset = frozenset()
) -> list:
    """(name, metric geometry) of the places a derived shape is built from, through derived
    members down to drawn ones (a segment's belt, the belt's parks)."""
    if not index.derived[i]:
        return [(index.names[i], index.geoms[i])]
    key = index.keys[i]
    parts = []
    for member in index.members[i]:
        if member in position and member not in seen and member != key:
            parts.extend(_own_parts(position[member], index, position, seen | {key}))
    return parts


def _derived_answer(
    i: int, index: HereIndex, position: dict[Any, int], mpoint: Point
) -> tuple[bool, float, str | None] | None:
    """(covers, distance, member) of a derived shape, read from its members' own geometry;
    None when its members are not at hand (the shape's own geometry answers then)."""
    parts = _own_parts(i, index, position)
    if not parts:
        return None
    for name, geom in parts:
        if geom.geom_type in _AREA_TYPES and geom.covers(mpoint):
            return True, 0.0, name
    name, geom = min(parts, key=lambda part: part[1].distance(mpoint))
    return False, float(geom.distance(mpoint)), name


def _district_of(point: Point) -> str | None:
    from spatial.geo.base import BaseDataMissing, districts_containing

    try:
        names = districts_containing(point, tolerance_m=0.0)
    except BaseDataMissing:
        return None
    return names[0] if names else None


def _check_point(lon: float, lat: float, radius_m: float, gcj02: bool) -> tuple[float, float]:
    _check_lonlat(float(lon), float(lat))
    _check_radius(radius_m)
    return gcj02_to_wgs84(float(lon), float(lat)) if gcj02 else (float(lon), float(lat))


def _answer(
    index: HereIndex,
    lon: float,
    lat: float,
    radius_m: float,
    gcj02: bool,
    district: str | None,
    mpoint: Point,
) -> HereResult:
    """The answer at the WGS84 point ``mpoint`` projects (the input was ``lon, lat``)."""
    radius = _check_radius(radius_m)
    in_lon, in_lat = float(lon), float(lat)
    wlon, wlat = _check_point(lon, lat, radius_m, gcj02)
    covering: list[tuple[float, HereElement]] = []
    nearby: list[HereElement] = []
    if len(index.ids):
        geoms = index.geoms
        dist = shapely.distance(geoms, mpoint)
        is_area = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
        inside = is_area & shapely.covers(geoms, mpoint)
        members: dict[int, str | None] = {}
        position = index.position
        for i in np.flatnonzero(index.derived & is_area):
            # an area within reach: answer from the members it is built from (a derived line,
            # the axis or a corridor, keeps its own distance: it claims no area)
            if not (inside[i] or dist[i] <= radius):
                continue
            answer = _derived_answer(int(i), index, position, mpoint)
            if answer is not None:
                inside[i], dist[i], members[i] = answer
        # places drawn as points whose stated precision reaches the query point
        here = index.is_point & (dist <= np.nan_to_num(index.precision, nan=0.0)) & ~inside
        for i in np.flatnonzero(here):  # a point claims the disc of its stated precision
            element = replace(_element(index, i, dist[i], False), within_precision=True)
            covering.append((math.pi * element.precision_m**2, element))
        for i in np.flatnonzero(inside):
            element = _element(index, i, 0.0, True, members.get(i))
            covering.append((float(shapely.area(geoms[i])), element))
        near = np.flatnonzero(~inside & ~here & (dist <= radius))
        for i in sorted(near, key=lambda j: (dist[j], index.ids[j]))[:MAX_NEARBY]:
            nearby.append(_element(index, i, dist[i], False, members.get(i)))
    covering.sort(key=lambda pair: (pair[0], pair[1].distance_m, pair[1].id))
    return HereResult(
        lon=round(wlon, 7),
        lat=round(wlat, 7),
        input_lon=in_lon,
        input_lat=in_lat,
        gcj02=bool(gcj02),
        radius_m=radius,
        district=district,
        covering=[el for _, el in covering],
        nearby=nearby,
    )


def what_is_here(
    gdf: gpd.GeoDataFrame,
    lon: float,
    lat: float,
    radius_m: float = DEFAULT_RADIUS_M,
    gcj02: bool = False,
) -> HereResult:
    """List the plan elements covering or near a point.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layers (:func:`spatial.plans.layers.load_layers`), EPSG:4326.
    lon, lat : float
        The point, WGS84 unless ``gcj02``.
    radius_m : float
        Neighbours within this many metres are listed (0 to ``MAX_RADIUS_M``).
    gcj02 : bool
        The point is GCJ-02 (Amap, Tencent); it is converted to WGS84 first.

    Returns
    -------
    HereResult

    Raises
    ------
    ValueError
        For non-finite or out-of-range coordinates or radius (the message is for the user).

    See Also
    --------
    what_is_here_cached : the same answer from the cached index, without geopandas.
    """
    import geopandas as gpd

    wlon, wlat = _check_point(lon, lat, radius_m, gcj02)
    point = Point(wlon, wlat)
    mpoint = gpd.GeoSeries([point], crs="EPSG:4326").to_crs(METRIC_EPSG).iloc[0]
    return _answer(index_from_frame(gdf), lon, lat, radius_m, gcj02, _district_of(point), mpoint)


def what_is_here_cached(
    lon: float,
    lat: float,
    radius_m: float = DEFAULT_RADIUS_M,
    gcj02: bool = False,
    layers_dir: Path = LAYERS_DIR,
) -> HereResult:
    """:func:`what_is_here` on the layers in ``layers_dir``, from their cached index.

    The same answer, read from :func:`spatial.query.here_index.load_index` (rebuilt there when
    missing or stale) with no pandas or geopandas import: ``gzmap here LON LAT`` uses it.

    Raises
    ------
    ValueError
        For non-finite or out-of-range coordinates or radius (the message is for the user).
    FileNotFoundError
        When ``layers_dir`` holds no layer file.
    """
    wlon, wlat = _check_point(lon, lat, radius_m, gcj02)
    index = load_index(layers_dir)
    mpoint = to_metric(wlon, wlat)
    return _answer(index, lon, lat, radius_m, gcj02, index.district_of(mpoint), mpoint)


def _format_element(el: HereElement, excerpt_chars: int) -> list[str]:
    where = "覆盖此点" if el.contains else f"{el.distance_m:,.0f} m"
    if el.within_precision:
        where = f"点位 {el.distance_m:,.0f} m，在其位置精度内"
    note = "，范围由成员推算" if el.derived else ""
    if el.derived and el.member:
        note += f"（{'在成员' if el.contains else '距成员'} {el.member}）"
    precision = f"，位置精度 ±{el.precision_m:,.0f} m" if el.precision_m else ""
    lines = [f"- {el.name} [{el.role_label}] {where}{note}{precision}  ({el.id})"]
    for exc in el.excerpts:
        text = exc["text"]
        if excerpt_chars and len(text) > excerpt_chars:
            text = text[:excerpt_chars] + "…"
        lines.append(f"    {plan_short(exc['plan'])}: “{text}”")
        if exc["section"]:
            lines.append(f"      ({exc['section']})")
    return lines


def format_here(result: HereResult, excerpt_chars: int = 160) -> str:
    """Plain-text report of a :class:`HereResult` (the ``gzmap here`` output)."""
    given = f"{result.input_lon:.6f}, {result.input_lat:.6f}"
    head = f"点 {result.lon:.6f}, {result.lat:.6f} (WGS84)"
    if result.gcj02:
        head += f"，由 GCJ-02 {given} 换算"
    lines = [head, f"所在区: {result.district or '不在广州市范围内'}"]
    lines.append(f"此处的规划要素（覆盖此点，或点位精度所及）({len(result.covering)}):")
    for el in result.covering:
        lines.extend(_format_element(el, excerpt_chars))
    if not result.covering:
        lines.append("  (无)")
    lines.append(f"{result.radius_m:,.0f} 米内的规划要素 ({len(result.nearby)}):")
    for el in result.nearby:
        lines.extend(_format_element(el, excerpt_chars))
    if not result.nearby:
        lines.append("  (无)")
    return "\n".join(lines)
