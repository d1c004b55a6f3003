"""Writing fails as the operating system says: one ``gzmap <verb>:`` line, exit 1, nothing mixed.

Each case runs the real command line in a child process against a copy of the project whose
built layers are out of date, and makes the write fail for real: a folder the process may not
write (root without its override capability), a file-size limit (``RLIMIT_FSIZE``) and a full
disk (a small tmpfs in a private mount namespace). ``build-layers`` must then leave every layer
file as it was (the whole set or nothing) and no temporary behind.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spatial._io import atomic_write_text, clean_stale_temporaries
from spatial._paths import LAYERS_DIR, ROOT
from spatial.plans.build import GENERATOR

PYTHON = sys.executable
LAYER_FILES = sorted(p.name for p in LAYERS_DIR.glob("*.geojson"))


def _stub(name: str) -> bytes:
    """An out-of-date built layer (carries the generator mark, so the build owns it)."""
    return f'{{"type": "FeatureCollection", "name": "{name}", "generator": "{GENERATOR}", ' \
           '"features": []}\n'.encode()


def _project(tmp_path: Path) -> Path:
    """A project root sharing sources, seeds and data, with its own stale built layers."""
    root = tmp_path / "project"
    (root / "layers").mkdir(parents=True)
    for name in ("seeds", "data"):
        (root / name).symlink_to(ROOT / name)
    (root / "layers" / "src").symlink_to(LAYERS_DIR / "src")
    for name in LAYER_FILES:
        (root / "layers" / name).write_bytes(_stub(name))
    return root


def _layer_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "src"}


def _run(args: list[str], root: Path, prefix: list[str] | None = None, preexec=None):
    env = {**os.environ, "GZMAP_ROOT": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [*(prefix or []), PYTHON, "-m", "spatial.cli", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                          preexec_fn=preexec)


def _assert_one_line(proc: subprocess.CompletedProcess, verb: str, code: str) -> None:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith(f"gzmap {verb}: "), proc.stderr[-2000:]
    assert f"({code})" in lines[0] and "Traceback" not in proc.stderr


def test_the_project_copy_builds_when_nothing_stops_it(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = _run(["build-layers"], root)
    assert proc.returncode == 0, proc.stderr
    assert _layer_state(root / "layers") == {
        **{n: (LAYERS_DIR / n).read_bytes() for n in LAYER_FILES},
        "register.json": (LAYERS_DIR / "register.json").read_bytes(),
        "district_industries.json": (LAYERS_DIR / "district_industries.json").read_bytes(),
    }


def test_a_folder_it_may_not_write_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to take away the permission override")
    root = _project(tmp_path)
    layers = root / "layers"
    before = _layer_state(layers)
    layers.chmod(0o555)
    try:
        drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
        proc = _run(["build-layers"], root, prefix=drop)
    finally:
        layers.chmod(0o755)
    _assert_one_line(proc, "build-layers", "EACCES")
    assert "layers/" in proc.stderr
    assert _layer_state(layers) == before


def _limit_file_size(limit: int):
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def test_a_file_size_limit_leaves_the_whole_set_as_it_was(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = _layer_state(root / "layers")
    sizes = sorted((LAYERS_DIR / n).stat().st_size for n in LAYER_FILES)
    limit = (sizes[0] + sizes[-1]) // 2  # some layers fit, the largest does not
    proc = _run(["build-layers"], root, preexec=_limit_file_size(limit))
    _assert_one_line(proc, "build-layers", "EFBIG")
    assert _layer_state(root / "layers") == before  # no mixed set, no temporaries


def test_a_full_disk_leaves_the_whole_set_as_it_was(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a private small tmpfs")
    root = _project(tmp_path)
    layers = root / "layers"
    stubs = tmp_path / "stubs"
    shutil.copytree(layers, stubs, symlinks=True)
    new_total = sum((LAYERS_DIR / n).stat().st_size for n in LAYER_FILES)
    size_kib = (new_total * 6 // 10) // 1024  # room for some layers, not for all of them
    script = (
        f'mount -t tmpfs -o size={size_kib}k tmpfs "{layers}" || exit 97\n'
        f'cp -a "{stubs}"/. "{layers}"/\n'
        f'GZMAP_ROOT="{root}" PYTHONDONTWRITEBYTECODE=1 "{PYTHON}" -m spatial.cli build-layers\n'
        'echo "status=$?" >&2\n'
        f'cd "{layers}" && for f in .??* *; do [ -f "$f" ] && echo "$f $(md5sum < "$f")"; done\n'
    )
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode == 97 or "status=" not in proc.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr[-300:]}")
    errors, _, status = proc.stderr.rpartition("status=")
    assert status.strip() == "1", proc.stderr[-2000:]
    _assert_one_line(subprocess.CompletedProcess([], 1, "", errors), "build-layers", "ENOSPC")
    listed = dict(line.split(" ", 1) for line in proc.stdout.strip().splitlines())
    expected = {n: _md5(p) for n, p in ((p.name, p) for p in stubs.iterdir() if p.is_file())}
    assert {n: v.split()[0] for n, v in listed.items()} == expected


def _md5(path: Path) -> str:
    import hashlib

    return hashlib.md5(path.read_bytes()).hexdigest()


def test_export_to_a_file_too_big_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    proc = _run(["export", "--plan", "gz_sti", "--dpi", "50", "--out", str(out)], ROOT,
                preexec=_limit_file_size(20_000))
    _assert_one_line(proc, "export", "EFBIG")
    assert str(out) in proc.stderr
    assert list(tmp_path.iterdir()) == []  # neither the map nor a temporary


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_temporaries_of_killed_runs_are_cleaned_by_the_next_write(tmp_path: Path) -> None:
    dead = tmp_path / f".gz_sti.geojson.{_dead_pid()}.abcd1234.geojson.tmp"
    live = tmp_path / f".map.png.{os.getpid()}.efgh5678.png.tmp"
    other = tmp_path / ".notes.tmp"  # not one of ours
    for path in (dead, live, other):
        path.write_text("half")
    atomic_write_text(tmp_path / "huadu_sti.geojson", "{}")
    assert not dead.exists() and live.exists() and other.exists()
    assert (tmp_path / "huadu_sti.geojson").read_text() == "{}"
    assert clean_stale_temporaries(tmp_path) == []
