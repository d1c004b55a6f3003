"""One symbology for the web map and the print maps: role symbols, colour rules, legend.

Encoding, the same on screen and on paper:

* the **shape** of a symbol says the feature's role (:data:`spatial.plans.schema.ROLE_SHAPES`);
  lines, polygon outlines and area-wide shapes wear their role's colour and dash
  (:data:`ROLE_SYMBOLS`, one colour per role, each of its own lightness so roles stay apart
  printed in grey);
* the **fill** of point symbols and filled polygons follows the chosen colour rule
  (:data:`RULES`): ``industry``, the feature's most prominent industry in the view (the
  industries a user filtered on first, then the most frequent; twelve colours, the rest
  "other"), or ``plan``, the plan that places the feature (one fixed colour per plan in
  manifest order; a feature several plans place wears the "several plans" colour).

:func:`symbolise` works this out once for the features a view draws; the web map
(:mod:`spatial.webmap`) and the print maps (:mod:`spatial.plot`) take their colours and their
legend entries (:class:`Legend`) from it, so the same view gives a feature the same colour on
screen and on paper, and both legends list the same symbols and colours. Medium-specific
things (pixel and point sizes, matplotlib markers, SVG drawing) stay in those packages.
Nothing here imports matplotlib, folium or Streamlit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from spatial.plans.manifest import load_manifest
from spatial.plans.schema import OUTSIDE_ROLE, ROLE_SHAPES, ROLES

__all__ = [
    "CONTEXT_COLOURS",
    "DEFAULT_RULE",
    "GEOMETRY_KINDS",
    "INDUSTRY_PALETTE",
    "NEUTRAL_FILL",
    "NO_INDUSTRY",
    "OWN_SYMBOL",
    "OwnSymbol",
    "OTHER_INDUSTRY",
    "PLAN_PALETTE",
    "RULES",
    "ROLE_SYMBOLS",
    "SEVERAL_PLANS",
    "UNMARKED_ROLES",
    "AXIS_NODE",
    "ColourEntry",
    "Legend",
    "RoleSymbol",
    "SymbolEntry",
    "Symbology",
    "coloured_features",
    "geometry_kinds",
    "grey_level",
    "industry_colours",
    "plan_colours",
    "primary_colour",
    "role_symbol",
    "rule_label",
    "swatch_kind",
    "symbolise",
]

#: colour rule -> (Chinese, English) label, the default first.
RULES: dict[str, tuple[str, str]] = {"industry": ("产业", "Industry"), "plan": ("规划", "Plan")}
DEFAULT_RULE = "industry"

#: Qualitative colours for industries, most frequent industry first (colour-blind aware order).
INDUSTRY_PALETTE = (
    "#1f77b4",
    "#e6550d",
    "#31a354",
    "#d62728",
    "#756bb1",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#fdae6b",
    "#637939",
    "#9ecae1",
)
NO_INDUSTRY = "#ffffff"
OTHER_INDUSTRY = "#b5b5b5"

#: One colour per plan, in manifest order (the city plan first).
PLAN_PALETTE = ("#1f77b4", "#e6550d", "#31a354", "#756bb1", "#8c564b", "#17becf", "#bcbd22")
#: The colour of a feature that several plans place.
SEVERAL_PLANS = "#f0c419"
#: Fill of the legend's shape part (the colour part says what the fills mean).
NEUTRAL_FILL = "#dddddd"

#: The geographic context under the plan features (OSM's water, rivers, main roads, rail and the
#: airport), on paper and in the screen map's offline basemap alike.
CONTEXT_COLOURS = {
    "water": "#cfe2f1",
    "rivers": "#9fc3e3",
    "roads": "#d8cfc0",
    "airport": "#e4dfec",
    "rail": "#8c8c8c",
}


@dataclass(frozen=True)
class OwnSymbol:
    """How a user's own layer is drawn, on screen and on paper: a pin (a shape no role has)
    for points, dashed outlines for lines and areas, in colours no role or rule uses.

    Attributes
    ----------
    edge : str
        Outlines, lines and the pin's edge.
    fill : str
        The pin's fill and (at ``fill_alpha``) the fill of areas.
    fill_alpha : float
    dash : tuple of float
        Dash pattern of lines and outlines, in line widths.
    pin : tuple of (float, float)
        The pin's outline, in units of the symbol's half size, y down, its tip at (0, 0) on
        the point (the head above it).
    """

    edge: str = "#3b1f00"
    fill: str = "#ffcc00"
    fill_alpha: float = 0.18
    dash: tuple[float, ...] = (4.0, 2.5)
    pin: tuple[tuple[float, float], ...] = (
        (0.0, 0.0), (-0.42, -0.82), (-0.7, -1.3), (-0.7, -1.62), (-0.5, -1.9), (-0.2, -2.03),
        (0.2, -2.03), (0.5, -1.9), (0.7, -1.62), (0.7, -1.3), (0.42, -0.82),
    )


OWN_SYMBOL = OwnSymbol()

#: Legend key of the numbered axis nodes a print map of an axis segment draws.
AXIS_NODE = "__axis_node__"


@dataclass(frozen=True)
class RoleSymbol:
    """How a role is drawn, whatever the medium.

    Attributes
    ----------
    colour : str
        Colour of its lines, polygon outlines and area-wide shapes (``#rrggbb``); each role's
        has its own CIE lightness (:func:`grey_level`).
    shape : str
        Marker shape of its point symbols (:data:`spatial.plans.schema.ROLE_SHAPES`).
    dash : tuple of float or None
        Dash pattern of its lines and outlines, on/off lengths in line widths (None: solid).
    fill_alpha : float
        Opacity of the rule colour filling its polygons (0: outline only).
    marked : bool
        Its polygons also get a marker of its shape at their centre (places); lines and
        area-wide shapes (axis, segments, corridors, belts, clusters) do not.
    """

    colour: str
    shape: str
    dash: tuple[float, ...] | None = None
    fill_alpha: float = 0.30
    marked: bool = True


def _symbol(role: str, colour: str, **kwargs: object) -> RoleSymbol:
    return RoleSymbol(colour, ROLE_SHAPES[role], **kwargs)  # type: ignore[arg-type]


#: role -> symbol, in the legend order of :data:`spatial.plans.schema.ROLES`.
ROLE_SYMBOLS: dict[str, RoleSymbol] = {
    "axis": _symbol("axis", "#810116", fill_alpha=0.0, marked=False),
    "axis_segment": _symbol("axis_segment", "#b01a1b", dash=(5, 3), fill_alpha=0.0, marked=False),
    "core": _symbol("core", "#3d1181", fill_alpha=0.35),
    "pole": _symbol("pole", "#044e81", fill_alpha=0.35),
    "corridor": _symbol("corridor", "#c3187e", dash=(6, 2.5), fill_alpha=0.0, marked=False),
    "belt": _symbol("belt", "#a76502", dash=(7, 2, 1.5, 2), fill_alpha=0.10, marked=False),
    "zone": _symbol("zone", "#0ba443"),
    "node": _symbol("node", "#ef7b33"),
    "park": _symbol("park", "#02bcba"),
    "cluster": _symbol("cluster", "#7b71eb", dash=(1.5, 1.5), fill_alpha=0.08, marked=False),
    "university": _symbol("university", "#dcc435"),
    "lab": _symbol("lab", "#1bc4f9"),
    "facility": _symbol("facility", "#fec2cb"),
    # outside Guangzhou: context only, a pale dashed outline lighter than every other role
    "outside": _symbol("outside", "#dedede", dash=(2, 2), fill_alpha=0.0),
}
_DEFAULT_SYMBOL = RoleSymbol("#777777", "circle")

#: Roles whose polygons get no marker (lines and area-wide shapes).
UNMARKED_ROLES = tuple(r for r, s in ROLE_SYMBOLS.items() if not s.marked)


def role_symbol(role: str | None) -> RoleSymbol:
    """The symbol of a role (a neutral grey circle for a role the contract doesn't know)."""
    return ROLE_SYMBOLS.get(role or "", _DEFAULT_SYMBOL)


def rule_label(rule: str) -> str:
    """Bilingual label of a colour rule, e.g. ``产业 Industry``."""
    zh, en = RULES.get(rule, (rule, ""))
    return f"{zh} {en}".strip()


def grey_level(colour: str) -> float:
    """CIE L* lightness (0 black … 100 white) of a ``#rrggbb`` colour: its tone in greyscale."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


# -- geometry kinds ---------------------------------------------------------------------------

#: Geometry type -> how a map draws it (the print maps use it too).
GEOMETRY_KINDS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


def geometry_kinds(frame: pd.DataFrame) -> pd.Series:
    """``"point"``, ``"line"`` or ``"polygon"`` for each feature of a (Geo)DataFrame."""
    types = frame.geometry.geom_type.tolist()
    return pd.Series([GEOMETRY_KINDS.get(t) for t in types], index=frame.index, dtype=object)


def swatch_kind(role: str, kind: str) -> str:
    """The legend swatch of a role drawn as geometry ``kind``: ``"line"`` for lines,
    ``"area"`` for polygons of an unmarked role (a belt, a cluster), ``"marker"`` otherwise
    (points, and the marker at the centre of a place's polygon)."""
    if kind == "line":
        return "line"
    if kind == "polygon" and not role_symbol(role).marked:
        return "area"
    return "marker"


def coloured_features(frame: pd.DataFrame, number_axis: bool = False) -> pd.DataFrame:
    """The features whose fill follows the colour rule: point symbols (not numbered axis
    nodes) and filled polygons; lines and outlines wear their role's colour."""
    if not len(frame):
        return frame
    filled_roles = {r for r, sym in ROLE_SYMBOLS.items() if sym.fill_alpha > 0}
    numbered = frame["axis_order"].notna().tolist() if number_axis else [False] * len(frame)
    keep = [
        (kind == "point" and not num) or (kind == "polygon" and role in filled_roles)
        for kind, role, num in zip(
            geometry_kinds(frame).tolist(), frame["role"].tolist(), numbered, strict=True
        )
    ]
    return frame[keep]


# -- the colour rules -------------------------------------------------------------------------


def industry_colours(
    frame: pd.DataFrame, preferred: Sequence[str] = (), limit: int = len(INDUSTRY_PALETTE)
) -> dict[str, str]:
    """Colours for the industries in a frame: the most frequent first, ``preferred`` before all.

    Parameters
    ----------
    frame : DataFrame
        Features with an ``industries`` list column.
    preferred : sequence of str
        Tags that must get a colour (the industries a user filtered on), in this order.
    limit : int
        At most this many industries get their own colour; the rest share "other".
    """
    counts: dict[str, int] = {}
    for tags in frame["industries"]:
        for tag in tags or ():
            counts[tag] = counts.get(tag, 0) + 1
    first_seen = {tag: i for i, tag in enumerate(counts)}
    ranked = sorted(counts, key=lambda t: (-counts[t], first_seen[t]))
    ordered = [t for t in preferred if t in counts] + [t for t in ranked if t not in preferred]
    return {tag: INDUSTRY_PALETTE[i] for i, tag in enumerate(ordered[:limit])}


def _colour_each(values: Sequence[Sequence[str] | None], colour: Callable[[tuple], str]) -> list[str]:
    """``colour(tuple(value))`` for each value (industries or plans of a feature), computed once
    per distinct value: a view of many features repeats a few."""
    memo: dict[tuple, str] = {}
    out = []
    for value in values:
        key = tuple(value or ())
        if key not in memo:
            memo[key] = colour(key)
        out.append(memo[key])
    return out


def primary_colour(tags: Sequence[str], colours: Mapping[str, str]) -> str:
    """The colour a feature with industry ``tags`` wears, given the legend's ``colours``."""
    if not tags:
        return NO_INDUSTRY
    order = {tag: i for i, tag in enumerate(colours)}
    known = sorted((t for t in tags if t in colours), key=order.__getitem__)
    return colours[known[0]] if known else OTHER_INDUSTRY


@lru_cache(maxsize=1)
def plan_colours() -> dict[str, str]:
    """Plan id -> its fixed colour, in manifest order."""
    plans = load_manifest()
    return {p.id: PLAN_PALETTE[i % len(PLAN_PALETTE)] for i, p in enumerate(plans)}


def plan_colour(plans: Sequence[str]) -> str:
    """The colour of a feature placed by ``plans``: the plan's, or :data:`SEVERAL_PLANS`."""
    known = list(dict.fromkeys(p for p in plans or () if p))
    if len(known) > 1:
        return SEVERAL_PLANS
    if not known:
        return OTHER_INDUSTRY
    return plan_colours().get(known[0], OTHER_INDUSTRY)


# -- legend -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SymbolEntry:
    """One entry of the legend's shape part.

    Attributes
    ----------
    key : str
        The role, or :data:`AXIS_NODE` for numbered axis nodes.
    swatch : str
        ``"marker"`` (the role's shape in :data:`NEUTRAL_FILL`), ``"line"``, ``"area"``
        (:func:`swatch_kind`) or ``"number"`` (a numbered circle).
    label : str
        Bilingual label (Chinese first).
    short : str
        The Chinese part, for narrow columns.
    """

    key: str
    swatch: str
    label: str
    short: str


@dataclass(frozen=True)
class ColourEntry:
    """One entry of the legend's colour part: a fill colour and what it means."""

    colour: str
    label: str
    short: str


@dataclass(frozen=True)
class Legend:
    """What a legend lists, the same for screen and print.

    Attributes
    ----------
    rule : str
        The colour rule (a key of :data:`RULES`).
    symbols : tuple of SymbolEntry
        The shape part, in legend order.
    colour_title : str
        Heading of the colour part.
    colours : tuple of ColourEntry
        The colour part: only colours some feature wears.
    note : str
        What the colours count and how they relate to the features drawn.
    """

    rule: str
    symbols: tuple[SymbolEntry, ...] = ()
    colour_title: str = ""
    colours: tuple[ColourEntry, ...] = ()
    note: str = ""


@lru_cache(maxsize=1)
def _industry_en() -> dict[str, str]:
    from spatial.plans.taxonomy import load_taxonomy

    return {i.tag: i.en for i in load_taxonomy().industries}


def _groups_note(groups: Sequence[object]) -> str:
    """The plan's groups a role's features form (``groups``: each feature's group or None),
    e.g. ``（多极）`` for the Tianhe plan's poles; ``（含两区）`` when only some of them are in
    a group; empty for none or more than three."""
    named = [g for g in dict.fromkeys(g for g in groups if isinstance(g, str)) if g]
    if not named or len(named) > 3:
        return ""
    some = "含" if any(not isinstance(g, str) for g in groups) else ""
    return f"（{some}{'、'.join(named)}）"


def _symbol_entries(
    frame: pd.DataFrame, kinds: pd.Series, numbered: pd.Series
) -> tuple[SymbolEntry, ...]:
    entries: list[SymbolEntry] = []
    if numbered.any():
        entries.append(SymbolEntry(AXIS_NODE, "number", "轴线节点（按轴序编号）", "轴线节点"))
    roles = frame["role"].tolist()
    groups = frame["group"].tolist() if "group" in frame.columns else [None] * len(roles)
    # a role's own symbol only if some feature is drawn with it (not as a numbered node)
    pairs = Counter(
        (role, kind)
        for role, kind, num in zip(roles, kinds.tolist(), numbered.tolist(), strict=True)
        if isinstance(role, str) and not (kind == "point" and num)
    )
    of_role: dict[str, list] = {}
    for role, group in zip(roles, groups, strict=True):
        of_role.setdefault(role, []).append(group)
    drawn: dict[str, Counter] = {}  # role -> how many of its features each kind draws
    for (role, kind), n in pairs.items():
        drawn.setdefault(role, Counter())[kind] = n
    for role in [r for r in ROLES if r in drawn] + sorted(set(drawn) - set(ROLES)):
        zh, en = ROLES.get(role, (role, ""))
        zh += _groups_note(of_role[role])
        swatch = swatch_kind(role, drawn[role].most_common(1)[0][0])
        entries.append(SymbolEntry(role, swatch, f"{zh} {en}".strip(), zh))
    return tuple(entries)


def _industry_entries(coloured: pd.DataFrame, colours: Mapping[str, str]) -> list[ColourEntry]:
    counts: dict[str, int] = {}
    for tags in coloured["industries"]:
        for tag in tags or ():
            counts[tag] = counts.get(tag, 0) + 1
    en_of = _industry_en()
    used = set(_colour_each(coloured["industries"].tolist(), lambda k: primary_colour(k, colours)))
    items = []
    for tag, colour in colours.items():
        if colour not in used:
            continue
        short = f"{tag}（{counts.get(tag, 0)}）"
        en = en_of.get(tag, "")
        items.append(ColourEntry(colour, f"{short} {en}" if en else short, short))
    others = sorted(set(counts) - set(colours))
    if others and OTHER_INDUSTRY in used:
        items.append(ColourEntry(OTHER_INDUSTRY, f"其他产业（{len(others)} 类）Other", "其他产业"))
    if any(not (t or []) for t in coloured["industries"]):
        items.append(ColourEntry(NO_INDUSTRY, "未标注产业 No industry tag", "未标注产业"))
    return items


def _plan_entries(coloured: pd.DataFrame) -> list[ColourEntry]:
    counts: dict[str, int] = {}  # plan id (or a colour for several / unknown) -> features
    for plans in coloured["plans"]:
        known = list(dict.fromkeys(p for p in plans or () if p))
        colour = plan_colour(known)
        key = known[0] if len(known) == 1 and colour != OTHER_INDUSTRY else colour
        counts[key] = counts.get(key, 0) + 1
    items = []
    for plan in load_manifest():
        if counts.get(plan.id):
            short = f"{plan.short_name}（{counts[plan.id]}）"
            items.append(ColourEntry(plan_colours()[plan.id], short, short))
    if counts.get(SEVERAL_PLANS):
        short = f"多个规划（{counts[SEVERAL_PLANS]}）"
        items.append(ColourEntry(SEVERAL_PLANS, f"{short} Several plans", short))
    if counts.get(OTHER_INDUSTRY):
        short = f"其他（{counts[OTHER_INDUSTRY]}）"
        items.append(ColourEntry(OTHER_INDUSTRY, f"{short} Other", short))
    return items


def count_note(rule: str, total: int, coloured: int) -> str:
    """What the colour part counts, and how it relates to the features on the map."""
    rest = total - coloured
    how = "按产业" if rule == "industry" else "按安置它的规划"
    text = f"图上要素共 {total} 处，其中 {coloured} 处符号或面{how}着色"
    if rest:
        text += f"，{rest} 处（轴线、廊带、轮廓、编号节点）按类型绘制"
    if rule == "industry":
        text += "；多产业要素计入其每个产业，颜色取图例中最靠前者"
    else:
        text += "；由多个规划安置的要素着“多个规划”色"
    return text + "；形状表示要素类型。"


# -- a view's symbology -----------------------------------------------------------------------


@dataclass
class Symbology:
    """The colours and legend of the features one view draws (made by :func:`symbolise`).

    Attributes
    ----------
    rule : str
        The colour rule (a key of :data:`RULES`).
    colours : dict of str to str
        Industry -> colour in legend order (``industry`` rule), or plan id -> colour
        (``plan`` rule).
    coloured : list of str
        Index labels (ids) of the features whose fill follows the rule.
    fills : dict of str to str
        Index label (id) -> fill colour, for every feature of the frame.
    numbered : dict of str to int
        Index label (id) -> axis order of the features drawn as numbered axis nodes.
    legend : Legend
        The legend entries.
    """

    rule: str
    colours: dict[str, str]
    coloured: list = field(default_factory=list)
    fills: dict = field(default_factory=dict)
    numbered: dict = field(default_factory=dict)
    legend: Legend = field(default_factory=lambda: Legend(DEFAULT_RULE))

    def fill_of(self, industries: Sequence[str] | None, plans: Sequence[str] | None) -> str:
        """The fill colour of a feature with these industries and plans under the rule."""
        if self.rule == "plan":
            return plan_colour(plans or [])
        return primary_colour(industries or [], self.colours)


def symbolise(
    frame: pd.DataFrame,
    rule: str = DEFAULT_RULE,
    preferred: Sequence[str] = (),
    number_axis: bool = False,
) -> Symbology:
    """The colours and legend of the features a view draws.

    Parameters
    ----------
    frame : GeoDataFrame
        The features the view draws (for a selection, :func:`spatial.exports.briefing.selection_frame`:
        the print export and the web map pass the same frame, so they agree), with the layer
        columns ``role``, ``industries``, ``plans``, ``axis_order`` (and ``group``).
    rule : str
        A key of :data:`RULES`.
    preferred : sequence of str
        Industry tags that get the first colours (the user's industry filter, canonical tags).
    number_axis : bool
        Features with an ``axis_order`` are drawn as numbered circles (a print map of an axis
        segment): they are not coloured by the rule and get their own legend entry.

    Raises
    ------
    ValueError
        For an unknown rule.
    """
    if rule not in RULES:
        raise ValueError(f"unknown colour rule {rule!r}; use one of {', '.join(RULES)}")
    if not len(frame):
        return Symbology(rule, {}, legend=Legend(rule))
    kinds = geometry_kinds(frame)
    numbered = frame["axis_order"].notna() if number_axis else pd.Series(False, frame.index)
    coloured = coloured_features(frame, number_axis)
    if rule == "industry":
        colours = industry_colours(coloured, preferred)
        entries = _industry_entries(coloured, colours) if len(coloured) else []
        title = "产业（着色要素数）Industry"
    else:
        colours = {}
        for plans in coloured["plans"]:
            colour = plan_colour(plans or [])
            if len(plans or []) == 1 and plans[0] in plan_colours():
                colours.setdefault(plans[0], colour)
        order = list(plan_colours())
        colours = dict(sorted(colours.items(), key=lambda kv: order.index(kv[0])))
        entries = _plan_entries(coloured) if len(coloured) else []
        title = "规划（着色要素数）Plan"
    sym = Symbology(rule, colours, coloured=list(coloured.index))
    if rule == "plan":
        fills = _colour_each(frame["plans"].tolist(), plan_colour)
    else:
        fills = _colour_each(frame["industries"].tolist(), lambda k: primary_colour(k, colours))
    sym.fills = dict(zip(frame.index.tolist(), fills, strict=True))
    sym.numbered = {idx: int(frame.at[idx, "axis_order"]) for idx in frame.index[numbered]}
    sym.legend = Legend(
        rule,
        _symbol_entries(frame, kinds, numbered),
        title if entries else "",
        tuple(entries),
        count_note(rule, len(frame), len(coloured)) if entries else "",
    )
    return sym


# -- the features a view draws ----------------------------------------------------------------


def drawn_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The features a map draws: with geometry; outside the city only as context (the
    ``outside`` role, :data:`spatial.plans.schema.OUTSIDE_ROLE`)."""
    keep = frame.geometry.notna() & ~frame.geometry.is_empty
    if "in_guangzhou" in frame.columns:
        roles = frame["role"] if "role" in frame.columns else [None] * len(frame)
        keep &= pd.Series(
            [
                inside is not False or role == OUTSIDE_ROLE
                for inside, role in zip(frame["in_guangzhou"], roles, strict=True)
            ],
            index=frame.index,
        )
    return frame[keep]


def preferred_industries(selection: object) -> list[str]:
    """The canonical tags of a :class:`spatial.query.features.Selection`'s industry filter, which get
    the first industry colours."""
    from spatial.plans.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    return [taxonomy.canonical(t) or t for t in getattr(selection, "industries", ())]


def view_symbology(gdf: pd.DataFrame, selection: object, rule: str = DEFAULT_RULE) -> Symbology:
    """The symbology of a selection's view: :func:`symbolise` of the features it draws, as the
    print export of the same selection computes it (same frame, same preferred industries,
    axis nodes numbered when an axis segment is chosen), so screen and paper agree.

    Parameters
    ----------
    gdf : GeoDataFrame
        Every feature (:func:`spatial.plans.layers.load_layers`).
    selection : Selection
        The view's filters (:class:`spatial.query.features.Selection`).
    rule : str
        A key of :data:`RULES`.
    """
    from spatial.query.features import select

    frame = drawn_features(select(gdf, selection))
    return symbolise(
        frame,
        rule,
        preferred_industries(selection),
        number_axis=bool(getattr(selection, "segment", None)),
    )
