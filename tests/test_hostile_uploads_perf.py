"""Hostile uploads cost the server little: each is answered within the worker's time limit, and
the process that asked (standing in for the server) does not grow.

``perf`` tests: ``make test`` runs them apart from the rest, with ``--perf-margin`` (a factor on
every bound, as the machine may be shared). What each file is answered with is checked in
``tests/test_hostile_uploads.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from spatial.uploads import _gpkg
from spatial.uploads.reader import TIME_LIMIT_S, _run_worker, read_user_layer, start_worker

pytestmark = pytest.mark.perf

HOSTILE = Path(__file__).parent / "data" / "hostile"
_spec = importlib.util.spec_from_file_location("make_fixtures", HOSTILE / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

#: The longest a hostile file may take to answer (the worker's limit plus its start and kill).
ANSWER_S = TIME_LIMIT_S + 2.0
#: How much the asking process may grow while one hostile file is read (MiB).
RSS_GROWTH_MIB = 30
#: GeoPackages whose layer would run a query (a view, a virtual table, a computed column), or a
#: trigger on write.
GPKG_KINDS = ("view_bomb", "endless_view", "attach_view", "virtual_table", "generated_column")


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(ln for ln in fh if ln.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.fixture(scope="module", autouse=True)
def _worker() -> None:
    start_worker()
    read_user_layer((HOSTILE / "good_upload.geojson").read_bytes(), "warm.geojson")


def _hostile_files(folder: Path) -> list[tuple[bytes, str]]:
    files = [
        (fixtures.hostile_gpkg(folder / f"{kind}.gpkg", kind), f"{kind}.gpkg")
        for kind in (*GPKG_KINDS, "trigger")
    ]
    return files + [
        (fixtures.wide_geojson(500, 100), "wide.geojson"),
        (fixtures.giant_integer_geojson(5000), "giant.geojson"),
    ]


def _points(n: int) -> bytes:
    feats = [fixtures.feature(f"p{i}", fixtures.point([113.2 + i / n, 23.1])) for i in range(n)]
    return json.dumps(fixtures.collection(*feats)).encode()


def test_each_hostile_file_is_answered_within_the_limit_and_costs_no_memory(
    tmp_path: Path, perf_margin: float
) -> None:
    figures = {}
    for data, name in _hostile_files(tmp_path):
        before = _rss_mib()
        start = time.monotonic()
        read_user_layer(data, name)
        figures[name] = (round(time.monotonic() - start, 2), round(_rss_mib() - before, 1))
    print(f"seconds, RSS growth (MiB): {figures}")
    slow = {k: v for k, v in figures.items() if v[0] >= ANSWER_S * perf_margin}
    grown = {k: v for k, v in figures.items() if v[1] >= RSS_GROWTH_MIB * perf_margin}
    assert not slow and not grown, (slow, grown)


def test_the_whole_hostile_suite_leaves_the_asking_process_as_it_was(
    tmp_path: Path, perf_margin: float
) -> None:
    files = _hostile_files(tmp_path)
    before = _rss_mib()
    for _ in range(3):
        for data, name in files:
            read_user_layer(data, name)
    assert _rss_mib() - before < RSS_GROWTH_MIB * perf_margin


def test_a_runaway_statement_is_stopped_soon_after_the_deadline(
    tmp_path: Path, perf_margin: float
) -> None:
    path = fixtures.base_gpkg(tmp_path / "base.gpkg")
    conn = _gpkg._connect(path, time.monotonic() + 0.3, 5 << 20)
    start = time.monotonic()
    tables = ", ".join(f"gpkg_spatial_ref_sys t{i}" for i in range(20))  # 3^20 rows and more
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute(f"SELECT count(*) FROM {tables}").fetchone()
    assert time.monotonic() - start < 5 * perf_margin


def test_an_upload_to_a_wedged_fork_server_is_answered_within_the_time_limit(
    perf_margin: float,
) -> None:
    from multiprocessing import forkserver

    start_worker()
    server = forkserver._forkserver._forkserver_pid
    os.kill(server, signal.SIGSTOP)
    try:
        took = []
        for n in (3, 2_000):  # 2,000 points: more than a pipe holds
            start = time.monotonic()
            _run_worker(_points(n), "stuck.geojson", seconds=1.0)
            took.append(time.monotonic() - start)
    finally:
        os.kill(server, signal.SIGCONT)
    assert max(took) < (1.0 + 2.0) * perf_margin, took
