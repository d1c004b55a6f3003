"""规划衔接 on the real layers: places taken up, not mentioned, district-only; industries; roles."""

from __future__ import annotations

import json

import pytest
import shapely

from spatial.cli import main
from spatial.plans.district_wide import Statement
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import load_plan
from spatial.query.alignment import (
    BOTH,
    CITY_ONLY,
    DISTRICT_ONLY,
    DISTRICT_WIDE,
    MENTIONED,
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


# -- the comparison's rules, on a small made-up district -----------------------------------------


def _place(fid, role, plans, district, *, excerpts=(), mentions=(), industries=(), **extra):
    return {
        "id": fid, "name": f"名{fid}", "role": role, "plans": list(plans),
        "district": list(district), "industries": list(industries),
        "excerpts": [{"plan": p, "section": "一、", "text": t} for p, t in excerpts],
        "mentions": [{"plan": p, "section": "二、", "text": t} for p, t in mentions],
        "parent": extra.get("parent"), "links": extra.get("links"),
        "plan_roles": extra.get("plan_roles"), "group": extra.get("group"),
        "geometry": shapely.Point(113.2, 23.4),
    }  # fmt: skip


@pytest.fixture(scope="module")
def made_up():
    """花都区 against the city plan: one place of each status, places elsewhere and outside."""
    import geopandas as gpd

    H, C = "花都区", "白云区"
    rows = [
        _place("taken", "zone", ["gz_sti", "huadu_mfg"], [H],
               industries=["新能源汽车", "汽车制造"],
               excerpts=[("gz_sti", "发展新能源汽车和生物医药"), ("huadu_mfg", "建设汽车制造基地")],
               plan_roles={"gz_sti": {"role": "zone", "group": "多点"},
                           "huadu_mfg": {"role": "pole", "group": "一极"}},
               links=["quiet"]),
        _place("quiet", "park", ["gz_sti"], [H], industries=["汽车产业", "汽车制造"],
               excerpts=[("gz_sti", "壮大汽车产业，发展汽车制造")]),
        _place("named", "park", ["gz_sti"], [H], excerpts=[("gz_sti", "建设园区")],
               mentions=[("huadu_sti", "联动名named")], parent="quiet"),
        _place("own", "park", ["huadu_sti"], [H], industries=["人工智能"],
               excerpts=[("huadu_sti", "布局人工智能")], parent="taken"),
        _place("away", "park", ["gz_sti", "huadu_sti"], [C], excerpts=[("gz_sti", "x")]),
        _place("away-named", "park", ["gz_sti"], [C], mentions=[("huadu_mfg", "对接")]),
        _place("away-quiet", "park", ["gz_sti"], [C], mentions=[("baiyun_sti", "对接")]),
        _place("beyond", "outside", ["huadu_mfg"], []),
        _place("beyond-city", "outside", ["gz_sti"], [], mentions=[("huadu_sti", "合作")]),
        _place("beyond-quiet", "outside", ["gz_sti"], []),
        _place("axis", "axis", ["gz_sti", "huadu_mfg"], [H]),
        _place("segment-here", "axis_segment", ["gz_sti"], [H, C], excerpts=[("gz_sti", "段")]),
        _place("segment-there", "axis_segment", ["gz_sti"], [C, H]),
        _place("linked", "park", ["huadu_mfg"], [H], excerpts=[("huadu_mfg", "园")],
               links=["quiet", "away"]),
    ]  # fmt: skip
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").set_index("id", drop=False)
    wide = [
        Statement("huadu_mfg", H, ("智能装备",), {"section": "三、", "text": "全区发展智能装备"}),
        Statement("huadu_sti", H, ("区块链",), {"section": "四、", "text": "全区推广区块链"}),
        Statement("baiyun_sti", C, ("新型显示",), {"section": "三、", "text": "发展新型显示"}),
    ]
    return gdf, align(gdf, H, wide)


def test_each_place_gets_its_status_in_the_district(made_up) -> None:
    gdf, al = made_up
    assert (al.district, al.city_plan, al.district_plans) == (
        "花都区", "gz_sti", ["huadu_sti", "huadu_mfg"]
    )
    assert [r.id for r in al.taken_up] == ["taken"]
    assert [r.id for r in al.mentioned] == ["named"]
    assert [r.id for r in al.not_mentioned] == ["quiet", "segment-here"]  # not the axis
    assert [r.id for r in al.district_only] == ["own", "linked"]
    assert al.counts() == {BOTH: 1, MENTIONED: 1, CITY_ONLY: 2, DISTRICT_ONLY: 2}
    assert [r.id for r in al.places] == ["taken", "named", "quiet", "segment-here", "own", "linked"]
    assert {r.id: r.status for r in al.places} == {
        "taken": BOTH, "named": MENTIONED, "quiet": CITY_ONLY, "segment-here": CITY_ONLY,
        "own": DISTRICT_ONLY, "linked": DISTRICT_ONLY,
    }
    assert all(r.inside for r in al.places)
    # city places elsewhere the district plans place or mention; places outside Guangzhou
    assert [(r.id, r.status, r.inside) for r in al.elsewhere] == [
        ("away", BOTH, False), ("away-named", MENTIONED, False)
    ]
    assert [(r.id, r.status, r.inside) for r in al.beyond] == [
        ("beyond", DISTRICT_ONLY, False), ("beyond-city", BOTH, False)
    ]
    frame = status_frame(gdf, al)
    assert frame["alignment_status"].to_dict() == {r.id: r.status for r in al.places}


def test_a_place_row_says_who_names_it_how_and_in_which_words(made_up) -> None:
    _gdf, al = made_up
    taken = al.taken_up[0]
    assert taken.name == "名taken"
    assert (taken.city_role, taken.district_role) == ("zone", "pole")
    assert taken.district_plans == ["huadu_mfg"]
    assert [(e.plan, e.section, e.text, e.feature_id, e.feature_name)
            for e in taken.city_excerpts] == [
        ("gz_sti", "一、", "发展新能源汽车和生物医药", "taken", "名taken")
    ]  # fmt: skip
    assert [e.text for e in taken.district_excerpts] == ["建设汽车制造基地"]
    assert taken.related == [("own", "名own")]  # a district place that is part of it
    own = next(r for r in al.district_only if r.id == "own")
    assert (own.city_role, own.district_role, own.district_plans) == (None, "park", ["huadu_sti"])
    assert own.city_excerpts == [] and own.related == [("taken", "名taken")]
    linked = next(r for r in al.district_only if r.id == "linked")
    assert linked.related == [("quiet", "名quiet")]  # a link to a city place in the district
    named = al.mentioned[0]
    assert named.district_excerpts == [] and named.district_plans == []
    assert [(e.plan, e.text) for e in named.district_mentions] == [("huadu_sti", "联动名named")]
    quiet = next(r for r in al.not_mentioned if r.id == "quiet")
    # the district place that links to it; not the city's own places tied to it
    assert quiet.related == [("linked", "名linked")] and named.related == []
    assert (quiet.city_role, quiet.district_role, quiet.district_mentions) == ("park", None, [])
    away = al.elsewhere[0]
    assert away.district_plans == ["huadu_sti"] and away.related == []
    assert away.city_role == "park" and [e.text for e in away.city_excerpts] == ["x"]
    beyond_city = al.beyond[1]
    assert (beyond_city.city_role, beyond_city.district_role) == ("outside", None)
    assert [e.text for e in beyond_city.district_mentions] == ["合作"]


def test_industries_count_only_each_sides_words_about_the_districts_places(made_up) -> None:
    _gdf, al = made_up
    rows = {r.tag: r for r in al.industries}
    # 生物医药 is in the city's sentence but not one of the place's industries: not credited
    assert {t: r.status for t, r in rows.items()} == {
        "汽车产业": BOTH, "汽车制造": BOTH, "新能源汽车": CITY_ONLY, "人工智能": DISTRICT_ONLY,
        "区块链": DISTRICT_WIDE, "智能装备": DISTRICT_WIDE,  # the district's words for all of it
    }
    # shared first, then the district-wide, the city's alone, the district's alone; each in
    # the taxonomy's order
    assert [r.tag for r in al.industries] == [
        "汽车产业", "汽车制造", "区块链", "智能装备", "新能源汽车", "人工智能"
    ]
    car = rows["汽车制造"]
    assert [e.feature_id for e in car.city] == ["quiet"]
    assert [e.feature_id for e in car.district] == ["taken"]
    assert car.group == "汽车产业" and rows["汽车产业"].group == "汽车产业"
    # a group's own tag counts the words naming any of its industries, each once
    assert [e.feature_id for e in rows["汽车产业"].city] == ["quiet", "taken"]
    assert [e.feature_id for e in rows["汽车产业"].district] == ["taken"]
    wide = rows["智能装备"]
    assert (wide.city, wide.district) == ([], [])
    assert [(e.plan, e.feature_id, e.feature_name, e.section, e.text)
            for e in wide.district_wide] == [
        ("huadu_mfg", "", "全区", "三、", "全区发展智能装备")
    ]  # no place's words; another district's statement (新型显示) does not count
    assert al.industry("新型显示") is None and al.industry("汽车制造") is car
    groups = {r.tag: (r.status, r.group) for r in al.industry_groups}
    assert groups == {
        "汽车产业": (BOTH, None), "智能装备": (DISTRICT_WIDE, None),
        "新一代信息技术": (DISTRICT_ONLY, None),
    }
    assert [e.feature_id for e in al.industry_group("汽车产业").city] == ["quiet", "taken"]
    it = al.industry_group("新一代信息技术")
    assert [e.feature_id for e in it.district] == ["own"]
    assert [e.text for e in it.district_wide] == ["全区推广区块链"]
    assert [e.text for e in al.industry_group("智能装备").district_wide] == ["全区发展智能装备"]
    assert al.industry_group("数字经济") is None


def test_a_place_the_two_plans_weigh_differently_is_a_role_difference(made_up) -> None:
    _gdf, al = made_up
    assert [(d.id, d.name, d.district_plan, d.city_role, d.city_group, d.district_role,
             d.district_group) for d in al.role_diffs] == [
        ("taken", "名taken", "huadu_mfg", "zone", "多点", "pole", "一极")
    ]  # fmt: skip
    doc = al.to_dict()
    assert doc["role_diffs"][0]["district_role"] == "pole"
    assert doc["taken_up"][0]["city_excerpts"][0]["plan"] == "gz_sti"


def test_plan_roles_of_reads_the_plans_own_roles_else_the_one_role() -> None:
    own = {"plans": ["a"], "role": "park", "group": "g",
           "plan_roles": {"a": {"role": "zone", "group": "x"}, "b": "not a mapping"}}
    assert plan_roles_of(own) == {"a": {"role": "zone", "group": "x"}}
    assert plan_roles_of({"plans": ["a", "b"], "role": "park", "group": float("nan")}) == {
        "a": {"role": "park", "group": None}, "b": {"role": "park", "group": None}
    }
    assert plan_roles_of({"plans": ["a"], "role": "park", "group": "g", "plan_roles": {}}) == {
        "a": {"role": "park", "group": "g"}
    }
    assert plan_roles_of({"plans": None, "role": "park"}) == {}


def test_a_district_is_found_by_its_name_short_name_or_plan_and_refused_politely() -> None:
    assert resolve_target(" 白云 ") == ("白云区", ["baiyun_sti"])
    assert resolve_target("天河区") == ("天河区", ["tianhe_sti"])
    for bad in ("", None, "区", "gz_sti"):
        with pytest.raises(ValueError, match="可选: 花都区, 白云区, 天河区, huadu_sti"):
            resolve_target(bad)
    with pytest.raises(ValueError, match="^没有区级规划: ''; "):
        resolve_target(None)
    with pytest.raises(ValueError) as exc:
        resolve_target("海" * 100)
    assert "海" * 40 in str(exc.value) and "海" * 41 not in str(exc.value)


def test_the_city_plan_is_the_manifests_city_level_plan(monkeypatch) -> None:
    from spatial.plans.manifest import load_manifest
    from spatial.query import alignment

    assert alignment.city_plan_id() == next(p.id for p in load_manifest() if p.level == "city")
    districts = [p for p in load_manifest() if p.level != "city"]
    monkeypatch.setattr(alignment, "load_manifest", lambda: districts)
    with pytest.raises(LookupError, match="^the manifest has no city-level plan$"):
        alignment.city_plan_id()


def test_names_of_plans_and_roles_for_the_tables() -> None:
    from spatial.plans.manifest import get_plan
    from spatial.query.alignment import plan_short, role_zh

    assert plan_short("huadu_mfg") == get_plan("huadu_mfg").short_name
    assert plan_short("no_such_plan") == "no_such_plan"
    assert role_zh("park") == "园区" and role_zh("rainbow") == "rainbow" and role_zh(None) == "—"
