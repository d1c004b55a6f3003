"""How features are drawn on the web map: the SVG and pixel side of :mod:`spatial.symbology`.

Role colours, shapes, dashes, fill opacities, the colour rules and the legend entries come
from :mod:`spatial.symbology` (shared with the print maps); this module adds marker sizes and
line widths in pixels, SVG marker shapes and the HTML legend drawn from those entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spatial import symbology
from spatial.plaintext import esc
from spatial.plans.schema import ROLES, role_label
from spatial.symbology import (
    NEUTRAL_FILL,
    UNMARKED_ROLES,
    Legend,
    grey_level,
    swatch_kind,
)
from spatial.webmap.popups import FONT_STACK

__all__ = [
    "AREA_ROLES",
    "LINE_ROLES",
    "OUTLINE",
    "ROLE_STYLES",
    "RoleStyle",
    "UNMARKED_ROLES",
    "grey_level",
    "legend_html",
    "marker_svg",
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


def marker_svg(
    role: str | None,
    size: int | None = None,
    selected: bool = False,
    label: str | None = None,
    fill: str | None = None,
) -> str:
    """Inline SVG of a role's marker: its shape filled with ``fill`` (the colour rule's colour
    of the feature; default the neutral legend fill), dark outline.

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
        f'<g fill="{esc(fill or NEUTRAL_FILL)}" stroke="{OUTLINE}" stroke-width="{stroke_w}" '
        f'stroke-linejoin="round">{shape}</g></svg>'
    )


def number_svg(number: int | str, size: int = 18, label: str | None = None) -> str:
    """Inline SVG of a numbered axis node: a circle in the axis's colour with its number,
    as the print map draws the nodes of an axis segment. ``label`` as for :func:`marker_svg`."""
    colour = symbology.role_symbol("axis").colour
    aria = f' role="img" aria-label="{esc(label)}"' if label else ' aria-hidden="true"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 24 24" style="display:block;overflow:visible"{aria}>'
        f'<circle cx="12" cy="12" r="11" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
        f'<text x="12" y="16.5" text-anchor="middle" font-size="13" font-weight="600" '
        f'fill="#ffffff" font-family="sans-serif">{esc(str(number))}</text></svg>'
    )


def _swatch(role: str, swatch: str) -> str:
    """The legend swatch of a role, as the map draws it (``swatch``: marker, line, area,
    number; :attr:`spatial.symbology.SymbolEntry.swatch`)."""
    style = role_style(role)
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    if swatch == "number":
        return number_svg(1, size=16)
    if swatch == "line":
        width = min(style.weight, 5)
        scale = width / style.weight
        if style.dash:
            dash = ' stroke-dasharray="' + " ".join(
                f"{float(v) * scale:g}" for v in style.dash.split()
            ) + '"'
        casing = (
            f'<line x1="1" y1="7" x2="27" y2="7" stroke="#ffffff" stroke-width="{width + 2}"/>'
            if role == "axis"
            else ""
        )
        return (
            '<svg width="28" height="14" viewBox="0 0 28 14" aria-hidden="true">'
            f'{casing}<line x1="1" y1="7" x2="27" y2="7" stroke="{style.color}" '
            f'stroke-width="{width}"{dash}/></svg>'
        )
    if swatch == "area":
        fill = NEUTRAL_FILL if style.fill_opacity > 0 else "none"
        return (
            '<svg width="28" height="16" viewBox="0 0 28 16" aria-hidden="true">'
            f'<rect x="2" y="2" width="24" height="12" fill="{fill}" stroke="{style.color}" '
            f'stroke-width="{min(style.weight, 2.5)}"{dash}/></svg>'
        )
    return marker_svg(role, size=16, fill=NEUTRAL_FILL)


def _colour_swatch(colour: str) -> str:
    return (
        '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">'
        f'<circle cx="7" cy="7" r="5.5" fill="{esc(colour)}" stroke="{OUTLINE}" '
        'stroke-width="1"/></svg>'
    )


def _row(swatch: str, label: str, short: str, attrs: str) -> str:
    """One legend entry: the swatch and the short label; the whole label is its title and
    ``data-label``."""
    full = esc(label)
    return (
        f'<div class="gz-legend-entry" {attrs} data-label="{full}" title="{full}" '
        'style="display:flex;align-items:center;gap:5px;margin:1px 0;min-width:0">'
        f'<span style="flex:none;width:28px;display:inline-flex;justify-content:center">'
        f"{swatch}</span>"
        '<span style="white-space:nowrap;overflow:hidden;text-overflow:ellipsis">'
        f"{esc(short)}</span></div>"
    )


_GRID = 'style="display:grid;grid-template-columns:repeat(2,minmax(0,max-content));gap:0 10px"'


def legend_html(legend: Legend | Iterable[str], title: str = "图例 Legend") -> str:
    """The HTML legend: the shape part (each role's symbol as drawn, in a neutral fill) and
    the colour part (what the fills mean under the colour rule), from the same
    :class:`spatial.symbology.Legend` the print maps' legend is drawn from.

    Entries show their short label (the whole one is their title), two to a row, and the
    legend folds away (``<details>``), so it leaves the map in view.
    ``legend`` may also be roles only (a shape part, in the contract's legend order).
    """
    if not isinstance(legend, Legend):
        wanted = set(legend)
        roles = [r for r in ROLES if r in wanted] + sorted(wanted - set(ROLES))
        entries = tuple(
            symbology.SymbolEntry(
                r,
                "line" if r in ("axis", "corridor") else swatch_kind(r, "polygon"),
                role_label(r),
                role_label(r),
            )
            for r in roles
        )
        legend = Legend(symbology.DEFAULT_RULE, entries)
    body = f"<div {_GRID}>" + "".join(
        _row(
            _swatch(e.key, e.swatch),
            e.label,
            e.short,
            f'data-key="{esc(e.key)}" data-swatch="{esc(e.swatch)}"',
        )
        for e in legend.symbols
    ) + "</div>"
    if legend.colours:
        body += (
            f'<div class="gz-legend-head" style="font-weight:600;margin:4px 0 1px">'
            f"{esc(legend.colour_title)}</div><div {_GRID}>"
        )
        body += "".join(
            _row(_colour_swatch(c.colour), c.label, c.short, f'data-colour="{esc(c.colour)}"')
            for c in legend.colours
        )
        body += (
            '</div><div class="gz-legend-note" style="color:#555;font-size:11px;'
            f'max-width:340px;margin-top:3px">{esc(legend.note)}</div>'
        )
    return (
        f'<details class="gz-legend" data-rule="{esc(legend.rule)}" open '
        'style="background:rgba(255,255,255,0.92);padding:5px 8px;'
        f"border:1px solid #999;border-radius:4px;font:12px/1.3 {FONT_STACK};color:#111;"
        'max-height:42vh;max-width:380px;overflow-y:auto">'
        f'<summary style="font-weight:600;cursor:pointer;margin-bottom:2px">{esc(title)}'
        f"</summary>{body}</details>"
    )
