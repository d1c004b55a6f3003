"""Uploads built to hurt the server: each gets a clear message.

A small file can ask for gigabytes (a GeoPackage "layer" that is a view building huge text), for
ever (a view that never ends), or for a lot of drawing (a wide GeoJSON). Each is answered by a
message naming the reason or the cap. That the answer comes within the worker's time limit and
the process that asked (standing in for the server) does not grow is checked by the ``perf``
tests in ``tests/test_hostile_uploads_perf.py``.
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
from spatial.uploads.reader import (
    MAX_FEATURES,
    MAX_PROPERTIES,
    MAX_VALUE_CHARS,
    MAX_VERTICES_TOTAL,
    _run_worker,
    limits_text,
    read_user_layer,
    start_worker,
)

HOSTILE = Path(__file__).parent / "data" / "hostile"
_spec = importlib.util.spec_from_file_location("make_fixtures", HOSTILE / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

@pytest.fixture(scope="module", autouse=True)
def _worker() -> None:
    start_worker()
    read_user_layer((HOSTILE / "good_upload.geojson").read_bytes(), "warm.geojson")


def _refused_with(layer, *words: str) -> bool:
    return layer.gdf is None and any(all(w in p for w in words) for p in layer.problems)


# kind, words the message must hold (Chinese first, then the English reason)
GPKG_CASES = [
    ("view_bomb", ("视图而非数据表", "'bomb' is a view, not a table")),
    ("endless_view", ("视图而非数据表", "'endless' is a view, not a table")),
    ("attach_view", ("无法读取 GeoPackage", "cannot reference objects in database other")),
    ("virtual_table", ("虚拟表", "'vt' is a virtual table")),
    ("generated_column", ("计算列", "computed (generated) columns")),
]


@pytest.mark.parametrize(("kind", "words"), GPKG_CASES, ids=[c[0] for c in GPKG_CASES])
def test_geopackage_layers_that_run_queries_are_refused_soon_and_cheaply(
    kind: str, words: tuple[str, ...], tmp_path: Path
) -> None:
    data = fixtures.hostile_gpkg(tmp_path / f"{kind}.gpkg", kind)
    assert len(data) < 200_000  # small files, each able to cost gigabytes or for ever if run
    layer = read_user_layer(data, f"{kind}.gpkg")
    assert _refused_with(layer, *words), layer.problems


def test_triggers_never_run_and_the_table_is_read(tmp_path: Path) -> None:
    path = tmp_path / "trigger.gpkg"
    data = fixtures.hostile_gpkg(path, "trigger")
    layer = read_user_layer(data, "trigger.gpkg")
    assert layer.ok, layer.problems
    assert list(layer.gdf["name"]) == ["广州国际生物岛", "中新广州知识城"]
    # the reader's rules, on the same file: any write is refused before a trigger could fire
    conn = _gpkg._connect(path, time.monotonic() + 5, 5 << 20)
    with pytest.raises(sqlite3.DatabaseError, match="not authorized|readonly"):
        conn.execute("DELETE FROM places")
    assert conn.execute("SELECT count(*) FROM log").fetchone() == (0,)


def test_the_reader_refuses_attach_and_extensions(tmp_path: Path) -> None:
    path = fixtures.base_gpkg(tmp_path / "base.gpkg")
    conn = _gpkg._connect(path, time.monotonic() + 5, 5 << 20)
    other = tmp_path / "other.sqlite"
    with pytest.raises(sqlite3.DatabaseError, match="not authorized|too many attached"):
        conn.execute(f"ATTACH DATABASE '{other}' AS other")
    assert not other.exists()
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT load_extension('/usr/lib/x86_64-linux-gnu/mod_spatialite.so')")


def test_a_runaway_statement_is_stopped_at_the_deadline(tmp_path: Path) -> None:
    path = fixtures.base_gpkg(tmp_path / "base.gpkg")
    conn = _gpkg._connect(path, time.monotonic() + 0.3, 5 << 20)
    tables = ", ".join(f"gpkg_spatial_ref_sys t{i}" for i in range(20))  # 3^20 rows and more
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        conn.execute(f"SELECT count(*) FROM {tables}").fetchone()
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):  # nor recursion at all
        conn.execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        ).fetchone()


def test_a_wide_geojson_is_refused_with_the_cap_in_one_message() -> None:
    data = fixtures.wide_geojson(500, 100)
    layer = read_user_layer(data, "wide.geojson")
    assert _refused_with(layer, "属性过多", f"over the cap of {MAX_PROPERTIES} properties")
    assert len(layer.problems) == 1 and "and 499 more feature(s)" in layer.problems[0]


def test_a_giant_integer_is_a_message_not_a_traceback() -> None:
    layer = read_user_layer(fixtures.giant_integer_geojson(5000), "giant.geojson")
    assert _refused_with(layer, "数字位数过多", "too many digits")


def _points(n: int, **props: object) -> bytes:
    feats = [
        fixtures.feature(
            f"p{i}", fixtures.point([113.2 + (i % 500) / 1000, 23.0 + i / n / 2]), **props
        )
        for i in range(n)
    ]
    return json.dumps(fixtures.collection(*feats), ensure_ascii=False).encode()


def test_features_vertices_and_long_values_are_capped() -> None:
    too_many = read_user_layer(_points(MAX_FEATURES + 1), "many.geojson")
    assert _refused_with(too_many, "要素过多", f"over the cap of {MAX_FEATURES} features")
    line = [[113.2 + i * 1e-6, 23.1] for i in range(MAX_VERTICES_TOTAL + 1)]
    doc = fixtures.collection(fixtures.feature("l", {"type": "LineString", "coordinates": line}))
    long_line = read_user_layer(json.dumps(doc).encode(), "line.geojson")
    assert _refused_with(long_line, "顶点过多", f"over the cap of {MAX_VERTICES_TOTAL} vertices")
    wordy = read_user_layer(_points(3, note="字" * (MAX_VALUE_CHARS + 1)), "wordy.geojson")
    assert _refused_with(wordy, "属性值过长", f"over the cap of {MAX_VALUE_CHARS} characters")
    fine = read_user_layer(_points(3, note="字" * MAX_VALUE_CHARS), "fine.geojson")
    assert fine.ok and len(fine.gdf["note"].iloc[0]) == MAX_VALUE_CHARS


def test_a_worker_over_its_limits_is_stopped_with_a_message() -> None:
    data = fixtures.wide_geojson(4000, 20)  # ~2 MB of JSON, well within the real limits
    memory = _run_worker(data, "big.geojson", memory_bytes=2 * 1024 * 1024)
    assert any("超出内存限制" in p and "memory limit" in p for p in memory["problems"])
    slow = _run_worker(data, "big.geojson", seconds=0.01)
    assert any("文件处理超时" in p and "time limit" in p for p in slow["problems"])


def test_an_upload_to_a_wedged_fork_server_is_answered_with_the_time_limit() -> None:
    """A worker that cannot start (its fork server stopped) is a message, never a wait."""
    from multiprocessing import forkserver

    start_worker()
    server = forkserver._forkserver._forkserver_pid
    small = _points(3)
    large = _points(2_000)  # more than a pipe holds: the hand-over itself must be bounded
    os.kill(server, signal.SIGSTOP)
    try:
        answers = [_run_worker(data, "stuck.geojson", seconds=1.0) for data in (small, large)]
    finally:
        os.kill(server, signal.SIGCONT)
    for answer in answers:
        assert any("文件处理超时" in p and "time limit" in p for p in answer["problems"]), answer
    assert read_user_layer(small, "after.geojson").ok  # the same fork server serves the next one


def test_limits_are_stated_in_one_text_shared_with_the_readme() -> None:
    text = limits_text()
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "5 MiB" in text and f"{MAX_FEATURES:,}" in text
    assert text in readme
