"""The print map drawing (spatial.plot): crowded maps stay readable, counts agree, each part
works on its own."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.figure import Figure

from spatial.exports import briefing
from spatial.plot import MapText, draw_map, industry_colours, map_style, prepare_base
from spatial.plot.geometry import to_map_crs
from spatial.plot.labels import Placer
from spatial.plot.style import AIRPORT, RAIL, ROAD, WATER
from spatial.query.features import Selection

NUMBER = re.compile(r"\d+")


def _label_boxes(fig: Figure) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Names and key numbers placed on the map frames (not halos, symbols' own digits, panel)."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        for t in ax.texts:
            if t.get_color() == "white" or not 8 <= t.get_zorder() < 9 or not t.get_text():
                continue
            bb = t.get_window_extent(renderer)
            boxes.append((t.get_text(), (bb.x0, bb.y0, bb.x1, bb.y1)))
    return boxes


def _overlapping(boxes: list[tuple[str, tuple[float, float, float, float]]]) -> list[tuple]:
    hits = []
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
        for b, (bx0, by0, bx1, by1) in boxes[i + 1 :]:
            if ax0 < bx1 - 0.5 and bx0 < ax1 - 0.5 and ay0 < by1 - 0.5 and by0 < ay1 - 0.5:
                hits.append((a, b))
    return hits


@pytest.mark.parametrize("size", ["a4-landscape", "16x9"])
def test_unfiltered_map_has_no_overlapping_labels_and_lists_every_number(size) -> None:
    """Everything the plans place, on one page: no name or number sits on another, and every
    number on the map is listed in the key beside it."""
    frame = briefing.selection_frame(Selection())
    assert len(frame) > 150  # the real layers: the crowded case
    with map_style():
        fig = draw_map(frame, briefing.base_data(), MapText("全部要素"), size=size, dpi=80)
        boxes = _label_boxes(fig)
        stats = fig.gzplan_stats
        panel_text = "".join(
            t.get_text() for ax in fig.axes for t in ax.texts if t.get_zorder() < 8
        )
    assert _overlapping(boxes) == []
    numbers = sorted(int(text) for text, _ in boxes if NUMBER.fullmatch(text))
    assert stats["numbered"], "the unfiltered map needs a key"
    assert numbers == list(range(1, len(stats["numbered"]) + 1))
    assert stats["key_overflow"] == 0 and stats["forced_numbers"] == 0
    listed = re.sub(r"\s+", "", panel_text)
    for name in stats["numbered"]:
        assert re.sub(r"\s+", "", name) in listed, name
    assert "未列出" not in panel_text


def test_subtitle_and_legend_count_the_same_features() -> None:
    """The subtitle counts every feature drawn; the legend says how many of those its industry
    counts cover and how the rest are drawn."""
    sel = Selection(industries=("生物医药",))
    frame = briefing.selection_frame(sel)
    text = briefing._map_text(
        sel, briefing.plan_layers(), frame, title=None, osm=False, tiles_attribution=None
    )
    n = int(re.search(r"图上要素 (\d+) 处", text.subtitle).group(1))
    assert n == len(frame)
    with map_style():
        fig = draw_map(frame, briefing.base_data(), text, dpi=60, preferred_industries=["生物医药"])
        panel = "".join(t.get_text() for ax in fig.axes for t in ax.texts)
    note = re.search(r"图上要素共 (\d+) 处，其中 (\d+) 处[^，；]*(?:，(\d+) 处)?", panel)
    assert note is not None, panel
    total, coloured, rest = int(note.group(1)), int(note.group(2)), int(note.group(3) or 0)
    assert total == n and coloured + rest == n
    legend = int(re.search(r"生物医药（(\d+)）", panel).group(1))
    assert legend == coloured  # every coloured feature of this selection wears 生物医药


def test_placer_keeps_texts_apart_even_over_symbols() -> None:
    placer = Placer((0, 0, 100, 100))
    placer.block((10, 10, 20, 20))  # a symbol
    placer.block((40, 40, 60, 50), text=True)  # a name
    assert not placer.free((15, 15, 25, 25))
    assert placer.free((15, 15, 25, 25), texts_only=True)  # a number may sit over a symbol
    assert not placer.free((50, 45, 70, 55), texts_only=True)  # never over another text
    assert not placer.free((90, 90, 110, 95))  # nor beyond the frame


# -- OSM context --------------------------------------------------------------------------------


def _rgb(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[:, :, :3]


def _pixel(fig: Figure, ax, lon: float, lat: float) -> tuple[int, int]:
    """Row and column in the figure's raster of a WGS84 point on the map axes."""
    x, y = to_map_crs().transform(lon, lat)
    px, py = ax.transData.transform((x, y))
    return int(round(fig.bbox.height - py)), int(round(px))


def _near(img: np.ndarray, rc: tuple[int, int], colour: str, radius: int = 2) -> bool:
    r, c = rc
    want = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    patch = img[r - radius : r + radius + 1, c - radius : c + radius + 1].reshape(-1, 3)
    return bool((np.abs(patch.astype(int) - want).max(axis=1) <= 12).any())


