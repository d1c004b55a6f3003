"""Check change files against the sources and apply them: all of them or none.

:func:`prepare` does everything but write: it reads the current state from the sources (built in
memory, so it does not matter whether ``layers/*.geojson`` are up to date), checks each change
(see ``docs/change-files.md``: the place, every ``before`` still current — else the change is
*stale* —, vocabularies, geometry and district, the excerpts verbatim through the normaliser),
edits the sources' records (:mod:`spatial.plans.edits.yamledit`, every other line kept), rebuilds the layers
and the register from the edited sources in a scratch folder and validates them. The result holds
every problem and, when there is none, the text of every file to write: the edited sources and
coverage decisions, the history entries, the built layers and the register. :func:`apply_changes`
writes that set in one atomic write.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import Point

from spatial._io import atomic_write_many
from spatial._paths import LAYER_SOURCES_DIR, LAYERS_DIR, rel_path
from spatial._problems import Problem
from spatial.plans.build import build_layers, dumps_feature_collection, source_files
from spatial.plans.derive import explicit_geometry
from spatial.plans.edits import history
from spatial.plans.edits.changefile import (
    LIST_FIELDS,
    PRECISION_RANGE_M,
    Change,
    current_values,
    location_kind,
)
from spatial.plans.edits.yamledit import KEY_ORDER, EditError, SourceText
from spatial.plans.schema import DISTRICT_TOLERANCE_M, DISTRICTS, ROLES
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import QuoteNotFound, load_plan

REGISTER_LIST, LAYER_LIST = "places", "features"


@dataclass
class State:
    """The places as the sources define them now (built in memory)."""

    features: dict[str, dict[str, Any]]  # id -> {"properties": …, "geometry": GeoJSON}
    register: dict[str, dict[str, Any]]  # id -> built register place
    problems: list[Problem]  # what the build or the validator says of the sources as they are
    layer_texts: dict[Path, str] = field(default_factory=dict)
    register_text: str = ""


@dataclass
class Prepared:
    """What applying a set of changes would do (nothing is written by :func:`prepare`)."""

    changes: list[Change]
    problems: list[Problem] = field(default_factory=list)
    writes: dict[Path, str] = field(default_factory=dict)  # every file to write, whole
    removes: list[Path] = field(default_factory=list)
    sources_before: dict[Path, str] = field(default_factory=dict)  # edited sources, as they were
    sources_after: dict[Path, str] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)


# -- the current state ----------------------------------------------------------------------------
def load_state(src_dir: Path = LAYER_SOURCES_DIR, layers_dir: Path = LAYERS_DIR) -> State:
    """Build the layers and the register from ``src_dir`` in memory and validate them."""
    from spatial.plans.register import register_document, register_text

    register_path = layers_dir / "register.json"
    doc, problems = register_document(src_dir / "register")
    reg_text = register_text(doc)
    result = build_layers(src_dir, layers_dir, check_only=True, also={register_path: reg_text})
    problems = problems + result.problems
    features: dict[str, dict[str, Any]] = {}
    texts: dict[Path, str] = {}
    for name, fc in result.layers.items():
        texts[layers_dir / f"{name}.geojson"] = dumps_feature_collection(name, fc["features"])
        for feat in fc["features"]:
            features[feat["properties"]["id"]] = feat
    if not problems:
        problems = _validation_problems(texts, reg_text)
    return State(features, {p["id"]: p for p in doc["places"]}, problems, texts, reg_text)


def _validation_problems(layer_texts: dict[Path, str], reg_text: str) -> list[Problem]:
    from spatial.plans.register import validate_register
    from spatial.plans.validate import parse_layer_bytes, validate_features

    parsed = [parse_layer_bytes(t.encode("utf-8"), f"layers/{p.name}") for p, t in layer_texts.items()]
    problems = validate_features(parsed)
    ids = {f["properties"]["id"] for layer in parsed for f in layer.features}
    names = {
        n
        for layer in parsed
        for f in layer.features
        for n in [f["properties"].get("name"), *(f["properties"].get("aliases") or [])]
        if isinstance(n, str)
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.json"
        path.write_text(reg_text, encoding="utf-8")
        for p in validate_register(path, feature_ids=ids, feature_names=names):
            problems.append(Problem("layers/register.json", p.feature_id, p.message))
    return problems


# -- checking one change --------------------------------------------------------------------------
def current_of(change: Change, state: State) -> dict[str, Any] | None:
    """The current values of the change's place (None if it is not where the action needs it)."""
    if change.action == "site":
        place = state.register.get(change.place)
        return None if place is None else current_values(place)
    feat = state.features.get(change.place)
    return None if feat is None else current_values(feat["properties"], feat["geometry"])


