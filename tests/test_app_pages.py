"""The 规划衔接 and 这里规划了什么 pages of the app, driven through AppTest on the real layers."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.excerpts import safe_html
from spatial._paths import ROOT
from spatial.geo.coords import wgs84_to_gcj02
from spatial.plans.taxonomy import load_taxonomy

APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.delenv("GZMAP_LAYERS_DIR", raising=False)
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


#: The district plans of each district the 规划衔接 page compares with the city plan (README).
DISTRICT_PLANS = {"天河区": {"tianhe_sti"}, "白云区": {"baiyun_sti"}, "花都区": {"huadu_sti", "huadu_mfg"}}


def district_places(layers, district: str):
    """The district's places, the whole axis aside (it crosses every district on it)."""
    return layers[layers["district"].apply(lambda d: district in d) & (layers["role"] != "axis")]


def counts_from_data(layers, district: str) -> dict[str, int]:
    """The district's places by the plans that place them (the layers' ``plans``) or name them
    in passing (``mentions``): the city plan and a district plan (承接), the city plan with a
    district plan's passing mention (仅提及) or without (未提及), a district plan only (自有)."""
    places = district_places(layers, district)
    plans = DISTRICT_PLANS[district]
    city = places["plans"].apply(lambda p: "gz_sti" in p)
    own = places["plans"].apply(lambda p: bool(set(p) & plans))
    named = places["mentions"].apply(
        lambda ms: any(isinstance(m, dict) and m.get("plan") in plans for m in ms or ())
    )
    return {
        "区级规划承接": int((city & own).sum()),
        "区级仅提及": int((city & ~own & named).sum()),
        "区级未提及": int((city & ~own & ~named).sum()),
        "区级自有": int((~city & own).sum()),
    }


def excerpts_of(layers, fid: str, plan: str) -> list[str]:
    return [e["text"] for e in layers.at[fid, "excerpts"] if e["plan"] == plan]


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label.split()[0]: int(m.value) for m in at.metric}


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def test_alignment_page_opens_from_the_link_with_the_counts(app, layers) -> None:
    app.query_params["view"] = "alignment"
    app.query_params["district"] = "天河区"
    run(app)
    expected = counts_from_data(layers, "天河区")
    assert expected["区级规划承接"] and expected["区级自有"]
    got = metrics(app)
    assert {k: got[k] for k in expected} == expected
    places = app.dataframe[0].value
    assert len(places) >= sum(expected.values())  # and places elsewhere the plans tie to it
    assert "天河智慧城" in set(places["名称 Place"]) and "沙河片区" in set(places["名称 Place"])
    industries = set(app.dataframe[1].value["产业 Industry"])
    tagged = {t for ts in district_places(layers, "天河区")["industries"] for t in ts}
    assert industries & tagged  # industries the district's places carry
    assert industries <= set(load_taxonomy().tags)  # and district-wide words: the taxonomy's
    assert app.query_params["view"] == "alignment"
    assert app.query_params["district"] == "天河区"


def picked_on_alignment(at: AppTest, district: str, pick: tuple[str, str]) -> str:
    """The 规划衔接 page's text for a district once a place or industry is picked."""
    at.query_params["view"] = "alignment"
    at.query_params["district"] = district
    run(at)
    at.session_state["align_pick"] = pick
    run(at)
    return page_text(at)


def test_a_picked_place_shows_both_plans_words(app, layers) -> None:
    text = picked_on_alignment(app, "白云区", ("place", "baiyunhu-digital-city"))
    # each plan's words appear whole (made inert: markup characters become entities)
    for plan in ("gz_sti", "baiyun_sti"):
        quotes = excerpts_of(layers, "baiyunhu-digital-city", plan)
        assert any(safe_html(q) in text for q in quotes), plan


def test_a_picked_industry_shows_the_places_and_words_behind_it(app, layers) -> None:
    text = picked_on_alignment(app, "白云区", ("industry", "人工智能"))
    # words of both plans that name the industry, from the places that carry it
    for plan in ("gz_sti", "baiyun_sti"):
        quotes = [
            q for fid in district_places(layers, "白云区").index
            for q in excerpts_of(layers, fid, plan) if "人工智能" in q
        ]
        assert any(safe_html(q) in text for q in quotes), plan
    assert "白云湖数字科技城" in text


