"""这片区域规划了什么, on the 这里规划了什么 page: a study area taken from the own layer (a
polygon of the file in the sidebar's 我的图层) or from a file given here, and every plan element
meeting it with the plans' words.

The study area is this session's only (it is not in the URL). Drawing it on the map, and drawing
one by hand, come with the map client.
"""

from __future__ import annotations

import hashlib
from typing import Any

import geopandas as gpd
import streamlit as st

from app.excerpts import evidence_block
from spatial.plaintext import markdown_text
from spatial.query.area import AreaElement, AreaResult, area_of, what_is_in_area
from spatial.query.here import plan_short

ss = st.session_state
ALL = "__all__"
_AREA_TYPES = ("Polygon", "MultiPolygon")


class _Ev:
    """An excerpt in the shape :func:`evidence_block` reads."""

    def __init__(self, exc: dict[str, str]) -> None:
        self.text = exc["text"]
        self.section = exc["section"]
        self.feature_name = plan_short(exc["plan"])


def _file_layer() -> Any:
    """The study-area file given on this page, read as an upload is (once per file)."""
    file = ss.get("here_area_file")
    if file is None:
        ss.pop("_here_area_layer", None)
        return None
    from spatial.uploads.reader import read_user_layer

    data = file.getvalue()
    key = (file.name, hashlib.sha256(data).hexdigest())
    held = ss.get("_here_area_layer")
    if held is None or held[0] != key:
        held = (key, read_user_layer(data, file.name))
        ss._here_area_layer = held
    return held[1]


def _sources() -> list[tuple[str, Any]]:
    """``(label, layer)`` of the layers that may hold a study area: the own layer, this page's
    file."""
    out = []
    own = ss.get("_upload")
    if own is not None and own[1].ok:
        out.append((f"我的图层 Own layer · {own[1].name}", own[1]))
    given = _file_layer()
    if given is not None:
        for problem in given.problems:
            st.error(markdown_text(problem))
        if given.ok:
            out.append((f"研究范围文件 Study-area file · {given.name}", given))
    return out


def _amount(el: AreaElement) -> str:
    if el.derived:
        return "成员在内 members inside: " + "、".join(el.members_inside)
    if el.inside_m2 is not None:
        return f"区内 {el.inside_m2 / 1e6:,.2f} km²（{el.share:.0%}）"
    if el.inside_m is not None:
        return f"区内 {el.inside_m / 1000:,.2f} km（{el.share:.0%}）"
    if el.certain:
        return "点位在区内 inside"
    return f"区外 {el.distance_m:,.0f} m，在其位置精度内 within its precision"


def _element(el: AreaElement) -> None:
    with st.expander(markdown_text(f"{el.name} · {el.role_label} · {_amount(el)}")):
        if el.precision_m:
            st.caption(f"位置精度 ±{el.precision_m:,.0f} m")
        evidence_block([_Ev(e) for e in el.excerpts], show_place=True)


def _results(result: AreaResult) -> None:
    st.markdown(
        f"**研究范围 Study area** {result.area_m2 / 1e6:,.2f} km² · "
        f"**区内 Inside**（{len(result.inside)}）"
    )
    for el in result.inside:
        _element(el)
    if not result.inside:
        st.caption("没有规划要素与此范围相交。No plan element meets this area.")
    if result.possibly:
        st.markdown(f"**可能在区内 Possibly inside**（{len(result.possibly)}）")
        st.caption("点位在区外，但在其标明的位置精度内。Drawn outside, within its stated precision.")
        for el in result.possibly:
            _element(el)


def area_panel(gdf: gpd.GeoDataFrame) -> None:
    """The study-area query: pick a polygon, read what the plans place in it."""
    st.file_uploader(
        "研究范围 Study area：GeoJSON / GeoPackage 中的面（或在地图页“我的图层”中上传）"
        " polygons in a file, or the own layer's",
        key="here_area_file",
    )
    sources = _sources()
    if not sources:
        st.info(
            "请上传含面要素的文件，或在地图页的“我的图层”中上传。"
            "Give a file with polygons here, or an own layer on the map page."
        )
        return
    label, layer = sources[0]
    if len(sources) > 1:
        labels = [lbl for lbl, _ in sources]
        pick = st.radio("范围来自 From", labels, key="here_area_source", horizontal=True)
        label, layer = sources[labels.index(pick)]
    polygons = layer.gdf[layer.gdf.geom_type.isin(_AREA_TYPES)]
    if polygons.empty:
        st.warning(f"{markdown_text(label)}：没有面要素。The layer holds no polygon.")
        return
    options: list[Any] = [ALL, *range(len(polygons))]  # all, or one polygon by its position
    pick = st.selectbox(
        "面 Polygon",
        options=options,
        format_func=lambda k: "全部面 All polygons" if k == ALL
        else markdown_text(f"{k + 1}. {polygons.iloc[k]['name'] or ''}", limit=60),
        key="here_area_pick",
    )
    chosen = polygons if pick not in options[1:] else polygons.iloc[[pick]]
    try:
        result = what_is_in_area(gdf, area_of(chosen))
    except ValueError as exc:
        st.warning(markdown_text(exc))
        return
    _results(result)
