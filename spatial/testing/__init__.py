"""Helpers for the tests and benchmarks: the app on a free loopback port, headless Chromium.

========== =========================================================================
module     concern
========== =========================================================================
appserver  the app started under ``streamlit run`` on a free loopback port, health-checked
chromium   Debian's headless Chromium launched by Playwright, the map's frames found
ogcserver  the OGC API - Features server (``deploy/ogc.sh``) on a free loopback port
========== =========================================================================

Imports only ``spatial._paths``; nothing in the package imports it.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=["appserver", "chromium", "ogcserver"],
    submod_attrs={"appserver": ["run_app"], "chromium": ["launch"], "ogcserver": ["run_ogc"]},
)
