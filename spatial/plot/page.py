"""The page: sizes, regions (header, map, panel, footer), text measuring, header and footer.

Sizes are in millimetres from the page's lower-left corner; type and line widths are given for
A4 and scaled by :attr:`Page.s` on larger pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.text import Text

from spatial.plot.style import INK, MUTED

#: Page sizes, (width, height) in millimetres.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4-landscape": (297.0, 210.0),
    "a3-landscape": (420.0, 297.0),
    "16x9": (338.6667, 190.5),  # 13.333 x 7.5 in, a widescreen slide
    "a4-portrait": (210.0, 297.0),
    "a3-portrait": (297.0, 420.0),
}
_A4_AREA = 297.0 * 210.0
_MM = 1 / 25.4


@dataclass(frozen=True)
class MapText:
    """The words on a map.

    Attributes
    ----------
    title : str
        Big title (Chinese).
    subtitle : str
        One line under the title: plan, issuer, date, filters.
    subtitle_en : str
        A second, smaller line in English (may be empty).
    source : str
        Source and licence line printed at the foot of the page.
    note : str
        Shown in the middle of the map when it has no features (e.g. "no features match").
    pdf_title : str
        Title written into PDF/SVG metadata (defaults to ``title``).
    """

    title: str
    subtitle: str = ""
    subtitle_en: str = ""
    source: str = ""
    note: str = ""
    pdf_title: str = ""


def page_pixels(size: str, dpi: int) -> tuple[int, int]:
    """Width and height in pixels of a raster export of ``size`` at ``dpi``."""
    w_mm, h_mm = PAGE_SIZES[size]
    return round(w_mm * _MM * dpi), round(h_mm * _MM * dpi)


def page_inches(size: str, dpi: int | None = None) -> tuple[float, float]:
    """Figure size in inches; with ``dpi``, nudged so the raster is exactly :func:`page_pixels`."""
    w_mm, h_mm = PAGE_SIZES[size]
    if dpi is None:
        return w_mm * _MM, h_mm * _MM
    w_px, h_px = page_pixels(size, dpi)
    # matplotlib truncates width * dpi; a hair over the exact value lands on the integer
    return (w_px + 1e-3) / dpi, (h_px + 1e-3) / dpi


@dataclass(frozen=True)
class Layout:
    """Regions of the page in millimetres from the lower-left corner."""

    width: float
    height: float
    scale: float  # type and line scale relative to A4
    panel_a4: float = 66.0  # width of the panel beside the map on A4, scaled like the rest

    @property
    def margin(self) -> float:
        """Page margin."""
        return 8.0 * self.scale

    @property
    def header(self) -> float:
        return 19.0 * self.scale

    @property
    def footer(self) -> float:
        return 9.0 * self.scale

    @property
    def panel(self) -> float:
        return self.panel_a4 * self.scale

    @property
    def gap(self) -> float:
        return 4.0 * self.scale

    def map_box(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) of the map frame."""
        x = self.margin
        y = self.margin + self.footer
        w = self.width - 2 * self.margin - self.panel - self.gap
        h = self.height - 2 * self.margin - self.header - self.footer
        return x, y, w, h

    def panel_box(self) -> tuple[float, float, float, float]:
        mx, my, mw, mh = self.map_box()
        return mx + mw + self.gap, my, self.panel, mh

    def frac(self, box: tuple[float, float, float, float]) -> list[float]:
        x, y, w, h = box
        return [x / self.width, y / self.height, w / self.width, h / self.height]


#: The narrowest glyph of the map fonts, as a fraction of the font size (a space or an "i" is
#: wider): no line of width w holds more than w / (MIN_GLYPH_EM × size) characters.
MIN_GLYPH_EM = 0.15
#: Characters a wrapped line must not start with (CJK closing punctuation).
_NO_LINE_START = "、，,。.；;：:）)」』》"


