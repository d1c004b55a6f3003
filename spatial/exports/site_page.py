"""The HTML of a published site's map page: the controls, the map's element, the panel and the
configuration its script reads (``static/gzmap/site.js``).

The controls are written here, from the site's index (:func:`spatial.webmap.siteindex.site_index`):
every option a filter offers, labelled as the app labels it, Chinese first. Every text is
escaped (:func:`spatial.plaintext.esc`); the configuration is JSON in a
``<script type="application/json">`` element (data, never run), with ``<`` written as
``\\u003c`` so no text in it can close the element. The page runs no inline script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from spatial.plaintext import esc

__all__ = ["TITLE", "head_html", "json_in_html", "map_page"]

TITLE = "广州“十四五”科技创新规划地图"
TITLE_EN = "Guangzhou 14th Five-Year S&T plans: the map"
SEARCH_HINT = "地名、别称或规划原文，如 生物医药"
TILES_NOTE = (
    "底图瓦片需联网；无法加载时自动改用“离线底图”（水系、道路、铁路、机场）。"
    "Tiles need internet; without them the map draws the offline basemap."
)


def json_in_html(doc: Any) -> str:
    """JSON safe inside an HTML element: ``<``, ``>`` and ``&`` as ``\\u`` escapes."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def head_html(
    title: str, styles: Sequence[str], *, noindex: bool, preload: Sequence[str] = ()
) -> str:
    """``<head>`` of a page of the site: its title, style sheets, data fetched early, and
    ``noindex`` for search engines when asked."""
    robots = '<meta name="robots" content="noindex, nofollow">' if noindex else ""
    links = "".join(f'<link rel="stylesheet" href="{esc(u)}">' for u in styles)
    early = "".join(
        f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{esc(u)}">' for u in preload
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{robots}<title>{esc(title)}</title>{early}{links}</head>"
    )


def _checkbox(name: str, value: str, label: str, cls: str = "", count: bool = False) -> str:
    n = "<span class='gzs-n'></span>" if count else ""
    return (
        f"<label class='{cls}'><input type='checkbox' name='{esc(name)}' value='{esc(value)}'>"
        f" {esc(label)} {n}</label>"
    )


def _filter(key: str, title: str, boxes: Sequence[str], open_: bool = False) -> str:
    return (
        f"<details class='gzs-filter' data-key='{esc(key)}'{' open' if open_ else ''}>"
        f"<summary>{esc(title)} <span class='gzs-chosen'></span></summary>"
        f"<div class='gzs-options'>{''.join(boxes)}</div></details>"
    )


def _controls(index: Mapping[str, Any], basemaps: Sequence[Mapping[str, str]]) -> str:
    opts = index["options"]
    plans = {p[0]: p[2] for p in index["plans"]}
    tags = {t[0]: t for t in index["tax"]["tags"]}
    roles = {r[0]: f"{r[1]} {r[2]}".strip() for r in index["roles"]}
    names = {f["id"]: f["name"] for f in index["f"]}

    def industry(tag: str) -> str:
        t = tags.get(tag)
        if t is None:
            return _checkbox("industries", tag, tag, count=True)
        if not t[2]:
            return _checkbox(
                "industries",
                tag,
                f"{tag} {t[1]} · 大类".replace("  ", " "),
                "gzs-group",
                count=True,
            )
        return _checkbox("industries", tag, f"└ {tag} {t[1]}".strip(), "gzs-child", count=True)

    colours = "".join(
        f"<label><input type='radio' name='colour' value='{k}'> {esc(label)}</label> "
        for k, label in (("industry", "产业 Industry"), ("plan", "规划 Plan"))
    )
    choices = "".join(
        f"<option value='{esc(b['key'])}'>{esc(b['label'])}</option>" for b in basemaps
    )
    return (
        "<form id='gzs-filters' class='gzs-form' role='search'>"
        "<h2 class='gzs-visually-hidden'>筛选 Filter</h2>"
        "<p id='gzs-notes' hidden></p>"
        "<label class='gzs-field' for='gzs-q'>搜索 Search</label>"
        f"<input type='search' id='gzs-q' name='q' maxlength='100' placeholder='{esc(SEARCH_HINT)}'"
        " autocomplete='off'>"
        "<div id='gzs-hits' aria-live='polite'></div>"
        + _filter(
            "plans",
            "规划 Plans",
            [_checkbox("plans", p, plans.get(p, p)) for p in opts["plans"]],
            open_=True,
        )
        + _filter("industries", "产业 Industries", [industry(t) for t in opts["industries"]])
        + _filter(
            "roles", "类型 Roles", [_checkbox("roles", r, roles.get(r, r)) for r in opts["roles"]]
        )
        + _filter(
            "clusters",
            "产业集群 Clusters（花都 表5-1）",
            [_checkbox("clusters", c, names.get(c, c)) for c in opts["clusters"]],
        )
        + "<button type='button' id='gzs-clear'>清除筛选 Clear filters</button>"
        f"<fieldset class='gzs-colour'><legend>着色 Colour by</legend>{colours}</fieldset>"
        "<label class='gzs-field' for='gzs-basemap'>底图 Basemap</label>"
        f"<select id='gzs-basemap'>{choices}</select>"
        f"<p class='gzs-note'>{esc(TILES_NOTE)}</p>"
        "</form>"
    )


