"""Uploads through the real server: a protocol client that uploads as a browser does, and the
figures of issue-sized uploads (``python -m benchmarks.uploads``).

A browser uploads in four steps: it asks over the websocket for an upload URL
(``BackMsg.file_urls_request``), the server answers with a file id and URL
(``file_urls_response``), the browser ``PUT``s the file there (multipart, with the XSRF cookie
and header), then reruns the script with the uploader's value naming that file id.
:class:`UploadSession` does the same (the app's 我的图层 box opened first, as a click would),
so a test can drive the server's real upload store and session lifetime without a browser.

Figures printed (nothing asserted): the answer time and map payload of the 1.5 MB MultiPoint,
ten heavy valid uploads at once, and the server's RSS after 20 upload-and-close cycles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.stclient import ProtocolError, Session

OWN_BOX = "我的图层"


class UploadSession(Session):
    """A :class:`~benchmarks.stclient.Session` that can open the 我的图层 box and upload."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        super().__init__(base_url, timeout)
        self.session_id = ""
        self.box_id = ""
        self.uploader_id = ""
        self.texts: list[str] = []  # alert texts of the last run
        self.xsrf = ""

    async def connect(self) -> None:
        """Open the page and its websocket, and take the XSRF cookie (set by the health check
        the browser's page makes) for the uploads."""
        await super().connect()
        self.xsrf = await asyncio.to_thread(self._xsrf_cookie)

    def _xsrf_cookie(self) -> str:
        with urllib.request.urlopen(self.base_url + "/_stcore/health", timeout=self.timeout) as r:
            jar = SimpleCookie()
            for value in r.headers.get_all("Set-Cookie") or []:
                jar.load(value)
        return jar["_streamlit_xsrf"].value if "_streamlit_xsrf" in jar else ""

    def _read(self, data: bytes, run, start: float) -> None:
        fmsg = ForwardMsg()
        fmsg.ParseFromString(data)
        kind = fmsg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = fmsg.new_session.initialize.session_id
        elif kind == "delta" and fmsg.delta.WhichOneof("type") == "add_block":
            block = fmsg.delta.add_block
            if block.WhichOneof("type") == "expandable" and OWN_BOX in block.expandable.label:
                self.box_id = block.expandable.id
        elif kind == "delta" and fmsg.delta.WhichOneof("type") == "new_element":
            element = fmsg.delta.new_element
            if element.WhichOneof("type") == "file_uploader":
                self.uploader_id = element.file_uploader.id
            elif element.WhichOneof("type") == "alert":
                self.texts.append(element.alert.body)
        super()._read(data, run, start)

    async def rerun(self, states: list) -> None:
        """Rerun the script with these widget states (``WidgetState`` messages)."""
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = ""
        msg.rerun_script.widget_states.widgets.extend(states)
        self.texts = []
        await self._ws.send(msg.SerializeToString())
        async with asyncio.timeout(self.timeout):
            while True:
                fmsg = ForwardMsg()
                data = await self._ws.recv()
                fmsg.ParseFromString(data)
                self._read(data, _Sink(), 0.0)
                if fmsg.WhichOneof("type") == "script_finished":
                    return

    def _box_state(self):
        state = BackMsg().rerun_script.widget_states.widgets.add()
        state.id = self.box_id
        state.bool_value = True
        return state

    async def open_box(self) -> None:
        if not self.box_id:
            raise ProtocolError("no 我的图层 box on the page")
        await self.rerun([self._box_state()])
        if not self.uploader_id:
            raise ProtocolError("the 我的图层 box shows no uploader")

    async def upload_url(self, name: str) -> tuple[str, str]:
        """Ask for an upload URL as the browser does; returns (file id, URL path)."""
        msg = BackMsg()
        msg.file_urls_request.request_id = uuid.uuid4().hex
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self._ws.send(msg.SerializeToString())
        async with asyncio.timeout(self.timeout):
            while True:
                fmsg = ForwardMsg()
                fmsg.ParseFromString(await self._ws.recv())
                if fmsg.WhichOneof("type") == "file_urls_response":
                    urls = fmsg.file_urls_response.file_urls[0]
                    return urls.file_id, urls.upload_url

    def put(self, url_path: str, data: bytes, name: str) -> int:
        """``PUT`` a file as the browser's uploader does; returns the HTTP status."""
        boundary = uuid.uuid4().hex
        body = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        cookies = "; ".join(c for c in (self.cookie, f"_streamlit_xsrf={self.xsrf}") if c)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
                   "Cookie": cookies, "X-Xsrftoken": self.xsrf}
        req = urllib.request.Request(self.base_url + url_path, data=body, method="PUT",
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    async def upload(self, data: bytes, name: str) -> list[str]:
        """Upload a file into the 我的图层 box; returns the alerts the app then shows."""
        file_id, url = await self.upload_url(name)
        status = await asyncio.to_thread(self.put, url, data, name)
        if status != 204:
            raise ProtocolError(f"upload answered HTTP {status}")
        state = BackMsg().rerun_script.widget_states.widgets.add()
        state.id = self.uploader_id
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = name, len(data), file_id
        info.file_urls.file_id, info.file_urls.upload_url = file_id, url
        info.file_urls.delete_url = url
        await self.rerun([self._box_state(), state])
        return list(self.texts)


class _Sink:
    """A throw-away :class:`~benchmarks.stclient.Run` for reruns read by :meth:`rerun`."""

    seconds_to_map = seconds = map_digest = query_string = None

    def __init__(self) -> None:
        self.exceptions: list[str] = []


async def upload_and_close(base_url: str, data: bytes, name: str) -> list[str]:
    """One user: open the page, open 我的图层, upload ``data``, close the tab."""
    session = UploadSession(base_url)
    await session.connect()
    try:
        await session.land("")
        await session.open_box()
        return await session.upload(data, name)
    finally:
        await session.close()


def rss_mib(pid: int) -> float:
    """Resident memory of a process (MiB)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        line = next(ln for ln in fh if ln.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def heavy_points(n: int = 20_000, name_chars: int = 40, seed: int = 0) -> bytes:
    """A valid upload near the caps: ``n`` named points (~4.9 MB)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    xy = np.round(np.column_stack([rng.uniform(113.2, 113.5, n), rng.uniform(23.0, 23.2, n)]), 5)
    feats = [
        {"type": "Feature", "properties": {"name": f"点{i:05d}" + "名" * name_chars},
         "geometry": {"type": "Point", "coordinates": [x, y]}}
        for i, (x, y) in enumerate(xy.tolist())
    ]
    return json.dumps({"type": "FeatureCollection", "features": feats},
                      ensure_ascii=False).encode()


def multipoint(n: int = 99_999, decimals: int = 3) -> bytes:
    """One feature: a MultiPoint of ``n`` points inside Guangzhou (~1.5 MB)."""
    import numpy as np

    rng = np.random.default_rng(1)
    xy = np.round(np.column_stack([rng.uniform(113.2, 113.5, n), rng.uniform(23.0, 23.2, n)]),
                  decimals)
    feat = {"type": "Feature", "properties": {"name": "多点"},
            "geometry": {"type": "MultiPoint", "coordinates": xy.tolist()}}
    return json.dumps({"type": "FeatureCollection", "features": [feat]},
                      separators=(",", ":")).encode()


def reader_figures() -> None:
    """The MultiPoint's answer and map payload; ten heavy valid uploads at once."""
    import threading

    from spatial import webmap
    from spatial.uploads.reader import read_user_layer, start_worker

    start_worker()
    data = multipoint()
    start = time.perf_counter()
    layer = read_user_layer(data, "multipoint.geojson")
    took = time.perf_counter() - start
    if layer.ok:
        geojson = len(layer.gdf[["name", "geometry"]].to_json().encode())
        html = len(webmap.base_map(user_layer=layer.gdf).get_root().render().encode())
        what = f"accepted: the map gets {geojson / 1e6:.1f} MB of GeoJSON, {html / 1e6:.1f} MB as drawn"
    else:
        what = f"refused: {layer.problems[0][:70]}…"
    print(f"MultiPoint of 99,999 points ({len(data) / 1e6:.1f} MB): answered in {took:.1f} s, {what}")
    files = [heavy_points(name_chars=10, seed=i) for i in range(10)]
    layers: list = [None] * 10
    times = [0.0] * 10

    def upload(i: int) -> None:
        t = time.perf_counter()
        layers[i] = read_user_layer(files[i], f"heavy{i}.geojson")
        times[i] = time.perf_counter() - t

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(layer.ok for layer in layers)
    print(f"ten heavy valid uploads ({len(files[0]) / 1e6:.1f} MB, 20,000 points) at once: {ok} read, "
          f"{10 - ok} refused; slowest answer {max(times):.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--root", type=Path, help="another checkout of the project to serve")
    parser.add_argument("--no-reader", action="store_true", help="server figures only")
    args = parser.parse_args(argv)
    from spatial.testing.appserver import run_app

    if not args.no_reader:
        reader_figures()

    data = heavy_points()
    ttl = 2
    with run_app(args=("--server.disconnectedSessionTTL", str(ttl)),
                 env={"GZMAP_SESSION_SWEEP_S": "2"}, root=args.root) as app:
        asyncio.run(upload_and_close(app.url, data, "warm.geojson"))
        time.sleep(ttl + 5)
        before = rss_mib(app.pid)
        for i in range(args.cycles):
            asyncio.run(upload_and_close(app.url, data, f"u{i}.geojson"))
        during = rss_mib(app.pid)
        time.sleep(ttl + 8)
        after = rss_mib(app.pid)
    print(f"server RSS: {before:.0f} MiB after one upload, {during:.0f} MiB after {args.cycles} "
          f"upload-and-close cycles of {len(data) / 1e6:.1f} MB, {after:.0f} MiB "
          f"{ttl + 8} s after the last closed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
