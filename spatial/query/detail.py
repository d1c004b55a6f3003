"""A feature's detail panel: its facts, every plan's words about it, and the words in context.

The app shows this beside the map when a feature is clicked; nothing here imports Streamlit.
All HTML made here escapes the plan text first and only then adds markup (``<mark>``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from spatial.plaintext import esc, text_of
from spatial.plans.about import excerpt_display
from spatial.plans.manifest import get_plan
from spatial.plans.schema import LOCATION_KINDS, role_label
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import SECTION_SEPARATOR, QuoteNotFound, load_plan

__all__ = [
    "ExcerptView",
    "context_html",
    "excerpt_views",
    "feature_facts",
    "plan_label",
    "related_ids",
    "related_parks",
    "safe_context_html",
]


@dataclass(frozen=True)
class ExcerptView:
    """One plan's excerpt about a feature, ready to show."""

    plan_id: str
    plan_title: str
    section: str
    text: str
    cells: tuple[tuple[str, str], ...] = ()

    @property
    def shown(self) -> str:
        """The text to show: a table row as its cells with their column names, else the quote."""
        return excerpt_display(
            {"text": self.text, "cells": dict(self.cells)} if self.cells else {"text": self.text}
        )

    @property
    def section_parts(self) -> list[str]:
        """The section path split into its headings, outermost first."""
        return [p for p in self.section.split(SECTION_SEPARATOR) if p]


def plan_label(plan_id: str, short: bool = True) -> str:
    """A plan's display name (short or full title); the id itself for an unknown plan."""
    try:
        plan = get_plan(plan_id)
    except KeyError:
        return plan_id
    return plan.short_name if short else plan.title


def excerpt_views(row: Mapping[str, Any]) -> list[ExcerptView]:
    """Every excerpt of a feature with its plan's full title, in the feature's order."""
    return [
        ExcerptView(
            plan_id=str(exc.get("plan", "")),
            plan_title=plan_label(str(exc.get("plan", "")), short=False),
            section=str(exc.get("section") or ""),
            text=str(exc.get("text") or ""),
            cells=tuple((str(k), str(v)) for k, v in (exc.get("cells") or {}).items()),
        )
        for exc in row.get("excerpts") or []
    ]


def _names(gdf: gpd.GeoDataFrame | None, ids: list[str]) -> str:
    names = []
    for fid in ids:
        if gdf is not None and fid in gdf.index:
            names.append(str(gdf.at[fid, "name"]))
        else:
            names.append(fid)
    return "、".join(names)


#: Labels of the attribute keys the layer sources write in English; other keys (a plan's own
#: table headings, such as 主导产业) are shown as written, and ``*_note`` keys are 说明 Note.
_ATTRIBUTE_LABELS = {
    "segment_order": "段序 Segment order",
    "order_rule": "次序说明 Order",
    "belt": "所属产业带 Belt",
    "poles": "极点 Poles",
    "sub_areas": "片区 Sub-areas",
    "layout": "布局 Layout",
    "projects": "项目 Projects",
    "status": "状态 Status",
}
#: Attributes whose values are feature ids, shown by their names.
_ID_ATTRIBUTES = frozenset({"belt", "poles", "sub_areas"})


def _attribute_fact(key: str, value: Any, gdf: gpd.GeoDataFrame | None) -> tuple[str, str]:
    """One ``attributes`` entry as a fact row: a readable label, ids shown by name."""
    label = _ATTRIBUTE_LABELS.get(key) or ("说明 Note" if key.endswith("_note") else key)
    values = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if key in _ID_ATTRIBUTES:
        return label, _names(gdf, values)
    return label, "、".join(values)


def feature_facts(
    row: Mapping[str, Any], gdf: gpd.GeoDataFrame | None = None
) -> list[tuple[str, str]]:
    """``(label, value)`` rows describing a feature, in display order; empty facts left out.

    Parameters
    ----------
    row : mapping
        The feature's properties.
    gdf : GeoDataFrame, optional
        All features, to show member / parent / link names instead of ids.
    """
    taxonomy = load_taxonomy()
    facts: list[tuple[str, str]] = [("类型 Role", role_label(str(row.get("role") or "")))]
    if row.get("district"):
        facts.append(("所在区 District", "、".join(row["district"])))
    tags = list(row.get("industries") or [])
    if tags:
        labels = []
        for tag in tags:
            try:
                labels.append(f"{tag}（{taxonomy.get(tag).en}）")
            except KeyError:
                labels.append(tag)
        facts.append(("产业 Industries", "、".join(labels)))
    if row.get("plans"):
        facts.append(("规划 Plans", "、".join(plan_label(p) for p in row["plans"])))
    if text_of(row.get("group")):
        facts.append(("分组 Group", text_of(row["group"])))
    axis_order = row.get("axis_order")
    if axis_order is not None and axis_order == axis_order:  # not NaN
        facts.append(("轴上次序 Axis order", str(int(axis_order))))
    if text_of(row.get("parent")):
        facts.append(("隶属 Part of", _names(gdf, [text_of(row["parent"])])))
    if row.get("members"):
        facts.append(("包含 Members", _names(gdf, list(row["members"]))))
    links = list(row.get("links") or [])
    related = related_parks(gdf, row) if gdf is not None else []
    if related:
        facts.append(("关联园区 Related parks", _names(gdf, related)))
    others = [i for i in links if i not in related]
    if others:
        facts.append(("关联 Linked", _names(gdf, others)))
    if row.get("aliases"):
        facts.append(("别称 Also called", "、".join(map(str, row["aliases"]))))
    for key, value in (row.get("attributes") or {}).items():
        facts.append(_attribute_fact(str(key), value, gdf))
    where = location_text(row.get("location_source"), row.get("location_precision_m"))
    if where:
        facts.append(("位置依据 Location", where))
    return facts


