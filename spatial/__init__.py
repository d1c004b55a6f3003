"""gzplan-map: Guangzhou's 14th Five-Year science-and-technology plans as map layers.

The package is layered; each layer imports only the layers below it
(``tests/test_layering.py`` holds the order):

7. ``cli`` — the ``gzmap`` command.
6. ``exports`` — briefing maps, the 规划衔接 page, GeoJSON/GeoPackage/CSV downloads.
5. ``webmap`` — the interactive Leaflet map (folium); ``plot`` — print maps (matplotlib).
4. ``symbology`` — one symbology for screen and paper: shapes, colours, legend of a view.
3. ``query`` — selection, search, 这里规划了什么, 规划衔接, unsited places, a place's panel;
   ``uploads`` — users' own layers, read in a worker with limits.
2. ``plans`` — the plans as data: texts, taxonomy, contract, sources, built layers, register.
1. ``geo`` — district boundaries, basemaps and their datum, GCJ-02, OpenStreetMap context.
0. ``plaintext`` (untrusted text as text) and the private helpers ``_errors``, ``_io``,
   ``_paths``, ``_problems``.

``testing`` holds helpers for the tests and benchmarks (the app on a loopback port, headless
Chromium). The Streamlit app (``app/``, ``streamlit_app.py``) sits on top and is the only
place that imports Streamlit.
"""

__version__ = "0.1.0"
