"""The panel beside the map: legend (shapes by role, fill colours by the colour rule; the
entries of :attr:`spatial.symbology.Symbology.legend`, as the web map's legend lists them), the
key to numbered features and a locator map."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, PathPatch, Rectangle

from spatial.plot.context import CONTEXT_LEGEND
from spatial.plot.features import FeatureSet
from spatial.plot.geometry import BaseData, polygon_path
from spatial.plot.overlay import Overlay, overlay_symbol
from spatial.plot.page import Page
from spatial.plot.style import (
    AIRPORT,
    AXIS_NUMBER_COLOUR,
    CITY_FILL,
    DISTRICT_EDGE,
    INK,
    MUTED,
    OUTSIDE_FILL,
    RAIL,
    RIVER,
    ROAD,
    WATER,
    style_of,
)
from spatial.plot.view import Tally
from spatial.symbology import AXIS_NODE, NEUTRAL_FILL

Extent = tuple[float, float, float, float]


class _Panel:
    """Writes the panel top down: ``y`` is the top of the next line, millimetres from the foot."""

    def __init__(self, page: Page, pax: Axes, top: float) -> None:
        self.page, self.pax, self.s = page, pax, page.s
        self.row = 3.9 * self.s
        self.fs = page.pt(6.6)
        self.y = top
        self.sym = 3.2 * self.s  # symbol centre from the column's left edge
        self.gap = 7.5 * self.s  # text start from the column's left edge
        self.line = 2.9 * self.s  # from one wrapped line of an entry to the next

    def header(self, label: str, x0: float = 0.0) -> None:
        self.pax.text(x0, self.y, label, fontsize=self.page.pt(7.8), color=INK, va="top")
        self.y -= self.row * 1.3

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in lines that fit a column ``width`` wide after the symbol: a label is
        wrapped, never cut (it never runs into the next column either)."""
        return self.page.wrap_mm(text, self.fs, width - self.gap - 0.5 * self.s) or [""]

    def height(self, lines: Sequence[str]) -> float:
        """The height an entry of ``lines`` takes: a row, and a line more per wrapped line."""
        return self.row + (len(lines) - 1) * self.line

    def entry(self, x0: float, cy: float, text: str | Sequence[str]) -> None:
        """An entry's text beside its symbol at ``cy``, wrapped lines below the first."""
        for j, line in enumerate([text] if isinstance(text, str) else text):
            self.pax.text(
                x0 + self.gap, cy - j * self.line, line, fontsize=self.fs, color=INK,
                ha="left", va="center_baseline",
            )

    def roles(self, feats: FeatureSet, x0: float, width: float) -> None:
        """The symbol of each role drawn, two columns when there are more than four."""
        entries = feats.symbology.legend.symbols
        per_row = 2 if len(entries) > 4 else 1
        col_w = width / per_row
        for start in range(0, len(entries), per_row):
            row = entries[start : start + per_row]
            wrapped = [self.wrap(entry.label, col_w) for entry in row]
            cy = self.y - self.row / 2
            for c, (entry, lines) in enumerate(zip(row, wrapped, strict=True)):
                cx = x0 + c * col_w
                legend_symbol(self.page, self.pax, entry.key, entry.swatch, cx + self.sym, cy)
                self.entry(cx, cy, lines)
            self.y -= max(self.height(lines) for lines in wrapped)
        if not entries:
            self.entry(x0, self.y - self.row / 2, "（无要素）")
            self.y -= self.row
        self.y -= self.row * 0.5

    def colours(self, feats: FeatureSet, x0: float, width: float) -> None:
        """A swatch per fill colour some symbol wears (an industry or a plan), with its count,
        and what they count."""
        legend = feats.symbology.legend
        if not legend.colours:
            return
        self.header(legend.colour_title, x0)
        for item in legend.colours:
            cy = self.y - self.row / 2
            self.pax.add_patch(
                Circle(
                    (x0 + self.sym, cy),
                    1.35 * self.s,
                    facecolor=item.colour,
                    edgecolor=INK,
                    linewidth=self.page.pt(0.5),
                )
            )
            lines = self.wrap(item.label, width)
            self.entry(x0, cy, lines)
            self.y -= self.height(lines)
        self.note(legend.note, x0, width)

    def uploads(self, overlays: Sequence[Overlay], x0: float, width: float) -> None:
        """An entry per uploaded layer: its symbols and its file name (at most two lines)."""
        if not overlays:
            return
        self.header("我的图层 Uploaded layers", x0)
        for ov in overlays:
            kinds = ov.kinds()
            cy = self.y - self.row / 2
            for j, kind in enumerate(kinds):
                overlay_symbol(self.page, self.pax, kind, x0 + self.sym, cy - j * self.row)
            lines = self.wrap(ov.name, width)  # the whole file name, wrapped
            self.entry(x0, cy, lines)
            self.y -= max(len(kinds) * self.row, self.height(lines))
        self.y -= self.row * 0.3

    def context(self, tally: Tally, x0: float, width: float) -> None:
        """The OSM context drawn under the plan features, two entries a row."""
        if not tally.context:
            return
        self.header("底图 Base map", x0)  # its sources are named in the source line
        col_w = width / 2
        keys = list(tally.context)
        for start in range(0, len(keys), 2):
            wrapped = [self.wrap(CONTEXT_LEGEND[key], col_w) for key in keys[start : start + 2]]
            cy = self.y - self.row / 2
            for c, (key, lines) in enumerate(zip(keys[start : start + 2], wrapped, strict=True)):
                cx = x0 + c * col_w
                context_symbol(self.page, self.pax, key, cx + self.sym, cy)
                self.entry(cx, cy, lines)
            self.y -= max(self.height(lines) for lines in wrapped)
        self.y -= self.row * 0.3

    def note(self, text: str, x0: float, width: float) -> None:
        size = self.page.pt(5.4)
        for line in self.page.wrap_mm(text, size, width):
            self.pax.text(x0, self.y - 0.3 * self.s, line, fontsize=size, color=MUTED, va="top")
            self.y -= 2.6 * self.s


