"""Ranked search: which features a query finds, best first, and why each one matched.

Ranks, best first: the name itself (or its English name), an alias, the start of the name, a
part of the name or an alias, the plans' own words (the matching phrase of an excerpt is the
reason shown), and last an industry the query names (its synonyms folded,
:mod:`spatial.plans.taxonomy`). Within a rank the structure comes first (cores and poles before
parks), then shorter names.

:func:`spatial.query.features.search_mask` decides *whether* a feature matches; this module only
orders the matches and says why, so a search filters the map exactly as before.

When nothing matches, :func:`suggest` offers the names nearest to what was typed: by edit
distance on the characters (a wrong character, one too many or too few), and by sound
(``pypinyin``) (a homophone picked from a pinyin input method, 知识诚 for 知识城, or
pinyin typed as letters, ``zhishicheng``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd

from spatial.plans.schema import ROLES
from spatial.plans.taxonomy import load_taxonomy
from spatial.query.features import search_mask

__all__ = ["Hit", "RANK_LABELS", "Suggestion", "rank_hits", "suggest"]

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
    name_en = str(row.get("name_en") or "")
    if name.lower() == q:
        return Hit(fid, 0, RANK_LABELS[0])
    if name_en.lower() == q:
        return Hit(fid, 0, f"英文名：{name_en}")
    for alias in aliases:
        if alias.lower() == q:
            return Hit(fid, 1, f"别称：{alias}")
    if name.lower().startswith(q):
        return Hit(fid, 2, RANK_LABELS[2])
    if name_en.lower().startswith(q):
        return Hit(fid, 2, f"英文名：{name_en}")
    if q in name.lower():
        return Hit(fid, 3, RANK_LABELS[3])
    if q in name_en.lower():
        return Hit(fid, 3, f"英文名：{name_en}")
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


# -- suggestions when nothing matches ---------------------------------------------------------

#: At most this many names are suggested.
MAX_SUGGESTIONS = 5
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"^[a-z ]+$")


@dataclass(frozen=True)
class Suggestion:
    """A name near what was typed.

    Attributes
    ----------
    id : str
        The feature's id.
    name : str
        The feature's name, alias or English name that is near the query (what to search for).
    distance : int
        Characters (or pinyin syllables, or letters) to change to get from the query to it.
    how : str
        Why it is suggested, in Chinese: ``字形相近``, ``读音相同``, ``读音相近``, ``拼音相近``,
        ``英文名相近``.
    """

    id: str
    name: str
    distance: int
    how: str


def _substring_distance(query: Sequence, text: Sequence) -> int:
    """The fewest edits (insert, delete, replace one item) from ``query`` to any stretch of
    ``text``: a typo inside a long name costs what it costs, not the rest of the name.

    Sellers' approximate-substring form of the Levenshtein distance, on any sequences (strings,
    lists of pinyin syllables). Hand-written: a dozen lines on names of a few dozen characters,
    where a compiled library would add a dependency for no gain in speed that matters.
    """
    prev = [0] * (len(text) + 1)
    for i, a in enumerate(query, 1):
        cur = [i]
        for j, b in enumerate(text, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return min(prev)


@lru_cache(maxsize=4096)
def _syllables(text: str) -> tuple[str, ...]:
    """The pinyin syllables of the Chinese characters in ``text`` (toneless)."""
    from pypinyin import lazy_pinyin  # its dictionaries load on first use, not at import

    return tuple(s for s in lazy_pinyin(_CJK.findall(text)) if s)


def _allowed(length: int) -> int:
    """Edits allowed for a query of ``length`` items: one per four, at least one."""
    return max(1, length // 4)


def _near(query: str, candidate: str) -> tuple[int, str] | None:
    """``(distance, how)`` when ``candidate`` is near enough to ``query``, else None."""
    q, c = query.lower(), candidate.lower()
    best: tuple[int, str] | None = None
    if _CJK.search(q) and _CJK.search(c):
        d = _substring_distance(q, c)
        if d <= _allowed(len(q)) and 2 * d < len(q):  # most of what was typed is right
            best = (d, "字形相近")
        q_syl, c_syl = _syllables(query), _syllables(candidate)
        if q_syl and c_syl and len(q_syl) >= 2:
            d = _substring_distance(q_syl, c_syl)
            if d == 0:
                best = (0, "读音相同")  # a homophone: the input method picked the wrong one
            elif d <= _allowed(len(q_syl)) - 1 and (best is None or d < best[0]):
                best = (d, "读音相近")
    elif _LATIN.match(q):
        letters = q.replace(" ", "")
        c_syl = _syllables(candidate) if _CJK.search(c) else None
        if c_syl:  # pinyin typed as letters
            d = _substring_distance(letters, "".join(c_syl))
            if d <= len(letters) // 5:
                best = (d, "拼音相近")
        elif not _CJK.search(c):  # an English name
            d = _substring_distance(q, c)
            if d <= _allowed(len(q)) and d < len(q) // 2:
                best = (d, "英文名相近")
    return best


def suggest(
    gdf: gpd.GeoDataFrame, query: str, limit: int = MAX_SUGGESTIONS
) -> list[Suggestion]:
    """Names near ``query``, nearest first, for a search that found nothing.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features indexed by id (e.g. the selection without the query), with ``name``,
        ``aliases`` and ``name_en``.
    query : str
        What the user typed (two characters or more; shorter finds nothing).
    limit : int
        At most this many suggestions, one per feature.

    Returns
    -------
    list of Suggestion
        Nearest first; then structure before parks, then shorter names.
    """
    query = " ".join((query or "").split())[:100]
    if len(query) < 2 or gdf is None or gdf.empty:
        return []
    found: dict[str, tuple[tuple, Suggestion]] = {}
    for fid, row in gdf.iterrows():
        names = [str(row["name"] or ""), *map(str, row.get("aliases") or [])]
        names.append(str(row.get("name_en") or ""))
        for candidate in dict.fromkeys(n for n in names if n):
            near = _near(query, candidate)
            if near is None:
                continue
            distance, how = near
            key = (distance, _ROLE_ORDER.get(row["role"], 99), len(candidate), candidate)
            if fid not in found or key < found[fid][0]:
                found[fid] = (key, Suggestion(str(fid), candidate, distance, how))
    ranked = sorted(found.values(), key=lambda pair: pair[0])
    return [s for _, s in ranked[:limit]]
