"""One symbology for screen and print: the app's map and the print export of the same view give
every feature the same colour, their legends list the same symbols and colours, and the colour
rule is a choice kept in the URL and on the command line.

The web side is the app itself (``AppTest`` over the built layers, reading the message its map
client is sent: the features it shows, the colour rule, the legend; the browser test of the
client, ``test_webmap_browser``, checks it draws what it is told); the print side is ``spatial.exports.briefing.render_map`` with the figure it draws kept for
inspection (its artists, and the pixels of the rendered raster).
"""

from __future__ import annotations

import re

import _mapmsg
import numpy as np
import pytest
import shapely
from _mapmsg import map_message
from matplotlib.colors import to_hex
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Circle, Rectangle
from streamlit.testing.v1 import AppTest

from app import appstate
from spatial import symbology
from spatial._paths import LAYERS_DIR, ROOT
from spatial.cli import main
from spatial.exports import briefing
from spatial.plot.geometry import to_crs, to_map_crs
from spatial.plot.style import RAIL, RIVER, ROAD, style_of
from spatial.query.features import Selection
from spatial.webmap.client import client_style
from spatial.webmap.styles import _SHAPES

pytestmark = pytest.mark.skipif(
    not any(LAYERS_DIR.glob("*.geojson")), reason="layers not built yet"
)

APP = str(ROOT / "streamlit_app.py")

#: (URL of the app's view, the same view as an export selection, colour rule)
VIEWS = [
    ({"industries": "汽车产业"}, Selection(industries=("汽车产业",)), "industry"),
    ({"plans": "tianhe_sti"}, Selection(plans=("tianhe_sti",)), "industry"),
    ({"plans": "huadu_mfg", "colour": "plan"}, Selection(plans=("huadu_mfg",)), "plan"),
    (
        {"industries": "生物医药与健康", "colour": "plan"},
        Selection(industries=("生物医药与健康",)),
        "plan",
    ),
]


# -- the web side: the app's map ---------------------------------------------------------------


