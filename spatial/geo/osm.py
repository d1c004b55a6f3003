"""OpenStreetMap context for reading the maps: water, rivers, main roads, airport, rail, stations.

``fetch_osm`` (``gzmap fetch-osm``, online) asks the Overpass API through ``osmnx`` for a few
feature groups over the city extent and caches each group as one GeoJSON file in
``data/geo/osm/``. Files are written atomically (temporary file + ``os.replace``) and carry a
small ``gzmap_osm`` header (group, feature count, date, licence); a file that does not parse or
whose header does not match its contents is treated as absent and fetched again. osmnx's own
HTTP cache lives in ``data/geo/osm/http/``, so an interrupted group resumes from the Overpass
sub-queries already answered.

``load_osm_context`` returns what is cached and never touches the network; a group the cache
lacks comes from the extract shipped in ``data/geo/context`` when it holds it (water and rivers
from GSHHG, :mod:`spatial.geo.context`). Each frame's ``attrs["attribution"]`` names its source.
The project works without any of it.

OSM data © OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from spatial._io import atomic_write_text
from spatial._paths import OSM_CACHE_DIR
from spatial.geo.context import EXTRACT_ATTRIBUTION, EXTRACT_DIR

__all__ = [
    "OsmGroup",
    "OSM_GROUPS",
    "OSM_ATTRIBUTION",
    "CacheError",
    "OfflineError",
    "fetch_osm",
    "load_osm_context",
    "prepare_group",
    "read_cache_file",
    "write_cache_file",
    "cache_path",
    "context_sources",
]

OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"
HEADER_KEY = "gzmap_osm"
METRIC_CRS = "EPSG:32649"
OVERPASS_TIMEOUT_S = 10.0

Fetcher = Callable[[BaseGeometry, dict[str, Any]], gpd.GeoDataFrame]


@dataclass(frozen=True)
class OsmGroup:
    """A feature group fetched and cached together.

    Attributes
    ----------
    key : str
        File stem in the cache, e.g. ``"water"``.
    label : str
        Chinese label.
    tags : dict
        osmnx tag filter (a feature matching any tag is returned).
    geom_types : tuple of str
        Geometry kinds kept: ``"polygon"``, ``"line"`` or ``"point"``.
    kind_tag : str
        The tag whose value becomes the ``kind`` column.
    min_area_m2 : float
        Polygons smaller than this are dropped (fish ponds, small pools).
    exclude : dict
        Tag values that drop a feature, e.g. metro stations from railway stations.
    as_points : bool
        Reduce every feature to a representative point (stations).
    simplify_m : float
        Simplification tolerance in metres applied before caching.
    """

    key: str
    label: str
    tags: dict[str, Any]
    geom_types: tuple[str, ...]
    kind_tag: str
    min_area_m2: float = 0.0
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    as_points: bool = False
    simplify_m: float = 0.0


OSM_GROUPS: dict[str, OsmGroup] = {
    g.key: g
    for g in (
        OsmGroup(
            key="water",
            label="珠江及主要水体",
            tags={"natural": "water", "waterway": "riverbank"},
            geom_types=("polygon",),
            kind_tag="water",
            min_area_m2=100_000.0,
            simplify_m=5.0,
        ),
        OsmGroup(
            key="rivers",
            label="河流",
            tags={"waterway": "river"},
            geom_types=("line",),
            kind_tag="waterway",
            simplify_m=5.0,
        ),
        OsmGroup(
            key="roads",
            label="高速公路与快速干道",
            tags={"highway": ["motorway", "trunk"]},
            geom_types=("line",),
            kind_tag="highway",
            simplify_m=5.0,
        ),
        OsmGroup(
            key="airport",
            label="机场",
            tags={"aeroway": "aerodrome"},
            geom_types=("polygon",),
            kind_tag="aeroway",
            min_area_m2=1_000_000.0,
            simplify_m=5.0,
        ),
        OsmGroup(
            key="rail",
            label="铁路",
            tags={"railway": "rail"},
            geom_types=("line",),
            kind_tag="railway",
            exclude={"service": ("yard", "siding", "spur", "crossover")},
            simplify_m=5.0,
        ),
        OsmGroup(
            key="stations",
            label="铁路车站",
            tags={"railway": "station"},
            geom_types=("point", "polygon"),
            kind_tag="railway",
            exclude={
                "station": ("subway", "light_rail", "monorail", "tram", "funicular"),
                "subway": ("yes",),
                "light_rail": ("yes",),
            },
            as_points=True,
        ),
    )
}

_GEOM_KIND = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}

COLUMNS = ["osm_id", "name", "name_en", "kind", "ref", "geometry"]


class CacheError(ValueError):
    """A cache file is corrupt, partial or for another group."""


class OfflineError(RuntimeError):
    """The Overpass API cannot be reached."""


# --------------------------------------------------------------------------------------------
# Shaping a group


def _tag(gdf: gpd.GeoDataFrame, name: str) -> pd.Series:
    if name in gdf.columns:
        values = [None if _missing(v) else str(v) for v in gdf[name]]
    else:
        values = [None] * len(gdf)
    return pd.Series(values, index=gdf.index, dtype=object)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _osm_ids(gdf: gpd.GeoDataFrame) -> list[str]:
    idx = gdf.index
    if isinstance(idx, pd.MultiIndex) and idx.nlevels == 2:
        return [f"{el}/{oid}" for el, oid in idx]
    if "element" in gdf.columns and "id" in gdf.columns:
        return [f"{el}/{oid}" for el, oid in zip(gdf["element"], gdf["id"], strict=True)]
    return [str(i) for i in idx]


def prepare_group(group: OsmGroup | str, features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reduce raw osmnx features to the columns and shapes the maps use.

    Parameters
    ----------
    group : OsmGroup or str
        The group (or its key) the features were fetched for.
    features : geopandas.GeoDataFrame
        osmnx output (``features_from_polygon`` / ``features_from_xml``), EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``osm_id`` (``way/123``), ``name``, ``name_en``, ``kind``, ``ref``,
        ``geometry``; EPSG:4326; sorted by ``osm_id`` so rebuilds are stable.
    """
    if isinstance(group, str):
        group = OSM_GROUPS[group]
    if features.crs is None:
        features = features.set_crs("EPSG:4326")
    elif not features.crs.equals("EPSG:4326"):
        features = features.to_crs("EPSG:4326")
    gdf = gpd.GeoDataFrame(
        {
            "osm_id": _osm_ids(features),
            "name": _tag(features, "name").to_numpy(),
            "name_en": _tag(features, "name:en").to_numpy(),
            "kind": _tag(features, group.kind_tag).to_numpy(),
            "ref": _tag(features, "ref").to_numpy(),
        },
        geometry=np.asarray(features.geometry.values, dtype=object),
        crs="EPSG:4326",
    )
    keep = np.ones(len(gdf), dtype=bool)
    for tag, values in group.exclude.items():
        keep &= ~_tag(features, tag).isin(values).to_numpy()
    kinds = np.array([_GEOM_KIND.get(t, "") for t in gdf.geom_type.fillna("")])
    keep &= np.isin(kinds, group.geom_types) & ~gdf.geometry.is_empty.to_numpy()
    gdf = gdf[keep]
    metric = gdf.geometry.to_crs(METRIC_CRS)
    if group.min_area_m2 > 0:
        polygonal = np.isin(metric.geom_type, ["Polygon", "MultiPolygon"])
        big = metric.area.to_numpy() >= group.min_area_m2
        mask = ~polygonal | big
        gdf, metric = gdf[mask], metric[mask]
    if group.as_points:
        metric = metric.representative_point()
    elif group.simplify_m > 0:
        metric = metric.simplify(group.simplify_m, preserve_topology=True)
    gdf = gdf.set_geometry(metric.to_crs("EPSG:4326").values)
    gdf["geometry"] = shapely.transform(
        np.asarray(gdf.geometry.values, dtype=object), lambda c: np.round(c, 6)
    )
    gdf = gdf.set_geometry("geometry", crs="EPSG:4326")
    return gdf.sort_values("osm_id").reset_index(drop=True)[COLUMNS]


