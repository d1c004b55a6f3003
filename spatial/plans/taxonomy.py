"""The industry taxonomy, two levels: broad groups and the plans' specific industries beneath.

``data/industries.yaml`` lists groups (新一代信息技术, 时尚产业 …), each with its specific industries
(新型显示, 皮革皮具 …) and every tag with the plans' own wordings (synonyms). A feature stores the
most specific tags its excerpts support; a filter on a group matches the group's own tag and every
industry beneath it (:meth:`Taxonomy.members`).

A wording that names two industries at once (新能源及智能网联汽车) is a **compound**: it folds into
every tag it names (:meth:`Taxonomy.tags_of`) and is a synonym of none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from spatial._paths import INDUSTRIES_PATH

#: The two levels, as exports and filters name them.
LEVEL_LABELS = {"group": "产业大类 Industry group", "industry": "细分产业 Specific industry"}


@dataclass(frozen=True)
class Industry:
    """One canonical industry tag: a group (``group`` is None) or a specific industry."""

    tag: str
    en: str
    synonyms: tuple[str, ...]
    group: str | None = None

    @property
    def label(self) -> str:
        """Bilingual label, e.g. ``生物医药 Biomedicine``."""
        return f"{self.tag} {self.en}"

    @property
    def level(self) -> str:
        """``group`` or ``industry``."""
        return "group" if self.group is None else "industry"


@dataclass(frozen=True)
class Taxonomy:
    """All industry tags, groups first in each block, with a synonym index.

    Attributes
    ----------
    industries : tuple of Industry
        Every tag, each group followed by its specific industries.
    compounds : tuple of (str, tuple of str)
        Wordings that name several industries, each with the tags it folds into.
    """

    industries: tuple[Industry, ...]
    compounds: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def tags(self) -> list[str]:
        """Canonical tags in file order (each group followed by its industries)."""
        return [i.tag for i in self.industries]

    @property
    def groups(self) -> list[str]:
        """The broad groups in file order."""
        return [i.tag for i in self.industries if i.group is None]

    def get(self, tag: str) -> Industry:
        """Return the industry of a canonical tag (KeyError if unknown)."""
        found = _by_tag(self).get(tag)
        if found is None:
            raise KeyError(tag)
        return found

    def canonical(self, word: str) -> str | None:
        """Fold a tag or a synonym to its canonical tag; None if the taxonomy doesn't know it
        (a compound names several tags: see :meth:`tags_of`)."""
        return _index(self).get(word.strip())

    def tags_of(self, word: str) -> list[str]:
        """Every tag a word folds into: one for a tag or synonym, several for a compound,
        none for a word the taxonomy doesn't know."""
        return list(word_tags(self).get(word.strip(), ()))

    def tags_in(self, text: str) -> list[str]:
        """The tags a piece of text names (a tag, a synonym or a compound, the longest wording
        first so 新一代信息技术 wins over 信息技术), in order of first mention."""
        words = word_tags(self)
        found = (words[m.group(0)] for m in _word_pattern(self).finditer(text or ""))
        return list(dict.fromkeys(tag for tags in found for tag in tags))

    def fold(self, words: list[Any]) -> tuple[list[str], list[Any]]:
        """Fold words to canonical tags, each once in first-seen order; also the unknown words."""
        tags: list[str] = []
        unknown: list[Any] = []
        for word in words:
            found = self.tags_of(str(word))
            if not found:
                unknown.append(word)
            tags.extend(t for t in found if t not in tags)
        return tags, unknown

    def group_of(self, tag: str) -> str:
        """The broad group a tag belongs to (a group is its own)."""
        industry = self.get(tag)
        return industry.group or industry.tag

    def children(self, group: str) -> list[str]:
        """The specific industries beneath a group, in file order."""
        return [i.tag for i in self.industries if i.group == group]

    def members(self, tag: str) -> list[str]:
        """The tags a filter on ``tag`` matches: a group's own tag and its industries, or the
        specific industry alone."""
        return [tag, *self.children(tag)]

    def expand(self, tag: str) -> list[str]:
        """Return a tag with all its synonyms and the compounds naming it (for full-text
        search, and for checking a tag is in a feature's own words)."""
        industry = self.get(tag)
        named_in = [word for word, tags in self.compounds if tag in tags]
        return [industry.tag, *industry.synonyms, *named_in]


@lru_cache(maxsize=8)
def _word_pattern(taxonomy: Taxonomy) -> re.Pattern[str]:
    words = sorted(word_tags(taxonomy), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@lru_cache(maxsize=8)
def word_tags(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Every word the taxonomy knows (tags, synonyms, compounds) -> the tags it folds into."""
    words: dict[str, tuple[str, ...]] = {w: (t,) for w, t in _index(taxonomy).items()}
    words.update(taxonomy.compounds)
    return words


@lru_cache(maxsize=8)
def _index(taxonomy: Taxonomy) -> dict[str, str]:
    index: dict[str, str] = {}
    for industry in taxonomy.industries:
        index[industry.tag] = industry.tag
        for syn in industry.synonyms:
            index.setdefault(syn, industry.tag)
    return index


@lru_cache(maxsize=8)
def _by_tag(taxonomy: Taxonomy) -> dict[str, Industry]:
    return {i.tag: i for i in taxonomy.industries}


def _industry(entry: dict[str, Any], group: str | None) -> Industry:
    return Industry(
        str(entry["tag"]),
        str(entry.get("en", "")),
        tuple(str(s) for s in entry.get("synonyms") or ()),
        group,
    )


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = INDUSTRIES_PATH) -> Taxonomy:
    """Read ``data/industries.yaml``.

    Raises
    ------
    ValueError
        If a tag is repeated, a word (tag or synonym) belongs to two tags, or a compound is
        also a tag or synonym or names an unknown tag.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    industries: list[Industry] = []
    for entry in data["groups"]:
        group = _industry(entry, None)
        industries.append(group)
        industries.extend(_industry(child, group.tag) for child in entry.get("industries") or ())
    seen: dict[str, str] = {}
    for industry in industries:
        for word in (industry.tag, *industry.synonyms):
            if word in seen and (seen[word] != industry.tag or word == industry.tag):
                raise ValueError(
                    f"{path}: {word!r} is listed under both {seen[word]!r} and {industry.tag!r}"
                )
            seen[word] = industry.tag
    compounds: list[tuple[str, tuple[str, ...]]] = []
    for word, tags in (data.get("compounds") or {}).items():
        word, tags = str(word), tuple(str(t) for t in tags or ())
        unknown = [t for t in tags if t not in {i.tag for i in industries}]
        if word in seen or len(tags) < 2 or unknown:
            raise ValueError(
                f"{path}: compound {word!r} must name two or more known tags and be no tag or "
                f"synonym itself (unknown: {unknown})"
            )
        compounds.append((word, tags))
    return Taxonomy(tuple(industries), tuple(compounds))