def app_map(params: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, dict]:
    """The app opened on a URL over the built layers, and the message its map is sent."""
    monkeypatch.delenv("GZMAP_LAYERS_DIR", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params = dict(params)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, map_message(at)


def web_fills(msg: dict) -> dict[str, str]:
    """Feature id -> fill of its symbol on the web map (the message's colour rule applied to
    the features it shows; the browser test checks the client draws them so)."""
    numbered = set(_mapmsg.numbered(msg))
    return {fid: fill for fid, fill in _mapmsg.fills(msg).items() if fid not in numbered}


def web_legend(msg: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict]:
    """The web legend's shape part ``(role, swatch)``, colour part ``(colour, label)`` and the
    legend the client is sent."""
    legend = msg["selection"]["legend"]
    symbol_labels, colour_labels = _mapmsg.legend_labels(msg)
    symbols = [(e[0], e[1]) for e in legend["symbols"]]
    colours = [(c[0], label) for c, label in zip(legend["colours"], colour_labels, strict=True)]
    legend = dict(legend, symbol_labels=symbol_labels)
    return symbols, colours, legend


# -- the print side: the export's figure ---------------------------------------------------------


def print_figure(sel: Selection, rule: str, monkeypatch: pytest.MonkeyPatch):
    """The figure ``render_map`` draws for a selection (and the PNG it writes of it)."""
    kept = {}
    real = briefing.figure_bytes

    def keep(fig, fmt, **kwargs):
        kept["fig"] = fig
        return real(fig, fmt, **kwargs)

    monkeypatch.setattr(briefing, "figure_bytes", keep)
    png = briefing.render_map(sel, dpi=100, colour_by=rule)
    assert png.startswith(b"\x89PNG")
    return kept["fig"]


def print_fills(fig, sel: Selection) -> dict[str, str]:
    """Feature id -> fill of its symbol on the print map's main frame (found by position)."""
    frame = to_crs(briefing.selection_frame(sel))
    marks = []
    for coll in fig.axes[0].collections:
        offsets, faces = coll.get_offsets(), coll.get_facecolors()
        if len(faces) == 1:
            faces = np.repeat(faces, len(offsets), axis=0)
        if len(faces) == len(offsets):
            marks += [(x, y, to_hex(f)) for (x, y), f in zip(offsets, faces, strict=True)]
    xy = np.array([(x, y) for x, y, _ in marks])
    centres = {
        fid: shapely.centroid(g) if g.geom_type == "Point" else g.point_on_surface()
        for fid, g in frame.geometry.items()
    }
    out = {}
    for fid, centre in centres.items():
        others = [c for f, c in centres.items() if f != fid and c.distance(centre) < 1.0]
        d = np.hypot(xy[:, 0] - centre.x, xy[:, 1] - centre.y)
        if d.min() < 1.0 and not others:  # metres; a place shared by two features is left out
            out[fid] = marks[int(d.argmin())][2]
    return out


def on_paper(label: str, texts: list[str]) -> bool:
    """Whether the panel writes a legend label whole: on one line or wrapped over the lines
    that follow one another (a label is never cut)."""
    flat = re.sub(r"\s+", "", "".join(texts))
    return re.sub(r"\s+", "", label) in flat


# -- screen = paper ------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "sel", "rule"), VIEWS)
def test_the_same_view_gives_a_feature_the_same_colour_on_screen_and_paper(
    params, sel, rule, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at, msg = app_map(params, monkeypatch)
    web = web_fills(msg)
    paper = print_fills(print_figure(sel, rule, monkeypatch), sel)
    both = set(web) & set(paper)
    assert len(both) >= 10, "too few features to compare"
    assert {fid: web[fid] for fid in both} == {fid: paper[fid] for fid in both}
    assert len({web[fid] for fid in both}) >= 2  # a real colouring, not one colour for all


def test_plan_rule_colours_a_huadu_only_park_with_huadu_colour_in_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params, sel, rule = VIEWS[2]
    huadu = symbology.plan_colours()["huadu_mfg"]
    park = "huadu-dawo-park"  # placed by the Huadu manufacturing plan alone
    gdf = briefing.plan_layers()
    assert list(gdf.at[park, "plans"]) == ["huadu_mfg"] and gdf.at[park, "role"] == "park"
    _at, msg = app_map(params, monkeypatch)
    assert web_fills(msg)[park] == huadu
    fig = print_figure(sel, rule, monkeypatch)
    assert print_fills(fig, sel)[park] == huadu
    # and in the rendered raster, at the park's symbol
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[:, :, :3]
    geom = gdf.at[park, "geometry"]
    x, y = to_map_crs().transform(geom.x, geom.y)
    px, py = fig.axes[0].transData.transform((x, y))
    r, c = int(round(fig.bbox.height - py)), int(round(px))
    want = np.array([int(huadu[i : i + 2], 16) for i in (1, 3, 5)])
    patch = img[r - 1 : r + 2, c - 1 : c + 2].reshape(-1, 3).astype(int)
    assert (np.abs(patch - want).max(axis=1) <= 12).any()
    # a park several plans place wears the several-plans colour in both
    several = [
        fid
        for fid in web_fills(msg)
        if len(set(gdf.at[fid, "plans"])) > 1 and fid in print_fills(fig, sel)
    ]
    assert several
    assert {web_fills(msg)[f] for f in several} == {symbology.SEVERAL_PLANS}


@pytest.mark.parametrize(("params", "sel", "rule"), VIEWS)
def test_web_legend_lists_the_print_legend(params, sel, rule, monkeypatch) -> None:
    _at, msg = app_map(params, monkeypatch)
    symbols, colours, legend = web_legend(msg)
    fig = print_figure(sel, rule, monkeypatch)
    panel = next(a for a in fig.axes if any(t.get_text() == "图例 Legend" for t in a.texts))
    texts = [t.get_text() for t in panel.texts]
    # the colour part: the same colours, in the same order, with the same words
    paper_colours = [to_hex(p.get_facecolor()) for p in panel.patches if isinstance(p, Circle)]
    assert [c for c, _ in colours] == paper_colours and colours
    for _c, label in colours:
        assert on_paper(label, texts), label
    assert symbology.rule_label(rule).split(" ")[0] in legend["colour_title"]  # the rule is said
    # the shape part: the same roles, each with the symbol drawn for it
    roles = [r for r, _ in symbols]
    assert roles, "empty shape part"
    paper_markers = [c for c in panel.collections if len(c.get_offsets()) == 1]
    context = {RIVER, ROAD, RAIL}  # the base map's own entries (water, rivers …), not roles
    paper_lines = [
        ln for ln in panel.lines if ln.get_color() != "white" and to_hex(ln.get_color()) not in context
    ]
    paper_areas = [p for p in panel.patches if isinstance(p, Rectangle)]
    markers = [r for r, s in symbols if s == "marker"]
    assert len(paper_markers) == len(markers)
    for role, coll in zip(markers, paper_markers, strict=True):
        assert to_hex(coll.get_facecolors()[0]) == symbology.NEUTRAL_FILL
        style = MarkerStyle(style_of(role).marker)
        want = style.get_path().transformed(style.get_transform())
        assert np.allclose(coll.get_paths()[0].vertices, want.vertices)
        # the web swatch is the same role's marker shape (the client draws it from its style)
        shape = client_style()["roles"][role]["shape"]
        assert shape == symbology.role_symbol(role).shape
        assert client_style()["shapes"][shape] == _SHAPES[shape]
    lines = [r for r, s in symbols if s == "line"]
    assert [to_hex(ln.get_color()) for ln in paper_lines] == [
        symbology.role_symbol(r).colour for r in lines
    ]
    areas = [r for r, s in symbols if s == "area"]
    assert [to_hex(p.get_edgecolor()) for p in paper_areas[: len(areas)]] == [
        symbology.role_symbol(r).colour for r in areas
    ]
    # every web entry's words are on paper
    for label in legend["symbol_labels"]:
        assert on_paper(label, texts), label


def test_legend_swatches_are_the_symbols_drawn() -> None:
    """Line roles show a line, area-wide shapes an outlined area, places their marker."""
    gdf = briefing.plan_layers()
    legend = symbology.symbolise(briefing.selection_frame(Selection(), gdf)).legend
    swatches = {e.key: e.swatch for e in legend.symbols}
    assert swatches["axis"] == "line" and swatches["corridor"] == "line"
    assert swatches["cluster"] == "area" and swatches["belt"] == "area"
    assert swatches["park"] == "marker" and swatches["pole"] == "marker"


# -- the choice, in the URL and on the command line ----------------------------------------------


def test_colour_rule_round_trips_in_the_url_and_a_bad_value_is_refused() -> None:
    state = appstate.AppState(colour_by="plan")
    assert state.to_query() == {"colour": "plan"}
    back = appstate.AppState.from_query(state.to_query())
    assert back.colour_by == "plan"
    assert appstate.AppState().to_query() == {}  # the default is left out
    options = appstate.Options(basemaps=("carto",))
    for bad in ("<script>alert(1)</script>", "Plan", "industry,plan", ""):
        raw = appstate.AppState.from_query({"colour": bad, "basemap": "carto"})
        clean, notes = appstate.sanitize(raw, options)
        assert clean.colour_by == "industry"
        assert notes == ([f"colour: {bad}"] if bad else [])


def test_app_keeps_the_colour_rule_in_the_url_and_says_when_it_ignores_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at, msg = app_map({"colour": "plan"}, monkeypatch)
    assert at.session_state["colour_by"] == "plan"
    assert msg["selection"]["legend"]["rule"] == msg["selection"]["colour"]["rule"] == "plan"
    assert at.query_params["colour"] == ["plan"] or at.query_params["colour"] == "plan"
    at.segmented_control(key="colour_by").set_value("industry").run()
    assert "colour" not in at.query_params  # the default leaves the URL
    bad, _ = app_map({"colour": "rainbow"}, monkeypatch)
    assert bad.session_state["colour_by"] == "industry"
    warned = " ".join(w.value for w in bad.warning).replace("\\", "")  # markdown escapes
    assert "colour: rainbow" in warned


def test_cli_colour_by_refuses_an_unknown_rule(capsys, tmp_path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "--colour-by", "rainbow", "--out", str(tmp_path / "x.png")])
    assert exc.value.code == 2
    assert "--colour-by" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
    assert main(["export", "--plan", "huadu_sti", "--colour-by", "plan", "--dpi", "50",
                 "--out", str(tmp_path / "p.png")]) == 0
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")


def test_an_axis_segment_numbers_its_nodes_on_screen_as_on_paper(monkeypatch) -> None:
    _at, msg = app_map({"segment": "黄埔段"}, monkeypatch)
    numbers = set(_mapmsg.numbered(msg).values())
    sel = Selection(segment="黄埔段")
    fig = print_figure(sel, "industry", monkeypatch)
    on_map = {  # the white numbers in the circles (not the scale bar's)
        int(t.get_text()) for t in fig.axes[0].texts
        if t.get_text().isdigit() and t.get_color() == "white"
    }
    frame = briefing.selection_frame(sel)
    assert numbers == set(frame["axis_order"].dropna().astype(int)) == on_map
    symbols, _colours, _legend = web_legend(msg)
    assert symbols[0] == (symbology.AXIS_NODE, "number")
    panel = next(a for a in fig.axes if any(t.get_text() == "图例 Legend" for t in a.texts))
    assert "轴线节点（按轴序编号）" in [t.get_text() for t in panel.texts]


def test_geopackage_colours_follow_the_views_rule(tmp_path) -> None:
    """The GeoPackage download stores each feature's colour on the map of the same view."""
    import geopandas as gpd

    from spatial.exports import downloads
    from spatial.query.features import select

    gdf = briefing.plan_layers()
    sel = Selection(plans=("huadu_mfg",))
    shown = select(gdf, sel)
    sym = symbology.view_symbology(gdf, sel, "plan")
    path = tmp_path / "view.gpkg"
    path.write_bytes(downloads.to_gpkg_bytes(shown, symbology=sym))
    points = gpd.read_file(path, layer="gzplan_selection_points").set_index("id")
    assert points.at["huadu-dawo-park", "map_colour"] == symbology.plan_colours()["huadu_mfg"]
    for fid in points.index:
        if fid in sym.coloured:
            assert points.at[fid, "map_colour"] == sym.fills[fid]


def test_one_colour_shape_and_dash_per_role_for_both_media() -> None:
    """The print styles and the web styles take each role's colour, shape, dash and fill from
    the one symbol table; role colours stay apart in greyscale."""
    from spatial.plans.schema import ROLE_SHAPES, ROLES
    from spatial.plot.style import ROLE_STYLES as PRINT
    from spatial.webmap import ROLE_STYLES as WEB

    assert set(symbology.ROLE_SYMBOLS) == set(PRINT) == set(WEB) == set(ROLES)
    for role, sym in symbology.ROLE_SYMBOLS.items():
        assert PRINT[role].colour == WEB[role].color == sym.colour
        assert sym.shape == ROLE_SHAPES[role] == WEB[role].shape
        assert PRINT[role].fill_alpha == WEB[role].fill_opacity == sym.fill_alpha
        if sym.dash:  # the same pattern, in line widths on paper and in pixels on screen
            assert PRINT[role].linestyle == (0, sym.dash)
            web = [float(v) / WEB[role].weight for v in WEB[role].dash.split()]
            assert web == pytest.approx(list(sym.dash))
        else:
            assert PRINT[role].linestyle == "-" and WEB[role].dash is None
    levels = sorted(symbology.grey_level(s.colour) for s in symbology.ROLE_SYMBOLS.values())
    assert min(b - a for a, b in zip(levels, levels[1:], strict=False)) >= 4


# -- the rules themselves, on small frames -------------------------------------------------------


def small_frame(rows: list[dict]):
    """A layer-like GeoDataFrame of a few features (``id``, ``role``, a geometry and the
    columns the symbology reads, defaults where a row leaves them out)."""
    import geopandas as gpd

    base = {"industries": [], "plans": ["gz_sti"], "axis_order": None}
    data = [{**base, **row} for row in rows]
    return gpd.GeoDataFrame(data, geometry="geometry", crs="EPSG:4326").set_index("id")


POINT = shapely.Point(113.3, 23.1)
LINE = shapely.LineString([(113.3, 23.1), (113.4, 23.2)])
AREA = shapely.box(113.3, 23.1, 113.31, 23.11)


def test_a_role_the_contract_does_not_know_is_drawn_as_a_grey_circle() -> None:
    for role in ("rainbow", None, ""):
        sym = symbology.role_symbol(role)
        assert sym.shape == "circle"
        assert sym.colour[1:3] == sym.colour[3:5] == sym.colour[5:7]  # a grey
        assert sym.colour not in {s.colour for s in symbology.ROLE_SYMBOLS.values()}
    assert symbology.role_symbol("park") == symbology.ROLE_SYMBOLS["park"]


def test_rule_labels_are_chinese_first() -> None:
    assert symbology.rule_label("industry") == "产业 Industry"
    assert symbology.rule_label("plan") == "规划 Plan"
    assert symbology.rule_label("rainbow") == "rainbow"


@pytest.mark.parametrize(
    ("colour", "lightness"),
    [  # CIE L* of sRGB colours (D65, CIE's exact constants)
        ("#000000", 0.0),
        ("#ffffff", 100.0),
        ("#ff0000", 53.233),
        ("#00ff00", 87.737),
        ("#0000ff", 32.303),
        ("#808080", 53.585),
        ("#010101", 0.274),  # the linear parts of sRGB and of L* near black
        ("#0a0a0a", 2.742),
        ("#0b0b0b", 3.023),
    ],
)
def test_grey_level_is_the_cie_lightness(colour, lightness) -> None:
    assert symbology.grey_level(colour) == pytest.approx(lightness, abs=0.005)
    assert symbology.grey_level(colour.lstrip("#")) == pytest.approx(lightness, abs=0.005)


@pytest.mark.parametrize("bad", ["#fff", "red", "#1234567", ""])
def test_grey_level_refuses_what_is_not_rrggbb(bad) -> None:
    with pytest.raises(ValueError, match="rrggbb"):
        symbology.grey_level(bad)


def test_geometry_kinds_say_how_each_feature_is_drawn() -> None:
    geoms = {
        "p": POINT, "mp": shapely.MultiPoint([POINT, (113.5, 23.0)]), "l": LINE,
        "ml": shapely.MultiLineString([LINE]), "a": AREA, "ma": shapely.MultiPolygon([AREA]),
        "gc": shapely.GeometryCollection([POINT]),
    }
    frame = small_frame([{"id": k, "role": "park", "geometry": g} for k, g in geoms.items()])
    kinds = symbology.geometry_kinds(frame)
    assert kinds.to_dict() == {
        "p": "point", "mp": "point", "l": "line", "ml": "line", "a": "polygon", "ma": "polygon",
        "gc": None,
    }


def test_legend_swatch_of_each_role_and_kind() -> None:
    assert symbology.swatch_kind("axis", "line") == "line"
    assert symbology.swatch_kind("park", "line") == "line"
    assert symbology.swatch_kind("belt", "polygon") == "area"  # an unmarked area-wide shape
    assert symbology.swatch_kind("park", "polygon") == "marker"  # a place: marker at its centre
    assert symbology.swatch_kind("belt", "point") == "marker"


def test_the_rule_colours_points_and_filled_areas_not_lines_outlines_or_numbered_nodes() -> None:
    frame = small_frame([
        {"id": "park-pt", "role": "park", "geometry": POINT},
        {"id": "park-area", "role": "park", "geometry": AREA},
        {"id": "belt-area", "role": "belt", "geometry": AREA},  # a light fill
        {"id": "segment-area", "role": "axis_segment", "geometry": AREA},  # outline only
        {"id": "corridor", "role": "corridor", "geometry": LINE},
        {"id": "node", "role": "node", "geometry": POINT, "axis_order": 3},
    ])
    coloured = {"park-pt", "park-area", "belt-area", "node"}
    assert set(symbology.coloured_features(frame).index) == coloured
    assert set(symbology.coloured_features(frame, number_axis=True).index) == coloured - {"node"}
    sym = symbology.symbolise(frame, number_axis=True)
    assert set(sym.coloured) == coloured - {"node"}
    assert sym.numbered == {"node": 3}
    assert set(sym.fills) == set(frame.index)  # every feature has a fill to draw with
    assert symbology.symbolise(frame).numbered == {}


def test_industry_colours_go_to_the_most_frequent_industries_and_the_preferred_first() -> None:
    tags = [["D"], ["B", "A"], ["C", "A"], ["A", "B"], ["C"]]  # A 3, B 2, C 2 (B seen first), D 1
    frame = small_frame([{"id": f"f{i}", "role": "park", "geometry": POINT, "industries": t}
                         for i, t in enumerate(tags)])
    palette = symbology.INDUSTRY_PALETTE
    assert symbology.industry_colours(frame) == dict(zip("ABCD", palette, strict=False))
    assert symbology.industry_colours(frame, preferred=("D", "Z")) == dict(
        zip("DABC", palette, strict=False)
    )
    assert list(symbology.industry_colours(frame, limit=2)) == ["A", "B"]
    many = small_frame([{"id": f"g{i}", "role": "park", "geometry": POINT,
                         "industries": [f"t{i:02d}"]} for i in range(len(palette) + 3)])
    assert len(symbology.industry_colours(many)) == len(palette)


def test_a_feature_wears_the_colour_of_its_first_industry_in_the_legend() -> None:
    colours = {"A": "#111111", "B": "#222222"}
    assert symbology.primary_colour(["X", "B", "A"], colours) == "#111111"
    assert symbology.primary_colour(["B"], colours) == "#222222"
    assert symbology.primary_colour(["X"], colours) == symbology.OTHER_INDUSTRY
    assert symbology.primary_colour([], colours) == symbology.NO_INDUSTRY


def test_each_plan_has_its_own_colour_in_manifest_order() -> None:
    from spatial.plans.manifest import load_manifest

    colours = symbology.plan_colours()
    assert list(colours) == [p.id for p in load_manifest()]
    assert list(colours.values()) == list(symbology.PLAN_PALETTE[: len(colours)])
    assert symbology.plan_colour(["huadu_mfg"]) == colours["huadu_mfg"]
    assert symbology.plan_colour(["huadu_mfg", "huadu_mfg", ""]) == colours["huadu_mfg"]
    assert symbology.plan_colour(["gz_sti", "huadu_mfg"]) == symbology.SEVERAL_PLANS
    assert symbology.plan_colour([]) == symbology.OTHER_INDUSTRY
    assert symbology.plan_colour(None) == symbology.OTHER_INDUSTRY
    assert symbology.plan_colour(["no_such_plan"]) == symbology.OTHER_INDUSTRY


def test_industry_legend_counts_features_and_lists_only_colours_worn() -> None:
    # A worn by three, B only ever behind A (never worn), one untagged; 人工智能 has an English name
    rows = [["人工智能", "B"], ["人工智能"], ["人工智能", "B"], [], ["C"]]
    frame = small_frame([{"id": f"f{i}", "role": "park", "geometry": POINT, "industries": t}
                         for i, t in enumerate(rows)])
    frame.loc["line"] = frame.loc["f0"]
    frame.loc["line", "role"] = "corridor"
    frame.loc["line", "geometry"] = LINE
    sym = symbology.symbolise(frame)
    legend = sym.legend
    assert [(c.colour, c.label, c.short) for c in legend.colours] == [
        (sym.colours["人工智能"], "人工智能（3） Artificial intelligence", "人工智能（3）"),
        (sym.colours["C"], "C（1）", "C（1）"),
        (symbology.NO_INDUSTRY, "未标注产业 No industry tag", "未标注产业"),
    ]
    assert sym.colours["B"] not in {c.colour for c in legend.colours}
    assert legend.rule == sym.rule == "industry"
    assert legend.colour_title == "产业（着色要素数）Industry"
    assert legend.note == (
        "图上要素共 6 处，其中 5 处符号或面按产业着色，1 处（轴线、廊带、轮廓、编号节点）按类型绘制；"
        "多产业要素计入其每个产业，颜色取图例中最靠前者；形状表示要素类型。"
    )
    assert sym.fills["f3"] == symbology.NO_INDUSTRY
    for fid, row in frame.iterrows():
        assert sym.fill_of(row["industries"], row["plans"]) == sym.fills[fid]


def test_industry_legend_gathers_the_industries_beyond_the_palette_as_other() -> None:
    n = len(symbology.INDUSTRY_PALETTE)
    rows = [[f"t{i:02d}"] * 1 for i in range(n)] + [[f"t{i:02d}"] for i in range(n)]
    rows += [["x1"], ["x2"]]  # two industries beyond the palette, once each
    frame = small_frame([{"id": f"f{i}", "role": "park", "geometry": POINT, "industries": t}
                         for i, t in enumerate(rows)])
    sym = symbology.symbolise(frame)
    last = sym.legend.colours[-1]
    assert (last.colour, last.label, last.short) == (
        symbology.OTHER_INDUSTRY, "其他产业（2 类）Other", "其他产业"
    )
    assert len(sym.legend.colours) == n + 1
    assert sym.fills[f"f{2 * n}"] == symbology.OTHER_INDUSTRY
    assert "多产业" in sym.legend.note


def test_plan_legend_counts_features_per_plan_in_manifest_order() -> None:
    from spatial.plans.manifest import get_plan

    rows = [["baiyun_sti"], ["huadu_mfg"], ["huadu_mfg"], ["gz_sti", "huadu_mfg"], ["gz_sti"],
            ["no_such_plan"], []]
    frame = small_frame([{"id": f"f{i}", "role": "park", "geometry": POINT, "plans": p}
                         for i, p in enumerate(rows)])
    sym = symbology.symbolise(frame, "plan")
    colours = symbology.plan_colours()
    order = ["gz_sti", "huadu_mfg", "baiyun_sti"]  # manifest order, not the frame's nor by name
    assert list(sym.colours) == order and sym.colours == {p: colours[p] for p in order}
    city, huadu = get_plan("gz_sti").short_name, get_plan("huadu_mfg").short_name
    baiyun = get_plan("baiyun_sti").short_name
    assert [(c.colour, c.label, c.short) for c in sym.legend.colours] == [
        (colours["gz_sti"], f"{city}（1）", f"{city}（1）"),
        (colours["huadu_mfg"], f"{huadu}（2）", f"{huadu}（2）"),
        (colours["baiyun_sti"], f"{baiyun}（1）", f"{baiyun}（1）"),
        (symbology.SEVERAL_PLANS, "多个规划（1） Several plans", "多个规划（1）"),
        (symbology.OTHER_INDUSTRY, "其他（2） Other", "其他（2）"),
    ]
    assert sym.legend.colour_title == "规划（着色要素数）Plan"
    assert sym.legend.rule == sym.rule == "plan"
    assert sym.legend.note == (
        "图上要素共 7 处，其中 7 处符号或面按安置它的规划着色；由多个规划安置的要素着“多个规划”色；"
        "形状表示要素类型。"
    )  # every feature is coloured
    assert sym.fills["f3"] == symbology.SEVERAL_PLANS
    for fid, row in frame.iterrows():
        assert sym.fill_of(row["industries"], row["plans"]) == sym.fills[fid]


def test_legend_shape_part_in_role_order_with_the_plans_groups() -> None:
    frame = small_frame([
        {"id": "n1", "role": "node", "geometry": POINT, "axis_order": 1},
        {"id": "n2", "role": "node", "geometry": POINT, "axis_order": 2},
        {"id": "park", "role": "park", "geometry": AREA, "group": None},
        {"id": "pole1", "role": "pole", "geometry": POINT, "group": "多极"},
        {"id": "pole2", "role": "pole", "geometry": AREA, "group": "多极"},
        {"id": "pole3", "role": "pole", "geometry": AREA, "group": None},
        {"id": "belt", "role": "belt", "geometry": AREA, "group": "甲"},
        {"id": "belt2", "role": "belt", "geometry": LINE, "group": "乙"},
        {"id": "belt3", "role": "belt", "geometry": AREA, "group": "丙"},
        {"id": "belt4", "role": "belt", "geometry": AREA, "group": "丁"},
        {"id": "odd", "role": "rainbow", "geometry": POINT},
    ])
    entries = symbology.symbolise(frame, number_axis=True).legend.symbols
    assert [(e.key, e.swatch, e.label, e.short) for e in entries] == [
        (symbology.AXIS_NODE, "number", "轴线节点（按轴序编号）", "轴线节点"),
        ("pole", "marker", "极（含多极） Pole", "极（含多极）"),
        ("belt", "area", "带 Belt", "带"),  # more than three groups: none named
        ("park", "marker", "园区 Park", "园区"),
        ("rainbow", "marker", "rainbow", "rainbow"),
    ]  # the nodes are drawn only as numbers: no node entry
    plain = symbology.symbolise(frame).legend.symbols
    assert [e.key for e in plain] == ["pole", "belt", "node", "park", "rainbow"]
    pole = small_frame([{"id": f"p{i}", "role": "pole", "geometry": POINT, "group": "多极"}
                        for i in range(2)])
    assert symbology.symbolise(pole).legend.symbols[0].label == "极（多极） Pole"


def test_an_unknown_rule_is_refused_and_an_empty_view_has_an_empty_legend() -> None:
    frame = small_frame([{"id": "a", "role": "park", "geometry": POINT}])
    with pytest.raises(ValueError, match="industry, plan"):
        symbology.symbolise(frame, "rainbow")
    for rule in symbology.RULES:
        sym = symbology.symbolise(frame.iloc[:0], rule)
        assert sym.rule == rule and sym.colours == {} and sym.fills == {}
        assert sym.legend.rule == rule and not sym.legend.symbols and not sym.legend.colours
    lines = small_frame([{"id": "l", "role": "corridor", "geometry": LINE}])
    legend = symbology.symbolise(lines).legend  # nothing coloured: no colour part, no note
    assert legend.symbols and not legend.colours and not legend.colour_title and not legend.note


@pytest.mark.filterwarnings("ignore:GeoSeries.notna:UserWarning")
def test_a_map_draws_features_with_geometry_and_outside_guangzhou_only_as_context() -> None:
    frame = small_frame([
        {"id": "in", "role": "park", "geometry": POINT, "in_guangzhou": True},
        {"id": "unknown", "role": "park", "geometry": POINT, "in_guangzhou": None},
        {"id": "out", "role": "park", "geometry": POINT, "in_guangzhou": False},
        {"id": "context", "role": "outside", "geometry": POINT, "in_guangzhou": False},
        {"id": "none", "role": "park", "geometry": None, "in_guangzhou": True},
        {"id": "empty", "role": "park", "geometry": shapely.Point(), "in_guangzhou": True},
    ])
    assert list(symbology.drawn_features(frame).index) == ["in", "unknown", "context"]
    bare = frame.drop(columns=["in_guangzhou"])
    assert list(symbology.drawn_features(bare).index) == ["in", "unknown", "out", "context"]
    roleless = frame.drop(columns=["role"])  # without roles, nothing outside is context
    assert list(symbology.drawn_features(roleless).index) == ["in", "unknown"]


def test_the_filtered_industries_get_the_first_colours_under_their_canonical_names() -> None:
    assert symbology.preferred_industries(Selection(industries=("AI", "汽车产业"))) == [
        "人工智能", "汽车产业"
    ]
    assert symbology.preferred_industries(Selection()) == []
    assert symbology.preferred_industries(object()) == []


def test_a_views_symbology_numbers_a_segments_nodes_and_colours_the_filtered_industry_first(
) -> None:
    gdf = briefing.plan_layers()
    segment = Selection(segment="黄埔段")
    sym = symbology.view_symbology(gdf, segment)
    frame = briefing.selection_frame(segment)
    assert sym.numbered and sym.numbered == {
        fid: int(order) for fid, order in frame["axis_order"].dropna().items()
    }
    assert sym.legend.symbols[0].key == symbology.AXIS_NODE
    assert symbology.view_symbology(gdf, Selection(plans=("tianhe_sti",))).numbered == {}
    # the filter's industry (named by a synonym) gets the first colour, however rare
    sel = Selection(industries=("AI", "汽车产业"))
    colours = symbology.view_symbology(gdf, sel).colours
    assert list(colours)[:2] == ["人工智能", "汽车产业"]
    assert colours["人工智能"] == symbology.INDUSTRY_PALETTE[0]
