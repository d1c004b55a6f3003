"""The server's memory comes back after many users upload and leave (``-m perf``).

Twenty users each open the app, upload a ~5 MB layer into 我的图层 and ``PUT`` five more
files at it (ids the server issued or not), then close the tab. Once their sessions expired,
the server holds none of their files and its resident memory is back within
:data:`RSS_BOUND_MIB` of what it was after a first upload. A memory bound, so marked ``perf``
and skipped unless asked for.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from _uploads import held_bytes, wait_for

from benchmarks.uploads import UploadSession, heavy_points, rss_mib
from spatial.testing.appserver import run_app

pytestmark = pytest.mark.perf

CYCLES = 20
TTL_S = 2
RSS_BOUND_MIB = 100


@pytest.fixture(autouse=True)
def _only_when_asked(request: pytest.FixtureRequest) -> None:
    if "perf" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("a memory bound: run with -m perf")


async def _user(url: str, data: bytes, i: int) -> None:
    s = UploadSession(url)
    await s.connect()
    try:
        await s.land("")
        await s.open_box()
        await s.upload(data, f"layer{i}.geojson")
        for _ in range(4):
            s.put(f"/_stcore/upload_file/{s.session_id}/{uuid.uuid4()}", data, "x.geojson")
        _, url_path = await s.upload_url("again.geojson")
        s.put(url_path, data, "again.geojson")
    finally:
        await s.close()


def test_memory_returns_after_twenty_upload_and_close_cycles() -> None:
    data = heavy_points()
    args = ("--server.disconnectedSessionTTL", str(TTL_S))
    with run_app(args=args, env={"GZMAP_SESSION_SWEEP_S": "2"}) as app:
        asyncio.run(_user(app.url, data, -1))
        assert wait_for(lambda: held_bytes(app.url) == 0)
        baseline = rss_mib(app.pid)
        for i in range(CYCLES):
            asyncio.run(_user(app.url, data, i))
        peak = rss_mib(app.pid)
        assert wait_for(lambda: held_bytes(app.url) == 0), held_bytes(app.url)
        time.sleep(TTL_S + 2)  # one more sweep and its collection after the store emptied
        after = rss_mib(app.pid)
    print(f"RSS {baseline:.0f} MiB after one upload, {peak:.0f} after {CYCLES} users, "
          f"{after:.0f} once their sessions expired")
    assert after - baseline <= RSS_BOUND_MIB
