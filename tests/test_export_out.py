"""``gzmap export --out`` writes the file it names: through a symbolic link to the link's
target (the link stays), and never over a device, FIFO or socket (refused before drawing, the
node left as it was; as root, ``--out /dev/null`` once replaced the device with a PNG)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from spatial._io import atomic_write_bytes, atomic_write_many
from spatial.cli import main

EXPORT = ["export", "--plan", "gz_sti", "--dpi", "50"]


def test_export_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "maps" / "gz.png"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.png"
    link.symlink_to(target)
    assert main([*EXPORT, "--out", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes().startswith(b"\x89PNG")
    assert sorted(p.name for p in target.parent.iterdir()) == ["gz.png"]  # no temporary left


def test_export_to_a_fifo_is_refused_and_the_fifo_stays(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert main([*EXPORT, "--out", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert "is a FIFO, not a regular file" in err and len(err.strip().splitlines()) == 1
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_to_a_link_to_a_fifo_is_refused(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "map.png").symlink_to(fifo)
    assert main([*EXPORT, "--out", str(tmp_path / "map.png")]) == 2
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and (tmp_path / "map.png").is_symlink()


def test_a_device_node_is_never_replaced(tmp_path: Path, capsys) -> None:
    node = tmp_path / "null.png"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("making a device node needs root")
    assert main([*EXPORT, "--out", str(node)]) == 2
    assert "is a device, not a regular file" in capsys.readouterr().err
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    with pytest.raises(OSError, match="device"):
        atomic_write_bytes(node, b"x")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_every_atomic_writer_follows_links_and_refuses_special_files(tmp_path: Path) -> None:
    target = tmp_path / "a.geojson"
    target.write_text("old")
    (tmp_path / "link.geojson").symlink_to(target)
    atomic_write_many({tmp_path / "link.geojson": "new"})
    assert target.read_text() == "new" and (tmp_path / "link.geojson").is_symlink()
    os.mkfifo(tmp_path / "f.geojson")
    with pytest.raises(OSError, match="FIFO"):
        atomic_write_many({tmp_path / "b.geojson": "b", tmp_path / "f.geojson": "f"})
    assert not (tmp_path / "b.geojson").exists()  # the set is written whole or not at all
    assert stat.S_ISFIFO(os.lstat(tmp_path / "f.geojson").st_mode)
