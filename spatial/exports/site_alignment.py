"""规划衔接 pages of a published site: each district's plan(s) against the city plan, static.

One page per district (``alignment/<district plan>.html``): the counts, the places by status
(taken up, only mentioned, not mentioned, the district's own, city places elsewhere and
places outside Guangzhou), the industries and the places the plans weigh differently, each
row opening both plans' words (:mod:`spatial.query.alignment`, the app's 规划衔接 page),
and the district's map coloured by status (:func:`spatial.webmap.pages.alignment_map`, run by
the map client; a click opens the place on the site's map). Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd

from spatial.exports.site_page import TITLE, head_html, json_in_html
from spatial.plaintext import esc
from spatial.plans.texts import SECTION_SEPARATOR
from spatial.query import alignment as al
from spatial.webmap.client import folium_parts
from spatial.webmap.pages import alignment_map, status_legend_html

__all__ = ["MAX_SHOWN", "alignment_html", "page_name", "write_pages"]

#: At most this many excerpts are listed under one claim (as the app).
MAX_SHOWN = 12
MAP_HEIGHT = 520
_ELSEWHERE = "区外 elsewhere in Guangzhou"
_BEYOND = "广州市以外 outside Guangzhou"


def page_name(plans: Sequence[str]) -> str:
    """The page's file name: the district's first plan's id (ASCII, stable)."""
    return f"alignment/{plans[0]}.html"


def _evidence(items: Iterable[Any], show_place: bool) -> str:
    """Excerpts (``text``, ``section``, ``feature_name``), each once, or 未提及."""
    items = list(items)
    if not items:
        return "<p class='gzs-caption'>（未提及 not mentioned）</p>"
    seen: set[tuple[str, str]] = set()
    out = []
    for ev in items:
        key = (str(ev.feature_name), str(ev.text))
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > MAX_SHOWN:
            out.append(
                f"<p class='gzs-caption'>另有 {len(items) - MAX_SHOWN} 条摘录 … more excerpts"
                " not shown</p>"
            )
            break
        place = f"<b>{esc(ev.feature_name)}</b>：" if show_place else ""
        section = " › ".join(p for p in str(ev.section or "").split(SECTION_SEPARATOR) if p)
        out.append(
            f"<blockquote>{place}{esc(ev.text)}</blockquote>"
            + (f"<p class='gzs-section'>{esc(section)}</p>" if section else "")
        )
    return "".join(out)


def _both(result: al.Alignment, city: list, district: list, show_place: bool) -> str:
    names = "、".join(al.plan_short(p) for p in result.district_plans)
    return (
        "<div class='gzs-both'>"
        f"<div><h4>{esc(al.plan_short(result.city_plan))}</h4>{_evidence(city, show_place)}</div>"
        f"<div><h4>{esc(names)}</h4>{_evidence(district, show_place)}</div></div>"
    )


def _roles(place: al.PlaceRow) -> str:
    roles = al.role_zh(place.city_role or place.district_role)
    if place.city_role and place.district_role and place.city_role != place.district_role:
        roles = f"市 {al.role_zh(place.city_role)} / 区 {al.role_zh(place.district_role)}"
    return roles


def _places(result: al.Alignment, link: Callable[[str], str]) -> str:
    groups = [
        *(
            (al.STATUS_LABELS[s], rows)
            for s, rows in (
                (al.BOTH, result.taken_up),
                (al.MENTIONED, result.mentioned),
                (al.CITY_ONLY, result.not_mentioned),
                (al.DISTRICT_ONLY, result.district_only),
            )
        ),
        ((_ELSEWHERE, ""), result.elsewhere),
        ((_BEYOND, ""), result.beyond),
    ]
    out = []
    for (zh, en), rows in groups:
        if not rows:
            continue
        items = []
        for place in rows:
            tied = "、".join(name for _, name in place.related)
            items.append(
                f"<details class='gzs-row' data-id='{esc(place.id)}'><summary>"
                f"<b>{esc(place.name)}</b> · {esc(_roles(place))}"
                + (f" · 关联 {esc(tied)}" if tied else "")
                + "</summary>"
                f"<p><a href='{esc(link(place.id))}'>在地图上打开 Open on the map</a></p>"
                + _both(
                    result,
                    place.city_excerpts,
                    [*place.district_excerpts, *place.district_mentions],
                    False,
                )
                + "</details>"
            )
        out.append(f"<h3>{esc(zh)} {esc(en)}（{len(rows)}）</h3>{''.join(items)}")
    return "".join(out)


def _industries(result: al.Alignment) -> str:
    if not result.industries:
        return "<p>两级规划在本区均未点名产业。Neither plan names an industry here.</p>"
    rows = []
    for row in result.industries:
        city = "、".join(dict.fromkeys(e.feature_name for e in row.city)) or "—"
        district = (
            "、".join(dict.fromkeys(e.feature_name for e in [*row.district, *row.district_wide]))
            or "—"
        )
        rows.append(
            f"<details class='gzs-row'><summary><b>{esc(row.tag)}</b>"
            f" · {esc(al.INDUSTRY_STATUS_LABELS[row.status][0])}"
            f" · 市级：{esc(city)} · 区级：{esc(district)}</summary>"
            + _both(result, row.city, [*row.district, *row.district_wide], True)
            + "</details>"
        )
    scope = " ".join(al.INDUSTRY_SCOPE) + " “全区”：区级规划对全区的表述 district-wide words."
    return "".join(rows) + f"<p class='gzs-caption'>{esc(scope)}</p>"