def test_cached_osm_context_is_drawn_under_the_plan_features(tmp_path) -> None:
    """The local OSM fixture, cached as `gzmap fetch-osm` caches it: water, river, main roads,
    rail and the airport appear where they are, under a plan feature placed on the river, and
    the legend names them."""
    import osmnx as ox
    from shapely.geometry import box

    from spatial.geo.base import load_city_outline, load_districts
    from spatial.geo.osm import fetch_osm, load_osm_context
    from spatial.plans.layers import frame_from_features

    small = Path(__file__).parent / "data" / "small.osm"
    fetch = lambda polygon, tags: ox.features_from_xml(small, tags=tags)  # noqa: E731
    assert fetch_osm(tmp_path, fetcher=fetch, extent=box(113.2, 22.9, 113.5, 23.5)) == 0
    base = prepare_base(load_districts(), load_city_outline(), load_osm_context(tmp_path))
    park = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [113.32, 23.113]},  # on the river
        "properties": {
            "id": "p", "name": "江心测试园", "role": "park", "plans": ["gz_sti"],
            "district": ["海珠区"], "industries": ["生物医药"], "aliases": [], "excerpts": [],
            "location_source": "test", "location_precision_m": 100,
        },
    }  # fmt: skip
    far = dict(park, geometry={"type": "Point", "coordinates": [113.30, 23.40]}, properties=dict(
        park["properties"], id="q", name="北部测试园", district=["花都区"]))  # fmt: skip
    frame = frame_from_features([park, far], layer="test").set_index("id", drop=False)
    with map_style():
        fig = draw_map(frame, base, MapText("底图"), dpi=150)
        ax = fig.axes[0]
        img = _rgb(fig)
        panel = "".join(t.get_text() for a in fig.axes for t in a.texts)
    colour = industry_colours(frame)["生物医药"]
    assert _near(img, _pixel(fig, ax, 113.32, 23.113), colour)  # the park over the water
    assert not _near(img, _pixel(fig, ax, 113.32, 23.113), WATER, radius=1)
    assert _near(img, _pixel(fig, ax, 113.305, 23.1145), WATER)  # the river's water beside it
    assert _near(img, _pixel(fig, ax, 113.4125, 23.225), ROAD)  # 京港澳高速
    assert _near(img, _pixel(fig, ax, 113.29, 23.1489), RAIL)  # 广深铁路
    assert _near(img, _pixel(fig, ax, 113.30, 23.38), AIRPORT, radius=4)  # 白云机场
    for label in ("水体", "河流", "高快速路", "铁路", "机场"):
        assert label in panel


def test_without_a_cache_the_shipped_water_and_rivers_are_drawn(tmp_path) -> None:
    """With no OSM cache (no internet), a map still shows the estuary's water and the rivers
    from the extract in data/geo/context, names them in the legend and its source in the
    source line."""
    from spatial.geo.base import load_city_outline, load_districts
    from spatial.geo.context import EXTRACT_ATTRIBUTION
    from spatial.geo.osm import context_sources, load_osm_context

    empty = tmp_path / "no-cache"
    base = prepare_base(load_districts(), load_city_outline(), load_osm_context(empty))
    sel = Selection(plans=("gz_sti",))
    frame = briefing.selection_frame(sel)
    text = briefing._map_text(
        sel, briefing.plan_layers(), frame, title=None, osm=True, tiles_attribution=None
    )
    with map_style():
        fig = draw_map(frame, base, text, dpi=100)
        ax = fig.axes[0]
        img = _rgb(fig)
        panel = "".join(t.get_text() for a in fig.axes for t in a.texts)
    assert _near(img, _pixel(fig, ax, 113.62, 22.75), WATER, radius=3)  # 狮子洋, off 南沙
    assert "水体" in panel and "河流" in panel
    assert "高快速路" not in panel  # the extract has no roads, and the legend says none
    # the source line names what the context came from (here the repository's own context)
    assert context_sources(empty) == [EXTRACT_ATTRIBUTION]
    credits = briefing.context_credits()  # of the base the exports draw
    assert credits and all(credit in text.source for credit in credits)


def test_legend_labels_are_whole_wrapped_within_the_panel() -> None:
    """Every legend entry reads in full on the page (wrapped, never cut with "…") and stays
    inside the panel, as drawn: the city plan's roles and industries, and a long file name."""
    from shapely.geometry import Point

    from spatial.plot.overlay import Overlay
    from spatial.symbology import view_symbology

    sel = Selection(plans=("gz_sti",))
    frame = briefing.selection_frame(sel)
    text = briefing._map_text(
        sel, briefing.plan_layers(), frame, title=None, osm=False, tiles_attribution=None
    )
    long_name = "广州市黄埔区知识城南起步区控制性详细规划研究范围（2021年修编稿，供征求意见）.geojson"
    mine = gpd.GeoDataFrame({"name": ["范围"]}, geometry=[Point(113.5, 23.37)], crs=4326)
    with map_style():
        fig = draw_map(frame, briefing.base_data(), text, dpi=60, overlays=[Overlay(long_name, mine)])
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        panel = next(ax for ax in fig.axes if any(t.get_text() == "图例 Legend" for t in ax.texts))
        right = panel.get_window_extent(renderer).x1
        texts = [t for t in panel.texts if t.get_text()]
        assert not [t.get_text() for t in texts if "…" in t.get_text()]
        assert all(t.get_window_extent(renderer).x1 <= right + 1 for t in texts)
        flat = re.sub(r"\s+", "", "".join(t.get_text() for t in texts))
    legend = view_symbology(frame, sel).legend
    assert len(legend.symbols) > 4 and legend.colours
    for label in [e.label for e in legend.symbols] + [e.label for e in legend.colours]:
        assert re.sub(r"\s+", "", label) in flat, label
    assert re.sub(r"\s+", "", long_name) in flat
