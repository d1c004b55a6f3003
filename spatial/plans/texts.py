"""Plan texts: normaliser, heading tree and quote finder.

The seed texts are conversions from Word and PDF. They carry ``[bookmark: …]`` and ``[image: …]``
markers, markdown and HTML emphasis, sentences split across page breaks and tables flattened to
tab-separated lines. This module turns a raw seed into

* a **clean** text for display: markers and markup dropped, page-split sentences rejoined, one
  paragraph per line, every clean character mapped back to its offset in the raw file;
* a **heading tree**: chapters (一、), sections (（一）), numbered sub-heads (1.), 专栏 boxes, tables,
  and item heads (``**科技创新轴（黄埔段）。**`` or ``花都湖数字经济创新核：``), so any offset resolves to a
  section path such as ``三、优化提升空间布局，擘画科技创新蓝图 › （一）强化“一轴”核心驱动 ›
  专栏“一轴”重点建设内容 › 科技创新轴（黄埔段）``;
* a **match key** (NFKC-folded, whitespace removed) in which quotes are found exactly, so a quote
  copied across a page break or with full-width/half-width punctuation swapped still matches,
  while any change of wording does not.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spatial.plans.manifest import get_plan

SECTION_SEPARATOR = " › "

# Spans removed from every raw line before anything else looks at it.
_MARKER_RE = re.compile(
    r"\[(?:bookmark|image)\s*:[^\]]*\]"  # Word conversion markers
    r"|</?(?:b|i|u|strong|em|span|br|sup|sub)\b[^>]*>"  # stray HTML emphasis
    r"|\*\*|__"  # markdown bold
)
_MD_HEADING_RE = re.compile(r"^\s*#{1,6}\s*")
_CN_NUM = "一二三四五六七八九十"
_CHAPTER_RE = re.compile(rf"^[{_CN_NUM}]+、")
_SECTION_RE = re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[）)]")
_NUMBERED_RE = re.compile(r"^\d{1,2}\s*[.．、](?!\d)")
_BOX_RE = re.compile(r"^专栏")
_TABLE_RE = re.compile(r"^表\s*\d")
_FIGURE_RE = re.compile(r"^(?:图\s*\d|图：|图:)")
_BOLD_HEAD_RE = re.compile(r"^\s*(?:#{1,6}\s*)?\*\*(?P<title>[^*\n]{1,60}?)\*\*")
_COLON_HEAD_RE = re.compile(r"^(?P<title>[^，,。；;：:\t]{2,24})[：:]")
# A paragraph that ends in one of these is complete; one that doesn't may be page-split.
_TERMINAL = set("。！？；：”’」』）)】…—.!?;:%％")
_WS_RE = re.compile(r"\s+")
_LEAD_SENTENCE_RE = re.compile(r"^([^。\t]{2,40}?)。")

LEVEL_CHAPTER, LEVEL_SECTION, LEVEL_SUB, LEVEL_ITEM = 1, 2, 3, 4


class QuoteNotFound(LookupError):
    """A quote is not in the plan text, even through the normaliser."""


@dataclass(frozen=True)
class Heading:
    """One node of the heading tree.

    Attributes
    ----------
    level : int
        1 chapter, 2 section, 3 numbered head / 专栏 box / table, 4 item head.
    kind : str
        ``chapter``, ``section``, ``numbered``, ``box``, ``table``, ``group`` or ``item``.
    title : str
        The heading as the plan writes it, trailing full stop or colon dropped.
    start : int
        Offset in the clean text where the heading's scope starts.
    end : int
        Offset in the clean text where its scope ends (exclusive).
    """

    level: int
    kind: str
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote sits in a plan text."""

    plan_id: str
    seed: str
    start: int
    end: int
    raw_start: int
    raw_end: int
    section: str
    text: str


