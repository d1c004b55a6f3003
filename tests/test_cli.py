"""The gzmap command line: help lists every subcommand; user errors are one line."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
