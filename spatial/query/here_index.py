"""The point query's index: what 这里规划了什么 needs of the layers, without pandas or geopandas.

:func:`spatial.query.here.what_is_here` answers from a :class:`HereIndex`: the live features'
geometries in EPSG:32649 (UTM 49N) and the few fields the answer prints. The app builds one
from its loaded frame (:func:`index_from_frame`); ``gzmap here LON LAT`` reads one from a cache
file (:func:`load_index`), so that a point query imports shapely, numpy and pyproj only: the
geopandas path costs three times the CPU, most of it importing pandas and geopandas.

The cache file is JSON (geometries as hex WKB, which keeps every coordinate bit for bit) in
``$GZMAP_CACHE_DIR/here``, else ``$XDG_CACHE_HOME/gzplan-map/here``, else
``~/.cache/gzplan-map/here``: never in the checkout, which may be read-only. It carries a key:
the SHA-256 of every layer file's name and bytes and of the district boundaries' bytes, with the
index format and the pyproj/PROJ versions that projected it. A file whose key differs from the
files on disk now is never used: the index is rebuilt from the layers (the geopandas path) and
written again. When no cache folder is writable the rebuilt index answers from memory alone.

The ~220 features are measured all at once with a vectorised distance, as the geopandas
path does; a spatial tree (``shapely.STRtree``) would save nothing measurable at this size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from spatial._io import atomic_write_text
from spatial._paths import DISTRICTS_PATH, LAYERS_DIR

__all__ = [
    "FORMAT",
    "HereIndex",
    "cache_path",
    "index_from_frame",
    "index_key",
    "load_index",
    "to_metric",
]

#: Bumped whenever the file's content or its meaning changes: an older file is then stale.
FORMAT = 1
METRIC_EPSG = 32649
_POINT_TYPES = (0, 4)  # shapely type ids of Point and MultiPoint
_FIELDS = ("id", "name", "role", "plans", "aliases", "members", "excerpts",
           "location_precision_m", "location_source")


@dataclass(frozen=True)
class HereIndex:
    """The live features (those with a non-empty geometry), in the layers' order.

    Attributes
    ----------
    keys : list
        The frame's index (the feature ids): members name features by it.
    ids, names, roles : list of str
        Each feature's id, name and role.
    plans, aliases, members : list of list of str
        Plan ids naming it, its other names, the ids it is derived from.
    excerpts : list of list of dict
        Its excerpts as stored (``plan``, ``section``, ``text``).
    precision : numpy.ndarray
        ``location_precision_m``, NaN where none is stated.
    derived : numpy.ndarray of bool
        True where the geometry is derived from member places.
    geoms : numpy.ndarray of shapely geometries
        The geometries in EPSG:32649.
    district_names : tuple of str
        The districts (empty when the boundaries are not built).
    district_geoms : numpy.ndarray of shapely geometries
        Their boundaries in EPSG:32649.
    """

    keys: list[Any]
    ids: list[str]
    names: list[str]
    roles: list[str]
    plans: list[list[str]]
    aliases: list[list[str]]
    members: list[list[str]]
    excerpts: list[list[dict[str, Any]]]
    precision: np.ndarray
    derived: np.ndarray
    geoms: np.ndarray
    district_names: tuple[str, ...] = ()
    district_geoms: np.ndarray | None = None

    @property
    def position(self) -> dict[Any, int]:
        """Feature key (id) -> its row."""
        return {key: i for i, key in enumerate(self.keys)}

    @property
    def is_point(self) -> np.ndarray:
        """True where the feature is drawn as a point (or points)."""
        return np.isin(shapely.get_type_id(self.geoms), _POINT_TYPES)

    def district_of(self, mpoint: Any) -> str | None:
        """The district containing a point given in EPSG:32649, None outside every one.

        The point case of :func:`spatial.geo.base.districts_containing` with no tolerance:
        the containing district, the first by name should a point lie on a shared edge. Written
        out here, with shapely alone, because that module imports geopandas, which would double
        the start-up of ``gzmap here`` (row 8a).
        """
        if self.district_geoms is None:
            return None
        dist = shapely.distance(self.district_geoms, mpoint)
        hits = np.flatnonzero(dist <= 0.0)
        best = min(hits, key=lambda i: (dist[i], self.district_names[i]), default=None)
        return None if best is None else self.district_names[best]


def _str_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def _precision(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def index_from_frame(gdf: Any, districts: bool = False) -> HereIndex:
    """The index of a layers frame (EPSG:4326, indexed by id), projected with geopandas.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layers (:func:`spatial.plans.layers.load_layers`).
    districts : bool
        Also hold the district boundaries (:mod:`spatial.geo.base`), for a cached index.
    """
    live = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    metric = live.geometry.to_crs(f"EPSG:{METRIC_EPSG}")
    empty = [None] * len(live)
    col = {c: live[c].tolist() if c in live.columns else empty for c in _FIELDS}
    names: tuple[str, ...] = ()
    dgeoms = None
    if districts:
        from spatial.geo.base import BaseDataMissing, districts_metric

        with contextlib.suppress(BaseDataMissing):
            names, dgeoms = districts_metric(DISTRICTS_PATH)
    return HereIndex(
        keys=list(live.index),
        ids=[str(v) for v in col["id"]],
        names=[str(v) for v in col["name"]],
        roles=[str(v) for v in col["role"]],
        plans=[_str_list(v) for v in col["plans"]],
        aliases=[_str_list(v) for v in col["aliases"]],
        members=[_str_list(v) for v in col["members"]],
        excerpts=[list(v or []) for v in col["excerpts"]],
        precision=np.array([_precision(v) for v in col["location_precision_m"]], dtype=float),
        derived=np.array(["derived:" in str(v or "") for v in col["location_source"]], dtype=bool),
        geoms=np.asarray(metric.values, dtype=object),
        district_names=tuple(names),
        district_geoms=dgeoms,
    )


@lru_cache(maxsize=1)
def _transformer() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", f"EPSG:{METRIC_EPSG}", always_xy=True)


def to_metric(lon: float, lat: float) -> shapely.Point:
    """A WGS84 point in EPSG:32649, bit for bit as geopandas' ``to_crs`` projects it."""
    x, y = _transformer().transform(lon, lat)
    return shapely.Point(x, y)


