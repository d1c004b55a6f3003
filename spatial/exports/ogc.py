"""OGC API – Features for GIS software: the pygeoapi configuration of the built layers.

``gzmap ogc-config OUT.yml`` writes, from ``layers/*.geojson``, ``layers/register.json`` and
``seeds/manifest.json``:

* ``OUT.yml``: the pygeoapi configuration, read-only, one **collection per layer file** (the
  layer exactly as built, points, lines and polygons together), one collection per **geometry
  kind** over all layers (``points``, ``lines``, ``polygons``: a QGIS layer holds one geometry
  type and QGIS takes it from the first page of items, so a mixed collection shows one kind
  only there; lines and polygons are promoted to ``Multi…`` so each kind has one type), and
  the **register** (``register``: places a plan names without a known site; every feature has
  ``"geometry": null`` and no ``bbox`` query returns one). Titles and descriptions in Chinese,
  then English, from the manifest;
* ``OUT.openapi.yml``: its OpenAPI document (pygeoapi's own generator; needs the ``ogc`` extra);
* ``OUT.data/``: the GeoJSON files the collections serve (the layer files copied, the kinds and
  the register derived), so configuration and data are one snapshot.

Every collection filters on the same queryables (``role``, ``plans``, ``industries``,
``industry_groups``, ``district``, ``layer``, ``group``, ``name``): on a list property a filter
keeps the features whose list holds the value (``?plans=tianhe_sti``), through
:class:`spatial.exports.ogc_provider.PlanLayerProvider`.

pygeoapi's HTML pages put each page's features into a ``<script>`` as JSON without escaping
``<``; a ``<`` or ``>`` in a served string is therefore written as its full-width form (``＜``,
``＞``) and reported. The layer contract keeps them out of names and excerpts already.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spatial._errors import GzmapError
from spatial._io import atomic_write_many
from spatial._paths import LAYERS_DIR
from spatial.geo.basemaps import DEFAULT_BASEMAP, get_basemap
from spatial.plans.manifest import Plan, load_manifest
from spatial.plans.register import REGISTER_PATH
from spatial.plans.schema import GUANGZHOU_BBOX
from spatial.plans.taxonomy import load_taxonomy

__all__ = [
    "DEFAULT_PORT",
    "QUERYABLES",
    "Collection",
    "collections",
    "pygeoapi_config",
    "write_ogc_config",
]

#: Port the development server (``make ogc``) listens on, on 127.0.0.1.
DEFAULT_PORT = 5000
#: Properties a client may filter on (``?role=park``); lists match by member.
QUERYABLES = ("name", "role", "plans", "industries", "industry_groups", "district", "layer", "group")
PROVIDER = "spatial.exports.ogc_provider.PlanLayerProvider"
#: Items per page unless the client asks (``limit``), and the most it may ask for.
DEFAULT_ITEMS = 50
MAX_ITEMS = 1000

#: Geometry kind collections: id -> (GeoJSON types, served type, Chinese, English).
KINDS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "points": (("Point", "MultiPoint"), "", "点", "points"),
    "lines": (("LineString", "MultiLineString"), "MultiLineString", "线", "lines"),
    "polygons": (("Polygon", "MultiPolygon"), "MultiPolygon", "面", "polygons"),
}
#: Extra layers of a plan (file ``<plan>_<suffix>``): Chinese and English of what they hold.
EXTRA_LAYERS: dict[str, tuple[str, str]] = {
    "facilities": ("实验室、重大科技基础设施与高校", "laboratories, major facilities, universities"),
    "places": ("布局章节以外提及的地点", "places named outside the layout chapter"),
}
#: Layers of no single plan: (Chinese title, English title) of each.
SHARED_LAYERS: dict[str, tuple[str, str]] = {
    "outside": (
        "区外 · 各规划提及的广州以外地点与走廊（仅作背景）",
        "Outside Guangzhou: places and corridors the plans name, context only",
    ),
}
_FILTER_NOTE = (
    "可按 role、plans、industries、industry_groups、district、layer、group、name 筛选；"
    "列表属性按成员匹配（?plans=tianhe_sti 返回 plans 含 tianhe_sti 的要素）。"
    "每个要素附规划原文摘录（excerpts：规划、章节路径、原文）。"
)
_FILTER_NOTE_EN = (
    "Filter on role, plans, industries, industry_groups, district, layer, group, name; a list "
    "property matches by member (?plans=tianhe_sti). Every feature carries the plans' excerpts."
)
_LOCATION_NOTE = (
    "规划未给出坐标：位置为本项目依规划文字判定，误差见 location_precision_m，依据见 location_source。"
)


@dataclass
class Collection:
    """One collection: its id, words for people, and the features it serves."""

    id: str
    title: str
    description: str
    keywords: list[str]
    features: list[dict[str, Any]] = field(repr=False)

    @property
    def bbox(self) -> list[float]:
        """Extent of the features with geometry (Guangzhou's for a collection with none)."""
        xs: list[float] = []
        ys: list[float] = []
        for feat in self.features:
            if feat.get("geometry"):
                for x, y in _positions(feat["geometry"]["coordinates"]):
                    xs.append(x)
                    ys.append(y)
        if not xs:
            return list(GUANGZHOU_BBOX)
        return [round(min(xs), 6), round(min(ys), 6), round(max(xs), 6), round(max(ys), 6)]


def _positions(coords: Any):
    if coords and isinstance(coords[0], int | float):
        yield coords[0], coords[1]
    else:
        for part in coords:
            yield from _positions(part)


def _read_layer(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GzmapError(f"{path}: not a readable layer file ({exc})") from exc
    if doc.get("type") != "FeatureCollection":
        raise GzmapError(f"{path}: not a GeoJSON FeatureCollection")
    return doc


def _plan_of_layer(layer: str, plans: dict[str, Plan]) -> tuple[Plan | None, str]:
    """The plan a layer file belongs to and the rest of its name (``gz_sti_facilities``)."""
    for plan_id in sorted(plans, key=len, reverse=True):
        if layer == plan_id:
            return plans[plan_id], ""
        if layer.startswith(plan_id + "_"):
            return plans[plan_id], layer[len(plan_id) + 1 :]
    return None, layer


def _plan_facts(plan: Plan) -> str:
    facts = [f for f in (plan.issuer, plan.doc_number, plan.date, plan.status) if f]
    return f"《{plan.title}》" + (f"（{'，'.join(facts)}）" if facts else "")


def _layer_collection(layer: str, features: list[dict], plans: dict[str, Plan]) -> Collection:
    plan, extra = _plan_of_layer(layer, plans)
    n = len(features)
    if plan is None:
        zh, en = SHARED_LAYERS.get(layer, (layer, layer))
        description = f"{zh}，{n} 个要素；plans 列出提及它的规划。{_FILTER_NOTE}\n\n{en} ({n} features). {_FILTER_NOTE_EN}"
        return Collection(layer, zh, description, [layer, "十四五"], features)
    if not extra:
        title = f"{plan.short_name} · {plan.layout_name}"
        what = f"{_plan_facts(plan)}“{plan.layout_name}”空间布局（{plan.layout_chapter}）"
        english = f"{plan.title_en}: the layout {plan.layout_name}"
    else:
        zh, en = EXTRA_LAYERS.get(extra, (extra, extra))
        title = f"{plan.short_name} · {zh}"
        what = f"{_plan_facts(plan)}中的{zh}"
        english = f"{plan.title_en}: {en}"
    description = (
        f"{what}，{n} 个要素。几部规划都提及的地点只收在清单最前的规划的图层中，"
        f"其 plans 列出所有规划；要看一部规划的全部地点，请在 points、lines、polygons 中按 "
        f"plans={plan.id} 筛选。{_LOCATION_NOTE}{_FILTER_NOTE}\n\n{english} ({n} features). "
        f"{_FILTER_NOTE_EN}"
    )
    keywords = [plan.short_name, plan.layout_name, plan.id, "十四五"]
    return Collection(layer, title, description, keywords, features)


def _promote(geometry: dict, served_type: str) -> dict:
    if not served_type or geometry["type"] == served_type:
        return geometry
    return {"type": served_type, "coordinates": [geometry["coordinates"]]}


def _kind_collections(all_features: list[dict]) -> list[Collection]:
    out = []
    for kind, (types, served, zh, en) in KINDS.items():
        feats = [
            dict(f, geometry=_promote(f["geometry"], served))
            for f in all_features
            if f.get("geometry") and f["geometry"]["type"] in types
        ]
        title = f"五部规划 · 全部{zh}要素"
        description = (
            f"五部规划所有图层中的{zh}要素，{len(feats)} 个（每个 QGIS 图层只有一种几何类型，"
            f"故按点、线、面分开）。按 plans 筛选即为一部规划的全部地点，如 ?plans=huadu_mfg。"
            f"{_LOCATION_NOTE}{_FILTER_NOTE}\n\nAll {en} of the five plans' layers "
            f"({len(feats)}), one geometry type per collection for desktop GIS. {_FILTER_NOTE_EN}"
        )
        out.append(Collection(kind, title, description, ["十四五", zh, "QGIS"], feats))
    return out


def _register_collection(places: list[dict]) -> Collection:
    taxonomy = load_taxonomy()
    feats = []
    for place in places:
        props = dict(place)
        tags = [t for t in props.get("industries") or [] if taxonomy.canonical(t)]
        props["industry_groups"] = list(dict.fromkeys(taxonomy.group_of(t) for t in tags))
        props["layer"] = "register"
        feats.append({"type": "Feature", "id": place["id"], "geometry": None, "properties": props})
    description = (
        f"规划提及、但尚无确定位置的地点名录，{len(feats)} 处：不作推定，不画成点，几何为空"
        f"（geometry: null），bbox 查询不返回。每处附规划原文摘录与原因（reason）。{_FILTER_NOTE}"
        f"\n\nPlaces the plans name without a known site ({len(feats)}): no geometry, never in a "
        f"bbox result; each with the plan's words and the reason. {_FILTER_NOTE_EN}"
    )
    return Collection(
        "register", "规划提及、尚无确定位置的地点", description, ["十四五", "名录"], feats
    )


def collections(
    layers_dir: Path = LAYERS_DIR, register_path: Path = REGISTER_PATH
) -> list[Collection]:
    """Every collection the service offers: the layers, the geometry kinds, the register.

    Raises
    ------
    GzmapError
        When there is no layer file, or one is not a FeatureCollection.
    """
    plans = {p.id: p for p in load_manifest()}
    paths = sorted(Path(layers_dir).glob("*.geojson"))
    if not paths:
        raise GzmapError(f"no layer files in {layers_dir}; run gzmap build-layers")
    docs = {p.stem: _read_layer(p) for p in paths}
    order = {pid: i for i, pid in enumerate(plans)}

    def rank(layer: str) -> tuple[int, str]:
        plan, _ = _plan_of_layer(layer, plans)
        return (order[plan.id] if plan else len(order), layer)

    layer_colls = [
        _layer_collection(layer, docs[layer]["features"], plans) for layer in sorted(docs, key=rank)
    ]
    everything = [f for coll in layer_colls for f in coll.features]
    places: list[dict] = []
    if Path(register_path).exists():
        places = json.loads(Path(register_path).read_text(encoding="utf-8")).get("places", [])
    return [*layer_colls, *_kind_collections(everything), _register_collection(places)]


def _script_safe(value: Any, where: str, notes: list[str]) -> Any:
    """``value`` with ``<`` and ``>`` in strings made full-width (see the module docstring)."""
    if isinstance(value, str):
        if "<" in value or ">" in value:
            notes.append(where)
            return value.replace("<", "＜").replace(">", "＞")
        return value
    if isinstance(value, list):
        return [_script_safe(v, where, notes) for v in value]
    if isinstance(value, dict):
        return {k: _script_safe(v, f"{where}.{k}", notes) for k, v in value.items()}
    return value


def pygeoapi_config(
    colls: list[Collection], data_dir: Path, url: str, host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
) -> dict[str, Any]:
    """The pygeoapi configuration serving ``colls`` from ``data_dir/<id>.geojson`` at ``url``."""
    basemap = get_basemap(DEFAULT_BASEMAP)  # WGS84 tiles: the features are not shifted
    resources = {}
    for coll in colls:
        resources[coll.id] = {
            "type": "collection",
            "title": coll.title,
            "description": coll.description,
            "keywords": coll.keywords,
            "extents": {
                "spatial": {
                    "bbox": coll.bbox,
                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                }
            },
            "providers": [
                {
                    "type": "feature",
                    "name": PROVIDER,
                    "data": str((Path(data_dir) / f"{coll.id}.geojson").resolve()),
                    "id_field": "id",
                    "title_field": "name",
                    "queryables": list(QUERYABLES),
                }
            ],
        }
    return {
        "server": {
            "bind": {"host": host, "port": int(port)},
            "url": url.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["zh"],  # not zh-CN: Babel has no zh_CN locale and pygeoapi answers 500
            "pretty_print": False,
            "limits": {"default_items": DEFAULT_ITEMS, "max_items": MAX_ITEMS},
            "map": {"url": basemap.url.replace("{s}", "a"), "attribution": basemap.attribution},
            "admin": False,
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "广州“十四五”科技创新与制造业规划空间布局 · gzplan-map",
                "description": (
                    "五部广州“十四五”科技创新与制造业规划中的空间布局（轴、核、极、园区、走廊、"
                    "产业带、产业集群），每个要素附规划原文摘录与产业标签；只读。Spatial layouts of "
                    "five Guangzhou 14th Five-Year plans, each feature with the plans' own words."
                ),
                "keywords": ["广州", "十四五", "科技创新", "产业布局", "规划"],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": url.rstrip("/"),
            },
            "license": {
                "name": "MIT（图层数据 gzplan-map；规划原文由广州市及各区政府发布）",
                "url": "https://opensource.org/licenses/MIT",
            },
            "provider": {"name": "gzplan-map"},
            "contact": {"name": "gzplan-map"},
        },
        "resources": resources,
    }


def _openapi_generator():
    """pygeoapi's OpenAPI generator (checked before anything is written)."""
    try:
        from pygeoapi.openapi import get_oas
    except ImportError as exc:
        raise GzmapError(
            "pygeoapi is not installed: pip install -e '.[ogc]' (the ogc extra)"
        ) from exc
    return get_oas


def write_ogc_config(
    out: Path, url: str | None = None, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
    layers_dir: Path = LAYERS_DIR, register_path: Path = REGISTER_PATH,
) -> tuple[list[Path], list[str]]:
    """Write ``out`` (pygeoapi configuration), ``out``'s OpenAPI document and data folder.

    Parameters
    ----------
    out : Path
        The configuration file, e.g. ``build/ogc/pygeoapi.yml``; beside it go
        ``pygeoapi.openapi.yml`` and ``pygeoapi.data/``.
    url : str, optional
        The public URL of the service, as clients reach it (``http://HOST:8080/ogc`` behind
        ``make serve``); every link in its answers starts with it. Default
        ``http://host:port``.

    Returns
    -------
    (paths, notes)
        The files written, and one note per string whose ``<``/``>`` were made full-width.
    """
    get_oas = _openapi_generator()
    out = Path(out)
    url = url or f"http://{host}:{port}"
    data_dir = out.with_suffix(".data")
    data_dir.mkdir(parents=True, exist_ok=True)
    colls = collections(layers_dir, register_path)
    notes: list[str] = []
    files: dict[Path, str] = {}
    for coll in colls:
        feats = [
            _script_safe(f, f"{coll.id}/{f.get('id')}", notes) for f in coll.features
        ]
        doc = {"type": "FeatureCollection", "name": coll.id, "features": feats}
        files[data_dir / f"{coll.id}.geojson"] = json.dumps(doc, ensure_ascii=False)
    config = pygeoapi_config(colls, data_dir, url, host, port)
    files[out] = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    atomic_write_many(files)  # the OpenAPI generator reads the data files
    openapi_path = out.with_suffix(".openapi.yml")
    oas = get_oas(config)
    atomic_write_many({openapi_path: yaml.safe_dump(oas, allow_unicode=True, sort_keys=False)})
    stale = {p for p in data_dir.glob("*.geojson")} - set(files)
    for path in stale:
        path.unlink()
    return [out, openapi_path, *sorted(p for p in files if p != out)], sorted(set(notes))


def size_mib(paths: list[Path]) -> float:
    """Total size of ``paths`` in MiB (for the command's report)."""
    return math.fsum(p.stat().st_size for p in paths) / 2**20
