"""The CSV a planner reads: Chinese headers, and roles, plans and sources as words, not codes.

The same features as :func:`spatial.exports.downloads.to_csv_bytes`, which stays the *code form* for
GIS users (the layer contract's column names and codes, ``role=park``, ``plans=baiyun_sti``;
see ``docs/layer-contract.md``). This form is for reading in a spreadsheet: one row per feature,
columns in Chinese, values as the app shows them, the feature's id kept last (``编号 id``) so a
row can be found in the code form. Every field is quoted; control characters and line breaks in
a value become spaces (the excerpts keep one per line) and text a spreadsheet would run as a
formula gets a leading ``'`` (:func:`spatial.plaintext.csv_cell`). UTF-8 with BOM, so Excel
reads the Chinese.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from spatial.exports.downloads import table_point
from spatial.plaintext import csv_cell, text_of
from spatial.plans.manifest import load_manifest
from spatial.query.detail import location_text
from spatial.webmap.popups import role_zh

__all__ = ["HEADERS", "to_csv_zh_bytes"]

#: The columns of the Chinese form, in order, with the contract column each comes from.
HEADERS: dict[str, str] = {
    "名称": "name",
    "英文名称": "name_en",
    "别称": "aliases",
    "类型": "role",
    "规划": "plans",
    "所在区": "district",
    "产业": "industries",
    "分组": "group",
    "轴上次序": "axis_order",
    "位置依据": "location_source",
    "经度": "lon",
    "纬度": "lat",
    "规划原文": "excerpts",
    "编号 id": "id",
}

_SEP = "、"


def _words(values: Any, names: Mapping[str, str] | None = None) -> str:
    items = list(values) if isinstance(values, list | tuple) else ([] if not values else [values])
    return _SEP.join(names.get(str(v), str(v)) if names else str(v) for v in items)


def to_csv_zh_bytes(gdf: gpd.GeoDataFrame, plan_names: Mapping[str, str] | None = None) -> bytes:
    """The features as a Chinese CSV (UTF-8 with BOM); see the module notes.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in WGS84, as :func:`spatial.plans.layers.load_layers` gives them.
    plan_names : mapping, optional
        Plan id -> name; default the manifest's short names.
    """
    if plan_names is None:
        plan_names = {p.id: p.short_name for p in load_manifest()}
    rows = []
    for _, row in gdf.iterrows():
        point = table_point(row.geometry)
        order = row.get("axis_order")
        excerpts = [
            f"【{plan_names.get(e.get('plan', ''), e.get('plan', ''))}】{e.get('text', '')}"
            for e in (row.get("excerpts") or [])
        ]
        values = {
            "名称": text_of(row.get("name")),
            "英文名称": text_of(row.get("name_en")),
            "别称": _words(row.get("aliases")),
            "类型": role_zh(row.get("role")),
            "规划": _words(row.get("plans"), plan_names),
            "所在区": _words(row.get("district")),
            "产业": _words(row.get("industries")),
            "分组": text_of(row.get("group")),
            "轴上次序": "" if order is None or order != order else str(int(order)),
            "位置依据": location_text(row.get("location_source"), row.get("location_precision_m")),
            "经度": "" if point is None else f"{point.x:.6f}",
            "纬度": "" if point is None else f"{point.y:.6f}",
            "规划原文": "\n".join(excerpts),
            "编号 id": text_of(row.get("id") or row.name),
        }
        rows.append({k: csv_cell(v, lines=k == "规划原文") for k, v in values.items()})
    frame = pd.DataFrame(rows, columns=list(HEADERS))
    buf = io.StringIO()
    frame.to_csv(buf, index=False, quoting=csv.QUOTE_ALL)
    return buf.getvalue().encode("utf-8-sig")
