"""The interactive folium map: features styled by role, legend, escaped popups and tooltips.

The map is built from a filtered layer frame (:func:`spatial.features.select`) over a basemap
(:mod:`spatial.basemaps`, or no tiles at all) and the district outlines. Every role has its own
colour of a distinct lightness, so the map still reads printed in grey, plus its own marker
shape (points) or dash pattern (lines and outlines).

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

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.utilities import remove_empty
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from spatial.basemaps import BASEMAPS, DEFAULT_BASEMAP, get_basemap, to_basemap_crs
from spatial.manifest import load_manifest
from spatial.schema import METRIC_CRS, ROLE_SHAPES, ROLES, role_label

__all__ = [
    "FeatureHtml",
    "MapLayers",
    "NO_TILES",
    "NO_TILES_LABEL",
    "RoleStyle",
    "ROLE_STYLES",
    "COORD_DECIMALS",
    "POINT_CLOUD_MIN",
    "WEB_TOLERANCE_M",
    "basemap_choices",
    "build_map",
    "esc",
    "feature_items",
    "focus_point",
    "frame_bounds",
    "grey_level",
    "highlight_group",
    "legend_html",
    "marker_svg",
    "popup_html",
    "prepare_districts",
    "prepare_layers",
    "role_style",
    "simplify_for_web",
    "text_of",
    "tooltip_feature_id",
    "tooltip_html",
]

#: Basemap key for "no tiles": district outlines and features only (works offline).
NO_TILES = "none"
NO_TILES_LABEL = "无底图 No tiles"

#: Where Guangzhou is, for a map with nothing to frame.
GUANGZHOU_CENTER = (23.13, 113.30)
GUANGZHOU_BOUNDS = ((22.56, 112.95), (23.93, 114.05))

FONT_STACK = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
OUTLINE = "#1a1a1a"

#: Decimals kept in map coordinates: 5 is about 1 m, finer than any location in the layers.
COORD_DECIMALS = 5
#: Simplification tolerance (metres) of polygons and lines on the web map.
WEB_TOLERANCE_M = 20.0
#: Above this many points of one role in one layer, they are drawn as one point cloud.
POINT_CLOUD_MIN = 300

_HTML_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}
)
_ID_MARK_RE = re.compile(r"⟦([a-z0-9][a-z0-9_-]{0,79})⟧")
_JINJA_OPEN_RE = re.compile(r"\{(?=[{%#])")


@dataclass(frozen=True)
class RoleStyle:
    """How one role is drawn.

    Attributes
    ----------
    color : str
        Marker fill and line/outline colour. Each role's colour has its own CIE lightness
        (:func:`grey_level`), so roles stay apart in a greyscale print.
    shape : str
        Marker shape for point features: circle, square, diamond, triangle, triangle_down,
        star, pentagon, hexagon or cross.
    size : int
        Marker size in pixels.
    dash : str or None
        SVG dash pattern for lines and polygon outlines (None: solid).
    weight : float
        Line width in pixels.
    fill_opacity : float
        Polygon fill opacity.
    """

    color: str
    shape: str
    size: int
    dash: str | None
    weight: float
    fill_opacity: float = 0.22


#: role -> style, in the legend order of :data:`spatial.schema.ROLES`; the marker shapes are
#: :data:`spatial.schema.ROLE_SHAPES`, shared with the print maps.
ROLE_STYLES: dict[str, RoleStyle] = {
    "axis": RoleStyle("#810116", ROLE_SHAPES["axis"], 14, None, 6.0, 0.06),
    "axis_segment": RoleStyle("#b01a1b", ROLE_SHAPES["axis_segment"], 12, "12 7", 3.0, 0.05),
    "core": RoleStyle("#3d1181", ROLE_SHAPES["core"], 28, None, 3.0),
    "pole": RoleStyle("#044e81", ROLE_SHAPES["pole"], 24, None, 3.0),
    "corridor": RoleStyle("#c3187e", ROLE_SHAPES["corridor"], 12, "2 7", 4.0, 0.07),
    "belt": RoleStyle("#a76502", ROLE_SHAPES["belt"], 12, "14 5 3 5", 4.0, 0.07),
    "zone": RoleStyle("#0ba443", ROLE_SHAPES["zone"], 17, "7 4", 2.5),
    "node": RoleStyle("#ef7b33", ROLE_SHAPES["node"], 18, "9 4 2 4", 2.5),
    "park": RoleStyle("#02bcba", ROLE_SHAPES["park"], 17, None, 2.0),
    "cluster": RoleStyle("#7b71eb", ROLE_SHAPES["cluster"], 20, "2 5", 2.5, 0.12),
    "university": RoleStyle("#dcc435", ROLE_SHAPES["university"], 18, "1 4", 2.0),
    "lab": RoleStyle("#1bc4f9", ROLE_SHAPES["lab"], 17, None, 2.0),
    "facility": RoleStyle("#fec2cb", ROLE_SHAPES["facility"], 16, None, 2.0),
}
_DEFAULT_STYLE = RoleStyle("#777777", "circle", 14, None, 2.0)

#: Roles drawn as lines (their legend swatch is a line, not a marker).
LINE_ROLES = ("axis", "axis_segment", "corridor", "belt")

_SHAPES: dict[str, str] = {
    "circle": '<circle cx="12" cy="12" r="9"/>',
    "square": '<rect x="3.5" y="3.5" width="17" height="17"/>',
    "diamond": '<polygon points="12,1.5 22.5,12 12,22.5 1.5,12"/>',
    "triangle": '<polygon points="12,2 22.5,21 1.5,21"/>',
    "triangle_down": '<polygon points="1.5,3 22.5,3 12,22"/>',
    "star": '<polygon points="12,1.2 14.8,8.6 22.8,8.9 16.5,13.8 18.7,21.6 12,17.1 '
    '5.3,21.6 7.5,13.8 1.2,8.9 9.2,8.6"/>',
    "pentagon": '<polygon points="12,1.8 22.2,9.2 18.3,21.2 5.7,21.2 1.8,9.2"/>',
    "hexagon": '<polygon points="12,1.5 21.1,6.75 21.1,17.25 12,22.5 2.9,17.25 2.9,6.75"/>',
    "cross": '<polygon points="8.5,2 15.5,2 15.5,8.5 22,8.5 22,15.5 15.5,15.5 15.5,22 '
    '8.5,22 8.5,15.5 2,15.5 2,8.5 8.5,8.5"/>',
}



def _canvas_shape(shape: str) -> float | list[float]:
    """A marker shape for the canvas: ``[x0, y0, x1, y1, …]`` in units of the marker's half
    size (the SVG's 24-unit box, centred), or, for a circle, its radius in those units."""
    svg = _SHAPES.get(shape, _SHAPES["circle"])
    if svg.startswith("<circle"):
        return round(float(re.search(r'r="([0-9.]+)"', svg).group(1)) / 12, 4)
    if svg.startswith("<rect"):
        x, y, w, h = (float(v) for v in re.findall(r'[xywidthg]+="([0-9.]+)"', svg))
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    else:
        pairs = re.search(r'points="([^"]+)"', svg).group(1).split()
        corners = [tuple(float(v) for v in pair.split(",")) for pair in pairs]
    return [round((v - 12) / 12, 4) for corner in corners for v in corner]


# -- small helpers -------------------------------------------------------------------------------
def text_of(value: Any) -> str:
    """A property as display text: ``None`` and NaN (absent in a data frame) become ``""``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def esc(value: Any) -> str:
    """Escape any value for HTML text or attributes (``None``/NaN become an empty string).

    The same as ``html.escape(text, quote=True)``, in one pass.
    """
    return text_of(value).translate(_HTML_ESCAPES)


def _esc_many(values: Iterable[Any]) -> list[str]:
    """:func:`esc` of many values at once (one translate over the joined text)."""
    texts = [text_of(v) for v in values]
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(len(texts) - 1, 0):  # a NUL in a text: one at a time
        return [t.translate(_HTML_ESCAPES) for t in texts]
    return joined.translate(_HTML_ESCAPES).split("\x00") if texts else []


def role_style(role: str | None) -> RoleStyle:
    """The style of a role (a neutral grey style for an unknown role)."""
    return ROLE_STYLES.get(role or "", _DEFAULT_STYLE)


def grey_level(color: str) -> float:
    """CIE L* lightness (0 black … 100 white) of a ``#rrggbb`` colour: its tone in greyscale."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected #rrggbb, got {color!r}")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def marker_svg(
    role: str | None, size: int | None = None, selected: bool = False, label: str | None = None
) -> str:
    """Inline SVG of a role's marker: its shape filled with its colour, dark outline.

    ``label`` (escaped here) becomes the marker's accessible name (``aria-label``).
    """
    style = role_style(role)
    px = size or style.size
    stroke_w = 3.0 if selected else 1.6
    shape = _SHAPES.get(style.shape, _SHAPES["circle"])
    aria = f' role="img" aria-label="{esc(label)}"' if label else ' aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="0 0 24 24" '
        f'style="display:block;overflow:visible"{aria}>'
        f'<g fill="{style.color}" stroke="{OUTLINE}" stroke-width="{stroke_w}" '
        f'stroke-linejoin="round">{shape}</g></svg>'
    )


