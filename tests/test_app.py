"""The Streamlit app driven through its widgets (``streamlit.testing.v1.AppTest``).

The app reads a fixed slice of the plans (``tests/_appdata.py``) through ``GZMAP_LAYERS_DIR``;
one test at the end walks the project's real layers when they are built.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest
from _appdata import AUTO_CLUSTER_PARKS, AXIS_WALK, HUANGPU_WALK, build_fixture_layers
from _mapmsg import (
    basemap_script,
    features,
    highlighted,
    loader_assets,
    map_message,
    shown,
    shown_ids,
    shown_names,
    static_file,
    switchable_layers,
)
from _panel import DOWNLOAD, open_tab, results
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from spatial._paths import LAYERS_DIR, ROOT

APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_layers(tmp_path_factory.mktemp("app_layers"))


@pytest.fixture
def app(layers_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("GZMAP_LAYERS_DIR", str(layers_dir))
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_ids(at: AppTest) -> list[str]:
    return list(results(at)["id"])


def panel_title(at: AppTest) -> str | None:
    return at.subheader[0].value if at.subheader else None


def all_markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


# -- first view ----------------------------------------------------------------------------------
def test_first_view_shows_map_table_and_no_errors(app: AppTest) -> None:
    run(app)
    assert not app.error
    msg = map_message(app)
    assert {"中新广州知识城", "国光2025国际双创社区"} <= shown_names(msg)
    assert static_file(msg["data"]["districts"]).exists()  # district outlines are drawn
    assert "gzDistricts" in basemap_script(msg)
    assert switchable_layers(msg) == ["行政区 Districts", "广州市科技创新规划", "花都区先进制造业规划"]
    # works offline: every script, style sheet and data file is the app's own
    assets = loader_assets(app)
    urls = [*assets["scripts"], *assets["styles"], *msg["scripts"], *msg["data"].values()]
    assert "/app/static/leaflet/leaflet.js" in urls
    assert all(u.startswith("/app/static/") and static_file(u).exists() for u in urls), urls
    assert len(table_ids(app)) == 17
    assert panel_title(app) is None
    assert dict(app.query_params) == {}


def test_places_open_in_the_panel_not_in_popups_over_the_map(app: AppTest) -> None:
    # A click reruns the page, which replaces the map's features: a popup closed half a second
    # after it opened. The place is read in the panel beside the map; hover still names it.
    run(app)
    msg = map_message(app)
    assert "广州国际生物岛" in shown_names(msg)
    excerpt = "广州国际生物岛依托国家实验室"  # the plan's words are in the panel, not on the map
    assert excerpt not in json.dumps(msg, ensure_ascii=False)
    assert not any(excerpt in json.dumps(f, ensure_ascii=False) for f in features(msg))
    app.query_params["node"] = "shengwudao"
    run(app)
    assert panel_title(app) == "广州国际生物岛"
    assert excerpt not in json.dumps(map_message(app), ensure_ascii=False)


def test_tiles_need_internet_notice_follows_the_basemap(app: AppTest) -> None:
    notice = "底图瓦片需联网"
    run(app)
    assert any(notice in c.value for c in app.caption)
    app.selectbox(key="basemap").set_value("none")
    run(app)
    assert not any(notice in c.value for c in app.caption)
    msg = map_message(app)  # the map still draws: outlines and places need no tiles
    assert shown_names(msg) and "L.tileLayer" not in basemap_script(msg)


def test_the_map_is_told_what_each_filter_label_stands_for(app: AppTest) -> None:
    """The map client reads the sidebar's chips (and the axis walk's segment) back into values
    to redraw at a click (``static/gzmap/predict.js``): every label a filter shows, its count
    taken off, names one value, the one the widget shows it for; the files the client
    computes a view with exist."""
    run(app)
    predict = map_message(app)["predict"]
    for key in ("plans", "industries", "roles", "clusters", "colour_by", "segment"):
        widget = (app.segmented_control(key=key) if key == "colour_by"
                  else app.selectbox(key=key) if key == "segment" else app.multiselect(key=key))
        labels = predict["labels"][key]
        shown = [re.sub(r"\s*\(\d+\)$", "", label.strip()) for label in widget.options]
        assert sorted(shown) == sorted(labels), key
        for label, value in labels.items():
            assert re.sub(r"\s*\(\d+\)$", "", widget.format_func(value).strip()) == label, key
    assert predict["labels"]["industries"]["└ 生物医药 Biomedicine"] == "生物医药"
    index = json.loads(static_file(predict["index"]).read_text(encoding="utf-8"))
    assert index["search"] is False and "x" not in index["f"][0]
    assert "GzSite.view" in static_file(predict["script"]).read_text(encoding="utf-8")
    # sent once: a rerun's message leaves it to the client's loader
    app.multiselect(key="roles").set_value(["park"])
    run(app)
    assert "predict" not in json.loads(next(
        e for e in app.get("bidi_component") if e.proto.component_name == "gzplan.map"
    ).proto.bytes)


def test_a_new_page_of_a_basemap_draws_from_what_its_last_map_was_drawn_from(
    app: AppTest,
) -> None:
    """The page draws a new page's map before Streamlit starts (``static/gzmap/preboot.js``)
    from the manifest of the basemap's last map (:mod:`app.preboot`): the files and the
    foresight's part this run sent the map, which exist, and the client's scripts."""
    from app import preboot
    from app.appstate import APP_BASEMAP

    run(app)
    message = map_message(app)
    held = preboot.manifests()
    assert held["default"] == APP_BASEMAP
    basemap = app.session_state["basemap"]
    manifest = held["basemaps"][basemap]
    assert manifest["data"] == message["data"] and manifest["predict"] == message["predict"]
    assert manifest["base"] == message["base"] and manifest["url"] == message["scripts"][0]
    for url in [*manifest["scripts"], manifest["url"], *manifest["data"].values()]:
        if url and "/app/static/data/" in url:
            assert static_file(url).is_file(), url
    # and the file nginx's copy of the page fetches holds it too, for this layer version
    from spatial.webmap.preboot import manifest_path

    written = json.loads(manifest_path().read_text(encoding="utf-8"))
    assert {k: v for k, v in written["basemaps"][basemap].items() if k != "stamp"} == manifest


def test_industry_options_show_counts(app: AppTest) -> None:
    run(app)
    labels = app.multiselect(key="industries").options
    assert "\u3000└ 生物医药 Biomedicine (2)" in labels  # 生物岛 (via 生物技术) and the 黄埔段
    assert "\u3000└ 智能电子 Smart electronics (3)" in labels
    # both levels: a group heads its industries and counts what its filter returns
    group = labels.index("生物医药与健康 Biomedicine and health · 大类 (2)")
    assert group < labels.index("\u3000└ 生物医药 Biomedicine (2)")


# -- the axis ---------------------------------------------------------------------------------------
def test_walk_whole_axis_end_to_end(app: AppTest) -> None:
    run(app)
    app.selectbox(key="segment").set_value("sti-axis")
    run(app)
    walk = app.radio(key="walk_pick")
    assert walk.options == [
        "1. 中新广州知识城",
        "2. 广州科学城",
        "3. 广州国际生物岛",
        "4. 广州人工智能与数字经济试验区",
        "5. 南沙科学城",
    ]
    visited, titles, centres = [], [], []
    for _ in AXIS_WALK:
        app.button(key="next").click()
        run(app)
        visited.append(app.session_state["node"])
        titles.append(panel_title(app))
        centres.append(map_message(app)["selection"]["focus"]["center"])
    assert visited == AXIS_WALK
    assert titles == [
        "中新广州知识城",
        "广州科学城",
        "广州国际生物岛",
        "广州人工智能与数字经济试验区",
        "南沙科学城",
    ]
    # the map follows each node: 知识城 first (north), 南沙科学城 last (south)
    assert centres[0] == pytest.approx([23.366, 113.4905], abs=1e-3)
    assert centres[-1][0] < 22.8
    # the list follows the steps
    assert app.radio(key="walk_pick").value == "nansha-kexuecheng"
    # at the end, next stays; prev goes back
    app.button(key="next").click()
    run(app)
    assert app.session_state["node"] == "nansha-kexuecheng"
    app.button(key="prev").click()
    run(app)
    assert app.session_state["node"] == "pazhou"
    assert highlighted(map_message(app)) == "pazhou"  # the highlight moved


def test_segment_frames_its_places_and_walks_them(app: AppTest) -> None:
    run(app)
    app.selectbox(key="segment").set_value("axis-huangpu")
    run(app)
    assert app.selectbox(key="segment").value == "axis-huangpu"
    assert set(table_ids(app)) == {"axis-huangpu", *HUANGPU_WALK}
    msg = map_message(app)
    assert msg["selection"]["frame"]["key"].startswith("axis-huangpu")  # a new frame
    assert shown_ids(msg) == {"axis-huangpu", *HUANGPU_WALK}
    app.button(key="prev").click()  # prev from nothing starts at the far end
    run(app)
    assert app.session_state["node"] == HUANGPU_WALK[-1]
    # choosing another segment starts the walk afresh
    app.selectbox(key="segment").set_value("axis-nansha")
    run(app)
    assert app.session_state["node"] is None
    assert [o.split(". ", 1)[-1].lstrip("· ") for o in app.radio(key="walk_pick").options] == [
        "南沙科学城",
        "香港科技大学（广州）",
    ]


# -- the panel -------------------------------------------------------------------------------------
def test_picking_a_node_opens_its_panel_with_every_excerpt(app: AppTest) -> None:
    run(app)
    app.radio(key="walk_pick").set_value("shengwudao")
    run(app)
    assert panel_title(app) == "广州国际生物岛"
    text = all_markdown(app)
    assert "黄埔区、海珠区" in text
    assert "生物医药（Biomedicine）" in text
    assert "**广州市科技创新“十四五”规划（2021—2025年）**" in text
    captions = [c.value for c in app.caption]
    assert any("专栏“一轴”重点建设内容 › 科技创新轴（黄埔段）" in c for c in captions)
    assert "广州国际生物岛依托国家实验室" in text


def test_read_in_context_marks_the_quote(app: AppTest) -> None:
    run(app)
    app.radio(key="walk_pick").set_value("shengwudao")
    run(app)
    app.toggle(key="ctx_shengwudao_0").set_value(True)
    run(app)
    ctx = next(m.value for m in app.markdown if "gz-context" in m.value)
    marked = re.search(r"<mark[^>]*>(.*?)</mark>", ctx)
    assert marked and marked.group(1).startswith("广州国际生物岛依托国家实验室")
    assert "科技创新轴（黄埔段）" in ctx.split("<mark")[0]  # text before the quote is shown


def test_plan_text_in_the_panel_is_escaped(app: AppTest) -> None:
    run(app)
    app.text_input(key="q").set_value("天河智慧城")
    run(app)
    assert "tricky-name" in table_ids(app)
    app.session_state["node"] = "tricky-name"
    run(app)
    text = all_markdown(app)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text


# -- filters ---------------------------------------------------------------------------------------
def test_filter_by_industry_keeps_map_and_table_in_sync(app: AppTest) -> None:
    run(app)
    app.multiselect(key="industries").set_value(["智能电子"])
    run(app)
    ids = set(table_ids(app))
    assert ids == {"cluster-electronics", "cetc-park", "guoguang-2025"}
    msg = map_message(app)
    assert shown_ids(msg) == ids  # the map shows what the table lists
    assert {"中电科华南电子信息产业园", "国光2025国际双创社区"} <= shown_names(msg)
    assert app.query_params["industries"] == "智能电子"


def sent_message(at: AppTest) -> dict:
    """The map's message as the app's last run sent it (before the loader restores it)."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name == "gzplan.map"]
    return json.loads(element.proto.bytes.decode("utf-8"))


