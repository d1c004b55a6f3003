"""The map on the page: the project's map client (``static/gzmap/``) as a Streamlit component.

The client takes the features of a layer version and the district outlines once, as static
files the browser caches (:mod:`spatial.webmap.publish`); each run of the script sends it only
a *message*: which features to show, in which roles and colours, the legend, what to highlight
and frame (:mod:`spatial.webmap.client`). It restyles what it holds, so a filter change costs a
few kilobytes instead of the whole map. A click on a feature comes back as the component's
``click`` event (a trigger: it reruns the script once and is gone), and nothing is reported
when the map is first drawn, so a new page runs its script once.

The component is a ``st.components.v2`` component (no iframe): measured against a v1
component (an iframe whose page loads Leaflet and the client) and streamlit-folium, it drew
its first markers ~0.2 s sooner on a new page, as the map's page need not be fetched and
parsed apart from the app's, and its messages carry the selection alone. Its only inline code
is a loader (:data:`LOADER`) that brings the client's scripts from the static files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st

from app import appstate, preboot
from app.data import (
    basemap_file,
    client_files,
    context_file,
    get_districts,
    get_layers,
    layer_labels,
    layer_options,
    map_data,
    predict_files,
    selected_ids,
    selection_key,
    static_url,
    unsited_stamp,
    view_message,
)
from app.filters import CLEAR_KEY, filter_labels
from app.maptools import area_message, on_map_area, on_map_own, on_map_view, pick_message
from app.state import on_map_click, on_map_need
from spatial import webmap
from spatial.geo.basemaps import NO_TILES
from spatial.query import unsited
from spatial.query.features import Selection
from spatial.symbology import DEFAULT_RULE
from spatial.webmap import client, publish

ss = st.session_state
MAP_HEIGHT = 640
#: The map fills the window's height beside the panel (``--gz-h``, app.layout's page style).
MAP_HEIGHT_CSS = f"var(--gz-h, {MAP_HEIGHT}px)"
FOLLOW_ZOOM = 12
#: Above this many features the client is not given the view index to redraw at a click
#: before the server answers (~190 bytes a feature, fetched once): the map waits for the
#: server, as it did before.
FORESEE_MAX_FEATURES = 20_000
OWN_LAYER_NAME = "我的图层 My layer"
#: The count beside the page's title (app.layout); the client writes it for a view it draws
#: at a click, before the page's answer.
COUNT_TEXT = "地图显示 {shown} / {total} 个要素 features shown"
#: The URL query keys of the map's view (app.appstate): the client writes the map's view in
#: the hash only while the page's URL holds the query of the view it draws.
URL_KEYS = (*appstate.LIST_KEYS, "segment", "q", "linked", appstate.NODE_KEY,
            appstate.BASEMAP_KEY, appstate.COLOUR_KEY)

#: The component's code: the client's loader, a static module (``static/gzmap/loader.js``).
LOADER = """export default function (c) {
  return import(new URL(%s, document.baseURI).href).then(function (m) { return m.default(c); });
}"""


@st.cache_resource(show_spinner=False)
def _component() -> Callable[..., Any]:
    """The component (registered once per process, with the URL of its loader)."""
    loader = client_files()[2]
    return st.components.v2.component(
        "gzplan.map", html='<div class="gz-host"></div>', js=LOADER % json.dumps(loader),
        isolate_styles=False,
    )


def _mount(key: str, message: dict[str, Any], events: dict[str, Callable[[], None]]) -> None:
    callbacks = {f"on_{event}_change": fn for event, fn in events.items()}
    # As UTF-8 bytes: Streamlit writes other data as ASCII JSON, six bytes a Chinese character.
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _component()(key=key, data=data, **callbacks)


def draw_map(
    gdf: gpd.GeoDataFrame | None,
    state: appstate.AppState,
    user_layer: Any,
    folder: str,
    stamp: tuple,
    named: Any = None,
) -> None:
    """Draw the map of the current view: a message to the map client.

    The features and outlines are static files (fetched once per page); the message says
    which to show and how. A new selection (filters, plans, search, segment) frames its
    features — a segment the whole segment —, unless the user has moved the map since (the
    client then offers to); opening a place centres it. The message names the URL query of
    its view (``url``), so the client keeps the map's view in the URL's hash
    (``#map=zoom/lat/lon``) on the right history entry, and a link, Back or Forward open
    the view their URL holds.
    """
    sel = state.selection
    datum = publish.datum_of(state.basemap)
    data = map_data(folder, stamp if gdf is not None else (), datum)  # () : no layers to draw
    base_key, base_url = basemap_file(state.basemap, tuple(layer_labels(gdf).items()))
    view = view_message(folder, stamp, selection_key(sel), state.colour_by) if gdf is not None else {}
    selection = {k: v for k, v in view.items() if k != "bounds"}
    frame = view.get("bounds")
    if gdf is not None and sel.segment:  # frame the whole segment, whatever else is filtered
        segment_ids = selected_ids(folder, stamp, selection_key(Selection(segment=sel.segment)))
        frame = client.bounds_list(webmap.frame_bounds(gdf.loc[segment_ids]))
    node = state.node if gdf is not None and state.node in gdf.index else None
    # Follow a newly opened feature; otherwise leave the view to the user.
    if node and node != ss.get("_centered"):
        ss._focus_seq = ss.get("_focus_seq", 0) + 1
        ss._focus = {
            "key": str(ss._focus_seq),
            "center": list(webmap.focus_point(gdf.at[node, "geometry"], state.basemap)),
            "zoom": FOLLOW_ZOOM,
        }
    elif not node:
        ss._focus = None
    ss._centered = node
    selection.update(
        key=hashlib.sha1(repr((selection_key(sel), state.colour_by, node)).encode()).hexdigest()[:12],
        highlight=data.position.get(node, -1) if node else -1,
        frame={"key": frame_key(sel), "bounds": frame} if frame else None,
        focus=ss.get("_focus"),
        unsited=sorted(unsited.district_counts(named).items()) if named is not None else [],
    )
    message = {
        "v": client.PROTOCOL,
        "mode": "features",
        "height": MAP_HEIGHT_CSS,
        "scripts": [base_url],  # after the client's own, which its loader knows
        "base": base_key,
        "data": {"features": data.features, "districts": data.districts,
                 "context": data.context},
        "selection": client.compact_legend(selection),
        "own": own_layer_message(user_layer, datum),
        "pick": pick_message(state, gdf),
        "area": area_message(datum),
        "url": {"query": state.to_query(), "keys": list(URL_KEYS)},
    }
    if gdf is not None and len(gdf) <= FORESEE_MAX_FEATURES:
        message["predict"] = predict_message(folder, stamp)
        # what a new page of this basemap draws its map from before Streamlit starts
        preboot.remember(state.basemap, repr(stamp),
                         _manifest(base_key, base_url, message["data"], message["predict"]))
    # What seldom changes (the files, the URL's keys) only when it does: the loader keeps it.
    message, ss._map_sent = client.unsent(message, ss.get("_map_sent") or {})
    _mount("map", message, {"click": on_map_click, "need": on_map_need, "own": on_map_own,
                            "area": on_map_area, "view": on_map_view})


def _manifest(base_key: str, base_url: str, data: dict[str, str],
              predict: dict[str, Any]) -> dict[str, Any]:
    scripts, styles, _loader = client_files()
    return {"v": client.PROTOCOL, "scripts": list(scripts), "styles": list(styles),
            "base": base_key, "url": base_url, "data": data, "predict": predict,
            "height": MAP_HEIGHT_CSS}


def preboot_manifest(folder: str, stamp: tuple, basemap: str) -> dict[str, Any] | None:
    """What a new page of ``basemap`` draws its map from before Streamlit's front end starts
    (:mod:`app.preboot`): the client's files, the basemap's script, the layers' data files and
    what :func:`predict_message` sends; the same :func:`draw_map` sends. None without layers
    or above :data:`FORESEE_MAX_FEATURES`."""
    gdf = get_layers(folder, stamp)
    if gdf is None or len(gdf) > FORESEE_MAX_FEATURES:
        return None
    data = map_data(folder, stamp, publish.datum_of(basemap))
    base_key, base_url = basemap_file(basemap, tuple(layer_labels(gdf).items()))
    files = {"features": data.features, "districts": data.districts, "context": data.context}
    return _manifest(base_key, base_url, files, predict_message(folder, stamp))


@st.cache_resource(max_entries=2, show_spinner=False)
def _predict_message(folder: str, stamp: tuple, register_stamp: tuple) -> dict[str, Any]:
    return {
        **predict_files(folder, stamp, register_stamp),
        "labels": filter_labels(get_layers(folder, stamp), layer_options(folder, stamp)),
        "clear": CLEAR_KEY,
        "colour": DEFAULT_RULE,
        "count": COUNT_TEXT,
    }


def predict_message(folder: str, stamp: tuple) -> dict[str, Any]:
    """What lets the client redraw at a filter's click before this script's answer
    (``static/gzmap/predict.js``): the view index and its code, the filters' labels, the
    key of 清除筛选, the default colour rule and the title's count (:data:`COUNT_TEXT`); the
    same for a layer version (sent once)."""
    return _predict_message(folder, stamp, unsited_stamp(Path(folder)))


def frame_key(sel: Selection) -> str:
    """What the map frames anew when it changes: the segment, then the rest of the selection
    (the filters, the plans, the search)."""
    rest = hashlib.sha1(repr(selection_key(sel)).encode()).hexdigest()[:12]
    return f"{sel.segment or ''}|{rest}"


def own_layer_message(user_layer: Any, datum: str) -> dict[str, Any] | None:
    """The uploaded layer for the client: its features once per upload (and whenever the
    client says it lacks them), its key and name after that."""
    if user_layer is None or user_layer.gdf is None or user_layer.gdf.empty:
        return None
    held = ss.get("_upload")
    key = hashlib.sha1(repr((held[0] if held else id(user_layer), datum)).encode()).hexdigest()[:16]
    message = {"key": key, "name": OWN_LAYER_NAME, "file": user_layer.name}
    if ss.get("_own_sent") != key or ss.pop("_own_needed", False):
        message["features"] = client.own_features(publish.in_datum(user_layer.gdf, datum))
        ss._own_sent = key
    return message


def page_map(
    make: Callable[..., Any],
    gdf: gpd.GeoDataFrame,
    result: Any,
    basemap: str,
    *,
    key: str,
    height: int,
    returned: list[str],
    on_change: Callable[[], None],
) -> None:
    """Draw the map of another page (规划衔接, 这里规划了什么): ``make(gdf, result, ...)`` of
    :mod:`spatial.webmap.pages`, a whole folium map run by the client (:func:`folium_map`),
    with the main map's offline basemap (drawn without tiles, and when none load)."""
    basemap = basemap or NO_TILES
    fmap = make(
        gdf,
        result,
        districts=get_districts(),
        basemap=basemap,
        asset_base=static_url("leaflet"),
    )
    context = context_file(publish.datum_of(basemap))
    folium_map(fmap, key=key, height=height, returned=returned, on_change=on_change,
               context=f"{static_url('data')}/{context}" if context else "")


def folium_map(
    fmap: Any,
    *,
    key: str,
    height: int,
    returned: list[str],
    on_change: Callable[[], None],
    context: str = "",
) -> None:
    """A whole folium map on the page, run by the map client, its plugins included.

    ``returned`` names what a click or a drawing reports, read by ``on_change`` from
    ``st.session_state[key]``: ``last_clicked`` (the point clicked, {lat, lng}),
    ``last_object_clicked_tooltip`` (the text of the clicked feature's tooltip),
    ``last_active_drawing`` (a shape drawn with ``folium.plugins.Draw``, as GeoJSON). The map's
    script is the same for the same map (its element names are numbered,
    :func:`spatial.webmap.client.folium_parts`), so a rerun that changes nothing on it leaves
    the map as the user left it. ``context`` is the URL of the offline basemap's file ("" for
    none).
    """
    parts = client.folium_parts(fmap)
    message = {
        "v": client.PROTOCOL,
        "mode": "folium",
        "height": height,
        "report": list(returned),
        "scripts": parts.pop("scripts"),
        "styles": parts.pop("styles"),
        "folium": parts,
    }
    if context:
        message["context"] = context
    _mount(key, message, dict.fromkeys(returned, on_change))
