"""``gzmap publish OUT/``: the plans' map as a static site any web server serves.

The site is the app's map with no Python behind it: the project's map client
(``static/gzmap/``, README "The map client") with the same data files and symbology, driven
by a page (``site.js``) that computes each view in the browser from a compact index written
beside the features (:mod:`spatial.webmap.siteindex`) and hands the client the app's message.
Filters, search, the axis walk, a place's panel and the view in the URL work as in the app.

What is written (every URL in a page relative, or under ``base_url``)::

    OUT/index.html                   the map page (and index.html.gz)
    OUT/data/<stem>.<hash>.<ext>     everything else, named by its content, each text file with
                                     a gzip twin (….gz): Leaflet and its images, the client,
                                     the page's script and style, the folium-built map of each
                                     basemap, the features and district outlines per datum,
                                     the index, the panels, and the offline basemap's
                                     geography per datum (``context-<datum>``)
    OUT/alignment/<plan>.html        the 规划衔接 summary of each district (:mod:`.site_alignment`)
    OUT/robots.txt                   with ``noindex``: no robot may index the site
    OUT/.gzmap-site                  marks the folder as a site this command may rewrite

A name with its hash between dots may be cached for ever (nginx: ``expires max`` on
``~ "\\.[0-9a-f]{16}\\."``); the pages are small and revalidated. Nothing is fetched from
outside the site except the basemaps' tiles (which need internet): 离线底图 Offline basemap,
and the map whose tiles fail to load, draw the geography the site carries (water, rivers, and
the roads, rail and airport of the OSM cache when ``gzmap fetch-osm`` filled it), as the app
does.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from spatial._io import atomic_write_bytes
from spatial.geo.basemaps import BASEMAPS, DEFAULT_BASEMAP, NO_TILES, app_default_basemap
from spatial.plans.layers import load_layers
from spatial.plans.manifest import load_manifest
from spatial.query.unsited import load_unsited
from spatial.webmap import publish, simplify_for_web, siteindex
from spatial.webmap.client import client_style
from spatial.webmap.map import NO_TILES_LABEL, basemap_script

__all__ = ["Published", "check_base_url", "default_basemaps", "layer_labels", "publish_site"]

#: The file that marks a folder as a published site (so a new run may replace its files).
MARKER = ".gzmap-site"
#: Files a web server can send gzipped: each gets a ``.gz`` twin.
TEXT_SUFFIXES = (".html", ".js", ".css", ".json", ".geojson", ".txt", ".svg")
SITE_SCRIPTS = ("siteview.js", "site.js")
_LEAFLET_URL = re.compile(r"url\((images/[A-Za-z0-9_.-]+\.png)\)")
_BASE_URL = re.compile(r"^(https?://[A-Za-z0-9.-]+(:[0-9]+)?)?/[A-Za-z0-9._~/%-]*$")


@dataclass(frozen=True)
class Published:
    """What :func:`publish_site` wrote.

    Attributes
    ----------
    folder : Path
        The site's folder.
    pages : tuple of str
        The pages, relative to the folder (the map page first).
    files : int
        Files written, gzip twins not counted.
    raw_bytes : int
        Their size.
    gzip_bytes : int
        What a browser downloads for the whole site from a server that sends the twins: each
        file's ``.gz`` twin where it has one, else the file itself.
    features : int
        Features on the map; ``register`` places named without a site.
    register : int
    """

    folder: Path
    pages: tuple[str, ...]
    files: int
    raw_bytes: int
    gzip_bytes: int
    features: int
    register: int


class SiteFolderError(ValueError):
    """The output folder holds other files: it is not a site this command wrote."""


def check_base_url(base_url: str) -> str:
    """A base URL for the site's files: ``""`` (relative URLs, the default), or an absolute
    path or http(s) URL, returned ending in ``/``.

    Raises
    ------
    ValueError
        For anything else (a relative path, quotes, spaces, a query or fragment).
    """
    url = (base_url or "").strip()
    if not url:
        return ""
    if not _BASE_URL.match(url):
        raise ValueError(
            f"--base-url must be a path such as /plans/ or an http(s) URL, not {base_url!r}"
        )
    return url if url.endswith("/") else url + "/"


def layer_labels(layers: Sequence[str]) -> dict[str, str]:
    """Layer file name -> label in the layer switcher, plans in manifest order (a plan's own
    layer by the plan's name, an extra layer of a plan by the name and the rest of the file's)."""
    names = {p.id: p.short_name for p in load_manifest()}
    present = set(layers)
    labels: dict[str, str] = {}
    for plan_id, name in names.items():
        labels[plan_id] = name
        for extra in sorted(lay for lay in present if lay.startswith(plan_id + "_")):
            labels[extra] = f"{name} · {extra[len(plan_id) + 1 :]}"
    for other in sorted(present - set(labels)):
        labels[other] = other
    return labels


def _prepare(folder: Path) -> None:
    """Make ``folder`` ready for a site: created, or emptied if a site was published there."""
    if folder.exists() and not folder.is_dir():
        raise SiteFolderError(f"{folder} is a file, not a folder")
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise SiteFolderError(
                f"{folder} is not empty and holds no published site ({MARKER}): "
                "choose an empty or new folder"
            )
        for child in folder.iterdir():
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("gzmap publish\n", encoding="utf-8")


def _write(path: Path, content: bytes) -> None:
    """A file, and its gzip twin when a server could send it compressed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, content)
    if path.suffix in TEXT_SUFFIXES:
        atomic_write_bytes(path.with_name(path.name + ".gz"), gzip.compress(content, 9, mtime=0))