def test_a_filter_change_sends_the_map_only_what_changed(app: AppTest) -> None:
    run(app)
    first = sent_message(app)
    app.multiselect(key="roles").set_value(["park"])
    run(app)
    again = sent_message(app)
    # the files and the URL's keys went once; the new query and selection go every time
    assert {"data", "base", "scripts", "height"} <= set(first) and "keys" in first["url"]
    assert not {"data", "base", "scripts", "height"} & set(again)
    assert again["url"] == {"query": {"roles": "park"}}
    # what the loader hands the client is whole: the same files and keys as the first
    whole = map_message(app)
    assert whole["data"] == first["data"] and whole["base"] == first["base"]
    assert whole["url"] == {"query": {"roles": "park"}, "keys": first["url"]["keys"]}


def test_every_new_selection_is_framed_and_the_map_knows_its_url(app: AppTest) -> None:
    run(app)
    first = map_message(app)
    keys = [first["selection"]["frame"]["key"]]
    app.multiselect(key="plans").set_value(["huadu_mfg"])  # a plan: framed anew
    run(app)
    keys.append(map_message(app)["selection"]["frame"]["key"])
    app.multiselect(key="roles").set_value(["park"])  # a filter: framed anew
    run(app)
    msg = map_message(app)
    keys.append(msg["selection"]["frame"]["key"])
    assert len(set(keys)) == 3
    # the frame is the selection's own: the Huadu parks, not the city
    (south, west), (north, east) = msg["selection"]["frame"]["bounds"]
    lons = [c for f in shown(msg) for c in [f["geometry"]["coordinates"][0]]]
    assert west == pytest.approx(min(lons), abs=1e-4) and east == pytest.approx(max(lons), abs=1e-4)
    # the message names the query of its view (the client writes the map's view in the
    # URL's hash only while the page's URL holds it)
    assert msg["url"]["query"] == dict(app.query_params) == {"plans": "huadu_mfg", "roles": "park"}
    assert {"plans", "roles", "q", "node", "basemap"} <= set(msg["url"]["keys"])
    # another colour is the same selection: the map stays where it is
    app.segmented_control(key="colour_by").set_value("plan")
    run(app)
    assert map_message(app)["selection"]["frame"]["key"] == keys[-1]


