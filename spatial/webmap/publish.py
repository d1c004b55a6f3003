"""The map client's static files: written once, named by their content, served for ever.

The map client (``static/gzmap/``, :mod:`spatial.webmap.client`) takes its data as files, not
through the app's messages: the features of a layer version and the district outlines as
compact GeoJSON (RFC 7946, coordinates to 5 decimals, polygons and lines simplified to
~20 m, one file per datum: WGS84, and GCJ-02 for Amap's tiles), the client's scripts with
the symbology built in, and the folium-built map of each basemap. Each is written to
``static/data/`` under a name carrying a hash of its content
(``features-wgs84.3f2a9c0e1b7d4a55.geojson``) with a gzip copy beside it (``….gz``), so a
web server can send it compressed and let browsers keep it for ever: a new layer version is
a new name. Streamlit serves the folder at ``/app/static/data/`` (``make app``), nginx does
under ``make serve``. The folder is generated (and git-ignored); emptying it is harmless.

Compact GeoJSON was chosen over FlatGeobuf by measurement (200,000 parks: 3.7 MB gzipped
against 5.3 MB, parsed by the browser's own ``JSON.parse`` in ~0.4 s, and no reader library
to ship); its properties are the layer contract's own names, so the files read in any GIS.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from spatial._io import atomic_write_bytes
from spatial.geo.basemaps import NO_TILES, get_basemap
from spatial.geo.coords import gdf_wgs84_to_gcj02
from spatial.plaintext import text_of
from spatial.symbology import drawn_features
from spatial.webmap._geom import COORD_DECIMALS, _point_of
from spatial.webmap.labels import _anchor

__all__ = [
    "APP_SCRIPTS",
    "CLIENT_SCRIPTS",
    "DATA_DIR",
    "STATIC_DIR",
    "context_document",
    "datum_of",
    "districts_document",
    "features_document",
    "in_datum",
    "write_hashed",
]

#: The app's static folder (``server.enableStaticServing``: ``/app/static/``): the one beside
#: the app's script, in this checkout, even when the data come from elsewhere (``GZMAP_ROOT``).
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
#: Where the generated, content-hashed files go.
DATA_DIR = STATIC_DIR / "data"
#: The client's scripts, in the order they load (each a Leaflet plugin or part of ``GzMap``).
CLIENT_SCRIPTS = (
    "symbols.js", "points.js", "labels.js", "client.js", "furniture.js", "view.js", "own.js",
    "tools.js", "pagemap.js",
)
#: The app's: the client's, then what redraws at a filter's click before the server answers.
APP_SCRIPTS = (*CLIENT_SCRIPTS, "predict.js")
CLIENT_DIR = STATIC_DIR / "gzmap"

_GEOMETRY_RANK = {"Polygon": 0, "MultiPolygon": 0, "LineString": 1, "MultiLineString": 1}


def datum_of(basemap: str) -> str:
    """The datum a basemap's tiles are drawn in: ``gcj02`` for Amap, else ``wgs84``."""
    if basemap == NO_TILES:
        return "wgs84"
    return get_basemap(basemap).crs


def in_datum(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """Features (WGS84) in a datum: shifted to GCJ-02 for ``gcj02``, as they are otherwise."""
    return gdf_wgs84_to_gcj02(gdf) if datum == "gcj02" and not gdf.empty else gdf


def write_hashed(stem: str, suffix: str, content: bytes, folder: Path = DATA_DIR) -> str:
    """Write ``content`` as ``{stem}.{hash}{suffix}`` (and a gzip copy, ``….gz``) unless that
    file is already there; return its name (the hash between dots: web servers recognise a
    content-hashed name by it, ``deploy/nginx.conf.template``).

    The name depends on the content alone, so app processes writing the same file at the
    same time write the same bytes (each write is atomic), and a browser may cache it for ever.
    """
    digest = hashlib.sha256(content).hexdigest()[:16]
    name = f"{stem}.{digest}{suffix}"
    path = folder / name
    if not path.exists() or not path.with_name(name + ".gz").exists():
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path.with_name(name + ".gz"), gzip.compress(content, 9, mtime=0))
        atomic_write_bytes(path, content)
    return name


def _xy(coords: Any) -> list[list[float]]:
    return np.round(np.asarray(coords, dtype=float)[:, :2], COORD_DECIMALS).tolist()


