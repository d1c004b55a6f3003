"""The map the client draws on, built by folium: options, tiles of a basemap, the panes the
features go in, a group for the district outlines and one per layer, the layer switcher
(:func:`basemap_script`); and the basemap choices the app offers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import folium

from spatial.geo.basemaps import BASEMAPS, NO_TILES, NO_TILES_LABEL, get_basemap
from spatial.plaintext import esc
from spatial.webmap.leaflet import (
    _FeatureGroup,
    _Handles,
    _Map,
    _MapSupport,
    _Pane,
    _Scale,
    _Switcher,
    _TileLayer,
    _TouchPan,
)

#: Where Guangzhou is, for a map with nothing to frame.
GUANGZHOU_CENTER = (23.13, 113.30)
GUANGZHOU_BOUNDS = ((22.56, 112.95), (23.93, 114.05))


def basemap_choices() -> list[tuple[str, str]]:
    """``(key, label)`` of every basemap the map offers: the tile services, then no tiles."""
    return [(b.key, f"{b.label} {b.label_en}") for b in BASEMAPS.values()] + [
        (NO_TILES, NO_TILES_LABEL)
    ]



def use_leaflet_only(m: folium.Map, asset_base: str | None) -> None:
    """Load only Leaflet itself in the map's page (nothing here needs jQuery, Bootstrap or
    icon fonts): from ``asset_base`` (a URL folder holding ``leaflet.js`` and ``leaflet.css``,
    so the map works offline), else from Leaflet's CDN."""
    base = asset_base.rstrip("/") if asset_base else None
    cdn_js = dict(folium.Map.default_js)["leaflet"]
    cdn_css = dict(folium.Map.default_css)["leaflet_css"]
    m.default_js = [("leaflet", cdn_js if base is None else f"{base}/leaflet.js")]
    m.default_css = [("leaflet_css", cdn_css if base is None else f"{base}/leaflet.css")]


def basemap_script(
    basemap: str, layer_labels: Mapping[str, str], key: str, tools: bool = False
) -> str:
    """The map of a basemap as a script of the map client (:mod:`spatial.webmap.client`).

    folium builds the map: its options (zoom limits, a metric scale, the mouse wheel only
    once the map has the focus, one finger scrolling the page on a touch screen and two
    moving the map), the basemap's tiles, the panes the features are drawn in, a
    group for the district outlines and one per layer (labelled by ``layer_labels``, in that
    order), and the layer switcher. The script defines ``GzMap.basemaps[key](div)``, which
    builds that map in ``div`` and returns what the client fills:
    ``{map, control, districts, groups: {layer: group}, labels: {layer: label}, tools}``.
    With ``tools`` the map has the measuring, cursor-position and study-area tools
    (:mod:`spatial.webmap.tools`; their plugins' files must be on the page) and ``tools`` is
    ``{area: group}``, else null.

    Element names are numbered, not random, so the same map gives the same script (its
    file, :func:`spatial.webmap.publish.write_hashed`, keeps its name across restarts).
    """
    if basemap != NO_TILES:
        get_basemap(basemap)  # KeyError naming the known keys
    names = iter(range(1_000_000))

    def named(element: Any) -> Any:
        element._id = f"gz{next(names)}"
        return element

    m = named(_Map(location=list(GUANGZHOU_CENTER), zoom_start=10, tiles=None,
                   control_scale=False, min_zoom=7, max_zoom=19, scroll_wheel_zoom=False))
    named(_Scale()).add_to(m)
    for name, z in (("gzDistricts", 350), ("gzPolygons", 410), ("gzLines", 420)):
        named(_Pane(name, z_index=z)).add_to(m)
    named(_Pane("gzPoints", z_index=430, pointer_events=False)).add_to(m)
    named(_MapSupport()).add_to(m)
    named(_TouchPan()).add_to(m)
    if basemap != NO_TILES:
        named(_TileLayer(**get_basemap(basemap).folium_kwargs(), control=False)).add_to(m)
        if overlay := get_basemap(basemap).overlay_kwargs():  # 天地图's annotation
            named(_TileLayer(**overlay, control=False)).add_to(m)
    districts = named(_FeatureGroup(name="行政区 Districts", control=False))
    districts.add_to(m)
    groups = {}
    for layer, label in layer_labels.items():
        groups[layer] = named(_FeatureGroup(name=esc(label), control=False))
        groups[layer].add_to(m)
    area = None
    if tools:
        from spatial.webmap.tools import add_tools

        datum = get_basemap(basemap).crs if basemap != NO_TILES else "wgs84"
        area = add_tools(m, named, datum)
    named(_Switcher([districts])).add_to(m)
    named(_Handles(districts, groups, {k: esc(v) for k, v in layer_labels.items()}, area)).add_to(m)
    figure = m.get_root()
    figure.render()
    return (
        "(window.GzMap = window.GzMap || {}).basemaps = GzMap.basemaps || {};\n"
        f"GzMap.basemaps[{json.dumps(key)}] = function (div) {{\n"
        f"div.id = {json.dumps(m.get_name())};\n"
        f"{figure.script.render()}\n}};\n"
    )


