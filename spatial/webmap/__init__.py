"""The interactive map: the project's map client in the browser, and what the server gives it.

The map is drawn in the browser by the project's map client (``static/gzmap/``: Leaflet plugins
and a small ``GzMap`` API, described in README "The map client"). It takes its data once, as
static files, and then only messages saying what to show; the app's component
(``app/map.py``) and a static page (:mod:`~spatial.webmap.site`) drive it alike.

Modules, one concern each: :mod:`~spatial.webmap.publish` (the client's static files: the
features of a layer version and the district outlines as compact GeoJSON, the client's
scripts, each under a content-hashed name with a gzip copy), :mod:`~spatial.webmap.client`
(the messages: which features, roles, colours, legend, highlight and frame; the symbology the
client draws with), :mod:`~spatial.webmap.map` (folium builds the map itself: tiles, panes,
controls, the groups the client fills), :mod:`~spatial.webmap.tools` (the map's tools folium
puts on it: measuring, the cursor's position in WGS84 and GCJ-02, drawing a study area; their
plugins' files), :mod:`~spatial.webmap.leaflet` (the folium elements it uses, rendered in one
pass), :mod:`~spatial.webmap.styles` (pixel sizes and SVG shapes of the
roles; colours, shapes and legend entries come from :mod:`spatial.symbology`, shared with the
print maps), :mod:`~spatial.webmap.labels` (the rules names are placed by),
:mod:`~spatial.webmap.screen` (geometry simplified for the screen, framing, the point-cloud
threshold), :mod:`~spatial.webmap.popups` (tooltips and popups, escaped, the id a tooltip
carries), :mod:`~spatial.webmap.pages` (the 规划衔接 and 这里规划了什么 maps, whole folium
maps the client runs), :mod:`~spatial.webmap.site` (the client on a static page, no server
behind it), :mod:`~spatial.webmap.siteindex` (what a published site's page computes its views
from: the index its filters read, the places' panels), :mod:`~spatial.webmap.preboot`
(Streamlit's page rewritten to draw the app's map before Streamlit's front end starts, and
the manifests it draws from) and ``_geom`` (where a feature's marker
sits).

Layer 5: imports ``spatial.symbology``, ``spatial.query``, ``spatial.plans``, ``spatial.geo``
and the small helpers; ``spatial.exports`` and the app import it.

The shape of a marker and the colour and dash of a line or outline say the role (each role's
colour of a distinct lightness, so the map still reads printed in grey); marker and area fills
follow the view's colour rule (industry or plan, :mod:`spatial.symbology`), as on the print
export of the same view, and the legend lists the same entries as the print legend.

Every string from a plan or an uploaded file reaches the client as JSON data, never as script
text, and the client escapes it wherever it becomes HTML (names, tooltips, labels, legend).

Size and speed. Polygons and lines are simplified for the screen (:func:`simplify_for_web`,
~20 m in EPSG:32649; district outlines as one coverage, so neighbours keep their shared
border) and every coordinate is rounded to 5 decimals (~1 m). The files are fetched once and
cached by the browser; a change of view sends a few kilobytes. Up to :data:`POINT_CLOUD_MIN`
points of one role in one layer in view are drawn as SVG markers (with their names as
accessible labels); beyond that the client draws them on one canvas of their own
(``L.GzPoints``) as role-shaped markers, with hit testing on a grid, so a hover names a point
and a click opens its panel as for any other feature. Canvas was chosen over marker
clustering: every place stays visible where it is (a planner reads the spread of 10,000
parks, not bubbles of counts), and no plugin has to be vendored for offline use.
"""

from __future__ import annotations

from spatial.webmap.map import (
    GUANGZHOU_BOUNDS,
    GUANGZHOU_CENTER,
    NO_TILES_LABEL,
    basemap_choices,
    basemap_script,
    use_leaflet_only,
)
from spatial.webmap.popups import (
    FONT_STACK,
    popup_html,
    role_zh,
    tooltip_feature_id,
    tooltip_html,
)
from spatial.webmap.screen import (
    POINT_CLOUD_MIN,
    WEB_TOLERANCE_M,
    focus_point,
    frame_bounds,
    simplify_for_web,
)
from spatial.webmap.styles import (
    LINE_ROLES,
    OUTLINE,
    ROLE_STYLES,
    RoleStyle,
    grey_level,
    role_style,
)

__all__ = [
    "FONT_STACK",
    "GUANGZHOU_BOUNDS",
    "GUANGZHOU_CENTER",
    "LINE_ROLES",
    "NO_TILES_LABEL",
    "OUTLINE",
    "POINT_CLOUD_MIN",
    "ROLE_STYLES",
    "RoleStyle",
    "WEB_TOLERANCE_M",
    "basemap_choices",
    "basemap_script",
    "focus_point",
    "frame_bounds",
    "grey_level",
    "popup_html",
    "role_style",
    "role_zh",
    "simplify_for_web",
    "tooltip_feature_id",
    "tooltip_html",
    "use_leaflet_only",
]
