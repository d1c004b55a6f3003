"""Ranked search: which features a query finds, best first, and why each one matched.

Ranks, best first: the name itself, an alias, the start of the name, a part of the name or an
alias, the plans' own words (the matching phrase of an excerpt is the reason shown), and last
an industry the query names (its synonyms folded, :mod:`spatial.plans.taxonomy`). Within a rank the
structure comes first (cores and poles before parks), then shorter names.

:func:`spatial.query.features.search_mask` decides *whether* a feature matches; this module only
orders the matches and says why, so a search filters the map exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from spatial.plans.schema import ROLES
from spatial.plans.taxonomy import load_taxonomy
from spatial.query.features import search_mask

__all__ = ["Hit", "rank_hits", "RANK_LABELS"]

#: Rank -> what it means, as shown to the user.
RANK_LABELS = {
    0: "名称",
    1: "别称",
    2: "名称开头",
    3: "名称包含",
    4: "规划原文",
    5: "产业",
}
#: Characters of excerpt shown on each side of the match.
CONTEXT_CHARS = 10
_ROLE_ORDER = {role: i for i, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Hit:
    """One feature a query found.

    Attributes
    ----------
    id : str
        The feature's id.
    rank : int
        0 (the name itself) … 5 (an industry the query names); see :data:`RANK_LABELS`.
    reason : str
        Why it matched, in Chinese: ``名称``, ``别称：…``, ``规划原文：“…”`` …
    """

    id: str
    rank: int
    reason: str


def _phrase(text: str, word: str) -> str | None:
    """The phrase of ``text`` around the first ``word`` (case-insensitive), or None."""
    at = text.lower().find(word)
    if at < 0:
        return None
    start, end = max(0, at - CONTEXT_CHARS), min(len(text), at + len(word) + CONTEXT_CHARS)
    phrase = " ".join(text[start:end].split())
    return ("…" if start else "") + phrase + ("…" if end < len(text) else "")


def _rank_one(row: pd.Series, query: str, words: Iterable[str], tag: str | None) -> Hit:
    q = query.lower()
    name = str(row["name"] or "")
    aliases = [str(a) for a in (row.get("aliases") or [])]
    fid = str(row.name)
    if name.lower() == q:
        return Hit(fid, 0, RANK_LABELS[0])
    for alias in aliases:
        if alias.lower() == q:
            return Hit(fid, 1, f"别称：{alias}")
    if name.lower().startswith(q):
        return Hit(fid, 2, RANK_LABELS[2])
    if q in name.lower() or q in str(row.get("name_en") or "").lower():
        return Hit(fid, 3, RANK_LABELS[3])
    for alias in aliases:
        if q in alias.lower():
            return Hit(fid, 3, f"别称：{alias}")
    for excerpt in row.get("excerpts") or []:
        for word in words:
            phrase = _phrase(str(excerpt.get("text", "")), word)
            if phrase:
                return Hit(fid, 4, f"规划原文：“{phrase}”")
    return Hit(fid, 5, f"产业：{tag}" if tag else RANK_LABELS[5])


def rank_hits(gdf: gpd.GeoDataFrame, query: str) -> list[Hit]:
    """The features ``query`` finds, best first, each with the reason it matched.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features indexed by id (e.g. the current selection).
    query : str
        What the user typed; empty finds nothing.
    """
    query = (query or "").strip()
    if not query or gdf is None or gdf.empty:
        return []
    found = gdf[search_mask(gdf, query)]
    taxonomy = load_taxonomy()
    tag = taxonomy.canonical(query)
    words = [query.lower()]
    if tag:
        words += [w.lower() for w in taxonomy.expand(tag) if w.lower() != query.lower()]
    hits = [_rank_one(row, query, words, tag) for _, row in found.iterrows()]
    order = {
        fid: (_ROLE_ORDER.get(role, 99), len(str(name)))
        for fid, role, name in zip(found.index, found["role"], found["name"], strict=True)
    }
    return sorted(hits, key=lambda h: (h.rank, *order[h.id]))
