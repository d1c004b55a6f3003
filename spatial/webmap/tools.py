"""The map's tools, as folium builds them: measuring distances and areas (leaflet-measure,
metric, Chinese), the cursor's coordinates in WGS84 and GCJ-02 (Leaflet.MousePosition), and
drawing a study area (Leaflet.draw); with the plugins' files, vendored into ``static/`` (each
folder with its licence) and loaded by the client's loader, never from a CDN.

The client's side of the tools (``static/gzmap/tools.js``) formats the coordinates (the datum
conversion is gcoord's), reports a drawn study area and the map's extent for printing, and
draws the offline basemap; :func:`add_tools` puts the folium elements on a map.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from folium.plugins import Draw, MeasureControl, MousePosition
from folium.utilities import JsCode

from spatial.webmap.leaflet import _FeatureGroup, _RawMacro

__all__ = ["AREA_STYLE", "PLUGIN_SCRIPTS", "PLUGIN_STYLES", "add_tools"]

#: The plugins' scripts, in ``static/`` (loaded before the client's bundle, in this order).
PLUGIN_SCRIPTS = (
    "leaflet-draw/leaflet.draw.js",
    "leaflet-measure/leaflet-measure.cn.js",
    "leaflet-mouse-position/L.Control.MousePosition.js",
    "gcoord/gcoord.global.prod.js",
)
#: Their style sheets, in ``static/``.
PLUGIN_STYLES = (
    "leaflet-draw/leaflet.draw.css",
    "leaflet-measure/leaflet-measure.css",
    "leaflet-mouse-position/L.Control.MousePosition.css",
)

#: A study area on the map: a dark dashed outline, lightly filled, under the features.
AREA_STYLE = {"color": "#0b5394", "weight": 3, "dashArray": "8 5", "fill": True,
              "fillColor": "#0b5394", "fillOpacity": 0.06}

#: Units of area beyond leaflet-measure's own (its Chinese build names the others).
_UNITS = {"sqkilometers": {"factor": 1e-6, "display": "平方公里", "decimals": 3}}


class _Measure(MeasureControl, _RawMacro):
    """``folium.plugins.MeasureControl`` (with folium's fix for Leaflet ≥ 1.8), rendered in
    one template pass."""


class _MousePosition(MousePosition, _RawMacro):
    """``folium.plugins.MousePosition``, rendered in one template pass."""


class _Draw(Draw, _RawMacro):
    """``folium.plugins.Draw``, rendered in one template pass."""


def add_tools(m: folium.Map, named: Any, datum: str) -> _FeatureGroup:
    """Put the tools on a map built for the client; returns the group a drawn study area
    goes in (the client reports it, :mod:`spatial.webmap.client`).

    Parameters
    ----------
    m : folium.Map
    named : callable
        Gives an element its numbered name (so the same map gives the same script).
    datum : {'wgs84', 'gcj02'}
        The datum of the map's coordinates (the basemap's): the cursor's position is shown in
        both, converted from this one.
    """
    named(_Measure(position="topleft", primary_length_unit="meters",
                   secondary_length_unit="kilometers", primary_area_unit="hectares",
                   secondary_area_unit="sqkilometers", units=_UNITS)).add_to(m)
    formatter = JsCode(
        f"function (lng, lat) {{ return GzMap.tools.coordText(lng, lat, {json.dumps(datum)}); }}"
    )
    named(_MousePosition(position="bottomright", empty_string="移动鼠标查看坐标 Move the pointer",
                         formatter=formatter)).add_to(m)
    area = named(_FeatureGroup(name="研究范围 Study area", control=False))
    area.add_to(m)
    shape = {"shapeOptions": dict(AREA_STYLE), "showArea": False}
    named(_Draw(
        position="topleft",
        feature_group=area,
        show_geometry_on_click=False,
        draw_options={"polygon": {**shape, "allowIntersection": False}, "rectangle": shape,
                      "polyline": False, "circle": False, "circlemarker": False,
                      "marker": False},
        edit_options={"edit": False, "remove": False},
    )).add_to(m)
    return area