@dataclass
class PlanText:
    """A plan text with its clean form, heading tree and quote finder.

    Build one with :func:`load_plan` (cached) or :meth:`from_raw`.
    """

    plan_id: str
    seed: str
    raw: str
    clean: str
    clean_to_raw: list[int] = field(repr=False)
    headings: list[Heading] = field(repr=False)
    _key: str = field(repr=False, default="")
    _key_to_clean: list[int] = field(repr=False, default_factory=list)
    _heading_starts: list[int] = field(repr=False, default_factory=list)

    def __post_init__(self) -> None:
        self._key, self._key_to_clean = match_key_with_map(self.clean)
        self.headings.sort(key=lambda h: (h.start, h.level))
        self._heading_starts = [h.start for h in self.headings]

    @classmethod
    def from_raw(cls, raw: str, plan_id: str = "", seed: str = "") -> PlanText:
        """Normalise a raw seed text.

        Parameters
        ----------
        raw : str
            The text as converted from Word or PDF.
        plan_id, seed : str
            Identify the plan in matches and error messages.
        """
        clean, offsets, headings = _normalise(raw)
        return cls(plan_id, seed, raw, clean, offsets, headings)

    # -- sections ---------------------------------------------------------------------------
    def headings_at(self, offset: int) -> list[Heading]:
        """Return the chain of headings whose scope contains a clean-text offset, outermost first."""
        chain: list[Heading] = []
        upto = bisect_right(self._heading_starts, offset)
        for heading in self.headings[:upto]:
            if heading.start <= offset < heading.end:
                while chain and chain[-1].level >= heading.level:
                    chain.pop()
                chain.append(heading)
        return chain

    def section_at(self, offset: int) -> str:
        """Return the section path (``一、… › （一）… › …``) of a clean-text offset."""
        return SECTION_SEPARATOR.join(h.title for h in self.headings_at(offset))

    def raw_offset(self, clean_offset: int) -> int:
        """Map a clean-text offset back to the raw seed text."""
        if clean_offset >= len(self.clean_to_raw):
            return len(self.raw)
        return self.clean_to_raw[clean_offset]

    # -- quotes -----------------------------------------------------------------------------
    def find_all(self, quote: str) -> list[QuoteMatch]:
        """Return every place a quote occurs (through the normaliser), in text order."""
        found: list[QuoteMatch] = []
        for key_q in _quote_keys(quote):
            pos = self._key.find(key_q)
            while pos != -1:
                found.append(self._match_at(pos, len(key_q)))
                pos = self._key.find(key_q, pos + 1)
            if found:
                break
        return found

    def find(self, quote: str) -> QuoteMatch:
        """Find a quote and say where it is.

        Raises
        ------
        QuoteNotFound
            With the longest leading part that was found and the text that follows it there,
            so the difference is easy to see.
        """
        found = self.find_all(quote)
        if found:
            return found[0]
        raise QuoteNotFound(self._explain_miss(quote))

    def contains(self, quote: str) -> bool:
        """Return True if the quote occurs in this plan (through the normaliser)."""
        return any(key_q in self._key for key_q in _quote_keys(quote))

    def context(self, match: QuoteMatch, chars: int = 240) -> tuple[str, str, str]:
        """Return (before, quote, after) from the clean text around a match."""
        before = self.clean[max(0, match.start - chars) : match.start]
        after = self.clean[match.end : match.end + chars]
        return before, self.clean[match.start : match.end], after

    def _match_at(self, key_pos: int, key_len: int) -> QuoteMatch:
        start = self._key_to_clean[key_pos]
        end = self._key_to_clean[key_pos + key_len - 1] + 1
        raw_end = self.raw_offset(end - 1) + 1
        return QuoteMatch(
            plan_id=self.plan_id,
            seed=self.seed,
            start=start,
            end=end,
            raw_start=self.raw_offset(start),
            raw_end=raw_end,
            section=self.section_at(start),
            text=self.clean[start:end],
        )

    def _explain_miss(self, quote: str) -> str:
        key_q = match_key(quote)
        where = f"{self.plan_id or 'plan'} ({self.seed})" if self.seed else self.plan_id or "plan"
        if not key_q:
            return f"empty quote for {where}"
        lo, hi = 0, len(key_q)  # longest prefix present: binary search on prefix length
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if key_q[:mid] in self._key:
                lo = mid
            else:
                hi = mid - 1
        short = quote if len(quote) <= 40 else quote[:40] + "…"
        if lo == 0:
            return f"quote not found in {where}: {short!r} (not even its first character)"
        pos = self._key.find(key_q[:lo])
        plan_next = self._key[pos + lo : pos + lo + 12]
        return (
            f"quote not found in {where}: {short!r}; the first {lo} of {len(key_q)} characters "
            f"match, then the quote has {key_q[lo : lo + 12]!r} where the plan has {plan_next!r}"
        )


def match_key(text: str) -> str:
    """Fold a text to its match key: markers dropped, NFKC, no whitespace."""
    return match_key_with_map(_MARKER_RE.sub("", text))[0]


