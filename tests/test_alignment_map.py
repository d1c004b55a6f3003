"""Web maps of the 规划衔接 and 这里规划了什么 pages: every place drawn in its status colour,
clickable by the id in its tooltip, names escaped."""

from __future__ import annotations

from spatial.geo.base import load_districts
from spatial.query.alignment import STATUS_COLORS, align, status_frame
from spatial.query.here import what_is_here
from spatial.webmap.pages import HERE_COLORS, alignment_map, here_map


def test_every_place_is_drawn_clickable_in_its_status_colour(layers) -> None:
    result = align(layers, "白云区")
    html = alignment_map(layers, result, districts=load_districts()).get_root().render()
    for place in result.places:
        assert f"⟦{place.id}⟧" in html  # the id a click is recognised by
    for status in {p.status for p in result.places}:
        assert STATUS_COLORS[status] in html


def test_names_are_escaped(layers) -> None:
    frame = layers.copy()
    frame.loc["baiyunhu-digital-city", "name"] = "<img src=x onerror=alert(1)>"
    result = align(frame, "白云区")
    html = alignment_map(frame, result).get_root().render()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_status_frame_is_what_the_map_draws(layers) -> None:
    result = align(layers, "天河区")
    assert set(status_frame(layers, result).index) == {p.id for p in result.places}


def test_here_map_marks_covering_and_nearby(layers) -> None:
    result = what_is_here(layers, 113.382, 23.082, radius_m=2000)
    html = here_map(layers, result).get_root().render()
    assert HERE_COLORS["covering"] in html and HERE_COLORS["nearby"] in html
    for el in result.covering + result.nearby:
        assert f"⟦{el.id}⟧" in html
    assert "L.circle(" in html  # the radius
