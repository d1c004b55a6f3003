"""这里规划了什么 as text: the point typed by a user (``parse_lonlat``) and the plain report of
``gzmap here`` (``format_here``), on hand-made answers with every line written out."""

from __future__ import annotations

import pytest

from spatial.query.here import HereElement, HereResult, format_here, parse_lonlat


@pytest.mark.parametrize(
    ("text", "lonlat"),
    [
        ("113.366, 23.062", (113.366, 23.062)),
        ("113.366，23.062", (113.366, 23.062)),  # a full-width comma
        ("  113.366   23.062 ", (113.366, 23.062)),
        ("23.062, 113.366", (113.366, 23.062)),  # lat, lon: swapped back
        ("90, 113.366", (113.366, 90.0)),  # a latitude of 90 is still one
        ("-45, -180", (-180.0, -45.0)),
        ("45, 90", (45.0, 90.0)),  # 90 is no longitude that a latitude came before
    ],
)
def test_a_typed_point_is_read_as_lon_lat(text: str, lonlat: tuple[float, float]) -> None:
    assert parse_lonlat(text) == lonlat


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请输入经度和纬度两个数字，例如 113.366, 23.062 (lon, lat)"),
        (None, "请输入经度和纬度两个数字，例如 113.366, 23.062 (lon, lat)"),
        ("113.366", "请输入经度和纬度两个数字，例如 113.366, 23.062 (lon, lat)"),
        ("1 2 3", "请输入经度和纬度两个数字，例如 113.366, 23.062 (lon, lat)"),
        ("东经 北纬", "经纬度必须是数字，例如 113.366, 23.062 (lon, lat)"),
        ("nan, 23", "经纬度必须是有限的数字 (lon/lat must be finite numbers)"),
        ("190, 23", "经纬度超出范围: 190.0, 23.0 (lon -180..180, lat -90..90)"),
        ("91, 181", "经纬度超出范围: 91.0, 181.0 (lon -180..180, lat -90..90)"),
        ("10, 180.5", "经纬度超出范围: 10.0, 180.5 (lon -180..180, lat -90..90)"),  # not swapped
        ("120, 100", "经纬度超出范围: 120.0, 100.0 (lon -180..180, lat -90..90)"),
    ],
)
def test_anything_else_is_a_message_for_the_user(text, message: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_lonlat(text)
    assert str(err.value) == message


def test_only_the_first_hundred_characters_are_read() -> None:
    assert parse_lonlat("113.366, 23.062" + " " * 85) == (113.366, 23.062)
    with pytest.raises(ValueError, match="两个数字"):
        parse_lonlat("113.366," + " " * 92 + "23.062")  # the latitude lies past the 100th


ISLAND = HereElement(
    id="gz-bio-island", name="广州国际生物岛", role="zone", plans=["gz_sti"], distance_m=0.0,
    contains=True, derived=False, precision_m=400.0,
    excerpts=[{"plan": "gz_sti", "section": "三、布局 › 一轴", "text": "广州国际生物岛依托国家实验室"}],
)
LAB = HereElement(  # a point whose stated precision reaches the query point
    id="bioisland-lab", name="生物岛实验室", role="lab", plans=["gz_sti"], distance_m=677.0,
    contains=False, derived=False, precision_m=1000.0, excerpts=[], within_precision=True,
)
BELT = HereElement(
    id="huadu-belt", name="西部先进制造业产业带", role="belt", plans=["huadu_mfg"],
    distance_m=1234.4, contains=False, derived=True, precision_m=None,
    excerpts=[{"plan": "huadu_mfg", "section": "", "text": "一二三四五六七八九十"}],
)


def _result(covering, nearby, gcj02=False, district="海珠区") -> HereResult:
    return HereResult(
        lon=113.382, lat=23.082, input_lon=113.3875, input_lat=23.0795, gcj02=gcj02,
        radius_m=1500.0, district=district, covering=covering, nearby=nearby,
    )


def test_the_report_lists_covering_and_nearby_elements_with_their_words() -> None:
    text = format_here(_result([ISLAND, LAB], [BELT]), excerpt_chars=6)
    assert text.splitlines() == [
        "点 113.382000, 23.082000 (WGS84)",
        "所在区: 海珠区",
        "此处的规划要素（覆盖此点，或点位精度所及）(2):",
        "- 广州国际生物岛 [片区 Zone] 覆盖此点，位置精度 ±400 m  (gz-bio-island)",
        "    广州市科技创新规划: “广州国际生物…”",
        "      (三、布局 › 一轴)",
        "- 生物岛实验室 [实验室 Laboratory] 点位 677 m，在其位置精度内，位置精度 ±1,000 m  (bioisland-lab)",
        "1,500 米内的规划要素 (1):",
        "- 西部先进制造业产业带 [带 Belt] 1,234 m，范围由成员推算  (huadu-belt)",
        "    花都区先进制造业规划: “一二三四五六…”",
    ]


def test_the_report_says_where_a_gcj02_point_came_from_and_when_nothing_is_there() -> None:
    text = format_here(_result([], [], gcj02=True, district=None))
    assert text.splitlines() == [
        "点 113.382000, 23.082000 (WGS84)，由 GCJ-02 113.387500, 23.079500 换算",
        "所在区: 不在广州市范围内",
        "此处的规划要素（覆盖此点，或点位精度所及）(0):",
        "  (无)",
        "1,500 米内的规划要素 (0):",
        "  (无)",
    ]


def test_whole_excerpts_are_kept_when_short_or_when_asked() -> None:
    full = format_here(_result([], [BELT]), excerpt_chars=0)
    assert "“一二三四五六七八九十”" in full
    fits = format_here(_result([], [BELT]), excerpt_chars=10)
    assert "“一二三四五六七八九十”" in fits and "…" not in fits


def test_an_element_carries_its_features_precision_and_words(layers) -> None:
    from spatial.query.here import what_is_here

    result = what_is_here(layers, 113.382, 23.082, radius_m=500)  # on 生物岛
    island = next(e for e in result.covering if e.id == "gz-bio-island")
    row = layers.loc["gz-bio-island"]
    assert island.precision_m == row["location_precision_m"] and island.precision_m > 0
    every = [{"plan": e["plan"], "section": e["section"], "text": e["text"]} for e in row["excerpts"]]
    assert sorted(island.excerpts, key=str) == sorted(every, key=str)  # every one, none lost
    assert island.excerpts[0]["text"].startswith("广州国际生物岛")  # its own words first
    assert island.derived is ("derived:" in row["location_source"])


def test_elements_carry_their_features_name_role_plans_and_rounded_distance(layers) -> None:
    from spatial.query.here import what_is_here

    result = what_is_here(layers, 113.366, 23.062, radius_m=2500)  # the channel by 生物岛
    assert result.nearby and not any(e.contains for e in result.nearby)
    for el in [*result.covering, *result.nearby]:
        row = layers.loc[el.id]
        assert (el.name, el.role, el.plans) == (row["name"], row["role"], list(row["plans"]))
        assert isinstance(el.distance_m, float) and el.distance_m == round(el.distance_m, 1)
    assert any(el.distance_m != round(el.distance_m) for el in result.nearby)  # tenths kept
