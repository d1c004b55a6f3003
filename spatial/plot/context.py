"""The base and its context: web tiles (online only), districts, cached OSM context (water,
airport, rivers, roads, rail), the city outline and district names."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import PathPatch

from spatial.plot.geometry import MAP_CRS, BaseData, clip_simplify, line_segments, polygon_path
from spatial.plot.style import (
    AIRPORT,
    CITY_EDGE,
    CITY_FILL,
    DISTRICT_EDGE,
    DISTRICT_LABEL,
    RAIL,
    RIVER,
    ROAD,
    WATER,
)
from spatial.plot.view import View


@dataclass(frozen=True)
class Tiles:
    """A web tile source to draw under the map (only when online)."""

    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 19


#: The OSM context groups drawn, in legend order, with their legend labels.
CONTEXT_LEGEND = {
    "water": "水体 Water",
    "rivers": "河流 River",
    "roads": "高快速路 Main road",
    "rail": "铁路 Railway",
    "airport": "机场 Airport",
}


def draw_tiles(view: View, tiles: Tiles) -> bool:
    """Draw web tiles under the map (the caller checks they can be fetched)."""
    import contextily
    import xyzservices

    provider = xyzservices.TileProvider(
        name="tiles",
        url=tiles.url,
        attribution=tiles.attribution,
        subdomains=tiles.subdomains,
        max_zoom=tiles.max_zoom,
    )
    contextily.add_basemap(
        view.ax,
        source=provider,
        crs=MAP_CRS,
        attribution=False,
        reset_extent=True,
        zorder=0.5,
    )
    view.ax.set_xlim(view.extent[0], view.extent[2])
    view.ax.set_ylim(view.extent[1], view.extent[3])
    return True


def draw_base(view: View, base: BaseData) -> None:
    """Districts, OSM context and the city outline, clipped to the view and simplified."""
    ax = view.ax
    tol = view.m_per_px * 0.5
    pad = 0.05 * (view.extent[2] - view.extent[0])
    bbox = (
        view.extent[0] - pad,
        view.extent[1] - pad,
        view.extent[2] + pad,
        view.extent[3] + pad,
    )
    districts = clip_simplify(base.districts.geometry, bbox, tol)
    paths = [p for p in (polygon_path(g) for g in districts) if p is not None]
    fill = "none" if view.tiles_drawn else CITY_FILL
    ax.add_collection(
        PatchCollection(
            [PathPatch(p) for p in paths],
            facecolors=fill,
            edgecolors=DISTRICT_EDGE,
            linewidths=view.pt(0.6),
            zorder=1,
        )
    )
    osm = base.osm
    if view.is_main:
        view.tally.context = [k for k in CONTEXT_LEGEND if k in osm and len(osm[k])]
    for key, colour, z in (("water", WATER, 1.2), ("airport", AIRPORT, 1.15)):
        if key in osm and len(osm[key]):
            geoms = clip_simplify(osm[key].geometry, bbox, tol)
            polys = [p for p in (polygon_path(g) for g in geoms) if p is not None]
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
            geoms = clip_simplify(osm[key].geometry, bbox, tol)
            segs, _ = line_segments(list(geoms))
            ax.add_collection(LineCollection(segs, colors=colour, linewidths=view.pt(lw), zorder=z))
    _draw_rail(view, osm, bbox, tol)
    if base.city is not None:
        city = clip_simplify(base.city.geometry, bbox, tol)
        segs, _ = line_segments(list(city))
        ax.add_collection(
            LineCollection(segs, colors=CITY_EDGE, linewidths=view.pt(1.1), zorder=1.4)
        )


def _draw_rail(view: View, osm: dict, bbox: tuple[float, ...], tol: float) -> None:
    """Railway lines as grey lines with white dashes (stations are not drawn: a small square
    would read as a plan feature)."""
    if "rail" in osm and len(osm["rail"]):
        segs, _ = line_segments(list(clip_simplify(osm["rail"].geometry, bbox, tol)))
        for colour, lw, style, z in ((RAIL, 1.3, "-", 1.35), ("white", 0.6, (0, (3, 3)), 1.36)):
            view.ax.add_collection(
                LineCollection(
                    segs, colors=colour, linewidths=view.pt(lw), linestyles=[style], zorder=z
                )
            )


def place_district_labels(view: View, base: BaseData) -> None:
    """Name each district that shows, where its name fits inside it and collides with nothing."""
    ax = view.ax
    x0, y0, x1, y1 = view.extent
    shown = shapely.box(x0, y0, x1, y1)
    to_px = ax.transData.transform
    inv = ax.transData.inverted()
    districts = base.districts
    span = x1 - x0
    size = view.pt(9 if span < 60_000 else 8)
    for _, row in districts.iterrows():
        visible = shapely.intersection(row.geometry, shown)
        if visible.is_empty or visible.area < 0.01 * shown.area:
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
        ext = t.get_window_extent(view.page.renderer)
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
            if inside and view.placer.free(box):
                view.placer.block(box)
                t.set_transform(ax.transData)
                t.set_position(inv.transform((x, cy)))
                break
        else:
            t.remove()
