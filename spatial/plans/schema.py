"""The layer contract's vocabularies: roles, districts, required properties, the city extent.

See ``docs/layer-contract.md`` for the prose version.
"""

from __future__ import annotations

import re

#: role -> (Chinese label, English label), in legend order.
ROLES: dict[str, tuple[str, str]] = {
    "axis": ("创新轴", "Innovation axis"),
    "axis_segment": ("轴段", "Axis segment"),
    "core": ("核", "Core"),
    "pole": ("极", "Pole"),
    "corridor": ("走廊", "Corridor"),
    "belt": ("带", "Belt"),
    "zone": ("片区", "Zone"),
    "node": ("节点", "Node"),
    "park": ("园区", "Park"),
    "cluster": ("产业集群", "Industry cluster"),
    "university": ("高校", "University"),
    "lab": ("实验室", "Laboratory"),
    "facility": ("设施", "Facility"),
    "outside": ("区外", "Outside Guangzhou"),
}

#: The role of places and corridors outside Guangzhou a plan names (东莞松山湖, 广深港澳科技创新
#: 走廊): drawn only as context, with a light symbol, ``in_guangzhou: false`` and no district.
OUTSIDE_ROLE = "outside"

#: role -> marker shape, shared by the web map and the print maps so a symbol means the same
#: thing in both. Shapes: circle, square, diamond, triangle, triangle_down, star, pentagon,
#: hexagon, cross.
ROLE_SHAPES: dict[str, str] = {
    "axis": "circle",
    "axis_segment": "circle",
    "core": "star",
    "pole": "triangle",
    "corridor": "circle",
    "belt": "circle",
    "zone": "square",
    "node": "circle",
    "park": "diamond",
    "cluster": "hexagon",
    "university": "pentagon",
    "lab": "triangle_down",
    "facility": "cross",
    "outside": "octagon",
}

#: Guangzhou's districts: Chinese name -> (English name, adcode).
DISTRICTS: dict[str, tuple[str, str]] = {
    "荔湾区": ("Liwan", "440103"),
    "越秀区": ("Yuexiu", "440104"),
    "海珠区": ("Haizhu", "440105"),
    "天河区": ("Tianhe", "440106"),
    "白云区": ("Baiyun", "440111"),
    "黄埔区": ("Huangpu", "440112"),
    "番禺区": ("Panyu", "440113"),
    "花都区": ("Huadu", "440114"),
    "南沙区": ("Nansha", "440115"),
    "从化区": ("Conghua", "440117"),
    "增城区": ("Zengcheng", "440118"),
}

#: Guangzhou's extent in WGS84 (lon_min, lat_min, lon_max, lat_max), with a small margin.
#: Coordinates outside it are swapped lon/lat, projected metres, or another city.
GUANGZHOU_BBOX: tuple[float, float, float, float] = (112.90, 22.50, 114.10, 23.98)

#: The extent of the context drawn outside the city (role ``outside``): the Pearl River Delta
#: with Hong Kong, Macao and 清远.
CONTEXT_BBOX: tuple[float, float, float, float] = (111.80, 21.50, 115.00, 24.60)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

#: Properties every feature must carry, with their JSON types.
REQUIRED_PROPERTIES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "name": str,
    "aliases": list,
    "role": str,
    "plans": list,
    "plan_roles": dict,
    "district": list,
    "industries": list,
    "excerpts": list,
    "location_source": str,
    "location_precision_m": (int, float),
}

#: Optional properties with their JSON types (None allowed).
OPTIONAL_PROPERTIES: dict[str, type | tuple[type, ...]] = {
    "name_en": str,
    "layer": str,
    "axis_order": int,
    "axis_segment": list,
    "group": str,
    "parent": str,
    "members": list,
    "links": list,
    "mentions": list,
    "industry_groups": list,
    "attributes": dict,
    "in_guangzhou": bool,
}

#: Every property a built feature carries, in the order layers write them.
PROPERTY_ORDER: tuple[str, ...] = (
    "id",
    "name",
    "name_en",
    "aliases",
    "role",
    "layer",
    "plans",
    "district",
    "industries",
    "industry_groups",
    "group",
    "plan_roles",
    "parent",
    "axis_order",
    "axis_segment",
    "members",
    "links",
    "attributes",
    "in_guangzhou",
    "location_source",
    "location_precision_m",
    "excerpts",
    "mentions",
)

#: Properties holding ids of other features.
REFERENCE_PROPERTIES = ("members", "links", "axis_segment", "parent")

EXCERPT_KEYS = ("plan", "seed", "section", "text")

#: Optional excerpt key: the written reason an excerpt is about its feature though it names
#: neither the feature nor an alias (a pronoun sentence, a list heading).
EXCERPT_NOTE = "note"

#: Tolerance for the feature-in-district check, metres (points on a boundary road or river bank).
DISTRICT_TOLERANCE_M = 300.0

#: Projected CRS for distances, buffers and areas: WGS 84 / UTM zone 49N.
METRIC_CRS = "EPSG:32649"


def role_label(role: str) -> str:
    """Bilingual label of a role, e.g. ``园区 Park``."""
    zh, en = ROLES.get(role, (role, ""))
    return f"{zh} {en}".strip()


#: The kinds of ``location_source`` (layer contract): the machine-readable prefix written before
#: a colon, longest first, and how the panel says it in Chinese. The note after the colon is
#: written in Chinese in the layer sources. ``derived`` is the builder's (``spatial.plans.derive``).
LOCATION_KINDS: tuple[tuple[str, str], ...] = (
    ("best knowledge (the plan gives no site)", "本项目判定的位置（规划未给出地点）"),
    ("best knowledge, uncertain", "本项目判定的位置（规划未给出坐标，位置不确定）"),
    ("best knowledge", "本项目判定的位置（规划未给出坐标）"),
    ("best guess, site not known", "估计位置（确切地点不详）"),
    ("best guess", "估计位置（确切地点不详）"),
    ("site not known", "确切地点不详，按规划所述区域标注"),
    ("site not stated", "规划未给出确切地点，按规划所述区域标注"),
    ("plan", "规划给出的位置"),
    ("drawn", "本项目判定的位置（规划未给出坐标）"),
    ("OSM", "取自 OpenStreetMap"),
)
