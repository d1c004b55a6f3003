"""Check layers against the layer contract, collecting every problem before failing.

Each problem reads ``file: feature-id: what is wrong``. The checks (see ``docs/layer-contract.md``):
JSON and GeoJSON structure, geometry validity, coordinates inside Guangzhou (which catches swapped
lon/lat and projected metres), unique ids and names, known roles / industries / districts / plans,
every excerpt verbatim in its seed under the section it claims, references to existing ids, and every
feature inside the district it names.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape

from spatial._paths import LAYERS_DIR
from spatial._problems import Problem, format_problems
from spatial.plaintext import starts_like_formula
from spatial.plans.about import check_excerpts_about
from spatial.plans.manifest import get_plan, plan_ids
from spatial.plans.schema import (
    CONTEXT_BBOX,
    DISTRICT_TOLERANCE_M,
    DISTRICTS,
    EXCERPT_KEYS,
    GEOMETRY_TYPES,
    GUANGZHOU_BBOX,
    ID_RE,
    METRIC_CRS,
    OPTIONAL_PROPERTIES,
    OUTSIDE_ROLE,
    REFERENCE_PROPERTIES,
    REQUIRED_PROPERTIES,
    ROLES,
)
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import load_plan

__all__ = [
    "Problem",
    "ParsedLayer",
    "MAX_LAYER_BYTES",
    "check_geometry",
    "format_problems",
    "parse_layer_bytes",
    "validate_features",
    "validate_layer_files",
]

#: A feature geometry with more vertices than this is refused (uploads and hand-made layers).
MAX_VERTICES = 200_000

#: A layer file larger than this is refused unread (uploads and hand-made layers): 5 MiB.
MAX_LAYER_BYTES = 5 * 1024 * 1024

#: Characters a name never has in a plan but markup injected into a map popup needs.
_MARKUP_CHARS = re.compile(r"[<>\"`]")

#: Control characters and line breaks: a name is one line (a CR inside one splits a CSV row).
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


@dataclass
class ParsedLayer:
    """A layer file read into features, with the problems met while reading it."""

    file: str
    features: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _short(exc: BaseException, limit: int = 160) -> str:
    """An exception's message cut to one short line (some quote the whole offending input)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size_problem(file: str, size: int) -> Problem:
    mib = 1024 * 1024
    limit = f"{MAX_LAYER_BYTES / mib:g} MiB"
    return Problem(file, "", f"file is {size / mib:.1f} MiB, over the {limit} limit for a layer")


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(x.__name__ for x in t)
    return t.__name__


