"""The published site in Chromium, served by a plain static server with every other request
refused (the basemaps' tiles among them): the markers are drawn, a filter and a search
(names and the plans' words) change the map and the URL, places without a site are counted
per district, a place's panel shows the plans' excerpts with their section path, the axis
walk steps through a segment, a link's view comes back as it was and Back/Forward walk the
views, the offline basemap draws the site's own geography, and hostile names are shown as
text.

Needs Debian's Chromium at /usr/bin/chromium and ``playwright``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from _appdata import HUANGPU_WALK
from _site import (
    HOSTILE,
    HOSTILE_ID,
    HOSTILE_PLACE,
    colour_near,
    hostile_layers,
    offline_page,
    osm_fixture_context,
    served,
)

from spatial.plans.layers import load_layers
from spatial.plans.taxonomy import load_taxonomy
from spatial.query import unsited
from spatial.query.features import Selection, select
from spatial.query.search import rank_hits
from spatial.testing.chromium import CHROMIUM_PATH, launch

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

DRAWN = (
    "document.documentElement.getAttribute('data-gzs-view') && "
    "document.querySelector('#map').getAttribute('data-gz-selection') === "
    "document.documentElement.getAttribute('data-gzs-view')"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple]:
    """The fixture layers (a hostile name among them) published, served, and Chromium; the
    site at the root carries the OSM fixture's geography for its offline basemap."""
    from spatial.exports.site import publish_site

    if not CHROMIUM_PATH.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium)")
    root = tmp_path_factory.mktemp("site")
    layers = hostile_layers(root / "layers")
    publish_site(root / "www" / "plans", layers_dir=layers, base_url="/plans/")
    publish_site(root / "site", layers_dir=layers, context=osm_fixture_context(root / "osm"))
    with (
        served(root / "site") as base,
        served(root / "www") as www,
        sync_api.sync_playwright() as pw,
    ):
        browser = launch(pw)
        yield browser, base, www, load_layers(layers), root
        browser.close()


def open_site(browser, base: str, query: str = "", path: str = "/"):
    page = offline_page(browser, base)
    page.goto(base + path + query)
    page.wait_for_function(DRAWN)
    return page


def changed(page, action) -> None:
    """Do ``action`` and wait until the map has drawn the new view."""
    before = page.evaluate("document.documentElement.getAttribute('data-gzs-view')")
    action()
    page.wait_for_function(
        f"document.documentElement.getAttribute('data-gzs-view') !== {before!r} && ({DRAWN})"
    )


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def shown(page) -> int:
    return int(page.locator("#map").get_attribute("data-gz-shown"))


def positions(gdf, sel: Selection) -> int:
    """How many features of a selection the map draws (those with a geometry in the city)."""
    return len(select(gdf, sel))


def test_the_map_is_drawn_with_no_server_behind_it(site, tmp_path: Path) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    page.locator(".gz-marker").first.wait_for()
    assert shown(page) == len(gdf)
    assert (
        page.locator("#gzs-count").inner_text()
        == f"地图显示 {len(gdf)} / {len(gdf)} 个要素 features shown"
    )
    assert page.locator(".gz-legend .gz-legend-entry").count() >= 3
    assert "中新广州知识城" in page.evaluate(
        "[...document.querySelectorAll('.gz-label')].map(d => d.textContent)"
    )
    assert page.locator(".gz-district-label").count() > 0
    outside = {urlsplit(u).hostname for u in page.gz_outside}
    assert outside <= {
        "a.basemaps.cartocdn.com",
        "b.basemaps.cartocdn.com",
        "c.basemaps.cartocdn.com",
        "d.basemaps.cartocdn.com",
    }  # tiles only
    page.screenshot(path=str(tmp_path / "site.png"))
    assert page.gz_errors == [] and page.gz_dialogs == []


