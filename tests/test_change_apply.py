"""``gzmap review`` and ``gzmap apply`` on copies of the project's layers: a change that sites a
register place puts it on the map with its history, a refused or stale change changes nothing, and
the hand-kept sources keep every line the change does not touch."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from spatial._paths import LAYERS_DIR, ROOT
from spatial.plans.edits.apply import load_state, prepare
from spatial.plans.edits.changefile import Change, Excerpt, read_change
from spatial.plans.edits.history import load_history
from spatial.plans.edits.review import apply_cli, review_cli
from spatial.plans.validate import validate_layer_files

EXAMPLES = ROOT / "docs" / "examples"
SITE = EXAMPLES / "site-huangpu-lab.yaml"
REFUSED = EXAMPLES / "refused-not-verbatim.yaml"


def _copy_layers(tmp: Path) -> Path:
    shutil.copytree(LAYERS_DIR, tmp / "layers")
    return tmp / "layers"


def _snapshot(layers: Path) -> dict[str, str]:
    return {
        str(p.relative_to(layers)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(layers.rglob("*"))
        if p.is_file()
    }


def _feature(layers: Path, fid: str) -> dict:
    for path in layers.glob("*.geojson"):
        for feat in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if feat["properties"]["id"] == fid:
                return {**feat, "layer_file": path.name}
    raise KeyError(fid)


@pytest.fixture(scope="module")
def state():
    """The project's sources as they are (read only)."""
    return load_state()


@pytest.fixture(scope="module")
def sited(tmp_path_factory):
    """A copy of the layers with the documented site example applied."""
    tmp = tmp_path_factory.mktemp("sited")
    layers = _copy_layers(tmp)
    before = _snapshot(layers)
    texts = {p: (layers / p).read_text(encoding="utf-8")
             for p in ("src/gz_sti.yaml", "src/register/gz_sti.yaml")}
    status = apply_cli([str(SITE)], layers / "src", layers)
    return layers, before, texts, status


def test_the_site_example_puts_the_register_place_on_the_map(sited):
    layers, _before, _texts, status = sited
    assert status == 0
    feat = _feature(layers, "huangpu-lab")
    assert feat["geometry"] == {"type": "Point", "coordinates": [113.448, 23.171]}
    props = feat["properties"]
    assert (props["name"], props["role"], props["district"]) == ("黄埔实验室", "lab", ["黄埔区"])
    assert props["plans"] == ["gz_sti"] and feat["layer_file"] == "gz_sti_facilities.geojson"
    assert props["location_source"].startswith("best guess, site not known: ")
    assert props["location_precision_m"] == 5000
    assert any("黄埔实验室" in e["text"] for e in props["excerpts"])
    register = json.loads((layers / "register.json").read_text(encoding="utf-8"))["places"]
    assert "huangpu-lab" not in {p["id"] for p in register}
    problems = validate_layer_files(sorted(layers.glob("*.geojson")))
    assert problems == []


def test_its_history_says_who_when_why_and_from_where(sited):
    layers = sited[0]
    (entry,) = load_history("huangpu-lab", layers / "src" / "history")
    change = read_change(SITE)
    assert (entry["author"], entry["date"], entry["reason"]) == (
        change.author, change.date, change.reason)
    assert entry["source"] == change.source and entry["action"] == "site"
    (excerpt,) = entry["excerpts"]
    assert excerpt["plan"] == "gz_sti" and excerpt["text"] == change.excerpts[0].text
    assert excerpt["section"].startswith("七、")
    assert entry["changes"]["geometry"] == {"before": None, "after": {"point": [113.448, 23.171]}}


