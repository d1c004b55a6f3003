"""The map's tools in headless Chromium, on the app's fixture layers: measuring in metres with
Chinese labels, the cursor's position in WGS84 and GCJ-02 (on a WGS84 and on a GCJ-02
basemap), the own layer in a symbol of its own with its names, legend entry and identify
(hostile names as text), and 打印当前视图 (the briefing export of the map's extent).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from pathlib import Path

import pytest
from _appdata import build_fixture_layers
from _browser import (
    WAIT_MS,
    app_for_test,
    point_of,
    set_view,
    wait_map_still,
    wait_settled,
    wait_until,
)

from spatial.geo.coords import gcj02_to_wgs84, wgs84_to_gcj02

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

HOSTILE = "<img src=x onerror=alert(1)>调研点"
FILE_NAME = "我的<b>点位<i>.geojson"
PIN_AT = (23.20, 113.52)  # lat, lon: empty ground east of 科学城
KEXUECHENG = (23.17, 113.455)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    layers = build_fixture_layers(tmp_path_factory.mktemp("tools_layers"))
    log = tmp_path_factory.mktemp("tools_log") / "app.log"
    with app_for_test(log, env={"GZMAP_LAYERS_DIR": str(layers)}) as running:
        yield running


def open_map(browser, url: str, size=(1500, 1000)):
    """A page of the app and its main map's element (``gzMap`` is its Leaflet map)."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN",
                            accept_downloads=True)
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(url)
    element = page.locator("[data-gz-selection] .gz-map")
    element.wait_for(state="attached")
    page.wait_for_function("() => document.querySelector('[data-gz-selection]')"
                           ".getAttribute('data-gz-selection')")
    wait_settled(page)
    return page, element


def measure(page, element, points: list[tuple[float, float]]) -> None:
    """Measure through ``points`` (lat, lon) as a person does, seeing each vertex appear.

    The map must stand still first (a result's popup pans it; leaflet-measure's click catcher
    covers the map as it stood when measuring began), and a click that put no vertex down is
    made again, as a person would."""
    wait_map_still(page.main_frame)
    page.locator(".leaflet-control-measure").hover()
    page.get_by_text("开始一次新的测量").click()
    vertexes = element.locator("path.layer-measurevertex")
    for n, (lat, lon) in enumerate(points, start=1):
        for _ in range(3):
            page.mouse.click(*point_of(element, lat, lon))
            try:
                wait_until(lambda n=n: vertexes.count() >= n, f"vertex {n} of the measurement",
                           timeout_ms=2000, page=page)
                break
            except AssertionError:
                continue
        assert vertexes.count() == n, f"the measurement has {vertexes.count()} vertexes, not {n}"
    page.get_by_text("完成测量").click()


def test_measuring_gives_metres_kilometres_and_hectares_in_chinese(app, browser, tmp_path):
    from pyproj import Geod

    page, element = open_map(browser, app.url + "/?basemap=none")
    set_view(element, 23.15, 113.45, 13)
    corners = [(23.14, 113.47), (23.14, 113.49), (23.16, 113.49)]
    measure(page, element, corners[:2])
    line = page.locator(".leaflet-popup-content").inner_text()
    page.locator(".leaflet-popup-close-button").click()
    measure(page, element, corners)
    area = page.locator(".leaflet-popup-content").inner_text()
    page.screenshot(path=str(tmp_path / "measure.png"))
    assert not page.errors, page.errors
    page.close()

    assert "距离测量" in line and "面积测量" in area
    for text in (line, area):
        assert not re.search(r"英尺|英里|公亩|feet|miles|acres", text), text
    metres = float(re.search(r"([\d,]+) 米", line).group(1).replace(",", ""))
    km = float(re.search(r"\(([\d.]+) 公里\)", line).group(1))
    geod = Geod(ellps="WGS84")
    (lat0, lon0), (lat1, lon1) = corners[:2]
    true = geod.inv(lon0, lat0, lon1, lat1)[2]
    assert metres == pytest.approx(true, rel=0.01) and km == pytest.approx(true / 1000, rel=0.01)
    hectares = float(re.search(r"([\d,.]+) 公顷", area).group(1).replace(",", ""))
    lons, lats = zip(*[(lon, lat) for lat, lon in corners], strict=True)
    true_m2 = abs(geod.polygon_area_perimeter(lons, lats)[0])
    assert hectares == pytest.approx(true_m2 / 1e4, rel=0.01)
    assert "平方公里" in area