def test_choosing_another_district_updates_the_url(app, layers) -> None:
    app.query_params["view"] = "alignment"
    run(app)
    app.selectbox(key="align_target").set_value("花都区")
    run(app)
    assert app.query_params["district"] == "花都区"
    assert metrics(app)["区级规划承接"] == counts_from_data(layers, "花都区")["区级规划承接"]


def test_a_hostile_link_is_ignored_with_a_note(app) -> None:
    app.query_params["view"] = "alignment"
    app.query_params["district"] = "<script>alert(1)</script>"
    run(app)
    assert any("district" in w.value for w in app.warning)
    assert app.selectbox(key="align_target").value == "花都区"  # the first district


def test_here_page_from_the_link(app) -> None:
    app.query_params["view"] = "here"
    app.query_params["at"] = "113.382,23.082"
    run(app)
    labels = [e.label for e in app.expander]
    assert any(label.startswith("广州国际生物岛") and "覆盖此点" in label for label in labels)
    assert app.query_params["at"] == "113.382000,23.082000"


def test_here_page_gcj02_gives_the_same_places(app) -> None:
    app.query_params["view"] = "here"
    app.query_params["at"] = "113.382,23.082"
    run(app)
    wgs = [e.label for e in app.expander]
    lon, lat = wgs84_to_gcj02(113.382, 23.082)
    app.text_input(key="here_at_text").set_value(f"{lon:.6f}, {lat:.6f}")
    app.checkbox(key="here_gcj02").check()
    run(app)
    assert [e.label for e in app.expander] == wgs
    assert app.query_params["gcj02"] == "1"


def test_here_page_bad_input_is_a_message(app) -> None:
    app.query_params["view"] = "here"
    run(app)
    app.text_input(key="here_at_text").set_value("not a place")
    run(app)
    assert app.warning and "经度" in app.warning[0].value


def test_map_filters_survive_a_visit_to_another_page(app) -> None:
    run(app)
    app.multiselect(key="plans").set_value(["tianhe_sti"])
    run(app)
    app.session_state["page"] = "alignment"
    run(app)
    assert app.query_params["plans"] == "tianhe_sti"  # the link keeps the map's view
    assert app.query_params["view"] == "alignment"
    app.session_state["page"] = "map"
    run(app)
    assert app.multiselect(key="plans").value == ["tianhe_sti"]
    assert app.query_params["plans"] == "tianhe_sti"


def test_industry_table_one_level_up(app, layers) -> None:
    app.query_params["view"] = "alignment"
    app.query_params["district"] = "花都区"
    run(app)
    industries = set(app.dataframe[1].value["产业 Industry"])
    app.session_state["align_level"] = "group"
    run(app)
    groups = list(app.dataframe[1].value["产业 Industry"])
    tax = load_taxonomy()
    assert set(groups) == {tax.group_of(t) for t in industries}  # one level up, each once
    assert len(groups) == len(set(groups)) < len(industries)
    app.session_state["align_pick"] = ("group", groups[0])
    run(app)
    quotes = {e["text"] for fid in district_places(layers, "花都区").index
              for e in layers.at[fid, "excerpts"]}
    text = page_text(app)
    assert any(safe_html(q) in text for q in quotes)  # the plans' own words behind the group


def test_here_page_reads_a_study_area_from_the_own_layer(app, layers) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from spatial.uploads.reader import UserLayer

    zsc = layers.loc["zhishicheng"].geometry
    area = box(zsc.x - 0.02, zsc.y - 0.02, zsc.x + 0.02, zsc.y + 0.02)
    own = gpd.GeoDataFrame({"name": ["知识城研究范围"]}, geometry=[area], crs=4326)
    app.session_state["_upload"] = (("范围.geojson", 1, "x"), UserLayer("范围.geojson", own))
    app.query_params["view"] = "here"
    run(app)
    app.session_state["here_mode"] = "area"
    run(app)
    labels = [e.label for e in app.expander]
    assert any(label.startswith("中新广州知识城") and "点位在区内" in label for label in labels)
    assert "km²" in page_text(app)
    assert app.query_params["view"] == "here"
