"""Labels and collision: greedy, deterministic placement of names and key numbers.

Labels are placed greedily, most important features first, at the first of several candidate
positions around the symbol that collides with nothing placed before; a label that fits nowhere
near its symbol is placed further out with a leader line, or gets a number listed in the key.
All boxes are in display pixels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.text import Text

from spatial.plot.style import INK, MUTED

if TYPE_CHECKING:
    from spatial.plot.view import View

Box = tuple[float, float, float, float]

#: Distances (points on A4, beyond the symbol) at which a key number is tried when it does not
#: fit next to its symbol; it is then drawn with a leader line.
NUMBER_RINGS_PT = (3, 6, 9.5, 13, 17, 22, 28, 35, 43, 52, 62, 75)


@dataclass
class Label:
    """A name (or number) waiting for a place next to its symbol."""

    text: str  # as drawn (may be wrapped)
    name: str  # as listed in the key
    x: float  # anchor, display pixels
    y: float
    radius: float  # clearance around the anchor, pixels
    size: float  # font size, points
    priority: float
    colour: str = INK
    centred: bool = False  # polygons: try the centre first
    leader_ok: bool = True


class Placer:
    """Greedy, deterministic label placement in display (pixel) coordinates.

    Every taken box (symbols, furniture, texts) blocks a name; a key number that fits nowhere
    else may sit over a symbol, never over another text, so texts are also kept apart.
    """

    def __init__(self, bounds: tuple[float, float, float, float]) -> None:
        self.bounds = bounds  # x0, y0, x1, y1 of the map frame
        self.boxes = np.zeros((0, 4))
        self.texts = np.zeros((0, 4))

    def block(self, box: tuple[float, float, float, float], text: bool = False) -> None:
        """Mark ``box`` as taken (by a text when ``text``)."""
        row = np.asarray(box, dtype=float)[None, :]
        self.boxes = np.vstack([self.boxes, row])
        if text:
            self.texts = np.vstack([self.texts, row])

    def free(self, box: tuple[float, float, float, float], texts_only: bool = False) -> bool:
        """True when ``box`` lies inside the frame and overlaps no taken box (no text box
        with ``texts_only``)."""
        x0, y0, x1, y1 = box
        bx0, by0, bx1, by1 = self.bounds
        if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
            return False
        b = self.texts if texts_only else self.boxes
        if not len(b):
            return True
        hit = (b[:, 0] < x1) & (b[:, 2] > x0) & (b[:, 1] < y1) & (b[:, 3] > y0)
        return not bool(hit.any())

    @staticmethod
    def candidates(
        x: float, y: float, w: float, h: float, r: float, centred: bool
    ) -> Iterator[tuple[float, float, str]]:
        """Lower-left corners of candidate boxes, with the text's multi-line alignment."""
        d = r * 0.7071
        if centred:
            yield x - w / 2, y - h / 2, "center"
        yield x + r, y - h / 2, "left"  # E
        yield x + d, y + d, "left"  # NE
        yield x + d, y - d - h, "left"  # SE
        yield x - r - w, y - h / 2, "right"  # W
        yield x - d - w, y + d, "right"  # NW
        yield x - d - w, y - d - h, "right"  # SW
        yield x - w / 2, y + r, "center"  # N
        yield x - w / 2, y - r - h, "center"  # S


def wrap_label(name: str, limit: int = 10) -> str:
    """Break a long Chinese name into two lines near its middle, at punctuation if possible."""
    if len(name) <= limit:
        return name
    mid = len(name) // 2
    best = mid
    for off in range(0, 4):
        for pos in (mid - off, mid + off):
            if 0 < pos < len(name) and (name[pos - 1] in "、，·）)—-" or name[pos] in "（(“"):
                return name[:pos] + "\n" + name[pos:]
    return name[:best] + "\n" + name[best:]


def short_segment_name(name: str) -> str:
    """The part of an axis segment's name in brackets (e.g. 黄埔段)."""
    if "（" in name and name.endswith("）"):
        return name[name.index("（") + 1 : -1]
    return name


def try_place(
    view: View, lb: Label, w: float, h: float, rings: Sequence[float], centred: bool
) -> tuple[Box, str, int] | None:
    """The first free candidate box around ``lb`` on ``rings`` (radii, pixels), its alignment
    and ring index; None when every candidate collides."""
    for ring, r in enumerate(rings):
        for bx, by, align in Placer.candidates(lb.x, lb.y, w, h, r, centred and not ring):
            box = (bx, by, bx + w, by + h)
            if view.placer.free(box):
                return box, align, ring
    return None


