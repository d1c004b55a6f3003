"""这片区域规划了什么 — what the plans place in a study area.

:func:`what_is_in_area` lists every plan element that meets a study-area polygon (WGS84), with
how much of it lies inside (area or length, measured in EPSG:32649, in metres) and its
excerpts. A point place counts when the point is inside, and is listed apart, as possibly
inside, when it lies outside by no more than its stated precision (``location_precision_m``).

A shape derived from member places (a belt, a cluster, an axis segment, the axis, a corridor)
claims no more than its members: it is listed when one of the places it is built from meets the
area (``members_inside`` names them), never merely because its drawn hull, buffer or connecting
line crosses the area.

``gzmap here --area FILE`` and the 这里规划了什么 page's area query both go through this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from spatial.geo.base import METRIC_CRS
from spatial.plans.schema import ROLES, role_label
from spatial.query.here import own_excerpts_first, plan_short

__all__ = ["AreaElement", "AreaResult", "area_of", "format_area", "what_is_in_area"]

_AREA_TYPES = ("Polygon", "MultiPolygon")
_LINE_TYPES = ("LineString", "MultiLineString")
_ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


@dataclass(frozen=True)
class AreaElement:
    """One plan element that meets the study area.

    Attributes
    ----------
    id, name, role : str
        The feature's id, Chinese name and role.
    plans : list of str
        Plan ids that name it.
    kind : {'area', 'line', 'point'}
        How it is drawn.
    share : float
        Part of it inside the study area, 0..1: of its area, of its length, or 1 for a point
        inside (0 for a point only within its precision). For a derived shape, the share of its
        member places that meet the area.
    inside_m2 : float or None
        Its area inside the study area, in m² (drawn areas only).
    inside_m : float or None
        Its length inside the study area, in metres (drawn lines only).
    distance_m : float
        0 when it meets the area, else (a point within its precision) its distance to the area.
    certain : bool
        False for a point outside the area by no more than its stated precision.
    derived : bool
        True for a shape derived from member places.
    members_inside : list of str
        For a derived shape, the names of the member places that meet the area.
    precision_m : float or None
        The feature's ``location_precision_m``.
    excerpts : list of dict
        ``{plan, section, text}``, those naming the place itself first.
    """

    id: str
    name: str
    role: str
    plans: list[str]
    kind: str
    share: float
    inside_m2: float | None
    inside_m: float | None
    distance_m: float
    certain: bool
    derived: bool
    members_inside: list[str] = field(default_factory=list)
    precision_m: float | None = None
    excerpts: list[dict[str, str]] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        """The role in Chinese and English, e.g. ``园区 park``."""
        return role_label(self.role)


@dataclass(frozen=True)
class AreaResult:
    """The answer for one study area.

    Attributes
    ----------
    area_m2 : float
        The study area's size in m² (EPSG:32649).
    bounds : tuple of float
        Its WGS84 bounds (west, south, east, north).
    inside : list of AreaElement
        Elements that meet the area: the places drawn themselves (areas, then lines, then
        points, the larger share first, then structure before parks, then name), then the
        shapes derived from member places.
    possibly : list of AreaElement
        Point places outside the area by no more than their stated precision, nearest first.
    """

    area_m2: float
    bounds: tuple[float, float, float, float]
    inside: list[AreaElement]
    possibly: list[AreaElement]

    @property
    def is_empty(self) -> bool:
        """True when nothing meets the area, even within a point's precision."""
        return not self.inside and not self.possibly

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``--json`` output)."""
        return asdict(self)


def area_of(features: gpd.GeoDataFrame) -> BaseGeometry:
    """The study area a layer draws: the union of its polygons (WGS84).

    Raises
    ------
    ValueError
        When the layer holds no polygon (points and lines mark no area).
    """
    geoms = [
        g for g in (features.geometry if features is not None else [])
        if g is not None and not g.is_empty and g.geom_type in _AREA_TYPES
    ]
    if not geoms:
        raise ValueError("文件中没有面要素，无法作为研究范围。The file holds no polygon to use as "
                         "a study area.")
    return shapely.union_all([shapely.make_valid(g) for g in geoms])


def _is_derived(row: Any) -> bool:
    return "derived:" in str(row.get("location_source") or "")


def _precision(row: Any) -> float | None:
    value = row.get("location_precision_m")
    return float(value) if value is not None and value == value else None


def _drawn_members(fid: str, rows: gpd.GeoDataFrame, seen: frozenset = frozenset()) -> list[str]:
    """Ids of the drawn (not derived) places a derived shape is built from, through derived
    members (a segment's belt, the belt's parks)."""
    out: list[str] = []
    for member in rows.at[fid, "members"] or []:
        if member not in rows.index or member in seen or member == fid:
            continue
        if _is_derived(rows.loc[member]):
            out.extend(_drawn_members(member, rows, seen | {fid}))
        else:
            out.append(member)
    return list(dict.fromkeys(out))


def _element(row: Any, kind: str, share: float, **extra: Any) -> AreaElement:
    names = [str(row["name"]), *map(str, row.get("aliases") or [])]
    return AreaElement(
        id=str(row["id"]),
        name=str(row["name"]),
        role=str(row["role"]),
        plans=list(row.get("plans") or []),
        kind=kind,
        share=round(float(share), 4),
        derived=_is_derived(row),
        precision_m=_precision(row),
        excerpts=own_excerpts_first(row.get("excerpts") or [], names),
        **extra,
    )


def what_is_in_area(gdf: gpd.GeoDataFrame, area: BaseGeometry) -> AreaResult:
    """List the plan elements that meet a study area.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layers (:func:`spatial.plans.layers.load_layers`), EPSG:4326, indexed by id.
    area : shapely Polygon or MultiPolygon
        The study area in WGS84 lon/lat.

    Returns
    -------
    AreaResult

    Raises
    ------
    ValueError
        When ``area`` is not a polygon of some size (the message is for the user).
    """
    if area is None or area.is_empty or area.geom_type not in _AREA_TYPES:
        raise ValueError("研究范围须为面（Polygon/MultiPolygon）。The study area must be a polygon.")
    marea = gpd.GeoSeries([shapely.make_valid(area)], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    if marea.area <= 0:
        raise ValueError("研究范围面积为零。The study area has no area.")
    live = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    metric = dict(zip(live.index, live.geometry.to_crs(METRIC_CRS).values, strict=True))
    meets = {fid: bool(shapely.intersects(geom, marea)) for fid, geom in metric.items()}
    inside: list[AreaElement] = []
    possibly: list[AreaElement] = []
    for fid, row in live.iterrows():
        geom = metric[fid]
        if _is_derived(row) and row.get("members"):
            members = [m for m in _drawn_members(fid, live) if m in metric]
            hit = [m for m in members if meets[m]]
            if hit:
                kind = "area" if geom.geom_type in _AREA_TYPES else "line"
                inside.append(
                    _element(
                        row, kind, len(hit) / len(members), inside_m2=None, inside_m=None,
                        distance_m=0.0, certain=True,
                        members_inside=[str(live.at[m, "name"]) for m in hit],
                    )
                )
            continue
        if geom.geom_type in _AREA_TYPES:
            if meets[fid]:
                part = float(shapely.intersection(geom, marea).area)
                inside.append(
                    _element(row, "area", part / geom.area if geom.area else 0.0,
                             inside_m2=round(part, 1), inside_m=None, distance_m=0.0, certain=True)
                )
        elif geom.geom_type in _LINE_TYPES:
            if meets[fid]:
                part = float(shapely.intersection(geom, marea).length)
                inside.append(
                    _element(row, "line", part / geom.length if geom.length else 0.0,
                             inside_m2=None, inside_m=round(part, 1), distance_m=0.0, certain=True)
                )
        elif meets[fid]:
            inside.append(
                _element(row, "point", 1.0, inside_m2=None, inside_m=None, distance_m=0.0,
                         certain=True)
            )
        else:
            reach = _precision(row) or 0.0
            gap = float(shapely.distance(geom, marea))
            if gap <= reach:
                possibly.append(
                    _element(row, "point", 0.0, inside_m2=None, inside_m=None,
                             distance_m=round(gap, 1), certain=False)
                )
    kinds = {"area": 0, "line": 1, "point": 2}
    inside.sort(
        key=lambda e: (e.derived, kinds[e.kind], -e.share, _ROLE_ORDER.get(e.role, 99), e.name)
    )
    possibly.sort(key=lambda e: (e.distance_m, e.name))
    west, south, east, north = (float(v) for v in np.round(area.bounds, 6))
    return AreaResult(
        area_m2=round(float(marea.area), 1),
        bounds=(west, south, east, north),
        inside=inside,
        possibly=possibly,
    )


def _amount(el: AreaElement) -> str:
    if el.derived:
        return f"成员在内：{'、'.join(el.members_inside)}"
    if el.inside_m2 is not None:
        return f"区内 {el.inside_m2 / 1e6:,.2f} km²（占 {el.share:.0%}）"
    if el.inside_m is not None:
        return f"区内 {el.inside_m / 1000:,.2f} km（占 {el.share:.0%}）"
    if el.certain:
        return "点位在区内"
    return f"点位在区外 {el.distance_m:,.0f} m，在其位置精度 ±{el.precision_m:,.0f} m 内"


def format_area(result: AreaResult, excerpt_chars: int = 160) -> str:
    """Plain-text report of an :class:`AreaResult` (the ``gzmap here --area`` output)."""
    lines = [
        f"研究范围 {result.area_m2 / 1e6:,.2f} km²（EPSG:32649），"
        f"范围 {result.bounds[0]:.4f}, {result.bounds[1]:.4f} – "
        f"{result.bounds[2]:.4f}, {result.bounds[3]:.4f} (WGS84)",
        f"区内的规划要素 ({len(result.inside)}):",
    ]
    groups = [result.inside, result.possibly]
    for i, elements in enumerate(groups):
        if i == 1:
            lines.append(f"可能在区内（点位在其位置精度内）({len(result.possibly)}):")
        for el in elements:
            lines.append(f"- {el.name} [{el.role_label}] {_amount(el)}  ({el.id})")
            for exc in el.excerpts:
                text = exc["text"]
                if excerpt_chars and len(text) > excerpt_chars:
                    text = text[:excerpt_chars] + "…"
                lines.append(f"    {plan_short(exc['plan'])}: “{text}”")
                if exc["section"]:
                    lines.append(f"      ({exc['section']})")
        if not elements:
            lines.append("  (无)")
    return "\n".join(lines)