def _quote_keys(quote: str) -> list[str]:
    """The keys to look a quote up by: markers dropped first, then as written.

    The display text can hold marker-like characters itself (``**`` is left where a marker
    between two ``*`` was dropped), so a piece copied from it is also looked up unstripped.
    """
    keys = [match_key(quote), match_key_with_map(quote)[0]]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def match_key_with_map(text: str) -> tuple[str, list[int]]:
    """Return the match key of ``text`` and, for each key character, its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch)
        for f in folded:
            if f.isspace():
                continue
            chars.append(f)
            offsets.append(i)
    return "".join(chars), offsets


# -- normalisation ----------------------------------------------------------------------------
@dataclass
class _Line:
    text: str  # cleaned text of the line
    offsets: list[int]  # raw offset of each char
    eol: int  # raw offset of the line end
    kind: str | None  # heading kind, or None for body text
    title: str = ""
    item: str = ""  # inline item head that opens this paragraph


def _clean_line(raw_line: str, base: int) -> tuple[str, list[int]]:
    """Drop markers and markup from one raw line; keep each kept char's raw offset."""
    keep: list[str] = []
    offsets: list[int] = []
    md = _MD_HEADING_RE.match(raw_line)
    pos = md.end() if md else 0
    for m in _MARKER_RE.finditer(raw_line, pos):
        for j in range(pos, m.start()):
            keep.append(raw_line[j])
            offsets.append(base + j)
        pos = m.end()
    for j in range(pos, len(raw_line)):
        keep.append(raw_line[j])
        offsets.append(base + j)
    # trim surrounding whitespace (tabs inside tables stay)
    text = "".join(keep)
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return text[left:right], offsets[left:right]


def _title(text: str) -> str:
    return _WS_RE.sub(" ", text).strip().rstrip("。.：:").strip()


def _classify(raw_line: str, text: str) -> tuple[str | None, str, str]:
    """Return (heading kind, heading title, inline item title) of a cleaned line."""
    if not text:
        return None, "", ""
    if "\t" in text:
        return None, "", ""
    short = len(text) <= 48
    if _CHAPTER_RE.match(text) and short:
        return "chapter", _title(text), ""
    if _SECTION_RE.match(text) and short:
        return "section", _title(text), ""
    if _BOX_RE.match(text) and short:
        return "box", _title(text), ""
    if _TABLE_RE.match(text) and short:
        return "table", _title(text), ""
    run_in = _LEAD_SENTENCE_RE.match(text)
    if run_in and len(run_in.group(0)) < len(text) and _NUMBERED_RE.match(text):
        return None, "", _title(run_in.group(1))  # "4.物联网+智能交通。以图像识别…": an item head
    if _NUMBERED_RE.match(text) and short and not text.endswith(("；", ";", "，", ",")):
        return "numbered", _title(text), ""
    if text.endswith(("：", ":")) and len(text) <= 16:
        return "group", _title(text), ""
    lead = _LEAD_SENTENCE_RE.match(text)
    if lead and (_CHAPTER_RE.match(text) or _SECTION_RE.match(text)):
        # "（一）一核引领：环五山创新策源区。充分发挥…": a heading run into its first paragraph
        return ("chapter" if _CHAPTER_RE.match(text) else "section"), _title(lead.group(1)), ""
    if lead and _NUMBERED_RE.match(text) and len(lead.group(1)) <= 30:
        return None, "", _title(lead.group(1))
    bold = _BOLD_HEAD_RE.match(raw_line)
    if bold:
        title = _title(_MARKER_RE.sub("", bold.group("title")))
        if title and len(text) > len(title) + 2:
            return None, "", title
        if title:
            # a line that is only a bold phrase: a numbered head or a short heading
            if _NUMBERED_RE.match(title):
                return "numbered", title, ""
            return "group", title, ""
    colon = _COLON_HEAD_RE.match(text)
    if colon and len(text) > len(colon.group(0)) + 8:
        return None, "", _title(colon.group("title"))
    return None, "", ""


def _number(text: str) -> int | None:
    """The number of a numbered head (``3.着力…`` → 3), else None."""
    m = _NUMBERED_RE.match(text)
    return int(re.match(r"\d+", text).group(0)) if m else None


def _is_page_split(prev: _Line, nxt: _Line) -> bool:
    """Return True if ``nxt`` continues ``prev`` across a page break."""
    if prev.kind or nxt.kind or not prev.text or not nxt.text:
        return False
    if "\t" in prev.text or "\t" in nxt.text or nxt.item:
        return False
    if len(prev.text) < 20 or prev.text[-1] in _TERMINAL:
        return False
    if _FIGURE_RE.match(nxt.text) or _FIGURE_RE.match(prev.text):
        return False
    first = nxt.text[0]
    return not (_NUMBERED_RE.match(nxt.text) or first in '（(【[“"')