#: Panels at least this wide (mm on A4) put the industries beside the roles, not under them.
_SIDE_BY_SIDE = 95.0


def draw_panel(
    page: Page,
    feats: FeatureSet,
    tally: Tally,
    base: BaseData,
    extent: Extent,
    overlays: Sequence[Overlay] = (),
) -> None:
    """Legend (shapes, fill colours), the key to numbered features, and a locator map."""
    lay = page.layout
    px, py, pw, ph = lay.panel_box()
    pax = page.fig.add_axes(lay.frac((px, py, pw, ph)))
    pax.set_xlim(0, pw)
    pax.set_ylim(0, ph)
    pax.set_axis_off()
    s = page.s
    panel = _Panel(page, pax, ph - 1.0 * s)
    panel.header("图例 Legend")
    if pw >= _SIDE_BY_SIDE * s:
        top, half = panel.y, pw / 2 - 1.5 * s
        panel.roles(feats, 0.0, half)
        below_roles = panel.y
        panel.y = top
        panel.colours(feats, pw / 2 + 1.5 * s, half)
        below_industries = panel.y
        panel.y = below_roles
        panel.uploads(overlays, 0.0, half)
        panel.context(tally, 0.0, half)
        panel.y = min(panel.y, below_industries)
    else:
        panel.roles(feats, 0.0, pw)
        panel.uploads(overlays, 0.0, pw)
        panel.colours(feats, 0.0, pw)
        panel.context(tally, 0.0, pw)
    y = panel.y - panel.row * 0.5
    if tally.key:
        y = draw_key(page, tally, pax, y, pw)
    loc_h = min(36 * s, y - 0.5 * s)
    if loc_h > 22 * s and base.city is not None:
        draw_locator(page, base, extent, (0, 0, pw, loc_h))


