"""A filter's click redraws the map before the server answers (``static/gzmap/predict.js``), in
headless Chromium on the project's layers: with the server's messages held back, the map
shows the new view within a second; the answer, when it comes, is what was drawn; an answer
that differs from what was drawn replaces it; what cannot be foreseen waits for the server.

Run with ``pytest -m browser``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _browser import HOLD, WAIT_MS, project_app, wait_settled

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

HOLD_MS = 2000
MAP = "document.querySelector('[data-gz-shown]')"
LOOK = (f"(() => {{ const e = {MAP}, l = document.querySelector('.gz-legend'),"
        " t = document.querySelector('.gz-title span');"
        " return [e.getAttribute('data-gz-shown'), l ? l.innerText : '',"
        " t ? t.textContent : '']; })()")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with project_app(tmp_path_factory, "foresee_browser") as url:
        yield url


def _page(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.add_init_script(HOLD)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(".gz-marker")
    wait_settled(page)
    page.wait_for_function("window.GzMap && GzMap.predict && GzMap.predict.ready()")
    return page, errors


def _attr(page, name: str) -> str | None:
    return page.evaluate(f"{MAP}.getAttribute('{name}')")


def _choose(page, key: str, typed: str, option: str) -> None:
    """Pick ``option`` in the multiselect or selectbox ``key`` as a person does: type, then
    click it."""
    box = page.locator(f".st-key-{key} input")
    box.click()
    box.press_sequentially(typed)
    page.get_by_role("option").filter(has_text=option).first.click()
    # the list stays open after a choice: closed, and the box left, as a person does (a click
    # elsewhere while the box has the focus only takes the focus away)
    page.keyboard.press("Escape")
    page.locator("[data-testid='stSidebar'] h2").first.click()


def _held(page, act, what: str = "") -> tuple[list, list]:
    """Do ``act`` with the server's messages held back: what the map looks like before the
    answer can have come, and once it has come."""
    before = page.evaluate(LOOK)
    page.evaluate(f"window.__gzHoldMs = {HOLD_MS}")
    act()
    # drawn while every message from the server is still held back
    try:
        page.wait_for_function(f"{MAP}.getAttribute('data-gz-selection') === 'foreseen'",
                               timeout=HOLD_MS // 2)
    except sync_api.TimeoutError:
        pytest.fail(f"{what}: not drawn before the answer ({_attr(page, 'data-gz-predicted')})")
    foreseen = page.evaluate(LOOK)
    assert foreseen != before
    page.evaluate("window.__gzHoldMs = 0")
    page.wait_for_function(f"{MAP}.getAttribute('data-gz-selection') !== 'foreseen'")
    wait_settled(page)
    return foreseen, page.evaluate(LOOK)


def test_each_filter_change_is_drawn_before_the_answer_and_the_answer_is_what_was_drawn(
    app_url: str, browser
) -> None:
    page, errors = _page(browser, app_url + "/?roles=park&basemap=none")
    parks = int(_attr(page, "data-gz-shown"))
    steps = [
        ("清除筛选", lambda: page.get_by_role("button", name="清除筛选 Clear filters").click()),
        ("an industry", lambda: _choose(page, "industries", "生物医药", "生物医药 Biomedicine")),
        ("the colour rule", lambda: page.locator(".st-key-colour_by [role='radio']")
         .filter(has_text="规划").click()),
        ("a role", lambda: _choose(page, "roles", "园区", "园区 Park")),
        ("a chip removed", lambda: page.locator(".st-key-industries [data-tag] button").click()),
        ("a plan", lambda: _choose(page, "plans", "花都", "花都")),
        ("清除筛选 again", lambda: page.get_by_role("button", name="清除筛选 Clear filters").click()),
        ("an axis segment", lambda: _choose(page, "segment", "黄埔", "黄埔段")),
    ]
    looks = []
    for what, act in steps:
        foreseen, answered = _held(page, act, what)
        assert _attr(page, "data-gz-predicted") == "match", what
        assert answered == foreseen, what  # no second redraw: the same map
        looks.append(answered)
    assert int(looks[0][0]) > parks  # 清除筛选 showed every role
    # the count beside the title was written with the foreseen view (the same as answered)
    assert len({look[2] for look in looks}) >= 4
    assert looks[2][0] == looks[1][0] and looks[2][1] != looks[1][1]  # recoloured only
    assert len({look[0] for look in looks}) >= 4  # the steps showed different places
    assert errors == []
    page.close()


def test_the_servers_answer_replaces_a_view_foreseen_wrong(app_url: str, browser) -> None:
    page, errors = _page(browser, app_url + "/?roles=park&basemap=none")
    # the index the client foresees with says no park has an industry: the answer says otherwise
    page.evaluate("GzMap.predict.data().f.forEach(f => { if (f.role === 'park') { f.ind = []; } })")
    _choose(page, "industries", "生物医药", "生物医药 Biomedicine")
    page.wait_for_function(f"{MAP}.getAttribute('data-gz-predicted') === 'differ'")
    wait_settled(page)
    assert int(_attr(page, "data-gz-shown")) > 0
    assert page.locator(".gz-marker").count() > 0
    # the count foreseen (no park) is not left beside the title
    assert "地图显示 0 / " not in page.locator(".gz-title span").inner_text()
    assert _attr(page, "data-gz-selection") != "foreseen"
    assert errors == []
    page.close()


def test_a_search_is_left_to_the_server(app_url: str, browser) -> None:
    page, errors = _page(browser, app_url + "/?q=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF&basemap=none")
    before = int(_attr(page, "data-gz-shown"))
    _choose(page, "roles", "园区", "园区 Park")
    page.wait_for_function(f"{MAP}.getAttribute('data-gz-predicted') === 'skip'")
    wait_settled(page)
    after = int(_attr(page, "data-gz-shown"))
    assert 0 < after < before  # the server's answer: the search's parks
    assert errors == []
    page.close()



def test_two_quick_changes_end_on_both_without_going_back(app_url: str, browser) -> None:
    """The second change is made before the first one's answer has come (a slow link, two quick
    clicks): the map goes from the first view to the second and stays there, and the app keeps
    both choices (the second run comes with the URL from before the first, which is not Back)."""
    page, errors = _page(browser, app_url + "/?roles=park&basemap=none")
    page.evaluate(f"""(() => {{
      window.__gzShownLog = [];
      new MutationObserver(() => window.__gzShownLog.push({MAP}.getAttribute('data-gz-shown')))
        .observe({MAP}, {{attributes: true, attributeFilter: ['data-gz-shown']}});
    }})()""")
    page.evaluate(f"window.__gzHoldMs = {HOLD_MS}")  # both answers come after both changes
    _choose(page, "industries", "生物医药", "生物医药 Biomedicine")
    first = _attr(page, "data-gz-shown")
    _choose(page, "plans", "花都", "花都")
    page.wait_for_function(f"{MAP}.getAttribute('data-gz-shown') !== '{first}'",
                           timeout=HOLD_MS // 2)
    second = _attr(page, "data-gz-shown")
    page.evaluate("window.__gzHoldMs = 0")
    page.wait_for_function(f"{MAP}.getAttribute('data-gz-selection') !== 'foreseen'")
    wait_settled(page)
    assert page.evaluate("window.__gzShownLog") == [first, second]  # never back to the first
    assert _attr(page, "data-gz-predicted") == "match"
    chips = page.locator(".st-key-plans [data-tag], .st-key-industries [data-tag]")
    assert chips.count() == 2  # both choices kept
    assert "plans=" in page.url and "industries=" in page.url
    assert errors == []
    page.close()
