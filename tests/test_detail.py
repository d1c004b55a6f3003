"""A feature's panel: its facts, its excerpts, and the quote highlighted in the plan's text."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from _appdata import build_fixture_layers

from spatial.plans.layers import load_layers
from spatial.plans.texts import QuoteNotFound
from spatial.query import detail


@pytest.fixture(scope="module")
def gdf(tmp_path_factory: pytest.TempPathFactory) -> gpd.GeoDataFrame:
    return load_layers(build_fixture_layers(tmp_path_factory.mktemp("detail_layers")))


def test_facts_name_members_and_leave_out_the_absent(gdf: gpd.GeoDataFrame) -> None:
    facts = dict(detail.feature_facts(gdf.loc["cluster-auto"].to_dict(), gdf))
    assert facts["类型 Role"] == "产业集群 Industry cluster"
    assert facts["包含 Members"] == "花都高新技术产业开发区、花都国际先进装备制造产业园"
    assert facts["发展方向"] == "汽车整车制造、高端汽车零部件制造、汽车电子等"
    assert facts["规划 Plans"] == "花都区先进制造业规划"
    assert "分组 Group" not in facts and "轴上次序 Axis order" not in facts
    assert "nan" not in " ".join(facts.values())


def test_excerpt_views_carry_plan_title_and_section(gdf: gpd.GeoDataFrame) -> None:
    (view,) = detail.excerpt_views(gdf.loc["shengwudao"].to_dict())
    assert view.plan_title == "广州市科技创新“十四五”规划（2021—2025年）"
    assert view.section_parts[-2:] == ["专栏“一轴”重点建设内容", "科技创新轴（黄埔段）"]


def test_context_escapes_then_marks_the_quote() -> None:
    quote = "汽车产业集群。依托花都高新技术产业开发区"
    ctx = detail.context_html("huadu_mfg", quote, chars=40)
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", ctx)
    assert marked == [quote]
    assert ctx.count("…") >= 1  # cut on at least one side
    plain = re.sub(r"<[^>]+>", "", ctx)
    assert "<" not in plain and ">" not in plain


def test_context_of_text_with_markup_characters_is_escaped(monkeypatch) -> None:
    from spatial.plans.texts import PlanText

    fake = PlanText.from_raw("前文<script>x</script>。\n目标句子在这里。\n后文 & 更多。\n")
    monkeypatch.setattr(detail, "load_plan", lambda _pid: fake)
    ctx = detail.context_html("gz_sti", "目标句子在这里", chars=50)
    assert "&lt;script&gt;x&lt;/script&gt;" in ctx and "&amp;" in ctx
    assert "<script>" not in ctx
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", ctx) == ["目标句子在这里"]


def test_missing_quote() -> None:
    with pytest.raises(QuoteNotFound):
        detail.context_html("gz_sti", "这句话不在规划里出现过的文字")
    note = detail.safe_context_html("gz_sti", "这句话不在<b>规划</b>里出现过的文字")
    assert "无法定位原文" in note and "<b>" not in note


def test_location_source_reads_in_chinese_first() -> None:
    from spatial.query.detail import location_text

    text = location_text("best knowledge: 岛屿轮廓示意", 800)
    assert text == "本项目判定的位置（规划未给出坐标），误差约 800 米。说明：岛屿轮廓示意"
    assert location_text("plan") == "规划给出的位置"
    assert location_text("plan: 位于生物岛；所在建筑未定位").endswith("说明：位于生物岛；所在建筑未定位")
    assert location_text("best guess, site not known: 江高镇").startswith("估计位置")
    assert location_text("site not stated: 规划仅提到庆盛").startswith("规划未给出确切地点")
    uncertain = location_text("best knowledge, uncertain: 黄村 / 奥体")
    assert "不确定" in uncertain and uncertain.endswith("说明：黄村 / 奥体")
    # the builder appends the method of a derived shape to the source's own note
    derived = location_text("表5-1所列该集群的核心园区；derived: 成员（甲 → 乙）的凸包", 1500)
    assert derived == "由所含要素推得，误差约 1,500 米。说明：表5-1所列该集群的核心园区；成员（甲 → 乙）的凸包"
    assert location_text("the cluster's core parks in 表5-1; derived").startswith("由所含要素推得")
    assert location_text("test fixture") == "说明：test fixture"  # no known kind: shown whole
    assert location_text(None, None) == ""


#: Latin words allowed in the 说明 of a real feature's 位置依据: the CRS code of derived shapes.
_LATIN_ALLOWED = {"EPSG"}


def test_every_real_location_note_is_chinese() -> None:
    """Every built feature's 位置依据 names its kind in Chinese and its 说明 is Chinese prose:
    no run of four or more Latin letters except :data:`_LATIN_ALLOWED` (short codes such as
    TOD, CBD, P3 or 5G pass)."""
    layers = load_layers()
    kinds = {label for _prefix, label in detail._SOURCE_KINDS} | {"由所含要素推得"}
    for fid in layers.index:
        text = detail.location_text(
            layers.at[fid, "location_source"], layers.at[fid, "location_precision_m"]
        )
        head, _, note = text.partition("。说明：")
        assert head.split("，误差约")[0] in kinds, (fid, text)
        assert re.search(r"[\u4e00-\u9fff]", note), (fid, text)
        latin = set(re.findall(r"[A-Za-z]{4,}", note)) - _LATIN_ALLOWED
        assert not latin, (fid, latin, note)


def test_facts_label_every_attribute_in_chinese_and_show_ids_by_name() -> None:
    layers = load_layers()
    for fid in layers.index:
        for label, _value in detail.feature_facts(layers.loc[fid].to_dict(), layers):
            assert re.search(r"[\u4e00-\u9fff]", label), (fid, label)  # no raw English key
            assert "_" not in label, (fid, label)
    island = dict(detail.feature_facts(layers.loc["gz-bio-island"].to_dict(), layers))
    assert "海珠区" in island["说明 Note"] and "Administered" not in island["说明 Note"]
    park = dict(detail.feature_facts(layers.loc["huadu-dawo-park"].to_dict(), layers))
    assert park["所属产业带 Belt"] == layers.at["huadu-belt-west", "name"]
