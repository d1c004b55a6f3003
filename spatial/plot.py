"""Draw print maps with matplotlib: vector base, features by role and industry, labels, furniture.

Everything is drawn in a metric CRS (:data:`MAP_CRS`, CGCS2000 / 3-degree Gauss-Kruger CM 114E,
whose central meridian runs through Guangzhou), so the scale bar is true and the north arrow is
turned by the (small) grid convergence. This module knows nothing about plans or selections:
:mod:`spatial.export` decides what to show and what the title and source line say, and calls
:func:`draw_map`.

Encoding: the **shape** of a symbol (or the line style) says the feature's role, its **colour**
its industry (the first of its industries that the legend has a colour for). Labels are placed
greedily, most important features first, at the first of several candidate positions around
the symbol that collides with nothing placed before; a label that fits nowhere near its symbol
is placed further out with a leader line, or left out.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from pyproj import Transformer

from spatial.fonts import register_cjk_font
from spatial.schema import ROLE_SHAPES, ROLES

__all__ = [
    "MAP_CRS",
    "MAP_CRS_LABEL",
    "PAGE_SIZES",
    "FORMATS",
    "MapText",
    "BaseData",
    "page_inches",
    "page_pixels",
    "draw_map",
    "figure_bytes",
    "industry_colours",
]

#: The CRS maps are drawn in: CGCS2000 / 3-degree Gauss-Kruger CM 114E (metres).
MAP_CRS = "EPSG:4547"
MAP_CRS_LABEL = "CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547)"

#: Page sizes, (width, height) in millimetres.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4-landscape": (297.0, 210.0),
    "a3-landscape": (420.0, 297.0),
    "16x9": (338.6667, 190.5),  # 13.333 x 7.5 in, a widescreen slide
}
FORMATS = ("png", "pdf", "svg")
_A4_AREA = 297.0 * 210.0
_MM = 1 / 25.4

#: Fixed values written into files so that two runs give the same bytes.
CREATOR = "gzplan-map"
SVG_HASHSALT = "gzplan-map"

# -- colours ----------------------------------------------------------------------------------

INK = "#222222"
MUTED = "#6b6b6b"
CITY_FILL = "#fbfaf6"
OUTSIDE_FILL = "#e8e9e6"
DISTRICT_EDGE = "#a9a39a"
CITY_EDGE = "#5f5a52"
DISTRICT_LABEL = "#9a948b"
WATER = "#cfe2f1"
RIVER = "#9fc3e3"
ROAD = "#d8cfc0"
AIRPORT = "#e4dfec"
NO_INDUSTRY = "#ffffff"
OTHER_INDUSTRY = "#b5b5b5"

#: Qualitative colours for industries, most frequent industry first (colour-blind aware order).
INDUSTRY_PALETTE = (
    "#1f77b4",
    "#e6550d",
    "#31a354",
    "#d62728",
    "#756bb1",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#fdae6b",
    "#637939",
    "#9ecae1",
)


#: matplotlib marker of each shape in :data:`spatial.schema.ROLE_SHAPES` (the web map's too).
_SHAPE_MARKERS = {
    "circle": "o",
    "square": "s",
    "diamond": "D",
    "triangle": "^",
    "triangle_down": "v",
    "star": "*",
    "pentagon": "p",
    "hexagon": "h",
    "cross": "P",
}
_MARKERS = {role: _SHAPE_MARKERS[shape] for role, shape in ROLE_SHAPES.items()}


@dataclass(frozen=True)
class RoleStyle:
    """How a role is drawn: marker for points, stroke for lines and polygon outlines."""

    colour: str
    marker: str = "o"
    size: float = 7.0  # marker size in points (diameter)
    linewidth: float = 1.0
    linestyle: str | tuple = "-"
    fill_alpha: float = 0.3  # polygon fill (industry colour) opacity; 0 = no fill
    priority: int = 50  # label priority, lower first
    label_size: float = 6.5
    zorder: float = 5.0


ROLE_STYLES: dict[str, RoleStyle] = {
    "axis": RoleStyle("#c62828", linewidth=3.2, priority=5, label_size=8, zorder=4.6),
    "axis_segment": RoleStyle(
        "#c62828",
        linewidth=0.8,
        linestyle=(0, (5, 3)),
        fill_alpha=0.0,
        priority=85,
        label_size=7,
        zorder=3.2,
    ),
    "core": RoleStyle(
        "#b71c1c", _MARKERS["core"], 15, 1.3, fill_alpha=0.35, priority=10, label_size=8, zorder=6
    ),
    "pole": RoleStyle("#d84315", _MARKERS["pole"], 8.5, 1.2, fill_alpha=0.35, priority=15, label_size=7.5),
    "corridor": RoleStyle(
        "#6a1b9a", linewidth=2.0, linestyle=(0, (6, 2.5)), priority=70, label_size=7, zorder=4.4
    ),
    "belt": RoleStyle(
        "#2e7d32",
        linewidth=1.0,
        linestyle=(0, (7, 2, 1.5, 2)),
        fill_alpha=0.10,
        priority=75,
        label_size=7,
        zorder=3.4,
    ),
    "zone": RoleStyle("#1565c0", _MARKERS["zone"], 7.5, 0.9, fill_alpha=0.30, priority=25, label_size=7),
    "node": RoleStyle("#37474f", _MARKERS["node"], 8.5, 0.9, priority=20, label_size=7.5),
    "park": RoleStyle("#37474f", _MARKERS["park"], 7, 0.8, fill_alpha=0.30, priority=40, label_size=6.2),
    "cluster": RoleStyle(
        "#795548",
        linewidth=0.9,
        linestyle=(0, (1.5, 1.5)),
        fill_alpha=0.08,
        priority=80,
        label_size=6.5,
        zorder=3.3,
    ),
    "university": RoleStyle("#37474f", _MARKERS["university"], 8, 0.8, priority=35),
    "lab": RoleStyle("#37474f", _MARKERS["lab"], 8, 0.8, priority=30),
    "facility": RoleStyle("#37474f", _MARKERS["facility"], 6, 0.8, priority=45, label_size=5.8),
}
DEFAULT_STYLE = RoleStyle("#37474f")
AXIS_NUMBER_COLOUR = "#c62828"


def style_of(role: str) -> RoleStyle:
    """The drawing style of a role (a neutral default for roles the styles don't know)."""
    return ROLE_STYLES.get(role, DEFAULT_STYLE)


# -- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapText:
    """The words on a map.

    Attributes
    ----------
    title : str
        Big title (Chinese).
    subtitle : str
        One line under the title: plan, issuer, date, filters.
    subtitle_en : str
        A second, smaller line in English (may be empty).
    source : str
        Source and licence line printed at the foot of the page.
    note : str
        Shown in the middle of the map when it has no features (e.g. "no features match").
    pdf_title : str
        Title written into PDF/SVG metadata (defaults to ``title``).
    """

    title: str
    subtitle: str = ""
    subtitle_en: str = ""
    source: str = ""
    note: str = ""
    pdf_title: str = ""


@dataclass
class BaseData:
    """Vector base layers in :data:`MAP_CRS`.

    Attributes
    ----------
    districts : GeoDataFrame
        Columns ``name``, ``name_en``, ``geometry``.
    city : GeoDataFrame or None
        The city outline.
    osm : dict of str to GeoDataFrame
        Cached OSM context groups (``water``, ``rivers``, ``roads``, ``airport``, …).
    """

    districts: gpd.GeoDataFrame
    city: gpd.GeoDataFrame | None = None
    osm: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class Tiles:
    """A web tile source to draw under the map (only when online)."""

    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 19


# -- page geometry ----------------------------------------------------------------------------


def page_pixels(size: str, dpi: int) -> tuple[int, int]:
    """Width and height in pixels of a raster export of ``size`` at ``dpi``."""
    w_mm, h_mm = PAGE_SIZES[size]
    return round(w_mm * _MM * dpi), round(h_mm * _MM * dpi)


def page_inches(size: str, dpi: int | None = None) -> tuple[float, float]:
    """Figure size in inches; with ``dpi``, nudged so the raster is exactly :func:`page_pixels`."""
    w_mm, h_mm = PAGE_SIZES[size]
    if dpi is None:
        return w_mm * _MM, h_mm * _MM
    w_px, h_px = page_pixels(size, dpi)
    # matplotlib truncates width * dpi; a hair over the exact value lands on the integer
    return (w_px + 1e-3) / dpi, (h_px + 1e-3) / dpi


@dataclass(frozen=True)
class _Layout:
    """Regions of the page in millimetres from the lower-left corner."""

    width: float
    height: float
    scale: float  # type and line scale relative to A4

    @property
    def margin(self) -> float:
        return 8.0 * self.scale

    @property
    def header(self) -> float:
        return 19.0 * self.scale

    @property
    def footer(self) -> float:
        return 9.0 * self.scale

    @property
    def panel(self) -> float:
        return 66.0 * self.scale

    @property
    def gap(self) -> float:
        return 4.0 * self.scale

    def map_box(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) of the map frame."""
        x = self.margin
        y = self.margin + self.footer
        w = self.width - 2 * self.margin - self.panel - self.gap
        h = self.height - 2 * self.margin - self.header - self.footer
        return x, y, w, h

    def panel_box(self) -> tuple[float, float, float, float]:
        mx, my, mw, mh = self.map_box()
        return mx + mw + self.gap, my, self.panel, mh

    def frac(self, box: tuple[float, float, float, float]) -> list[float]:
        x, y, w, h = box
        return [x / self.width, y / self.height, w / self.width, h / self.height]


# -- geometry to matplotlib -------------------------------------------------------------------


def _polygon_path(geom: shapely.Geometry) -> MplPath | None:
    """One compound path for a (multi)polygon, holes included."""
    rings = []
    for poly in shapely.get_parts(geom):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        rings.append(np.asarray(poly.exterior.coords)[:, :2])
        rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
    rings = [r for r in rings if len(r) >= 3]
    if not rings:
        return None
    verts = np.concatenate(rings)
    codes = np.full(len(verts), MplPath.LINETO, dtype=MplPath.code_type)
    start = 0
    for ring in rings:
        codes[start] = MplPath.MOVETO
        codes[start + len(ring) - 1] = MplPath.CLOSEPOLY
        start += len(ring)
    return MplPath(verts, codes)


def _line_segments(geoms: Sequence[shapely.Geometry]) -> tuple[list[np.ndarray], np.ndarray]:
    """Coordinate arrays of every line part, and the index of the geometry each came from."""
    arr = np.asarray(geoms, dtype=object)
    if arr.size == 0:
        return [], np.zeros(0, dtype=int)
    parts, src = shapely.get_parts(arr, return_index=True)
    lines = shapely.boundary(parts)
    is_line = np.isin(shapely.get_type_id(parts), (1, 2))  # LineString, LinearRing
    lines[is_line] = parts[is_line]
    lines, src2 = shapely.get_parts(lines, return_index=True)
    src = src[src2]
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    if len(coords) == 0:
        return [], np.zeros(0, dtype=int)
    splits = np.flatnonzero(np.diff(idx)) + 1
    segs = np.split(coords, splits)
    owners = src[idx[np.concatenate([[0], splits])]]
    return segs, owners


def _to_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("geometry without a CRS cannot be drawn")
    return gdf if gdf.crs.equals(MAP_CRS) else gdf.to_crs(MAP_CRS)


# -- industry colours -------------------------------------------------------------------------


def industry_colours(
    frame: pd.DataFrame, preferred: Sequence[str] = (), limit: int = len(INDUSTRY_PALETTE)
) -> dict[str, str]:
    """Colours for the industries in a frame: the most frequent first, ``preferred`` before all.

    Parameters
    ----------
    frame : DataFrame
        Features with an ``industries`` list column.
    preferred : sequence of str
        Tags that must get a colour (the industries a user filtered on), in this order.
    limit : int
        At most this many industries get their own colour; the rest share "other".
    """
    counts: dict[str, int] = {}
    for tags in frame["industries"]:
        for tag in tags or ():
            counts[tag] = counts.get(tag, 0) + 1
    first_seen = {tag: i for i, tag in enumerate(counts)}
    ranked = sorted(counts, key=lambda t: (-counts[t], first_seen[t]))
    ordered = [t for t in preferred if t in counts] + [t for t in ranked if t not in preferred]
    return {tag: INDUSTRY_PALETTE[i] for i, tag in enumerate(ordered[:limit])}


def _industry_coloured(frame: gpd.GeoDataFrame, number_axis: bool) -> gpd.GeoDataFrame:
    """The features whose colour says their industry: symbols (not numbered axis nodes) and
    filled polygons; lines and outlines are coloured by role."""
    if not len(frame):
        return frame
    kind = frame.geometry.geom_type
    point = kind.isin(["Point", "MultiPoint"])
    filled = kind.isin(["Polygon", "MultiPolygon"]) & frame["role"].map(
        lambda r: style_of(r).fill_alpha > 0
    )
    numbered = frame["axis_order"].notna() if number_axis else False
    return frame[(point & ~numbered) | filled]


def _primary_colour(tags: Sequence[str], colours: Mapping[str, str]) -> str:
    if not tags:
        return NO_INDUSTRY
    # the colour of the most prominent of the feature's industries
    order = {tag: i for i, tag in enumerate(colours)}
    known = sorted((t for t in tags if t in colours), key=order.__getitem__)
    return colours[known[0]] if known else OTHER_INDUSTRY


# -- label placement --------------------------------------------------------------------------


@dataclass
class _Label:
    text: str  # as drawn (may be wrapped)
    name: str  # as listed in the key
    x: float  # anchor, display pixels
    y: float
    radius: float  # clearance around the anchor, pixels
    size: float  # font size, points
    priority: float
    colour: str = INK
    centred: bool = False  # polygons: try the centre first
    leader_ok: bool = True


@dataclass(frozen=True)
class _Inset:
    """An enlarged view: the area it shows (map CRS) and where both sit (display pixels)."""

    extent: tuple[float, float, float, float]
    source_px: tuple[float, float, float, float]
    rect_px: tuple[float, float, float, float]


class _Placer:
    """Greedy, deterministic label placement in display (pixel) coordinates."""

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        self.bounds = bounds  # x0, y0, x1, y1 of the map frame
        self.boxes = np.zeros((0, 4))

    def block(self, box: tuple[float, float, float, float]) -> None:
        self.boxes = np.vstack([self.boxes, np.asarray(box, dtype=float)[None, :]])

    def free(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        bx0, by0, bx1, by1 = self.bounds
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            return False
        if not len(self.boxes):
            return True
        b = self.boxes
        hit = (b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1) & (b[:, 3] > y0)
        return not bool(hit.any())

    @staticmethod
    def candidates(
        x: float, y: float, w: float, h: float, r: float, centred: bool
    ) -> Iterator[tuple[float, float, str]]:
        """Lower-left corners of candidate boxes, with the text's multi-line alignment."""
        d = r * 0.7071
        if centred:
            yield x - w / 2, y - h / 2, "center"
        yield x + r, y - h / 2, "left"  # E
        yield x + d, y + d, "left"  # NE
        yield x + d, y - d - h, "left"  # SE
        yield x - r - w, y - h / 2, "right"  # W
        yield x - d - w, y + d, "right"  # NW
        yield x - d - w, y - d - h, "right"  # SW
        yield x - w / 2, y + r, "center"  # N
        yield x - w / 2, y - r - h, "center"  # S


# -- the map ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _to_map_crs() -> Transformer:
    return Transformer.from_crs("EPSG:4326", MAP_CRS, always_xy=True)


def _nice_length(target_m: float) -> float:
    exp = 10 ** math.floor(math.log10(target_m))
    for mult in (5, 2.5, 2, 1):
        if mult * exp <= target_m:
            return mult * exp
    return exp


def _fmt_km(metres: float) -> str:
    km = metres / 1000
    return f"{km:g}"


def _wrap_label(name: str, limit: int = 10) -> str:
    """Break a long Chinese name into two lines near its middle, at punctuation if possible."""
    if len(name) <= limit:
        return name
    mid = len(name) // 2
    best = mid
    for off in range(0, 4):
        for pos in (mid - off, mid + off):
            if 0 < pos < len(name) and (name[pos - 1] in "、，·）)—-" or name[pos] in "（(“"):
                return name[:pos] + "\n" + name[pos:]
    return name[:best] + "\n" + name[best:]


@lru_cache(maxsize=1)
def _industry_en() -> dict[str, str]:
    from spatial.taxonomy import load_taxonomy

    return {i.tag: i.en for i in load_taxonomy().industries}


def _short_segment_name(name: str) -> str:
    if "（" in name and name.endswith("）"):
        return name[name.index("（") + 1 : -1]
    return name


def _map_extent(
    frame: gpd.GeoDataFrame, base: BaseData, aspect: float, min_span_m: float
) -> tuple[float, float, float, float]:
    if len(frame):
        x0, y0, x1, y1 = frame.total_bounds
    elif base.city is not None and len(base.city):
        x0, y0, x1, y1 = base.city.total_bounds
    else:
        x0, y0, x1, y1 = base.districts.total_bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = max(x1 - x0, min_span_m) * 1.12
    h = max(y1 - y0, min_span_m) * 1.12
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _clip_simplify(geoms: gpd.GeoSeries, bbox: tuple[float, ...], tol: float) -> gpd.GeoSeries:
    arr = np.asarray(geoms.values, dtype=object)
    arr = shapely.clip_by_rect(arr, *bbox)
    arr = shapely.simplify(arr, tol, preserve_topology=True)
    keep = ~shapely.is_empty(arr)
    return gpd.GeoSeries(arr[keep], index=geoms.index[keep], crs=geoms.crs)


class _MapDrawer:
    """Draws one page. Sizes in points are multiplied by the page scale."""

    def __init__(
        self,
        frame: gpd.GeoDataFrame,
        base: BaseData,
        text: MapText,
        *,
        size: str,
        dpi: int,
        raster: bool,
        number_axis: bool,
        preferred_industries: Sequence[str],
        tiles: Tiles | None,
        focus_ids: Sequence[str] | None = None,
    ) -> None:
        w_mm, h_mm = PAGE_SIZES[size]
        self.focus_ids = focus_ids
        self.layout = _Layout(w_mm, h_mm, math.sqrt(w_mm * h_mm / _A4_AREA))
        self.s = self.layout.scale
        self.frame = frame
        self.base = base
        self.text = text
        self.number_axis = number_axis
        self.tiles = tiles
        self.fig = Figure(figsize=page_inches(size, dpi if raster else None), dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        self.coloured = _industry_coloured(frame, number_axis)
        self.colours = industry_colours(self.coloured, preferred_industries)
        self.labels: list[_Label] = []
        self.legend_roles: dict[str, str] = {}  # role -> "point" | "line" | "polygon"
        self.key: list[tuple[int, str]] = []
        self.key_overflow = 0
        self.forced_numbers = 0
        self.named = 0
        self.outside = 0  # features beyond the frame, shown by edge arrows
        self.is_main = True

    # units
    def pt(self, value: float) -> float:
        return value * self.s

    def px(self, points: float) -> float:
        """Points (already scaled) to display pixels."""
        return points * self.fig.dpi / 72.0

    # drawing
    def draw(self) -> Figure:
        lay = self.layout
        fig = self.fig
        fig.patch.set_facecolor("white")
        ax = fig.add_axes(lay.frac(lay.map_box()))
        self.ax = ax
        mw, mh = lay.map_box()[2:]
        focus = self.frame
        if self.focus_ids is not None:
            focus = self.frame[self.frame.index.isin(list(self.focus_ids))]
        extent = _map_extent(focus, self.base, mw / mh, min_span_m=8000.0)
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(OUTSIDE_FILL)
        for spine in ax.spines.values():
            spine.set_edgecolor(CITY_EDGE)
            spine.set_linewidth(self.pt(0.8))
        self.extent = extent
        # metres per pixel, for simplification and placement
        self.m_per_px = (extent[2] - extent[0]) / ax.get_window_extent(self.renderer).width
        bbox = ax.get_window_extent(self.renderer)
        self.placer = _Placer((bbox.x0 + 2, bbox.y0 + 2, bbox.x1 - 2, bbox.y1 - 2))

        self.tiles_drawn = self._draw_tiles() if self.tiles else False
        self._draw_base()
        self._draw_features()
        self._draw_furniture()
        labels = self.labels
        inset = self._plan_inset(self._place_names(labels, dry=True))
        if inset is not None:
            sx0, sy0, sx1, sy1 = inset.source_px
            labels = [lb for lb in labels if not (sx0 <= lb.x <= sx1 and sy0 <= lb.y <= sy1)]
            self._mark_inset(inset)
        self._place_numbers(self._place_names(labels))
        self._place_district_labels()
        if inset is not None:
            self._draw_inset(inset)
        self.inset = inset
        self._draw_header_footer()
        self._draw_panel()
        return fig

    def _draw_tiles(self) -> bool:
        import contextily
        import xyzservices

        provider = xyzservices.TileProvider(
            name="tiles",
            url=self.tiles.url,
            attribution=self.tiles.attribution,
            subdomains=self.tiles.subdomains,
            max_zoom=self.tiles.max_zoom,
        )
        contextily.add_basemap(
            self.ax,
            source=provider,
            crs=MAP_CRS,
            attribution=False,
            reset_extent=True,
            zorder=0.5,
        )
        self.ax.set_xlim(self.extent[0], self.extent[2])
        self.ax.set_ylim(self.extent[1], self.extent[3])
        return True

    def _draw_base(self) -> None:
        ax = self.ax
        tol = self.m_per_px * 0.5
        pad = 0.05 * (self.extent[2] - self.extent[0])
        bbox = (
            self.extent[0] - pad,
            self.extent[1] - pad,
            self.extent[2] + pad,
            self.extent[3] + pad,
        )
        districts = _clip_simplify(self.base.districts.geometry, bbox, tol)
        paths = [p for p in (_polygon_path(g) for g in districts) if p is not None]
        fill = "none" if self.tiles_drawn else CITY_FILL
        ax.add_collection(
            PatchCollection(
                [PathPatch(p) for p in paths],
                facecolors=fill,
                edgecolors=DISTRICT_EDGE,
                linewidths=self.pt(0.6),
                zorder=1,
            )
        )
        osm = self.base.osm
        for key, colour, z in (("water", WATER, 1.2), ("airport", AIRPORT, 1.15)):
            if key in osm and len(osm[key]):
                geoms = _clip_simplify(osm[key].geometry, bbox, tol)
                polys = [p for p in (_polygon_path(g) for g in geoms) if p is not None]
                ax.add_collection(
                    PatchCollection(
                        [PathPatch(p) for p in polys],
                        facecolors=colour,
                        edgecolors="none",
                        linewidths=0,
                        zorder=z,
                    )
                )
        for key, colour, lw, z in (("rivers", RIVER, 0.7, 1.25), ("roads", ROAD, 0.8, 1.3)):
            if key in osm and len(osm[key]):
                geoms = _clip_simplify(osm[key].geometry, bbox, tol)
                segs, _ = _line_segments(list(geoms))
                ax.add_collection(
                    LineCollection(segs, colors=colour, linewidths=self.pt(lw), zorder=z)
                )
        if self.base.city is not None:
            city = _clip_simplify(self.base.city.geometry, bbox, tol)
            segs, _ = _line_segments(list(city))
            ax.add_collection(
                LineCollection(segs, colors=CITY_EDGE, linewidths=self.pt(1.1), zorder=1.4)
            )

    def _feature_colour(self, row: pd.Series) -> str:
        return _primary_colour(row["industries"] or [], self.colours)

    def _draw_features(self, legend: bool = True) -> None:
        ax = self.ax
        frame = self.frame
        if not len(frame):
            return
        kinds = frame.geometry.geom_type.map(
            {
                "Point": "point",
                "MultiPoint": "point",
                "LineString": "line",
                "MultiLineString": "line",
                "Polygon": "polygon",
                "MultiPolygon": "polygon",
            }
        )
        to_px = ax.transData.transform
        numbered = self.number_axis & frame["axis_order"].notna()
        for role in [r for r in ROLES if r in set(frame["role"])] + sorted(
            set(frame["role"]) - set(ROLES)
        ):
            st = style_of(role)
            sub = frame[frame["role"] == role]
            sub_kinds = kinds[sub.index]
            # the legend shows a role's own symbol only if some feature is drawn with it
            own = sub_kinds[~((sub_kinds == "point") & numbered[sub.index])]
            if legend and len(own):
                self.legend_roles[role] = own.value_counts().idxmax()
            polys = sub[sub_kinds == "polygon"]
            if len(polys):
                fills = [
                    self._feature_colour(r) if st.fill_alpha > 0 else "none"
                    for _, r in polys.iterrows()
                ]
                paths = [_polygon_path(g) for g in polys.geometry]
                patches = [PathPatch(p) for p in paths if p is not None]
                fills = [f for f, p in zip(fills, paths, strict=True) if p is not None]
                ax.add_collection(
                    PatchCollection(
                        patches,
                        facecolors=fills,
                        alpha=None,
                        edgecolors="none",
                        zorder=st.zorder - 1.5,
                    )
                )
                if st.fill_alpha > 0:
                    ax.collections[-1].set_alpha(st.fill_alpha)
                ax.add_collection(
                    PatchCollection(
                        [PathPatch(p) for p in paths if p is not None],
                        facecolors="none",
                        edgecolors=st.colour,
                        linewidths=self.pt(st.linewidth),
                        linestyles=[st.linestyle],
                        zorder=st.zorder - 1.4,
                    )
                )
            lines = sub[sub_kinds == "line"]
            if len(lines):
                segs, _ = _line_segments(list(lines.geometry))
                if role == "axis":  # white casing under the axis
                    ax.add_collection(
                        LineCollection(
                            segs,
                            colors="white",
                            linewidths=self.pt(st.linewidth + 2.0),
                            zorder=st.zorder - 0.01,
                            capstyle="round",
                        )
                    )
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors=st.colour,
                        linewidths=self.pt(st.linewidth),
                        linestyles=[st.linestyle],
                        zorder=st.zorder,
                        capstyle="round",
                    )
                )
            points = sub[(sub_kinds == "point") & ~numbered[sub.index]]
            if len(points):
                xy = shapely.get_coordinates(shapely.centroid(np.asarray(points.geometry.values)))
                ax.scatter(
                    xy[:, 0],
                    xy[:, 1],
                    s=self.pt(st.size) ** 2,
                    marker=st.marker,
                    c=[self._feature_colour(r) for _, r in points.iterrows()],
                    edgecolors=INK,
                    linewidths=self.pt(0.6),
                    zorder=st.zorder + 1,
                )
                rad = self.px(self.pt(st.size)) / 2
                for x, y in to_px(xy):
                    self.placer.block((x - rad, y - rad, x + rad, y + rad))
        # axis nodes as numbered circles
        if numbered.any():
            nodes = frame[numbered].sort_values("axis_order")
            reps = shapely.point_on_surface(np.asarray(nodes.geometry.values))
            xy = shapely.get_coordinates(reps)
            d = self.pt(11)
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=d**2,
                marker="o",
                c=AXIS_NUMBER_COLOUR,
                edgecolors="white",
                linewidths=self.pt(1.0),
                zorder=7,
            )
            for (x, y), order in zip(xy, nodes["axis_order"], strict=True):
                ax.text(
                    x,
                    y,
                    f"{int(order)}",
                    ha="center",
                    va="center_baseline",
                    color="white",
                    fontsize=self.pt(6.5),
                    zorder=7.1,
                )
            for x, y in to_px(xy):
                rad = self.px(d) / 2
                self.placer.block((x - rad, y - rad, x + rad, y + rad))
        self._collect_labels(frame, kinds, numbered)

    def _collect_labels(
        self, frame: gpd.GeoDataFrame, kinds: pd.Series, numbered: pd.Series
    ) -> None:
        to_px = self.ax.transData.transform
        x0, y0, x1, y1 = self.extent
        view = shapely.box(x0, y0, x1, y1)
        for fid, row in frame.iterrows():
            role = row["role"]
            st = style_of(role)
            geom = row.geometry
            kind = kinds[fid]
            visible = shapely.intersection(geom, view)
            if visible.is_empty:
                if self.is_main:
                    self._edge_label(row, geom)
                continue
            if kind == "point":
                anchor = shapely.centroid(geom)
            elif kind == "line":
                if visible.geom_type == "MultiLineString":
                    visible = max(visible.geoms, key=lambda g: g.length)
                anchor = visible.interpolate(0.5, normalized=True)
            else:
                anchor = shapely.point_on_surface(visible)
            if not view.contains(anchor):
                continue
            name = str(row["name"])
            if role == "axis_segment":
                name = _short_segment_name(name)
            priority = st.priority
            if numbered[fid]:
                radius = self.px(self.pt(11)) / 2 + self.px(self.pt(1.5))
                priority = min(priority, 12) + float(row["axis_order"]) / 100
                size = max(st.label_size, 7.5)
            elif kind == "point":
                radius = self.px(self.pt(st.size)) / 2 + self.px(self.pt(1.5))
                size = st.label_size
            else:
                radius = self.px(self.pt(4))
                size = st.label_size
            colour = (
                st.colour
                if kind != "point"
                and role in ("axis", "axis_segment", "corridor", "belt", "cluster")
                else INK
            )
            x, y = to_px((anchor.x, anchor.y))
            self.labels.append(
                _Label(
                    _wrap_label(name),
                    name,
                    x,
                    y,
                    radius,
                    self.pt(size),
                    priority,
                    colour,
                    centred=kind == "polygon",
                )
            )

    def _edge_label(self, row: pd.Series, geom: shapely.Geometry) -> None:
        """A feature beyond the map frame: an arrow at the frame's edge, pointing to it, named."""
        ax = self.ax
        bbox = ax.get_window_extent(self.renderer)
        inset_px = self.px(self.pt(9))
        cx, cy = (bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2
        p = shapely.point_on_surface(geom)
        tx, ty = ax.transData.transform((p.x, p.y))
        dx, dy = tx - cx, ty - cy
        half_w, half_h = bbox.width / 2 - inset_px, bbox.height / 2 - inset_px
        t = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
        ex, ey = cx + dx * t, cy + dy * t
        angle = math.degrees(math.atan2(dy, dx))
        arrows = "→↗↑↖←↙↓↘"
        arrow = arrows[round(angle / 45) % 8]
        data_xy = ax.transData.inverted().transform((ex, ey))
        size = self.pt(7)
        ax.scatter(
            [data_xy[0]],
            [data_xy[1]],
            s=size**2,
            marker=(3, 0, angle - 90),
            c=self._feature_colour(row),
            edgecolors=INK,
            linewidths=self.pt(0.6),
            zorder=7,
        )
        rad = self.px(size) / 2
        self.placer.block((ex - rad, ey - rad, ex + rad, ey + rad))
        name = str(row["name"])
        self.labels.append(
            _Label(
                _wrap_label(name) + f" {arrow}",
                f"{name}（图幅外 {arrow}）",
                ex,
                ey,
                rad + self.px(self.pt(1.5)),
                self.pt(6.5),
                19,
                MUTED,
            )
        )
        self.outside += 1

    def _try_place(
        self, lb: _Label, w: float, h: float, rings: Sequence[float], centred: bool
    ) -> tuple[tuple[float, float, float, float], str, int] | None:
        for ring, r in enumerate(rings):
            for bx, by, align in _Placer.candidates(lb.x, lb.y, w, h, r, centred and not ring):
                box = (bx, by, bx + w, by + h)
                if self.placer.free(box):
                    return box, align, ring
        return None

    def _put_text(self, t, lb: _Label, box, align: str, pad: float, leader: bool) -> None:
        """Move a measured text artist into its box (data coordinates), with a leader if asked."""
        ax = self.ax
        inv = ax.transData.inverted()
        self.placer.block(box)
        t.set_transform(ax.transData)
        t.set_multialignment(align)
        t.set_clip_on(True)
        if align == "right":
            t.set_horizontalalignment("right")
            t.set_position(inv.transform((box[2] - pad, box[1] + pad)))
        elif align == "center":
            t.set_horizontalalignment("center")
            t.set_position(inv.transform(((box[0] + box[2]) / 2, box[1] + pad)))
        else:
            t.set_position(inv.transform((box[0] + pad, box[1] + pad)))
        if leader:
            # from the symbol's edge to the nearest point of the label box
            nx = min(max(lb.x, box[0]), box[2])
            ny = min(max(lb.y, box[1]), box[3])
            dx, dy = nx - lb.x, ny - lb.y
            dist = math.hypot(dx, dy) or 1.0
            sx, sy = lb.x + dx / dist * lb.radius * 0.8, lb.y + dy / dist * lb.radius * 0.8
            (ax0, ay0), (ax1, ay1) = inv.transform([(sx, sy), (nx, ny)])
            ax.add_line(
                Line2D([ax0, ax1], [ay0, ay1], color=MUTED, linewidth=self.pt(0.45), zorder=7.9)
            )
        self._add_halo(t)

    def _place_names(self, labels: Sequence[_Label], dry: bool = False) -> list[_Label]:
        """Place name labels, most important first; return the ones that fit nowhere.

        With ``dry``, only find out which would not fit: nothing is drawn and the placer is
        left as it was.
        """
        ax = self.ax
        saved = self.placer.boxes.copy()
        pad = self.px(self.pt(0.8))
        unlabelled: list[_Label] = []
        for lb in sorted(labels, key=lambda lb: (lb.priority, lb.text)):
            t = ax.text(
                0,
                0,
                lb.text,
                fontsize=lb.size,
                color=lb.colour,
                ha="left",
                va="bottom",
                zorder=8,
                linespacing=1.1,
                transform=None,
            )
            ext = t.get_window_extent(self.renderer)
            w, h = ext.width + 2 * pad, ext.height + 2 * pad
            rings = [lb.radius, lb.radius + self.px(self.pt(7)), lb.radius + self.px(self.pt(15))]
            chosen = self._try_place(lb, w, h, rings, lb.centred)
            if chosen is None or dry:
                t.remove()
                if chosen is None:
                    unlabelled.append(lb)
                else:
                    self.placer.block(chosen[0])
                continue
            box, align, ring = chosen
            self._put_text(t, lb, box, align, pad, leader=ring > 0)
            self.named += 1
        if dry:
            self.placer.boxes = saved
        return unlabelled

    def _place_numbers(self, unlabelled: Sequence[_Label]) -> None:
        """Key numbers for labels that fit nowhere, in reading order (top to bottom, left to
        right), continuing the key."""
        ax = self.ax
        pad = self.px(self.pt(0.8))
        band = self.px(self.pt(12))
        start = len(self.key) + 1
        ordered = sorted(unlabelled, key=lambda lb: (-round(lb.y / band), lb.x, lb.text))
        for i, lb in enumerate(ordered, start=start):
            t = ax.text(
                0,
                0,
                str(i),
                fontsize=self.pt(6),
                color=INK,
                ha="left",
                va="bottom",
                zorder=8.2,
                transform=None,
            )
            ext = t.get_window_extent(self.renderer)
            w, h = ext.width + 2 * pad, ext.height + 2 * pad
            rings = [
                lb.radius * 0.8,
                lb.radius + self.px(self.pt(6)),
                lb.radius + self.px(self.pt(13)),
            ]
            chosen = self._try_place(lb, w, h, rings, lb.centred)
            if chosen is None:  # a number must be shown: put it east, even over something
                self.forced_numbers += 1
                box = (lb.x + lb.radius, lb.y - h / 2, lb.x + lb.radius + w, lb.y + h / 2)
                chosen = (box, "left", 0)
            box, align, ring = chosen
            self._put_text(t, lb, box, align, pad, leader=ring > 0)
            self.key.append((i, lb.name))

    # -- the enlarged view of a crowded area --------------------------------------------------

    def _plan_inset(self, failed: Sequence[_Label]) -> _Inset | None:
        """Where to enlarge the area whose labels don't fit, and where on the map to show it.

        The enlarged view goes in a corner of the map frame that covers no feature, no symbol
        and neither the scale bar nor the north arrow; None when no corner is free or the
        enlargement would be less than 1.8 times.
        """
        if len(failed) < 4:
            return None
        px_mm = self.fig.dpi / 25.4
        pts = np.array([(lb.x, lb.y) for lb in failed])
        d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
        for radius_mm in (22, 15, 10, 7):
            radius = radius_mm * self.s * px_mm
            centre = int(np.argmax((d < radius).sum(axis=1)))
            cluster = pts[d[centre] < radius * 1.4]
            if len(cluster) < 4:
                return None
            inset = self._fit_inset(cluster)
            if inset is not None:
                return inset
        return None

    def _fit_inset(self, cluster: np.ndarray) -> _Inset | None:
        px_mm = self.fig.dpi / 25.4
        pad = 5 * self.s * px_mm
        cx0, cy0 = cluster.min(axis=0) - pad
        cx1, cy1 = cluster.max(axis=0) + pad
        cw, ch = cx1 - cx0, cy1 - cy0
        mb = self.ax.get_window_extent(self.renderer)
        margin = 2.5 * self.s * px_mm
        inv = self.ax.transData.inverted()
        geoms = np.asarray(self.frame.geometry.values)
        zoom = min(0.48 * mb.width / cw, 0.55 * mb.height / ch, 3.2)
        while zoom >= 1.8:
            iw, ih = cw * zoom, ch * zoom
            corners = [
                (mb.x1 - margin - iw, mb.y0 + margin),
                (mb.x1 - margin - iw, mb.y1 - margin - ih),
                (mb.x0 + margin, mb.y0 + margin),
                (mb.x0 + margin, mb.y1 - margin - ih),
            ]
            free = []
            for x, y in corners:
                rect = (x, y, x + iw, y + ih)
                overlaps_cluster = not (
                    rect[2] < cx0 or rect[0] > cx1 or rect[3] < cy0 or rect[1] > cy1
                )
                if overlaps_cluster or not self.placer.free(rect):
                    continue
                (dx0, dy0), (dx1, dy1) = inv.transform([(x, y), (x + iw, y + ih)])
                if shapely.intersects(geoms, shapely.box(dx0, dy0, dx1, dy1)).any():
                    continue
                dist = math.hypot(x + iw / 2 - (cx0 + cx1) / 2, y + ih / 2 - (cy0 + cy1) / 2)
                free.append((dist, rect))
            if free:
                rect = min(free)[1]
                (ex0, ey0), (ex1, ey1) = inv.transform([(cx0, cy0), (cx1, cy1)])
                return _Inset(
                    extent=(ex0, ey0, ex1, ey1), source_px=(cx0, cy0, cx1, cy1), rect_px=rect
                )
            zoom *= 0.85
        return None

    def _mark_inset(self, inset: _Inset) -> None:
        """Outline the enlarged area on the main map and keep labels off it and the inset."""
        ax = self.ax
        ex0, ey0, ex1, ey1 = inset.extent
        ax.add_patch(
            Rectangle(
                (ex0, ey0),
                ex1 - ex0,
                ey1 - ey0,
                facecolor="none",
                edgecolor=INK,
                linewidth=self.pt(0.8),
                linestyle=(0, (4, 2)),
                zorder=8.5,
            )
        )
        sx0, sy0, sx1, sy1 = inset.source_px
        rx0, ry0, rx1, ry1 = inset.rect_px
        # a connector from the outlined area to the enlarged view
        inv = ax.transData.inverted()
        a = inv.transform(((sx0 + sx1) / 2, (sy0 + sy1) / 2))
        b = inv.transform(((rx0 + rx1) / 2, (ry0 + ry1) / 2))
        outline = shapely.box(ex0, ey0, ex1, ey1).boundary
        (rdx0, rdy0), (rdx1, rdy1) = inv.transform([(rx0, ry0), (rx1, ry1)])
        frame_line = shapely.box(rdx0, rdy0, rdx1, rdy1).boundary
        link = shapely.LineString([a, b])
        p = shapely.intersection(link, outline)
        q = shapely.intersection(link, frame_line)
        if not p.is_empty and not q.is_empty:
            p = shapely.get_coordinates(p)[0]
            q = shapely.get_coordinates(q)[0]
            ax.add_line(
                Line2D(
                    [p[0], q[0]],
                    [p[1], q[1]],
                    color=INK,
                    linewidth=self.pt(0.6),
                    linestyle=(0, (4, 2)),
                    zorder=8.5,
                )
            )
        self.placer.block(inset.rect_px)
        self.placer.block(inset.source_px)

    def _draw_inset(self, inset: _Inset) -> None:
        """Draw the enlarged view: base, features, labels and key numbers, its own scale bar."""
        main = (self.ax, self.extent, self.placer, self.m_per_px, self.labels)
        fw, fh = self.fig.bbox.width, self.fig.bbox.height
        rx0, ry0, rx1, ry1 = inset.rect_px
        ax = self.fig.add_axes([rx0 / fw, ry0 / fh, (rx1 - rx0) / fw, (ry1 - ry0) / fh])
        ex0, ey0, ex1, ey1 = inset.extent
        ax.set_xlim(ex0, ex1)
        ax.set_ylim(ey0, ey1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(OUTSIDE_FILL)
        for spine in ax.spines.values():
            spine.set_edgecolor(INK)
            spine.set_linewidth(self.pt(1.0))
        ax.set_zorder(self.ax.get_zorder() + 1)
        bbox = ax.get_window_extent(self.renderer)
        try:
            self.ax = ax
            self.extent = inset.extent
            self.m_per_px = (ex1 - ex0) / bbox.width
            self.placer = _Placer((bbox.x0 + 2, bbox.y0 + 2, bbox.x1 - 2, bbox.y1 - 2))
            self.labels = []
            self.is_main = False
            self.tiles_drawn = self._draw_tiles() if self.tiles else False
            self._draw_base()
            self._draw_features(legend=False)
            title = ax.text(
                0.015,
                0.985,
                "放大图 Enlarged view",
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=self.pt(6.5),
                color=INK,
                zorder=10,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
            )
            ext = title.get_window_extent(self.renderer)
            self.placer.block((ext.x0 - 3, ext.y0 - 3, ext.x1 + 3, ext.y1 + 3))
            self._draw_scale_bar(note=False)
            self._place_numbers(self._place_names(self.labels))
            self._place_district_labels()
        finally:
            self.ax, self.extent, self.placer, self.m_per_px, self.labels = main
            self.is_main = True

    def _place_district_labels(self) -> None:
        ax = self.ax
        x0, y0, x1, y1 = self.extent
        view = shapely.box(x0, y0, x1, y1)
        to_px = ax.transData.transform
        inv = ax.transData.inverted()
        districts = self.base.districts
        span = x1 - x0
        size = self.pt(9 if span < 60_000 else 8)
        for _, row in districts.iterrows():
            visible = shapely.intersection(row.geometry, view)
            if visible.is_empty or visible.area < 0.01 * view.area:
                continue
            p = shapely.point_on_surface(visible)
            t = ax.text(
                0,
                0,
                row["name"],
                fontsize=size,
                color=DISTRICT_LABEL,
                ha="center",
                va="center",
                zorder=2,
                transform=None,
            )
            ext = t.get_window_extent(self.renderer)
            # the district's surface point, then points spread over its visible part
            bx0, by0, bx1, by1 = visible.bounds
            tries = [(p.x, p.y)] + [
                (bx0 + (bx1 - bx0) * fx, by0 + (by1 - by0) * fy)
                for fy in (0.5, 0.3, 0.7, 0.15, 0.85)
                for fx in (0.5, 0.3, 0.7, 0.15, 0.85)
            ]
            for x, cy in to_px(tries):
                box = (
                    x - ext.width / 2,
                    cy - ext.height / 2,
                    x + ext.width / 2,
                    cy + ext.height / 2,
                )
                probe = inv.transform([(box[0], box[1]), (box[2], box[3])])
                inside = visible.contains(shapely.box(*probe[0], *probe[1]))
                if inside and self.placer.free(box):
                    self.placer.block(box)
                    t.set_transform(ax.transData)
                    t.set_position(inv.transform((x, cy)))
                    break
            else:
                t.remove()

    def _draw_furniture(self) -> None:
        """Scale bar (lower left), north arrow (upper right); both block labels."""
        self._draw_scale_bar(note=True)
        self._draw_north_arrow()

    def _draw_scale_bar(self, note: bool) -> None:
        """A true-scale bar in the lower left, sized in paper millimetres."""
        ax = self.ax
        x0, y0, x1, y1 = self.extent
        span = x1 - x0
        to_px = ax.transData.transform
        mm = self.m_per_px * self.fig.dpi / 25.4  # metres per paper millimetre
        length = _nice_length(span * 0.22)
        bar_h = 1.1 * self.s * mm
        mx = x0 + 5 * self.s * mm
        my = y0 + (7.5 if note else 4.5) * self.s * mm
        lead = str(f"{length / 1000:g}").replace(".", "").lstrip("0")[:1]
        n = 4 if lead in "248" else 5
        step = length / n
        fs = self.pt(6.5)
        unit_w = self._text_px("公里 km", fs) * self.m_per_px
        bg = Rectangle(
            (mx - 2.5 * self.s * mm, my - (5.5 if note else 2.0) * self.s * mm),
            length + unit_w + 6.5 * self.s * mm,
            (9.5 if note else 6.2) * self.s * mm,
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=9,
        )
        ax.add_patch(bg)
        for i in range(n):
            ax.add_patch(
                Rectangle(
                    (mx + i * step, my),
                    step,
                    bar_h,
                    facecolor=INK if i % 2 == 0 else "white",
                    edgecolor=INK,
                    linewidth=self.pt(0.5),
                    zorder=9.1,
                )
            )
        for i in (0, n // 2, n) if n == 4 else (0, n):
            ax.text(
                mx + i * step,
                my + bar_h + 0.8 * self.s * mm,
                _fmt_km(i * step),
                ha="center",
                va="bottom",
                fontsize=fs,
                color=INK,
                zorder=9.2,
            )
        ax.text(
            mx + length + 1.5 * self.s * mm,
            my + bar_h / 2,
            "公里 km",
            ha="left",
            va="center",
            fontsize=fs,
            color=INK,
            zorder=9.2,
        )
        if note:
            ax.text(
                mx,
                my - 1.5 * self.s * mm,
                f"比例尺 1:{self._scale_denominator():,}（按 {self._page_name()} 打印）",
                ha="left",
                va="top",
                fontsize=self.pt(5.5),
                color=MUTED,
                zorder=9.2,
            )
        p0 = to_px((bg.get_x(), bg.get_y()))
        p1 = to_px((bg.get_x() + bg.get_width(), bg.get_y() + bg.get_height()))
        self.placer.block((p0[0], p0[1], p1[0], p1[1]))

    def _draw_north_arrow(self) -> None:
        ax = self.ax
        x0, y0, x1, y1 = self.extent
        span = x1 - x0
        to_px = ax.transData.transform
        # north arrow, turned by the grid convergence at the map centre
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        lon, lat = _to_map_crs().transform(cx, cy, direction="INVERSE")
        nx, ny = _to_map_crs().transform(lon, lat + 0.05)
        angle = math.atan2(nx - cx, ny - cy)  # radians east of grid north
        size = span * 0.022
        ax_x, ax_y = x1 - span * 0.045, y1 - (y1 - y0) * 0.09
        ca, sa = math.cos(angle), math.sin(angle)

        def rot(px_: float, py_: float) -> tuple[float, float]:
            return ax_x + px_ * ca + py_ * sa, ax_y - px_ * sa + py_ * ca

        tip, left, right, tail = (
            rot(0, size),
            rot(-size * 0.55, -size),
            rot(size * 0.55, -size),
            rot(0, -size * 0.45),
        )
        ax.add_patch(
            Polygon(
                [tip, left, tail],
                closed=True,
                facecolor="white",
                edgecolor=INK,
                linewidth=self.pt(0.6),
                zorder=9.1,
            )
        )
        ax.add_patch(
            Polygon(
                [tip, tail, right],
                closed=True,
                facecolor=INK,
                edgecolor=INK,
                linewidth=self.pt(0.6),
                zorder=9.1,
            )
        )
        lx, ly = rot(0, size * 1.25)
        self._add_halo(
            ax.text(
                lx,
                ly,
                "北 N",
                ha="center",
                va="bottom",
                fontsize=self.pt(7.5),
                color=INK,
                zorder=9.2,
            )
        )
        q0 = to_px((ax_x - size * 1.2, ax_y - size * 1.3))
        q1 = to_px((ax_x + size * 1.2, ax_y + size * 2.6))
        self.placer.block((q0[0], q0[1], q1[0], q1[1]))

    def _scale_denominator(self) -> int:
        mw = self.ax.get_window_extent(self.renderer).width / self.fig.dpi * 0.0254  # paper m
        denom = (self.extent[2] - self.extent[0]) / mw
        mag = 10 ** max(0, math.floor(math.log10(denom)) - 1)
        return int(round(denom / mag) * mag)

    def _page_name(self) -> str:
        w, h = self.layout.width, self.layout.height
        for name, (pw, ph) in PAGE_SIZES.items():
            if abs(pw - w) < 0.1 and abs(ph - h) < 0.1:
                return {"a4-landscape": "A4", "a3-landscape": "A3", "16x9": "16:9"}[name]
        return f"{w:.0f}×{h:.0f} mm"

    def _text_px(self, text: str, size: float) -> float:
        """Width in display pixels of one line of text at ``size`` points."""
        w, _h, _d = self.renderer.get_text_width_height_descent(
            text, FontProperties(size=size), ismath=False
        )
        return w

    def _fit_text(self, text: str, size: float, max_w_px: float) -> list[str]:
        """Break text into lines no wider than ``max_w_px`` (CJK has no spaces to break at)."""
        lines: list[str] = []
        for para in text.split("\n"):
            rest = para
            while rest:
                if self._text_px(rest, size) <= max_w_px:
                    lines.append(rest)
                    break
                lo, hi = 1, len(rest)  # the longest prefix that fits
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if self._text_px(rest[:mid], size) <= max_w_px:
                        lo = mid
                    else:
                        hi = mid - 1
                cut = lo
                # prefer to break after punctuation or a space, near the cut
                for j in range(cut, max(cut - 12, 1), -1):
                    if rest[j - 1] in "；;，,。 、)）":
                        cut = j
                        break
                lines.append(rest[:cut].rstrip())
                rest = rest[cut:].lstrip()
        return lines

    def _add_halo(self, t: Text) -> None:
        """A white outline under a text, as a separate artist: the text itself stays text
        (searchable and selectable in the PDF) instead of being turned into paths."""
        halo = Text(
            *t.get_position(),
            t.get_text(),
            color="white",
            fontproperties=t.get_fontproperties(),
            ha=t.get_horizontalalignment(),
            va=t.get_verticalalignment(),
            multialignment=t._multialignment,
            linespacing=t._linespacing,
            path_effects=[patheffects.Stroke(linewidth=2.2 * self.s, foreground="white")],
            zorder=t.get_zorder() - 0.005,
            clip_on=t.get_clip_on(),
        )
        halo.set_transform(t.get_transform())
        t.axes.add_artist(halo) if t.axes is not None else self.fig.add_artist(halo)
        if t.get_clip_on() and t.axes is not None:
            halo.set_clip_path(t.axes.patch)

    def _draw_header_footer(self) -> None:
        lay = self.layout
        fig = self.fig
        x = lay.margin / lay.width
        top = 1 - lay.margin / lay.height
        max_w = self.px((lay.width - 2 * lay.margin) / 25.4 * 72)
        title_size = self.pt(15)
        title_lines = self._fit_text(self.text.title, title_size, max_w)[:2]
        if len(title_lines) > 1:
            title_size = self.pt(12.5)
            title_lines = self._fit_text(self.text.title, title_size, max_w)[:2]
        fig.text(
            x,
            top,
            "\n".join(title_lines),
            fontsize=title_size,
            color=INK,
            ha="left",
            va="top",
            linespacing=1.15,
        )
        line_h = title_size * 1.25 * len(title_lines) / 72 * 25.4  # mm
        sub_top = top - line_h / lay.height
        if self.text.subtitle:
            sub = self._fit_text(self.text.subtitle, self.pt(8.5), max_w)[0]
            fig.text(x, sub_top, sub, fontsize=self.pt(8.5), color=INK, ha="left", va="top")
            sub_top -= self.pt(8.5) * 1.45 / 72 * 25.4 / lay.height
        if self.text.subtitle_en:
            sub = self._fit_text(self.text.subtitle_en, self.pt(7), max_w)[0]
            fig.text(x, sub_top, sub, fontsize=self.pt(7), color=MUTED, ha="left", va="top")
        # a rule under the header
        y_rule = (lay.height - lay.margin - lay.header + 1.5 * self.s) / lay.height
        fig.add_artist(
            Line2D(
                [x, 1 - x],
                [y_rule, y_rule],
                color=INK,
                linewidth=self.pt(0.6),
                transform=fig.transFigure,
            )
        )
        # the source line at the foot
        if self.text.source:
            size = self.pt(5.6)
            lines = self._fit_text(self.text.source, size, max_w)
            if len(lines) > 3:
                size = self.pt(5.0)
                lines = self._fit_text(self.text.source, size, max_w)
            fig.text(
                x,
                lay.margin / lay.height,
                "\n".join(lines),
                fontsize=size,
                color=MUTED,
                ha="left",
                va="bottom",
                linespacing=1.3,
            )
        if self.text.note and not len(self.frame):
            self._add_halo(
                self.ax.text(
                    0.5,
                    0.5,
                    self.text.note,
                    transform=self.ax.transAxes,
                    ha="center",
                    va="center",
                    fontsize=self.pt(11),
                    color=INK,
                    zorder=10,
                )
            )

    def _width_mm(self, text: str, size: float) -> float:
        """Width of one line of text in millimetres at ``size`` points."""
        t = self.fig.text(0, 0, text, fontsize=size)
        w = t.get_window_extent(self.renderer).width
        t.remove()
        return w / self.fig.dpi * 25.4

    def _wrap_mm(self, text: str, size: float, width_mm: float) -> list[str]:
        return self._fit_text(text, size, width_mm / 25.4 * self.fig.dpi)

    def _draw_panel(self) -> None:
        """Legend (roles, industries), the key to numbered features, and a locator map."""
        lay = self.layout
        px, py, pw, ph = lay.panel_box()
        pax = self.fig.add_axes(lay.frac((px, py, pw, ph)))
        pax.set_xlim(0, pw)
        pax.set_ylim(0, ph)
        pax.set_axis_off()
        self.pax = pax
        s = self.s
        row = 3.9 * s
        fs = self.pt(6.6)
        head = self.pt(7.8)
        y = ph - 1.0 * s
        sym = 3.2 * s  # symbol centre from the column's left edge
        gap = 7.5 * s  # text start from the column's left edge

        def header(label: str) -> None:
            nonlocal y
            pax.text(0, y, label, fontsize=head, color=INK, ha="left", va="top")
            y -= row * 1.3

        def fit(full: str, short: str, width: float) -> str:
            return full if self._width_mm(full, fs) <= width - gap - 0.5 * s else short

        header("图例 Legend")
        # roles, two columns
        entries: list[tuple[str, str, str]] = []  # (role, kind, label)
        if self.number_axis and len(self.frame) and self.frame["axis_order"].notna().any():
            entries.append(("__axis_node__", "point", "轴线节点（按轴序编号）"))
        for role, kind in self.legend_roles.items():
            zh, en = ROLES.get(role, (role, ""))
            entries.append((role, kind, f"{zh} {en}".strip()))
        col_w = pw / 2
        two_cols = len(entries) > 4
        rows_needed = math.ceil(len(entries) / 2) if two_cols else len(entries)
        for i, (role, kind, label) in enumerate(entries):
            c, r = (i % 2, i // 2) if two_cols else (0, i)
            x0 = c * col_w
            cy = y - r * row - row / 2
            self._legend_symbol(pax, role, kind, x0 + sym, cy)
            width = col_w if two_cols else pw
            text = label if role == "__axis_node__" else fit(label, label.split(" ")[0], width)
            pax.text(x0 + gap, cy, text, fontsize=fs, color=INK, ha="left", va="center_baseline")
        if not entries:
            pax.text(
                gap,
                y - row / 2,
                "（无要素）",
                fontsize=fs,
                color=INK,
                ha="left",
                va="center_baseline",
            )
            rows_needed = 1
        y -= rows_needed * row + row * 0.5

        # industries, one column
        counts: dict[str, int] = {}
        for tags in self.coloured["industries"]:
            for tag in tags or ():
                counts[tag] = counts.get(tag, 0) + 1
        if len(self.coloured):
            header("产业（要素数）Industry")
        en_of = _industry_en()
        items: list[tuple[str, str, str]] = []
        # only the colours some symbol on the map actually wears
        used = {_primary_colour(t or [], self.colours) for t in self.coloured["industries"]}
        for tag, colour in self.colours.items():
            if colour not in used:
                continue
            short = f"{tag}（{counts.get(tag, 0)}）"
            en = en_of.get(tag, "")
            items.append((colour, f"{short} {en}" if en else short, short))
        others = sorted(set(counts) - set(self.colours))
        if others and OTHER_INDUSTRY in used:
            items.append((OTHER_INDUSTRY, f"其他产业（{len(others)} 类）Other", "其他产业"))
        if any(not (t or []) for t in self.coloured["industries"]):
            items.append((NO_INDUSTRY, "未标注产业 No industry tag", "未标注产业"))
        for colour, full, short in items:
            cy = y - row / 2
            pax.add_patch(
                Circle((sym, cy), 1.35 * s, facecolor=colour, edgecolor=INK, linewidth=self.pt(0.5))
            )
            pax.text(
                gap,
                cy,
                fit(full, short, pw),
                fontsize=fs,
                color=INK,
                ha="left",
                va="center_baseline",
            )
            y -= row
        if items:
            note = "形状表示要素类型，颜色表示产业（多产业要素取图例中最靠前者）。"
            for line in self._wrap_mm(note, self.pt(5.4), pw):
                pax.text(
                    0, y - 0.3 * s, line, fontsize=self.pt(5.4), color=MUTED, ha="left", va="top"
                )
                y -= 2.6 * s
        y -= row * 0.5

        if self.key:
            y = self._draw_key(pax, y, pw)
        loc_h = min(36 * s, y - 0.5 * s)
        if loc_h > 22 * s and self.base.city is not None:
            self._draw_locator(pax, (0, 0, pw, loc_h))

    def _legend_symbol(self, pax: Axes, role: str, kind: str, x: float, y: float) -> None:
        s = self.s
        if role == "__axis_node__":
            pax.scatter(
                [x],
                [y],
                s=self.pt(8.5) ** 2,
                c=AXIS_NUMBER_COLOUR,
                edgecolors="white",
                linewidths=self.pt(0.8),
            )
            pax.text(
                x, y, "1", ha="center", va="center_baseline", color="white", fontsize=self.pt(5.5)
            )
            return
        st = style_of(role)
        if kind == "point":
            pax.scatter(
                [x],
                [y],
                s=min(self.pt(st.size), self.pt(10)) ** 2,
                marker=st.marker,
                c="#dddddd",
                edgecolors=INK,
                linewidths=self.pt(0.6),
            )
        elif kind == "line":
            if role == "axis":
                pax.add_line(
                    Line2D(
                        [x - 2.6 * s, x + 2.6 * s],
                        [y, y],
                        color="white",
                        linewidth=self.pt(st.linewidth + 2),
                    )
                )
            pax.add_line(
                Line2D(
                    [x - 2.6 * s, x + 2.6 * s],
                    [y, y],
                    color=st.colour,
                    linewidth=self.pt(st.linewidth),
                    linestyle=st.linestyle,
                )
            )
        else:
            pax.add_patch(
                Rectangle(
                    (x - 2.6 * s, y - 1.3 * s),
                    5.2 * s,
                    2.6 * s,
                    facecolor="#dddddd" if st.fill_alpha > 0 else "none",
                    edgecolor=st.colour,
                    linewidth=self.pt(st.linewidth),
                    linestyle=st.linestyle,
                )
            )

    def _draw_key(self, pax: Axes, y: float, pw: float) -> float:
        """List the numbered features in columns; return the y below the list."""
        s = self.s
        pax.text(
            0,
            y,
            "图中编号要素 Numbered features",
            fontsize=self.pt(7.2),
            color=INK,
            ha="left",
            va="top",
        )
        y -= 3.9 * s * 1.2
        bottom_reserved = 0.5 * s
        for size, ncols in ((5.8, 2), (5.2, 2), (5.0, 3)):
            fs = self.pt(size)
            line = size * 1.3 / 72 * 25.4 * s  # mm per line
            col_w = pw / ncols
            num_w = self._width_mm("00", fs) + 1.0 * s
            blocks = [(n, self._wrap_mm(name, fs, col_w - num_w - 1.0 * s)) for n, name in self.key]
            # flow the blocks into columns
            per_col = (y - bottom_reserved) / line
            needed = sum(len(b) for _, b in blocks)
            if needed <= per_col * ncols:
                break
        layout: list[tuple[int, float, int, list[str]]] = []
        col, used = 0, 0.0
        shown = 0
        for n, lines in blocks:
            if used + len(lines) > per_col:
                col, used = col + 1, 0.0
            if col >= ncols:
                break
            layout.append((col, y - used * line, n, lines))
            used += len(lines)
            shown += 1
        # keep the columns' bottom as low as the longest column
        lowest = y
        for col, top, n, lines in layout:
            x0 = col * col_w
            pax.text(
                x0 + num_w - 0.6 * s, top, str(n), fontsize=fs, color=INK, ha="right", va="top"
            )
            pax.text(
                x0 + num_w,
                top,
                "\n".join(lines),
                fontsize=fs,
                color=INK,
                ha="left",
                va="top",
                linespacing=1.3 * 0.92,
            )
            lowest = min(lowest, top - len(lines) * line)
        if shown < len(self.key):
            rest = len(self.key) - shown
            lowest = 0.5 * s + 2.5 * s
            pax.text(
                0,
                0.5 * s,
                f"另有 {rest} 处编号要素因版面所限未列出（见交互地图）",
                fontsize=self.pt(5.4),
                color="#b71c1c",
                ha="left",
                va="bottom",
            )
            self.key_overflow = rest
        return lowest - 1.5 * s

    def _draw_locator(self, pax: Axes, box: tuple[float, float, float, float]) -> None:
        lay = self.layout
        px, py, _pw, _ph = lay.panel_box()
        x, y, w, h = box
        lax = self.fig.add_axes(lay.frac((px + x, py + y, w, h)))
        lax.set_xticks([])
        lax.set_yticks([])
        for spine in lax.spines.values():
            spine.set_edgecolor(DISTRICT_EDGE)
            spine.set_linewidth(self.pt(0.5))
        lax.set_facecolor(OUTSIDE_FILL)
        cx0, cy0, cx1, cy1 = self.base.city.total_bounds
        ex = self.extent
        bx0, by0 = min(cx0, ex[0]), min(cy0, ex[1])
        bx1, by1 = max(cx1, ex[2]), max(cy1, ex[3])
        bw, bh = (bx1 - bx0) * 1.06, (by1 - by0) * 1.06
        aspect = w / h
        if bw / bh < aspect:
            bw = bh * aspect
        else:
            bh = bw / aspect
        mx, my = (bx0 + bx1) / 2, (by0 + by1) / 2
        lax.set_xlim(mx - bw / 2, mx + bw / 2)
        lax.set_ylim(my - bh / 2, my + bh / 2)
        lax.set_aspect("equal", adjustable="box")
        tol = bw / (w / 25.4 * self.fig.dpi) * 0.7
        geoms = shapely.simplify(np.asarray(self.base.districts.geometry.values), tol)
        lax.add_collection(
            PatchCollection(
                [PathPatch(p) for p in (_polygon_path(g) for g in geoms) if p is not None],
                facecolors=CITY_FILL,
                edgecolors=DISTRICT_EDGE,
                linewidths=self.pt(0.3),
            )
        )
        lax.add_patch(
            Rectangle(
                (ex[0], ex[1]),
                ex[2] - ex[0],
                ex[3] - ex[1],
                facecolor="none",
                edgecolor="#c62828",
                linewidth=self.pt(1.0),
            )
        )
        lax.text(
            0.03,
            0.97,
            "位置 Locator",
            transform=lax.transAxes,
            ha="left",
            va="top",
            fontsize=self.pt(5.6),
            color=MUTED,
        )


# -- public entry points ----------------------------------------------------------------------


@contextmanager
def map_style() -> Iterator[None]:
    """rcParams for map exports: the CJK font, TrueType embedding in PDF, fixed SVG ids."""
    family = register_cjk_font()
    with matplotlib.rc_context(
        {
            "font.family": [family, "DejaVu Sans"],
            "pdf.fonttype": 42,
            "svg.fonttype": "path",
            "svg.hashsalt": SVG_HASHSALT,
            "axes.unicode_minus": False,
            "path.simplify": True,
            "text.parse_math": False,
            "hatch.linewidth": 0.5,
        }
    ):
        yield


def prepare_base(
    districts: gpd.GeoDataFrame,
    city: gpd.GeoDataFrame | None = None,
    osm: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> BaseData:
    """Project base layers to :data:`MAP_CRS` once (callers cache the result)."""
    return BaseData(
        districts=_to_crs(districts),
        city=_to_crs(city) if city is not None else None,
        osm={k: _to_crs(v) for k, v in (osm or {}).items() if v is not None and len(v)},
    )


def draw_map(
    frame: gpd.GeoDataFrame,
    base: BaseData,
    text: MapText,
    *,
    size: str = "a4-landscape",
    dpi: int = 300,
    raster: bool = True,
    number_axis: bool = False,
    preferred_industries: Sequence[str] = (),
    tiles: Tiles | None = None,
    focus_ids: Sequence[str] | None = None,
) -> Figure:
    """Draw one map page; call inside :func:`map_style`.

    Parameters
    ----------
    frame : GeoDataFrame
        The features to draw (any CRS; reprojected to :data:`MAP_CRS`), layer columns.
    base : BaseData
        From :func:`prepare_base`.
    text : MapText
        Title, subtitle, source line.
    size : str
        A key of :data:`PAGE_SIZES`.
    dpi : int
        Raster resolution (the figure's dpi).
    raster : bool
        True for PNG: the page is sized to a whole number of pixels.
    number_axis : bool
        Draw features with an ``axis_order`` as numbered circles.
    preferred_industries : sequence of str
        Industries that get the first colours (the user's industry filter).
    tiles : Tiles, optional
        Web tiles to draw under the vector base (the caller checks they can be fetched).
    focus_ids : sequence of str, optional
        Ids of the features the map frame is fitted to (default: all). Features beyond the
        frame are shown by an arrow at its edge, pointing to them, with their name.
    """
    if size not in PAGE_SIZES:
        raise ValueError(f"unknown page size {size!r}; known: {', '.join(PAGE_SIZES)}")
    frame = _to_crs(frame[frame.geometry.notna() & ~frame.geometry.is_empty])
    drawer = _MapDrawer(
        frame,
        base,
        text,
        size=size,
        dpi=dpi,
        raster=raster,
        number_axis=number_axis,
        preferred_industries=preferred_industries,
        tiles=tiles,
        focus_ids=focus_ids,
    )
    fig = drawer.draw()
    fig.gzplan_stats = {  # for reports and tests
        "features": len(frame),
        "named": drawer.named,
        "numbered": [name for _, name in drawer.key],
        "key_overflow": drawer.key_overflow,
        "forced_numbers": drawer.forced_numbers,
        "inset": drawer.inset is not None,
        "outside": drawer.outside,
    }
    return fig


def _fixed_date() -> _dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return None


#: zlib level for PNG: 4 encodes an A4 page at 300 dpi about twice as fast as the default 6,
#: for a file a few per cent larger.
PNG_COMPRESS_LEVEL = 4


def _png_bytes(fig: Figure, *, dpi: int, title: str) -> bytes:
    """Render with Agg and write an opaque RGB PNG (a quarter less data than RGBA)."""
    from PIL import Image, PngImagePlugin

    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi, facecolor="white")
    width, height = (round(v) for v in fig.canvas.get_width_height(physical=True))
    image = Image.frombuffer("RGBA", (width, height), raw.getbuffer(), "raw", "RGBA", 0, 1)
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", CREATOR)
    if title:
        info.add_itxt("Title", title)
    out = io.BytesIO()
    image.convert("RGB").save(
        out, format="PNG", dpi=(dpi, dpi), pnginfo=info, compress_level=PNG_COMPRESS_LEVEL
    )
    return out.getvalue()


def figure_bytes(fig: Figure, fmt: str, *, dpi: int, title: str = "") -> bytes:
    """Save a figure to PNG, PDF or SVG bytes with fixed metadata (same input, same bytes)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    buf = io.BytesIO()
    if fmt == "png":
        return _png_bytes(fig, dpi=dpi, title=title)
    if fmt == "pdf":
        metadata: dict[str, object]
        metadata = {
            "Creator": CREATOR,
            "Producer": CREATOR,
            "CreationDate": _fixed_date(),
            "ModDate": None,
        }
        if title:
            metadata["Title"] = title
    else:
        metadata = {"Creator": CREATOR, "Date": None}
        if title:
            metadata["Title"] = title
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()