def _coordinates(geom: BaseGeometry) -> Any:
    """GeoJSON coordinates of a geometry, rounded to :data:`COORD_DECIMALS`."""
    kind = geom.geom_type
    if kind == "Point":
        return [round(geom.x, COORD_DECIMALS), round(geom.y, COORD_DECIMALS)]
    if kind == "LineString":
        return _xy(geom.coords)
    if kind == "Polygon":
        return [_xy(geom.exterior.coords), *(_xy(r.coords) for r in geom.interiors)]
    return [_coordinates(part) for part in geom.geoms]


def _lonlat(lat_lon: tuple[float, float]) -> list[float]:
    return [lat_lon[1], lat_lon[0]]


def _listed(value: Any) -> list[str]:
    if value is None or isinstance(value, float):  # missing (NaN in a frame)
        return []
    return [str(v) for v in value]


def features_document(
    gdf: gpd.GeoDataFrame, datum: str, layer_labels: Mapping[str, str]
) -> tuple[bytes, tuple[str, ...]]:
    """The features a map can draw, as the client's GeoJSON, and their ids in its order.

    Parameters
    ----------
    gdf : GeoDataFrame
        Every feature of a layer version (:func:`spatial.plans.layers.load_layers`, indexed by
        id), already simplified for the screen (:func:`spatial.webmap.simplify_for_web`).
    datum : {'wgs84', 'gcj02'}
        The datum of the basemap the file is for (:func:`datum_of`).
    layer_labels : mapping
        Layer name -> its label in the layer switcher, in display order: the file lists the
        layers in this order (others after them), and in each, areas before lines before
        points, so small things are drawn on top.

    Returns
    -------
    (bytes, tuple of str)
        The file's content, and the feature ids in its order: a selection names features by
        their position in the file (:func:`spatial.webmap.client.encode_show`).

    Notes
    -----
    Features with no geometry are left out, and those outside the city (``in_guangzhou:
    false``) unless drawn as context in the 区外 role (:func:`spatial.symbology.drawn_features`). Each feature's properties are the layer contract's ``name``, ``role``,
    ``layer``, ``industries``, ``plans`` and ``axis_order`` (when it has one); areas and lines
    add ``anchor`` (where their marker, highlight and name sit: [lon, lat]) and lines
    ``label_point`` (their midpoint, where the name sits). Names are text as the layers have
    them: the client escapes them wherever they become HTML.
    """
    drawn = drawn_features(gdf)
    known = list(layer_labels)
    layers = [str(v or "features") for v in drawn["layer"]] if "layer" in drawn else []
    layers = layers or ["features"] * len(drawn)
    kinds = [_GEOMETRY_RANK.get(g.geom_type, 2) for g in drawn.geometry]
    order = sorted(
        range(len(drawn)),
        key=lambda i: (known.index(layers[i]) if layers[i] in known else len(known), layers[i],
                       kinds[i]),
    )
    shown = in_datum(drawn.iloc[order], datum)
    layers = [layers[i] for i in order]
    cols = set(shown.columns)
    rows = shown.drop(columns=[shown.geometry.name]).to_dict("records")
    features = []
    for fid, row, layer, geom in zip(shown.index, rows, layers, shown.geometry, strict=True):
        props: dict[str, Any] = {
            "name": text_of(row.get("name")),
            "role": text_of(row.get("role")),
            "layer": layer,
            "industries": _listed(row.get("industries")) if "industries" in cols else [],
            "plans": _listed(row.get("plans")) if "plans" in cols else [],
        }
        axis = row.get("axis_order")
        if axis is not None and axis == axis:  # not NaN
            props["axis_order"] = int(axis)
        if geom.geom_type != "Point":
            props["anchor"] = _lonlat(_point_of(geom))
        if geom.geom_type in ("LineString", "MultiLineString"):
            props["label_point"] = _lonlat(_anchor(geom))
        features.append({"type": "Feature", "id": str(fid), "properties": props,
                         "geometry": {"type": geom.geom_type, "coordinates": _coordinates(geom)}})
    doc = {
        "type": "FeatureCollection",
        "gzmap": {"version": 1, "datum": datum, "layers": dict(layer_labels)},
        "features": features,
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8"), tuple(str(i) for i in shown.index)


def districts_document(districts: gpd.GeoDataFrame, simplified: gpd.GeoDataFrame, datum: str) -> bytes:
    """District outlines for the client, in a datum: the outlines ``simplified`` (as one
    coverage, :func:`spatial.webmap.simplify_for_web`), each with its ``name``, the point its
    name sits at (``label_point``) and the point under it where a count of places without a
    site goes (``badge_point``: the representative point of the full outline, as
    :func:`spatial.query.unsited.markers_of_counts` places it)."""
    simple = in_datum(simplified, datum)
    badges = in_datum(
        districts.set_geometry(districts.geometry.representative_point()), datum
    ).geometry.tolist()
    features = []
    for name, geom, badge in zip(simple["name"], simple.geometry, badges, strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append({
            "type": "Feature",
            "properties": {
                "name": text_of(name),
                "label_point": _lonlat(_point_of(geom)),
                "badge_point": [round(badge.x, COORD_DECIMALS), round(badge.y, COORD_DECIMALS)],
            },
            "geometry": {"type": geom.geom_type, "coordinates": _coordinates(geom)},
        })
    doc = {"type": "FeatureCollection", "gzmap": {"version": 1, "datum": datum},
           "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def context_document(context: Mapping[str, gpd.GeoDataFrame], datum: str) -> bytes | None:
    """The geographic context for the client's offline basemap (离线底图), in a datum, or None
    when there is none.

    Parameters
    ----------
    context : mapping of str to GeoDataFrame
        :func:`spatial.geo.osm.load_osm_context`: group (``water``, ``rivers``, ``roads``,
        ``rail``, ``airport``) to features in WGS84, each frame's ``attrs["attribution"]``
        naming its source (OpenStreetMap by default).
    datum : {'wgs84', 'gcj02'}

    Returns
    -------
    bytes or None
        GeoJSON (RFC 7946; lines and areas simplified to ~20 m, 5 decimals), each feature's
        ``group`` and ``name``; its ``gzmap`` header names the datum, the groups' colours
        (:data:`spatial.symbology.CONTEXT_COLOURS`, the print maps') and each source's
        attribution. Stations and groups without features are left out.
    """
    from spatial.geo.osm import OSM_ATTRIBUTION
    from spatial.symbology import CONTEXT_COLOURS
    from spatial.webmap.screen import simplify_for_web

    features, sources = [], []
    for group in CONTEXT_COLOURS:  # drawn in this order: areas first, then lines over them
        frame = context.get(group)
        if frame is None or frame.empty:
            continue
        frame = in_datum(simplify_for_web(frame[frame.geometry.notna()]), datum)
        sources.append(str(frame.attrs.get("attribution") or OSM_ATTRIBUTION))
        names = frame["name"] if "name" in frame.columns else [None] * len(frame)
        for name, geom in zip(names, frame.geometry, strict=True):
            if geom is None or geom.is_empty or geom.geom_type in ("Point", "MultiPoint"):
                continue
            features.append({
                "type": "Feature",
                "properties": {"group": group, "name": text_of(name)},
                "geometry": {"type": geom.geom_type, "coordinates": _coordinates(geom)},
            })
    if not features:
        return None
    doc = {
        "type": "FeatureCollection",
        "gzmap": {"version": 1, "datum": datum, "colours": dict(CONTEXT_COLOURS),
                  "attribution": list(dict.fromkeys(sources))},
        "features": features,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def client_bundle(style: Mapping[str, Any], scripts: Sequence[str] = CLIENT_SCRIPTS) -> bytes:
    """The client's scripts as one file, the symbology (``GzMap.style``) first."""
    head = "(window.GzMap = window.GzMap || {}).style = " + json.dumps(
        style, ensure_ascii=False, separators=(",", ":")
    ) + ";\n"
    parts = [head] + [(CLIENT_DIR / name).read_text(encoding="utf-8") for name in scripts]
    return "\n".join(parts).encode("utf-8")


def client_css() -> bytes:
    """The client's style sheet."""
    return (CLIENT_DIR / "gzmap.css").read_bytes()


def client_loader(scripts: Sequence[str], styles: Sequence[str]) -> bytes:
    """The module a Streamlit component imports to load the client (``loader.js``), with the
    URLs of the client's scripts and style sheets written in (``ASSETS``): a message then
    names only its basemap's script."""
    assets = json.dumps({"scripts": list(scripts), "styles": list(styles)})
    head = f"var ASSETS = {assets};\n"
    return head.encode("utf-8") + (CLIENT_DIR / "loader.js").read_bytes()

