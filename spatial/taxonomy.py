"""The industry taxonomy: canonical tags and the plans' own wordings of them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from spatial._paths import INDUSTRIES_PATH


@dataclass(frozen=True)
class Industry:
    """One canonical industry tag."""

    tag: str
    en: str
    synonyms: tuple[str, ...]

    @property
    def label(self) -> str:
        """Bilingual label, e.g. ``生物医药 Biomedicine``."""
        return f"{self.tag} {self.en}"


@dataclass(frozen=True)
class Taxonomy:
    """All industry tags with a synonym index."""

    industries: tuple[Industry, ...]

    @property
    def tags(self) -> list[str]:
        """Canonical tags in file order."""
        return [i.tag for i in self.industries]

    def get(self, tag: str) -> Industry:
        """Return the industry of a canonical tag (KeyError if unknown)."""
        for industry in self.industries:
            if industry.tag == tag:
                return industry
        raise KeyError(tag)

    def canonical(self, word: str) -> str | None:
        """Fold a tag or a synonym to its canonical tag; None if the taxonomy doesn't know it."""
        return _index(self).get(word.strip())

    def expand(self, tag: str) -> list[str]:
        """Return a tag with all its synonyms (for full-text search)."""
        industry = self.get(tag)
        return [industry.tag, *industry.synonyms]


@lru_cache(maxsize=8)
def _index(taxonomy: Taxonomy) -> dict[str, str]:
    index: dict[str, str] = {}
    for industry in taxonomy.industries:
        index[industry.tag] = industry.tag
        for syn in industry.synonyms:
            index.setdefault(syn, industry.tag)
    return index


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = INDUSTRIES_PATH) -> Taxonomy:
    """Read ``data/industries.yaml``.

    Raises
    ------
    ValueError
        If a tag is repeated or a synonym belongs to two tags.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    industries = tuple(
        Industry(
            str(e["tag"]), str(e.get("en", "")), tuple(str(s) for s in e.get("synonyms") or ())
        )
        for e in data["industries"]
    )
    seen: dict[str, str] = {}
    for industry in industries:
        for word in (industry.tag, *industry.synonyms):
            if word in seen and seen[word] != industry.tag:
                raise ValueError(
                    f"{path}: {word!r} is listed under both {seen[word]!r} and {industry.tag!r}"
                )
            seen[word] = industry.tag
    return Taxonomy(industries)
