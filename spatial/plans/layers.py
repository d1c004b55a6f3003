"""Load the built layers (``layers/*.geojson``) for the app, the exports and analysis."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from spatial._paths import LAYERS_DIR
from spatial.plans.schema import PROPERTY_ORDER

#: Columns every loaded layer frame has, in this order, before ``geometry``.
COLUMNS = list(PROPERTY_ORDER)


def read_layer_file(path: Path) -> gpd.GeoDataFrame:
    """Read one layer file into a GeoDataFrame (EPSG:4326), list properties kept as lists.

    GeoJSON drivers flatten list and object properties to strings; this reader keeps them as
    Python objects, which the filters rely on.
    """
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return frame_from_features(doc.get("features", []), layer=doc.get("name") or Path(path).stem)


def frame_from_features(features: list[dict], layer: str | None = None) -> gpd.GeoDataFrame:
    """Build a layer frame from GeoJSON feature dicts, filling absent contract columns."""
    rows = []
    for feat in features:
        props = dict(feat.get("properties") or {})
        if layer is not None:
            props.setdefault("layer", layer)
        props["geometry"] = shape(feat["geometry"]) if feat.get("geometry") else None
        rows.append(props)
    frame = pd.DataFrame(rows)
    list_cols = (
        "aliases",
        "plans",
        "district",
        "industries",
        "industry_groups",
        "axis_segment",
        "members",
        "links",
        "excerpts",
        "mentions",
    )
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = None
        if col in list_cols:
            frame[col] = frame[col].apply(lambda v: list(v) if isinstance(v, list) else [])
    frame["attributes"] = frame["attributes"].apply(lambda v: v if isinstance(v, dict) else {})
    extra = [c for c in frame.columns if c not in COLUMNS and c != "geometry"]
    return gpd.GeoDataFrame(
        frame[COLUMNS + extra + ["geometry"]], geometry="geometry", crs="EPSG:4326"
    )


@lru_cache(maxsize=4)
def _load(layers_dir: str) -> gpd.GeoDataFrame:
    paths = sorted(Path(layers_dir).glob("*.geojson"))
    if not paths:
        raise FileNotFoundError(f"no layer files in {layers_dir}; run gzmap build-layers")
    frames = [read_layer_file(p) for p in paths]
    gdf = pd.concat(frames, ignore_index=True)
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")
    return gdf.set_index("id", drop=False).rename_axis(None)


def load_layers(layers_dir: Path = LAYERS_DIR) -> gpd.GeoDataFrame:
    """All curated features in one GeoDataFrame (EPSG:4326), indexed by ``id``.

    The frame is cached and shared: callers must not modify it in place (take ``.copy()``).
    """
    return _load(str(Path(layers_dir).resolve()))


def clear_cache() -> None:
    """Forget loaded layers (after a rebuild)."""
    _load.cache_clear()
