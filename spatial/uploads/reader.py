"""User-uploaded layers: GeoJSON or GeoPackage read in a throw-away process, never trusted.

An uploaded layer may carry any properties; a display name is taken from ``name``, ``名称`` or
``id``. Every property is kept as untrusted plain text: nothing here strips or escapes it, so the
map must escape it where it renders it (the single place that knows the output format).

Reading happens out of the caller's process: each file is parsed by a fresh worker process
(forked from a small fork server that has the parser imported, so a parse starts in a few
milliseconds) with a memory limit, a CPU limit and a wall-clock deadline. A file that breaches
one is killed with its process and answered with 文件处理超时 / 超出内存限制; the server's own
memory never holds more than the plain result (text properties and WKB). The caps on features,
vertices, properties and value length (:mod:`spatial.uploads._worker`) bound what the map draws.

At most :data:`MAX_CONCURRENT` files are read at once in one server process; a later upload
waits its turn (the caller is told, to tell the user 排队中 Queued) up to
:data:`QUEUE_LIMIT_S` seconds, and at most :data:`MAX_QUEUED` wait: past either the answer is a
refusal saying the server is busy. The time limit starts when the worker starts parsing, never
while the file waits.

Reading never raises for bad input and never writes anything that outlives the call: a refused
file comes back as a :class:`UserLayer` with ``gdf=None`` and messages (Chinese first, English
after) saying what is wrong and where. The geometry checks are the curated layers' own
(:func:`spatial.plans.validate.check_geometry`): known geometry type, finite coordinates inside
Guangzhou (which catches swapped lon/lat and projected metres), valid shapes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from spatial._problems import Problem
from spatial.uploads import _worker as worker
from spatial.uploads._worker import (
    ACCEPTED_SUFFIXES,
    MAX_ANSWER_BYTES,
    MAX_COLUMNS,
    MAX_FEATURES,
    MAX_MAP_BYTES,
    MAX_NAME_CHARS,
    MAX_PARTS,
    MAX_PROBLEMS_LISTED,
    MAX_PROPERTIES,
    MAX_UPLOAD_BYTES,
    MAX_VALUE_CHARS,
    MAX_VERTICES_TOTAL,
    MEMORY_LIMIT_BYTES,
    TIME_LIMIT_S,
    display_name,
)

__all__ = [
    "ACCEPTED_SUFFIXES",
    "MAX_ANSWER_BYTES",
    "MAX_COLUMNS",
    "MAX_FEATURES",
    "MAX_MAP_BYTES",
    "MAX_PARTS",
    "MAX_PROBLEMS_LISTED",
    "MAX_PROPERTIES",
    "MAX_UPLOAD_BYTES",
    "MAX_VALUE_CHARS",
    "MAX_CONCURRENT",
    "MAX_QUEUED",
    "MAX_VERTICES_TOTAL",
    "MEMORY_LIMIT_BYTES",
    "QUEUE_LIMIT_S",
    "TIME_LIMIT_S",
    "UserLayer",
    "display_name",
    "limits_text",
    "read_user_layer",
    "start_worker",
]

#: Largest answer read from a worker (its own cap, MAX_ANSWER_BYTES, plus room for a refusal).
_MAX_ANSWER_BYTES = MAX_ANSWER_BYTES + 1024 * 1024

#: Files read at once by one server process (each worker may use a whole core).
MAX_CONCURRENT = max(1, int(os.environ.get("GZMAP_UPLOAD_WORKERS", "2")))

#: Files that may wait for a free worker; one more is refused as busy.
MAX_QUEUED = 16

#: Longest wait for a free worker (seconds); longer is refused as busy.
QUEUE_LIMIT_S = 60.0

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT)
_WAITING_LOCK = threading.Lock()
_WAITING = 0

_CONTEXT_LOCK = threading.Lock()
_CONTEXT: Any = None


@dataclass
class UserLayer:
    """An uploaded layer, read or refused.

    Attributes
    ----------
    name : str
        The file name without folders (untrusted text, like everything in the layer).
    gdf : geopandas.GeoDataFrame or None
        EPSG:4326, one row per feature: ``name`` (display name), every original property as
        text (None where absent), ``geometry``. None when the file was refused.
    problems : list of str
        Why the file was refused, one message per problem, Chinese first then English.
    notes : list of str
        Things the user should know about an accepted file (e.g. only the first of several
        GeoPackage layers was read).
    """

    name: str
    gdf: gpd.GeoDataFrame | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the layer was read and can be drawn."""
        return self.gdf is not None and not self.problems


