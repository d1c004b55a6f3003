"""Suggested changes to the layer sources: change files, review, apply, history.

========== ========================================================================
module     concern
========== ========================================================================
changefile the change file (建议修改): its format, reading it as hostile, writing it
yamledit   editing records of a hand-kept YAML source, every other line kept
apply      checking changes against the sources and applying them, all or none
review     what ``gzmap review`` and ``gzmap apply`` print
history    ``layers/src/history/<id>.yaml``: the changes applied to a place
========== ========================================================================

Part of layer 2 (``spatial.plans``): imports ``spatial.plans``, ``spatial.geo`` and the small
helpers below them. The format is documented in ``docs/change-files.md``.
"""