def legend_symbol(page: Page, pax: Axes, role: str, swatch: str, x: float, y: float) -> None:
    """The legend swatch of ``role`` at (x, y) mm: ``swatch`` is a
    :attr:`spatial.symbology.SymbolEntry.swatch` ("marker", "line", "area", "number")."""
    s = page.s
    if swatch == "number" or role == AXIS_NODE:
        pax.scatter(
            [x],
            [y],
            s=page.pt(8.5) ** 2,
            c=AXIS_NUMBER_COLOUR,
            edgecolors="white",
            linewidths=page.pt(0.8),
        )
        pax.text(x, y, "1", ha="center", va="center_baseline", color="white", fontsize=page.pt(5.5))
        return
    st = style_of(role)
    if swatch == "marker":
        pax.scatter(
            [x],
            [y],
            s=min(page.pt(st.size), page.pt(10)) ** 2,
            marker=st.marker,
            c=NEUTRAL_FILL,
            edgecolors=INK,
            linewidths=page.pt(0.6),
        )
    elif swatch == "line":
        if role == "axis":
            pax.add_line(
                Line2D(
                    [x - 2.6 * s, x + 2.6 * s],
                    [y, y],
                    color="white",
                    linewidth=page.pt(st.linewidth + 2),
                )
            )
        pax.add_line(
            Line2D(
                [x - 2.6 * s, x + 2.6 * s],
                [y, y],
                color=st.colour,
                linewidth=page.pt(st.linewidth),
                linestyle=st.linestyle,
            )
        )
    else:
        pax.add_patch(
            Rectangle(
                (x - 2.6 * s, y - 1.3 * s),
                5.2 * s,
                2.6 * s,
                facecolor=NEUTRAL_FILL if st.fill_alpha > 0 else "none",
                edgecolor=st.colour,
                linewidth=page.pt(st.linewidth),
                linestyle=st.linestyle,
            )
        )


def context_symbol(page: Page, pax: Axes, key: str, x: float, y: float) -> None:
    """The legend swatch of an OSM context group at (x, y) mm, drawn as on the map."""
    s = page.s
    if key in ("water", "airport"):
        colour = WATER if key == "water" else AIRPORT
        pax.add_patch(
            Rectangle(
                (x - 2.6 * s, y - 1.3 * s), 5.2 * s, 2.6 * s, facecolor=colour, edgecolor="none"
            )
        )
        return
    line = [x - 2.6 * s, x + 2.6 * s], [y, y]
    if key == "rail":
        pax.add_line(Line2D(*line, color=RAIL, linewidth=page.pt(1.3)))
        pax.add_line(Line2D(*line, color="white", linewidth=page.pt(0.6), linestyle=(0, (3, 3))))
        return
    colour, lw = (RIVER, 0.7) if key == "rivers" else (ROAD, 0.8)
    pax.add_line(Line2D(*line, color=colour, linewidth=page.pt(lw * 1.6)))


