"""Many uploads at once: at most ``MAX_CONCURRENT`` are read at a time, the others wait their
turn (their users told so), and each heavy but valid file is read, not timed out.

Before the queue, ten heavy files at once shared two cores among ten workers, and each met the
time limit that had started before it got any CPU.
"""

from __future__ import annotations

import threading

import pytest
from _uploads import heavy_lines

from spatial.uploads import reader
from spatial.uploads.reader import MAX_CONCURRENT, read_user_layer, start_worker

N_UPLOADS = 10


@pytest.fixture(scope="module", autouse=True)
def _worker() -> None:
    start_worker()


def test_ten_heavy_uploads_at_once_are_each_read_in_turn(monkeypatch) -> None:
    files = [heavy_lines(seed=i) for i in range(N_UPLOADS)]
    running = 0
    most = 0
    lock = threading.Lock()
    real_run = reader._run_worker

    def counted_run(*args, **kwargs):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return real_run(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(reader, "_run_worker", counted_run)
    queued: list[int] = []
    layers: list = [None] * N_UPLOADS
    start = threading.Barrier(N_UPLOADS)

    def upload(i: int) -> None:
        start.wait()
        layers[i] = read_user_layer(files[i], f"heavy{i}.geojson", on_queued=queued.append)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(N_UPLOADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [layer.problems for layer in layers] == [[]] * N_UPLOADS
    assert all(len(layer.gdf) == 10_000 for layer in layers)
    assert most <= MAX_CONCURRENT
    assert len(queued) >= 1 and max(queued) <= N_UPLOADS - 1


def test_a_full_queue_is_answered_as_busy_at_once(monkeypatch) -> None:
    monkeypatch.setattr(reader, "_WAITING", reader.MAX_QUEUED)
    held = [reader._SLOTS.acquire(blocking=False) for _ in range(MAX_CONCURRENT)]
    try:
        layer = read_user_layer(heavy_lines(n_lines=100), "late.geojson")
    finally:
        for ok in held:
            if ok:
                reader._SLOTS.release()
    assert not layer.ok
    assert "服务器繁忙" in layer.problems[0] and "server is busy" in layer.problems[0]


def test_the_workers_run_this_copy_of_the_parser() -> None:
    # The fork server is a new interpreter: the folder put first on its path must hold this
    # copy's `spatial` (a benchmark serving another checkout compares that checkout's parser).
    root = reader.package_root()
    assert (root / "spatial" / "uploads" / "reader.py").samefile(reader.__file__)


@pytest.fixture
def busy(monkeypatch):
    """Every worker slot taken, and a wait of 0.3 s at most for one."""
    monkeypatch.setattr(reader, "_SLOTS", threading.BoundedSemaphore(MAX_CONCURRENT))
    monkeypatch.setattr(reader, "QUEUE_LIMIT_S", 0.3)
    for _ in range(MAX_CONCURRENT):
        assert reader._SLOTS.acquire(blocking=False)
    monkeypatch.setattr(reader, "_run_worker", lambda *a: pytest.fail("a worker was started"))


@pytest.mark.parametrize("waiting", [0, reader.MAX_QUEUED - 1])
def test_an_upload_that_finds_no_free_worker_waits_its_turn_then_says_so(
    busy, monkeypatch, waiting
) -> None:
    monkeypatch.setattr(reader, "_WAITING", waiting)
    queued: list[int] = []
    layer = read_user_layer(heavy_lines(n_lines=10), "等.geojson", on_queued=queued.append)
    assert queued == [waiting + 1]  # told its place in the queue, the last one included
    assert layer.problems == [
        "服务器繁忙，请稍后再上传 — 等.geojson: -: server is busy: no worker free after 0 s"
    ]
    assert waiting == reader._WAITING  # it left the queue


def test_a_full_queue_refuses_by_name_and_counts_nobody_in(busy, monkeypatch) -> None:
    monkeypatch.setattr(reader, "_WAITING", reader.MAX_QUEUED)
    queued: list[int] = []
    layer = read_user_layer(heavy_lines(n_lines=10), "满.geojson", on_queued=queued.append)
    assert queued == []
    assert layer.problems == [
        f"服务器繁忙，请稍后再上传 — 满.geojson: -: server is busy: {reader.MAX_QUEUED} uploads "
        "are waiting"
    ]
    assert reader._WAITING == reader.MAX_QUEUED
