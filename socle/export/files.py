"""Write one period's export folder: per-level files, per-territory files, manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import duckdb
import polars as pl

from socle.config import PROJECT_ROOT
from socle.coverage import coverage_summary
from socle.export.french import BREAKDOWNS_FR, MODALITIES_FR, UNITS_FR, decimal_comma, translate
from socle.export.labels import people_order
from socle.export.secrecy import apply_secrecy
from socle.export.tables import catalog
from socle.export.workbook import write_workbooks
from socle.reference import zoning_year
from socle.settings import DEFAULT_SECRET_THRESHOLD
from socle.warehouse import frame

LEVELS = ("NAT", "REG", "DEP", "BASSIN")
COLUMNS = [
    "periode", "indicateur", "libelle_indicateur", "niveau", "code_territoire",
    "libelle_territoire", "ventilation", "modalite", "numerateur", "denominateur", "valeur",
    "unite", "secret",
]
NUMBERS = ["numerateur", "denominateur", "valeur"]


@lru_cache(maxsize=1)
def code_version() -> str:
    """Package version, plus the git commit when run from a checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
            text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{version('socle')}+{commit}" if commit else version("socle")


def _published(con: duckdb.DuckDBPyConnection, period: date, threshold: int) -> pl.DataFrame:
    """The period's values in export shape, masked cells emptied."""
    values = frame(con, "SELECT * FROM indicators.indicator_values WHERE period = ?", [period])
    territories = frame(con, "SELECT * FROM ref.territories")
    labels = frame(con, "SELECT code AS indicator_code, label_fr FROM ref.indicators")
    masked = apply_secrecy(values, territories, threshold)
    hide = pl.col("masked")
    return (
        masked.join(labels, on="indicator_code", how="left")
        .join(
            territories.select("level", "territory_code", "territory_name"),
            on=["level", "territory_code"], how="left",
        )
        .select(
            pl.col("period").dt.strftime("%Y-%m").alias("periode"),
            pl.col("indicator_code").alias("indicateur"),
            pl.col("label_fr").alias("libelle_indicateur"),
            pl.col("level").alias("niveau"),
            pl.col("territory_code").alias("code_territoire"),
            pl.col("territory_name").alias("libelle_territoire"),
            translate("breakdown", BREAKDOWNS_FR).alias("ventilation"),
            translate("breakdown_value", MODALITIES_FR).alias("modalite"),
            pl.when(~hide).then(pl.col("numerator")).cast(pl.Float64).alias("numerateur"),
            pl.when(~hide).then(pl.col("denominator")).cast(pl.Float64).alias("denominateur"),
            pl.when(~hide).then(pl.col("value")).cast(pl.Float64).alias("valeur"),
            translate("unit", UNITS_FR).alias("unite"),
            pl.when(hide).then(pl.lit("oui")).otherwise(pl.lit("non")).alias("secret"),
        )
    ).pipe(people_order, then=["niveau", "code_territoire"])


def _write_csv(text: pl.DataFrame, path: Path) -> None:
    """`;`, UTF-8 with BOM: opens cleanly in a French Excel (numbers already as text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text.write_csv(path, separator=";", include_bom=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _period_territories(con: duckdb.DuckDBPyConnection, period: date) -> pl.DataFrame:
    """Territories publishable for the period: the nation, régions, départements and the
    committees of the period's zoning (as the indicators use it), each with its parent.

    `ref.territories` holds the committees of every zoning year; a committee dropped from
    the period's zoning gets no file (unless it has rows, see `_territory_files`)."""
    territories = frame(con, "SELECT * FROM ref.territories")
    years = [r[0] for r in con.execute(
        "SELECT DISTINCT zoning_year FROM ref.bassins ORDER BY 1").fetchall()]
    if not years:
        return territories
    committees = frame(
        con, "SELECT DISTINCT bassin_code AS territory_code FROM ref.bassins "
        "WHERE zoning_year = ?", [zoning_year(years, period.year)],
    )
    in_zoning = (pl.col("level") != "BASSIN") | pl.col("territory_code").is_in(
        committees["territory_code"].implode())
    return territories.filter(in_zoning)


def _territory_files(
    text: pl.DataFrame, territories: pl.DataFrame, zoning: pl.DataFrame
) -> Iterator[tuple[tuple[str, str], pl.DataFrame]]:
    """Each territory's rows beside its parents' rows (up to the nation), one frame per
    territory of the period's zoning, and per other territory that has rows: for every
    indicator and modality, the territory first, then its département, région and the
    nation. A territory without rows of its own still gets its parents' rows (an empty
    frame, headers only, when nobody has any): a committee looks for its file every month.
    Built as one join and one sort."""
    parent = {
        (r["level"], r["territory_code"]): (r["parent_level"], r["parent_code"])
        for r in territories.iter_rows(named=True)
    }
    present = set(text.select("niveau", "code_territoire").unique().iter_rows())
    present |= set(zoning.select("level", "territory_code").iter_rows())
    nodes = sorted(present)
    links = []
    cur: tuple | None
    for file_id, node in enumerate(nodes):
        rank, cur = 0, node
        while cur is not None and cur[0] is not None:
            links.append((file_id, cur[0], cur[1], rank))
            cur, rank = parent.get(cur), rank + 1
    # Typed: with no link at all (no territory) an untyped frame would not join.
    chain = pl.DataFrame(
        links, orient="row",
        schema={"_file": pl.Int64, "niveau": pl.Utf8, "code_territoire": pl.Utf8,
                "_rank": pl.Int64},
    )
    # Integer sort keys: sorting ~10× the period's rows on strings would dominate. A cell's
    # key is its first row: `text` is in reading order (`people_order`), cells first.
    cell = pl.col("_cell").min().over("indicateur", "ventilation", "modalite")
    rows = (
        text.with_row_index("_cell").with_columns(cell)
        .join(chain, on=["niveau", "code_territoire"])
        .sort(["_file", "_cell", "_rank"])
    )
    parts = {
        file_id: part.drop("_file", "_cell", "_rank")
        for (file_id,), part in rows.partition_by("_file", as_dict=True,
                                                  maintain_order=True).items()
    }
    for file_id, node in enumerate(nodes):
        yield node, parts.get(file_id, text.clear())


