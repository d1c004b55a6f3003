"""Edit the records of a hand-kept YAML source in place, every other line kept as written.

The sources in ``layers/src/`` are edited by people: comments, blank lines, flow lists, folded
quotes and line widths are theirs. Loading and dumping a whole file, even with ruamel.yaml's
round trip, re-indents and re-wraps records nobody touched (measured on these sources: hundreds of
changed lines per file). So this module takes from ruamel.yaml only where each record and each of
its keys starts, and replaces the text of those lines alone:

* :meth:`SourceText.set_keys` replaces (or adds, in the sources' usual key order) the lines of some
  keys of one record and removes others;
* :meth:`SourceText.remove_record` cuts one record (the comments above the next one stay);
* :meth:`SourceText.append_record` adds a record at the end of the list.

Every edit is checked by reading the new text back with ``yaml.safe_load``: the edited record
must hold exactly the intended data and every other record must be unchanged, else
:class:`EditError` is raised and the text is left as it was.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError

#: The order keys are written in by hand in the sources; a new key goes after the last key
#: before it in this order that the record has.
KEY_ORDER = (
    "id",
    "name",
    "name_en",
    "name_note",
    "aliases",
    "role",
    "layer",
    "parent",
    "district",
    "industries",
    "axis_order",
    "axis_segment",
    "group",
    "members",
    "links",
    "attributes",
    "excerpts",
    "mentions",
    "geometry",
    "location_source",
    "location_precision_m",
    "in_guangzhou",
    "reason",
)


class EditError(ValueError):
    """A source could not be edited as asked (not found, or the result would differ)."""


@dataclass(frozen=True)
class _Record:
    rid: str
    index: int  # position in the list
    start: int  # first line (the one with the dash)
    end: int  # one past its last line, trailing blank lines and outer comments excluded
    col: int  # column of its keys
    keys: tuple[tuple[str, int], ...]  # (key, line) in file order


def _is_outer(line: str, col: int) -> bool:
    """A blank line, or a comment indented no deeper than ``col`` (it heads what follows)."""
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip()) <= col)


def _trim(lines: list[str], start: int, end: int, col: int) -> int:
    while end > start + 1 and _is_outer(lines[end - 1], col):
        end -= 1
    return end


def _flow(value: Any) -> Any:
    """ruamel nodes for ``value``: short lists in flow style, as the sources write them."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _flow(v)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_flow(v) for v in value)
        if all(not isinstance(v, dict | list | tuple) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def dump_key(key: str, value: Any, col: int) -> list[str]:
    """``key: value`` as YAML lines indented by ``col`` spaces (lists of scalars in flow style)."""
    y = YAML()
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    y.dump({key: _flow(value)}, buf)
    return [" " * col + line for line in buf.getvalue().splitlines()]


def dump_record(data: dict[str, Any], dash_col: int) -> list[str]:
    """A whole record as a list item whose dash is at ``dash_col``."""
    lines: list[str] = []
    for key, value in data.items():
        lines.extend(dump_key(key, value, dash_col + 2))
    if lines:
        lines[0] = " " * dash_col + "- " + lines[0][dash_col + 2 :]
    return lines


class SourceText:
    """The text of one source file and the records of its ``list_key`` list.

    Parameters
    ----------
    text : str
        The file's text.
    list_key : str
        ``features`` for a layer source, ``places`` for a register source.
    """

    def __init__(self, text: str, list_key: str) -> None:
        self.list_key = list_key
        self.text = text
        self._parse()

    # -- reading ------------------------------------------------------------------------------
    def _parse(self) -> None:
        try:
            doc = YAML().load(self.text)
        except RuamelError as exc:
            raise EditError(f"not readable YAML: {' '.join(str(exc).split())}") from exc
        if not isinstance(doc, CommentedMap) or not isinstance(doc.get(self.list_key), list):
            raise EditError(f"expected a mapping with a '{self.list_key}' list")
        lines = self.text.splitlines(keepends=True)
        self._lines = lines
        seq = doc[self.list_key]
        keys = list(doc.keys())
        after = keys.index(self.list_key) + 1
        list_end = doc.lc.key(keys[after])[0] if after < len(keys) else len(lines)
        starts = [seq.lc.item(i)[0] for i in range(len(seq))]
        self._records: list[_Record] = []
        self._list_end = _trim(lines, starts[-1], list_end, 0) if starts else list_end
        for i, item in enumerate(seq):
            if not isinstance(item, CommentedMap) or not isinstance(item.get("id"), str):
                continue
            col = seq.lc.item(i)[1]
            nxt = starts[i + 1] if i + 1 < len(starts) else list_end
            end = _trim(lines, starts[i], nxt, col - 2)
            item_keys = tuple((str(k), item.lc.key(k)[0]) for k in item)
            self._records.append(_Record(item["id"], i, starts[i], end, col, item_keys))
        self._dash_col = (seq.lc.item(0)[1] - 2) if len(seq) else 2

    def ids(self) -> list[str]:
        """The ids of the records, in file order (an id may have several records)."""
        return [r.rid for r in self._records]

    def _find(self, rid: str, nth: int) -> _Record:
        found = [r for r in self._records if r.rid == rid]
        if nth >= len(found):
            raise EditError(f"no record {rid!r}" + (f" #{nth + 1}" if nth else ""))
        return found[nth]

    def data(self) -> dict[str, Any]:
        """The file's data as ``yaml.safe_load`` reads it (the builder's reading)."""
        return yaml.safe_load(self.text) or {}

    def record(self, rid: str, nth: int = 0) -> dict[str, Any]:
        """The ``nth`` record with id ``rid``, as the builder reads it."""
        return (self.data().get(self.list_key) or [])[self._find(rid, nth).index]

    # -- editing ------------------------------------------------------------------------------
    def _commit(self, new_lines: list[str], rid: str, wanted: list[Any]) -> None:
        """Take the new text if it reads back as the ``wanted`` list of records."""
        text = "".join(new_lines)
        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise EditError(f"the edit would not read back: {' '.join(str(exc).split())}") from exc
        old = self.data()
        rest_same = {k: v for k, v in doc.items() if k != self.list_key} == {
            k: v for k, v in old.items() if k != self.list_key
        }
        if doc.get(self.list_key) != wanted or not rest_same:
            raise EditError(f"editing {rid!r} would not give the intended records")
        self.text = text
        self._parse()

    def set_keys(
        self,
        rid: str,
        values: dict[str, Any],
        remove: tuple[str, ...] | list[str] = (),
        nth: int = 0,
    ) -> None:
        """Give keys of the ``nth`` record ``rid`` new values (adding missing keys), drop
        ``remove``."""
        rec = self._find(rid, nth)
        wanted = copy.deepcopy(self.data().get(self.list_key) or [])
        expect = wanted[rec.index]
        lines = list(self._lines)
        spans: dict[str, tuple[int, int]] = {}
        for n, (key, line) in enumerate(rec.keys):
            nxt = rec.keys[n + 1][1] if n + 1 < len(rec.keys) else rec.end
            spans[key] = (line, _trim(lines, line, nxt, rec.col))
        edits: list[tuple[int, int, list[str]]] = []  # (start, end, new lines), no overlaps
        for key in remove:
            if key in spans:
                edits.append((*spans[key], []))
                expect.pop(key, None)
        present = [k for k, _ in rec.keys]
        inserts: dict[int, list[str]] = {}
        rank = {k: i for i, k in enumerate(KEY_ORDER)}
        for key in sorted(values, key=lambda k: rank.get(k, len(KEY_ORDER))):
            value = values[key]
            if key == "id":
                raise EditError("the id of a record is not changed")
            expect[key] = value
            new = [line + "\n" for line in dump_key(key, value, rec.col)]
            if key in spans:
                start, end = spans[key]
                if rec.keys[0][0] == key:  # the record's first key follows the dash
                    new[0] = lines[start][: rec.col] + new[0][rec.col :]
                edits.append((start, end, new))
            else:
                inserts.setdefault(self._insert_line(rec, present, key, spans), []).extend(new)
        edits.extend((at, at, new) for at, new in inserts.items())
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            lines[start:end] = new
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        self._commit(lines, rid, wanted)

    @staticmethod
    def _insert_line(
        rec: _Record, present: list[str], key: str, spans: dict[str, tuple[int, int]]
    ) -> int:
        rank = {k: i for i, k in enumerate(KEY_ORDER)}
        mine = rank.get(key, len(KEY_ORDER))
        before = [k for k in present if rank.get(k, len(KEY_ORDER)) <= mine]
        if before:
            return spans[before[-1]][1]
        return spans[present[0]][1] if present else rec.end

    def remove_record(self, rid: str, nth: int = 0) -> None:
        """Cut the ``nth`` record ``rid`` (its lines and the blank lines after it)."""
        rec = self._find(rid, nth)
        wanted = list(self.data().get(self.list_key) or [])
        del wanted[rec.index]
        lines = list(self._lines)
        end = rec.end
        while end < len(lines) and not lines[end].strip():
            end += 1
        del lines[rec.start : end]
        self._commit(lines, rid, wanted)

    def append_record(self, data: dict[str, Any]) -> None:
        """Add a record at the end of the list, after a blank line."""
        rid = data.get("id")
        if not isinstance(rid, str):
            raise EditError("cannot add a record without an id")
        wanted = [*(self.data().get(self.list_key) or []), data]
        lines = list(self._lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        at = self._list_end
        new = [line + "\n" for line in dump_record(data, self._dash_col)]
        if at > 0 and lines[at - 1].strip():
            new.insert(0, "\n")
        lines[at:at] = new
        self._commit(lines, rid, wanted)


def move_entries(text: str, from_key: str, to_key: str, value: str) -> str:
    """Move the one-line entries ``name: value`` of mapping ``from_key`` to mapping ``to_key``
    (both top-level; ``to_key`` is added after ``from_key``'s entries if missing).

    Used for the coverage decisions of a place that moves from the register to the map.
    """
    doc = YAML().load(text)
    source = doc.get(from_key) if isinstance(doc, CommentedMap) else None
    if not isinstance(source, CommentedMap):
        return text
    names = [k for k, v in source.items() if v == value]
    if not names:
        return text
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    cut = {source.lc.key(k)[0] for k in names}
    moved = [lines[i] for i in sorted(cut)]
    target = doc.get(to_key)
    if isinstance(target, CommentedMap) and target:
        last = max(target.lc.key(k)[0] for k in target)
        at, new = last + 1, moved
    else:  # no such mapping yet: a new one after the source mapping's last entry
        last = max(source.lc.key(k)[0] for k in source)
        at, new = last + 1, [f"{to_key}:\n", *moved]
        if to_key in doc:
            raise EditError(f"{to_key} is not a mapping of entries")
    out = [*(lines[i] for i in range(at) if i not in cut), *new,
           *(lines[i] for i in range(at, len(lines)) if i not in cut)]
    result = "".join(out)
    wanted = yaml.safe_load(text)
    for name in names:
        wanted.setdefault(to_key, {})
        wanted[to_key] = {**(wanted[to_key] or {}), name: wanted[from_key].pop(name)}
    if not wanted[from_key]:
        wanted[from_key] = None
    if yaml.safe_load(result) != wanted:
        raise EditError(f"moving {value!r} from {from_key} to {to_key} would not read back")
    return result