def _role_diffs(result: al.Alignment) -> str:
    if not result.role_diffs:
        return "<p class='gzs-caption'>两级规划对本区共同要素的定位一致。No place is weighted differently.</p>"
    head = (
        "<tr><th>名称 Place</th><th>市级 City</th><th>区级 District</th><th>区级规划 Plan</th></tr>"
    )
    body = "".join(
        f"<tr><td>{esc(d.name)}</td>"
        f"<td>{esc((al.role_zh(d.city_role) + ' ' + (d.city_group or '')).strip())}</td>"
        f"<td>{esc((al.role_zh(d.district_role) + ' ' + (d.district_group or '')).strip())}</td>"
        f"<td>{esc(al.plan_short(d.district_plan))}</td></tr>"
        for d in result.role_diffs
    )
    return f"<table class='gz-facts gzs-table'>{head}{body}</table>"


def alignment_html(
    result: al.Alignment,
    map_message: dict[str, Any] | None,
    *,
    scripts: Sequence[str],
    styles: Sequence[str],
    home: str,
    noindex: bool = False,
) -> str:
    """One district's 规划衔接 page. ``home`` is the map page's URL (a place opens there with
    ``?node=<id>``); ``map_message`` the map client's message of the district's map."""
    counts = result.counts()
    names = "、".join(al.plan_short(p) for p in result.district_plans)
    title = f"规划衔接 {result.district}：{names} 对照 {al.plan_short(result.city_plan)}"
    metrics = "".join(
        f"<div><b>{n}</b><span>{esc(label)}</span></div>"
        for label, n in (
            ("区级规划承接 Taken up", counts[al.BOTH]),
            ("区级仅提及 Mentioned", counts[al.MENTIONED]),
            ("区级未提及 Not mentioned", counts[al.CITY_ONLY]),
            ("区级自有 District only", counts[al.DISTRICT_ONLY]),
            (
                "产业两级均有 Shared industries",
                sum(1 for r in result.industries if r.status == al.BOTH),
            ),
        )
    )
    config = {"page": "alignment", "home": home, "message": map_message}
    body = (
        "<body class='gzs-doc'>"
        f"<header class='gzs-head'><h1>{esc(title)}</h1>"
        f"<nav><a href='{esc(home)}'>返回地图 {esc(TITLE)}</a></nav></header>"
        f"<div class='gzs-metrics'>{metrics}</div>"
        "<div class='gzs-align'>"
        f"<div class='gzs-align-map'>{status_legend_html()}"
        f"<div id='gzs-align-map' style='height:{MAP_HEIGHT}px'></div></div>"
        "<div class='gzs-align-text'>"
        f"<h2>地点 Places</h2>{_places(result, lambda fid: f'{home}?node={fid}')}"
        f"<h2>产业 Industries</h2>{_industries(result)}"
        f"<h2>定位 Roles</h2>{_role_diffs(result)}"
        "</div></div>"
        f"<script type='application/json' id='gzs-config'>{json_in_html(config)}</script>"
        + "".join(f'<script defer src="{esc(u)}"></script>' for u in scripts)
        + "</body></html>"
    )
    return head_html(title, styles, noindex=noindex) + body


def write_pages(
    folder: Path,
    gdf: gpd.GeoDataFrame,
    *,
    districts: gpd.GeoDataFrame | None,
    basemap: str,
    url: Callable[[str, int], str],
    scripts: Sequence[str],
    styles: Sequence[str],
    noindex: bool,
    write: Callable[[Path, bytes], None],
    context: str = "",
) -> list[tuple[str, str]]:
    """Write the page of every district with a plan; returns ``(label, path)`` of each.

    ``url(path, depth)`` makes the URL of a file of the site (a path from its folder) as a page
    ``depth`` folders down links to it; ``scripts`` and ``styles`` are such paths, and so is
    ``context``, the offline basemap's file in the basemap's datum ("" for none): the map draws
    it where its tiles do not load, as the site's map does.
    """
    pages = []
    for district, plans in al.alignment_targets().items():
        result = al.align(gdf, district)
        fmap = alignment_map(gdf, result, districts=districts, basemap=basemap)
        parts = folium_parts(fmap)
        message = {
            "v": 1,
            "mode": "folium",
            "height": MAP_HEIGHT,
            "report": ["last_object_clicked_tooltip"],
            "scripts": parts.pop("scripts"),
            "styles": parts.pop("styles"),
            "folium": parts,
        }
        if context:
            message["context"] = url(context, 1)
        path = page_name(plans)
        html = alignment_html(
            result,
            message,
            scripts=[url(s, 1) for s in scripts],
            styles=[url(s, 1) for s in styles],
            home=url("", 1) or "./",
            noindex=noindex,
        )
        write(folder / path, html.encode("utf-8"))
        pages.append((f"{district}", path))
    return pages
