"""The map of the current view, drawn through streamlit-folium."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from app import appstate
from app.data import (
    district_items,
    feature_tips,
    get_districts,
    layer_labels,
    map_layers,
    selected_ids,
    selection_key,
    static_url,
)
from app.state import on_map_click
from spatial import webmap
from spatial.geo.basemaps import NO_TILES, shift_to_basemap
from spatial.query import unsited
from spatial.query.features import Selection

ss = st.session_state
MAP_HEIGHT = 640
FOLLOW_ZOOM = 12


def draw_map(
    gdf: gpd.GeoDataFrame | None,
    state: appstate.AppState,
    user_layer: Any,
    folder: str,
    stamp: tuple,
    named: Any = None,
) -> None:
    """Draw the map of the current view.

    The map on the page depends on the basemap and the uploaded layer only; the features,
    their names, the legend and the highlight reach it as streamlit-folium's dynamic feature
    groups, which replace the old ones in the map already drawn (no reload, the view stays).
    A new segment or search frames its features; opening a place centres it.
    ``GZMAP_MAP_RELOAD=1`` draws everything into one map instead, which reloads on every
    change (the benchmarks' baseline).
    """
    tips = feature_tips(folder, stamp) if gdf is not None else {}
    sel = state.selection
    prepared = (
        map_layers(folder, stamp, selection_key(sel), state.basemap, state.colour_by)
        if gdf is not None
        else webmap.MapLayers((), (), None)
    )
    frame = prepared.bounds
    if gdf is not None and sel.segment:  # frame the whole segment, whatever else is filtered
        segment_ids = selected_ids(folder, stamp, selection_key(Selection(segment=sel.segment)))
        frame = webmap.frame_bounds(gdf.loc[segment_ids])
    names = layer_labels(gdf)
    options = dict(
        districts=district_items(state.basemap),
        basemap=state.basemap,
        user_layer=user_layer.gdf if user_layer is not None else None,
        asset_base=static_url("leaflet"),
    )
    node = state.node if gdf is not None and state.node in gdf.index else None
    highlight = webmap.highlight_group(
        gdf.loc[node].to_dict() if node else None,
        gdf.at[node, "geometry"] if node else None,
        state.basemap,
        tips.get(node) if node else None,
        fill=prepared.fills.get(node) if node else None,
        number=prepared.numbers.get(node) if node else None,
    )
    # Follow a newly opened feature; otherwise leave the view to the user.
    center = None
    if node and node != ss.get("_centered"):
        center = webmap.focus_point(gdf.at[node, "geometry"], state.basemap)
        if not ss.get("_map_drawn"):  # a link that opens a place: the first map frames it,
            # not the whole view (the frame is fitted after the centre, so it must be the place)
            frame = webmap.frame_bounds(shift_to_basemap(gdf.loc[[node]], state.basemap))
    ss._centered = node
    ss._map_drawn = True
    if os.environ.get("GZMAP_MAP_RELOAD") == "1":
        fmap = webmap.build_map(prepared, bounds=frame, layer_names=names, fill_frame=True,
                                **options)
        dynamic = [highlight]
    else:
        fmap = webmap.base_map(fill_frame=True, **options)
        features = webmap.features_group(
            prepared, layer_names=names, frame=frame, frame_key=f"{sel.segment or ''}|{sel.query}",
        )
        dynamic = [features, highlight]
    if named is not None and not named.empty:
        dynamic.append(unsited_counts(named, state.basemap))
    with st.container(key="gz_map"):
        st_folium(
            fmap,
            key="map",
            height=MAP_HEIGHT,
            use_container_width=True,
            returned_objects=["last_object_clicked_tooltip", "last_object_clicked_count"],
            feature_group_to_add=dynamic,
            center=center,
            zoom=FOLLOW_ZOOM if center else None,
            on_change=on_map_click,
        )


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
    :mod:`spatial.webmap.pages`.

    The map is built afresh on every run (``st_folium`` renames a map's elements as it
    renders them, so a map object must not be shared between runs); the script it sends is
    the same each time, so the browser keeps the map it has.
    """
    fmap = make(
        gdf,
        result,
        districts=get_districts(),
        basemap=basemap or NO_TILES,
        asset_base=static_url("leaflet"),
    )
    st_folium(
        fmap,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=returned,
        on_change=on_change,
    )


def unsited_counts(named: Any, basemap: str) -> Any:
    """Places named without a site, only as a count per district (never as points), as a
    group drawn with the features."""
    counts = tuple(unsited.district_counts(named).items())
    return webmap.badge_group("规划提及·尚无确定位置（按区计数）", count_badges(counts, basemap))


@st.cache_resource(max_entries=64, show_spinner=False)
def count_badges(counts: tuple[tuple[str, int], ...], basemap: str) -> tuple[dict, ...]:
    """The map's labels of counts per district (shared, never modified)."""
    return tuple(
        {**marker, "tooltip": marker["title"], "size": (90, 16), "anchor": (45, -8)}
        for marker in unsited.markers_of_counts(dict(counts), get_districts(), basemap)
    )
