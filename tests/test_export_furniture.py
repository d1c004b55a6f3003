"""Print-map furniture read off the drawn figure, as a reader would check it with a ruler: each
scale bar's label is the ground distance between its drawn ends, the printed scale is the
page's, the north arrow points to true north, and a crowded area gets an enlarged view that
shows its names.

The map is made on purpose: twenty parks a few hundred metres apart on 生物岛 and four far
away, so the result does not follow the real layers as they grow. The map's projection is read
from the footer the map prints, the ground distances come from pyproj's geodesic.
"""

from __future__ import annotations

import re

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Polygon, Rectangle
from pyproj import Geod, Transformer

from spatial.exports import briefing
from spatial.plans.layers import frame_from_features
from spatial.plot import draw_map, map_style
from spatial.plot.furniture import fmt_km, nice_length
from spatial.query.features import Selection
from spatial.symbology import grey_level

GEOD = Geod(ellps="WGS84")
CROWD_CENTRE = (113.368, 23.0865)
ENLARGED = "放大图 Enlarged view"


def _park(fid: str, lon: float, lat: float, name: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": fid, "name": name, "role": "park", "plans": ["gz_sti"], "district": ["黄埔区"],
            "industries": ["生物医药"], "aliases": [], "excerpts": [],
            "location_source": "test", "location_precision_m": 100,
        },
    }  # fmt: skip


CROWD = [f"密集园区{i}号" for i in range(20)]