def put_text(
    view: View, t: Text, lb: Label, box: Box, align: str, pad: float, leader: bool
) -> None:
    """Move a measured text artist into its box (data coordinates), with a leader if asked."""
    ax = view.ax
    inv = ax.transData.inverted()
    view.placer.block(box, text=True)
    t.set_transform(ax.transData)
    t.set_multialignment(align)
    t.set_clip_on(True)
    if align == "right":
        t.set_horizontalalignment("right")
        t.set_position(inv.transform((box[2] - pad, box[1] + pad)))
    elif align == "center":
        t.set_horizontalalignment("center")
        t.set_position(inv.transform(((box[0] + box[2]) / 2, box[1] + pad)))
    else:
        t.set_position(inv.transform((box[0] + pad, box[1] + pad)))
    if leader:
        # from the symbol's edge to the nearest point of the label box
        nx = min(max(lb.x, box[0]), box[2])
        ny = min(max(lb.y, box[1]), box[3])
        dx, dy = nx - lb.x, ny - lb.y
        dist = math.hypot(dx, dy) or 1.0
        sx, sy = lb.x + dx / dist * lb.radius * 0.8, lb.y + dy / dist * lb.radius * 0.8
        (ax0, ay0), (ax1, ay1) = inv.transform([(sx, sy), (nx, ny)])
        ax.add_line(
            Line2D([ax0, ax1], [ay0, ay1], color=MUTED, linewidth=view.pt(0.45), zorder=7.9)
        )
    view.page.add_halo(t)


def place_names(view: View, labels: Sequence[Label], dry: bool = False) -> list[Label]:
    """Place name labels, most important first; return the ones that fit nowhere.

    With ``dry``, only find out which would not fit: nothing is drawn and the placer is
    left as it was.
    """
    ax = view.ax
    saved = view.placer.boxes.copy()
    pad = view.px(view.pt(0.8))
    unlabelled: list[Label] = []
    for lb in sorted(labels, key=lambda lb: (lb.priority, lb.text)):
        t = ax.text(
            0,
            0,
            lb.text,
            fontsize=lb.size,
            color=lb.colour,
            ha="left",
            va="bottom",
            zorder=8,
            linespacing=1.1,
            transform=None,
        )
        ext = t.get_window_extent(view.page.renderer)
        w, h = ext.width + 2 * pad, ext.height + 2 * pad
        rings = [lb.radius, lb.radius + view.px(view.pt(7)), lb.radius + view.px(view.pt(15))]
        chosen = try_place(view, lb, w, h, rings, lb.centred)
        if chosen is None or dry:
            t.remove()
            if chosen is None:
                unlabelled.append(lb)
            else:
                view.placer.block(chosen[0])
            continue
        box, align, ring = chosen
        put_text(view, t, lb, box, align, pad, leader=ring > 0)
        view.tally.named += 1
    if dry:
        view.placer.boxes = saved
    return unlabelled


def _free_on_ring(
    view: View, x: float, y: float, w: float, h: float, r: float, texts_only: bool = False
) -> Box | None:
    """A free w x h box whose nearest point is about ``r`` from (x, y), tried in 16 directions."""
    for k in (0, 4, 8, 12, 2, 6, 10, 14, 1, 3, 5, 7, 9, 11, 13, 15):
        a = k * math.pi / 8
        cx = x + (r + w / 2) * math.cos(a)
        cy = y + (r + h / 2) * math.sin(a)
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if view.placer.free(box, texts_only):
            return box
    return None


def _number_on_rings(view: View, lb: Label, w: float, h: float) -> tuple[Box, str, int] | None:
    """A box for a key number further out, with a leader: clear of everything if possible,
    else clear of every other text (over a symbol)."""
    for texts_only in (False, True):
        for d in (0.0, *NUMBER_RINGS_PT) if texts_only else NUMBER_RINGS_PT:
            r = lb.radius * 0.8 if not d else lb.radius + view.px(view.pt(d))
            box = _free_on_ring(view, lb.x, lb.y, w, h, r, texts_only)
            if box is not None:
                return box, "left", 1 if d else 0
    return None


def place_numbers(view: View, unlabelled: Sequence[Label]) -> None:
    """Key numbers for labels that fit nowhere, in reading order (top to bottom, left to
    right), continuing the key."""
    ax = view.ax
    pad = view.px(view.pt(0.8))
    band = view.px(view.pt(12))
    start = len(view.tally.key) + 1
    ordered = sorted(unlabelled, key=lambda lb: (-round(lb.y / band), lb.x, lb.text))
    for i, lb in enumerate(ordered, start=start):
        t = ax.text(
            0,
            0,
            str(i),
            fontsize=view.pt(6),
            color=INK,
            ha="left",
            va="bottom",
            zorder=8.2,
            transform=None,
        )
        ext = t.get_window_extent(view.page.renderer)
        w, h = ext.width + 2 * pad, ext.height + 2 * pad
        chosen = try_place(view, lb, w, h, [lb.radius * 0.8], lb.centred)
        if chosen is None:  # further out, with a leader line, ring by ring
            chosen = _number_on_rings(view, lb, w, h)
        if chosen is None:  # a number must be shown: put it east, even over something
            view.tally.forced_numbers += 1
            box = (lb.x + lb.radius, lb.y - h / 2, lb.x + lb.radius + w, lb.y + h / 2)
            chosen = (box, "left", 0)
        box, align, ring = chosen
        put_text(view, t, lb, box, align, pad, leader=ring > 0)
        view.tally.key.append((i, lb.name))
