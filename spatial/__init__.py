"""gzplan-map: Guangzhou's 14th Five-Year science-and-technology plans as map layers.

Modules, one concern each:

* ``texts`` — plan texts: normaliser, heading tree, quote finder.
* ``manifest`` — the plan manifest (ids, titles, layout names).
* ``taxonomy`` — the industry taxonomy and synonym folding.
* ``schema`` — the layer contract's vocabularies (roles, districts, properties).
* ``build`` — builds ``layers/*.geojson`` from the YAML sources.
* ``layers`` — loads the built layers for the app and exports.
* ``validate`` — checks layers against the contract, collecting every problem.
* ``coords`` — GCJ-02 ⇄ WGS84.
* ``base`` — district boundaries; ``osm`` — OpenStreetMap context; ``basemaps`` — tile services.
* ``features`` — filtering and axis walking; ``export`` — print maps.
* ``webmap`` — the folium map (a package: styles, popups, items, leaflet, map).
"""

__version__ = "0.1.0"
