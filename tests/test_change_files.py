"""Change files (建议修改) as a steward receives them: the documented examples read, what the
app writes reads back the same, and hostile files are refused in one line, never a traceback."""

from __future__ import annotations

import pytest

from spatial._paths import ROOT
from spatial.cli import main
from spatial.plans.edits.changefile import (
    MAX_BYTES,
    Change,
    ChangeFileError,
    Excerpt,
    change_text,
    parse_change,
    read_change,
)

EXAMPLES = ROOT / "docs" / "examples"
SITE = EXAMPLES / "site-huangpu-lab.yaml"


def _minimal(**over: str) -> str:
    fields = {
        "place": "huangpu-lab",
        "name": "黄埔实验室",
        "author": "王工",
        "reason": "规划写明在高新区建设。",
        "excerpt": "高标准建设“黄埔实验室”",
        "after": "{point: [113.448, 23.171]}",
        "precision": "5000",
    }
    fields.update(over)
    return (
        "gzplan_change: 1\n"
        f"place: {fields['place']}\n"
        f"name: {fields['name']}\n"
        "action: site\n"
        f"author: {fields['author']}\n"
        "date: 2026-12-01\n"
        f"reason: {fields['reason']}\n"
        "evidence:\n"
        "  excerpts:\n"
        f"    - {{plan: gz_sti, text: {fields['excerpt']}}}\n"
        "changes:\n"
        f"  geometry: {{before: null, after: {fields['after']}}}\n"
        f"  location_precision_m: {{before: null, after: {fields['precision']}}}\n"
    )


def test_the_documented_example_reads_as_a_site_change_with_its_evidence():
    change = read_change(SITE)
    assert (change.place, change.action) == ("huangpu-lab", "site")
    assert change.fields["geometry"] == (None, {"point": [113.448, 23.171]})
    assert change.fields["role"] == (None, "lab")
    assert change.excerpts[0].plan == "gz_sti" and "黄埔实验室" in change.excerpts[0].text
    assert change.source


def test_what_the_app_writes_reads_back_the_same():
    tags = ["新一代信息技术"]
    change = Change(
        place="gz-science-city",
        name="广州科学城",
        action="edit",
        author="李工（黄埔区）",
        date="2026-12-03",
        reason="管委会在开创大道。\n第二行。",
        excerpts=[Excerpt("gz_sti", "广州科学城", "三、… › 四核")],
        source="开创大道 2 号",
        fields={
            "geometry": ({"point": [113.455, 23.168]}, {"point": [113.46, 23.17]}),
            "aliases": (["科学城"], ["科学城", "科学城片区"]),
            "industries": (tags, tags),  # one list as before and after
            "location_precision_m": (2500, 800),
        },
    )
    text = change_text(change, "change.yaml")
    assert text.startswith("# 建议修改")
    assert "&" not in text and "*id" not in text  # the same list twice is written out, no alias
    back = parse_change(text)
    assert back.to_dict() == change.to_dict()


HOSTILE = {  # name: (text, what the one-line refusal says)
    "alias": ("a: &x [1]\nb: *x\n", "aliases"),
    "billion laughs": ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases"),
    "python tag": ("gzplan_change: !!python/object/apply:os.system [echo hi]\n", "tags"),
    "binary tag": ("gzplan_change: !!binary aGk=\n", "tags"),
    "markup author": (_minimal(author="'<img src=x onerror=alert(1)>'"), "markup"),
    "markup name": (_minimal(name='"黄埔<b>实验室</b>"'), "markup"),
    "path in place": (_minimal(place="../../etc/passwd"), "slug"),
    "uppercase place": (_minimal(place="Huangpu-Lab"), "slug"),
    "infinite precision": (_minimal(precision="1.0e+400"), "finite"),
    "nan precision": (_minimal(precision=".nan"), "finite"),
    "swapped lon lat": (_minimal(after="{point: [23.171, 113.448]}"), "outside Guangzhou"),
    "metres not degrees": (_minimal(after="{point: [745000, 2564000]}"), "outside Guangzhou"),
    "unknown field": (_minimal() + "  script: {before: null, after: x}\n", "unknown field"),
    "unknown key": (_minimal() + "run: rm -rf /\n", "unknown key"),
    "huge reason": (_minimal(reason="很" * 3000), "longer than"),
    "deep nesting": ("gzplan_change: 1\nx: " + "[" * 50 + "]" * 50 + "\n", "nested"),
    "not a mapping": ("- just\n- a list\n", "mapping"),
    "no evidence": (
        _minimal().replace(
            "  excerpts:\n    - {plan: gz_sti, text: 高标准建设“黄埔实验室”}\n", "  {}\n"
        ),
        "evidence",
    ),
    "unknown plan": (_minimal().replace("plan: gz_sti", "plan: ../seeds"), "unknown plan"),
    "too short an excerpt": (_minimal(excerpt="建设"), "too short"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_change_files_are_refused_in_one_line(name):
    text, says = HOSTILE[name]
    with pytest.raises(ChangeFileError) as err:
        parse_change(text)
    message = str(err.value)
    assert says in message and "\n" not in message and len(message) < 300


def test_files_that_are_not_change_files_are_refused_in_one_line(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(_minimal() + "#" * MAX_BYTES, encoding="utf-8")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(_minimal().encode("utf-8").replace("王工".encode(), b"\xe9\xe9"))
    cases = {big: "larger than", latin1: "UTF-8", tmp_path: "not a file",
             tmp_path / "missing.yaml": "not a file"}
    for path, says in cases.items():
        with pytest.raises(ChangeFileError) as err:
            read_change(path)
        assert says in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("verb", ["apply", "review"])
@pytest.mark.parametrize("name", ["billion laughs", "python tag", "markup author", "path in place"])
def test_the_command_refuses_a_hostile_file_with_one_line_and_exit_1(
    verb, name, tmp_path, capsys
):
    path = tmp_path / "change.yaml"
    path.write_text(HOSTILE[name][0], encoding="utf-8")
    assert main([verb, str(path)]) == 1
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"gzmap {verb}: {path}: ")
    assert "Traceback" not in out.err and not out.out
    if verb == "apply":
        assert lines[0].endswith("nothing changed")
