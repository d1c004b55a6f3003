"""Symbols and colours of print maps: one place for every role and industry colour lookup.

Encoding: the **shape** of a symbol (or the line style) says the feature's role, its **colour**
its industry (the first of its industries that the legend has a colour for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from spatial.schema import ROLE_SHAPES

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
RAIL = "#8c8c8c"
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
    "pole": RoleStyle(
        "#d84315", _MARKERS["pole"], 8.5, 1.2, fill_alpha=0.35, priority=15, label_size=7.5
    ),
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
    "zone": RoleStyle(
        "#1565c0", _MARKERS["zone"], 7.5, 0.9, fill_alpha=0.30, priority=25, label_size=7
    ),
    "node": RoleStyle("#37474f", _MARKERS["node"], 8.5, 0.9, priority=20, label_size=7.5),
    "park": RoleStyle(
        "#37474f", _MARKERS["park"], 7, 0.8, fill_alpha=0.30, priority=40, label_size=6.2
    ),
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


def role_shape(role: str) -> str:
    """The shape name (:data:`spatial.schema.ROLE_SHAPES`) of a role's point symbol."""
    return ROLE_SHAPES.get(role, "circle")


def style_of(role: str) -> RoleStyle:
    """The drawing style of a role (a neutral default for roles the styles don't know)."""
    return ROLE_STYLES.get(role, DEFAULT_STYLE)


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


def industry_coloured(frame: gpd.GeoDataFrame, number_axis: bool) -> gpd.GeoDataFrame:
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


def primary_colour(tags: Sequence[str], colours: Mapping[str, str]) -> str:
    """The colour a feature with industry ``tags`` wears, given the legend's ``colours``."""
    if not tags:
        return NO_INDUSTRY
    # the colour of the most prominent of the feature's industries
    order = {tag: i for i, tag in enumerate(colours)}
    known = sorted((t for t in tags if t in colours), key=order.__getitem__)
    return colours[known[0]] if known else OTHER_INDUSTRY
