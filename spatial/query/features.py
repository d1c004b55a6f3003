"""Select features: by plan, industry, role, 表5-1 cluster, axis segment and text; walk the axis.

The app and the exports both go through :func:`select`, so a map exported from the app shows
exactly the features the interactive view shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd

from spatial.plans.manifest import plan_ids
from spatial.plans.taxonomy import load_taxonomy

AXIS_ID = "sti-axis"


@dataclass(frozen=True)
class Selection:
    """What the user has chosen to see. Empty fields mean "no restriction".

    Attributes
    ----------
    plans : tuple of str
        Plan ids; a feature matches if any of its ``plans`` is chosen.
    industries : tuple of str
        Industry tags of either level (synonyms are folded); a feature matches if it has any of
        them, a group matching its own tag and every industry beneath it.
    roles : tuple of str
        Roles; a feature matches if its role is chosen.
    clusters : tuple of str
        Ids of ``cluster`` features; a feature matches if it is one of their members or one of them.
    segment : str or None
        An axis segment id (``axis-huangpu``) or name (``黄埔段``); restricts to its members.
        The axis id (``sti-axis``) or ``全轴`` restricts to everything on the axis.
    query : str
        Free text: matches names, aliases and the plans' excerpts (industry synonyms expand).
    linked : bool
        With plans chosen, also show the places those plans only link to: places they name in
        passing (``mentions``) and places their own features list in ``links``.
    """

    plans: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    segment: str | None = None
    query: str = ""
    linked: bool = False

    def with_(self, **changes: object) -> Selection:
        """Return a copy with some fields changed."""
        return replace(self, **changes)

    def to_params(self) -> dict[str, list[str]]:
        """Encode as URL query parameters (lists; empty fields left out)."""
        params: dict[str, list[str]] = {}
        for key in ("plans", "industries", "roles", "clusters"):
            values = list(getattr(self, key))
            if values:
                params[key] = values
        if self.segment:
            params["segment"] = [self.segment]
        if self.query:
            params["q"] = [self.query]
        if self.linked:
            params["linked"] = ["1"]
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Iterable[str] | str]) -> Selection:
        """Decode URL query parameters (unknown keys ignored, values stripped)."""

        def values(key: str) -> tuple[str, ...]:
            raw = params.get(key, ())
            items = [raw] if isinstance(raw, str) else list(raw)
            out: list[str] = []
            for item in items:
                out.extend(v.strip() for v in str(item).split(",") if v.strip())
            return tuple(dict.fromkeys(out))

        seg = values("segment")
        q = values("q")
        return cls(
            plans=values("plans"),
            industries=values("industries"),
            roles=values("roles"),
            clusters=values("clusters"),
            segment=seg[0] if seg else None,
            query=q[0] if q else "",
            linked=bool(values("linked")) and values("linked")[0].lower() in ("1", "true", "yes"),
        )


def _has_any(column: pd.Series, wanted: Iterable[str]) -> pd.Series:
    wanted = set(wanted)
    return column.apply(lambda values: bool(wanted.intersection(values or ())))


#: Names that stand for the whole 科技创新轴 where a segment is expected.
WHOLE_AXIS_NAMES = (AXIS_ID, "全轴", "科技创新轴")


def is_whole_axis(gdf: gpd.GeoDataFrame, segment: str | None) -> bool:
    """True when ``segment`` names the whole axis (its id, ``全轴``) rather than one segment."""
    if not segment:
        return False
    if segment in WHOLE_AXIS_NAMES:
        return True
    return segment in gdf.index and gdf.at[segment, "role"] == "axis"


def axis_member_ids(gdf: gpd.GeoDataFrame) -> set[str]:
    """Ids of everything on the axis: the axis, its segments, their members, the axis nodes."""
    ids: set[str] = set(gdf.index[gdf["axis_order"].notna()])
    structural = gdf[gdf["role"].isin(["axis", "axis_segment"])]
    for fid, members in structural["members"].items():
        ids.add(fid)
        ids.update(m for m in members or [] if m in gdf.index)
    return ids


def resolve_segment(gdf: gpd.GeoDataFrame, segment: str) -> str | None:
    """Return the id of the axis segment named by an id or a name such as ``黄埔段``.

    The whole axis (``sti-axis``, ``全轴``) resolves to the axis feature's id when there is one.
    """
    if is_whole_axis(gdf, segment):
        axes = gdf.index[gdf["role"] == "axis"]
        return str(axes[0]) if len(axes) else None
    segs = gdf[gdf["role"] == "axis_segment"]
    if segment in segs.index:
        return segment
    for fid, row in segs.iterrows():
        names = [row["name"], *(row["aliases"] or []), row.get("name_en") or ""]
        if any(segment and segment in str(n) for n in names):
            return fid
    return None


def search_mask(gdf: gpd.GeoDataFrame, query: str) -> pd.Series:
    """Features whose name, aliases or excerpts contain the query (industry synonyms expanded)."""
    query = query.strip()
    if not query:
        return pd.Series(True, index=gdf.index)
    taxonomy = load_taxonomy()
    tag = taxonomy.canonical(query)
    words = [query.lower()]
    if tag:
        words = [w.lower() for w in taxonomy.expand(tag)]

    def hit(row: pd.Series) -> bool:
        hay = [str(row["name"]), str(row.get("name_en") or ""), *map(str, row["aliases"] or [])]
        hay += [str(e.get("text", "")) for e in row["excerpts"] or []]
        blob = "\n".join(hay).lower()
        if any(w in blob for w in words):
            return True
        return bool(tag and tag in (row["industries"] or []))

    return gdf.apply(hit, axis=1).astype(bool)


def linked_mask(gdf: gpd.GeoDataFrame, plans: Iterable[str]) -> pd.Series:
    """Features the plans only link to: named in passing (``mentions``) or in ``links`` of a
    feature the plans place."""
    plans = set(plans)
    mentioned = gdf["mentions"].apply(
        lambda ms: any(isinstance(m, dict) and m.get("plan") in plans for m in ms or ())
    )
    placed = _has_any(gdf["plans"], plans)
    targets = {t for links in gdf.loc[placed, "links"] for t in links or ()}
    return (mentioned | gdf.index.isin(targets)) & ~placed


def plan_view(gdf: gpd.GeoDataFrame, plans: Iterable[str]) -> gpd.GeoDataFrame:
    """The features with ``role`` and ``group`` as the chosen plans draw them.

    Each feature takes the role and group of the first chosen plan (manifest order) that places
    it (``plan_roles``); features no chosen plan places keep their "all plans" role and group.
    With no plan chosen the frame is returned unchanged.
    """
    chosen = [p for p in plan_ids() if p in set(plans)]
    if not chosen or "plan_roles" not in gdf.columns:
        return gdf

    def pick(entry: object, key: str, fallback: object) -> object:
        roles = entry if isinstance(entry, dict) else {}
        for pid in chosen:
            if pid in roles:
                return roles[pid].get(key)
        return fallback

    out = gdf.copy()
    pairs = zip(gdf["plan_roles"], gdf["role"], gdf["group"], strict=True)
    picked = [(pick(pr, "role", r), pick(pr, "group", g)) for pr, r, g in pairs]
    out["role"] = [r for r, _ in picked]
    out["group"] = [g for _, g in picked]
    return out


def select(gdf: gpd.GeoDataFrame, sel: Selection) -> gpd.GeoDataFrame:
    """Return the features matching a selection, in layer order.

    Parameters
    ----------
    gdf : GeoDataFrame
        From :func:`spatial.plans.layers.load_layers`.
    sel : Selection
        The user's choices.

    Returns
    -------
    GeoDataFrame
        The matching features; with plans chosen, ``role`` and ``group`` are the plans' own
        (:func:`plan_view`), and a role filter applies to those.
    """
    gdf = plan_view(gdf, sel.plans)
    mask = pd.Series(True, index=gdf.index)
    if sel.plans:
        placed = _has_any(gdf["plans"], sel.plans)
        mask &= placed | linked_mask(gdf, sel.plans) if sel.linked else placed
    if sel.industries:
        mask &= _has_any(gdf["industries"], industry_match_tags(sel.industries))
    if sel.roles:
        mask &= gdf["role"].isin(sel.roles)
    if sel.clusters:
        keep: set[str] = set()
        for cid in sel.clusters:
            if cid in gdf.index:
                keep.add(cid)
                keep.update(gdf.at[cid, "members"] or [])
        mask &= gdf.index.isin(keep)
    if sel.segment and is_whole_axis(gdf, sel.segment):
        mask &= gdf.index.isin(axis_member_ids(gdf))
    elif sel.segment:
        seg_id = resolve_segment(gdf, sel.segment)
        if seg_id is None:
            mask &= False
        else:
            members = set(gdf.at[seg_id, "members"] or []) | {seg_id}
            in_seg = gdf["axis_segment"].apply(lambda s: seg_id in (s or []))
            mask &= gdf.index.isin(members) | in_seg
    if sel.query:
        mask &= search_mask(gdf, sel.query)
    return gdf[mask]


def axis_nodes(gdf: gpd.GeoDataFrame, segment: str | None = None) -> gpd.GeoDataFrame:
    """Nodes of the 科技创新轴 in axis order (pole to pole), optionally of one segment only.

    A segment's walk lists its axis nodes first (in axis order), then its other member places
    in the order the segment lists them.
    """
    nodes = gdf[gdf["axis_order"].notna()].sort_values("axis_order")
    if not segment or is_whole_axis(gdf, segment):
        return nodes
    seg_id = resolve_segment(gdf, segment)
    if seg_id is None:
        return nodes.iloc[0:0]
    members = list(gdf.at[seg_id, "members"] or [])
    on_axis = nodes[
        nodes["axis_segment"].apply(lambda s: seg_id in (s or [])) | nodes.index.isin(members)
    ]
    rest = [m for m in members if m in gdf.index and m not in on_axis.index]
    return pd.concat([on_axis, gdf.loc[rest]]) if rest else on_axis


def axis_segments(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The axis segments in the order the axis passes them."""
    segs = gdf[gdf["role"] == "axis_segment"]
    nodes = axis_nodes(gdf)

    def first_order(seg_id: str) -> float:
        orders = [
            row["axis_order"]
            for _, row in nodes.iterrows()
            if seg_id in (row["axis_segment"] or [])
            or row["id"] in (segs.at[seg_id, "members"] or [])
        ]
        return min(orders) if orders else float("inf")

    order = sorted(segs.index, key=lambda s: (first_order(s), s))
    return segs.loc[order]


