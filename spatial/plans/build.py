"""Build ``layers/*.geojson`` from the per-plan YAML sources in ``layers/src/``.

Records with the same ``id`` in several sources become ONE feature with an excerpt from each plan.
Excerpts are looked up in their plan through the normaliser; the builder writes each one's seed file
and section path, so sources never carry hand-written section paths. Belts, corridors, the axis and
clusters get geometry derived from their members in EPSG:32649, with the method written into
``location_source``. See ``docs/layer-contract.md``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from spatial._io import atomic_write_many, load_yaml_mapping
from spatial._paths import LAYER_SOURCES_DIR, LAYERS_DIR, rel_path
from spatial._problems import Problem, format_problems
from spatial.plans.derive import derive, districts_of, explicit_geometry
from spatial.plans.manifest import plan_ids
from spatial.plans.schema import PROPERTY_ORDER
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import QuoteNotFound, load_plan

GENERATOR = "gzmap build-layers (from layers/src/*.yaml; edit the sources, not this file)"
COORD_DECIMALS = 6

LIST_FIELDS = ("aliases", "industries", "members", "links", "district", "axis_segment")
SCALAR_FIELDS = (
    "name",
    "name_en",
    "layer",
    "location_source",
    "location_precision_m",
    "axis_order",
    "parent",
    "in_guangzhou",
)
#: Optional keys of a source excerpt kept on the built one: why it is about its feature without
#: naming it, and a table row's cells by column.
EXCERPT_EXTRAS = ("note", "cells")

#: Fields each plan sets for itself: a record's value is that record's plan's (``plan_roles``).
PLAN_FIELDS = ("role", "group")
KNOWN_KEYS = {
    "id",
    "excerpts",
    "mentions",
    "geometry",
    "attributes",
    *LIST_FIELDS,
    *SCALAR_FIELDS,
    *PLAN_FIELDS,
}


@dataclass
class SourceRecord:
    """One record of a source file, with the plan and layer its file names."""

    source: str  # relative path of the YAML file
    plan: str
    layer: str
    data: dict[str, Any]


@dataclass
class BuildResult:
    """What a build produced or found."""

    layers: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        """Human-readable summary, problems first."""
        lines: list[str] = []
        if self.problems:
            lines.append(format_problems(self.problems))
            lines.append(f"{len(self.problems)} problem(s); nothing written")
            return lines
        n = sum(len(fc["features"]) for fc in self.layers.values())
        for name, fc in sorted(self.layers.items()):
            lines.append(f"{name}: {len(fc['features'])} features")
        lines.extend(f"out of date: {rel_path(p)}" for p in self.stale)
        lines.extend(f"wrote {rel_path(p)}" for p in self.written)
        lines.extend(f"removed {rel_path(p)}" for p in self.removed)
        lines.append(f"{n} features in {len(self.layers)} layers")
        return lines


# -- reading sources ---------------------------------------------------------------------------
def source_files(src_dir: Path = LAYER_SOURCES_DIR) -> list[Path]:
    """Source files in manifest order (plans first, then any other YAML by name)."""
    order = {pid: i for i, pid in enumerate(plan_ids())}
    files = sorted(src_dir.glob("*.yaml"))
    return sorted(files, key=lambda p: (order.get(p.stem, len(order)), p.name))


def read_records(
    files: list[Path],
    problems: list[Problem],
    list_key: str = "features",
    known_keys: set[str] | frozenset[str] = frozenset(KNOWN_KEYS),
) -> list[SourceRecord]:
    """Every record (a mapping with a string ``id``) of the files' ``list_key`` lists.

    A file's ``plan`` (default: its stem) must be in the manifest; keys outside ``known_keys``
    are problems, and the record is still read.
    """
    records: list[SourceRecord] = []
    known_plans = set(plan_ids())
    for path in files:
        rel = rel_path(path)
        try:
            doc = load_yaml_mapping(path)
        except ValueError as exc:
            problems.append(Problem(rel, "", str(exc)))
            continue
        plan = doc.get("plan", path.stem)
        if plan not in known_plans:
            problems.append(Problem(rel, "", f"unknown plan {plan!r} (see seeds/manifest.json)"))
            continue
        layer = doc.get("layer", plan)
        feats = doc.get(list_key)
        if not isinstance(feats, list):
            problems.append(Problem(rel, "", f"expected a '{list_key}' list"))
            continue
        for i, data in enumerate(feats):
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                problems.append(Problem(rel, f"#{i}", "record without a string 'id'"))
                continue
            unknown = set(data) - known_keys
            if unknown:
                problems.append(
                    Problem(rel, data["id"], f"unknown key(s): {', '.join(sorted(unknown))}")
                )
            records.append(SourceRecord(rel, plan, layer, data))
    return records


# -- merging -----------------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _merge(records: list[SourceRecord], problems: list[Problem]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[tuple[str, str], str] = {}  # (id, field) -> source that set it
    for rec in records:
        fid = rec.data["id"]
        feat = merged.setdefault(
            fid,
            {
                "id": fid,
                "layer": rec.layer,
                "_excerpts": [],
                "_mentions": [],
                "_geometry": None,
                "_sources": [],
                "_plan_roles": {},
            },
        )
        feat["_sources"].append(rec.source)
        first = len(feat["_sources"]) == 1
        if first:
            feat["layer"] = rec.data.get("layer", rec.layer)
            origin[(fid, "layer")] = rec.source
        elif "layer" in rec.data and rec.data["layer"] != feat["layer"]:
            problems.append(
                Problem(
                    rec.source,
                    fid,
                    f"layer {rec.data['layer']!r} conflicts with {feat['layer']!r} "
                    f"from {origin[(fid, 'layer')]}",
                )
            )
        for key in SCALAR_FIELDS:
            if key == "layer" or key not in rec.data:
                continue
            value = rec.data[key]
            if (fid, key) in origin and feat.get(key) != value:
                if key == "name":
                    feat.setdefault("aliases", [])
                    if value not in feat["aliases"]:
                        feat["aliases"].append(value)
                    continue
                problems.append(
                    Problem(
                        rec.source,
                        fid,
                        f"{key} {value!r} conflicts with {feat.get(key)!r} from {origin[(fid, key)]}",
                    )
                )
                continue
            feat[key] = value
            origin.setdefault((fid, key), rec.source)
        for key in PLAN_FIELDS:
            if key in rec.data:
                feat["_plan_roles"].setdefault(rec.plan, {"source": rec.source})[key] = rec.data[
                    key
                ]
        for key in LIST_FIELDS:
            for value in _as_list(rec.data.get(key)):
                bucket = feat.setdefault(key, [])
                if value not in bucket:
                    bucket.append(value)
        if "attributes" in rec.data:
            attrs = rec.data["attributes"]
            if not isinstance(attrs, dict):
                problems.append(Problem(rec.source, fid, "attributes must be a mapping"))
            else:
                feat.setdefault("attributes", {}).update(attrs)
        for key in ("excerpts", "mentions"):
            for exc in _as_list(rec.data.get(key)):
                if isinstance(exc, str):
                    exc = {"text": exc}
                if not isinstance(exc, dict) or not isinstance(exc.get("text"), str):
                    problems.append(Problem(rec.source, fid, f"{key[:-1]} is not text: {exc!r}"))
                    continue
                extra = {k: exc[k] for k in EXCERPT_EXTRAS if exc.get(k)}
                feat[f"_{key}"].append((rec.source, exc.get("plan", rec.plan), exc["text"], extra))
        if "geometry" in rec.data:
            if feat["_geometry"] is not None:
                problems.append(
                    Problem(rec.source, fid, f"geometry already given in {feat['_geometry'][0]}")
                )
            else:
                feat["_geometry"] = (rec.source, rec.data["geometry"])
    for feat in merged.values():
        if feat.get("name") in feat.get("aliases", []):
            feat["aliases"].remove(feat["name"])
    return merged


# -- excerpts and industries -------------------------------------------------------------------
def _resolve_excerpts(feat: dict[str, Any], problems: list[Problem]) -> None:
    feat["excerpts"] = resolve_quotes(feat["id"], feat.pop("_excerpts"), problems)
    feat["mentions"] = resolve_quotes(feat["id"], feat.pop("_mentions"), problems)
    feat["plans"] = list(dict.fromkeys(e["plan"] for e in feat["excerpts"]))
    if not feat["excerpts"]:
        problems.append(Problem(feat["_sources"][0], feat["id"], "no excerpt from any plan"))


def resolve_quotes(
    fid: str, quotes: list[tuple[str, str, str, Any]], problems: list[Problem]
) -> list[dict[str, str]]:
    """Look each quote up in its plan: ``{plan, seed, section, text}``, plus ``note`` and
    ``cells`` (a table row's cells by column, each checked against the quoted text) if given."""
    excerpts: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for source, plan_id, text, extra in quotes:
        try:
            plan = load_plan(plan_id)
        except KeyError as exc:
            problems.append(Problem(source, fid, str(exc).strip("'\"")))
            continue
        try:
            match = plan.find(text)
        except QuoteNotFound as exc:
            problems.append(Problem(source, fid, str(exc)))
            continue
        if (plan_id, match.text) in seen:
            continue
        seen.add((plan_id, match.text))
        quote = {"plan": plan_id, "seed": plan.seed, "section": match.section, "text": match.text}
        if extra.get("note"):
            quote["note"] = str(extra["note"])
        if extra.get("cells"):
            cells = _table_cells(extra["cells"], match.text)
            if isinstance(cells, str):
                problems.append(Problem(source, fid, cells))
            else:
                quote["cells"] = cells
        excerpts.append(quote)
    order = {pid: i for i, pid in enumerate(plan_ids())}
    excerpts.sort(key=lambda e: order.get(e["plan"], 99))  # stable: text order within a plan
    return excerpts


def _table_cells(cells: Any, text: str) -> dict[str, str] | str:
    """A table row's ``{column: cell}`` if every cell is in the quoted row, in order; else why not."""
    if not isinstance(cells, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cells.items()
    ):
        return "cells must map column names to cell text"

    def squash(value: str) -> str:  # a cell's lines may be joined with 、 in the source
        return "".join(value.split()).replace("、", "")

    squashed = squash(text)
    at = 0
    for column, cell in cells.items():
        found = squashed.find(squash(cell), at)
        if found < 0:
            return f"cell {column!r} ({cell[:30]!r}) is not in the quoted row after the cells before it"
        at = found + len(squash(cell))
    return dict(cells)


def _plan_roles(feat: dict[str, Any], problems: list[Problem]) -> None:
    """Each placing plan's role and group; the top-level ones follow the "all plans" precedence.

    A plan's role is the one its own record gives, else the role of the first plan (manifest
    order) that gives one; its group is the one its own record gives, else none (a group such as
    ``四核`` belongs to the plan that draws it). Top-level ``role``/``group`` are those of the first
    plan in manifest order that places the feature.
    """
    given: dict[str, dict[str, Any]] = feat.pop("_plan_roles")
    order = {pid: i for i, pid in enumerate(plan_ids())}
    by_order = sorted(given, key=lambda pid: order.get(pid, 99))
    default_role = next((given[p]["role"] for p in by_order if "role" in given[p]), None)
    plans = feat.get("plans", [])
    for pid in by_order:
        if pid not in plans:
            problems.append(
                Problem(
                    given[pid]["source"],
                    feat["id"],
                    f"role/group given for plan {pid!r}, which has no excerpt about this feature",
                )
            )
    roles: dict[str, dict[str, Any]] = {}
    for pid in plans:
        own = given.get(pid, {})
        roles[pid] = {"role": own.get("role", default_role), "group": own.get("group")}
    feat["plan_roles"] = roles
    first = roles[plans[0]] if plans else {"role": default_role, "group": None}
    feat["role"] = first["role"]
    feat["group"] = first["group"]


def _fold_industries(feat: dict[str, Any], problems: list[Problem]) -> None:
    taxonomy = load_taxonomy()
    tags, unknown = taxonomy.fold(feat.get("industries", []))
    for word in unknown:
        problems.append(
            Problem(
                feat["_sources"][0],
                feat["id"],
                f"industry {word!r} is not a tag or synonym in data/industries.yaml",
            )
        )
    feat["industries"] = tags
    feat["industry_groups"] = list(dict.fromkeys(taxonomy.group_of(t) for t in tags))


# -- geometry (spatial.plans.derive builds it) -------------------------------------------------------
def _derived_members(spec: dict[str, Any], feat: dict[str, Any]) -> list[str]:
    if spec.get("method") == "network":
        branches = [m for b in spec.get("branches") or [] for m in b]
        return list(dict.fromkeys([*(spec.get("trunk") or []), *branches]))
    return list(spec.get("members") or feat.get("members") or [])


def _resolve_geometry(feats: dict[str, dict[str, Any]], problems: list[Problem]) -> dict[str, Any]:
    geoms: dict[str, Any] = {}
    derived: dict[str, dict[str, Any]] = {}
    for fid, feat in feats.items():
        given = feat.pop("_geometry")
        if given is None:
            problems.append(Problem(feat["_sources"][0], fid, "no geometry in any source"))
            continue
        source, spec = given
        try:
            geom = explicit_geometry(spec)
        except (ValueError, TypeError) as exc:
            problems.append(Problem(source, fid, f"bad geometry: {exc}"))
            continue
        if geom is None:
            derived[fid] = spec["derived"] if isinstance(spec["derived"], dict) else {}
        else:
            geoms[fid] = geom
    names = {fid: str(f.get("name", fid)) for fid, f in feats.items()}
    pending = dict(derived)
    while pending:
        progressed = False
        for fid, spec in list(pending.items()):
            members = _derived_members(spec, feats[fid])
            if any(m in pending and m != fid for m in members):
                continue
            _place_derived(fid, spec, members, feats, geoms, names, problems)
            del pending[fid]
            progressed = True
        if not progressed:
            for fid in pending:
                problems.append(
                    Problem(feats[fid]["_sources"][0], fid, "derived geometry depends on a cycle")
                )
            break
    return geoms


def _place_derived(
    fid: str,
    spec: dict[str, Any],
    members: list[str],
    feats: dict[str, dict[str, Any]],
    geoms: dict[str, Any],
    names: dict[str, str],
    problems: list[Problem],
) -> None:
    """Derive one feature's geometry; its ``district`` comes from that geometry."""
    feat = feats[fid]
    try:
        geom, how = derive(spec, members, geoms, names)
    except (ValueError, KeyError) as exc:
        problems.append(Problem(feat["_sources"][0], fid, f"bad geometry: {exc}"))
        return
    geoms[fid] = geom
    given_src = feat.get("location_source")
    feat["location_source"] = f"{given_src}；{how}" if given_src else how
    guessed = [
        str(feats[m].get("name", m))
        for m in members
        if m in feats and str(feats[m].get("location_source", "")).startswith("best guess")
    ]
    if guessed:  # a shape built on placed guesses says so, and is no more precise than they are
        feat["location_source"] += (
            f"；其中成员{'、'.join(guessed)}的位置为估计（地点不详），此形状不比这些成员更准确"
        )
    precisions = [float(feats[m].get("location_precision_m", 0)) for m in members if m in feats]
    if "location_precision_m" not in feat:
        feat["location_precision_m"] = max(precisions, default=0) or 1000
    elif guessed:
        feat["location_precision_m"] = max([feat["location_precision_m"], *precisions])
    computed = districts_of(geom)
    given = feat.get("district")
    if given and set(given) != set(computed):
        problems.append(
            Problem(
                feat["_sources"][0],
                fid,
                f"district {'、'.join(given)} differs from the districts its derived geometry "
                f"lies in: {'、'.join(computed)} (omit district for derived geometry)",
            )
        )
    feat["district"] = computed


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, COORD_DECIMALS)
    if isinstance(obj, list | tuple):
        return [_round_coords(v) for v in obj]
    return obj


