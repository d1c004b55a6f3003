"""The folium map of a selection: tiles, district outlines, features by layer, the uploaded
layer, legend, layer switcher, and the highlight of the selected feature.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from spatial.geo.basemaps import BASEMAPS, DEFAULT_BASEMAP, get_basemap
from spatial.plaintext import esc, text_of
from spatial.symbology import Symbology
from spatial.webmap.items import (
    COORD_DECIMALS,
    NO_TILES,
    POINT_CLOUD_MIN,
    MapLayers,
    _line_parts,
    _marker_item,
    _path_options,
    _point_of,
    _polygon_rings,
    _to_basemap,
    prepare_districts,
    prepare_layers,
    shift_to_basemap,
)
from spatial.webmap.labels import LABEL_CSS, _LabelBatch, _LabelSupport
from spatial.webmap.leaflet import (
    _Batch,
    _FeatureGroup,
    _FitBounds,
    _Frame,
    _Handles,
    _Legend,
    _Map,
    _MapSupport,
    _Overlay,
    _Pane,
    _PointSupport,
    _RawText,
    _Switcher,
    _TileLayer,
)
from spatial.webmap.popups import FONT_STACK, POPUP_CSS, tooltip_html
from spatial.webmap.styles import OUTLINE, legend_html, role_style

NO_TILES_LABEL = "无底图 No tiles"

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


def basemap_script(basemap: str, layer_labels: Mapping[str, str], key: str) -> str:
    """The map of a basemap as a script of the map client (:mod:`spatial.webmap.client`).

    folium builds the map: its options (zoom limits, the scale, the mouse wheel only once
    the map has the focus), the basemap's tiles, the panes the features are drawn in, a
    group for the district outlines and one per layer (labelled by ``layer_labels``, in that
    order), and the layer switcher. The script defines ``GzMap.basemaps[key](div)``, which
    builds that map in ``div`` and returns what the client fills:
    ``{map, control, districts, groups: {layer: group}, labels: {layer: label}}``.

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
                   control_scale=True, min_zoom=7, max_zoom=19, scroll_wheel_zoom=False))
    for name, z in (("gzDistricts", 350), ("gzPolygons", 410), ("gzLines", 420)):
        named(_Pane(name, z_index=z)).add_to(m)
    named(_Pane("gzPoints", z_index=430, pointer_events=False)).add_to(m)
    named(_MapSupport()).add_to(m)
    if basemap != NO_TILES:
        named(_TileLayer(**get_basemap(basemap).folium_kwargs(), control=False)).add_to(m)
    districts = named(_FeatureGroup(name="行政区 Districts", control=False))
    districts.add_to(m)
    groups = {}
    for layer, label in layer_labels.items():
        groups[layer] = named(_FeatureGroup(name=esc(label), control=False))
        groups[layer].add_to(m)
    named(_Switcher([districts])).add_to(m)
    named(_Handles(districts, groups, {k: esc(v) for k, v in layer_labels.items()})).add_to(m)
    figure = m.get_root()
    figure.render()
    return (
        "(window.GzMap = window.GzMap || {}).basemaps = GzMap.basemaps || {};\n"
        f"GzMap.basemaps[{json.dumps(key)}] = function (div) {{\n"
        f"div.id = {json.dumps(m.get_name())};\n"
        f"{figure.script.render()}\n}};\n"
    )


