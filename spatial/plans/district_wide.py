"""Industries a district plan names for the whole district, not at a place.

A district plan sets industries for its district as a whole as well as for its places: 天河's
chapter 五 has a field "（三）大数据与区块链技术", 白云's “6+6” system names 现代都市农业 among its
pillars. 规划衔接 shows such an industry as 区级规划（全区）, with the words, rather than as an
industry the district plan does not name. The statements are kept in
``layers/src/industries/<plan>.yaml``::

    plan: tianhe_sti
    statements:
      - industries: [大数据与云计算, 区块链]
        text: （三）大数据与区块链技术。

and ``gzmap build-layers`` builds them into ``layers/district_industries.json`` in the same write
as the layers and the register. The build refuses a statement whose text is not found verbatim
(through the normaliser) in its plan, a plan that is not a district plan, an industry that is not
a tag or synonym, and an industry the text does not name (the taxonomy reads the words: its tag,
a synonym or a compound naming it), so every claim rests on quoted words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from spatial._paths import LAYER_SOURCES_DIR, LAYERS_DIR, rel_path
from spatial._problems import Problem
from spatial.plans.build import resolve_quotes, source_files
from spatial.plans.manifest import get_plan
from spatial.plans.taxonomy import load_taxonomy

__all__ = [
    "STATEMENTS_PATH",
    "STATEMENT_SOURCES_DIR",
    "Statement",
    "load_statements",
    "statements_document",
    "statements_text",
]

STATEMENT_SOURCES_DIR = LAYER_SOURCES_DIR / "industries"
STATEMENTS_PATH = LAYERS_DIR / "district_industries.json"
GENERATOR = (
    "gzmap build-layers (from layers/src/industries/*.yaml; edit the sources, not this file)"
)


@dataclass(frozen=True)
class Statement:
    """Industries one district plan names for its whole district, with the words.

    Attributes
    ----------
    plan, district : str
        The district plan and its district.
    industries : tuple of str
        Canonical tags, each named in ``excerpt["text"]``.
    excerpt : dict
        ``{plan, seed, section, text}``, as a feature's excerpts.
    """

    plan: str
    district: str
    industries: tuple[str, ...]
    excerpt: dict[str, str]


def _read(path: Path, problems: list[Problem]) -> tuple[str, list[Any]]:
    rel = rel_path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(rel, "", f"not readable YAML: {exc}".replace("\n", " ")))
        return "", []
    plan = str(doc.get("plan", path.stem))
    try:
        district = get_plan(plan).district
    except KeyError:
        district = None
    if not district:
        problems.append(Problem(rel, "", f"{plan!r} is not a district plan of the manifest"))
        return "", []
    items = doc.get("statements")
    if not isinstance(items, list):
        problems.append(Problem(rel, "", "expected a 'statements' list"))
        return "", []
    return plan, items


def statements_document(
    src_dir: Path = STATEMENT_SOURCES_DIR,
) -> tuple[dict[str, Any], list[Problem]]:
    """The statements built from their sources, and the problems found (nothing is written)."""
    problems: list[Problem] = []
    taxonomy = load_taxonomy()
    out: list[dict[str, Any]] = []
    for path in source_files(src_dir):
        plan, items = _read(path, problems)
        rel = rel_path(path)
        for i, item in enumerate(items):
            where = f"statement {i + 1}"
            text = item.get("text") if isinstance(item, dict) else None
            if not isinstance(text, str):
                problems.append(Problem(rel, where, "a statement needs text and industries"))
                continue
            tags, unknown = taxonomy.fold(list(item.get("industries") or []))
            for word in unknown:
                problems.append(Problem(rel, where, f"industry {word!r} is not in the taxonomy"))
            if not tags:
                problems.append(Problem(rel, where, "a statement names no industry"))
            named = set(taxonomy.tags_in(text))
            for tag in tags:
                if tag not in named:
                    problems.append(
                        Problem(rel, where, f"the text does not name {tag} (nor a synonym of it)")
                    )
            excerpts = resolve_quotes(where, [(rel, plan, text, {})], problems)
            if excerpts:
                district = get_plan(plan).district
                out.append(
                    {"plan": plan, "district": district, "industries": tags, "excerpt": excerpts[0]}
                )
    return {"type": "DistrictIndustries", "generator": GENERATOR, "statements": out}, problems


def statements_text(doc: dict[str, Any]) -> str:
    """The built file's text: one statement per line, for diffs."""
    rows = [json.dumps(s, ensure_ascii=False) for s in doc["statements"]]
    head = json.dumps({"type": doc["type"], "generator": doc["generator"]}, ensure_ascii=False)
    return head[:-1] + ', "statements": [\n' + ",\n".join(rows) + "\n]}\n"


@lru_cache(maxsize=4)
def _load(path: Path, stamp: float) -> tuple[Statement, ...]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Statement(s["plan"], s["district"], tuple(s["industries"]), dict(s["excerpt"]))
        for s in doc.get("statements") or []
    )


def load_statements(path: Path = STATEMENTS_PATH) -> tuple[Statement, ...]:
    """The built statements (none when the file is not built)."""
    try:
        return _load(path, path.stat().st_mtime)
    except FileNotFoundError:
        return ()
