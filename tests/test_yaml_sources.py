"""YAML sources (layers/src, its register and coverage decisions) are read safely: no aliases
(a few lines of them expand to gigabytes), a mapping at the top, and every failure one line
naming the file and the place.

An alias bomb once took ``build-layers`` to 2.6 GB and a MemoryError traceback; a source whose
top was a list stopped it with an AttributeError.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from spatial.plans.build import read_records
from spatial.plans.coverage import _read_decisions

BOMB = "\n".join(
    ["plan: gz_sti", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["features: [*i]"]
)

#: Memory the reading process may take (bytes): the bomb needs gigabytes.
MEMORY = 1024 * 1024 * 1024


def _read_in_child(path: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; from pathlib import Path; from spatial.plans.build import read_records\n"
        "problems = []; read_records([Path(sys.argv[1])], problems)\n"
        "print('\\n'.join(str(p) for p in problems))"
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=120, preexec_fn=limit)


def test_an_alias_bomb_is_refused_in_one_line_without_the_memory(tmp_path: Path) -> None:
    path = tmp_path / "gz_sti.yaml"
    path.write_text(BOMB, encoding="utf-8")
    proc = _read_in_child(path)
    assert proc.returncode == 0, proc.stderr[-1500:]
    (line,) = proc.stdout.strip().splitlines()
    assert "gz_sti.yaml" in line and "aliases (*name) are not allowed" in line
    assert "line 3, column" in line


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- id: a\n- id: b\n", "expected a mapping of keys at the top, got a list"),
        ("plan: gz_sti\nfeatures: [\n  {id: a\n", "not readable YAML: line"),
        ("plan: gz_sti\nfeatures: " + "[" * 5000 + "]" * 5000 + "\n", "not readable YAML"),
        ("plan: !!python/object:os.system ls\n", "not readable YAML: line 1"),
    ],
    ids=["list at the top", "unclosed", "deep", "python tag"],
)
def test_a_bad_source_is_one_problem_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "gz_sti.yaml"
    path.write_text(text, encoding="utf-8")
    problems: list = []
    assert read_records([path], problems) == []
    (problem,) = problems
    assert words in str(problem) and "\n" not in str(problem), str(problem)
    decisions: list = []
    assert _read_decisions(path, decisions) == {}
    assert [words in str(p) for p in decisions] == [True]


def test_anchors_without_aliases_still_read(tmp_path: Path) -> None:
    path = tmp_path / "gz_sti.yaml"
    path.write_text("plan: gz_sti\nfeatures:\n  - &first {id: a, name: 甲}\n", encoding="utf-8")
    problems: list = []
    (record,) = read_records([path], problems)
    assert problems == [] and record.data["name"] == "甲"