def parse_layer_bytes(data: bytes, file: str) -> ParsedLayer:
    """Parse a GeoJSON FeatureCollection, reporting structural problems instead of raising.

    Parameters
    ----------
    data : bytes
        The file's content.
    file : str
        The name used in problem messages.
    """
    layer = ParsedLayer(file)
    if len(data) > MAX_LAYER_BYTES:
        layer.problems.append(_size_problem(file, len(data)))
        return layer
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        layer.problems.append(
            Problem(file, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        )
        return layer
    try:
        doc = json.loads(text)
    except RecursionError:
        layer.problems.append(Problem(file, "", "JSON nested too deeply to be a GeoJSON layer"))
        return layer
    except json.JSONDecodeError as exc:
        layer.problems.append(
            Problem(file, "", f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        )
        return layer
    except ValueError as exc:  # an integer longer than Python's int-string digit limit
        layer.problems.append(
            Problem(file, "", f"a number has too many digits to read ({_short(exc, 80)})")
        )
        return layer
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        layer.problems.append(Problem(file, "", f"not a GeoJSON FeatureCollection (type {got!r})"))
        return layer
    if "crs" in doc:
        layer.problems.append(
            Problem(file, "", "has a 'crs' member: RFC 7946 layers are WGS84 lon/lat without one")
        )
    features = doc.get("features")
    if not isinstance(features, list):
        layer.problems.append(Problem(file, "", "'features' is not a list"))
        return layer
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            layer.problems.append(Problem(file, f"#{i}", "not a GeoJSON Feature"))
            continue
        if not isinstance(feat.get("properties"), dict):
            layer.problems.append(Problem(file, f"#{i}", "feature has no properties object"))
            continue
        layer.features.append(feat)
    return layer


def _feature_id(feat: dict[str, Any], index: int) -> str:
    fid = feat.get("properties", {}).get("id")
    return fid if isinstance(fid, str) and fid else f"#{index}"


#: How deep each geometry type nests its positions (a Point's coordinates are one position).
_POSITION_DEPTH = {
    "Point": 0,
    "LineString": 1,
    "MultiPoint": 1,
    "Polygon": 2,
    "MultiLineString": 2,
    "MultiPolygon": 3,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _positions(gtype: str, coords: Any) -> list[tuple[float, float]] | str:
    """Every position of a geometry's ``coordinates`` as (x, y), or what is malformed.

    A position is a list of two or three numbers; ``true``/``false`` are not numbers (Python
    reads them as 1 and 0), nor is text. The nesting must be the type's own. No coordinates at
    all (``None`` or an empty list) give an empty list.
    """
    if coords is None or (isinstance(coords, list | tuple) and not coords):
        return []
    level: list[Any] = [coords]
    for _ in range(_POSITION_DEPTH[gtype]):
        deeper: list[Any] = []
        for item in level:
            if not isinstance(item, list | tuple):
                return f"expected a list of positions, got {_repr(item)}"
            deeper.extend(item)
        level = deeper
    out: list[tuple[float, float]] = []
    for pos in level:
        if not (
            isinstance(pos, list | tuple) and len(pos) >= 2 and all(map(_is_number, pos))
        ):
            return f"a position must be 2 or 3 numbers (not true/false or text), got {_repr(pos)}"
        out.append((_float(pos[0]), _float(pos[1])))
    return out


def _repr(value: Any) -> str:
    try:
        return _short(json.dumps(value, ensure_ascii=False), 60)
    except (TypeError, ValueError, RecursionError):
        return type(value).__name__


def _float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # an integer beyond float range: as good as infinite
        return math.inf if value > 0 else -math.inf


def check_geometry(file: str, fid: str, feat: dict[str, Any]) -> tuple[Any, list[Problem]]:
    """Check one GeoJSON feature's geometry: type, finite coordinates inside Guangzhou, validity.

    Parameters
    ----------
    file, fid : str
        The file and feature id named in problem messages.
    feat : dict
        A GeoJSON Feature (``geometry`` may hold lists or tuples, as ``shapely.geometry.mapping``
        gives).

    Returns
    -------
    tuple
        The shapely geometry (None when unusable) and the problems found (empty when usable).
    """
    out: list[Problem] = []
    return _check_geometry(file, fid, feat, out), out


def _rings_closed(gtype: str, coordinates: Any) -> bool:
    polygons = [coordinates] if gtype == "Polygon" else coordinates
    try:
        return all(list(ring[0][:2]) == list(ring[-1][:2]) for rings in polygons for ring in rings)
    except (TypeError, IndexError, KeyError):
        return False


def _check_geometry(
    file: str, fid: str, feat: dict[str, Any], out: list[Problem], context: bool = False
) -> Any:
    """The shapely geometry, or None with the problems in ``out``; ``context`` allows the wider
    extent of the places outside the city drawn as context (:data:`CONTEXT_BBOX`)."""
    geom = feat.get("geometry")
    if not isinstance(geom, dict):
        out.append(Problem(file, fid, "no geometry"))
        return None
    gtype = geom.get("type")
    if not isinstance(gtype, str) or gtype not in GEOMETRY_TYPES:
        out.append(
            Problem(file, fid, f"geometry type {gtype!r} is not one of {sorted(GEOMETRY_TYPES)}")
        )
        return None
    coords = _positions(gtype, geom.get("coordinates"))
    if isinstance(coords, str):
        out.append(Problem(file, fid, f"malformed {gtype} coordinates: {coords}"))
        return None
    if not coords:
        out.append(Problem(file, fid, "geometry has no coordinates"))
        return None
    if len(coords) > MAX_VERTICES:
        out.append(
            Problem(file, fid, f"geometry has {len(coords)} vertices (limit {MAX_VERTICES})")
        )
        return None
    if not all(math.isfinite(x) and math.isfinite(y) for x, y in coords):
        out.append(Problem(file, fid, "coordinates are not finite numbers"))
        return None
    xmin, ymin, xmax, ymax = CONTEXT_BBOX if context else GUANGZHOU_BBOX
    outside = [(x, y) for x, y in coords if not (xmin <= x <= xmax and ymin <= y <= ymax)]
    if outside:
        x, y = outside[0]
        if xmin <= y <= xmax and ymin <= x <= ymax:
            why = "looks like latitude/longitude swapped (GeoJSON is lon, lat)"
        elif abs(x) > 180 or abs(y) > 90:
            why = "looks like projected metres, not WGS84 degrees"
        else:
            why = "outside the context drawn" if context else "outside Guangzhou's extent"
        out.append(Problem(file, fid, f"coordinate ({x:g}, {y:g}) {why}"))
        return None
    try:
        shp = shape(geom)
    except (ValueError, TypeError, AttributeError, IndexError, ShapelyError, RecursionError) as exc:
        out.append(Problem(file, fid, f"malformed {gtype} coordinates: {_short(exc)}"))
        return None
    if shp.is_empty:
        out.append(Problem(file, fid, "geometry is empty"))
        return None
    if gtype in ("Polygon", "MultiPolygon") and not _rings_closed(gtype, geom["coordinates"]):
        # shapely closes an open ring silently; RFC 7946 wants first == last position
        out.append(Problem(file, fid, "invalid geometry: a polygon ring is not closed"))
        return None
    if not shp.is_valid:
        out.append(Problem(file, fid, f"invalid geometry: {shapely.is_valid_reason(shp)}"))
        return None
    return shp


def _check_properties(
    file: str, fid: str, props: dict[str, Any], out: list[Problem], check_excerpts: bool
) -> None:
    for key, typ in REQUIRED_PROPERTIES.items():
        if key not in props:
            out.append(Problem(file, fid, f"missing property '{key}'"))
        elif not isinstance(props[key], typ) or isinstance(props[key], bool):
            out.append(Problem(file, fid, f"'{key}' must be {_type_name(typ)}"))
    for key, typ in OPTIONAL_PROPERTIES.items():
        value = props.get(key)
        if value is not None and (
            not isinstance(value, typ) or (typ is int and isinstance(value, bool))
        ):
            out.append(Problem(file, fid, f"'{key}' must be {_type_name(typ)} or null"))
    pid = props.get("id")
    if isinstance(pid, str) and not ID_RE.match(pid):
        out.append(Problem(file, fid, f"id {pid!r} is not a slug ([a-z0-9][a-z0-9_-]*)"))
    name = props.get("name")
    if isinstance(name, str) and not name.strip():
        out.append(Problem(file, fid, "empty name"))
    aliases = props.get("aliases")
    for key, value in [("name", name), ("name_en", props.get("name_en"))] + [
        ("alias", a) for a in (aliases if isinstance(aliases, list) else [])
    ]:
        if starts_like_formula(value):
            out.append(
                Problem(
                    file,
                    fid,
                    f"{key} {value[:60]!r} starts with {value[0]!r}, which a spreadsheet "
                    "runs as a formula (names are plain text as the plan writes them)",
                )
            )
        bad = _MARKUP_CHARS.findall(value) if isinstance(value, str) else []
        if bad:
            out.append(
                Problem(
                    file,
                    fid,
                    f"{key} {value[:60]!r} contains markup characters {''.join(sorted(set(bad)))} "
                    "(names are plain text as the plan writes them)",
                )
            )
        controls = _CONTROL_CHARS.findall(value) if isinstance(value, str) else []
        if controls:
            shown = ", ".join(sorted({f"U+{ord(c):04X}" for c in controls}))
            out.append(
                Problem(
                    file,
                    fid,
                    f"{key} {value[:60]!r} contains control characters or line breaks ({shown}); "
                    "a name is one line of plain text",
                )
            )
    role = props.get("role")
    if isinstance(role, str) and role not in ROLES:
        out.append(Problem(file, fid, f"unknown role {role!r} (known: {', '.join(ROLES)})"))
    if (role == OUTSIDE_ROLE) != (props.get("in_guangzhou") is False):
        out.append(
            Problem(
                file,
                fid,
                f"role {OUTSIDE_ROLE!r} and in_guangzhou: false go together (区外 context)",
            )
        )
    elif role == OUTSIDE_ROLE and props.get("district"):
        out.append(Problem(file, fid, "a place outside Guangzhou names no district"))
    taxonomy = load_taxonomy()
    industries = props.get("industries")
    for tag in industries if isinstance(industries, list) else []:
        canonical = taxonomy.canonical(str(tag))
        if canonical is None:
            out.append(Problem(file, fid, f"unknown industry {tag!r} (see data/industries.yaml)"))
        elif canonical != tag:
            out.append(Problem(file, fid, f"industry {tag!r} is a synonym: use {canonical!r}"))
    groups = props.get("industry_groups")
    if isinstance(groups, list) and isinstance(industries, list):
        known = [str(t) for t in industries if str(t) in taxonomy.tags]
        expected = list(dict.fromkeys(taxonomy.group_of(t) for t in known))
        if groups != expected:
            out.append(Problem(file, fid, f"industry_groups {groups} should be {expected}"))
    districts = props.get("district")
    if isinstance(districts, list):
        if not districts and props.get("in_guangzhou", True):
            out.append(Problem(file, fid, "no district named"))
        for d in districts:
            if not isinstance(d, str) or d not in DISTRICTS:
                out.append(Problem(file, fid, f"unknown district {d!r} (e.g. '黄埔区')"))
    known_plans = set(plan_ids())
    plans = props.get("plans")
    if isinstance(plans, list):
        for p in plans:
            if not isinstance(p, str) or p not in known_plans:
                out.append(Problem(file, fid, f"unknown plan {p!r}"))
    _check_plan_roles(file, fid, props, out)
    if check_excerpts:
        check_excerpts_about(file, fid, props, out)
    precision = props.get("location_precision_m")
    if isinstance(precision, int | float) and not isinstance(precision, bool) and precision <= 0:
        out.append(Problem(file, fid, "location_precision_m must be positive"))
    source = props.get("location_source")
    if isinstance(source, str) and not source.strip():
        out.append(Problem(file, fid, "empty location_source"))
    excerpts = props.get("excerpts")
    if isinstance(excerpts, list):
        if not excerpts:
            out.append(Problem(file, fid, "no excerpt from any plan"))
        excerpt_plans = []
        for n, exc in enumerate(excerpts, 1):
            _check_excerpt(file, fid, n, exc, out, check_excerpts)
            if isinstance(exc, dict):
                excerpt_plans.append(str(exc.get("plan")))
        mentions = props.get("mentions")
        for n, exc in enumerate(mentions if isinstance(mentions, list) else [], 1):
            _check_excerpt(file, fid, n, exc, out, check_excerpts, kind="mention")
        if isinstance(plans, list) and set(map(str, plans)) != set(excerpt_plans):
            out.append(
                Problem(
                    file,
                    fid,
                    f"plans {plans} differ from the plans of its excerpts {sorted(set(map(str, excerpt_plans)))}",
                )
            )


def _check_plan_roles(file: str, fid: str, props: dict[str, Any], out: list[Problem]) -> None:
    """Every plan in ``plans`` has its role (and group) in ``plan_roles``, and only those."""
    plans = props.get("plans")
    roles = props.get("plan_roles")
    if not isinstance(plans, list) or not isinstance(roles, dict):
        return
    for pid in plans:
        if not isinstance(pid, str):  # reported as an unknown plan
            continue
        entry = roles.get(pid)
        if not isinstance(entry, dict):
            out.append(Problem(file, fid, f"plan_roles has no entry for plan {pid!r}"))
            continue
        role, group = entry.get("role"), entry.get("group")
        if role not in ROLES:
            out.append(Problem(file, fid, f"plan_roles[{pid!r}]: unknown role {role!r}"))
        if group is not None and not isinstance(group, str):
            out.append(Problem(file, fid, f"plan_roles[{pid!r}]: group must be a string or null"))
    extra = [pid for pid in roles if pid not in plans]
    if extra:
        out.append(Problem(file, fid, f"plan_roles names plan(s) not in plans: {extra}"))


def _check_excerpt(
    file: str,
    fid: str,
    n: int,
    exc: Any,
    out: list[Problem],
    check_text: bool,
    kind: str = "excerpt",
) -> None:
    if not isinstance(exc, dict) or any(not isinstance(exc.get(k), str) for k in EXCERPT_KEYS):
        out.append(Problem(file, fid, f"{kind} {n} needs string fields {', '.join(EXCERPT_KEYS)}"))
        return
    if "<" in exc["text"] or ">" in exc["text"]:
        # the quote finder skips the seeds' own <b>/<span …> markers, so say it here
        out.append(Problem(file, fid, f"{kind} {n} contains markup (< or >): quote plain text"))
    try:
        plan = get_plan(exc["plan"])
    except KeyError:
        out.append(Problem(file, fid, f"{kind} {n}: unknown plan {exc['plan']!r}"))
        return
    if exc["seed"] != plan.file:
        out.append(
            Problem(file, fid, f"{kind} {n}: seed {exc['seed']!r} is not {plan.id}'s ({plan.file})")
        )
    if not check_text:
        return
    text = load_plan(plan.id)
    found = text.find_all(exc["text"])
    if not found:
        try:
            text.find(exc["text"])
        except LookupError as err:
            out.append(Problem(file, fid, f"{kind} {n}: {err}"))
        return
    sections = {m.section for m in found}
    if exc["section"] not in sections:
        out.append(
            Problem(
                file, fid, f"{kind} {n}: section {exc['section']!r} should be {found[0].section!r}"
            )
        )


def _check_district(
    file: str, fid: str, props: dict[str, Any], geom: Any, out: list[Problem]
) -> None:
    from spatial.geo.base import districts_containing

    districts = props.get("district")
    listed = districts if isinstance(districts, list) else []
    named = [d for d in listed if isinstance(d, str) and d in DISTRICTS]
    if not named or props.get("in_guangzhou") is False:
        return
    if geom.geom_type in ("LineString", "MultiLineString", "MultiPoint"):
        # every vertex is probed: screen them all in one pass, then name the first stray one
        probes = _first_outside(shapely.points(shapely.get_coordinates(geom)), named)
    elif geom.geom_type == "Point":
        probes = [geom]
    else:
        probes = [geom.point_on_surface()]
    for probe in probes:
        found = districts_containing(probe, tolerance_m=DISTRICT_TOLERANCE_M)
        if not set(found) & set(named):
            where = "、".join(found) if found else "no district of Guangzhou"
            out.append(
                Problem(
                    file,
                    fid,
                    f"point ({probe.x:.5f}, {probe.y:.5f}) lies in {where}, not in {'、'.join(named)} "
                    f"(tolerance {DISTRICT_TOLERANCE_M:g} m)",
                )
            )
            return


def _first_outside(points: Any, named: list[str]) -> list[Any]:
    """The first of many points farther than the tolerance from all the named districts.

    One vectorised distance test in EPSG:32649 instead of a lookup per vertex, so a line of
    100 000 vertices takes a second, not minutes. Returns that point in a list, or ``[]``.
    """
    import geopandas as gpd
    import numpy as np

    from spatial.geo.base import load_districts

    districts = load_districts()
    area = districts[districts["name"].isin(named)].to_crs(METRIC_CRS).union_all()
    metric = gpd.GeoSeries(points, crs="EPSG:4326").to_crs(METRIC_CRS).values
    outside = np.flatnonzero(~shapely.dwithin(area, metric, DISTRICT_TOLERANCE_M))
    return [points[outside[0]]] if len(outside) else []


def validate_features(
    layers: list[ParsedLayer],
    check_districts: bool = True,
    check_excerpts: bool = True,
    known_ids: set[str] | None = None,
) -> list[Problem]:
    """Validate parsed layers together (ids and names must be unique across all of them).

    Parameters
    ----------
    layers : list of ParsedLayer
        From :func:`parse_layer_bytes`; their parse problems are included in the result.
    check_districts : bool
        Check every feature lies in the district it names.
    check_excerpts : bool
        Look every excerpt up in its plan text.
    known_ids : set of str, optional
        Ids that references may point to besides the ones in ``layers`` (e.g. the curated layers
        when validating an upload).
    """
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    all_ids = set(known_ids or ())
    for layer in layers:
        all_ids.update(
            f["properties"]["id"]
            for f in layer.features
            if isinstance(f["properties"].get("id"), str)
        )
    for layer in layers:
        problems.extend(layer.problems)
        for i, feat in enumerate(layer.features):
            fid = _feature_id(feat, i)
            props = feat["properties"]
            if fid in ids:
                problems.append(Problem(layer.file, fid, f"duplicate id (also in {ids[fid]})"))
            else:
                ids[fid] = layer.file
            aliases = props.get("aliases")
            for word in [props.get("name"), *(aliases if isinstance(aliases, list) else [])]:
                if not isinstance(word, str) or not word:
                    continue
                other = names.get(word)
                if other and other[1] != fid:
                    problems.append(
                        Problem(
                            layer.file,
                            fid,
                            f"name or alias {word!r} also used by {other[1]} ({other[0]})",
                        )
                    )
                else:
                    names[word] = (layer.file, fid)
            _check_properties(layer.file, fid, props, problems, check_excerpts)
            for key in REFERENCE_PROPERTIES:
                value = props.get(key)
                refs = (
                    [value] if isinstance(value, str) else value if isinstance(value, list) else []
                )
                for ref in refs:
                    if not isinstance(ref, str) or ref not in all_ids:
                        problems.append(
                            Problem(layer.file, fid, f"{key} refers to unknown id {ref!r}")
                        )
            context = props.get("in_guangzhou") is False  # the 区外 context, checked below
            geom = _check_geometry(layer.file, fid, feat, problems, context)
            if geom is not None and check_districts:
                _check_district(layer.file, fid, props, geom, problems)
    return problems


def layer_paths(layers_dir: Path = LAYERS_DIR) -> list[Path]:
    """The curated layer files, sorted."""
    return sorted(layers_dir.glob("*.geojson"))


def validate_layer_files(
    paths: list[Path] | None = None, check_districts: bool = True
) -> list[Problem]:
    """Validate layer files (default: every ``layers/*.geojson``) and return all problems."""
    paths = layer_paths() if paths is None else paths
    parsed: list[ParsedLayer] = []
    problems: list[Problem] = []
    if not paths:
        problems.append(Problem(str(LAYERS_DIR), "", "no layer files found"))
    for path in paths:
        try:
            size = Path(path).stat().st_size
            if size > MAX_LAYER_BYTES:
                problems.append(_size_problem(_display_name(Path(path)), size))
                continue
            data = Path(path).read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), "", f"cannot read: {exc.strerror}"))
            continue
        parsed.append(parse_layer_bytes(data, _display_name(Path(path))))
    if check_districts:
        try:
            from spatial.geo.base import load_districts

            load_districts()
        except (ImportError, FileNotFoundError, OSError) as exc:
            problems.append(
                Problem(
                    "data/geo/districts.geojson",
                    "",
                    f"district boundaries unavailable ({exc}); run gzmap build-base",
                )
            )
            check_districts = False
    return problems + validate_features(parsed, check_districts=check_districts)


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(LAYERS_DIR.parent.resolve()))
    except ValueError:
        return str(path)
