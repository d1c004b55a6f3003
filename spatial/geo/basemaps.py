"""Tile basemaps for the interactive map, and lining layers up with them.

Three basemaps: OpenStreetMap, CartoDB Positron (a light canvas) and Amap (高德). OSM and
Positron are WGS84 (Web Mercator over WGS84 lon/lat); Amap tiles are drawn in GCJ-02, so a
WGS84 layer on Amap lands a few hundred metres off. ``to_basemap_crs`` shifts layer geometry
into the datum of the basemap in use, so the layers line up with whatever is underneath.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd

from spatial.geo.coords import gdf_wgs84_to_gcj02

__all__ = [
    "Basemap",
    "BASEMAPS",
    "DEFAULT_BASEMAP",
    "get_basemap",
    "basemap_options",
    "to_basemap_crs",
]

Datum = Literal["wgs84", "gcj02"]


@dataclass(frozen=True)
class Basemap:
    """One tile service.

    Attributes
    ----------
    key : str
        Stable identifier, e.g. ``"amap"``.
    label : str
        Chinese label for the basemap switcher.
    label_en : str
        English label.
    url : str
        XYZ tile URL template (``{s}`` subdomain, ``{x}``, ``{y}``, ``{z}``).
    attribution : str
        Attribution shown on the map (HTML allowed).
    crs : {'wgs84', 'gcj02'}
        The datum the tiles are drawn in.
    subdomains : str
        Characters substituted for ``{s}``.
    max_zoom : int
        Deepest zoom level the service offers.
    """

    key: str
    label: str
    label_en: str
    url: str
    attribution: str
    crs: Datum
    subdomains: str = "abc"
    max_zoom: int = 19

    def folium_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``folium.TileLayer`` (``tiles``, ``attr``, ``name``, …)."""
        return {
            "tiles": self.url,
            "attr": self.attribution,
            "name": self.label,
            "subdomains": self.subdomains,
            "max_zoom": self.max_zoom,
        }


BASEMAPS: dict[str, Basemap] = {
    b.key: b
    for b in (
        Basemap(
            key="positron",
            label="浅色底图",
            label_en="Light (CartoDB Positron)",
            url="https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
            attribution=(
                '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>'
            ),
            crs="wgs84",
            subdomains="abcd",
            max_zoom=20,
        ),
        Basemap(
            key="osm",
            label="OpenStreetMap",
            label_en="OpenStreetMap",
            url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attribution=(
                '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                "contributors"
            ),
            crs="wgs84",
            subdomains="abc",
            max_zoom=19,
        ),
        Basemap(
            key="amap",
            label="高德地图",
            label_en="Amap (AutoNavi)",
            url=(
                "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                "&style=8&x={x}&y={y}&z={z}"
            ),
            attribution="&copy; 高德地图 AutoNavi",
            crs="gcj02",
            subdomains="1234",
            max_zoom=18,
        ),
    )
}

DEFAULT_BASEMAP = "positron"
#: Basemap key for "no tiles": district outlines and features only (works offline).
NO_TILES = "none"


def get_basemap(key: str) -> Basemap:
    """Look a basemap up by key.

    Parameters
    ----------
    key : str
        One of ``BASEMAPS`` (``positron``, ``osm``, ``amap``).

    Returns
    -------
    Basemap

    Raises
    ------
    KeyError
        For an unknown key, naming the known ones.
    """
    try:
        return BASEMAPS[key]
    except KeyError:
        raise KeyError(f"unknown basemap {key!r}; known: {', '.join(BASEMAPS)}") from None


def basemap_options() -> list[tuple[str, str]]:
    """``(key, Chinese label)`` pairs in display order, the default first."""
    return [(b.key, b.label) for b in BASEMAPS.values()]


def to_basemap_crs(gdf: gpd.GeoDataFrame, basemap_key: str) -> gpd.GeoDataFrame:
    """Put WGS84 layer geometry into the datum of a basemap so it lines up with the tiles.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Layer features in WGS84 (EPSG:4326).
    basemap_key : str
        Key of the basemap being shown.

    Returns
    -------
    geopandas.GeoDataFrame
        For a GCJ-02 basemap (Amap), a copy with every coordinate shifted WGS84 → GCJ-02
        (300–600 m in Guangzhou); otherwise ``gdf`` itself, unchanged. The CRS label stays
        EPSG:4326 — GCJ-02 has no EPSG code — so only ever draw the result on that basemap.
    """
    basemap = get_basemap(basemap_key)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        raise ValueError(f"layers must be WGS84 (EPSG:4326), got {gdf.crs.to_string()}")
    if basemap.crs == "wgs84":
        return gdf
    return gdf_wgs84_to_gcj02(gdf)


def shift_to_basemap(gdf: gpd.GeoDataFrame, basemap: str) -> gpd.GeoDataFrame:
    """The frame in the basemap's datum (GCJ-02 for Amap); as it is for :data:`NO_TILES`."""
    return gdf if basemap == NO_TILES or gdf.empty else to_basemap_crs(gdf, basemap)
