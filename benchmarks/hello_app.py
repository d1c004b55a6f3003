"""Streamlit's hello page, the anchor of the browser rows: a title and a line of text, served
with the project's settings (``python -m benchmarks`` starts it beside the app)."""

import streamlit as st

st.title("Hello")
st.write("你好，广州。Hello, Guangzhou.")