# --------------------------------------------------------------------------------------------
# Cache files


def cache_path(cache_dir: Path, group_key: str) -> Path:
    """The cache file of one group: ``<cache_dir>/<group_key>.geojson``."""
    return Path(cache_dir) / f"{group_key}.geojson"


def write_cache_file(path: Path, group_key: str, gdf: gpd.GeoDataFrame) -> None:
    """Write one group's features atomically (:func:`spatial._io.atomic_write_text`).

    Parameters
    ----------
    path : Path
        Destination file.
    group_key : str
        Recorded in the header and checked on reading.
    gdf : geopandas.GeoDataFrame
        Prepared features (``prepare_group``), EPSG:4326.
    """
    fc = json.loads(gdf.to_json(drop_id=True, to_wgs84=True))
    fc.pop("crs", None)
    fc[HEADER_KEY] = {
        "group": group_key,
        "count": len(fc["features"]),
        "fetched": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "tags": OSM_GROUPS[group_key].tags if group_key in OSM_GROUPS else None,
        "attribution": OSM_ATTRIBUTION,
    }
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n"
    atomic_write_text(path, text)


def read_cache_file(path: Path, group_key: str) -> gpd.GeoDataFrame:
    """Read one group's cache file, checking it is complete.

    Parameters
    ----------
    path : Path
        The cache file.
    group_key : str
        The group it must hold.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns as ``prepare_group``.

    Raises
    ------
    FileNotFoundError
        No such file.
    CacheError
        The file does not parse, lacks the header, holds another group or a different number
        of features than its header records.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheError(f"{path}: unreadable ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise CacheError(f"{path}: not a GeoJSON FeatureCollection")
    header = data.get(HEADER_KEY)
    if not isinstance(header, dict):
        raise CacheError(f"{path}: no {HEADER_KEY} header (partial or foreign file)")
    if header.get("group") != group_key:
        raise CacheError(f"{path}: holds group {header.get('group')!r}, expected {group_key!r}")
    features = data.get("features")
    if not isinstance(features, list) or header.get("count") != len(features):
        raise CacheError(f"{path}: feature count does not match its header (partial file)")
    try:
        if features:
            gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
        else:
            gdf = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    except Exception as exc:  # malformed geometry or properties
        raise CacheError(f"{path}: malformed features ({exc})") from exc
    for col in COLUMNS:
        if col not in gdf.columns:
            gdf[col] = None
    return gdf[COLUMNS]


def _sources(cache_dir: Path | None, extract_dir: Path | None) -> dict[str, tuple[Path, str]]:
    """Group key -> (file, attribution) of the file each group is read from: the cache, or for
    a group it lacks, the shipped extract."""
    cache_dir = Path(cache_dir) if cache_dir is not None else OSM_CACHE_DIR
    out: dict[str, tuple[Path, str]] = {}
    for key in OSM_GROUPS:
        cached = cache_path(cache_dir, key)
        if cached.exists():
            out[key] = (cached, OSM_ATTRIBUTION)
        elif extract_dir is not None and cache_path(extract_dir, key).exists():
            out[key] = (cache_path(extract_dir, key), EXTRACT_ATTRIBUTION)
    return out


def load_osm_context(
    cache_dir: Path | None = None, extract_dir: Path | None = EXTRACT_DIR
) -> dict[str, gpd.GeoDataFrame]:
    """The cached OSM feature groups, without touching the network; the shipped extract for the
    groups the cache lacks.

    Parameters
    ----------
    cache_dir : Path, optional
        Default ``data/geo/osm``.
    extract_dir : Path or None
        The offline extract (default ``data/geo/context``: water and rivers from GSHHG), read
        for every group the cache lacks; None for the cache alone.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        Group key (``water``, ``rivers``, ``roads``, ``airport``, ``stations``) to features in
        EPSG:4326, each with ``attrs["attribution"]``; only the groups found intact. Empty when
        there is nothing. A corrupt file is left out with a warning naming it (``gzmap
        fetch-osm`` refetches a cached one).
    """
    out: dict[str, gpd.GeoDataFrame] = {}
    for key, (path, attribution) in _sources(cache_dir, extract_dir).items():
        try:
            frame = read_cache_file(path, key)
        except CacheError as exc:
            warnings.warn(f"ignoring OSM cache file: {exc}", stacklevel=2)
            continue
        frame.attrs["attribution"] = attribution
        out[key] = frame
    return out


def context_sources(
    cache_dir: Path | None = None, extract_dir: Path | None = EXTRACT_DIR
) -> list[str]:
    """The attributions of the context :func:`load_osm_context` reads, each once: OpenStreetMap
    for cached groups, the extract's source for the groups it stands in for."""
    return list(dict.fromkeys(a for _, a in _sources(cache_dir, extract_dir).values()))


