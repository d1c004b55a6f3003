"""Each plan's layout as that plan draws it: its own roles and groups, in the filter, the overview,
the legend and the exports; places it names only in passing stay out unless asked for.

Layout names are read from the plans' own layout paragraphs, so a renamed or regrouped source
fails here.
"""

from __future__ import annotations

import io
import re

import pytest

from spatial.cli import main
from spatial.exports import briefing
from spatial.plans.texts import load_plan
from spatial.query.features import Selection, select
from spatial.query.overview import overview_table


def _names(plan_id: str, pattern: str, separators: str = "、") -> list[str]:
    match = re.search(pattern, load_plan(plan_id).clean)
    assert match, f"{plan_id}: {pattern!r} not in the plan text"
    return [n.strip() for n in re.split(f"[{separators}]", match.group(1)) if n.strip()]


def _layout(plan_id: str) -> dict[str, tuple[str, list[str]]]:
    """group -> (role, names) as the plan's layout paragraphs state them."""
    if plan_id == "tianhe_sti":
        return {
            "一核": ("core", _names(plan_id, r"（一）一核引领：([^。]+)。")),
            "两区": ("zone", _names(plan_id, r"（二）两区协同：([^。]+)。")),
            "多极": ("pole", _names(plan_id, r"（三）多极支撑：([^。]+)。")),
        }
    if plan_id == "huadu_sti":
        return {
            "一核": ("core", _names(plan_id, r"\n([^\n：]+创新核)：")),
            "一带": ("belt", _names(plan_id, r"\n([^\n：]+创新带)：")),
            "五极": (
                "pole",
                re.findall(r"\n(?:\d\.)?([^\n：]{2,20}创新极)：", load_plan(plan_id).clean),
            ),
        }
    if plan_id == "baiyun_sti":
        sentence = _names(plan_id, r"形成以(.+?)的科技创新格局", "\n")[0]
        quoted = re.findall(r"“([^”]+)”", sentence)
        return {
            "一园": ("core", quoted[:1]),
            "一城": ("core", quoted[1:2]),
            "双廊": ("corridor", quoted[2:]),
        }
    raise AssertionError(plan_id)


@pytest.fixture(scope="module")
def by_name(layers) -> dict[str, str]:
    index: dict[str, str] = {}
    for fid, row in layers.iterrows():
        for name in [row["name"], *row["aliases"]]:
            index.setdefault(name, fid)
    return index


@pytest.mark.parametrize("plan_id", ["tianhe_sti", "huadu_sti", "baiyun_sti"])
def test_plan_alone_shows_its_layout_formula_with_its_roles(layers, by_name, plan_id) -> None:
    shown = select(layers, Selection(plans=(plan_id,)))
    for group, (role, names) in _layout(plan_id).items():
        assert names, (plan_id, group)
        for name in names:
            fid = by_name.get(name)
            assert fid in shown.index, (plan_id, name)
            assert (shown.at[fid, "role"], shown.at[fid, "group"]) == (role, group), (plan_id, name)
        # nothing else claims the group in this plan
        assert set(shown.index[shown["group"] == group]) == {by_name[n] for n in names}


def test_tianhe_formula_over_city_roles() -> None:
    """The city plan's roles still lead when no plan is chosen (documented precedence)."""
    from spatial.plans.layers import load_layers

    gdf = load_layers()
    assert gdf.at["tianhe-cbd", "role"] == "zone"
    assert gdf.at["tianhe-cbd", "plan_roles"]["tianhe_sti"] == {"role": "pole", "group": "多极"}
    both = select(gdf, Selection(plans=("gz_sti", "tianhe_sti")))
    assert both.at["tianhe-cbd", "role"] == "zone"  # the first chosen plan in manifest order


