"""The candidate finder, the register of places without a site, and the coverage report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from spatial.plans.candidates import find_candidates
from spatial.plans.coverage import plan_coverage
from spatial.plans.register import build_register, validate_register
from spatial.plans.texts import PlanText

SHILING_EXCERPT = "加快推进建设以箱包皮具为特色的圣地环贸港箱包直播基地"


def test_finder_reads_enumerations_into_names():
    names = {c.name for c in find_candidates("huadu_mfg")}
    # the 十三五 paragraph's enumeration of parks, each cut at 、 and 和
    for name in (
        "金田工业区",
        "金谷工业区",
        "北兴工业区",
        "赤坭工业园",
        "炭步工业园",
        "茶塘工业区",
    ):
        assert name in names
    # a name with a parenthesis stays whole; lead verbs (依托, 加快推进建设以) are not part of a name
    assert "广州花都高新技术产业开发区（原汽车产业基地）" in names
    assert "圣地环贸港箱包直播基地" in names
    assert not any(n.startswith(("依托", "加快", "以")) for n in names)
    # a suffix on its own names nothing
    assert "实验室" not in names and "示范区" not in names


def test_finder_splits_names_run_together_by_a_flattened_table():
    plan = PlanText.from_raw("汽车产业集群西部先进制造业产业带花都国际先进装备制造产业园\n", "t")
    names = [c.name for c in find_candidates(plan)]
    assert names == ["汽车产业集群", "西部先进制造业产业带", "花都国际先进装备制造产业园"]


@pytest.mark.parametrize(
    ("plan", "name", "rule"),
    [
        # names a planner reading the texts found and the finder did not propose before
        ("gz_sti", "中新国际联合研究院", "suffix"),  # 联合 no longer cuts a name
        ("gz_sti", "达安创谷", "list"),  # 推动达安创谷、华南新材料等国家级孵化载体
        ("gz_sti", "粤芯二期", "phase"),  # 推进广州“粤芯”二期项目
        ("gz_sti", "庆盛站", "suffix"),
        ("gz_sti", "慧眼大设施", "suffix"),
        ("gz_sti", "南沙粤港深度合作园", "suffix"),
        ("gz_sti", "科技创新轴（黄埔段）", "box"),  # a 专栏 item head
        ("huadu_sti", "玉湖国际冷链", "list"),  # 依托京东…、玉湖国际冷链等重点项目
        ("huadu_sti", "京东大湾区数字电商运营结算总部", "suffix"),
        ("huadu_sti", "国家级市场采购贸易方式试点", "designation"),
        ("huadu_mfg", "新能源汽车整车及零部件研发中心", "suffix"),  # 整车及零部件 is one name
        ("huadu_mfg", "空铁融合发展示范区", "suffix"),  # 发展 no longer cuts a name
        ("baiyun_sti", "岭南中医药博物馆", "suffix"),
        ("baiyun_sti", "DAYONE港澳青年创新创业服务基地", "suffix"),
        ("baiyun_sti", "和龙科技创新谷", "list"),  # 和龙 is a place, not 和 + 龙
        ("tianhe_sti", "天河人才港", "suffix"),
        ("tianhe_sti", "中国风投天河大厦", "suffix"),
        ("tianhe_sti", "天河区港澳青年之家总部", "suffix"),
    ],
)
def test_finder_proposes_the_names_a_reading_of_the_plans_finds(plan, name, rule):
    found = {c.name: c.rule for c in find_candidates(plan)}
    assert found.get(name) == rule


def test_each_finder_rule_reads_its_own_form_of_name():
    raw = (
        "推动达安创谷、华南新材料等国家级孵化载体发展。\n"
        "推进广州“粤芯”二期项目建设。\n"
        "加快国家车联网先导区建设。\n"
        "专栏 重点建设内容\n"
        "**天河智慧城。**探索创新建设管理模式。\n"
        "**深入挖掘企业需求。**扩大试点覆盖范围。\n"
    )
    rules = {c.name: c.rule for c in find_candidates(PlanText.from_raw(raw, "t"))}
    assert rules["达安创谷"] == rules["华南新材料"] == "list"
    assert rules["粤芯二期"] == "phase"
    assert rules["国家车联网先导区"] in ("suffix", "designation")
    assert rules["天河智慧城"] in ("suffix", "box")
    assert "深入挖掘企业需求" not in rules  # a 专栏 head that is a task names no place


def test_a_list_item_keeps_its_own_conjunction_and_a_list_its_last():
    raw = "推进新能源客车南方基地、新能源汽车整车及零部件研发中心等项目建设。\n"
    names = {c.name for c in find_candidates(PlanText.from_raw(raw, "t"))}
    assert "新能源汽车整车及零部件研发中心" in names and "零部件研发中心" not in names
    raw = "推动达安创谷和工信部电子五所等国家级双创基地发展。\n"
    names = {c.name for c in find_candidates(PlanText.from_raw(raw, "t"))}
    assert "工信部电子五所" in names and "和工信部电子五所" not in names


def _write(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _place(**extra):
    place = {
        "id": "huadu-shengdi-live-base",
        "name": "圣地环贸港箱包直播基地",
        "district": ["花都区"],
        "industries": ["皮革皮具"],
        "excerpts": [SHILING_EXCERPT],
        "reason": "the plan names the base; no public source gives its site",
    }
    place.update(extra)
    return place


def test_register_build_fills_seed_and_section_and_validates(tmp_path):
    _write(tmp_path / "src" / "huadu_mfg.yaml", {"plan": "huadu_mfg", "places": [_place()]})
    out = tmp_path / "register.json"
    doc, problems, changed = build_register(tmp_path / "src", out)
    assert problems == [] and changed
    (place,) = json.loads(out.read_text(encoding="utf-8"))["places"]
    assert place["plans"] == ["huadu_mfg"]
    (exc,) = place["excerpts"]
    assert exc["seed"] == "001_37ff2d7f82fdeb99.txt"
    assert exc["section"].endswith("4.加快制造业电子商务应用")
    assert validate_register(out) == []
    # building again changes nothing
    assert build_register(tmp_path / "src", out)[2] is False


def test_register_refuses_what_it_cannot_back(tmp_path):
    bad = _place(excerpts=["圣地环贸港箱包直播基地位于狮岭镇"], industries=["不存在的产业"])
    bad.pop("reason")
    _write(tmp_path / "src" / "huadu_mfg.yaml", {"plan": "huadu_mfg", "places": [bad]})
    _, problems, _ = build_register(tmp_path / "src", tmp_path / "register.json")
    messages = " ".join(p.message for p in problems)
    assert "quote not found" in messages
    assert "不存在的产业" in messages
    assert "missing reason" in messages
    assert not (tmp_path / "register.json").exists()


def test_validator_catches_a_place_both_on_the_map_and_in_the_register(tmp_path):
    _write(tmp_path / "src" / "huadu_mfg.yaml", {"plan": "huadu_mfg", "places": [_place()]})
    out = tmp_path / "register.json"
    build_register(tmp_path / "src", out)
    problems = validate_register(
        out, feature_ids={"huadu-shengdi-live-base"}, feature_names={"圣地环贸港箱包直播基地"}
    )
    assert {p.message.split(" ")[0] for p in problems} >= {"id", "'圣地环贸港箱包直播基地'"}
    # a hand-edited built file with a made-up excerpt is caught too
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["places"][0]["excerpts"][0]["text"] = "狮岭镇某路1号"
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert any("not in the plan text" in p.message for p in validate_register(out))


def test_coverage_counts_every_kind_of_decision(tmp_path):
    features = [{"id": "huadu-chini", "name": "赤坭工业园", "aliases": [], "plans": ["huadu_mfg"]}]
    register = [{"id": "reg-x", "name": "金谷工业区", "aliases": [], "plans": ["huadu_mfg"]}]
    decisions = {
        "on_map": {"炭步工业园": "huadu-chini"},  # wrong on purpose: any known id is accepted
        "left_out": [
            {"kind": "generic", "reason": "a kind of base, not one base", "names": ["直播基地"]},
            {"kind": "place", "reason": "not researched yet", "names": ["茶塘工业区"]},
            {"kind": "generic", "reason": "no longer in the text", "names": ["不在文中的名字"]},
        ],
    }
    _write(tmp_path / "huadu_mfg.yaml", decisions)
    cov = plan_coverage("huadu_mfg", features, register, tmp_path)
    assert cov.on_map["赤坭工业园"] == "huadu-chini"  # by name, nothing written
    assert cov.on_map["炭步工业园"] == "huadu-chini"
    assert cov.in_register["金谷工业区"] == "reg-x"
    assert cov.left_out["直播基地"][0] == "generic"
    assert "北兴工业区" in cov.undecided
    # named places: the map, the register, the place left out and the undecided; not the generic
    assert cov.named_places == 2 + 1 + 1 + len(cov.undecided)
    assert cov.covered == 3
    # 未判定: an undecided candidate keeps the plan short of 100%, and the report says how many
    assert cov.decided == cov.candidates - len(cov.undecided) and cov.share < 1
    from spatial.plans.coverage import report_lines

    row = next(line for line in report_lines([cov]) if line.startswith("huadu_mfg"))
    assert row.split()[2] == str(len(cov.undecided))
    messages = {(p.feature_id, p.message) for p in cov.problems}
    assert ("不在文中的名字", "decided but no longer a candidate (stale decision)") in messages
    assert ("北兴工业区", "undecided candidate") in messages


def test_built_register_is_up_to_date_and_valid(layers):
    _, problems, changed = build_register(check_only=True)
    assert problems == []
    assert not changed, "layers/register.json is stale: run gzmap build-layers"
    names = set(layers["name"]) | {a for al in layers["aliases"] for a in al}
    assert validate_register(feature_ids=set(layers["id"]), feature_names=names) == []


def test_every_candidate_of_every_plan_is_decided_and_coverage_is_at_least_90_percent():
    from spatial.plans.coverage import coverage
    from spatial.plans.manifest import plan_ids

    results = coverage()
    assert [c.plan for c in results] == plan_ids()
    for cov in results:
        assert cov.problems == [], cov.problems[:5]
        # the report's counts are the plan text's: every candidate the finder reads is decided once
        found = [c.name for c in find_candidates(cov.plan)]
        decided = [*cov.on_map, *cov.in_register, *cov.left_out]
        assert sorted(decided) == sorted(found)
        assert cov.candidates == len(found)
        assert cov.share >= 0.9, (cov.plan, cov.share)


def test_coverage_decisions_say_what_a_planner_would_expect():
    from spatial.plans.coverage import coverage

    mfg, baiyun, tianhe = coverage(["huadu_mfg", "baiyun_sti", "tianhe_sti"])
    assert mfg.on_map["赤坭工业园"] == "huadu-chini-industrial-park"
    assert mfg.on_map["大涡工业区"] == "huadu-dawo-park"
    assert mfg.on_map["白云国际机场"] == "gz-baiyun-airport"
    assert mfg.in_register["金田工业区"] == "huadu-jintian-industrial-zone"
    assert mfg.left_out["清华大学"][0] == "outside"
    assert mfg.left_out["直播基地"][0] == "generic"
    assert baiyun.on_map["大源村"] == "baiyun-dayuan-village"
    assert baiyun.in_register["石湖供应链总部基地"] == "baiyun-shihu-supply-chain-hq"
    assert tianhe.on_map["天河路商圈"] == "tianhe-road-shopping-district"


def test_gzmap_coverage_prints_one_row_per_plan(capsys):
    from spatial.cli import main

    assert main(["coverage"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("huadu_mfg"))
    cells = row.split()
    assert cells[1] == str(len(find_candidates("huadu_mfg")))
    assert cells[2] == "0"  # 未判定 undecided
    assert cells[7] == "100%"
    assert "undecided (未判定)" in out


def test_readme_coverage_table_matches_the_report():
    import re

    from spatial._paths import ROOT
    from spatial.plans.coverage import coverage

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        m[0]: [int(x) for x in m[1:7]]
        for m in re.findall(
            r"^\| `(\w+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| \d+% \|$",
            readme,
            flags=re.M,
        )
    }
    for cov in coverage():
        expected = [
            cov.candidates,
            len(cov.undecided),
            cov.named_places,
            len(cov.on_map),
            len(cov.in_register),
            len(cov.left_out),
        ]
        assert rows.get(cov.plan) == expected, (cov.plan, "README coverage table is stale")
