"""Small I/O helpers shared by every writer: atomic writes, JSON with Chinese kept readable,
and the one way YAML sources are read (:func:`load_yaml_mapping`).

A write goes to the file a path names: through a symbolic link to its target (the link stays),
and never over anything but a regular file (a device such as ``/dev/null``, a FIFO or a socket
is refused, not replaced by a file, even for root).

Every temporary file is made next to its target as ``.<name>.<pid>.<random><suffix>.tmp``. The
process id lets the next writer in that folder remove what a killed run left behind (its
process is gone) without touching the temporaries of a run still going.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_many",
    "atomic_write_text",
    "clean_stale_temporaries",
    "dumps_json",
    "load_yaml_mapping",
    "write_target",
]

# .<name>.<pid>.<8 random characters from mkstemp><suffix>.tmp
_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[a-z0-9_]{8}[^/]*\.tmp$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a pid we can judge: leave it
    return True


def clean_stale_temporaries(folder: Path | str) -> list[Path]:
    """Remove temporaries in ``folder`` whose writing process no longer exists.

    Returns
    -------
    list of Path
        What was removed (a killed ``build-layers`` or ``export`` leaves such files).
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        if _pid_alive(int(match.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def write_target(path: Path | str) -> Path:
    """The file a write to ``path`` replaces: a symbolic link's target (links followed).

    Raises
    ------
    OSError
        When the target exists and is not a regular file (a folder, a device, a FIFO, a
        socket): it is left as it is.
    """
    real = Path(os.path.realpath(path))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        why = f"is {kind}, not a regular file: refused, it is never replaced by a write"
        raise OSError(errno.EINVAL, why, str(path))
    return real


def _temporary(path: Path, suffix: str | None = None) -> Path:
    """A new empty temporary file next to ``path`` (stale ones there are removed first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.",
            suffix=suffix if suffix is not None else path.suffix + ".tmp",
            dir=path.parent,
        )
    except OSError as exc:  # name the file the user asked for, not our temporary
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; published files follow the umask
    return tmp


@contextlib.contextmanager
def atomic_path(path: Path | str, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only if the block succeeds.

    A failure inside the block leaves ``path`` untouched and removes the temporary file, so no
    reader ever sees a half-written file. A symbolic link is written through to its target;
    anything but a regular file is refused (:func:`write_target`).
    """
    path = write_target(path)
    tmp = _temporary(path, suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        _raise_for_target(exc, tmp, path)
        raise


def _raise_for_target(exc: BaseException, tmp: Path, path: Path) -> None:
    """Re-raise an OS error met on a temporary as one about its target (what the user named)."""
    if isinstance(exc, OSError) and exc.errno and exc.filename in (None, str(tmp)):
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_synced(tmp: Path, data: bytes) -> None:
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())  # on disk before the rename makes it visible


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write bytes to ``path`` atomically."""
    with atomic_path(path) as tmp:
        _write_synced(tmp, data)


def atomic_write_text(path: Path | str, text: str) -> None:
    """Write UTF-8 text to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_many(
    files: Mapping[Path, str | bytes], remove: Iterable[Path] = ()
) -> None:
    """Write a set of files whole or not at all, then remove ``remove``.

    Every file is first written to a temporary next to it and synced to disk; only when all
    of them are written are they renamed into place. Any failure before that (a full disk, a
    file-size limit, a folder that cannot be written) removes the temporaries and leaves every
    target as it was. Renames need no space, so the set changes all at once.

    Raises
    ------
    OSError
        The first error met; nothing has been changed when it is raised.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path = write_target(path)
            tmp = _temporary(path)
            staged.append((tmp, path))
            _write_synced(tmp, data.encode("utf-8") if isinstance(data, str) else data)
    except BaseException as exc:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if staged:
            _raise_for_target(exc, *staged[-1])
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    for path in remove:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()


def dumps_json(obj: Any, indent: int | None = None) -> str:
    """JSON with non-ASCII kept as is (Chinese stays readable in diffs)."""
    return json.dumps(obj, ensure_ascii=False, indent=indent)


# -- YAML sources -------------------------------------------------------------------------------
def _no_alias_loader() -> type:
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """PyYAML's safe loader that refuses aliases (``*name``): a few lines of anchors and
        aliases can expand to gigabytes (a "billion laughs"), and a source never needs them."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed here: write the value out",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    return NoAliasLoader


def load_yaml_mapping(path: Path | str) -> dict[str, Any]:
    """A YAML source file read safely as a mapping (an empty file is an empty mapping).

    Safe tags only, no aliases (see ``NoAliasLoader``), UTF-8.

    Raises
    ------
    ValueError
        One line saying what is wrong and where (line and column), for unreadable text, bad
        YAML, an alias, nesting too deep or a document that is not a mapping.
    """
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        doc = yaml.load(text, Loader=_no_alias_loader())  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(exc.problem or exc.context or "bad YAML").split())
        raise ValueError(f"not readable YAML: {where}{what}") from None
    except yaml.YAMLError as exc:
        raise ValueError("not readable YAML: " + " ".join(str(exc).split())[:200]) from None
    except RecursionError:
        raise ValueError("not readable YAML: nested too deeply") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ValueError(f"expected a mapping of keys at the top, got a {type(doc).__name__}")
    return doc
