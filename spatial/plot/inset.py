"""The enlarged view of a crowded area: where to put it, and its outline on the main map."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from spatial.plot.labels import Label
from spatial.plot.style import INK
from spatial.plot.view import View


@dataclass(frozen=True)
class Inset:
    """An enlarged view: the area it shows (map CRS) and where both sit (display pixels)."""

    extent: tuple[float, float, float, float]
    source_px: tuple[float, float, float, float]
    rect_px: tuple[float, float, float, float]

    def covers(self, lb: Label) -> bool:
        """True when the label's anchor lies in the enlarged area."""
        sx0, sy0, sx1, sy1 = self.source_px
        return sx0 <= lb.x <= sx1 and sy0 <= lb.y <= sy1


def plan_insets(
    view: View, frame: gpd.GeoDataFrame, failed: Sequence[Label], limit: int = 3
) -> list[Inset]:
    """Enlarged views of the crowded areas, most crowded first, each kept off the others.

    Each is marked on the main map (:func:`mark_inset`) as soon as it is planned, so the next
    one avoids it; the labels it enlarges are not counted for the next.
    """
    insets: list[Inset] = []
    rest = list(failed)
    while len(insets) < limit:
        inset = plan_inset(view, frame, rest, insets)
        if inset is None:
            break
        mark_inset(view, inset)
        insets.append(inset)
        rest = [lb for lb in rest if not inset.covers(lb)]
    return insets


def plan_inset(
    view: View, frame: gpd.GeoDataFrame, failed: Sequence[Label], others: Sequence[Inset] = ()
) -> Inset | None:
    """Where to enlarge the area whose labels don't fit, and where on the map to show it.

    The enlarged view goes where it covers no feature, no symbol, no other enlarged view and
    neither the scale bar nor the north arrow, as near its area as it can; None when no place
    is free or the enlargement would be less than 1.8 times.
    """
    if len(failed) < 4:
        return None
    px_mm = view.page.fig.dpi / 25.4
    pts = np.array([(lb.x, lb.y) for lb in failed])
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    for radius_mm in (22, 15, 10, 7):
        radius = radius_mm * view.page.s * px_mm
        centre = int(np.argmax((d < radius).sum(axis=1)))
        cluster = pts[d[centre] < radius * 1.4]
        if len(cluster) < 4:
            return None
        inset = fit_inset(view, frame, cluster, others)
        if inset is not None:
            return inset
    return None


def fit_inset(
    view: View, frame: gpd.GeoDataFrame, cluster: np.ndarray, others: Sequence[Inset] = ()
) -> Inset | None:
    """The largest enlargement (1.8 to 3.2 times) of ``cluster`` (pixels) that fits a free
    place in the map frame; None when none fits."""
    px_mm = view.page.fig.dpi / 25.4
    pad = 5 * view.page.s * px_mm
    cx0, cy0 = cluster.min(axis=0) - pad
    cx1, cy1 = cluster.max(axis=0) + pad
    cw, ch = cx1 - cx0, cy1 - cy0
    if any(_touch((cx0, cy0, cx1, cy1), b) for o in others for b in (o.rect_px, o.source_px)):
        return None
    mb = view.ax.get_window_extent(view.page.renderer)
    margin = 2.5 * view.page.s * px_mm
    inv = view.ax.transData.inverted()
    geoms = np.asarray(frame.geometry.values)
    zoom = min(0.48 * mb.width / cw, 0.55 * mb.height / ch, 3.2)
    while zoom >= 1.8:
        iw, ih = cw * zoom, ch * zoom
        # the frame's corners first, then places on a grid over it
        xs = np.linspace(mb.x0 + margin, mb.x1 - margin - iw, 9)
        ys = np.linspace(mb.y0 + margin, mb.y1 - margin - ih, 9)
        corners = [(xs[-1], ys[0]), (xs[-1], ys[-1]), (xs[0], ys[0]), (xs[0], ys[-1])]
        free = []
        for x, y in corners + [(x, y) for x in xs for y in ys]:
            rect = (x, y, x + iw, y + ih)
            overlaps_cluster = not (
                rect[2] < cx0 or rect[0] > cx1 or rect[3] < cy0 or rect[1] > cy1
            )
            if overlaps_cluster or not view.placer.free(rect):
                continue
            (dx0, dy0), (dx1, dy1) = inv.transform([(x, y), (x + iw, y + ih)])
            if shapely.intersects(geoms, shapely.box(dx0, dy0, dx1, dy1)).any():
                continue
            dist = math.hypot(x + iw / 2 - (cx0 + cx1) / 2, y + ih / 2 - (cy0 + cy1) / 2)
            free.append((dist, rect))
        if free:
            rect = min(free)[1]
            (ex0, ey0), (ex1, ey1) = inv.transform([(cx0, cy0), (cx1, cy1)])
            return Inset(extent=(ex0, ey0, ex1, ey1), source_px=(cx0, cy0, cx1, cy1), rect_px=rect)
        zoom *= 0.85
    return None


def _touch(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def mark_inset(view: View, inset: Inset) -> None:
    """Outline the enlarged area on the main map and keep labels off it and the inset."""
    ax = view.ax
    ex0, ey0, ex1, ey1 = inset.extent
    ax.add_patch(
        Rectangle(
            (ex0, ey0),
            ex1 - ex0,
            ey1 - ey0,
            facecolor="none",
            edgecolor=INK,
            linewidth=view.pt(0.8),
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
                linewidth=view.pt(0.6),
                linestyle=(0, (4, 2)),
                zorder=8.5,
            )
        )
    view.placer.block(inset.rect_px)
    view.placer.block(inset.source_px)
