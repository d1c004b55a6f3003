"""Benchmarks: ``python -m benchmarks`` prints speed and payload figures with their baselines.

Every figure is the median of several runs (the browser rows also print their min and max).
Each row says what its baseline is, measured in the same run: the naive way (what a newcomer
would write: read every file with geopandas, one ``folium.GeoJson`` of all features with
full-precision geometry and a popup per feature, no caching), a cold first load (rows 2b-2e),
or, for the browser rows, anchor pages (Streamlit's hello page, a static page of the same
layers). And each is held to the project's target. Nothing here asserts: the suite only checks
that the script runs on a tiny size (``--quick``).

App reruns (rows 2b-2e) are timed with the script compiled once, as ``streamlit run`` keeps
it; ``AppTest`` alone would recompile it on every run (see :func:`server_script_cache`).
Rows 8a-8c are the CPU of ``gzmap here`` (:mod:`benchmarks.cli`). Row 5d serves the app with ``--ws-size`` more parks (default 200,000) and counts the bytes of a
filter change through the protocol client. Rows 7a-7e are the published site's
(:mod:`benchmarks.site`, also run alone as ``python -m benchmarks.site``).

Usage::

    python -m benchmarks                 # full run (~1.5 minutes on a 2-core machine)
    python -m benchmarks --quick         # tiny sizes, one run each (seconds)
    python -m benchmarks --sizes 10000 50000 --runs 5
    python -m benchmarks --load          # many users at once: the server under load (~4 minutes)
    python -m benchmarks --load --sessions 5 --setups single proxy2 --churn 0

``--load`` runs :mod:`benchmarks.load` instead of the rows above.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Row:
    """One line of the results table: a median (or ``(min, median, max)``), its baseline and
    target."""

    name: str
    value: float | tuple[float, float, float]
    unit: str
    baseline: float | None = None
    target: float | None = None

    @property
    def median(self) -> float:
        return self.value[1] if isinstance(self.value, tuple) else self.value

    def cells(self) -> list[str]:
        fmt = _fmt(self.median, self.unit)
        spread = (
            f"{_fmt(self.value[0], self.unit)} – {_fmt(self.value[2], self.unit)}"
            if isinstance(self.value, tuple) else "—"
        )
        base = _fmt(self.baseline, self.unit) if self.baseline is not None else "—"
        ratio = f"{self.baseline / self.median:.1f}×" if self.baseline and self.median else "—"
        target = f"≤ {_fmt(self.target, self.unit)}" if self.target is not None else "—"
        verdict = "—" if self.target is None else ("ok" if self.median <= self.target else "MISSED")
        return [self.name, fmt, spread, base, ratio, target, verdict]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "B":
        return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} KB"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "%":
        return f"{value * 100:.0f} %"
    return f"{value:g} {unit}"


def median_time(fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None) -> float:
    """Median wall time of ``fn`` over ``runs`` runs (``setup`` untimed before each)."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# -- 1. load + validate ----------------------------------------------------------------------------
