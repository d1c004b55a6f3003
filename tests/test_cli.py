"""The gzmap command line: help lists every subcommand; user errors are one line."""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import spatial
from spatial.cli import build_parser, main


def test_help_lists_every_subcommand() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "spatial.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in (
        "validate", "build-layers", "build-base", "fetch-osm", "quote", "export", "ogc-config"
    ):
        assert command in out


def test_quote_prints_the_section_path(capsys) -> None:
    assert main(["quote", "gz_sti", "以白云湖数字科技城为核心"]) == 0
    assert "科技创新轴（白云段）" in capsys.readouterr().out


def test_quote_not_found_is_one_clear_line(capsys) -> None:
    assert main(["quote", "gz_sti", "以白云湖数字科技城为中心"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gzmap quote: quote not found in gz_sti")
    assert "\n" not in err


def test_parser_knows_export_options() -> None:
    args = build_parser().parse_args(
        ["export", "--plan", "gz_sti", "--plan", "huadu_mfg", "--out", "x.png"]
    )
    assert args.plan == ["gz_sti", "huadu_mfg"] and args.dpi == 300


def test_no_module_of_the_package_imports_the_command_line() -> None:
    # the work modules raise GzmapError (spatial._errors); only the CLI knows about argparse
    root = Path(spatial.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n == "spatial.cli" for n in names):
                offenders.append(path.relative_to(root).as_posix())
    assert offenders == []


def _helps(parser: argparse.ArgumentParser, path: str = "gzmap"):
    """(where, text) of a parser's description and of every argument's help, subcommands too."""
    yield path, parser.description or ""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _helps(sub, f"{path} {name}")
        elif action.help != argparse.SUPPRESS:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help or ""


def test_every_command_and_option_helps_in_chinese_then_english() -> None:
    cjk, latin = re.compile(r"[\u4e00-\u9fff]"), re.compile(r"[A-Za-z]{3}")
    for where, text in _helps(build_parser()):
        first_cjk, first_latin = cjk.search(text), latin.search(text)
        assert first_cjk and first_latin, f"{where}: {text!r} is not Chinese with English"
    out = subprocess.run(
        [sys.executable, "-m", "spatial.cli", "here", "--help"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert out.startswith("用法 usage: gzmap here") and "选项 options" in out


#: What a light command must not load: the drawing stack, the web app, the network clients.
HEAVY = ("matplotlib", "folium", "branca", "streamlit", "altair", "osmnx", "contextily",
         "requests", "spatial.plot", "spatial.webmap", "spatial.exports")


@pytest.mark.parametrize(
    "args",
    [["--help"], ["here", "113.382", "23.082"], ["quote", "gz_sti", "以白云湖数字科技城为核心"],
     ["alignment", "天河区"], ["coverage"]],
    ids=lambda a: " ".join(a[:1]),
)
def test_light_commands_do_not_load_the_drawing_stack(args: list[str]) -> None:
    probe = (
        "import contextlib, io, sys\n"
        "from spatial.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({args!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or "
        f"any(m == h or m.startswith(h + '.') for h in {HEAVY!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]", out