def _hashed_binary(stem: str, suffix: str, content: bytes, folder: Path) -> str:
    name = f"{stem}.{hashlib.sha256(content).hexdigest()[:16]}{suffix}"
    atomic_write_bytes(folder / name, content)
    return name


def _leaflet(data: Path) -> tuple[str, str]:
    """Leaflet's script and style sheet under content-hashed names, the images the style
    sheet names renamed the same way (so all of it may be cached for ever)."""
    src = publish.STATIC_DIR / "leaflet"
    css = (src / "leaflet.css").read_text(encoding="utf-8")

    def image(match: re.Match[str]) -> str:
        path = src / match.group(1)
        if not path.exists():
            return match.group(0)
        return f"url({_hashed_binary(path.stem, path.suffix, path.read_bytes(), data)})"

    css = _LEAFLET_URL.sub(image, css)
    js = publish.write_hashed("leaflet", ".js", (src / "leaflet.js").read_bytes(), data)
    return js, publish.write_hashed("leaflet", ".css", css.encode("utf-8"), data)


def _site_bundle() -> bytes:
    parts = [(publish.CLIENT_DIR / name).read_text(encoding="utf-8") for name in SITE_SCRIPTS]
    return "\n".join(parts).encode("utf-8")


def default_basemaps() -> list[str]:
    """Every basemap a site can offer, the default first: the one a new page of the app opens
    on (``GZMAP_BASEMAP``, :func:`spatial.geo.basemaps.app_default_basemap`; 离线底图 for an
    intranet), else the light tiles; the others in their order, 离线底图 last unless it is the
    default. A 天地图 key, which a site cannot offer (its key would be published), counts as
    none named."""
    chosen = app_default_basemap()
    if chosen != NO_TILES and chosen not in BASEMAPS:
        chosen = DEFAULT_BASEMAP
    return [chosen, *(k for k in (*BASEMAPS, NO_TILES) if k != chosen)]


