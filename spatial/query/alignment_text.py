"""``gzmap alignment``: the 规划衔接 comparison (:mod:`spatial.query.alignment`) as plain text,
with the plans' words behind each line on request."""

from __future__ import annotations

from spatial.query.alignment import (
    BOTH,
    CITY_ONLY,
    DISTRICT_ONLY,
    INDUSTRY_SCOPE,
    INDUSTRY_STATUS_LABELS,
    MENTIONED,
    Alignment,
    IndustryRow,
    PlaceRow,
    plan_short,
    role_zh,
)

__all__ = ["format_alignment"]


def _place_line(place: PlaceRow) -> str:
    roles = role_zh(place.city_role or place.district_role)
    if place.city_role and place.district_role and place.city_role != place.district_role:
        roles = f"市:{role_zh(place.city_role)} / 区:{role_zh(place.district_role)}"
    line = f"  - {place.name} [{roles}] ({place.id})"
    if place.related:
        line += " 关联: " + "、".join(name for _, name in place.related)
    return line


def _industry_line(row: IndustryRow, excerpts: bool) -> list[str]:
    c = "、".join(dict.fromkeys(e.feature_name for e in row.city)) or "—"
    d = "、".join(dict.fromkeys(e.feature_name for e in row.district)) or "—"
    line = f"  - {row.tag} [{INDUSTRY_STATUS_LABELS[row.status][0]}] 市: {c} | 区: {d}"
    if row.district_wide:
        line += f" | 全区: {len(row.district_wide)} 处表述"
    lines = [line]
    if excerpts:
        for ev in [*row.city, *row.district, *row.district_wide]:
            lines.append(f"      {plan_short(ev.plan)}（{ev.feature_name}）: “{ev.text}”")
    return lines


def format_alignment(alignment: Alignment, excerpts: bool = False) -> str:
    """Plain-text report (``gzmap alignment``); ``excerpts`` adds the words behind each line."""
    city = plan_short(alignment.city_plan)
    district = "、".join(plan_short(p) for p in alignment.district_plans)
    counts = alignment.counts()
    lines = [
        f"规划衔接 {alignment.district}: {district} 对照 {city}",
        f"市级规划在本区的要素 {counts[BOTH] + counts[MENTIONED] + counts[CITY_ONLY]} 个，"
        f"区级规划承接 {counts[BOTH]} 个，仅提及 {counts[MENTIONED]} 个，"
        f"未提及 {counts[CITY_ONLY]} 个；区级规划自有要素 {counts[DISTRICT_ONLY]} 个。",
    ]
    sections = (
        ("区级规划承接的市级要素", alignment.taken_up),
        ("区级规划仅提及（未作布局）的市级要素", alignment.mentioned),
        ("区级规划未提及的市级要素", alignment.not_mentioned),
        ("市级规划未列出的区级要素", alignment.district_only),
        ("区级规划布局或提及的区外市级要素", alignment.elsewhere),
        ("区级规划提及的广州市以外要素（区外背景）", alignment.beyond),
    )
    for title, places in sections:
        lines.append(f"{title} ({len(places)}):")
        for place in places:
            lines.append(_place_line(place))
            if excerpts:
                evidence = [*place.city_excerpts, *place.district_excerpts]
                for ev in [*evidence, *place.district_mentions]:
                    lines.append(f"      {plan_short(ev.plan)}: “{ev.text}”")
        if not places:
            lines.append("  (无)")
    lines.append("产业 (市级 / 区级 / 状态):")
    lines.append(f"  {INDUSTRY_SCOPE[0]}")
    for row in alignment.industries:
        lines.extend(_industry_line(row, excerpts))
    lines.append("产业大类 (市级 / 区级 / 状态):")
    for row in alignment.industry_groups:
        wide = f" / 全区 {len(row.district_wide)} 处表述" if row.district_wide else ""
        lines.append(
            f"  - {row.tag} [{INDUSTRY_STATUS_LABELS[row.status][0]}] "
            f"市 {len({e.feature_id for e in row.city})} 处 / "
            f"区 {len({e.feature_id for e in row.district})} 处{wide}"
        )
    lines.append(f"角色不同的要素 ({len(alignment.role_diffs)}):")
    for diff in alignment.role_diffs:
        lines.append(
            f"  - {diff.name}: 市级 {role_zh(diff.city_role)} ({diff.city_group or '—'}) / "
            f"{plan_short(diff.district_plan)} {role_zh(diff.district_role)} "
            f"({diff.district_group or '—'})"
        )
    if not alignment.role_diffs:
        lines.append("  (无)")
    return "\n".join(lines)
