"""The Streamlit app's parts, one concern each (``streamlit_app.py`` is the page's script,
``asgi.py`` the app as served).

* ``appstate`` — the map page's choices as one value, read from and written to the URL
  (plain Python: checked, hostile values dropped; tested without Streamlit).
* ``viewparams`` — which page is open and its choices in the URL (plain Python, likewise).
* ``data`` — layers, districts, the map client's files and what a view tells it, cached per
  layer version.
* ``state`` — widget callbacks and the URL ⇄ widget state.
* ``filters`` — the sidebar: search, filters, basemap, own layer.
* ``panel`` — the axis walk and the open place's panel.
* ``map`` — the map: the project's map client as a Streamlit component, and the other pages'
  maps.
* ``maptools`` — what the map's tools report: a study area drawn, the own layer's feature
  clicked (its properties as text), the extent to print; ``printview`` — 打印当前视图, the
  briefing export of that extent; ``sitepick`` — a click on a map gives the 建议修改 form its
  position.
* ``results`` — results table, overview chart, downloads.
* ``layout`` — the page.
* ``pages`` — the switch between the map, 规划衔接 and 这里规划了什么 pages.
* ``alignment_view`` — the 规划衔接 page; ``here_view`` — the 这里规划了什么 page.
* ``excerpts`` — plan words as evidence, made inert for HTML and Markdown.
* ``streamlit_fixes`` — a work-around for a Streamlit race that left an upload unanswered.
* ``browser_notices`` — what the browser would say in English, bilingual: a lost connection
  (正在重新连接, then the page reopens from its URL), a file over the transport cap.
* ``preboot`` — a new page draws the map before Streamlit's front end starts: the page
  rewritten by the server (an ASGI middleware of ``asgi.py``), the manifest of each basemap's
  map it draws from (kept with each map sent, made at start).
* ``streamlit_sessions`` — upload storage bounded (issued file ids only, one file per
  session) and closed sessions shut down when dropped, as patches of the running server.
"""
