"""规划衔接 on the real layers: places taken up, not mentioned, district-only; industries; roles."""

from __future__ import annotations

import json

import pytest

from spatial.cli import main
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import load_plan
from spatial.query.alignment import (
    BOTH,
    CITY_ONLY,
    DISTRICT_ONLY,
    DISTRICT_WIDE,
    STATUS_LABELS,
    align,
    alignment_targets,
    industries_in,
    plan_roles_of,
    resolve_target,
    status_frame,
)

DISTRICTS = ["天河区", "白云区", "花都区"]


def ids(rows) -> set[str]:
    return {r.id for r in rows}


@pytest.fixture(scope="module")
def baiyun(layers):
    return align(layers, "白云区")


@pytest.fixture(scope="module")
def tianhe(layers):
    return align(layers, "天河区")


def test_targets_come_from_the_manifest() -> None:
    targets = alignment_targets()
    assert targets["花都区"] == ["huadu_sti", "huadu_mfg"]
    assert resolve_target("花都") == ("花都区", ["huadu_sti", "huadu_mfg"])
    assert resolve_target("huadu_mfg") == ("花都区", ["huadu_mfg"])
    with pytest.raises(ValueError, match="海珠区"):
        resolve_target("海珠区")


def test_baiyun_plan_takes_up_baiyunhu_digital_city(baiyun) -> None:
    row = next(r for r in baiyun.taken_up if r.id == "baiyunhu-digital-city")
    assert row.status == BOTH and row.district_plans == ["baiyun_sti"]
    assert {e.plan for e in row.city_excerpts} == {"gz_sti"}
    assert {e.plan for e in row.district_excerpts} == {"baiyun_sti"}
    for ev in [*row.city_excerpts, *row.district_excerpts]:
        assert load_plan(ev.plan).contains(ev.text)
        assert ev.section


def test_private_science_park_is_in_both_with_its_district_parts(baiyun) -> None:
    row = next(r for r in baiyun.taken_up if r.id == "gz-private-sci-park")
    assert row.city_excerpts and row.district_excerpts
    # the Baiyun plan's parks inside 民营科技园 are district-only, tied to the city place
    parts = {fid for fid, _ in row.related}
    assert "baiyun-psp-core" in parts and parts <= ids(baiyun.district_only)


def test_tianhe_only_pole_is_district_only(tianhe, layers) -> None:
    row = next(r for r in tianhe.district_only if r.id == "tianhe-shahe")
    assert row.district_role == "pole" and row.city_role is None
    assert row.city_excerpts == [] and row.district_excerpts
    assert "gz_sti" not in layers.at["tianhe-shahe", "plans"]


@pytest.mark.parametrize("district", DISTRICTS)
def test_statuses_partition_the_district(layers, district) -> None:
    al = align(layers, district)
    lists = [ids(al.taken_up), ids(al.not_mentioned), ids(al.district_only)]
    assert sum(map(len, lists)) == len(set().union(*lists))  # no place in two lists
    for row in al.places:
        assert district in layers.at[row.id, "district"]
        assert row.inside
    for row in al.taken_up:
        assert row.city_excerpts and row.district_excerpts
    for row in al.not_mentioned:
        assert row.city_excerpts and not row.district_excerpts and not row.district_plans
    for row in al.district_only:
        assert row.district_excerpts and not row.city_excerpts
    for row in al.elsewhere:
        assert district not in layers.at[row.id, "district"]
    assert "sti-axis" not in set().union(*lists)


def test_axis_segment_counts_only_in_its_own_district(layers) -> None:
    baiyun = align(layers, "白云区")
    assert "axis-baiyun" in ids(baiyun.not_mentioned) | ids(baiyun.taken_up)
    assert "axis-huangpu" not in ids(baiyun.places)  # its buffered hull only grazes 白云区


@pytest.mark.parametrize("district", DISTRICTS)
def test_every_industry_cell_rests_on_words_that_name_it(layers, district) -> None:
    """A cell rests on words naming the tag, or, for a group's own tag (汽车产业), one of its
    industries: the city's 汽车等制造业 at 花都 names its 汽车产业 too."""
    tax = load_taxonomy()
    al = align(layers, district)
    assert al.industries
    for row in al.industries:
        if row.district:
            assert row.status == (BOTH if row.city else DISTRICT_ONLY)
        else:  # the district plan's words for the whole district, else the city's alone
            assert row.status == (DISTRICT_WIDE if row.district_wide else CITY_ONLY)
        for ev in row.city:
            assert ev.plan == al.city_plan
        for ev in [*row.district, *row.district_wide]:
            assert ev.plan in al.district_plans
        named = {row.tag, *tax.children(row.tag)}
        for ev in [*row.city, *row.district]:
            said = named.intersection(industries_in(ev.text))
            assert said, (row.tag, ev.text)
            assert said & set(layers.at[ev.feature_id, "industries"])
        for ev in row.district_wide:
            assert row.tag in industries_in(ev.text), (row.tag, ev.text)


