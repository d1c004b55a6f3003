"""Loading layers, districts and OSM context, reading uploads and rendering the map need no network.

The last test runs an export, an upload and the whole app in a child process with the network
really absent (a network namespace from ``unshare -n`` where allowed; otherwise every internet
socket refused and PROJ/GDAL's network use switched off).

Every socket connection and name lookup raises during these calls (and is recorded, in case
some code swallowed the error), so anything that quietly reaches for the internet fails here.
Only public functions are called; each works on copies of the repository's data in a temporary
folder so that no cache filled by an earlier test hides the work.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from spatial._paths import CITY_OUTLINE_PATH, DISTRICTS_PATH, LAYERS_DIR, OSM_CACHE_DIR, ROOT
from spatial.geo.base import districts_containing, load_city_outline, load_districts
from spatial.geo.basemaps import BASEMAPS, NO_TILES, to_basemap_crs
from spatial.geo.osm import load_osm_context
from spatial.plans.layers import load_layers
from spatial.query.features import Selection, select
from spatial.uploads.reader import read_user_layer

HOSTILE = Path(__file__).parent / "data" / "hostile"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Make every connection and DNS lookup fail; return the list of attempts."""
    attempts: list[tuple] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted in an offline test")

    local_connect, local_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(sock: socket.socket, address: object) -> None:
        if sock.family == socket.AF_UNIX:  # a local pipe (the upload worker's), not the network
            return local_connect(sock, address)
        return refuse(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        if sock.family == socket.AF_UNIX:
            return local_connect_ex(sock, address)
        refuse(sock, address)
        return 1

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def data_copy(tmp_path: Path) -> dict[str, Path]:
    """Copies of the layers, district files and OSM cache (fresh cache keys for the loaders)."""
    layers = tmp_path / "layers"
    layers.mkdir()
    for path in LAYERS_DIR.glob("*.geojson"):
        shutil.copy(path, layers / path.name)
    if not any(layers.iterdir()):  # no curated layers yet: any layer file will do for loading
        shutil.copy(HOSTILE / "good_upload.geojson", layers / "good_upload.geojson")
    osm = tmp_path / "osm"
    if OSM_CACHE_DIR.is_dir():
        shutil.copytree(OSM_CACHE_DIR, osm)
    else:
        osm.mkdir()
    geo = tmp_path / "geo"
    geo.mkdir()
    shutil.copy(DISTRICTS_PATH, geo / DISTRICTS_PATH.name)
    shutil.copy(CITY_OUTLINE_PATH, geo / CITY_OUTLINE_PATH.name)
    return {
        "layers": layers,
        "osm": osm,
        "districts": geo / DISTRICTS_PATH.name,
        "city": geo / CITY_OUTLINE_PATH.name,
    }


def test_loading_everything_needs_no_network(offline: list, data_copy: dict[str, Path]) -> None:
    layers = load_layers(data_copy["layers"])
    districts = load_districts(data_copy["districts"])
    city = load_city_outline(data_copy["city"])
    osm = load_osm_context(data_copy["osm"])
    assert len(layers) > 0 and str(layers.crs) == "EPSG:4326"
    assert len(districts) == 11 and len(city) == 1
    assert isinstance(osm, dict)
    inside = districts_containing(shapely.Point(113.3665, 23.0855), path=data_copy["districts"])
    assert "海珠区" in inside
    picked = select(layers, Selection())
    for key in BASEMAPS:
        assert len(to_basemap_crs(picked, key)) == len(picked)
    assert offline == []


def test_reading_uploads_needs_no_network(
    offline: list, tmp_path: Path, data_copy: dict[str, Path]
) -> None:
    geojson = read_user_layer((HOSTILE / "good_upload.geojson").read_bytes(), "good.geojson")
    assert geojson.ok
    path = tmp_path / "up.gpkg"
    geojson.gdf.to_crs("EPSG:32649").to_file(path, driver="GPKG")
    gpkg = read_user_layer(path.read_bytes(), "up.gpkg")
    assert gpkg.ok and str(gpkg.gdf.crs) == "EPSG:4326"
    assert offline == []


@pytest.mark.parametrize("basemap", ["none", *BASEMAPS])
def test_preparing_the_map_needs_no_network(
    basemap: str, offline: list, data_copy: dict[str, Path], tmp_path: Path
) -> None:
    webmap = pytest.importorskip("spatial.webmap")
    from spatial.webmap.site import write_site

    layers = load_layers(data_copy["layers"])
    upload = read_user_layer((HOSTILE / "hostile_names.geojson").read_bytes(), "hostile.geojson")
    key = NO_TILES if basemap == "none" else basemap
    site = write_site(tmp_path, select(layers, Selection()),
                      districts=load_districts(data_copy["districts"]), basemap=key)
    assert (tmp_path / site.data["features"]).stat().st_size > 0
    assert webmap.basemap_script(key, {}, "k")
    from spatial.webmap.client import own_features

    assert own_features(upload.gdf)["features"]
    assert isinstance(upload.gdf, gpd.GeoDataFrame)
    assert offline == []


# -- with the network really absent ---------------------------------------------------------------
_NO_NETWORK_SCRIPT = r"""
import socket, sys
if sys.argv[1] == "patched":  # no network namespace here: refuse every internet socket instead
    real = socket.socket.connect
    def connect(sock, address):
        if sock.family != socket.AF_UNIX:
            raise OSError("network access attempted in an offline run")
        return real(sock, address)
    socket.socket.connect = connect
from pathlib import Path
from streamlit.testing.v1 import AppTest
from spatial.exports.briefing import render_map
from spatial.query.features import Selection
from spatial.uploads.reader import read_user_layer

out = Path(sys.argv[2])
png = render_map(Selection(plans=("gz_sti",)), fmt="png", dpi=60)
assert png.startswith(b"\x89PNG"), "export is not a PNG"
(out / "offline.png").write_bytes(png)
layer = read_user_layer(Path(sys.argv[3]).read_bytes(), "good.geojson")
assert layer.ok, layer.problems
at = AppTest.from_file("streamlit_app.py", default_timeout=300)
at.run()
assert not at.exception, [e.value for e in at.exception]
assert at.get("bidi_component"), "the app drew no map"
print("offline ok")
"""


def _no_network_prefix() -> tuple[list[str], str]:
    """``unshare -n`` (a network namespace: not even loopback) when allowed, else patching."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"], "namespace"
    return [], "patched"


def test_export_upload_and_app_with_the_network_really_absent(tmp_path: Path) -> None:
    prefix, how = _no_network_prefix()
    env = {
        **os.environ,
        "PROJ_NETWORK": "OFF",  # PROJ and GDAL must not fetch grids or files either
        "GDAL_HTTP_PROXY": "127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    cmd = [*prefix, sys.executable, "-c", _NO_NETWORK_SCRIPT, how, str(tmp_path),
           str(HOSTILE / "good_upload.geojson")]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0 and "offline ok" in proc.stdout, (how, proc.stderr[-3000:])
    assert (tmp_path / "offline.png").stat().st_size > 10_000