# --------------------------------------------------------------------------------------------
# Fetching


def _short_reason(exc: BaseException) -> str:
    text = str(exc)
    for needle, reason in (
        ("Name or service not known", "name resolution failed"),
        ("Temporary failure in name resolution", "name resolution failed"),
        ("NameResolutionError", "name resolution failed"),
        ("Connection refused", "connection refused"),
        ("timed out", "timed out"),
        ("Network is unreachable", "network unreachable"),
        ("ProxyError", "blocked by proxy"),
    ):
        if needle in text or needle == exc.__class__.__name__:
            return reason
    first = text.splitlines()[0] if text else ""
    return f"{exc.__class__.__name__}: {first[:120]}" if first else exc.__class__.__name__


def _overpass_host() -> str:
    import osmnx as ox

    return ox.settings.overpass_url.split("//", 1)[-1].split("/", 1)[0]


def _check_overpass() -> None:
    """Raise OfflineError unless the Overpass API answers (fast; respects proxy settings)."""
    import osmnx as ox
    import requests

    url = ox.settings.overpass_url.rstrip("/") + "/status"
    try:
        requests.get(url, timeout=OVERPASS_TIMEOUT_S)
    except requests.exceptions.RequestException as exc:
        raise OfflineError(
            f"cannot reach the Overpass API at {_overpass_host()} ({_short_reason(exc)})"
        ) from exc


