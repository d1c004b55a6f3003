"""A map frame on the page (the main map or an enlarged view) and the tally of what was drawn."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.axes import Axes

from spatial.plot.labels import Label, Placer
from spatial.plot.page import Page
from spatial.plot.style import OUTSIDE_FILL


@dataclass
class Tally:
    """What the drawing did, over the main map and the enlarged view.

    Attributes
    ----------
    key : list of (int, str)
        The numbered features, as listed in the key.
    key_overflow : int
        Numbered features the key had no room for.
    forced_numbers : int
        Key numbers that found no free place and were drawn over something.
    named : int
        Features named on the map.
    outside : int
        Features beyond the frame, shown by an arrow at its edge.
    context : list of str
        The OSM context groups drawn on the main map ("water", "rivers", ...).
    """

    key: list[tuple[int, str]] = field(default_factory=list)
    key_overflow: int = 0
    forced_numbers: int = 0
    named: int = 0
    outside: int = 0
    context: list[str] = field(default_factory=list)


@dataclass
class View:
    """One map frame: its axes, the extent it shows (map CRS) and the boxes labels must avoid.

    Attributes
    ----------
    page : Page
    ax : Axes
    extent : tuple of float
        x0, y0, x1, y1 in map CRS metres.
    placer : Placer
        Boxes already taken, in display pixels.
    m_per_px : float
        Metres per display pixel (for simplification and placement).
    tally : Tally
        Shared by every view of the page.
    is_main : bool
        False for the enlarged view (no edge arrows, no legend entries).
    labels : list of Label
        Names waiting to be placed.
    tiles_drawn : bool
        Web tiles are under the base (then districts are not filled).
    """

    page: Page
    ax: Axes
    extent: tuple[float, float, float, float]
    placer: Placer
    m_per_px: float
    tally: Tally
    is_main: bool = True
    labels: list[Label] = field(default_factory=list)
    tiles_drawn: bool = False

    def pt(self, value: float) -> float:
        """An A4 size in points, scaled to the page."""
        return self.page.pt(value)

    def px(self, points: float) -> float:
        """Points (already scaled) to display pixels."""
        return self.page.px(points)


def open_view(
    page: Page,
    rect: list[float],
    extent: tuple[float, float, float, float],
    tally: Tally,
    *,
    edge: str,
    edge_width: float,
    is_main: bool = True,
) -> View:
    """Add axes at ``rect`` (figure fractions) showing ``extent``, framed in ``edge`` colour."""
    ax = page.fig.add_axes(rect)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(OUTSIDE_FILL)
    for spine in ax.spines.values():
        spine.set_edgecolor(edge)
        spine.set_linewidth(page.pt(edge_width))
    bbox = ax.get_window_extent(page.renderer)
    return View(
        page=page,
        ax=ax,
        extent=extent,
        placer=Placer((bbox.x0 + 2, bbox.y0 + 2, bbox.x1 - 2, bbox.y1 - 2)),
        m_per_px=(extent[2] - extent[0]) / bbox.width,
        tally=tally,
        is_main=is_main,
    )
