"""Change files: one suggested change to one place, as a person downloads it from the app.

A change file is short YAML (``docs/change-files.md``): the place's id, ``site`` (a register place
gets a site) or ``edit`` (a place on the map changes), the author as typed, the date, a reason,
the evidence (verbatim excerpts of a plan and/or a location source) and, for every field that
changes, its current value beside the proposed one. The app writes it with :func:`change_text`;
``gzmap review`` and ``gzmap apply`` read it with :func:`read_change`, which treats it as hostile:

* at most :data:`MAX_BYTES` of UTF-8; no YAML anchors, aliases or tags; nesting bounded;
* only the keys of the format, each of its type; texts bounded and free of markup characters;
* ids are slugs and plans are the manifest's (nothing in a change file names a path).

Every failure is a :class:`ChangeFileError` whose message is one line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spatial.plans.manifest import plan_ids
from spatial.plans.schema import GUANGZHOU_BBOX, ID_RE
from spatial.plans.schema import LOCATION_KINDS as SCHEMA_KINDS

FORMAT_KEY = "gzplan_change"
FORMAT_VERSION = 1
ACTIONS = ("site", "edit")
#: A change file larger than this is refused unread: 64 KiB.
MAX_BYTES = 64 * 1024
MAX_DEPTH = 8
MAX_VERTICES = 2000
#: The fields a change may hold, in the order they are written.
FIELDS = (
    "geometry",
    "name",
    "name_en",
    "aliases",
    "role",
    "industries",
    "district",
    "location_source",
    "location_precision_m",
)
LIST_FIELDS = ("aliases", "industries", "district")
#: Longest text of each kind (characters).
LIMITS = {"author": 80, "reason": 2000, "source": 500, "excerpt": 2000, "name": 80, "note": 300}
MAX_ITEMS = 30
MIN_EXCERPT = 4
PRECISION_RANGE_M = (1.0, 50_000.0)
#: The kinds a ``location_source`` starts with (layer contract), longest first. ``derived`` is
#: the builder's, never a change's.
LOCATION_KINDS = tuple(kind for kind, _label in SCHEMA_KINDS)
#: Characters plan text, names and notes never need but markup smuggled into a page does.
_MARKUP = re.compile(r"[<>`]")
_NAME_MARKUP = re.compile(r"[<>\"`]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TOP_KEYS = {FORMAT_KEY, "place", "name", "action", "author", "date", "reason", "evidence", "changes"}

_HEADER = """\
# 建议修改 Suggest a change — a gzplan-map change file: one suggestion for one place.
#   read it:   gzmap review {file}
#   apply it:  gzmap apply {file}   (every check first; all or nothing)
"""


class ChangeFileError(ValueError):
    """A change file that cannot be used, with the reason in one line."""


@dataclass(frozen=True)
class Excerpt:
    """A passage of a plan given as evidence; ``section`` is where the app found it."""

    plan: str
    text: str
    section: str | None = None


@dataclass
class Change:
    """One suggested change (see the module docstring)."""

    place: str
    name: str
    action: str
    author: str
    date: str
    reason: str
    excerpts: list[Excerpt] = field(default_factory=list)
    source: str | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (before, after)
    path: str = ""  # where it was read from, for messages

    def to_dict(self) -> dict[str, Any]:
        """The change as the file writes it."""
        evidence: dict[str, Any] = {}
        if self.excerpts:
            evidence["excerpts"] = [
                {"plan": e.plan, **({"section": e.section} if e.section else {}), "text": e.text}
                for e in self.excerpts
            ]
        if self.source:
            evidence["source"] = self.source
        return {
            FORMAT_KEY: FORMAT_VERSION,
            "place": self.place,
            "name": self.name,
            "action": self.action,
            "author": self.author,
            "date": self.date,
            "reason": self.reason,
            "evidence": evidence,
            "changes": {
                k: {"before": self.fields[k][0], "after": self.fields[k][1]}
                for k in FIELDS
                if k in self.fields
            },
        }


class _Dumper(yaml.SafeDumper):
    """Block mappings, lists of plain values on one line (as the sources write them), and
    never an anchor (a reader of change files refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list | tuple) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def dump_yaml(data: Any) -> str:
    """YAML for people to read: see :class:`_Dumper`."""
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
        default_flow_style=False,
    )


def change_text(change: Change, file_name: str = "CHANGE.yaml") -> str:
    """The change as a file to download: a short header saying what to do with it, then YAML."""
    return _HEADER.format(file=file_name) + dump_yaml(change.to_dict())


def file_name(change: Change) -> str:
    """A download name that says what the file is: ``change-<place>-<date>.yaml``."""
    return f"change-{change.place}-{change.date}.yaml"