def _osmnx_fetcher(http_cache: Path) -> Fetcher:
    import osmnx as ox

    def fetch(polygon: BaseGeometry, tags: dict[str, Any]) -> gpd.GeoDataFrame:
        saved = (ox.settings.use_cache, ox.settings.cache_folder)
        ox.settings.use_cache = True
        ox.settings.cache_folder = str(http_cache)
        try:
            return ox.features_from_polygon(polygon, tags)
        except ox._errors.InsufficientResponseError:
            return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
        finally:
            ox.settings.use_cache, ox.settings.cache_folder = saved

    return fetch


def _drop_broken_http_cache(http_cache: Path) -> int:
    """Delete osmnx response files that do not parse (osmnx writes them non-atomically)."""
    dropped = 0
    if not http_cache.is_dir():
        return 0
    for f in http_cache.glob("*.json"):
        try:
            json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            f.unlink(missing_ok=True)
            dropped += 1
    return dropped


def _extent() -> BaseGeometry:
    from spatial.geo.base import load_city_outline

    city = load_city_outline().to_crs(METRIC_CRS)
    area = city.union_all().buffer(500).simplify(200)
    return gpd.GeoSeries([area], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]


def _is_network_error(exc: BaseException) -> bool:
    try:
        import requests

        if isinstance(exc, requests.exceptions.RequestException):
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(exc, ConnectionError | TimeoutError | OfflineError)


def fetch_osm(
    cache_dir: Path | None = None,
    groups: Iterable[str] | None = None,
    refresh: bool = False,
    *,
    fetcher: Fetcher | None = None,
    extent: BaseGeometry | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Fetch the OSM context groups for the city extent and cache one file per group.

    Groups already cached intact are skipped unless ``refresh``; a corrupt or partial cache
    file is reported and refetched. Without network it prints one line and returns 1, leaving
    the cache as it was (no partial files).

    Parameters
    ----------
    cache_dir : Path, optional
        Default ``data/geo/osm``.
    groups : iterable of str, optional
        Group keys to fetch; default all of ``OSM_GROUPS``.
    refresh : bool
        Refetch groups even when cached.
    fetcher : callable, optional
        ``fetcher(polygon, tags) -> GeoDataFrame``; default ``osmnx.features_from_polygon``
        (after a quick reachability check of the Overpass API).
    extent : shapely geometry, optional
        WGS84 area to fetch; default the city outline plus 500 m.
    out, err : text streams, optional
        Progress and error output; default stdout / stderr.

    Returns
    -------
    int
        0 when every requested group is cached, 1 when the network failed, 2 for unknown groups.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    cache_dir = Path(cache_dir) if cache_dir is not None else OSM_CACHE_DIR
    keys = list(groups) if groups else list(OSM_GROUPS)
    unknown = [k for k in keys if k not in OSM_GROUPS]
    if unknown:
        print(
            f"gzmap fetch-osm: unknown group(s) {', '.join(unknown)}; known: {', '.join(OSM_GROUPS)}",
            file=err,
        )
        return 2

    todo: list[str] = []
    for i, key in enumerate(keys, 1):
        path = cache_path(cache_dir, key)
        if path.exists() and not refresh:
            try:
                n = len(read_cache_file(path, key))
            except CacheError as exc:
                print(f"[{i}/{len(keys)}] {key}: {exc}; refetching", file=out, flush=True)
            else:
                print(f"[{i}/{len(keys)}] {key}: cached ({n} features)", file=out, flush=True)
                continue
        todo.append(key)
    if not todo:
        return 0

    http_cache = cache_dir / "http"
    try:
        if fetcher is None:
            _check_overpass()
            _drop_broken_http_cache(http_cache)
            fetcher = _osmnx_fetcher(http_cache)
        if extent is None:
            try:
                extent = _extent()
            except FileNotFoundError as exc:
                print(f"gzmap fetch-osm: {exc}", file=err, flush=True)
                return 2
        for key in todo:
            i = keys.index(key) + 1
            group = OSM_GROUPS[key]
            print(f"[{i}/{len(keys)}] {key} ({group.label}): fetching…", file=out, flush=True)
            raw = fetcher(extent, group.tags)
            gdf = prepare_group(group, raw)
            path = cache_path(cache_dir, key)
            write_cache_file(path, key, gdf)
            print(f"[{i}/{len(keys)}] {key}: {len(gdf)} features → {path}", file=out, flush=True)
    except Exception as exc:
        if not _is_network_error(exc):
            raise
        if isinstance(exc, OfflineError):
            reason = str(exc)
        else:
            reason = f"the Overpass request failed ({_short_reason(exc)})"
        print(
            f"gzmap fetch-osm: no network — {reason}; OSM context not updated "
            "(the district base works without it)",
            file=err,
            flush=True,
        )
        return 1
    return 0
