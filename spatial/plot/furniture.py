"""Map furniture: the scale bar with the print scale, and the north arrow."""

from __future__ import annotations

import math

from matplotlib.patches import Polygon, Rectangle

from spatial.plot.geometry import to_map_crs
from spatial.plot.page import PAGE_SIZES, Layout
from spatial.plot.style import INK, MUTED
from spatial.plot.view import View


def nice_length(target_m: float) -> float:
    """The longest round length (1, 2, 2.5, 5 x 10^n) not over ``target_m``."""
    exp = 10 ** math.floor(math.log10(target_m))
    for mult in (5, 2.5, 2, 1):
        if mult * exp <= target_m:
            return mult * exp
    return exp


def fmt_km(metres: float) -> str:
    """Metres as kilometres, without trailing zeros."""
    km = metres / 1000
    return f"{km:g}"


def draw_scale_bar(view: View, note: bool) -> None:
    """A true-scale bar in the lower left, sized in paper millimetres."""
    ax = view.ax
    x0, y0, x1, y1 = view.extent
    span = x1 - x0
    to_px = ax.transData.transform
    mm = view.m_per_px * view.page.fig.dpi / 25.4  # metres per paper millimetre
    s = view.page.s
    length = nice_length(span * 0.22)
    bar_h = 1.1 * s * mm
    mx = x0 + 5 * s * mm
    my = y0 + (7.5 if note else 4.5) * s * mm
    lead = str(f"{length / 1000:g}").replace(".", "").lstrip("0")[:1]
    n = 4 if lead in "248" else 5
    step = length / n
    fs = view.pt(6.5)
    unit_w = view.page.text_px("公里 km", fs) * view.m_per_px
    bg = Rectangle(
        (mx - 2.5 * s * mm, my - (5.5 if note else 2.0) * s * mm),
        length + unit_w + 6.5 * s * mm,
        (9.5 if note else 6.2) * s * mm,
        facecolor="white",
        edgecolor="none",
        alpha=0.85,
        zorder=9,
    )
    ax.add_patch(bg)
    for i in range(n):
        ax.add_patch(
            Rectangle(
                (mx + i * step, my),
                step,
                bar_h,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=view.pt(0.5),
                zorder=9.1,
            )
        )
    for i in (0, n // 2, n) if n == 4 else (0, n):
        ax.text(
            mx + i * step,
            my + bar_h + 0.8 * s * mm,
            fmt_km(i * step),
            ha="center",
            va="bottom",
            fontsize=fs,
            color=INK,
            zorder=9.2,
        )
    ax.text(
        mx + length + 1.5 * s * mm,
        my + bar_h / 2,
        "公里 km",
        ha="left",
        va="center",
        fontsize=fs,
        color=INK,
        zorder=9.2,
    )
    if note:
        ax.text(
            mx,
            my - 1.5 * s * mm,
            f"比例尺 1:{scale_denominator(view):,}（按 {page_name(view.page.layout)} 打印）",
            ha="left",
            va="top",
            fontsize=view.pt(5.5),
            color=MUTED,
            zorder=9.2,
        )
    p0 = to_px((bg.get_x(), bg.get_y()))
    p1 = to_px((bg.get_x() + bg.get_width(), bg.get_y() + bg.get_height()))
    view.placer.block((p0[0], p0[1], p1[0], p1[1]))


def draw_north_arrow(view: View) -> None:
    """A north arrow in the upper right, turned by the grid convergence; blocks labels."""
    ax = view.ax
    x0, y0, x1, y1 = view.extent
    span = x1 - x0
    to_px = ax.transData.transform
    # north arrow, turned by the grid convergence at the map centre
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lon, lat = to_map_crs().transform(cx, cy, direction="INVERSE")
    nx, ny = to_map_crs().transform(lon, lat + 0.05)
    angle = math.atan2(nx - cx, ny - cy)  # radians east of grid north
    size = span * 0.022
    ax_x, ax_y = x1 - span * 0.045, y1 - (y1 - y0) * 0.09
    ca, sa = math.cos(angle), math.sin(angle)

    def rot(px_: float, py_: float) -> tuple[float, float]:
        return ax_x + px_ * ca + py_ * sa, ax_y - px_ * sa + py_ * ca

    tip, left, right, tail = (
        rot(0, size),
        rot(-size * 0.55, -size),
        rot(size * 0.55, -size),
        rot(0, -size * 0.45),
    )
    ax.add_patch(
        Polygon(
            [tip, left, tail],
            closed=True,
            facecolor="white",
            edgecolor=INK,
            linewidth=view.pt(0.6),
            zorder=9.1,
        )
    )
    ax.add_patch(
        Polygon(
            [tip, tail, right],
            closed=True,
            facecolor=INK,
            edgecolor=INK,
            linewidth=view.pt(0.6),
            zorder=9.1,
        )
    )
    lx, ly = rot(0, size * 1.25)
    view.page.add_halo(
        ax.text(
            lx,
            ly,
            "北 N",
            ha="center",
            va="bottom",
            fontsize=view.pt(7.5),
            color=INK,
            zorder=9.2,
        )
    )
    q0 = to_px((ax_x - size * 1.2, ax_y - size * 1.3))
    q1 = to_px((ax_x + size * 1.2, ax_y + size * 2.6))
    view.placer.block((q0[0], q0[1], q1[0], q1[1]))


def scale_denominator(view: View) -> int:
    """The print scale's denominator, rounded to two significant figures."""
    mw = view.ax.get_window_extent(view.page.renderer).width / view.page.fig.dpi * 0.0254  # paper m
    denom = (view.extent[2] - view.extent[0]) / mw
    mag = 10 ** max(0, math.floor(math.log10(denom)) - 1)
    return int(round(denom / mag) * mag)


def page_name(layout: Layout) -> str:
    """ "A4", "A3", "16:9" or the page's size in millimetres."""
    w, h = layout.width, layout.height
    for name, (pw, ph) in PAGE_SIZES.items():
        if abs(pw - w) < 0.1 and abs(ph - h) < 0.1:
            return name.split("-")[0].upper() if name != "16x9" else "16:9"
    return f"{w:.0f}×{h:.0f} mm"
