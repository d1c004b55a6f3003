"""Geography under the plans: where Guangzhou's districts are, the basemaps and their datum.

========= ==========================================================================
module    concern
========= ==========================================================================
base      district boundaries and the city outline (WGS84), which district holds a point
basemaps  tile services, the basemap's datum (GCJ-02 for Amap) and shifting frames into it
coords    GCJ-02 ⇄ WGS84 for points, geometries and frames
context   the offline context shipped in data/geo/context (water, rivers from GSHHG): build it
osm       OpenStreetMap context (water, rivers, roads, rail, airport): fetch, cache, load (the
          shipped context where the cache is empty)
========= ==========================================================================

Layer 1: imports only spatial's small helpers (``_errors``, ``_io``, ``_paths``). Names are
exported lazily: ``from spatial.geo import load_districts`` imports ``base`` only.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=["base", "basemaps", "context", "coords", "osm"],
    submod_attrs={
        "base": ["districts_containing", "load_city_outline", "load_districts"],
        "basemaps": ["BASEMAPS", "DEFAULT_BASEMAP", "NO_TILES", "get_basemap", "shift_to_basemap"],
        "context": ["build_context"],
        "coords": ["gcj02_to_wgs84", "wgs84_to_gcj02"],
        "osm": ["fetch_osm", "load_osm_context"],
    },
)
