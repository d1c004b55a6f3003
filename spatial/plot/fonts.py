"""A CJK font for the map exports, shipped through PyPI and registered at run time.

The exports draw Chinese text with the Simplified Chinese face of Noto Sans CJK, taken from the
PyPI package ``noto-cjk-sans-otc`` (SIL Open Font License 1.1), never from fonts installed on the
host. That collection is CFF-flavoured; a CFF font embedded in a PDF as TrueType (matplotlib's
``pdf.fonttype`` 42) can give Chinese text that extracts but draws blank in some viewers. So the
SC face is converted once to a real TrueType font (cubic CFF outlines to quadratic ``glyf``
outlines with fontTools' ``cu2qu``), limited to the code points maps need (Latin, punctuation,
symbols, CJK Unified Ideographs with Extension A), and cached under the user's cache folder
(``$GZMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/gzplan-map``, else ``~/.cache/gzplan-map``; a temp
folder if none is writable). The cache file is written atomically next to a SHA-256 sidecar; a
file whose hash does not match is rebuilt.

The converted font is renamed ``Noto Sans CJK SC TT (gzplan)`` so that a host copy of Noto Sans
CJK SC can never be picked instead of it. Licence and copyright names are kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from spatial._io import atomic_path

__all__ = [
    "FONT_FAMILY",
    "FONT_LICENCE",
    "FontBuildError",
    "cache_dir",
    "cjk_font_path",
    "register_cjk_font",
    "source_font_path",
]

#: Family name of the converted font as matplotlib sees it.
FONT_FAMILY = "Noto Sans CJK SC TT (gzplan)"
FONT_PS_NAME = "NotoSansCJKsc-Regular-gzplanTT"
FONT_LICENCE = "Noto Sans CJK SC, SIL Open Font License 1.1"

SOURCE_PACKAGE = "noto-cjk-sans-otc"
SOURCE_FACE = "Noto Sans CJK SC"  # family name of the face to take from the collection
#: Bump when the conversion changes, so old cache files are not reused.
CONVERTER_VERSION = 1
#: Curve-fitting tolerance of cubic -> quadratic conversion, in font units (1000 per em).
MAX_ERR_UNITS = 1.0

#: Code point ranges kept in the converted font (inclusive).
UNICODE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A/B (pinyin tone marks)
    (0x0370, 0x03FF),  # Greek (μ, Ω)
    (0x2000, 0x206F),  # General punctuation (— “ ” … ‰)
    (0x2070, 0x209F),  # super- and subscripts
    (0x20A0, 0x20CF),  # currency
    (0x2100, 0x218F),  # letterlike symbols, number forms (℃, Ⅰ Ⅱ Ⅲ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ②)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (■ ▲ ●)
    (0x2600, 0x26FF),  # miscellaneous symbols (★)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》【】)
    (0x3040, 0x30FF),  # kana (・)
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (㎡ ㎞)
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half- and full-width forms (，：（）)
)


class FontBuildError(RuntimeError):
    """The CJK font could not be found or converted."""


def source_font_path() -> Path:
    """Path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``."""
    try:
        import noto_cjk_sans_otc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise FontBuildError(
            f"the map exports need the PyPI package {SOURCE_PACKAGE} (pip install {SOURCE_PACKAGE})"
        ) from exc
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.is_file():
        raise FontBuildError(f"{SOURCE_PACKAGE} is installed but {path} is missing")
    return path


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


def cache_dir() -> Path:
    """The folder for converted fonts (created if needed).

    ``$GZMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/gzplan-map``, else ``~/.cache/gzplan-map``;
    a per-user folder in the system temp folder when none of these is writable.
    """
    candidates: list[Path] = []
    if os.environ.get("GZMAP_CACHE_DIR"):
        candidates.append(Path(os.environ["GZMAP_CACHE_DIR"]))
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) if xdg else Path.home() / ".cache"
        candidates.append(base / "gzplan-map")
    candidates.append(Path(tempfile.gettempdir()) / f"gzplan-map-{os.getuid()}")
    for folder in candidates:
        fonts = folder / "fonts"
        if _writable_dir(fonts):
            return fonts
    raise FontBuildError(f"no writable cache folder among {', '.join(map(str, candidates))}")


def _cache_name(source: Path) -> str:
    try:
        version = metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
        version = "unknown"
    key = f"{version}:{source.stat().st_size}:{CONVERTER_VERSION}:{MAX_ERR_UNITS}:{UNICODE_RANGES}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"NotoSansCJKsc-Regular-tt-{digest}.ttf"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_intact(font: Path) -> bool:
    """True when the cached font and its sidecar agree and FreeType can draw 广 with it."""
    sidecar = font.with_name(font.name + ".sha256")
    if not (font.is_file() and sidecar.is_file()):
        return False
    try:
        if sidecar.read_text(encoding="ascii").strip() != _sha256(font):
            return False
        from matplotlib.ft2font import FT2Font

        ft = FT2Font(str(font))
        return ft.family_name == FONT_FAMILY and ft.get_char_index(ord("广")) != 0
    except (OSError, RuntimeError, ValueError, UnicodeDecodeError):
        return False


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock, so two processes don't convert the font at once."""
    with path.open("a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _find_face(source: Path) -> int:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source), lazy=True)
    try:
        for index, face in enumerate(collection.fonts):
            if face["name"].getDebugName(1) == SOURCE_FACE:
                return index
    finally:
        collection.close()
    raise FontBuildError(f"{source} has no face named {SOURCE_FACE!r}")


def _quadratic_glyphs(source: str, face: int, names: list[str]) -> list[object]:
    """Draw glyphs of one face through cu2qu into TrueType glyphs (runs in a worker)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=face, lazy=True)
    try:
        glyph_set = font.getGlyphSet()
        out = []
        for name in names:
            pen = TTGlyphPen(None)
            glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR_UNITS, reverse_direction=True))
            out.append(pen.glyph())
        return out
    finally:
        font.close()


def _convert_glyphs(source: Path, face: int, names: list[str]) -> dict[str, object]:
    """Convert glyphs on every core (the conversion is CPU-bound pure Python)."""
    workers = max(1, min(4, os.cpu_count() or 1))
    if workers == 1:
        return dict(zip(names, _quadratic_glyphs(str(source), face, names), strict=True))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [names[i::workers] for i in range(workers)]
    # spawn, not fork: the caller may be a threaded server (the app)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        results = list(
            pool.map(_quadratic_glyphs, [str(source)] * workers, [face] * workers, chunks)
        )
    glyphs: dict[str, object] = {}
    for chunk, result in zip(chunks, results, strict=True):
        glyphs.update(zip(chunk, result, strict=True))
    return {name: glyphs[name] for name in names}


def convert_sc_face(source: Path, out: Path) -> None:
    """Write the SC face of ``source`` as a TrueType-outline font to ``out``.

    Parameters
    ----------
    source : Path
        The Noto Sans CJK ``.ttc`` collection.
    out : Path
        Where to write the ``.ttf`` (not atomically; callers write to a temporary path).
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.ttLib import TTFont

    face = _find_face(source)
    src = TTFont(str(source), fontNumber=face, lazy=True)
    try:
        if "CFF " not in src:
            raise FontBuildError(f"{source}: expected CFF outlines in the {SOURCE_FACE} face")
        best = src.getBestCmap()
        wanted = {cp for lo, hi in UNICODE_RANGES for cp in range(lo, hi + 1)}
        cmap = {cp: name for cp, name in best.items() if cp in wanted}
        names = [".notdef", *sorted(set(cmap.values()) - {".notdef"}, key=src.getGlyphID)]
        hmtx = src["hmtx"]
        metrics = {name: hmtx[name] for name in names}
        glyphs = _convert_glyphs(source, face, names)
        head = src["head"]
        hhea = src["hhea"]
        os2 = src["OS/2"]
        name_table = src["name"]

        def src_name(name_id: int) -> str:
            return name_table.getDebugName(name_id) or ""

        fb = FontBuilder(head.unitsPerEm, isTTF=True)
        fb.setupGlyphOrder(names)
        fb.setupCharacterMap(cmap)
        fb.setupGlyf(glyphs)
        fb.setupHorizontalMetrics(metrics)
        fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
        fb.setupNameTable(
            {
                "copyright": src_name(0),
                "familyName": FONT_FAMILY,
                "styleName": "Regular",
                "uniqueFontIdentifier": f"{FONT_PS_NAME};converted from {src_name(3)}",
                "fullName": f"{FONT_FAMILY} Regular",
                "version": src_name(5),
                "psName": FONT_PS_NAME,
                "trademark": src_name(7),
                "manufacturer": src_name(8),
                "description": (
                    f"{SOURCE_FACE} from the {SOURCE_PACKAGE} collection with its CFF outlines "
                    "converted to TrueType outlines for embedding in map exports."
                ),
                "licenseDescription": src_name(13),
                "licenseInfoURL": src_name(14),
            },
            mac=False,
        )
        fb.setupOS2(
            sTypoAscender=os2.sTypoAscender,
            sTypoDescender=os2.sTypoDescender,
            sTypoLineGap=os2.sTypoLineGap,
            usWinAscent=os2.usWinAscent,
            usWinDescent=os2.usWinDescent,
            achVendID=os2.achVendID,
            usWeightClass=os2.usWeightClass,
            fsType=0,  # the OFL allows embedding; 0 = installable
            ulCodePageRange1=os2.ulCodePageRange1,
            ulCodePageRange2=os2.ulCodePageRange2,
            panose=os2.panose,
            sxHeight=getattr(os2, "sxHeight", 0),
            sCapHeight=getattr(os2, "sCapHeight", 0),
        )
        fb.setupPost(keepGlyphNames=False)
        fb.font["head"].fontRevision = head.fontRevision
        fb.font["head"].created = head.created
        fb.font["head"].modified = head.modified
        fb.save(str(out))
    finally:
        src.close()


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the converted CJK font, converting and caching it on first use.

    Returns
    -------
    Path
        A TrueType font in the cache folder (see :func:`cache_dir`).

    Raises
    ------
    FontBuildError
        When the source collection is missing or cannot be converted.
    """
    source = source_font_path()
    folder = cache_dir()
    font = folder / _cache_name(source)
    if _is_intact(font):
        return font
    with _lock(folder / ".lock"):
        if _is_intact(font):  # another process built it while we waited
            return font
        try:
            with atomic_path(font) as tmp:
                convert_sc_face(source, tmp)
            digest = _sha256(font)
        except FontBuildError:
            raise
        except Exception as exc:
            raise FontBuildError(f"converting {source} to TrueType failed: {exc}") from exc
        with atomic_path(font.with_name(font.name + ".sha256")) as tmp:
            tmp.write_text(digest + "\n", encoding="ascii")
    if not _is_intact(font):
        raise FontBuildError(f"the converted font {font} does not load")
    return font


@lru_cache(maxsize=1)
def register_cjk_font() -> str:
    """Register the converted CJK font with matplotlib; return its family name.

    Idempotent. Use the family in an ``rc_context`` (``font.family``) rather than setting
    ``rcParams`` globally.
    """
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return FONT_FAMILY
