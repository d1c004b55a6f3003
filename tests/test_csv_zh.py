"""The Chinese CSV: headers and values a planner reads, the code form kept for GIS."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pytest
from _appdata import build_fixture_layers

from spatial.exports import downloads
from spatial.exports.csv_zh import HEADERS, to_csv_zh_bytes
from spatial.plans.layers import load_layers


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("csv_zh_layers")))


def read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_headers_and_labels_are_chinese_words(gdf: gpd.GeoDataFrame) -> None:
    raw = read(to_csv_zh_bytes(gdf))
    assert list(raw.columns) == list(HEADERS)
    table = raw.set_index("编号 id")
    row = table.loc["zhishicheng"]
    assert row["名称"] == "中新广州知识城" and row["类型"] == "核"  # a word, not 'core'
    assert row["规划"] == "广州市科技创新规划"  # the plan's name, not its id
    assert "gz_sti" not in row["规划原文"] and row["规划原文"].startswith("【广州市科技创新规划】")
    assert row["位置依据"] and not row["位置依据"].startswith("best knowledge")
    assert set(table.index) == set(gdf.index)  # every feature, found again by its id


def test_code_form_keeps_the_contract_columns(gdf: gpd.GeoDataFrame) -> None:
    codes = read(downloads.to_csv_bytes(gdf)).set_index("id")
    assert codes.at["zhishicheng", "role"] == "core" and codes.at["zhishicheng", "plans"] == "gz_sti"
