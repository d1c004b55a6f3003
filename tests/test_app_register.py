"""The app shows the places the plans name without a known site: found by search and filters,
listed in the results table, opened in the panel with the reason, counted per district on the
map and never drawn as points."""

from __future__ import annotations

import pytest
from _mapmsg import features, map_message, shown_names
from _panel import results
from streamlit.testing.v1 import AppTest

from spatial._paths import LAYERS_DIR, ROOT
from spatial.query.unsited import load_unsited

APP = str(ROOT / "streamlit_app.py")
LIVE_BASE = "huadu-shengdi-live-base"

pytestmark = pytest.mark.skipif(
    not (LAYERS_DIR / "register.json").exists(), reason="the register is not built"
)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.delenv("GZMAP_LAYERS_DIR", raising=False)
    return AppTest.from_file(APP, default_timeout=120)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def drawn_names(msg: dict) -> set[str]:
    """Names of every feature the map could draw (its features file)."""
    return {f["properties"]["name"] for f in features(msg)}


def test_search_finds_a_register_place_and_its_panel_says_why_it_has_no_site(app: AppTest):
    app.query_params["q"] = "圣地环贸港"
    app.query_params["node"] = LIVE_BASE
    run(app)
    assert app.subheader[0].value == "圣地环贸港箱包直播基地"
    assert any("规划提及，尚无确定位置" in w.value for w in app.warning)
    text = "\n".join(m.value for m in app.markdown)
    reason = load_unsited().at[LIVE_BASE, "reason"]
    assert reason in text  # the panel says why there is no site
    assert "圣地环贸港箱包直播基地" in text and "以箱包皮具为特色" in text  # the plan's words
    assert "圣地环贸港箱包直播基地" not in drawn_names(map_message(app))  # never drawn as a point
    table = results(app)
    assert LIVE_BASE in list(table["id"])
    row = table[table["id"] == LIVE_BASE].iloc[0]
    assert row["类型 Role"].startswith("规划提及")


def test_filtering_leather_goods_lists_shiling_and_its_platforms(app: AppTest):
    app.query_params["industries"] = "皮革皮具"  # a synonym, folded to its tag
    run(app)
    ids = set(results(app)["id"])
    assert {
        "huadu-shiling-leather-cluster",
        "huadu-leather-park",
        "huadu-leather-expo-centre",
    } <= ids  # on the map
    assert {"huadu-leather-quality-centre", LIVE_BASE} <= ids  # platforms without a site
    msg = map_message(app)
    assert "狮岭皮革皮具产业集群" in shown_names(msg)
    counts = dict(msg["selection"]["unsited"])  # only a count per district
    assert counts.get("花都区", 0) >= 1
    register_names = set(load_unsited()["name"])
    assert not drawn_names(msg) & register_names  # none drawn as a point
    captions = "\n".join(c.value for c in app.caption)
    assert "处规划提及、尚无确定位置的地点" in captions


def test_a_cluster_filter_keeps_no_register_place(app: AppTest):
    app.query_params["clusters"] = "huadu-cluster-auto"
    run(app)
    ids = set(results(app)["id"])
    assert ids and not ids & set(load_unsited().index)
