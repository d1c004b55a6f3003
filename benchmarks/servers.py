"""The app as a server for the load test: one Streamlit process, or nginx + N replicas.

Both are started with the project's own commands (``streamlit run asgi.py`` and
``deploy/run.sh``), bound to loopback on free ports, in their own process group, and are
stopped with it whatever happens. :class:`Server` also reads the CPU time and resident memory
of the Streamlit processes (not nginx's) with psutil.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from spatial._paths import ROOT
from spatial.testing.appserver import HOST, entry, free_port, streamlit_command, wait_healthy

#: Streamlit's own defaults for what ``.streamlit/config.toml`` sets for production: the
#: settings ``make app`` ran with before (source watcher, script magic, a full garbage
#: collection after every run, full error details).
#: Environment variables override the config file.
BASELINE_ENV = {
    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto",
    "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
    "STREAMLIT_RUNNER_MAGIC_ENABLED": "true",
    "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true",
    "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full",
    "STREAMLIT_LOGGER_LEVEL": "info",
    "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "120",
}
PROFILES = {"baseline": BASELINE_ENV, "production": {}}


def nginx_path() -> str | None:
    """nginx's executable, or None when it is not installed."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )


def free_ports(n: int) -> list[int]:
    """``n`` consecutive free TCP ports on loopback (the replicas take consecutive ports)."""
    for _ in range(50):
        first = free_port()
        if first + n >= 65535:
            continue
        ok = True
        for port in range(first, first + n):
            with socket.socket() as s:
                try:
                    s.bind((HOST, port))
                except OSError:
                    ok = False
                    break
        if ok:
            return list(range(first, first + n))
    raise RuntimeError("no free ports on loopback")


@dataclass
class Usage:
    """CPU seconds and resident bytes of the app's processes at one moment."""

    cpu: float
    rss: int  # all Streamlit processes together
    rss_each: list[int]


class Server:
    """A running app: ``url`` to connect to, the processes to measure."""

    def __init__(
        self,
        proc: subprocess.Popen,
        url: str,
        replica_urls: list[str],
        run_dir: Path | None = None,
    ) -> None:
        self.proc = proc
        self.url = url
        self.replica_urls = replica_urls  # each Streamlit process, bypassing any proxy
        self.run_dir = run_dir  # deploy/run.sh's folder (nginx.conf, logs), behind a proxy

    def _processes(self) -> list[psutil.Process]:
        """The Streamlit processes with their children (not nginx, nor the other Python
        processes ``deploy/run.sh`` starts: the OGC API's server and ``deploy/serving.py``'s
        copies and compression of the files nginx serves, whose work falls at moments of its
        own)."""
        try:
            top = psutil.Process(self.proc.pid)
            family = [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        app = []
        for p in family:
            with contextlib.suppress(psutil.Error):
                name = p.name()
                cmdline = " ".join(p.cmdline())  # serving.py names Streamlit's static folder
                if name != "nginx" and "streamlit" in cmdline and "serving.py" not in cmdline:
                    app.append(p)
        for p in list(app):  # their own children (the upload parser's process)
            with contextlib.suppress(psutil.Error):
                app += [c for c in p.children(recursive=True) if c not in app]
        return app

    def usage(self) -> Usage:
        cpu, each = 0.0, []
        for p in self._processes():
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                cpu += t.user + t.system
                if "streamlit" in " ".join(p.cmdline()):
                    each.append(p.memory_info().rss)
        return Usage(cpu, sum(each), each)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def serve(
    replicas: int = 1,
    proxy: bool = False,
    profile: str = "production",
    env: dict[str, str] | None = None,
    start_timeout: float = 150.0,
    run_dir: Path | None = None,
    root: Path | None = None,
    app: Path | None = None,
) -> Iterator[Server]:
    """Start the app (one process, or ``deploy/run.sh`` with nginx and ``replicas``).

    Parameters
    ----------
    replicas : int
        Streamlit processes behind the proxy (``proxy=True`` only).
    proxy : bool
        Start nginx + replicas with ``deploy/run.sh`` instead of one bare process.
    profile : str
        ``"production"`` (the repository's config) or ``"baseline"`` (Streamlit's defaults
        for what it changes, :data:`BASELINE_ENV`).
    env : dict
        More environment for the server(s), e.g. ``STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL``.
        Behind the proxy, ``GZMAP_OGC_PORT`` is a free port unless given here.
    run_dir : Path
        Where ``deploy/run.sh`` keeps nginx's config, logs and the files nginx serves (default:
        a temporary folder); nginx's worker processes must be able to enter it.
    root : Path
        The checkout to run (default: this one), with this interpreter.
    app : Path
        Another Streamlit script to serve (one process), e.g. the browser rows' hello page.
    """
    root = root or ROOT
    full_env = {**os.environ, **PROFILES[profile], **(env or {})}
    full_env.pop("STREAMLIT_SERVER_PORT", None)
    full_env.pop("GZMAP_LISTEN", None)  # loopback only
    # The load test opens up to 200 pages from one address; nginx allows 50 by default.
    full_env.setdefault("GZMAP_PAGES_PER_CLIENT", "250")
    with tempfile.TemporaryDirectory(prefix="gzmap-load-") as tmp:
        os.chmod(tmp, 0o755)  # the run folder below it is read by nginx's workers (user nobody)
        log = Path(tmp) / "server.log"
        run_dir = run_dir or Path(tmp) / "run"
        if proxy:
            if nginx_path() is None:
                raise RuntimeError("nginx is not installed (make sysdeps)")
            port, *rest = free_ports(replicas + 1)
            # the OGC API's server too: its default port (8701) may be another checkout's
            full_env.setdefault("GZMAP_OGC_PORT", str(free_port()))
            full_env.update(
                PYTHON=sys.executable,
                GZMAP_REPLICAS=str(replicas),
                GZMAP_PORT=str(port),  # on 127.0.0.1, deploy/run.sh's default
                GZMAP_REPLICA_PORT=str(rest[0]),
                GZMAP_RUN_DIR=str(run_dir),
            )
            cmd = ["bash", str(root / "deploy" / "run.sh")]
            replica_urls = [f"http://{HOST}:{p}" for p in rest]
        else:
            port = free_port()
            cmd = streamlit_command(port, script=str(app) if app is not None else entry(root))
            replica_urls = [f"http://{HOST}:{port}"]
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=root, env=full_env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        server = Server(proc, f"http://{HOST}:{port}", replica_urls, run_dir if proxy else None)
        try:
            wait_healthy(server.url, proc, start_timeout, log)
            yield server
        finally:
            _stop(proc)
