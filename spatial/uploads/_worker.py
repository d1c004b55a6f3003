"""The upload parser that runs in a short-lived worker process (see :mod:`spatial.uploads.reader`).

Everything here may meet a hostile file, so it runs with a memory limit (``RLIMIT_AS``), a CPU
limit (``RLIMIT_CPU``) and a deadline, in a process that is thrown away afterwards. What goes
back to the server is plain data only, as JSON text: messages, property columns and rows (text
or None) and each geometry as hex WKB.

Caps bound the work for everything the map later draws and the server keeps: properties per
feature and distinct property names per layer, characters per value, features, parts (each part of
a multi-part geometry counts as one) and vertices per upload, and the size of the layer as the map
gets it (:data:`MAX_MAP_BYTES`: refused, never simplified, so what is drawn is what was uploaded).
The answer itself is bounded (:data:`MAX_ANSWER_BYTES`). Each refusal states its cap.
"""

from __future__ import annotations

import json
import math
import os
import resource
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from spatial._problems import Problem
from spatial.plaintext import cut
from spatial.plans.validate import MAX_LAYER_BYTES, check_geometry, parse_layer_bytes
from spatial.uploads._gpkg import GpkgError, read_gpkg

#: The largest file a user may upload (the layer size limit): 5 MiB.
MAX_UPLOAD_BYTES: int = MAX_LAYER_BYTES

#: Most features in one upload.
MAX_FEATURES = 20_000

#: Most parts in one upload: a single geometry is one part, a multi-part geometry one per part
#: (a MultiPoint of 99,999 points is 99,999 things to draw, not one feature).
MAX_PARTS = MAX_FEATURES

#: Most distinct property names across a layer (each becomes a column kept for the session).
MAX_COLUMNS = 200

#: Largest map payload of a layer: its GeoJSON with the display name and the geometry only,
#: coordinates at the map's 5 decimals (bytes; 4 MB leaves room under 5 MB for what a map adds).
MAX_MAP_BYTES = 4_000_000

#: Largest answer a worker sends back (bytes of JSON); a bigger one is a refusal.
MAX_ANSWER_BYTES = 24 * 1024 * 1024

#: Most vertices (coordinate pairs) in one upload, all features together.
MAX_VERTICES_TOTAL = 100_000

#: Most properties on one feature.
MAX_PROPERTIES = 50

#: Most characters in one property value (lists and objects count as their JSON text).
MAX_VALUE_CHARS = 2_000

#: Wall-clock seconds a file may take to read, start to answer.
TIME_LIMIT_S = 8.0

#: Memory the worker may take beyond what it starts with (bytes).
MEMORY_LIMIT_BYTES = 512 * 1024 * 1024

#: File name endings the reader accepts.
ACCEPTED_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg")

#: Properties a display name is taken from, in order.
NAME_KEYS: tuple[str, ...] = ("name", "名称", "id")

#: Longest display name kept; longer ones are cut with an ellipsis.
MAX_NAME_CHARS = 200

#: At most this many problems are listed; the rest are counted.
MAX_PROBLEMS_LISTED = 50

_MIB = 1024 * 1024

