"""Benchmark `socle generate`: wall time and peak memory at a given scale.

    python bench/bench_generate.py                     # national: 6M persons, 2024-01:2024-12
    python bench/bench_generate.py --persons 1000000 --months 2024-01:2024-06

The output goes to a fresh folder (default `data/bench/generate`, git-ignored) and is
deleted afterwards unless `--keep` is given. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import time
from pathlib import Path

from socle.generate import generate_landing


def peak_rss_mb() -> float:
    """Peak resident set size of this process and its children (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=6_000_000)
    parser.add_argument("--months", default="2024-01:2024-12")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("data/bench/generate"))
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)

    first, last = args.months.split(":")
    if args.out.exists():
        shutil.rmtree(args.out)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    try:
        summary = generate_landing(args.out, args.persons, (first, last), seed=args.seed,
                                   faults=args.faults, progress=progress)
        wall = time.perf_counter() - started
        rows = sum(summary["rows"].values())
        print(f"persons={args.persons:,} months={len(summary['months'])} "
              f"files={summary['files']:,} rows={rows:,} size={summary['bytes'] / 1e9:.2f} GB")
        print(f"wall time: {wall:.1f} s  peak RSS: {peak_rss_mb():,.0f} MB")
    finally:
        if not args.keep and args.out.exists():
            shutil.rmtree(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