def test_a_filter_changes_the_map_and_the_url_and_back_forward_walk_the_views(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    changed(page, lambda: page.locator("input[name='plans'][value='huadu_mfg']").check())
    assert query_of(page) == {"plans": ["huadu_mfg"]}
    assert shown(page) == positions(gdf, Selection(plans=("huadu_mfg",)))
    page.locator("#gzs-results-box summary").click()  # the places shown, then those unsited
    page.locator("#gzs-results .gzs-name").first.wait_for()  # written on the toggle event
    names = page.locator("#gzs-results .gzs-name").all_inner_texts()
    assert names == [*select(gdf, Selection(plans=("huadu_mfg",)))["name"], HOSTILE_PLACE]
    page.locator("details[data-key='roles'] summary").click()
    changed(page, lambda: page.locator("input[name='roles'][value='park']").check())
    assert query_of(page) == {"plans": ["huadu_mfg"], "roles": ["park"]}
    parks = positions(gdf, Selection(plans=("huadu_mfg",), roles=("park",)))
    assert shown(page) == parks < positions(gdf, Selection(plans=("huadu_mfg",)))
    changed(page, page.go_back)
    assert query_of(page) == {"plans": ["huadu_mfg"]}
    assert not page.locator("input[name='roles'][value='park']").is_checked()
    assert shown(page) == positions(gdf, Selection(plans=("huadu_mfg",)))
    changed(page, page.go_back)
    assert query_of(page) == {} and shown(page) == len(gdf)
    changed(page, page.go_forward)
    changed(page, page.go_forward)
    assert query_of(page) == {"plans": ["huadu_mfg"], "roles": ["park"]}
    assert page.locator("input[name='roles'][value='park']").is_checked()
    assert shown(page) == parks and page.gz_errors == []


MAP = "document.querySelector('#map .gz-map').gzMap"
VIEW = f"(() => {{ const m = {MAP}, c = m.getCenter(); return [m.getZoom(), c.lat, c.lng]; }})()"


def hash_view(url: str) -> tuple[int, float, float]:
    zoom, lat, lon = urlsplit(url).fragment.removeprefix("map=").split("/")
    return int(zoom), float(lat), float(lon)


def same_view(a, b, tol: float = 1e-3) -> bool:
    return a[0] == b[0] and abs(a[1] - b[1]) < tol and abs(a[2] - b[2]) < tol


def test_a_filter_frames_its_places_and_the_link_keeps_the_view(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    written = f"location.hash.startsWith('#map=' + {MAP}.getZoom() + '/')"
    page.wait_for_function(written)
    city = page.evaluate(VIEW)
    changed(page, lambda: page.locator("input[name='plans'][value='huadu_mfg']").check())
    west, south, east, north = select(gdf, Selection(plans=("huadu_mfg",))).total_bounds
    huadu = [[float(south), float(west)], [float(north), float(east)]]
    # framed: all of them in view, at about the zoom that fits them (a margin, the legend aside)
    fits = page.evaluate(f"{MAP}.getBoundsZoom({huadu})")
    assert fits - 1 > city[0]
    page.wait_for_function(f"{MAP}.getBounds().contains({huadu}) && {MAP}.getZoom() >= {fits - 1}")
    page.wait_for_function(f"{written} && !{MAP}._animatingZoom")
    framed_url, framed = page.url, page.evaluate(VIEW)
    assert same_view(hash_view(framed_url), framed)
    changed(page, page.go_back)  # the whole city, where it was
    page.wait_for_function(f"{MAP}.getZoom() === {city[0]}")
    assert same_view(page.evaluate(VIEW), city)
    changed(page, page.go_forward)
    page.wait_for_function(f"{MAP}.getZoom() === {framed[0]}")
    assert same_view(page.evaluate(VIEW), framed)
    shared = open_site(browser, base, framed_url.removeprefix(base + "/"))  # a link sent on
    shared.wait_for_function(f"{MAP}.getZoom() === {framed[0]}")
    assert same_view(shared.evaluate(VIEW), framed)
    assert page.gz_errors == [] and shared.gz_errors == []

def _excerpt_word(gdf) -> tuple[str, str]:
    """A word found only in one place's excerpts (no name, alias or industry word)."""
    names = "\n".join(str(v) for v in [*gdf["name"], *gdf["aliases"].sum()])
    words = set(load_taxonomy().tags)
    for fid, excerpts in gdf["excerpts"].items():
        text = str(excerpts[0]["text"])
        for start in range(len(text) - 4):
            word = text[start : start + 4]
            if (
                word.strip() == word
                and word not in names
                and not any(w in word for w in words)
                and len(select(gdf, Selection(query=word))) == 1
            ):
                return fid, word
    raise AssertionError("no word of the excerpts is in one place only")


def test_a_search_finds_names_and_the_plans_words_and_opens_a_panel(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    fid, word = _excerpt_word(gdf)
    changed(page, lambda: page.locator("#gzs-q").fill(word))
    assert query_of(page) == {"q": [word]} and shown(page) == 1
    hit = page.locator("#gzs-hits .gzs-link").first
    assert hit.locator(".gzs-name").inner_text() == gdf.at[fid, "name"]
    assert hit.locator(".gzs-why").inner_text() == rank_hits(gdf.loc[[fid]], word)[0].reason
    assert hit.locator(".gzs-why").inner_text().startswith("规划原文：“")
    changed(page, hit.click)
    assert query_of(page) == {"q": [word], "node": [fid]}
    panel = page.locator("#gzs-place")
    panel.locator("h2").wait_for()
    assert panel.locator("h2").inner_text() == gdf.at[fid, "name"]
    excerpt = gdf.at[fid, "excerpts"][0]
    assert excerpt["text"] in panel.locator(".gz-excerpt blockquote").first.inner_text()
    section = panel.locator(".gzs-section, .gz-excerpt p").first.inner_text()
    assert section == " › ".join(p.strip() for p in excerpt["section"].split("›"))
    panel.locator(".gz-in-context summary").first.click()
    assert excerpt["text"][:10] in panel.locator(".gz-context mark").first.inner_text()
    # a name: the map's own search as in the app, the best hit first
    changed(page, lambda: page.locator("#gzs-q").fill("知识城"))
    hits = rank_hits(select(gdf, Selection(query="知识城")), "知识城")
    names = page.locator("#gzs-hits .gzs-name").all_inner_texts()
    assert names == [gdf.at[h.id, "name"] for h in hits][: len(names)] and names
    assert page.gz_errors == []


def test_a_click_on_the_map_opens_the_place_with_its_related_places(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    marker = page.locator('.gz-marker [aria-label="广州国际生物岛"]')
    changed(page, lambda: marker.click(force=True))
    assert query_of(page) == {"node": ["shengwudao"]}
    panel = page.locator("#gzs-place")
    panel.locator("h2").wait_for()
    assert panel.locator("h2").inner_text() == "广州国际生物岛"
    assert page.locator('[aria-label="广州国际生物岛（已选中 selected）"]').count() == 1
    related = panel.locator(".gz-related .gz-open").first
    other = related.get_attribute("data-open")
    changed(page, related.click)
    assert query_of(page) == {"node": [other]}
    page.wait_for_function(
        f"document.querySelector('#gzs-place h2') && "
        f"document.querySelector('#gzs-place h2').textContent === "
        f"{gdf.at[other, 'name']!r}"
    )
    assert page.gz_errors == []


def test_the_axis_walk_steps_through_a_segment(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    changed(page, lambda: page.locator("#gzs-segment").select_option("axis-huangpu"))
    assert query_of(page) == {"segment": ["axis-huangpu"]}
    walk = page.locator("#gzs-walk-list .gzs-name").all_inner_texts()
    assert walk == [f"{int(gdf.at[f, 'axis_order'])}. {gdf.at[f, 'name']}" for f in HUANGPU_WALK]
    assert page.locator("#gzs-where").inner_text() == f"– / {len(HUANGPU_WALK)}"
    numbers = page.evaluate(
        "[...document.querySelectorAll('.gz-marker svg text')].map(t => t.textContent)"
    )
    assert sorted(numbers) == sorted(str(int(gdf.at[f, "axis_order"])) for f in HUANGPU_WALK)
    for k, fid in enumerate(HUANGPU_WALK):
        changed(page, page.locator("#gzs-next").click)
        assert query_of(page) == {"segment": ["axis-huangpu"], "node": [fid]}
        assert page.locator("#gzs-where").inner_text() == f"{k + 1} / {len(HUANGPU_WALK)}"
    changed(page, page.locator("#gzs-prev").click)
    assert query_of(page)["node"] == [HUANGPU_WALK[1]]
    assert page.locator("#gzs-place h2").inner_text() == gdf.at[HUANGPU_WALK[1], "name"]
    assert (
        page.locator("#gzs-walk-list .gzs-current")
        .inner_text()
        .endswith(gdf.at[HUANGPU_WALK[1], "name"])
    )
    assert page.gz_errors == []


def test_a_link_opens_its_view_and_says_what_it_ignored(site) -> None:
    browser, base, _www, gdf, _root = site
    used = {t for tags in gdf["industries"] for t in tags}
    tag, word = next(
        (i.tag, i.synonyms[0]) for i in load_taxonomy().industries if i.tag in used and i.synonyms
    )  # a synonym is folded to its tag
    page = open_site(
        browser,
        base,
        f"?plans=gz_sti&industries={word}&segment=黄埔段"
        "&node=shengwudao&colour=plan&roles=nope&basemap=none",
    )
    assert page.locator(f"input[name='industries'][value='{tag}']").is_checked()
    assert page.locator("input[name='plans'][value='gz_sti']").is_checked()
    assert page.locator("#gzs-segment").input_value() == "axis-huangpu"
    assert page.locator("input[name='colour'][value='plan']").is_checked()
    assert page.locator("#gzs-basemap").input_value() == "none"
    page.locator("#gzs-place h2").wait_for()
    assert page.locator("#gzs-place h2").inner_text() == "广州国际生物岛"
    assert "roles: nope" in page.locator("#gzs-notes").inner_text()
    assert page.locator(".gz-legend").get_attribute("data-rule") == "plan"
    view = page.evaluate("document.documentElement.getAttribute('data-gzs-view')")
    canonical = page.evaluate("window.gzSite.toQuery(window.gzSite.state)")
    assert parse_qs(canonical[1:]) == {
        "plans": ["gz_sti"],
        "industries": [tag],
        "segment": ["axis-huangpu"],
        "node": ["shengwudao"],
        "basemap": ["none"],
        "colour": ["plan"],
    }
    again = open_site(browser, base, canonical)  # the same view from the link it writes
    assert again.evaluate("document.documentElement.getAttribute('data-gzs-view')") == view
    assert page.gz_errors == [] and again.gz_errors == []


def test_another_basemap_redraws_the_map_in_its_datum(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base, "?plans=gz_sti")
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    changed(page, lambda: page.locator("#gzs-basemap").select_option("amap"))
    assert query_of(page) == {"plans": ["gz_sti"], "basemap": ["amap"]}
    assert any(p.startswith("/data/features-gcj02.") for p in fetched)  # Amap's tiles: GCJ-02
    assert shown(page) == positions(gdf, Selection(plans=("gz_sti",)))
    changed(page, lambda: page.locator("#gzs-basemap").select_option("none"))
    assert page.locator(".leaflet-tile").count() == 0 and page.locator(".gz-marker").count() > 0
    assert page.gz_errors == []


def test_hostile_names_are_shown_as_text(site) -> None:
    browser, base, _www, gdf, _root = site
    page = open_site(browser, base)
    changed(page, lambda: page.locator("#gzs-q").fill("onerror"))
    hit = page.locator("#gzs-hits .gzs-name").first
    assert hit.inner_text() == HOSTILE
    changed(page, hit.click)
    page.locator("#gzs-place h2").wait_for()
    assert page.locator("#gzs-place h2").inner_text() == HOSTILE
    assert page.locator(f'.gz-marker [aria-label="{HOSTILE}（已选中 selected）"]').count() == 1
    changed(page, lambda: page.locator("#gzs-q").fill("alert(2)"))
    hit = page.locator("#gzs-hits .gzs-name").first
    assert hit.inner_text() == HOSTILE_PLACE  # a place without a site, found by search
    changed(page, hit.click)
    page.wait_for_function("document.querySelector('#gzs-place .gz-nosite')")
    assert page.locator("#gzs-place h2").inner_text() == HOSTILE_PLACE
    assert "规划提及，尚无确定位置" in page.locator("#gzs-place").inner_text()
    assert page.locator("img[src='x'], #gzs-place script").count() == 0
    assert page.gz_dialogs == [] and page.gz_errors == []
    assert gdf.at[HOSTILE_ID, "name"] == HOSTILE


def test_the_alignment_page_and_a_site_under_a_sub_path(site) -> None:
    """Under a sub-path, with README's Content-Security-Policy (no inline script, no eval)."""
    browser, _base, www, _gdf, _root = site
    page = open_site(browser, www, path="/plans/")
    assert shown(page) > 0 and page.gz_errors == []
    assert page.evaluate("window.__csp") == []
    page.locator("nav a", has_text="花都区").click()
    page.wait_for_url("**/plans/alignment/*.html")
    page.locator("#gzs-align-map .leaflet-interactive").first.wait_for()
    # its tiles do not load here: it draws the offline basemap, as the site's map does
    page.locator("#gzs-align-map[data-gz-offline=fallback][data-gz-context]").wait_for(
        state="attached")
    assert HOSTILE in page.locator(".gzs-align-text").inner_text()  # as text
    assert page.locator("img[src='x']").count() == 0 and page.evaluate("window.__csp") == []
    link = page.locator(".gzs-row a").first
    fid = link.evaluate("a => a.closest('.gzs-row').getAttribute('data-id')")
    link.evaluate("a => a.click()")  # the row's link opens the place on the map
    page.wait_for_function(DRAWN)
    assert urlsplit(page.url).path == "/plans/" and query_of(page) == {"node": [fid]}
    assert page.gz_errors == [] and page.gz_dialogs == []


def badges(page) -> dict[str, str]:
    """The map's counts of places without a site: district -> the badge's text."""
    return dict(
        page.evaluate(
            "[...document.querySelectorAll('.gz-unsited-count')]"
            ".map(b => [b.title.split('：')[0], b.textContent])"
        )
    )


def test_places_without_a_site_are_counted_per_district_on_the_map(site) -> None:
    browser, base, _www, _gdf, root = site
    register = unsited.load_unsited(root / "layers" / "register.json")
    page = open_site(browser, base)
    every = unsited.district_counts(unsited.select_unsited(register, Selection()))
    assert badges(page) == {d: f"{n} 处未定位" for d, n in every.items()}
    changed(page, lambda: page.locator("input[name='plans'][value='huadu_mfg']").check())
    sel = Selection(plans=("huadu_mfg",))
    counts = unsited.district_counts(unsited.select_unsited(register, sel))
    assert 0 < len(counts) < len(every)  # the plan's places only
    page.wait_for_function(
        f"document.querySelectorAll('.gz-unsited-count').length === {len(counts)}"
    )
    assert badges(page) == {d: f"{n} 处未定位" for d, n in counts.items()}
    assert page.gz_errors == []


#: Where the OSM fixture has what (WGS84 lat, lon), in the view the test looks at.
OSM_FIXTURE_PLACES = {
    (23.1145, 113.305): "water",  # 珠江 (a river area)
    (23.1489, 113.29): "rail",  # 广深铁路
    (23.12525, 113.345): "roads",  # 黄埔大道
}


@pytest.mark.parametrize(
    ("basemap", "mode"), [("positron", "fallback"), ("amap", "fallback"), ("none", "chosen")]
)
def test_the_offline_basemap_draws_the_sites_own_geography(site, tmp_path, basemap, mode):
    """Nothing beyond the static server answers: a map whose tiles fail draws the geography
    published with the site, in its basemap's datum (GCJ-02 under Amap), with a notice and
    OpenStreetMap's attribution; 离线底图 draws it without asking for tiles."""
    from PIL import Image

    from spatial.geo.coords import wgs84_to_gcj02
    from spatial.symbology import CONTEXT_COLOURS

    browser, base, _www, _gdf, _root = site
    page = open_site(browser, base, "" if basemap == "positron" else f"?basemap={basemap}")
    page.locator(f"#map[data-gz-offline={mode}][data-gz-context]").wait_for(state="attached")
    notice = page.locator(".gz-notice[title^='底图瓦片无法加载，显示离线底图']", has_text="离线底图")
    if mode == "fallback":
        notice.wait_for()
        assert page.gz_outside  # tiles were asked for, and failed
    else:
        assert notice.count() == 0 and page.gz_outside == []

    def on_map(lat: float, lon: float) -> tuple[float, float]:
        return wgs84_to_gcj02(lon, lat)[::-1] if basemap == "amap" else (lat, lon)

    element = page.locator("#map .gz-map")
    element.evaluate("el => { const d = el.querySelector('.gz-legend'); if (d) d.open = false; }")
    element.dispatch_event("keydown")  # a person's view: the client frames it no more
    element.evaluate(  # the view moved, and the canvas redrawn on the frame after
        "(el, c) => new Promise(done => { el.gzMap.setView(c, 13, {animate: false});"
        " requestAnimationFrame(() => requestAnimationFrame(done)); })",
        list(on_map(23.13, 113.33)),
    )
    shot = tmp_path / f"site-offline-{basemap}.png"
    page.screenshot(path=str(shot))
    img = Image.open(shot).convert("RGB")
    box = element.bounding_box()
    for (lat, lon), group in OSM_FIXTURE_PLACES.items():
        x, y = element.evaluate(
            "(el, c) => { const p = el.gzMap.latLngToContainerPoint(c); return [p.x, p.y]; }",
            list(on_map(lat, lon)),
        )
        assert colour_near(img, box["x"] + x, box["y"] + y, CONTEXT_COLOURS[group]), group
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.gz_errors == []
