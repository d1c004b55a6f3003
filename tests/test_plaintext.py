"""Text from links, files and typed boxes stays text: in Markdown, in spreadsheets, in lists."""

from __future__ import annotations

import html
import io
import re

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from spatial.plaintext import (
    MAX_NOTE_CHARS,
    MAX_NOTES,
    capped_notes,
    markdown_text,
    spreadsheet_cell,
    starts_like_formula,
)

# CommonMark with GitHub's extensions (tables, strikethrough, bare-URL links), raw HTML on and
# LaTeX: everything Streamlit's Markdown can make of a string, and more.
MD = MarkdownIt("gfm-like", {"html": True, "linkify": True}).use(dollarmath_plugin)

HOSTILE = [
    "![t](http://elsewhere.example/x.png)",
    "[请重新登录](http://elsewhere.example)",
    "http://elsewhere.example/login",
    "www.elsewhere.example",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "**粗体** _斜体_ ~~删~~ `code`",
    "# 标题",
    "> 引用\n- 列表\n1. 编号",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    ":red[红色] :material/warning: :smile:",
    "$x^2$ and $$y$$",
    "&lt;b&gt; &amp; &#60;",
    "\\*already escaped\\*",
    "line\nbreak\r\nand\u2028more",
]


def _rendered_text(html_text: str) -> str:
    """What a reader sees: tags gone, entities resolved, invisible word joiners left out."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).replace("\u2060", "").strip()


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_the_same_plain_text(text: str) -> None:
    out = MD.render(markdown_text(text))
    tags = set(re.findall(r"<(/?\w+)", out)) - {"p", "/p"}
    assert not tags, (text, out)  # no link, image, emphasis, heading, list, table, code, math
    one_line = re.sub(r"[\r\n\u2028]+", " ", text)
    assert _rendered_text(out) == one_line


def test_unescaped_text_would_have_been_markup() -> None:
    """The renderer above does make links and images of these (so the test can fail)."""
    assert "<img" in MD.render(HOSTILE[0]) and "<a " in MD.render(HOSTILE[1])
    assert "<a " in MD.render(HOSTILE[2])


def test_long_text_is_cut_before_escaping() -> None:
    out = markdown_text("链" * 500 + "[x](y)", limit=50)
    assert _rendered_text(MD.render(out)) == "链" * 49 + "…"


def test_notes_are_capped_in_count_and_length() -> None:
    notes = [f"node: {'x' * 300}[{i}](http://e.example)" for i in range(2000)]
    shown = capped_notes(notes)
    assert len(shown) == MAX_NOTES + 1
    assert "另有 1990 项" in shown[-1] and "1990 more" in shown[-1]
    for note in shown[:-1]:
        assert len(_rendered_text(MD.render(note))) <= MAX_NOTE_CHARS
        assert "<a " not in MD.render(note)
    assert capped_notes(["a", "b"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("value", "risky"),
    [
        ('=HYPERLINK("http://e.example","点我")', True),
        ("+1+1", True),
        ("-2+3", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("广州国际生物岛", False),
        ("a=b", False),
        ("", False),
        (None, False),
        (3.5, False),
    ],
)
def test_spreadsheet_cells_that_start_like_formulas_are_neutralised(value, risky: bool) -> None:
    assert starts_like_formula(value) is risky
    cell = spreadsheet_cell(value)
    if risky:
        assert cell == "'" + value
    else:
        assert cell == value
    back = pd.read_csv(io.StringIO(pd.DataFrame({"c": [cell]}).to_csv(index=False)))["c"][0]
    assert not (isinstance(back, str) and back.startswith(("=", "+", "-", "@")))


def test_no_bare_url_or_address_survives_to_be_linked_after_escapes_are_resolved() -> None:
    """Streamlit's Markdown (remark-gfm) finds bare URLs and e-mail addresses in the text once
    backslash escapes are resolved, so escaping alone still left a live link in the browser."""
    gfm_literal = re.compile(
        r"(?i)(https?://|www(?=\.))[-.\w]+|[-.+\w]+@[-\w]+(?:\.[-\w]+)+"
    )  # the shapes mdast-util-gfm-autolink-literal turns into links
    for value in ("http://elsewhere.example/x.png", "see www.elsewhere.example now",
                  "HTTPS://E.EXAMPLE", "mail admin@elsewhere.example", "ftp://f.example"):
        resolved = re.sub(r"\\(.)", r"\1", markdown_text(value))
        assert not gfm_literal.search(resolved), (value, resolved)
        assert resolved.replace("\u2060", "") == value  # reads the same
