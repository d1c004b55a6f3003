"""Where the project's files live. Everything is relative to the repository root."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("GZMAP_ROOT", Path(__file__).resolve().parent.parent))
SEEDS_DIR = ROOT / "seeds"
MANIFEST_PATH = SEEDS_DIR / "manifest.json"
LAYERS_DIR = ROOT / "layers"
LAYER_SOURCES_DIR = LAYERS_DIR / "src"
DATA_DIR = ROOT / "data"
DATA_GEO_DIR = DATA_DIR / "geo"
OSM_CACHE_DIR = DATA_GEO_DIR / "osm"
DISTRICTS_PATH = DATA_GEO_DIR / "districts.geojson"
CITY_OUTLINE_PATH = DATA_GEO_DIR / "guangzhou.geojson"
INDUSTRIES_PATH = DATA_DIR / "industries.yaml"


def rel_path(path: Path) -> str:
    """``path`` relative to the repository root when it lies inside it (for messages)."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
