"""Excerpts: is one about its feature (it names the feature or an alias, sits under a heading
that does, or the source says why in a ``note``), and how a reader sees it (a table row as its
cells with their column names)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from spatial._problems import Problem

_SPACE = re.compile(r"\s+")
SECTION_SEP = " › "


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def names_of(props: dict[str, Any]) -> list[str]:
    """The feature's name and aliases (strings only)."""
    aliases = props.get("aliases")
    words = [props.get("name"), *(aliases if isinstance(aliases, list) else [])]
    return [w for w in words if isinstance(w, str) and w.strip()]


def is_about(props: dict[str, Any], excerpt: dict[str, Any]) -> bool:
    """True when the excerpt's text, or the heading it sits under, names the feature."""
    names = [_squash(n) for n in names_of(props)]
    text = _squash(str(excerpt.get("text", "")))
    heading = _squash(str(excerpt.get("section", "")).split(SECTION_SEP)[-1])
    return any(n and (n in text or n in heading) for n in names)


def check_excerpts_about(file: str, fid: str, props: dict[str, Any], out: list[Problem]) -> None:
    """Report each excerpt that names neither the feature nor an alias and carries no note."""
    excerpts = props.get("excerpts")
    for n, exc in enumerate(excerpts if isinstance(excerpts, list) else [], 1):
        if not isinstance(exc, dict) or is_about(props, exc):
            continue
        note = exc.get("note")
        if isinstance(note, str) and note.strip():
            continue
        out.append(
            Problem(
                file,
                fid,
                f"excerpt {n} names neither {props.get('name')!r} nor an alias: quote the passage "
                "about this feature, or say why in the excerpt's note",
            )
        )


def excerpt_display(exc: Mapping[str, Any]) -> str:
    """An excerpt as a reader sees it: a table row (``cells``) as ``column：cell`` separated by
    ``｜``, so cells never run together; any other excerpt as its quoted text."""
    cells = exc.get("cells")
    if isinstance(cells, Mapping) and cells:
        return " ｜ ".join(f"{k}：{v}" for k, v in cells.items())
    return str(exc.get("text") or "")