def _same(key: str, a: Any, b: Any) -> bool:
    if key == "geometry":
        if a is None or b is None:
            return a is None and b is None
        ga, gb = (shapely.normalize(explicit_geometry(v)) for v in (a, b))
        return bool(shapely.equals_exact(ga, gb, tolerance=1e-6))
    if key in LIST_FIELDS:
        return sorted(a or []) == sorted(b or [])
    if key == "location_precision_m" and a is not None and b is not None:
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_change(change: Change, state: State) -> list[str]:
    """Every reason ``change`` cannot be applied to ``state`` (empty: it can)."""
    fid = change.place
    current = current_of(change, state)
    if current is None:
        if change.action == "site" and fid in state.features:
            return [f"stale: {fid} is on the map already (the register no longer holds it)"]
        if change.action == "edit" and fid in state.register:
            return [f"{fid} is a register place without a site: its change must be 'site'"]
        return [f"no place {fid!r} {'in the register' if change.action == 'site' else 'on the map'}"]
    out: list[str] = []
    for key, (before, _after) in change.fields.items():
        if not _same(key, before, current[key]):
            out.append(
                f"stale: {key} is {_short(current[key])} in the sources now, the change expected "
                f"{_short(before)} (made before another change; make it anew)"
            )
    if out:
        return out
    if all(_same(k, b, a) for k, (b, a) in change.fields.items()):
        return ["the change changes nothing"]
    after = {**current, **{k: a for k, (_b, a) in change.fields.items()}}
    out.extend(_check_values(change, current, after, state))
    out.extend(_check_evidence(change))
    return out


def _check_values(
    change: Change, current: dict[str, Any], after: dict[str, Any], state: State
) -> list[str]:
    out: list[str] = []
    given = change.fields
    source_now = current.get("location_source") or ""
    if change.action == "edit" and "derived" in source_now:
        fixed = [k for k in ("geometry", "location_source", "location_precision_m", "district")
                 if k in given]
        if fixed:
            out.append(f"{', '.join(fixed)}: a derived shape follows its members; change those")
    if change.action == "edit" and "geometry" in given and current["geometry"] is None:
        out.append("geometry: this place is drawn as a line or in several parts; edit it by hand")
    if change.action == "site":
        for key in ("geometry", "location_source", "location_precision_m", "role", "district"):
            if not after.get(key):
                out.append(f"{key}: a place given a site needs one")
    if after.get("role") is not None and after["role"] not in ROLES:
        out.append(f"role {after['role']!r} is not a role ({', '.join(ROLES)})")
    for district in after.get("district") or []:
        if district not in DISTRICTS:
            out.append(f"district {district!r} is not a district of Guangzhou")
    if "location_source" in given and after["location_source"]:
        kind, note = location_kind(after["location_source"])
        if kind is None or not note:
            out.append(
                "location_source must be '<kind>: <note in Chinese>' with a kind of the layer "
                "contract (best knowledge, best guess, site not known, plan, drawn, OSM …)"
            )
        elif "derived" in note.lower():
            out.append("location_source: derived is the builder's, not a change's")
        elif set(re.findall(r"[A-Za-z]{4,}", note)) - {"EPSG"} or not re.search(r"[\u4e00-\u9fff]", note):
            out.append("location_source: write the note after the kind in Chinese")
    precision = after.get("location_precision_m")
    low, high = PRECISION_RANGE_M
    if "location_precision_m" in given and precision is not None and not low <= precision <= high:
        out.append(f"location_precision_m must be {low:g} to {high:g} metres")
    out.extend(_check_industries(change, after, state))
    out.extend(_check_geometry(after))
    return out


