"""What the map client is told: its symbology once, then a message per view.

The client (``static/gzmap/``) holds the features of a layer version and the district
outlines (static files, :mod:`spatial.webmap.publish`). A host (the app's component, or a
static page) hands it *messages*; each names the files and says what to do with them:

``{"v": 1, "mode": "features", "base": …, "data": {"features": url, "districts": url,
"context": url}, "selection": {…}, "own": {…} | null, "pick": {…} | null, "area": {…} | null}``

``selection``
    ``key`` (its identity), ``show`` (which features, :func:`encode_show`), ``roles`` (the
    features drawn in another role than the file's, by position: each plan's own roles),
    ``colour`` (the colour rule, :func:`colour_spec`), ``numbered`` (position -> axis number),
    ``legend`` (:func:`legend_entries`), ``highlight`` (a position, or -1), ``frame``
    (``{key, bounds}``: fitted when the key is new), ``focus`` (``{key, center, zoom}``: the
    view moves there when the key is new), ``unsited`` ([[district, count], …]).
``data.context``
    The offline basemap's file (:func:`spatial.webmap.publish.context_document`), fetched
    only when the client draws it (no tiles, or none of them load); empty without one.
``own``
    The user's own layer: ``{key, name, file, features}`` once (:func:`own_features`),
    ``{key, name, file}`` after (the client keeps what it was sent; it reports ``need`` when
    it lacks a layer it is told of). A click on one of its features is reported as ``own``
    ``{key, id}``.
``pick``
    ``{key, hint}`` while a click on the map gives a place its position (the 建议修改 form is
    open): every click is reported as ``click`` ``{lat, lng, pick}`` in the map's datum.
``area``
    ``{key, geometry}``: the study area to draw (GeoJSON in the map's datum); a study area
    drawn with the map's tool is reported as ``area`` ``{geometry}``.

``url``
    ``{query, keys}``: the page's URL query of the view, and every query key the host owns
    (the client writes ``#map=`` only while the page's URL holds that query).
``predict`` (the app only)
    ``{index, script, labels, clear, colour, count}``: what lets the client redraw at a
    filter's click before the host's answer (``static/gzmap/predict.js``): the layers' view
    index (:func:`spatial.webmap.siteindex.view_index`) and the code computing a view from it
    (``siteview.js``), each filter widget's option labels -> values, the key of the 清除筛选
    button, the default colour rule and the wording of the count beside the page's title.

The app's component sends ``height``, ``scripts``, ``base``, ``data``, ``url`` and ``predict``
(:data:`KEPT`)
only when they differ from what it sent last, and ``url`` without its ``keys`` when only the
query changed (:func:`unsent`); its loader (``static/gzmap/loader.js``) keeps the last of each
and writes them back into every message before the client sees it, and reports ``need``
``{kept: true}`` when it holds none (the host then sends them all again).

The 打印当前视图 button reports ``view`` ``{bounds: [[s, w], [n, e]], center, zoom, size}``
(the map's extent, in its datum).
``mode: "folium"``
    A whole folium map (:func:`folium_parts`), for the pages whose map is drawn per result;
    ``context`` (optional) the offline basemap's URL, drawn as the main map draws it.

The symbology reaches the client once, in its bundle (:func:`client_style`): every colour,
shape, size and label rule comes from :mod:`spatial.symbology`, :mod:`spatial.webmap.styles`
and :mod:`spatial.webmap.labels`, so the screen and the print export draw from one source.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import numpy as np

from spatial import symbology
from spatial.plaintext import text_of
from spatial.plans.schema import ROLES
from spatial.symbology import Legend, Symbology
from spatial.webmap.labels import CITY_ROLES, MAX_LABELS, MIN_ZOOM, ROLE_PRIORITY
from spatial.webmap.popups import role_zh
from spatial.webmap.publish import _coordinates
from spatial.webmap.screen import POINT_CLOUD_MIN
from spatial.webmap.styles import (
    _DEFAULT_STYLE,
    _SHAPES,
    OUTLINE,
    ROLE_STYLES,
    UNMARKED_ROLES,
    RoleStyle,
    _canvas_shape,
)
from spatial.webmap.tools import AREA_STYLE

__all__ = [
    "KEPT",
    "PROTOCOL",
    "client_style",
    "colour_spec",
    "compact_legend",
    "expand_legend",
    "decode_show",
    "encode_show",
    "folium_parts",
    "legend_entries",
    "own_features",
    "own_layer_style",
    "unsent",
    "restore_kept",
    "view_selection",
]

#: The version of the messages (``"v"``); a client refuses none, but a host can check it.
PROTOCOL = 1


#: Parts of the app's map message that seldom change from run to run: sent when they do.
KEPT = ("height", "scripts", "base", "data", "url", "predict")


def unsent(message: Mapping[str, Any], sent: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``message`` without the parts :data:`KEPT` the host sent last (``sent``), and the
    parts sent so far after it.

    ``url`` goes without its ``keys`` when only its query changed. The component's loader
    writes what is missing back from what it kept (:func:`restore_kept` does the same).

    Parameters
    ----------
    message : mapping
        The whole message of this run.
    sent : mapping
        What :func:`unsent` returned as sent last run (empty at first, or when the client
        reported ``need`` ``{kept: true}``).

    Returns
    -------
    tuple of dict
        The message to send, and what has been sent after it.
    """
    out, now = dict(message), dict(sent)
    for key in KEPT:
        if key not in message:
            continue
        value, last = message[key], sent.get(key)
        if value == last:
            del out[key]
        elif key == "url" and isinstance(value, dict) and isinstance(last, dict) and (
                "keys" in value and value.get("keys") == last.get("keys")):
            out[key] = {k: v for k, v in value.items() if k != "keys"}
        now[key] = value
    return out, now


