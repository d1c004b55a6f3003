"""Huadu's two plans as built layers: the STI plan's “一核一带五极” and the manufacturing plan's
three belts, park list and 表5-1 industry clusters.

表5-1 and the park list are parsed back out of the seed text, so the tests compare the layers with
what the plan says rather than with a copy of the data; the expected names are also written out
here, so a change in the conversion of the table shows up as a failure too.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
import yaml

from spatial._paths import LAYER_SOURCES_DIR
from spatial.plans.manifest import get_plan
from spatial.plans.schema import METRIC_CRS
from spatial.plans.texts import load_plan, read_seed
from spatial.query.features import Selection, select

STI, MFG = "huadu_sti", "huadu_mfg"

#: 表5-1 as read from the text: cluster -> (所属产业带, 核心园区), names exactly as the table writes them.
EXPECTED_TABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "汽车产业集群": (
        ("西部先进制造业产业带",),
        ("花都高新技术产业开发区", "花都国际先进装备制造产业园"),
    ),
    "智能电子产业集群": (
        ("南部智能电子产业带",),
        ("中电科华南电子信息产业园", "国光2025国际双创社区"),
    ),
    "临空高科技产业集群": (
        ("东部临空型制造产业带",),
        ("花都临空高科技产业园", "花都高新技术产业园"),
    ),
    "绿色建筑产业集群": (("西部先进制造业产业带",), ("大湾区绿色建筑建材产业园",)),
    "新一代信息技术产业集群": (("南部智能电子产业带",), ("中电科华南信息产业园",)),
    "新能源和智能网联汽车产业集群": (
        ("西部先进制造业产业带",),
        ("花都高新技术产业开发区", "花都国际先进装备制造产业园"),
    ),
    "新材料产业集群": (("南部智能电子产业带",), ("北科大广州新材料产业园",)),
    "智能装备和机器人产业集群": (
        ("西部先进制造业产业带", "南部智能电子产业带"),
        ("国际先进制造产业园", "智能电子绿色价值创新园", "交通装备制造产业园"),
    ),
    "生物医药产业集群": (
        ("东部临空型制造产业带",),
        ("花都临空高科技产业园", "花都高新技术产业园"),
    ),
}

#: The park list of 六（三）: belt -> parks (the text says 6 + 2 + 1 = 9; the list names 10).
EXPECTED_PARK_LIST: dict[str, tuple[str, ...]] = {
    "西部智能制造产业带": (
        "花都高新技术产业开发区",
        "花都国际先进制造产业园",
        "花都绿色产业价值园",
        "交通装备制造产业园",
        "大涡先进制造产业园",
        "赤坭中小企业园",
        "皮革皮具产业创新园",
    ),
    "东部临空型制造产业带": ("花都高新技术产业园", "花都临空高科技产业园"),
    "南部智能电子产业带": ("花都智能电子绿色价值创新园",),
}

STI_POLES = (
    "智联汽车产业创新极",
    "现代服务业创新极",
    "智能电子产业创新极",
    "临空高新产业创新极",
    "空港智慧物流产业创新极",
)


# -- reading the plan --------------------------------------------------------------------------
def _join_cell(lines: list[str]) -> str:
    """A table cell's lines as one string; lines without a trailing 、 are joined with 、."""
    out = ""
    for line in lines:
        if out and not out.endswith("、"):
            out += "、"
        out += line
    return out


def parse_table_5_1() -> list[dict[str, str]]:
    """Rows of 表5-1 from the raw seed, keyed by the table's header.

    In the text conversion every cell starts with a tab; a line without one continues the cell
    before it (a cell that held several parks or belts on separate lines), blank lines included.
    """
    raw = read_seed(get_plan(MFG).path).splitlines()
    start = next(i for i, line in enumerate(raw) if line.startswith("表5-1"))
    cells: list[list[str]] = []
    for line in raw[start + 1 :]:
        if "重点园区发展方向" in line:
            break
        if line.startswith("\t"):
            cells.append([line.strip()])
        elif line.strip():
            cells[-1].append(line.strip())
    assert len(cells) % 4 == 0, f"表5-1 cells do not form rows of four: {len(cells)} cells"
    texts = [_join_cell(c) for c in cells]
    header, body = texts[:4], texts[4:]
    assert header == ["集群", "所属产业带", "核心园区", "发展方向"], header
    return [
        dict(zip(["产业集群", "所属产业带", "核心园区", "发展方向"], body[i : i + 4], strict=True))
        for i in range(0, len(body), 4)
    ]


