"""Data the app reads: built layers, district outlines and what is drawn of them, cached once
per layer version (``GZMAP_LAYERS_DIR`` points the app at another folder of built layers)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st

from app import appstate
from spatial import webmap
from spatial._paths import LAYERS_DIR
from spatial.plans.manifest import load_manifest
from spatial.query.features import (
    Selection,
    plan_view,
    select,
)
from spatial.symbology import DEFAULT_RULE, Symbology, view_symbology


def layers_dir() -> Path:
    """Where the built layers are read from."""
    return Path(os.environ.get("GZMAP_LAYERS_DIR") or LAYERS_DIR)


def layers_stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, modification times and sizes of the layer files: a rebuild changes it."""
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.geojson"))
    )


@st.cache_resource(max_entries=2, show_spinner="加载图层 Loading layers…")
def get_layers(folder: str, stamp: tuple) -> gpd.GeoDataFrame | None:
    """All features (shared, never modified), or None when no layer is built yet."""
    from spatial.plans.layers import clear_cache, load_layers

    if not stamp:
        return None
    clear_cache()
    return load_layers(Path(folder))


@st.cache_resource(show_spinner=False)
def get_districts() -> gpd.GeoDataFrame | None:
    """District outlines, or None when ``data/geo`` has not been built."""
    from spatial.geo.base import BaseDataMissing, load_districts

    try:
        return load_districts()
    except BaseDataMissing:
        return None


@st.cache_resource(max_entries=2, show_spinner=False)
def web_layers(folder: str, stamp: tuple) -> gpd.GeoDataFrame | None:
    """The features with their geometry simplified for the screen, once per layer version."""
    gdf = get_layers(folder, stamp)
    return webmap.simplify_for_web(gdf) if gdf is not None else None


@st.cache_resource(max_entries=64, show_spinner=False)
def view_colours(
    folder: str, stamp: tuple, key: tuple, colour_by: str = DEFAULT_RULE
) -> Symbology:
    """The colours and legend of a selection's view (shared, never modified): the print
    export's for the same selection and colour rule (:func:`spatial.symbology.view_symbology`),
    worn by the map and by the GeoPackage download's ``map_colour``."""
    return view_symbology(get_layers(folder, stamp), selection_from_key(key), colour_by)


@dataclass(frozen=True)
class MapData:
    """A layer version as the map client's static files, in one datum.

    Attributes
    ----------
    features, districts : str
        URLs of the features and the district outlines (``districts`` empty without them).
    context : str
        URL of the geographic context the offline basemap draws (empty without any).
    position : mapping of str to int
        Feature id -> its position in the features file (selections name features by it).
    """

    features: str
    districts: str
    position: Mapping[str, int]
    context: str = ""


@st.cache_resource(max_entries=4, show_spinner="准备地图数据 Preparing the map's data…")
def map_data(folder: str, stamp: tuple, datum: str) -> MapData:
    """The features of a layer version and the district outlines as static files in a
    datum (:mod:`spatial.webmap.publish`): written on first use, shared by every session."""
    from spatial.webmap import publish

    gdf = web_layers(folder, stamp)
    if gdf is None:
        gdf = gpd.GeoDataFrame({"name": [], "role": [], "layer": []}, geometry=[],
                               crs="EPSG:4326")
    content, ids = publish.features_document(gdf, datum, layer_labels(gdf))
    features = publish.write_hashed(f"features-{datum}", ".geojson", content)
    districts = get_districts()
    name = ""
    if districts is not None:
        simple = webmap.simplify_for_web(districts, coverage=True)
        name = publish.write_hashed(
            f"districts-{datum}", ".geojson", publish.districts_document(districts, simple, datum)
        )
    context = context_file(datum)
    return MapData(
        features=f"{static_url('data')}/{features}",
        districts=f"{static_url('data')}/{name}" if name else "",
        position={fid: i for i, fid in enumerate(ids)},
        context=f"{static_url('data')}/{context}" if context else "",
    )


@st.cache_resource(max_entries=2, show_spinner=False)
def context_file(datum: str) -> str:
    """The name of the offline basemap's file in a datum (the OSM context the exports draw,
    :func:`spatial.webmap.publish.context_document`), written on first use; empty when there
    is no context. Fetched by the client only when it draws the offline basemap."""
    from spatial.geo.osm import load_osm_context
    from spatial.webmap import publish

    content = publish.context_document(load_osm_context(), datum)
    return publish.write_hashed(f"context-{datum}", ".geojson", content) if content else ""