def bench_load_validate(runs: int) -> list[Row]:
    import geopandas as gpd
    import pandas as pd

    from spatial.plans import layers
    from spatial.plans.validate import layer_paths, validate_layer_files

    paths = layer_paths()

    def naive_load() -> None:
        pd.concat([gpd.read_file(p) for p in paths], ignore_index=True)

    load = median_time(layers.load_layers, runs, setup=layers.clear_cache)
    naive = median_time(naive_load, runs)
    layers.load_layers()
    validate = median_time(validate_layer_files, max(1, runs // 2))
    return [
        Row("1a load all layers (cold)", load, "s", baseline=naive),
        Row("1b validate all layers (full contract)", validate, "s"),
    ]


# -- 2. the app script ---------------------------------------------------------------------------
@contextlib.contextmanager
def server_script_cache() -> Iterator[None]:
    """Compile the app script once for all ``AppTest`` runs, as ``streamlit run`` does.

    ``AppTest`` gives every run a fresh script cache, so each rerun would also pay for
    reading, rewriting (Streamlit's "magic") and compiling the 700-line script — some 30-50 ms
    that a running server spends once. Reruns are timed as the server runs them.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


@contextlib.contextmanager
def layers_dir(folder: Any) -> Iterator[None]:
    """Point the app at another layers folder (``GZMAP_LAYERS_DIR``) for a while."""
    old = os.environ.get("GZMAP_LAYERS_DIR")
    os.environ["GZMAP_LAYERS_DIR"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("GZMAP_LAYERS_DIR", None)
        else:
            os.environ["GZMAP_LAYERS_DIR"] = old


def filter_change_time(at: Any, runs: int) -> float:
    """Median time of an app rerun after picking another industry (a new selection each time)."""
    options = list(at.multiselect(key="industries").options)
    picks = [options[i % len(options)] for i in range(runs + 1)] if options else []
    times = []
    for pick in picks:
        at.multiselect(key="industries").set_value([pick])
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(f"the app failed: {at.exception[0].value}")
    return statistics.median(times[1:] or times) if times else float("nan")


def bench_app(runs: int, scale_n: int) -> list[Row]:
    import tempfile

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from spatial._paths import ROOT

    app = str(ROOT / "streamlit_app.py")

    def first_load() -> None:
        AppTest.from_file(app, default_timeout=300).run()

    def clear() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()

    cold = median_time(first_load, runs, setup=clear)
    with server_script_cache():
        warm = median_time(first_load, runs)
        filter_change = filter_change_time(AppTest.from_file(app, default_timeout=300).run(), runs)
        with tempfile.TemporaryDirectory() as tmp, layers_dir(write_synthetic_layers(tmp, scale_n)):
            clear()
            t0 = time.perf_counter()
            at = AppTest.from_file(app, default_timeout=300).run()
            big_cold = time.perf_counter() - t0
            big_change = filter_change_time(at, max(2, runs // 2))
        clear()
    return [
        Row("2a app first load, cold caches", cold, "s"),
        Row("2b app first load, warm caches (new session; baseline 2a)", warm, "s",
            baseline=cold),
        Row("2c app rerun after a filter change (baseline 2a)", filter_change, "s",
            baseline=cold, target=0.150),
        Row(f"2d app first load with {scale_n:,} more parks, cold", big_cold, "s"),
        Row(f"2e app rerun after a filter change, {scale_n:,} more parks (baseline 2d)",
            big_change, "s", baseline=big_cold, target=1.0 if scale_n <= 10_000 else None),
    ]


# -- 3. map payload ------------------------------------------------------------------------------
def naive_map_html(gdf: Any) -> str:
    """What a newcomer writes: all features as one GeoJson, full precision, a popup per feature."""
    import folium

    from spatial.geo.base import load_districts

    m = folium.Map(location=[23.13, 113.30], zoom_start=10)
    folium.GeoJson(load_districts().to_json(), name="districts").add_to(m)
    cols = [c for c in ("id", "name", "role", "industries", "excerpts") if c in gdf.columns]
    frame = gdf[cols + ["geometry"]].copy()
    for col in ("industries", "excerpts"):
        if col in frame:
            frame[col] = frame[col].astype(str)
    folium.GeoJson(
        frame.to_json(),
        popup=folium.GeoJsonPopup(fields=[c for c in cols if c != "geometry"]),
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(m)
    return m.get_root().render()


def project_map_files(gdf: Any, folder: Any) -> tuple[int, str]:
    """The project's map of the same features as a new page gets it: the features and the
    district outlines as the client's files (gzipped, as sent) and the map's message of the
    whole view; returns (bytes, the message)."""
    import json
    from pathlib import Path

    from spatial.geo.base import load_districts
    from spatial.query.features import Selection
    from spatial.symbology import view_symbology
    from spatial.webmap import client
    from spatial.webmap.site import write_site

    site = write_site(Path(folder), gdf, districts=load_districts())
    view = client.view_selection(gdf, gdf["role"], site.position,
                                 view_symbology(gdf, Selection()))
    message = json.dumps(site.message(view), ensure_ascii=False)
    files = [site.folder / site.data["features"], site.folder / site.data["districts"]]
    gz = sum(Path(str(f) + ".gz").stat().st_size for f in files)
    return gz + len(message.encode()), message


def bench_payload(runs: int) -> list[Row]:
    import gzip
    import tempfile

    from spatial.plans.layers import load_layers

    gdf = load_layers()
    naive_html = naive_map_html(gdf).encode()
    with tempfile.TemporaryDirectory() as tmp:
        ours, _message = project_map_files(gdf, tmp)
        t_ours = median_time(lambda: project_map_files(gdf, tempfile.mkdtemp(dir=tmp)), runs)
    t_naive = median_time(lambda: naive_map_html(gdf), runs)
    return [
        Row("3a a new page's map data, all features (files gzipped + message; baseline: the "
            "naive map's HTML gzipped)", ours, "B", baseline=len(gzip.compress(naive_html)),
            target=1.5e6),
        Row("3b write that map's files (baseline: build + render the naive map)", t_ours, "s",
            baseline=t_naive),
    ]


# -- 4. export -----------------------------------------------------------------------------------
def bench_export(runs: int, dpi: int) -> list[Row]:
    from spatial.exports.briefing import render_map
    from spatial.query.features import Selection

    sel = Selection(plans=("gz_sti",))
    render_map(sel, fmt="png", dpi=dpi)  # font registration and caches, once
    png = median_time(lambda: render_map(sel, fmt="png", dpi=dpi), runs)
    pdf = median_time(lambda: render_map(sel, fmt="pdf"), runs)
    # everything at once: the crowded case (enlarged views, a wider key panel drawn again)
    crowded = median_time(lambda: render_map(Selection(), fmt="png", dpi=dpi), runs)
    return [
        Row(f"4a export PNG A4 {dpi} dpi (city plan)", png, "s", target=3.0 if dpi >= 300 else None),
        Row("4b export PDF A4 (city plan)", pdf, "s"),
        Row(f"4c export PNG A4 {dpi} dpi (every feature)", crowded, "s"),
    ]


# -- 5. scale ------------------------------------------------------------------------------------
def synthetic_features(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` park features (GeoJSON dicts) with the layer schema, spread over Guangzhou."""
    import geopandas as gpd
    from shapely.geometry import Point

    from spatial.geo.base import load_city_outline
    from spatial.plans.taxonomy import load_taxonomy

    rng = np.random.default_rng(seed)
    outline = load_city_outline().geometry.union_all()
    xmin, ymin, xmax, ymax = outline.bounds
    tags = load_taxonomy().tags
    points: list[Point] = []
    while len(points) < n:
        xs = rng.uniform(xmin, xmax, n)
        ys = rng.uniform(ymin, ymax, n)
        cand = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs="EPSG:4326")
        points.extend(cand[cand.within(outline)].tolist())
    features = []
    for i, pt in enumerate(points[:n]):
        industries = [str(t) for t in rng.choice(tags, size=2, replace=False)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [pt.x, pt.y]},
                "properties": {
                    "id": f"synthetic-{i}",
                    "name": f"合成园区{i}",
                    "aliases": [],
                    "role": "park",
                    "plans": ["gz_sti"],
                    "district": ["天河区"],
                    "industries": industries,
                    "excerpts": [{"plan": "gz_sti", "seed": "-", "section": "-", "text": "合成要素，用于测量。" * 3}],
                    "location_source": "synthetic",
                    "location_precision_m": 100,
                },
            }
        )
    return features