def _check_industries(change: Change, after: dict[str, Any], state: State) -> list[str]:
    if "industries" not in change.fields:
        return []
    taxonomy = load_taxonomy()
    out = []
    place = state.register.get(change.place) or (
        state.features.get(change.place, {}).get("properties", {})
    )
    words = "\n".join(
        [after.get("name") or "", *after.get("aliases", []),
         *(e.get("text", "") for e in place.get("excerpts") or [])]
    )
    for word in after["industries"]:
        tag = taxonomy.canonical(word)
        if tag is None:
            out.append(f"industry {word!r} is not a tag or synonym in data/industries.yaml")
        elif tag not in taxonomy.groups and not any(w in words for w in taxonomy.expand(tag)):
            out.append(
                f"industry {tag!r} is a specific industry its excerpts, name and aliases never "
                f"write; tag its group {taxonomy.group_of(tag)!r} instead"
            )
    return out


def _check_geometry(after: dict[str, Any]) -> list[str]:
    value = after.get("geometry")
    if value is None:
        return []
    from spatial.geo.base import districts_containing

    try:
        geom = explicit_geometry(value)
    except (ValueError, TypeError) as exc:
        return [f"geometry: {exc}"]
    if not geom.is_valid:
        return ["geometry: the polygon crosses itself"]
    probe = geom if geom.geom_type == "Point" else geom.point_on_surface()
    named = after.get("district") or []
    found = districts_containing(probe, tolerance_m=DISTRICT_TOLERANCE_M)
    if named and not set(found) & set(named):
        where = "、".join(found) or "no district of Guangzhou"
        return [f"geometry lies in {where}, not in {'、'.join(named)} (the district it names)"]
    return []


def _check_evidence(change: Change) -> list[str]:
    out = []
    for n, exc in enumerate(change.excerpts, 1):
        try:
            load_plan(exc.plan).find(exc.text)
        except QuoteNotFound as err:
            out.append(f"excerpt {n} is not verbatim in the plan: {err}")
        except KeyError:
            out.append(f"excerpt {n}: unknown plan {exc.plan!r}")
    return out


def found_excerpts(change: Change) -> list[dict[str, str]]:
    """The change's excerpts as the plans word them, each with its section."""
    out = []
    for exc in change.excerpts:
        match = load_plan(exc.plan).find(exc.text)
        out.append({"plan": exc.plan, "section": match.section, "text": match.text})
    return out


# -- editing the sources --------------------------------------------------------------------------
class _Sources:
    """The source files read so far, edited in memory."""

    def __init__(self, src_dir: Path) -> None:
        self.src_dir = src_dir
        self.files: dict[Path, SourceText] = {}
        self.before: dict[Path, str] = {}

    def get(self, path: Path, list_key: str) -> SourceText:
        if path not in self.files:
            text = path.read_text(encoding="utf-8")
            self.before[path] = text
            self.files[path] = SourceText(text, list_key)
        return self.files[path]

    def records(self, fid: str, files: list[Path], list_key: str) -> list[tuple[Path, int, str]]:
        """``(file, nth, plan)`` of every record of ``fid`` in ``files`` (in their order)."""
        out = []
        for path in files:
            src = self.get(path, list_key)
            plan = src.data().get("plan", path.stem)
            out.extend((path, n, plan) for n in range(src.ids().count(fid)))
        return out


def _edit_fields(
    recs: list[dict[str, Any]], plans: list[str], owner: int, change: Change
) -> list[dict[str, Any]]:
    """The records of one place with the change's fields applied (pure data).

    Scalars go to every record that sets them (else to the owner record, which holds the
    geometry); ``role`` to the first record of the first placing plan; a list field loses
    the removed items in every record and gains the added ones in the first record holding
    that list (else the owner).
    """
    taxonomy = load_taxonomy()
    new = copy.deepcopy([r for r, _p in recs])
    for key, (before, after) in change.fields.items():
        if key == "geometry":
            new[owner]["geometry"] = after
        elif key == "role":
            first = next((i for i, (_r, p) in enumerate(recs) if plans and p == plans[0]), owner)
            new[first]["role"] = after
        elif key == "name":
            for rec in new:
                if rec.get("name") == before:
                    rec["name"] = after
        elif key in LIST_FIELDS:
            fold = taxonomy.canonical if key == "industries" else (lambda w: w)
            removed = {fold(w) or w for w in before} - {fold(w) or w for w in after}
            for rec in new:
                if key in rec:
                    rec[key] = [w for w in rec[key] or [] if (fold(w) or w) not in removed]
            have = {fold(w) or w for rec in new for w in rec.get(key) or []}
            added = [fold(w) or w for w in after if (fold(w) or w) not in have]
            holder = next((r for r in new if key in r), new[owner])
            holder[key] = [*(holder.get(key) or []), *added]
            for rec in new:
                if key in rec and not rec[key]:
                    del rec[key]
        else:
            setters = [r for r in new if key in r] or [new[owner]]
            for rec in setters:
                if after is None:
                    rec.pop(key, None)
                else:
                    rec[key] = after
    return new


