"""What comparing a snapshot delivery with the versions it replaces costs at ingestion
(`socle.indicators.affected.changes_from`), on the national-like year of
bench_indicators.py: the FT registrations of December taken out of staging, then given
back as a new delivery of December, as when the twelfth month arrives.

Usage: python bench/bench_changes.py [--persons 6000000] [--db PATH] [--memory 3GB]
       [--repeat 3]

Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_indicators import _connect, build  # noqa: E402

DECEMBER = date(2024, 12, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=6_000_000)
    ap.add_argument("--db", default=None, help="reuse/build this warehouse file")
    ap.add_argument("--memory", default="3GB")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    db = args.db or str(Path(tempfile.mkdtemp(prefix="socle_bench_")) / "bench.duckdb")
    if not Path(db).exists():
        t0 = time.perf_counter()
        build(db, args.persons, args.memory)
        print(f"built {db} in {time.perf_counter() - t0:.0f} s")
    from socle.indicators.affected import changes_from
    from socle.indicators.engine import OUTPUT_DDL

    con = _connect(db, args.memory)
    total = con.execute("SELECT count(*) FROM staging.registrations").fetchone()[0]
    con.execute("CREATE OR REPLACE TEMP TABLE _new AS FROM staging.registrations "
                "WHERE operator = 'FT' AND delivery_month = ?", [DECEMBER])
    new = con.execute("SELECT count(*) FROM _new").fetchone()[0]
    con.execute("BEGIN")  # rolled back: the database stays as built
    con.execute("DELETE FROM staging.registrations WHERE operator = 'FT' "
                "AND delivery_month = ?", [DECEMBER])
    # Months with values, as when the twelfth month arrives: without any, nothing would be
    # compared (every month is computed whole then).
    con.execute(OUTPUT_DDL)
    con.execute("INSERT INTO indicators.indicator_values SELECT ?, 'CAP_REGISTERED', 'NAT', "
                "'FR', 'total', 'total', 1, NULL, 1, 'persons' WHERE NOT EXISTS "
                "(FROM indicators.indicator_values)", [date(2024, 11, 1)])
    runs, earliest = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        earliest = changes_from(con, "registrations", "FT", DECEMBER, "FROM _new")
        runs.append(time.perf_counter() - t0)
    con.execute("ROLLBACK")
    con.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if earliest == date(1, 1, 1):
        sys.exit("changes_from answered 'unknown': nothing was compared")
    print(f"registrations in staging: {total:,}; FT December delivery: {new:,} rows; "
          f"changes from {earliest}")
    print(f"changes_from: {statistics.median(runs):.2f} s median of "
          f"{', '.join(f'{r:.2f}' for r in runs)}; peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
