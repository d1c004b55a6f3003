"""Untrusted text shown as text: Streamlit markdown, spreadsheet cells, short lists of notes.

Text from a shared link, an uploaded file's name or content, or a typed box is data. Where it
lands in Markdown (Streamlit renders ``st.warning``/``st.error``/``st.markdown`` strings as
CommonMark with GitHub extensions, colour directives, emoji short codes and LaTeX), every ASCII
punctuation character is backslash-escaped, so no link, image, emphasis, HTML tag, entity,
autolink, ``:directive[]`` or ``$math$`` can form, and line breaks become spaces. Where it lands
in a spreadsheet cell, a leading ``= + - @`` TAB or CR is neutralised with ``'`` so Excel or
LibreOffice never evaluates it as a formula; in a CSV cell (:func:`csv_cell`) control characters
and line breaks become spaces first, so a value is one line that no reader splits into rows.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable
from typing import Any

__all__ = [
    "FORMULA_STARTS",
    "MAX_NOTE_CHARS",
    "MAX_NOTES",
    "capped_notes",
    "csv_cell",
    "cut",
    "markdown_text",
    "spreadsheet_cell",
    "starts_like_formula",
]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Most notes listed in one message (the rest are counted).
MAX_NOTES = 10

#: Longest note shown, in characters (longer ones are cut with an ellipsis).
MAX_NOTE_CHARS = 80

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
#: Where GitHub's bare-URL and e-mail autolinks start. Streamlit's Markdown finds them in the
#: text *after* backslash escapes are resolved, so escaping cannot stop them; an invisible
#: word joiner (U+2060) after the scheme, ``www`` or ``@`` does.
_AUTOLINK_STARTS = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=[:.])|(@)")
_JOINER = "\u2060"
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")
_BREAKS_BUT_LF = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u2028\u2029\u0085]")


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the last an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def markdown_text(text: Any, limit: int | None = None) -> str:
    """``text`` escaped to show verbatim inside Streamlit Markdown (and safe as HTML).

    Parameters
    ----------
    text : object
        Anything; ``str()`` of it is used.
    limit : int, optional
        Cut to this many characters (before escaping) with an ellipsis.

    Returns
    -------
    str
        One line: control characters and line breaks as single spaces, every ASCII
        punctuation character backslash-escaped (so ``<`` and ``&`` cannot start HTML either),
        and a word joiner where a bare URL or e-mail address would start a link.
    """
    plain = _BREAKS.sub(" ", str(text))
    if limit is not None:
        plain = cut(plain, limit)
    plain = _AUTOLINK_STARTS.sub(lambda m: m.group(0) + _JOINER, plain)
    return _PUNCTUATION.sub(r"\\\1", plain)


def capped_notes(
    notes: Iterable[Any], max_notes: int = MAX_NOTES, max_chars: int = MAX_NOTE_CHARS
) -> list[str]:
    """At most ``max_notes`` notes, each escaped for Markdown and cut to ``max_chars``.

    When more were given, a last item counts the rest (另有 N 项 — N more).
    """
    notes = list(notes)
    shown = [markdown_text(n, limit=max_chars) for n in notes[:max_notes]]
    rest = len(notes) - max_notes
    if rest > 0:
        shown.append(f"……另有 {rest} 项 — {rest} more")
    return shown


def starts_like_formula(text: Any) -> bool:
    """Whether a spreadsheet may read this text as a formula (starts with = + - @ TAB CR,
    spaces before them included)."""
    return isinstance(text, str) and text.lstrip(" ").startswith(FORMULA_STARTS)


def spreadsheet_cell(value: Any) -> Any:
    """A cell value safe for CSV/XLSX: text that starts like a formula gets a leading ``'``."""
    return "'" + value if starts_like_formula(value) else value


def csv_cell(value: Any, lines: bool = False) -> Any:
    """A value for a CSV cell: control characters and line breaks as spaces (``lines``: line
    feeds kept, for a cell that lists one item per line), then :func:`spreadsheet_cell`.

    Written with every field quoted, such a cell is one cell in any reader: a CR inside a
    value once split a row, the rest of the value starting a row of its own (and a formula).
    Anything but text is returned as is.
    """
    if not isinstance(value, str):
        return value
    if lines:
        value = _BREAKS_BUT_LF.sub(" ", value.replace("\r\n", "\n"))
    else:
        value = _BREAKS.sub(" ", value)
    return spreadsheet_cell(value)


def text_of(value: Any) -> str:
    """A property as display text: ``None`` and NaN (absent in a data frame) become ``""``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def esc(value: Any) -> str:
    """Escape any value for HTML text or attributes (``None``/NaN become an empty string)."""
    return html.escape(text_of(value))