def _edit_place(change: Change, state: State, sources: _Sources) -> None:
    files = source_files(sources.src_dir)
    found = sources.records(change.place, files, LAYER_LIST)
    datas = [sources.get(p, LAYER_LIST).record(change.place, n) for p, n, _plan in found]
    owner = next((i for i, d in enumerate(datas) if "geometry" in d), 0)
    plans = state.features[change.place]["properties"].get("plans") or []
    recs = list(zip(datas, [plan for _p, _n, plan in found], strict=True))
    if "aliases" in change.fields:
        names = {d["name"] for d in datas if "name" in d}
        dropped = set(change.fields["aliases"][0]) - set(change.fields["aliases"][1])
        if dropped & names:
            raise EditError(f"alias {sorted(dropped & names)[0]!r} is the name another source gives")
    new = _edit_fields(recs, plans, owner, change)
    for (path, nth, _plan), old, data in zip(found, datas, new, strict=True):
        values = {k: v for k, v in data.items() if old.get(k) != v}
        gone = [k for k in old if k not in data]
        if values or gone:
            sources.get(path, LAYER_LIST).set_keys(change.place, values, gone, nth=nth)


def _site_place(change: Change, sources: _Sources) -> list[str]:
    """Move a register place's records to the layer sources of their plans, with the change's
    fields; returns the plans whose records moved."""
    reg_files = source_files(sources.src_dir / "register")
    found = sources.records(change.place, reg_files, REGISTER_LIST)
    datas = [sources.get(p, REGISTER_LIST).record(change.place, n) for p, n, _plan in found]
    recs = [({k: v for k, v in d.items() if k != "reason"}, plan)
            for d, (_p, _n, plan) in zip(datas, found, strict=True)]
    plans = list(dict.fromkeys(plan for _d, plan in recs))
    new = _edit_fields(recs, plans, 0, change)
    layer_files = {sources.get(p, LAYER_LIST).data().get("plan", p.stem): p
                   for p in source_files(sources.src_dir)}
    for (path, nth, plan), data in reversed(list(zip(found, new, strict=True))):
        target = layer_files.get(plan)
        if target is None:
            raise EditError(f"no layer source for plan {plan!r}")
        sources.get(path, REGISTER_LIST).remove_record(change.place, nth)
        layer_src = sources.get(target, LAYER_LIST)
        layer = _layer_for(layer_src, data.get("role"))
        if layer and data is new[0]:
            data["layer"] = layer
        rank = {k: i for i, k in enumerate(KEY_ORDER)}
        ordered = dict(sorted(data.items(), key=lambda kv: rank.get(kv[0], len(rank))))
        layer_src.append_record(ordered)
    return plans


def _layer_for(src: SourceText, role: str | None) -> str | None:
    """The layer most records of this role in the file are in, if not the file's own."""
    doc = src.data()
    default = doc.get("layer", doc.get("plan"))
    layers = Counter(
        r.get("layer", default)
        for r in doc.get(LAYER_LIST) or []
        if isinstance(r, dict) and r.get("role") == role
    )
    best = layers.most_common(1)[0][0] if layers else default
    return best if best != default else None


def _move_coverage(plans: list[str], fid: str, src_dir: Path, writes: dict[Path, str]) -> None:
    from spatial.plans.edits.yamledit import move_entries

    for plan in plans:
        path = src_dir / "coverage" / f"{plan}.yaml"
        if path.is_file():
            text = writes.get(path) or path.read_text(encoding="utf-8")
            moved = move_entries(text, "in_register", "on_map", fid)
            if moved != text:
                writes[path] = moved