# English problem wording (from spatial.plans.validate, spatial.uploads._gpkg or here) -> Chinese; first wins.
_CHINESE: tuple[tuple[str, str], ...] = (
    ("MiB limit", f"文件过大（上限 {MAX_UPLOAD_BYTES / _MIB:g} MiB）"),
    ("time limit", f"文件处理超时（上限 {TIME_LIMIT_S:g} 秒）"),
    ("memory limit", f"超出内存限制（上限 {MEMORY_LIMIT_BYTES / _MIB:g} MiB）"),
    ("features per upload", f"要素过多（每次上传最多 {MAX_FEATURES:,} 个）"),
    ("parts per upload", f"几何部件过多（每次上传最多 {MAX_PARTS:,} 个，多部件几何的每个部件各计一个）"),
    ("property names per layer", f"属性名过多（整个图层最多 {MAX_COLUMNS} 种）"),
    ("map payload", f"图层在地图上的数据过大（上限 {MAX_MAP_BYTES / 1e6:g} MB），未叠加"),
    ("answer limit", "文件处理结果过大"),
    ("server is busy", "服务器繁忙，请稍后再上传"),
    ("vertices per upload", f"顶点过多（每次上传合计最多 {MAX_VERTICES_TOTAL:,} 个）"),
    ("properties per feature", f"属性过多（每个要素最多 {MAX_PROPERTIES} 个）"),
    ("characters per value", f"属性值过长（每个值最多 {MAX_VALUE_CHARS:,} 个字符）"),
    ("digits", "数字位数过多，无法读取"),
    ("is a view", "GeoPackage 图层是视图而非数据表，出于安全原因不读取"),
    ("virtual table", "GeoPackage 图层是虚拟表而非数据表，出于安全原因不读取"),
    ("computed (generated) columns", "GeoPackage 图层含计算列，出于安全原因不读取"),
    ("can read safely", "GeoPackage 中没有可安全读取的图层"),
    ("worker stopped", "文件处理进程意外终止"),
    ("cannot read the GeoPackage", "无法读取 GeoPackage"),
    ("not UTF-8", "文件不是 UTF-8 编码的文本"),
    ("nested too deeply", "JSON 嵌套层数过深，不是有效的图层"),
    ("invalid JSON", "不是有效的 JSON（文件可能损坏或不完整）"),
    ("not a GeoJSON FeatureCollection", "不是 GeoJSON 要素集合（FeatureCollection）"),
    ("'features' is not a list", "“features”不是列表"),
    ("not a GeoJSON Feature", "不是 GeoJSON 要素（Feature）"),
    ("no properties object", "要素缺少属性对象（properties）"),
    ("has no coordinates", "几何图形没有坐标"),
    ("no geometry", "要素没有几何图形"),
    ("geometry type", "几何类型不受支持（只接受点、线、面及其多部件类型）"),
    ("vertices", "几何图形顶点过多"),
    ("not finite", "坐标不是有限数值"),
    ("latitude/longitude swapped", "经纬度顺序颠倒（GeoJSON 应为经度在前、纬度在后）"),
    ("projected metres", "坐标像是投影坐标（米），而不是 WGS84 经纬度"),
    ("outside Guangzhou's extent", "坐标超出广州市范围"),
    ("not true/false or text", "坐标必须是数字（不能是 true/false 或文本）"),
    ("malformed", "坐标结构有误"),
    ("geometry is empty", "几何图形为空"),
    ("invalid geometry", "几何图形无效（如自相交、环未闭合）"),
    ("unsupported file type", "不支持的文件类型"),
    ("no features", "图层没有要素"),
    ("not a GeoPackage", "不是 GeoPackage 文件"),
    ("geometry is not in GeoPackage", "无法读取 GeoPackage 几何图形"),
    ("no layer with geometry", "GeoPackage 中没有含几何图形的图层"),
    ("no coordinate reference system", "图层没有坐标参考系，坐标也不是经纬度"),
    ("cannot reproject", "无法转换到 WGS84 经纬度"),
    ("cannot read the file", "文件无法读取"),
)

# SQLite header and the GeoPackage application ids (1.2+ "GPKG", older "GP10"/"GP11").
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APP_IDS = (b"GPKG", b"GP10", b"GP11")

_Feature = tuple[str, dict[str, Any], dict[str, Any]]  # (label, properties, GeoJSON feature)


# -- messages -----------------------------------------------------------------------------------
def message(problem: Problem) -> str:
    """A problem as one line: where and what in Chinese, then the English original."""
    zh = next((z for en, z in _CHINESE if en in problem.message), "图层有问题")
    where = f"要素 {problem.feature_id}：" if problem.feature_id else ""
    return f"{where}{zh} — {problem}"


def listed(problems: list[Problem]) -> list[str]:
    """Messages for at most ``MAX_PROBLEMS_LISTED`` problems, then a count of the rest."""
    lines = [message(p) for p in problems[:MAX_PROBLEMS_LISTED]]
    rest = len(problems) - MAX_PROBLEMS_LISTED
    if rest > 0:
        lines.append(f"……另有 {rest} 个问题未列出 — {rest} more problem(s) not listed")
    return lines


def is_gpkg(data: bytes) -> bool:
    """Whether the bytes start like a GeoPackage (SQLite header and a GeoPackage id)."""
    return data[:16] == _SQLITE_MAGIC and data[68:72] in _GPKG_APP_IDS


