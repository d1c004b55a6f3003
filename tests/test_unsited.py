"""Register places as the app filters, counts and downloads them."""

from __future__ import annotations

import io

import pandas as pd

from spatial.exports import downloads
from spatial.query.features import Selection
from spatial.query.unsited import (
    NO_DISTRICT,
    as_features,
    counts_line,
    district_counts,
    load_unsited,
    place_facts,
    select_unsited,
)


def test_filters_fold_synonyms_and_search_excerpts():
    frame = load_unsited()
    leather = select_unsited(frame, Selection(industries=("箱包",)))  # a synonym of 时尚产业
    assert "huadu-shengdi-live-base" in leather.index
    found = select_unsited(frame, Selection(query="直播"))
    assert {"huadu-sibu-live-base", "huadu-rf-live-base"} <= set(found.index)
    assert select_unsited(frame, Selection(query="直播", plans=("gz_sti",))).empty
    assert select_unsited(frame, Selection(segment="axis-huangpu")).empty


def test_counts_per_district_and_the_line_that_says_so():
    frame = load_unsited()
    counts = district_counts(frame)
    assert sum(counts.values()) >= len(frame)
    assert counts["花都区"] == sum("花都区" in d for d in frame["district"])
    assert list(counts)[-1] == NO_DISTRICT  # places without a district come last
    line = counts_line(frame.loc[["huadu-jintian-industrial-zone", "huangpu-lab"]])
    assert line.startswith("另有 2 处") and "花都区 1" in line and "黄埔区 1" in line


def test_panel_facts_say_why_there_is_no_site():
    place = load_unsited().loc["huadu-jintian-industrial-zone"].to_dict()
    (label, value), *_ = place_facts(place)
    assert label == "位置 Location"
    assert value.startswith("规划提及，尚无确定位置：") and "东部区域" in value


def test_csv_lists_register_places_without_coordinates(layers):
    named = load_unsited().loc[["huadu-jintian-industrial-zone"]]
    both = pd.concat([layers.loc[["huadu-dawo-park"]], as_features(named)])
    table = pd.read_csv(io.BytesIO(downloads.to_csv_bytes(both)), encoding="utf-8-sig")
    row = table[table["id"] == "huadu-jintian-industrial-zone"].iloc[0]
    assert row["name"] == "金田工业区"
    assert row["location_source"].startswith("规划提及，尚无确定位置")
    assert pd.isna(row["lon"]) and pd.isna(row["wkt"])
    assert "东部区域" in row["excerpt_text"]