def _normalise(raw: str) -> tuple[str, list[int], list[Heading]]:
    lines: list[_Line] = []
    base = 0
    for raw_line in raw.splitlines(keepends=True):
        body = raw_line.rstrip("\r\n")
        text, offsets = _clean_line(body, base)
        kind, title, item = _classify(body, text)
        lines.append(_Line(text, offsets, base + len(body), kind, title, item))
        base += len(raw_line)

    # paragraphs: non-empty lines, page-split fragments glued to the line before
    paragraphs: list[_Line] = []
    for line in lines:
        if not line.text:
            continue
        if paragraphs and _is_page_split(paragraphs[-1], line):
            prev = paragraphs[-1]
            prev.text += line.text
            prev.offsets += line.offsets
            prev.eol = line.eol
            continue
        paragraphs.append(
            _Line(line.text, list(line.offsets), line.eol, line.kind, line.title, line.item)
        )

    clean_parts: list[str] = []
    clean_offsets: list[int] = []
    opened: list[tuple[int, str, str, int]] = []  # (level, kind, title, start)
    headings: list[Heading] = []
    pos = 0
    box_has_items = False
    box_last_num = 0  # number of the last numbered item inside the open 专栏 box
    sub_num = 0  # number of the last numbered head of the open section

    def close(level: int, at: int) -> None:
        while opened and opened[-1][0] >= level:
            lvl, kind, title, start = opened.pop()
            headings.append(Heading(lvl, kind, title, start, at))

    def box_open() -> bool:
        return any(kind == "box" for _, kind, _, _ in opened)

    levels = {
        "chapter": LEVEL_CHAPTER,
        "section": LEVEL_SECTION,
        "numbered": LEVEL_SUB,
        "box": LEVEL_SUB,
        "table": LEVEL_SUB,
        "group": LEVEL_SUB,
    }
    for para in paragraphs:
        start = pos
        num = _number(para.text) if para.kind == "numbered" or para.item else None
        continues_box = bool(box_last_num) and num == box_last_num + 1
        if num is not None and box_open() and not continues_box and sub_num and num == sub_num + 1:
            # "3." after a box, continuing the section's 1., 2.: the box has ended
            close(LEVEL_SUB, start)
            box_has_items = False
            box_last_num = 0
        in_box = box_open()
        if para.kind:
            level = levels[para.kind]
            if para.kind == "numbered" and opened and opened[-1][1] in ("box", "group"):
                level = LEVEL_ITEM  # numbered lines inside a box are its items
            close(level, start)
            opened.append((level, para.kind, para.title, start))
            if para.kind == "box":
                box_has_items, box_last_num = False, 0
            elif para.kind in ("chapter", "section"):
                sub_num = 0
            elif para.kind == "numbered" and level == LEVEL_SUB and num is not None:
                sub_num = num
            elif level == LEVEL_ITEM and in_box:
                box_has_items = True
                box_last_num = num or box_last_num
        else:
            close(LEVEL_ITEM, start)  # an item head lasts for its own paragraph
            in_box = bool(opened) and opened[-1][1] == "box"
            if para.item:
                opened.append((LEVEL_ITEM, "item", para.item, start))
                if in_box:
                    box_has_items = True
                    box_last_num = num or box_last_num
                elif num is not None:
                    sub_num = num
            elif in_box and box_has_items:
                close(LEVEL_SUB, start)  # prose after a box's items belongs to the section again
                box_has_items, box_last_num = False, 0
        clean_parts.append(para.text)
        clean_offsets.extend(para.offsets)
        clean_parts.append("\n")
        clean_offsets.append(para.eol)
        pos += len(para.text) + 1
    close(LEVEL_CHAPTER, pos)
    return "".join(clean_parts), clean_offsets, headings


# -- loading ----------------------------------------------------------------------------------
def read_seed(path: Path) -> str:
    """Read a seed file as UTF-8 (a BOM is dropped)."""
    return path.read_text(encoding="utf-8-sig")


@lru_cache(maxsize=16)
def load_plan(plan_id: str) -> PlanText:
    """Load and normalise a plan text by its manifest id (cached).

    Parameters
    ----------
    plan_id : str
        An id from ``seeds/manifest.json``, e.g. ``gz_sti``.
    """
    plan = get_plan(plan_id)
    return PlanText.from_raw(read_seed(plan.path), plan_id=plan.id, seed=plan.file)