@pytest.mark.parametrize("basemap", ["osm", "amap"])
def test_the_cursor_position_is_shown_in_wgs84_and_gcj02(app, browser, basemap):
    page, element = open_map(browser, app.url + f"/?basemap={basemap}")
    set_view(element, 23.12, 113.32, 14)
    box = element.bounding_box()
    x, y = round(box["x"] + box["width"] * 0.6), round(box["y"] + box["height"] * 0.45)
    page.mouse.move(x, y)
    shown = page.locator(".leaflet-control-mouseposition")
    shown.locator("[data-datum=gcj02]").wait_for()
    text = shown.inner_text()
    at = element.evaluate(
        f"el => {{ const ll = el.gzMap.containerPointToLatLng([{x - box['x']}, {y - box['y']}]);"
        " return [ll.lng, ll.lat]; }"
    )
    page.close()
    wgs = [float(v) for v in re.search(r"WGS84 ([\d.]+), ([\d.]+)", text).groups()]
    gcj = [float(v) for v in re.search(r"GCJ-02 ([\d.]+), ([\d.]+)", text).groups()]
    if basemap == "amap":  # the map draws in GCJ-02: the cursor is there, WGS84 is derived
        assert gcj == pytest.approx(at, abs=2e-5)
        assert wgs == pytest.approx(gcj02_to_wgs84(*at), abs=2e-5)
    else:
        assert wgs == pytest.approx(at, abs=2e-5)
        assert gcj == pytest.approx(wgs84_to_gcj02(*at), abs=2e-5)
    assert abs(gcj[0] - wgs[0]) > 0.003  # ~500 m apart in Guangzhou: not the same numbers


def _own_layer_file(folder: Path) -> Path:
    path = folder / FILE_NAME
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "' + HOSTILE.replace('"', '\\"') + '", '
        '"备注": "**粗体** [链接](http://x.example) <b>粗</b>", "面积": 12}, '
        f'"geometry": {{"type": "Point", "coordinates": [{PIN_AT[1]}, {PIN_AT[0]}]}}}},'
        '{"type": "Feature", "properties": {"name": "研究范围<script>x</script>"}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[113.50, 23.23], [113.54, 23.23], '
        "[113.54, 23.25], [113.50, 23.25], [113.50, 23.23]]]}}]}",
        encoding="utf-8",
    )
    return path


def test_the_own_layer_has_its_own_symbol_names_legend_and_identify(app, browser, tmp_path):
    page, element = open_map(browser, app.url + "/?basemap=none")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.get_by_text("我的图层 Own layer").click()
    page.locator('[data-testid="stFileUploaderDropzone"]').wait_for(state="visible")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(_own_layer_file(tmp_path)))
    page.locator("[data-gz-own='2']").wait_for(state="attached")
    wait_settled(page)
    set_view(element, 23.215, 113.53, 13)  # the pin and the area, clear of the legend
    # the legend names the file, as text
    own_entry = page.locator(".gz-legend-own")
    if not own_entry.is_visible():
        page.locator(".gz-legend summary").click()
    assert own_entry.locator(".gz-own-file").inner_text() == FILE_NAME
    # names as labels, as text
    labels = page.locator(".gz-labels .gz-label")
    page.wait_for_function("() => document.querySelectorAll('.gz-labels .gz-label').length >= 2")
    texts = labels.all_inner_texts()
    assert HOSTILE in texts and "研究范围<script>x</script>" in texts
    # a pin, in the own layer's colours, stands on the point: its head is yellow (the legend
    # folded, which may cover it)
    page.locator(".gz-legend summary").click()
    page.wait_for_function("!document.querySelector('.gz-legend').open")
    x, y = point_of(element, *PIN_AT)
    shot = tmp_path / "own.png"
    page.screenshot(path=str(shot))
    from PIL import Image

    img = Image.open(shot).convert("RGB")
    head = img.getpixel((round(x), round(y - 13)))
    assert all(abs(a - b) <= 40 for a, b in zip(head, (0xFF, 0xCC, 0x00), strict=True)), head
    # a click on it opens its properties in the panel, as plain text
    page.mouse.click(x, y - 6)
    panel = page.locator(".st-key-gz_own")
    panel.locator(".gz-own-props").wait_for()
    assert HOSTILE in panel.locator(".gz-own-name").inner_text()
    props = panel.locator(".gz-own-props").inner_text()
    assert "**粗体** [链接](http://x.example) <b>粗</b>" in props and "12" in props
    assert panel.locator("img, script, b, a[href]").count() == 0
    assert page.locator(".gz-map img[src=x]").count() == 0
    panel.screenshot(path=str(tmp_path / "own-panel.png"))
    assert dialogs == [] and not page.errors, (dialogs, page.errors)
    page.close()


