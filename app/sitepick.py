"""A position for the 建议修改 form from a click on a map: the form's own map, or the main map
while the form of the open place is open (the main map then reports every click as a position,
:mod:`app.maptools`). Apart from :mod:`app.suggest` so that the main map's click handler
(:func:`app.state.on_map_click`) needs nothing of the form's page.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

ss = st.session_state
#: The form whose location a click on the map sets (its place id), if any.
ARMED = "_sg_armed"


def take_map_click(lon: float, lat: float, gcj02: bool = False, fid: str | None = None) -> bool:
    """Give the open suggestion form the position clicked on a map; False if none is open.

    A map calls this with the clicked position as its basemap draws it (GCJ-02 on Amap).
    """
    fid = fid or ss.get(ARMED)
    if not fid or not ss.get(f"sg_open_{fid}"):
        return False
    ss[f"sg_{fid}_geomkind"] = "point"
    ss[f"sg_{fid}_lonlat"] = f"{lon:.6f}, {lat:.6f}"
    ss[f"sg_{fid}_crs"] = "gcj02" if gcj02 else "wgs84"
    return True


def picked_position(clicked: Any) -> tuple[float, float] | None:
    """The ``(lon, lat)`` of a click the main map reported while picking a position (``{lat,
    lng, pick}``, in the map's datum), or None; the browser's numbers are checked."""
    if not isinstance(clicked, dict) or "pick" not in clicked:
        return None
    out = []
    for key, limit in (("lng", 180.0), ("lat", 90.0)):
        value = clicked.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if not (math.isfinite(value) and -limit <= value <= limit):
            return None
        out.append(float(value))
    return out[0], out[1]


def main_map_is_gcj02() -> bool:
    """Whether the main map draws in GCJ-02 (the basemap chosen is Amap's)."""
    from spatial.webmap.publish import datum_of

    try:
        return datum_of(ss.get("basemap") or "none") == "gcj02"
    except KeyError:
        return False