class Page:
    """A figure of one page size, its renderer and the helpers that size type on it.

    Parameters
    ----------
    size : str
        A key of :data:`PAGE_SIZES`.
    dpi : int
        The figure's resolution.
    raster : bool
        True for PNG: the page is sized to a whole number of pixels.
    panel : float
        Width of the panel beside the map, in millimetres on A4 (scaled on other pages).
    """

    def __init__(self, size: str, dpi: int, raster: bool, panel: float = 66.0) -> None:
        w_mm, h_mm = PAGE_SIZES[size]
        self.layout = Layout(w_mm, h_mm, math.sqrt(w_mm * h_mm / _A4_AREA), panel)
        self.s = self.layout.scale
        self.fig = Figure(figsize=page_inches(size, dpi if raster else None), dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.renderer = self.fig.canvas.get_renderer()
        self.fig.patch.set_facecolor("white")

    def pt(self, value: float) -> float:
        """An A4 size in points, scaled to this page."""
        return value * self.s

    def px(self, points: float) -> float:
        """Points (already scaled) to display pixels."""
        return points * self.fig.dpi / 72.0

    def text_px(self, text: str, size: float) -> float:
        """Width in display pixels of one line of text at ``size`` points."""
        w, _h, _d = self.renderer.get_text_width_height_descent(
            text, FontProperties(size=size), ismath=False
        )
        return w

    def fit_text(
        self, text: str, size: float, max_w_px: float, max_lines: int | None = None
    ) -> list[str]:
        """Break text into lines no wider than ``max_w_px`` (CJK has no spaces to break at).

        Work is linear in the text's length: each line is sought only among as many characters
        as could fit on it (no glyph is narrower than :data:`MIN_GLYPH_EM` of the size), never
        the whole remaining text. With ``max_lines`` it stops once that many lines are made.
        """
        window = max(2, int(max_w_px / (MIN_GLYPH_EM * size * self.fig.dpi / 72.0)) + 1)
        lines: list[str] = []
        for para in text.split("\n"):
            rest = para
            while rest:
                if max_lines is not None and len(lines) >= max_lines:
                    return lines
                head = rest[:window]
                if len(head) == len(rest) and self.text_px(rest, size) <= max_w_px:
                    lines.append(rest)
                    break
                lo, hi = 1, len(head)  # the longest prefix that fits
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if self.text_px(head[:mid], size) <= max_w_px:
                        lo = mid
                    else:
                        hi = mid - 1
                cut = lo
                # prefer to break after punctuation or a space, near the cut
                # an English word is longer than a break search of 12 characters may reach
                reach = 24 if rest[cut - 1 : cut + 1].isascii() else 12
                for j in range(cut, max(cut - reach, 1), -1):
                    if rest[j - 1] in "；;，,。 、)）-":
                        cut = j
                        break
                # a line never starts with closing punctuation: the character before goes along
                while 1 < cut < len(rest) and rest[cut] in _NO_LINE_START:
                    cut -= 1
                lines.append(rest[:cut].rstrip())
                rest = rest[cut:].lstrip()
        return lines if max_lines is None else lines[:max_lines]

    def add_halo(self, t: Text) -> None:
        """A white outline under a text, as a separate artist: the text itself stays text
        (searchable and selectable in the PDF) instead of being turned into paths."""
        halo = Text(
            *t.get_position(),
            t.get_text(),
            color="white",
            fontproperties=t.get_fontproperties(),
            ha=t.get_horizontalalignment(),
            va=t.get_verticalalignment(),
            multialignment=t._multialignment,
            linespacing=t._linespacing,
            path_effects=[patheffects.Stroke(linewidth=2.2 * self.s, foreground="white")],
            zorder=t.get_zorder() - 0.005,
            clip_on=t.get_clip_on(),
        )
        halo.set_transform(t.get_transform())
        t.axes.add_artist(halo) if t.axes is not None else self.fig.add_artist(halo)
        if t.get_clip_on() and t.axes is not None:
            halo.set_clip_path(t.axes.patch)

    def width_mm(self, text: str, size: float) -> float:
        """Width of one line of text in millimetres at ``size`` points."""
        t = self.fig.text(0, 0, text, fontsize=size)
        w = t.get_window_extent(self.renderer).width
        t.remove()
        return w / self.fig.dpi * 25.4

    def wrap_mm(self, text: str, size: float, width_mm: float) -> list[str]:
        """Break text into lines no wider than ``width_mm``."""
        return self.fit_text(text, size, width_mm / 25.4 * self.fig.dpi)


def draw_header_footer(page: Page, text: MapText, ax: Axes, empty: bool) -> None:
    """Title, subtitles and a rule at the top; the source line at the foot; ``text.note`` in
    the middle of the map ``ax`` when the map is ``empty``."""
    lay = page.layout
    fig = page.fig
    x = lay.margin / lay.width
    top = 1 - lay.margin / lay.height
    max_w = page.px((lay.width - 2 * lay.margin) / 25.4 * 72)
    title_size = page.pt(15)
    title_lines = page.fit_text(text.title, title_size, max_w, max_lines=2)
    if len(title_lines) > 1:
        title_size = page.pt(12.5)
        title_lines = page.fit_text(text.title, title_size, max_w, max_lines=2)
    fig.text(
        x,
        top,
        "\n".join(title_lines),
        fontsize=title_size,
        color=INK,
        ha="left",
        va="top",
        linespacing=1.15,
    )
    line_h = title_size * 1.25 * len(title_lines) / 72 * 25.4  # mm
    sub_top = top - line_h / lay.height
    if text.subtitle:
        sub = page.fit_text(text.subtitle, page.pt(8.5), max_w, max_lines=1)[0]
        fig.text(x, sub_top, sub, fontsize=page.pt(8.5), color=INK, ha="left", va="top")
        sub_top -= page.pt(8.5) * 1.45 / 72 * 25.4 / lay.height
    if text.subtitle_en:
        sub = page.fit_text(text.subtitle_en, page.pt(7), max_w, max_lines=1)[0]
        fig.text(x, sub_top, sub, fontsize=page.pt(7), color=MUTED, ha="left", va="top")
    # a rule under the header
    y_rule = (lay.height - lay.margin - lay.header + 1.5 * page.s) / lay.height
    fig.add_artist(
        Line2D(
            [x, 1 - x],
            [y_rule, y_rule],
            color=INK,
            linewidth=page.pt(0.6),
            transform=fig.transFigure,
        )
    )
    # the source line at the foot
    if text.source:
        size = page.pt(5.6)
        lines = page.fit_text(text.source, size, max_w)
        if len(lines) > 3:
            size = page.pt(5.0)
            lines = page.fit_text(text.source, size, max_w)
        fig.text(
            x,
            lay.margin / lay.height,
            "\n".join(lines),
            fontsize=size,
            color=MUTED,
            ha="left",
            va="bottom",
            linespacing=1.3,
        )
    if text.note and empty:
        page.add_halo(
            ax.text(
                0.5,
                0.5,
                text.note,
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=page.pt(11),
                color=INK,
                zorder=10,
            )
        )
