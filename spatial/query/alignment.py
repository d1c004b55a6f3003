"""规划衔接: how a district's plans take up the city plan.

For one district (or one district plan) against the city plan (``level: city`` in the manifest):

* city-plan places inside the district, **taken up** by the district plan (the same feature
  carries excerpts from both) or **not mentioned** by it;
* the district plan's own layout elements the city plan does not name;
* an industry table: each tag the city plan assigns to places in the district and / or the
  district plan names there (city only, both, district only), with the excerpts behind each cell;
* places the two plans give a different role (the city's ``zone`` is the district's ``pole``).

Industries per plan are read from that plan's own excerpts about a place (a tag counts when the
tag or one of its synonyms in ``data/industries.yaml`` appears in the excerpt), so every cell of
the table can show the words it rests on. Roles per plan come from the built ``plan_roles``
property, or from the single ``role`` for layers built without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd

from spatial.plans.manifest import get_plan, load_manifest
from spatial.plans.schema import ROLES
from spatial.plans.taxonomy import Taxonomy, load_taxonomy, word_tags

__all__ = [
    "BOTH",
    "CITY_ONLY",
    "DISTRICT_ONLY",
    "STATUS_COLORS",
    "STATUS_LABELS",
    "Alignment",
    "Evidence",
    "IndustryRow",
    "PlaceRow",
    "RoleDiff",
    "align",
    "format_alignment",
    "industries_in",
    "alignment_targets",
    "city_plan_id",
    "plan_roles_of",
    "plan_short",
    "resolve_target",
    "role_zh",
    "status_frame",
]

BOTH = "both"
CITY_ONLY = "city_only"
DISTRICT_ONLY = "district_only"

#: status -> (Chinese label, English label)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    BOTH: ("两级规划均有", "in both plans"),
    CITY_ONLY: ("仅市级规划", "city plan only"),
    DISTRICT_ONLY: ("仅区级规划", "district plan only"),
}

#: Roles drawn as areas behind the places (outline, light fill) on the alignment maps, on
#: screen and in the briefing, never labelled inside.
AREA_ROLES = ("axis_segment", "belt", "cluster", "corridor")

#: status -> colour, shared by the web map and the print briefing. Their lightness differs
#: (dark green, mid purple, light orange) so the map still reads printed in grey.
STATUS_COLORS: dict[str, str] = {
    BOTH: "#1b7837",
    DISTRICT_ONLY: "#8c6bb1",
    CITY_ONLY: "#f4a340",
}

#: Roles left out of the comparison: the whole axis runs through six districts.
_SKIPPED_ROLES = ("axis",)


@dataclass(frozen=True)
class Evidence:
    """One excerpt behind a claim: which plan said what about which place."""

    feature_id: str
    feature_name: str
    plan: str
    section: str
    text: str


@dataclass(frozen=True)
class PlaceRow:
    """One place in the comparison.

    Attributes
    ----------
    status : str
        ``both``, ``city_only`` or ``district_only``.
    city_role, district_role : str or None
        The role each side gives the place (None where that side does not name it).
    district_plans : list of str
        The district plans (of those compared) that name it.
    city_excerpts, district_excerpts : list of Evidence
        Each side's words about the place.
    related : list of tuple
        ``(id, name)`` of places on the other side it is tied to through ``parent`` or
        ``links`` (a district element that is part of a city place, or the reverse).
    inside : bool
        Whether the place lies in the district (a district plan may name city places elsewhere).
    """

    id: str
    name: str
    status: str
    city_role: str | None
    district_role: str | None
    district_plans: list[str]
    city_excerpts: list[Evidence]
    district_excerpts: list[Evidence]
    related: list[tuple[str, str]] = field(default_factory=list)
    inside: bool = True


@dataclass(frozen=True)
class IndustryRow:
    """One industry tag: which side names it in the district, and the words behind each side."""

    tag: str
    status: str
    city: list[Evidence]
    district: list[Evidence]
    group: str | None = None  # the broad group of a specific industry; None for a group row


@dataclass(frozen=True)
class RoleDiff:
    """A place the city plan and a district plan weigh differently."""

    id: str
    name: str
    district_plan: str
    city_role: str
    city_group: str | None
    district_role: str
    district_group: str | None


@dataclass(frozen=True)
class Alignment:
    """The comparison of one district's plan(s) with the city plan."""

    district: str
    city_plan: str
    district_plans: list[str]
    taken_up: list[PlaceRow]
    not_mentioned: list[PlaceRow]
    district_only: list[PlaceRow]
    elsewhere: list[PlaceRow]
    industries: list[IndustryRow]
    role_diffs: list[RoleDiff]
    industry_groups: list[IndustryRow] = field(default_factory=list)

    @property
    def places(self) -> list[PlaceRow]:
        """Every place inside the district, taken up first, then not mentioned, then district-only."""
        return [*self.taken_up, *self.not_mentioned, *self.district_only]

    def counts(self) -> dict[str, int]:
        """Number of places per status (inside the district)."""
        return {
            BOTH: len(self.taken_up),
            CITY_ONLY: len(self.not_mentioned),
            DISTRICT_ONLY: len(self.district_only),
        }

    def industry(self, tag: str) -> IndustryRow | None:
        """The row of one industry tag, None when neither side names it."""
        return next((row for row in self.industries if row.tag == tag), None)

    def industry_group(self, group: str) -> IndustryRow | None:
        """The row of one broad group (:attr:`industry_groups`), None when neither names it."""
        return next((row for row in self.industry_groups if row.tag == group), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


# -- plans and targets -------------------------------------------------------------------------
def city_plan_id() -> str:
    """The id of the city plan (the first ``level: city`` plan of the manifest)."""
    for plan in load_manifest():
        if plan.level == "city":
            return plan.id
    raise LookupError("the manifest has no city-level plan")


def alignment_targets() -> dict[str, list[str]]:
    """District -> its district plans, in manifest order (only districts that have a plan)."""
    out: dict[str, list[str]] = {}
    for plan in load_manifest():
        if plan.level == "district" and plan.district:
            out.setdefault(plan.district, []).append(plan.id)
    return out


def resolve_target(target: str) -> tuple[str, list[str]]:
    """Resolve a district name (``花都区``, ``花都``) or a district plan id to (district, plans).

    Raises
    ------
    ValueError
        With the accepted names when ``target`` is neither.
    """
    key = str(target or "").strip()
    targets = alignment_targets()
    for district, plans in targets.items():
        if key in (district, district.removesuffix("区")):
            return district, list(plans)
        if key in plans:
            return district, [key]
    known = [*targets, *(p for plans in targets.values() for p in plans)]
    raise ValueError(f"没有区级规划: {key[:40]!r}; 可选: {', '.join(known)}")


def plan_roles_of(row: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``{plan_id: {"role", "group"}}`` of a feature: its ``plan_roles``, else its one role."""
    roles = row.get("plan_roles")
    if isinstance(roles, Mapping) and roles:
        return {str(k): dict(v) for k, v in roles.items() if isinstance(v, Mapping)}
    group = row.get("group")
    group = group if isinstance(group, str) else None
    return {str(p): {"role": row.get("role"), "group": group} for p in row.get("plans") or []}


# -- industries from the words -----------------------------------------------------------------
@lru_cache(maxsize=4)
def _industry_pattern(taxonomy: Taxonomy) -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    words = word_tags(taxonomy)  # tags, synonyms, and compounds naming several tags
    # longest first, so 新一代信息技术 wins over 信息技术, 中医药 over 医药, and 新能源及智能网联汽车
    # (both 新能源汽车 and 智能网联汽车) over 智能网联汽车
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(alternation), words


def industries_in(text: str, taxonomy: Taxonomy | None = None) -> list[str]:
    """Canonical industry tags a piece of plan text names, in order of first mention."""
    pattern, words = _industry_pattern(taxonomy or load_taxonomy())
    return list(
        dict.fromkeys(tag for m in pattern.finditer(text or "") for tag in words[m.group(0)])
    )


# -- building the comparison -------------------------------------------------------------------
def _evidence(row: Mapping[str, Any], plans: Iterable[str]) -> list[Evidence]:
    plans = set(plans)
    return [
        Evidence(
            feature_id=str(row["id"]),
            feature_name=str(row["name"]),
            plan=str(e.get("plan", "")),
            section=str(e.get("section") or ""),
            text=str(e.get("text") or ""),
        )
        for e in row.get("excerpts") or []
        if e.get("plan") in plans
    ]


def _inside(row: Mapping[str, Any], district: str) -> bool:
    districts = list(row.get("district") or [])
    if row.get("role") == "axis_segment":
        # a segment belongs to its first district; its buffered hull may spill into others
        return bool(districts) and districts[0] == district
    return district in districts


def _role_of(row: Mapping[str, Any], plans: Iterable[str]) -> str | None:
    roles = plan_roles_of(row)
    for plan in plans:
        if plan in roles and roles[plan].get("role"):
            return str(roles[plan]["role"])
    return None


def _related(gdf: gpd.GeoDataFrame, fid: str, other_side: set[str]) -> list[tuple[str, str]]:
    """Places of ``other_side`` that ``fid`` is part of / linked to, or that point at ``fid``."""
    row = gdf.loc[fid]
    ids: list[str] = []
    if isinstance(row.get("parent"), str):
        ids.append(row["parent"])
    ids.extend(row.get("links") or [])
    for other in other_side:
        orow = gdf.loc[other]
        if orow.get("parent") == fid or fid in (orow.get("links") or []):
            ids.append(other)
    ids = [i for i in dict.fromkeys(ids) if i in other_side and i != fid]
    return [(i, str(gdf.at[i, "name"])) for i in sorted(ids)]


def _place_row(
    gdf: gpd.GeoDataFrame,
    fid: str,
    status: str,
    city: str,
    dplans: list[str],
    other_side: set[str],
    inside: bool,
) -> PlaceRow:
    row = gdf.loc[fid]
    named_by = [p for p in dplans if p in (row.get("plans") or [])]
    return PlaceRow(
        id=str(fid),
        name=str(row["name"]),
        status=status,
        city_role=_role_of(row, [city]) if city in (row.get("plans") or []) else None,
        district_role=_role_of(row, named_by) if named_by else None,
        district_plans=named_by,
        city_excerpts=_evidence(row, [city]),
        district_excerpts=_evidence(row, named_by),
        related=_related(gdf, fid, other_side),
        inside=inside,
    )


def _industry_rows(
    gdf: gpd.GeoDataFrame,
    city_rows: list[PlaceRow],
    district_rows: list[PlaceRow],
    taxonomy: Taxonomy,
) -> list[IndustryRow]:
    """Tags per side: a place's curated tags that the side's own excerpts about it name.

    Excerpts often list several places in one sentence; keeping only the place's curated tags
    stops an industry of a neighbour in the same sentence from being credited to this place.
    """
    city: dict[str, list[Evidence]] = {}
    district: dict[str, list[Evidence]] = {}
    for rows, side, attr in (
        (city_rows, city, "city_excerpts"),
        (district_rows, district, "district_excerpts"),
    ):
        for place in rows:
            curated = set(gdf.at[place.id, "industries"] or [])
            for ev in getattr(place, attr):
                for tag in industries_in(ev.text, taxonomy):
                    if tag in curated:
                        side.setdefault(tag, []).append(ev)
    return _rows(city, district, taxonomy, taxonomy.tags, by_group=False)


def _rows(
    city: dict[str, list[Evidence]],
    district: dict[str, list[Evidence]],
    taxonomy: Taxonomy,
    order: Iterable[str],
    by_group: bool,
) -> list[IndustryRow]:
    out = []
    for tag in order:
        if tag not in city and tag not in district:
            continue
        status = (
            BOTH if tag in city and tag in district else CITY_ONLY if tag in city else DISTRICT_ONLY
        )
        group = None if by_group else taxonomy.group_of(tag)
        out.append(IndustryRow(tag, status, city.get(tag, []), district.get(tag, []), group))
    rank = {BOTH: 0, CITY_ONLY: 1, DISTRICT_ONLY: 2}
    return sorted(out, key=lambda r: rank[r.status])


def _group_rows(rows: list[IndustryRow], taxonomy: Taxonomy) -> list[IndustryRow]:
    """The same table one level up: a group is named by a side when the side names the group
    or any of its industries (a city 新一代信息技术 meets a district 智能电子 here)."""
    city: dict[str, list[Evidence]] = {}
    district: dict[str, list[Evidence]] = {}
    for row in rows:
        group = taxonomy.group_of(row.tag)
        for side, evidence in ((city, row.city), (district, row.district)):
            if evidence:
                kept = side.setdefault(group, [])
                kept.extend(ev for ev in evidence if ev not in kept)
    return _rows(city, district, taxonomy, taxonomy.groups, by_group=True)


def _role_diffs(
    gdf: gpd.GeoDataFrame, ids: Iterable[str], city: str, dplans: list[str]
) -> list[RoleDiff]:
    diffs = []
    for fid in ids:
        roles = plan_roles_of(gdf.loc[fid])
        if city not in roles:
            continue
        c = roles[city]
        for plan in dplans:
            d = roles.get(plan)
            if d and d.get("role") and c.get("role") and d["role"] != c["role"]:
                diffs.append(
                    RoleDiff(
                        id=str(fid),
                        name=str(gdf.at[fid, "name"]),
                        district_plan=plan,
                        city_role=str(c["role"]),
                        city_group=c.get("group"),
                        district_role=str(d["role"]),
                        district_group=d.get("group"),
                    )
                )
    return diffs


def align(gdf: gpd.GeoDataFrame, target: str) -> Alignment:
    """Compare a district's plan(s) with the city plan.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layers (:func:`spatial.plans.layers.load_layers`), indexed by id.
    target : str
        A district (``花都区``: all its plans together) or one district plan id (``huadu_mfg``).

    Returns
    -------
    Alignment

    Raises
    ------
    ValueError
        When ``target`` names no district plan.
    """
    district, dplans = resolve_target(target)
    city = city_plan_id()
    taxonomy = load_taxonomy()
    live = gdf[~gdf["role"].isin(_SKIPPED_ROLES)]
    plans_of = live["plans"].apply(lambda v: set(v or []))
    inside = live.apply(lambda r: _inside(r, district), axis=1).astype(bool)
    by_city = plans_of.apply(lambda s: city in s)
    by_district = plans_of.apply(lambda s: bool(s.intersection(dplans)))
    city_side = set(live.index[by_city & inside])
    district_side = set(live.index[by_district & ~by_city & inside])

    def rows(mask, status: str, other: set[str], is_inside: bool = True) -> list[PlaceRow]:
        return [
            _place_row(gdf, fid, status, city, dplans, other, is_inside) for fid in live.index[mask]
        ]

    taken_up = rows(by_city & by_district & inside, BOTH, district_side)
    not_mentioned = rows(by_city & ~by_district & inside, CITY_ONLY, district_side)
    district_only = rows(by_district & ~by_city & inside, DISTRICT_ONLY, city_side)
    elsewhere = rows(by_city & by_district & ~inside, BOTH, set(), is_inside=False)
    city_rows = taken_up + not_mentioned
    district_rows = taken_up + district_only
    industries = _industry_rows(gdf, city_rows, district_rows, taxonomy)
    return Alignment(
        district=district,
        city_plan=city,
        district_plans=dplans,
        taken_up=taken_up,
        not_mentioned=not_mentioned,
        district_only=district_only,
        elsewhere=elsewhere,
        industries=industries,
        industry_groups=_group_rows(industries, taxonomy),
        role_diffs=_role_diffs(gdf, [r.id for r in taken_up + elsewhere], city, dplans),
    )


def status_frame(gdf: gpd.GeoDataFrame, alignment: Alignment) -> gpd.GeoDataFrame:
    """The district's places with an ``alignment_status`` column, for maps (EPSG:4326)."""
    status = {row.id: row.status for row in alignment.places}
    frame = gdf.loc[[fid for fid in status if fid in gdf.index]].copy()
    frame["alignment_status"] = [status[fid] for fid in frame.index]
    return frame


def plan_short(plan_id: str) -> str:
    """A plan's short name, the id for an unknown plan."""
    try:
        return get_plan(plan_id).short_name
    except KeyError:
        return plan_id


def role_zh(role: str | None) -> str:
    """A role's Chinese name (the role itself for an unknown one, ``—`` for none)."""
    return ROLES.get(role or "", (role or "—", ""))[0]


# -- text report -------------------------------------------------------------------------------
def _place_line(place: PlaceRow) -> str:
    roles = role_zh(place.city_role or place.district_role)
    if place.city_role and place.district_role and place.city_role != place.district_role:
        roles = f"市:{role_zh(place.city_role)} / 区:{role_zh(place.district_role)}"
    line = f"  - {place.name} [{roles}] ({place.id})"
    if place.related:
        line += " 关联: " + "、".join(name for _, name in place.related)
    return line


def format_alignment(alignment: Alignment, excerpts: bool = False) -> str:
    """Plain-text report (``gzmap alignment``); ``excerpts`` adds the words behind each line."""
    city = plan_short(alignment.city_plan)
    district = "、".join(plan_short(p) for p in alignment.district_plans)
    counts = alignment.counts()
    lines = [
        f"规划衔接 {alignment.district}: {district} 对照 {city}",
        f"市级规划在本区的要素 {counts[BOTH] + counts[CITY_ONLY]} 个，"
        f"区级规划承接 {counts[BOTH]} 个，未提及 {counts[CITY_ONLY]} 个；"
        f"区级规划自有要素 {counts[DISTRICT_ONLY]} 个。",
    ]
    sections = (
        ("区级规划承接的市级要素", alignment.taken_up),
        ("区级规划未提及的市级要素", alignment.not_mentioned),
        ("市级规划未列出的区级要素", alignment.district_only),
        ("区级规划提及的区外市级要素", alignment.elsewhere),
    )
    for title, places in sections:
        lines.append(f"{title} ({len(places)}):")
        for place in places:
            lines.append(_place_line(place))
            if excerpts:
                for ev in [*place.city_excerpts, *place.district_excerpts]:
                    lines.append(f"      {plan_short(ev.plan)}: “{ev.text}”")
        if not places:
            lines.append("  (无)")
    lines.append("产业 (市级 / 区级 / 状态):")
    for row in alignment.industries:
        c = "、".join(dict.fromkeys(e.feature_name for e in row.city)) or "—"
        d = "、".join(dict.fromkeys(e.feature_name for e in row.district)) or "—"
        lines.append(f"  - {row.tag} [{STATUS_LABELS[row.status][0]}] 市: {c} | 区: {d}")
    lines.append("产业大类 (市级 / 区级 / 状态):")
    for row in alignment.industry_groups:
        lines.append(
            f"  - {row.tag} [{STATUS_LABELS[row.status][0]}] "
            f"市 {len({e.feature_id for e in row.city})} 处 / 区 {len({e.feature_id for e in row.district})} 处"
        )
    lines.append(f"角色不同的要素 ({len(alignment.role_diffs)}):")
    for diff in alignment.role_diffs:
        lines.append(
            f"  - {diff.name}: 市级 {role_zh(diff.city_role)} ({diff.city_group or '—'}) / "
            f"{plan_short(diff.district_plan)} {role_zh(diff.district_role)} "
            f"({diff.district_group or '—'})"
        )
    if not alignment.role_diffs:
        lines.append("  (无)")
    return "\n".join(lines)