def test_search_finds_places_whose_excerpts_say_it(app: AppTest) -> None:
    run(app)
    app.text_input(key="q").set_value("生物医药")
    run(app)
    ids = set(table_ids(app))
    assert "axis-huangpu" in ids  # its excerpt says 生物医药
    assert "shengwudao" in ids  # its excerpt says 生物技术, a synonym
    assert "zhishicheng" not in ids


def test_search_ranks_hits_says_why_and_choosing_one_zooms_to_it(app: AppTest) -> None:
    run(app)
    app.text_input(key="q").set_value("知识城")
    run(app)
    table = results(app)
    assert table["id"].iloc[0] == "zhishicheng"  # the alias beats the plans' mentions
    assert table["匹配 Match"].iloc[0] == "别称：知识城"
    assert all(r.startswith("规划原文：“") and "知识城" in r for r in table["匹配 Match"].iloc[1:])
    hits = app.radio(key="hit_pick")
    assert hits.options[0].startswith("中新广州知识城")
    hits.set_value(hits.options[0])
    run(app)
    assert app.session_state["node"] == "zhishicheng"
    assert panel_title(app) == "中新广州知识城"
    focus = map_message(app)["selection"]["focus"]
    assert focus["center"] and focus["zoom"] >= 12  # the map zooms to it


