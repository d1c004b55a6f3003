"""广州“十四五”科技创新规划地图 — browse the 科技创新轴, filter by industry, read the plans.

Run with ``make app`` (``streamlit run streamlit_app.py``). This file is the entry point only:
the page is :mod:`app.layout`, its parts live in the ``app`` package (data, state, filters,
panel, map, results); selection logic lives in ``spatial.query.features``, the map in
``spatial.webmap``, the URL state in ``app.appstate``, the panel text in ``spatial.query.detail``
and the files to download in ``spatial.exports.downloads``.

``GZMAP_LAYERS_DIR`` points the app at another folder of built layers (the tests use it).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="广州“十四五”科技创新规划地图", page_icon="🗺️", layout="wide")

from app.layout import main  # noqa: E402  (the page config comes first)
from app.streamlit_fixes import keep_replies_across_runs  # noqa: E402
from app.streamlit_sessions import bound_uploads, free_closed_sessions  # noqa: E402

keep_replies_across_runs()  # else an upload picked as a run starts may get no answer, ever
bound_uploads()  # issued file ids only, one file per session
free_closed_sessions()  # a session dropped after its TTL is shut down, its files freed
main()
