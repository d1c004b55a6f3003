"""Under the map: the results table, the overview chart and the downloads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from app import appstate
from app.data import (
    current_upload,
    get_layers,
    layer_options,
    plan_names,
    selection_from_key,
    selection_key,
    view_colours,
)
from app.state import on_chart_pick, on_table_pick
from spatial.exports import downloads
from spatial.exports.csv_zh import to_csv_zh_bytes
from spatial.plaintext import markdown_text
from spatial.plans.schema import role_label
from spatial.query import overview, unsited
from spatial.query.features import Selection
from spatial.symbology import Symbology

ss = st.session_state


def results_table(
    gdf: gpd.GeoDataFrame,
    shown: gpd.GeoDataFrame,
    named: pd.DataFrame | None = None,
    reasons: dict[str, str] | None = None,
) -> None:
    """The features shown, then the places named without a site (opened in the panel too).

    With search ``reasons`` (id -> why it matched, best first) the features come in that
    order with a column saying why. A click on a row, or on any cell of it, opens the place.
    """
    names = plan_names()
    if reasons:
        first = [fid for fid in reasons if fid in shown.index]
        shown = shown.loc[first + [fid for fid in shown.index if fid not in reasons]]

    def rows(frame: pd.DataFrame, roles: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "名称 Name": frame["name"],
                **({"匹配 Match": frame.index.map(lambda f: reasons.get(f, ""))}
                   if reasons else {}),
                "类型 Role": roles,
                "所在区 District": frame["district"].map("、".join),
                "产业 Industries": frame["industries"].map("、".join),
                "规划 Plans": frame["plans"].map(lambda ps: "、".join(names.get(p, p) for p in ps)),
                "id": frame.index,
            }
        )

    table = rows(shown, shown["role"].map(role_label))
    ids = list(shown.index)
    if named is not None and not named.empty:
        table = pd.concat([table, rows(named, named["id"].map(lambda _: unsited.ROLE_LABEL))])
        ids += list(named.index)
    ss._table_ids = ids
    st.dataframe(
        table,
        key="results",
        on_select=on_table_pick,
        selection_mode=["single-row", "single-cell"],
        hide_index=True,
        width="stretch",
        height=min(560, 38 + 35 * max(len(table), 1)),
        column_config={
            "名称 Name": st.column_config.TextColumn(width="medium", pinned=True),
            "规划 Plans": st.column_config.TextColumn(width="medium"),
            "id": st.column_config.TextColumn(width="small"),
        },
    )
    st.caption(f"共 {len(table)} 行，表内可滚动；点击名称打开地点。"
               f"{len(table)} rows; scroll the table, click a name to open the place.")


@st.cache_resource(max_entries=64, show_spinner=False)
def overview_chart(folder: str, stamp: tuple, key: tuple) -> dict | None:
    """The overview chart's spec under a selection's other filters (``key`` without plans and
    industries), no cell outlined: built once per process, shared, never modified."""
    gdf = get_layers(folder, stamp)
    names = plan_names()
    options = layer_options(folder, stamp)
    table = overview.overview_table(gdf, selection_from_key(key), names)
    return overview.overview_spec(
        table, [names.get(p, p) for p in options.plans], options.industries
    )


def overview_panel(
    folder: str, stamp: tuple, sel: Selection, named: pd.DataFrame | None = None
) -> None:
    if named is not None and not named.empty:
        st.caption(unsited.counts_line(named))
    spec = overview_chart(folder, stamp, selection_key(sel.with_(plans=(), industries=())))
    if spec is not None:
        spec = overview.mark_picked(spec, sel.plans, sel.industries)
    if spec is None:
        st.caption("当前筛选下没有带产业标签的地点。No tagged places under the other filters.")
        return
    st.caption("每格：该规划中带此产业标签的地点数。点击一格即按该规划与产业筛选。"
               " Click a cell to filter the map by that plan and industry.")
    st.vega_lite_chart(
        spec,
        width="stretch",
        key="overview",
        on_select=on_chart_pick,
        selection_mode=overview.PICK,
    )


@dataclass(frozen=True)
class DownloadFile:
    """What one download button serves: its label, the file's name and type, and its bytes
    (built when the button is clicked, not on every run)."""

    key: str
    label: str
    file_name: str
    mime: str
    data: Callable[[], bytes]
    disabled: bool
    help: str | None = None


def download_files(
    shown: gpd.GeoDataFrame,
    named: pd.DataFrame | None,
    stem: str,
    names: Mapping[str, str],
    colours: Callable[[], Symbology | None] | None = None,
) -> list[DownloadFile]:
    """The four downloads of a view: GeoJSON and GeoPackage of the features ``shown`` (the
    GeoPackage in the map's ``colours``), and the CSV in Chinese words (plans by their
    ``names``) and in the layer contract's codes, both listing the places ``named`` without a
    site as well."""
    n = len(shown)
    extra = 0 if named is None else len(named)

    def table() -> gpd.GeoDataFrame:
        return pd.concat([shown, unsited.as_features(named)]) if extra else shown

    return [
        DownloadFile(
            "dl_geojson", "GeoJSON", f"{stem}.geojson", downloads.FORMATS["geojson"][1],
            lambda: downloads.to_geojson_bytes(shown), n == 0,
        ),
        DownloadFile(
            "dl_gpkg", "GeoPackage", f"{stem}.gpkg", downloads.FORMATS["gpkg"][1],
            lambda: downloads.to_gpkg_bytes(shown, symbology=colours() if colours else None),
            n == 0,
        ),
        DownloadFile(
            "dl_csv", "CSV 中文", f"{stem}.csv", downloads.FORMATS["csv"][1],
            lambda: to_csv_zh_bytes(table(), names), n + extra == 0,
            "中文表头，类型、规划等为文字。Chinese headers and labels, for reading.",
        ),
        DownloadFile(
            "dl_csv_codes", "CSV 代码", f"{stem}-codes.csv", downloads.FORMATS["csv"][1],
            lambda: downloads.to_csv_bytes(table()), n + extra == 0,
            "图层规范的字段名与代码（见 docs/layer-contract.md），供 GIS 使用。"
            "The layer contract's column names and codes, for GIS.",
        ),
    ]


def download_panel(
    shown: gpd.GeoDataFrame, state: appstate.AppState, named: pd.DataFrame | None,
    folder: str, stamp: tuple,
) -> None:
    n = len(shown)
    st.caption(f"下载当前筛选的 {n} 个要素（含规划摘录）。The {n} filtered features, with excerpts.")
    extra = 0 if named is None else len(named)
    if extra:
        st.caption(f"CSV 另含 {extra} 处尚无确定位置的地点。"
                   f"The CSV also lists the {extra} places without a site.")
    stem = "gzplan-" + hashlib.sha1(repr(sorted(state.to_query().items())).encode()).hexdigest()[:8]
    files = download_files(  # the GeoPackage takes the map's colours for this view
        shown, named, stem, plan_names(),
        lambda: view_colours(folder, stamp, selection_key(state.selection), state.colour_by),
    )
    for col, file in zip(st.columns(len(files)), files, strict=True):
        col.download_button(
            file.label, data=file.data, file_name=file.file_name, mime=file.mime,
            on_click="ignore", key=file.key, disabled=file.disabled, width="stretch",
            help=file.help,
        )
    st.divider()
    briefing_export(state)


def briefing_export(state: appstate.AppState) -> None:
    st.markdown("**简报图 Briefing map**（A4 横版，300 dpi）")
    from spatial.exports import briefing

    title = st.text_input("图名 Title", key="export_title", placeholder="默认按筛选条件生成",
                          max_chars=briefing.MAX_TITLE_CHARS)
    upload, upload_key = current_upload()
    overlays = []
    if upload is not None and upload.ok:  # the uploaded layer, as on the map
        overlays = [briefing.Overlay(upload.name, upload.gdf)]
        st.caption("简报图包含我的图层 The map includes your uploaded layer.")
    key = repr((sorted(state.to_query().items()), title, upload_key if overlays else None))
    c1, c2 = st.columns(2)
    for col, fmt in ((c1, "png"), (c2, "pdf")):
        if col.button(f"生成 {fmt.upper()} Render", key=f"render_{fmt}", width="stretch"):
            with st.spinner(f"正在生成 {fmt.upper()}…"):
                try:
                    data = briefing.render_map(
                        state.selection, fmt=fmt, title=title or None, overlays=overlays,
                        colour_by=state.colour_by,
                    )
                except Exception as exc:  # the user needs to see why, not a stack trace
                    st.error(f"生成失败 Rendering failed: {markdown_text(exc, limit=300)}")
                else:
                    ss[f"_export_{fmt}"] = (key, data)
        made = ss.get(f"_export_{fmt}")
        if made and made[0] == key:
            col.download_button(
                f"下载 {fmt.upper()} Download", data=made[1], file_name=f"gzplan-map.{fmt}",
                mime="image/png" if fmt == "png" else "application/pdf",
                key=f"dl_{fmt}", on_click="ignore", width="stretch",
            )