def test_own_names_and_the_plans_names_never_cover_each_other(app, browser, tmp_path):
    """One placer lays out both: an own point on a plan's node gets its name beside the
    node's, not on it, and the node's name keeps clear of the pin."""
    path = tmp_path / "同点.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"name": "我的调研点位甲"}, "geometry": {"type": "Point", "coordinates": '
        f'[{KEXUECHENG[1]}, {KEXUECHENG[0]}]}}}}]}}', encoding="utf-8")
    page, element = open_map(browser, app.url + "/?basemap=none")
    page.get_by_text("我的图层 Own layer").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.locator("[data-gz-own='1']").wait_for(state="attached")
    wait_settled(page)
    set_view(element, *KEXUECHENG, 13)
    page.locator(".gz-legend summary").click()  # folded: the names have the map
    shown = ("() => [...document.querySelectorAll('.gz-map .gz-label')]"
             ".filter(d => d.style.display !== 'none')")
    page.wait_for_function(f"() => ({shown})().some(d => d.textContent === '我的调研点位甲')"
                           f" && ({shown})().length >= 3")
    # every layout asked for is done: names are laid out on the next frame
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    boxes = page.evaluate(f"({shown})().map(d => {{ const r = d.getBoundingClientRect();"
                          " return [d.textContent, r.left, r.top, r.right, r.bottom]; })")
    page.screenshot(path=str(tmp_path / "own-names.png"))
    assert not page.errors, page.errors
    page.close()
    overlaps = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]
    assert overlaps == [], overlaps
    assert "科学城" in " ".join(b[0] for b in boxes)  # the node is named too


def test_print_this_view_renders_the_maps_extent_at_the_chosen_paper_size(
    app, browser, tmp_path
):
    page, element = open_map(browser, app.url + "/?basemap=none", size=(1500, 1000))
    set_view(element, *KEXUECHENG, 13)
    page.get_by_role("button", name="打印当前视图 Print this view").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("地图当前范围").wait_for()
    dialog.get_by_role("combobox", name="纸张 Paper").click()
    page.get_by_role("option", name="A4 纵向 portrait").click()
    dialog.get_by_text("PDF", exact=True).click()
    dialog.get_by_role("button", name="生成 Render").click()
    download = dialog.get_by_role("button", name="下载 PDF Download")
    download.wait_for(timeout=120_000)
    with page.expect_download() as got:
        download.click()
    pdf = tmp_path / "view.pdf"
    got.value.save_as(pdf)
    assert not page.errors, page.errors
    page.close()

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts", info), info  # A4, portrait
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "广州科学城" in text  # in the view
    for far in ("南沙科学城", "中新广州知识城", "花都高新技术产业开发区"):  # not in it
        assert far not in text
    assert "比例尺 1:" in text


@pytest.fixture(scope="module")
def offline_app(tmp_path_factory: pytest.TempPathFactory):
    """The app on a copy of the project's data whose OSM cache holds the local OSM fixture
    (water, a river, main roads, rail, the airport), as ``gzmap fetch-osm`` caches it."""
    import shutil

    import osmnx as ox
    from shapely.geometry import box

    from spatial._paths import ROOT
    from spatial.geo.osm import fetch_osm

    repo = tmp_path_factory.mktemp("offline_repo")
    for folder in ("seeds", "data"):
        shutil.copytree(ROOT / folder, repo / folder)
    small = Path(__file__).parent / "data" / "small.osm"
    fetch = lambda polygon, tags: ox.features_from_xml(small, tags=tags)  # noqa: E731
    assert fetch_osm(repo / "data" / "geo" / "osm", fetcher=fetch,
                     extent=box(113.2, 22.9, 113.5, 23.5)) == 0
    layers = build_fixture_layers(tmp_path_factory.mktemp("offline_layers"))
    log = tmp_path_factory.mktemp("offline_log") / "app.log"
    env = {"GZMAP_ROOT": str(repo), "GZMAP_LAYERS_DIR": str(layers)}
    with app_for_test(log, env=env) as running:
        yield running


