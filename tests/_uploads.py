"""Shared by the upload tests: layers built in memory, and the server's upload store watched."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import numpy as np

from spatial.uploads.reader import MAX_VERTICES_TOTAL

#: How long a test waits for the server to free what a closed session held.
WAIT_S = 60


def collection(features: list[dict]) -> bytes:
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def points(n: int, seed: int = 1, decimals: int = 4) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    xy = np.column_stack([rng.uniform(113.2, 113.5, n), rng.uniform(23.0, 23.2, n)])
    return np.round(xy, decimals).tolist()


def heavy_lines(n_lines: int = 10_000, seed: int = 1) -> bytes:
    """As many vertices as allowed, in ``n_lines`` named lines, at 6 decimals (a 3.3 MB file)."""
    per = MAX_VERTICES_TOTAL // n_lines
    pts = points(MAX_VERTICES_TOTAL, seed=seed, decimals=6)
    return collection([
        {"type": "Feature", "properties": {"name": f"线{i:05d}", "kind": "heavy"},
         "geometry": {"type": "LineString", "coordinates": pts[i * per:(i + 1) * per]}}
        for i in range(n_lines)
    ])


def held_bytes(url: str) -> int:
    """Bytes in the server's upload store (0 when it holds nothing)."""
    with urllib.request.urlopen(url + "/_stcore/metrics", timeout=30) as resp:
        text = resp.read().decode()
    found = re.search(r'cache_type="UploadedFileManager"[^}]*} (\d+)', text)
    return int(found.group(1)) if found else 0


def wait_for(check, timeout_s: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()
