"""The CJK font: the SC face of the PyPI collection, converted to TrueType and cached safely."""

from __future__ import annotations

import shutil
import site
import sysconfig
from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from spatial.plot import fonts


@pytest.fixture(scope="module")
def font_path() -> Path:
    return fonts.cjk_font_path()


def test_converted_font_is_truetype_sc_with_the_licence(font_path: Path) -> None:
    font = TTFont(str(font_path), lazy=True)
    try:
        assert "glyf" in font and "CFF " not in font  # quadratic outlines, not CFF
        cmap = font.getBestCmap()
        for ch in "广州市科技创新“十四五”规划黄埔番禺琶洲增城从化—·（）①㎞":
            assert ord(ch) in cmap, ch
        names = font["name"]
        assert names.getDebugName(1) == fonts.FONT_FAMILY
        assert "Open Font License" in names.getDebugName(13)
        assert font["OS/2"].fsType == 0  # embeddable
    finally:
        font.close()


def _bounds(font: TTFont, ch: str) -> tuple[float, float, float, float]:
    glyph_set = font.getGlyphSet()
    pen = BoundsPen(glyph_set)
    glyph_set[font.getBestCmap()[ord(ch)]].draw(pen)
    return tuple(round(v) for v in pen.bounds)


def test_sc_face_draws_simplified_forms(font_path: Path) -> None:
    """直 关 角 are drawn differently in the SC and JP faces: the outlines must be SC's."""
    source = fonts.source_font_path()
    sc = TTFont(str(source), fontNumber=fonts._find_face(source), lazy=True)
    jp = TTFont(str(source), fontNumber=0, lazy=True)
    converted = TTFont(str(font_path), lazy=True)
    try:
        assert sc["name"].getDebugName(1) == "Noto Sans CJK SC"
        assert jp["name"].getDebugName(1) == "Noto Sans CJK JP"
        for ch in "直关角":
            assert _bounds(sc, ch) != _bounds(jp, ch)
            assert _bounds(converted, ch) == _bounds(sc, ch)
    finally:
        for font in (sc, jp, converted):
            font.close()


def test_cache_lives_outside_site_packages(font_path: Path) -> None:
    roots = {Path(p).resolve() for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]]}
    assert not any(root in font_path.resolve().parents for root in roots)
    assert font_path.with_name(font_path.name + ".sha256").is_file()


def test_matplotlib_finds_the_registered_font(font_path: Path) -> None:
    from matplotlib import font_manager

    family = fonts.register_cjk_font()
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert Path(found).resolve() == font_path.resolve()


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch, font_path: Path) -> None:
    monkeypatch.setenv("GZMAP_CACHE_DIR", str(tmp_path))
    built: list[Path] = []

    def fake_convert(source: Path, out: Path) -> None:  # the real conversion takes ~30 s
        built.append(out)
        shutil.copyfile(font_path, out)

    monkeypatch.setattr(fonts, "convert_sc_face", fake_convert)
    fonts.cjk_font_path.cache_clear()
    try:
        first = fonts.cjk_font_path()
        assert first.parent == tmp_path / "fonts" and len(built) == 1
        # truncate the cached file: the hash no longer matches, so it is rebuilt
        data = first.read_bytes()
        first.write_bytes(data[: len(data) // 2])
        assert not fonts._is_intact(first)
        fonts.cjk_font_path.cache_clear()
        second = fonts.cjk_font_path()
        assert second == first and len(built) == 2
        assert fonts._is_intact(second)
        # an intact cache is reused, not rebuilt
        fonts.cjk_font_path.cache_clear()
        fonts.cjk_font_path()
        assert len(built) == 2
        assert not list((tmp_path / "fonts").glob(".*.tmp"))  # no temporary files left behind
    finally:
        fonts.cjk_font_path.cache_clear()


def test_failed_conversion_leaves_no_font(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GZMAP_CACHE_DIR", str(tmp_path))

    def broken(source: Path, out: Path) -> None:
        out.write_bytes(b"half a font")
        raise RuntimeError("disk full")

    monkeypatch.setattr(fonts, "convert_sc_face", broken)
    fonts.cjk_font_path.cache_clear()
    try:
        with pytest.raises(fonts.FontBuildError, match="disk full"):
            fonts.cjk_font_path()
        assert not list((tmp_path / "fonts").glob("*.ttf"))
        assert not list((tmp_path / "fonts").glob(".*.tmp"))
    finally:
        fonts.cjk_font_path.cache_clear()
