"""The register of places the plans name without a known site.

A plan often names a base, a platform or a park whose site no public source states: a live-
streaming base "to be built", a centre "hosted by" an unnamed institution. Such a place is never
drawn as an invented point. It is a record in ``layers/src/register/<plan>.yaml`` with the plan's
words and the reason it has no site; ``gzmap build-layers`` builds all of them into
``layers/register.json`` and ``gzmap validate`` checks that file like a layer:

* ids are slugs, unique, and none is also a feature id; no place is both here and on the map;
* ``district`` and ``industries`` come from their vocabularies, ``reason`` is a sentence;
* every excerpt is found verbatim (through the normaliser) in its plan, in the section written.

Source format (one file per plan; records with the same ``id`` in several files merge)::

    plan: huadu_mfg
    places:
      - id: huadu-shengdi-bag-live-base
        name: 圣地环贸港箱包直播基地
        district: [花都区]               # only where the plan gives it
        industries: [皮革皮具]
        excerpts:
          - text: 加快推进建设以箱包皮具为特色的圣地环贸港箱包直播基地
        reason: the plan names the base; no public source gives its site
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spatial._io import atomic_write_text
from spatial._paths import LAYER_SOURCES_DIR, LAYERS_DIR, rel_path
from spatial._problems import Problem
from spatial.plans.about import names_of
from spatial.plans.build import read_records, resolve_quotes, source_files
from spatial.plans.schema import DISTRICTS, ID_RE, ROLES
from spatial.plans.taxonomy import load_taxonomy
from spatial.plans.texts import load_plan

REGISTER_SOURCES_DIR = LAYER_SOURCES_DIR / "register"
REGISTER_PATH = LAYERS_DIR / "register.json"
GENERATOR = "gzmap build-layers (from layers/src/register/*.yaml; edit the sources, not this file)"
#: The panel's words for a register place.
NO_SITE_LABEL = "规划提及，尚无确定位置"

_KEYS = {"id", "name", "name_en", "aliases", "role", "district", "industries", "excerpts", "reason"}
_LIST_KEYS = ("aliases", "district", "industries")
_MARKUP = set('<>"`')


def register_sources(src_dir: Path = REGISTER_SOURCES_DIR) -> list[Path]:
    """Register source files in manifest order (the order the layer sources are read in)."""
    return source_files(src_dir)


def _merge_place(
    place: dict[str, Any], rec: dict[str, Any], plan: str, rel: str, problems: list[Problem]
) -> None:
    fid = place["id"]
    for key in ("name", "name_en", "role", "reason"):
        if key not in rec:
            continue
        if key in place and place[key] != rec[key]:
            if key == "name":
                if rec[key] not in place["aliases"]:
                    place["aliases"].append(rec[key])
            elif key == "reason":
                place["reason"] = f"{place['reason']} {rec[key]}"
            else:
                problems.append(
                    Problem(rel, fid, f"{key} {rec[key]!r} conflicts with {place[key]!r}")
                )
            continue
        place[key] = rec[key]
    for key in _LIST_KEYS:
        value = rec.get(key) or []
        for item in value if isinstance(value, list) else [value]:
            if item not in place[key]:
                place[key].append(item)
    for exc in rec.get("excerpts") or []:
        text = exc.get("text") if isinstance(exc, dict) else exc
        if not isinstance(text, str):
            problems.append(Problem(rel, fid, f"excerpt is not text: {exc!r}"))
            continue
        exc_plan = exc.get("plan", plan) if isinstance(exc, dict) else plan
        place["_excerpts"].append((rel, exc_plan, text, {}))


def _resolve(place: dict[str, Any], problems: list[Problem]) -> None:
    place["excerpts"] = resolve_quotes(place["id"], place.pop("_excerpts"), problems)
    place["plans"] = list(dict.fromkeys(e["plan"] for e in place["excerpts"]))
    tags, unknown = load_taxonomy().fold(place["industries"])
    for word in unknown:
        problems.append(
            Problem(
                place["_source"], place["id"], f"industry {word!r} is not in data/industries.yaml"
            )
        )
    place["industries"] = tags


def register_document(src_dir: Path = REGISTER_SOURCES_DIR) -> tuple[dict[str, Any], list[Problem]]:
    """The register built from its sources, and the problems found (nothing is written).

    ``gzmap build-layers`` writes :func:`register_text` of it together with the layers, as
    one set (see :func:`spatial.plans.build.build_layers`).
    """
    problems: list[Problem] = []
    places: dict[str, dict[str, Any]] = {}
    for rec in read_records(register_sources(src_dir), problems, "places", _KEYS):
        fid = rec.data["id"]
        place = places.setdefault(
            fid,
            {"id": fid, "_source": rec.source, "_excerpts": [], **{k: [] for k in _LIST_KEYS}},
        )
        _merge_place(place, rec.data, rec.plan, rec.source, problems)
    out: list[dict[str, Any]] = []
    for place in places.values():
        _resolve(place, problems)
        source = place.pop("_source")
        for key in ("name", "reason"):
            if not place.get(key):
                problems.append(Problem(source, place["id"], f"missing {key}"))
        out.append(
            {
                "id": place["id"],
                "name": place.get("name", ""),
                "name_en": place.get("name_en"),
                "aliases": place["aliases"],
                "role": place.get("role"),
                "plans": place["plans"],
                "district": place["district"],
                "industries": place["industries"],
                "reason": place.get("reason", ""),
                "excerpts": place["excerpts"],
            }
        )
    return {"type": "PlaceRegister", "generator": GENERATOR, "places": out}, problems


def register_text(doc: dict[str, Any]) -> str:
    """The text of ``layers/register.json`` for a register document."""
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def build_register(
    src_dir: Path = REGISTER_SOURCES_DIR, out_path: Path = REGISTER_PATH, check_only: bool = False
) -> tuple[dict[str, Any], list[Problem], bool]:
    """Build ``layers/register.json`` from the register sources, on its own.

    Returns
    -------
    (document, problems, changed)
        ``changed`` is True when the built file differed (and, unless ``check_only``, was
        rewritten). Nothing is written when there is any problem.
    """
    doc, problems = register_document(src_dir)
    if problems:
        return doc, problems, False
    text = register_text(doc)
    current = out_path.read_text(encoding="utf-8") if out_path.exists() else None
    changed = current != text
    if changed and not check_only:
        atomic_write_text(out_path, text)
    return doc, problems, changed


def load_register(path: Path = REGISTER_PATH) -> list[dict[str, Any]]:
    """The register's places (an empty list when the file does not exist)."""
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("places", [])


