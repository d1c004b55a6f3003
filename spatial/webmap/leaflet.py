"""Leaflet elements of the web map: folium classes rendered in one template pass, the legend
control, tile layer, and the batch script that draws many features from one JSON literal.

Popups and tooltips reach Leaflet as JSON string literals, never as raw script text.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.utilities import remove_empty
from jinja2 import Template

_JINJA_OPEN_RE = re.compile(r"\{(?=[{%#])")
_TOOLTIP_OPTIONS = {"sticky": True, "direction": "top"}
_POPUP_OPTIONS = {"maxWidth": 380, "minWidth": 200, "autoPanPadding": [24, 24]}


def _js_string_json(obj: Any) -> str:
    """JSON of ``obj`` that is safe inside an inline <script> and inert to Jinja.

    ``</`` can't close the script; ``{{``, ``{%`` and ``{#`` (which JSON structure never
    produces, so they can only come from text) are written with a ``\\u007b`` escape, so no
    template engine on the way (folium renders through Jinja) ever sees a delimiter.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = _JINJA_OPEN_RE.sub(lambda _m: "\\u007b", text)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _RawText(Element):
    """Already-rendered script text (branca would otherwise re-parse it as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _RawMacro(MacroElement):
    """A MacroElement whose rendered macros go into the page as they are.

    branca wraps each rendered ``header``/``html``/``script`` macro in a new ``Element``,
    which compiles that *output* as a Jinja template once more: slow (the better part of
    folium's render time on every rerun) and unsafe (template syntax in a layer name would
    be evaluated). This renders each macro once; plain folium children (the ``addTo`` call
    a layer adds) are rendered the same way. Mixed into the folium classes the map uses
    (``class _X(folium.X, _RawMacro)`` puts it just above ``MacroElement``).
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                text = _RawText(str(macro(self, kwargs)))
                getattr(figure, part).add_child(text, name=self.get_name())
        for element in self._children.values():
            if isinstance(element, MacroElement) and type(element).render is MacroElement.render:
                _RawMacro.render(element, **kwargs)  # type: ignore[arg-type]
            else:
                element.render(**kwargs)


class _ScriptElement(_RawMacro):
    """A MacroElement with only a ``script`` macro, rendered without a second template pass."""

    def map_name(self) -> str:
        """The JavaScript name of the map this element is drawn on (``null`` when none)."""
        node = self._parent
        while node is not None and not isinstance(node, folium.Map):
            node = getattr(node, "_parent", None)
        return node.get_name() if node is not None else "null"


class _Map(folium.Map, _RawMacro):
    """``folium.Map`` rendered without the second template pass (:class:`_RawMacro`)."""


class _FeatureGroup(folium.FeatureGroup, _RawMacro):
    """``folium.FeatureGroup`` rendered without the second template pass."""


class _Pane(folium.map.CustomPane, _RawMacro):
    """``folium.map.CustomPane`` rendered without the second template pass."""


class _FitBounds(folium.map.FitBounds, _RawMacro):
    """``folium.map.FitBounds`` rendered without the second template pass."""