def restore_kept(message: Mapping[str, Any], kept: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`unsent`, as ``static/gzmap/loader.js`` does it: ``message`` with
    the parts :data:`KEPT` it lacks taken from ``kept`` (what was sent last)."""
    out = dict(message)
    for key in KEPT:
        if key not in out and key in kept:
            out[key] = kept[key]
    url, last = out.get("url"), kept.get("url")
    if isinstance(url, dict) and "keys" not in url and isinstance(last, dict) and "keys" in last:
        out["url"] = {**url, "keys": last["keys"]}
    return out


def _role(style: RoleStyle, role: str) -> dict[str, Any]:
    return {
        "color": style.color, "shape": style.shape, "size": style.size, "dash": style.dash,
        "weight": style.weight, "fill_opacity": style.fill_opacity,
        "marked": role not in UNMARKED_ROLES, "zh": role_zh(role), "en": _role_en(role),
    }


def _role_en(role: str) -> str:
    return ROLES.get(role, ("", ""))[1]


def _industry_en() -> dict[str, str]:
    from spatial.plans.taxonomy import load_taxonomy

    return {i.tag: i.en for i in load_taxonomy().industries}


def own_layer_style() -> dict[str, dict[str, Any]]:
    """How the client draws an uploaded layer (:data:`spatial.symbology.OWN_SYMBOL`, as the
    print map's overlay, :mod:`spatial.plot.overlay`, does): Leaflet path options of its
    lines and areas, and its points' pin (``shape``: ``[x0, y0, x1, y1, …]`` in half sizes,
    the tip on the point), ``size`` (px) and colours."""
    own = symbology.OWN_SYMBOL

    def dashes(weight: float) -> str:
        return " ".join(f"{v * weight:g}" for v in own.dash)

    return {
        "polygon": {"color": own.edge, "weight": 2.5, "dashArray": dashes(2.5), "fill": True,
                    "fillColor": own.fill, "fillOpacity": own.fill_alpha, "pane": "gzPolygons"},
        "line": {"color": own.edge, "weight": 3, "dashArray": dashes(3), "pane": "gzLines"},
        "point": {"shape": [v for xy in own.pin for v in xy], "size": 16, "fill": own.fill,
                  "edge": own.edge},
    }


def client_style() -> dict[str, Any]:
    """The symbology the client draws with (``GzMap.style``), written into its bundle."""
    return {
        "outline": OUTLINE,
        "neutral": symbology.NEUTRAL_FILL,
        "axis": symbology.role_symbol("axis").colour,
        "roles": {role: _role(style, role) for role, style in ROLE_STYLES.items()},
        "default_role": _role(_DEFAULT_STYLE, ""),
        "shapes": dict(_SHAPES),
        "canvas_shapes": {name: _canvas_shape(name) for name in _SHAPES},
        "industry_palette": list(symbology.INDUSTRY_PALETTE),
        "industry_en": _industry_en(),
        "no_industry": symbology.NO_INDUSTRY,
        "other": symbology.OTHER_INDUSTRY,
        "several_plans": symbology.SEVERAL_PLANS,
        "plan_colours": symbology.plan_colours(),
        "cloud_min": POINT_CLOUD_MIN,
        "labels": {
            "priority": ROLE_PRIORITY, "city_roles": list(CITY_ROLES), "min_zoom": MIN_ZOOM,
            "max": MAX_LABELS,
        },
        "own": own_layer_style(),
        "area": dict(AREA_STYLE),
    }


def encode_show(positions: Sequence[int] | np.ndarray, n: int) -> dict[str, Any]:
    """Which of ``n`` features a view shows, as compactly as the positions allow.

    ``{"all": true}``; or ``{"ranges": [start, length, …]}`` when the positions come in few
    runs (a filter by plan or layer); or ``{"bits": base64}`` (bit ``i`` of byte ``i >> 3``,
    lowest bit first: n / 6 characters whatever is chosen, ~33 KB for 200,000 features).
    """
    pos = np.unique(np.asarray(positions, dtype=np.int64))
    pos = pos[(pos >= 0) & (pos < n)]
    if len(pos) == n:
        return {"all": True}
    if len(pos) == 0:
        return {"ranges": []}
    breaks = np.flatnonzero(np.diff(pos) != 1) + 1
    starts = pos[np.r_[0, breaks]]
    ends = pos[np.r_[breaks - 1, len(pos) - 1]] + 1
    if len(starts) * 2 * 7 < n / 6:  # ~7 characters a number against n/6 for the bits
        return {"ranges": np.column_stack([starts, ends - starts]).ravel().tolist()}
    bits = np.zeros(n, dtype=np.uint8)
    bits[pos] = 1
    return {"bits": base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode()}


def decode_show(show: Mapping[str, Any], n: int) -> np.ndarray:
    """The positions a ``show`` of :func:`encode_show` names, of ``n`` features (sorted)."""
    if show.get("all"):
        return np.arange(n)
    if "ranges" in show:
        pairs = np.asarray(show["ranges"], dtype=np.int64).reshape(-1, 2)
        runs = [np.arange(start, min(n, start + length)) for start, length in pairs]
        return np.concatenate(runs) if runs else np.zeros(0, dtype=np.int64)
    bits = np.unpackbits(np.frombuffer(base64.b64decode(show["bits"]), dtype=np.uint8),
                         bitorder="little")[:n]
    return np.flatnonzero(bits)


def colour_spec(sym: Symbology) -> dict[str, Any]:
    """The colour rule of a view for the client: ``{"rule": "plan"}`` (each plan's fixed
    colour), or ``{"rule": "industry", "tags": [tag, …]}``: the tags in legend order, which
    wear the industry palette's colours in that order (a feature wears the colour of its
    first tag in that order); ``"colours": [[tag, colour], …]`` should they ever not."""
    if sym.rule == "plan":
        return {"rule": "plan"}
    tags, colours = list(sym.colours), list(sym.colours.values())
    if colours == list(symbology.INDUSTRY_PALETTE[: len(colours)]):
        return {"rule": sym.rule, "tags": tags}
    return {"rule": sym.rule, "colours": [[t, c] for t, c in sym.colours.items()]}


def legend_entries(legend: Legend | None, colours: Mapping[str, str] | None = None
                   ) -> dict[str, Any] | None:
    """A legend for the client, or None when it lists nothing.

    ``{rule, title, symbols: [[key, swatch, short(, label)]], colour_title, colours:
    [[colour, short(, label)]], note}``. The whole label is left out where the client makes
    it the same from what it holds: a role's short label and its English name
    (``核（含四核、一核） Core``); an industry's short label and the English name of the tag
    that wears the colour (``colours``: tag -> colour, the view's); else the short label
    itself. The client draws each swatch from its symbology.
    """
    if legend is None or not (legend.symbols or legend.colours):
        return None
    tag_of = {c: t for t, c in (colours or {}).items()}
    industry_en = _industry_en()

    def symbol(e: Any) -> list[str]:
        made = f"{e.short} {_role_en(e.key)}".strip()
        return [e.key, e.swatch, e.short] + ([] if made == e.label else [e.label])

    def colour(c: Any) -> list[str]:
        en = industry_en.get(tag_of.get(c.colour, ""), "")
        made = f"{c.short} {en}" if en else c.short
        return [c.colour, c.short] + ([] if made == c.label else [c.label])

    return {
        "rule": legend.rule,
        "title": "图例 Legend",
        "symbols": [symbol(e) for e in legend.symbols],
        "colour_title": legend.colour_title,
        "colours": [colour(c) for c in legend.colours],
        "note": legend.note,
    }


def compact_legend(selection: dict[str, Any]) -> dict[str, Any]:
    """``selection`` with its legend's leading industry colours as counts, for the app's map
    component (``static/gzmap/loader.js`` writes them out again before the client sees the
    message): ``counts: [n, …]`` for entries ``[palette[k], "tag（n）"]`` of the colour rule's
    tags in order. Entries that are not so (another palette, a whole label) stay as they are.
    Half of a legend's bytes, sent again with every change of the view.
    """
    legend, colour = selection.get("legend"), selection.get("colour") or {}
    tags = colour.get("tags")
    if not legend or colour.get("rule") != "industry" or not tags:
        return selection
    counts: list[int] = []
    for k, entry in enumerate(legend.get("colours", [])[: len(tags)]):
        found = re.fullmatch(re.escape(tags[k]) + r"（(\d+)）", entry[1]) if len(entry) == 2 else None
        if found is None or k >= len(symbology.INDUSTRY_PALETTE) or (
                entry[0] != symbology.INDUSTRY_PALETTE[k]):
            break
        counts.append(int(found.group(1)))
    if not counts:
        return selection
    legend = {**legend, "counts": counts, "colours": legend["colours"][len(counts):]}
    return {**selection, "legend": legend}


def expand_legend(selection: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`compact_legend`, as ``static/gzmap/loader.js`` does it in the
    browser: the legend's ``counts`` written out as ``[palette[k], "tag（n）"]`` entries."""
    legend = selection.get("legend")
    if not legend or "counts" not in legend:
        return selection
    tags = selection["colour"]["tags"]
    palette = symbology.INDUSTRY_PALETTE
    written = [[palette[k], f"{tags[k]}（{n}）"] for k, n in enumerate(legend["counts"])]
    legend = {k: v for k, v in legend.items() if k != "counts"}
    legend["colours"] = written + list(legend.get("colours", []))
    return {**selection, "legend": legend}


def bounds_list(bounds: Any) -> list[list[float]] | None:
    """``((south, west), (north, east))`` as JSON lists (None stays None)."""
    if bounds is None:
        return None
    return [[float(bounds[0][0]), float(bounds[0][1])], [float(bounds[1][0]), float(bounds[1][1])]]


_FOLIUM_ID = re.compile(r"_[0-9a-f]{32}\b")


def folium_parts(m: folium.Map) -> dict[str, Any]:
    """A folium map as the client runs it: its name (the variable and the ``<div>`` id its
    script uses), its script (:class:`GzMap.PageMap` runs it in a ``<div>`` of that id), and
    the scripts and style sheets its plugins need besides Leaflet (folium's ``default_js`` and
    ``default_css`` of its elements, e.g. Leaflet.draw for ``folium.plugins.Draw``).

    folium names each element with a random id; here they are numbered in order of
    appearance, so the same map gives the same script and a rerun that sends it again leaves
    the map in the browser as it is. Leaflet itself is the client's; nothing may come from
    outside the machine, so a plugin's files must be the app's own (a URL that is not a path
    on this server is refused: ``ValueError``).
    """
    figure = m.get_root()
    figure.render()
    names: dict[str, str] = {}

    def number(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"_n{len(names)}")

    script = _FOLIUM_ID.sub(number, figure.script.render())
    scripts: list[str] = []
    styles: list[str] = []
    for element in _elements(m):
        for name, url in getattr(element, "default_js", []):
            if name != "leaflet" and url not in scripts:
                scripts.append(url)
        for name, url in getattr(element, "default_css", []):
            if name != "leaflet_css" and url not in styles:
                styles.append(url)
    outside = [u for u in scripts + styles if not u.startswith("/")]
    if outside:
        raise ValueError(f"a map's plugin files must be the app's own, not {outside}")
    return {"name": _FOLIUM_ID.sub(number, m.get_name()), "script": script,
            "scripts": scripts, "styles": styles}


def _elements(element: Any) -> list[Any]:
    """An element and everything under it (folium's tree of children)."""
    out = [element]
    for child in getattr(element, "_children", {}).values():
        out += _elements(child)
    return out


def own_features(gdf: Any) -> dict[str, Any]:
    """An uploaded layer (in the basemap's datum) as GeoJSON for the client: each feature's
    ``label`` is its name (the first of ``name``, ``名称``, ``NAME``, ``title`` it has), as
    text the client escapes; a line or an area has ``label_at``, where its name goes ([lon,
    lat], a point on it)."""
    label_col = next((c for c in ("name", "名称", "NAME", "title") if c in gdf.columns), None)
    features = []
    for idx, row in gdf.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        props: dict[str, Any] = {"label": text_of(row[label_col]) if label_col else ""}
        if geom.geom_type not in ("Point", "MultiPoint"):
            at = geom.representative_point()
            props["label_at"] = [round(at.x, 5), round(at.y, 5)]
        features.append({
            "type": "Feature",
            "id": str(idx),
            "properties": props,
            "geometry": {"type": geom.geom_type, "coordinates": _coordinates(geom)},
        })
    return {"type": "FeatureCollection", "features": features}


def view_selection(
    shown: Any, default_roles: Any, position: Mapping[str, int], sym: Symbology
) -> dict[str, Any]:
    """What a view tells the client (the ``selection`` of a message, less what depends on
    the moment: highlight, frame key, focus, counts of places without a site).

    Parameters
    ----------
    shown : GeoDataFrame
        The features of the view, indexed by id, with each plan's own roles
        (:func:`spatial.query.features.select`).
    default_roles : Series
        Feature id -> its role in the features file (the layers' ``role`` column).
    position : mapping
        Feature id -> its position in the features file.
    sym : Symbology
        The view's colours and legend (:func:`spatial.symbology.view_symbology`).

    Returns
    -------
    dict
        ``show``, ``roles``, ``colour``, ``numbered``, ``legend`` and ``bounds`` (the frame of
        the features drawn, or None).
    """
    from spatial.webmap.screen import frame_bounds

    ids = shown.index.tolist()
    at = np.fromiter((position.get(fid, -1) for fid in ids), dtype=np.int64, count=len(ids))
    drawn = shown[at >= 0]
    at = at[at >= 0]
    roles = drawn["role"].to_numpy(dtype=object)
    before = default_roles.reindex(drawn.index).to_numpy(dtype=object)
    moved = np.flatnonzero((roles != before) & np.array([isinstance(r, str) and r != ""
                                                         for r in roles], dtype=bool))
    return {
        "show": encode_show(at, len(position)),
        "roles": {str(int(at[k])): str(roles[k]) for k in moved},
        "colour": colour_spec(sym),
        "numbered": {str(position[fid]): n for fid, n in sym.numbered.items() if fid in position},
        "legend": legend_entries(sym.legend, sym.colours if sym.rule != "plan" else None),
        "bounds": bounds_list(frame_bounds(drawn)),
    }