def validate_register(
    path: Path = REGISTER_PATH,
    feature_ids: set[str] | None = None,
    feature_names: set[str] | None = None,
) -> list[Problem]:
    """Check the built register against the contract (see the module docstring)."""
    rel = rel_path(path)
    try:
        places = load_register(path)
    except (OSError, ValueError, AttributeError) as exc:
        return [Problem(rel, "", f"not a readable register: {exc}")]
    problems: list[Problem] = []
    seen: set[str] = set()
    tags = set(load_taxonomy().tags)
    for n, place in enumerate(places):
        fid = place.get("id") if isinstance(place, dict) else None
        if not isinstance(fid, str) or not ID_RE.match(fid):
            problems.append(Problem(rel, f"#{n}", f"bad id {fid!r}"))
            continue
        if fid in seen:
            problems.append(Problem(rel, fid, "duplicate id"))
        seen.add(fid)
        if feature_ids and fid in feature_ids:
            problems.append(Problem(rel, fid, "id is also a feature on the map"))
        if not isinstance(place.get("name"), str) or not place["name"].strip():
            problems.append(Problem(rel, fid, "missing name"))
        for name in names_of(place):
            if _MARKUP & set(name):
                problems.append(Problem(rel, fid, f"name {name!r} holds markup characters"))
            if feature_names and name in feature_names:
                problems.append(
                    Problem(rel, fid, f"{name!r} is on the map: a place is one or the other")
                )
        if not isinstance(place.get("reason"), str) or len(place["reason"].strip()) < 10:
            problems.append(
                Problem(rel, fid, "reason missing or too short to say why there is no site")
            )
        for d in place.get("district") or []:
            if d not in DISTRICTS:
                problems.append(Problem(rel, fid, f"unknown district {d!r}"))
        for tag in place.get("industries") or []:
            if tag not in tags:
                problems.append(Problem(rel, fid, f"unknown industry tag {tag!r}"))
        if place.get("role") is not None and place["role"] not in ROLES:
            problems.append(Problem(rel, fid, f"unknown role {place['role']!r}"))
        problems.extend(_check_excerpts(rel, fid, place))
    return problems


def _check_excerpts(rel: str, fid: str, place: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    excerpts = place.get("excerpts") or []
    if not excerpts:
        out.append(Problem(rel, fid, "no excerpt from any plan"))
    plans = []
    for n, exc in enumerate(excerpts, 1):
        if not isinstance(exc, dict) or not all(
            isinstance(exc.get(k), str) for k in ("plan", "text", "section")
        ):
            out.append(Problem(rel, fid, f"excerpt {n} needs plan, section and text"))
            continue
        plans.append(exc["plan"])
        if "<" in exc["text"] or ">" in exc["text"]:
            out.append(Problem(rel, fid, f"excerpt {n} contains markup (< or >)"))
        try:
            found = load_plan(exc["plan"]).find_all(exc["text"])
        except KeyError:
            out.append(Problem(rel, fid, f"excerpt {n}: unknown plan {exc['plan']!r}"))
            continue
        if not found:
            out.append(Problem(rel, fid, f"excerpt {n} is not in the plan text"))
        elif exc["section"] not in {m.section for m in found}:
            out.append(Problem(rel, fid, f"excerpt {n}: section should be {found[0].section!r}"))
    if list(dict.fromkeys(plans)) != list(place.get("plans") or []):
        out.append(Problem(rel, fid, "plans differ from the plans of its excerpts"))
    return out