@st.cache_resource(show_spinner=False)
def client_files() -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """URLs of the map client's scripts (Leaflet, the plugins of its tools, then the client
    with its symbology), its style sheets and the Streamlit component's loader (which names the other two), written
    once per process (:func:`spatial.webmap.publish.client_bundle`)."""
    from spatial.webmap import publish
    from spatial.webmap.client import client_style
    from spatial.webmap.tools import PLUGIN_SCRIPTS, PLUGIN_STYLES

    data = static_url("data")
    bundle = publish.write_hashed(
        "gzmap", ".js", publish.client_bundle(client_style(), publish.APP_SCRIPTS)
    )
    css = publish.write_hashed("gzmap", ".css", publish.client_css())
    plugins = static_url("")  # the tools' plugins, vendored in static/ (never a CDN)
    scripts = (f"{static_url('leaflet')}/leaflet.js", *(plugins + p for p in PLUGIN_SCRIPTS),
               f"{data}/{bundle}")
    styles = (f"{static_url('leaflet')}/leaflet.css", *(plugins + p for p in PLUGIN_STYLES),
              f"{data}/{css}")
    loader = publish.write_hashed("gzmap-loader", ".js", publish.client_loader(scripts, styles))
    return scripts, styles, f"{data}/{loader}"


@st.cache_resource(max_entries=8, show_spinner=False)
def basemap_file(basemap: str, labels: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """``(key, URL)`` of the folium-built map for a basemap and the layers' labels
    (:func:`spatial.webmap.map.basemap_script`), written on first use."""
    from spatial.webmap import publish
    from spatial.webmap.map import basemap_script

    key = basemap + "-" + hashlib.sha256(repr(labels).encode()).hexdigest()[:12]
    script = basemap_script(basemap, dict(labels), key, tools=True).encode("utf-8")
    name = publish.write_hashed(f"basemap-{basemap}", ".js", script)
    return key, f"{static_url('data')}/{name}"


@st.cache_resource(max_entries=2, show_spinner=False)
def predict_files(folder: str, stamp: tuple, register_stamp: tuple) -> dict[str, str]:
    """URLs of what the map client needs to redraw at a filter's click before the server
    answers (``static/gzmap/predict.js``): ``index``, the layers' view index
    (:func:`spatial.webmap.siteindex.view_index`), and ``script``, the view's code
    (``static/gzmap/siteview.js``, the published site's). Written on first use; the client
    fetches them once the map is drawn."""
    from spatial.webmap import publish, siteindex

    gdf = get_layers(folder, stamp)
    index = siteindex.view_index(
        gdf, map_data(folder, stamp, "wgs84").position, get_unsited(folder, register_stamp)
    )
    data = static_url("data")
    name = publish.write_hashed("view-index", ".json", siteindex.json_bytes(index))
    code = (publish.CLIENT_DIR / "siteview.js").read_bytes()
    script = publish.write_hashed("siteview", ".js", code)
    return {"index": f"{data}/{name}", "script": f"{data}/{script}"}


@st.cache_resource(max_entries=64, show_spinner=False)
def view_message(folder: str, stamp: tuple, key: tuple, colour_by: str = DEFAULT_RULE) -> dict:
    """What a selection tells the map client (shared, never modified): which features
    (by position), each plan's own roles, the colour rule, the numbered axis nodes, the
    legend and the frame of the features (:mod:`spatial.webmap.client`).

    Colours and legend are :func:`view_colours` (the print export's for the same view).
    """
    from spatial.webmap import client

    gdf = get_layers(folder, stamp)
    shown = plan_view(gdf.loc[selected_ids(folder, stamp, key)], selection_from_key(key).plans)
    return client.view_selection(
        shown,  # each plan's own roles
        gdf["role"],
        map_data(folder, stamp, "wgs84").position,  # the same order in every datum
        view_colours(folder, stamp, key, colour_by),
    )


@st.cache_data(max_entries=256, show_spinner=False)
def selected_ids(folder: str, stamp: tuple, key: tuple) -> list[str]:
    """Ids of the features a selection keeps (cached per selection)."""
    gdf = get_layers(folder, stamp)
    if gdf is None:
        return []
    return list(select(gdf, selection_from_key(key)).index)


def unsited_stamp(folder: Path) -> tuple[int, int]:
    """Modification time and size of the register file (0, 0 when there is none)."""
    path = folder / "register.json"
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else (0, 0)


@st.cache_resource(max_entries=2, show_spinner=False)
def get_unsited(folder: str, stamp: tuple) -> Any:
    """The register of places named without a site (shared, never modified)."""
    from spatial.query.unsited import load_unsited

    return load_unsited(Path(folder) / "register.json")


def read_upload(data: bytes, filename: str, on_queued: Any = None) -> Any:
    """Read an uploaded layer once per file (by its hash), kept in this session only.

    The layer lives in ``st.session_state`` (never a process-wide cache): it goes when the file
    is removed or the session ends, and no other session can see it. ``on_queued`` is called
    when the file must wait for a free worker (:func:`spatial.uploads.reader.read_user_layer`).
    """
    from spatial.uploads.reader import read_user_layer

    key = (filename, len(data), hashlib.sha256(data).hexdigest())
    held = st.session_state.get("_upload")
    if held is not None and held[0] == key:
        return held[1]
    st.session_state.pop("_upload", None)  # free the previous layer before reading the next
    layer = read_user_layer(data, filename, on_queued=on_queued)
    st.session_state["_upload"] = (key, layer)
    return layer


def current_upload() -> tuple[Any, Any]:
    """This session's uploaded layer and the key of its file, or (None, None)."""
    held = st.session_state.get("_upload")
    return (held[1], held[0]) if held is not None else (None, None)


def forget_upload() -> None:
    """Drop this session's uploaded layer (the file was removed)."""
    st.session_state.pop("_upload", None)


@st.cache_data(max_entries=2, show_spinner=False)
def layer_options(folder: str, stamp: tuple) -> appstate.Options:
    """What the layers offer to choose from (plans, tags, roles, clusters, segments, ids)."""
    return appstate.options_from_layers(get_layers(folder, stamp), plan_names(), basemap_keys())


def basemap_keys() -> list[str]:
    """Every basemap key the app offers, the default first, no tiles last."""
    from spatial.geo.basemaps import basemap_choices

    return [key for key, _label in basemap_choices()]


#: Extra layers of a plan (file ``<plan>_<suffix>``) and layers of no single plan, as the
#: layer switcher names them (Chinese first).
EXTRA_LAYER_LABELS = {"facilities": "设施 Facilities", "places": "其他地点 Other places"}
SHARED_LAYER_LABELS = {"outside": "区外（背景）Outside Guangzhou"}


def layer_labels(gdf: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Layer file name -> label for the map's layer switcher, plans in manifest order.

    A plan's own layer is labelled with the plan's name; an extra layer of a plan
    (``gz_sti_facilities``) with the plan's name and what it holds (``· 设施 Facilities``, or
    the rest of the file name for one not known here).
    """
    names = plan_names()
    layers = set(gdf["layer"].dropna()) if gdf is not None else set()
    labels: dict[str, str] = {}
    for plan_id, name in names.items():
        labels[plan_id] = name
        for extra in sorted(lay for lay in layers if lay.startswith(plan_id + "_")):
            rest = extra[len(plan_id) + 1:]
            labels[extra] = f"{name} · {EXTRA_LAYER_LABELS.get(rest, rest)}"
    for other in sorted(layers - set(labels)):
        labels[other] = SHARED_LAYER_LABELS.get(other, other)
    return labels


def plan_names() -> dict[str, str]:
    """Plan id -> short Chinese name, in manifest order."""
    return {p.id: p.short_name for p in load_manifest()}


def selection_key(sel: Selection) -> tuple:
    """A hashable key of a selection, for the caches."""
    return (
        sel.plans, sel.industries, sel.roles, sel.clusters, sel.segment or "", sel.query, sel.linked
    )


def selection_from_key(key: tuple) -> Selection:
    """The selection a :func:`selection_key` stands for."""
    plans, industries, roles, clusters, segment, query, linked = key
    return Selection(plans, industries, roles, clusters, segment or None, query, linked)


def static_url(folder: str) -> str:
    """URL of a folder of ``./static`` served by Streamlit (``server.enableStaticServing``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static/{folder}" if base else f"/app/static/{folder}"