def test_baiyunhu_industries_named_by_both_plans(baiyun) -> None:
    row = baiyun.industry("人工智能")
    assert row is not None and row.status == BOTH
    assert "baiyunhu-digital-city" in {e.feature_id for e in row.city}
    assert "baiyunhu-digital-city" in {e.feature_id for e in row.district}


def test_industries_in_prefers_the_longest_wording() -> None:
    tax = load_taxonomy()
    assert industries_in("培育新一代信息技术、人工智能产业", tax) == ["新一代信息技术", "人工智能"]
    assert industries_in("没有产业", tax) == []


def test_one_district_plan_is_a_subset_of_the_district(layers) -> None:
    whole = align(layers, "花都区")
    mfg = align(layers, "huadu_mfg")
    assert mfg.district_plans == ["huadu_mfg"]
    assert ids(mfg.district_only) <= ids(whole.district_only)
    assert "huadu-belt-west" in ids(mfg.district_only)
    assert "huadu-pole-icv" not in ids(mfg.places)  # a huadu_sti pole


def test_role_differences_come_from_plan_roles(layers) -> None:
    frame = layers.copy()
    fid = "baiyunhu-digital-city"
    roles = {"gz_sti": {"role": "node", "group": "东部北部多点"}, "baiyun_sti": {"role": "core"}}
    frame["plan_roles"] = [roles if i == fid else None for i in frame.index]
    al = align(frame, "白云区")
    diffs = [d for d in al.role_diffs if d.id == fid]
    assert len(diffs) == 1
    assert (diffs[0].city_role, diffs[0].district_role) == ("node", "core")
    row = next(r for r in al.taken_up if r.id == fid)
    assert (row.city_role, row.district_role) == ("node", "core")


def test_plan_roles_fall_back_to_the_single_role(layers) -> None:
    row = layers.loc["gz-private-sci-park"]
    fallback = plan_roles_of({k: row[k] for k in ("plans", "role", "group")})
    assert set(fallback) == set(row["plans"])
    assert all(v["role"] == row["role"] for v in fallback.values())


def test_status_frame_has_every_place_once(layers, tianhe) -> None:
    frame = status_frame(layers, tianhe)
    assert len(frame) == len(tianhe.places)
    assert set(frame["alignment_status"]) <= set(STATUS_LABELS)
    assert {BOTH, CITY_ONLY, DISTRICT_ONLY} <= set(frame["alignment_status"])
    assert frame["alignment_status"].to_dict() == {p.id: p.status for p in tianhe.places}
    assert frame.crs.to_epsg() == 4326


def test_cli_alignment_text_and_json(capsys) -> None:
    assert main(["alignment", "天河区"]) == 0
    out = capsys.readouterr().out
    assert "天河智慧城" in out and "沙河片区" in out and "产业" in out
    assert main(["alignment", "baiyun_sti", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "baiyunhu-digital-city" in {r["id"] for r in doc["taken_up"]}
    assert doc["industries"][0]["city"] or doc["industries"][0]["district"]


def test_cli_alignment_unknown_district_is_one_line(capsys) -> None:
    assert main(["alignment", "海珠区"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "花都区" in err


def test_baiyun_weighs_its_one_city_as_a_core(baiyun) -> None:
    # 一园一城双廊: the Baiyun plan makes 白云湖数字科技城 its 一城; the city plan lists it as a node
    diff = next(d for d in baiyun.role_diffs if d.id == "baiyunhu-digital-city")
    assert diff.city_role != diff.district_role
    assert diff.district_group == "一城"


@pytest.mark.parametrize("district", DISTRICTS)
def test_group_rows_gather_their_industries(layers, district) -> None:
    tax = load_taxonomy()
    al = align(layers, district)
    assert {r.tag for r in al.industry_groups} == {tax.group_of(r.tag) for r in al.industries}
    for group in al.industry_groups:
        children = [r for r in al.industries if tax.group_of(r.tag) == group.tag]
        assert bool(group.city) == any(r.city for r in children)
        assert bool(group.district) == any(r.district for r in children)
        assert al.industry_group(group.tag) is group
    # a group can only be shared more often than its industries are, never less
    shared_groups = {r.tag for r in al.industry_groups if r.status == BOTH}
    assert {tax.group_of(r.tag) for r in al.industries if r.status == BOTH} <= shared_groups
