"""The server's upload storage is bounded (the real server, through its own upload protocol).

Streamlit's upload endpoint stored any file ``PUT`` for a live session, under any file id, as
many as were sent, and kept a closed session's files after dropping the session. Now
(:mod:`app.streamlit_sessions`): an id the server did not issue is refused, a session keeps its
newest file only, and a closed session's files go when it expires. The server's own metric of
what its upload store holds (``/_stcore/metrics``) tells.
"""

from __future__ import annotations

import asyncio
import http.client
import uuid

import pytest
from _uploads import held_bytes, wait_for

from benchmarks.uploads import UploadSession, heavy_points
from spatial.testing.appserver import run_app

TTL_S = 1


def announce_put(base_url: str, path: str, size: int, s: UploadSession) -> int:
    """The status a ``PUT`` of ``size`` bytes gets from its headers alone (the body unsent)."""
    host = base_url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=30)
    try:
        conn.putrequest("PUT", path)
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(size))
        conn.putheader("Cookie", f"_streamlit_xsrf={s.xsrf}")
        conn.putheader("X-Xsrftoken", s.xsrf)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture(scope="module")
def app():
    args = ("--server.disconnectedSessionTTL", str(TTL_S))
    with run_app(args=args, env={"GZMAP_SESSION_SWEEP_S": "1"}) as running:
        yield running


def test_upload_storage_keeps_issued_ids_one_file_per_session_and_frees_closed_ones(app) -> None:
    data = heavy_points(n=2_000)

    async def session_of_a_hostile_client() -> tuple[list[int], int, list[str]]:
        s = UploadSession(app.url)
        await s.connect()
        try:
            await s.land("")
            await s.open_box()
            texts = await s.upload(data, "mine.geojson")
            codes = [
                s.put(f"/_stcore/upload_file/{s.session_id}/{uuid.uuid4()}", data, "x.geojson")
                for _ in range(3)
            ]
            _, url = await s.upload_url("second.geojson")
            codes.append(s.put(url, data, "second.geojson"))
            return codes, held_bytes(app.url), texts
        finally:
            await s.close()

    codes, held_open, texts = asyncio.run(session_of_a_hostile_client())
    assert any("已叠加 2000 个要素" in t for t in texts), texts
    assert codes == [400, 400, 400, 204]  # ids never issued refused; an issued one stored
    assert held_open == len(data)  # the newest file only, not both
    assert wait_for(lambda: held_bytes(app.url) == 0), held_bytes(app.url)  # freed once closed


def test_transport_cap_sits_just_above_the_apps_limit(app) -> None:
    big = heavy_points(name_chars=50)  # 5.5 MB: over the app's 5 MiB, under the 6 MiB transport cap

    async def upload_both() -> tuple[list[str], int]:
        s = UploadSession(app.url)
        await s.connect()
        try:
            await s.land("")
            await s.open_box()
            texts = await s.upload(big, "big.geojson")
            _, url = await s.upload_url("huge.geojson")
            return texts, announce_put(app.url, url, 7 * 1024 * 1024, s)
        finally:
            await s.close()

    texts, status = asyncio.run(upload_both())
    assert 5 * 1024 * 1024 < len(big) < 6 * 1024 * 1024
    assert any("文件过大（上限 5 MiB）" in t and "over the 5 MiB limit" in t for t in texts), texts
    assert status == 413  # a 7 MiB file is refused by the server before it is stored
