"""How features are drawn on the web map: the pixel and SVG side of :mod:`spatial.symbology`.

Role colours, shapes, dashes, fill opacities, the colour rules and the legend entries come
from :mod:`spatial.symbology` (shared with the print maps); this module adds marker sizes and
line widths in pixels and the SVG of each marker shape. The map client draws markers, lines
and the legend's swatches from these (:func:`spatial.webmap.client.client_style`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spatial import symbology
from spatial.symbology import (
    UNMARKED_ROLES,
    grey_level,
)

__all__ = [
    "AREA_ROLES",
    "LINE_ROLES",
    "OUTLINE",
    "ROLE_STYLES",
    "RoleStyle",
    "UNMARKED_ROLES",
    "grey_level",
    "role_style",
]

OUTLINE = "#1a1a1a"


@dataclass(frozen=True)
class RoleStyle:
    """How one role is drawn on screen.

    Attributes
    ----------
    color : str
        Line and outline colour: the role's :class:`spatial.symbology.RoleSymbol` colour.
        (Marker and polygon fills follow the colour rule, not the role.)
    shape : str
        Marker shape for point features: circle, square, diamond, triangle, triangle_down,
        star, pentagon, hexagon, cross or octagon.
    size : int
        Marker size in pixels.
    dash : str or None
        SVG dash pattern for lines and polygon outlines, in pixels (None: solid).
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
    fill_opacity: float = 0.30


def _style(role: str, size: int, weight: float) -> RoleStyle:
    sym = symbology.role_symbol(role)
    dash = " ".join(f"{v * weight:g}" for v in sym.dash) if sym.dash else None
    return RoleStyle(sym.colour, sym.shape, size, dash, weight, sym.fill_alpha)


#: role -> style, in the legend order of :data:`spatial.plans.schema.ROLES`: marker sizes and line
#: widths in pixels; everything else from :data:`spatial.symbology.ROLE_SYMBOLS`.
ROLE_STYLES: dict[str, RoleStyle] = {
    "axis": _style("axis", 14, 6.0),
    "axis_segment": _style("axis_segment", 12, 3.0),
    "core": _style("core", 28, 3.0),
    "pole": _style("pole", 24, 3.0),
    "corridor": _style("corridor", 12, 4.0),
    "belt": _style("belt", 12, 4.0),
    "zone": _style("zone", 17, 2.5),
    "node": _style("node", 18, 2.5),
    "park": _style("park", 17, 2.0),
    "cluster": _style("cluster", 20, 2.5),
    "university": _style("university", 18, 2.0),
    "lab": _style("lab", 17, 2.0),
    "facility": _style("facility", 16, 2.0),
    "outside": _style("outside", 12, 2.0),
}
_DEFAULT_STYLE = _style("", 14, 2.0)

#: Roles drawn as lines or as outlines of a corridor or a segment (distinct dashes).
LINE_ROLES = ("axis", "axis_segment", "corridor", "belt")
#: Roles drawn as an outlined area with no marker.
AREA_ROLES = ("cluster",)

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
    "octagon": '<polygon points="21.7,7.98 16.02,2.3 7.98,2.3 2.3,7.98 2.3,16.02 7.98,21.7 '
    '16.02,21.7 21.7,16.02"/>',
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


def role_style(role: str | None) -> RoleStyle:
    """The style of a role (a neutral grey style for an unknown role)."""
    return ROLE_STYLES.get(role or "", _DEFAULT_STYLE)


