"""Filtered features as files to take away: GeoJSON, GeoPackage and CSV bytes.

* GeoJSON keeps the layer contract exactly (RFC 7946, WGS84, list properties as lists,
  excerpts with plan, seed, section and text).
* GeoPackage cannot store lists: list and object columns become JSON text. One layer per
  geometry kind, styled for QGIS (``layer_styles``: the print maps' symbols, Chinese aliases).
* CSV is for spreadsheets: UTF-8 with a byte-order mark (so Excel reads the Chinese), lists of
  names joined with "、", members/excerpts/attributes as JSON, plus the excerpts as plain
  text, a longitude/latitude to plot and the geometry as WKT. Every field is quoted; in a text
  cell control characters and line breaks become spaces (the excerpts keep one per line), and
  one starting with ``= + - @`` gets a leading ``'`` so a spreadsheet never runs it as a
  formula (:func:`spatial.plaintext.csv_cell`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from spatial.plaintext import csv_cell
from spatial.plans.build import geometry_to_geojson
from spatial.plans.layers import COLUMNS
from spatial.plans.schema import ROLES
from spatial.symbology import Symbology

__all__ = [
    "CSV_JOINED",
    "FORMATS",
    "table_point",
    "to_csv_bytes",
    "to_geojson_bytes",
    "to_gpkg_bytes",
]

#: Format key -> (file extension, MIME type).
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": ("geojson", "application/geo+json"),
    "gpkg": ("gpkg", "application/geopackage+sqlite3"),
    "csv": ("csv", "text/csv"),
}

#: List columns written to CSV as "、"-joined names.
CSV_JOINED = ("aliases", "plans", "district", "industries", "axis_segment", "links")
#: Columns written as JSON text (CSV: these; GeoPackage: every list or object column).
JSON_COLUMNS = ("members", "attributes", "excerpts")
LIST_COLUMNS = (*CSV_JOINED, "members", "excerpts")

_SEP = "、"


def _clean(value: Any) -> Any:
    """A JSON-ready scalar: NaN/NaT become None, numpy numbers plain Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        try:
            return _clean(value.item())
        except (ValueError, AttributeError):
            return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _properties(row: pd.Series) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for col in COLUMNS:
        value = row.get(col)
        if col in LIST_COLUMNS:
            props[col] = list(value) if isinstance(value, list | tuple) else []
        elif col == "attributes":
            props[col] = dict(value) if isinstance(value, dict) else {}
        else:
            props[col] = _clean(value)
    if props.get("axis_order") is not None:
        props["axis_order"] = int(props["axis_order"])
    return props