def synthetic_parks(n: int, seed: int = 7) -> Any:
    """``n`` parks with the layer schema, spread over Guangzhou's districts (a layer frame)."""
    from spatial.plans.layers import frame_from_features

    gdf = frame_from_features(synthetic_features(n, seed), layer="synthetic")
    return gdf.set_index("id", drop=False).rename_axis(None)


def write_synthetic_layers(folder: Any, n: int) -> Any:
    """A layers folder for the app: the real layers plus ``synthetic.geojson`` of ``n`` parks."""
    import json
    import shutil
    from pathlib import Path

    from spatial.plans.validate import layer_paths

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for path in layer_paths():
        shutil.copy(path, folder / path.name)
    doc = {"type": "FeatureCollection", "name": "synthetic", "features": synthetic_features(n)}
    (folder / "synthetic.geojson").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return folder


def bench_scale(sizes: list[int], runs: int) -> list[Row]:
    """Rows 5a-5c per size: a filter's message, the features file, the message of all."""
    import gzip
    import json

    from spatial.query.features import Selection, select
    from spatial.symbology import view_symbology
    from spatial.webmap import client, publish

    rows: list[Row] = []
    for n in sizes:
        gdf = synthetic_parks(n)
        tag = gdf["industries"].iloc[0][0]
        content, ids = publish.features_document(gdf, "wgs84", {})
        position = {fid: i for i, fid in enumerate(ids)}
        file_gz = len(gzip.compress(content, 9))
        del content

        def message(sel: Selection, frame: Any = gdf, position: dict = position) -> bytes:
            view = client.view_selection(select(frame, sel), frame["role"],
                                         position, view_symbology(frame, sel))
            return json.dumps(view, ensure_ascii=False).encode()

        one = Selection(industries=(tag,))
        naive = n <= 50_000  # the naive map of more is minutes of work
        r = max(1, runs // 2)
        rows += [
            Row(f"5a {n:,} parks: a filter's message, one industry (baseline: naive filter"
                " + map)", median_time(lambda one=one: message(one), r), "s",
                baseline=median_time(lambda frame=gdf, tag=tag: naive_map_html(
                    frame[frame["industries"].apply(lambda v: tag in v)]), r)
                if naive else None, target=1.0 if n <= 10_000 else None),
            Row(f"5b {n:,} parks: the features file, gzipped, once per layer version "
                "(baseline: naive map of all)", file_gz, "B",
                baseline=len(naive_map_html(gdf).encode()) if naive else None,
                target=3e6 if n <= 10_000 else None),
            Row(f"5c {n:,} parks: a filter's message, one industry (bytes)",
                len(message(one)), "B", target=50e3),
        ]
    return rows


def bench_websocket(n: int) -> list[Row]:
    """Row 5d: the websocket bytes of a filter change (清除筛选 Clear filters on the parks
    view) with ``n`` more parks, through the protocol client (:mod:`benchmarks.stclient`),
    which keeps the messages a browser keeps."""
    import asyncio
    import tempfile

    from benchmarks.servers import serve
    from benchmarks.stclient import Session

    async def change(url: str) -> tuple[int, int, int]:
        session = Session(url, timeout=600)
        await session.connect()
        try:
            await session.land("roles=park&basemap=none")
            run = await session.click("clear")
            return run.received, run.map_bytes, run.deflated
        finally:
            await session.close()

    with tempfile.TemporaryDirectory() as tmp:
        layers = write_synthetic_layers(tmp, n)
        with serve(env={"GZMAP_LAYERS_DIR": str(layers)}, start_timeout=600) as server:
            asyncio.run(change(server.url))  # the server's caches, once
            received, map_bytes, deflated = asyncio.run(change(server.url))
    return [
        Row(f"5d websocket bytes per filter change, {n:,} more parks", received, "B",
            target=50e3 if n >= 100_000 else 10e3),
        Row(f"5d of which the map's message, {n:,} more parks", map_bytes, "B"),
        Row(f"5d the same with permessage-deflate (each message alone), {n:,} more parks",
            deflated, "B"),
    ]


def _bench_browser(runs: int, scale_n: int) -> list[Row]:
    from benchmarks.browser import bench_browser

    return bench_browser(max(runs, 1), scale_n)


def print_table(rows: list[Row]) -> None:
    """Print rows as a Markdown table."""
    head = ["measure", "median", "min – max", "baseline", "gain", "target", ""]
    cells = [r.cells() for r in rows]
    widths = [max(len(str(c[i])) for c in [head, *cells]) for i in range(len(head))]
    line = lambda c: "| " + " | ".join(str(x).ljust(w) for x, w in zip(c, widths, strict=True)) + " |"  # noqa: E731
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print(line(c))


def _bench_site(runs: int) -> list[Row]:
    """Rows 7a-7e: the published site (:mod:`benchmarks.site`)."""
    from benchmarks.site import bench_site

    return bench_site(max(runs, 1))


def _bench_cli(runs: int) -> list[Row]:
    """Rows 8a-8c: the CPU of ``gzmap here`` (:mod:`benchmarks.cli`)."""
    from benchmarks.cli import bench_cli

    return bench_cli(max(runs, 1))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--app-size", type=int, default=10_000,
                        help="synthetic parks added to the real layers for the app's rows 2d-2e")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run: checks the script")
    parser.add_argument("--ws-size", type=int, default=200_000,
                        help="synthetic parks added for row 5d (websocket bytes of a change)")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["load", "app", "payload", "export", "scale", "websocket",
                                 "browser", "site", "cli"])
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="only rows 6a, 6b and 6d, this checkout against another one (e.g. `git "
                        "worktree add ../before HEAD~3`), served side by side and opened in turn")
    from benchmarks import load

    load.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.load:
        return load.run(args)
    if args.compare:
        from benchmarks.browser import compare

        for line in compare(args.compare, max(args.runs, 1)):
            print(line)
        return 0
    runs, sizes, dpi, app_n, ws_n = (
        (1, [50], 72, 50, 50) if args.quick
        else (args.runs, args.sizes, 300, args.app_size, args.ws_size)
    )
    steps: list[tuple[str, Callable[[], list[Row]]]] = [
        ("load", lambda: bench_load_validate(runs)),
        ("app", lambda: bench_app(runs, app_n)),
        ("payload", lambda: bench_payload(runs)),
        ("export", lambda: bench_export(runs, dpi)),
        ("scale", lambda: bench_scale(sizes, runs)),
        ("websocket", lambda: bench_websocket(ws_n)),
        ("browser", lambda: _bench_browser(runs, app_n)),
        ("site", lambda: _bench_site(runs)),
        ("cli", lambda: _bench_cli(runs)),
    ]
    rows: list[Row] = []
    t0 = time.perf_counter()
    for name, step in steps:
        if name in args.skip:
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        rows += step()
    print_table(rows)
    print(f"\n{len(rows)} figures in {time.perf_counter() - t0:.0f} s; median of {runs} run(s) each.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
