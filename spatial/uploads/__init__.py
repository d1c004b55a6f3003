"""Layers users upload (我的图层): untrusted files read in a short-lived worker with limits.

======== ==========================================================================
module   concern
======== ==========================================================================
reader   the limits, the message for each refusal, starting the worker and reading its answer
_worker  the parser run in the worker process (GeoJSON, GeoPackage), every cap enforced
_process the worker process: fork server, time and memory limits
_gpkg    GeoPackage tables read with SQLite's own safeguards
======== ==========================================================================

Layer 3: imports ``spatial.plans`` (validation of coordinates) and the small helpers, nothing
above; beside ``spatial.query``.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach(
    __name__,
    submodules=["reader"],
    submod_attrs={"reader": ["MAX_UPLOAD_BYTES", "limits_text", "read_user_layer"]},
)
