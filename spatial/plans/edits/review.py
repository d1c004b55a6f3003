"""``gzmap review`` and ``gzmap apply``: what change files would do, and doing it.

``review`` prints, for each change file, who suggested what and why, the evidence (each excerpt
said to be verbatim or not), every field before and after, the old and the new location with the
distance moved (metres, EPSG:32649) and the district each lies in, the text diff of the sources,
and what the checks say; it writes nothing. ``apply`` applies all the files or none
(:func:`spatial.plans.edits.apply.apply_changes`). A file that cannot be read is refused in one line.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

from spatial._paths import LAYER_SOURCES_DIR, LAYERS_DIR, rel_path
from spatial.plans.edits.apply import (
    Prepared,
    State,
    apply_changes,
    load_state,
    prepare,
    site_point,
)
from spatial.plans.edits.changefile import Change, ChangeFileError, read_change
from spatial.plans.schema import METRIC_CRS, ROLES
from spatial.plans.texts import load_plan


def _read_all(paths: list[str], verb: str) -> list[Change] | None:
    changes, failed = [], False
    for path in paths:
        try:
            changes.append(read_change(path))
        except ChangeFileError as exc:
            print(f"gzmap {verb}: {path}: {exc}" + ("; nothing changed" if verb == "apply" else ""),
                  file=sys.stderr)
            failed = True
    return None if failed else changes


def _where(point: Any) -> str:
    from spatial.geo.base import districts_containing

    if point is None:
        return "no site"
    found = districts_containing(point)
    return f"{point.x:.5f}, {point.y:.5f} in {'、'.join(found) or 'no district of Guangzhou'}"


def _metres(a: Any, b: Any) -> float:
    from pyproj import Transformer

    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    (ax, bx), (ay, by) = to_metric.transform([a.x, b.x], [a.y, b.y])
    return float(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5)


def location_line(change: Change) -> str | None:
    """Where the place was and where it would be, the distance and the districts."""
    if "geometry" not in change.fields:
        return None
    before, after = (site_point(v) for v in change.fields["geometry"])
    if before is None:
        return f"location: (no site) → {_where(after)}"
    return (f"location: moved {_metres(before, after):,.0f} m (EPSG:32649) from {_where(before)} "
            f"to {_where(after)}")


def _value(key: str, value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    if key == "geometry":
        if "point" in value:
            return "point {:.6f}, {:.6f}".format(*value["point"])
        return f"polygon of {len(value['polygon'])} positions"
    if key == "role" and value in ROLES:
        return f"{value} ({ROLES[value][0]})"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _evidence_lines(change: Change) -> list[str]:
    lines = ["evidence:"]
    for n, exc in enumerate(change.excerpts, 1):
        found = load_plan(exc.plan).find_all(exc.text)
        verdict = f"verbatim ✓ — {found[0].section}" if found else "NOT verbatim ✗"
        lines.append(f"  excerpt {n} ({exc.plan}): {verdict}")
        lines.append(f"    “{exc.text}”")
    if change.source:
        lines.append(f"  source: {change.source}")
    return lines


def _diff_lines(prepared: Prepared) -> list[str]:
    lines = []
    for path, before in prepared.sources_before.items():
        name = rel_path(path)
        lines.extend(difflib.unified_diff(
            before.splitlines(), prepared.sources_after[path].splitlines(),
            f"a/{name}", f"b/{name}", lineterm="", n=2,
        ))
    return lines


def review_lines(change: Change, prepared: Prepared) -> list[str]:
    """What ``gzmap review`` prints for one change prepared alone."""
    kind = "site (register → map)" if change.action == "site" else "edit"
    lines = [
        f"== {change.path}",
        f"place: {change.place} {change.name} · {kind}",
        f"suggested by {change.author} on {change.date}",
        f"reason: {change.reason}",
        *_evidence_lines(change),
        "fields (before → after):",
    ]
    for key, (before, after) in change.fields.items():
        lines.append(f"  {key}: {_value(key, before)} → {_value(key, after)}")
    where = location_line(change)
    if where:
        lines.append(where)
    diff = _diff_lines(prepared)
    if diff:
        lines.append("sources:")
        lines.extend(f"  {line}" for line in diff)
    if prepared.problems:
        lines.append("validation: would be refused:")
        lines.extend(f"  - {p.message}" for p in prepared.problems)
    else:
        lines.append("validation: would apply cleanly; " + "; ".join(prepared.summary))
    return lines


def review_cli(paths: list[str], src_dir: Path = LAYER_SOURCES_DIR,
               layers_dir: Path = LAYERS_DIR) -> int:
    """``gzmap review``: 0 when every change (and all of them together) would apply, else 1."""
    changes = _read_all(paths, "review")
    if changes is None:
        return 1
    state: State = load_state(src_dir, layers_dir)
    status = 0
    for change in changes:
        prepared = prepare([change], src_dir, layers_dir, state=state)
        print("\n".join(review_lines(change, prepared)))
        status |= bool(prepared.problems)
    if len(changes) > 1 and not status:
        together = prepare(changes, src_dir, layers_dir, state=state)
        if together.problems:
            print("together: would be refused:")
            print("\n".join(f"  - {p}" for p in together.problems))
            status = 1
        else:
            print(f"together: all {len(changes)} would apply")
    return status


def apply_cli(paths: list[str], src_dir: Path = LAYER_SOURCES_DIR,
              layers_dir: Path = LAYERS_DIR) -> int:
    """``gzmap apply``: apply every change or none; a refusal says why, one line a problem."""
    changes = _read_all(paths, "apply")
    if changes is None:
        return 1
    prepared = apply_changes(changes, src_dir, layers_dir)
    if prepared.problems:
        problems = prepared.problems
        if len(problems) == 1:
            print(f"gzmap apply: {problems[0]}; nothing changed", file=sys.stderr)
        else:
            for p in problems:
                print(f"gzmap apply: {p}", file=sys.stderr)
            print(f"gzmap apply: {len(problems)} problems; nothing changed", file=sys.stderr)
        return 1
    for change in changes:
        where = location_line(change)
        print(f"applied {change.path}: {change.place} {change.name}"
              + (f" — {where}" if where else ""))
    for path in sorted(prepared.writes):
        print(f"wrote {rel_path(path)}")
    for path in prepared.removes:
        print(f"removed {rel_path(path)}")
    print("; ".join(prepared.summary))
    return 0
