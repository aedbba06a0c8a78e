"""Benchmark the committee site and workbooks at national scale: wall time and size.

    python bench/bench_site.py               # one national month (~480 territories)
    python bench/bench_site.py --months 13   # the site of 13 months (a chart's window)
    python bench/bench_site.py --repeat 3    # each month's workbooks written 3 times: median
    python bench/bench_site.py --months 13 --workers 2   # the site's months in 2 processes

A national month is synthesised on the real geography (bundled reference, latest zoning):
every territory × every catalog indicator × every modality of its breakdowns, as the
exports publish it (counts by territory size, rates, medians; ~20 % of committee cells
secret). The site and the workbooks are then built exactly as a publication does, into a
fresh folder (default `data/bench/site`, git-ignored), deleted unless `--keep`. The load
average is printed before and after (the machine is shared: CPU time says more than wall
time when it is loaded), and the process's peak RSS at the end.
Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

from socle.config import BUNDLED_REFERENCE_DIR
from socle.export.french import BREAKDOWNS_FR
from socle.export.labels import MODALITY_LABELS
from socle.export.site import write_site
from socle.export.tables import catalog
from socle.export.workbook import write_workbooks
from socle.indicators import write_catalog
from socle.reference import load_reference
from socle.warehouse import connect, frame

LEVELS = ("NAT", "REG", "DEP", "BASSIN")


def national_month(territories: pl.DataFrame, indicators: list, month: str,
                   seed: int) -> pl.DataFrame:
    """Every territory × indicator × modality, in export shape, numbers made up."""
    rng = random.Random(seed)
    size = {"NAT": 4_100_000, "REG": 230_000, "DEP": 41_000, "BASSIN": 11_000}
    rows = []
    for level, code, name in territories.select("level", "territory_code",
                                                "territory_name").iter_rows():
        for ind in indicators:
            cells = [("ensemble", "ensemble")] + [
                (BREAKDOWNS_FR.get(b, b), m) for b in ind.breakdowns
                for m in MODALITY_LABELS.get(BREAKDOWNS_FR.get(b, b), {"aucune": ""})]
            for breakdown, modality in cells:
                secret = level == "BASSIN" and breakdown != "ensemble" and rng.random() < 0.2
                if ind.unit == "rate":
                    value = rng.uniform(0.02, 0.9)
                elif ind.unit == "days":
                    value = float(rng.randint(3, 90))
                else:
                    value = float(int(size[level] * rng.uniform(0.005, 0.2)))
                rows.append((month, ind.code, ind.label, level, code, name, breakdown, modality,
                             None if secret else value, "oui" if secret else "non"))
    return pl.DataFrame(rows, orient="row", schema={
        "periode": pl.Utf8, "indicateur": pl.Utf8, "libelle_indicateur": pl.Utf8,
        "niveau": pl.Utf8, "code_territoire": pl.Utf8, "libelle_territoire": pl.Utf8,
        "ventilation": pl.Utf8, "modalite": pl.Utf8, "valeur": pl.Float64, "secret": pl.Utf8,
    }).with_columns(numerateur=pl.col("valeur"), denominateur=pl.lit(None, pl.Float64),
                    unite=pl.lit("x"))


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=1, help="months in the site (1)")
    parser.add_argument("--out", type=Path, default=Path("data/bench/site"))
    parser.add_argument("--keep", action="store_true", help="keep the files written")
    parser.add_argument("--repeat", type=int, default=1,
                        help="write each month's workbooks N times, report the median (1)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes writing the site's months, as SOCLE_EXPORT_WORKERS (1)")
    args = parser.parse_args(argv)
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)

    con = connect(args.out / "reference.duckdb")
    load_reference(con, BUNDLED_REFERENCE_DIR)
    write_catalog(con)
    territories = frame(con, "SELECT * FROM ref.territories")
    latest = frame(con, "SELECT max(zoning_year) AS y FROM ref.bassins")["y"][0]
    zoning = frame(con, "SELECT DISTINCT bassin_code FROM ref.bassins WHERE zoning_year = ?",
                   [latest])["bassin_code"]
    territories = territories.filter((pl.col("level") != "BASSIN")
                                     | pl.col("territory_code").is_in(zoning.implode()))
    indicators = catalog(con)
    nodes = territories.select("level", "territory_code").rows()
    exports = args.out / "exports"
    months = {}
    for i in range(args.months):
        index = 2025 * 12 - args.months + i
        key = f"{index // 12}-{index % 12 + 1:02d}"
        folder = exports / key
        folder.mkdir(parents=True)
        published = national_month(territories, indicators, key, seed=i)
        for level in LEVELS:
            published.filter(pl.col("niveau") == level).write_parquet(
                folder / f"niveau_{level}.parquet")
        runs = []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            written = write_workbooks(published, territories, indicators, nodes,
                                      folder / "territoires",
                                      date(index // 12, index % 12 + 1, 1), "bench")
            runs.append((time.process_time() - cpu, time.perf_counter() - started))
        if args.repeat > 1:
            print(f"{key}: workbooks CPU " + ", ".join(f"{c:.1f}" for c, _ in runs)
                  + " s (wall " + ", ".join(f"{w:.1f}" for _, w in runs) + " s)")
        cpu, took = statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs)
        files = [{"file": f"territoires/{p.name}", "sha256": "", "rows": n} for p, n in written]
        files += [{"file": f"territoires/{p.stem}.csv", "sha256": "", "rows": n}
                  for p, n in written]
        (folder / "manifest.json").write_text(json.dumps({
            "periode": key, "generated_at": "2025-01-09T06:00:00", "code_version": "bench",
            "secret_threshold": 5, "files": files, "source_deliveries": []}), encoding="utf-8")
        months[key] = folder
        median = " (medians)" if args.repeat > 1 else ""
        print(f"{key}: {published.height:,} rows, {len(written)} workbooks in {took:.1f} s "
              f"(CPU {cpu:.1f} s){median}, {size_mb(folder / 'territoires'):.1f} MB", flush=True)

    if args.workers > 1:  # worker processes open the database too: read-only, as published
        con.close()
        con = connect(args.out / "reference.duckdb", read_only=True)
    started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    summary = write_site(con, months, exports / "site", workers=args.workers)
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu + _children_cpu() - children  # workers' CPU included
    pages = summary["territory_pages"]
    used = min(args.workers, len(months)) if len(months) > 1 else 1  # as write_site spreads
    print(f"site: {len(months)} month(s), {used} process(es), {pages} territory "
          f"pages in {took:.1f} s "
          f"(CPU {cpu:.1f} s), "
          f"{summary['bytes'] / 1e6:.1f} MB ({summary['bytes'] / 1e3 / max(pages, 1):.0f} KB "
          "a page, plotly's bundle included once)")
    print("load average: {:.2f} {:.2f} {:.2f}; peak RSS {:,.0f} MiB, of a worker {:,.0f} MiB"
          .format(*os.getloadavg(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
    con.close()
    if not args.keep:
        shutil.rmtree(args.out)
    return 0


def _children_cpu() -> float:
    """CPU seconds of the ended child processes (the site's workers, once they stop)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
