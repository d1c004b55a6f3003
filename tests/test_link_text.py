"""Text from a link is text on every page: nothing in it becomes a link, an image or markup.

Each page reads its own URL keys (the map page :mod:`app.appstate`, the others
:mod:`app.viewparams`); a value it cannot use is quoted back in a warning. The notes of the
规划衔接 and 这里规划了什么 pages were once written as Markdown as they came: an image there
made the browser fetch from elsewhere, a link offered a fake "log in again".
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from spatial._paths import ROOT

APP = str(ROOT / "streamlit_app.py")
IMAGE = "![t](http://elsewhere.example/x.png)"
LOGIN = "[登录已过期，请点此重新登录](http://elsewhere.example)"
MD = MarkdownIt("gfm-like", {"html": True, "linkify": True})

# page, URL parameters carrying the hostile text
LINKS = {
    "map": {"node": IMAGE, "basemap": LOGIN},
    "alignment district": {"view": "alignment", "district": IMAGE},
    "alignment login": {"view": "alignment", "district": LOGIN},
    "here": {"view": "here", "at": LOGIN},
    "here radius": {"view": "here", "at": "113.36,23.08", "radius": IMAGE},
    "unknown page": {"view": LOGIN},
}


def _shown(markdown: str) -> str:
    """What a reader's browser makes of a Markdown string (GitHub flavour, bare URLs linked)."""
    return MD.render(markdown)


def _read(shown: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", shown)).replace("\u2060", "")


@pytest.mark.parametrize("case", list(LINKS))
def test_link_text_is_shown_as_text_on_every_page(case: str, monkeypatch) -> None:
    monkeypatch.delenv("GZMAP_LAYERS_DIR", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(LINKS[case])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [e.value for kind in ("warning", "info", "error", "success", "markdown", "caption")
             for e in getattr(at, kind)]
    quoting = [t for t in texts if "elsewhere" in t]
    assert quoting, f"{case}: the ignored value is not quoted back"
    for text in quoting:
        shown = _shown(text)
        assert "<img" not in shown and "<a " not in shown, (case, text)
        read = _read(shown)
        assert IMAGE in read or LOGIN in read, (case, read)  # read as the link wrote it