def test_only_the_place_s_records_change_and_every_other_line_is_kept(sited):
    layers, before, texts, _status = sited
    changed = {p for p, digest in _snapshot(layers).items() if before.get(p) != digest}
    assert changed == {
        "src/gz_sti.yaml", "src/register/gz_sti.yaml", "src/history/huangpu-lab.yaml",
        "gz_sti_facilities.geojson", "register.json",
    }
    layer_src = (layers / "src/gz_sti.yaml").read_text(encoding="utf-8")
    assert layer_src.startswith(texts["src/gz_sti.yaml"])  # comments and all: only appended
    assert "  - id: huangpu-lab\n" in layer_src[len(texts["src/gz_sti.yaml"]):]
    old = texts["src/register/gz_sti.yaml"].splitlines()
    new = (layers / "src/register/gz_sti.yaml").read_text(encoding="utf-8").splitlines()
    ops = [op for op in difflib.SequenceMatcher(a=old, b=new).get_opcodes() if op[0] != "equal"]
    assert [op[0] for op in ops] == ["delete"]  # one block cut, nothing else touched
    cut = old[ops[0][1]:ops[0][2]]
    assert cut[0] == "- id: huangpu-lab" and not any(line.startswith("- id:") for line in cut[1:])


def test_applying_the_same_change_again_is_refused_as_stale(sited, capsys):
    layers = sited[0]
    before = _snapshot(layers)
    capsys.readouterr()
    assert apply_cli([str(SITE)], layers / "src", layers) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "stale" in err[0] and err[0].endswith("nothing changed")
    assert _snapshot(layers) == before


def test_the_refused_example_exits_1_with_one_line_and_changes_nothing(tmp_path):
    """The real command in a copy of the repository's data."""
    for folder in ("seeds", "data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    layers = _copy_layers(tmp_path)
    before = _snapshot(layers)
    env = {**os.environ, "GZMAP_ROOT": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "spatial.cli", "apply", str(REFUSED)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "excerpt 1 is not verbatim" in lines[0] and "Traceback" not in run.stderr
    assert run.stdout == ""
    assert _snapshot(layers) == before


def _edit(fields: dict, place: str = "gz-science-city", **over) -> Change:
    base = dict(place=place, name="广州科学城", action="edit", author="测试", date="2026-12-02",
                reason="测试用的修改。", source="一个公开的地址", fields=fields, path="edit.yaml")
    base.update(over)
    return Change(**base)


def test_a_change_made_before_the_source_changed_is_refused_as_stale(tmp_path, capsys):
    layers = _copy_layers(tmp_path)
    src = layers / "src" / "gz_sti.yaml"
    src.write_text(src.read_text(encoding="utf-8").replace(
        "point: [113.455, 23.168]", "point: [113.456, 23.169]"), encoding="utf-8")
    before = _snapshot(layers)
    change = _edit({"geometry": ({"point": [113.455, 23.168]}, {"point": [113.46, 23.17]})})
    path = tmp_path / "edit.yaml"
    from spatial.plans.edits.changefile import change_text

    path.write_text(change_text(change), encoding="utf-8")
    assert apply_cli([str(path)], layers / "src", layers) == 1
    err = capsys.readouterr().err
    assert "stale: geometry" in err and err.count("\n") == 1
    assert _snapshot(layers) == before


def test_an_edit_changes_the_fields_lines_only_and_the_built_feature(tmp_path, capsys):
    layers = _copy_layers(tmp_path)
    old = (layers / "src/gz_sti.yaml").read_text(encoding="utf-8")
    change = _edit({
        "geometry": ({"point": [113.455, 23.168]}, {"point": [113.46, 23.17]}),
        "aliases": (["科学城"], ["科学城", "广州科学城片区"]),
        "location_precision_m": (2500, 1500),
    })
    path = tmp_path / "edit.yaml"
    from spatial.plans.edits.changefile import change_text

    path.write_text(change_text(change), encoding="utf-8")
    assert apply_cli([str(path)], layers / "src", layers) == 0, capsys.readouterr().err
    new = (layers / "src/gz_sti.yaml").read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), n=0,
                                                     lineterm="") if line[:1] in "+-"]
    assert sorted(changed[2:]) == sorted([
        "-    aliases: [科学城]", "+    aliases: [科学城, 广州科学城片区]",
        "-      point: [113.455, 23.168]", "+      point: [113.46, 23.17]",
        "-    location_precision_m: 2500", "+    location_precision_m: 1500",
    ])
    feat = _feature(layers, "gz-science-city")
    assert feat["geometry"]["coordinates"] == [113.46, 23.17]
    assert feat["properties"]["aliases"] == ["科学城", "广州科学城片区"]
    assert load_history("gz-science-city", layers / "src" / "history")[0]["author"] == "测试"


