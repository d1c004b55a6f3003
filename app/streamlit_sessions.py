"""Upload storage and closed sessions bounded: narrow, documented patches of Streamlit (1.67).

Streamlit keeps every uploaded file in one in-memory store per server
(``MemoryUploadedFileManager``), by session id and file id, and its upload endpoint
(``PUT /_stcore/upload_file/<session>/<file>``) stores whatever arrives for a live session: any
number of files (each up to ``server.maxUploadSize``), under file ids the server never issued.
A closed tab's session is kept ``server.disconnectedSessionTTL`` seconds for a reconnect, then
dropped from its ``TTLCache`` without being shut down, so its files stayed in that store for the
life of the process and its state waited for a full garbage collection (rare with
``runner.postScriptGC = false``). :func:`bound_uploads` and :func:`free_closed_sessions` patch
the running server's own two objects (never Streamlit's classes, so AppTest is untouched):

- the store keeps only file ids it issued to that session (the last :data:`MAX_ISSUED`; any
  other is answered ``400``, nothing stored), and only the newest file of a session (the app
  has one uploader holding one file: a new one replaces it);
- the session store shuts a session down when it drops it (expired or evicted), as Streamlit
  does for a session closed outright: its files are removed and its script runner stopped.
  Expired sessions are swept every :data:`SWEEP_S` seconds on the server's event loop, and
  after a sweep that dropped any, a full collection runs and glibc is asked to return freed
  memory to the system (``malloc_trim``).

Both are applied by the app at every run (the first run patches; the process keeps them); a
Streamlit whose objects no longer look as expected is left unchanged, with a warning in the log.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import gc
import logging
import os
import threading
import types
from typing import Any

from streamlit.runtime import Runtime
from streamlit.runtime.caching.ttl_cache import TTLCache
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

__all__ = ["MAX_ISSUED", "SWEEP_S", "bound_uploads", "free_closed_sessions"]

_LOG = logging.getLogger(__name__)

#: Upload URLs remembered per session (a browser asks for one per file it is about to send).
MAX_ISSUED = 4

#: Seconds between sweeps of expired sessions (``GZMAP_SESSION_SWEEP_S``).
SWEEP_S = float(os.environ.get("GZMAP_SESSION_SWEEP_S", "15"))

_PATCH_LOCK = threading.Lock()


def _runtime() -> Any:
    return Runtime.instance() if Runtime.exists() else None


# -- uploads ------------------------------------------------------------------------------------
def bound_uploads() -> bool:
    """Make the server's upload store keep issued file ids only, one file per session.

    Returns
    -------
    bool
        True when the store is bounded (now or before); False without a server (AppTest) or
        when Streamlit's store no longer looks as expected (then it is left unchanged).
    """
    rt = _runtime()
    mgr = getattr(rt, "uploaded_file_mgr", None) if rt is not None else None
    if not isinstance(mgr, MemoryUploadedFileManager) or not hasattr(mgr, "file_storage"):
        if rt is not None:
            _LOG.warning("Streamlit's upload store changed; uploads are not bounded")
        return False
    with _PATCH_LOCK:
        if getattr(mgr, "_gz_bounded", False):
            return True
        issued: dict[str, collections.deque[str]] = {}
        get_urls, add_file, remove_session = (
            mgr.get_upload_urls, mgr.add_file, mgr.remove_session_files
        )

        def get_upload_urls(self: Any, session_id: str, file_names: Any) -> Any:
            infos = get_urls(session_id, file_names)
            with self._lock:
                ids = issued.setdefault(session_id, collections.deque(maxlen=MAX_ISSUED))
                ids.extend(info.file_id for info in infos)
            return infos

        def add_file_issued(self: Any, session_id: str, file: Any) -> None:
            with self._lock:
                known = file.file_id in issued.get(session_id, ())
                others = [f for f in self.file_storage.get(session_id, {}) if f != file.file_id]
            if not known:
                from starlette.exceptions import HTTPException

                raise HTTPException(status_code=400, detail="Unknown file id for this session")
            add_file(session_id, file)
            for file_id in others:  # only the newest file of the session is kept
                self.remove_file(session_id, file_id)

        def remove_session_files(self: Any, session_id: str) -> None:
            with self._lock:
                issued.pop(session_id, None)
            remove_session(session_id)

        mgr.get_upload_urls = types.MethodType(get_upload_urls, mgr)
        mgr.add_file = types.MethodType(add_file_issued, mgr)
        mgr.remove_session_files = types.MethodType(remove_session_files, mgr)
        mgr._gz_bounded = True
    return True


# -- sessions -----------------------------------------------------------------------------------
class _ShuttingDownCache(TTLCache):
    """The session store's cache, shutting down each session it drops on its own."""

    def expire(self, at_time: float | None = None) -> list[tuple[Any, Any]]:
        removed = super().expire(at_time)
        for _, info in removed:
            _shut_down(info)
        if removed:
            _return_memory()
        return removed

    def _evict_lru(self, reason: Any) -> Any:
        info = super()._evict_lru(reason)
        _shut_down(info)
        return info


def _shut_down(info: Any) -> None:
    try:
        info.session.shutdown()
    except Exception:  # a session half gone already: nothing more to free
        _LOG.warning("could not shut down an expired session", exc_info=True)


def _return_memory() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its allocator keeps it
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def free_closed_sessions() -> bool:
    """Make the server shut down the sessions it drops, and sweep expired ones.

    Returns
    -------
    bool
        True when the server does (now, or from its event loop's next turn); False without
        a server (AppTest) or when Streamlit's session store no longer looks as expected.
    """
    rt = _runtime()
    storage = getattr(getattr(rt, "_session_mgr", None), "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    if not isinstance(storage, MemorySessionStorage) or not isinstance(cache, TTLCache):
        if rt is not None:
            _LOG.warning("Streamlit's session store changed; closed sessions are not freed")
        return False
    with _PATCH_LOCK:
        if getattr(storage, "_gz_reaping", False):
            return True
        try:
            loop = rt._get_async_objs().eventloop
        except Exception:
            _LOG.warning("Streamlit's runtime changed; closed sessions are not freed")
            return False
        storage._gz_reaping = True
    loop.call_soon_threadsafe(_install, storage, loop)  # the store is the event loop's
    return True


def _install(storage: Any, loop: Any) -> None:
    old = storage._cache
    new = _ShuttingDownCache(maxsize=old.maxsize, ttl=old.ttl, timer=old.timer)
    for key, info in old.lru_items():
        new[key] = info
    storage._cache = new
    loop.call_later(SWEEP_S, _sweep, storage, loop)


def _sweep(storage: Any, loop: Any) -> None:
    try:
        storage._cache.expire()
    finally:
        loop.call_later(SWEEP_S, _sweep, storage, loop)
