"""Which page of the app is open, and the 规划衔接 / 这里规划了什么 choices, in the URL.

The map page keeps its view in :mod:`app.appstate`; the other pages add their own keys::

    ?view=alignment&district=天河区
    ?view=here&at=113.366,23.062&gcj02=1&radius=2000

Like every URL value these may be stale or hand-edited: :meth:`ViewParams.from_query` keeps
what it can use and says what it dropped. Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spatial.query.alignment import alignment_targets
from spatial.query.here import DEFAULT_RADIUS_M, MAX_RADIUS_M, parse_lonlat

__all__ = ["VIEWS", "VIEW_KEYS", "ViewParams", "target_options"]

#: page key -> label, in the order of the page switch (the map page first, the default).
VIEWS: dict[str, str] = {
    "map": "地图 Map",
    "alignment": "规划衔接 Alignment",
    "here": "这里规划了什么 What's planned here",
}
#: The URL keys this module owns.
VIEW_KEYS = ("view", "district", "at", "gcj02", "radius")


def target_options() -> list[str]:
    """What the 规划衔接 page offers: each district, then each of its plans when it has several."""
    out: list[str] = []
    for district, plans in alignment_targets().items():
        out.append(district)
        if len(plans) > 1:
            out.extend(plans)
    return out


def _first(params: Mapping[str, str | Iterable[str]], key: str) -> str:
    value = params.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()[:100]
    for item in value:
        return str(item).strip()[:100]
    return ""


@dataclass(frozen=True)
class ViewParams:
    """The open page and its choices.

    Attributes
    ----------
    view : str
        A key of :data:`VIEWS`.
    target : str or None
        The 规划衔接 page's district or district plan (:func:`target_options`).
    at : tuple of float or None
        The 这里规划了什么 point as given (lon, lat).
    gcj02 : bool
        ``at`` is GCJ-02 (Amap).
    radius_m : float
        The neighbour radius in metres.
    """

    view: str = "map"
    target: str | None = None
    at: tuple[float, float] | None = None
    gcj02: bool = False
    radius_m: float = DEFAULT_RADIUS_M

    def to_query(self) -> dict[str, str]:
        """URL parameters (defaults left out; the map page adds none)."""
        out: dict[str, str] = {}
        if self.view == "map":
            return out
        out["view"] = self.view
        if self.view == "alignment" and self.target:
            out["district"] = self.target
        if self.view == "here" and self.at:
            out["at"] = f"{self.at[0]:.6f},{self.at[1]:.6f}"
            if self.gcj02:
                out["gcj02"] = "1"
        if self.view == "here" and self.radius_m != DEFAULT_RADIUS_M:
            out["radius"] = f"{self.radius_m:g}"
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, str | Iterable[str]]) -> tuple[ViewParams, list[str]]:
        """Read the page from URL parameters; returns it and a note per value dropped."""
        notes: list[str] = []
        view = _first(params, "view") or "map"
        if view not in VIEWS:
            notes.append(f"view: {view}")
            view = "map"
        target = _first(params, "district") or None
        if target and target not in target_options():
            notes.append(f"district: {target}")
            target = None
        at = None
        raw_at = _first(params, "at")
        if raw_at:
            try:
                at = parse_lonlat(raw_at)
            except ValueError:
                notes.append(f"at: {raw_at}")
        radius = DEFAULT_RADIUS_M
        raw_radius = _first(params, "radius")
        if raw_radius:
            try:
                radius = float(raw_radius)
            except ValueError:
                radius = math.nan
            if not (math.isfinite(radius) and 0 <= radius <= MAX_RADIUS_M):
                notes.append(f"radius: {raw_radius}")
                radius = DEFAULT_RADIUS_M
        gcj02 = _first(params, "gcj02").lower() in ("1", "true", "yes")
        return cls(view=view, target=target, at=at, gcj02=gcj02, radius_m=radius), notes