def test_review_shows_the_move_in_metres_the_districts_the_diff_and_the_verdict(capsys):
    change = read_change(SITE)
    assert review_cli([str(SITE)]) == 0
    out = capsys.readouterr().out
    assert "location: (no site) → 113.44800, 23.17100 in 黄埔区" in out
    assert "+  - id: huangpu-lab" in out and "-- id: huangpu-lab" in out
    assert "excerpt 1 (gz_sti): verbatim ✓" in out
    assert "validation: would apply cleanly" in out
    assert change.fields["role"][1] in out
    assert review_cli([str(REFUSED)]) == 1
    out = capsys.readouterr().out
    assert "NOT verbatim" in out and "validation: would be refused" in out


def test_review_of_a_move_gives_the_distance_in_metres(tmp_path, capsys):
    change = _edit({"geometry": ({"point": [113.455, 23.168]}, {"point": [113.46, 23.17]})})
    path = tmp_path / "edit.yaml"
    from spatial.plans.edits.changefile import change_text

    path.write_text(change_text(change), encoding="utf-8")
    assert review_cli([str(path)]) == 0
    out = capsys.readouterr().out
    pts = gpd.GeoSeries([Point(113.455, 23.168), Point(113.46, 23.17)], crs=4326).to_crs(32649)
    metres = pts.iloc[0].distance(pts.iloc[1])
    assert f"moved {metres:,.0f} m (EPSG:32649) from 113.45500, 23.16800 in 黄埔区" in out


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"geometry": ({"point": [113.455, 23.168]}, {"point": [113.33, 23.13]})},
         "lies in 天河区, not in 黄埔区"),
        ({"industries": "纳米科技"}, "not a tag or synonym"),  # added to the current tags
        ({"industries": "化妆品"}, "specific industry"),
        ({"role": ("core", "castle")}, "not a role"),
        ({"location_source": ("best knowledge: 萝岗科学大道 / 开创大道一带的科学城中心",
                              "my guess: 这里")}, "location_source must be"),
        ({"location_precision_m": (2500, 100000)}, "metres"),
        ({"location_source": ("best knowledge: 萝岗科学大道 / 开创大道一带的科学城中心",
                              "best knowledge: near the science city centre")}, "in Chinese"),
    ],
)
def test_values_outside_the_vocabularies_or_the_district_are_refused(state, fields, says):
    if "industries" in fields:
        current = state.features["gz-science-city"]["properties"]["industries"]
        fields = {"industries": (current, [*current, fields["industries"]])}
    prepared = prepare([_edit(fields)], state=state)
    assert any(says in p.message for p in prepared.problems), prepared.problems
    assert not prepared.writes


def test_a_good_change_is_not_applied_with_a_refused_one(tmp_path, capsys):
    layers = _copy_layers(tmp_path)
    before = _snapshot(layers)
    assert apply_cli([str(SITE), str(REFUSED)], layers / "src", layers) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("nothing changed")
    assert _snapshot(layers) == before


def test_a_register_place_needs_a_role_and_a_district_to_be_sited(state):
    change = read_change(SITE)
    del change.fields["role"]
    problems = [p.message for p in prepare([change], state=state).problems]
    assert problems == ["role: a place given a site needs one"]
    # a register place whose district no source states (the plan names it with no site)
    change = Change(**{**read_change(SITE).__dict__, "place": "gba-hard-tech-institute",
                       "name": "广东粤港澳大湾区硬科技创新研究院",
                       "excerpts": [Excerpt("gz_sti", "广东粤港澳大湾区硬科技创新研究院")]})
    problems = [p.message for p in prepare([change], state=state).problems]
    assert problems == ["district: a place given a site needs one"]
