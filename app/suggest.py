"""建议修改 Suggest a change, and 修改记录 History, in the place panel.

The form makes a change file (``docs/change-files.md``) from what a person types and picks: a
site (a position typed or pasted as ``lon, lat`` in WGS84 or GCJ-02, or a click on the map), the
name, aliases, role, industries, district, location kind, note and precision, evidence (sentences
picked from the plan text around the place's own excerpts, or a passage pasted and checked to be
verbatim) and a reason. A click on the main map sites the place too, while its form is open
(:mod:`app.sitepick`). The file is checked with the same code ``gzmap apply`` uses and offered
for download; the app keeps nothing and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st

from app.data import get_districts, layers_dir, plan_names, static_url
from app.excerpts import safe_html
from app.sitepick import ARMED, take_map_click
from app.state import widget_value
from spatial.geo.basemaps import NO_TILES, get_basemap, shift_to_basemap
from spatial.geo.coords import gcj02_to_wgs84, geom_gcj02_to_wgs84
from spatial.plaintext import capped_notes, cut, markdown_text
from spatial.plans.edits.apply import State, check_change
from spatial.plans.edits.changefile import (
    LOCATION_KINDS,
    Change,
    ChangeFileError,
    Excerpt,
    change_text,
    current_values,
    evidence_sentences,
    file_name,
    location_kind,
    parse_change,
)
from spatial.plans.edits.history import load_history
from spatial.plans.schema import DISTRICTS, ROLES, role_label
from spatial.plans.schema import LOCATION_KINDS as KIND_WORDS
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import load_plan
from spatial.query.here import parse_lonlat

ss = st.session_state
CRS_LABELS = {"wgs84": "WGS84（GPS、OpenStreetMap）", "gcj02": "GCJ-02（高德、腾讯地图）"}
_SPLIT = re.compile(r"[、,，;；]")


def history_dir() -> Path:
    """Where the history of the layers the app shows is kept."""
    return layers_dir() / "src" / "history"


def _kind_label(kind: str) -> str:
    """The panel's Chinese words for a location kind, and the kind (two kinds share words)."""
    return f"{dict(KIND_WORDS).get(kind, kind)} · {kind}"


def _gcj02(basemap: str) -> bool:
    return basemap != NO_TILES and get_basemap(basemap).crs == "gcj02"


def _on_map(fid: str, basemap: str) -> None:
    """A click or a drawing on the form's map: the position typed for it, or the shape."""
    value = ss.get(f"sg_{fid}_map") or {}
    drawing, clicked = value.get("last_active_drawing"), value.get("last_clicked")
    seen = ss.get(f"_sg_{fid}_seen") or (None, None)
    ss[f"_sg_{fid}_seen"] = (drawing, clicked)
    geom = (drawing or {}).get("geometry") or {}
    if drawing and drawing != seen[0] and geom.get("type") == "Polygon":
        from shapely.geometry import shape

        polygon = shape(geom)
        if _gcj02(basemap):
            polygon = geom_gcj02_to_wgs84(polygon)
        ring = [[round(x, 6), round(y, 6)] for x, y in polygon.exterior.coords]
        ss[f"sg_{fid}_shape"] = {"polygon": ring}
        ss[f"sg_{fid}_geomkind"] = "polygon"
        return
    if drawing and drawing != seen[0] and geom.get("type") == "Point":
        lon, lat = geom["coordinates"][:2]
    elif clicked and clicked != seen[1]:
        lon, lat = clicked["lng"], clicked["lat"]
    else:
        return
    take_map_click(float(lon), float(lat), gcj02=_gcj02(basemap), fid=fid)