def test_search_by_alias(app: AppTest) -> None:
    run(app)
    app.text_input(key="q").set_value("琶洲")
    run(app)
    assert table_ids(app) == ["pazhou"]


def test_cluster_filter_shows_its_core_parks(app: AppTest) -> None:
    run(app)
    assert app.multiselect(key="clusters").options == ["汽车产业集群", "智能电子产业集群"]
    app.multiselect(key="clusters").set_value(["cluster-auto"])
    run(app)
    names = set(results(app)["名称 Name"])
    assert names == {"汽车产业集群", *AUTO_CLUSTER_PARKS}


def test_filters_with_no_match_say_so(app: AppTest) -> None:
    run(app)
    app.multiselect(key="clusters").set_value(["cluster-auto"])
    app.multiselect(key="industries").set_value(["生物医药"])
    run(app)
    assert table_ids(app) == []
    assert any("没有符合条件" in i.value for i in app.info)  # said in the Results tab


def test_clear_filters(app: AppTest) -> None:
    run(app)
    app.multiselect(key="roles").set_value(["park"])
    app.text_input(key="q").set_value("国光")
    run(app)
    assert table_ids(app) == ["guoguang-2025"]
    app.button(key="clear").click()
    run(app)
    assert len(table_ids(app)) == 17
    assert dict(app.query_params) == {}


