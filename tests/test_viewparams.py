"""The page and its choices in the URL: round trip, hostile values dropped with a note."""

from __future__ import annotations

from app.viewparams import ViewParams, target_options
from spatial.query.here import DEFAULT_RADIUS_M


def test_round_trip() -> None:
    for params in (
        ViewParams(view="alignment", target="huadu_mfg"),
        ViewParams(view="here", at=(113.382, 23.082), gcj02=True, radius_m=3000),
        ViewParams(),
    ):
        back, notes = ViewParams.from_query(params.to_query())
        assert back == params and notes == []


def test_map_page_adds_nothing_to_the_url() -> None:
    assert ViewParams(view="map", target="天河区").to_query() == {}


def test_targets_are_districts_then_their_plans() -> None:
    assert target_options()[:3] == ["花都区", "huadu_sti", "huadu_mfg"]


def test_hostile_values_are_dropped_with_notes() -> None:
    params, notes = ViewParams.from_query(
        {
            "view": "<img src=x>",
            "district": "海珠区",
            "at": "javascript:1",
            "radius": "1e12",
        }
    )
    assert params == ViewParams()
    assert len(notes) == 4
    params, notes = ViewParams.from_query({"view": ["here"], "radius": ["nan"]})
    assert params.radius_m == DEFAULT_RADIUS_M and notes == ["radius: nan"]
