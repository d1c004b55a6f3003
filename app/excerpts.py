"""Plan excerpts shown as evidence: the plan's words, escaped, with their section path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from spatial.plaintext import text_of
from spatial.plans.texts import SECTION_SEPARATOR

#: At most this many excerpts are listed under one claim.
MAX_SHOWN = 12

#: Characters Streamlit's markdown would read as markup (emphasis, links, maths, code, tables).
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_[]()$~#|!{}+-.:="})


def safe_html(value: Any) -> str:
    """Text made inert for HTML *and* Streamlit markdown: escaped, markup characters as
    entities, line breaks folded (a blank line would end the HTML block)."""
    text = " ".join(text_of(value).split())
    return text.translate(_INERT)  # one pass: HTML specials and markdown marks as entities


def evidence_block(evidence: Iterable[Any], show_place: bool = False) -> None:
    """List excerpts (objects with ``text``, ``section``, ``feature_name``), or say there are none.

    Plan text goes through :func:`esc` before any markup is added, so nothing in it can
    become HTML or Streamlit markdown.
    """
    items = list(evidence)
    if not items:
        st.caption("（未提及 not mentioned）")
        return
    seen: set[tuple[str, str]] = set()
    shown = 0
    for ev in items:
        key = (str(getattr(ev, "feature_name", "")), str(ev.text))
        if key in seen:
            continue
        seen.add(key)
        shown += 1
        if shown > MAX_SHOWN:
            st.caption(f"另有 {len(items) - MAX_SHOWN} 条摘录 … more excerpts not shown")
            break
        place = f"<b>{safe_html(ev.feature_name)}</b>：" if show_place else ""
        section = " › ".join(p for p in str(ev.section or "").split(SECTION_SEPARATOR) if p)
        st.markdown(
            f"<blockquote style='margin:0 0 4px 0'>{place}{safe_html(ev.text)}</blockquote>"
            + (
                f"<div style='font-size:0.78rem;color:#666'>{safe_html(section)}</div>"
                if section
                else ""
            ),
            unsafe_allow_html=True,
        )
