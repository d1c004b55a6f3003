"""The running app in headless Chromium: the map draws offline, a click opens a place, a filter
changes the map. Saves a screenshot and prints its path.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``) and the
``playwright`` package; run with ``pytest -m browser``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from _browser import WAIT_MS, map_frame_with, point_of, set_view, wait_settled

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


def test_map_click_and_filter_in_a_real_browser(app_url: str, browser, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    page.goto(app_url)

    # the map draws without internet: Leaflet from the app itself, district outlines, features
    frame = map_frame_with(page, ".gz-marker")
    assert frame.locator(".leaflet-gzDistricts-pane path").count() >= 1
    assert frame.locator(".gz-marker").count() >= 10
    assert frame.locator(".gz-legend").count() == 1

    # clicking a place opens its panel, in Chinese, and puts it in the URL
    wait_settled(page)
    frame.locator('[aria-label="广州国际生物岛"]').first.click()
    try:
        page.get_by_role("heading", name="广州国际生物岛").wait_for()
    except Exception as exc:  # say what the page showed instead, for whoever reads the failure
        state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
        shown = page.locator('[data-testid="stAlert"], h1, h2, h3').all_inner_texts()
        raise AssertionError(f"no panel after the click; url {page.url}, script {state}, "
                             f"page showed {shown}") from exc
    page.get_by_text("广州国际生物岛依托国家实验室").first.wait_for()
    assert "node=shengwudao" in page.url

    # a filter changes the features in the map already there: same document, no reload
    frame.evaluate("window.gzSameDocument = true")
    industries = page.locator('[data-testid="stMultiSelect"]').filter(has_text="产业 Industries")
    industries.click()
    page.keyboard.type("智能电子")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_text("地图显示 3 / 17").wait_for()
    # the map shows the electronics parks and no longer the rest
    after = map_frame_with(page, '[aria-label="国光2025国际双创社区"]',
                           without='[aria-label="中新广州知识城"]')
    assert after.evaluate("window.gzSameDocument === true")
    page.wait_for_url("**industries=**")

    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    shot = tmp_path / "gzplan-app.png"
    page.wait_for_timeout(1000)  # let the map finish fading markers in
    page.screenshot(path=str(shot))
    keep = Path(os.environ.get("GZMAP_SCREENSHOT_DIR", tmp_path))
    if keep != tmp_path:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / shot.name)
        shot = keep / shot.name
    print(f"screenshot: {shot}")
    page.close()


def test_uploaded_layer_is_overlaid_with_its_names_escaped(
    app_url: str, browser, tmp_path: Path
) -> None:
    layer = tmp_path / "我的点位.geojson"
    layer.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"name": "<img src=x onerror=alert(1)>调研点"}, '
        '"geometry": {"type": "Point", "coordinates": [113.52, 23.33]}}]}',
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(app_url + "/?basemap=none")
    map_frame_with(page, ".gz-marker")
    wait_settled(page)
    # the upload box is built when opened: a new page loads no uploader
    assert page.locator('[data-testid="stFileUploaderDropzone"]').count() == 0
    box = page.get_by_text("我的图层 Own layer")
    box.click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(layer))
    page.get_by_text("已叠加 1 个要素").wait_for()
    frame, tooltip = _hover_until_tooltip(page, "调研点")
    assert "<img src=x onerror=alert(1)>调研点" in tooltip.inner_text()  # shown as text
    assert frame.locator(".leaflet-tooltip img").count() == 0

    # folding the box keeps the file: after a rerun the layer is still on the map
    box.click()
    wait_settled(page)
    page.get_by_role("button", name="清除筛选 Clear filters").click()
    wait_settled(page)
    _hover_until_tooltip(page, "调研点")
    box.click()
    page.get_by_text("已叠加 1 个要素").wait_for()
    assert dialogs == []
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def _hover_until_tooltip(page, text: str, lat: float = 23.33, lon: float = 113.52):
    """Hover the upload's pin (it stands on its point, at ``lat``, ``lon``) until the map shows
    a tooltip holding ``text``; the map redraws as it settles, so the pin is sought afresh.

    The map is first zoomed in on the pin, as a person looks at their own point: framed on the
    whole city, the plan's 中新广州知识城 marker stands over it (the plan's points are drawn
    above one's own) and its tooltip is the one shown."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        frame = map_frame_with(page, "[data-gz-own]")
        element = frame.locator("[data-gz-selection] .gz-map")
        set_view(element, lat, lon, 13)
        x, y = point_of(element, lat, lon)
        # come from aside each time: a pointer resting where the pin only later stood (the
        # map still framing the upload) moves no more and so hovers nothing
        page.mouse.move(x - 30, y - 10)
        page.mouse.move(x, y - 10, steps=4)  # the pin's head
        tooltip = frame.locator(".leaflet-tooltip").filter(has_text=text)
        if tooltip.count():
            return frame, tooltip
        page.wait_for_timeout(500)
    raise AssertionError(f"no feature on the map showed a tooltip with {text!r}")


