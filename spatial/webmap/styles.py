"""How each role is drawn on the web map: colour, marker shape, size, dash, and the legend.

Every role has its own colour of a distinct lightness, so the map still reads printed in grey,
plus its own marker shape (points) or dash pattern (lines and outlines).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spatial.schema import ROLE_SHAPES, ROLES, role_label
from spatial.webmap.popups import FONT_STACK, esc

OUTLINE = "#1a1a1a"


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
#: Roles drawn as an outlined area with no marker (their legend swatch is that area).
AREA_ROLES = ("cluster",)
#: Roles whose polygons get no marker at their centre (lines and area-wide shapes); their
#: labels are centred on the shape instead of set beside a marker.
UNMARKED_ROLES = LINE_ROLES + AREA_ROLES

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
    if role in AREA_ROLES:  # drawn as an outlined area, never as a marker
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        return (
            '<svg width="28" height="16" viewBox="0 0 28 16">'
            f'<rect x="2" y="2" width="24" height="12" rx="6" fill="{style.color}" '
            f'fill-opacity="{max(style.fill_opacity, 0.25)}" stroke="{style.color}" '
            f'stroke-width="{min(style.weight, 3)}"{dash}/></svg>'
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
