"""Draw one map page: the order of the layers, the enlarged view, and :func:`draw_map`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.figure import Figure

from spatial.plans.schema import OUTSIDE_ROLE
from spatial.plot.context import Tiles, draw_base, draw_tiles, place_district_labels
from spatial.plot.features import FeatureSet, draw_features
from spatial.plot.furniture import draw_north_arrow, draw_scale_bar
from spatial.plot.geometry import BaseData, map_extent, to_crs, view_extent
from spatial.plot.inset import Inset, plan_insets
from spatial.plot.labels import place_names, place_numbers
from spatial.plot.legend import draw_panel
from spatial.plot.overlay import Overlay, draw_overlays, prepare_overlays
from spatial.plot.page import PAGE_SIZES, Layout, MapText, Page, draw_header_footer
from spatial.plot.style import CITY_EDGE, INK
from spatial.plot.view import Tally, View, open_view
from spatial.symbology import DEFAULT_RULE

#: Widths of the panel beside the map (mm on A4), tried in turn until the key lists every
#: numbered feature: a crowded map gives up width to list them all rather than leave any out.
PANEL_WIDTHS = (66.0, 100.0, 134.0, 168.0)


class _MapDrawer:
    """Draws one page: map frame, enlarged view when an area is crowded, header, panel."""

    def __init__(
        self,
        feats: FeatureSet,
        base: BaseData,
        text: MapText,
        page: Page,
        tiles: Tiles | None,
        focus_ids: Sequence[str] | None = None,
        overlays: Sequence[Overlay] = (),
        view: tuple[tuple[float, float, float, float], float | None] | None = None,
    ) -> None:
        self.view = view
        self.overlays = list(overlays)
        self.feats = feats
        self.base = base
        self.text = text
        self.page = page
        self.tiles = tiles
        self.focus_ids = focus_ids
        self.tally = Tally()
        self.insets: list[Inset] = []

    def draw(self) -> Figure:
        """Draw everything; return the figure."""
        page, lay = self.page, self.page.layout
        frame = self.feats.frame
        focus = frame
        if self.focus_ids is not None:
            focus = frame[frame.index.isin(list(self.focus_ids))]
        if "role" in focus.columns and (focus["role"] != OUTSIDE_ROLE).any():
            focus = focus[focus["role"] != OUTSIDE_ROLE]  # 区外 context never widens the map
        mw, mh = lay.map_box()[2:]
        if self.view is not None:  # a view on screen: its extent, only what meets it
            extent = view_extent(self.view[0], (mw, mh), self.view[1])
            box = shapely.box(*extent)
            feats = self.feats
            self.feats = FeatureSet(frame[frame.intersects(box)], feats.number_axis,
                                    feats.preferred_industries, feats.rule)
            frame = self.feats.frame
        else:
            shown = pd.concat([focus.geometry, *(ov.frame.geometry for ov in self.overlays)])
            extent = map_extent(shown, self.base, mw / mh, min_span_m=8000.0)
        view = open_view(
            page, lay.frac(lay.map_box()), extent, self.tally, edge=CITY_EDGE, edge_width=0.8
        )
        self._draw_layers(view)
        draw_scale_bar(view, note=True)
        draw_north_arrow(view)
        insets = plan_insets(view, frame, place_names(view, view.labels, dry=True))
        labels = [lb for lb in view.labels if not any(i.covers(lb) for i in insets)]
        place_numbers(view, place_names(view, labels))
        place_district_labels(view, self.base)
        for inset in insets:
            self._draw_inset(view, inset)
        self.insets = insets
        draw_header_footer(page, self.text, view.ax, empty=not len(frame))
        draw_panel(page, self.feats, self.tally, self.base, view.extent, self.overlays)
        return page.fig

    def _draw_layers(self, view: View) -> None:
        view.tiles_drawn = draw_tiles(view, self.tiles) if self.tiles else False
        draw_base(view, self.base)
        draw_overlays(view, self.overlays)
        draw_features(view, self.feats)

    def _draw_inset(self, main: View, inset: Inset) -> None:
        """Draw the enlarged view: base, features, labels and key numbers, its own scale bar."""
        fig = self.page.fig
        fw, fh = fig.bbox.width, fig.bbox.height
        rx0, ry0, rx1, ry1 = inset.rect_px
        rect = [rx0 / fw, ry0 / fh, (rx1 - rx0) / fw, (ry1 - ry0) / fh]
        view = open_view(
            self.page, rect, inset.extent, self.tally, edge=INK, edge_width=1.0, is_main=False
        )
        view.ax.set_zorder(main.ax.get_zorder() + 1)
        self._draw_layers(view)
        title = view.ax.text(
            0.015,
            0.985,
            "放大图 Enlarged view",
            transform=view.ax.transAxes,
            ha="left",
            va="top",
            fontsize=view.pt(6.5),
            color=INK,
            zorder=10,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5},
        )
        ext = title.get_window_extent(self.page.renderer)
        view.placer.block((ext.x0 - 3, ext.y0 - 3, ext.x1 + 3, ext.y1 + 3))
        draw_scale_bar(view, note=False)
        place_numbers(view, place_names(view, view.labels))
        place_district_labels(view, self.base)


def printed_extent(
    bounds: tuple[float, float, float, float], size: str, scale: float | None = None
) -> tuple[float, float, float, float]:
    """The map frame (:data:`spatial.plot.geometry.MAP_CRS`) a page of ``size`` shows of a
    view on screen (WGS84 ``bounds``), as :func:`draw_map` draws it with ``extent``."""
    w_mm, h_mm = PAGE_SIZES[size]
    layout = Layout(w_mm, h_mm, math.sqrt(w_mm * h_mm / (297.0 * 210.0)), PANEL_WIDTHS[0])
    return view_extent(bounds, tuple(layout.map_box()[2:]), scale)


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
    colour_by: str = DEFAULT_RULE,
    tiles: Tiles | None = None,
    focus_ids: Sequence[str] | None = None,
    overlays: Sequence[Overlay] = (),
    extent: tuple[float, float, float, float] | None = None,
    scale: float | None = None,
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
    colour_by : str
        The colour rule of symbols and filled polygons (a key of
        :data:`spatial.symbology.RULES`): their industry or the plan that places them.
    tiles : Tiles, optional
        Web tiles to draw under the vector base (the caller checks they can be fetched).
    focus_ids : sequence of str, optional
        Ids of the features the map frame is fitted to (default: all). Features beyond the
        frame are shown by an arrow at its edge, pointing to them, with their name.
    overlays : sequence of Overlay
        Uploaded layers, drawn under the plan features, each with a legend entry named
        after its file; the map frame takes them in.
    extent : tuple of float, optional
        A view on screen to print, WGS84 (west, south, east, north): the map frame shows it
        (widened to the frame's shape), or with ``scale`` the frame at 1:``scale`` around its
        centre; only the features meeting the frame are drawn, listed and counted, and none
        beyond it is pointed to. ``focus_ids`` is then ignored.
    scale : float, optional
        The print scale's denominator, with ``extent``.
    """
    if size not in PAGE_SIZES:
        raise ValueError(f"unknown page size {size!r}; known: {', '.join(PAGE_SIZES)}")
    frame = to_crs(frame[frame.geometry.notna() & ~frame.geometry.is_empty])
    overlays = prepare_overlays(overlays)
    feats = FeatureSet(frame, number_axis, tuple(preferred_industries), colour_by)
    # a wider panel (a narrower map) only when the key to numbered features needs it
    for panel in PANEL_WIDTHS:
        page = Page(size, dpi, raster, panel)
        view = (extent, scale) if extent is not None else None
        drawer = _MapDrawer(feats, base, text, page, tiles, focus_ids, overlays, view)
        fig = drawer.draw()
        if not drawer.tally.key_overflow:
            break
    tally = drawer.tally
    fig.gzplan_stats = {  # for reports and tests
        "features": len(drawer.feats.frame),
        "named": tally.named,
        "numbered": [name for _, name in tally.key],
        "key_overflow": tally.key_overflow,
        "forced_numbers": tally.forced_numbers,
        "inset": bool(drawer.insets),
        "insets": len(drawer.insets),
        "outside": tally.outside,
    }
    return fig