# -- the worker process -------------------------------------------------------------------------
def child_main(
    conn: Any,
    data: bytes,
    name: str,
    seconds: float = TIME_LIMIT_S,
    memory_bytes: int = MEMORY_LIMIT_BYTES,
) -> None:
    """Worker process entry: set the limits, parse, send the JSON answer, exit."""
    deadline = time.monotonic() + seconds
    _limit_resources(seconds, memory_bytes)
    try:
        answer = parse(data, name, deadline)
    except MemoryError:
        answer = _refusal(name, f"needs more than the {memory_bytes / _MIB:g} MiB memory limit")
    except RecursionError:
        answer = _refusal(name, "JSON nested too deeply to be a GeoJSON layer")
    except Exception as exc:  # a parser failure is an answer, never a traceback
        answer = _refusal(name, f"cannot read the file ({type(exc).__name__}: {_short(exc)})")
    try:
        raw = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    except MemoryError:
        raw = json.dumps(_refusal(name, "the result needs more than the memory limit")).encode()
    if len(raw) > MAX_ANSWER_BYTES:
        why = (
            f"the result is {len(raw) / _MIB:.0f} MiB, over the {MAX_ANSWER_BYTES / _MIB:g} MiB "
            "answer limit"
        )
        raw = json.dumps(_refusal(name, why), ensure_ascii=False).encode("utf-8")
    conn.send_bytes(raw)
    conn.close()