def limits_text() -> str:
    """The upload limits and accepted formats in one line (Chinese, then English)."""
    mib = f"{MAX_UPLOAD_BYTES / 1024 / 1024:g} MiB"
    mb = f"{MAX_MAP_BYTES / 1e6:g} MB"
    return (
        f"GeoJSON（.geojson/.json）或 GeoPackage（.gpkg），≤ {mib}；最多 {MAX_FEATURES:,} 个要素"
        f"（多部件几何的每个部件各计一个）、{MAX_VERTICES_TOTAL:,} 个顶点，每个要素最多 "
        f"{MAX_PROPERTIES} 个属性、全图层最多 {MAX_COLUMNS} 种属性名、每个值最多 "
        f"{MAX_VALUE_CHARS:,} 个字符，地图数据最多 {mb}（超出则不叠加，不作简化）。 "
        f"GeoJSON or GeoPackage, at most {mib}, {MAX_FEATURES:,} features (each part of a "
        f"multi-part geometry counts as one), {MAX_VERTICES_TOTAL:,} vertices, "
        f"{MAX_PROPERTIES} properties per feature, {MAX_COLUMNS} property names per layer, "
        f"{MAX_VALUE_CHARS:,} characters per value, {mb} of map data (refused beyond, not "
        "simplified)."
    )


def read_user_layer(
    data: bytes, filename: str, on_queued: Callable[[int], None] | None = None
) -> UserLayer:
    """Read an uploaded GeoJSON or GeoPackage layer, or say clearly why it is refused.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    filename : str
        The name the user's browser gave it; its ending picks the reader (``.geojson``,
        ``.json``, ``.gpkg``).
    on_queued : callable, optional
        Called once, with the number of files waiting (this one included), when every worker
        is busy and the file must wait its turn (see the module notes).

    Returns
    -------
    UserLayer
        ``gdf`` in EPSG:4326 when every feature passed, else ``gdf=None`` and ``problems``.
        Nothing is written or cached either way (a GeoPackage is read from a temporary file
        in the worker, removed before it answers). The answer comes within
        ``TIME_LIMIT_S`` seconds (plus the worker's start) of its turn.
    """
    name = _base_name(filename)
    layer = UserLayer(name=name)
    why = _quick_refusal(data, name)
    if why:
        layer.problems = [worker.message(Problem(name, "", why))]
        return layer
    with _Turn(name, on_queued) as refusal:
        answer = refusal or _run_worker(data, name)
    layer.notes = [str(n) for n in answer.get("notes", [])]
    layer.problems = [str(p) for p in answer.get("problems", [])]
    if layer.problems:
        return layer
    try:
        layer.gdf = _frame(answer)
    except (KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as exc:
        layer.problems = [worker.message(Problem(name, "", f"worker stopped: bad answer ({exc})"))]
    return layer


def start_worker() -> None:
    """Start the fork server now (it is otherwise started by the first upload).

    The server's temporary folder (a socket) is made at its start, so an app calls this once
    at start-up; later uploads create nothing on disk in the server's process.
    """
    ctx = _context()
    if ctx.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    # The fork server is a new interpreter that finds `spatial` on its own path: put the folder
    # holding this copy first, whatever the working directory and the installed copy are.
    root = str(package_root())
    with _CONTEXT_LOCK:
        before = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join([root, before] if before else [root])
        try:
            forkserver.ensure_running()
        finally:
            if before is None:
                del os.environ["PYTHONPATH"]
            else:
                os.environ["PYTHONPATH"] = before


class _Turn:
    """A free worker slot for the block, or (as the block's value) a refusal saying why not."""

    def __init__(self, name: str, on_queued: Callable[[int], None] | None) -> None:
        self.name = name
        self.on_queued = on_queued
        self.held = False

    def __enter__(self) -> dict[str, Any] | None:
        global _WAITING
        if _SLOTS.acquire(blocking=False):
            self.held = True
            return None
        with _WAITING_LOCK:
            if _WAITING >= MAX_QUEUED:
                return _failure(self.name, f"server is busy: {_WAITING} uploads are waiting")
            _WAITING += 1
            waiting = _WAITING
        try:
            if self.on_queued is not None:
                self.on_queued(waiting)
            start = time.monotonic()
            self.held = _SLOTS.acquire(timeout=QUEUE_LIMIT_S)
        finally:
            with _WAITING_LOCK:
                _WAITING -= 1
        if not self.held:
            waited = time.monotonic() - start
            return _failure(self.name, f"server is busy: no worker free after {waited:.0f} s")
        return None

    def __exit__(self, *exc: object) -> None:
        if self.held:
            _SLOTS.release()


def package_root() -> Path:
    """The folder holding this copy of the ``spatial`` package (put first on the fork server's
    path, so its workers run this copy's parser, not another installed one)."""
    return Path(__file__).resolve().parents[2]


# -- the worker ---------------------------------------------------------------------------------
def _context() -> Any:
    """The process context: a fork server preloaded with the parser, else a spawn context."""
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["spatial.uploads._worker", "spatial.uploads._process"])
            else:
                ctx = multiprocessing.get_context("spawn")
            _CONTEXT = ctx
        return _CONTEXT


