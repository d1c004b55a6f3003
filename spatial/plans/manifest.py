"""The plan manifest: ids, files, titles and layout names of the five plans."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spatial._paths import MANIFEST_PATH, SEEDS_DIR


@dataclass(frozen=True)
class Plan:
    """One plan of the manifest."""

    id: str
    file: str
    title: str
    title_en: str
    short_name: str
    issuer: str | None
    doc_number: str | None
    date: str | None
    status: str | None
    level: str
    district: str | None
    layout_name: str
    layout_chapter: str
    notes: str | None = None

    @property
    def path(self) -> Path:
        """Path of the plan's seed text."""
        return SEEDS_DIR / self.file


@lru_cache(maxsize=1)
def load_manifest(path: Path = MANIFEST_PATH) -> tuple[Plan, ...]:
    """Read ``seeds/manifest.json``; plans come in manifest order (the city plan first)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Plan(**entry) for entry in data["plans"])


def plan_ids() -> list[str]:
    """Return every plan id in manifest order."""
    return [p.id for p in load_manifest()]


def get_plan(plan_id: str) -> Plan:
    """Return a plan by id.

    Raises
    ------
    KeyError
        If the id is not in the manifest; the message lists the known ids.
    """
    for plan in load_manifest():
        if plan.id == plan_id:
            return plan
    raise KeyError(f"unknown plan id {plan_id!r}; known: {', '.join(plan_ids())}")
