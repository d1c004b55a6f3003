"""A light client that speaks Streamlit's own protocol, to load the server and not a browser.

A browser session is, for the server, one websocket on ``/_stcore/stream`` carrying protobuf
messages: the client sends ``BackMsg.rerun_script`` (the URL's query string, the widgets'
values), the server answers with ``ForwardMsg``s (``new_session``, one ``delta`` per element,
``script_finished``). :class:`Session` opens such a websocket, runs the script as a browser
would on landing and after a filter change, and times the message that carries the map (the
project's map component, ``gzplan.map``). It renders nothing, so the figures are the server's
alone.

Like a browser, a session first fetches the page (``GET /``): a load balancer that keeps a
session on one replica by cookie sets that cookie there, and the websocket sends it back. Given
the list of the page's other files (``assets``, as a real Chromium session fetched them:
Streamlit's scripts, Leaflet, the map client and its data files), it fetches those too, as a
browser with an empty cache does, so a server that serves them itself pays for them. Like a
browser it keeps the messages it may be sent again as references (``cached_message_hashes``),
and it counts the bytes each run brings.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: The component whose message is "the map".
MAP_COMPONENT = "gzplan.map"
#: No Streamlit message is bigger than this (``server.maxMessageSize`` defaults to 200 MB).
MAX_FRAME = 256 * 1024 * 1024


class ProtocolError(RuntimeError):
    """The server answered something a browser would show as an error."""


@dataclass
class Run:
    """What the client saw during one script run."""

    seconds_to_map: float | None = None
    seconds: float | None = None  # until ``script_finished``
    map_digest: str | None = None  # sha1 of the map component's message
    query_string: str | None = None  # the URL the app set (``page_info_changed``)
    exceptions: list[str] = field(default_factory=list)
    received: int = 0  # bytes of the websocket messages of the run
    deflated: int = 0  # the same, each deflated alone (permessage-deflate, no context kept)
    map_bytes: int = 0  # of which the map's message


@dataclass
class Widget:
    """A widget as the last run drew it."""

    id: str
    options: list[str]


def _cookie_header(base_url: str, timeout: float, assets: tuple[str, ...] = ()) -> str:
    """Fetch the page (and its ``assets``, paths on the same server) like a browser with an
    empty cache; return the cookies it set, as a ``Cookie`` header."""
    with urllib.request.urlopen(base_url + "/", timeout=timeout) as resp:
        resp.read()
        jar = SimpleCookie()
        for value in resp.headers.get_all("Set-Cookie") or []:
            jar.load(value)
    cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
    for path in assets:
        request = urllib.request.Request(base_url + path, headers={
            "Accept-Encoding": "gzip", **({"Cookie": cookie} if cookie else {})})
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            resp.read()
    return cookie


class Session:
    """One simulated user: a websocket to the app, and the widgets the app last drew.

    Parameters
    ----------
    base_url : str
        ``http://host:port`` of the app or of the proxy in front of it.
    timeout : float
        Seconds allowed for connecting and for each script run.
    """

    def __init__(self, base_url: str, timeout: float = 60.0, assets: tuple[str, ...] = ()) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.assets = assets
        self.cached: set[str] = set()  # hashes of messages a browser would keep
        self._maps: dict[str, str] = {}  # hash of a map message -> its digest
        self.widgets: dict[str, Widget] = {}  # user key -> widget
        self._ws: websockets.ClientConnection | None = None
        self.cookie = ""
        self.query_string = ""  # the page's URL query now, as a browser's address bar has it

    async def connect(self) -> None:
        """Fetch the page (cookies) and open the websocket."""
        self.cookie = await asyncio.to_thread(_cookie_header, self.base_url, self.timeout,
                                              self.assets)
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self._ws = await asyncio.wait_for(
            websockets.connect(
                f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
                subprotocols=["streamlit"],
                additional_headers=headers,
                max_size=MAX_FRAME,
                compression=None,
                open_timeout=self.timeout,
            ),
            self.timeout,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def land(self, query_string: str = "") -> Run:
        """The first run of a session opened at ``?<query_string>``."""
        return await self._run(query_string, {})

    async def pick(self, key: str, values: list[str]) -> Run:
        """Set the multiselect ``key`` to ``values`` (its displayed labels) and rerun.

        Like a browser, the rerun carries the page's current URL (the one the app last set).
        """
        widget = self.widgets.get(key)
        if widget is None:
            raise ProtocolError(f"no widget {key!r} on the page")
        return await self._run(self.query_string, {widget.id: list(values)})

    async def click(self, key: str) -> Run:
        """Press the button ``key`` (a trigger: true for this run only) and rerun."""
        widget = self.widgets.get(key)
        if widget is None:
            raise ProtocolError(f"no widget {key!r} on the page")
        return await self._run(self.query_string, {}, triggers=[widget.id])

    async def _run(self, query_string: str, arrays: dict[str, list[str]],
                   triggers: list[str] = ()) -> Run:
        if self._ws is None:
            raise ProtocolError("not connected")
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_script_hash = ""
        for wid, values in arrays.items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = wid
            state.string_array_value.data.extend(values)
        for wid in triggers:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = wid
            state.trigger_value = True
        msg.rerun_script.cached_message_hashes.extend(sorted(self.cached))
        self.query_string = query_string
        run = Run()
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            async with asyncio.timeout(self.timeout):
                while run.seconds is None:
                    data = await self._ws.recv()
                    run.received += len(data)
                    run.deflated += len(zlib.compress(data, 6)) - 6  # raw deflate
                    self._read(data, run, start)
        except TimeoutError:
            raise ProtocolError(f"no end of the script run after {self.timeout:g} s") from None
        if run.exceptions:
            raise ProtocolError("the app failed: " + run.exceptions[0])
        return run

    def _read(self, data: bytes, run: Run, start: float) -> None:
        fmsg = ForwardMsg()
        fmsg.ParseFromString(data)
        if fmsg.metadata.cacheable:
            self.cached.add(fmsg.hash)
        kind = fmsg.WhichOneof("type")
        if kind == "script_finished":
            run.seconds = time.perf_counter() - start
        elif kind == "page_info_changed":
            run.query_string = self.query_string = fmsg.page_info_changed.query_string
        elif kind == "delta" and fmsg.delta.WhichOneof("type") == "new_element":
            element = fmsg.delta.new_element
            self._element(element, run, start, len(data))
            if element.WhichOneof("type") == "bidi_component" and fmsg.hash:
                self._maps[fmsg.hash] = run.map_digest or ""
        elif kind == "ref_hash" and fmsg.ref_hash in self._maps:  # the same map again
            run.seconds_to_map = time.perf_counter() - start
            run.map_digest = self._maps[fmsg.ref_hash]

    def _element(self, element, run: Run, start: float, size: int) -> None:
        kind = element.WhichOneof("type")
        if kind == "bidi_component" and element.bidi_component.component_name == MAP_COMPONENT:
            run.seconds_to_map = time.perf_counter() - start
            run.map_digest = hashlib.sha1(element.bidi_component.bytes).hexdigest()
            run.map_bytes = size
        elif kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind in ("multiselect", "selectbox", "text_input", "radio", "button"):
            widget = getattr(element, kind)
            key = widget.id.split("-", 2)[-1] if widget.id.startswith("$$ID-") else widget.id
            self.widgets[key] = Widget(widget.id, list(getattr(widget, "options", [])))
