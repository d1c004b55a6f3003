"""建议修改 in headless Chromium, the whole loop: a register place is given a site in the panel's
form (clicked on the form's map, excerpt picked from the plan text), the change file is
downloaded, ``gzmap apply`` in a copy of the repository's data puts the place on the map, and the
app on that copy shows it with its 修改记录. A shape drawn with Leaflet.draw becomes the polygon of
a change."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from _browser import WAIT_MS, app_for_test, map_frame_with

from spatial._paths import ROOT
from spatial.plans.edits.changefile import read_change

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PLACE, NAME = "huangpu-lab", "黄埔实验室"
AUTHOR = "王工（黄埔区科技局）"
SENTENCE = "支持广州高新区扩容提质，加快重要科研机构、交叉科学研究平台在区内布局，高标准建设“黄埔实验室”"


def _choose(form, label: str, typed: str) -> None:
    """Pick an option of a select box by typing part of it, as a person filters the list."""
    form.get_by_role("combobox", name=label).click()
    form.page.keyboard.type(typed)
    form.page.keyboard.press("Enter")
    form.page.keyboard.press("Escape")


def _map_of(form):
    """The form's map: the page it is drawn in, its element (whose ``gzMap`` is the Leaflet
    map), and a function giving the page position of a latitude/longitude on it (taken
    afresh, as the page scrolls)."""
    form.get_by_text("在地图上点选或绘制 Click or draw on a map").click()
    element = form.locator(".gz-page-map").first
    element.wait_for()
    form.locator(".leaflet-draw-draw-polygon").wait_for()

    def at(lat: float, lon: float) -> tuple[float, float]:
        box = element.bounding_box()
        x, y = element.evaluate(
            f"el => {{ const p = el.gzMap.latLngToContainerPoint([{lat}, {lon}]);"
            " return [p.x, p.y]; }"
        )
        return box["x"] + x, box["y"] + y

    return form.page, element, at


def _fill(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Tab")


def test_a_register_place_sited_in_the_form_is_on_the_map_after_gzmap_apply(browser, tmp_path):
    change_path = tmp_path / "change.yaml"
    with app_for_test(tmp_path / "app.log", env={"GZMAP_LAYERS_DIR": None}) as app:
        page = browser.new_page(viewport={"width": 1500, "height": 1200}, locale="zh-CN",
                                accept_downloads=True)
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{app.url}/?node={PLACE}&basemap=none")
        page.get_by_text("✎ 建议修改 Suggest a change").click()
        form = page.locator(f".st-key-sg_form_{PLACE}")
        download = form.get_by_role("button", name="下载修改文件")
        download.wait_for()
        assert download.is_disabled()  # nothing is changed yet
        frame, element, at = _map_of(form)
        element.evaluate("el => el.gzMap.setView([23.171, 113.448], 17, {animate: false})")
        page.mouse.click(*at(23.171, 113.448))  # where 黄埔实验室 is, on the map
        form.get_by_text("WGS84 113.44800, 23.17100 · 黄埔区").wait_for()
        _choose(form, "类型 Role", "实验室")
        _fill(page, "位置说明（中文）Location note, in Chinese", "规划要求在广州高新区内建设；按广州科学城标注")
        _choose(form, "从规划原文选取 Pick sentences from the plan text", "支持广州高新区扩容提质")
        _fill(page, "理由 Reason", "规划要求在广州高新区内高标准建设黄埔实验室。")
        _fill(page, "建议人 Your name and unit", AUTHOR)
        page.wait_for_function(
            "el => !el.disabled", arg=download.element_handle(), timeout=WAIT_MS
        )
        form.screenshot(path=str(tmp_path / "form.png"))
        with page.expect_download() as got:
            download.click()
        got.value.save_as(change_path)
        assert not errors, errors
        page.close()

    change = read_change(change_path)
    assert change.author == AUTHOR and change.action == "site"
    before, after = change.fields["geometry"]
    assert before is None and after["point"] == pytest.approx([113.448, 23.171], abs=2e-5)
    assert change.excerpts[0].text.startswith(SENTENCE)

    repo = tmp_path / "repo"
    for folder in ("seeds", "data", "layers"):
        shutil.copytree(ROOT / folder, repo / folder)
    env = {**os.environ, "GZMAP_ROOT": str(repo), "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, "-m", "spatial.cli", "apply", str(change_path)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert (repo / "layers" / "src" / "history" / f"{PLACE}.yaml").is_file()

    with app_for_test(tmp_path / "app2.log",
                      env={"GZMAP_ROOT": str(repo), "GZMAP_LAYERS_DIR": None}) as app:
        page = browser.new_page(viewport={"width": 1500, "height": 1200}, locale="zh-CN")
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{app.url}/?node={PLACE}&basemap=none")
        map_frame_with(page, f'[aria-label="{NAME}"]')  # drawn on the map now
        page.get_by_role("heading", name=NAME).wait_for()
        page.get_by_text("修改记录 History").wait_for()
        page.get_by_text(AUTHOR).wait_for()
        page.get_by_text("规划要求在广州高新区内高标准建设黄埔实验室。").wait_for()
        assert page.get_by_text("规划提及，尚无确定位置 · Named in the plans").count() == 0
        page.locator(".st-key-gz_panel").screenshot(path=str(tmp_path / "panel.png"))
        page.close()


def test_a_shape_drawn_on_the_form_s_map_is_the_polygon_of_the_change(browser, tmp_path):
    corners = [(23.172, 113.447), (23.172, 113.449), (23.170, 113.449), (23.170, 113.447)]
    with app_for_test(tmp_path / "app.log", env={"GZMAP_LAYERS_DIR": None}) as app:
        page = browser.new_page(viewport={"width": 1500, "height": 1200}, locale="zh-CN")
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{app.url}/?node={PLACE}&basemap=none")
        page.get_by_text("✎ 建议修改 Suggest a change").click()
        form = page.locator(f".st-key-sg_form_{PLACE}")
        frame, element, at = _map_of(form)
        element.evaluate("el => el.gzMap.setView([23.171, 113.448], 16, {animate: false})")
        form.locator(".leaflet-draw-draw-polygon").click()
        for lat, lon in corners:
            x, y = at(lat, lon)
            page.mouse.move(x - 4, y - 4)
            page.mouse.move(x, y, steps=3)
            page.mouse.down()
            page.mouse.up()
        frame.get_by_text("Finish").click()
        form.get_by_text("多边形 Polygon · 4 个顶点 vertices").wait_for()
        assert page.get_by_role("radio", name="多边形 Polygon").is_checked()
        form.get_by_text("预览 Preview").click()
        text = form.locator("code").inner_text()
        page.close()
    ring = yaml.safe_load(text[text.index("gzplan_change"):])["changes"]["geometry"]["after"]
    drawn = [(lat, lon) for lon, lat in ring["polygon"]]
    assert len(drawn) == 5 and drawn[0] == drawn[-1]
    for got, want in zip(drawn, corners, strict=False):
        assert got == pytest.approx(want, abs=2e-5)


def test_a_register_place_is_sited_by_a_click_on_the_main_map(browser, tmp_path):
    """While its 建议修改 form is open, a click on the main map (here Amap's, drawn in GCJ-02)
    gives the register place its position, in WGS84, instead of opening what lies there."""
    from spatial.geo.coords import wgs84_to_gcj02

    change_path = tmp_path / "change.yaml"
    with app_for_test(tmp_path / "app.log", env={"GZMAP_LAYERS_DIR": None}) as app:
        page = browser.new_page(viewport={"width": 1500, "height": 1200}, locale="zh-CN",
                                accept_downloads=True)
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{app.url}/?node={PLACE}&basemap=amap")
        element = page.locator("[data-gz-selection] .gz-map")
        element.wait_for(state="attached")
        page.get_by_text("✎ 建议修改 Suggest a change").click()
        form = page.locator(f".st-key-sg_form_{PLACE}")
        form.get_by_role("button", name="下载修改文件").wait_for()
        page.get_by_text("点击地图设定位置").wait_for()  # the map says a click sites the place
        lon, lat = wgs84_to_gcj02(113.448, 23.171)  # where it is, on Amap's tiles
        element.dispatch_event("keydown")  # moved by hand: the first frame is not fitted again
        element.evaluate(f"el => el.gzMap.setView([{lat}, {lon}], 19, {{animate: false}})")
        box = element.bounding_box()
        x, y = element.evaluate(
            f"el => {{ const p = el.gzMap.latLngToContainerPoint([{lat}, {lon}]);"
            " return [p.x, p.y]; }"
        )
        page.mouse.click(round(box["x"] + x), round(box["y"] + y))
        form.get_by_text(re.compile(r"WGS84 113\.44[78]\d\d, 23\.17[01]\d\d · 黄埔区")).wait_for()
        assert page.get_by_role("heading", name=NAME).count()  # the place's panel stays open
        _choose(form, "类型 Role", "实验室")
        _fill(page, "位置说明（中文）Location note, in Chinese", "按广州科学城标注")
        _choose(form, "从规划原文选取 Pick sentences from the plan text", "支持广州高新区扩容提质")
        _fill(page, "理由 Reason", "规划要求在广州高新区内高标准建设黄埔实验室。")
        _fill(page, "建议人 Your name and unit", AUTHOR)
        download = form.get_by_role("button", name="下载修改文件")
        page.screenshot(path=str(tmp_path / "main-map-click.png"))
        page.wait_for_function(
            "el => !el.disabled", arg=download.element_handle(), timeout=WAIT_MS
        )
        with page.expect_download() as got:
            download.click()
        got.value.save_as(change_path)
        assert not errors, errors
        page.close()
    change = read_change(change_path)
    before, after = change.fields["geometry"]
    assert before is None and after["point"] == pytest.approx([113.448, 23.171], abs=2e-5)
    assert change.excerpts[0].text.startswith(SENTENCE)