def _swatch(role: str) -> str:
    style = role_style(role)
    if role in LINE_ROLES:
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        return (
            '<svg width="28" height="14" viewBox="0 0 28 14">'
            f'<line x1="1" y1="7" x2="27" y2="7" stroke="{style.color}" '
            f'stroke-width="{min(style.weight, 5)}"{dash}/></svg>'
        )
    return marker_svg(role, size=16)


def legend_html(roles: Iterable[str], title: str = "图例 Legend") -> str:
    """An HTML legend keyed by role, in the contract's legend order, for the roles given."""
    wanted = set(roles)
    items = [r for r in ROLES if r in wanted] + sorted(wanted - set(ROLES))
    rows = "".join(
        '<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        f'<span style="width:28px;display:inline-flex;justify-content:center">{_swatch(r)}</span>'
        f"<span>{esc(role_label(r))}</span></div>"
        for r in items
    )
    return (
        f'<div class="gz-legend" style="background:rgba(255,255,255,0.92);padding:6px 9px;'
        f"border:1px solid #999;border-radius:4px;font:12px/1.35 {FONT_STACK};color:#111;"
        f'max-height:330px;overflow-y:auto">'
        f'<div style="font-weight:600;margin-bottom:3px">{esc(title)}</div>{rows}</div>'
    )


