"""打印当前视图 Print this view: the briefing export of the map's extent on screen, at a paper
size and scale the user picks, as PNG or PDF to download.

The map's button reports its extent (:func:`app.maptools.on_map_view`); this dialog renders it
with :func:`spatial.exports.briefing.render_map` (``extent``, ``scale``) and offers the file.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.data import current_upload
from spatial.plaintext import markdown_text

ss = st.session_state
SIZES = {
    "a4-landscape": "A4 横向 landscape",
    "a4-portrait": "A4 纵向 portrait",
    "a3-landscape": "A3 横向 landscape",
    "a3-portrait": "A3 纵向 portrait",
}
#: 0: the view as it is on screen (fitted to the page); else the denominator of 1:n.
SCALES = (0, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000)
DPI = 200


def _scale_label(n: int) -> str:
    return "按当前视图 Fit the view" if not n else f"1:{n:,}"


def maybe_print_dialog(state: Any) -> None:
    """Open the dialog when the map's button was pressed in this run's event."""
    if ss.pop("_print_open", False) and ss.get("_print_view"):
        ss.pop("_print_made", None)
        _dialog(state)


@st.dialog("打印当前视图 Print this view", width="large")
def _dialog(state: Any) -> None:
    from spatial.exports import briefing

    view = ss.get("_print_view") or {}
    west, south, east, north = view["bounds"]
    st.caption(f"地图当前范围 The map's extent (WGS84): {west:.4f}, {south:.4f} – "
               f"{east:.4f}, {north:.4f}")
    c1, c2, c3 = st.columns(3)
    size = c1.selectbox("纸张 Paper", list(SIZES), format_func=SIZES.get, key="print_size")
    scale = c2.selectbox("比例尺 Scale", SCALES, format_func=_scale_label, key="print_scale")
    fmt = c3.radio("格式 Format", ["png", "pdf"], format_func=str.upper, horizontal=True,
                   key="print_fmt")
    title = st.text_input("图名 Title", key="print_title", max_chars=briefing.MAX_TITLE_CHARS,
                          placeholder="默认按筛选条件生成 From the filters")
    upload, upload_key = current_upload()
    overlays = []
    if upload is not None and upload.ok:
        overlays = [briefing.Overlay(upload.name, upload.gdf)]
    key = repr((sorted(state.to_query().items()), view["bounds"], size, scale, fmt, title,
                state.colour_by, upload_key if overlays else None))
    if st.button("生成 Render", key="print_render", type="primary"):
        with st.spinner("正在生成 Rendering…"):
            try:
                data = briefing.render_map(
                    state.selection, fmt=fmt, size=size, dpi=DPI, title=title or None,
                    overlays=overlays, colour_by=state.colour_by, extent=view["bounds"],
                    scale=scale or None,
                )
            except Exception as exc:  # the user needs to see why, not a stack trace
                st.error(f"生成失败 Rendering failed: {markdown_text(exc, limit=300)}")
            else:
                ss._print_made = (key, data)
    made = ss.get("_print_made")
    if made and made[0] == key:
        st.download_button(
            f"下载 {fmt.upper()} Download", data=made[1],
            file_name=f"gzplan-view-{size}.{fmt}",
            mime="image/png" if fmt == "png" else "application/pdf",
            key="print_download", on_click="ignore", type="primary",
        )
