"""规划衔接: how a district's plans take up the city plan.

For one district (or one district plan) against the city plan (``level: city`` in the manifest):

* city-plan places inside the district, **taken up** by the district plan (the same feature
  carries excerpts from both), **mentioned** by it only in passing (its ``mentions``: the 试验区
  named in 天河's 两区 heading), or **not mentioned** at all;
* the district plan's own layout elements the city plan does not name;
* the city-plan places outside the district the district plan places or mentions (中新知识城,
  南沙科学城 …), and the places outside Guangzhou it names (the 区外 context: 东莞松山湖 …);
* an industry table: each tag the city plan assigns to places in the district and / or the
  district plan names there (city only, both, district only), or names for the whole district
  without a place (区级规划（全区）, from ``spatial.plans.district_wide``), with the words behind
  each cell;
* places the two plans give a different role (the city's ``zone`` is the district's ``pole``).

Industries per plan are read from that plan's own words about a place (a tag counts when the
tag, one of its synonyms or a compound naming it appears in the excerpt), so every cell of the
table can show the words it rests on. Only what a plan says of the district's places (or, for
the district plan, of the whole district) counts: the city plan's city-wide sentences do not.
Roles per plan come from the built ``plan_roles`` property, or from the single ``role`` for
layers built without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd

from spatial.plans.district_wide import Statement, load_statements
from spatial.plans.manifest import get_plan, load_manifest
from spatial.plans.schema import OUTSIDE_ROLE, ROLES
from spatial.plans.taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "BOTH",
    "CITY_ONLY",
    "DISTRICT_ONLY",
    "DISTRICT_WIDE",
    "INDUSTRY_SCOPE",
    "INDUSTRY_STATUS_COLORS",
    "INDUSTRY_STATUS_LABELS",
    "MENTIONED",
    "STATUS_COLORS",
    "STATUS_LABELS",
    "WHOLE_DISTRICT",
    "Alignment",
    "Evidence",
    "IndustryRow",
    "PlaceRow",
    "RoleDiff",
    "align",
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
MENTIONED = "mentioned"
CITY_ONLY = "city_only"
DISTRICT_ONLY = "district_only"
DISTRICT_WIDE = "district_wide"

#: a place's status -> (Chinese label, English label)
STATUS_LABELS: dict[str, tuple[str, str]] = {
    BOTH: ("两级规划均有", "in both plans"),
    MENTIONED: ("区级规划提及", "mentioned by the district plan"),
    CITY_ONLY: ("仅市级规划", "city plan only"),
    DISTRICT_ONLY: ("仅区级规划", "district plan only"),
}

#: an industry's status -> labels: a district plan may name an industry for the whole district
INDUSTRY_STATUS_LABELS: dict[str, tuple[str, str]] = {
    BOTH: STATUS_LABELS[BOTH],
    CITY_ONLY: STATUS_LABELS[CITY_ONLY],
    DISTRICT_ONLY: STATUS_LABELS[DISTRICT_ONLY],
    DISTRICT_WIDE: ("区级规划（全区）", "district plan, district-wide"),
}

#: What the industry statuses count, said where the table is shown: (Chinese, English).
INDUSTRY_SCOPE = (
    "产业按两级规划对本区要素的原文表述判定（区级规划另含对全区的表述）；市级规划的全市性表述不计入。",
    "Read from what each plan says of the district's places (and the district plan of the whole "
    "district); the city plan's city-wide sentences are not counted.",
)

#: The words of a district-wide statement stand for this place name in the tables.
WHOLE_DISTRICT = "全区"

#: Roles drawn as areas behind the places (outline, light fill) on the alignment maps, on
#: screen and in the briefing, never labelled inside.
AREA_ROLES = ("axis_segment", "belt", "cluster", "corridor")

#: status -> colour, shared by the web map and the print briefing. Their lightness differs
#: (dark green, mid purple, light orange) so the map still reads printed in grey.
STATUS_COLORS: dict[str, str] = {
    BOTH: "#1b7837",
    DISTRICT_ONLY: "#8c6bb1",
    CITY_ONLY: "#f4a340",
    MENTIONED: "#a6dba0",  # lighter than the orange, darker than paper
}

#: industry status -> colour (the briefing's table): the district-wide one a light purple
INDUSTRY_STATUS_COLORS: dict[str, str] = {
    BOTH: STATUS_COLORS[BOTH],
    CITY_ONLY: STATUS_COLORS[CITY_ONLY],
    DISTRICT_ONLY: STATUS_COLORS[DISTRICT_ONLY],
    DISTRICT_WIDE: "#c9b8e0",
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
    district_mentions : list of Evidence
        The district plan's passing mentions of it (a partner named outside its layout).
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
    district_mentions: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class IndustryRow:
    """One industry tag: which side names it in the district, and the words behind each side.

    ``district_wide`` holds the district plan's words naming it for the whole district; the
    status is ``district_wide`` when those are the district plan's only words about it."""

    tag: str
    status: str
    city: list[Evidence]
    district: list[Evidence]
    group: str | None = None  # the broad group of a specific industry; None for a group row
    district_wide: list[Evidence] = field(default_factory=list)


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
    mentioned: list[PlaceRow] = field(default_factory=list)
    beyond: list[PlaceRow] = field(default_factory=list)  # 区外: outside Guangzhou

    @property
    def places(self) -> list[PlaceRow]:
        """Every place inside the district: taken up, mentioned, not mentioned, district-only."""
        return [*self.taken_up, *self.mentioned, *self.not_mentioned, *self.district_only]

    def counts(self) -> dict[str, int]:
        """Number of places per status (inside the district)."""
        return {
            BOTH: len(self.taken_up),
            MENTIONED: len(self.mentioned),
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
def industries_in(text: str, taxonomy: Taxonomy | None = None) -> list[str]:
    """Canonical industry tags a piece of plan text names, in order of first mention (a
    compound such as 新能源及智能网联汽车 names each of its tags)."""
    return (taxonomy or load_taxonomy()).tags_in(text)


# -- building the comparison -------------------------------------------------------------------
def _evidence(
    row: Mapping[str, Any], plans: Iterable[str], key: str = "excerpts"
) -> list[Evidence]:
    plans = set(plans)
    return [
        Evidence(
            feature_id=str(row["id"]),
            feature_name=str(row["name"]),
            plan=str(e.get("plan", "")),
            section=str(e.get("section") or ""),
            text=str(e.get("text") or ""),
        )
        for e in row.get(key) or []
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
        district_mentions=_evidence(row, dplans, "mentions"),
    )


def _wide_evidence(
    statements: Iterable[Statement], taxonomy: Taxonomy
) -> dict[str, list[Evidence]]:
    """Tag -> the district plans' words naming it for the whole district (and its group)."""
    wide: dict[str, list[Evidence]] = {}
    for st in statements:
        ev = Evidence(
            feature_id="",
            feature_name=WHOLE_DISTRICT,
            plan=st.plan,
            section=str(st.excerpt.get("section") or ""),
            text=str(st.excerpt.get("text") or ""),
        )
        for tag in st.industries:
            wide.setdefault(tag, []).append(ev)
    return wide


def _industry_rows(
    gdf: gpd.GeoDataFrame,
    city_rows: list[PlaceRow],
    district_rows: list[PlaceRow],
    taxonomy: Taxonomy,
    wide: dict[str, list[Evidence]],
) -> list[IndustryRow]:
    """Tags per side: a place's curated tags that the side's own excerpts about it name, and
    the tags the district plans name for the whole district.

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
    # a row for a group's own tag (places tagged only broadly, 汽车产业) counts a side naming any
    # industry of the group too: the city's 汽车等制造业 names the 汽车产业 of 花都
    shown_groups = {t for t in (*city, *district, *wide) if t in taxonomy.groups}
    for side in (city, district):
        for group in shown_groups:
            for tag in taxonomy.children(group):
                kept = side.get(group, [])
                kept.extend(ev for ev in side.get(tag, []) if ev not in kept)
                if kept:
                    side[group] = kept
    return _rows(city, district, wide, taxonomy, taxonomy.tags, by_group=False)


def _status(tag: str, city: Mapping, district: Mapping, wide: Mapping) -> str:
    if tag in district:
        return BOTH if tag in city else DISTRICT_ONLY
    return DISTRICT_WIDE if tag in wide else CITY_ONLY


def _rows(
    city: dict[str, list[Evidence]],
    district: dict[str, list[Evidence]],
    wide: dict[str, list[Evidence]],
    taxonomy: Taxonomy,
    order: Iterable[str],
    by_group: bool,
) -> list[IndustryRow]:
    out = []
    for tag in order:
        if tag not in city and tag not in district and tag not in wide:
            continue
        status = _status(tag, city, district, wide)
        group = None if by_group else taxonomy.group_of(tag)
        out.append(
            IndustryRow(
                tag, status, city.get(tag, []), district.get(tag, []), group, wide.get(tag, [])
            )
        )
    rank = {BOTH: 0, DISTRICT_WIDE: 1, CITY_ONLY: 2, DISTRICT_ONLY: 3}
    return sorted(out, key=lambda r: rank[r.status])


def _group_rows(
    rows: list[IndustryRow], taxonomy: Taxonomy, wide: dict[str, list[Evidence]]
) -> list[IndustryRow]:
    """The same table one level up: a group is named by a side when the side names the group
    or any of its industries (a city 新一代信息技术 meets a district 智能电子 here)."""
    city: dict[str, list[Evidence]] = {}
    district: dict[str, list[Evidence]] = {}
    wide_groups: dict[str, list[Evidence]] = {}
    for row in rows:
        group = taxonomy.group_of(row.tag)
        for side, evidence in ((city, row.city), (district, row.district)):
            if evidence:
                kept = side.setdefault(group, [])
                kept.extend(ev for ev in evidence if ev not in kept)
    for tag, evidence in wide.items():
        kept = wide_groups.setdefault(taxonomy.group_of(tag), [])
        kept.extend(ev for ev in evidence if ev not in kept)
    return _rows(city, district, wide_groups, taxonomy, taxonomy.groups, by_group=True)


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


def _mentioned_by(row: Mapping[str, Any], plans: set[str]) -> bool:
    return any(m.get("plan") in plans for m in row.get("mentions") or [])


def align(
    gdf: gpd.GeoDataFrame, target: str, statements: Iterable[Statement] | None = None
) -> Alignment:
    """Compare a district's plan(s) with the city plan.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layers (:func:`spatial.plans.layers.load_layers`), indexed by id.
    target : str
        A district (``花都区``: all its plans together) or one district plan id (``huadu_mfg``).
    statements : iterable of Statement, optional
        The industries district plans name for the whole district; by default the built
        ones (:func:`spatial.plans.district_wide.load_statements`).

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
    statements = load_statements() if statements is None else statements
    wide = _wide_evidence([s for s in statements if s.plan in dplans], taxonomy)
    live = gdf[~gdf["role"].isin(_SKIPPED_ROLES)]
    plans_of = live["plans"].apply(lambda v: set(v or []))
    context = (live["role"] == OUTSIDE_ROLE).to_numpy()  # 区外: outside Guangzhou
    inside = live.apply(lambda r: _inside(r, district), axis=1).astype(bool) & ~context
    by_city = plans_of.apply(lambda s: city in s)
    by_district = plans_of.apply(lambda s: bool(s.intersection(dplans)))
    mentions = live.apply(lambda r: _mentioned_by(r, set(dplans)), axis=1).astype(bool)
    city_side = set(live.index[by_city & inside])
    district_side = set(live.index[by_district & ~by_city & inside])

    def rows(mask, status: str, other: set[str], is_inside: bool = True) -> list[PlaceRow]:
        return [
            _place_row(gdf, fid, status, city, dplans, other, is_inside) for fid in live.index[mask]
        ]

    taken_up = rows(by_city & by_district & inside, BOTH, district_side)
    mentioned = rows(by_city & ~by_district & mentions & inside, MENTIONED, district_side)
    not_mentioned = rows(by_city & ~by_district & ~mentions & inside, CITY_ONLY, district_side)
    district_only = rows(by_district & ~by_city & inside, DISTRICT_ONLY, city_side)
    elsewhere_mask = by_city & (by_district | mentions) & ~inside & ~context
    elsewhere = [
        _place_row(gdf, fid, BOTH if by_district[fid] else MENTIONED, city, dplans, set(), False)
        for fid in live.index[elsewhere_mask]
    ]
    beyond = [
        _place_row(gdf, fid, BOTH if by_city[fid] else DISTRICT_ONLY, city, dplans, set(), False)
        for fid in live.index[context & (by_district | mentions).to_numpy()]
    ]
    city_rows = taken_up + mentioned + not_mentioned
    district_rows = taken_up + district_only
    industries = _industry_rows(gdf, city_rows, district_rows, taxonomy, wide)
    return Alignment(
        district=district,
        city_plan=city,
        district_plans=dplans,
        taken_up=taken_up,
        not_mentioned=not_mentioned,
        district_only=district_only,
        elsewhere=elsewhere,
        industries=industries,
        industry_groups=_group_rows(industries, taxonomy, wide),
        role_diffs=_role_diffs(gdf, [r.id for r in taken_up + elsewhere], city, dplans),
        mentioned=mentioned,
        beyond=beyond,
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
