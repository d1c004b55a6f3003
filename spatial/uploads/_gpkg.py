"""A GeoPackage reader for untrusted files: plain SQLite, read-only, immutable, bounded.

GDAL opens a GeoPackage on its own terms (it follows views, runs whatever SQL a view holds, and
offers no way to set SQLite's limits), so an uploaded GeoPackage is read here with the standard
library's ``sqlite3`` instead. The rules:

- the file is opened through a ``file:…?mode=ro&immutable=1`` URI: nothing is ever written, no
  journal is replayed, no trigger can fire;
- SQLite's own limits are lowered (value length, SQL length, expression depth, no attached
  databases), extension loading stays off, ``trusted_schema`` is off, an authorizer refuses
  everything but reading (``ATTACH`` included), and a progress handler stops any statement that
  runs past the deadline;
- only layers that ``gpkg_contents`` lists as ``features`` *and* that are real tables (type
  ``table`` in ``sqlite_master``, not a view, not a virtual table, no computed columns) are read;
  every other layer is skipped with the reason.

A feature geometry is the GeoPackage binary header followed by standard (or ISO) WKB, which
shapely reads.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["GpkgError", "GpkgLayer", "read_gpkg"]

#: Longest text or blob value SQLite will build while reading (bytes).
MAX_SQLITE_VALUE = 1_000_000

# Envelope sizes (bytes) by the envelope indicator of a GeoPackage geometry header.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

# The GeoPackage tables the reader looks into: each must be a real table.
_CORE_TABLES = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys")

_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_ALLOWED_PRAGMAS = {"table_xinfo"}


class GpkgError(Exception):
    """The GeoPackage cannot be read; the message says why, in English."""


@dataclass
class GpkgLayer:
    """The first readable feature layer of a GeoPackage, as plain values.

    Attributes
    ----------
    name : str
        The layer's table name (untrusted text).
    columns : list of str
        Property column names (the geometry and the integer primary key left out).
    rows : list of tuple
        One tuple of plain values (int, float, str, bytes or None) per feature.
    wkb : list of bytes or None
        Each feature's geometry as WKB (None for a missing geometry).
    crs : str or None
        ``EPSG:<code>`` or a WKT definition; None when the layer has no defined CRS.
    skipped : list of str
        Other layers, each with why it was not read ("'x' is a view, not a table").
    n_layers : int
        How many layers were readable (only the first is read).
    """

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    wkb: list[bytes | None]
    crs: str | None
    skipped: list[str] = field(default_factory=list)
    n_layers: int = 1


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _authorizer(action: int, arg1: Any, arg2: Any, db: Any, source: Any) -> int:
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and str(arg1).lower() in _ALLOWED_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY  # ATTACH, writes, other pragmas, temp objects


def _connect(path: Path, deadline: float, max_bytes: int) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    conn.text_factory = lambda b: b.decode("utf-8", "replace")
    if hasattr(conn, "enable_load_extension"):
        conn.enable_load_extension(False)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA query_only = ON")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    max_pages = max(1, max_bytes // page_size)
    conn.execute(f"PRAGMA max_page_count = {int(max_pages)}")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    if pages * page_size > max_bytes:
        conn.close()
        raise GpkgError(
            f"the database claims {pages * page_size} bytes, more than the {max_bytes} allowed"
        )
    for limit, value in (
        (sqlite3.SQLITE_LIMIT_LENGTH, MAX_SQLITE_VALUE),
        (sqlite3.SQLITE_LIMIT_SQL_LENGTH, 100_000),
        (sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 100),
        (sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 10),
        (sqlite3.SQLITE_LIMIT_ATTACHED, 0),
        (sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, 1),
        (sqlite3.SQLITE_LIMIT_FUNCTION_ARG, 16),
    ):
        conn.setlimit(limit, value)
    conn.set_authorizer(_authorizer)
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    return conn


def read_gpkg(
    path: Path, max_features: int, max_columns: int, deadline: float, max_bytes: int
) -> GpkgLayer:
    """Read the first feature layer of a GeoPackage file under the rules above.

    Parameters
    ----------
    path : Path
        The file (a private copy: it is opened read-only).
    max_features, max_columns : int
        More features or property columns than this refuse the layer (``GpkgError``).
    deadline : float
        ``time.monotonic()`` value after which any running statement is stopped.
    max_bytes : int
        The most pages × page size the database may hold (``max_page_count`` is set to it,
        and a file whose page count says more is refused).

    Raises
    ------
    GpkgError
        Why nothing could be read (English, names the layer and the cap or the reason).
    """
    try:
        conn = _connect(path, deadline, max_bytes)
    except sqlite3.Error as exc:
        raise GpkgError(f"cannot read the GeoPackage: {exc}") from exc
    try:
        return _read(conn, max_features, max_columns)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise GpkgError("took longer than the time limit to read") from exc
        raise GpkgError(f"cannot read the GeoPackage: {exc}") from exc
    except sqlite3.Error as exc:
        raise GpkgError(f"cannot read the GeoPackage: {exc}") from exc
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, max_features: int, max_columns: int) -> GpkgLayer:
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
    sql = dict(conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_master").fetchall())
    for table in _CORE_TABLES:
        if kinds.get(table) != "table" or sql.get(table, "").upper().startswith("CREATE VIRTUAL"):
            raise GpkgError(f"not a GeoPackage: '{table}' is missing or not a table")
    listed = conn.execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY rowid"
    ).fetchall()
    readable: list[str] = []
    skipped: list[str] = []
    for (table,) in listed:
        why = _why_not_readable(conn, str(table), kinds, sql)
        if why:
            skipped.append(f"{str(table)[:60]!r} {why}")
        else:
            readable.append(str(table))
    if not readable:
        if skipped:
            raise GpkgError("no layer it can read safely: " + "; ".join(skipped[:5]))
        raise GpkgError("no layer with geometry in the GeoPackage")
    layer = _read_layer(conn, readable[0], max_features, max_columns)
    layer.skipped = skipped
    layer.n_layers = len(readable)
    return layer


def _why_not_readable(
    conn: sqlite3.Connection, table: str, kinds: dict[str, str], sql: dict[str, str]
) -> str:
    kind = kinds.get(table)
    if kind is None:
        return "is listed but does not exist"
    if kind == "view":
        return "is a view, not a table (views can run any query; not read)"
    if kind != "table":
        return f"is a {kind}, not a table"
    if sql.get(table, "").lstrip().upper().startswith("CREATE VIRTUAL"):
        return "is a virtual table, not a table (not read)"
    columns = [(row[1], row[6]) for row in _xinfo(conn, table)]
    if any(hidden in (2, 3) for _, hidden in columns):
        return "has computed (generated) columns (not read)"
    geom = conn.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    if geom is None or geom[0] not in {name for name, _ in columns}:
        return "has no geometry column registered"
    return ""


def _xinfo(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    """``PRAGMA table_xinfo``: cid, name, type, notnull, default, pk, hidden per column."""
    return conn.execute(f"PRAGMA table_xinfo({_ident(table)})").fetchall()


def _read_layer(conn: sqlite3.Connection, table: str, max_features: int, max_columns: int):
    geom_col, srs_id = conn.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    info = [(row[1], row[2], row[5]) for row in _xinfo(conn, table)]
    key = [n for n, t, pk in info if pk == 1 and str(t).upper() == "INTEGER"]
    columns = [str(n) for n, _, _ in info if n != geom_col and n not in key]
    if len(columns) > max_columns:
        raise GpkgError(
            f"layer {table[:60]!r} has {len(columns)} properties, over the cap of "
            f"{max_columns} properties per feature"
        )
    count = conn.execute(f"SELECT count(*) FROM {_ident(table)}").fetchone()[0]
    if count > max_features:
        raise GpkgError(
            f"layer {table[:60]!r} has {count} features, over the cap of {max_features} "
            "features per upload"
        )
    select = ", ".join(_ident(c) for c in [geom_col, *columns])
    rows: list[tuple[Any, ...]] = []
    wkb: list[bytes | None] = []
    for blob, *values in conn.execute(f"SELECT {select} FROM {_ident(table)}"):
        wkb.append(_wkb(blob))
        rows.append(tuple(values))
    return GpkgLayer(table, columns, rows, wkb, _crs(conn, srs_id))


def _wkb(blob: Any) -> bytes | None:
    """The WKB inside a GeoPackage geometry blob (None for a missing or empty geometry)."""
    if blob is None:
        return None
    blob = bytes(blob)
    if len(blob) < 8 or blob[:2] != b"GP":
        raise GpkgError("a geometry is not in GeoPackage binary format")
    flags = blob[3]
    if flags & 0x20:
        raise GpkgError("a geometry uses an extended (non-standard) geometry type")
    envelope = (flags >> 1) & 0x07
    if envelope not in _ENVELOPE_BYTES:
        raise GpkgError("a geometry header is malformed")
    if flags & 0x10:  # the empty flag
        return None
    return blob[8 + _ENVELOPE_BYTES[envelope] :]


def _crs(conn: sqlite3.Connection, srs_id: Any) -> str | None:
    row = conn.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
        "WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None or srs_id in (0, -1):
        return None
    org, code, definition = row
    if str(org).upper() == "EPSG" and isinstance(code, int) and code > 0:
        return f"EPSG:{code}"
    definition = str(definition or "").strip()
    return None if definition.lower() in ("", "undefined") else definition