def _colour_near(img, x: float, y: float, colour: str, radius: int = 2) -> bool:
    want = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            got = img.getpixel((round(x) + dx, round(y) + dy))
            if all(abs(a - b) <= 24 for a, b in zip(got, want, strict=True)):  # antialiased
                return True
    return False


def test_tiles_that_never_answer_give_way_to_the_offline_basemap_and_back(offline_app, browser):
    """An intranet whose name lookups go unanswered leaves tile requests pending, never
    failed: the offline basemap is drawn once no tile has come for a few seconds, and taken
    away when tiles arrive after all."""
    page = browser.new_page(viewport={"width": 1200, "height": 800}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    pending: list = []

    def hang(route):  # tiles: no answer at all, as a lookup that times out
        if route.request.url.startswith(offline_app.url):
            route.continue_()
        else:
            pending.append(route)

    page.route("**/*", hang)
    page.goto(offline_app.url + "/?basemap=positron")
    page.locator("[data-gz-selection] .gz-map").wait_for(state="attached")
    page.locator("[data-gz-offline=fallback][data-gz-context]").wait_for(
        state="attached", timeout=15_000)
    assert pending  # tiles were asked for and are still waiting: none failed
    page.locator(".gz-notice", has_text="离线底图").wait_for()
    tile = _png_tile()
    for route in pending:  # the network answers after all
        with contextlib.suppress(Exception):  # a request the map gave up meanwhile
            route.fulfill(status=200, content_type="image/png", body=tile,
                          headers={"Access-Control-Allow-Origin": "*"})
    page.locator("[data-gz-offline='']").wait_for(state="attached")
    assert page.locator(".gz-notice").count() == 0
    page.close()


def _png_tile() -> bytes:
    """A plain 256×256 PNG, as a tile server answers."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (256, 256), (240, 240, 236)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(("basemap", "mode"), [("positron", "fallback"), ("none", "chosen")])
@pytest.mark.parametrize("view", ["", "view=alignment&district=天河区&"],
                         ids=["map", "alignment"])
def test_the_offline_basemap_draws_the_osm_context_when_no_tile_loads(
    offline_app, browser, tmp_path, basemap, mode, view
):
    """On the main map and on the other pages' maps (规划衔接, its folium map run whole; on
    the fixture's layers it frames a single place, which a map without tiles once zoomed into
    without end)."""
    from PIL import Image

    from spatial.symbology import CONTEXT_COLOURS

    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    tiles: list[str] = []

    def no_network(route):  # an intranet: nothing beyond this machine answers
        if route.request.url.startswith(offline_app.url):
            route.continue_()
        else:
            tiles.append(route.request.url)
            route.abort()

    page.route("**/*", no_network)
    page.goto(offline_app.url + f"/?{view}basemap={basemap}")
    element = page.locator("[data-gz-selection] .gz-map")
    element.wait_for(state="attached")
    page.locator(f"[data-gz-offline={mode}][data-gz-context]").wait_for(state="attached")
    notice = page.locator(".gz-notice[title^='底图瓦片无法加载，显示离线底图']", has_text="离线底图")
    if mode == "fallback":
        notice.wait_for()
        assert tiles  # tiles were asked for, and failed
    else:
        assert notice.count() == 0 and not tiles
    wait_settled(page)
    set_view(element, 23.13, 113.33, 13)
    page.wait_for_timeout(300)  # the canvas redraws on the frame after the move
    shot = tmp_path / f"offline-{basemap}-{view[:14]}.png"
    page.screenshot(path=str(shot))
    img = Image.open(shot).convert("RGB")
    where = {  # (lat, lon) -> what the OSM fixture has there
        (23.1145, 113.305): "water",  # 珠江 (a river area)
        (23.1489, 113.29): "rail",  # 广深铁路
        (23.12525, 113.345): "roads",  # 黄埔大道
    }
    for (lat, lon), group in where.items():
        assert _colour_near(img, *point_of(element, lat, lon), CONTEXT_COLOURS[group]), group
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "OpenStreetMap" in attribution
    page.close()