def build_map(
    features: gpd.GeoDataFrame | MapLayers | None,
    *,
    districts: gpd.GeoDataFrame | Sequence[dict[str, Any]] | None = None,
    basemap: str = DEFAULT_BASEMAP,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    popups: Mapping[str, str] | None = None,
    tooltips: Mapping[str, str] | None = None,
    layer_names: Mapping[str, str] | None = None,
    user_layer: gpd.GeoDataFrame | None = None,
    user_layer_name: str = "我的图层 My layer",
    asset_base: str | None = None,
    legend_roles: Iterable[str] | None = None,
    cloud_min: int = POINT_CLOUD_MIN,
    fill_frame: bool = False,
    symbology: Symbology | None = None,
) -> folium.Map:
    """Build the interactive map of a selection, in one piece.

    The same as :func:`base_map` with :func:`features_group` on it, framed on ``bounds``
    (default the features). The app draws the two apart, so that new filters replace the
    features in the map already on the page instead of reloading it.

    Parameters
    ----------
    features : GeoDataFrame or MapLayers
        The selected features (EPSG:4326, WGS84), e.g. from :func:`spatial.query.features.select`,
        or the same already prepared by :func:`prepare_layers` (the app caches those).
    districts : GeoDataFrame or prepared items, optional
        District outlines (:func:`spatial.geo.base.load_districts`, or :func:`prepare_districts`),
        drawn under everything and labelled; they keep the map legible without tiles.
    basemap : str
        A key of :data:`spatial.geo.basemaps.BASEMAPS`, or :data:`NO_TILES`. Geometry is shifted to
        the basemap's datum (GCJ-02 for Amap).
    bounds : ((south, west), (north, east)), optional
        What to frame; default the features (or the city when there are none).
    popups, tooltips : mapping, optional
        Feature id -> prepared HTML (:func:`popup_html`, :func:`tooltip_html`); built here
        when missing.
    layer_names : mapping, optional
        Layer name -> label for the layer switcher (default the layer name); its order is the
        order of the layers.
    user_layer : GeoDataFrame, optional
        An uploaded overlay (EPSG:4326); drawn in neutral grey, names escaped.
    asset_base : str, optional
        URL folder holding ``leaflet.js`` and ``leaflet.css``; default Leaflet from its CDN.
        The app serves its own copy so the map works without internet access.
    legend_roles : iterable of str, optional
        Roles in the legend; default the roles of ``features``.
    cloud_min : int
        More points than this of one role in one layer are drawn as a point cloud
        (:func:`prepare_layers`; ignored for features already prepared).
    fill_frame : bool
        Fill the height of the page the map is in (:func:`base_map`).
    symbology : Symbology, optional
        Colours and legend (:func:`spatial.symbology.view_symbology`; ignored for features
        already prepared); default the ``industry`` rule over ``features``.

    Returns
    -------
    folium.Map
    """
    layer_names = layer_names or {}
    if isinstance(features, MapLayers):
        prepared = features
    else:
        prepared = prepare_layers(features, basemap=basemap, popups=popups, tooltips=tooltips,
                                  layer_order=list(layer_names), cloud_min=cloud_min,
                                  symbology=symbology)
    m = base_map(districts=districts, basemap=basemap, bounds=bounds or prepared.bounds,
                 user_layer=user_layer, user_layer_name=user_layer_name, asset_base=asset_base,
                 fill_frame=fill_frame)
    features_group(prepared, layer_names=layer_names, legend_roles=legend_roles).add_to(m)
    return m


