"""Fixtures shared by the layer tests."""

from __future__ import annotations

import geopandas as gpd
import pytest

from spatial.layers import load_layers


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