def tooltip_html(row: Mapping[str, Any]) -> str:
    """Hover text of a feature: its name and role, with its id hidden for click handling."""
    fid = str(row.get("id") or "")
    role = ROLES.get(row.get("role") or "", (row.get("role") or "", ""))[0]
    hidden = f'<span style="display:none">⟦{esc(fid)}⟧</span>' if fid else ""
    return f"<b>{esc(row.get('name'))}</b> · {esc(role)}{hidden}"


def tooltip_feature_id(text: str | None) -> str | None:
    """The feature id hidden in a clicked tooltip's text, or None (districts, user layers)."""
    if not text:
        return None
    match = _ID_MARK_RE.search(str(text))
    return match.group(1) if match else None


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def popup_html(
    row: Mapping[str, Any],
    plan_names: Mapping[str, str] | None = None,
    max_excerpts: int = 3,
    excerpt_chars: int = 110,
) -> str:
    """Popup of a feature: name, role, districts, industries and the plans' words about it.

    Parameters
    ----------
    row : mapping
        One feature's properties (a row of :func:`spatial.layers.load_layers`).
    plan_names : mapping, optional
        Plan id -> display name; default the manifest's short names.
    max_excerpts, excerpt_chars : int
        How many excerpts, and how much of each, the popup shows (the app's panel shows all).
    """
    if plan_names is None:
        plan_names = {p.id: p.short_name for p in load_manifest()}
    parts = [f'<div style="font:13px/1.45 {FONT_STACK};color:#111;max-width:340px">']
    parts.append(f'<div style="font-size:15px;font-weight:600">{esc(row.get("name"))}</div>')
    if text_of(row.get("name_en")):
        parts.append(f'<div style="color:#555">{esc(row.get("name_en"))}</div>')
    meta = [role_label(row.get("role") or "")]
    districts = list(row.get("district") or [])
    if districts:
        meta.append("、".join(districts))
    parts.append(f'<div style="color:#333">{esc(" · ".join(meta))}</div>')
    industries = list(row.get("industries") or [])
    if industries:
        parts.append(f"<div>产业：{esc('、'.join(industries))}</div>")
    excerpts = list(row.get("excerpts") or [])
    for exc in excerpts[:max_excerpts]:
        plan = plan_names.get(exc.get("plan", ""), exc.get("plan", ""))
        section = str(exc.get("section") or "").split(" › ")[-1]
        parts.append(
            '<div style="margin-top:5px;border-left:3px solid #999;padding-left:6px">'
            f'<div style="color:#555;font-size:12px">{esc(plan)}'
            f"{' · ' + esc(section) if section else ''}</div>"
            f"<div>“{esc(_short(exc.get('text', ''), excerpt_chars))}”</div></div>"
        )
    if len(excerpts) > max_excerpts:
        parts.append(f'<div style="color:#555">另有 {len(excerpts) - max_excerpts} 段摘录</div>')
    parts.append("</div>")
    return "".join(parts)