def publish_site(
    out: Path,
    *,
    layers_dir: Path | None = None,
    base_url: str = "",
    noindex: bool = False,
    basemaps: Sequence[str] | None = None,
    alignment: bool = True,
    context: Mapping[str, gpd.GeoDataFrame] | None = None,
) -> Published:
    """Write the static site into ``out`` (see the module's docstring).

    Parameters
    ----------
    out : Path
        A new or empty folder, or one a previous run wrote (its files are replaced).
    layers_dir : Path, optional
        Built layers (``register.json`` beside them); default the project's ``layers/``.
    base_url : str
        Where the site is served (``/plans/`` or ``https://host/plans/``): every URL in the
        pages starts with it. Default: relative URLs, so the folder works under any path.
    noindex : bool
        Ask search engines not to index the site (``robots.txt`` and a ``robots`` meta tag).
    basemaps : sequence of str, optional
        Basemap keys offered, the first the default; default :func:`default_basemaps`.
    alignment : bool
        Write the 规划衔接 page of each district.
    context : mapping of str to GeoDataFrame, optional
        The geography of the offline basemap (:func:`spatial.geo.osm.load_osm_context`'s
        groups); default the project's (the OSM cache, else the shipped extract); ``{}`` for
        none (离线底图 then draws the district outlines alone).

    Raises
    ------
    ValueError
        For a bad ``base_url`` or an unknown basemap; :class:`SiteFolderError` (a
        ValueError) for a folder holding other files.
    """
    from spatial.exports import site_alignment, site_page
    from spatial.geo.base import BaseDataMissing, load_districts
    from spatial.geo.osm import load_osm_context

    base = check_base_url(base_url)
    keys = list(basemaps) if basemaps else default_basemaps()
    unknown = [k for k in keys if k != NO_TILES and k not in BASEMAPS]
    if unknown:
        raise ValueError(f"unknown basemap {unknown}; choose from {[*BASEMAPS, NO_TILES]}")
    src = Path(layers_dir) if layers_dir else None
    gdf = load_layers(src) if src else load_layers()
    register = load_unsited(src / "register.json") if src else load_unsited()
    try:
        districts = load_districts()
    except BaseDataMissing:
        districts = None
    if context is None:
        context = load_osm_context()

    folder = Path(out)
    _prepare(folder)  # only once the layers are read: a failed read leaves the old site
    data = folder / "data"
    data.mkdir()
    files = _map_files(data, gdf, districts, keys, context)
    index = siteindex.site_index(gdf, files.position, register, list(files.features))
    names = {
        "index": publish.write_hashed("index", ".json", siteindex.json_bytes(index), data),
        "panels": publish.write_hashed(
            "panels", ".json", siteindex.json_bytes(siteindex.site_panels(gdf, register)), data
        ),
        **_client_files(data),
    }

    def url(path: str, depth: int = 0) -> str:
        """A file of the site as a page ``depth`` folders down links to it."""
        return f"{base or '../' * depth}{path}"

    def u(name: str) -> str:
        return url(f"data/{name}")

    styles = [f"data/{names[k]}" for k in ("leaflet_css", "css", "site_css")]
    datum = publish.datum_of(keys[0])  # the 规划衔接 pages' basemap is the site's first
    pages = (
        site_alignment.write_pages(
            folder,
            gdf,
            districts=districts,
            basemap=keys[0],
            url=url,
            scripts=[f"data/{names[k]}" for k in ("leaflet_js", "bundle", "site_js")],
            styles=styles,
            noindex=noindex,
            write=_write,
            context=f"data/{files.context[datum]}" if datum in files.context else "",
        )
        if alignment
        else []
    )
    config = {
        "index": u(names["index"]),
        "panels": u(names["panels"]),
        "features": {d: u(n) for d, n in files.features.items()},
        "districts": {d: u(n) for d, n in files.districts.items()},
        "context": {d: u(n) for d, n in files.context.items()},
        "basemaps": [{**c, "script": u(c["script"])} for c in files.basemaps],
        "default_basemap": keys[0],
    }
    first = config["basemaps"][0]
    html = site_page.map_page(
        index,
        config,
        scripts=[u(names["leaflet_js"]), u(names["bundle"]), first["script"], u(names["site_js"])],
        styles=[url(s) for s in styles],
        preload=[
            config["index"],
            config["features"][first["datum"]],
            *([config["districts"][first["datum"]]] if files.districts else []),
        ],
        pages=[(label, url(path)) for label, path in pages],
        noindex=noindex,
    )
    _write(folder / "index.html", html.encode("utf-8"))
    if noindex:
        _write(folder / "robots.txt", b"User-agent: *\nDisallow: /\n")
    return _summary(
        folder, ("index.html", *(p for _, p in pages)), len(index["f"]), len(index["reg"])
    )


