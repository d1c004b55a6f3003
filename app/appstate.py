"""The app's shareable state: what the URL query string holds, and how it is checked.

A view of the app is a :class:`~spatial.query.features.Selection` (plans, industries, roles,
clusters, axis segment, search text) plus the selected feature and the basemap. It lives in
the URL so that a link reopens the same view::

    ?plans=gz_sti&industries=生物医药,集成电路&segment=axis-huangpu&node=shengwudao&basemap=amap&colour=plan

Lists are comma-joined (repeated keys are read too). A link may be stale or hand-edited, so
:func:`sanitize` drops what the data doesn't know (and says what it dropped) before any widget
sees it; industry synonyms are folded to their tags (``芯片`` → ``集成电路``).

Nothing here imports Streamlit; the app passes ``st.query_params`` in as a plain mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd

from spatial.geo.basemaps import app_default_basemap
from spatial.plans.taxonomy import load_taxonomy
from spatial.query.features import AXIS_ID, Selection, is_whole_axis, resolve_segment
from spatial.symbology import DEFAULT_RULE, RULES
from spatial.webmap import tooltip_feature_id

__all__ = [
    "AppState",
    "Options",
    "chart_pick",
    "clicked_feature",
    "normalise_query_params",
    "options_from_layers",
    "sanitize",
]

LIST_KEYS = ("plans", "industries", "roles", "clusters")
NODE_KEY = "node"
BASEMAP_KEY = "basemap"
#: The basemap a new page opens on and a link leaves unsaid (``GZMAP_BASEMAP``, a deployment's
#: choice; else the light tiles).
APP_BASEMAP = app_default_basemap()
#: URL key of the colour rule (:data:`spatial.symbology.RULES`).
COLOUR_KEY = "colour"
#: Longest search text a URL may carry.
MAX_QUERY_CHARS = 100


@dataclass(frozen=True)
class AppState:
    """One view of the app.

    Attributes
    ----------
    selection : Selection
        The filters (its ``segment`` may also be the whole axis, ``sti-axis``).
    node : str or None
        Id of the feature whose panel is open.
    basemap : str
        Basemap key (:data:`spatial.geo.basemaps.BASEMAPS` or ``none``).
    colour_by : str
        The colour rule of the map and its print export (:data:`spatial.symbology.RULES`).
    """

    selection: Selection = field(default_factory=Selection)
    node: str | None = None
    basemap: str = APP_BASEMAP
    colour_by: str = DEFAULT_RULE

    def to_query(self) -> dict[str, str]:
        """URL query parameters of this view (lists comma-joined, defaults left out)."""
        params: dict[str, str] = {}
        for key, values in self.selection.to_params().items():
            params[key] = ",".join(values) if key != "q" else values[0]
        if self.node:
            params[NODE_KEY] = self.node
        if self.basemap and self.basemap != APP_BASEMAP:
            params[BASEMAP_KEY] = self.basemap
        if self.colour_by and self.colour_by != DEFAULT_RULE:
            params[COLOUR_KEY] = self.colour_by
        return params

    @classmethod
    def from_query(cls, params: Mapping[str, str | Iterable[str]]) -> AppState:
        """Read a view from URL query parameters (unknown keys ignored; nothing checked yet)."""
        params = normalise_query_params(params)
        selection = Selection.from_params({k: v for k, v in params.items() if k != "q"})
        query = " ".join(params.get("q", [])).strip()[:MAX_QUERY_CHARS]
        node = next(iter(params.get(NODE_KEY, [])), None)
        basemap = next(iter(params.get(BASEMAP_KEY, [])), None)
        colour = next(iter(params.get(COLOUR_KEY, [])), None)
        return cls(
            selection=selection.with_(query=query),
            node=node.strip() or None if node else None,
            basemap=(basemap or "").strip() or APP_BASEMAP,
            colour_by=(colour or "").strip()[:MAX_QUERY_CHARS] or DEFAULT_RULE,
        )


def normalise_query_params(params: Mapping[str, str | Iterable[str]]) -> dict[str, list[str]]:
    """Every value as a list of strings (a single string becomes a one-item list)."""
    out: dict[str, list[str]] = {}
    for key, value in params.items():
        out[str(key)] = [value] if isinstance(value, str) else [str(v) for v in value]
    return out


@dataclass(frozen=True)
class Options:
    """What the loaded data and the app offer to choose from."""

    plans: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    nodes: frozenset[str] = frozenset()
    basemaps: tuple[str, ...] = ()


def options_from_layers(
    gdf: gpd.GeoDataFrame | None,
    plan_ids: Iterable[str],
    basemaps: Iterable[str],
) -> Options:
    """The choices a layer frame offers: its plans, tags, roles, clusters, segments and ids.

    Plans come in manifest order, industries in taxonomy order, roles in legend order,
    segments as the axis passes them (the whole axis first when the data has an axis).
    """
    from spatial.plans.schema import ROLES
    from spatial.query.features import axis_segments

    plan_ids = list(plan_ids)
    if gdf is None or gdf.empty:
        return Options(plans=tuple(plan_ids), basemaps=tuple(basemaps))
    used_plans = {p for plans in gdf["plans"] for p in plans or []}
    taxonomy = load_taxonomy()
    used_tags = {t for tags in gdf["industries"] for t in tags or []}
    used_tags |= {taxonomy.group_of(t) for t in used_tags if t in taxonomy.tags}  # both levels
    tax_order = {t: i for i, t in enumerate(taxonomy.tags)}
    used_roles = set(gdf["role"].dropna())
    segments = list(axis_segments(gdf).index)
    has_axis = bool((gdf["role"] == "axis").any() or gdf["axis_order"].notna().any())
    return Options(
        plans=tuple(p for p in plan_ids if p in used_plans) or tuple(plan_ids),
        industries=tuple(sorted(used_tags, key=lambda t: (tax_order.get(t, len(tax_order)), t))),
        roles=tuple(r for r in ROLES if r in used_roles) + tuple(sorted(used_roles - set(ROLES))),
        clusters=tuple(gdf.index[gdf["role"] == "cluster"]),
        segments=((AXIS_ID,) if has_axis else ()) + tuple(segments),
        nodes=frozenset(gdf.index),
        basemaps=tuple(basemaps),
    )


def sanitize(
    state: AppState, options: Options, gdf: gpd.GeoDataFrame | None = None
) -> tuple[AppState, list[str]]:
    """Drop what the data doesn't offer from a view; return it with a note per dropped value.

    Industry synonyms are folded to their tags and a segment name (``黄埔段``) to its id before
    checking, so readable hand-written links work.
    """
    notes: list[str] = []
    sel = state.selection
    taxonomy = load_taxonomy()

    def keep(kind: str, values: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
        allowed = set(allowed)
        kept = []
        for v in values:
            if v in allowed:
                kept.append(v)
            else:
                notes.append(f"{kind}: {v}")
        return tuple(dict.fromkeys(kept))

    industries = [taxonomy.canonical(t) or t for t in sel.industries]
    segment = sel.segment
    if segment and gdf is not None and not gdf.empty and segment not in options.segments:
        if is_whole_axis(gdf, segment):
            segment = AXIS_ID
        else:
            segment = resolve_segment(gdf, segment) or segment
    if segment and segment not in options.segments:
        notes.append(f"segment: {segment}")
        segment = None
    node = state.node
    if node and node not in options.nodes:
        notes.append(f"node: {node}")
        node = None
    basemap = state.basemap
    if basemap not in options.basemaps:
        notes.append(f"basemap: {basemap}")
        offered = options.basemaps
        basemap = APP_BASEMAP if APP_BASEMAP in offered or not offered else offered[0]
    colour_by = state.colour_by
    if colour_by not in RULES:
        notes.append(f"colour: {colour_by}")
        colour_by = DEFAULT_RULE
    clean = Selection(
        plans=keep("plans", sel.plans, options.plans),
        industries=keep("industries", industries, options.industries),
        roles=keep("roles", sel.roles, options.roles),
        clusters=keep("clusters", sel.clusters, options.clusters),
        segment=segment,
        query=sel.query[:MAX_QUERY_CHARS],
        linked=sel.linked,
    )
    return AppState(selection=clean, node=node, basemap=basemap, colour_by=colour_by), notes


def clicked_feature(map_value: Mapping[str, object] | None) -> str | None:
    """The feature id of the last object clicked on the map, from ``st_folium``'s return value."""
    if not map_value:
        return None
    return tooltip_feature_id(str(map_value.get("last_object_clicked_tooltip") or ""))


def chart_pick(event: Mapping[str, object] | None, param: str = "pick") -> tuple[str, str] | None:
    """``(plan id, industry)`` of the overview chart cell a user clicked, from its event.

    ``event`` is what ``st.altair_chart(..., on_select=...)`` stores: ``{"selection": {param:
    [{"plan": ..., "industry": ...}]}}``. None when nothing (or something else) is selected.
    """
    if not event:
        return None
    selection = event.get("selection") if isinstance(event, Mapping) else None
    if not isinstance(selection, Mapping):
        selection = getattr(event, "selection", None)
    if selection is None:
        return None
    points = selection.get(param) if isinstance(selection, Mapping) else getattr(selection, param)
    if not points:
        return None
    first = points[0]
    plan, industry = first.get("plan"), first.get("industry")
    if not plan or not industry:
        return None
    return str(plan), str(industry)
