"""The history of applied changes: ``layers/src/history/<place id>.yaml``, newest last.

``gzmap apply`` appends one entry per applied change file: who suggested it and when, when it
was applied, why, the evidence (the plan's words with the section they were found under, and the
location source) and every field's value before and after. Appending leaves the entries above
as written. The place's panel in the app lists them as 修改记录 (:func:`load_history`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from spatial._paths import LAYER_SOURCES_DIR
from spatial.plans.edits.changefile import dump_yaml
from spatial.plans.schema import ID_RE

HISTORY_DIR = LAYER_SOURCES_DIR / "history"
#: A history file larger than this is not read by the app (it would be a hostile one): 1 MiB.
MAX_HISTORY_BYTES = 1024 * 1024

_HEAD = "# 修改记录 of {fid} ({name}): the changes gzmap apply made, oldest first.\n"


def history_path(fid: str, history_dir: Path = HISTORY_DIR) -> Path:
    """The history file of a place (its id is a slug, so it names no other folder)."""
    if not ID_RE.match(fid):
        raise ValueError(f"not a place id: {fid[:40]!r}")
    return history_dir / f"{fid}.yaml"


def entry(
    change: Any, applied: str, excerpts: list[dict[str, str]], name: str
) -> dict[str, Any]:
    """The history entry of an applied change (a :class:`spatial.plans.edits.changefile.Change`).

    ``excerpts`` are the change's evidence as found in the plans (``plan``, ``section``,
    ``text`` in the plan's wording); ``name`` is the place's name after the change.
    """
    out: dict[str, Any] = {
        "date": change.date,
        "applied": applied,
        "author": change.author,
        "action": change.action,
        "name": name,
        "reason": change.reason,
    }
    if excerpts:
        out["excerpts"] = excerpts
    if change.source:
        out["source"] = change.source
    out["changes"] = {k: {"before": b, "after": a} for k, (b, a) in change.fields.items()}
    return out


def appended(text: str | None, fid: str, name: str, new: dict[str, Any]) -> str:
    """The text of a history file with ``new`` appended (a new file gets a one-line header)."""
    body = dump_yaml([new])
    if not text:
        return _HEAD.format(fid=fid, name=name) + body
    return text + ("" if text.endswith("\n") else "\n") + body


def load_history(fid: str, history_dir: Path = HISTORY_DIR) -> list[dict[str, Any]]:
    """A place's history entries, oldest first; empty when it has none or it is unreadable.

    Only mappings are returned and only their text, number and list values are kept, so a
    damaged file shows less, never breaks the panel.
    """
    try:
        path = history_path(fid, history_dir)
        if not path.is_file() or path.stat().st_size > MAX_HISTORY_BYTES:
            return []
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return []
    if not isinstance(doc, list):
        return []
    return [e for e in doc if isinstance(e, dict)]