# -- shared links ----------------------------------------------------------------------------------
def test_url_reopens_the_same_view(app: AppTest, layers_dir: Path, monkeypatch) -> None:
    run(app)
    app.selectbox(key="segment").set_value("axis-huangpu")
    app.multiselect(key="industries").set_value(["生物医药"])
    app.selectbox(key="basemap").set_value("none")
    run(app)
    app.radio(key="walk_pick").set_value("shengwudao")
    run(app)
    params = dict(app.query_params)
    assert params == {
        "industries": "生物医药",
        "segment": "axis-huangpu",
        "node": "shengwudao",
        "basemap": "none",
    }

    reopened = AppTest.from_file(APP, default_timeout=TIMEOUT)
    reopened.query_params = params
    run(reopened)
    assert reopened.selectbox(key="segment").value == "axis-huangpu"
    assert reopened.multiselect(key="industries").value == ["生物医药"]
    assert reopened.selectbox(key="basemap").value == "none"
    assert panel_title(reopened) == "广州国际生物岛"
    msg = map_message(reopened)
    assert "cartocdn" not in basemap_script(msg)  # no tiles
    assert msg["selection"]["focus"]["center"] == pytest.approx([23.077, 113.369], abs=1e-3)
    assert set(table_ids(reopened)) == set(table_ids(app))


def test_readable_hand_written_link(app: AppTest) -> None:
    app.query_params = {"industries": "芯片,生物技术", "segment": "黄埔段", "q": "生物岛"}
    run(app)
    assert app.multiselect(key="industries").value == ["生物医药"]  # 芯片 has no place here
    assert app.selectbox(key="segment").value == "axis-huangpu"
    assert app.text_input(key="q").value == "生物岛"
    assert table_ids(app) == ["shengwudao"]
    assert any("集成电路" in w.value for w in app.warning)  # says what it dropped


def test_stale_link_is_ignored_with_a_warning(app: AppTest) -> None:
    app.query_params = {
        "plans": "no_such_plan",
        "roles": "spaceport",
        "node": "gone-id",
        "basemap": "google",
        "clusters": "zhishicheng",
    }
    run(app)
    warning = " ".join(_shown_text(w.value) for w in app.warning)
    for bad in ("no_such_plan", "spaceport", "gone-id", "google", "zhishicheng"):
        assert bad in warning
    assert len(table_ids(app)) == 17
    assert panel_title(app) is None
    app.multiselect(key="roles").set_value(["park"])  # another change: the note stays
    run(app)
    assert any("gone-id" in _shown_text(w.value) for w in app.warning)
    app.button(key="close_link_notes").click()  # until it is closed
    run(app)
    assert not any("Ignored from the link" in w.value for w in app.warning)


