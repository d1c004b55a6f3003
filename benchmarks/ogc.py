"""OGC API – Features figures: items latency and payload, ``python -m benchmarks.ogc``.

The service as ``make ogc`` runs it (``deploy/ogc.sh``: pygeoapi under gunicorn, one worker,
four threads), against a baseline in the same run: the same configuration served by pygeoapi's
stock GeoJSON provider (which reads and parses the file twice per request and cannot filter
list members, so its ``plans=`` row returns nothing). Every time is the median of ``--runs``
requests after one warm-up, over HTTP on loopback. Sizes are of one answer: as sent, and
gzipped at level 1 (nginx's default ``gzip_comp_level`` behind ``make serve``).

Usage::

    python -m benchmarks.ogc              # ~20 s
    python -m benchmarks.ogc --runs 50
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import yaml

from spatial._paths import LAYERS_DIR, ROOT
from spatial.testing.appserver import HOST, free_port
from spatial.testing.ogcserver import run_ogc

QUERIES = {
    "items, first page (limit 10), one layer": "/collections/gz_sti/items?f=json&limit=10",
    "items, whole layer gz_sti (limit 1000)": "/collections/gz_sti/items?f=json&limit=1000",
    "items, plans=tianhe_sti over all points": "/collections/points/items?f=json&plans=tianhe_sti&limit=1000",
    "items, bbox over one layer": "/collections/gz_sti/items?f=json&bbox=113.3,23.1,113.4,23.2",
    "one item as HTML": "/collections/tianhe_sti/items/tianhe-shahe?f=html",
}


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.read()


def median_ms(url: str, runs: int) -> float:
    fetch(url)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fetch(url)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


@contextlib.contextmanager
def stock_server(folder: Path) -> Iterator[str]:
    """The configuration in ``folder`` served with pygeoapi's own GeoJSON provider."""
    config = yaml.safe_load((folder / "pygeoapi.yml").read_text(encoding="utf-8"))
    for res in config["resources"].values():
        res["providers"][0]["name"] = "GeoJSON"
    stock = folder / "stock.yml"
    stock.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    port = free_port()
    env = dict(os.environ, PYGEOAPI_CONFIG=str(stock),
               PYGEOAPI_OPENAPI=str(folder / "pygeoapi.openapi.yml"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--no-control-socket", "--workers", "1", "--threads",
         "4", "--bind", f"{HOST}:{port}", "pygeoapi.flask_app:APP"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(f"{url}/conformance?f=json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the stock pygeoapi server did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ogc", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per figure (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gzmap-ogc-bench-") as tmp:
        folder = Path(tmp)
        with run_ogc(folder) as ours, stock_server(folder) as stock:
            print(f"{'request':<44} {'ours':>9} {'stock':>9}  {'bytes':>9} {'gzip-1':>8}")
            for name, path in QUERIES.items():
                body = fetch(ours.url + path)
                t_ours = median_ms(ours.url + path, args.runs)
                t_stock = median_ms(stock + path, args.runs)
                packed = len(gzip.compress(body, compresslevel=1))
                print(f"{name:<44} {t_ours:>6.1f} ms {t_stock:>6.1f} ms  {len(body):>9,} {packed:>8,}")
            layer = (LAYERS_DIR / "gz_sti.geojson").stat().st_size
            print(f"layers/gz_sti.geojson on disk: {layer:,} bytes (UTF-8; pygeoapi escapes "
                  "non-ASCII as \\uXXXX)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
