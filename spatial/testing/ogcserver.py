"""Start the OGC API – Features server (``deploy/ogc.sh``) on a free loopback port.

The same script ``make ogc`` and ``make serve`` run: ``gzmap ogc-config`` into a folder, then
pygeoapi under gunicorn. :func:`run_ogc` yields once the server answers ``/conformance`` and
stops it (terminate, then kill) however the caller leaves the ``with`` block.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spatial._paths import ROOT
from spatial.testing.appserver import HOST, AppNotStarted, free_port

SCRIPT = ROOT / "deploy" / "ogc.sh"


@dataclass(frozen=True)
class RunningOgc:
    """A started server: its base URL, its configuration folder and gunicorn's process id."""

    url: str
    folder: Path
    pid: int


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/conformance?f=json", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def run_ogc(folder: Path, *, log: Path | None = None, startup_s: float = 90.0) -> Iterator[RunningOgc]:
    """Run ``deploy/ogc.sh`` with its configuration in ``folder`` until the block ends.

    Raises
    ------
    AppNotStarted
        The server exited, or did not answer within ``startup_s`` seconds; the message holds
        its output from ``log``.
    """
    port = free_port()
    url = f"http://{HOST}:{port}"
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        GZMAP_OGC_DIR=str(folder),
        GZMAP_OGC_PORT=str(port),
        GZMAP_OGC_HOST=HOST,
        GZMAP_OGC_URL=url,
    )
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(["bash", str(SCRIPT)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + startup_s
            while not _answers(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    said = log.read_text(errors="replace") if log else ""
                    raise AppNotStarted(f"the OGC server did not start ({proc.poll()}):\n{said}")
                time.sleep(0.3)
            yield RunningOgc(url=url, folder=Path(folder), pid=proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