@dataclass(frozen=True)
class _MapFiles:
    features: dict[str, str]  # datum -> file name
    districts: dict[str, str]
    context: dict[str, str]  # datum -> the offline basemap's file (none without geography)
    position: dict[str, int]  # feature id -> position in the features files
    basemaps: list[dict[str, str]]  # {key, label, datum, script}, the default first


def _map_files(data: Path, gdf, districts, keys: Sequence[str], context) -> _MapFiles:
    """The client's data (features, district outlines and the offline basemap's geography in
    each basemap's datum) and the folium-built map of each basemap
    (:mod:`spatial.webmap.publish`, ``basemap_script``)."""
    labels = layer_labels([str(v) for v in gdf["layer"].dropna().unique()])
    web = simplify_for_web(gdf)
    simple = (
        simplify_for_web(districts, coverage=True)
        if districts is not None and not districts.empty
        else None
    )
    features: dict[str, str] = {}
    outlines: dict[str, str] = {}
    geography: dict[str, str] = {}
    position: dict[str, int] = {}
    for datum in dict.fromkeys(publish.datum_of(k) for k in keys):
        content, ids = publish.features_document(web, datum, labels)
        features[datum] = publish.write_hashed(f"features-{datum}", ".geojson", content, data)
        position = {fid: i for i, fid in enumerate(ids)}  # the same order in every datum
        if simple is not None:
            doc = publish.districts_document(districts, simple, datum)
            outlines[datum] = publish.write_hashed(f"districts-{datum}", ".geojson", doc, data)
        doc = publish.context_document(context, datum) if context else None
        if doc:
            geography[datum] = publish.write_hashed(f"context-{datum}", ".geojson", doc, data)
    choices = []
    for key in keys:
        script = basemap_script(key, labels, key).encode("utf-8")
        b = BASEMAPS.get(key)
        choices.append(
            {
                "key": key,
                "label": NO_TILES_LABEL if b is None else f"{b.label} {b.label_en}",
                "datum": publish.datum_of(key),
                "script": publish.write_hashed(f"basemap-{key}", ".js", script, data),
            }
        )
    return _MapFiles(features, outlines, geography, position, choices)


def _client_files(data: Path) -> dict[str, str]:
    """Leaflet, the map client and the site's own script and style sheet: their file names."""
    leaflet_js, leaflet_css = _leaflet(data)
    return {
        "leaflet_js": leaflet_js,
        "leaflet_css": leaflet_css,
        "bundle": publish.write_hashed("gzmap", ".js", publish.client_bundle(client_style()), data),
        "css": publish.write_hashed("gzmap", ".css", publish.client_css(), data),
        "site_js": publish.write_hashed("gzsite", ".js", _site_bundle(), data),
        "site_css": publish.write_hashed(
            "gzsite", ".css", (publish.CLIENT_DIR / "site.css").read_bytes(), data
        ),
    }


def _summary(folder: Path, pages: tuple[str, ...], features: int, register: int) -> Published:
    files = raw = zipped = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == MARKER or path.suffix == ".gz":
            continue
        size = path.stat().st_size
        twin = path.with_name(path.name + ".gz")
        files += 1
        raw += size
        zipped += twin.stat().st_size if twin.exists() else size
    return Published(folder, pages, files, raw, zipped, features, register)
