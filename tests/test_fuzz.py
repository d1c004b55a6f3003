"""Property-based tests: the layer validator, the upload reader and the quote finder never crash.

Whatever bytes or JSON a user hands over, the answer is a result or a clear problem message;
whatever text a plan holds, every piece of its display text is found again by the quote finder.
"""

from __future__ import annotations

import json
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from spatial.plans.schema import GEOMETRY_TYPES, GUANGZHOU_BBOX, REQUIRED_PROPERTIES
from spatial.plans.texts import PlanText, QuoteNotFound, match_key, match_key_with_map
from spatial.plans.validate import Problem, parse_layer_bytes, validate_features
from spatial.uploads.reader import read_user_layer

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- JSON-ish documents -------------------------------------------------------------------------
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["黄埔区", "gz_sti", "生物医药", "zone", "<script>alert(1)</script>", ""])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)
xmin, ymin, xmax, ymax = GUANGZHOU_BBOX
numbers = (
    st.floats(min_value=xmin, max_value=xmax)
    | st.floats(min_value=ymin, max_value=ymax)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(10**400), max_value=10**400)
)
positions = st.lists(numbers, min_size=0, max_size=4) | st.lists(json_values, max_size=3)
coordinates = (
    st.recursive(positions, lambda inner: st.lists(inner, max_size=6), max_leaves=40) | json_values
)
geometries = (
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(sorted(GEOMETRY_TYPES) + ["GeometryCollection", "Circle", ""])
            | json_values,
            "coordinates": coordinates,
        }
    )
    | json_values
)
property_keys = st.sampled_from(
    [
        *REQUIRED_PROPERTIES,
        "name_en",
        "axis_order",
        "axis_segment",
        "group",
        "parent",
        "members",
        "links",
        "attributes",
        "in_guangzhou",
        "名称",
        "NAME",
    ]
) | st.text(max_size=6)
properties = st.dictionaries(property_keys, json_values, max_size=12) | json_values
features = (
    st.fixed_dictionaries(
        {"type": st.just("Feature") | json_values, "properties": properties, "geometry": geometries}
    )
    | json_values
)
documents = (
    st.fixed_dictionaries(
        {
            "type": st.just("FeatureCollection") | json_values,
            "features": st.lists(features, max_size=4),
        }
    )
    | json_values
)


def _encode(doc: object) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _assert_clear(problems: list[Problem]) -> None:
    for p in problems:
        assert isinstance(p, Problem)
        assert p.file and p.message.strip()


@FUZZ
@given(documents)
@example(doc={"type": "FeatureCollection", "features": [  # a plan that is a list (found by CI)
    {"type": "Feature", "properties": {"plans": [[]], "plan_roles": {}}, "geometry": None}]})
def test_validator_answers_any_json_document(doc: object) -> None:
    layer = parse_layer_bytes(_encode(doc), "fuzz.geojson")
    _assert_clear(validate_features([layer], check_districts=True, check_excerpts=True))


@FUZZ
@given(st.binary(max_size=400) | documents.map(_encode).map(lambda b: b[: len(b) // 2]))
def test_validator_answers_any_bytes(data: bytes) -> None:
    layer = parse_layer_bytes(data, "fuzz.geojson")
    problems = validate_features([layer], check_districts=False, check_excerpts=True)
    _assert_clear(problems)
    if not problems:  # accepted without a word: it must really be a GeoJSON FeatureCollection
        assert json.loads(data.decode("utf-8-sig"))["type"] == "FeatureCollection"


@FUZZ
@given(documents.map(_encode) | st.binary(max_size=300))
def test_upload_reader_answers_anything(data: bytes) -> None:
    for name in ("fuzz.geojson", "fuzz.gpkg", "fuzz.txt"):
        layer = read_user_layer(data, name)
        assert layer.ok == (layer.gdf is not None)
        if layer.gdf is None:
            assert layer.problems and all(isinstance(p, str) and p.strip() for p in layer.problems)
        else:
            assert not layer.problems
            assert str(layer.gdf.crs) == "EPSG:4326" and len(layer.gdf) > 0
            assert all(isinstance(n, str) and n for n in layer.gdf["name"])


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=2000))
def test_upload_reader_answers_any_geopackage_lookalike(tail: bytes) -> None:
    """Bytes that pass the GeoPackage header check still get an answer from GDAL's reader."""
    header = b"SQLite format 3\x00" + bytes(52) + b"GPKG"
    layer = read_user_layer(header + tail, "fuzz.gpkg")
    assert layer.gdf is None and layer.problems


# -- plan texts -----------------------------------------------------------------------------------
text_pieces = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\t",
        " ",
        "\u3000",
        "\u2028",
        "\x0c",
        "。",
        "，",
        "：",
        "；",
        "“",
        "”",
        "一、",
        "（一）",
        "(二)",
        "1.",
        "2．",
        "10、",
        "专栏",
        "表1",
        "图1",
        "**",
        "__",
        "*",
        "_",
        "[bookmark: a]",
        "[image: x.png]",
        "[bookmark:",
        "]",
        "<b>",
        "</b>",
        "<span class=x>",
        "<",
        ">",
        "#",
        "## ",
        "科技创新轴（黄埔段）。",
        "中新广州知识城",
        "ＡＢＣ１２３",
        "ﬁ",
        "㍿",
        "Ⅻ",
        "①",
        "e\u0301",
        "\u200b",
        "\ufeff",
    ]
) | st.text(alphabet=string.printable + "广州科技创新轴一二三四五六七八九十（）()", max_size=12)
plan_texts = st.lists(text_pieces, max_size=40).map("".join)


@FUZZ
@given(plan_texts, st.text(max_size=30) | text_pieces)
def test_quote_finder_answers_any_quote(raw: str, quote: str) -> None:
    plan = PlanText.from_raw(raw, plan_id="fuzz", seed="fuzz.txt")
    assert len(plan.clean_to_raw) == len(plan.clean)
    try:
        match = plan.find(quote)
    except QuoteNotFound as exc:
        assert str(exc).strip()
    else:
        assert 0 <= match.start < match.end <= len(plan.clean)
        assert 0 <= match.raw_start < match.raw_end <= len(raw)
        assert isinstance(match.section, str)


@FUZZ
@given(plan_texts, st.integers(0, 10**6), st.integers(0, 10**6))
@example(raw="ab*[image: x.png]*cd 中新广州知识城\n", a=0, b=6)  # display text "ab**cd …"
@example(raw="<<b>b>粗体与正文\n", a=0, b=5)  # display text "<b>粗体与正文"
def test_every_piece_of_the_display_text_is_found(raw: str, a: int, b: int) -> None:
    plan = PlanText.from_raw(raw, plan_id="fuzz", seed="fuzz.txt")
    n = len(plan.clean)
    start, end = sorted((a % (n + 1), b % (n + 1)))
    quote = plan.clean[start:end]
    if not match_key(quote):
        return  # only whitespace or markers: there is nothing to find
    match = plan.find(quote)
    assert 0 <= match.start < match.end <= n
    found = match_key_with_map(plan.clean[match.start : match.end])[0]
    assert match_key(quote) in found or match_key_with_map(quote)[0] in found
