"""Leaflet elements of the map folium builds for the client: folium classes rendered in one
template pass, the layer switcher, the mouse-wheel behaviour, a plain tile layer, and the end
of the script that hands the client its map (:func:`spatial.webmap.map.basemap_script`).

Text reaches Leaflet as JSON string literals, never as raw script text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.utilities import remove_empty
from jinja2 import Template

_JINJA_OPEN_RE = re.compile(r"\{(?=[{%#])")


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


class _Scale(_ScriptElement):
    """The scale bar, metric only (kilometres and metres: no miles or feet)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 120}).addTo({{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Scale"


class _TouchPan(_ScriptElement):
    """On a touch screen (a coarse pointer: a phone, a tablet), one finger scrolls the page
    and two move and zoom the map, as many maps in a page do: Leaflet's one-finger dragging
    is turned off (its container then lets the browser pan the page, ``touch-action: pan-x
    pan-y``) and its pinch handler moves the map with the two fingers' midpoint. A finger that
    drags across the map is told so, briefly."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map) {
            if (!L.Browser.touch || !window.matchMedia ||
                !window.matchMedia("(pointer: coarse)").matches) { return; }
            map.dragging.disable();
            var box = map.getContainer(), hint = null, timer = null, start = null;
            box.addEventListener("touchstart", function (e) {
                start = e.touches.length === 1 ? [e.touches[0].clientX, e.touches[0].clientY] : null;
            }, {passive: true});
            box.addEventListener("touchmove", function (e) {
                if (!start || e.touches.length !== 1) { return; }
                var dx = e.touches[0].clientX - start[0], dy = e.touches[0].clientY - start[1];
                if (dx * dx + dy * dy < 100) { return; }
                start = null;
                if (!hint) {
                    hint = L.DomUtil.create("div", "gz-touch-hint", box);
                    hint.textContent = {{ this.text }};
                }
                hint.style.display = "flex";
                clearTimeout(timer);
                timer = setTimeout(function () { hint.style.display = "none"; }, 1500);
            }, {passive: true});
        })({{ this.map_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "TouchPan"
        self.text = _js_string_json("双指移动地图 Use two fingers to move the map")


class _Names(_ScriptElement):
    """The names of a page map's features, laid out by the map client's ``L.GzLabels``
    (``static/gzmap/labels.js``; items of :func:`spatial.webmap.labels.label_items`, as JSON
    text: the client sets each name as text) clear of the markers (``symbols``: [lat, lon,
    radius]). A page without the client draws none."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        if (L.gzLabels) {
            L.gzLabels({{ this.items }}, {{ this.symbols }}).addTo({{ this.map_name() }});
        }
        {% endmacro %}"""
    )

    def __init__(self, items: list[dict[str, Any]], symbols: list[list[float]]) -> None:
        super().__init__()
        self._name = "Names"
        # names are text: no angle bracket of theirs reaches the page's HTML even as script
        self.items = _js_string_json(items).replace("<", "\\u003c").replace(">", "\\u003e")
        self.symbols = _js_string_json(symbols)


class _Handles(_ScriptElement):
    """Ends a map script that the client runs as a function: returns the map, the groups it
    fills and, on a map with tools, the group a drawn study area goes in
    (:func:`spatial.webmap.map.basemap_script`)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        return {map: {{ this.map_name() }}, control: {{ this.map_name() }}._gzControl,
                districts: {{ this.districts }}, groups: {{ this.groups }},
                tools: {{ this.tools }}, labels: {{ this.labels }}};
        {% endmacro %}"""
    )

    def __init__(self, districts: folium.FeatureGroup, groups: dict[str, folium.FeatureGroup],
                 labels: dict[str, str], area: folium.FeatureGroup | None = None) -> None:
        super().__init__()
        self._name = "Handles"
        self.districts = districts.get_name()
        self.groups = "{" + ",".join(
            f"{_js_string_json(layer)}:{group.get_name()}" for layer, group in groups.items()
        ) + "}"
        self.labels = _js_string_json(labels)
        self.tools = f"{{area: {area.get_name()}}}" if area is not None else "null"


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