#: The kinds of ``location_source`` and their Chinese words (``spatial.plans.schema``).
_SOURCE_KINDS = LOCATION_KINDS
#: ``derived`` (alone, or ``derived:`` before the method) anywhere marks a shape built from its
#: members; the builder appends ``；derived: <method>`` to the source's own note.
_DERIVED = re.compile(r"[;；]?\s*\bderived\b\s*[:：]?\s*", re.IGNORECASE)
_NOTE_EDGES = " ;；:：，,"


def _source_kind(text: str) -> tuple[str, str]:
    """``(kind in Chinese, note)`` of a ``location_source``; no kind when it has no known prefix."""
    if _DERIVED.search(text):
        parts = (p.strip(_NOTE_EDGES) for p in _DERIVED.split(text))
        return "由所含要素推得", "；".join(p for p in parts if p)
    lowered = text.lower()
    for prefix, label in _SOURCE_KINDS:
        if not lowered.startswith(prefix.lower()):
            continue
        rest = text[len(prefix):].strip()
        if not rest:
            return label, ""
        if rest[0] in ":：":
            return label, rest[1:].strip()
    return "", text


def location_text(source: Any, precision: Any = None) -> str:
    """Where a feature's location comes from, Chinese first: the kind of source, the margin
    of error in metres, then the source's own note.

    ``"best knowledge: 岛的示意位置"`` with 800 m becomes
    ``"本项目判定的位置（规划未给出坐标），误差约 800 米。说明：岛的示意位置"``; a source
    without a known prefix is shown whole as the note.
    """
    kind, note = _source_kind(text_of(source).strip())
    parts = [kind] if kind else []
    if precision is not None and precision == precision:
        parts.append(f"误差约 {float(precision):,.0f} 米")
    head = "，".join(parts)
    if note:
        return f"{head}。说明：{note}" if head else f"说明：{note}"
    return head


def related_parks(gdf: gpd.GeoDataFrame, row: Mapping[str, Any]) -> list[str]:
    """A cluster's related parks: the parks it links to without holding them as core members.

    For Huadu's 表5-1 clusters these are the parks the park paragraphs task with the cluster
    (``重点打造…产业集群``) while the table lists other core parks (see docs/layer-contract.md).
    """
    if row.get("role") != "cluster":
        return []
    members = set(row.get("members") or [])
    return [
        i
        for i in row.get("links") or []
        if i in gdf.index and i not in members and gdf.at[i, "role"] in ("park", "zone")
    ]


def related_ids(gdf: gpd.GeoDataFrame, fid: str) -> list[str]:
    """Features tied to one: its parent, members, links and axis segments, then the features
    that hold it (clusters, belts, segments listing it as a member) and its parts.

    Only ids present in ``gdf`` are returned, each once, in that order.
    """
    if fid not in gdf.index:
        return []
    row = gdf.loc[fid]
    out: list[str] = []
    parent = text_of(row.get("parent"))
    if parent:
        out.append(parent)
    for key in ("members", "links", "axis_segment"):
        out.extend(row.get(key) or [])
    holders = gdf.index[gdf["members"].apply(lambda ms: fid in (ms or []))]
    out.extend(holders)
    parts = gdf.index[gdf["parent"].apply(lambda p: text_of(p) == fid)]
    out.extend(parts)
    return [i for i in dict.fromkeys(out) if i in gdf.index and i != fid]


def context_html(plan_id: str, quote: str, chars: int = 240) -> str:
    """The plan text around a quote, escaped, with the quote wrapped in ``<mark>``.

    Parameters
    ----------
    plan_id : str
        The plan the quote is from.
    quote : str
        The excerpt text.
    chars : int
        How much text to show on each side.

    Raises
    ------
    QuoteNotFound
        When the quote isn't in the plan (the layers are out of date with the texts).
    KeyError
        For an unknown plan id.
    """
    plan = load_plan(plan_id)
    match = plan.find(quote)
    before, found, after = plan.context(match, chars=chars)
    lead = "…" if match.start - chars > 0 else ""
    tail = "…" if match.end + chars < len(plan.clean) else ""

    def para(text: str) -> str:
        return esc(text).replace("\n", "<br>")

    return (
        f'<div class="gz-context" style="line-height:1.7">{lead}{para(before)}'
        f'<mark style="background:#ffe08a;padding:0 1px">{para(found)}</mark>'
        f"{para(after)}{tail}</div>"
    )


def safe_context_html(plan_id: str, quote: str, chars: int = 240) -> str:
    """:func:`context_html`, or an escaped note saying why the context can't be shown."""
    try:
        return context_html(plan_id, quote, chars=chars)
    except (QuoteNotFound, KeyError) as exc:
        return (
            f'<div class="gz-context-missing">无法定位原文 Cannot place the quote: {esc(exc)}</div>'
        )
