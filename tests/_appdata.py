"""Test layers for the app: a small slice of the plans built from ``tests/data/app_src``.

The project's real layers grow while the plans are being mapped; the app's tests run against
this fixed slice instead, built with the real builder (so every excerpt is verbatim and every
section path is the builder's). ``GZMAP_LAYERS_DIR`` points the app at it.
"""

from __future__ import annotations

from pathlib import Path

from spatial.plans.build import build_layers

SRC_DIR = Path(__file__).parent / "data" / "app_src"

#: The fixture's axis walk, pole to pole.
AXIS_WALK = ["zhishicheng", "kexuecheng", "shengwudao", "pazhou", "nansha-kexuecheng"]
HUANGPU_WALK = ["zhishicheng", "kexuecheng", "shengwudao"]
AUTO_CLUSTER_PARKS = {"花都高新技术产业开发区", "花都国际先进装备制造产业园"}


def build_fixture_layers(out_dir: Path) -> Path:
    """Build the fixture layers into ``out_dir`` and return it.

    Raises
    ------
    AssertionError
        With the builder's report when the fixture sources don't build.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    result = build_layers(SRC_DIR, out_dir)
    assert not result.problems, "\n".join(result.report_lines())
    return out_dir
