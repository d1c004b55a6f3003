"""Everything a user takes away: briefing maps, the 规划衔接 page, GIS files and CSV.

============== =========================================================================
module         concern
============== =========================================================================
briefing       print maps of a selection (PNG/PDF/SVG): what it shows, title and source line
options        ``gzmap export``'s options turned into a briefing
alignment      the 规划衔接 briefing page: map coloured by status, industry table, key
downloads      GeoJSON, CSV (code form) and GeoPackage files of a view
qgis           QGIS styles (QML, SLD) for the GeoPackage, from the print maps' symbols
csv_zh         the Chinese CSV: headers and labels as words
ogc            OGC API - Features: the pygeoapi configuration, OpenAPI document and served data
ogc_provider   the pygeoapi provider: filters that match members of list properties
site           ``gzmap publish``: the map as a static site (files, hashed names, gzip twins)
site_page      the site's map page: controls, panel, the configuration its script reads
site_alignment the site's 规划衔接 page of each district
============== =========================================================================

Layer 6: imports ``spatial.plot``, ``spatial.webmap`` (tooltip text), ``spatial.symbology``,
``spatial.query``, ``spatial.uploads`` and below; only ``spatial.cli`` and the app import it.
``ogc_provider`` is loaded by pygeoapi (the ``ogc`` extra) by its import path.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=[
        "alignment", "briefing", "csv_zh", "downloads", "ogc", "ogc_provider", "options", "qgis",
        "site", "site_alignment", "site_page",
    ],
    submod_attrs={
        "alignment": ["render_alignment"],
        "briefing": ["render_map"],
        "csv_zh": ["to_csv_zh_bytes"],
        "downloads": ["to_csv_bytes", "to_geojson_bytes", "to_gpkg_bytes"],
        "site": ["publish_site"],
    },
)