class FeatureHtml(Mapping[str, str]):
    """Feature id -> HTML (popup or tooltip), built on first use and then remembered.

    Give one to :func:`prepare_layers` per layer version: a map of 10,000 points builds
    no popup it never shows, and no HTML is built twice. Safe to share between threads.

    Parameters
    ----------
    gdf : GeoDataFrame
        The features, indexed by id (never modified).
    build : callable
        Properties mapping -> HTML, e.g. :func:`popup_html` or :func:`tooltip_html`.
    """

    def __init__(self, gdf: gpd.GeoDataFrame, build: Callable[[Mapping[str, Any]], str]) -> None:
        self._gdf = gdf
        self._build = build
        self._done: dict[str, str] = {}

    def __getitem__(self, fid: str) -> str:
        text = self._done.get(fid)
        if text is not None:
            return text
        if fid not in self._gdf.index:
            raise KeyError(fid)
        row = self._gdf.loc[fid]
        if isinstance(row, pd.DataFrame):  # a repeated id: its first feature
            row = row.iloc[0]
        text = self._build(row.drop(labels=[self._gdf.geometry.name]).to_dict())
        self._done[fid] = text
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self._gdf.index)

    def __len__(self) -> int:
        return len(self._gdf)


# -- Leaflet elements ------------------------------------------------------------------------------
_TOOLTIP_OPTIONS = {"sticky": True, "direction": "top"}
_POPUP_OPTIONS = {"maxWidth": 380, "minWidth": 200}


def _js_string_json(obj: Any) -> str:
    """JSON of ``obj`` that is safe inside an inline <script> and inert to Jinja.

    ``</`` can't close the script; ``{{``, ``{%`` and ``{#`` (which JSON structure never
    produces, so they can only come from text) are written with a ``\\u007b`` escape, so no
    template engine on the way (folium renders through Jinja) ever sees a delimiter.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = _JINJA_OPEN_RE.sub(lambda _m: "\\u007b", text)
    return (
        text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


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


class _Map(folium.Map, _RawMacro):
    """``folium.Map`` rendered without the second template pass (:class:`_RawMacro`)."""


class _FeatureGroup(folium.FeatureGroup, _RawMacro):
    """``folium.FeatureGroup`` rendered without the second template pass."""


class _Pane(folium.map.CustomPane, _RawMacro):
    """``folium.map.CustomPane`` rendered without the second template pass."""


class _LayerControl(folium.LayerControl, _RawMacro):
    """``folium.LayerControl`` rendered without the second template pass."""


class _FitBounds(folium.map.FitBounds, _RawMacro):
    """``folium.map.FitBounds`` rendered without the second template pass."""


class _Legend(_ScriptElement):
    """A Leaflet control holding the legend HTML."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomleft"});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "gz-legend-control");
            div.innerHTML = {{ this.content }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, legend: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.content = _js_string_json(legend)


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
            min_zoom=0, max_zoom=max_zoom or 18, max_native_zoom=max_zoom or 18,
            no_wrap=False, attribution=attr, subdomains=subdomains, detect_retina=False,
            tms=False, opacity=1,
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

    def map_name(self) -> str:
        """The JavaScript name of the map this batch is drawn on (``null`` when none)."""
        node = self._parent
        while node is not None and not isinstance(node, folium.Map):
            node = getattr(node, "_parent", None)
        return node.get_name() if node is not None else "null"


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
                    var m = new L.GzShape([f.ll[2 * j], f.ll[2 * j + 1]], opts);
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


def simplify_for_web(
    gdf: gpd.GeoDataFrame, tolerance_m: float = WEB_TOLERANCE_M, coverage: bool = False
) -> gpd.GeoDataFrame:
    """Polygons and lines simplified for the screen (a copy; points are left as they are).

    Simplification runs in metres (:data:`spatial.schema.METRIC_CRS`) and keeps every shape
    valid; a shape that would vanish keeps its full geometry. At 20 m nothing moves by more
    than a few pixels below zoom 15, and a district outline needs a tenth of its vertices.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in WGS84 (EPSG:4326).
    tolerance_m : float
        Largest distance (metres) a simplified edge may stray from the original.
    coverage : bool
        Simplify the polygons as one coverage (``shapely.coverage_simplify``), so neighbours
        such as districts keep a common border with neither gaps nor overlaps.
    """
    if gdf.empty or tolerance_m <= 0:
        return gdf
    geoms = gdf.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)  # 0 point, 4 multipoint, -1 missing
    todo = np.flatnonzero(~np.isin(kinds, (-1, 0, 4)))
    if todo.size == 0:
        return gdf
    metric = gpd.GeoSeries(geoms[todo], crs=gdf.crs or "EPSG:4326").to_crs(METRIC_CRS)
    values = metric.to_numpy()
    if coverage and np.isin(kinds[todo], (3, 6)).all():
        try:
            simple = shapely.coverage_simplify(values, tolerance_m)
        except shapely.errors.GEOSException:  # not a clean coverage: one shape at a time
            simple = shapely.simplify(values, tolerance_m, preserve_topology=True)
    else:
        simple = shapely.simplify(values, tolerance_m, preserve_topology=True)
    back = gpd.GeoSeries(simple, crs=METRIC_CRS).to_crs(gdf.crs or "EPSG:4326").to_numpy()
    lost = shapely.is_empty(back) | ~shapely.is_valid(back)
    out = geoms.copy()
    out[todo] = np.where(lost, geoms[todo], back)
    result = gdf.copy()
    result[gdf.geometry.name] = gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs)
    return result


