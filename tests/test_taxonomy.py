"""The two-level industry taxonomy: groups over the plans' specific industries, filters and counts
on both levels, and every specific tag backed by the feature's own excerpts."""

from __future__ import annotations

import pytest

from app.appstate import options_from_layers
from spatial.plans.taxonomy import load_taxonomy
from spatial.query.features import Selection, industry_counts, select


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def _words(tax, tag: str) -> list[str]:
    return tax.expand(tag)


def _text(row) -> str:
    return "\n".join([row["name"], *row["aliases"], *(e["text"] for e in row["excerpts"])])


@pytest.mark.parametrize(
    ("word", "tag", "group"),
    [
        ("直播电商", "直播电商", "数字经济"),
        ("电子商务", "电子商务", "数字经济"),
        ("跨境电子商务", "跨境电商", "数字经济"),
        ("智能家居", "智能家居", "家居家电"),
        ("新型显示", "新型显示", "新一代信息技术"),
        ("4K/8K", "超高清视频", "新一代信息技术"),
        ("轨道交通", "轨道交通装备", "智能装备"),
        ("皮具", "皮革皮具", "时尚产业"),
        ("美妆", "化妆品", "时尚产业"),
    ],
)
def test_specific_industries_keep_their_own_tag_under_the_right_group(tax, word, tag, group):
    assert tax.canonical(word) == tag
    assert tax.group_of(tag) == group
    assert tag in tax.children(group)


def test_every_word_belongs_to_one_tag_and_groups_hold_their_industries(tax):
    assert len(tax.groups) >= 10
    for tag in tax.tags:
        assert tax.group_of(tax.group_of(tag)) == tax.group_of(tag)  # two levels, no deeper
    assert set(tax.members("时尚产业")) >= {"时尚产业", "皮革皮具", "珠宝", "化妆品", "服装"}
    assert tax.members("皮革皮具") == ["皮革皮具"]


def test_a_group_filter_returns_its_industries_and_a_specific_filter_only_its_own(layers, tax):
    group = select(layers, Selection(industries=("时尚产业",)))
    leather = select(layers, Selection(industries=("皮革皮具",)))
    cosmetics = select(layers, Selection(industries=("化妆品",)))
    assert set(leather.index) | set(cosmetics.index) <= set(group.index)
    assert not set(cosmetics.index) <= set(leather.index)
    assert "baiyun-smart-home-park" not in group.index  # 智能家居 is not a fashion industry
    assert "baiyun-smart-home-park" in select(layers, Selection(industries=("智能家居",))).index


def test_counts_cover_both_levels_and_match_what_the_filter_returns(layers, tax):
    counts = industry_counts(layers)
    for tag in ("时尚产业", "皮革皮具", "新一代信息技术", "新型显示", "智能装备", "轨道交通装备"):
        assert counts[tag] == len(select(layers, Selection(industries=(tag,)))), tag


def test_filter_options_offer_groups_beside_the_industries(layers, tax):
    options = options_from_layers(layers, ["gz_sti"], ["none"])
    assert "时尚产业" in options.industries and "皮革皮具" in options.industries
    order = list(options.industries)
    assert order.index("时尚产业") < order.index("皮革皮具")  # the group heads its industries


@pytest.mark.parametrize("tag", ["生物医药", "皮革皮具", "新型显示"])
def test_filter_returns_only_places_whose_excerpts_say_so(layers, tax, tag):
    shown = select(layers, Selection(industries=(tag,)))
    assert len(shown) >= 2
    for fid, row in shown.iterrows():
        text = _text(row)
        assert any(w in text for w in _words(tax, tag)), (tag, fid)


def test_every_specific_tag_is_in_the_features_own_words(layers, tax):
    """A group may be inferred from what a place is; a specific industry must be written."""
    for fid, row in layers.iterrows():
        text = _text(row)
        for tag in row["industries"]:
            if tag in tax.groups:
                continue
            assert any(w in text for w in _words(tax, tag)), (fid, tag)


def test_main_industries_the_plans_give_are_tagged(layers):
    assert "智能装备" in layers.at["gz-science-city", "industries"]  # 中国智造中心
    assert "汽车制造" in layers.at["huadu-belt-west", "industries"]  # 东风日产乘用车
    assert "汽车产业" in layers.at["huadu-belt-west", "industry_groups"]


# -- fold rules: a wording folds into a tag only when it names the same industry ---------------
@pytest.mark.parametrize(
    ("word", "tags"),
    [
        ("科技金融", ["金融"]),  # finance for technology firms is finance, not fintech
        ("数字金融", ["金融科技"]),
        ("汽车等制造业", ["汽车制造"]),  # 集中发展汽车等制造业 (the city plan on 广州花都高新区)
        ("现代都市农业", ["现代农业"]),  # one of Baiyun's six pillar clusters
        ("智能汽车", ["智能网联汽车"]),
        ("高端服务业", ["现代服务业"]),
        ("时尚", ["时尚产业"]),
        ("新能源及智能网联汽车", ["新能源汽车", "智能网联汽车"]),  # a compound names both
        ("新能源和智能网联汽车", ["新能源汽车", "智能网联汽车"]),
        ("汽车及新能源汽车", ["汽车产业", "新能源汽车"]),
        ("能源", []),  # energy is not new energy: no tag
    ],
)
def test_each_wording_folds_into_the_industries_it_names(tax, word, tags):
    assert tax.tags_of(word) == tags
    assert tax.fold([word]) == (tags, [] if tags else [word])
    for tag in tags:
        assert word in tax.expand(tag)  # searching the tag finds the wording


def test_a_compound_is_no_synonym_of_one_of_its_tags(tax):
    assert tax.canonical("新能源及智能网联汽车") is None  # not folded into 智能网联汽车 alone
    assert "新能源及智能网联汽车" not in tax.get("智能网联汽车").synonyms


def test_the_plans_sentences_name_every_industry_of_a_compound(tax):
    from spatial.query.alignment import industries_in

    city = (
        "集中发展汽车等制造业，培育发展新能源及智能网联汽车、工业机器人、航空制造等战略性新兴产业"
    )
    assert industries_in(city, tax) == [
        "汽车制造",
        "新能源汽车",
        "智能网联汽车",
        "机器人",
        "航空航天",
    ]
    baiyun = "夯实现代都市农业、航空运输与现代物流支柱型优势产业集群"
    assert industries_in(baiyun, tax) == ["现代农业", "航空航天", "现代物流"]
    tianhe = "在环五山创新策源区内大力发展研发设计、中试孵化、检验检测、成果转化、科技中介、科技金融等科技服务机构"
    assert "金融" in industries_in(tianhe, tax) and "金融科技" not in industries_in(tianhe, tax)


def test_the_taxonomy_refuses_a_compound_that_is_also_a_synonym(tmp_path):
    from spatial.plans.taxonomy import INDUSTRIES_PATH

    text = INDUSTRIES_PATH.read_text(encoding="utf-8") + "  智联汽车: [新能源汽车, 智能网联汽车]\n"
    path = tmp_path / "industries.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="智联汽车"):
        load_taxonomy(path)
