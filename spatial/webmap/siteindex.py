"""What a published site's page reads beside the client's files: the index its filters read,
and the panels of the places.

A static site (:mod:`spatial.exports.site`) has no server to compute a view, so its page
(``static/gzmap/siteview.js``) does what :func:`spatial.query.features.select`,
:func:`spatial.symbology.view_symbology`, :func:`spatial.query.search.rank_hits` and
:mod:`spatial.query.unsited` do in the app, from one compact file, :func:`site_index`: every
feature's plans, industries, role, each plan's own role and group, aliases and excerpt text;
the taxonomy's words; the features each 表5-1 cluster and each axis segment selects and the
walk of each segment (both computed here by :mod:`spatial.query.features`, so they are the
app's own); the places named without a site. The message it hands the client is the app's
(:func:`spatial.webmap.client.view_selection`); ``tests/test_site_parity.py`` holds the two
to the same answers.

:func:`site_panels` is the side panel of every place as the app shows it
(:mod:`spatial.query.detail`, :mod:`spatial.query.unsited`): HTML made here, every text from
the layers escaped (:func:`spatial.plaintext.esc`), fetched by the page the first time a
panel opens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from spatial.plaintext import esc, text_of
from spatial.plans.manifest import load_manifest
from spatial.plans.register import NO_SITE_LABEL
from spatial.plans.schema import ROLES
from spatial.plans.taxonomy import load_taxonomy
from spatial.query import detail, unsited
from spatial.query.features import AXIS_ID, Selection, axis_nodes, axis_segments, select
from spatial.symbology import GEOMETRY_KINDS, ROLE_SYMBOLS, UNMARKED_ROLES
from spatial.webmap._geom import _point_of
from spatial.webmap.publish import in_datum

__all__ = [
    "INDEX_VERSION", "json_bytes", "segment_label", "site_index", "site_panels", "view_index",
]

#: The version of the index's layout (``"v"``).
INDEX_VERSION = 1
#: Characters of plan text shown on each side of an excerpt under 查看上下文 (as the app).
CONTEXT_CHARS = 260
_BOUNDS_DECIMALS = 6


def json_bytes(doc: Any) -> bytes:
    """Compact UTF-8 JSON (Chinese as itself, not ``\\uXXXX``)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _listed(value: Any) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    return [str(v) for v in value]


def _plain(value: Any) -> str | None:
    """Text, or None for a missing value (NaN in a frame)."""
    text = text_of(value)
    return text if text or isinstance(value, str) else None


def segment_label(gdf: gpd.GeoDataFrame, key: str) -> str:
    """How the axis walk's choice names a segment: ``黄埔段`` (its alias ending in 段, else its
    name); the whole axis and no segment in words."""
    if not key:
        return "不限 All features"
    if key == AXIS_ID:
        return "科技创新轴 全轴 Whole axis"
    if key in gdf.index:
        row = gdf.loc[key]
        short = next((a for a in _listed(row["aliases"]) if a.endswith("段")), None)
        return short or text_of(row["name"])
    return key


