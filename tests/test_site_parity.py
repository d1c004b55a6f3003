"""A published site computes each view in the browser (static/gzmap/siteview.js) from its
index: held here to the app's own answers for the project's layers — the features a view
shows, each plan's own roles, the colours, the numbered axis nodes, the legend, the frame,
the ranked search hits, the places without a site and their counts per district, the
industries' counts — so the site's map is the app's map of the same view.

Needs Debian's Chromium at /usr/bin/chromium and ``playwright``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _site import offline_page, served

from spatial.plans.layers import load_layers
from spatial.query import unsited
from spatial.query.features import Selection, industry_counts, select
from spatial.query.search import rank_hits
from spatial.symbology import view_symbology
from spatial.testing.chromium import CHROMIUM_PATH, launch
from spatial.webmap import client

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple]:
    """The project's layers published (no 规划衔接 pages), open in Chromium."""
    from spatial.exports.site import publish_site

    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("site") / "site"
    publish_site(folder, alignment=False, basemaps=["none"])
    gdf = load_layers()
    with served(folder) as base, sync_api.sync_playwright() as pw:
        browser = launch(pw)
        page = offline_page(browser, base)
        page.goto(base + "/")
        page.wait_for_function("window.gzSite && window.gzSite.view")
        yield page, gdf, unsited.load_unsited()
        browser.close()


def _state(sel: Selection, colour: str) -> dict:
    return {
        "plans": list(sel.plans),
        "industries": list(sel.industries),
        "roles": list(sel.roles),
        "clusters": list(sel.clusters),
        "segment": sel.segment or "",
        "q": sel.query,
        "colour": colour,
    }


def _selections(gdf) -> list[tuple[Selection, str]]:
    clusters = tuple(gdf.index[gdf["role"] == "cluster"][:2])
    segments = [str(s) for s in gdf.index[gdf["role"] == "axis_segment"]]
    out = [
        (Selection(), "industry"),
        (Selection(), "plan"),
        (Selection(plans=("huadu_mfg",)), "industry"),
        (Selection(plans=("tianhe_sti", "gz_sti")), "plan"),
        (Selection(plans=("huadu_sti",), roles=("pole", "core")), "industry"),
        (Selection(industries=("生物医药",)), "industry"),
        (Selection(industries=("新一代信息技术",)), "plan"),  # a group and its industries
        (Selection(industries=("芯片", "智能网联汽车")), "industry"),  # a synonym folded
        (Selection(roles=("park",)), "industry"),
        (Selection(clusters=clusters), "industry"),
        (Selection(segment="sti-axis"), "industry"),
        (Selection(query="生物医药"), "industry"),  # an industry: its synonyms too
        (Selection(query="孵化"), "industry"),  # words of the plans' excerpts
        (Selection(query="知识城"), "plan"),
        (Selection(plans=("baiyun_sti",), query="数字"), "industry"),
    ]
    return out + [(Selection(segment=s), "industry") for s in segments]


def test_the_site_computes_the_apps_view_in_the_browser(site) -> None:
    page, gdf, register = site
    cases = _selections(gdf)
    got = page.evaluate(
        "(states) => states.map(s => { var d = window.gzSite.data, v = GzSite.view(d, s);"
        " return {sel: v.selection, unsited: v.unsited, register: v.register.map(i => d.reg[i].id),"
        " hits: GzSite.hits(d, s, v.rows).map(h => [d.f[h.i].id, h.rank, h.reason]),"
        " facets: GzSite.facets(d, s), rows: v.rows.map(i => d.f[i].id)}; })",
        [_state(sel, colour) for sel, colour in cases],
    )
    position = {f["id"]: f["p"] for f in page.evaluate("window.gzSite.data.f") if f["p"] >= 0}
    n = len(position)
    for (sel, colour), js in zip(cases, got, strict=True):
        shown = select(gdf, sel)
        want = client.view_selection(shown, gdf["role"], position, view_symbology(gdf, sel, colour))
        case = f"{sel} {colour}"
        assert js["rows"] == list(shown.index), case
        assert list(client.decode_show(js["sel"]["show"], n)) == list(
            client.decode_show(want["show"], n)
        ), case
        assert js["sel"]["roles"] == want["roles"], case
        assert js["sel"]["colour"] == want["colour"], case
        assert js["sel"]["numbered"] == {k: v for k, v in want["numbered"].items()}, case
        assert js["sel"]["legend"] == want["legend"], case
        if want["bounds"] is None:
            assert js["sel"]["bounds"] is None, case
        else:
            flat = [v for corner in want["bounds"] for v in corner]
            assert [v for corner in js["sel"]["bounds"] for v in corner] == pytest.approx(
                flat, abs=2e-6
            ), case
        hits = rank_hits(gdf.loc[shown.index], sel.query)
        assert js["hits"] == [[h.id, h.rank, h.reason] for h in hits], case
        named = unsited.select_unsited(register, sel)
        assert js["register"] == list(named.index), case
        assert js["unsited"] == [list(p) for p in sorted(unsited.district_counts(named).items())]
        facets = industry_counts(gdf.loc[select(gdf, sel.with_(industries=())).index])
        assert js["facets"] == {k: int(v) for k, v in facets.items()}, case
    assert any(js["sel"]["roles"] for js in got)  # each plan's own roles were tried
    assert any(js["sel"]["numbered"] for js in got) and any(js["hits"] for js in got)
    assert any(js["register"] for js in got) and page.gz_errors == []


def test_the_site_page_takes_nothing_from_outside(site, tmp_path: Path) -> None:
    page, _gdf, _register = site
    assert page.gz_outside == []  # 离线底图: no tiles; everything else is the site's own
