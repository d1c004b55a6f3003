"""Coverage: how many of the places a plan names are on the map or in the register.

The candidate finder (``spatial.plans.candidates``) re-reads each plan and proposes names; a person
decides each one, and the decisions live in ``layers/src/coverage/<plan>.yaml``:

* a candidate that is a name or alias of a map feature (or of a register place) carrying an
  excerpt of this plan is decided by that record, with nothing to write;
* ``on_map`` / ``in_register`` map another wording to the record's id;
* ``left_out`` groups names by ``kind`` with a ``reason``:

  ``generic``  a kind of place, not one place (研发中心, 直播基地);
  ``fragment`` not a name: the finder cut a phrase wrongly;
  ``region``   a region, a whole-district designation or a programme, not a site (粤港澳大湾区);
  ``outside``  a place outside Guangzhou;
  ``institution`` an organisation named for what it does (a listing exchange, a newly
               recognised institute counted in a statistic), not for a place the plan locates;
  ``place``    a named place in Guangzhou left off both map and register: counts against coverage.

The report counts, per plan, the candidates nobody has decided yet (未判定 undecided), the named
places in Guangzhou (on the map + in the register + left out as ``place`` + undecided) and the
share of them on the map or in the register, so 100% means every candidate is decided and every
named place placed, not merely that the finder proposed nothing more. ``gzmap coverage`` prints
it and exits non-zero while any candidate is undecided or a decision is stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spatial._io import load_yaml_mapping
from spatial._paths import LAYER_SOURCES_DIR, LAYERS_DIR
from spatial._problems import Problem
from spatial.plans.about import names_of
from spatial.plans.candidates import find_candidates
from spatial.plans.manifest import plan_ids
from spatial.plans.register import REGISTER_PATH, load_register
from spatial.plans.texts import match_key

COVERAGE_SOURCES_DIR = LAYER_SOURCES_DIR / "coverage"
#: left_out kinds -> whether such a name is a named place in Guangzhou (counted in coverage).
LEFT_OUT_KINDS: dict[str, bool] = {
    "generic": False,
    "fragment": False,
    "region": False,
    "outside": False,
    "institution": False,
    "place": True,
}


@dataclass
class PlanCoverage:
    """The decided candidates of one plan."""

    plan: str
    on_map: dict[str, str] = field(default_factory=dict)  # candidate -> feature id
    in_register: dict[str, str] = field(default_factory=dict)  # candidate -> register id
    left_out: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # candidate -> (kind, reason)
    undecided: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rules: dict[str, str] = field(
        default_factory=dict
    )  # candidate -> the finder rule that found it

    @property
    def candidates(self) -> int:
        return len(self.on_map) + len(self.in_register) + len(self.left_out) + len(self.undecided)

    @property
    def decided(self) -> int:
        """Candidates with a decision (on the map, in the register or left out)."""
        return self.candidates - len(self.undecided)

    @property
    def named_places(self) -> int:
        """Named places in Guangzhou: on the map, in the register, or left out as a place."""
        left_places = sum(1 for kind, _ in self.left_out.values() if LEFT_OUT_KINDS[kind])
        return len(self.on_map) + len(self.in_register) + left_places + len(self.undecided)

    @property
    def covered(self) -> int:
        return len(self.on_map) + len(self.in_register)

    @property
    def share(self) -> float:
        return self.covered / self.named_places if self.named_places else 1.0

    def left_out_by_kind(self) -> dict[str, int]:
        counts = dict.fromkeys(LEFT_OUT_KINDS, 0)
        for kind, _ in self.left_out.values():
            counts[kind] += 1
        return counts


def names_plan(rec: dict[str, Any], plan: str) -> bool:
    """True if a plan places the record (an excerpt) or names it in passing (a mention)."""
    mentioned = {m.get("plan") for m in rec.get("mentions") or [] if isinstance(m, dict)}
    return plan in (rec.get("plans") or []) or plan in mentioned


def _name_index(records: list[dict[str, Any]], plan: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for rec in records:
        if not names_plan(rec, plan):
            continue
        for name in names_of(rec):
            index.setdefault(match_key(name), rec["id"])
    return index


def _features(layers_dir: Path) -> list[dict[str, Any]]:
    import json

    feats = []
    for path in sorted(layers_dir.glob("*.geojson")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        feats.extend(f["properties"] for f in doc.get("features", []))
    return feats


def _read_decisions(path: Path, problems: list[Problem]) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return load_yaml_mapping(path)
    except ValueError as exc:
        problems.append(Problem(str(path.name), "", str(exc)))
        return {}


def plan_coverage(
    plan: str,
    features: list[dict[str, Any]],
    register: list[dict[str, Any]],
    decisions_dir: Path = COVERAGE_SOURCES_DIR,
) -> PlanCoverage:
    """Decide every candidate of one plan; see the module docstring."""
    cov = PlanCoverage(plan)
    src = f"layers/src/coverage/{plan}.yaml"
    doc = _read_decisions(decisions_dir / f"{plan}.yaml", cov.problems)
    feat_by_id = {f["id"]: f for f in features}
    reg_by_id = {p["id"]: p for p in register}
    explicit: dict[str, tuple[str, Any]] = {}  # match key -> (decision, value)
    for decision, table in (("on_map", feat_by_id), ("in_register", reg_by_id)):
        for name, rid in (doc.get(decision) or {}).items():
            rec = table.get(rid)
            if rec is None:
                cov.problems.append(Problem(src, str(name), f"{decision}: unknown id {rid!r}"))
            elif not names_plan(rec, plan):
                cov.problems.append(
                    Problem(src, str(name), f"{decision}: {rid} carries no excerpt of {plan}")
                )
            explicit[match_key(str(name))] = (decision, rid)
    for group in doc.get("left_out") or []:
        kind, reason = group.get("kind"), str(group.get("reason") or "").strip()
        if kind not in LEFT_OUT_KINDS or not reason:
            cov.problems.append(
                Problem(
                    src,
                    "",
                    f"left_out group needs a kind ({', '.join(LEFT_OUT_KINDS)}) and a reason",
                )
            )
            continue
        for name in group.get("names") or []:
            key = match_key(str(name))
            if key in explicit:
                cov.problems.append(Problem(src, str(name), "decided twice"))
            explicit[key] = ("left_out", (kind, reason))
    on_map = _name_index(features, plan)
    # places outside the city are drawn as context (role outside) but are no named place of it
    outside = {f["id"] for f in features if f.get("in_guangzhou") is False}
    in_register = _name_index(register, plan)
    used: set[str] = set()
    for cand in find_candidates(plan):
        cov.rules[cand.name] = cand.rule
        key = match_key(cand.name)
        if key in explicit:
            used.add(key)
            decision, value = explicit[key]
            getattr(cov, decision)[cand.name] = value
        elif key in on_map and on_map[key] in outside:
            cov.left_out[cand.name] = (
                "outside",
                f"drawn as 区外 context outside the city: {on_map[key]}",
            )
        elif key in on_map:
            cov.on_map[cand.name] = on_map[key]
        elif key in in_register:
            cov.in_register[cand.name] = in_register[key]
        else:
            cov.undecided.append(cand.name)
    for key in sorted(set(explicit) - used):
        cov.problems.append(Problem(src, key, "decided but no longer a candidate (stale decision)"))
    for name in cov.undecided:
        cov.problems.append(Problem(src, name, "undecided candidate"))
    return cov


def coverage(
    plans: list[str] | None = None,
    layers_dir: Path = LAYERS_DIR,
    register_path: Path = REGISTER_PATH,
    decisions_dir: Path = COVERAGE_SOURCES_DIR,
) -> list[PlanCoverage]:
    """Coverage of every plan (or the ones given), in manifest order."""
    features = _features(layers_dir)
    register = load_register(register_path)
    return [
        plan_coverage(plan, features, register, decisions_dir) for plan in (plans or plan_ids())
    ]


def report_lines(results: list[PlanCoverage], details: bool = False) -> list[str]:
    """The report as text: one row per plan, then (with ``details``) every decision."""
    head = (
        f"{'plan':<11} {'candidates':>10} {'undecided':>9} {'named':>6} {'on map':>7} "
        f"{'register':>9} {'left out':>9} {'covered':>8}   left out by kind"
    )
    lines = [head, "-" * len(head)]
    for cov in results:
        kinds = cov.left_out_by_kind()
        by_kind = ", ".join(f"{k} {n}" for k, n in kinds.items() if n)
        lines.append(
            f"{cov.plan:<11} {cov.candidates:>10} {len(cov.undecided):>9} {cov.named_places:>6} "
            f"{len(cov.on_map):>7} {len(cov.in_register):>9} {len(cov.left_out):>9} "
            f"{cov.share:>7.0%}   {by_kind}"
        )
    lines.append("")
    lines.append(
        "undecided (未判定) = candidates nobody has decided; named = named places in Guangzhou "
        "(on map + register + left out as 'place' + undecided); covered = (on map + register) / named"
    )
    if details:
        for cov in results:
            lines.append("")
            lines.append(f"== {cov.plan}")
            for name, fid in cov.on_map.items():
                lines.append(f"  map       {name} → {fid}")
            for name, rid in cov.in_register.items():
                lines.append(f"  register  {name} → {rid}")
            for name, (kind, reason) in cov.left_out.items():
                lines.append(f"  left out  {name} ({kind}: {reason})")
            for name in cov.undecided:
                lines.append(f"  未判定 UNDECIDED {name}  (found by the {cov.rules[name]} rule)")
    problems = [p for cov in results for p in cov.problems]
    if problems:
        lines.append("")
        lines.extend(str(p) for p in sorted(problems))
        lines.append(f"{len(problems)} problem(s)")
    return lines
