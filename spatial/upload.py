"""User-uploaded layers: GeoJSON or GeoPackage read under a relaxed contract, never trusted.

An uploaded layer may carry any properties; a display name is taken from ``name``, ``名称`` or
``id``. Every property is kept as untrusted plain text: nothing here strips or escapes it, so the
map must escape it where it renders it (the single place that knows the output format).

Reading never raises for bad input and never writes anything that outlives the call: a refused
file comes back as a :class:`UserLayer` with ``gdf=None`` and messages (Chinese first, English
after) saying what is wrong and where. The geometry checks are the curated layers' own
(:func:`spatial.validate.check_geometry`): known geometry type, finite coordinates inside
Guangzhou (which catches swapped lon/lat and projected metres), valid shapes.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from spatial._problems import Problem
from spatial.validate import MAX_LAYER_BYTES, check_geometry, parse_layer_bytes

__all__ = [
    "ACCEPTED_SUFFIXES",
    "MAX_UPLOAD_BYTES",
    "UserLayer",
    "display_name",
    "read_user_layer",
]

#: The largest file a user may upload, stated in the app: 5 MiB (the layer size limit).
MAX_UPLOAD_BYTES: int = MAX_LAYER_BYTES

#: File name endings the reader accepts.
ACCEPTED_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg")

#: Properties a display name is taken from, in order.
NAME_KEYS: tuple[str, ...] = ("name", "名称", "id")

#: Longest display name kept; longer ones are cut with an ellipsis.
MAX_NAME_CHARS = 200

#: At most this many problems are listed; the rest are counted.
MAX_PROBLEMS_LISTED = 50

# SQLite header and the GeoPackage application ids (1.2+ "GPKG", older "GP10"/"GP11").
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APP_IDS = (b"GPKG", b"GP10", b"GP11")

# English problem wording (from spatial.validate or this module) -> Chinese, first match wins.
_CHINESE: tuple[tuple[str, str], ...] = (
    ("MiB limit", f"文件过大（上限 {MAX_LAYER_BYTES / 1024 / 1024:g} MiB）"),
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
    ("malformed", "坐标结构有误"),
    ("geometry is empty", "几何图形为空"),
    ("invalid geometry", "几何图形无效（如自相交、环未闭合）"),
    ("unsupported file type", "不支持的文件类型"),
    ("no features", "图层没有要素"),
    ("not a GeoPackage", "不是 GeoPackage 文件"),
    ("cannot read the GeoPackage", "无法读取 GeoPackage"),
    ("no layer with geometry", "GeoPackage 中没有含几何图形的图层"),
    ("no coordinate reference system", "图层没有坐标参考系，坐标也不是经纬度"),
    ("cannot reproject", "无法转换到 WGS84 经纬度"),
)


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
            return value if len(value) <= MAX_NAME_CHARS else value[: MAX_NAME_CHARS - 1] + "…"
        if _is_number(value) and math.isfinite(value):
            return _as_text(value) or ""
    return ""


def read_user_layer(data: bytes, filename: str) -> UserLayer:
    """Read an uploaded GeoJSON or GeoPackage layer, or say clearly why it is refused.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    filename : str
        The name the user's browser gave it; its ending picks the reader (``.geojson``,
        ``.json``, ``.gpkg``).

    Returns
    -------
    UserLayer
        ``gdf`` in EPSG:4326 when every feature passed, else ``gdf=None`` and ``problems``.
        Nothing is written or cached either way (a GeoPackage is read from a temporary
        file that is removed before returning).
    """
    name = _base_name(filename)
    layer = UserLayer(name=name)
    if len(data) > MAX_UPLOAD_BYTES:
        mib = 1024 * 1024
        layer.problems.append(
            _message(
                Problem(
                    name,
                    "",
                    f"file is {len(data) / mib:.1f} MiB, over the "
                    f"{MAX_UPLOAD_BYTES / mib:g} MiB limit for an upload",
                )
            )
        )
        return layer
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in (".geojson", ".json"):
        features, problems = _geojson_features(data, name)
    elif suffix == ".gpkg":
        features, problems = _gpkg_features(data, name, layer.notes)
    else:
        why = f"unsupported file type {suffix or '(none)'!r}: use {', '.join(ACCEPTED_SUFFIXES)}"
        features, problems = [], [Problem(name, "", why)]
    if not problems and not features:
        problems.append(Problem(name, "", "no features: the layer is empty"))
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for i, (fid, props, feat) in enumerate(features):
        geom, geom_problems = check_geometry(name, fid, feat)
        problems.extend(geom_problems)
        if problems:
            continue  # keep checking, stop building
        row = {"name": display_name(props) or f"未命名要素 #{i + 1} (unnamed feature)"}
        for key, value in props.items():
            if key != "name":
                row[key if key != "geometry" else "geometry (property)"] = _as_text(value)
        rows.append(row)
        geoms.append(shapely.force_2d(geom))
    if problems:
        layer.problems = _listed(problems)
        return layer
    frame = pd.DataFrame(rows).astype(object)
    frame = frame.where(frame.notna(), None)  # an absent property is None, not NaN
    frame = frame[["name"] + [c for c in frame.columns if c != "name"]]
    layer.gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    return layer


# -- readers ------------------------------------------------------------------------------------
_Feature = tuple[str, dict[str, Any], dict[str, Any]]  # (label, properties, GeoJSON feature)


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
    data: bytes, name: str, notes: list[str]
) -> tuple[list[_Feature], list[Problem]]:
    # Only a real GeoPackage reaches GDAL: with any other content GDAL would pick another
    # driver by itself (a VRT, for one, can point at other files or URLs).
    if not (data[:16] == _SQLITE_MAGIC and data[68:72] in _GPKG_APP_IDS):
        return [], [Problem(name, "", "not a GeoPackage (SQLite GPKG header missing)")]
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    with tempfile.TemporaryDirectory(prefix="gzmap-upload-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(data)
        try:
            listed = pyogrio.list_layers(path)
            spatial_layers = [str(n) for n, gtype in listed if gtype is not None]
            if not spatial_layers:
                return [], [Problem(name, "", "no layer with geometry in the GeoPackage")]
            first = spatial_layers[0]
            gdf = pyogrio.read_dataframe(path, layer=first, force_2d=True)
        except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
            reason = " ".join(str(exc).split())[:160]
            return [], [Problem(name, "", f"cannot read the GeoPackage: {reason}")]
    if len(spatial_layers) > 1:
        notes.append(
            f"只读取了第一个图层“{first}”（共 {len(spatial_layers)} 个）"
            f" — only the first of {len(spatial_layers)} layers, {first!r}, was read"
        )
    if gdf.crs is None:
        xmin, ymin, xmax, ymax = gdf.total_bounds if len(gdf) else (0.0, 0.0, 0.0, 0.0)
        if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
            return [], [
                Problem(
                    name,
                    "",
                    "no coordinate reference system, and the coordinates are not "
                    "longitude/latitude: save the layer with its CRS",
                )
            ]
        gdf = gdf.set_crs("EPSG:4326")
    elif not gdf.crs.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs("EPSG:4326")
        except Exception as exc:  # pyproj raises several types for unusable CRSs
            reason = " ".join(str(exc).split())[:160]
            return [], [Problem(name, "", f"cannot reproject {gdf.crs.name!r}: {reason}")]
    features: list[_Feature] = []
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    for i, (geom, values) in enumerate(
        zip(gdf.geometry.values, gdf[columns].itertuples(index=False, name=None), strict=True)
    ):
        props = {str(c): _plain(v) for c, v in zip(columns, values, strict=True)}
        feat = {"type": "Feature", "properties": props, "geometry": _mapping(geom)}
        features.append((_label(props, i), props, feat))
    return features, []


# -- helpers ------------------------------------------------------------------------------------
def _base_name(filename: str) -> str:
    """The file name without any folder part (browsers may send one)."""
    base = PureWindowsPath(PurePosixPath(str(filename)).name).name
    return base[:MAX_NAME_CHARS] or "upload"


def _label(props: dict[str, Any], index: int) -> str:
    """How problem messages name a feature: its ``id`` or display name, else ``#index``."""
    fid = props.get("id")
    text = fid if isinstance(fid, str) and fid.strip() else display_name(props)
    return text[:60] if text else f"#{index}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _plain(value: Any) -> Any:
    """A GeoPackage cell as a JSON-like Python value (None for missing)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is pd.NA:
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
        return str(value)
    if isinstance(value, list | dict):
        try:
            return json.dumps(value, ensure_ascii=False, allow_nan=True)
        except (RecursionError, ValueError, TypeError):
            return "（嵌套过深 nested too deeply）"
    return str(value)


def _mapping(geom: Any) -> dict[str, Any] | None:
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        return None
    if geom.is_empty:
        return {"type": geom.geom_type, "coordinates": []}
    return dict(mapping(geom))


def _message(problem: Problem) -> str:
    """A problem as one line: where and what in Chinese, then the English original."""
    zh = next((z for en, z in _CHINESE if en in problem.message), "图层有问题")
    where = f"要素 {problem.feature_id}：" if problem.feature_id else ""
    return f"{where}{zh} — {problem}"


def _listed(problems: list[Problem]) -> list[str]:
    lines = [_message(p) for p in problems[:MAX_PROBLEMS_LISTED]]
    rest = len(problems) - MAX_PROBLEMS_LISTED
    if rest > 0:
        lines.append(f"……另有 {rest} 个问题未列出 — {rest} more problem(s) not listed")
    return lines
