"""Features as the web map's drawing items: geometry shifted to the basemap's datum,
simplified for the screen, rounded, styled by role; many points of one role become one point
cloud (see :mod:`spatial.webmap`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from spatial.geo.basemaps import DEFAULT_BASEMAP, NO_TILES, shift_to_basemap, to_basemap_crs
from spatial.plaintext import esc, text_of
from spatial.plans.schema import METRIC_CRS
from spatial.symbology import Legend, Symbology, drawn_features, symbolise
from spatial.webmap._geom import (
    COORD_DECIMALS,
    _line_parts,
    _point_of,
    _polygon_rings,
)
from spatial.webmap.labels import label_items
from spatial.webmap.popups import FONT_STACK, popup_html, role_zh, tooltip_html
from spatial.webmap.styles import (
    OUTLINE,
    UNMARKED_ROLES,
    _canvas_shape,
    marker_svg,
    number_svg,
    role_style,
)

#: Simplification tolerance (metres) of polygons and lines on the web map.
WEB_TOLERANCE_M = 20.0
#: Above this many points of one role in one layer, they are drawn as one point cloud.
POINT_CLOUD_MIN = 300


def simplify_for_web(
    gdf: gpd.GeoDataFrame, tolerance_m: float = WEB_TOLERANCE_M, coverage: bool = False
) -> gpd.GeoDataFrame:
    """Polygons and lines simplified for the screen (a copy; points are left as they are).

    Simplification runs in metres (:data:`spatial.plans.schema.METRIC_CRS`) and keeps every shape
    valid; a shape that would vanish keeps its full geometry. At 20 m nothing moves by more
    than a few pixels below zoom 15, and a district outline needs a tenth of its vertices.

    Parameters
    ----------
    gdf : GeoDataFrame
        Features in WGS84 (EPSG:4326).
    tolerance_m : float
        Largest distance (metres) a simplified edge may stray from the original.
    coverage : bool
        Simplify the polygons as one coverage (``shapely.coverage_simplify``), so neighbours
        such as districts keep a common border with neither gaps nor overlaps.
    """
    if gdf.empty or tolerance_m <= 0:
        return gdf
    geoms = gdf.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)  # 0 point, 4 multipoint, -1 missing
    todo = np.flatnonzero(~np.isin(kinds, (-1, 0, 4)))
    if todo.size == 0:
        return gdf
    metric = gpd.GeoSeries(geoms[todo], crs=gdf.crs or "EPSG:4326").to_crs(METRIC_CRS)
    values = metric.to_numpy()
    if coverage and np.isin(kinds[todo], (3, 6)).all():
        try:
            simple = shapely.coverage_simplify(values, tolerance_m)
        except shapely.errors.GEOSException:  # not a clean coverage: one shape at a time
            simple = shapely.simplify(values, tolerance_m, preserve_topology=True)
    else:
        simple = shapely.simplify(values, tolerance_m, preserve_topology=True)
    back = gpd.GeoSeries(simple, crs=METRIC_CRS).to_crs(gdf.crs or "EPSG:4326").to_numpy()
    lost = shapely.is_empty(back) | ~shapely.is_valid(back)
    out = geoms.copy()
    out[todo] = np.where(lost, geoms[todo], back)
    result = gdf.copy()
    result[gdf.geometry.name] = gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs)
    return result


def _path_options(**kwargs: Any) -> dict[str, Any]:
    """Leaflet path options (camelCase), dropping unset ones."""
    names = {"dash_array": "dashArray", "fill_color": "fillColor", "fill_opacity": "fillOpacity"}
    return {names.get(k, k): v for k, v in kwargs.items() if v is not None}


def _marker_item(
    lat_lon: tuple[float, float],
    role: str | None,
    selected: bool = False,
    tooltip: str | None = None,
    popup: str | None = None,
    label: str | None = None,
    fill: str | None = None,
    number: int | None = None,
) -> dict[str, Any]:
    style = role_style(role)
    if number is not None:
        px = 18 + (8 if selected else 0)
        html = number_svg(number, size=px, label=label)
    else:
        px = style.size + (10 if selected else 0)
        html = marker_svg(role, size=px, selected=selected, label=label, fill=fill)
    item: dict[str, Any] = {
        "k": "marker",
        "ll": list(lat_lon),
        "i": {
            "html": html,
            "iconSize": [px, px],
            "iconAnchor": [px // 2, px // 2],
            "className": "gz-marker",
        },
        "o": {"zIndexOffset": 1000} if selected else {},
    }
    if tooltip:
        item["t"] = tooltip
    if popup:
        item["p"] = popup
    return item


def feature_items(
    geom: BaseGeometry | None,
    role: str | None,
    tooltip: str | None = None,
    popup: str | None = None,
    label: str | None = None,
    fill: str | None = None,
    number: int | None = None,
) -> list[dict[str, Any]]:
    """Map items drawing one feature in its role's style (empty for a missing geometry).

    Polygons of places also get a marker of the role's shape at their centre, so the role
    reads at city scale; lines and area-wide shapes (clusters, belts) do not. ``fill`` is the
    feature's colour under the view's colour rule (:mod:`spatial.symbology`): it fills the
    markers and (at the role's opacity) the polygons; lines and outlines wear the role's
    colour. ``number`` draws the marker as a numbered axis node. ``label`` is the markers'
    accessible name.
    """
    if geom is None or geom.is_empty:
        return []
    style = role_style(role)
    gtype = geom.geom_type
    extra = {k: v for k, v in (("t", tooltip), ("p", popup)) if v}
    out: list[dict[str, Any]] = []
    if gtype in ("Polygon", "MultiPolygon"):
        opts = _path_options(
            color=style.color,
            weight=style.weight,
            dash_array=style.dash,
            fill=True,
            fill_color=fill or style.color,
            fill_opacity=style.fill_opacity,
            pane="gzPolygons",
        )
        for rings in _polygon_rings(geom):
            out.append({"k": "polygon", "ll": rings, "o": opts, **extra})
        if role not in UNMARKED_ROLES or number is not None:
            out.append(
                _marker_item(_point_of(geom), role, tooltip=tooltip, popup=popup, label=label,
                             fill=fill, number=number)
            )
    elif gtype in ("LineString", "MultiLineString"):
        opts = _path_options(
            color=style.color,
            weight=style.weight,
            dash_array=style.dash,
            opacity=0.9,
            pane="gzLines",
        )
        out.append({"k": "line", "ll": _line_parts(geom), "o": opts, **extra})
    elif gtype in ("Point", "MultiPoint"):
        points = list(geom.geoms) if gtype == "MultiPoint" else [geom]
        for pt in points:
            out.append(
                _marker_item(
                    (round(pt.y, COORD_DECIMALS), round(pt.x, COORD_DECIMALS)),
                    role,
                    tooltip=tooltip,
                    popup=popup,
                    label=label,
                    fill=fill,
                    number=number,
                )
            )
    return out


def frame_bounds(
    gdf: gpd.GeoDataFrame | None, min_span_deg: float = 0.02
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """``((south, west), (north, east))`` around a frame's geometry, None when it has none.

    A frame of one point gets at least ``min_span_deg`` of extent so the map doesn't zoom in
    to the last tile.
    """
    if gdf is None or gdf.empty:
        return None
    geoms = gdf.geometry.dropna()
    geoms = geoms[~geoms.is_empty]
    if geoms.empty:
        return None
    west, south, east, north = (float(v) for v in geoms.total_bounds)
    half = min_span_deg / 2
    if east - west < min_span_deg:
        mid = (east + west) / 2
        west, east = mid - half, mid + half
    if north - south < min_span_deg:
        mid = (north + south) / 2
        south, north = mid - half, mid + half
    return (round(south, 6), round(west, 6)), (round(north, 6), round(east, 6))


def _district_items(districts: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    opts = _path_options(
        color="#555555",
        weight=1.2,
        fill=True,
        fill_color="#f4f1ea",
        fill_opacity=0.35,
        interactive=False,
        pane="gzDistricts",
    )
    for _, row in districts.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        for rings in _polygon_rings(geom):
            items.append({"k": "polygon", "ll": rings, "o": opts})
        label = esc(row.get("name"))
        items.append(
            {
                "k": "marker",
                "ll": list(_point_of(geom)),
                "i": {
                    "html": (
                        f'<div style="font:600 12px {FONT_STACK};color:#444;white-space:nowrap;'
                        "transform:translate(-50%,-50%);text-shadow:0 0 3px #fff,0 0 3px #fff;"
                        f'pointer-events:none">{label}</div>'
                    ),
                    "iconSize": [0, 0],
                    "className": "gz-district-label",
                },
                "o": {"interactive": False, "keyboard": False},
            }
        )
    return items


#: The properties :func:`tooltip_html` and :func:`popup_html` read.
_HTML_COLUMNS = ("id", "name", "name_en", "role", "district", "industries", "excerpts")


@dataclass(frozen=True)
class MapLayers:
    """What the map draws, prepared and ready to serialise (cacheable, never modified).

    Attributes
    ----------
    groups : tuple of (layer name, items)
        The features' drawing items per layer file, in display order.
    roles : tuple of str
        The roles drawn, for the legend.
    bounds : ((south, west), (north, east)) or None
        The features' extent (WGS84).
    labels : tuple
        The features' names on the map (:func:`spatial.webmap.labels.label_items`).
    legend : Legend or None
        The legend entries (:class:`spatial.symbology.Legend`), as the print legend has them.
    fills : dict of str to str
        Feature id -> its colour under the colour rule (the highlight's marker wears it).
    numbers : dict of str to int
        Feature id -> axis order of the features drawn as numbered axis nodes.
    """

    groups: tuple[tuple[str, tuple[dict[str, Any], ...]], ...]
    roles: tuple[str, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]] | None
    labels: tuple[tuple[Any, ...], ...] = ()
    legend: Legend | None = None
    fills: Mapping[str, str] = field(default_factory=dict)
    numbers: Mapping[str, int] = field(default_factory=dict)

    @property
    def has_point_clouds(self) -> bool:
        """Whether any layer draws a point cloud (the map then needs its shared canvas)."""
        return any(item.get("k") == "points" for _, items in self.groups for item in items)


def _cloud_item(
    geoms: np.ndarray,
    ids: Sequence[str],
    names: Sequence[str],
    role: str | None,
    fills: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One point cloud: the points of one role in one layer, as compact columns.

    ``ll`` is ``[lat0, lon0, lat1, lon1, …]`` (rounded), ``id`` and ``n`` the escaped id and
    name of each point (a multipoint's parts repeat its id), ``r`` the escaped role label,
    ``s`` the role's marker shape (:func:`_canvas_shape`) and ``o`` the marker options. The
    points' fills (``fills``, one per feature, the colour rule's) are ``o.fillColor`` when
    they are all the same, else ``pc`` (the colours) and ``c`` (each point's index in it).
    """
    style = role_style(role)
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    latlon = np.round(coords[:, ::-1], COORD_DECIMALS).ravel().tolist()
    rows = index.tolist()
    px = max(9, round(style.size * 0.65))
    colours = list(dict.fromkeys(fills or [style.color]))
    extra: dict[str, Any] = {}
    if len(colours) > 1:
        slot = {c: k for k, c in enumerate(colours)}
        extra = {"pc": [esc(c) for c in colours], "c": [slot[fills[i]] for i in rows]}
    return {
        "k": "points",
        "o": {
            "radius": px / 2,
            "color": OUTLINE,
            "weight": 1,
            "fillColor": esc(colours[0]),
            "fillOpacity": 0.95,
            "pane": "gzPoints",
        },
        "s": _canvas_shape(style.shape),
        "ll": latlon,
        "id": [esc(ids[i]) for i in rows],
        "n": [esc(names[i]) for i in rows],
        "r": esc(role_zh(role)),
        **extra,
    }


def prepare_layers(
    features: gpd.GeoDataFrame | None,
    *,
    basemap: str = DEFAULT_BASEMAP,
    popups: Mapping[str, str] | None = None,
    tooltips: Mapping[str, str] | None = None,
    layer_order: Sequence[str] = (),
    simplify_m: float | None = WEB_TOLERANCE_M,
    cloud_min: int = POINT_CLOUD_MIN,
    symbology: Symbology | None = None,
    with_popups: bool = True,
) -> MapLayers:
    """Turn features into the map's drawing items, grouped by layer (see :func:`build_map`).

    Polygons come first, then lines, then points, so small things stay on top. Geometry is
    shifted to the basemap's datum and simplified (:func:`simplify_for_web`; pass
    ``simplify_m=None`` for features already simplified). Layers named in ``layer_order``
    come first, in that order. Features marked ``in_guangzhou: false`` are drawn only with the
    ``outside`` role, as context (:func:`spatial.symbology.drawn_features`).

    More than ``cloud_min`` point features of one role in one layer become one point cloud
    (see the module notes): no popup HTML is built for them, and their tooltip is written in
    the browser from their escaped id and name.

    ``with_popups=False`` binds no popup to the features (the app's map: a click there opens
    the place's panel beside the map instead).

    Markers and filled polygons wear the colours of ``symbology``
    (:func:`spatial.symbology.view_symbology` of the view, which the print export of the
    same view uses too); by default the ``industry`` rule over these features.
    """
    if features is not None:
        features = drawn_features(features)  # outside the city: only the 区外 context
    if features is None or features.empty:
        return MapLayers((), (), None)
    if symbology is None:
        symbology = _symbology_of(features)
    fills, numbers = symbology.fills, symbology.numbered
    shown = shift_to_basemap(features, basemap)
    if simplify_m:
        shown = simplify_for_web(shown, simplify_m)
    popups = popups or {}
    tooltips = tooltips or {}
    n = len(shown)
    geoms = shown.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    cols = shown.columns
    index = shown.index.tolist()
    id_values = shown["id"].tolist() if "id" in cols else index
    ids = [str(v or k) for v, k in zip(id_values, index, strict=True)]
    layers = (
        [str(v or "features") for v in shown["layer"].tolist()]
        if "layer" in cols
        else ["features"] * n
    )
    roles = shown["role"].tolist() if "role" in cols else [None] * n

    # points of a (layer, role) with more than cloud_min points go into one cloud
    point_rows = np.flatnonzero(np.isin(kinds, (0, 4)))
    counts: dict[tuple[str, Any], list[int]] = {}
    for i in point_rows.tolist():
        counts.setdefault((layers[i], roles[i]), []).append(i)
    clouds = {key: rows for key, rows in counts.items() if len(rows) > cloud_min}
    in_cloud = np.zeros(n, dtype=bool)
    for rows in clouds.values():
        in_cloud[rows] = True

    groups: dict[str, list[dict[str, Any]]] = {}
    rank = np.select([np.isin(kinds, (3, 6)), np.isin(kinds, (1, 5))], [0, 1], 2)
    rest = np.flatnonzero(~in_cloud & (kinds >= 0))
    rest = rest[np.argsort(rank[rest], kind="stable")]
    if rest.size:
        wanted = [c for c in _HTML_COLUMNS if c in cols]
        records = shown.iloc[rest][wanted].to_dict("records")
        for i, props in zip(rest.tolist(), records, strict=True):
            fid = ids[i]
            tip = tooltips.get(fid) or tooltip_html(props)
            pop = (popups.get(fid) or popup_html(props)) if with_popups else None
            groups.setdefault(layers[i], []).extend(
                feature_items(geoms[i], roles[i], tip, pop, label=text_of(props.get("name")),
                              fill=fills.get(index[i]), number=numbers.get(index[i]))
            )
    if clouds:
        names = [text_of(v) for v in shown["name"].tolist()] if "name" in cols else [""] * n
        for (layer, role), rows in clouds.items():
            groups.setdefault(layer, []).append(
                _cloud_item(geoms[rows], [ids[i] for i in rows], [names[i] for i in rows], role,
                            [fills.get(index[i]) or role_style(role).color for i in rows])
            )
    known = list(layer_order)
    order = sorted(groups, key=lambda k: (known.index(k) if k in known else len(known), k))
    return MapLayers(
        groups=tuple((name, tuple(groups[name])) for name in order),
        roles=tuple(pd.unique(features["role"].dropna())),
        bounds=frame_bounds(features),
        labels=tuple(tuple(item) for item in label_items(shown)),
        legend=symbology.legend,
        fills={index[i]: fills[index[i]] for i in range(n) if index[i] in fills},
        numbers=dict(numbers),
    )


def _symbology_of(features: gpd.GeoDataFrame) -> Symbology:
    """The default symbology of features drawn on their own: the ``industry`` rule over them
    (features lacking the layer columns it reads get the roles' own colours)."""
    needed = {"role", "industries", "plans", "axis_order"}
    if not needed <= set(features.columns):
        return Symbology("industry", {})
    return symbolise(drawn_features(features))


def prepare_districts(
    districts: gpd.GeoDataFrame | None, basemap: str, simplify_m: float | None = WEB_TOLERANCE_M
) -> tuple[dict, ...]:
    """District outlines and labels as drawing items (cacheable per basemap).

    The outlines are simplified as one coverage (:func:`simplify_for_web`), so neighbouring
    districts keep their common border.
    """
    if districts is None or districts.empty:
        return ()
    if simplify_m:
        districts = simplify_for_web(districts, simplify_m, coverage=True)
    return tuple(_district_items(shift_to_basemap(districts, basemap)))


def _to_basemap(geometry: BaseGeometry, basemap: str) -> BaseGeometry:
    if basemap == NO_TILES:
        return geometry
    frame = gpd.GeoDataFrame(geometry=[geometry], crs="EPSG:4326")
    return to_basemap_crs(frame, basemap).geometry.iloc[0]


def focus_point(geometry: BaseGeometry | None, basemap: str = DEFAULT_BASEMAP):
    """``(lat, lon)`` to centre the map on for a feature, in the basemap's datum."""
    if geometry is None or geometry.is_empty:
        return None
    return _point_of(_to_basemap(geometry, basemap))