class _Legend(_ScriptElement):
    """The legend of the roles drawn, shown in the map's one legend control (made on first
    use), so a new group of features brings its own legend."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var legend = {{ this.content }};
            if (!map._gzLegend) {
                var control = L.control({position: "bottomleft"});
                control.onAdd = function () {
                    var div = L.DomUtil.create("div", "gz-legend-control");
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    return div;
                };
                control.addTo(map);
                map._gzLegend = control;
            }
            map._gzLegend.getContainer().innerHTML = legend;
        })({{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self, legend: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.content = _js_string_json(legend)


class _Switcher(_ScriptElement):
    """The layer switcher (``map._gzControl``), listing the given groups; a group of
    features adds its layers to it (:class:`_Overlay`)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var overlays = {};
            {% for name, group in this.overlays %}overlays[{{ name }}] = {{ group }};
            {% endfor %}
            map._gzControl = L.control.layers({}, overlays,
                {collapsed: true, position: "topright"}).addTo(map);
        })({{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self, groups: Sequence[folium.FeatureGroup]) -> None:
        super().__init__()
        self._name = "Switcher"
        self._groups = list(groups)

    @property
    def overlays(self) -> list[tuple[str, str]]:
        return [(_js_string_json(g.layer_name), g.get_name()) for g in self._groups]


class _Overlay(_ScriptElement):
    """Lists the parent group in the layer switcher until the group of features it belongs
    to leaves the map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, outer, map) {
            var control = map && map._gzControl;
            if (!control) { return; }
            control.addOverlay(group, {{ this.label }});
            outer.on("remove", function () { control.removeLayer(group); });
        })({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }}, {{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self, label: str) -> None:
        super().__init__()
        self._name = "Overlay"
        self.label = _js_string_json(label)


class _Frame(_ScriptElement):
    """Fits bounds into view when the map has not shown this frame key yet."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var key = {{ this.key }};
            if (map._gzFrameKey === key) { return; }
            var first = map._gzFrameKey === undefined;  // a new map: no animation
            map._gzFrameKey = key;
            var bounds = {{ this.bounds }}, tries = 0;
            function fit() {
                var size = map.getSize();
                if ((size.x < 240 || size.y < 240) && tries++ < 40) {  // not laid out yet
                    setTimeout(fit, 50);
                    return;
                }
                map.fitBounds(bounds, {padding: [24, 24], maxZoom: 15, animate: !first});
            }
            fit();
            if (first) {  // the page may still be sizing the map: frame again until touched
                var box = map.getContainer();
                ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
                    box.addEventListener(name, function () { map._gzTouched = true; });
                });
                [300, 1000, 2500].forEach(function (ms) {
                    setTimeout(function () {
                        if (map._gzFrameKey === key && !map._gzTouched) {
                            map.fitBounds(bounds, {padding: [24, 24], maxZoom: 15, animate: false});
                        }
                    }, ms);
                });
            }
        })({{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: Sequence[Sequence[float]], key: str) -> None:
        super().__init__()
        self._name = "Frame"
        self.bounds = json.dumps([list(bounds[0]), list(bounds[1])])
        self.key = _js_string_json(key)


class _MapSupport(_ScriptElement):
    """Mouse wheel zooms the map only once it has focus (a click) or with Ctrl held; the map
    keeps its size when the frame around it changes."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            var box = map.getContainer();
            map.on("focus click", function () { map.scrollWheelZoom.enable(); });
            map.on("blur", function () { map.scrollWheelZoom.disable(); });
            box.addEventListener("mouseleave", function () { map.scrollWheelZoom.disable(); });
            box.addEventListener("wheel", function (e) {
                if (!e.ctrlKey || map.scrollWheelZoom.enabled()) { return; }
                e.preventDefault();
                var at = map.mouseEventToContainerPoint(e);
                map.setZoomAround(at, map.getZoom() + (e.deltaY < 0 ? 1 : -1));
            }, {passive: false});
            window.addEventListener("resize", function resized() {
                if (!map._loaded) { window.removeEventListener("resize", resized); return; }
                map.invalidateSize();
            });
        })({{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapSupport"


class _Handles(_ScriptElement):
    """Ends a map script that the client runs as a function: returns the map and the groups
    it fills (:func:`spatial.webmap.map.basemap_script`)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        return {map: {{ this.map_name() }}, control: {{ this.map_name() }}._gzControl,
                districts: {{ this.districts }}, groups: {{ this.groups }},
                labels: {{ this.labels }}};
        {% endmacro %}"""
    )

    def __init__(self, districts: folium.FeatureGroup, groups: dict[str, folium.FeatureGroup],
                 labels: dict[str, str]) -> None:
        super().__init__()
        self._name = "Handles"
        self.districts = districts.get_name()
        self.groups = "{" + ",".join(
            f"{_js_string_json(layer)}:{group.get_name()}" for layer, group in groups.items()
        ) + "}"
        self.labels = _js_string_json(labels)


class _TileLayer(folium.TileLayer, _RawMacro):
    """``folium.TileLayer`` for a plain URL template.

    folium first looks the URL up as an ``xyzservices`` provider name, which walks the whole
    provider registry (several milliseconds on every rerun); our basemaps are URL templates
    with their own attribution, so that step is skipped. Options are folium's own.
    """

    def __init__(
        self,
        tiles: str,
        attr: str,
        name: str | None = None,
        subdomains: str = "abc",
        max_zoom: int | None = None,
        control: bool = False,
    ) -> None:
        if not attr:
            raise ValueError("tiles need an attribution")
        Layer.__init__(self, name=name, overlay=False, control=control, show=True)
        self._name = "TileLayer"
        self.tile_name = name if name is not None else "".join(tiles.lower().split())
        self.tiles = tiles
        self.options = remove_empty(
            min_zoom=0,
            max_zoom=max_zoom or 18,
            max_native_zoom=max_zoom or 18,
            no_wrap=False,
            attribution=attr,
            subdomains=subdomains,
            detect_retina=False,
            tms=False,
            opacity=1,
        )


class _Batch(_ScriptElement):
    """Many vector layers and markers added to the parent group by one small script.

    Each item is ``{"k": "polygon"|"line"|"marker"|"circle", "ll": latlngs, "o": options,
    "i": divIcon options, "t": tooltip HTML, "p": popup HTML}``, or a point cloud
    (:func:`_cloud_item`, ``"k": "points"``); the batch reaches the page as one JSON literal,
    so a map of many features renders quickly and no feature text is ever spliced into
    script code. With ``canvas``, interactive vectors are drawn on the map's shared canvas
    (the one its point clouds use).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (group, map) {
            var items = {{ this.items }};
            var tipOptions = {{ this.tip_options }}, popOptions = {{ this.pop_options }};
            var canvas = {{ this.canvas }} && map && L.gzCanvas ? L.gzCanvas(map) : null;
            items.forEach(function (f) {
                var layer, o = f.o;
                if (f.k === "points") {
                    L.gzPointCloud(f, canvas || L.canvas(), tipOptions).addTo(group);
                    return;
                }
                if (canvas && o && o.interactive !== false) {
                    o = Object.assign({renderer: canvas}, o);
                }
                if (f.k === "marker") {
                    layer = L.marker(f.ll, Object.assign({icon: L.divIcon(f.i)}, o || {}));
                } else if (f.k === "polygon") {
                    layer = L.polygon(f.ll, o);
                } else if (f.k === "circle") {
                    layer = L.circleMarker(f.ll, o);
                } else {
                    layer = L.polyline(f.ll, o);
                }
                if (f.t) { layer.bindTooltip(f.t, tipOptions); }
                if (f.p) { layer.bindPopup(f.p, popOptions); }
                layer.addTo(group);
            });
        })({{ this._parent.get_name() }}, {{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self, items: Sequence[dict[str, Any]], canvas: bool = False) -> None:
        super().__init__()
        self._name = "Batch"
        self.items = _items_json(items)
        self.canvas = "true" if canvas else "false"
        self.tip_options = json.dumps(_TOOLTIP_OPTIONS)
        self.pop_options = json.dumps(_POPUP_OPTIONS)


class _PointSupport(_ScriptElement):
    """Defines, once per page, what point clouds need: role-shaped canvas markers
    (``L.GzShape``), the map's one shared canvas (``L.gzCanvas``) and the cloud builder
    (``L.gzPointCloud``), whose single tooltip function writes a point's escaped name, role
    and hidden id — the same text :func:`tooltip_html` gives a marker."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            if (L.GzShape) { return; }
            L.Canvas.include({
                _updateGzShape: function (layer) {
                    if (!this._drawing || layer._empty()) { return; }
                    var p = layer._point, ctx = this._ctx, r = Math.max(layer._radius, 1);
                    var v = layer.options.shape;
                    ctx.beginPath();
                    if (typeof v === "number") {
                        ctx.arc(p.x, p.y, r * v, 0, Math.PI * 2, false);
                    } else {
                        ctx.moveTo(p.x + v[0] * r, p.y + v[1] * r);
                        for (var k = 2; k < v.length; k += 2) {
                            ctx.lineTo(p.x + v[k] * r, p.y + v[k + 1] * r);
                        }
                        ctx.closePath();
                    }
                    this._fillStroke(ctx, layer);
                }
            });
            L.GzShape = L.CircleMarker.extend({
                _updatePath: function () { this._renderer._updateGzShape(this); }
            });
            L.gzCanvas = function (map) {
                if (!map._gzCanvas) {
                    map._gzCanvas = L.canvas({pane: "gzPoints", tolerance: 3});
                }
                return map._gzCanvas;
            };
            L.gzPointCloud = function (f, renderer, tipOptions) {
                var opts = Object.assign({}, f.o, {renderer: renderer, shape: f.s});
                var cloud = L.featureGroup();
                for (var j = 0; j < f.id.length; j++) {
                    var m = new L.GzShape([f.ll[2 * j], f.ll[2 * j + 1]],
                        f.c ? Object.assign({}, opts, {fillColor: f.pc[f.c[j]]}) : opts);
                    m._gzIndex = j;
                    cloud.addLayer(m);
                }
                cloud.bindTooltip(function (layer) {
                    var j = layer._gzIndex, el = document.createElement("span");
                    el.innerHTML = "<b>" + f.n[j] + "</b> · " + f.r +
                        '<span style="display:none">⟦' + f.id[j] + "⟧</span>";
                    return el;
                }, tipOptions);
                return cloud;
            };
        })();
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PointSupport"


_JSON_MEMO: dict[int, tuple[tuple[dict[str, Any], ...], str]] = {}
_JSON_MEMO_SIZE = 16
_JSON_MEMO_LOCK = threading.Lock()


def _items_json(items: Sequence[dict[str, Any]]) -> str:
    """:func:`_js_string_json` of drawing items, remembered for the (cached, never modified)
    tuples the app keeps, so a rerun doesn't serialise the same layers again."""
    if not isinstance(items, tuple):
        return _js_string_json(list(items))
    with _JSON_MEMO_LOCK:
        hit = _JSON_MEMO.get(id(items))
    if hit is not None and hit[0] is items:
        return hit[1]
    text = _js_string_json(list(items))
    with _JSON_MEMO_LOCK:
        while len(_JSON_MEMO) >= _JSON_MEMO_SIZE:
            _JSON_MEMO.pop(next(iter(_JSON_MEMO)))
        _JSON_MEMO[id(items)] = (items, text)
    return text
