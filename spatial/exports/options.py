"""``gzmap export``: command-line options to a written map (the work is :mod:`spatial.exports.briefing`).

Every option is checked before anything is drawn; nothing is written unless the map renders.
An ``--layer`` file is read as the app reads an upload (:mod:`spatial.uploads.reader`: a separate,
bounded process; every refusal said in one line).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from spatial._errors import GzmapError
from spatial._io import write_target
from spatial.exports import briefing as ex
from spatial.plot import Overlay
from spatial.query.features import Selection
from spatial.symbology import DEFAULT_RULE, RULES

__all__ = ["check_dpi", "export_cli", "refuse_mixed"]


def refuse_mixed(args: argparse.Namespace, option: str, does: str, others: Sequence[str]) -> None:
    """Raise ``ValueError`` naming those of ``others`` (``--plan``, ...) that are set in ``args``:
    ``option`` (which ``does`` something else) cannot take them."""
    mixed = [name for name in others if getattr(args, name.removeprefix("--"), None)]
    if mixed:
        raise ValueError(f"{option} {does}; it cannot take {', '.join(mixed)}")


def check_dpi(dpi: int) -> None:
    """Raise ``ValueError`` for a ``--dpi`` outside :data:`spatial.exports.briefing.DPI_RANGE`."""
    lo, hi = ex.DPI_RANGE
    if not lo <= dpi <= hi:
        raise ValueError(f"--dpi must be from {lo} to {hi}, got {dpi}")


def _format_of(args: argparse.Namespace, out: Path) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if args.format:
        if not args.all and suffix and suffix != args.format:
            raise ValueError(f"--format {args.format} does not match --out suffix .{suffix}")
        return args.format
    if args.all:
        return "png"
    if suffix in ex.FORMATS:
        return suffix
    if suffix:
        raise ValueError(f"cannot tell the format from .{suffix}; use --format png|pdf|svg")
    raise ValueError(f"--out {out} has no suffix; add .png/.pdf/.svg or use --format")


def _selection_from_args(args: argparse.Namespace, gdf: gpd.GeoDataFrame) -> Selection:
    from spatial.plans.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    industries = []
    for word in args.industry or []:
        tag = taxonomy.canonical(word)
        if tag is None:
            raise ValueError(f"unknown industry {word!r}; known tags: {', '.join(taxonomy.tags)}")
        industries.append(tag)
    sel = Selection(
        plans=tuple(dict.fromkeys(args.plan or [])),
        industries=tuple(dict.fromkeys(industries)),
        roles=tuple(dict.fromkeys(args.role or [])),
        segment=args.segment or None,
        linked=bool(getattr(args, "linked", False)),
    )
    ex.check_selection(gdf, sel)
    return sel


def _read_layer(path: Path) -> Overlay:
    """An ``--layer`` file as an overlay, read with the app's upload limits."""
    from spatial.uploads.reader import MAX_UPLOAD_BYTES, read_user_layer

    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise ValueError(
                f"--layer {path}: {size / 1024 / 1024:.1f} MiB, over the "
                f"{MAX_UPLOAD_BYTES / 1024 / 1024:g} MiB limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"--layer {path}: {exc.strerror or exc}") from exc
    layer = read_user_layer(data, path.name)
    if not layer.ok:
        raise ValueError(f"--layer {path}: " + "; ".join(layer.problems))
    return Overlay(layer.name, layer.gdf)


def export_cli(args: argparse.Namespace) -> int:
    """Run ``gzmap export`` from parsed arguments; raise ``GzmapError`` for a bad option.

    Nothing is written unless every option is valid and the map renders.
    """
    notices: list[str] = []
    try:
        if not args.out:
            raise ValueError("--out is required (a file, or a folder with --all)")
        check_dpi(args.dpi)
        out = Path(args.out)
        fmt = _format_of(args, out)
        colour_by = getattr(args, "colour_by", None) or DEFAULT_RULE
        if colour_by not in RULES:
            raise ValueError(f"--colour-by must be one of {', '.join(RULES)}, got {colour_by!r}")
        tiles = bool(args.tiles)
        if tiles:
            reason = ex.tiles_unavailable_reason()
            if reason:
                notices.append(f"web tiles not drawn: {reason}; drawing the offline vector base")
                tiles = False
        if args.all:
            refuse_mixed(
                args,
                "--all",
                "exports every plan layout",
                ("--plan", "--industry", "--role", "--segment", "--title", "--layer"),
            )
            for line in notices:
                print(f"gzmap export: notice: {line}", file=sys.stderr)
            ex.export_all(
                out, fmt=fmt, size=args.size, dpi=args.dpi, tiles=tiles, colour_by=colour_by
            )
            return 0
        if out.is_dir():
            raise ValueError(f"--out {out} is a folder; give a file name (or use --all)")
        try:  # before any drawing: a link is written through, a device or FIFO refused
            write_target(out)
        except OSError as exc:
            raise ValueError(f"--out {out} {exc.strerror}") from exc
        overlays = [_read_layer(Path(p)) for p in getattr(args, "layer", None) or []]
        gdf = ex.plan_layers()
        sel = _selection_from_args(args, gdf)
        for line in notices:
            print(f"gzmap export: notice: {line}", file=sys.stderr)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ex.TilesUnavailable)
            data = ex.render_map(
                sel,
                fmt=fmt,
                size=args.size,
                dpi=args.dpi,
                title=args.title,
                tiles=tiles,
                overlays=overlays,
                colour_by=colour_by,
            )
        for w in caught:
            if issubclass(w.category, ex.TilesUnavailable):
                print(f"gzmap export: notice: {w.message}", file=sys.stderr)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        ex.write_output(out, data)
        n = len(ex.selection_frame(sel, gdf))
        print(
            f"wrote {out} ({fmt}, {len(data) / 1024:.0f} KB, {n} features, "
            f"{time.perf_counter() - start:.1f} s)"
        )
        if n == 0:
            print(
                "gzmap export: notice: no features match this selection; the map shows the "
                "base only",
                file=sys.stderr,
            )
        return 0
    except ValueError as exc:
        raise GzmapError(str(exc)) from exc