# -- reading --------------------------------------------------------------------------------------
def read_change(path: Path | str) -> Change:
    """Read and check a change file; :class:`ChangeFileError` (one line) if it cannot be used."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ChangeFileError("not a file")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ChangeFileError(f"cannot read: {exc.strerror or exc}") from exc
    change = parse_change(data)
    change.path = str(path)
    return change


def parse_change(data: bytes | str) -> Change:
    """Check the text of a change file and return the change it holds."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ChangeFileError(f"larger than {MAX_BYTES // 1024} KiB: not a change file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChangeFileError("not UTF-8 text") from exc
    _check_events(text)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ChangeFileError(f"not readable YAML: {_one_line(exc)}") from exc
    if not isinstance(doc, dict):
        raise ChangeFileError("not a change file (expected a YAML mapping)")
    return _change_of(doc)


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_events(text: str) -> None:
    """Refuse anchors, aliases, explicit tags and deep nesting before anything is built."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ChangeFileError("YAML anchors and aliases are not allowed in a change file")
            tag = getattr(event, "tag", None)
            implicit = getattr(event, "implicit", True)
            if tag and not (implicit is True or (isinstance(implicit, tuple) and any(implicit))):
                raise ChangeFileError(f"YAML tags are not allowed in a change file ({tag[:40]})")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ChangeFileError("nested too deeply for a change file")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise ChangeFileError(f"not readable YAML: {_one_line(exc)}") from exc


def _text(value: Any, what: str, limit: int, *, name: bool = False, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ChangeFileError(f"{what} must be text")
    value = value.strip()
    if len(value) > limit:
        raise ChangeFileError(f"{what} is longer than {limit} characters")
    if _CONTROL.search(value):
        raise ChangeFileError(f"{what} holds control characters")
    if (_NAME_MARKUP if name else _MARKUP).search(value):
        raise ChangeFileError(f"{what} holds markup characters (< > ` or \"): not accepted")
    return value


def _change_of(doc: dict[Any, Any]) -> Change:
    unknown = sorted(str(k)[:40] for k in doc if k not in _TOP_KEYS)
    if unknown:
        raise ChangeFileError(f"unknown key(s): {', '.join(unknown)}")
    if doc.get(FORMAT_KEY) != FORMAT_VERSION:
        raise ChangeFileError(f"not a change file: '{FORMAT_KEY}: {FORMAT_VERSION}' is missing")
    place = doc.get("place")
    if not isinstance(place, str) or not ID_RE.match(place):
        raise ChangeFileError("place must be the id of a place (a slug such as huangpu-lab)")
    action = doc.get("action")
    if action not in ACTIONS:
        raise ChangeFileError(f"action must be one of {', '.join(ACTIONS)}")
    date = doc.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ChangeFileError("date must be YYYY-MM-DD")
    excerpts, source = _evidence(doc.get("evidence"))
    changes = doc.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ChangeFileError("changes must list at least one field with before and after")
    fields: dict[str, tuple[Any, Any]] = {}
    for key, pair in changes.items():
        if key not in FIELDS:
            raise ChangeFileError(f"changes: unknown field {str(key)[:40]!r}")
        if not isinstance(pair, dict) or set(pair) != {"before", "after"}:
            raise ChangeFileError(f"changes: {key} needs exactly 'before' and 'after'")
        fields[key] = (
            _value(key, pair["before"], f"{key} before", allow_none=True),
            _value(key, pair["after"], f"{key} after", allow_none=key == "name_en"),
        )
    return Change(
        place=place,
        name=_text(doc.get("name"), "name", LIMITS["name"], name=True),
        action=action,
        author=_text(doc.get("author"), "author", LIMITS["author"]),
        date=date,
        reason=_text(doc.get("reason"), "reason", LIMITS["reason"]),
        excerpts=excerpts,
        source=source or None,
        fields=fields,
    )


def _evidence(value: Any) -> tuple[list[Excerpt], str]:
    if not isinstance(value, dict) or set(value) - {"excerpts", "source"}:
        raise ChangeFileError("evidence must hold excerpts and/or source, nothing else")
    source = _text(value.get("source"), "evidence source", LIMITS["source"], required=False)
    raw = value.get("excerpts") or []
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        raise ChangeFileError(f"evidence excerpts must be a list of at most {MAX_ITEMS}")
    known = set(plan_ids())
    excerpts = []
    for n, exc in enumerate(raw, 1):
        if not isinstance(exc, dict) or set(exc) - {"plan", "text", "section"}:
            raise ChangeFileError(f"excerpt {n} must hold plan and text")
        if exc.get("plan") not in known:
            raise ChangeFileError(f"excerpt {n}: unknown plan {str(exc.get('plan'))[:40]!r}")
        text = _text(exc.get("text"), f"excerpt {n}", LIMITS["excerpt"])
        if len(text) < MIN_EXCERPT:
            raise ChangeFileError(f"excerpt {n} is too short to be evidence")
        section = _text(exc.get("section"), f"excerpt {n} section", 300, required=False)
        excerpts.append(Excerpt(exc["plan"], text, section or None))
    if not excerpts and not source:
        raise ChangeFileError("evidence needs an excerpt of a plan or a location source")
    return excerpts, source


def _number(value: Any, what: str) -> float | int:
    """A finite number (an integral one as an int, so it is written back as written)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChangeFileError(f"{what} must be a number")
    number = float(value) if abs(value) < 1e300 else math.inf
    if not math.isfinite(number):
        raise ChangeFileError(f"{what} must be a finite number")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _lonlat(value: Any, what: str) -> list[float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ChangeFileError(f"{what}: a position is [longitude, latitude]")
    lon, lat = (_number(v, what) for v in value)
    west, south, east, north = GUANGZHOU_BBOX
    if not (west <= lon <= east and south <= lat <= north):
        raise ChangeFileError(
            f"{what}: [{lon:.5f}, {lat:.5f}] is outside Guangzhou (WGS84 [longitude, latitude])"
        )
    return [lon, lat]


def _geometry(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or len(value) != 1:
        raise ChangeFileError(f"{what} must be {{point: [lon, lat]}} or {{polygon: [...]}}")
    (kind, coords), = value.items()
    if kind == "point":
        return {"point": _lonlat(coords, what)}
    if kind == "polygon":
        if not isinstance(coords, list) or not 3 <= len(coords) <= MAX_VERTICES:
            raise ChangeFileError(f"{what}: a polygon has 3 to {MAX_VERTICES} positions")
        return {"polygon": [_lonlat(c, what) for c in coords]}
    raise ChangeFileError(f"{what} must be {{point: [lon, lat]}} or {{polygon: [...]}}")


def _value(key: str, value: Any, what: str, allow_none: bool) -> Any:
    """One field's value checked for its type and bounds (vocabularies are checked later)."""
    if value is None or (key in LIST_FIELDS and value == []):
        if value is None and not allow_none and key not in LIST_FIELDS:
            raise ChangeFileError(f"{what} is missing")
        return [] if key in LIST_FIELDS else None
    if key == "geometry":
        return _geometry(value, what)
    if key == "location_precision_m":
        return _number(value, what)
    if key in LIST_FIELDS:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise ChangeFileError(f"{what} must be a list of at most {MAX_ITEMS}")
        return [_text(v, what, LIMITS["name"], name=True) for v in value]
    if key == "location_source":
        return _text(value, what, LIMITS["note"] + 60)
    return _text(value, what, LIMITS["name"], name=True)


def location_kind(source: str) -> tuple[str | None, str]:
    """``(kind, note)`` of a ``location_source``; kind None when it starts with no known kind.

    >>> location_kind("best guess, site not known: 确切地点不详")
    ('best guess, site not known', '确切地点不详')
    """
    for kind in LOCATION_KINDS:
        if source.lower().startswith(kind.lower()):
            rest = source[len(kind) :].lstrip()
            if rest[:1] in (":", "："):
                return kind, rest[1:].strip()
    return None, source.strip()


# -- the current values of a place, as a change file writes them ----------------------------------
def geometry_value(geom: Any) -> dict[str, Any] | None:
    """``{point: [lon, lat]}`` / ``{polygon: [...]}`` of a GeoJSON or shapely geometry; None
    for no geometry or one a change file does not edit (lines, several parts, holes)."""
    if geom is None:
        return None
    gj = geom if isinstance(geom, Mapping) else geom.__geo_interface__
    coords = gj.get("coordinates")
    if gj.get("type") == "Point":
        return {"point": [round(float(c), 6) for c in coords[:2]]}
    if gj.get("type") == "Polygon" and len(coords) == 1:
        return {"polygon": [[round(float(c), 6) for c in p[:2]] for p in coords[0]]}
    return None


def current_values(props: Mapping[str, Any], geom: Any = None) -> dict[str, Any]:
    """Every field of :data:`FIELDS` of a built feature or register place, as a change file
    writes it (register places: no geometry, location source or precision)."""
    out: dict[str, Any] = {}
    for key in FIELDS:
        if key == "geometry":
            out[key] = geometry_value(geom)
            continue
        value = props.get(key)
        if key in LIST_FIELDS:
            out[key] = [str(v) for v in value] if isinstance(value, list | tuple) else []
        elif key == "location_precision_m":
            number = None if value is None or value != value else float(value)
            out[key] = int(number) if number is not None and number.is_integer() else number
        else:
            out[key] = None if value is None or value != value else str(value)
    return out


# -- helpers of the suggestion form ---------------------------------------------------------------
_SENTENCE_BREAK = re.compile(r"(?<=[。；！？])|\n")


def evidence_sentences(
    plan_id: str, quotes: list[str], chars: int = 400, limit: int = 40
) -> list[str]:
    """Whole sentences of a plan around the given quotes, for a person to pick evidence from.

    Each is a piece of the plan's clean text, so it is verbatim by construction.
    """
    from spatial.plans.texts import load_plan

    plan = load_plan(plan_id)
    out: list[str] = []
    for quote in quotes:
        for match in plan.find_all(quote)[:3]:
            start, end = max(0, match.start - chars), min(len(plan.clean), match.end + chars)
            pieces = _SENTENCE_BREAK.split(plan.clean[start:end])
            if start > 0:
                pieces = pieces[1:]
            if end < len(plan.clean):
                pieces = pieces[:-1]
            for piece in (p.strip() for p in pieces):
                if len(piece) >= MIN_EXCERPT and piece not in out:
                    out.append(piece)
    return out[:limit]
