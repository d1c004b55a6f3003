"""Tile basemaps for the interactive map, and lining layers up with them.

Three basemaps always: OpenStreetMap, CartoDB Positron (a light canvas) and Amap (高德). OSM and
Positron are WGS84 (Web Mercator over WGS84 lon/lat); Amap tiles are drawn in GCJ-02, so a
WGS84 layer on Amap lands a few hundred metres off. ``to_basemap_crs`` shifts layer geometry
into the datum of the basemap in use, so the layers line up with whatever is underneath.

天地图 (the national platform, the usual basemap of Chinese government GIS) is offered when a key
is set in ``GZMAP_TIANDITU_KEY`` (a 32-character hexadecimal 天地图 key): 天地图矢量 (vector
with its annotation layer) and 天地图影像 (imagery with its annotation layer), drawn in CGCS2000,
which is WGS84 to within centimetres, so no shift. The key is part of their tile URLs only: it
is left out of a basemap's ``repr``, its attribution and its label, and nothing logs it.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd

from spatial.geo.coords import gdf_wgs84_to_gcj02

__all__ = [
    "Basemap",
    "APP_BASEMAP_ENV",
    "BASEMAPS",
    "DEFAULT_BASEMAP",
    "NO_TILES",
    "NO_TILES_LABEL",
    "TIANDITU_KEY_ENV",
    "app_default_basemap",
    "basemap_choices",
    "basemap_options",
    "get_basemap",
    "tianditu_basemaps",
    "to_basemap_crs",
]

Datum = Literal["wgs84", "gcj02"]

_LOG = logging.getLogger(__name__)


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
        XYZ tile URL template (``{s}`` subdomain, ``{x}``, ``{y}``, ``{z}``). May hold a key
        (天地图), so it is left out of ``repr``.
    attribution : str
        Attribution shown on the map (HTML allowed).
    crs : {'wgs84', 'gcj02'}
        The datum the tiles are drawn in.
    subdomains : str
        Characters substituted for ``{s}``.
    max_zoom : int
        Deepest zoom level the service offers.
    overlay_url : str or None
        A second tile layer drawn over the first (天地图's annotation: place names, roads'
        names), same subdomains and zoom; left out of ``repr``.
    """

    key: str
    label: str
    label_en: str
    url: str = field(repr=False)
    attribution: str
    crs: Datum
    subdomains: str = "abc"
    max_zoom: int = 19
    overlay_url: str | None = field(default=None, repr=False)

    @property
    def choice_label(self) -> str:
        """The label for a basemap switcher: Chinese, then English unless it says the same."""
        return self.label if self.label_en == self.label else f"{self.label} {self.label_en}"

    def overlay_kwargs(self) -> dict[str, object] | None:
        """Keyword arguments for the overlay's ``folium.TileLayer``, or None without one."""
        if not self.overlay_url:
            return None
        return {**self.folium_kwargs(), "tiles": self.overlay_url, "name": f"{self.label} 注记"}

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
            label="开放街道地图",
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
#: Basemap key for "no tiles": district outlines, features and the offline basemap (works offline).
NO_TILES = "none"
#: No tile service: the map client draws the OSM context the exports use (water, rivers, main
#: roads, rail, the airport) as a light vector basemap, as it does when a service's tiles fail.
NO_TILES_LABEL = "离线底图 Offline basemap"

#: The environment variable holding a 天地图 key; 天地图 is offered only when it is set.
TIANDITU_KEY_ENV = "GZMAP_TIANDITU_KEY"
_TIANDITU_KEY = re.compile(r"[0-9a-fA-F]{32}")
_TIANDITU_TILES = (
    "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk=%s"
)


def tianditu_basemaps() -> dict[str, Basemap]:
    """天地图矢量 and 天地图影像 when ``GZMAP_TIANDITU_KEY`` holds a 天地图 key, else nothing.

    A value that is not a 32-character hexadecimal key offers nothing (it is never put into a
    page, where it could be read as markup).
    """
    key = os.environ.get(TIANDITU_KEY_ENV, "").strip()
    if not _TIANDITU_KEY.fullmatch(key):
        return {}
    attribution = '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> 国家地理信息公共服务平台'

    def tiles(layer: str) -> str:
        return _TIANDITU_TILES % (layer, layer, key)

    return {
        b.key: b
        for b in (
            Basemap(
                key="tianditu-vec",
                label="天地图矢量",
                label_en="Tianditu vector",
                url=tiles("vec"),
                overlay_url=tiles("cva"),
                attribution=attribution,
                crs="wgs84",  # CGCS2000: WGS84 to within centimetres
                subdomains="01234567",
                max_zoom=18,
            ),
            Basemap(
                key="tianditu-img",
                label="天地图影像",
                label_en="Tianditu imagery",
                url=tiles("img"),
                overlay_url=tiles("cia"),
                attribution=attribution,
                crs="wgs84",
                subdomains="01234567",
                max_zoom=18,
            ),
        )
    }


def basemap_choices() -> list[tuple[str, str]]:
    """``(key, label)`` of every basemap offered: the tile services (天地图 when its key is
    set), then no tiles. Each label says a name once (``OpenStreetMap``, not twice)."""
    services = {**BASEMAPS, **tianditu_basemaps()}
    return [(b.key, b.choice_label) for b in services.values()] + [(NO_TILES, NO_TILES_LABEL)]


#: The environment variable naming the basemap a new page of the app opens on: a deployment's
#: choice, e.g. ``none`` (离线底图) on an intranet that reaches no tile service.
APP_BASEMAP_ENV = "GZMAP_BASEMAP"


def app_default_basemap() -> str:
    """The basemap a new page of the app opens on, and the one its links leave unsaid.

    ``GZMAP_BASEMAP`` when it names a basemap on offer (:func:`basemap_choices`: a tile
    service, a 天地图 one when its key is set, or ``none``), else :data:`DEFAULT_BASEMAP`, with
    a warning in the server's log for a value that names none. The briefing export and the
    OGC API's configuration keep :data:`DEFAULT_BASEMAP`, a tile service.
    """
    key = os.environ.get(APP_BASEMAP_ENV, "").strip()
    if not key:
        return DEFAULT_BASEMAP
    offered = [k for k, _label in basemap_choices()]
    if key in offered:
        return key
    _LOG.warning("%s=%r names no basemap on offer (%s); using %s", APP_BASEMAP_ENV, key[:40],
                 ", ".join(offered), DEFAULT_BASEMAP)
    return DEFAULT_BASEMAP


def get_basemap(key: str) -> Basemap:
    """Look a basemap up by key.

    Parameters
    ----------
    key : str
        One of ``BASEMAPS`` (``positron``, ``osm``, ``amap``), or a 天地图 key
        (``tianditu-vec``, ``tianditu-img``) when ``GZMAP_TIANDITU_KEY`` is set.

    Returns
    -------
    Basemap

    Raises
    ------
    KeyError
        For an unknown key, naming the known ones.
    """
    if key in BASEMAPS:
        return BASEMAPS[key]
    extra = tianditu_basemaps()
    if key in extra:
        return extra[key]
    known = ", ".join([*BASEMAPS, *extra])
    raise KeyError(f"unknown basemap {str(key)[:40]!r}; known: {known}") from None


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
