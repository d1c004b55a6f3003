"""OGC API – Features: the service ``make ogc`` / ``make serve`` start, read as GIS software reads it.

The server is the project's own: ``deploy/ogc.sh`` (``gzmap ogc-config`` into a temporary
folder, then pygeoapi under gunicorn) on a free loopback port. It is read with OWSLib's
``Features`` client, with plain HTTP (JSON and HTML) and, where Debian's ``gdal-bin`` is
installed, with GDAL's OAPIF driver. Expected answers are computed from ``layers/*.geojson``
and ``layers/register.json`` directly, not from the code under test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from shapely.geometry import box, shape

pytest.importorskip("pygeoapi", reason="pygeoapi is not installed (the ogc extra)")
pytest.importorskip("gunicorn", reason="gunicorn is not installed (the ogc extra)")
features_mod = pytest.importorskip("owslib.ogcapi.features", reason="OWSLib is not installed")

from spatial._paths import LAYERS_DIR  # noqa: E402
from spatial.plans.manifest import load_manifest  # noqa: E402
from spatial.testing.ogcserver import run_ogc  # noqa: E402

LAYER_FILES = sorted(LAYERS_DIR.glob("*.geojson"))
LAYERS = {p.stem: json.loads(p.read_text(encoding="utf-8"))["features"] for p in LAYER_FILES}
ALL_FEATURES = [f for feats in LAYERS.values() for f in feats]
PLACES = json.loads((LAYERS_DIR / "register.json").read_text(encoding="utf-8"))["places"]
POINTS = [f for f in ALL_FEATURES if f["geometry"]["type"] == "Point"]


@pytest.fixture(scope="module")
def ogc(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ogc")
    with run_ogc(folder / "config", log=folder / "server.log") as server:
        yield server


@pytest.fixture(scope="module")
def client(ogc):
    return features_mod.Features(ogc.url)


def get(url: str, accept_language: str | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url)
    if accept_language:
        req.add_header("Accept-Language", accept_language)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, dict(resp.headers), resp.read()


def all_items(client, collection: str, **params) -> list[dict]:
    """Every item of a query, page after page by the server's ``next`` links."""
    page = client.collection_items(collection, **params)
    items = list(page["features"])
    while nxt := [link["href"] for link in page["links"] if link["rel"] == "next"]:
        page = json.loads(get(nxt[0])[2])
        items += page["features"]
    return items


def test_every_layer_and_the_register_are_collections_with_chinese_titles(client) -> None:
    colls = {c["id"]: c for c in client.collections()["collections"]}
    assert set(LAYERS) | {"points", "lines", "polygons", "register"} == set(colls)
    for plan in load_manifest():
        title = colls[plan.id]["title"]
        assert plan.short_name in title and plan.layout_name in title, title
        assert plan.title in colls[plan.id]["description"]
    for extra in set(LAYERS) - {p.id for p in load_manifest()}:
        plan = next((p for p in load_manifest() if extra.startswith(p.id + "_")), None)
        title = colls[extra]["title"]
        if plan is not None:  # a plan's second layer (gz_sti_facilities)
            assert title.startswith(plan.short_name + " · ")
        else:  # a layer of no single plan (区外) is named in Chinese, not by its file name
            assert title != extra and re.search(r"[\u4e00-\u9fff]", title), title
    assert "尚无确定位置" in colls["register"]["title"]


def test_items_come_in_pages_that_add_up_to_the_collection(client) -> None:
    first = client.collection_items("points", limit=7)
    assert first["numberReturned"] == 7 and first["numberMatched"] == len(POINTS)
    ids = [f["id"] for f in all_items(client, "points", limit=7)]
    assert len(ids) == len(set(ids))
    assert set(ids) == {f["id"] for f in POINTS}


def test_a_bbox_query_returns_what_intersects_the_box(client) -> None:
    bbox = [113.30, 23.10, 113.40, 23.20]  # 天河 and its neighbours
    expected = {f["id"] for f in LAYERS["gz_sti"] if shape(f["geometry"]).intersects(box(*bbox))}
    got = {f["id"] for f in all_items(client, "gz_sti", bbox=bbox, limit=100)}
    assert expected and got == expected
    # unsited places have no geometry: no box holds them
    assert client.collection_items("register", bbox=bbox)["numberMatched"] == 0


def test_a_property_filter_on_a_role(client) -> None:
    expected = {f["id"] for f in LAYERS["gz_sti"] if f["properties"]["role"] == "park"}
    got = all_items(client, "gz_sti", role="park", limit=100)
    assert expected and {f["id"] for f in got} == expected


