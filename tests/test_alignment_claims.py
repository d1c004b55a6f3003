"""规划衔接 makes no claim a plan sentence contradicts: each case quotes the sentence it rests on.

The sentences are the plans' own (checked verbatim against the seed texts); the assertions are
about statuses and evidence, never about how many places or industries a district has.
"""

from __future__ import annotations

import re

import pytest

from spatial.plans.district_wide import (
    STATEMENTS_PATH,
    Statement,
    statements_document,
    statements_text,
)
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import load_plan
from spatial.query.alignment import (
    BOTH,
    CITY_ONLY,
    DISTRICT_ONLY,
    DISTRICT_WIDE,
    MENTIONED,
    WHOLE_DISTRICT,
    align,
)
from spatial.query.alignment_text import format_alignment

DISTRICTS = ["天河区", "白云区", "花都区"]

#: the city plan's 多点 column on 广州花都高新区
HUADU_HITECH = (
    "集中发展汽车等制造业，培育发展新能源及智能网联汽车、工业机器人、航空制造等战略性新兴产业"
)


@pytest.fixture(scope="module")
def aligned(layers):
    return {d: align(layers, d) for d in DISTRICTS}


def _said(plan: str, text: str) -> None:
    assert load_plan(plan).contains(text), (plan, text)


def _plain(text: str) -> str:
    return re.sub(r"[\s“”\"（）()、，。,·—―-]", "", text)


@pytest.mark.parametrize("tag", ["机器人", "新能源汽车", "汽车制造", "汽车产业"])
def test_huadu_industries_the_city_plan_names_at_the_hitech_zone(aligned, tag) -> None:
    _said("gz_sti", HUADU_HITECH)
    row = aligned["花都区"].industry(tag)
    assert row is not None and row.status == BOTH
    assert any(ev.feature_id == "huadu-hitech-zone" and HUADU_HITECH in ev.text for ev in row.city)


@pytest.mark.parametrize(
    ("district", "place", "sentence"),
    [
        (
            "花都区",
            "zhishicheng",
            "强化与广州科学城、中新知识城、南沙科学城等重大平台的产业联动与创新合作",
        ),
        ("花都区", "gz-science-city", "强化与广州科学城、中新知识城、南沙科学城等重大平台"),
        ("花都区", "nansha-science-city", "强化与广州科学城、中新知识城、南沙科学城等重大平台"),
        ("白云区", "nansha-science-city", "与中新知识城、南沙科学城、坂雪岗科技城"),
        ("白云区", "gz-bio-island", "对标广州生物岛"),
        ("天河区", "gz-science-city", "加强与南沙科学城、广州科学城等科技园区的深度交流合作"),
    ],
)
def test_district_plans_name_city_places_outside_their_district(
    aligned, district, place, sentence
) -> None:
    result = aligned[district]
    _said(result.district_plans[0], sentence)
    row = next((p for p in result.elsewhere if p.id == place), None)
    assert row is not None, f"{place} is named by the {district} plan: {sentence}"
    assert not row.inside and row.status in (BOTH, MENTIONED)
    words = [ev.text for ev in [*row.district_excerpts, *row.district_mentions]]
    assert any(sentence in text for text in words)


@pytest.mark.parametrize(
    ("district", "tag", "sentence"),
    [
        ("天河区", "大数据与云计算", "（三）大数据与区块链技术。"),
        ("天河区", "区块链", "（三）大数据与区块链技术。"),
        ("天河区", "工业互联网", "1.新一代信息通信和网络技术+工业互联网。"),
        ("白云区", "现代农业", "夯实美丽健康、现代都市农业、航空运输与现代物流"),
    ],
)
def test_industries_named_for_the_whole_district(aligned, district, tag, sentence) -> None:
    result = aligned[district]
    _said(result.district_plans[0], sentence)
    row = result.industry(tag)
    assert row is not None and row.status in (DISTRICT_WIDE, BOTH)
    assert row.status != CITY_ONLY
    wide = [ev for ev in row.district_wide if sentence in ev.text]
    assert wide and all(ev.feature_name == WHOLE_DISTRICT for ev in wide)
    if not row.district:  # words for the whole district only: its own status
        assert row.status == DISTRICT_WIDE


