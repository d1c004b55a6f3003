"""The interactive map: the project's map client in the browser, and what the server gives it.

The map is drawn in the browser by the project's map client (``static/gzmap/``, Leaflet plugins
and a small ``GzMap`` API). It takes its data once, as static files, and then only messages
saying what to show; the app's component (``app/map.py``) and a static page drive it alike.

Modules, one concern each: :mod:`~spatial.webmap.publish` (the client's static files: the
features of a layer version and the district outlines as compact GeoJSON, the client's
scripts, each under a content-hashed name with a gzip copy), :mod:`~spatial.webmap.client`
(the messages: which features, roles, colours, legend, highlight and frame; the symbology the
client draws with), :mod:`~spatial.webmap.map` (folium builds the map itself: tiles, panes,
controls, the groups the client fills), :mod:`~spatial.webmap.styles` (pixel sizes, SVG markers,
the HTML legend; colours, shapes and legend entries come from :mod:`spatial.symbology`, shared
with the print maps), :mod:`~spatial.webmap.popups` (escaping, tooltips, popups),
:mod:`~spatial.webmap.items` (features as drawing items, point clouds, framing),
:mod:`~spatial.webmap.leaflet` (folium elements rendered in one pass, the batch script),
:mod:`~spatial.webmap.labels` (names on the map, placed by role priority),
:mod:`~spatial.webmap.pages` (the 规划衔接 and 这里规划了什么 maps) and ``_geom`` (shapely
geometry as Leaflet coordinate lists).

Layer 5: imports ``spatial.symbology``, ``spatial.query``, ``spatial.plans``, ``spatial.geo``
and the small helpers; ``spatial.exports`` and the app import it.

The map is built from a filtered layer frame (:func:`spatial.query.features.select`) over a basemap
(:mod:`spatial.geo.basemaps`, or no tiles at all) and the district outlines. The shape of a marker
and the colour and dash of a line or outline say the role (each role's colour of a distinct
lightness, so the map still reads printed in grey); marker and area fills follow the view's
colour rule (industry or plan, :mod:`spatial.symbology`), as on the print export of the same
view, and the legend lists the same entries as the print legend.

Every string that comes from a plan or an uploaded file is HTML-escaped before it reaches the
map, and popups and tooltips reach Leaflet as JSON string literals, never as raw script text.

A clicked feature is recognised by the id hidden in its tooltip (:func:`tooltip_feature_id`):
``streamlit-folium`` reports the clicked object's tooltip text and nothing else about it.

Size and speed. Polygons and lines are simplified for the screen (:func:`simplify_for_web`,
~20 m in EPSG:32649; district outlines as one coverage, so neighbours keep their shared
border) and every coordinate is rounded to 5 decimals (~1 m). Up to :data:`POINT_CLOUD_MIN`
points of one role in one layer are drawn as SVG markers with their own tooltip and popup;
beyond that the role's points become one *point cloud*: one compact item (rounded
coordinates, escaped ids and names, nothing else) drawn as role-shaped markers on a single
shared ``<canvas>`` (Leaflet's canvas renderer), with one tooltip function for the whole
cloud and no popups — a click opens the app's detail panel through the id in the tooltip
text, as for any other feature. Canvas was chosen over marker clustering: every place stays
visible where it is (a planner reads the spread of 10,000 parks, not bubbles of counts),
the payload is the same whatever the zoom, and no plugin script has to be vendored for
offline use. When a map has a point cloud, its other vector features share that canvas too,
so nothing under the canvas is cut off from the mouse.
"""

from __future__ import annotations

from spatial.webmap.items import (
    COORD_DECIMALS,
    POINT_CLOUD_MIN,
    WEB_TOLERANCE_M,
    MapLayers,
    feature_items,
    focus_point,
    frame_bounds,
    prepare_districts,
    prepare_layers,
    simplify_for_web,
)
from spatial.webmap.labels import label_items
from spatial.webmap.map import (
    GUANGZHOU_BOUNDS,
    GUANGZHOU_CENTER,
    NO_TILES_LABEL,
    badge_group,
    base_map,
    basemap_choices,
    build_map,
    features_group,
    highlight_group,
    use_leaflet_only,
)
from spatial.webmap.popups import (
    FONT_STACK,
    FeatureHtml,
    popup_html,
    role_zh,
    tooltip_feature_id,
    tooltip_html,
)
from spatial.webmap.styles import (
    LINE_ROLES,
    OUTLINE,
    ROLE_STYLES,
    RoleStyle,
    _canvas_shape,
    grey_level,
    legend_html,
    marker_svg,
    number_svg,
    role_style,
)

__all__ = [
    "COORD_DECIMALS",
    "FONT_STACK",
    "FeatureHtml",
    "GUANGZHOU_BOUNDS",
    "GUANGZHOU_CENTER",
    "LINE_ROLES",
    "MapLayers",
    "NO_TILES_LABEL",
    "OUTLINE",
    "POINT_CLOUD_MIN",
    "ROLE_STYLES",
    "RoleStyle",
    "WEB_TOLERANCE_M",
    "_canvas_shape",
    "badge_group",
    "base_map",
    "basemap_choices",
    "build_map",
    "feature_items",
    "features_group",
    "label_items",
    "focus_point",
    "frame_bounds",
    "grey_level",
    "highlight_group",
    "legend_html",
    "marker_svg",
    "number_svg",
    "popup_html",
    "prepare_districts",
    "prepare_layers",
    "role_style",
    "role_zh",
    "simplify_for_web",
    "tooltip_feature_id",
    "tooltip_html",
    "use_leaflet_only",
]