def _limit_resources(seconds: float, memory_bytes: int) -> None:
    """Address space: what the process holds now plus ``memory_bytes``; CPU: ``seconds``."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            start = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        start = 0
    budget = start + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    cpu = max(1, math.ceil(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _refusal(name: str, why: str) -> dict[str, Any]:
    return {"problems": [message(Problem(name, "", why))], "notes": []}


def _short(exc: BaseException, limit: int = 160) -> str:
    return cut(" ".join(str(exc).split()), limit)


# -- parsing ------------------------------------------------------------------------------------
def parse(data: bytes, name: str, deadline: float) -> dict[str, Any]:
    """Parse an upload into plain data (runs in the worker).

    Returns
    -------
    dict
        ``problems`` and ``notes`` (messages), and for an accepted file ``columns`` (property
        names, ``name`` first), ``rows`` (one mapping per feature of the columns it has, text or
        None) and ``wkb`` (hex, 2-D).
    """
    notes: list[str] = []
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".gpkg":
        features, problems = _gpkg_features(data, name, notes, deadline)
    else:
        features, problems = _geojson_features(data, name)
    if not problems and not features:
        problems.append(Problem(name, "", "no features: the layer is empty"))
    if problems:
        return {"problems": listed(problems), "notes": notes}
    problems = _cap_problems(name, features)
    if problems:
        return {"problems": listed(problems), "notes": notes}
    return _checked(name, features, notes, deadline)


def _cap_problems(name: str, features: list[_Feature]) -> list[Problem]:
    """Caps on features, parts, properties and value length: one problem per cap, naming the
    first."""
    if len(features) > MAX_FEATURES:
        why = f"{len(features)} features, over the cap of {MAX_FEATURES} features per upload"
        return [Problem(name, "", why)]
    parts = sum(_parts(feat) for _, _, feat in features)
    if parts > MAX_PARTS:
        why = (
            f"{parts} parts (features and the parts of multi-part geometries), over the cap of "
            f"{MAX_PARTS} parts per upload"
        )
        return [Problem(name, "", why)]
    keys: set[str] = set()
    for _, props, _ in features:
        keys.update(map(str, props))
        if len(keys) > MAX_COLUMNS:
            why = (
                f"more than {MAX_COLUMNS} distinct property names, over the cap of "
                f"{MAX_COLUMNS} property names per layer"
            )
            return [Problem(name, "", why)]
    wide: list[tuple[str, int]] = []
    long: list[tuple[str, str, int]] = []
    for fid, props, _ in features:
        if len(props) > MAX_PROPERTIES:
            wide.append((fid, len(props)))
            continue
        for key, value in props.items():
            text = _as_text(value)
            size = max(len(str(key)), len(text) if text is not None else 0)
            if size > MAX_VALUE_CHARS:
                long.append((fid, str(key)[:40], size))
                break
    problems: list[Problem] = []
    if wide:
        fid, n = wide[0]
        more = f" (and {len(wide) - 1} more feature(s))" if len(wide) > 1 else ""
        why = f"{n} properties{more}, over the cap of {MAX_PROPERTIES} properties per feature"
        problems.append(Problem(name, fid, why))
    if long:
        fid, key, n = long[0]
        more = f" (and {len(long) - 1} more feature(s))" if len(long) > 1 else ""
        why = (
            f"property {key!r} has {n} characters{more}, over the cap of {MAX_VALUE_CHARS} "
            "characters per value"
        )
        problems.append(Problem(name, fid, why))
    return problems


def _checked(
    name: str, features: list[_Feature], notes: list[str], deadline: float
) -> dict[str, Any]:
    problems: list[Problem] = []
    columns: dict[str, None] = {"name": None}
    rows: list[dict[str, str | None]] = []
    geoms: list[Any] = []
    vertices = 0
    for i, (fid, props, feat) in enumerate(features):
        if time.monotonic() > deadline:
            return _refusal(name, "took longer than the time limit to check")
        geom, geom_problems = check_geometry(name, fid, feat)
        problems.extend(geom_problems)
        if problems:
            continue  # keep checking (every problem is counted), stop building
        vertices += int(shapely.get_num_coordinates(geom))
        if vertices > MAX_VERTICES_TOTAL:
            why = (
                f"more than {MAX_VERTICES_TOTAL} vertices (at feature {fid}), over the cap of "
                f"{MAX_VERTICES_TOTAL} vertices per upload"
            )
            return {"problems": listed([Problem(name, "", why)]), "notes": notes}
        row = {"name": display_name(props) or f"未命名要素 #{i + 1} (unnamed feature)"}
        for key, value in props.items():
            if key != "name":
                column = str(key) if key != "geometry" else "geometry (property)"
                row[column] = _as_text(value)
                columns[column] = None
        rows.append(row)
        geoms.append(geom)
    if problems:
        return {"problems": listed(problems), "notes": notes}
    flat = shapely.force_2d(np.array(geoms, dtype=object))
    size = map_bytes([row["name"] for row in rows], flat)
    if size > MAX_MAP_BYTES:
        why = (
            f"{size / 1e6:.1f} MB for the map, over the map payload cap of "
            f"{MAX_MAP_BYTES / 1e6:g} MB per layer; the layer is refused, not simplified: "
            "simplify or split it before uploading"
        )
        return {"problems": listed([Problem(name, "", why)]), "notes": notes}
    wkb = shapely.to_wkb(flat, hex=True).tolist()
    return {"problems": [], "notes": notes, "columns": list(columns), "rows": rows, "wkb": wkb}


def map_bytes(labels: list[str], geoms: np.ndarray) -> int:
    """Bytes of a layer as the map gets it: a GeoJSON FeatureCollection whose features carry
    the display name as their only property, coordinates at the map's 5 decimals (~1 m); the
    measure of :data:`MAX_MAP_BYTES`."""
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, 5))
    shapes = sum(len(t.encode("utf-8")) for t in shapely.to_geojson(rounded))
    names = sum(len(json.dumps(label, ensure_ascii=False).encode("utf-8")) for label in labels)
    envelope = len('{"type":"Feature","properties":{"name":},"geometry":},')
    return len('{"type":"FeatureCollection","features":[]}') + shapes + names + envelope * len(labels)


def _geojson_features(data: bytes, name: str) -> tuple[list[_Feature], list[Problem]]:
    parsed = parse_layer_bytes(data, name)
    # A `crs` member is tolerated in an upload (QGIS writes one): coordinates are still checked
    # to be lon/lat inside Guangzhou, which is what that rule protects.
    problems = [p for p in parsed.problems if not p.message.startswith("has a 'crs' member")]
    features = [
        (_label(feat["properties"], i), feat["properties"], feat)
        for i, feat in enumerate(parsed.features)
    ]
    return features, problems


def _gpkg_features(
    data: bytes, name: str, notes: list[str], deadline: float
) -> tuple[list[_Feature], list[Problem]]:
    with tempfile.TemporaryDirectory(prefix="gzmap-upload-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(data)
        try:
            layer = read_gpkg(
                path,
                max_features=MAX_FEATURES,
                max_columns=MAX_PROPERTIES,
                deadline=deadline,
                max_bytes=MAX_UPLOAD_BYTES,
            )
        except GpkgError as exc:
            return [], [Problem(name, "", str(exc))]
    first = layer.name[:MAX_NAME_CHARS]
    if layer.n_layers > 1:
        notes.append(
            f"只读取了第一个图层“{first}”（共 {layer.n_layers} 个）"
            f" — only the first of {layer.n_layers} layers, {first!r}, was read"
        )
    for why in layer.skipped[:5]:
        notes.append(f"未读取图层 — layer not read: {why}")
    geoms = shapely.from_wkb(np.array(layer.wkb, dtype=object), on_invalid="ignore")
    geoms, crs_problem = _to_wgs84(geoms, layer.crs, name)
    if crs_problem:
        return [], [crs_problem]
    features: list[_Feature] = []
    for i, (geom, values) in enumerate(zip(geoms, layer.rows, strict=True)):
        props = {c: _plain(v) for c, v in zip(layer.columns, values, strict=True)}
        feat = {"type": "Feature", "properties": props, "geometry": _mapping(geom)}
        features.append((_label(props, i), props, feat))
    return features, []


def _to_wgs84(geoms: np.ndarray, crs: str | None, name: str) -> tuple[np.ndarray, Problem | None]:
    from pyproj import CRS, Transformer

    try:
        source = CRS.from_user_input(crs) if crs is not None else None
    except Exception as exc:  # pyproj raises several types for unusable CRSs
        return geoms, Problem(name, "", f"cannot reproject {crs[:60]!r}: {_short(exc)}")
    if source is not None and getattr(source, "is_engineering", False):
        source = None  # GDAL's "Undefined SRS" (a LOCAL_CS): no CRS at all
    if source is None:
        present = geoms[~shapely.is_missing(geoms)]
        xmin, ymin, xmax, ymax = shapely.total_bounds(present) if len(present) else (0, 0, 0, 0)
        if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
            why = (
                "no coordinate reference system, and the coordinates are not "
                "longitude/latitude: save the layer with its CRS"
            )
            return geoms, Problem(name, "", why)
        return geoms, None
    try:
        if source.equals("EPSG:4326"):
            return geoms, None
        transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)
        moved = shapely.transform(
            geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    except Exception as exc:  # pyproj raises several types for unusable CRSs
        return geoms, Problem(name, "", f"cannot reproject {source.name[:60]!r}: {_short(exc)}")
    return moved, None


# -- helpers ------------------------------------------------------------------------------------
def display_name(props: Any) -> str:
    """The name to show for an uploaded feature: ``name``, else ``名称``, else ``id``.

    The text is returned as is (markup, quotes and all): it is untrusted and the caller must
    escape it for the output it writes (``html.escape`` for a map popup). Only a name longer
    than ``MAX_NAME_CHARS`` is cut, with an ellipsis.

    Parameters
    ----------
    props : dict
        A feature's properties (anything else gives an empty name).

    Returns
    -------
    str
        The first non-blank string (or finite number, as text) among the name keys; ``""``
        when there is none.
    """
    if not isinstance(props, dict):
        return ""
    for key in NAME_KEYS:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return cut(value, MAX_NAME_CHARS)
        if _is_number(value) and math.isfinite(value):
            return _as_text(value) or ""
    return ""


def _parts(feat: dict[str, Any]) -> int:
    """How many parts a GeoJSON feature's geometry draws (1 for a single geometry)."""
    geom = feat.get("geometry")
    if not isinstance(geom, dict) or not str(geom.get("type", "")).startswith("Multi"):
        return 1
    coords = geom.get("coordinates")
    return max(1, len(coords)) if isinstance(coords, list | tuple) else 1


def _label(props: dict[str, Any], index: int) -> str:
    """How problem messages name a feature: its ``id`` or display name, else ``#index``."""
    fid = props.get("id")
    text = fid if isinstance(fid, str) and fid.strip() else display_name(props)
    return text[:60] if text else f"#{index}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """A GeoJSON value or GeoPackage cell as a JSON-like Python value (None for missing)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return f"({len(bytes(value))} bytes)"
    return value


def _as_text(value: Any) -> str | None:
    """Any property value as plain text (None stays None); lists and objects as JSON."""
    value = _plain(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # an integer too long for text was refused by the JSON parser
    if isinstance(value, list | dict):
        try:
            return json.dumps(value, ensure_ascii=False, allow_nan=True)
        except (RecursionError, ValueError, TypeError):
            return "（嵌套过深 nested too deeply）"
    return str(value)


def _mapping(geom: Any) -> dict[str, Any] | None:
    if geom is None:
        return None
    if geom.is_empty:
        return {"type": geom.geom_type, "coordinates": []}
    return dict(mapping(geom))
