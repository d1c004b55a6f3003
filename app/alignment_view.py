"""The 规划衔接 page: a district's plan(s) against the city plan, each claim one click from
the plans' words."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import streamlit as st

from app.excerpts import evidence_block, safe_html
from app.map import page_map
from app.viewparams import target_options
from spatial.query import alignment as al
from spatial.webmap import tooltip_feature_id
from spatial.webmap.pages import alignment_map, status_legend_html

ss = st.session_state
MAP_HEIGHT = 560
#: The tables leave room below them, beside the map, for the words of the row picked.
TABLE_HEIGHT = 280


@st.cache_data(max_entries=16, show_spinner=False)
def _alignment(folder: str, stamp: tuple, target: str) -> al.Alignment:
    from app.data import get_layers

    return al.align(get_layers(folder, stamp), target)


def _target_label(key: str) -> str:
    district, plans = al.resolve_target(key)
    names = "、".join(al.plan_short(p) for p in plans)
    return f"{district} · {names}" if key == district else f"　└ {names}"


def _on_map_click() -> None:
    fid = tooltip_feature_id(
        str((ss.get("align_map") or {}).get("last_object_clicked_tooltip") or "")
    )
    if fid:
        ss.align_pick = ("place", fid)


def _on_table_pick(key: str, ids: list[tuple[str, str]]) -> None:
    picked = ss.get(key, {}).get("selection", {})
    rows = list(picked.get("rows", [])) + [cell[0] for cell in picked.get("cells", [])]
    if rows and rows[0] < len(ids):
        ss.align_pick = ids[rows[0]]


def _pick_table(
    rows: list[dict], ids: list[tuple[str, str]], key: str, height: int, target: str
) -> None:
    """A table where a click on any cell of a row (or its tick box) opens the ``align_pick``
    of the same position in ``ids``. The widget is one per district, so a row picked for one
    district is not still picked, and dead, on the next."""
    key = f"{key}_{hashlib.sha1(target.encode()).hexdigest()[:10]}"
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        on_select=lambda: _on_table_pick(key, ids),
        selection_mode=["single-row", "single-cell"],
        key=key,
        height=height,
        width="stretch",
    )


def _role_zh(role: str | None) -> str:
    from spatial.plans.schema import ROLES

    return ROLES.get(role or "", (role or "—", ""))[0]


#: labels of the places outside the district a district plan names
_ELSEWHERE = "区外 elsewhere in Guangzhou"
_BEYOND = "广州市以外 outside Guangzhou"


def _all_places(result: al.Alignment) -> list[tuple[al.PlaceRow, str]]:
    """Every place of the comparison with its status label: the district's, then the city
    places elsewhere and the places outside Guangzhou the district plan names."""
    return [
        *((p, al.STATUS_LABELS[p.status][0]) for p in result.places),
        *((p, _ELSEWHERE) for p in result.elsewhere),
        *((p, _BEYOND) for p in result.beyond),
    ]


def _places_table(result: al.Alignment, target: str) -> None:
    rows = []
    ids = []
    for place, label in _all_places(result):
        roles = _role_zh(place.city_role or place.district_role)
        if place.city_role and place.district_role and place.city_role != place.district_role:
            roles = f"市 {_role_zh(place.city_role)} / 区 {_role_zh(place.district_role)}"
        rows.append(
            {
                "状态 Status": label,
                "名称 Place": place.name,
                "类型 Role": roles,
                "关联 Tied to": "、".join(name for _, name in place.related),
            }
        )
        ids.append(("place", place.id))
    _pick_table(rows, ids, "align_places", height=TABLE_HEIGHT, target=target)


def _industry_table(result: al.Alignment, target: str) -> None:
    level = st.segmented_control(
        "产业层级 Level",
        options=["industry", "group"],
        format_func=lambda k: "细分产业 Specific" if k == "industry" else "产业大类 Groups",
        default="industry",
        key="align_level",
        label_visibility="collapsed",
    )
    source = result.industry_groups if level == "group" else result.industries
    rows = []
    ids = []
    for row in source:
        entry = {"产业 Industry": row.tag}
        if level != "group":
            entry["大类 Group"] = row.group or ""
        district = [e.feature_name for e in [*row.district, *row.district_wide]]
        entry.update(
            {
                "状态 Status": al.INDUSTRY_STATUS_LABELS[row.status][0],
                "市级 City": "、".join(dict.fromkeys(e.feature_name for e in row.city)) or "—",
                "区级 District": "、".join(dict.fromkeys(district)) or "—",
            }
        )
        rows.append(entry)
        ids.append((level or "industry", row.tag))
    if not rows:
        st.info("两级规划在本区均未点名产业。Neither plan names an industry here.")
        return
    _pick_table(rows, ids, f"align_industries_{level}", height=TABLE_HEIGHT, target=target)
    st.caption(" ".join(al.INDUSTRY_SCOPE) + " “全区”：区级规划对全区的表述 district-wide words.")


def _roles_table(result: al.Alignment) -> None:
    if not result.role_diffs:
        st.caption("两级规划对本区共同要素的定位一致。No place is weighted differently.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "名称 Place": d.name,
                    "市级 City": f"{_role_zh(d.city_role)} {d.city_group or ''}".strip(),
                    "区级 District": f"{_role_zh(d.district_role)} {d.district_group or ''}".strip(),
                    "区级规划 Plan": al.plan_short(d.district_plan),
                }
                for d in result.role_diffs
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _pick_panel(result: al.Alignment) -> None:
    pick = ss.get("align_pick")
    if not pick:
        st.info(
            "点击地图上的地点或表格中的任一行，在此查看两级规划的原文。"
            "Click a place or any table row to read both plans' words here."
        )
        return
    kind, key = pick
    if kind == "place":
        found = next(((p, lb) for p, lb in _all_places(result) if p.id == key), None)
        if found is None:
            st.info("该地点不在此区的对照中。That place is not part of this comparison.")
            return
        place, label = found
        st.markdown(f"#### {safe_html(place.name)}", unsafe_allow_html=True)
        zh, en = al.STATUS_LABELS[place.status]
        st.caption(f"{zh} · {en}" + ("" if place.inside else f" · {label}"))
        city_ev = place.city_excerpts
        district_ev = [*place.district_excerpts, *place.district_mentions]
    else:
        row = result.industry_group(key) if kind == "group" else result.industry(key)
        if row is None:
            return
        st.markdown(f"#### {safe_html(row.tag)}", unsafe_allow_html=True)
        zh, en = al.INDUSTRY_STATUS_LABELS[row.status]
        st.caption(f"{zh} · {en}")
        city_ev, district_ev = row.city, [*row.district, *row.district_wide]
    # one above the other: the panel sits in the column beside the map
    st.markdown(f"**{safe_html(al.plan_short(result.city_plan))}**", unsafe_allow_html=True)
    evidence_block(city_ev, show_place=kind != "place")
    names = "、".join(al.plan_short(p) for p in result.district_plans)
    st.markdown(f"**{safe_html(names)}**", unsafe_allow_html=True)
    evidence_block(district_ev, show_place=kind != "place")


def _briefing(target: str) -> None:
    from spatial.exports.alignment import render_alignment

    c1, c2 = st.columns(2)
    for col, fmt in ((c1, "png"), (c2, "pdf")):
        if col.button(
            f"生成简报 {fmt.upper()} Briefing", key=f"align_render_{fmt}", width="stretch"
        ):
            with st.spinner(f"正在生成 {fmt.upper()}…"):
                try:
                    ss[f"_align_export_{fmt}"] = (target, render_alignment(target, fmt=fmt))
                except Exception as exc:  # the user needs to see why, not a stack trace
                    st.error(f"生成失败 Rendering failed: {safe_html(exc)}")
        made = ss.get(f"_align_export_{fmt}")
        if made and made[0] == target:
            col.download_button(
                f"下载 {fmt.upper()} Download",
                data=made[1],
                file_name=f"gzplan-alignment.{fmt}",
                mime="image/png" if fmt == "png" else "application/pdf",
                key=f"align_dl_{fmt}",
                on_click="ignore",
                width="stretch",
            )


def alignment_page(gdf: gpd.GeoDataFrame, folder: str, stamp: tuple, basemap: str) -> str:
    """Draw the page; returns the chosen target (district or plan id) for the URL."""
    options = target_options()
    if ss.get("align_target") not in options:
        ss.align_target = options[0]
    target = st.selectbox(
        "区级规划 District plan", options=options, format_func=_target_label, key="align_target"
    )
    if ss.get("_align_shown") != target:
        ss.align_pick = None
        ss._align_shown = target
    result = _alignment(folder, stamp, target)
    counts = result.counts()
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("区级规划承接 Taken up", counts[al.BOTH])
    m2.metric("区级仅提及 Mentioned", counts[al.MENTIONED])
    m3.metric("区级未提及 Not mentioned", counts[al.CITY_ONLY])
    m4.metric("区级自有 District only", counts[al.DISTRICT_ONLY])
    m5.metric(
        "产业两级均有 Shared industries", sum(1 for r in result.industries if r.status == al.BOTH)
    )
    map_col, side_col = st.columns([3, 2], gap="medium")
    with map_col:
        st.markdown(status_legend_html(), unsafe_allow_html=True)
        page_map(
            alignment_map, gdf, result, basemap, key="align_map", height=MAP_HEIGHT,
            returned=["last_object_clicked_tooltip"], on_change=_on_map_click,
        )
    with side_col:
        tab_places, tab_ind, tab_roles = st.tabs(["地点 Places", "产业 Industries", "定位 Roles"])
        with tab_places:
            _places_table(result, target)
        with tab_ind:
            _industry_table(result, target)
        with tab_roles:
            _roles_table(result)
        # the words of the row or place picked, beside the map and under the table clicked
        with st.container(key="align_evidence"):
            _pick_panel(result)
    st.divider()
    _briefing(target)
    return target
