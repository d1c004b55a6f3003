"""What each of the app's four download buttons serves, read back as the user's program would:
every feature of the view in the GeoJSON and the GeoPackage; in both CSV forms every feature
and every place named without a site, the Chinese form in words and the code form in the layer
contract's codes. ``tests/test_downloads_browser.py`` clicks them in a real browser."""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from _appdata import build_fixture_layers

from app.results import download_files
from spatial.plans.layers import load_layers
from spatial.query.unsited import load_unsited

PLAN_NAMES = {"gz_sti": "广州市科技创新规划", "huadu_mfg": "花都区先进制造业规划"}

#: Two places named without a site, as the register lists them.
UNSITED = [
    {
        "id": "reg-lab", "name": "某某实验室", "name_en": None, "aliases": [], "role": None,
        "plans": ["gz_sti"], "district": ["黄埔区"], "industries": ["教育科研"],
        "reason": "选址尚未公布。Site not published.", "excerpts": [],
    },
    {
        "id": "reg-base", "name": "某某基地", "name_en": None, "aliases": ["基地"],
        "role": "park", "plans": ["huadu_mfg"], "district": ["花都区"], "industries": [],
        "reason": "规划未给出位置。No location given.", "excerpts": [],
    },
]


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("button_layers")))


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("register") / "register.json"
    path.write_text(json.dumps({"places": UNSITED}, ensure_ascii=False), encoding="utf-8")
    return load_unsited(path)


def _files(shown, named) -> dict[str, object]:
    return {f.label: f for f in download_files(shown, named, "gzplan-test", PLAN_NAMES)}


def _csv(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_the_four_buttons_and_their_files(gdf, named) -> None:
    files = _files(gdf, named)
    assert list(files) == ["GeoJSON", "GeoPackage", "CSV 中文", "CSV 代码"]
    assert [f.file_name for f in files.values()] == [
        "gzplan-test.geojson", "gzplan-test.gpkg", "gzplan-test.csv", "gzplan-test-codes.csv"
    ]
    assert [f.mime for f in files.values()] == [
        "application/geo+json", "application/geopackage+sqlite3", "text/csv", "text/csv"
    ]
    assert not any(f.disabled for f in files.values())


def test_geojson_holds_every_feature_of_the_view(gdf, named) -> None:
    doc = json.loads(_files(gdf, named)["GeoJSON"].data())
    assert [f["id"] for f in doc["features"]] == list(gdf.index)
    park = next(f for f in doc["features"] if f["id"] == "zhishicheng")
    assert park["properties"]["name"] == "中新广州知识城"
    parks = gdf[gdf["role"] == "park"]
    doc = json.loads(_files(parks, named)["GeoJSON"].data())
    assert sorted(f["id"] for f in doc["features"]) == sorted(parks.index) and len(parks) > 1


def test_geopackage_holds_every_feature_of_the_view(gdf, named, tmp_path: Path) -> None:
    path = tmp_path / "view.gpkg"
    path.write_bytes(_files(gdf, named)["GeoPackage"].data())
    layers = [name for name, kind in pyogrio.list_layers(path) if kind]  # not the style table
    back = pd.concat([gpd.read_file(path, layer=name) for name in layers])
    assert sorted(back["id"]) == sorted(gdf.index)
    assert back.set_index("id").at["zhishicheng", "name"] == "中新广州知识城"


def test_chinese_csv_is_in_words_with_every_feature_and_unsited_place(gdf, named) -> None:
    table = _csv(_files(gdf, named)["CSV 中文"].data())
    assert {"名称", "类型", "规划", "所在区", "经度", "纬度", "编号 id"} <= set(table.columns)
    assert "id" not in table.columns and "role" not in table.columns
    rows = table.set_index("编号 id")
    assert sorted(rows.index) == sorted([*gdf.index, "reg-lab", "reg-base"])
    assert rows.at["zhishicheng", "类型"] == "核"  # the word, not the code 'core'
    assert rows.at["zhishicheng", "规划"] == "广州市科技创新规划"  # the plan's name, not gz_sti
    assert rows.at["reg-base", "名称"] == "某某基地" and rows.at["reg-base", "规划"] == "花都区先进制造业规划"
    assert "尚无确定位置" in rows.at["reg-lab", "位置依据"]
    assert rows.at["reg-lab", "经度"] == "" and rows.at["zhishicheng", "经度"] != ""


def test_code_csv_keeps_the_contract_with_every_feature_and_unsited_place(gdf, named) -> None:
    table = _csv(_files(gdf, named)["CSV 代码"].data())
    assert {"id", "name", "role", "plans", "district", "lon", "lat", "wkt"} <= set(table.columns)
    assert "编号 id" not in table.columns and "名称" not in table.columns
    rows = table.set_index("id")
    assert sorted(rows.index) == sorted([*gdf.index, "reg-lab", "reg-base"])
    assert rows.at["zhishicheng", "role"] == "core" and rows.at["zhishicheng", "plans"] == "gz_sti"
    assert rows.at["reg-base", "role"] == "park" and rows.at["reg-base", "plans"] == "huadu_mfg"
    assert rows.at["reg-lab", "lon"] == "" and rows.at["reg-lab", "wkt"] == ""


def test_an_empty_view_leaves_only_the_unsited_places_to_download(gdf, named) -> None:
    empty = gdf.iloc[0:0]
    files = _files(empty, named)
    assert [f.disabled for f in files.values()] == [True, True, False, False]
    table = _csv(files["CSV 代码"].data())
    assert sorted(table["id"]) == ["reg-base", "reg-lab"]
    nothing = _files(empty, named.iloc[0:0])
    assert all(f.disabled for f in nothing.values())
