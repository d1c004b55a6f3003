"""Start the app under ``streamlit run`` on a free loopback port (browser tests, benchmarks).

The app is started as ``make app`` starts it: ``streamlit run asgi.py`` (the page that draws
the map before Streamlit's front end, :mod:`app.preboot`); a checkout without ``asgi.py``
(an older one the benchmarks compare with) as ``streamlit run streamlit_app.py``.

One way to start and stop the app for everything that drives it from outside: the server is
bound to 127.0.0.1, answers ``/_stcore/health`` before :func:`run_app` yields, and is terminated
(then killed) however the caller leaves the ``with`` block.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from spatial._paths import ROOT

HOST = "127.0.0.1"
#: What ``make app`` serves, and the page script it serves.
ENTRY = "asgi.py"
SCRIPT = "streamlit_app.py"


class AppNotStarted(RuntimeError):
    """The app exited, or did not answer its health check in time; the message holds its log."""


@dataclass(frozen=True)
class RunningApp:
    """A started app: its base URL and the server's process id."""

    url: str
    pid: int


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def entry(root: Path | None = None) -> str:
    """What to ``streamlit run`` in ``root`` (default this checkout): :data:`ENTRY`, or the
    page script where a checkout has no ``asgi.py``."""
    return ENTRY if ((root or ROOT) / ENTRY).exists() else SCRIPT


def streamlit_command(port: int, args: Sequence[str] = (), script: str = ENTRY) -> list[str]:
    """``streamlit run asgi.py`` (or ``script``) headless on ``HOST:port``, with further
    options."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float, log: Path | None) -> None:
    """Return once ``url`` answers ``/_stcore/health``.

    Raises
    ------
    AppNotStarted
        ``proc`` exited or ``url`` stayed silent for ``timeout_s`` seconds; the message holds
        the server's output from ``log``.
    """
    deadline = time.monotonic() + timeout_s
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            said = log.read_text(errors="replace") if log else ""
            state = (
                f"exited ({proc.returncode})"
                if proc.poll() is not None
                else f"did not start within {timeout_s:g} s"
            )
            raise AppNotStarted(f"the server {state}:\n{said}")
        time.sleep(0.3)


@contextlib.contextmanager
def run_app(
    *,
    env: Mapping[str, str | None] | None = None,
    args: Sequence[str] = (),
    log: Path | None = None,
    startup_s: float = 90.0,
    root: Path | None = None,
) -> Iterator[RunningApp]:
    """Run ``streamlit run asgi.py`` from the project root until the block ends.

    Parameters
    ----------
    env
        Variables added to this process's environment; a value of None removes the variable.
    args
        Further ``streamlit run`` options, e.g. ``("--server.disconnectedSessionTTL", "3")``.
    log
        File that receives the server's output (discarded when None).
    startup_s
        How long the server may take to answer its health check.
    root
        Another checkout of the project to serve instead (its own ``app`` and ``spatial``; the
        benchmarks compare two versions this way).

    Raises
    ------
    AppNotStarted
        The server exited or stayed silent for ``startup_s`` seconds.
    """
    port = free_port()
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    cmd = streamlit_command(port, args, entry(root))
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, cwd=root or ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://{HOST}:{port}"
        try:
            wait_healthy(url, proc, startup_s, log)
            yield RunningApp(url=url, pid=proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
