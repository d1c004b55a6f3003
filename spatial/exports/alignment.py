"""The 规划衔接 briefing: one page (PNG/PDF) per district or district plan.

Left, the district's places coloured by alignment status (the web map's colours); right, the
counts, the industry table (city / district / status), the places the district plan takes up,
leaves out or weighs differently, and the key to numbered places. The page furniture (header,
source line, scale bar, north arrow, label placement) is the print maps' own
(:mod:`spatial.plot`), so the briefing meets the same bar: bundled CJK font, TrueType in PDF.

``gzmap export --alignment 花都区 --out huadu.pdf`` and the app's button call
:func:`render_alignment`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle

from spatial._errors import GzmapError
from spatial.exports.briefing import RENDER_LOCK, base_data, plan_layers, source_line, write_output
from spatial.exports.options import check_dpi, refuse_mixed
from spatial.plans.manifest import get_plan
from spatial.plot import MapText, figure_bytes, map_style
from spatial.plot.context import draw_base, place_district_labels
from spatial.plot.furniture import draw_north_arrow, draw_scale_bar
from spatial.plot.geometry import BaseData, map_extent, polygon_path, to_crs
from spatial.plot.labels import Label, place_names, place_numbers, wrap_label
from spatial.plot.page import Page, draw_header_footer
from spatial.plot.style import CITY_EDGE, INK, MUTED
from spatial.plot.view import Tally, View, open_view
from spatial.query import alignment as al
from spatial.symbology import GEOMETRY_KINDS

__all__ = ["BRIEFING_FORMATS", "alignment_cli", "alignment_figure", "render_alignment"]

BRIEFING_FORMATS = ("png", "pdf")
#: Share of the page width (inside the margins) the map takes, at least and at most.
MAP_SHARE = 0.53
MAP_SHARE_MAX = 0.6
#: Roles whose places get the larger dot: the layout's own elements.
LAYOUT_ROLES = ("core", "pole", "zone", "node", "axis_segment", "belt", "corridor")
#: Status -> label priority (lower is placed first).
_PRIORITY = {al.CITY_ONLY: 0, al.BOTH: 1, al.MENTIONED: 2, al.DISTRICT_ONLY: 3}


# -- the map ----------------------------------------------------------------------------------
def _draw_places(view: View, frame, statuses: dict[str, str]) -> None:
    """Areas first (dashed), then lines, then dots; queue a label for each place."""
    ax = view.ax
    to_px = ax.transData.transform
    x0, y0, x1, y1 = view.extent
    shown = shapely.box(x0, y0, x1, y1)
    kinds = frame.geometry.geom_type.map(GEOMETRY_KINDS)
    for fid, row in frame[kinds == "polygon"].iterrows():
        colour = al.STATUS_COLORS[statuses[fid]]
        path = polygon_path(row.geometry)
        if path is None:
            continue
        area_like = row["role"] in al.AREA_ROLES
        ax.add_collection(
            PatchCollection(
                [PathPatch(path)],
                facecolors=colour,
                edgecolors=colour,
                alpha=0.10 if area_like else 0.25,
                linewidths=0,
                zorder=3,
            )
        )
        ax.add_collection(
            PatchCollection(
                [PathPatch(path)],
                facecolors="none",
                edgecolors=colour,
                linewidths=view.pt(0.9),
                linestyles=(0, (4, 2.5)) if area_like else "solid",
                zorder=3.2,
            )
        )
    for fid, row in frame[kinds == "line"].iterrows():
        colour = al.STATUS_COLORS[statuses[fid]]
        for part in shapely.get_parts(row.geometry):
            xs, ys = part.xy
            ax.add_line(Line2D(xs, ys, color=colour, linewidth=view.pt(1.8), zorder=4))
    for fid, row in frame.iterrows():
        geom = row.geometry
        kind = geom.geom_type
        big = row["role"] in LAYOUT_ROLES
        size = 6.2 if big else 4.2
        if kind in ("Point", "MultiPoint"):
            pt = shapely.centroid(geom)
            ax.plot(
                [pt.x],
                [pt.y],
                marker="o",
                markersize=view.pt(size),
                markerfacecolor=al.STATUS_COLORS[statuses[fid]],
                markeredgecolor=INK,
                markeredgewidth=view.pt(0.5),
                linestyle="none",
                zorder=(6 if big else 5.5) + (0.2 if statuses[fid] != al.DISTRICT_ONLY else 0),
            )
            anchor, radius = pt, view.px(view.pt(size)) / 2 + view.px(view.pt(1.2))
            dx, dy = to_px((pt.x, pt.y))
            half = view.px(view.pt(size)) / 2
            if shown.contains(pt):  # names never cover a dot
                view.placer.block((dx - half, dy - half, dx + half, dy + half))
        elif kind in ("LineString", "MultiLineString"):
            visible = shapely.intersection(geom, shown)
            if visible.is_empty:
                continue
            anchor = shapely.line_interpolate_point(
                max(shapely.get_parts(visible), key=lambda g: g.length), 0.5, normalized=True
            )
            radius = view.px(view.pt(3))
        else:
            visible = shapely.intersection(geom, shown)
            if visible.is_empty:
                continue
            anchor, radius = shapely.point_on_surface(visible), view.px(view.pt(3))
        if not shown.contains(anchor):
            continue
        x, y = to_px((anchor.x, anchor.y))
        status = statuses[fid]
        view.labels.append(
            Label(
                wrap_label(str(row["name"]), 9),
                str(row["name"]),
                x,
                y,
                radius,
                view.pt(6.0 if status != al.DISTRICT_ONLY else 5.4),
                _PRIORITY[status] + (0 if big else 1) + (0.5 if kind != "Point" else 0),
                INK,
                centred=False,
            )
        )


def _room(frame, base: BaseData, district: str) -> gpd.GeoDataFrame:
    """What the map must show: the district's places (a place of several districts drawn
    elsewhere does not widen it), with room for the scale bar below and the arrow above."""
    focus = base.districts[base.districts["name"] == district]
    framed = frame
    if len(focus):
        area = shapely.buffer(shapely.union_all(focus.geometry.values), 1000.0)
        framed = frame[frame.geometry.intersects(area)]
    framed = framed if len(framed) else (focus if len(focus) else frame)
    x0, y0, x1, y1 = framed.total_bounds
    dy = max(y1 - y0, 12000.0)
    return gpd.GeoDataFrame(
        geometry=[shapely.box(x0, y0 - 0.14 * dy, x1, y1 + 0.06 * dy)], crs=framed.crs
    )


def _draw_map(
    page: Page, box_mm, frame, statuses, base: BaseData, district: str, room: gpd.GeoDataFrame
) -> View:
    """The map in ``box_mm``, showing at least ``room`` (:func:`_room`)."""
    lay = page.layout
    tally = Tally()
    focus = base.districts[base.districts["name"] == district]
    extent = map_extent(room, base, box_mm[2] / box_mm[3], 12000.0)
    view = open_view(page, lay.frac(box_mm), extent, tally, edge=CITY_EDGE, edge_width=0.8)
    draw_base(view, base)
    if len(focus):  # the district itself, outlined
        for geom in focus.geometry:
            path = polygon_path(geom)
            if path is not None:
                view.ax.add_patch(
                    PathPatch(
                        path, facecolor="none", edgecolor=INK, linewidth=view.pt(1.4), zorder=2.5
                    )
                )
    _draw_places(view, frame, statuses)
    draw_scale_bar(view, note=True)
    draw_north_arrow(view)
    view.queued = [lb.name for lb in view.labels]
    unplaced = place_names(view, view.labels)
    view.unplaced = [lb.name for lb in unplaced]
    # a place the briefing is about (city-plan places, the layout's elements) gets a key number;
    # a district-only park or facility that finds no room stays a coloured dot
    keyed = [lb for lb in unplaced if lb.priority < _PRIORITY[al.DISTRICT_ONLY] + 1]
    place_numbers(view, keyed)
    view.tally.outside = len(unplaced) - len(keyed)
    place_district_labels(view, base)
    return view


# -- the panel --------------------------------------------------------------------------------
class _Column:
    """Writes the panel top-down in millimetres."""

    def __init__(self, page: Page, ax: Axes, width: float, top: float) -> None:
        self.page, self.ax, self.width, self.y = page, ax, width, top
        self.fs = page.pt(6.3)
        self.row = 3.3 * page.s

    def head(self, text: str) -> None:
        self.ax.text(0, self.y, text, fontsize=self.page.pt(7.6), color=INK, va="top")
        self.y -= self.row * 1.35

    def para(self, text: str, colour: str = INK, max_lines: int = 4, indent: float = 0.0) -> None:
        lines = self.page.wrap_mm(text, self.fs, self.width - indent)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1][:-2] + "……"
        for line in lines:
            self.ax.text(indent, self.y, line, fontsize=self.fs, color=colour, va="top")
            self.y -= self.row
        self.y -= self.row * 0.25

    def swatch(self, x: float, colour: str, dot: bool = True) -> None:
        cy = self.y - self.row * 0.45
        if dot:
            self.ax.plot(
                [x + 1.2 * self.page.s],
                [cy],
                marker="o",
                markersize=self.page.pt(5),
                markerfacecolor=colour,
                markeredgecolor=INK,
                markeredgewidth=self.page.pt(0.4),
                linestyle="none",
            )
        else:
            self.ax.add_patch(
                Rectangle(
                    (x, cy - 1.1 * self.page.s),
                    2.4 * self.page.s,
                    2.2 * self.page.s,
                    facecolor=colour,
                    edgecolor="none",
                )
            )


def _legend(col: _Column, result: al.Alignment) -> None:
    counts = result.counts()
    col.head("图例 Legend")
    x = 0.0
    shown = [s for s in (al.BOTH, al.MENTIONED, al.CITY_ONLY, al.DISTRICT_ONLY) if counts[s]]
    shown = shown or [al.BOTH, al.CITY_ONLY, al.DISTRICT_ONLY]
    step = col.width / len(shown)
    for status in shown:
        col.swatch(x, al.STATUS_COLORS[status])
        zh = al.STATUS_LABELS[status][0]
        col.ax.text(
            x + 3.6 * col.page.s,
            col.y,
            f"{zh} {counts[status]}",
            fontsize=col.fs,
            color=INK,
            va="top",
        )
        x += step
    col.y -= col.row * 1.2
    col.para(
        "大圆：核、极、片区、节点、带、走廊；小圆：园区、高校、设施、实验室；虚线范围由成员推算。"
        "区级规划提及：区级规划点到其名，但未作布局。",
        colour=MUTED,
        max_lines=2,
    )


def _industry_table(col: _Column, result: al.Alignment) -> None:
    rows = result.industries
    col.head(f"产业对照（点名该产业的地点数）Industries · {len(rows)}")
    if not rows:
        col.para("两级规划在本区均未点名产业。", colour=MUTED)
        return
    n_cols = 3 if len(rows) > 48 else 2 if len(rows) > 12 else 1
    per = -(-len(rows) // n_cols)
    block_w = col.width / n_cols
    cw = (block_w * 0.50, block_w * 0.17, block_w * 0.17)
    top = col.y
    for c in range(n_cols):
        x0 = c * block_w
        col.y = top
        for text, dx in (("产业", 3.4 * col.page.s), ("市级", cw[0]), ("区级", cw[0] + cw[1])):
            col.ax.text(x0 + dx, col.y, text, fontsize=col.fs, color=MUTED, va="top")
        col.y -= col.row
        for row in rows[c * per : (c + 1) * per]:
            col.swatch(x0, al.INDUSTRY_STATUS_COLORS[row.status], dot=False)
            name = row.tag
            while col.page.width_mm(name, col.fs) > cw[0] - 4.5 * col.page.s and len(name) > 2:
                name = name[:-1]
            col.ax.text(x0 + 3.4 * col.page.s, col.y, name, fontsize=col.fs, color=INK, va="top")
            n_city = len({e.feature_id for e in row.city})
            n_dist = len({e.feature_id for e in row.district})
            dist = str(n_dist) if n_dist else al.WHOLE_DISTRICT if row.district_wide else "—"
            col.ax.text(
                x0 + cw[0],
                col.y,
                str(n_city) if n_city else "—",
                fontsize=col.fs,
                color=INK,
                va="top",
            )
            col.ax.text(
                x0 + cw[0] + cw[1],
                col.y,
                dist,
                fontsize=col.fs,
                color=INK,
                va="top",
            )
            col.y -= col.row
    col.y = top - (per + 1) * col.row - col.row * 0.4
    groups = {
        status: "、".join(r.tag for r in result.industry_groups if r.status == status) or "无"
        for status in al.INDUSTRY_STATUS_LABELS
    }
    col.para(
        f"按产业大类：两级均有 {groups[al.BOTH]}；仅市级 {groups[al.CITY_ONLY]}；"
        f"仅区级 {groups[al.DISTRICT_ONLY]}；区级规划（全区）{groups[al.DISTRICT_WIDE]}。"
        "“全区”：区级规划对全区的表述，未落到具体地点。",
        max_lines=4,
    )


def _places(col: _Column, result: al.Alignment, on_map: set[str]) -> None:
    def names(places: list[al.PlaceRow]) -> str:
        out = [p.name if p.name in on_map else f"{p.name}（图外）" for p in places]
        return "、".join(out) or "无"

    col.head("市级规划在本区的要素 City-plan places here")
    col.para(f"区级规划承接 {len(result.taken_up)}：{names(result.taken_up)}", max_lines=3)
    if result.mentioned:
        col.para(f"区级规划仅提及 {len(result.mentioned)}：{names(result.mentioned)}", max_lines=2)
    col.para(
        f"区级规划未提及 {len(result.not_mentioned)}：{names(result.not_mentioned)}", max_lines=3
    )
    if result.elsewhere:
        col.para(
            f"区级规划提及的区外市级要素 {len(result.elsewhere)}："
            + "、".join(p.name for p in result.elsewhere),
            max_lines=2,
        )
    if result.beyond:
        col.para(
            f"区级规划提及的广州市以外地区 {len(result.beyond)}："
            + "、".join(p.name for p in result.beyond),
            colour=MUTED,
            max_lines=2,
        )
    layout = [p for p in result.district_only if p.district_role in LAYOUT_ROLES]
    if layout:
        col.para(
            f"区级规划自有的布局要素 {len(layout)}："
            + "、".join(f"{p.name}（{al.role_zh(p.district_role)}）" for p in layout),
            max_lines=7,
        )
    if result.role_diffs:
        diffs = "；".join(
            f"{d.name} 市级{al.role_zh(d.city_role)}→区级{al.role_zh(d.district_role)}"
            for d in result.role_diffs
        )
        col.para(f"定位不同 {len(result.role_diffs)}：{diffs}", max_lines=3)


def _key(col: _Column, view: View, bottom: float) -> None:
    if view.tally.key:
        col.head("图中编号 Key")
        text = "  ".join(f"{i} {name}" for i, name in view.tally.key)
        col.para(text, max_lines=max(1, int((col.y - bottom) / col.row) - 1))
    if view.tally.outside:
        col.para(
            f"另有 {view.tally.outside} 处仅区级规划的园区、设施等在图中未标名称"
            "（地点全表：gzmap alignment 或应用中的“规划衔接”）。",
            colour=MUTED,
            max_lines=2,
        )


def _panel(page: Page, box_mm, result: al.Alignment, view: View) -> None:
    lay = page.layout
    ax = page.fig.add_axes(lay.frac(box_mm))
    x, y, w, h = box_mm
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.set_axis_off()
    col = _Column(page, ax, w, h - 0.5 * page.s)
    _legend(col, result)
    _industry_table(col, result)
    _places(col, result, set(view.queued))
    _key(col, view, bottom=0.0)


# -- the page ---------------------------------------------------------------------------------
def _text(result: al.Alignment, osm: bool) -> MapText:
    city = get_plan(result.city_plan)
    plans = [get_plan(p) for p in result.district_plans]
    names = "、".join(p.short_name for p in plans)
    source = source_line([city, *plans], osm=osm, tiles_attribution=None)
    source += f" 承接＝同一地点两级规划均有原文摘录；{al.INDUSTRY_SCOPE[0]}"
    return MapText(
        title=f"规划衔接 · {result.district}：{names}对照{city.short_name}",
        subtitle=f"{names}（{'；'.join(p.layout_name for p in plans)}）与"
        f"{city.short_name}（{city.layout_name}）在{result.district}的要素与产业",
        subtitle_en="How the district plan takes up the city plan: places and industries",
        source=source,
        pdf_title=f"规划衔接 {result.district} {names}",
    )


def alignment_figure(
    result: al.Alignment,
    frame,
    base: BaseData,
    *,
    size: str = "a4-landscape",
    dpi: int = 200,
    raster: bool = True,
) -> Figure:
    """Draw the briefing page; call inside :func:`spatial.plot.map_style`."""
    page = Page(size, dpi, raster)
    lay = page.layout
    mx, my, _mw, mh = lay.map_box()
    inner = lay.width - 2 * lay.margin
    statuses = {p.id: p.status for p in result.places}
    drawn = to_crs(frame[frame.index.isin(list(statuses))])
    drawn = drawn[drawn.geometry.notna() & ~drawn.geometry.is_empty]
    # a wide spread of places takes a wider map (the panel keeps at least 1 - MAP_SHARE_MAX)
    room = _room(drawn, base, result.district)
    rx0, ry0, rx1, ry1 = room.total_bounds
    wanted = mh * (rx1 - rx0) / (ry1 - ry0) / inner
    map_w = inner * min(max(wanted, MAP_SHARE), MAP_SHARE_MAX)
    view = _draw_map(page, (mx, my, map_w, mh), drawn, statuses, base, result.district, room)
    panel_x = mx + map_w + lay.gap * 1.5
    _panel(page, (panel_x, my, lay.width - lay.margin - panel_x, mh), result, view)
    draw_header_footer(page, _text(result, osm=bool(base.osm)), view.ax, empty=False)
    page.fig.gzplan_stats = {
        "named": sorted(set(view.queued) - set(view.unplaced)),
        "numbered": [name for _, name in view.tally.key],
        "off_map": sorted({p.name for p in result.places} - set(view.queued)),
        "unnamed_district_only": view.tally.outside,
        "forced_numbers": view.tally.forced_numbers,
    }
    return page.fig


def render_alignment(
    target: str, *, fmt: str = "png", size: str = "a4-landscape", dpi: int = 200
) -> bytes:
    """The briefing of a district (``花都区``) or district plan (``huadu_mfg``) as bytes.

    Raises
    ------
    ValueError
        For an unknown target or format, or missing base data (the message is for the user).
    """
    if fmt not in BRIEFING_FORMATS:
        raise ValueError(f"the alignment briefing is {' or '.join(BRIEFING_FORMATS)}, not {fmt!r}")
    gdf = plan_layers()
    result = al.align(gdf, target)
    base = base_data()
    with RENDER_LOCK, map_style():
        fig = alignment_figure(result, gdf, base, size=size, dpi=dpi, raster=fmt == "png")
        return figure_bytes(fig, fmt, dpi=dpi, title=_text(result, bool(base.osm)).pdf_title)


def alignment_cli(args: argparse.Namespace) -> int:
    """``gzmap export --alignment TARGET --out FILE``; raise ``GzmapError`` for a bad option.

    Nothing is written unless every option is valid and the page renders.
    """
    try:
        refuse_mixed(
            args,
            "--alignment",
            "makes the briefing page",
            ("--plan", "--industry", "--role", "--segment", "--title", "--tiles", "--all"),
        )
        if not args.out:
            raise ValueError("--out is required, e.g. --out huadu.pdf")
        out = Path(args.out)
        suffix = out.suffix.lower().lstrip(".")
        fmt = args.format or suffix
        if fmt not in BRIEFING_FORMATS:
            raise ValueError(f"the alignment briefing is PNG or PDF; got {fmt or out.name!r}")
        if args.format and suffix and suffix != args.format:
            raise ValueError(f"--format {args.format} does not match --out suffix .{suffix}")
        if out.is_dir():
            raise ValueError(f"--out {out} is a folder; give a file name")
        check_dpi(args.dpi)
        start = time.perf_counter()
        data = render_alignment(args.alignment, fmt=fmt, size=args.size, dpi=args.dpi)
        write_output(out, data)
    except ValueError as exc:
        raise GzmapError(str(exc)) from exc
    print(f"wrote {out} ({fmt}, {len(data) / 1024:.0f} KB, {time.perf_counter() - start:.1f} s)")
    return 0