def test_back_and_forward_walk_the_views(app: AppTest) -> None:
    # Back/Forward rerun the script with the history entry's URL; the app follows the URL
    run(app)
    app.multiselect(key="industries").set_value(["智能电子"])
    run(app)
    first = dict(app.query_params)
    app.selectbox(key="segment").set_value("axis-huangpu")
    run(app)
    assert app.query_params["segment"] == "axis-huangpu"
    app.query_params.clear()
    app.query_params.update(first)  # Back: the view before the segment
    run(app)
    assert app.selectbox(key="segment").value == ""
    assert app.multiselect(key="industries").value == ["智能电子"]
    assert set(table_ids(app)) == {"cluster-electronics", "cetc-park", "guoguang-2025"}
    app.query_params.clear()
    run(app)
    assert app.multiselect(key="industries").value == [] and len(table_ids(app)) == 17
    app.query_params.update({**first, "segment": "axis-huangpu"})  # Forward
    run(app)
    assert app.selectbox(key="segment").value == "axis-huangpu"


def test_a_change_sent_with_the_url_from_before_the_last_one_is_not_back(app: AppTest) -> None:
    # Two quick changes on a slow link: the second run comes with the URL from before the
    # first (its new URL had not reached the browser). A change is made, never Back.
    run(app)
    before = dict(app.query_params)
    app.multiselect(key="industries").set_value(["智能电子"])
    run(app)
    app.query_params.clear()
    app.query_params.update(before)  # the browser's URL, still from before the first change
    app.multiselect(key="roles").set_value(["park"])
    run(app)
    assert app.multiselect(key="industries").value == ["智能电子"]
    assert app.multiselect(key="roles").value == ["park"]
    assert dict(app.query_params) == {"industries": "智能电子", "roles": "park"}
    # the same URL with no change made is Back
    app.query_params.clear()
    app.query_params.update(before)
    run(app)
    assert app.multiselect(key="industries").value == []


def test_link_to_a_place_outside_its_filter_opens_it_and_says_so(app: AppTest) -> None:
    app.query_params = {"industries": "智能电子", "node": "shengwudao"}
    run(app)
    assert panel_title(app) == "广州国际生物岛"
    assert any("不在当前筛选结果中" in i.value for i in app.info)
    assert "shengwudao" not in table_ids(app)