# -- all changes together -------------------------------------------------------------------------
def prepare(
    changes: list[Change],
    src_dir: Path = LAYER_SOURCES_DIR,
    layers_dir: Path = LAYERS_DIR,
    today: str | None = None,
    state: State | None = None,
) -> Prepared:
    """Check ``changes`` and compute every file applying them writes (see the module doc)."""
    out = Prepared(changes)
    state = state or load_state(src_dir, layers_dir)
    if state.problems:
        first = state.problems[0]
        out.problems.append(
            Problem("layers/src", first.feature_id,
                    f"the sources have {len(state.problems)} problem(s) before any change "
                    f"(first: {first}); run gzmap build-layers and gzmap validate")
        )
        return out
    seen: dict[str, str] = {}
    for change in changes:
        if change.place in seen:
            out.problems.append(Problem(change.path, change.place,
                                        f"changes the same place as {seen[change.place]}"))
        seen.setdefault(change.place, change.path)
        out.problems.extend(Problem(change.path, change.place, m) for m in check_change(change, state))
    if out.problems:
        return out
    sources = _Sources(src_dir)
    writes: dict[Path, str] = {}
    today = today or dt.date.today().isoformat()
    for change in changes:
        try:
            if change.action == "site":
                _move_coverage(_site_place(change, sources), change.place, src_dir, writes)
            else:
                _edit_place(change, state, sources)
        except EditError as exc:
            out.problems.append(Problem(change.path, change.place, f"cannot edit the sources: {exc}"))
    if out.problems:
        return out
    for path in list(writes):  # coverage decisions moved with a sited place
        out.sources_before[path] = path.read_text(encoding="utf-8")
        out.sources_after[path] = writes[path]
    for path, src in sources.files.items():
        if src.text != sources.before[path]:
            writes[path] = src.text
            out.sources_before[path] = sources.before[path]
            out.sources_after[path] = src.text
    after = _rebuild(writes, src_dir, layers_dir)
    known = {str(p) for p in state.problems}
    new_problems = [p for p in after.problems if str(p) not in known]
    for p in new_problems:
        out.problems.append(Problem(changes[0].path if len(changes) == 1 else "the changes",
                                    p.feature_id, f"after the change: {p.file}: {p.message}"))
    if out.problems:
        return out
    for change in changes:
        feat = after.features[change.place]["properties"]
        hist = history.history_path(change.place, src_dir / "history")
        old = writes.get(hist) or (hist.read_text(encoding="utf-8") if hist.is_file() else None)
        entry = history.entry(change, today, found_excerpts(change), feat["name"])
        writes[hist] = history.appended(old, change.place, feat["name"], entry)
    for path, text in [*after.layer_texts.items(), (layers_dir / "register.json", after.register_text)]:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            writes[path] = text
    out.removes = [p for p in state.layer_texts if p not in after.layer_texts]
    out.writes = writes
    out.summary.append(
        f"layers rebuilt: {len(after.features)} features; register: {len(after.register)} places"
    )
    return out


def _rebuild(writes: dict[Path, str], src_dir: Path, layers_dir: Path) -> State:
    """The state the edited sources build to, built in a scratch copy of ``src_dir``."""
    with tempfile.TemporaryDirectory(prefix="gzmap-apply-") as tmp:
        scratch = Path(tmp) / "src"
        shutil.copytree(src_dir, scratch, ignore=shutil.ignore_patterns("history"))
        for path, text in writes.items():
            (scratch / path.relative_to(src_dir)).write_text(text, encoding="utf-8")
        state = load_state(scratch, layers_dir)
    # name the real files, not the scratch copy
    state.problems = [Problem(p.file.replace(str(scratch), rel_path(src_dir)), p.feature_id,
                              p.message) for p in state.problems]
    return state


def apply_changes(
    changes: list[Change], src_dir: Path = LAYER_SOURCES_DIR, layers_dir: Path = LAYERS_DIR
) -> Prepared:
    """Prepare the changes and, if nothing is wrong, write every file in one atomic set."""
    prepared = prepare(changes, src_dir, layers_dir)
    if not prepared.problems:
        atomic_write_many(prepared.writes, remove=prepared.removes)
    return prepared


def site_point(value: dict[str, Any] | None) -> Point | None:
    """The representative point of a change-file geometry (None for none)."""
    if not value:
        return None
    if "point" in value:
        return Point(*value["point"])
    return explicit_geometry(value).point_on_surface()