def base_map(
    *,
    districts: gpd.GeoDataFrame | Sequence[dict[str, Any]] | None = None,
    basemap: str = DEFAULT_BASEMAP,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    user_layer: gpd.GeoDataFrame | None = None,
    user_layer_name: str = "我的图层 My layer",
    asset_base: str | None = None,
    fill_frame: bool = False,
) -> folium.Map:
    """The map without the selected features: tiles, district outlines and names, the user's
    layer, an empty legend and the layer switcher, framed on ``bounds`` (default the city).

    It depends on the basemap and the upload only, so it stays the same while filters change;
    :func:`features_group` draws the features on it. The mouse wheel zooms the map only once
    the map has been clicked (or with Ctrl held), so a wheel over the map scrolls the page.
    With ``fill_frame`` the map fills the height of the page it is in (streamlit-folium's
    frame, whose height the app sets). Other arguments as for :func:`build_map`.
    """
    if basemap != NO_TILES:
        get_basemap(basemap)  # KeyError naming the known keys
    m = _Map(
        location=list(GUANGZHOU_CENTER),
        zoom_start=10,
        tiles=None,
        control_scale=True,
        min_zoom=7,
        max_zoom=19,
        scroll_wheel_zoom=False,
    )
    use_leaflet_only(m, asset_base)
    m.get_root().header.add_child(
        _RawText(
            "<style>.gz-marker{background:none;border:none}"
            ".gz-district-label{background:none;border:none}"
            f".leaflet-container{{font-family:{FONT_STACK}}}"
            ".leaflet-popup-content{max-height:min(60vh,420px);overflow-y:auto}"
            f"{POPUP_CSS}{LABEL_CSS}"
            + ("html,body{margin:0;overflow:hidden}#map_div{height:100vh!important}"
               if fill_frame else "")
            + "</style>"
        ),
        name="gz_style",
    )
    for name, z in (("gzDistricts", 350), ("gzPolygons", 410), ("gzLines", 420)):
        _Pane(name, z_index=z).add_to(m)
    # the shared canvas of point clouds takes the mouse for every interactive vector
    _Pane("gzPoints", z_index=430, pointer_events=True).add_to(m)
    _PointSupport().add_to(m)
    _LabelSupport().add_to(m)
    _MapSupport().add_to(m)

    if basemap != NO_TILES:
        _TileLayer(**get_basemap(basemap).folium_kwargs(), control=False).add_to(m)

    if isinstance(districts, gpd.GeoDataFrame):
        districts = prepare_districts(districts, basemap)
    overlays = []
    if districts:
        group = _FeatureGroup(name="行政区 Districts", control=False)
        _Batch(districts).add_to(group)
        group.add_to(m)
        overlays.append(group)

    if user_layer is not None and not user_layer.empty:
        overlays.append(_add_user_layer(m, shift_to_basemap(user_layer, basemap), user_layer_name))

    _Switcher(overlays).add_to(m)
    frame = bounds or GUANGZHOU_BOUNDS
    _FitBounds([list(frame[0]), list(frame[1])], padding=(20, 20)).add_to(m)
    return m


def features_group(
    prepared: MapLayers,
    *,
    layer_names: Mapping[str, str] | None = None,
    legend_roles: Iterable[str] | None = None,
    frame: tuple[tuple[float, float], tuple[float, float]] | None = None,
    frame_key: str | None = None,
) -> folium.FeatureGroup:
    """The selected features as one group for a :func:`base_map`: a group per layer (listed
    in the layer switcher, labelled by ``layer_names``), the names on the map and the legend
    of the roles drawn.

    ``frame`` is fitted into view the first time the group is drawn on a map and whenever
    ``frame_key`` differs from the last group's, so new filters keep the user's view while a
    new segment or search moves it.
    """
    layer_names = layer_names or {}
    outer = _FeatureGroup(name="要素 Features", control=False)
    canvas = prepared.has_point_clouds
    for layer, items in prepared.groups:
        group = _FeatureGroup(name=esc(layer_names.get(layer, layer)), control=False)
        _Batch(items, canvas=canvas).add_to(group)
        _Overlay(esc(layer_names.get(layer, layer))).add_to(group)
        group.add_to(outer)
    if prepared.labels:
        _LabelBatch(prepared.labels).add_to(outer)
    if legend_roles is None and prepared.legend is not None:  # the print legend's entries
        shown = prepared.legend.symbols or prepared.legend.colours
        _Legend(legend_html(prepared.legend) if shown else "").add_to(outer)
    else:
        roles = list(legend_roles) if legend_roles is not None else list(prepared.roles)
        _Legend(legend_html(roles) if roles else "").add_to(outer)
    if frame is not None:
        _Frame(frame, frame_key or "").add_to(outer)
    return outer


