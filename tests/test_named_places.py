"""Places the plans name outside their layout chapters: filters find them, clusters show their
related parks apart from the table's core parks."""

from __future__ import annotations

from spatial.query.detail import feature_facts, related_parks
from spatial.query.features import Selection, select


def test_filtering_car_manufacturing_shows_huadus_car_parks(layers):
    chosen = select(layers, Selection(industries=("汽车制造",), plans=("huadu_mfg",)))
    for fid in (
        "huadu-hitech-zone",
        "huadu-intl-adv-mfg-park",
        "huadu-dawo-park",  # also the 大涡工业区 of the 十三五 review
        "huadu-chini-sme-park",
        "huadu-chini-industrial-park",
        "huadu-tanbu-industrial-park",
    ):
        assert fid in chosen.index, fid


def test_filtering_leather_or_fashion_shows_shiling(layers):
    for word in ("皮革皮具", "时尚产业"):
        chosen = select(layers, Selection(industries=(word,)))
        assert {"huadu-shiling-leather-cluster", "huadu-leather-park"} <= set(chosen.index), word
    shiling = layers.loc["huadu-shiling-leather-cluster"]
    assert shiling["district"] == ["花都区"]
    assert "中国皮具之都" in shiling["aliases"]
    assert shiling["location_precision_m"] >= 2000  # known to the town, drawn as such


#: 表5-1's core parks of 汽车产业集群, as the table writes them.
AUTO_CORE_PARKS = ("花都高新技术产业开发区", "花都国际先进装备制造产业园")


def _names(layers, fid: str) -> set[str]:
    return {layers.at[fid, "name"], *layers.at[fid, "aliases"]}


def test_cluster_shows_related_parks_apart_from_its_core_parks(layers):
    auto = layers.loc["huadu-cluster-auto"]
    members = list(auto["members"])
    assert len(members) == len(AUTO_CORE_PARKS)  # the table's core parks, each once
    for park in AUTO_CORE_PARKS:
        assert [m for m in members if park in _names(layers, m)], park
    related = related_parks(layers, auto)
    assert "huadu-dawo-park" in related  # 大涡: tasked with the car industry in the park list
    for fid in related:
        assert fid not in members and layers.at[fid, "role"] in ("park", "zone")
        words = [e["text"] for e in layers.at[fid, "excerpts"] if e["plan"] == "huadu_mfg"]
        assert any("汽车" in w for w in words), fid  # the plan's words tie it to the cluster
    facts = dict(feature_facts(auto, layers))
    assert facts["关联园区 Related parks"].count("、") == len(related) - 1
    for fid in related:
        assert layers.at[fid, "name"] in facts["关联园区 Related parks"]
    assert "大涡" not in facts["包含 Members"]
    # the belt stays a plain link, not a related park
    assert "西部智能制造产业带" in facts["关联 Linked"]
    # filtering by the cluster still gives its core parks only
    chosen = select(layers, Selection(clusters=("huadu-cluster-auto",)))
    assert "huadu-dawo-park" not in chosen.index


def test_a_place_named_by_two_plans_is_one_feature(layers):
    airport = layers.loc["gz-baiyun-airport"]
    assert set(airport["district"]) == {"白云区", "花都区"}
    assert (layers["name"] == "广州白云国际机场").sum() == 1
