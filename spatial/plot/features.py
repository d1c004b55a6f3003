"""Plan features on the map: polygons, lines and symbols by role and colour rule
(:mod:`spatial.symbology`), edge arrows for features beyond the frame, and the name labels
waiting to be placed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import PathPatch

from spatial.plans.schema import ROLES
from spatial.plot.geometry import line_segments, polygon_path
from spatial.plot.labels import Label, short_segment_name, wrap_label
from spatial.plot.style import AXIS_NUMBER_COLOUR, INK, MUTED, style_of
from spatial.plot.view import View
from spatial.symbology import DEFAULT_RULE, GEOMETRY_KINDS, Symbology, role_symbol, symbolise

#: Diameter in points (A4) of a numbered axis node.
NUMBER_DIAMETER = 11


@dataclass
class FeatureSet:
    """The features of a page and how they are coloured.

    Attributes
    ----------
    frame : GeoDataFrame
        Layer columns, in the map CRS.
    number_axis : bool
        Features with an ``axis_order`` are drawn as numbered circles.
    preferred_industries : tuple of str
        Industries that get the first colours (the user's industry filter).
    rule : str
        The colour rule (a key of :data:`spatial.symbology.RULES`).
    symbology : Symbology
        Fill colours and legend entries (:func:`spatial.symbology.symbolise`).
    coloured : GeoDataFrame
        The features whose fill follows the colour rule.
    colours : dict of str to str
        Industry (or plan) -> colour, in legend order.
    """

    frame: gpd.GeoDataFrame
    number_axis: bool = False
    preferred_industries: tuple[str, ...] = ()
    rule: str = DEFAULT_RULE
    symbology: Symbology = field(init=False)
    coloured: gpd.GeoDataFrame = field(init=False)
    colours: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.symbology = symbolise(
            self.frame, self.rule, self.preferred_industries, self.number_axis
        )
        self.coloured = self.frame.loc[self.symbology.coloured]
        self.colours = self.symbology.colours

    def colour(self, row: pd.Series) -> str:
        """The fill colour of a feature under the colour rule."""
        return self.symbology.fill_of(row["industries"], row["plans"])

    def kinds(self) -> pd.Series:
        """ "point", "line" or "polygon" for each feature."""
        return self.frame.geometry.geom_type.map(GEOMETRY_KINDS)

    def numbered(self) -> pd.Series:
        """True for the features drawn as numbered circles."""
        return self.number_axis & self.frame["axis_order"].notna()

    def marked(self, kinds: pd.Series) -> pd.Series:
        """True for the features drawn with a symbol of their role's shape: points, and the
        polygons of places (cores, poles, zones …), which get one at their centre as on
        the web map; not numbered axis nodes."""
        places = self.frame["role"].map(lambda r: role_symbol(r).marked)
        return ((kinds == "point") | ((kinds == "polygon") & places)) & ~self.numbered()


def draw_features(view: View, feats: FeatureSet) -> None:
    """Draw every feature, block its symbol for labels, and queue its name."""
    ax = view.ax
    frame = feats.frame
    if not len(frame):
        return
    kinds = feats.kinds()
    to_px = ax.transData.transform
    numbered = feats.numbered()
    marked = feats.marked(kinds)
    for role in [r for r in ROLES if r in set(frame["role"])] + sorted(
        set(frame["role"]) - set(ROLES)
    ):
        st = style_of(role)
        sub = frame[frame["role"] == role]
        sub_kinds = kinds[sub.index]
        polys = sub[sub_kinds == "polygon"]
        if len(polys):
            fills = [feats.colour(r) if st.fill_alpha > 0 else "none" for _, r in polys.iterrows()]
            paths = [polygon_path(g) for g in polys.geometry]
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
                    linewidths=view.pt(st.linewidth),
                    linestyles=[st.linestyle],
                    zorder=st.zorder - 1.4,
                )
            )
        lines = sub[sub_kinds == "line"]
        if len(lines):
            segs, _ = line_segments(list(lines.geometry))
            if role == "axis":  # white casing under the axis
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors="white",
                        linewidths=view.pt(st.linewidth + 2.0),
                        zorder=st.zorder - 0.01,
                        capstyle="round",
                    )
                )
            ax.add_collection(
                LineCollection(
                    segs,
                    colors=st.colour,
                    linewidths=view.pt(st.linewidth),
                    linestyles=[st.linestyle],
                    zorder=st.zorder,
                    capstyle="round",
                )
            )
        points = sub[marked[sub.index]]
        if len(points):
            geoms = np.asarray(points.geometry.values)
            centres = np.where(
                sub_kinds[points.index] == "point",
                shapely.centroid(geoms),
                shapely.point_on_surface(geoms),
            )
            xy = shapely.get_coordinates(centres)
            ax.scatter(
                xy[:, 0],
                xy[:, 1],
                s=view.pt(st.size) ** 2,
                marker=st.marker,
                c=[feats.colour(r) for _, r in points.iterrows()],
                edgecolors=INK,
                linewidths=view.pt(0.6),
                zorder=st.zorder + 1,
            )
            rad = view.px(view.pt(st.size)) / 2
            for x, y in to_px(xy):
                view.placer.block((x - rad, y - rad, x + rad, y + rad))
    # axis nodes as numbered circles
    if numbered.any():
        nodes = frame[numbered].sort_values("axis_order")
        reps = shapely.point_on_surface(np.asarray(nodes.geometry.values))
        xy = shapely.get_coordinates(reps)
        d = view.pt(NUMBER_DIAMETER)
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=d**2,
            marker="o",
            c=AXIS_NUMBER_COLOUR,
            edgecolors="white",
            linewidths=view.pt(1.0),
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
                fontsize=view.pt(6.5),
                zorder=7.1,
            )
        for x, y in to_px(xy):
            rad = view.px(d) / 2
            view.placer.block((x - rad, y - rad, x + rad, y + rad))
    collect_labels(view, feats, kinds, numbered, marked)


def collect_labels(
    view: View, feats: FeatureSet, kinds: pd.Series, numbered: pd.Series, marked: pd.Series
) -> None:
    """Queue a label for every feature in the view; an edge arrow for those beyond it."""
    to_px = view.ax.transData.transform
    x0, y0, x1, y1 = view.extent
    shown = shapely.box(x0, y0, x1, y1)
    for fid, row in feats.frame.iterrows():
        role = row["role"]
        st = style_of(role)
        geom = row.geometry
        kind = kinds[fid]
        visible = shapely.intersection(geom, shown)
        if visible.is_empty:
            if view.is_main:
                edge_label(view, feats, row, geom)
            continue
        symbol = bool(marked[fid])  # labelled beside its symbol, as a point is
        if kind == "point":
            anchor = shapely.centroid(geom)
        elif symbol:
            anchor = shapely.point_on_surface(geom)
        elif kind == "line":
            if visible.geom_type == "MultiLineString":
                visible = max(visible.geoms, key=lambda g: g.length)
            anchor = visible.interpolate(0.5, normalized=True)
        else:
            anchor = shapely.point_on_surface(visible)
        if not shown.contains(anchor):
            continue
        name = str(row["name"])
        if role == "axis_segment":
            name = short_segment_name(name)
        priority = st.priority
        if numbered[fid]:
            radius = view.px(view.pt(NUMBER_DIAMETER)) / 2 + view.px(view.pt(1.5))
            priority = min(priority, 12) + float(row["axis_order"]) / 100
            size = max(st.label_size, 7.5)
        elif symbol:
            radius = view.px(view.pt(st.size)) / 2 + view.px(view.pt(1.5))
            size = st.label_size
        else:
            radius = view.px(view.pt(4))
            size = st.label_size
        colour = (
            st.colour
            if kind != "point" and role in ("axis", "axis_segment", "corridor", "belt", "cluster")
            else INK
        )
        x, y = to_px((anchor.x, anchor.y))
        view.labels.append(
            Label(
                wrap_label(name),
                name,
                x,
                y,
                radius,
                view.pt(size),
                priority,
                colour,
                centred=kind == "polygon" and not symbol,
            )
        )


def edge_label(view: View, feats: FeatureSet, row: pd.Series, geom: shapely.Geometry) -> None:
    """A feature beyond the map frame: an arrow at the frame's edge, pointing to it, named."""
    ax = view.ax
    bbox = ax.get_window_extent(view.page.renderer)
    inset_px = view.px(view.pt(9))
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
    size = view.pt(7)
    ax.scatter(
        [data_xy[0]],
        [data_xy[1]],
        s=size**2,
        marker=(3, 0, angle - 90),
        c=feats.colour(row),
        edgecolors=INK,
        linewidths=view.pt(0.6),
        zorder=7,
    )
    rad = view.px(size) / 2
    view.placer.block((ex - rad, ey - rad, ex + rad, ey + rad))
    name = str(row["name"])
    view.labels.append(
        Label(
            wrap_label(name) + f" {arrow}",
            f"{name}（图幅外 {arrow}）",
            ex,
            ey,
            rad + view.px(view.pt(1.5)),
            view.pt(6.5),
            19,
            MUTED,
        )
    )
    view.tally.outside += 1