def test_manufacturing_plan_groups_each_belts_core_parks_under_it(layers, by_name) -> None:
    clean = load_plan("huadu_mfg").clean
    shown = select(layers, Selection(plans=("huadu_mfg",)))
    for belt in ("东部临空型制造产业带", "西部智能制造产业带", "南部智能电子产业带"):
        cores = re.search(belt + r"：以(.+?)为核心", clean).group(1)
        assert shown.at[by_name[belt], "role"] == "belt"
        assert shown.at[by_name[belt], "group"] == "三带"
        for name in re.split("[、和]", cores):
            fid = by_name[name.strip()]
            assert shown.at[fid, "group"] == belt, (belt, name)


@pytest.mark.parametrize(
    ("plan_id", "partner"),
    [
        ("tianhe_sti", "nansha-science-city"),
        ("tianhe_sti", "gz-science-city"),
        ("huadu_sti", "gz-science-city"),
        ("huadu_sti", "nansha-science-city"),
        ("huadu_mfg", "zhishicheng"),
        ("baiyun_sti", "zhishicheng"),
        ("baiyun_sti", "nansha-science-city"),
    ],
)
def test_places_named_in_passing_only_show_with_the_linked_switch(layers, plan_id, partner) -> None:
    plain = select(layers, Selection(plans=(plan_id,)))
    assert partner not in plain.index
    linked = select(layers, Selection(plans=(plan_id,), linked=True))
    assert partner in linked.index
    assert set(plain.index) < set(linked.index)


@pytest.mark.parametrize("plan_id", ["tianhe_sti", "huadu_sti", "huadu_mfg", "baiyun_sti"])
def test_every_place_in_a_plan_filter_has_a_passage_of_that_plan(layers, plan_id) -> None:
    shown = select(layers, Selection(plans=(plan_id,)))
    for fid, row in shown.iterrows():
        assert any(e["plan"] == plan_id for e in row["excerpts"]), fid


def test_linked_switch_round_trips_through_the_url() -> None:
    sel = Selection(plans=("tianhe_sti",), linked=True)
    assert Selection.from_params(sel.to_params()) == sel
    assert Selection.from_params({"plans": "tianhe_sti"}).linked is False


def test_overview_counts_each_plan_by_its_own_roles(layers) -> None:
    poles = overview_table(layers, Selection(roles=("pole",)), {})
    counts = {(r.plan, r.industry): r.count for r in poles.itertuples()}
    # 天河CBD and 科韵路 are poles of the Tianhe plan (with 沙河) but zones of the city plan
    tianhe_poles = ["tianhe-cbd", "kyl-software-cluster", "tianhe-shahe"]
    software = sum("软件和信息服务" in layers.at[f, "industries"] for f in tianhe_poles)
    assert software >= 1 and counts[("tianhe_sti", "软件和信息服务")] == software
    city_poles = layers[
        layers["plan_roles"].apply(lambda r: r.get("gz_sti", {}).get("role") == "pole")
    ]
    assert ("gz_sti", "软件和信息服务") not in counts or counts[
        ("gz_sti", "软件和信息服务")
    ] == sum("软件和信息服务" in tags for tags in city_poles["industries"])


def test_tianhe_export_draws_and_keys_the_plans_roles(tmp_path) -> None:
    from pypdf import PdfReader

    frame = briefing.selection_frame(Selection(plans=("tianhe_sti",)))
    assert frame.at["tianhe-cbd", "role"] == "pole"
    assert frame.at["tianhe-smart-city", "role"] == "zone"
    out = tmp_path / "tianhe.pdf"
    assert main(["export", "--plan", "tianhe_sti", "--out", str(out)]) == 0
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text())
    # the legend names the plan's own groups beside the role symbols
    for label in ("核（一核）", "极（多极）", "片区（含两区）", "天河中央商务区", "科韵路软件集聚区", "沙河片区"):
        assert label in text, label
    assert "南沙科学城" not in text  # named in passing only


def test_export_includes_passing_mentions_only_when_asked(tmp_path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "tianhe-linked.pdf"
    assert main(["export", "--plan", "tianhe_sti", "--linked", "--out", str(out)]) == 0
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text())
    assert "南沙科学城" in text and "天河中央商务区" in text