def geometry_to_geojson(geom: Any) -> dict[str, Any]:
    """GeoJSON geometry with coordinates rounded to 6 decimals (~0.1 m)."""
    gj = mapping(geom)
    return {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"])}


# -- output ------------------------------------------------------------------------------------
def _properties(feat: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    defaults: dict[str, Any] = {
        "name_en": None,
        "aliases": [],
        "district": [],
        "industries": [],
        "industry_groups": [],
        "axis_segment": [],
        "members": [],
        "links": [],
        "mentions": [],
        "attributes": {},
        "group": None,
        "plan_roles": {},
        "parent": None,
        "axis_order": None,
        "in_guangzhou": True,
    }
    for key in PROPERTY_ORDER:
        if key in feat:
            props[key] = feat[key]
        elif key in defaults:
            props[key] = defaults[key]
    return props


def dumps_feature_collection(name: str, features: list[dict[str, Any]]) -> str:
    """Serialise a layer: one property per line for diffs, each geometry on one line."""
    chunks = []
    for f in features:
        body = {
            "type": "Feature",
            "id": f["properties"]["id"],
            "properties": f["properties"],
            "geometry": "__GEOMETRY__",
        }
        text = json.dumps(body, ensure_ascii=False, indent=2)
        geom = json.dumps(f["geometry"], ensure_ascii=False, separators=(",", ":"))
        chunks.append(text.replace('"__GEOMETRY__"', geom))
    head = json.dumps(
        {"type": "FeatureCollection", "name": name, "generator": GENERATOR}, ensure_ascii=False
    )[:-1]
    return head + ', "features": [\n' + ",\n".join(chunks) + "\n]}\n"


def build_layers(
    src_dir: Path = LAYER_SOURCES_DIR,
    out_dir: Path = LAYERS_DIR,
    check_only: bool = False,
    also: Mapping[Path, str] | None = None,
) -> BuildResult:
    """Build the layers from their sources.

    Parameters
    ----------
    src_dir, out_dir : Path
        Where the YAML sources are and where the GeoJSON layers go.
    check_only : bool
        Write nothing; list the built files that are out of date in ``result.stale``.
    also : mapping of Path to str, optional
        Other built files (the place register) written in the same all-or-nothing set as
        the layers, and checked with them.

    Returns
    -------
    BuildResult
        With every problem found; nothing is written if there is any.
    """
    result = BuildResult()
    files = source_files(src_dir)
    records = read_records(files, result.problems)
    feats = _merge(records, result.problems)
    for feat in feats.values():
        _resolve_excerpts(feat, result.problems)
        _plan_roles(feat, result.problems)
        _fold_industries(feat, result.problems)
    geoms = _resolve_geometry(feats, result.problems)
    for fid, feat in feats.items():
        if fid not in geoms:
            continue
        for key in ("role", "name", "location_source"):
            if not feat.get(key):
                result.problems.append(Problem(feat["_sources"][0], fid, f"missing {key}"))
        if "location_precision_m" not in feat:
            result.problems.append(
                Problem(feat["_sources"][0], fid, "missing location_precision_m")
            )
        layer = feat["layer"]
        fc = result.layers.setdefault(layer, {"name": layer, "features": []})
        fc["features"].append(
            {
                "type": "Feature",
                "properties": _properties(feat),
                "geometry": geometry_to_geojson(geoms[fid]),
            }
        )
    if result.problems:
        return result
    texts = {
        out_dir / f"{name}.geojson": dumps_feature_collection(name, fc["features"])
        for name, fc in result.layers.items()
    }
    texts.update(also or {})
    existing = {p for p in out_dir.glob("*.geojson") if _is_generated(p)}
    changed = {
        path: text
        for path, text in sorted(texts.items())
        if (path.read_text(encoding="utf-8") if path.exists() else None) != text
    }
    gone = sorted(existing - set(texts))
    if check_only:
        result.stale.extend([*changed, *gone])
        return result
    # the whole set or nothing: every file to a temporary first, then all renamed into place
    atomic_write_many(changed, remove=gone)
    result.written.extend(changed)
    result.removed.extend(gone)
    return result


def _is_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            return GENERATOR in fh.read(400)
    except OSError:
        return False
