"""The map first on a new page: Streamlit's page served with the pre-boot script, and the
manifest it draws from (:mod:`spatial.webmap.preboot`, ``static/gzmap/preboot.js``).

:class:`PrebootPage` is the ASGI middleware ``asgi.py`` gives ``st.App`` (``make app``): it
rewrites the page Streamlit serves (``/``, ``/index.html``, under ``server.baseUrlPath`` too),
with the manifests of this process's own maps written in, and has the manifests' file
revalidated on every page (``no-cache``: a new layer version names new files). Behind nginx
(``make serve``) the published copy of the page is rewritten instead (``deploy/publish.py``). :func:`remember` is called by :func:`app.map.draw_map` with each
map it sends, and :func:`warm` when the server starts.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from app.appstate import APP_BASEMAP
from spatial.webmap import preboot

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_MANIFEST_PATH = re.compile(rf"/app/static/data/{preboot.MANIFEST}\.json$")
_LOG = logging.getLogger(__name__)
#: What a page's request may carry that would let Streamlit's answer skip the rewrite (a
#: compressed body, or "not modified" against the page Streamlit knows): answered here, for
#: the rewritten page.
_DROPPED = (b"accept-encoding", b"if-none-match", b"if-modified-since")
_STALE = (b"content-length", b"etag", b"last-modified", b"cache-control", b"content-encoding",
          b"vary")

#: The manifest of each basemap this process has drawn a map of (the last), with its layer
#: version, which the page it serves carries: a new page draws from its own server's layers,
#: whatever another process sharing ``static/`` wrote there.
_held: dict[str, tuple[str, dict[str, Any]]] = {}
_latest = {"stamp": ""}


def remember(basemap: str, stamp: str, manifest: dict[str, Any]) -> None:
    """The manifest of ``basemap``'s map of the layer version ``stamp``: kept for the pages
    this process serves, and written into ``static/data/preboot.json`` (for nginx) when it
    differs from the last this process wrote. A file that cannot be written is logged: the
    app's own pages carry the manifest all the same."""
    _latest["stamp"] = stamp
    if _held.get(basemap) == (stamp, manifest):
        return
    _held[basemap] = (stamp, manifest)
    try:
        preboot.write_manifest(manifest, basemap, stamp, APP_BASEMAP)
    except OSError as exc:
        _LOG.warning("the map's pre-boot manifest could not be written (%s): behind nginx "
                     "new pages wait for Streamlit to draw the map", exc)


def manifests() -> dict[str, Any]:
    """What this process's pages carry (:func:`spatial.webmap.preboot.page`): the manifests
    of the layer version drawn last."""
    latest = _latest["stamp"]
    return {"default": APP_BASEMAP,
            "basemaps": {k: m for k, (stamp, m) in list(_held.items()) if stamp == latest}}


def warm(make: Callable[[str, tuple, str], dict[str, Any] | None]) -> None:
    """The deployment's basemap's manifest, made with ``make(folder, stamp, basemap)``
    (:func:`app.map.preboot_manifest`) when the server starts (``asgi.py``), so that its first
    page draws the map first too; with it the layers, their data files and the basemap's
    script are ready before the first page asks. A failure is logged: the pages then wait for
    Streamlit, as without this module."""
    from app.data import layers_dir, layers_stamp

    # Streamlit's caches warn of every call made outside a page's run: expected here
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        _NotThisThread(threading.current_thread().name))
    try:
        folder = layers_dir()
        stamp = layers_stamp(folder)
        manifest = make(str(folder), stamp, APP_BASEMAP)
        if manifest is not None:
            remember(APP_BASEMAP, repr(stamp), manifest)
    except Exception:  # noqa: BLE001 - the server serves on without it, and says why
        _LOG.exception("the map's pre-boot manifest could not be made at start")


class _NotThisThread(logging.Filter):
    """Drops the records of one thread."""

    def __init__(self, thread: str) -> None:
        super().__init__()
        self.thread = thread

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != self.thread


def _is_page(path: str) -> bool:
    return path.endswith("/") or path.endswith("/index.html")


class PrebootPage:
    """ASGI middleware: Streamlit's page with the pre-boot script; manifests not cached."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
        elif _MANIFEST_PATH.search(scope["path"]):
            await self.app(scope, receive, _with_headers(send, [(b"cache-control", b"no-cache")]))
        elif _is_page(scope["path"]):
            await self._page(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = {k.lower(): v for k, v in scope["headers"] if k.lower() in _DROPPED}
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _DROPPED]
        start: Message = {}
        body: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await _answer(send, start, b"".join(body), asked)

        await self.app({**scope, "headers": headers}, receive, keep)


async def _answer(send: Send, start: Message, body: bytes, asked: dict[bytes, bytes]) -> None:
    """Streamlit's answer ``start``/``body``, the page rewritten; ``asked``: the request's
    ``Accept-Encoding`` and ``If-None-Match``, answered for the rewritten page (gzip, and a
    bodiless 304 while the page and its manifests are unchanged)."""
    headers = list(start.get("headers", []))
    kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    status = start.get("status")
    if status == 200 and kind.startswith(b"text/html"):
        try:
            body = preboot.page(body.decode("utf-8"), manifests()).encode("utf-8")
        except (OSError, ValueError):  # Streamlit's page as it is: the map waits for it
            _LOG.exception("the page could not be given the map's pre-boot script")
        tag = b'"' + hashlib.sha256(body).hexdigest()[:24].encode() + b'"'
        headers = [(k, v) for k, v in headers if k.lower() not in _STALE]
        headers += [(b"etag", tag), (b"cache-control", b"no-cache"), (b"vary", b"Accept-Encoding")]
        if tag in asked.get(b"if-none-match", b"").replace(b"W/", b"").split(b", "):
            status, body = 304, b""
        elif b"gzip" in asked.get(b"accept-encoding", b"") and len(body) >= 1024:
            body = gzip.compress(body, compresslevel=6)
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    names = {k for k, _v in extra}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message = {**message, "headers": kept + extra}
        await send(message)

    return sending
