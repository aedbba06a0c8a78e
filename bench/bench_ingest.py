"""Ingestion benchmark: national-scale registrations as a Windows-1252 `;` CSV, end to end.

    .venv/bin/python bench/bench_ingest.py --rows 10_000_000 [--dir data/bench]

Builds the file (vectorised, in 1M-row pieces; dd/mm/yyyy dates, O/N booleans, a free-text
column with ’ œ €), then times discover → read → validate → load into a DuckDB file, and
reports rows/s and the peak resident memory of the process. Then a floor, in the same run:
DuckDB alone loading the file's UTF-8 form (transcoded beforehand, not timed) into a table
of a fresh database file, every column as text, no validation.

Figures, and where the time goes: docs/performance.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

from socle.config import BUNDLED_REFERENCE_DIR
from socle.ingest import accounting_errors, discover_deliveries, ingest_delivery
from socle.ingest.read import decode
from socle.ingest.samples import sample_rows
from socle.reference import load_reference
from socle.staging import ensure_staging
from socle.warehouse import connect

MONTH = date(2024, 3, 1)
PIECE = 1_000_000


def build(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for start in range(0, rows, PIECE):
            n = min(PIECE, rows - start)
            df = sample_rows("registrations", n, MONTH, seed=start, date_style="fr",
                             bool_style="fr", prefix=f"{start // PIECE}-")
            df = df.with_columns(commentaire=pl.lit("suivi d’un cœur de métier – 5 €"))
            text = df.write_csv(separator=";", include_header=start == 0)
            f.write(text.encode("cp1252"))


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=2_000_000)
    ap.add_argument("--dir", type=Path, default=Path("data/bench"))
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    landing = args.dir / "landing"
    path = landing / "FT" / f"{MONTH:%Y-%m}" / "registrations.csv"
    if args.build_only:
        build(path, args.rows)
        return
    if not path.exists() or path.stat().st_size < args.rows * 100:
        # In a child process, so the peak memory reported is the ingestion's alone.
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--dir",
                        str(args.dir), "--build-only"], check=True)
        print(f"built {args.rows:,} rows, {path.stat().st_size / 1e9:.2f} GB "
              f"in {time.perf_counter() - t:.1f}s")
    db = args.dir / "bench.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    con = connect(db)
    load_reference(con, BUNDLED_REFERENCE_DIR)
    ensure_staging(con)
    rss0 = peak_rss_mb()
    [delivery] = discover_deliveries(landing)
    t = time.perf_counter()
    result = ingest_delivery(con, delivery, key=None)
    seconds = time.perf_counter() - t
    print(result.describe())
    rate = result.rows_read / seconds
    print(f"{result.rows_read:,} rows in {seconds:.1f}s = {rate:,.0f} rows/s;"
          f" peak RSS {peak_rss_mb():,.0f} MB (before ingestion {rss0:,.0f} MB)")
    assert accounting_errors(con) == []
    con.close()
    rows, floor_seconds = floor(path, args.dir)
    print(f"floor: DuckDB read_csv of the UTF-8 form into a persistent table, every column as "
          f"text, no validation: {rows:,} rows in {floor_seconds:.1f}s = "
          f"{rows / floor_seconds:,.0f} rows/s; ingestion at {rate * floor_seconds / rows:.0%}"
          " of it")


def floor(path: Path, folder: Path) -> tuple[int, float]:
    """Rows and seconds of DuckDB alone loading the file (transcoded first, not timed) into a
    table of a fresh database file, with the warehouse's connection settings."""
    utf8 = folder / "floor.csv"
    with open(path, "rb") as src, open(utf8, "wb") as dst:
        for block in iter(lambda: src.read(16 << 20), b""):
            dst.write(decode(block)[0])  # Windows-1252: one byte a character, cut anywhere
    db = folder / "floor.duckdb"
    for p in (db, db.with_suffix(".duckdb.wal")):
        p.unlink(missing_ok=True)
    con = connect(db)
    t = time.perf_counter()
    con.execute(f"CREATE TABLE floor AS SELECT * FROM read_csv('{utf8}', delim=';', "
                "header=true, all_varchar=true)")
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t
    [(rows,)] = con.execute("SELECT count(*) FROM floor").fetchall()
    con.close()
    utf8.unlink()
    db.unlink()
    return rows, seconds


if __name__ == "__main__":
    main()
