"""The plan-text normaliser, heading tree and quote finder, on the real seeds and on small texts."""

from __future__ import annotations

import pytest

from spatial.plans.manifest import load_manifest, plan_ids
from spatial.plans.texts import PlanText, QuoteNotFound, load_plan, match_key


def test_every_manifest_plan_loads_with_headings() -> None:
    for plan in load_manifest():
        text = load_plan(plan.id)
        assert text.seed == plan.file
        assert text.headings, plan.id
        # the layout chapter the manifest names is a chapter heading of the text
        titles = [h.title for h in text.headings if h.kind == "chapter"]
        assert plan.layout_chapter in titles, (plan.id, titles)


def test_markers_are_dropped_from_clean_text() -> None:
    text = load_plan("huadu_mfg")
    assert "[bookmark:" in text.raw
    assert "[bookmark:" not in text.clean
    assert "[image:" not in text.clean
    assert "**" not in load_plan("gz_sti").clean


def test_sentence_split_by_a_page_break_is_rejoined_and_found() -> None:
    text = load_plan("gz_sti")
    # In the seed, "建设国家大学科技产" ends one page and "业园区" starts the next.
    assert "建设国家大学科技产\n" in text.raw.replace("\n\n\n\n", "\n")
    match = text.find("建设国家大学科技产业园区，支持高校、科研院所自主布局基础研究")
    assert "产业园区" in text.clean[match.start : match.end]
    assert "\n" in text.raw[match.raw_start : match.raw_end]  # it spans the break in the raw file
    assert text.raw[match.raw_start : match.raw_start + 4] == "建设国家"


def test_raw_offsets_point_back_into_the_seed() -> None:
    text = load_plan("huadu_sti")
    match = text.find("以花都湖数字经济集聚区为源头")
    assert text.raw[match.raw_start : match.raw_end] == "以花都湖数字经济集聚区为源头"


def test_section_path_of_an_axis_segment_paragraph() -> None:
    match = load_plan("gz_sti").find("广州国际生物岛依托国家实验室、省实验室等优势资源")
    assert match.section == (
        "三、优化提升空间布局，擘画科技创新蓝图 › （一）强化“一轴”核心驱动 › "
        "专栏“一轴”重点建设内容 › 科技创新轴（黄埔段）"
    )


def test_prose_after_a_box_belongs_to_the_section_not_the_box() -> None:
    section = load_plan("gz_sti").find("东部北部以打造黄埔、白云、花都、从化、增城重点片区").section
    assert section.endswith("（三）强化“多点”全域协同")


def test_colon_item_heads_and_group_lines() -> None:
    section = (
        load_plan("huadu_sti")
        .find("以中电科华南电子信息产业园、国光智能电子产业园为主体片区")
        .section
    )
    assert section == "三、空间战略布局 › 五极协同支撑 › 智能电子产业创新极"


def test_quote_with_other_width_punctuation_and_spaces_is_found() -> None:
    text = load_plan("baiyun_sti")  # Baiyun's text uses half-width commas
    original = text.find("立足全国首个以民营经济为特色的国家高新区产业园发展基础")
    full_width = text.find(
        "立足全国首个以民营经济为特色的国家高新区产业园发展基础".replace(",", "，")
    )
    assert original.start == full_width.start
    spaced = load_plan("gz_sti").find("每万人发明专利拥有量达46.6件")  # seed: "达 46.6 件"
    assert spaced.text.replace(" ", "") == "每万人发明专利拥有量达46.6件"


def test_changed_wording_is_not_found_and_the_error_shows_where() -> None:
    text = load_plan("gz_sti")
    with pytest.raises(QuoteNotFound) as err:
        text.find("广州国际生物岛依托国家实验室、市实验室等优势资源")
    message = str(err.value)
    assert "gz_sti" in message and "市实验室" in message and "省实验室" in message


def test_find_all_and_contains() -> None:
    text = load_plan("gz_sti")
    assert len(text.find_all("白云湖数字科技城")) >= 3
    assert text.contains("南沙科学城")
    assert not text.contains("")
    assert not text.contains("不存在的地名甲乙丙")


def test_context_highlights_the_quote_in_clean_text() -> None:
    text = load_plan("tianhe_sti")
    match = text.find("一核两区多极")
    before, quote, after = text.context(match, chars=30)
    assert quote == "一核两区多极"
    assert before and after


def test_small_text_heading_tree() -> None:
    raw = (
        "[bookmark: _Toc1]一、总体布局\n"
        "（一）空间结构\n"
        "专栏1 重点园区\n"
        "**甲园区。**以数字经济为主导产业，建设创新\n\n\n\n高地。\n"
        "**乙园区。**发展生物医药。\n"
        "后续正文说明布局要求。\n"
        "二、保障措施\n"
        "加强组织领导。\n"
    )
    text = PlanText.from_raw(raw, plan_id="t")
    assert (
        text.find("建设创新高地").section
        == "一、总体布局 › （一）空间结构 › 专栏1 重点园区 › 甲园区"
    )
    assert text.find("发展生物医药").section.endswith("› 乙园区")
    assert text.find("后续正文").section == "一、总体布局 › （一）空间结构"
    assert text.find("加强组织领导").section == "二、保障措施"


def test_match_key_folds_width_and_whitespace_only() -> None:
    assert match_key("（一） A，b\n c") == match_key("(一)A,b c")
    assert match_key("生物医药") != match_key("生物医疗")


def test_plan_ids_are_stable() -> None:
    assert plan_ids() == ["gz_sti", "huadu_sti", "huadu_mfg", "baiyun_sti", "tianhe_sti"]


def test_run_in_section_heads_and_numbered_items() -> None:
    text = load_plan("tianhe_sti")
    core = text.find("依托华南理工大学、华南师范大学").section
    assert core == "四、空间布局 › （一）一核引领：环五山创新策源区 › 区域赋能"
    item = text.find("以图像识别技术为核心").section
    assert item.endswith(
        "专栏：“十四五”期间天河区物联网与感知技术应用场景 › 4.物联网与感知技术+智能交通"
    )


def test_numbered_head_after_a_prose_box_closes_the_box() -> None:
    text = load_plan("tianhe_sti")
    after_box = text.find("全力支持中国—乌克兰巴顿焊接研究院").section
    assert after_box == "六、主要任务 › （五）打造开放合作战略高地 › 3.深度融入全球科技创新网络"
    in_box = text.find("提升智慧便捷的公共服务水平").section
    assert in_box.endswith("专栏：科技赋能城市治理工程 › 2.提升智慧便捷的公共服务水平")