def step(node_ids: list[str], current: str | None, delta: int) -> str | None:
    """Move ``delta`` steps along a walk; clamps at the ends; None for an empty walk."""
    if not node_ids:
        return None
    if current not in node_ids:
        return node_ids[0] if delta >= 0 else node_ids[-1]
    i = node_ids.index(current) + delta
    return node_ids[max(0, min(len(node_ids) - 1, i))]


def industry_match_tags(words: Iterable[str]) -> set[str]:
    """The stored tags a filter on ``words`` matches: synonyms folded, groups expanded."""
    taxonomy = load_taxonomy()
    tags: set[str] = set()
    for word in words:
        tag = taxonomy.canonical(word) or word
        tags.update(taxonomy.members(tag) if tag in taxonomy.tags else [tag])
    return tags


def industry_counts(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Number of features per industry tag, both levels, largest first.

    A specific industry counts the features tagged with it; a group counts the features a filter
    on it returns (tagged with the group or any industry beneath it, each feature once).
    """
    taxonomy = load_taxonomy()
    counts: dict[str, int] = {}
    for tags in gdf["industries"]:
        tags = set(tags or ())
        groups = set()
        for tag in tags:
            counts[tag] = counts.get(tag, 0) + (tag not in taxonomy.groups)
            if tag in taxonomy.tags:
                groups.add(taxonomy.group_of(tag))
        for group in groups:
            counts[group] = counts.get(group, 0) + 1
    series = pd.Series(counts, dtype=int)
    return series[series > 0].sort_values(ascending=False, kind="stable")


def plan_industry_table(gdf: gpd.GeoDataFrame, roles: Iterable[str] = ()) -> pd.DataFrame:
    """Plan × industry feature counts (long form: plan, industry, count).

    With ``roles``, a feature counts for a plan only if that plan gives it one of them
    (``plan_roles``), so each plan's column follows its own layout.
    """
    roles = set(roles)
    rows = []
    for _, row in gdf.iterrows():
        own = row.get("plan_roles") if isinstance(row.get("plan_roles"), dict) else {}
        for plan in row["plans"] or []:
            if roles and (own.get(plan) or {"role": row["role"]}).get("role") not in roles:
                continue
            for tag in row["industries"] or []:
                rows.append((plan, tag))
    frame = pd.DataFrame(rows, columns=["plan", "industry"])
    return frame.value_counts().rename("count").reset_index()
