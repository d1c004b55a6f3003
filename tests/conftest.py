"""Fixtures shared by the tests: the curated layers, and the headless browser."""

from __future__ import annotations

import geopandas as gpd
import pytest

from spatial.plans.layers import load_layers


@pytest.fixture(scope="session")
def layers() -> gpd.GeoDataFrame:
    """All curated features (the shared cached frame: read it, never modify it)."""
    return load_layers()


@pytest.fixture(scope="session")
def by_name(layers: gpd.GeoDataFrame) -> dict[str, str]:
    """Every name and alias -> feature id."""
    index: dict[str, str] = {}
    for fid, row in layers.iterrows():
        for name in [row["name"], *row["aliases"]]:
            index[name] = fid
    return index


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium under Playwright; skips, saying what is missing, without it."""
    from _browser import chromium

    with chromium() as b:
        yield b
