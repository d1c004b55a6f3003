"""The files nginx serves, copied where its workers can read them, each as small as it gets.

:func:`publish` copies Streamlit's front end (its ``index.html``, JavaScript, CSS and fonts) and
the app's ``static/`` into the run folder's ``www`` (the page rewritten to draw the map before
Streamlit's front end starts, :func:`preboot_page`), readable by everyone (see deploy/run.sh),
each text file with a gzip twin beside it (``x.js.gz``, sent as it is by nginx's gzip_static).
Streamlit's icon font (Material Symbols, 375 KB: every one of its ~4,000 icons) is cut down to
the icons Streamlit's front end and the app can name, some 12 KB (:func:`icon_font`).
:func:`compress` then adds brotli twins (``x.js.br``, for nginx's brotli_static) at brotli's
best and slowest setting; it is meant to run in the background, and keeps what it made in a
cache keyed by content, so that a file is compressed once per machine.

Both copy only what is new or changed, each file under a temporary name that is then renamed,
so they can run again while nginx serves ``www``. The icon font and the brotli twins need
fontTools (installed with the app) and the ``brotli`` package (the ``serve`` extra): without
``brotli`` the font is copied whole and there are no brotli twins.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

try:
    import brotli
except ImportError:  # the serve extra is not installed
    brotli = None

FILE_MODE = 0o644
DIR_MODE = 0o755
#: Files worth a gzip or brotli twin (fonts and images are compressed already).
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".json", ".geojson", ".svg", ".txt", ".wasm",
                ".map", ".xml"}
MIN_COMPRESS = 1024  # as nginx's gzip_min_length
#: Streamlit's icon font: Material Symbols, drawn by ligatures (the text "expand_more" in that
#: font is one glyph).
ICON_FONT = re.compile(r"^MaterialSymbols-\w+\.[\w-]+\.woff2$")
#: How Streamlit's front end, its Python side and the app name an icon.
ICON_NAME = re.compile(r":material/([a-z0-9_]+):")
#: The app's own sources, where a ``:material/...:`` icon would be named.
APP_SOURCES = ("app", "spatial", "streamlit_app.py")


def _write_atomically(dst: Path, data: bytes, mtime: float) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, FILE_MODE)
    os.utime(tmp, (mtime, mtime))
    os.replace(tmp, dst)


def _twin_is_current(path: Path, twin: Path) -> bool:
    try:
        return int(twin.stat().st_mtime) == int(path.stat().st_mtime)
    except FileNotFoundError:
        return False


def _worth_a_twin(path: Path) -> bool:
    return path.suffix in COMPRESSIBLE and path.stat().st_size >= MIN_COMPRESS


def _gzip_twin(path: Path) -> bool:
    """Write ``path``.gz beside a compressible file unless it is there for this version."""
    twin = path.with_name(path.name + ".gz")
    if not _worth_a_twin(path) or _twin_is_current(path, twin):
        return False
    st = path.stat()
    packed = gzip.compress(path.read_bytes(), compresslevel=9, mtime=int(st.st_mtime))
    if len(packed) > 0.9 * st.st_size:
        return False
    _write_atomically(twin, packed, st.st_mtime)
    return True


def _cached(cache: Path, name: str, make) -> bytes:
    """``cache``/``name``, made by ``make()`` and kept there when it is not there yet."""
    kept = cache / name
    try:
        return kept.read_bytes()
    except OSError:
        pass
    data = make()
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(kept, data, time.time())
    except OSError:  # a cache that cannot be written only costs the work again
        pass
    return data


def _brotli_twin(path: Path, cache: Path) -> bool:
    """Write ``path``.br (brotli's quality 11) unless it is there for this version."""
    twin = path.with_name(path.name + ".br")
    if brotli is None or not _worth_a_twin(path) or _twin_is_current(path, twin):
        return False
    st = path.stat()
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    packed = _cached(cache, f"br/{key}.br", lambda: brotli.compress(data, quality=11))
    if len(packed) > 0.9 * st.st_size:
        return False
    _write_atomically(twin, packed, st.st_mtime)
    return True


def icon_names(streamlit_dir: Path, app_root: Path) -> set[str]:
    """Every icon named as ``:material/<name>:`` in Streamlit's front end (its scripts), its
    Python side and the app's sources: all the icons a page of the app can draw."""
    files: Iterable[Path] = [
        *(streamlit_dir / "static").rglob("*.js"),
        *streamlit_dir.rglob("*.py"),
        *(p for name in APP_SOURCES for p in _python_files(app_root / name)),
    ]
    return {name for f in files for name in ICON_NAME.findall(f.read_text(errors="replace"))}


def _python_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from path.rglob("*.py")


def icon_font(font: Path, names: set[str]) -> bytes:
    """``font`` (a Material Symbols woff2) with only the icons ``names``, and the letters that
    spell them: its ligatures for other names are dropped, then fontTools' subsetter keeps the
    glyphs still reachable."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    ttf = TTFont(font, recalcTimestamp=False)  # the same bytes for the same font and names
    char_of = {glyph: chr(code) for code, glyph in ttf.getBestCmap().items()}
    kept: list[str] = []
    for lookup in ttf["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)  # an extension lookup's own table
            if table.LookupType != 4:  # not ligatures
                continue
            for first, ligatures in list(table.ligatures.items()):
                wanted = [lig for lig in ligatures if char_of.get(first, "") + "".join(
                    char_of.get(glyph, "\0") for glyph in lig.Component) in names]
                kept += [lig.LigGlyph for lig in wanted]
                if wanted:
                    table.ligatures[first] = wanted
                else:
                    del table.ligatures[first]
    options = subset.Options(layout_features=["rlig", "liga"], flavor="woff2",
                             name_IDs=["*"], notdef_outline=True)
    cutter = subset.Subsetter(options)
    cutter.populate(text="".join(sorted(set("".join(names)))), glyphs=kept)
    cutter.subset(ttf)
    out = io.BytesIO()
    ttf.save(out)
    return out.getvalue()


def _publish_icon_font(src: Path, dst: Path, names: Callable[[], set[str]], cache: Path) -> bool:
    """``src`` cut to the icons ``names()`` at ``dst`` (cut once per font and set of names)."""
    data = src.read_bytes()
    wanted = names()
    key = hashlib.sha256(data + "\n".join(sorted(wanted)).encode()).hexdigest()
    cut = _cached(cache, f"icons/{key}.woff2", lambda: icon_font(src, wanted))
    try:
        if dst.read_bytes() == cut:
            return False
    except OSError:
        pass
    _write_atomically(dst, cut, src.stat().st_mtime)
    return True


def _copy_if_changed(src: Path, dst: Path) -> bool:
    """Copy ``src`` to ``dst`` (mode 0644, same mtime) unless ``dst`` has its size and mtime."""
    st = src.stat()
    try:
        have = dst.stat()
        if have.st_size == st.st_size and int(have.st_mtime) == int(st.st_mtime):
            return False
    except FileNotFoundError:
        pass
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    shutil.copyfile(src, tmp)
    os.chmod(tmp, FILE_MODE)
    os.utime(tmp, (st.st_atime, st.st_mtime))
    os.replace(tmp, dst)
    # A brotli twin of the old version must not be sent until compress() makes the new one.
    dst.with_name(dst.name + ".br").unlink(missing_ok=True)
    return True


def publish_tree(
    src: Path, dst: Path, icons: Callable[[], set[str]] | None = None, cache: Path | None = None
) -> int:
    """Mirror the files of ``src`` into ``dst`` (hidden files left out); how many were copied.
    With ``icons``, the icon font is cut to the names it returns (cached in ``cache``)."""
    copied = 0
    for folder, dirs, files in os.walk(src, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        target = dst / Path(folder).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        os.chmod(target, DIR_MODE)
        for name in sorted(files):
            if name.startswith("."):
                continue
            if icons and cache and brotli is not None and ICON_FONT.match(name):
                copied += _publish_icon_font(Path(folder) / name, target / name, icons, cache)
                continue
            copied += _copy_if_changed(Path(folder) / name, target / name)
            if name + ".gz" not in files:  # the source's own twin wins
                _gzip_twin(target / name)
    return copied


def preboot_page(index: Path) -> bool:
    """Streamlit's page at ``index`` rewritten to draw the map before Streamlit's front end
    starts (:func:`spatial.webmap.preboot.page`, as the app's own server does); whether it
    changed. It keeps the mtime of Streamlit's copy, whose other size has it copied anew (and
    rewritten again) by the next publish."""
    from spatial.webmap.preboot import page  # the app's package: folium, ~0.8 s to import

    html = index.read_text("utf-8")
    rewritten = page(html)
    if rewritten == html:
        return False
    _write_atomically(index, rewritten.encode("utf-8"), index.stat().st_mtime)
    for twin in (".br", ".gz"):  # of Streamlit's page, with the same mtime
        index.with_name(index.name + twin).unlink(missing_ok=True)
    _gzip_twin(index)
    return True


def publish(www: Path, streamlit_static: Path, app_static: Path, cache: Path) -> None:
    """Streamlit's front end at the root of ``www``, the app's ``static/`` at www/app/static."""
    www.mkdir(parents=True, exist_ok=True)
    os.chmod(www, DIR_MODE)
    found: list[set[str]] = []

    def names() -> set[str]:  # read once, and only when the icon font is published
        if not found:
            found.append(icon_names(streamlit_static.parent, app_static.parent))
        return found[0]

    publish_tree(streamlit_static, www, icons=names, cache=cache)
    preboot_page(www / "index.html")
    if app_static.is_dir():
        publish_tree(app_static, www / "app" / "static")
        os.chmod(www / "app", DIR_MODE)


def compress(www: Path, cache: Path) -> int:
    """Brotli twins for the text files of ``www`` that have none for their version, the
    smallest first (most of a page's files); how many were made. None without ``brotli``."""
    if brotli is None:
        return 0
    with open(www / ".compress.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one at a time: a later one finds the work done
        files = [Path(folder) / name for folder, _, names in os.walk(www) for name in names
                 if not name.startswith(".") and Path(name).suffix in COMPRESSIBLE]
        made = 0
        for path in sorted(files, key=lambda p: p.stat().st_size):
            try:
                made += _brotli_twin(path, cache)
            except FileNotFoundError:  # replaced by a publish meanwhile
                continue
        return made
