"""Writing a drawn page: rcParams for map exports and PNG/PDF/SVG bytes with fixed metadata."""

from __future__ import annotations

import datetime as _dt
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib.figure import Figure

from spatial.plot.fonts import register_cjk_font

FORMATS = ("png", "pdf", "svg")

#: Fixed values written into files so that two runs give the same bytes.
CREATOR = "gzplan-map"
SVG_HASHSALT = "gzplan-map"


@contextmanager
def map_style() -> Iterator[None]:
    """rcParams for map exports: the CJK font, TrueType embedding in PDF, fixed SVG ids."""
    family = register_cjk_font()
    with matplotlib.rc_context(
        {
            "font.family": [family, "DejaVu Sans"],
            "pdf.fonttype": 42,
            "svg.fonttype": "path",
            "svg.hashsalt": SVG_HASHSALT,
            "axes.unicode_minus": False,
            "path.simplify": True,
            "text.parse_math": False,
            "hatch.linewidth": 0.5,
        }
    ):
        yield


def _fixed_date() -> _dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return None


#: zlib level for PNG: 4 encodes an A4 page at 300 dpi about twice as fast as the default 6,
#: for a file a few per cent larger.
PNG_COMPRESS_LEVEL = 4


def _png_bytes(fig: Figure, *, dpi: int, title: str) -> bytes:
    """Render with Agg and write an opaque RGB PNG (a quarter less data than RGBA)."""
    from PIL import Image, PngImagePlugin

    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi, facecolor="white")
    width, height = (round(v) for v in fig.canvas.get_width_height(physical=True))
    image = Image.frombuffer("RGBA", (width, height), raw.getbuffer(), "raw", "RGBA", 0, 1)
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", CREATOR)
    if title:
        info.add_itxt("Title", title)
    out = io.BytesIO()
    image.convert("RGB").save(
        out, format="PNG", dpi=(dpi, dpi), pnginfo=info, compress_level=PNG_COMPRESS_LEVEL
    )
    return out.getvalue()


def figure_bytes(fig: Figure, fmt: str, *, dpi: int, title: str = "") -> bytes:
    """Save a figure to PNG, PDF or SVG bytes with fixed metadata (same input, same bytes)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    buf = io.BytesIO()
    if fmt == "png":
        return _png_bytes(fig, dpi=dpi, title=title)
    if fmt == "pdf":
        metadata: dict[str, object]
        metadata = {
            "Creator": CREATOR,
            "Producer": CREATOR,
            "CreationDate": _fixed_date(),
            "ModDate": None,
        }
        if title:
            metadata["Title"] = title
    else:
        metadata = {"Creator": CREATOR, "Date": None}
        if title:
            metadata["Title"] = title
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()
