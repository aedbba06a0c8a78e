"""The `socle` command line (CONTRACT §6)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from schemas.codes import EXTRACTS, OPERATORS
from socle.config import Paths
from socle.months import months_between, parse_month
from socle.progress import Console


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _month_range(text: str) -> tuple[str, str]:
    """`2024-01:2024-12` (or one month) → the two bounds, checked."""
    first, _, last = text.partition(":")
    last = last or first
    if _month(first) > _month(last):
        raise argparse.ArgumentTypeError(f"empty month range {text!r}: {first} is after {last}")
    return first, last


def _months_between(bounds: tuple[str, str]) -> set[date]:
    return set(months_between(_month(bounds[0]), _month(bounds[1])))


def _cmd_generate(args: argparse.Namespace) -> int:
    from socle.generate import generate_landing

    summary = generate_landing(
        Path(args.out), args.persons, args.months, seed=args.seed, faults=args.faults
    )
    print(f"wrote {summary.get('files', '?')} files under {args.out}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from socle.pipeline import run_pipeline
    from socle.publish import PublicationRefused

    months = _months_between(args.months) if args.months else None
    console = Console()
    try:
        summary = run_pipeline(Paths.from_env(), months=months, progress=console)
    except PublicationRefused as e:
        console.close()
        print(f"socle run: {e}\nnothing was published: the previous warehouse and exports "
              "stay as they were", file=sys.stderr)
        return 3
    console.close()
    print(summary.render())
    return 0 if summary.ok else 1


def _cmd_export(args: argparse.Namespace) -> int:
    from socle.publish import PublicationRefused, release_exports
    from socle.warehouse import connect

    paths = Paths.from_env()
    if not paths.warehouse.exists():
        print(f"socle export: no published warehouse at {paths.warehouse}: run `socle run` "
              "first", file=sys.stderr)
        return 2
    con = connect(paths.warehouse, read_only=True)
    try:
        published = [r[0] for r in con.execute(
            "SELECT DISTINCT period FROM indicators.indicator_values ORDER BY 1").fetchall()]
    finally:
        con.close()
    wanted = _months_between(args.months) if args.months else set(published)
    missing = sorted(wanted - set(published))
    if args.months and missing:
        print("socle export: no published values for "
              + ", ".join(f"{m:%Y-%m}" for m in missing), file=sys.stderr)
        return 2
    try:
        folders = release_exports(paths, sorted(wanted))
    except PublicationRefused as e:
        print(f"socle export: {e}", file=sys.stderr)
        return 3
    print(f"exports rewritten: {len(folders)} month(s) under {paths.exports}")
    return 0


def _cmd_quarantine(args: argparse.Namespace) -> int:
    from socle.ingest.quarantine import print_quarantine

    return print_quarantine(Paths.from_env(), args.extract, operator=args.operator,
                            month=args.month, limit=args.limit)


def _cmd_demo(args: argparse.Namespace) -> int:
    from socle.demo import run_demo

    summary = run_demo(Paths.from_env(), persons=args.persons, months=args.months, seed=args.seed)
    print(summary.render())
    return 0 if summary.ok else 1


def _cmd_validate(args: argparse.Namespace) -> int:
    from socle.ingest import validate_file

    report = validate_file(
        Path(args.file), args.extract, operator=args.operator,
        month=args.month,
    )
    print(report.render())
    return 0 if report.ok else 1


def _cmd_quality(args: argparse.Namespace) -> int:
    from socle.quality import GreatExpectationsMissing, build_quality_report

    paths = Paths.from_env()
    months = sorted(_months_between(args.months)) if args.months else None
    try:
        report = build_quality_report(paths.warehouse, paths.data_dir / "quality", months)
    except (GreatExpectationsMissing, ValueError) as e:
        print(f"socle quality: {e}", file=sys.stderr)
        return 2
    print(report.render())
    return 0 if report.success else 1


def _cmd_site(args: argparse.Namespace) -> int:
    from socle.export.site import SiteError, rebuild_site

    months = {f"{m:%Y-%m}" for m in _months_between(args.months)} if args.months else None
    try:
        summary = rebuild_site(Paths.from_env(), months)
    except SiteError as e:
        print(f"socle site: {e}", file=sys.stderr)
        return 2
    print(f"site: {summary['territory_pages']} territory pages over "
          f"{len(summary['months'])} month(s), {summary['bytes'] / 1e6:.1f} MB, in "
          f"{summary['site']} (open index.html)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="socle",
        description="Shared indicator base of the public employment network. "
        "Data folder: $SOCLE_DATA_DIR (default ./data).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="generate a synthetic year, run the pipeline, show results")
    demo.add_argument("--persons", type=_positive, default=20_000,
                      help="synthetic persons (20000)")
    demo.add_argument("--months", type=_month_range, default=("2024-01", "2024-12"),
                      help="YYYY-MM:YYYY-MM (2024-01:2024-12)")
    demo.add_argument("--seed", type=int, default=42, help="random seed (42)")
    demo.set_defaults(func=_cmd_demo)

    gen = sub.add_parser("generate", help="write synthetic operator deliveries")
    gen.add_argument("--out", required=True, help="landing folder to write")
    gen.add_argument("--persons", type=_positive, required=True)
    gen.add_argument("--months", type=_month_range, required=True, help="YYYY-MM:YYYY-MM")
    gen.add_argument("--seed", type=int, default=42, help="random seed (42)")
    gen.add_argument("--faults", action="store_true", help="add documented bad rows and files")
    gen.set_defaults(func=_cmd_generate)

    run = sub.add_parser("run", help="ingest the landing folder, compute and export indicators")
    run.add_argument("--months", type=_month_range, help="restrict to YYYY-MM[:YYYY-MM]")
    run.set_defaults(func=_cmd_run)

    exp = sub.add_parser("export", help="rebuild the exports from the published warehouse")
    exp.add_argument("--months", type=_month_range, help="YYYY-MM[:YYYY-MM] (all published)")
    exp.set_defaults(func=_cmd_export)

    qua = sub.add_parser("quarantine", help="print the quarantined rows of an extract")
    qua.add_argument("extract", choices=EXTRACTS)
    qua.add_argument("--operator", choices=sorted(OPERATORS))
    qua.add_argument("--month", type=_month, help="delivery month YYYY-MM")
    qua.add_argument("--limit", type=_positive, default=50, help="rows shown (50)")
    qua.set_defaults(func=_cmd_quarantine)

    qual = sub.add_parser("quality", help="data-quality report on the published warehouse "
                          "(optional extra: uv sync --extra quality)")
    qual.add_argument("--months", type=_month_range, help="YYYY-MM[:YYYY-MM] (all loaded)")
    qual.set_defaults(func=_cmd_quality)

    site = sub.add_parser("site", help="rebuild the committee site (exports/site/) from the "
                          "published warehouse and the export folders")
    site.add_argument("--months", type=_month_range,
                      help="YYYY-MM[:YYYY-MM] (every exported month)")
    site.set_defaults(func=_cmd_site)

    val = sub.add_parser("validate", help="check a file before sending it (no warehouse needed)")
    val.add_argument("file")
    val.add_argument("--extract", required=True, choices=EXTRACTS)
    val.add_argument("--operator", choices=sorted(OPERATORS))
    val.add_argument("--month", type=_month, help="YYYY-MM")
    val.set_defaults(func=_cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OSError as e:  # a folder that is a file, a disk full...: one line, not a traceback
        print(f"socle {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
