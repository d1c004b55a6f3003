"""Names on the web map, as a printed 布局图 has them: permanent labels placed by role priority.

At city zoom only the structure is named: the axis and its segments, cores, poles, belts,
corridors and the nodes on the axis. From :data:`CLOSE_ZOOM` on, every feature is. In the
browser, labels are laid out again after every zoom or pan: in priority order, a label that
would overlap a label already placed, a district name or a count of places without a site is
hidden (those are never hidden); a label's element is made only when it is first shown, so a
map of thousands of places does not build thousands of hidden ones. Label boxes are estimated
here from the text (a CJK character is one em wide), so the layout needs no measuring in the
page.

Names are HTML-escaped here and reach the page as one JSON literal (:class:`_LabelBatch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from spatial.plaintext import esc, text_of
from spatial.webmap._geom import COORD_DECIMALS, _point_of
from spatial.webmap.leaflet import _items_json, _ScriptElement
from spatial.webmap.popups import FONT_STACK
from spatial.webmap.styles import UNMARKED_ROLES, role_style

#: Label priority of each role (lower is placed first and wins a collision).
ROLE_PRIORITY: dict[str, int] = {
    "axis": 0, "axis_segment": 1, "core": 2, "pole": 3, "belt": 4, "corridor": 5,
    "cluster": 6, "zone": 7, "node": 8, "park": 9, "university": 10, "lab": 11,
    "facility": 12,
}
#: Roles named at city zoom (with the nodes on the axis).
CITY_ROLES = ("axis", "axis_segment", "core", "pole", "belt", "corridor")
#: Zoom from which every feature is named.
CLOSE_ZOOM = 12
#: Lowest zoom at which the structure is named (the whole city is about zoom 9-10).
CITY_ZOOM = 8
#: Most labels one map carries (the highest priorities are kept).
MAX_LABELS = 1500

_FONT_PX = {True: 13, False: 12}  # structure labels are a size larger
_PAD_PX = 2


def _text_width(text: str, font_px: int) -> float:
    """Estimated width in pixels of a label: CJK characters one em, others about 0.6 em."""
    wide = sum(1 for ch in text if ord(ch) >= 0x2E80)
    return (wide + 0.6 * (len(text) - wide)) * font_px


def _anchor(geom: BaseGeometry) -> tuple[float, float]:
    """``(lat, lon)`` a label hangs on: a line's midpoint, else the feature's marker point."""
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = geom if geom.geom_type == "LineString" else max(geom.geoms, key=lambda g: g.length)
        pt = line.interpolate(0.5, normalized=True)
        return round(pt.y, COORD_DECIMALS), round(pt.x, COORD_DECIMALS)
    return _point_of(geom)


def label_items(features: gpd.GeoDataFrame | None) -> list[list[Any]]:
    """One label per feature, in placement order (role priority, then name).

    Each item is ``[lat, lon, html, min_zoom, dx, dy, width, height, structure]``: the anchor
    (in the frame's datum, so shift the frame first), the escaped name, the zoom from which
    it shows, the box's offset from the anchor and its size in pixels, and whether it is a
    structure label (drawn a size larger).
    """
    if features is None or features.empty or "name" not in features.columns:
        return []
    rows = []
    geoms = features.geometry.to_numpy()
    names = [text_of(v) for v in features["name"].tolist()]
    roles = features["role"].tolist() if "role" in features.columns else [None] * len(names)
    orders = (
        features["axis_order"].tolist() if "axis_order" in features.columns else [None] * len(names)
    )
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    for i in np.flatnonzero(~empty).tolist():
        name = names[i].strip()
        if not name:
            continue
        role = roles[i] or ""
        on_axis = orders[i] is not None and orders[i] == orders[i]  # not None, not NaN
        structure = role in CITY_ROLES or (on_axis and role not in ("cluster",))
        rows.append((ROLE_PRIORITY.get(role, 99), 0 if structure else 1, name, i, role, structure))
    rows.sort(key=lambda r: (r[1], r[0], r[2]))
    items: list[list[Any]] = []
    for _prio, _rank, name, i, role, structure in rows[:MAX_LABELS]:
        geom = geoms[i]
        lat, lon = _anchor(geom)
        font = _FONT_PX[structure]
        width = round(_text_width(name, font) + 2 * _PAD_PX)
        height = font + 4
        if geom.geom_type in ("Point", "MultiPoint", "Polygon", "MultiPolygon") and (
            role not in UNMARKED_ROLES
        ):
            dx = role_style(role).size // 2 + 3  # right of the marker
        else:
            dx = -width // 2  # centred on a line or an area-wide shape
        items.append([lat, lon, esc(name), CITY_ZOOM if structure else CLOSE_ZOOM, dx,
                      -height // 2, width, height, 1 if structure else 0])
    return items


class _LabelSupport(_ScriptElement):
    """Defines, once per page, the label layer ``L.gzLabels`` and its collision layout."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            if (L.GzLabels) { return; }
            function overlaps(a, b) {
                return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            }
            L.GzLabels = L.Layer.extend({
                initialize: function (items) { this._items = items; },
                onAdd: function (map) {
                    var pane = map.getPane("gzLabels");
                    if (!pane) {
                        pane = map.createPane("gzLabels");
                        pane.style.zIndex = 640;
                        pane.style.pointerEvents = "none";
                    }
                    this._box = L.DomUtil.create("div", "gz-labels", pane);
                    this._divs = [];  // a label's element is made when it is first shown
                    map.on("zoomend moveend resize viewreset", this._schedule, this);
                    this._schedule();
                },
                onRemove: function (map) {
                    map.off("zoomend moveend resize viewreset", this._schedule, this);
                    L.Util.cancelAnimFrame(this._frame);
                    this._frame = null;
                    L.DomUtil.remove(this._box);
                },
                // One layout per frame, just before it is drawn: the events of one change
                // (a first draw, a fitted frame) come in bursts, and each layout measures the
                // page (district labels' boxes), which makes the browser lay out the map again.
                _schedule: function () {
                    if (this._frame) { return; }
                    this._frame = L.Util.requestAnimFrame(function () {
                        this._frame = null;
                        this._layout();
                    }, this);
                },
                _layout: function () {
                    var map = this._map;
                    if (!map) { return; }
                    var z = map.getZoom(), size = map.getSize(), taken = [];
                    var root = map.getContainer(), at = root.getBoundingClientRect();
                    root.querySelectorAll(".gz-district-label > div, .gz-unsited-count").forEach(function (el) {
                        var r = el.getBoundingClientRect();
                        if (r.width) { taken.push([r.left - at.left - 2, r.top - at.top - 1, r.right - at.left + 2, r.bottom - at.top + 1]); }
                    });
                    var shown = 0;
                    for (var i = 0; i < this._items.length; i++) {
                        var it = this._items[i], d = this._divs[i];
                        var ok = z >= it[3];
                        if (ok) {
                            var c = map.latLngToContainerPoint([it[0], it[1]]);
                            var b = [c.x + it[4], c.y + it[5], c.x + it[4] + it[6], c.y + it[5] + it[7]];
                            ok = b[2] > 0 && b[3] > 0 && b[0] < size.x && b[1] < size.y;
                            for (var k = 0; ok && k < taken.length; k++) {
                                if (overlaps(b, taken[k])) { ok = false; }
                            }
                            if (ok) {
                                taken.push(b);
                                if (!d) {
                                    d = this._divs[i] = L.DomUtil.create("div", it[8] ? "gz-label gz-label-major" : "gz-label", this._box);
                                    d.innerHTML = it[2];
                                }
                                var p = map.latLngToLayerPoint([it[0], it[1]]);
                                L.DomUtil.setPosition(d, p.add([it[4], it[5]]));
                                shown++;
                            }
                        }
                        if (d) { d.style.display = ok ? "block" : "none"; }
                    }
                    map.getContainer().setAttribute("data-gz-labels", shown);
                }
            });
            L.gzLabels = function (items) { return new L.GzLabels(items); };
        })();
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LabelSupport"


#: CSS of the labels: dark text with a white halo, readable on streets, satellite and no tiles.
LABEL_CSS = (
    ".gz-label{position:absolute;white-space:nowrap;pointer-events:none;"
    f"font:500 12px/16px {FONT_STACK};color:#1d1d1d;padding:0 2px;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff,1px 1px 1px #fff,-1px -1px 1px #fff,"
    "1px -1px 1px #fff,-1px 1px 1px #fff}"
    ".gz-label-major{font:700 13px/17px " + FONT_STACK + ";color:#111}"
    ".leaflet-zoom-anim .gz-labels{display:none}"
)


class _LabelBatch(_ScriptElement):
    """The labels of one selection, added to the parent group as one ``L.gzLabels`` layer."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.gzLabels({{ this.items }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, items: Sequence[list[Any]]) -> None:
        super().__init__()
        self._name = "LabelBatch"
        self.items = _items_json(items)
