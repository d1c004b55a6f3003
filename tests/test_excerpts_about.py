"""Every excerpt is about its feature, and a table row reads as its cells with their columns."""

from __future__ import annotations

import copy
import json
import re

from _contract import GOOD

from spatial.plans.about import check_excerpts_about, excerpt_display
from spatial.plans.manifest import get_plan
from spatial.plans.texts import read_seed
from spatial.plans.validate import parse_layer_bytes, validate_features
from spatial.query.detail import excerpt_views
from spatial.webmap import popup_html

TABLE_COLUMNS = ["集群", "所属产业带", "核心园区", "发展方向"]


def _table_5_1_clusters() -> set[str]:
    """The clusters 表5-1 of the Huadu manufacturing plan names, one per row (first cells)."""
    raw = read_seed(get_plan("huadu_mfg").path)
    start = raw.index("表5-1")
    table = raw[start : raw.index("重点园区发展方向", start)]
    return set(re.findall(r"^\t(\S+产业集群)\s*$", table, re.MULTILINE))


def _problems(feature: dict) -> list[str]:
    doc = {"type": "FeatureCollection", "features": [feature]}
    layer = parse_layer_bytes(json.dumps(doc, ensure_ascii=False).encode(), "layers/t.geojson")
    return [str(p) for p in validate_features([layer], check_districts=False)]


def test_an_excerpt_about_another_place_is_flagged_unless_a_note_says_why() -> None:
    other = copy.deepcopy(GOOD)
    other["properties"]["aliases"] = []
    other["properties"]["name"] = "广州实验室"
    problems = _problems(other)  # the quote names 国家实验室 and 生物岛, not 广州实验室
    assert any("excerpt 1 names neither '广州实验室' nor an alias" in p for p in problems)
    noted = copy.deepcopy(other)
    noted["properties"]["excerpts"][0]["note"] = "the sentence's subject, named in the one before"
    assert not any("names neither" in p for p in _problems(noted))
    assert not any("names neither" in p for p in _problems(GOOD))


def test_every_built_excerpt_names_its_feature_or_says_why(layers) -> None:
    problems: list = []
    for fid, row in layers.iterrows():
        props = {"name": row["name"], "aliases": row["aliases"], "excerpts": row["excerpts"]}
        check_excerpts_about("layers", fid, props, problems)
    assert not problems, [str(p) for p in problems]


def _texts(layers, fid: str) -> list[str]:
    return [e["text"] for e in layers.at[fid, "excerpts"]]


def test_the_reviewed_excerpts_are_about_their_place(layers) -> None:
    assert all("广州实验室" in t for t in _texts(layers, "gz-lab"))  # not 国家实验室
    assert not any("客改货" in t for t in _texts(layers, "huadu-aircraft-parts-base"))
    assert not any("试车场" in t for t in _texts(layers, "huadu-icv-base"))
    assert any("试车场" in t for t in _texts(layers, "huadu-icv-test-field"))
    assert not any(
        "建设环大学城科技成果转化基地" in t for t in _texts(layers, "panyu-smart-city-park")
    )
    hub = layers.loc["nansha-hub-coop-area"]
    assert "南沙粤港深度合作园" not in hub["aliases"]  # the hub is one part of the 合作园
    assert not any("南沙粤港深度合作园、" in t for t in _texts(layers, "nansha-hub-coop-area"))


def test_table_rows_keep_their_cells_and_columns(layers) -> None:
    clusters = layers[
        (layers["role"] == "cluster") & layers["attributes"].apply(lambda a: "发展方向" in a)
    ]
    rows_named = _table_5_1_clusters()
    assert len(rows_named) == 9  # the plan's own table has nine rows
    assert rows_named <= set(clusters["name"])  # each row is a feature
    for fid, row in clusters.iterrows():
        rows = [e for e in row["excerpts"] if e.get("cells")]
        assert len(rows) == 1, fid
        cells = rows[0]["cells"]
        assert list(cells) == TABLE_COLUMNS, fid
        assert cells["集群"] == row["name"]
        shown = excerpt_display(rows[0])
        for column in TABLE_COLUMNS:
            assert f"{column}：{cells[column]}" in shown
        assert shown.count("｜") == 3
        view = next(v for v in excerpt_views(row) if v.cells)
        assert view.shown == shown and view.text == rows[0]["text"]  # the quote stays verbatim


def test_popup_shows_a_table_row_with_its_column_names(layers) -> None:
    row = layers.loc["huadu-cluster-auto"].to_dict()
    html = popup_html(row, {}, max_excerpts=1, excerpt_chars=400)
    assert "集群：汽车产业集群" in html and "所属产业带：西部先进制造业产业带" in html