def draw_key(page: Page, tally: Tally, pax: Axes, y: float, pw: float) -> float:
    """List the numbered features in columns; return the y below the list."""
    s = page.s
    pax.text(
        0,
        y,
        "图中编号要素 Numbered features",
        fontsize=page.pt(7.2),
        color=INK,
        ha="left",
        va="top",
    )
    y -= 3.9 * s * 1.2
    note_h = 3.0 * s  # room for the overflow note under the columns
    cols = max(2, int(pw // (31 * s)))  # about 31 mm a column
    for size, ncols in ((5.8, cols), (5.2, cols), (5.0, cols + 1)):
        fs = page.pt(size)
        line = size * 1.3 / 72 * 25.4 * s  # mm per line
        col_w = pw / ncols
        num_w = page.width_mm("000" if len(tally.key) > 99 else "00", fs) + 1.0 * s
        blocks = [(n, page.wrap_mm(name, fs, col_w - num_w - 1.0 * s)) for n, name in tally.key]
        layout = _flow(blocks, (y - 0.5 * s) / line, ncols, y, line)
        if len(layout) == len(blocks):
            break
    else:
        layout = _flow(blocks, (y - 0.5 * s - note_h) / line, ncols, y, line)
    shown = len(layout)
    # keep the columns' bottom as low as the longest column
    lowest = y
    for col, top, n, lines in layout:
        x0 = col * col_w
        pax.text(x0 + num_w - 0.6 * s, top, str(n), fontsize=fs, color=INK, ha="right", va="top")
        pax.text(
            x0 + num_w,
            top,
            "\n".join(lines),
            fontsize=fs,
            color=INK,
            ha="left",
            va="top",
            linespacing=1.3 * 0.92,
        )
        lowest = min(lowest, top - len(lines) * line)
    if shown < len(tally.key):
        rest = len(tally.key) - shown
        lowest = 0.5 * s + 2.5 * s
        pax.text(
            0,
            0.5 * s,
            f"另有 {rest} 处编号要素因版面所限未列出（见交互地图）",
            fontsize=page.pt(5.4),
            color="#b71c1c",
            ha="left",
            va="bottom",
        )
        tally.key_overflow = rest
    return lowest - 1.5 * s


def _flow(
    blocks: list[tuple[int, list[str]]], per_col: float, ncols: int, top: float, line: float
) -> list[tuple[int, float, int, list[str]]]:
    """(column, top, number, lines) of each key entry that fits ``ncols`` columns of
    ``per_col`` lines, flowed top to bottom then left to right."""
    layout: list[tuple[int, float, int, list[str]]] = []
    col, used = 0, 0.0
    for n, lines in blocks:
        if used + len(lines) > per_col:
            col, used = col + 1, 0.0
        if col >= ncols:
            break
        layout.append((col, top - used * line, n, lines))
        used += len(lines)
    return layout


def draw_locator(page: Page, base: BaseData, extent: Extent, box: Extent) -> None:
    """A small map of the city with the map frame outlined, at ``box`` (mm) in the panel."""
    lay = page.layout
    px, py, _pw, _ph = lay.panel_box()
    x, y, w, h = box
    lax = page.fig.add_axes(lay.frac((px + x, py + y, w, h)))
    lax.set_xticks([])
    lax.set_yticks([])
    for spine in lax.spines.values():
        spine.set_edgecolor(DISTRICT_EDGE)
        spine.set_linewidth(page.pt(0.5))
    lax.set_facecolor(OUTSIDE_FILL)
    cx0, cy0, cx1, cy1 = base.city.total_bounds
    ex = extent
    bx0, by0 = min(cx0, ex[0]), min(cy0, ex[1])
    bx1, by1 = max(cx1, ex[2]), max(cy1, ex[3])
    bw, bh = (bx1 - bx0) * 1.06, (by1 - by0) * 1.06
    aspect = w / h
    if bw / bh < aspect:
        bw = bh * aspect
    else:
        bh = bw / aspect
    mx, my = (bx0 + bx1) / 2, (by0 + by1) / 2
    lax.set_xlim(mx - bw / 2, mx + bw / 2)
    lax.set_ylim(my - bh / 2, my + bh / 2)
    lax.set_aspect("equal", adjustable="box")
    tol = bw / (w / 25.4 * page.fig.dpi) * 0.7
    geoms = shapely.simplify(np.asarray(base.districts.geometry.values), tol)
    lax.add_collection(
        PatchCollection(
            [PathPatch(p) for p in (polygon_path(g) for g in geoms) if p is not None],
            facecolors=CITY_FILL,
            edgecolors=DISTRICT_EDGE,
            linewidths=page.pt(0.3),
        )
    )
    lax.add_patch(
        Rectangle(
            (ex[0], ex[1]),
            ex[2] - ex[0],
            ex[3] - ex[1],
            facecolor="none",
            edgecolor="#c62828",
            linewidth=page.pt(1.0),
        )
    )
    lax.text(
        0.03,
        0.97,
        "位置 Locator",
        transform=lax.transAxes,
        ha="left",
        va="top",
        fontsize=page.pt(5.6),
        color=MUTED,
    )
