"""Uploaded layers on the print map: drawn as on screen (:data:`spatial.symbology.OWN_SYMBOL`:
pins, dashed outlines, colours no role uses), under the plan features.

An uploaded file is untrusted: its name is drawn as plain text (math parsing is off in
:func:`spatial.plot.output.map_style`) and cut to fit the legend; its features are drawn, never
labelled (a name from a file could be anything, and the plan features' names come first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from spatial.plot.geometry import clip_simplify, line_segments, polygon_path, to_crs
from spatial.plot.page import Page
from spatial.plot.view import View
from spatial.symbology import GEOMETRY_KINDS, OWN_SYMBOL

#: The web map's symbol for an uploaded layer (spatial.webmap.client.own_layer_style).
OVERLAY_EDGE = OWN_SYMBOL.edge
OVERLAY_FILL = OWN_SYMBOL.fill
OVERLAY_FILL_ALPHA = OWN_SYMBOL.fill_alpha
OVERLAY_DASH = (0, OWN_SYMBOL.dash)
#: The pin of a point, y up, its tip at the origin (the point).
PIN = MplPath([(x, -y) for x, y in OWN_SYMBOL.pin] + [OWN_SYMBOL.pin[0]], closed=True)
#: Above the base and its context, below every plan feature.
OVERLAY_Z = 2.5


@dataclass(frozen=True)
class Overlay:
    """An uploaded layer to draw.

    Attributes
    ----------
    name : str
        What the legend calls it: the uploaded file's name (untrusted text).
    frame : GeoDataFrame
        Its features, any CRS (uploads are EPSG:4326).
    """

    name: str
    frame: gpd.GeoDataFrame

    def kinds(self) -> list[str]:
        """ "point", "line", "polygon": the kinds of geometry it has, in that order."""
        present = set(self.frame.geometry.geom_type.map(GEOMETRY_KINDS).dropna())
        return [k for k in ("polygon", "line", "point") if k in present]


def prepare_overlays(overlays: Sequence[Overlay]) -> list[Overlay]:
    """The overlays with features, reprojected to the map CRS, empty geometries dropped."""
    ready = []
    for ov in overlays:
        frame = ov.frame
        if frame is None or frame.empty:
            continue
        frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
        if len(frame):
            ready.append(Overlay(str(ov.name), to_crs(frame)))
    return ready


def draw_overlays(view: View, overlays: Sequence[Overlay]) -> None:
    """Draw every overlay in the view; its point symbols keep labels off."""
    pad = 0.05 * (view.extent[2] - view.extent[0])
    x0, y0, x1, y1 = view.extent
    bbox = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    tol = view.m_per_px * 0.5
    for ov in overlays:
        kinds = ov.frame.geometry.geom_type.map(GEOMETRY_KINDS)
        polys = clip_simplify(ov.frame.geometry[kinds == "polygon"], bbox, tol)
        paths = [p for p in (polygon_path(g) for g in polys) if p is not None]
        if paths:
            view.ax.add_collection(
                PatchCollection(
                    [PathPatch(p) for p in paths],
                    facecolors=OVERLAY_FILL,
                    alpha=OVERLAY_FILL_ALPHA,
                    edgecolors="none",
                    zorder=OVERLAY_Z,
                )
            )
        outlines = list(polys) + list(clip_simplify(ov.frame.geometry[kinds == "line"], bbox, tol))
        segs, _ = line_segments(outlines)
        if segs:
            view.ax.add_collection(
                LineCollection(
                    segs,
                    colors=OVERLAY_EDGE,
                    linewidths=view.pt(1.1),
                    linestyles=[OVERLAY_DASH],
                    zorder=OVERLAY_Z + 0.01,
                )
            )
        _draw_points(view, ov.frame.geometry[kinds == "point"], bbox)


def _draw_points(view: View, points: gpd.GeoSeries, bbox: tuple[float, ...]) -> None:
    if not len(points):
        return
    xy = shapely.get_coordinates(np.asarray(points.values, dtype=object))
    inside = (xy[:, 0] >= bbox[0]) & (xy[:, 0] <= bbox[2]) & (xy[:, 1] >= bbox[1])
    xy = xy[inside & (xy[:, 1] <= bbox[3])]
    if not len(xy):
        return
    size = view.pt(20.0)  # matplotlib fits a marker's path in half this: an 10 pt pin
    view.ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=size**2,
        marker=PIN,
        c=OVERLAY_FILL,
        edgecolors=OVERLAY_EDGE,
        linewidths=view.pt(0.9),
        zorder=OVERLAY_Z + 0.02,
    )
    tall = view.px(size) / 2  # the pin stands on the point: names keep off its head
    for x, y in view.ax.transData.transform(xy):
        view.placer.block((x - tall / 3, y, x + tall / 3, y + tall))


def overlay_symbol(page: Page, pax: Axes, kind: str, x: float, y: float) -> None:
    """The legend symbol of an overlay's geometry ``kind`` at (x, y) mm in the panel."""
    s = page.s
    if kind == "polygon":
        pax.add_patch(
            Rectangle(
                (x - 2.6 * s, y - 1.3 * s),
                5.2 * s,
                2.6 * s,
                facecolor=to_rgba(OVERLAY_FILL, OVERLAY_FILL_ALPHA),
                edgecolor=OVERLAY_EDGE,
                linewidth=page.pt(1.0),
                linestyle=OVERLAY_DASH,
            )
        )
    elif kind == "line":
        pax.add_line(
            Line2D(
                [x - 2.6 * s, x + 2.6 * s],
                [y, y],
                color=OVERLAY_EDGE,
                linewidth=page.pt(1.1),
                linestyle=OVERLAY_DASH,
            )
        )
    else:
        pax.scatter(
            [x],
            [y - 1.2 * s],
            s=page.pt(16) ** 2,
            marker=PIN,
            c=OVERLAY_FILL,
            edgecolors=OVERLAY_EDGE,
            linewidths=page.pt(0.8),
        )