def _walk(index: Mapping[str, Any]) -> str:
    segments = index["segments"]
    options = "<option value=''>不限 All features</option>" + "".join(
        f"<option value='{esc(key)}'>{esc(seg['label'])}</option>" for key, seg in segments.items()
    )
    return (
        "<div class='gzs-walk'>"
        "<label for='gzs-segment'>浏览科技创新轴 Browse the innovation axis</label>"
        f"<select id='gzs-segment'>{options}</select>"
        "<div class='gzs-steps'><button type='button' id='gzs-prev'>◀ 上一个 Prev</button>"
        "<span id='gzs-where'></span>"
        "<button type='button' id='gzs-next'>下一个 Next ▶</button></div>"
        "<ol id='gzs-walk-list' aria-label='轴上节点 Nodes in axis order'></ol></div>"
    )


def map_page(
    index: Mapping[str, Any],
    config: Mapping[str, Any],
    *,
    scripts: Sequence[str],
    styles: Sequence[str],
    preload: Sequence[str] = (),
    pages: Sequence[tuple[str, str]] = (),
    noindex: bool = False,
) -> str:
    """The map page.

    Parameters
    ----------
    index : mapping
        The site's index (its options and labels make the controls).
    config : mapping
        What ``site.js`` reads: ``index``, ``panels``, ``features``, ``districts`` and
        ``context`` (datum -> URL; ``context`` the offline basemap's geography), ``basemaps`` ([{key, label, datum, script}], the first the default),
        ``default_basemap``.
    scripts, styles : sequence of str
        URLs of the scripts (run in order, deferred) and style sheets.
    preload : sequence of str
        URLs of data files to fetch while the scripts load.
    pages : sequence of (label, URL)
        Other pages of the site, linked from the header (规划衔接).
    noindex : bool
        Ask search engines not to index the page.
    """
    links = "".join(f"<a href='{esc(url)}'>{esc(label)}</a>" for label, url in pages)
    nav = f"<nav aria-label='规划衔接 Alignment'>规划衔接：{links}</nav>" if links else ""
    body = (
        "<body><div class='gzs'>"
        f"<header class='gzs-head'><h1>{esc(TITLE)}</h1><span id='gzs-count'></span>{nav}"
        "<button type='button' id='gzs-menu' aria-expanded='false' aria-controls='gzs-side'>"
        "筛选 Filters</button></header>"
        f"<aside class='gzs-side' id='gzs-side'>{_controls(index, config['basemaps'])}</aside>"
        "<main class='gzs-map'><div id='map' role='region' aria-label='地图 Map'></div></main>"
        f"<section class='gzs-panel' id='gzs-panel'>{_walk(index)}"
        "<div id='gzs-place' class='gzs-place' aria-live='polite'></div>"
        "<details class='gzs-results' id='gzs-results-box'><summary>结果 Results"
        "<span id='gzs-results-n'></span></summary>"
        "<p id='gzs-results-count' class='gzs-caption'></p><ul id='gzs-results'></ul></details>"
        "</section></div>"
        f"<script type='application/json' id='gzs-config'>{json_in_html(dict(config))}</script>"
        + "".join(f'<script defer src="{esc(u)}"></script>' for u in scripts)
        + "<noscript>本页地图需启用 JavaScript。The map needs JavaScript.</noscript>"
        "</body></html>"
    )
    return head_html(f"{TITLE} · {TITLE_EN}", styles, noindex=noindex, preload=preload) + body
