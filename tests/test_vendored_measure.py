"""The vendored leaflet-measure runs without ``eval`` (deploy/leaflet_measure.py).

Under the proxy's Content-Security-Policy (no ``'unsafe-eval'``) the upstream bundle throws as it
loads and the whole map fails to draw; the browser check is in test_serving_browser.py, this one
catches an upstream file copied over the precompiled one before any browser starts.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("leaflet_measure", ROOT / "deploy/leaflet_measure.py")
leaflet_measure = importlib.util.module_from_spec(spec)
spec.loader.exec_module(leaflet_measure)


def test_the_vendored_bundle_has_its_templates_written_out() -> None:
    text = leaflet_measure.BUNDLE.read_text(encoding="utf-8")
    assert text.startswith(leaflet_measure.MARK)
    assert text.count(leaflet_measure.LOOKUP) == 1
    # leaflet-measure's five templates: the control, the results, a point, a line, an area
    table = text.split(leaflet_measure.END)[0]
    assert len(re.findall(r"function\(numberFormat, _\)", table)) == 5
    for heading in ("点的坐标", "距离测量", "面积测量"):
        assert heading in table


def test_precompiling_is_undone_exactly() -> None:
    text = leaflet_measure.BUNDLE.read_text(encoding="utf-8")
    upstream = leaflet_measure.original(text)
    assert leaflet_measure.MARK not in upstream and leaflet_measure.LOOKUP not in upstream
    assert upstream.count(leaflet_measure.CALL) == 1
    assert leaflet_measure.original(upstream) == upstream