def test_a_plan_filter_matches_members_of_the_plans_list(client) -> None:
    # a plan's places include those it shares with the city plan, filed in the city's layers
    expected = {f["id"] for f in POINTS if "tianhe_sti" in f["properties"]["plans"]}
    shared = {f["id"] for f in POINTS if "tianhe_sti" in f["properties"]["plans"]
              and f["properties"]["layer"] != "tianhe_sti"}
    got = {f["id"] for f in all_items(client, "points", plans="tianhe_sti", limit=100)}
    assert shared and got == expected
    places = {p["id"] for p in PLACES if "huadu_mfg" in p["plans"]}
    got = {f["id"] for f in all_items(client, "register", plans="huadu_mfg", limit=100)}
    assert places and got == places


def test_items_carry_their_excerpts_and_the_register_has_no_geometry(ogc) -> None:
    feat = next(f for f in LAYERS["tianhe_sti"] if f["properties"]["excerpts"])
    status, headers, body = get(f"{ogc.url}/collections/tianhe_sti/items/{feat['id']}?f=json")
    assert status == 200 and json.loads(body)["type"] == "Feature"
    assert json.loads(body)["properties"]["excerpts"] == feat["properties"]["excerpts"]
    page = json.loads(get(f"{ogc.url}/collections/register/items?f=json&limit=1000")[2])
    assert {f["id"] for f in page["features"]} == {p["id"] for p in PLACES}
    assert all(f["geometry"] is None for f in page["features"])
    assert all(f["properties"]["excerpts"] for f in page["features"])


@pytest.mark.parametrize("language", [None, "en-US,en;q=0.9", "zh-CN,zh;q=0.9", "zh-TW"])
def test_html_pages_show_the_chinese_text_whatever_language_the_browser_asks(ogc, language) -> None:
    feat = next(f for f in LAYERS["huadu_mfg"] if f["properties"]["excerpts"])
    status, headers, body = get(
        f"{ogc.url}/collections/huadu_mfg/items/{feat['id']}?f=html", accept_language=language
    )
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert feat["properties"]["name"] in page
    assert feat["properties"]["excerpts"][0]["text"] in page
    status, _, body = get(f"{ogc.url}/collections?f=html", accept_language=language)
    assert "花都区先进制造业规划" in body.decode("utf-8")


def test_links_start_with_the_public_url(ogc) -> None:
    page = json.loads(get(f"{ogc.url}/collections/points/items?f=json&limit=5")[2])
    nxt = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert nxt.startswith(f"{ogc.url}/collections/points/items?")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)["offset"] == ["5"]


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (gdal-bin)")
def test_gdal_oapif_driver_reads_a_filtered_collection(ogc) -> None:
    expected = sum(1 for f in POINTS if "huadu_sti" in f["properties"]["plans"])
    out = subprocess.run(
        ["ogrinfo", "-ro", "-q", f"OAPIF:{ogc.url}", "points", "-where", "plans = 'huadu_sti'"],
        capture_output=True, timeout=120, check=True,
    ).stdout.decode("utf-8", "replace")
    assert expected and out.count("OGRFeature(points)") == expected
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-q", f"OAPIF:{ogc.url}"], capture_output=True, timeout=60,
        check=True,
    ).stdout.decode("utf-8", "replace")
    assert "花都区科技创新规划" in listing and "register" in listing


def test_markup_in_a_served_string_cannot_reach_the_html_pages_scripts(tmp_path) -> None:
    # pygeoapi's HTML pages embed the features as JSON in a <script> without escaping "<"
    from spatial.exports.ogc import write_ogc_config

    layers = tmp_path / "layers"
    layers.mkdir()
    doc = json.loads((LAYERS_DIR / "tianhe_sti.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["location_source"] = "plan: </script><script>alert(1)//"
    (layers / "tianhe_sti.geojson").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    paths, notes = write_ogc_config(tmp_path / "ogc.yml", layers_dir=layers,
                                    register_path=tmp_path / "none.json")
    served = [p.read_text(encoding="utf-8") for p in paths if p.suffix == ".geojson"]
    assert served and not any("<" in text or ">" in text for text in served)
    assert any("＜/script＞" in text for text in served)
    assert notes and all(doc["features"][0]["id"] in note for note in notes)


def test_the_benchmark_script_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.ogc", "--runs", "1"], capture_output=True, text=True,
        timeout=300, check=True,
    ).stdout
    assert "whole layer" in out and "ms" in out
