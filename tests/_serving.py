"""Shared pieces of the tests that run ``deploy/run.sh``: skips, folders, a checkout's copy."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
import streamlit

from benchmarks.servers import nginx_path
from spatial._paths import ROOT

needs_nginx = pytest.mark.skipif(
    nginx_path() is None, reason="nginx is not installed (make sysdeps installs it)"
)
#: Streamlit's front end as installed (index.html, static/js/...).
STREAMLIT_STATIC = Path(streamlit.__file__).parent / "static"
needs_root = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="needs root: nginx's workers then run as another user (nobody), as under CI",
)


@contextlib.contextmanager
def open_dir() -> Iterator[Path]:
    """A temporary folder every user may enter (nginx's workers read deploy/run.sh's run
    folder; pytest's own temporary folders are closed to other users)."""
    with tempfile.TemporaryDirectory(prefix="gzmap-test-") as tmp:
        os.chmod(tmp, 0o755)
        yield Path(tmp)


def closed_folder(parent: Path) -> Path:
    """A folder only its owner may enter (what ``mktemp -d`` makes, or a home directory)."""
    folder = parent / "home"
    folder.mkdir()
    os.chmod(folder, 0o700)
    return folder


def copy_checkout(dest: Path) -> Path:
    """The project's files as this checkout has them (git's list, with uncommitted ones)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case) and body of a GET, whatever the status (0: no
    answer)."""
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=15) as resp:
            return resp.status, resp.headers, resp.read()
    except HTTPError as exc:
        return exc.code, exc.headers, exc.read()
    except OSError as exc:  # refused, reset, timed out
        return 0, Message(), str(exc).encode()
