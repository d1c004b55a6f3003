"""``gzmap here LON LAT`` answers from a cached index: the same answer as the layers frame gives,
never from a stale index, and without a writable cache too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spatial._paths import LAYERS_DIR, ROOT
from spatial.geo.coords import wgs84_to_gcj02
from spatial.plans.layers import load_layers
from spatial.query import here_index
from spatial.query.here import what_is_here, what_is_here_cached

OUTSIDE = [(114.5, 22.3), (112.9, 23.9)]  # outside every district


def _points(layers) -> list[tuple[float, float]]:
    """A grid over Guangzhou, points inside each drawn area, near each place, and outside."""
    grid = [(x, y) for x in np.linspace(113.0, 114.0, 9) for y in np.linspace(22.6, 23.9, 9)]
    near = []
    for geom in layers.geometry:
        inner = geom.representative_point()
        near.append((inner.x, inner.y))  # inside a park's outline, on a place drawn as a point
        near.append((inner.x + 0.004, inner.y - 0.003))  # a few hundred metres off
        if geom.geom_type == "Polygon":
            edge = geom.exterior.interpolate(0.3, normalized=True)
            near.append((edge.x, edge.y))
    return grid + near[::3] + OUTSIDE


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GZMAP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_cached_index_gives_the_frames_answer_everywhere(layers, cache) -> None:
    districts = set()
    for n, (lon, lat) in enumerate(_points(layers)):
        radius = (0.0, 1500.0, 5000.0)[n % 3]
        for gcj02 in (False, True):
            x, y = wgs84_to_gcj02(lon, lat) if gcj02 else (lon, lat)
            want = what_is_here(layers, x, y, radius_m=radius, gcj02=gcj02).to_dict()
            assert what_is_here_cached(x, y, radius_m=radius, gcj02=gcj02).to_dict() == want
            districts.add(want["district"])
    assert len(list(cache.glob("here/index-*.json"))) == 1  # written once, read since
    assert None in districts and len(districts) == 12  # outside, and each of the 11 districts


@pytest.fixture()
def own_layers(tmp_path) -> Path:
    folder = tmp_path / "layers"
    folder.mkdir()
    for path in LAYERS_DIR.glob("*.geojson"):
        shutil.copy2(path, folder / path.name)
    return folder


def test_a_changed_layer_file_rebuilds_the_index(own_layers, cache) -> None:
    lon, lat = 113.382, 23.082  # on 生物岛
    before = what_is_here_cached(lon, lat, radius_m=500, layers_dir=own_layers)
    assert "gz-bio-island" in [e.id for e in before.covering]
    path = own_layers / "gz_sti.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    island = next(f for f in doc["features"] if f["properties"]["id"] == "gz-bio-island")
    island["properties"]["name"] = "改过的生物岛"
    stat = path.stat()
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with its old time
    after = what_is_here_cached(lon, lat, radius_m=500, layers_dir=own_layers)
    assert after.to_dict() == what_is_here(load_layers(own_layers), lon, lat, radius_m=500).to_dict()
    assert "改过的生物岛" in [e.name for e in after.covering]
    stored = json.loads(here_index.cache_path(own_layers).read_text(encoding="utf-8"))
    assert stored["key"] == here_index.index_key(own_layers)
    # a removed layer file changes the answer too
    path.unlink()
    gone = what_is_here_cached(lon, lat, radius_m=500, layers_dir=own_layers)
    assert "gz-bio-island" not in [e.id for e in gone.covering + gone.nearby]


def test_a_damaged_index_file_is_rebuilt(layers, cache) -> None:
    want = what_is_here_cached(113.382, 23.082).to_dict()
    path = here_index.cache_path(LAYERS_DIR)
    path.write_text('{"format": 1, "key": "' + here_index.index_key() + '", "features": [', "utf-8")
    assert what_is_here_cached(113.382, 23.082).to_dict() == want
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == here_index.index_key()


def test_an_unwritable_cache_still_answers(layers, tmp_path, monkeypatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("GZMAP_CACHE_DIR", str(blocked))  # no folder can be made under a file
    want = what_is_here(layers, 113.382, 23.082, radius_m=800).to_dict()
    assert what_is_here_cached(113.382, 23.082, radius_m=800).to_dict() == want
    monkeypatch.delenv("GZMAP_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(blocked))
    assert what_is_here_cached(113.382, 23.082, radius_m=800).to_dict() == want


def test_gzmap_here_answers_from_the_index_without_pandas(cache) -> None:
    run = [
        sys.executable, "-c",
        "import sys; from spatial.cli import main; rc = main(sys.argv[1:]); "
        "print('PANDAS' if 'pandas' in sys.modules else 'NO PANDAS'); sys.exit(rc)",
        "here", "113.382", "23.082", "--json",
    ]
    env = {**os.environ, "GZMAP_CACHE_DIR": str(cache)}
    cold = subprocess.run(run, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    warm = subprocess.run(run, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert cold.stdout.endswith("\nPANDAS\n")  # no index yet: built from the layers frame
    assert warm.stdout.endswith("\nNO PANDAS\n")
    answer = json.loads(warm.stdout.rsplit("\n", 2)[0])
    assert answer == json.loads(cold.stdout.rsplit("\n", 2)[0])
    assert answer["covering"][0]["id"] == "gz-bio-island"