# --------------------------------------------------------------------------------------------
# The cache file


def _file_digest(digest: Any, path: Path) -> None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = None
    digest.update(f"{path.name}\0{-1 if data is None else len(data)}\0".encode())
    digest.update(data or b"")


def index_key(layers_dir: Path = LAYERS_DIR, districts_path: Path = DISTRICTS_PATH) -> str:
    """The content stamp an index file must carry to be used.

    SHA-256 of the index format, the pyproj and PROJ versions, and the name and bytes of every
    layer file and of the district boundaries: editing, adding or removing any of them, or a
    ``gzmap build-layers`` that changes a byte, gives another key. (Reading and hashing the
    files costs about a millisecond; modification times would miss a copy that keeps them.)
    """
    import pyproj

    digest = hashlib.sha256(f"{FORMAT}\0{pyproj.__version__}\0{pyproj.proj_version_str}".encode())
    for path in sorted(Path(layers_dir).glob("*.geojson")):
        _file_digest(digest, path)
    digest.update(b"\0districts\0")
    _file_digest(digest, Path(districts_path))
    return digest.hexdigest()


def cache_path(layers_dir: Path = LAYERS_DIR) -> Path | None:
    """Where the index of ``layers_dir`` is cached, one file per layers folder; None when no
    cache folder is set (``$GZMAP_CACHE_DIR``, ``$XDG_CACHE_HOME`` or a home folder)."""
    if os.environ.get("GZMAP_CACHE_DIR"):
        base = Path(os.environ["GZMAP_CACHE_DIR"])
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        try:
            base = (Path(xdg) if xdg else Path.home() / ".cache") / "gzplan-map"
        except RuntimeError:  # no home folder
            return None
    folder = str(Path(layers_dir).resolve())
    return base / "here" / f"index-{hashlib.sha256(folder.encode()).hexdigest()[:16]}.json"


