"""The app's map drawn by Streamlit's page before Streamlit's front end starts.

A new page of the app spent ~1.1 s bringing up Streamlit's front end before the map's
component existed. :func:`page` rewrites Streamlit's ``index.html`` so that the page draws
the map first (``static/gzmap/preboot.js``, put inline in place of Streamlit's main module,
which it starts once the map is drawn); it is applied by the app's ASGI middleware
(:mod:`app.preboot`, ``asgi.py``, ``make app``) and to the copy of the page nginx serves
(``deploy/publish.py``, ``make serve``). What the script draws from is the *manifest* the app
keeps for each basemap it draws (:func:`write_manifest`): the client's files, the basemap's
script, the layers' data files and view index; the app's own server writes them into the
page, nginx's copy of the page fetches them from ``static/data/preboot.json``.

Both are plain text and files: nothing here imports Streamlit.
"""

from __future__ import annotations

import fcntl
import functools
import json
import re
from pathlib import Path
from typing import Any

from spatial._io import atomic_write_text
from spatial.webmap.publish import CLIENT_DIR, DATA_DIR

__all__ = ["MANIFEST", "manifest_path", "page", "write_manifest"]

#: The manifests' file in ``static/data``: ``preboot.json``.
MANIFEST = "preboot"
#: Streamlit's main module in its ``index.html`` (1.67): held back, started by the script.
_MAIN = re.compile(r'<script type="module" crossorigin src="(\./static/js/[\w.-]+\.js)"></script>')
_PRELOAD = re.compile(r'\s*<link rel="modulepreload" crossorigin href="(\./static/js/[\w.-]+\.js)">')
_HEADER = re.compile(r"\A/\*.*?\*/\s*", re.S)
_BASEMAP = re.compile(r"[a-z0-9_-]{1,40}")


def page(html: str, manifests: dict[str, Any] | None = None, script: str | None = None) -> str:
    """Streamlit's page with the pre-boot script inline in place of its main module, which the
    script starts, and of the links that fetch Streamlit's modules ahead, which it adds once
    the map's own files are asked for; unchanged when the page has no main module where
    Streamlit 1.67 puts it.

    Parameters
    ----------
    html : str
        Streamlit's ``index.html``.
    manifests : dict, optional
        ``{"default": basemap, "basemaps": {basemap: manifest}}``, written into the script (the
        app's own server: the manifests of its own maps); None: the script fetches them
        (:func:`manifest_path`, behind nginx).
    script : str, optional
        The script's source (default ``static/gzmap/preboot.js``).
    """
    found = _MAIN.search(html)
    if not found or "GzPreboot" in html:
        return html
    source = _HEADER.sub("", script, count=1) if script is not None else _script()
    # Streamlit's modules are fetched ahead by the script, once it has asked for the map's
    # files: those go first (a browser opens six connections to a server)
    modules = [found[1]] + _PRELOAD.findall(html)
    source = (source.replace('"@MAIN@"', json.dumps(found[1]))
              .replace('"@MODULES@"', json.dumps(modules))
              .replace('"@MANIFEST@"', json.dumps(f"./app/static/data/{MANIFEST}"))
              .replace('"@INLINE@"', _script_json(manifests)))
    if "</script" in source.lower():
        raise ValueError("the pre-boot script cannot be put inline: it holds </script")
    return _PRELOAD.sub("", html[: found.start()] + f"<script>{source}</script>" + html[found.end():])


def _script(path: Path = CLIENT_DIR / "preboot.js") -> str:
    """The script's source without its notes (they stay in the file), read again only when
    the file changes: the app's server rewrites every new page with it."""
    return _source(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _source(path: Path, _mtime_ns: int) -> str:
    return _HEADER.sub("", path.read_text("utf-8"), count=1)


def _script_json(value: Any) -> str:
    """``value`` as JSON that cannot end or break the inline script it is written into."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":  # no end of the script; no line end before ES2019
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def manifest_path(folder: Path = DATA_DIR) -> Path:
    """The manifests' file, which the page fetches behind nginx."""
    return folder / f"{MANIFEST}.json"


def write_manifest(manifest: dict[str, Any], basemap: str, stamp: str, default: str, *,
                   folder: Path = DATA_DIR) -> bool:
    """Put ``basemap``'s manifest of the layer version ``stamp`` into the manifests' file
    (``{"default": basemap, "basemaps": {basemap: manifest}}``), with those of other basemaps
    of the same version (another version's are dropped: their files are not the layers'
    now). Several processes may write: one at a time (a lock), each file replaced at once.
    Whether the file changed."""
    if not _BASEMAP.fullmatch(basemap):
        raise ValueError(f"not a basemap key: {basemap!r}")
    path = manifest_path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{MANIFEST}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            held = json.loads(path.read_text("utf-8"))
            kept = {k: v for k, v in held.get("basemaps", {}).items()
                    if isinstance(v, dict) and v.get("stamp") == stamp}
        except (OSError, ValueError, AttributeError):
            held, kept = None, {}
        kept[basemap] = {**manifest, "stamp": stamp}
        new = {"default": default, "basemaps": kept}
        if new == held:
            return False
        atomic_write_text(path, json.dumps(new, ensure_ascii=False, separators=(",", ":"),
                                           sort_keys=True))
        return True
