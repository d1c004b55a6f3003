"""The geography shipped with the project, for maps made without internet: water and rivers.

The exports draw OpenStreetMap context (water, rivers, main roads, rail, the airport) from the
cache ``gzmap fetch-osm`` fills (:mod:`spatial.geo.osm`), which needs the internet. Where it is
empty, the groups this extract holds stand in (``load_osm_context`` reads them), so a map made
on an intranet still shows the Pearl River and its estuary.

The extract is built by ``gzmap build-context`` from GSHHG 2.3.7 (Wessel & Smith, the Global
Self-consistent, Hierarchical, High-resolution Geography database; LGPL-3.0-or-later) as
Debian's ``gmt-gshhg-full`` package ships it, read through GMT's ``gmt coast`` and
``gmt select`` (Debian's ``gmt``):

* ``water``: the sea, the estuary and the wide river channels GSHHG's full-resolution shoreline
  draws (from the World Vector Shoreline, about 1:250,000), and its lakes, as polygons;
* ``rivers``: the rivers of its WDBII river set (CIA World Data Bank II, about 1:1,000,000 to
  1:3,000,000), levels 0–4 (river-lakes, permanent major, additional major, additional and
  minor rivers), as lines.

Both are coarse beside OpenStreetMap: a shoreline may be off by a few hundred metres and a river
by a kilometre; each file's header says so. No registry package reachable from the project's
machines carries OpenStreetMap or Natural Earth roads, railways or airports for Guangzhou, so
the extract has none of those (``gzmap fetch-osm`` fetches them where the internet is at hand).

Files are written in the OSM cache's format (``data/geo/context/<group>.geojson`` with a
``gzmap_osm`` header naming the group and the feature count, plus the source and its licence),
so :func:`spatial.geo.osm.read_cache_file` reads both.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from spatial._errors import GzmapError
from spatial._io import atomic_write_text
from spatial._paths import DATA_GEO_DIR

__all__ = [
    "EXTRACT_ATTRIBUTION",
    "EXTRACT_DIR",
    "EXTRACT_GROUPS",
    "build_context",
]

#: Where the shipped extract lives.
EXTRACT_DIR = DATA_GEO_DIR / "context"
#: The groups it holds (keys of :data:`spatial.geo.osm.OSM_GROUPS`).
EXTRACT_GROUPS = ("water", "rivers")
EXTRACT_ATTRIBUTION = "GSHHG 2.3.7 © Wessel & Smith (LGPL-3.0)"
#: The header key the OSM cache files carry (:data:`spatial.geo.osm.HEADER_KEY`).
HEADER_KEY = "gzmap_osm"
METRIC_CRS = "EPSG:32649"
#: The extract covers the city's bounds and this much around them.
MARGIN_M = 5_000.0
#: Simplification tolerance (metres): below the sources' own accuracy.
SIMPLIFY_M = 25.0
#: Water bodies smaller than this are left out (as the OSM water group leaves out ponds).
MIN_WATER_M2 = 100_000.0
#: WDBII river levels kept (0 river-lakes, 1–4 permanent rivers major to minor).
RIVER_LEVELS = (0, 1, 2, 3, 4)
_WET = "k/s/k/s/k"  # gmt select -N: keep ocean, skip land, keep lake, skip island, keep pond

_NOTES = {
    "water": (
        "GSHHG full-resolution shoreline (World Vector Shoreline, about 1:250,000): the sea, the "
        "estuary, wide river channels and lakes; a shoreline may be off by a few hundred metres"
    ),
    "rivers": (
        "GSHHG WDBII rivers, levels 0-4 (about 1:1,000,000 to 1:3,000,000); a river may be off "
        "by a kilometre"
    ),
}


def _gmt() -> str:
    exe = shutil.which("gmt")
    if exe is None:
        raise GzmapError(
            "需要 GMT 与 GSHHG：sudo apt-get install gmt gmt-gshhg-full "
            "(needs Debian's gmt and gmt-gshhg-full)"
        )
    return exe


def _run(args: Sequence[str], stdin: str | None = None) -> str:
    with tempfile.TemporaryDirectory() as scratch:  # GMT leaves a gmt.history where it runs
        done = subprocess.run(
            [_gmt(), *args], input=stdin, capture_output=True, text=True, timeout=300,
            check=False, cwd=scratch,
        )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise GzmapError(f"gmt {args[0]}: {first[:200]}")
    return done.stdout


def _segments(text: str) -> list[tuple[str, list[tuple[float, float]]]]:
    """``(header, points)`` of each segment of GMT's multi-segment text output."""
    out: list[tuple[str, list[tuple[float, float]]]] = []
    header, points = "", []
    for line in text.splitlines():
        if line.startswith(">"):
            if len(points) > 1:
                out.append((header, points))
            header, points = line, []
        elif line.strip():
            x, y = line.split()[:2]
            points.append((float(x), float(y)))
    if len(points) > 1:
        out.append((header, points))
    return out


