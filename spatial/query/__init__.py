"""What users ask of the plans: a selection, a search, what is planned here, how plans align.

============== ========================================================================
module         concern
============== ========================================================================
features       selection (plan, industry, role, cluster, segment, text) and walking the axis
search         ranked search: name > alias > start of name > plan text, with the reason;
               the nearest names when nothing matches
here           这里规划了什么: areas containing a point, points within their precision,
               neighbours within a radius
here_index     the point query's cached index: geometries in EPSG:32649 and the printed
               fields, read without pandas; keyed by the layer files' bytes
area           这片区域规划了什么: every element meeting a study area, with how much lies inside
alignment      规划衔接: a district plan against the city plan, every claim with its excerpts
alignment_text ``gzmap alignment``: that comparison as plain text
overview       counts of a selection by plan, role and industry
unsited        register places as the app shows them: filtered, counted per district
detail         a place's panel: facts, excerpts with their section path, related places
============== ========================================================================

Layer 3: imports ``spatial.plans``, ``spatial.geo`` and the small helpers, nothing above
(``spatial.uploads`` sits beside it; neither imports the other).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=[
        "alignment",
        "alignment_text",
        "area",
        "detail",
        "features",
        "here",
        "here_index",
        "overview",
        "search",
        "unsited",
    ],
    submod_attrs={
        "alignment": ["align"],
        "area": ["what_is_in_area"],
        "detail": ["feature_facts"],
        "features": ["Selection", "select", "step"],
        "here": ["what_is_here", "what_is_here_cached"],
        "overview": ["overview_table"],
        "search": ["rank_hits", "suggest"],
        "unsited": ["load_unsited", "select_unsited"],
    },
)
