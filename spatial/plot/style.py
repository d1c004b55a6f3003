"""Symbols and colours of print maps: the matplotlib side of :mod:`spatial.symbology`.

Encoding (:mod:`spatial.symbology`, shared with the web map): the **shape** of a symbol (or the
line style) says the feature's role, its **fill** follows the view's colour rule (the feature's
industry, or the plan that places it). Role colours, dashes, fill opacities and the colour
rules come from there; this module adds only what is particular to paper: matplotlib markers,
sizes and line widths in points, label priorities, z-order, and the base map's colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from spatial import symbology
from spatial.plans.schema import ROLE_SHAPES
from spatial.symbology import (  # noqa: F401  (the print maps' names for them)
    INDUSTRY_PALETTE,
    NO_INDUSTRY,
    OTHER_INDUSTRY,
    coloured_features,
    industry_colours,
    primary_colour,
)

# -- colours ----------------------------------------------------------------------------------

INK = "#222222"
MUTED = "#6b6b6b"
CITY_FILL = "#fbfaf6"
OUTSIDE_FILL = "#e8e9e6"
DISTRICT_EDGE = "#a9a39a"
CITY_EDGE = "#5f5a52"
DISTRICT_LABEL = "#9a948b"
WATER = symbology.CONTEXT_COLOURS["water"]
RIVER = symbology.CONTEXT_COLOURS["rivers"]
ROAD = symbology.CONTEXT_COLOURS["roads"]
AIRPORT = symbology.CONTEXT_COLOURS["airport"]
RAIL = symbology.CONTEXT_COLOURS["rail"]

#: matplotlib marker of each shape in :data:`spatial.plans.schema.ROLE_SHAPES` (the web map's too).
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
    "octagon": "8",
}


@dataclass(frozen=True)
class RoleStyle:
    """How a role is drawn on paper: marker for points, stroke for lines and polygon outlines.

    ``colour``, ``linestyle`` and ``fill_alpha`` are the role's :class:`spatial.symbology.
    RoleSymbol` (its colour, its dash in line widths, the opacity of the rule colour filling
    its polygons); the rest is particular to paper.
    """

    colour: str
    marker: str = "o"
    size: float = 7.0  # marker size in points (diameter)
    linewidth: float = 1.0
    linestyle: str | tuple = "-"
    fill_alpha: float = 0.3  # polygon fill (rule colour) opacity; 0 = no fill
    priority: int = 50  # label priority, lower first
    label_size: float = 6.5
    zorder: float = 5.0


def _style(role: str, size: float = 7.0, linewidth: float = 1.0, **kwargs: object) -> RoleStyle:
    sym = symbology.role_symbol(role)
    return RoleStyle(
        sym.colour,
        _SHAPE_MARKERS.get(sym.shape, "o"),
        size,
        linewidth,
        (0, sym.dash) if sym.dash else "-",
        sym.fill_alpha,
        **kwargs,  # type: ignore[arg-type]
    )


#: role -> print style: sizes, widths, label priorities and z-order per role.
ROLE_STYLES: dict[str, RoleStyle] = {
    "axis": _style("axis", linewidth=3.2, priority=5, label_size=8, zorder=4.6),
    "axis_segment": _style("axis_segment", linewidth=0.8, priority=85, label_size=7, zorder=3.2),
    "core": _style("core", 15, 1.3, priority=10, label_size=8, zorder=6),
    "pole": _style("pole", 8.5, 1.2, priority=15, label_size=7.5),
    "corridor": _style("corridor", linewidth=2.0, priority=70, label_size=7, zorder=4.4),
    "belt": _style("belt", linewidth=1.0, priority=75, label_size=7, zorder=3.4),
    "zone": _style("zone", 7.5, 0.9, priority=25, label_size=7),
    "node": _style("node", 8.5, 0.9, priority=20, label_size=7.5),
    "park": _style("park", 7, 0.8, priority=40, label_size=6.2),
    "cluster": _style("cluster", linewidth=0.9, priority=80, label_size=6.5, zorder=3.3),
    "university": _style("university", 8, 0.8, priority=35),
    "lab": _style("lab", 8, 0.8, priority=30),
    "facility": _style("facility", 6, 0.8, priority=45, label_size=5.8),
    "outside": _style("outside", 5, 0.8, priority=90, label_size=5.8, zorder=3.0),
}
DEFAULT_STYLE = _style("")
#: Fill of the numbered circles of axis nodes: the axis's own colour.
AXIS_NUMBER_COLOUR = symbology.role_symbol("axis").colour


def role_shape(role: str) -> str:
    """The shape name (:data:`spatial.plans.schema.ROLE_SHAPES`) of a role's point symbol."""
    return ROLE_SHAPES.get(role, "circle")


def style_of(role: str) -> RoleStyle:
    """The drawing style of a role (a neutral default for roles the styles don't know)."""
    return ROLE_STYLES.get(role, DEFAULT_STYLE)


# -- colour rule ------------------------------------------------------------------------------

#: The features whose fill follows the colour rule (:func:`spatial.symbology.coloured_features`).
industry_coloured = coloured_features
