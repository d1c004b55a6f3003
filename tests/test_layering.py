"""The package's shape holds: no import cycle, and no import from a lower layer to a higher one.

Read from the source (every ``import`` statement, those inside functions included), so a lazy
import that runs back up the layers fails here as surely as one at the top of a module.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from spatial._paths import ROOT

#: The layers, lowest first. A unit may import units of a lower layer (and its own modules).
LAYERS: dict[str, int] = {
    "spatial": 0,  # the package's __init__ (version)
    "spatial._errors": 0,
    "spatial._io": 0,
    "spatial._paths": 0,
    "spatial._problems": 0,
    "spatial.plaintext": 0,
    "spatial.geo": 1,
    "spatial.testing": 1,
    "spatial.plans": 2,
    "spatial.query": 3,
    "spatial.uploads": 3,
    "spatial.symbology": 4,
    "spatial.webmap": 5,
    "spatial.plot": 5,
    "spatial.exports": 6,
    "spatial.cli": 7,
    "app": 8,
}
PACKAGES = {name for name in LAYERS if name.count(".") == 1 and (ROOT / name.replace(".", "/")).is_dir()}


def unit_of(module: str) -> str:
    """The layer unit a module belongs to: its sub-package, or itself for a top module."""
    parts = module.split(".")
    if parts[0] == "app":
        return "app"
    head = ".".join(parts[:2])
    return head if head in PACKAGES or len(parts) == 1 else head


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _nodes(tree: ast.AST, typing_only: bool) -> list[ast.AST]:
    """The tree's nodes; without those under ``if TYPE_CHECKING:`` unless ``typing_only``."""
    skipped: set[int] = set()
    if not typing_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
                skipped.update(id(n) for child in node.body for n in ast.walk(child))
    return [n for n in ast.walk(tree) if id(n) not in skipped]


def imports_of(path: Path, typing_only: bool = True) -> set[str]:
    """Every project module ``path`` imports (absolute imports; the project uses no others);
    with ``typing_only=False``, not those made for type checkers only."""
    found: set[str] = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8")), typing_only):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names = [node.module or ""]
            # ``from spatial import symbology`` imports the module spatial.symbology
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in ("spatial", "app"))
    return found


def project_modules(typing_only: bool = True) -> dict[str, set[str]]:
    files = [*ROOT.glob("spatial/**/*.py"), *ROOT.glob("app/*.py")]
    known = {module_name(f) for f in files}
    # keep only names that are modules (``from x import name`` also lists plain names)
    return {module_name(f): {n for n in imports_of(f, typing_only) if n in known} for f in files}


GRAPH = project_modules()
#: What runs at import time: a cycle only through ``if TYPE_CHECKING:`` imports is harmless.
RUNTIME_GRAPH = project_modules(typing_only=False)


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(m) for m in GRAPH}
    assert units <= set(LAYERS), f"modules outside the layer table: {sorted(units - set(LAYERS))}"


def test_no_import_runs_up_the_layers() -> None:
    upward = sorted(
        f"{mod} imports {target}"
        for mod, targets in GRAPH.items()
        for target in targets
        if unit_of(target) != unit_of(mod) and LAYERS[unit_of(target)] >= LAYERS[unit_of(mod)]
    )
    assert upward == []


def test_no_import_cycle() -> None:
    # Between modules (a cycle inside a package breaks imports just as well).
    graph = RUNTIME_GRAPH
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    cycles = []

    def visit(mod: str, path: list[str]) -> None:
        state[mod] = 1
        for target in sorted(graph.get(mod, ())):
            if target == mod or target.startswith(mod + ".") or mod.startswith(target + "."):
                continue  # a package and its own modules (``__init__`` exports)
            if state[target] == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif state[target] == 0:
                visit(target, [*path, target])
        state[mod] = 2

    for mod in sorted(graph):
        if state[mod] == 0:
            visit(mod, [mod])
    assert cycles == []


def test_spatial_never_imports_streamlit() -> None:
    offenders = [
        str(f.relative_to(ROOT))
        for f in ROOT.glob("spatial/**/*.py")
        if any(
            (isinstance(n, ast.Import) and any(a.name.split(".")[0] == "streamlit" for a in n.names))
            or (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "streamlit")
            for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
        )
    ]
    assert offenders == []


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_each_package_says_what_lives_there(package: str) -> None:
    doc = ast.get_docstring(ast.parse((ROOT / package.replace(".", "/") / "__init__.py").read_text()))
    assert doc, f"{package}/__init__.py has no docstring"
    modules = {p.stem for p in (ROOT / package.replace(".", "/")).glob("*.py")} - {"__init__"}
    missing = sorted(m for m in modules if m not in doc)
    assert missing == [], f"{package}'s docstring does not name {missing}"


def test_the_top_level_stays_small() -> None:
    top = sorted(p.stem for p in ROOT.glob("spatial/*.py") if not p.stem.startswith("_"))
    assert len(top) <= 10, top


def test_test_files_share_helpers_not_each_other() -> None:
    # A test file importing another runs that file's tests' module code twice and breaks when
    # a package named ``tests`` is installed (pygeoapi ships one): helpers live in tests/_*.py.
    offenders = sorted(
        f"{path.name} imports {name}"
        for path in ROOT.glob("tests/*.py")
        for name in imports_of_any(path)
        if name.split(".")[0] == "tests" or name.split(".")[0].startswith("test_")
    )
    assert offenders == []


def imports_of_any(path: Path) -> set[str]:
    """Every module ``path`` imports, of any package."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found
