"""The map client on a static page: the same client and the same data files, no server behind.

:func:`write_site` writes into a folder everything the page needs — Leaflet, the client's
bundle, the folium-built map, the features and district outlines (:mod:`spatial.webmap.publish`)
— and :func:`page_html` a page that hands the client a message, as the app's component does.
Any web server (``python -m http.server``) serves the folder; every URL in it is relative.
The browser tests and benchmarks drive the client this way; the published site of the plans
(``gzmap publish``, :mod:`spatial.exports.site`) computes its messages in the browser instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from spatial.geo.basemaps import NO_TILES
from spatial.plaintext import esc
from spatial.webmap import publish
from spatial.webmap.client import PROTOCOL, client_style
from spatial.webmap.leaflet import _js_string_json
from spatial.webmap.map import basemap_script
from spatial.webmap.screen import simplify_for_web

__all__ = ["Site", "page_html", "write_page", "write_site"]


@dataclass(frozen=True)
class Site:
    """A folder the client runs from.

    Attributes
    ----------
    folder : Path
        Where the files are.
    base : str
        The key of the folium-built map (``GzMap.basemaps``).
    scripts, styles : tuple of str
        Relative URLs of the scripts (in loading order) and style sheets.
    data : dict
        Relative URLs of the features (``features``) and the district outlines
        (``districts``, empty without them).
    position : dict
        Feature id -> its position in the features file.
    """

    folder: Path
    base: str
    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    data: dict[str, str]
    position: dict[str, int]

    def message(self, selection: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        """A message for the client of this site, showing ``selection``."""
        return {"v": PROTOCOL, "mode": "features", "height": "100%", "base": self.base,
                "data": dict(self.data), "selection": dict(selection), "own": None, **extra}


def write_site(
    folder: Path,
    gdf: gpd.GeoDataFrame,
    *,
    districts: gpd.GeoDataFrame | None = None,
    layer_labels: Mapping[str, str] | None = None,
    basemap: str = NO_TILES,
) -> Site:
    """Write the client's files for ``gdf`` (WGS84, indexed by id) into ``folder``.

    Parameters
    ----------
    folder : Path
        Created if missing; ``leaflet/`` and ``data/`` are written into it.
    gdf : GeoDataFrame
        The features (:func:`spatial.plans.layers.load_layers`); simplified for the screen here.
    districts : GeoDataFrame, optional
        District outlines (:func:`spatial.geo.base.load_districts`).
    layer_labels : mapping, optional
        Layer name -> label in the layer switcher; default each layer's own name.
    basemap : str
        A basemap key, or :data:`spatial.geo.basemaps.NO_TILES`.
    """
    folder = Path(folder)
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copytree(publish.STATIC_DIR / "leaflet", folder / "leaflet", dirs_exist_ok=True)
    if layer_labels is None:
        layers = gdf["layer"].dropna().unique() if "layer" in gdf.columns else []
        layer_labels = {str(v): str(v) for v in layers}
    datum = publish.datum_of(basemap)
    content, ids = publish.features_document(simplify_for_web(gdf), datum, layer_labels)
    features = publish.write_hashed(f"features-{datum}", ".geojson", content, data)
    outlines = ""
    if districts is not None and not districts.empty:
        simple = simplify_for_web(districts, coverage=True)
        outlines = "data/" + publish.write_hashed(
            f"districts-{datum}", ".geojson",
            publish.districts_document(districts, simple, datum), data,
        )
    key = f"{basemap}-site"
    script = basemap_script(basemap, dict(layer_labels), key).encode("utf-8")
    base = publish.write_hashed(f"basemap-{basemap}", ".js", script, data)
    bundle = publish.write_hashed("gzmap", ".js", publish.client_bundle(client_style()), data)
    css = publish.write_hashed("gzmap", ".css", publish.client_css(), data)
    return Site(
        folder=folder,
        base=key,
        scripts=("leaflet/leaflet.js", f"data/{bundle}", f"data/{base}"),
        styles=("leaflet/leaflet.css", f"data/{css}"),
        data={"features": f"data/{features}", "districts": outlines},
        position={fid: i for i, fid in enumerate(ids)},
    )


def page_html(site: Site, message: Mapping[str, Any], title: str = "广州规划地图") -> str:
    """A page that loads the site's client and hands it ``message``.

    The client's reports (``click`` and the like) are kept in ``window.gzReports`` as
    ``[event, value]`` pairs, and the client itself is ``window.gzClient``.
    """
    links = "".join(f'<link rel="stylesheet" href="{esc(u)}">' for u in site.styles)
    scripts = "".join(f'<script src="{esc(u)}"></script>' for u in site.scripts)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>{links}"
        "<style>html,body{margin:0;height:100%}#map{height:100%}</style></head>"
        f'<body><div id="map"></div>{scripts}<script>'
        "window.gzReports = [];\n"
        "window.gzClient = GzMap.create(document.getElementById('map'), {report: function (e, v) {"
        " window.gzReports.push([e, v]); }});\n"
        f"window.gzClient.apply({_js_string_json(dict(message))});\n"
        "</script></body></html>"
    )


def write_page(site: Site, message: Mapping[str, Any], name: str = "index.html") -> Path:
    """Write :func:`page_html` into the site's folder; returns its path."""
    path = site.folder / name
    path.write_text(page_html(site, message), encoding="utf-8")
    return path