def _process(ctx: Any, args: tuple[Any, ...], start_timeout: float) -> Any:
    """The worker process (see :mod:`spatial.uploads._process` for why not ``ctx.Process``)."""
    if ctx.get_start_method() != "forkserver":
        return ctx.Process(target=worker.child_main, args=args, daemon=True)
    from spatial.uploads._process import WorkerProcess

    return WorkerProcess(
        start_timeout=start_timeout, target=worker.child_main, args=args, daemon=True
    )


def _run_worker(
    data: bytes,
    name: str,
    seconds: float = TIME_LIMIT_S,
    memory_bytes: int = MEMORY_LIMIT_BYTES,
) -> dict[str, Any]:
    """Parse in a fresh process; kill it at the deadline; always return an answer dict."""
    ctx = _context()
    start_worker()
    receiver, sender = ctx.Pipe(duplex=False)
    args = (sender, data, name, seconds, memory_bytes)
    proc = _process(ctx, args, start_timeout=seconds)
    try:
        proc.start()
    except (OSError, EOFError) as exc:  # TimeoutError is an OSError: a busy or wedged fork server
        sender.close()
        receiver.close()
        if isinstance(exc, TimeoutError):
            return _failure(name, f"took longer than the {seconds:g} s time limit to start")
        return _failure(name, f"worker stopped: could not start ({exc})")
    try:
        sender.close()
        if not receiver.poll(seconds + 1.0):
            return _failure(name, f"took longer than the {seconds:g} s time limit")
        raw = receiver.recv_bytes(_MAX_ANSWER_BYTES)
        answer = json.loads(raw.decode("utf-8"))
        if not isinstance(answer, dict):
            return _failure(name, "worker stopped: bad answer")
        return answer
    except (EOFError, OSError, ValueError):
        proc.join(1.0)
        return _failure(name, _why_stopped(proc.exitcode, seconds, memory_bytes))
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(2.0)
        if proc.exitcode is not None:
            proc.close()


def _why_stopped(exitcode: int | None, seconds: float, memory_bytes: int) -> str:
    if exitcode == -signal.SIGXCPU:
        return f"took longer than the {seconds:g} s time limit (CPU)"
    mib = f"{memory_bytes / 1024 / 1024:g} MiB"
    how = f"by signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"({exitcode})"
    return f"worker stopped {how} without an answer, most likely over the {mib} memory limit"


def _failure(name: str, why: str) -> dict[str, Any]:
    return {"problems": [worker.message(Problem(name, "", why))], "notes": []}


def _frame(answer: dict[str, Any]) -> gpd.GeoDataFrame:
    columns = [str(c) for c in answer["columns"]]
    frame = pd.DataFrame(answer["rows"], columns=columns, dtype=object)
    frame = frame.where(frame.notna(), None)  # an absent property is None, not NaN
    geoms = shapely.from_wkb([bytes.fromhex(h) for h in answer["wkb"]])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))


# -- checks made before any worker starts -------------------------------------------------------
def _quick_refusal(data: bytes, name: str) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        mib = 1024 * 1024
        return (
            f"file is {len(data) / mib:.1f} MiB, over the {MAX_UPLOAD_BYTES / mib:g} MiB "
            "limit for an upload"
        )
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in ACCEPTED_SUFFIXES:
        return f"unsupported file type {suffix or '(none)'!r}: use {', '.join(ACCEPTED_SUFFIXES)}"
    if suffix == ".gpkg" and not worker.is_gpkg(data):
        return "not a GeoPackage (SQLite GPKG header missing)"
    return ""


def _base_name(filename: str) -> str:
    """The file name without any folder part (browsers may send one)."""
    base = PureWindowsPath(PurePosixPath(str(filename)).name).name
    return base[:MAX_NAME_CHARS] or "upload"