def _latlngs(coords: Any) -> list[list[float]]:
    """``[[lat, lon], …]`` of a coordinate sequence, rounded to :data:`COORD_DECIMALS`."""
    xy = np.asarray(coords, dtype=float)
    if xy.size == 0:
        return []
    return np.round(xy[:, 1::-1], COORD_DECIMALS).tolist()


def _polygon_rings(geom: BaseGeometry) -> list[list[list[list[float]]]]:
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    return [
        [_latlngs(p.exterior.coords), *(_latlngs(r.coords) for r in p.interiors)] for p in polys
    ]


def _line_parts(geom: BaseGeometry) -> list[list[list[float]]]:
    lines = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
    return [_latlngs(line.coords) for line in lines]


def _point_of(geom: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) where a feature's marker or highlight sits."""
    if geom.geom_type == "Point":
        return round(geom.y, COORD_DECIMALS), round(geom.x, COORD_DECIMALS)
    centroid = geom.centroid
    point = centroid if geom.contains(centroid) else geom.representative_point()
    return round(point.y, COORD_DECIMALS), round(point.x, COORD_DECIMALS)


def _path_options(**kwargs: Any) -> dict[str, Any]:
    """Leaflet path options (camelCase), dropping unset ones."""
    names = {"dash_array": "dashArray", "fill_color": "fillColor", "fill_opacity": "fillOpacity"}
    return {names.get(k, k): v for k, v in kwargs.items() if v is not None}


