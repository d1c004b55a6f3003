"""Draw print maps with matplotlib: vector base, features by role and colour rule, labels, furniture.

This package knows nothing about plans or selections: :mod:`spatial.exports.briefing` decides what to show
and what the title and source line say, and calls :func:`draw_map`. One module per concern:

========== ==========================================================================
module     concern
========== ==========================================================================
style      paper symbols: markers, sizes, widths (colours from :mod:`spatial.symbology`)
geometry   the map CRS, base layers in it, shapely to matplotlib paths
page       page sizes and regions, text measuring, header and footer
view       a map frame on the page, and the tally of what was drawn
context    web tiles, districts, OSM context, district names
features   plan features, edge arrows, the names they queue
overlay    uploaded layers, drawn in grey as on screen
labels     label and key-number placement without collisions
inset      the enlarged view of a crowded area
furniture  scale bar, north arrow
legend     the panel: legend, key to numbered features, locator map
draw       the order of it all: :func:`draw_map`
output     rcParams for exports; PNG/PDF/SVG bytes with fixed metadata
fonts      the bundled CJK font, registered with matplotlib (no tofu boxes)
========== ==========================================================================

Layer 5: imports ``spatial.symbology``, ``spatial.plans`` (roles) and the small helpers;
``spatial.exports`` imports it.
"""

from __future__ import annotations

from spatial.plot.context import Tiles
from spatial.plot.draw import draw_map, printed_extent
from spatial.plot.geometry import MAP_CRS, MAP_CRS_LABEL, BaseData, prepare_base
from spatial.plot.output import FORMATS, figure_bytes, map_style
from spatial.plot.overlay import Overlay
from spatial.plot.page import PAGE_SIZES, MapText, page_inches, page_pixels
from spatial.plot.style import industry_colours

__all__ = [
    "MAP_CRS",
    "MAP_CRS_LABEL",
    "PAGE_SIZES",
    "FORMATS",
    "MapText",
    "BaseData",
    "Tiles",
    "Overlay",
    "page_inches",
    "page_pixels",
    "draw_map",
    "printed_extent",
    "figure_bytes",
    "industry_colours",
    "map_style",
    "prepare_base",
]
