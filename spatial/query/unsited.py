"""Places the plans name without a known site, as the app shows them (no Streamlit here).

The register (``layers/register.json``, built by :mod:`spatial.plans.register`) is filtered with the
same :class:`~spatial.query.features.Selection` as the map's features: by plan, industry (synonyms
folded), role and text. A filter the register cannot answer — a 表5-1 cluster, an axis segment —
keeps none of its places. They are listed in the results table and the CSV, counted in the
overview, and opened in the side panel, which says ``规划提及，尚无确定位置`` with the reason. On the
map they appear only as a count per district, never as points.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from spatial.plans.register import NO_SITE_LABEL, REGISTER_PATH, load_register
from spatial.plans.taxonomy import load_taxonomy
from spatial.query.features import Selection, industry_match_tags

#: What the results table says in the role column for a register place.
ROLE_LABEL = "规划提及·尚无确定位置 Named, no site"
#: Where a place with no district in its plan is counted.
NO_DISTRICT = "未注明区"
COLUMNS = (
    "id",
    "name",
    "name_en",
    "aliases",
    "role",
    "plans",
    "district",
    "industries",
    "reason",
    "excerpts",
)
_LIST_COLUMNS = ("aliases", "plans", "district", "industries", "excerpts")


def load_unsited(path: Path = REGISTER_PATH) -> pd.DataFrame:
    """The register as a frame indexed by id (empty, with the columns, when there is none)."""
    try:
        places = load_register(path)
    except (OSError, ValueError, AttributeError):
        places = []
    frame = pd.DataFrame([p for p in places if isinstance(p, dict)], columns=list(COLUMNS))
    for col in _LIST_COLUMNS:
        frame[col] = frame[col].apply(lambda v: list(v) if isinstance(v, list) else [])
    return frame.set_index("id", drop=False).rename_axis(None)


def _matches_query(row: pd.Series, words: list[str], tag: str | None) -> bool:
    hay = [str(row["name"]), str(row.get("name_en") or ""), *map(str, row["aliases"])]
    hay += [str(e.get("text", "")) for e in row["excerpts"] if isinstance(e, dict)]
    blob = "\n".join(hay).lower()
    return any(w in blob for w in words) or bool(tag and tag in row["industries"])


def select_unsited(frame: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """The register places a selection keeps (see the module docstring)."""
    if frame.empty or sel.clusters or sel.segment:
        return frame.iloc[0:0]
    mask = pd.Series(True, index=frame.index)
    if sel.plans:
        mask &= frame["plans"].apply(lambda ps: bool(set(ps) & set(sel.plans)))
    taxonomy = load_taxonomy()
    if sel.industries:  # a group matches its own tag and every industry beneath it
        tags = industry_match_tags(sel.industries)
        mask &= frame["industries"].apply(lambda ts: bool(set(ts) & tags))
    if sel.roles:
        mask &= frame["role"].isin(sel.roles)
    query = sel.query.strip()
    if query:
        tag = taxonomy.canonical(query)
        words = [w.lower() for w in taxonomy.expand(tag)] if tag else [query.lower()]
        mask &= frame.apply(lambda row: _matches_query(row, words, tag), axis=1).astype(bool)
    return frame[mask]


def district_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many places each district holds (a place naming two districts counts in both)."""
    counts: Counter[str] = Counter()
    for districts in frame["district"]:
        for d in districts or [NO_DISTRICT]:
            counts[d] += 1
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == NO_DISTRICT, -kv[1], kv[0])))


def counts_line(frame: pd.DataFrame) -> str:
    """One line for the overview and the map: the total and the count per district."""
    if frame.empty:
        return ""
    parts = "、".join(f"{d} {n}" for d, n in district_counts(frame).items())
    return (
        f"另有 {len(frame)} 处规划提及、尚无确定位置的地点（不在地图上）：{parts}。"
        f" {len(frame)} more places are named without a known site (not drawn)."
    )


def place_facts(
    place: dict[str, Any], plan_names: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """``(label, value)`` rows for a register place's panel, the missing site first."""
    names = plan_names or {}
    facts = [("位置 Location", f"{NO_SITE_LABEL}：{place.get('reason') or ''}")]
    if place.get("district"):
        facts.append(("所在区 District", "、".join(place["district"])))
    if place.get("industries"):
        facts.append(("产业 Industries", "、".join(place["industries"])))
    if place.get("plans"):
        facts.append(("规划 Plans", "、".join(names.get(p, p) for p in place["plans"])))
    if place.get("aliases"):
        facts.append(("别称 Also called", "、".join(place["aliases"])))
    return facts


def markers_of_counts(
    counts: Mapping[str, int], districts: Any, basemap: str
) -> list[dict[str, Any]]:
    """Per-district count badges for the map, from counts per district
    (:func:`district_counts`): ``{lat, lon, district, count, title, html}``.

    Placed just under each district's name, at its representative point (in the basemap's
    datum); districts not among ``districts`` are not drawn.
    """
    if not counts or districts is None or len(districts) == 0:
        return []
    rows = districts[districts["name"].isin(list(counts))]
    if rows.empty:
        return []
    points = rows.set_geometry(rows.geometry.representative_point())
    from spatial.geo.basemaps import shift_to_basemap

    points = shift_to_basemap(points, basemap)
    out = []
    for _, row in points.iterrows():
        n = counts[row["name"]]
        title = html.escape(f"{row['name']}：{n} 处规划提及的地点尚无确定位置", quote=True)
        out.append(
            {
                "lat": row.geometry.y,
                "lon": row.geometry.x,
                "district": row["name"],
                "count": n,
                "title": f"{row['name']}：{n} 处尚无确定位置",
                # a small badge under the district's name (which it does not repeat); the
                # whole sentence is its title and tooltip
                "html": (
                    f"<div style='text-align:center'><div class='gz-unsited-count' "
                    f"title='{title}' aria-label='{title}' style='background:#fff8e1;"
                    "border:1px solid #c9a227;border-radius:8px;padding:0 5px;font-size:11px;"
                    f"line-height:15px;white-space:nowrap;display:inline-block'>{n} 处未定位"
                    "</div></div>"
                ),
            }
        )
    return out


def as_features(frame: pd.DataFrame) -> Any:
    """Register places as a contract frame without geometry, for the CSV download.

    ``location_source`` says ``规划提及，尚无确定位置`` with the reason; ``lon``/``lat``/``wkt`` stay
    empty in the CSV.
    """
    from spatial.plans.layers import frame_from_features

    feats = [
        {
            "properties": {
                "id": row["id"],
                "name": row["name"],
                "name_en": row.get("name_en"),
                "aliases": row["aliases"],
                "role": row.get("role") or "",
                "layer": "register",
                "plans": row["plans"],
                "district": row["district"],
                "industries": row["industries"],
                "excerpts": row["excerpts"],
                "location_source": f"{NO_SITE_LABEL}：{row.get('reason') or ''}",
                "location_precision_m": None,
            },
            "geometry": None,
        }
        for _, row in frame.iterrows()
    ]
    out = frame_from_features(feats)
    return out.set_index("id", drop=False).rename_axis(None)