def test_a_new_page_runs_once_and_a_filter_change_sends_only_the_selection(
    app_url: str, browser, tmp_path: Path
) -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    frames: list[tuple[float, bytes]] = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda data: frames.append((time.time(), data))))

    def messages(since: float) -> list[tuple[ForwardMsg, int]]:
        out = []
        for t, data in frames:
            if t >= since:
                msg = ForwardMsg()
                msg.ParseFromString(data if isinstance(data, bytes) else data.encode())
                out.append((msg, len(data)))
        return out

    def map_bytes(msgs: list[tuple[ForwardMsg, int]]) -> list[int]:
        return [n for m, n in msgs if m.WhichOneof("type") == "delta"
                and m.delta.new_element.WhichOneof("type") == "bidi_component"
                and m.delta.new_element.bidi_component.component_name == "gzplan.map"]

    t0 = time.time()
    page.goto(app_url + "/?roles=park&basemap=none")
    map_frame_with(page, ".gz-marker")
    wait_settled(page)
    landing = messages(t0)
    # the map reports nothing when it is first drawn: the page's script ran once
    assert sum(m.WhichOneof("type") == "script_finished" for m, _ in landing) == 1
    assert len(map_bytes(landing)) == 1

    parks = page.locator(".gz-marker").count()
    t1 = time.time()
    page.get_by_role("button", name="清除筛选 Clear filters").click()
    page.wait_for_function(f"document.querySelectorAll('.gz-marker').length > {parks}")
    wait_settled(page)
    change = messages(t1)
    assert sum(m.WhichOneof("type") == "script_finished" for m, _ in change) == 1
    # the features are not sent again: the map's message is the selection, a few kB (it was
    # every feature, ~370 kB, before the client took its data once)
    (sent,) = map_bytes(change)
    assert sent <= 5_000, sent
    # nor are the page's widgets and buttons that did not change: the browser has them, and
    # gets a reference to each (the filters Clear empties are sent, with their new values)
    resent = set()
    for m, _n in change:
        kind = m.delta.new_element.WhichOneof("type") if m.WhichOneof("type") == "delta" else None
        widget_id = getattr(getattr(m.delta.new_element, kind), "id", "") if kind else ""
        if widget_id.startswith("$$ID-"):
            resent.add(widget_id.split("-", 2)[-1])
    assert "roles" in resent
    assert not resent & {"page", "linked", "colour_by", "basemap", "clear", "q", "plans"}, resent
    total = sum(n for _m, n in change)
    assert total <= 10_000, total
    print(f"\nfilter change: {total} bytes over the websocket, {sent} of them the map's")
    # the legend the client draws is the print legend of the view: its industry colours,
    # sent as counts, are written out again by the component's loader
    from _appdata import build_fixture_layers

    from spatial.plans.layers import load_layers
    from spatial.query.features import Selection
    from spatial.symbology import view_symbology

    legend = view_symbology(load_layers(build_fixture_layers(tmp_path / "layers")), Selection(),
                            "industry").legend
    labels = page.evaluate("[...document.querySelectorAll('.gz-legend-entry')]"
                           ".map(e => e.getAttribute('data-label'))")
    assert labels == [e.label for e in legend.symbols + legend.colours]
    page.close()