@pytest.fixture(scope="module")
def fig():
    feats = [
        _park(f"c{i}", 113.36 + (i % 5) * 0.004, 23.08 + (i // 5) * 0.003, name)
        for i, name in enumerate(CROWD)
    ]
    far = [(113.25, 23.45), (113.6, 23.3), (113.5, 22.8), (113.2, 23.1)]
    feats += [_park(f"f{j}", lon, lat, f"远处园区{j}") for j, (lon, lat) in enumerate(far)]
    frame = frame_from_features(feats, layer="test").set_index("id", drop=False)
    text = briefing._map_text(  # the briefing's words: title, source line with the projection
        Selection(), briefing.plan_layers(), frame, title="密集的园区", osm=False,
        tiles_attribution=None,
    )
    with map_style():
        figure = draw_map(frame, briefing.base_data(), text, dpi=60)
        figure.canvas.draw()
        yield figure


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _axes_with(fig, text: str) -> list:
    return [ax for ax in fig.axes if text in _texts(ax)]


def _to_lonlat(fig) -> Transformer:
    """From the map's coordinates to lon/lat, the projection named in the printed footer."""
    printed = " ".join(t for ax in fig.axes for t in _texts(ax)) + " ".join(
        t.get_text() for t in fig.texts
    )
    epsg = re.search(r"EPSG:(\d+)", printed)
    assert epsg, "the map names its projection"
    return Transformer.from_crs(f"EPSG:{epsg.group(1)}", "EPSG:4326", always_xy=True)


def _ground_m(tr: Transformer, a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon0, lon1), (lat0, lat1) = tr.transform([a[0], b[0]], [a[1], b[1]])
    return GEOD.inv(lon0, lat0, lon1, lat1)[2]


def _scale_bar(ax) -> tuple[float, float, float, float]:
    """The scale bar's drawn left and right ends (map coordinates), its baseline and height:
    the longest row of touching rectangles of one height."""
    rects = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() > 0]
    rows: dict[tuple[float, float], list[Rectangle]] = {}
    for r in rects:
        rows.setdefault((round(r.get_y(), 3), round(r.get_height(), 3)), []).append(r)
    best: list[Rectangle] = []
    for row in rows.values():
        row.sort(key=lambda r: r.get_x())
        touching = all(
            abs(a.get_x() + a.get_width() - b.get_x()) < 1e-6 * a.get_width()
            for a, b in zip(row, row[1:], strict=False)
        )
        if touching and len(row) >= 2 and len(row) > len(best):
            best = row
    assert best, "no scale bar drawn"
    left, right = best[0].get_x(), best[-1].get_x() + best[-1].get_width()
    return left, right, best[0].get_y(), best[0].get_height()


def _bar_label_km(ax, right: float, y: float, height: float) -> float:
    """The number written over the bar's right end (kilometres)."""
    width = right - _scale_bar(ax)[0]
    over_end = [
        float(t.get_text())
        for t in ax.texts
        if re.fullmatch(r"\d+(\.\d+)?", t.get_text())
        and abs(t.get_position()[0] - right) < 0.02 * width
        and y < t.get_position()[1] < y + 6 * height
    ]
    assert len(over_end) >= 1, "no distance written at the bar's end"
    return max(over_end)


def _check_scale_bar(fig, ax) -> None:
    left, right, y, height = _scale_bar(ax)
    label_km = _bar_label_km(ax, right, y, height)
    ground = _ground_m(_to_lonlat(fig), (left, y), (right, y))
    assert label_km * 1000 == pytest.approx(ground, rel=0.005), (label_km, ground)
    assert "公里 km" in _texts(ax)


def test_the_scale_bar_label_is_the_ground_length_of_the_drawn_bar(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    _check_scale_bar(fig, main)


def test_the_printed_scale_is_the_ground_across_the_map_over_its_width_on_paper(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    note = next(t for t in _texts(main) if t.startswith("比例尺 1:"))
    denominator = int(re.match(r"比例尺 1:([\d,]+)", note).group(1).replace(",", ""))
    assert "A4" in note
    (x0, x1), (y0, y1) = main.get_xlim(), main.get_ylim()
    ground = _ground_m(_to_lonlat(fig), (x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2))
    paper_m = main.get_window_extent().width / fig.dpi * 0.0254
    assert denominator == pytest.approx(ground / paper_m, rel=0.02)


def test_the_north_arrow_points_to_true_north(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    halves = [p.get_xy()[:3] for p in main.patches if isinstance(p, Polygon)]
    halves = [[tuple(v) for v in h] for h in halves if len(h) == 3]
    assert len(halves) >= 2, "the arrow's two halves"
    shared = set(halves[0]) & set(halves[1])
    assert len(shared) == 2  # the two halves meet along the arrow's spine
    label = next(t for t in main.texts if t.get_text() == "北 N").get_position()
    tip, tail = sorted(shared, key=lambda v: (v[0] - label[0]) ** 2 + (v[1] - label[1]) ** 2)
    (lon0, lon1), (lat0, lat1) = _to_lonlat(fig).transform([tail[0], tip[0]], [tail[1], tip[1]])
    bearing = GEOD.inv(lon0, lat0, lon1, lat1)[0]
    assert bearing == pytest.approx(0, abs=1.0)  # degrees from true north


def test_a_crowded_area_gets_an_enlarged_view_with_its_names(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    insets = _axes_with(fig, ENLARGED)
    assert len(insets) >= 1, "a crowded map needs an enlarged view"
    inset = insets[0]
    (mx0, mx1), (my0, my1) = main.get_xlim(), main.get_ylim()
    (ix0, ix1), (iy0, iy1) = inset.get_xlim(), inset.get_ylim()
    assert mx0 <= ix0 < ix1 <= mx1 and my0 <= iy0 < iy1 <= my1  # a part of the main map
    to_map = Transformer.from_crs("EPSG:4326", _to_lonlat(fig).source_crs, always_xy=True)
    cx, cy = to_map.transform(*CROWD_CENTRE)
    assert ix0 < cx < ix1 and iy0 < cy < iy1  # the crowd is in it
    main_m_per_px = (mx1 - mx0) / main.get_window_extent().width
    inset_m_per_px = (ix1 - ix0) / inset.get_window_extent().width
    assert main_m_per_px / inset_m_per_px >= 2  # enlarged
    named = {t for t in _texts(inset) if t in CROWD}
    assert len(named) >= len(CROWD) // 2, sorted(named)  # the crowd's names are readable there
    outlines = [
        p for p in main.patches
        if isinstance(p, Rectangle)
        and p.get_x() == pytest.approx(ix0) and p.get_width() == pytest.approx(ix1 - ix0)
    ]
    assert outlines, "the enlarged area is outlined on the main map"
    _check_scale_bar(fig, inset)  # its own scale bar, at its own scale


@pytest.mark.parametrize(
    ("target_m", "nice_m"),
    [(7300, 5000), (5000, 5000), (4999, 2500), (2600, 2500), (2100, 2000), (1999, 1000),
     (1000, 1000), (56_000, 50_000), (0.8, 0.5)],
)
def test_the_bar_is_the_longest_round_length_that_fits(target_m: float, nice_m: float) -> None:
    assert nice_length(target_m) == nice_m


@pytest.mark.parametrize(("metres", "text"), [(2500, "2.5"), (10_000, "10"), (500, "0.5"), (0, "0")])
def test_distances_are_written_in_kilometres_without_trailing_zeros(metres, text) -> None:
    assert fmt_km(metres) == text


def test_the_scale_bar_sits_in_the_lower_left_at_a_readable_size(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    left, right, y, height = _scale_bar(main)
    (x0, x1), (y0, y1) = main.get_xlim(), main.get_ylim()
    assert 0.08 <= (right - left) / (x1 - x0) <= 0.22  # a round length near a fifth of the map
    assert left - x0 < 0.1 * (x1 - x0) and y - y0 < 0.15 * (y1 - y0)  # lower left
    to_px = main.transData.transform
    height_mm = (to_px((left, y + height))[1] - to_px((left, y))[1]) / fig.dpi * 25.4
    assert 0.5 < height_mm < 3  # a bar about a millimetre high on paper


def _bar_numbers(ax) -> list[tuple[float, float, object]]:
    """The distances written over the scale bar: (km, x of the text, the text)."""
    left, right, y, height = _scale_bar(ax)
    width = right - left
    return sorted(
        (float(t.get_text()), t.get_position()[0], t)
        for t in ax.texts
        if re.fullmatch(r"\d+(\.\d+)?", t.get_text())
        and left - 0.02 * width < t.get_position()[0] < right + 0.02 * width
        and y < t.get_position()[1] < y + 6 * height
    )


@pytest.mark.parametrize("frame", ["main", "inset"])
def test_each_number_on_the_bar_is_the_ground_distance_from_its_zero(fig, frame) -> None:
    ax = _axes_with(fig, "北 N")[0] if frame == "main" else _axes_with(fig, ENLARGED)[0]
    left, right, y, height = _scale_bar(ax)
    numbers = _bar_numbers(ax)
    assert numbers[0][0] == 0 and numbers[0][1] == pytest.approx(left)
    assert numbers[-1][1] == pytest.approx(right)
    tr = _to_lonlat(fig)
    for km, x, text in numbers[1:]:
        assert km * 1000 == pytest.approx(_ground_m(tr, (left, y), (x, y)), rel=0.005)
        assert text.get_ha() == "center"  # written over its tick, not beside it
    unit = next(t for t in ax.texts if t.get_text() == "公里 km")
    assert unit.get_position()[0] > right  # the unit follows the bar's end


@pytest.mark.parametrize("frame", ["main", "inset"])
def test_the_bar_is_cut_into_equal_dark_and_light_divisions(fig, frame) -> None:
    ax = _axes_with(fig, "北 N")[0] if frame == "main" else _axes_with(fig, ENLARGED)[0]
    left, right, y, height = _scale_bar(ax)
    cells = sorted(
        (p for p in ax.patches if isinstance(p, Rectangle)
         and p.get_y() == pytest.approx(y) and p.get_height() == pytest.approx(height)
         and left - 1e-6 <= p.get_x() < right),
        key=lambda p: p.get_x(),
    )  # fmt: skip
    assert len(cells) in (4, 5)  # a length of 2, 2.5, 4 or 8 units in four, else in five
    widths = [c.get_width() for c in cells]
    assert widths == pytest.approx([widths[0]] * len(cells))
    fills = [to_hex(c.get_facecolor()) for c in cells]
    dark, light = fills[0], fills[1]
    assert grey_level(dark) < 30 < 90 < grey_level(light)
    assert fills == [dark if i % 2 == 0 else light for i in range(len(cells))]
    # the numbers sit on divisions: the ends, and the middle of a bar in four
    ticks = [left + i * widths[0] for i in range(len(cells) + 1)]
    for _km, x, _text in _bar_numbers(ax):
        assert min(abs(x - t) for t in ticks) < 1e-6 * (right - left)
    assert len(_bar_numbers(ax)) == (3 if len(cells) == 4 else 2)


def test_the_bar_and_its_words_stand_on_a_white_ground_that_labels_avoid(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    left, right, y, height = _scale_bar(main)
    grounds = [
        p for p in main.patches
        if isinstance(p, Rectangle) and p.get_x() < left and p.get_x() + p.get_width() > right
        and p.get_y() < y and p.get_y() + p.get_height() > y + height
        and to_hex(p.get_facecolor()) == "#ffffff"
    ]  # fmt: skip
    assert grounds, "no white ground under the scale bar"
    box = grounds[0].get_window_extent()
    words = [t for t in main.texts if t.get_text() == "公里 km" or t.get_text().startswith("比例尺")]
    words += [t for _km, _x, t in _bar_numbers(main)]
    for text in words:
        ext = text.get_window_extent()
        assert box.x0 <= ext.x0 and ext.x1 <= box.x1 + 1, text.get_text()
        assert box.y0 <= ext.y0 and ext.y1 <= box.y1 + 1, text.get_text()


def test_the_north_arrow_is_half_dark_half_light_under_its_letter(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    halves = [p for p in main.patches if isinstance(p, Polygon) and len(p.get_xy()) <= 4]
    fills = sorted(grey_level(to_hex(p.get_facecolor())) for p in halves[:2])
    assert fills[0] < 30 and fills[1] > 90
    label = next(t for t in main.texts if t.get_text() == "北 N")
    tops = [max(v[1] for v in p.get_xy()) for p in halves[:2]]
    assert label.get_position()[1] > max(tops)  # the letter over the tip
    (x0, x1), (y0, y1) = main.get_xlim(), main.get_ylim()
    assert label.get_position()[0] > x0 + 0.8 * (x1 - x0)  # upper right
    assert label.get_position()[1] > y0 + 0.8 * (y1 - y0)


def test_the_printed_scale_is_rounded_to_two_figures(fig) -> None:
    (main,) = _axes_with(fig, "北 N")
    note = next(t for t in _texts(main) if t.startswith("比例尺 1:"))
    digits = re.match(r"比例尺 1:([\d,]+)", note).group(1).replace(",", "")
    assert len(digits.rstrip("0")) <= 2 and len(digits) >= 4
    assert not any(t.startswith("比例尺") for t in _texts(_axes_with(fig, ENLARGED)[0]))


@pytest.mark.parametrize(
    ("size_mm", "name"),
    [((297, 210), "A4"), ((210, 297), "A4"), ((420, 297), "A3"), ((297, 420), "A3"),
     ((338.6667, 190.5), "16:9"), ((297.05, 209.95), "A4"), ((297.2, 210), "297×210 mm"),
     ((500, 300.4), "500×300 mm")],
)
def test_the_scale_note_names_the_paper_it_holds_for(size_mm, name) -> None:
    from spatial.plot.furniture import page_name
    from spatial.plot.page import Layout

    assert page_name(Layout(*size_mm, scale=1.0)) == name