def _options(gdf: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """What the filters offer, in the app's orders: plans as the manifest lists them,
    industries (both levels) as the taxonomy does, roles in legend order, the clusters, the
    whole axis and its segments as the axis passes them."""
    taxonomy = load_taxonomy()
    used_plans = {p for plans in gdf["plans"] for p in _listed(plans)}
    used_tags = {t for tags in gdf["industries"] for t in _listed(tags)}
    used_tags |= {taxonomy.group_of(t) for t in used_tags if t in taxonomy.tags}
    order = {t: i for i, t in enumerate(taxonomy.tags)}
    roles = set(gdf["role"].dropna())
    has_axis = bool((gdf["role"] == "axis").any() or gdf["axis_order"].notna().any())
    return {
        "plans": [p.id for p in load_manifest() if p.id in used_plans],
        "industries": sorted(used_tags, key=lambda t: (order.get(t, len(order)), t)),
        "roles": [r for r in ROLES if r in roles] + sorted(roles - set(ROLES)),
        "clusters": [str(i) for i in gdf.index[gdf["role"] == "cluster"]],
        "segments": ([AXIS_ID] if has_axis else []) + [str(s) for s in axis_segments(gdf).index],
    }


def _taxonomy() -> dict[str, Any]:
    taxonomy = load_taxonomy()
    words: dict[str, str] = {}
    for industry in taxonomy.industries:
        words[industry.tag] = industry.tag
        for syn in industry.synonyms:
            words.setdefault(syn, industry.tag)
    return {
        "tags": [[i.tag, i.en, i.group or ""] for i in taxonomy.industries],
        "words": words,
        "expand": {t: taxonomy.expand(t) for t in taxonomy.tags},
    }


def _excerpt_texts(excerpts: Any) -> list[str]:
    return [str(e.get("text", "")) for e in (excerpts or []) if isinstance(e, Mapping)]


def _feature(row: Mapping[str, Any], position: int, at: Mapping[str, list[float]]) -> dict:
    """One feature as the filters read it (empty values left out)."""
    geom = row.get("geometry")
    entry: dict[str, Any] = {
        "id": str(row["id"]),
        "p": position,
        "name": text_of(row.get("name")),
        "role": _plain(row.get("role")),
    }
    if _plain(row.get("group")) is not None:
        entry["group"] = _plain(row.get("group"))
    optional = {
        "en": text_of(row.get("name_en")),
        "al": _listed(row.get("aliases")),
        "plans": _listed(row.get("plans")),
        "ind": _listed(row.get("industries")),
        "x": _excerpt_texts(row.get("excerpts")),
    }
    entry.update({k: v for k, v in optional.items() if v})
    roles = row.get("plan_roles")
    if isinstance(roles, Mapping) and roles:
        entry["pr"] = {
            str(p): [_plain((v or {}).get("role")), _plain((v or {}).get("group"))]
            for p, v in roles.items()
        }
    axis = row.get("axis_order")
    if axis is not None and axis == axis:
        entry["ax"] = int(axis)
    if row.get("in_guangzhou") is False:
        entry["out"] = 1
    if geom is not None and not geom.is_empty:
        entry["k"] = GEOMETRY_KINDS.get(geom.geom_type)
        w, s, e, n = geom.bounds
        entry["bb"] = [round(v, _BOUNDS_DECIMALS) for v in (s, w, n, e)]
        entry["at"] = dict(at)
    return entry


def _focus_points(gdf: gpd.GeoDataFrame, datums: Sequence[str]) -> dict[str, dict[str, list]]:
    """Feature id -> datum -> the [lat, lon] the map centres on when the place opens
    (:func:`spatial.webmap.focus_point`: the geometry in the basemap's datum, then its point)."""
    sited = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    out: dict[str, dict[str, list]] = {str(fid): {} for fid in sited.index}
    for datum in datums:
        for fid, geom in in_datum(sited, datum).geometry.items():
            out[str(fid)][datum] = list(_point_of(geom))
    return out


def _register_entry(place: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": str(place["id"]),
        "name": text_of(place.get("name")),
        "role": _plain(place.get("role")),
    }
    optional = {
        "en": text_of(place.get("name_en")),
        "al": _listed(place.get("aliases")),
        "plans": _listed(place.get("plans")),
        "ind": _listed(place.get("industries")),
        "d": _listed(place.get("district")),
        "x": _excerpt_texts(place.get("excerpts")),
    }
    entry.update({k: v for k, v in optional.items() if v})
    return entry


def site_index(
    gdf: gpd.GeoDataFrame,
    position: Mapping[str, int],
    register: pd.DataFrame | None = None,
    datums: Sequence[str] = ("wgs84",),
) -> dict[str, Any]:
    """The index a published page's filters, search and walk read.

    Parameters
    ----------
    gdf : GeoDataFrame
        Every feature (:func:`spatial.plans.layers.load_layers`, indexed by id), in the
        layers' order: ties in a view's colours are broken in this order, as in the app.
    position : mapping
        Feature id -> its position in the client's features file
        (:func:`spatial.webmap.publish.features_document`); features not drawn have none.
    register : DataFrame, optional
        Places named without a site (:func:`spatial.query.unsited.load_unsited`).
    datums : sequence of str
        The datums of the site's basemaps: each feature's focus point is given in each.

    Returns
    -------
    dict
        ``f`` (features, in ``gdf``'s order: ``id``, ``p`` position or -1, ``name``, ``en``,
        ``al`` aliases, ``role``, ``group``, ``pr`` each plan's [role, group], ``plans``,
        ``ind`` industries, ``ax`` axis order, ``out`` outside the city, ``k`` geometry kind,
        ``bb`` [s, w, n, e], ``at`` {datum: [lat, lon]}, ``x`` excerpt texts), ``reg`` (the
        register's places, with ``d`` districts), ``clusters`` and ``segments`` (the
        features each selects, as indices into ``f``; a segment's ``walk`` too), ``walk``
        (every axis node), ``options``, ``plans``, ``roles``, ``filled`` and ``unmarked``
        roles, ``tax`` (tags, words, expansions) and the register's labels.
    """
    index_of = {fid: i for i, fid in enumerate(gdf.index)}

    def indices(ids: Sequence[str]) -> list[int]:
        return [index_of[i] for i in ids if i in index_of]

    focus = _focus_points(gdf, datums)
    rows = gdf.reset_index(drop=True).to_dict("records")
    features = [
        _feature({**row, "id": fid}, position.get(str(fid), -1), focus.get(str(fid), {}))
        for fid, row in zip(gdf.index, rows, strict=True)
    ]
    options = _options(gdf)
    clusters = {
        c: indices(list(select(gdf, Selection(clusters=(c,))).index)) for c in options["clusters"]
    }
    segments = {
        s: {
            "label": segment_label(gdf, s),
            "names": [text_of(gdf.at[s, "name"]), *_listed(gdf.at[s, "aliases"])]
            if s in gdf.index
            else ["全轴", "科技创新轴"],
            "ids": indices(list(select(gdf, Selection(segment=s)).index)),
            "walk": indices(list(axis_nodes(gdf, s).index)),
        }
        for s in options["segments"]
    }
    places = [] if register is None else register.to_dict("records")
    return {
        "v": INDEX_VERSION,
        "f": features,
        "reg": [_register_entry(p) for p in places],
        "clusters": clusters,
        "segments": segments,
        "walk": indices(list(axis_nodes(gdf).index)),
        "options": options,
        "plans": [[p.id, p.short_name, p.title] for p in load_manifest()],
        "roles": [[r, zh, en] for r, (zh, en) in ROLES.items()],
        "filled": [r for r, s in ROLE_SYMBOLS.items() if s.fill_alpha > 0],
        "unmarked": list(UNMARKED_ROLES),
        "tax": _taxonomy(),
        "register": {
            "role": unsited.ROLE_LABEL,
            "no_district": unsited.NO_DISTRICT,
            "no_site": NO_SITE_LABEL,
        },
    }


def view_index(
    gdf: gpd.GeoDataFrame, position: Mapping[str, int], register: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The part of :func:`site_index` that computes a view without a search: the app's map
    client reads it to redraw at a filter's click before the server's answer comes
    (``static/gzmap/predict.js``).

    The excerpt texts (``x``, read only by a search) and the focus points (``at``, read only
    by the site's own panel) are left out: a quarter of the size. ``search`` is False, so a
    reader knows not to search it.
    """
    index = site_index(gdf, position, register, datums=())  # no focus point is computed
    for entry in (*index["f"], *index["reg"]):
        entry.pop("x", None)
        entry.pop("at", None)
    index["search"] = False
    return index


# -- panels ------------------------------------------------------------------------------------


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
    return f"<table class='gz-facts'>{rows}</table>"


def _excerpts(row: Mapping[str, Any]) -> str:
    """Every plan's words about a place, each with its section path and its context."""
    views = detail.excerpt_views(row)
    parts = [f"<h3>规划原文 What the plans say（{len(views)}）</h3>"]
    for view in views:
        section = " › ".join(view.section_parts)
        parts.append(
            "<section class='gz-excerpt'>"
            f"<h4>{esc(view.plan_title)}</h4>"
            + (f"<p class='gz-section'>{esc(section)}</p>" if section else "")
            + f"<blockquote>{esc(view.shown)}</blockquote>"
            "<details class='gz-in-context'><summary>查看上下文 Read in context</summary>"
            f"{detail.safe_context_html(view.plan_id, view.text, chars=CONTEXT_CHARS)}"
            "</details></section>"
        )
    return "".join(parts)


def _feature_panel(gdf: gpd.GeoDataFrame, fid: str) -> str:
    row = gdf.loc[fid].to_dict()
    head = f"<h2>{esc(row.get('name'))}</h2>"
    if text_of(row.get("name_en")):
        head += f"<p class='gz-en'>{esc(row['name_en'])}</p>"
    related = detail.related_ids(gdf, fid)
    links = ""
    if related:
        buttons = "".join(
            f"<button type='button' class='gz-open' data-open='{esc(r)}'>{esc(gdf.at[r, 'name'])}"
            "</button>"
            for r in related
        )
        links = f"<div class='gz-related'><h3>相关地点 Related places</h3>{buttons}</div>"
    return head + _facts(detail.feature_facts(row, gdf)) + links + _excerpts(row)


def _register_panel(place: Mapping[str, Any], plan_names: Mapping[str, str]) -> str:
    return (
        f"<h2>{esc(place.get('name'))}</h2>"
        f"<p class='gz-nosite'>{esc(NO_SITE_LABEL)} · Named in the plans, no known site</p>"
        + _facts(unsited.place_facts(dict(place), dict(plan_names)))
        + _excerpts(place)
    )


def site_panels(gdf: gpd.GeoDataFrame, register: pd.DataFrame | None = None) -> dict[str, str]:
    """Id -> the HTML of its side panel, for every feature and register place: the app's
    panel (:func:`spatial.query.detail.feature_facts`, related places as buttons carrying
    their ids in ``data-open``, every excerpt with its plan, section path and the plan text
    around it; a register place says it has no site and why). Every text is escaped."""
    panels = {str(fid): _feature_panel(gdf, fid) for fid in gdf.index}
    if register is not None and not register.empty:
        names = {p.id: p.short_name for p in load_manifest()}
        for place in register.to_dict("records"):
            panels.setdefault(str(place["id"]), _register_panel(place, names))
    return panels