def _shown_text(markdown: str) -> str:
    """What a reader sees of a Markdown string (GitHub flavour, bare URLs linked): HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like", {"html": True, "linkify": True}).render(markdown)


def test_link_values_are_shown_as_plain_text_and_capped(app: AppTest) -> None:
    image = "![t](http://elsewhere.example/x.png)"
    login = "[请重新登录](http://elsewhere.example)"
    app.query_params = {
        "node": image,
        "plans": ",".join([login] + [f"p{i}" for i in range(2000)]),
        "basemap": "<img src=x onerror=alert(1)>",
    }
    run(app)
    (warning,) = [w.value for w in app.warning if "Ignored from the link" in w.value]
    shown = _shown_text(warning)
    assert "<img" not in shown and "<a " not in shown  # nothing fetched, nothing to click
    text = html.unescape(re.sub(r"<[^>]+>", "", shown)).replace("\u2060", "")  # as read
    assert image in text and login in text and "<img src=x onerror=alert(1)>" in text
    assert "另有" in text and len(warning) < 3000  # 2,000 bad values: counted, not listed


# -- without data ----------------------------------------------------------------------------------
def test_no_layers_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GZMAP_LAYERS_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    run(at)
    assert any("gzmap build-layers" in i.value for i in at.info)
    assert static_file(map_message(at)["data"]["districts"]).exists()  # the districts still show


def test_broken_layer_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.geojson").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("GZMAP_LAYERS_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    run(at)
    assert any("gzmap validate" in e.value for e in at.error)


# -- downloads and exports -------------------------------------------------------------------------
def test_download_buttons_follow_the_selection(app: AppTest) -> None:
    open_tab(run(app), DOWNLOAD)
    app.multiselect(key="clusters").set_value(["cluster-auto"])
    run(app)
    assert "3 个要素" in " ".join(c.value for c in app.caption)
    app.text_input(key="q").set_value("汽车产业集群")
    run(app)
    assert "1 个要素" in " ".join(c.value for c in app.caption)
    # a search that finds nothing leaves the map, and so its downloads, as they were
    app.text_input(key="q").set_value("没有这个地方")
    run(app)
    assert "3 个要素" in " ".join(c.value for c in app.caption)


# -- the project's real layers ---------------------------------------------------------------------
@pytest.mark.skipif(not any(LAYERS_DIR.glob("*.geojson")), reason="layers not built yet")
def test_real_layers_axis_walk_and_huadu_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GZMAP_LAYERS_DIR", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    run(at)
    segments = at.selectbox(key="segment").options
    if "科技创新轴 全轴 Whole axis" not in segments:
        pytest.skip("the real layers have no axis yet")
    at.selectbox(key="segment").set_value("sti-axis")
    run(at)
    walk = at.radio(key="walk_pick").options
    assert walk, "the axis has nodes"
    for label in walk:
        at.button(key="next").click()
        run(at)
        assert panel_title(at) == label.split(". ", 1)[1]

    # 表5-1: the automotive cluster's core parks are 花都高新技术产业开发区 and
    # 花都国际先进装备制造产业园
    from spatial.plans.layers import load_layers

    gdf = load_layers()
    auto = gdf[(gdf["role"] == "cluster") & (gdf["name"] == "汽车产业集群")]
    if auto.empty:
        pytest.skip("Huadu's 表5-1 clusters are not in the real layers yet")
    at.selectbox(key="segment").set_value("")
    at.multiselect(key="clusters").set_value([auto.index[0]])
    run(at)
    shown = results(at)
    names = set(shown["名称 Name"])
    for park in AUTO_CLUSTER_PARKS:
        assert any(park in n for n in names) or any(
            park in (gdf.at[fid, "aliases"] or []) for fid in shown["id"]
        ), f"{park} not shown for 汽车产业集群"


def test_briefing_export_renders_the_current_selection_on_demand(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = pytest.importorskip("spatial.exports.briefing")
    calls: list[tuple] = []

    def fake_render(selection, *, fmt="png", title=None, colour_by="industry", **_kw):
        calls.append((selection, fmt, title, colour_by))
        return b"%PDF-fake" if fmt == "pdf" else b"\x89PNG-fake"

    monkeypatch.setattr(export, "render_map", fake_render)
    open_tab(run(app), DOWNLOAD)
    app.selectbox(key="segment").set_value("axis-huangpu")
    app.multiselect(key="industries").set_value(["生物医药"])
    run(app)
    assert calls == []  # nothing is rendered until asked
    app.button(key="render_pdf").click()
    run(app)
    ((selection, fmt, title, colour_by),) = calls
    assert fmt == "pdf" and title is None and colour_by == "industry"
    assert selection.segment == "axis-huangpu" and selection.industries == ("生物医药",)
    labels = [b.label for b in app.get("download_button")]
    assert "下载 PDF Download" in labels and "下载 PNG Download" not in labels
    # a new selection makes the old file stale: its button goes away
    app.multiselect(key="industries").set_value([])
    run(app)
    assert "下载 PDF Download" not in [b.label for b in app.get("download_button")]
    # the map's colour rule is the export's
    app.segmented_control(key="colour_by").set_value("plan")
    run(app)
    app.button(key="render_png").click()
    run(app)
    assert calls[-1][1:] == ("png", None, "plan")


def test_briefing_export_failure_is_shown(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    export = pytest.importorskip("spatial.exports.briefing")

    def failing(selection, **_kw):
        raise ValueError("unknown axis segment 'axis-huangpu'")

    monkeypatch.setattr(export, "render_map", failing)
    open_tab(run(app), DOWNLOAD)
    app.button(key="render_png").click()
    run(app)
    assert any("unknown axis segment" in e.value for e in app.error)


def test_related_places_open_their_panel(app: AppTest) -> None:
    run(app)
    app.session_state["node"] = "cluster-auto"
    run(app)
    related = app.button_group(key="rel_cluster-auto")
    assert related.options[:2] == ["花都高新技术产业开发区", "花都国际先进装备制造产业园"]
    related.set_value("huadu-equipment-park")
    run(app)
    assert panel_title(app) == "花都国际先进装备制造产业园"
    # and back: the park's panel offers the cluster that holds it
    app.button_group(key="rel_huadu-equipment-park").set_value("cluster-auto")
    run(app)
    assert panel_title(app) == "汽车产业集群"


# -- any reachable combination ---------------------------------------------------------------------
ACTIONS = [
    ("segment", ""),
    ("segment", "sti-axis"),
    ("segment", "axis-huangpu"),
    ("segment", "axis-nansha"),
    ("next", None),
    ("prev", None),
    ("walk", 0),
    ("walk", -1),
    ("industries", ["生物医药"]),
    ("industries", ["智能电子", "人工智能"]),
    ("industries", []),
    ("roles", ["park"]),
    ("roles", ["core", "pole"]),
    ("roles", []),
    ("plans", ["huadu_mfg"]),
    ("plans", []),
    ("clusters", ["cluster-electronics"]),
    ("clusters", []),
    ("q", "生物"),
    ("q", "{{7*7}}<b>"),
    ("q", ""),
    ("basemap", "amap"),
    ("basemap", "none"),
    ("basemap", "positron"),
    ("clear", None),
    ("related", None),
    ("context", None),
]


def apply(at: AppTest, action: str, value) -> None:
    if action == "segment":
        at.selectbox(key="segment").set_value(value)
    elif action in ("next", "prev", "clear"):
        at.button(key=action).click()
    elif action == "walk":
        options = at.radio(key="walk_pick").options if at.get("radio") else []
        if options:
            walk_ids = at.session_state["_walk_ids"]
            at.radio(key="walk_pick").set_value(walk_ids[value])
    elif action in ("industries", "roles", "plans", "clusters"):
        at.multiselect(key=action).set_value(value)
    elif action == "q":
        at.text_input(key="q").set_value(value)
    elif action == "basemap":
        at.selectbox(key="basemap").set_value(value)
    elif action == "related":
        node = at.session_state["node"]  # set from the first run on
        groups = [g for g in at.get("button_group") if g.key == f"rel_{node}"]
        if node and groups:
            groups[0].set_value(_related_of(node)[0])
    elif action == "context":
        toggles = [t for t in at.get("toggle") if t.key and t.key.startswith("ctx_")]
        if toggles:
            toggles[0].set_value(True)


def _related_of(node: str) -> list[str]:
    from spatial.plans.layers import load_layers
    from spatial.query import detail

    return detail.related_ids(load_layers(Path(os.environ["GZMAP_LAYERS_DIR"])), node)


@pytest.fixture(scope="module")
def fixture_env(layers_dir: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GZMAP_LAYERS_DIR", str(layers_dir))
        yield


@settings(max_examples=12, deadline=None, derandomize=True)
@given(steps=st.lists(st.sampled_from(ACTIONS), min_size=3, max_size=8))
def test_no_widget_sequence_raises(fixture_env, steps) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    run(at)
    for action, value in steps:
        apply(at, action, value)
        run(at)
        assert not at.error, [e.value for e in at.error]
        node = at.session_state["node"]
        assert node is None or panel_title(at) is not None
