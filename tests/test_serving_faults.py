"""Faults under ``deploy/run.sh``: one replica killed, the service goes on.

nginx + 2 replicas on loopback; sessions are the protocol-level client of the load test (a
websocket speaking Streamlit's messages, after fetching the page as a browser does). Which
replica a session lives on is read from nginx's access log (``replica=`` and ``route=``, the
browser's routing cookie). Needs nginx; skips, saying so, without it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs

import pytest
from _serving import fetch, listening, needs_nginx, open_dir, replica_of, serve_proxied

from benchmarks.servers import Server
from benchmarks.stclient import Session

#: The issue's bound for a killed replica to answer again.
BACK_WITHIN_S = 30


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    with open_dir() as folder:
        yield folder


async def pick(session: Session, i: int) -> str:
    """Pick an industry (the i-th option) and rerun; the tag the app put in the URL."""
    label = session.widgets["industries"].options[i]
    tag = label.lstrip("\u3000└├ ").split(" ")[0]
    run = await session.pick("industries", [label])
    assert parse_qs(run.query_string or "").get("industries") == [tag]  # the app set the URL
    return tag


async def reopen(server: Server, cookie: str) -> Session:
    """A new page in the browser that holds ``cookie`` (same routing as before)."""
    session = Session(server.url, timeout=90)
    with mock.patch("benchmarks.stclient._cookie_header", return_value=cookie):
        await session.connect()
    await session.land("")
    return session


@needs_nginx
def test_a_killed_replica_is_restarted_and_the_other_keeps_serving(open_tmp) -> None:
    with serve_proxied(2, open_tmp / "run") as server:
        asyncio.run(_kill_one(server))


async def _kill_one(server: Server) -> None:
    # Open pages until both replicas hold one (each browser is routed by a random cookie).
    on: dict[str, Session] = {}
    opened: list[Session] = []
    try:
        for _ in range(16):
            session = Session(server.url, timeout=90)
            await session.connect()
            await session.land("")
            opened.append(session)
            on.setdefault(await asyncio.to_thread(replica_of, server, session.cookie), session)
            if len(on) == 2:
                break
        assert len(on) == 2, "16 pages all landed on one replica"
        (victim, doomed), (_survivor, kept) = sorted(on.items())
        pid = listening(int(victim.rsplit(":", 1)[1]))

        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()

        # The proxy keeps answering: the page, and for the dead replica's browsers a new
        # session on the other one.
        status, _, page = fetch(server.url + "/")
        assert status == 200 and b"<html" in page
        moved = await reopen(server, doomed.cookie)
        await pick(moved, 1)
        await moved.close()
        # The page on the other replica never notices: its websocket still answers.
        await pick(kept, 2)

        # The killed replica is started again, and answers.
        while True:
            status, _, body = fetch(f"http://{victim}/_stcore/health")
            if status == 200 and body == b"ok":
                break
            assert time.monotonic() - killed_at < BACK_WITHIN_S, (
                f"the killed replica was not back within {BACK_WITHIN_S} s"
            )
            await asyncio.sleep(0.5)
        assert listening(int(victim.rsplit(":", 1)[1])) != pid
        assert server.proc.poll() is None  # deploy/run.sh still runs

        # Both serve: a page pinned to the restarted replica lands, and the kept page still
        # works.
        back = await reopen(server, doomed.cookie)
        await pick(back, 3)
        await back.close()
        await pick(kept, 4)
    finally:
        await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)