def _check(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        raise ValueError(f"features must be WGS84 (EPSG:4326), got {gdf.crs.to_string()}")


def to_geojson_bytes(gdf: gpd.GeoDataFrame, name: str = "gzplan-selection") -> bytes:
    """An RFC 7946 FeatureCollection of the features, properties as in the layer contract.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features from :func:`spatial.plans.layers.load_layers` (or a selection of them), EPSG:4326.
    name : str
        The collection's ``name``.
    """
    _check(gdf)
    features = []
    for _, row in gdf.iterrows():
        props = _properties(row)
        geom = row.geometry
        features.append(
            {
                "type": "Feature",
                "id": props["id"],
                "properties": props,
                "geometry": geometry_to_geojson(geom) if geom is not None else None,
            }
        )
    doc = {"type": "FeatureCollection", "name": name, "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _flat_frame(gdf: gpd.GeoDataFrame, joined: tuple[str, ...]) -> pd.DataFrame:
    """Contract columns with lists joined (``joined``) or JSON-encoded (the rest)."""
    rows = []
    for _, row in gdf.iterrows():
        props = _properties(row)
        flat: dict[str, Any] = {}
        for col in COLUMNS:
            value = props[col]
            if col in joined:
                flat[col] = _SEP.join(map(str, value))
            elif isinstance(value, list | dict):
                flat[col] = json.dumps(value, ensure_ascii=False)
            else:
                flat[col] = value
        rows.append(flat)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["axis_order"] = pd.array(frame["axis_order"], dtype="Int64")
    frame["location_precision_m"] = pd.to_numeric(frame["location_precision_m"], errors="coerce")
    frame["in_guangzhou"] = frame["in_guangzhou"].astype("boolean")
    return frame


def _excerpt_text(excerpts: list[dict[str, Any]]) -> str:
    return "\n".join(f"【{e.get('plan', '')}】{e.get('text', '')}" for e in excerpts or [])


def table_point(geom: Any) -> Any:
    """The point a table gives for a feature: the point itself, else a point inside the
    shape (``representative_point``); None for a missing or empty geometry."""
    if geom is None or geom.is_empty:
        return None
    return geom if geom.geom_type == "Point" else geom.representative_point()


def to_csv_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """A CSV table of the features (UTF-8 with BOM), one row each.

    Besides the contract's columns: ``excerpt_text`` (every excerpt as 【plan】text, one per
    line), ``lon``/``lat`` (a point on the feature) and ``wkt`` (its geometry).
    """
    _check(gdf)
    frame = _flat_frame(gdf, CSV_JOINED)
    frame["excerpt_text"] = [_excerpt_text(list(v or [])) for v in gdf["excerpts"]]
    points = [table_point(g) for g in gdf.geometry]
    frame["lon"] = [None if p is None else round(p.x, 6) for p in points]
    frame["lat"] = [None if p is None else round(p.y, 6) for p in points]
    frame["wkt"] = [None if g is None else g.wkt for g in gdf.geometry]
    for col in frame.columns:  # one line per value, no formula; excerpts one per line
        if pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(partial(csv_cell, lines=col == "excerpt_text"))
    buf = io.StringIO()
    frame.to_csv(buf, index=False, quoting=csv.QUOTE_ALL)
    return buf.getvalue().encode("utf-8-sig")


#: GeoPackage layer suffix and QGIS symbol kind of each geometry kind.
GPKG_KINDS: dict[str, tuple[str, str]] = {
    "Point": ("points", "marker"),
    "LineString": ("lines", "line"),
    "Polygon": ("polygons", "fill"),
}


def to_gpkg_bytes(
    gdf: gpd.GeoDataFrame, layer: str = "gzplan_selection", symbology: Symbology | None = None
) -> bytes:
    """A GeoPackage of the features (EPSG:4326), styled for QGIS; lists stored as JSON text.

    One layer per geometry kind (``<layer>_points``, ``_lines``, ``_polygons``: a QGIS layer
    has one geometry type), each with a default style in the ``layer_styles`` table that QGIS
    applies on opening: the print maps' symbols (shape = role, fill = the colour rule's
    colour, in the added ``map_colour`` column: ``symbology`` of the view, so it matches the
    map and its export; by default the ``industry`` rule over these features) and Chinese field
    aliases (:mod:`spatial.exports.qgis`).

    Raises
    ------
    ValueError
        For an empty selection: a GeoPackage layer needs at least one feature to carry its
        geometry type.
    """
    from spatial.exports.qgis import map_colours, write_layer_styles

    _check(gdf)
    if gdf.empty:
        raise ValueError("nothing to write: the selection is empty")
    frame = _flat_frame(gdf, ())
    frame["map_colour"] = map_colours(gdf, symbology)
    out = gpd.GeoDataFrame(frame, geometry=list(gdf.geometry), crs="EPSG:4326")
    kinds = out.geom_type.str.replace("Multi", "", regex=False)
    fd, tmp = tempfile.mkstemp(suffix=".gpkg")
    os.close(fd)
    path = Path(tmp)
    styles: dict[str, tuple[str, list[str], list[str]]] = {}
    try:
        path.unlink()  # the driver wants to create the file itself
        for kind, (suffix, symbol) in GPKG_KINDS.items():
            part = out[kinds == kind]
            if part.empty:
                continue
            name = f"{layer}_{suffix}"
            part.to_file(path, driver="GPKG", layer=name, engine="pyogrio")
            present = set(part["role"])
            roles = [r for r in ROLES if r in present] + sorted(present - set(ROLES))
            styles[name] = (symbol, roles, [*frame.columns])
        write_layer_styles(path, styles)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