def _draw_map(fid: str, current: Any, basemap: str) -> None:
    """A small map in the form: click to place a point, or draw a polygon (Leaflet.draw,
    served from ``static/leaflet-draw`` like the app's Leaflet, so it works offline)."""
    import folium
    from folium.plugins import Draw

    from app.map import folium_map
    from spatial.webmap.map import use_leaflet_only

    m = folium.Map(location=[23.13, 113.35], zoom_start=10, tiles=None, control_scale=True)
    use_leaflet_only(m, static_url("leaflet"))
    if basemap != NO_TILES:
        folium.TileLayer(**get_basemap(basemap).folium_kwargs(), control=False).add_to(m)
    districts = get_districts()
    if districts is not None:
        folium.GeoJson(shift_to_basemap(districts[["name", "geometry"]], basemap).__geo_interface__,
                       style_function=lambda f: {"color": "#555", "weight": 1, "fill": False},
                       tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    if current is not None:
        import geopandas as gpd

        shown = shift_to_basemap(gpd.GeoDataFrame(geometry=[current], crs=4326), basemap)
        folium.GeoJson(shown.__geo_interface__,
                       style_function=lambda f: {"color": "#c0392b", "weight": 2}).add_to(m)
        m.fit_bounds([[shown.total_bounds[1], shown.total_bounds[0]],
                      [shown.total_bounds[3], shown.total_bounds[2]]], max_zoom=14)
    draw = Draw(draw_options={"polyline": False, "rectangle": False, "circle": False,
                              "circlemarker": False, "marker": True, "polygon": True},
                edit_options={"edit": False, "remove": False})
    draw.default_js = [("leaflet_draw_js", static_url("leaflet-draw") + "/leaflet.draw.js")]
    draw.default_css = [("leaflet_draw_css", static_url("leaflet-draw") + "/leaflet.draw.css")]
    draw.add_to(m)
    folium_map(m, key=f"sg_{fid}_map", height=340,
               returned=["last_active_drawing", "last_clicked"],
               on_change=partial(_on_map, fid, basemap))


def _location(
    fid: str, current: dict[str, Any], needed: bool, geom: Any, basemap: str
) -> tuple[Any, str | None]:
    """The position typed or clicked, or the shape drawn: ``(geometry or None, error)``."""
    st.markdown("**位置 Location**" + ("（必填 required）" if needed else "（移动时填写 to move it）"))
    ss[ARMED] = fid
    kind_key = f"sg_{fid}_geomkind"
    ss.setdefault(kind_key, "polygon" if (current["geometry"] or {}).get("polygon") else "point")
    st.radio("几何 Geometry", ["point", "polygon"], horizontal=True, key=kind_key,
             format_func={"point": "点 Point", "polygon": "多边形 Polygon"}.get)
    if st.toggle("在地图上点选或绘制 Click or draw on a map", key=f"sg_{fid}_drawmap"):
        _draw_map(fid, geom, basemap)
    if ss[kind_key] == "polygon":
        shape = ss.get(f"sg_{fid}_shape")
        if not shape:
            return None, ("位置：请在地图上绘制多边形。Location: draw the polygon on the map."
                          if needed else None)
        st.caption(f"多边形 Polygon · {len(shape['polygon']) - 1} 个顶点 vertices")
        return (None if shape == current["geometry"] else shape), None
    st.text_input(
        "经度, 纬度 Longitude, latitude",
        key=f"sg_{fid}_lonlat",
        placeholder="113.448, 23.171",
        help="在地图上点击，或从地图软件复制粘贴。Click on the map, or paste from a map app.",
    )
    st.radio("坐标系 Datum", list(CRS_LABELS), format_func=CRS_LABELS.get, horizontal=True,
             key=f"sg_{fid}_crs")
    typed = ss.get(f"sg_{fid}_lonlat") or ""
    if not typed.strip():
        return None, ("位置：请输入经纬度。Location: type a longitude and latitude."
                      if needed else None)
    try:
        lon, lat = parse_lonlat(typed)
    except ValueError as exc:
        return None, str(exc)
    if ss.get(f"sg_{fid}_crs") == "gcj02":
        lon, lat = gcj02_to_wgs84(lon, lat)
    lon, lat = round(lon, 6), round(lat, 6)
    from shapely.geometry import Point

    from spatial.geo.base import districts_containing

    where = "、".join(districts_containing(Point(lon, lat))) or "不在广州各区内 outside every district"
    st.caption(f"WGS84 {lon:.5f}, {lat:.5f} · {markdown_text(where)}")
    geometry = {"point": [lon, lat]}
    if current["geometry"] and geometry == current["geometry"]:
        return None, None
    return geometry, None


def _fields(fid: str, current: dict[str, Any], geometry: Any, locate: bool) -> dict[str, Any]:
    """The proposed values of every field (unchanged ones as they are); ``locate``: the
    location's kind, note and precision can be changed too."""
    from shapely.geometry import Point

    from spatial.geo.base import districts_containing

    after = dict(current)
    if geometry:
        after["geometry"] = geometry
    key = f"sg_{fid}_"
    ss.setdefault(key + "name", current["name"] or "")
    ss.setdefault(key + "aliases", "、".join(current["aliases"]))
    ss.setdefault(key + "role", current["role"] or "")
    ss.setdefault(key + "industries", list(current["industries"]))
    ss.setdefault(key + "district", list(current["district"]))
    kind, note = location_kind(current["location_source"] or "best knowledge:")
    ss.setdefault(key + "kind", kind or "best knowledge")
    ss.setdefault(key + "note", note if kind else "")
    ss.setdefault(key + "precision", int(current["location_precision_m"] or 1000))
    st.text_input("名称 Name", key=key + "name", max_chars=80)
    st.text_input("别称 Aliases（用“、”分隔 separated by 、）", key=key + "aliases", max_chars=400)
    st.selectbox("类型 Role", ["", *ROLES], key=key + "role",
                 format_func=lambda r: role_label(r) if r else "（未定 not set）")
    st.multiselect("产业 Industries", load_taxonomy().tags, key=key + "industries")
    st.multiselect("所在区 District", list(DISTRICTS), key=key + "district")
    after["name"] = ss[key + "name"].strip()
    after["aliases"] = [a.strip() for a in _SPLIT.split(ss[key + "aliases"]) if a.strip()]
    after["role"] = ss[key + "role"] or None
    after["industries"] = list(ss[key + "industries"])
    after["district"] = list(ss[key + "district"])
    if geometry and not after["district"]:
        from shapely.geometry import Polygon

        probe = (Point(*geometry["point"]) if "point" in geometry
                 else Polygon(geometry["polygon"]).representative_point())
        after["district"] = districts_containing(probe)
    if locate:
        st.selectbox("位置依据类型 Location kind", list(LOCATION_KINDS), key=key + "kind",
                     format_func=_kind_label)
        st.text_input("位置说明（中文）Location note, in Chinese", key=key + "note",
                      max_chars=300, placeholder="例如：某路某号，园区管委会公布的地址")
        st.number_input("误差 Precision (m)", min_value=1, max_value=50000, step=100,
                        key=key + "precision")
        note = ss[key + "note"].strip()
        source = f"{ss[key + 'kind']}: {note}" if note else None
        if source and location_kind(source) != location_kind(current["location_source"] or ""):
            after["location_source"] = source
        precision = float(ss[key + "precision"])
        after["location_precision_m"] = int(precision) if precision.is_integer() else precision
    return after


def _evidence(fid: str, place: dict[str, Any]) -> tuple[list[Excerpt], list[str]]:
    """Excerpts picked from the plan text or pasted (checked verbatim) and what is wrong."""
    key = f"sg_{fid}_"
    st.markdown("**依据 Evidence**")
    own = [e for e in place.get("excerpts") or [] if isinstance(e, dict)]
    plans = list(dict.fromkeys([*(str(e.get("plan")) for e in own), *plan_names()]))
    names = plan_names()
    st.selectbox("规划 Plan", plans, key=key + "plan", format_func=lambda p: names.get(p, p))
    plan = ss[key + "plan"]
    quotes = [str(e.get("text")) for e in own if e.get("plan") == plan]
    options = evidence_sentences(plan, quotes) if quotes else []
    st.multiselect(
        "从规划原文选取 Pick sentences from the plan text", options, key=key + "picked",
        format_func=lambda s: cut(s, 90),
        placeholder="选择该地点原文前后的句子 sentences around the place's excerpts",
    )
    st.text_area("或粘贴一段原文 Or paste a passage of the plan", key=key + "pasted",
                 max_chars=2000, height=80)
    excerpts = [Excerpt(plan, s) for s in ss.get(key + "picked") or []]
    problems: list[str] = []
    pasted = (ss.get(key + "pasted") or "").strip()
    if pasted:
        found = load_plan(plan).find_all(pasted)
        if found:
            st.caption(f"✓ 逐字见于规划 Verbatim in the plan · {markdown_text(found[0].section)}")
            excerpts.append(Excerpt(plan, pasted, found[0].section))
        else:
            problems.append("粘贴的文字不是规划原文（逐字）。The pasted text is not verbatim "
                            "in the plan.")
    st.text_input("位置来源 Location source（地址、公开文件标题或说明 address, document, note）",
                  key=key + "source", max_chars=500)
    return excerpts, problems


def suggest_box(place: dict[str, Any], on_map: bool) -> None:
    """The 建议修改 form for a place on the map (``on_map``) or in the register."""
    fid = str(place["id"])
    if not st.toggle("✎ 建议修改 Suggest a change", key=f"sg_open_{fid}"):
        return
    current = current_values(place, place.get("geometry") if on_map else None)
    derived = "derived" in (current["location_source"] or "")
    movable = not on_map or (current["geometry"] is not None and not derived)
    with st.container(border=True, key=f"sg_form_{fid}"):
        st.caption("填写后下载修改文件（YAML），发给地图维护者审核；本站不保存任何内容。"
                   "Fill in, download the change file and send it to the map's steward; "
                   "the app keeps nothing.")
        basemap = widget_value("basemap") or NO_TILES
        geom = place.get("geometry") if on_map else None
        geometry, where_problem = (
            _location(fid, current, not on_map, geom, basemap) if movable else (None, None)
        )
        after = _fields(fid, current, geometry, locate=movable)
        excerpts, problems = _evidence(fid, place)
        st.text_area("理由 Reason", key=f"sg_{fid}_reason", max_chars=2000, height=80)
        st.text_input("建议人 Your name and unit", key=f"sg_{fid}_author", max_chars=80)
        fields = {k: (current[k], after[k]) for k in current if after[k] != current[k]}
        change = Change(
            place=fid,
            name=str(place.get("name") or fid),
            action="edit" if on_map else "site",
            author=(ss.get(f"sg_{fid}_author") or "").strip(),
            date=dt.date.today().isoformat(),
            reason=(ss.get(f"sg_{fid}_reason") or "").strip(),
            excerpts=excerpts,
            source=(ss.get(f"sg_{fid}_source") or "").strip() or None,
            fields=fields,
        )
        problems = ([where_problem] if where_problem else []) + problems
        text = change_text(change, file_name(change))
        problems += _check(change, text, place, on_map)
        if problems:
            st.warning("\n".join(f"- {n}" for n in capped_notes(problems, max_chars=200)))
        st.download_button(
            "⬇ 下载修改文件 Download the change file",
            data=text.encode("utf-8"),
            file_name=file_name(change),
            mime="text/yaml",
            disabled=bool(problems),
            key=f"sg_{fid}_download",
            on_click="ignore",
        )
        with st.expander("预览 Preview"):
            st.code(text, language="yaml")


def _check(change: Change, text: str, place: dict[str, Any], on_map: bool) -> list[str]:
    """What ``gzmap apply`` would refuse in this change, as far as the app can tell."""
    if not change.fields:
        return ["尚未修改任何内容。Nothing is changed yet."]
    try:
        parse_change(text)
    except ChangeFileError as exc:
        return [str(exc)]
    props = {k: v for k, v in place.items() if k != "geometry"}
    if on_map:
        geom = place.get("geometry")
        state = State({change.place: {"properties": props, "geometry": geom.__geo_interface__}},
                      {}, [])
    else:
        state = State({}, {change.place: props}, [])
    return check_change(change, state)


def history_box(fid: str) -> None:
    """修改记录 History: the changes applied to this place, newest first."""
    entries = load_history(fid, history_dir())
    if not entries:
        return
    st.markdown(f"**修改记录 History**（{len(entries)}）")
    for entry in reversed(entries):
        with st.container(border=True):
            action = "定位 sited" if entry.get("action") == "site" else "修改 edited"
            st.markdown(
                f"<div><b>{safe_html(entry.get('date'))}</b> · {safe_html(entry.get('author'))}"
                f" · {action}（{safe_html(entry.get('applied'))} 应用 applied）</div>"
                f"<div>理由 Why：{safe_html(entry.get('reason'))}</div>"
                + (f"<div>来源 From：{safe_html(entry.get('source'))}</div>"
                   if entry.get("source") else ""),
                unsafe_allow_html=True,
            )
            for exc in entry.get("excerpts") or []:
                if isinstance(exc, dict):
                    st.markdown(
                        f"<blockquote style='margin:0'>{safe_html(exc.get('text'))}</blockquote>",
                        unsafe_allow_html=True,
                    )
