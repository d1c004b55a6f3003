"""The download buttons in headless Chromium: a real click on each of the four, the file read
back; and an uploaded layer in the briefing PDF made and downloaded from the app.

The app runs on the test layers with a register of places named without a site beside them.
Needs Debian's Chromium at /usr/bin/chromium and ``playwright``; run with ``pytest -m browser``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from _appdata import build_fixture_layers
from _browser import WAIT_MS, app_for_test, map_frame_with, wait_settled

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

#: Places named without a site, beside the test layers (the register the app reads).
UNSITED = [
    {
        "id": "reg-lab", "name": "某某实验室", "name_en": None, "aliases": [], "role": None,
        "plans": ["gz_sti"], "district": ["黄埔区"], "industries": ["教育科研"],
        "reason": "选址尚未公布。Site not published.", "excerpts": [],
    },
]
UPLOAD_NAME = "调研点位.geojson"
#: Rendering the briefing PDF on a busy machine.
RENDER_MS = 240_000


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = build_fixture_layers(tmp_path_factory.mktemp("download_browser_layers"))
    doc = {"type": "PlaceRegister", "places": UNSITED}
    (folder / "register.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def url(layers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("download_browser_log") / "streamlit.log"
    with app_for_test(log, env={"GZMAP_LAYERS_DIR": str(layers_dir)}) as app:
        yield app.url


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 1100}, locale="zh-CN",
                            accept_downloads=True)
    page.set_default_timeout(WAIT_MS)
    page.goto(url + "/?basemap=none")
    map_frame_with(page, ".gz-marker")
    wait_settled(page)
    return page


def _open_downloads(page) -> None:
    page.get_by_role("tab", name="下载 Download").click()
    page.get_by_role("button", name="CSV 代码").wait_for()


def _download(page, label: str, timeout_ms: int = WAIT_MS) -> tuple[str, bytes]:
    """Click the download button ``label``; the file's suggested name and its bytes."""
    with page.expect_download(timeout=timeout_ms) as info:
        page.get_by_role("button", name=label, exact=True).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_each_download_button_gives_the_views_file(
    url: str, browser, layers_dir: Path, tmp_path: Path
) -> None:
    page = _open(browser, url)
    shown = re.search(r"地图显示 (\d+) / (\d+)", page.get_by_text("地图显示").inner_text())
    n, total = int(shown.group(1)), int(shown.group(2))
    assert n == total  # the landing view: every feature
    features = {f["id"] for p in layers_dir.glob("*.geojson")
                for f in json.loads(p.read_text(encoding="utf-8"))["features"]}
    assert len(features) == total
    _open_downloads(page)

    name, data = _download(page, "GeoJSON")
    assert name.endswith(".geojson")
    assert {f["id"] for f in json.loads(data)["features"]} == features

    name, data = _download(page, "GeoPackage")
    assert name.endswith(".gpkg")
    path = tmp_path / "download.gpkg"
    path.write_bytes(data)
    kinds = [layer for layer, kind in pyogrio.list_layers(path) if kind]
    assert set(pd.concat([gpd.read_file(path, layer=k) for k in kinds])["id"]) == features

    name, data = _download(page, "CSV 中文")
    assert name.endswith(".csv") and not name.endswith("-codes.csv")
    words = _csv(data)
    assert set(words["编号 id"]) == features | {"reg-lab"}  # the unsited place too
    assert "核" in set(words["类型"]) and "core" not in set(words["类型"])

    name, data = _download(page, "CSV 代码")
    assert name.endswith("-codes.csv")
    codes = _csv(data)
    assert set(codes["id"]) == features | {"reg-lab"}
    assert "core" in set(codes["role"])
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


def test_an_uploaded_layer_reaches_the_briefing_pdf(url: str, browser, tmp_path: Path) -> None:
    from pypdf import PdfReader

    layer = tmp_path / UPLOAD_NAME
    layer.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"name": "调研点甲"}, '
        '"geometry": {"type": "Point", "coordinates": [113.52, 23.33]}}]}',
        encoding="utf-8",
    )
    page = _open(browser, url)
    page.get_by_text("我的图层 Own layer").click()
    page.locator('[data-testid="stFileUploaderDropzone"]').wait_for(state="visible")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(layer))
    page.get_by_text("已叠加 1 个要素").wait_for()
    wait_settled(page)
    _open_downloads(page)
    page.get_by_text("简报图包含我的图层").wait_for()
    page.get_by_role("button", name="生成 PDF Render").click()
    page.get_by_role("button", name="下载 PDF Download").wait_for(timeout=RENDER_MS)
    name, data = _download(page, "下载 PDF Download")
    assert name.endswith(".pdf")
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert UPLOAD_NAME in text and "我的图层" in text  # the upload's legend entry
    page.close()