def _add_user_layer(
    m: folium.Map, gdf: gpd.GeoDataFrame, name: str, canvas: bool = False
) -> folium.FeatureGroup:
    items: list[dict[str, Any]] = []
    label_col = next((c for c in ("name", "名称", "NAME", "title") if c in gdf.columns), None)
    poly_opts = _path_options(color="#333333", weight=2, dash_array="4 3", fill=True,
                              fill_color="#888888", fill_opacity=0.2, pane="gzPolygons")
    line_opts = _path_options(color="#333333", weight=3, dash_array="4 3", pane="gzLines")
    point_opts = _path_options(radius=6, color="#222222", weight=2, fill=True,
                               fill_color="#ffffff", fill_opacity=1.0)
    for idx, row in gdf.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        label = text_of(row[label_col]) if label_col else ""
        tip = f"<b>{esc(label or f'#{idx}')}</b> · {esc(name)}"
        gtype = geom.geom_type
        if gtype in ("Polygon", "MultiPolygon"):
            items += [{"k": "polygon", "ll": r, "o": poly_opts, "t": tip}
                      for r in _polygon_rings(geom)]
        elif gtype in ("LineString", "MultiLineString"):
            items.append({"k": "line", "ll": _line_parts(geom), "o": line_opts, "t": tip})
        else:
            parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
            items += [{"k": "circle", "ll": [round(pt.y, COORD_DECIMALS),
                                             round(pt.x, COORD_DECIMALS)],
                       "o": point_opts, "t": tip} for pt in parts if pt.geom_type == "Point"]
    group = _FeatureGroup(name=esc(name), control=False)
    _Batch(items, canvas=canvas).add_to(group)
    group.add_to(m)
    return group


def highlight_group(
    row: Mapping[str, Any] | None,
    geometry: BaseGeometry | None,
    basemap: str = DEFAULT_BASEMAP,
    tooltip: str | None = None,
    fill: str | None = None,
    number: int | None = None,
) -> folium.FeatureGroup:
    """A feature group marking the selected feature: a ring around it, its outline in bold,
    its marker (filled with ``fill``, its colour on the map; a numbered axis node's number)
    enlarged.

    ``streamlit-folium`` adds it to the map without reloading the map, so stepping along the
    axis only moves the highlight.
    """
    group = _FeatureGroup(name="选中 Selected", control=False)
    if row is None or geometry is None or geometry.is_empty:
        return group
    geom = _to_basemap(geometry, basemap)
    role = row.get("role")
    style = role_style(role)
    items: list[dict[str, Any]] = []
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        opts = _path_options(color=OUTLINE, weight=4, fill=False, interactive=False)
        items += [{"k": "polygon", "ll": r, "o": opts} for r in _polygon_rings(geom)]
    elif geom.geom_type in ("LineString", "MultiLineString"):
        opts = _path_options(color=OUTLINE, weight=style.weight + 5, opacity=0.35,
                             interactive=False)
        items.append({"k": "line", "ll": _line_parts(geom), "o": opts})
    lat_lon = _point_of(geom)
    items.append(
        {
            "k": "circle",
            "ll": list(lat_lon),
            "o": _path_options(radius=style.size // 2 + 9, color=OUTLINE, weight=3, fill=False,
                               interactive=False),
        }
    )
    items.append(
        _marker_item(lat_lon, role, selected=True, tooltip=tooltip or tooltip_html(row),
                     label=f"{text_of(row.get('name'))}（已选中 selected）", fill=fill,
                     number=number)
    )
    _Batch(items).add_to(group)
    return group


def badge_group(name: str, badges: Iterable[Mapping[str, Any]]) -> folium.FeatureGroup:
    """Small HTML labels at points, as one group drawn by one script (no popups).

    Each badge is ``{"lat", "lon", "html", "tooltip"}`` in the basemap's datum; ``html`` is
    already escaped, ``tooltip`` is plain text (escaped here). ``size`` and ``anchor``
    (pixels, optional) place the label against its point.
    """
    items = [
        {
            "k": "marker",
            "ll": [round(b["lat"], COORD_DECIMALS), round(b["lon"], COORD_DECIMALS)],
            "i": {"html": b["html"], "iconSize": list(b.get("size", (150, 20))),
                  "iconAnchor": list(b.get("anchor", (60, -8))), "className": "gz-badge"},
            "o": {},
            "t": esc(b["tooltip"]),
        }
        for b in badges
    ]
    group = _FeatureGroup(name=esc(name), control=False)
    _Batch(items).add_to(group)
    return group
