"""Data the app reads: built layers, district outlines and what is drawn of them, cached once
per layer version (``GZMAP_LAYERS_DIR`` points the app at another folder of built layers)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
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
def feature_tips(folder: str, stamp: tuple) -> Mapping[str, str]:
    """Hover text of the features, each built when first drawn, once per layer version
    (shared, never copied)."""
    gdf = get_layers(folder, stamp)
    return webmap.FeatureHtml(gdf, webmap.tooltip_html) if gdf is not None else {}


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


@st.cache_resource(max_entries=64, show_spinner=False)
def map_layers(
    folder: str, stamp: tuple, key: tuple, basemap: str, colour_by: str = DEFAULT_RULE
) -> webmap.MapLayers:
    """The map's drawing items for a selection on a basemap (shared, never modified).

    Colours and legend are :func:`view_colours` (computed on the features, not the simplified
    ones).
    """
    gdf = get_layers(folder, stamp)
    shown = web_layers(folder, stamp).loc[selected_ids(folder, stamp, key)]
    shown = plan_view(shown, selection_from_key(key).plans)  # each plan's own roles
    return webmap.prepare_layers(
        shown, basemap=basemap, tooltips=feature_tips(folder, stamp),
        layer_order=list(layer_labels(gdf)), simplify_m=None,
        symbology=view_colours(folder, stamp, key, colour_by),
        # No popups: a click opens the place's panel beside the map, and the rerun it asks
        # for replaces the features, which closed a popup half a second after it opened.
        # They were ~310 of the ~690 KB every change of the whole view sent.
        with_popups=False,
    )


@st.cache_resource(max_entries=8, show_spinner=False)
def district_items(basemap: str) -> tuple[dict, ...]:
    """District outlines and labels drawn for a basemap (shared, never modified)."""
    return webmap.prepare_districts(get_districts(), basemap)


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


def read_upload(data: bytes, filename: str) -> Any:
    """Read an uploaded layer once per file, kept in this session only.

    The layer lives in ``st.session_state`` (never a process-wide cache): it goes when the file
    is removed or the session ends, and no other session can see it.
    """
    from spatial.uploads.reader import read_user_layer

    key = (filename, len(data), hashlib.sha256(data).hexdigest())
    held = st.session_state.get("_upload")
    if held is not None and held[0] == key:
        return held[1]
    st.session_state.pop("_upload", None)  # free the previous layer before reading the next
    layer = read_user_layer(data, filename)
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
    return [key for key, _label in webmap.basemap_choices()]


def layer_labels(gdf: gpd.GeoDataFrame | None) -> dict[str, str]:
    """Layer file name -> label for the map's layer switcher, plans in manifest order.

    A plan's own layer is labelled with the plan's name; an extra layer of a plan
    (``gz_sti_facilities``) with the plan's name and the rest of the file name.
    """
    names = plan_names()
    layers = set(gdf["layer"].dropna()) if gdf is not None else set()
    labels: dict[str, str] = {}
    for plan_id, name in names.items():
        labels[plan_id] = name
        for extra in sorted(lay for lay in layers if lay.startswith(plan_id + "_")):
            labels[extra] = f"{name} · {extra[len(plan_id) + 1:]}"
    for other in sorted(layers - set(labels)):
        labels[other] = other
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