def _wkb(geoms: np.ndarray | None) -> list[str] | None:
    return None if geoms is None else [str(w) for w in shapely.to_wkb(geoms, hex=True)]


def _dumps(index: HereIndex, key: str) -> str:
    features = [
        {
            "id": index.ids[i], "key": str(index.keys[i]), "name": index.names[i],
            "role": index.roles[i], "plans": index.plans[i], "aliases": index.aliases[i],
            "members": index.members[i], "excerpts": index.excerpts[i],
            "precision": None if math.isnan(index.precision[i]) else float(index.precision[i]),
            "derived": bool(index.derived[i]),
        }
        for i in range(len(index.ids))
    ]
    doc = {
        "format": FORMAT, "key": key, "features": features, "wkb": _wkb(index.geoms),
        "districts": list(index.district_names), "district_wkb": _wkb(index.district_geoms),
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str, key: str) -> HereIndex | None:
    """The index in ``text``; None unless it is of this format and carries ``key``."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
        return None
    feats = doc["features"]
    geoms = shapely.from_wkb(np.asarray(doc["wkb"], dtype=object))
    if len(geoms) != len(feats):
        return None
    dwkb = doc["district_wkb"]
    return HereIndex(
        keys=[f["key"] for f in feats],
        ids=[f["id"] for f in feats],
        names=[f["name"] for f in feats],
        roles=[f["role"] for f in feats],
        plans=[f["plans"] for f in feats],
        aliases=[f["aliases"] for f in feats],
        members=[f["members"] for f in feats],
        excerpts=[f["excerpts"] for f in feats],
        precision=np.array([math.nan if f["precision"] is None else f["precision"]
                            for f in feats], dtype=float),
        derived=np.array([f["derived"] for f in feats], dtype=bool),
        geoms=np.asarray(geoms, dtype=object),
        district_names=tuple(doc["districts"]),
        district_geoms=None if dwkb is None else shapely.from_wkb(np.asarray(dwkb, dtype=object)),
    )


def _read_cached(path: Path, key: str) -> HereIndex | None:
    try:
        return _loads(path.read_text(encoding="utf-8"), key)
    except (OSError, ValueError, KeyError, TypeError, shapely.errors.ShapelyError):
        return None  # missing, unreadable or damaged: rebuilt like a stale one


def _build(layers_dir: Path) -> HereIndex:
    """The index read afresh from the files (the caches of this process may hold older ones)."""
    from spatial.geo.base import clear_caches
    from spatial.plans.layers import clear_cache, load_layers

    clear_cache()
    clear_caches()
    return index_from_frame(load_layers(layers_dir), districts=True)


def load_index(layers_dir: Path = LAYERS_DIR) -> HereIndex:
    """The index of the layers in ``layers_dir``, from the cache when its key is current.

    A missing, damaged or stale file is rebuilt from the layers (reading them with geopandas)
    and written again; when it cannot be written the rebuilt index is used all the same.

    Raises
    ------
    FileNotFoundError
        When ``layers_dir`` holds no layer file (as :func:`spatial.plans.layers.load_layers`).
    """
    layers_dir = Path(layers_dir)
    key = index_key(layers_dir)
    path = cache_path(layers_dir)
    if path is not None:
        cached = _read_cached(path, key)
        if cached is not None:
            return cached
    index = _build(layers_dir)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, _dumps(index, key))
        except OSError:
            pass  # a read-only or full cache folder: answer from memory
    return index