def test_tianhe_names_the_trial_zone_in_its_two_zones_heading(aligned) -> None:
    heading = "（二）两区协同：天河智慧城、广州人工智能与数字经济试验区"
    _said("tianhe_sti", heading)
    result = aligned["天河区"]
    row = next(p for p in result.places if p.id == "ai-digital-zone")
    assert row.status == MENTIONED and row in result.mentioned
    assert any(heading in ev.text for ev in row.district_mentions)
    assert "ai-digital-zone" not in {p.id for p in result.not_mentioned}


@pytest.mark.parametrize("district", DISTRICTS)
def test_no_status_the_plans_words_contradict(layers, aligned, district) -> None:
    """仅市级 for an industry the district plans name anywhere, 未提及 for a place whose name
    the district plans write, 仅区级 for a place the city plan writes: none of these."""
    tax = load_taxonomy()
    result = aligned[district]
    district_text = " ".join(load_plan(p).clean for p in result.district_plans)
    city_text = _plain(load_plan(result.city_plan).clean)
    named_by_district = set(tax.tags_in(district_text))
    for row in result.industries:
        if row.status == CITY_ONLY:
            assert row.tag not in named_by_district, row.tag
    for place in result.not_mentioned:
        names = [place.name, *(layers.at[place.id, "aliases"] or [])]
        assert not any(_plain(n) in _plain(district_text) for n in names), place.name
    for place in result.district_only:
        names = [place.name, *(layers.at[place.id, "aliases"] or [])]
        assert not any(_plain(n) in city_text for n in names), place.name


@pytest.mark.parametrize("district", DISTRICTS)
def test_places_beyond_guangzhou_are_context_not_places_of_the_district(
    layers, aligned, district
) -> None:
    result = aligned[district]
    beyond = {p.id for p in result.beyond}
    assert not beyond & {p.id for p in result.places}
    for place in result.beyond:
        assert layers.at[place.id, "role"] == "outside"
        assert not layers.at[place.id, "in_guangzhou"]
        assert place.district_excerpts or place.district_mentions


def test_text_report_says_what_the_statuses_count(aligned) -> None:
    text = format_alignment(aligned["天河区"], excerpts=True)
    assert "区级规划（全区）" in text and "（三）大数据与区块链技术。" in text
    assert "区级规划仅提及" in text and "市级规划的全市性表述不计入" in text


def test_built_statements_are_up_to_date() -> None:
    doc, problems = statements_document()
    assert not problems, problems
    assert STATEMENTS_PATH.read_text(encoding="utf-8") == statements_text(doc), (
        "layers/district_industries.json is stale: run gzmap build-layers"
    )
    for st in doc["statements"]:
        _said(st["plan"], st["excerpt"]["text"])


def test_statements_are_refused_without_the_words(tmp_path) -> None:
    (tmp_path / "tianhe_sti.yaml").write_text(
        "plan: tianhe_sti\nstatements:\n"
        "  - industries: [区块链]\n    text: 这句话不在规划里。\n"
        "  - industries: [生物医药]\n    text: （三）大数据与区块链技术。\n"
        "  - industries: [不存在的产业]\n    text: （三）大数据与区块链技术。\n",
        encoding="utf-8",
    )
    (tmp_path / "gz_sti.yaml").write_text(
        "plan: gz_sti\nstatements:\n  - industries: [金融]\n    text: 金融\n", encoding="utf-8"
    )
    doc, problems = statements_document(tmp_path)
    said = " ".join(p.message for p in problems)
    assert "not a district plan" in said
    assert "does not name 生物医药" in said
    assert "不存在的产业" in said
    assert len({(p.file, p.feature_id) for p in problems if "tianhe" in p.file}) == 3
    assert all("这句话" not in s["excerpt"]["text"] for s in doc["statements"])


def test_a_statement_counts_only_for_its_own_plan(layers) -> None:
    fake = Statement(
        "huadu_sti", "花都区", ("海洋科技",), {"plan": "huadu_sti", "text": "海洋", "section": ""}
    )
    assert align(layers, "天河区", statements=[fake]).industry("海洋科技") is None
    huadu = align(layers, "花都区", statements=[fake]).industry("海洋科技")
    assert huadu is not None and huadu.status == DISTRICT_WIDE
    assert align(layers, "huadu_mfg", statements=[fake]).industry("海洋科技") is None


def test_district_only_industries_rest_on_a_place(aligned) -> None:
    for result in aligned.values():
        for row in result.industries:
            if row.status == DISTRICT_ONLY:
                assert row.district and not row.city
