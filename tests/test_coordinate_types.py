"""Coordinates are numbers, never ``true``/``false`` or text, in uploads and in ``gzmap
validate`` (one check serves both): Python reads ``true`` as 1, so a position of booleans
passed the Guangzhou extent check as (1, 0) mixed with good ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from _contract import GOOD

from spatial.cli import main
from spatial.uploads.reader import read_user_layer, start_worker

LINE_WITH_BOOLEANS = [[113.36, 23.08], [113.37, 23.09], [True, False]]
CASES = {
    "booleans in a line": ("LineString", LINE_WITH_BOOLEANS),
    "a boolean in a point": ("Point", [113.36, True]),
    "text in a polygon": (
        "Polygon", [[[113.36, 23.08], [113.37, 23.08], ["113.37", 23.09], [113.36, 23.08]]]
    ),
    "booleans in a multipoint": ("MultiPoint", [[113.36, 23.08], [False, True]]),
}


@pytest.fixture(scope="module", autouse=True)
def _worker() -> None:
    start_worker()


def _upload(gtype: str, coords: list) -> bytes:
    feat = {"type": "Feature", "properties": {"name": "甲"},
            "geometry": {"type": gtype, "coordinates": coords}}
    return json.dumps({"type": "FeatureCollection", "features": [feat]}).encode()


@pytest.mark.parametrize("case", list(CASES))
def test_an_upload_with_non_numeric_coordinates_is_refused(case: str) -> None:
    layer = read_user_layer(_upload(*CASES[case]), "t.geojson")
    assert not layer.ok
    assert any("坐标必须是数字" in p and "not true/false or text" in p for p in layer.problems)


@pytest.mark.parametrize("case", list(CASES))
def test_gzmap_validate_refuses_non_numeric_coordinates(case: str, tmp_path: Path, capsys) -> None:
    feat = copy.deepcopy(GOOD)
    feat["geometry"] = {"type": CASES[case][0], "coordinates": CASES[case][1]}
    path = tmp_path / "t.geojson"
    doc = {"type": "FeatureCollection", "features": [feat]}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["validate", "--no-districts", str(path)]) == 1
    err = capsys.readouterr().err
    assert "gz-bio-island: malformed" in err and "2 or 3 numbers" in err


def test_numbers_in_every_nesting_still_pass() -> None:
    ring = [[113.36, 23.08], [113.37, 23.08], [113.37, 23.09], [113.36, 23.08]]
    for gtype, coords in [
        ("Point", [113.36, 23.08, 12]),
        ("LineString", ring[:3]),
        ("Polygon", [ring]),
        ("MultiPolygon", [[ring]]),
        ("MultiLineString", [ring[:2], ring[1:3]]),
    ]:
        layer = read_user_layer(_upload(gtype, coords), "t.geojson")
        assert layer.ok, (gtype, layer.problems)