def source_deliveries(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Deliveries the period's figures stand on: the current version (latest accepted or
    partial attempt, as in `socle.ingest.audit`) of every slice the warehouse holds.

    Every loaded month, not only those up to the period: month M's figures also read later
    snapshots (a spell begun in M may be delivered or corrected afterwards). A replaced or
    rejected attempt is left out: its rows are no longer in staging."""
    try:
        rows = con.execute(
            """WITH current AS (
                   SELECT operator, delivery_month, extract, max(loaded_at) AS loaded_at
                   FROM audit.deliveries WHERE status IN ('accepted', 'partial')
                   GROUP BY ALL
               )
               SELECT operator, strftime(delivery_month, '%Y-%m') AS month, extract,
                      source_file, sha256, status
               FROM audit.deliveries
               JOIN current USING (operator, delivery_month, extract, loaded_at)
               ORDER BY ALL"""
        ).fetchall()
    except duckdb.CatalogException:
        return []
    keys = ["operator", "month", "extract", "source_file", "sha256", "status"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def export_digest(con: duckdb.DuckDBPyConnection, period: date, threshold: int) -> str:
    """A digest of everything a month's files are made from but the list of deliveries:
    its values, the territories and catalog, the secrecy threshold, the code version and
    the month's delivery coverage. Equal digests, equal files: the month is not rewritten."""
    parts = [str(threshold), code_version(),
             json.dumps(coverage_summary(con, period), sort_keys=True, ensure_ascii=False)]
    for query, params in (
        ("SELECT * FROM indicators.indicator_values WHERE period = ?", [period]),
        ("SELECT * FROM ref.territories", []),
        ("SELECT * FROM ref.indicators", []),
        ("SELECT DISTINCT zoning_year, bassin_code FROM ref.bassins", []),
    ):
        # Order-free: a count and a sum of 64-bit row hashes, no sort of the month's rows.
        parts.append(str(con.execute(
            f"SELECT count(*), sum(hash(t)::HUGEINT) FROM ({query}) t", params).fetchall()))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def write_period_folder(
    con: duckdb.DuckDBPyConnection, period: date, out: Path, threshold: int
) -> dict:
    """Write every file of the period into `out` (a fresh folder); returns the manifest."""
    published = _published(con, period, threshold)
    territories = frame(con, "SELECT * FROM ref.territories")
    files: list[dict] = []

    def record(path: Path, rows: int) -> None:
        files.append({"file": str(path.relative_to(out)), "sha256": _sha256(path), "rows": rows})

    out.mkdir(parents=True)
    # Numbers become French text once, for every CSV file; Parquet keeps them numeric.
    text = published.with_columns([decimal_comma(c) for c in NUMBERS])
    for level in LEVELS:
        csv_path, parquet_path = out / f"niveau_{level}.csv", out / f"niveau_{level}.parquet"
        _write_csv(text.filter(pl.col("niveau") == level), csv_path)
        part = published.filter(pl.col("niveau") == level)
        part.write_parquet(parquet_path)
        record(csv_path, part.height)
        record(parquet_path, part.height)

    zoning = _period_territories(con, period)
    nodes = []
    for (level, code), part in _territory_files(text, territories, zoning):
        path = out / "territoires" / f"{level}_{code}.csv"
        _write_csv(part, path)
        record(path, part.height)
        nodes.append((level, code))
    coverage = coverage_summary(con, period)
    for path, rows in write_workbooks(published, territories, catalog(con), nodes,
                                      out / "territoires", period, code_version(), coverage):
        record(path, rows)

    manifest = {
        "periode": period.strftime("%Y-%m"),
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "digest": export_digest(con, period, threshold),
        "code_version": code_version(),
        "secret_threshold": threshold,
        "cells_masked": int(published.filter(pl.col("secret") == "oui").height),
        "files": files,
        "source_deliveries": source_deliveries(con),
        "couverture": coverage,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return manifest


def swap_in(new: Path, final: Path) -> None:
    """Replace `final` by the complete folder `new`: the old folder is renamed aside, the new
    one renamed in, and only then is the old one deleted. A reader sees the complete old
    folder or the complete new one (nothing only between the two renames), never a folder
    being deleted file by file. On error the old folder is put back."""
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)  # left by an earlier run killed mid-swap
    had_old = final.exists()
    if had_old:
        final.rename(old)
    try:
        new.rename(final)
    except BaseException:
        if had_old and not final.exists():
            old.rename(final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def export_period(
    con: duckdb.DuckDBPyConnection,
    period: date,
    exports_dir: Path,
    threshold: int = DEFAULT_SECRET_THRESHOLD,
) -> dict:
    """Write `exports/<YYYY-MM>/` for one period and return its manifest.

    The folder is written beside (`<YYYY-MM>.tmp`) and swapped in once complete; a failed
    export leaves the previous folder as it was and no `.tmp` behind."""
    final = exports_dir / period.strftime("%Y-%m")
    out = final.with_name(final.name + ".tmp")
    shutil.rmtree(out, ignore_errors=True)
    try:
        manifest = write_period_folder(con, period, out, threshold)
        swap_in(out, final)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return manifest
