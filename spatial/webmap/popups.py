"""Text on the web map: escaping, hover tooltips (with the hidden feature id) and popups.

Every string that comes from a plan or an uploaded file is HTML-escaped here before it reaches
the map. A clicked feature is recognised by the id hidden in its tooltip
(:func:`tooltip_feature_id`): ``streamlit-folium`` reports the clicked object's tooltip text
and nothing else about it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from spatial.plaintext import esc, text_of
from spatial.plans.about import excerpt_display
from spatial.plans.manifest import load_manifest
from spatial.plans.schema import ROLES, role_label

FONT_STACK = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"

_ID_MARK_RE = re.compile(r"⟦([a-z0-9][a-z0-9_-]{0,79})⟧")


def role_zh(role: Any) -> str:
    """The Chinese name of a role (``园区``); an unknown role as it is, a missing one ``""``."""
    code = text_of(role)
    return ROLES.get(code, (code, ""))[0]


def tooltip_html(row: Mapping[str, Any]) -> str:
    """Hover text of a feature: its name and role, with its id hidden for click handling."""
    fid = str(row.get("id") or "")
    role = role_zh(row.get("role"))
    hidden = f'<span style="display:none">⟦{esc(fid)}⟧</span>' if fid else ""
    return f"<b>{esc(row.get('name'))}</b> · {esc(role)}{hidden}"


def tooltip_feature_id(text: str | None) -> str | None:
    """The feature id hidden in a clicked tooltip's text, or None (districts, user layers)."""
    if not text:
        return None
    match = _ID_MARK_RE.search(str(text))
    return match.group(1) if match else None


#: Styles of :func:`popup_html`, written once in the map's page (a map has hundreds of
#: popups; inline styles would repeat in each).
POPUP_CSS = (
    f".gzp{{font:13px/1.45 {FONT_STACK};color:#111;max-width:340px}}"
    ".gzp-name{font-size:15px;font-weight:600}"
    ".gzp-note{color:#555}"
    ".gzp-meta{color:#333}"
    ".gzp-quote{margin-top:5px;border-left:3px solid #999;padding-left:6px}"
    ".gzp-source{color:#555;font-size:12px}"
)


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def popup_html(
    row: Mapping[str, Any],
    plan_names: Mapping[str, str] | None = None,
    max_excerpts: int = 3,
    excerpt_chars: int = 110,
) -> str:
    """Popup of a feature: name, role, districts, industries and the plans' words about it.

    Styled by classes whose rules are :data:`POPUP_CSS` (the map's page carries them).

    Parameters
    ----------
    row : mapping
        One feature's properties (a row of :func:`spatial.plans.layers.load_layers`).
    plan_names : mapping, optional
        Plan id -> display name; default the manifest's short names.
    max_excerpts, excerpt_chars : int
        How many excerpts, and how much of each, the popup shows (the app's panel shows all).
    """
    if plan_names is None:
        plan_names = {p.id: p.short_name for p in load_manifest()}
    parts = ['<div class="gzp">']
    parts.append(f'<div class="gzp-name">{esc(row.get("name"))}</div>')
    if text_of(row.get("name_en")):
        parts.append(f'<div class="gzp-note">{esc(row.get("name_en"))}</div>')
    meta = [role_label(row.get("role") or "")]
    districts = list(row.get("district") or [])
    if districts:
        meta.append("、".join(districts))
    parts.append(f'<div class="gzp-meta">{esc(" · ".join(meta))}</div>')
    industries = list(row.get("industries") or [])
    if industries:
        parts.append(f"<div>产业：{esc('、'.join(industries))}</div>")
    excerpts = list(row.get("excerpts") or [])
    for exc in excerpts[:max_excerpts]:
        plan = plan_names.get(exc.get("plan", ""), exc.get("plan", ""))
        section = str(exc.get("section") or "").split(" › ")[-1]
        parts.append(
            '<div class="gzp-quote">'
            f'<div class="gzp-source">{esc(plan)}'
            f"{' · ' + esc(section) if section else ''}</div>"
            f"<div>“{esc(_short(excerpt_display(exc), excerpt_chars))}”</div></div>"
        )
    if len(excerpts) > max_excerpts:
        parts.append(f'<div class="gzp-note">另有 {len(excerpts) - max_excerpts} 段摘录</div>')
    parts.append("</div>")
    return "".join(parts)


