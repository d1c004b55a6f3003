"""Basemap registry and lining WGS84 layers up with GCJ-02 (Amap) tiles."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from spatial.geo.basemaps import (
    BASEMAPS,
    DEFAULT_BASEMAP,
    basemap_choices,
    basemap_options,
    get_basemap,
    to_basemap_crs,
)
from spatial.geo.coords import gcj02_to_wgs84

GEOD = Geod(ellps="WGS84")

AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


@pytest.fixture
def layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["广州塔", "科技创新轴"]},
        geometry=[
            Point(113.3245, 23.1064),
            LineString([(113.3240, 23.1195), (113.4500, 23.1700), (113.5000, 23.4000)]),
        ],
        crs="EPSG:4326",
    )


def test_registry_has_the_three_basemaps():
    assert set(BASEMAPS) == {"osm", "positron", "amap"}
    assert DEFAULT_BASEMAP in BASEMAPS
    amap = get_basemap("amap")
    assert amap.url == AMAP_URL
    assert amap.subdomains == "1234"
    assert "高德地图" in amap.attribution and "AutoNavi" in amap.attribution
    assert amap.crs == "gcj02"
    assert get_basemap("osm").crs == "wgs84"
    assert get_basemap("positron").crs == "wgs84"
    assert "OpenStreetMap" in get_basemap("positron").attribution
    assert [k for k, _ in basemap_options()] == list(BASEMAPS)
    assert dict(basemap_options())["amap"] == "高德地图"


def test_every_basemap_makes_a_folium_tile_layer():
    for basemap in BASEMAPS.values():
        tiles = folium.TileLayer(**basemap.folium_kwargs())
        assert tiles.tile_name == basemap.label


def test_amap_shifts_layers_by_the_gcj02_offset(layer):
    shifted = to_basemap_crs(layer, "amap")
    for a, b in zip(layer.geometry, shifted.geometry, strict=True):
        for (x0, y0), (x1, y1) in zip(a.coords, b.coords, strict=True):
            moved = GEOD.inv(x0, y0, x1, y1)[2]
            assert 550 < moved < 700  # 588-638 m across Guangzhou
            # and shifting back lands on the original position
            back = gcj02_to_wgs84(x1, y1)
            assert GEOD.inv(x0, y0, *back)[2] < 0.01
    assert list(shifted["name"]) == list(layer["name"])
    assert layer.geometry.iloc[0].x == 113.3245  # the input is left alone


@pytest.mark.parametrize("key", ["osm", "positron"])
def test_wgs84_basemaps_leave_layers_unchanged(layer, key):
    out = to_basemap_crs(layer, key)
    assert out.geometry.geom_equals_exact(layer.geometry, tolerance=0).all()


def test_unknown_basemap_and_projected_layers_are_refused(layer):
    with pytest.raises(KeyError, match="known: "):
        to_basemap_crs(layer, "baidu")
    with pytest.raises(ValueError, match="EPSG:4326"):
        to_basemap_crs(layer.to_crs("EPSG:32649"), "osm")


KEY = "0123456789abcdef0123456789ABCDEF"  # a made-up 天地图 key


def test_basemap_labels_name_each_service_once(monkeypatch):
    monkeypatch.delenv("GZMAP_TIANDITU_KEY", raising=False)
    labels = dict(basemap_choices())
    assert labels["osm"] == "开放街道地图 OpenStreetMap"  # Chinese first, the name after it
    for label in labels.values():
        words = label.split()
        assert len(words) == len(set(words)), label
    assert list(labels)[-1] == "none"
    assert not any(k.startswith("tianditu") for k in labels)  # no key, no 天地图


def test_tianditu_is_offered_with_a_key_and_keeps_it_in_the_tile_urls(monkeypatch, layer):
    monkeypatch.setenv("GZMAP_TIANDITU_KEY", KEY)
    labels = dict(basemap_choices())
    assert labels["tianditu-vec"].startswith("天地图矢量")
    assert labels["tianditu-img"].startswith("天地图影像")
    for key in ("tianditu-vec", "tianditu-img"):
        bm = get_basemap(key)
        assert bm.url.endswith(f"tk={KEY}") and bm.overlay_url.endswith(f"tk={KEY}")
        assert "tianditu.gov.cn" in bm.url and bm.crs == "wgs84"
        # the key is nowhere but in the tile URLs: not in repr, label or attribution
        assert KEY not in repr(bm) and KEY not in bm.attribution and KEY not in bm.choice_label
        assert KEY not in str(basemap_choices())
        # CGCS2000 is WGS84 to within centimetres: layers are drawn where they are
        out = to_basemap_crs(layer, key)
        assert out.geometry.geom_equals_exact(layer.geometry, tolerance=0).all()
    # the vector map has its annotation layer, as a second tile layer
    assert "/cva_w/" in get_basemap("tianditu-vec").overlay_url
    assert "/cia_w/" in get_basemap("tianditu-img").overlay_url


@pytest.mark.parametrize("value", ["", "short", KEY + "0", 'x"><script>alert(1)</script>' + KEY])
def test_a_missing_or_malformed_tianditu_key_offers_nothing(monkeypatch, value):
    monkeypatch.setenv("GZMAP_TIANDITU_KEY", value)
    assert not any(k.startswith("tianditu") for k, _ in basemap_choices())
    with pytest.raises(KeyError) as err:
        get_basemap("tianditu-vec")
    assert not value or value not in str(err.value)  # the error never repeats the value


def test_the_map_script_holds_the_key_only_in_tile_urls(monkeypatch):
    from spatial.webmap.map import basemap_script

    monkeypatch.setenv("GZMAP_TIANDITU_KEY", KEY)
    html = basemap_script("tianditu-vec", {"gz_sti": "广州市"}, "k")  # what the browser gets
    assert html.count(KEY) == 2  # the vector tiles and their annotation
    for at in [i for i in range(len(html)) if html.startswith(KEY, i)]:
        url_start = html.rfind("https://t{s}.tianditu.gov.cn/", 0, at)
        assert url_start >= 0 and '"' not in html[url_start:at]


def test_basemap_choices_are_named_in_chinese_first() -> None:
    from spatial.webmap import basemap_choices

    for key, label in basemap_choices():
        assert re.match(r"[\u4e00-\u9fff]", label), (key, label)  # not "OpenStreetMap OpenStreetMap"


@pytest.mark.parametrize(
    ("value", "expected", "warned"),
    [
        ("", DEFAULT_BASEMAP, False),
        ("none", "none", False),
        (" amap ", "amap", False),
        ("tianditu-vec", DEFAULT_BASEMAP, True),  # not on offer without a 天地图 key
        ("<b>bad</b>", DEFAULT_BASEMAP, True),
    ],
)
def test_a_deployment_names_the_basemap_new_pages_open_on(
    monkeypatch, caplog, value, expected, warned
):
    from spatial.geo.basemaps import APP_BASEMAP_ENV, app_default_basemap

    monkeypatch.delenv("GZMAP_TIANDITU_KEY", raising=False)
    monkeypatch.setenv(APP_BASEMAP_ENV, value)
    with caplog.at_level("WARNING", logger="spatial.geo.basemaps"):
        assert app_default_basemap() == expected
    assert bool(caplog.records) == warned
    if warned:
        assert "GZMAP_BASEMAP" in caplog.text and "positron" in caplog.text


def test_an_intranet_deployment_opens_the_app_on_the_offline_basemap(tmp_path):
    """``GZMAP_BASEMAP=none``: a new page's basemap is 离线底图 (no tile is asked for), its
    link leaves it unsaid, and a link naming a tile service still opens on that one."""
    import json
    import subprocess
    import sys

    from spatial._paths import ROOT

    script = tmp_path / "probe.py"
    script.write_text(
        "import json, sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "out = []\n"
        "for link in ({}, {'basemap': 'amap'}):\n"
        f"    at = AppTest.from_file({str(ROOT / 'streamlit_app.py')!r}, default_timeout=120)\n"
        "    for k, v in link.items():\n"
        "        at.query_params[k] = v\n"
        "    at.run()\n"
        "    out.append({'exceptions': [e.value for e in at.exception],\n"
        "                'widget': at.selectbox(key='basemap').value,\n"
        "                'query': dict(at.query_params)})\n"
        "print(json.dumps(out))\n",
        encoding="utf-8",
    )
    env = {**__import__("os").environ, "GZMAP_BASEMAP": "none"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    plain, amap = json.loads(done.stdout.strip().splitlines()[-1])
    assert plain["exceptions"] == [] and amap["exceptions"] == []
    assert plain["widget"] == "none" and "basemap" not in plain["query"]
    assert amap["widget"] == "amap" and amap["query"].get("basemap") == "amap"


@pytest.mark.parametrize(
    ("value", "first"),
    [("", DEFAULT_BASEMAP), ("none", "none"), ("amap", "amap"), ("<b>bad</b>", DEFAULT_BASEMAP)],
)
def test_a_published_site_opens_on_the_deployments_basemap(monkeypatch, value, first):
    """``gzmap publish`` without ``--basemap`` offers every basemap, the deployment's first (an
    intranet's site opens on 离线底图, as its app does); 天地图 is never published."""
    from spatial.exports.site import default_basemaps
    from spatial.geo.basemaps import APP_BASEMAP_ENV, BASEMAPS, NO_TILES

    monkeypatch.setenv("GZMAP_TIANDITU_KEY", "0" * 32)  # on offer in the app, not in a site
    monkeypatch.setenv(APP_BASEMAP_ENV, value)
    keys = default_basemaps()
    assert keys[0] == first
    assert sorted(keys) == sorted([*BASEMAPS, NO_TILES])  # each once
    if first != NO_TILES:
        assert keys[-1] == NO_TILES
    monkeypatch.setenv(APP_BASEMAP_ENV, "tianditu-vec")
    assert default_basemaps()[0] == DEFAULT_BASEMAP
