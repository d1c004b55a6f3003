"""The anchor of row 6b: a bare Streamlit page whose button reruns the script and draws more
marks, so a click's round trip through Streamlit (widget, websocket, script run, the front end
committing it) is measured without the app's other elements or its map."""

import streamlit as st

st.set_page_config(page_title="rerun", layout="wide")
st.session_state.setdefault("marks", 3)
if st.button("清除筛选 Clear filters"):
    st.session_state.marks += 5
st.html("".join('<span class="gz-marker">·</span>' for _ in range(st.session_state.marks)))
