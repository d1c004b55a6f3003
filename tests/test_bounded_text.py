"""Typed text costs bounded work: export titles are capped and wrapped in linear time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spatial.plot.output import map_style
from spatial.plot.page import Page
from spatial.query.features import Selection


def _measured_chars(page: Page, text: str, **kw) -> tuple[list[str], int]:
    """Lines of ``fit_text`` and how many characters it measured to make them."""
    measured = 0
    width = page.text_px

    def counting(t: str, size: float) -> float:
        nonlocal measured
        measured += len(t)
        return width(t, size)

    page.text_px = counting  # type: ignore[method-assign]
    try:
        lines = page.fit_text(text, 12.0, 400.0, **kw)
    finally:
        del page.text_px
    return lines, measured


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with map_style():  # the bundled CJK font, as every export uses
        yield Page("a4-landscape", 100, raster=True)


def test_wrapping_work_grows_linearly_with_the_text(page: Page) -> None:
    unit = "广州国际生物岛依托国家实验室，"
    small_lines, small = _measured_chars(page, unit * 20)
    large_lines, large = _measured_chars(page, unit * 200)
    assert "".join(large_lines) == unit * 200  # every character kept, in order
    assert all(page.text_px(line, 12.0) <= 400.0 for line in large_lines)
    assert 8 * len(small_lines) < len(large_lines) < 12 * len(small_lines)
    assert large < 12 * small, (small, large)  # quadratic work would be ~100x


def test_title_wrapping_stops_at_the_lines_it_shows(page: Page) -> None:
    lines, short = _measured_chars(page, "科" * 1_000, max_lines=2)
    _, long = _measured_chars(page, "科" * 100_000, max_lines=2)
    assert len(lines) == 2 and long == short


def test_export_title_is_capped() -> None:
    from spatial.exports.briefing import MAX_TITLE_CHARS, _map_text, selection_frame

    frame = selection_frame(Selection(plans=("gz_sti",)))
    text = _map_text(Selection(plans=("gz_sti",)), frame, frame, title="题" * 100_000,
                     osm=False, tiles_attribution=None)
    assert text.title == "题" * MAX_TITLE_CHARS and text.pdf_title == text.title