def _names(cell: str) -> tuple[str, ...]:
    return tuple(n for n in (p.strip() for p in cell.split("、")) if n)


def parse_park_list() -> dict[str, tuple[str, ...]]:
    """The park list of 六（三）重点园区发展方向: belt -> parks, from the plan's clean text."""
    clean = load_plan(MFG).clean
    found = re.findall(r"([^，；。\s]+?产业带)上主要有(.+?)(?:共\d+个(?:园区)?)?[；。]", clean)
    assert len(found) == 3, f"park list: expected three belts, read {found}"
    return {belt: tuple(n for n in re.split(r"、|和", parks) if n) for belt, parks in found}


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def huadu(layers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Features either Huadu plan quotes."""
    return layers[layers["plans"].apply(lambda p: STI in p or MFG in p)]


#: Roles a 园区 of the plan's lists can have: the 高新技术产业开发区 is a zone (its role is the
#: city layer's), the others parks.
PARK_ROLES = ("park", "zone")


def _lookup(frame: gpd.GeoDataFrame, name: str, roles: tuple[str, ...] = ()) -> str:
    """Id of the one feature (of one of ``roles``) whose name or alias is ``name``."""
    hits = [
        fid
        for fid, row in frame.iterrows()
        if (not roles or row["role"] in roles) and name in [row["name"], *row["aliases"]]
    ]
    assert len(hits) == 1, f"{name!r} ({roles or 'any role'}) names {len(hits)} features: {hits}"
    return hits[0]


def _metric(geom):
    return gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]


# -- 表5-1 -------------------------------------------------------------------------------------
def test_table_5_1_reads_as_nine_rows_with_the_expected_belts_and_core_parks():
    rows = parse_table_5_1()
    read = {r["产业集群"]: (_names(r["所属产业带"]), _names(r["核心园区"])) for r in rows}
    assert read == EXPECTED_TABLE


@pytest.mark.parametrize("cluster", list(EXPECTED_TABLE))
def test_filtering_parks_by_cluster_returns_exactly_the_tables_core_parks(layers, huadu, cluster):
    row = next(r for r in parse_table_5_1() if r["产业集群"] == cluster)
    cid = _lookup(huadu, cluster, ("cluster",))
    chosen = select(layers, Selection(clusters=(cid,)))
    parks = chosen.drop(index=cid)
    table_parks = [_lookup(huadu, name, PARK_ROLES) for name in _names(row["核心园区"])]
    assert set(parks.index) == set(table_parks)
    assert len(parks) == len(table_parks)
    assert set(parks["role"]) <= set(PARK_ROLES)
    assert layers.at[cid, "members"] == table_parks


@pytest.mark.parametrize("cluster", list(EXPECTED_TABLE))
def test_cluster_carries_its_table_row_and_links_its_belts(layers, huadu, cluster):
    row = next(r for r in parse_table_5_1() if r["产业集群"] == cluster)
    cid = _lookup(huadu, cluster, ("cluster",))
    assert layers.at[cid, "attributes"] == row
    belts = {_lookup(huadu, b, ("belt",)) for b in _names(row["所属产业带"])}
    assert belts <= set(layers.at[cid, "links"])
    assert MFG in layers.at[cid, "plans"]
    assert any("表5-1" in e["section"] for e in layers.at[cid, "excerpts"])


def test_cluster_area_covers_its_core_parks(layers, huadu):
    for cid in huadu.index[huadu["role"] == "cluster"]:
        area = _metric(layers.at[cid, "geometry"])
        assert area.geom_type in ("Polygon", "MultiPolygon")  # scattered parks: several parts
        for m in layers.at[cid, "members"]:
            assert area.buffer(1).covers(_metric(layers.at[m, "geometry"])), (cid, m)


# -- the three belts and the park list -------------------------------------------------------
def test_park_list_reads_as_the_expected_ten_parks():
    assert parse_park_list() == EXPECTED_PARK_LIST


@pytest.mark.parametrize("belt", list(EXPECTED_PARK_LIST))
def test_belt_exists_as_an_area_holding_its_listed_parks(layers, huadu, belt):
    bid = _lookup(huadu, belt, ("belt",))
    assert layers.at[bid, "geometry"].geom_type == "Polygon"
    assert "derived" in layers.at[bid, "location_source"]
    area = _metric(layers.at[bid, "geometry"])
    for park in parse_park_list()[belt]:
        pid = _lookup(huadu, park, PARK_ROLES)
        assert pid in layers.at[bid, "members"], (belt, park)
        assert layers.at[pid, "attributes"].get("belt") == bid, park
        assert layers.at[pid, "attributes"].get("主导产业"), (
            f"{park}: no 主导产业 in the plan's words"
        )
        assert layers.at[pid, "industries"], f"{park}: no industry tag"
        assert MFG in layers.at[pid, "plans"]
        assert area.buffer(1).covers(_metric(layers.at[pid, "geometry"])), (belt, park)


def test_every_park_on_a_belt_is_a_member_of_that_belt(layers, huadu):
    for pid, row in huadu.iterrows():
        belt = row["attributes"].get("belt")
        if belt:
            assert layers.at[belt, "role"] == "belt"
            assert pid in layers.at[belt, "members"], (pid, belt)
    for bid in huadu.index[(huadu["role"] == "belt") & huadu["plans"].apply(lambda p: MFG in p)]:
        for m in layers.at[bid, "members"]:
            assert layers.at[m, "attributes"].get("belt") == bid, (bid, m)


# -- 一核一带五极 -------------------------------------------------------------------------------
def test_sti_layout_one_core_one_belt_five_poles(layers, huadu):
    sti = huadu[huadu["plans"].apply(lambda p: STI in p)]
    core = _lookup(sti, "花都湖数字经济创新核", ("core",))
    assert set(layers.at[core, "members"]) == {
        _lookup(sti, "花都湖数字经济集聚区"),
        _lookup(sti, "花都智能电子绿色价值创新园"),
    }
    belt = _lookup(sti, "汽车与智能制造创新带", ("belt",))
    carriers = ["花都汽车城", "花都国际先进制造产业园", "交通装备制造产业园", "赤坭中小企业园"]
    assert set(layers.at[belt, "members"]) == {
        _lookup(sti, "广州花都高新区"),
        *(_lookup(sti, c) for c in carriers),
    }
    poles = sti[sti["role"] == "pole"]
    assert sorted(poles["name"]) == sorted(STI_POLES)
    assert set(poles["group"]) == {"五极"}


def test_sti_layout_features_quote_the_layout_chapter(layers, huadu):
    chapter = get_plan(STI).layout_chapter
    sti = huadu[huadu["plans"].apply(lambda p: STI in p)]
    names = ["花都湖数字经济创新核", "汽车与智能制造创新带", *STI_POLES]
    assert len(names) == 1 + 1 + 5  # 一核一带五极, the plan's own numbers
    for name in names:
        fid = _lookup(sti, name)
        sections = [e["section"] for e in layers.at[fid, "excerpts"] if e["plan"] == STI]
        assert any(s.startswith(chapter) for s in sections), fid


# -- one feature per place, excerpts from every plan -----------------------------------------
def _ids_in_source(plan_id: str) -> set[str]:
    doc = yaml.safe_load(Path(LAYER_SOURCES_DIR / f"{plan_id}.yaml").read_text(encoding="utf-8"))
    return {f["id"] for f in doc["features"] if f.get("excerpts")}  # not passing mentions


def test_places_both_huadu_plans_name_are_one_feature_quoting_both(layers):
    shared = _ids_in_source(STI) & _ids_in_source(MFG)
    assert len(shared) >= 15
    for fid in shared:
        plans = layers.at[fid, "plans"]
        assert STI in plans and MFG in plans, (fid, plans)


def test_places_the_city_plan_also_names_carry_huadu_excerpts(layers):
    city = _ids_in_source("gz_sti")
    for plan_id in (STI, MFG):
        for fid in _ids_in_source(plan_id) & city:
            assert {"gz_sti", plan_id} <= set(layers.at[fid, "plans"]), (plan_id, fid)
    assert layers.at["huadu-hitech-zone", "name"] == "广州花都高新区"
    assert {"花都高新技术产业开发区", "花都汽车产业基地"} <= set(
        layers.at["huadu-hitech-zone", "aliases"]
    )


def test_huadu_places_lie_in_huadu(huadu):
    own = huadu[huadu.index.str.startswith("huadu-") & huadu["in_guangzhou"].ne(False)]
    assert (own["district"].apply(lambda d: "花都区" in d)).all()
    assert (own["location_precision_m"] > 0).all()