def _marker_item(
    lat_lon: tuple[float, float], role: str | None, selected: bool = False,
    tooltip: str | None = None, popup: str | None = None, label: str | None = None,
) -> dict[str, Any]:
    style = role_style(role)
    px = style.size + (10 if selected else 0)
    item: dict[str, Any] = {
        "k": "marker",
        "ll": list(lat_lon),
        "i": {
            "html": marker_svg(role, size=px, selected=selected, label=label),
            "iconSize": [px, px],
            "iconAnchor": [px // 2, px // 2],
            "className": "gz-marker",
        },
        "o": {"zIndexOffset": 1000} if selected else {},
    }
    if tooltip:
        item["t"] = tooltip
    if popup:
        item["p"] = popup
    return item


def feature_items(
    geom: BaseGeometry | None,
    role: str | None,
    tooltip: str | None = None,
    popup: str | None = None,
    label: str | None = None,
) -> list[dict[str, Any]]:
    """Map items drawing one feature in its role's style (empty for a missing geometry).

    Polygons of places also get a marker of the role's shape at their centre, so the role
    reads at city scale; lines and area-wide shapes (clusters, belts) do not. ``label`` is
    the markers' accessible name.
    """
    if geom is None or geom.is_empty:
        return []
    style = role_style(role)
    gtype = geom.geom_type
    extra = {k: v for k, v in (("t", tooltip), ("p", popup)) if v}
    out: list[dict[str, Any]] = []
    if gtype in ("Polygon", "MultiPolygon"):
        opts = _path_options(
            color=style.color, weight=style.weight, dash_array=style.dash, fill=True,
            fill_color=style.color, fill_opacity=style.fill_opacity, pane="gzPolygons",
        )
        for rings in _polygon_rings(geom):
            out.append({"k": "polygon", "ll": rings, "o": opts, **extra})
        if role not in ("cluster", "belt", "corridor", "axis_segment", "axis"):
            out.append(
                _marker_item(_point_of(geom), role, tooltip=tooltip, popup=popup, label=label)
            )
    elif gtype in ("LineString", "MultiLineString"):
        opts = _path_options(
            color=style.color, weight=style.weight, dash_array=style.dash, opacity=0.9,
            pane="gzLines",
        )
        out.append({"k": "line", "ll": _line_parts(geom), "o": opts, **extra})
    elif gtype in ("Point", "MultiPoint"):
        points = list(geom.geoms) if gtype == "MultiPoint" else [geom]
        for pt in points:
            out.append(
                _marker_item(
                    (round(pt.y, COORD_DECIMALS), round(pt.x, COORD_DECIMALS)), role,
                    tooltip=tooltip, popup=popup, label=label,
                )
            )
    return out


# -- the map -----------------------------------------------------------------------------------------
def basemap_choices() -> list[tuple[str, str]]:
    """``(key, label)`` of every basemap the map offers: the tile services, then no tiles."""
    return [(b.key, f"{b.label} {b.label_en}") for b in BASEMAPS.values()] + [
        (NO_TILES, NO_TILES_LABEL)
    ]


def _shift(gdf: gpd.GeoDataFrame, basemap: str) -> gpd.GeoDataFrame:
    return gdf if basemap == NO_TILES or gdf.empty else to_basemap_crs(gdf, basemap)


def frame_bounds(
    gdf: gpd.GeoDataFrame | None, min_span_deg: float = 0.02
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """``((south, west), (north, east))`` around a frame's geometry, None when it has none.

    A frame of one point gets at least ``min_span_deg`` of extent so the map doesn't zoom in
    to the last tile.
    """
    if gdf is None or gdf.empty:
        return None
    geoms = gdf.geometry.dropna()
    geoms = geoms[~geoms.is_empty]
    if geoms.empty:
        return None
    west, south, east, north = (float(v) for v in geoms.total_bounds)
    half = min_span_deg / 2
    if east - west < min_span_deg:
        mid = (east + west) / 2
        west, east = mid - half, mid + half
    if north - south < min_span_deg:
        mid = (north + south) / 2
        south, north = mid - half, mid + half
    return (round(south, 6), round(west, 6)), (round(north, 6), round(east, 6))


def _district_items(districts: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    opts = _path_options(
        color="#555555", weight=1.2, fill=True, fill_color="#f4f1ea", fill_opacity=0.35,
        interactive=False, pane="gzDistricts",
    )
    for _, row in districts.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        for rings in _polygon_rings(geom):
            items.append({"k": "polygon", "ll": rings, "o": opts})
        label = esc(row.get("name"))
        items.append(
            {
                "k": "marker",
                "ll": list(_point_of(geom)),
                "i": {
                    "html": (
                        f'<div style="font:600 12px {FONT_STACK};color:#444;white-space:nowrap;'
                        "transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff;"
                        f'pointer-events:none">{label}</div>'
                    ),
                    "iconSize": [0, 0],
                    "className": "gz-district-label",
                },
                "o": {"interactive": False, "keyboard": False},
            }
        )
    return items


#: The properties :func:`tooltip_html` and :func:`popup_html` read.
_HTML_COLUMNS = ("id", "name", "name_en", "role", "district", "industries", "excerpts")


@dataclass(frozen=True)
class MapLayers:
    """What the map draws, prepared and ready to serialise (cacheable, never modified).

    Attributes
    ----------
    groups : tuple of (layer name, items)
        The features' drawing items per layer file, in display order.
    roles : tuple of str
        The roles drawn, for the legend.
    bounds : ((south, west), (north, east)) or None
        The features' extent (WGS84).
    """

    groups: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]
    roles: tuple[str, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]] | None

    @property
    def has_point_clouds(self) -> bool:
        """Whether any layer draws a point cloud (the map then needs its shared canvas)."""
        return any(item.get("k") == "points" for _, items in self.groups for item in items)


def _cloud_item(
    geoms: np.ndarray, ids: Sequence[str], names: Sequence[str], role: str | None
) -> dict[str, Any]:
    """One point cloud: the points of one role in one layer, as compact columns.

    ``ll`` is ``[lat0, lon0, lat1, lon1, …]`` (rounded), ``id`` and ``n`` the escaped id and
    name of each point (a multipoint's parts repeat its id), ``r`` the escaped role label,
    ``s`` the role's marker shape (:func:`_canvas_shape`) and ``o`` the marker options.
    """
    style = role_style(role)
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    latlon = np.round(coords[:, ::-1], COORD_DECIMALS).ravel().tolist()
    rows = index.tolist()
    px = max(9, round(style.size * 0.65))
    return {
        "k": "points",
        "o": {"radius": px / 2, "color": OUTLINE, "weight": 1, "fillColor": style.color,
              "fillOpacity": 0.95, "pane": "gzPoints"},
        "s": _canvas_shape(style.shape),
        "ll": latlon,
        "id": _esc_many(ids[i] for i in rows),
        "n": _esc_many(names[i] for i in rows),
        "r": esc(ROLES.get(role or "", (role or "", ""))[0]),
    }


def prepare_layers(
    features: gpd.GeoDataFrame | None,
    *,
    basemap: str = DEFAULT_BASEMAP,
    popups: Mapping[str, str] | None = None,
    tooltips: Mapping[str, str] | None = None,
    layer_order: Sequence[str] = (),
    simplify_m: float | None = WEB_TOLERANCE_M,
    cloud_min: int = POINT_CLOUD_MIN,
) -> MapLayers:
    """Turn features into the map's drawing items, grouped by layer (see :func:`build_map`).

    Polygons come first, then lines, then points, so small things stay on top. Geometry is
    shifted to the basemap's datum and simplified (:func:`simplify_for_web`; pass
    ``simplify_m=None`` for features already simplified). Layers named in ``layer_order``
    come first, in that order. Features marked ``in_guangzhou: false`` are not drawn.

    More than ``cloud_min`` point features of one role in one layer become one point cloud
    (see the module notes): no popup HTML is built for them, and their tooltip is written in
    the browser from their escaped id and name.
    """
    if features is not None and "in_guangzhou" in features.columns:
        # the contract draws places outside the city nowhere (they stay in tables and files)
        features = features[features["in_guangzhou"].apply(lambda v: v is not False)]
    if features is None or features.empty:
        return MapLayers((), (), None)
    shown = _shift(features, basemap)
    if simplify_m:
        shown = simplify_for_web(shown, simplify_m)
    popups = popups or {}
    tooltips = tooltips or {}
    n = len(shown)
    geoms = shown.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    cols = shown.columns
    index = shown.index.tolist()
    id_values = shown["id"].tolist() if "id" in cols else index
    ids = [str(v or k) for v, k in zip(id_values, index, strict=True)]
    layers = (
        [str(v or "features") for v in shown["layer"].tolist()]
        if "layer" in cols else ["features"] * n
    )
    roles = shown["role"].tolist() if "role" in cols else [None] * n

    # points of a (layer, role) with more than cloud_min points go into one cloud
    point_rows = np.flatnonzero(np.isin(kinds, (0, 4)))
    counts: dict[tuple[str, Any], list[int]] = {}
    for i in point_rows.tolist():
        counts.setdefault((layers[i], roles[i]), []).append(i)
    clouds = {key: rows for key, rows in counts.items() if len(rows) > cloud_min}
    in_cloud = np.zeros(n, dtype=bool)
    for rows in clouds.values():
        in_cloud[rows] = True

    groups: dict[str, list[dict[str, Any]]] = {}
    rank = np.select([np.isin(kinds, (3, 6)), np.isin(kinds, (1, 5))], [0, 1], 2)
    rest = np.flatnonzero(~in_cloud & (kinds >= 0))
    rest = rest[np.argsort(rank[rest], kind="stable")]
    if rest.size:
        wanted = [c for c in _HTML_COLUMNS if c in cols]
        records = shown.iloc[rest][wanted].to_dict("records")
        for i, props in zip(rest.tolist(), records, strict=True):
            fid = ids[i]
            tip = tooltips.get(fid) or tooltip_html(props)
            pop = popups.get(fid) or popup_html(props)
            groups.setdefault(layers[i], []).extend(
                feature_items(geoms[i], roles[i], tip, pop, label=text_of(props.get("name")))
            )
    if clouds:
        names = [text_of(v) for v in shown["name"].tolist()] if "name" in cols else [""] * n
        for (layer, role), rows in clouds.items():
            groups.setdefault(layer, []).append(
                _cloud_item(geoms[rows], [ids[i] for i in rows], [names[i] for i in rows], role)
            )
    known = list(layer_order)
    order = sorted(groups, key=lambda k: (known.index(k) if k in known else len(known), k))
    return MapLayers(
        groups=tuple((name, tuple(groups[name])) for name in order),
        roles=tuple(pd.unique(features["role"].dropna())),
        bounds=frame_bounds(features),
    )


def prepare_districts(
    districts: gpd.GeoDataFrame | None, basemap: str, simplify_m: float | None = WEB_TOLERANCE_M
) -> tuple[dict, ...]:
    """District outlines and labels as drawing items (cacheable per basemap).

    The outlines are simplified as one coverage (:func:`simplify_for_web`), so neighbouring
    districts keep their common border.
    """
    if districts is None or districts.empty:
        return ()
    if simplify_m:
        districts = simplify_for_web(districts, simplify_m, coverage=True)
    return tuple(_district_items(_shift(districts, basemap)))


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
) -> folium.Map:
    """Build the interactive map of a selection.

    Parameters
    ----------
    features : GeoDataFrame or MapLayers
        The selected features (EPSG:4326, WGS84), e.g. from :func:`spatial.features.select`,
        or the same already prepared by :func:`prepare_layers` (the app caches those).
    districts : GeoDataFrame or prepared items, optional
        District outlines (:func:`spatial.base.load_districts`, or :func:`prepare_districts`),
        drawn under everything and labelled; they keep the map legible without tiles.
    basemap : str
        A key of :data:`spatial.basemaps.BASEMAPS`, or :data:`NO_TILES`. Geometry is shifted to
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

    Returns
    -------
    folium.Map
    """
    if basemap != NO_TILES:
        get_basemap(basemap)  # KeyError naming the known keys
    layer_names = layer_names or {}
    if isinstance(features, MapLayers):
        prepared = features
    else:
        prepared = prepare_layers(features, basemap=basemap, popups=popups, tooltips=tooltips,
                                  layer_order=list(layer_names), cloud_min=cloud_min)
    m = _Map(
        location=list(GUANGZHOU_CENTER),
        zoom_start=10,
        tiles=None,
        control_scale=True,
        min_zoom=7,
        max_zoom=19,
    )
    leaflet_js = f"{asset_base.rstrip('/')}/leaflet.js" if asset_base else None
    leaflet_css = f"{asset_base.rstrip('/')}/leaflet.css" if asset_base else None
    cdn_js = dict(folium.Map.default_js)["leaflet"]
    cdn_css = dict(folium.Map.default_css)["leaflet_css"]
    # Only Leaflet itself: nothing here needs jQuery, Bootstrap or icon fonts.
    m.default_js = [("leaflet", leaflet_js or cdn_js)]
    m.default_css = [("leaflet_css", leaflet_css or cdn_css)]
    m.get_root().header.add_child(
        _RawText(
            "<style>.gz-marker{background:none;border:none}"
            ".gz-district-label{background:none;border:none}"
            f".leaflet-container{{font-family:{FONT_STACK}}}</style>"
        ),
        name="gz_style",
    )
    canvas = prepared.has_point_clouds
    for name, z in (("gzDistricts", 350), ("gzPolygons", 410), ("gzLines", 420)):
        _Pane(name, z_index=z).add_to(m)
    if canvas:  # the shared canvas takes the mouse for every interactive vector
        _Pane("gzPoints", z_index=430, pointer_events=True).add_to(m)
        _PointSupport().add_to(m)

    if basemap != NO_TILES:
        _TileLayer(**get_basemap(basemap).folium_kwargs(), control=False).add_to(m)

    if isinstance(districts, gpd.GeoDataFrame):
        districts = prepare_districts(districts, basemap)
    if districts:
        group = _FeatureGroup(name="行政区 Districts", control=True)
        _Batch(districts).add_to(group)
        group.add_to(m)

    for layer, items in prepared.groups:
        group = _FeatureGroup(name=esc(layer_names.get(layer, layer)))
        _Batch(items, canvas=canvas).add_to(group)
        group.add_to(m)

    if user_layer is not None and not user_layer.empty:
        _add_user_layer(m, _shift(user_layer, basemap), user_layer_name, canvas=canvas)

    roles = list(legend_roles) if legend_roles is not None else list(prepared.roles)
    if roles:
        _Legend(legend_html(roles)).add_to(m)
    _LayerControl(collapsed=True, position="topright").add_to(m)

    frame = bounds or prepared.bounds or GUANGZHOU_BOUNDS
    _FitBounds([list(frame[0]), list(frame[1])], padding=(20, 20)).add_to(m)
    return m