def _level(header: str) -> int | None:
    try:
        return int(header.rsplit("Level", 1)[1].split()[0])
    except (IndexError, ValueError):
        return None


def _region(bounds: Sequence[float]) -> str:
    west, south, east, north = bounds
    return f"-R{west:.4f}/{east:.4f}/{south:.4f}/{north:.4f}"


def _water(bounds: Sequence[float]) -> list[BaseGeometry]:
    """Wet faces of the shoreline inside ``bounds``: the shoreline and the frame cut the box
    into faces, and GMT says which are wet."""
    frame = box(*bounds)
    shores = [LineString(p) for _, p in _segments(_run(["coast", _region(bounds), "-Df", "-W",
                                                        "-M"]))]
    lines = [shapely.intersection(s, frame) for s in shores] + [frame.boundary]
    faces = list(shapely.get_parts(shapely.polygonize([shapely.union_all(lines)])))
    probes = [f.representative_point() for f in faces]
    wet_text = _run(  # each probe carries its face's number through as a third column
        ["select", _region(bounds), "-Df", f"-N{_WET}"],
        stdin="".join(f"{p.x:.7f} {p.y:.7f} {i}\n" for i, p in enumerate(probes)),
    )
    wet = {
        int(float(line.split()[2]))
        for line in wet_text.splitlines()
        if line.strip() and not line.startswith(">")
    }
    return [f for i, f in enumerate(faces) if i in wet]


def _rivers(bounds: Sequence[float]) -> list[BaseGeometry]:
    frame = box(*bounds)
    out = []
    for header, points in _segments(_run(["coast", _region(bounds), "-Df", "-Ia", "-M"])):
        if _level(header) in RIVER_LEVELS:
            part = shapely.intersection(LineString(points), frame)
            if not part.is_empty:
                out.append(part)
    return out


def _to_metric(geoms: list[BaseGeometry], inverse: bool = False) -> list[BaseGeometry]:
    from pyproj import Transformer

    source, target = ("EPSG:4326", METRIC_CRS) if not inverse else (METRIC_CRS, "EPSG:4326")
    tr = Transformer.from_crs(source, target, always_xy=True)
    return [shapely.transform(g, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
            for g in geoms]


def _write(path: Path, group: str, geoms: list[BaseGeometry], kind: str) -> int:
    features = [
        {
            "type": "Feature",
            "properties": {"osm_id": f"gshhg/{group}/{i + 1}", "name": None, "name_en": None,
                           "kind": kind, "ref": None},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-6))),
        }
        for i, g in enumerate(geoms)
    ]
    doc = {
        "type": "FeatureCollection",
        "features": features,
        HEADER_KEY: {
            "group": group,
            "count": len(features),
            "built": _dt.date.today().isoformat(),
            "source": "GSHHG 2.3.7 via Debian gmt-gshhg-full, read with gmt coast / gmt select",
            "accuracy": _NOTES[group],
            "attribution": EXTRACT_ATTRIBUTION,
            "licence": "LGPL-3.0-or-later",
        },
    }
    atomic_write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(features)


def build_context(out_dir: Path = EXTRACT_DIR) -> dict[str, int]:
    """Build the offline extract: water polygons and river lines over the city and around it.

    Parameters
    ----------
    out_dir : Path
        Where ``water.geojson`` and ``rivers.geojson`` are written (default
        ``data/geo/context``).

    Returns
    -------
    dict of str to int
        Features written per group.

    Raises
    ------
    GzmapError
        Without GMT and GSHHG (Debian's ``gmt`` and ``gmt-gshhg-full``), or when GMT fails.
    """
    from spatial.geo.base import load_city_outline

    city = load_city_outline().to_crs(METRIC_CRS).union_all()
    area_m = city.buffer(MARGIN_M)
    bounds = _to_metric([box(*area_m.bounds)], inverse=True)[0].bounds
    [keep] = _to_metric([area_m], inverse=True)

    water = [shapely.intersection(g, keep) for g in _water(bounds)]
    water_m = _to_metric([g for g in water if not g.is_empty])
    merged = shapely.union_all(water_m).simplify(SIMPLIFY_M, preserve_topology=True)
    water_m = [g for g in shapely.get_parts(merged) if g.area >= MIN_WATER_M2]

    rivers = [shapely.intersection(g, keep) for g in _rivers(bounds)]
    rivers_m = _to_metric([g for g in rivers if not g.is_empty])
    merged = shapely.line_merge(shapely.union_all(rivers_m)).simplify(SIMPLIFY_M)
    rivers_m = [g for g in shapely.get_parts(merged) if g.length > 0]

    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "water": _write(out_dir / "water.geojson", "water",
                        _to_metric(water_m, inverse=True), "water"),
        "rivers": _write(out_dir / "rivers.geojson", "rivers",
                         _to_metric(rivers_m, inverse=True), "river"),
    }
