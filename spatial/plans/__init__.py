"""The plans as data: texts, vocabularies, the layer sources and the built layers.

============= ========================================================================
module        concern
============= ========================================================================
manifest      the five plans: ids, titles, layout names, seed files
texts         plan texts: normaliser, heading tree, quote finder
taxonomy      the two-level industry taxonomy and synonym folding
schema        the layer contract's vocabularies: roles, districts, properties, extent
about         is an excerpt about its feature; a table row shown as its cells
derive        geometry of the sources: points, polygons, shapes derived from members
build         YAML sources (``layers/src``) → ``layers/*.geojson``
layers        loading the built layers into one GeoDataFrame
validate      checking layers against the contract, every problem reported
register      places named without a known site (``layers/register.json``)
district_wide industries a district plan names for the whole district (规划衔接's 全区)
candidates    candidate place names re-read from the texts
coverage      per plan: named places on the map, in the register, or left out
edits         (sub-package) change files: suggest, review and apply changes to the sources
============= ========================================================================

Layer 2: imports ``spatial.geo`` and the small helpers below it, nothing above.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=[
        "about", "build", "candidates", "coverage", "derive", "district_wide", "layers",
        "manifest", "register", "schema", "taxonomy", "texts", "validate",
    ],
    submod_attrs={
        "build": ["build_layers"],
        "coverage": ["coverage"],
        "layers": ["load_layers"],
        "manifest": ["get_plan", "load_manifest", "plan_ids"],
        "register": ["load_register"],
        "schema": ["ROLES"],
        "taxonomy": ["load_taxonomy"],
        "texts": ["load_plan"],
        "validate": ["validate_layer_files"],
    },
)
