"""建议修改 in headless Chromium, the whole loop: a register place is given a site in the panel's
form (position typed, excerpt picked from the plan text), the change file is downloaded,
``gzmap apply`` in a copy of the repository's data puts the place on the map, and the app on that
copy shows it with its 修改记录."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
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
        _fill(page, "经度, 纬度 Longitude, latitude", "113.448, 23.171")
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
    assert change.fields["geometry"] == (None, {"point": [113.448, 23.171]})
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