def _add_user_layer(
    m: folium.Map, gdf: gpd.GeoDataFrame, name: str, canvas: bool = False
) -> None:
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
    group = _FeatureGroup(name=esc(name))
    _Batch(items, canvas=canvas).add_to(group)
    group.add_to(m)


def highlight_group(
    row: Mapping[str, Any] | None,
    geometry: BaseGeometry | None,
    basemap: str = DEFAULT_BASEMAP,
    tooltip: str | None = None,
) -> folium.FeatureGroup:
    """A feature group marking the selected feature: a ring around it, its outline in bold.

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
                     label=f"{text_of(row.get('name'))}（已选中 selected）")
    )
    _Batch(items).add_to(group)
    return group


def _to_basemap(geometry: BaseGeometry, basemap: str) -> BaseGeometry:
    if basemap == NO_TILES:
        return geometry
    frame = gpd.GeoDataFrame(geometry=[geometry], crs="EPSG:4326")
    return to_basemap_crs(frame, basemap).geometry.iloc[0]


def focus_point(geometry: BaseGeometry | None, basemap: str = DEFAULT_BASEMAP):
    """``(lat, lon)`` to centre the map on for a feature, in the basemap's datum."""
    if geometry is None or geometry.is_empty:
        return None
    return _point_of(_to_basemap(geometry, basemap))
