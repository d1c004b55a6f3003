"""The Streamlit app's parts, one concern each (``streamlit_app.py`` is the entry point).

* ``data`` — layers, districts and drawing items, cached per layer version.
* ``state`` — widget callbacks and the URL ⇄ widget state.
* ``filters`` — the sidebar: search, filters, basemap, own layer.
* ``panel`` — the axis walk and the open place's panel.
* ``map`` — the map, through streamlit-folium.
* ``results`` — results table, overview chart, downloads.
* ``layout`` — the page.
* ``streamlit_fixes`` — a work-around for a Streamlit race that left an upload unanswered.
"""
