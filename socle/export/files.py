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
from socle.export.french import BREAKDOWNS_FR, MODALITIES_FR, UNITS_FR, decimal_comma, translate
from socle.export.secrecy import DEFAULT_THRESHOLD, apply_secrecy
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
        .sort(["indicateur", "niveau", "code_territoire", "ventilation", "modalite"])
    )


def _write_csv(text: pl.DataFrame, path: Path) -> None:
    """`;`, UTF-8 with BOM: opens cleanly in a French Excel (numbers already as text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text.write_csv(path, separator=";", include_bom=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _territory_files(
    text: pl.DataFrame, territories: pl.DataFrame
) -> Iterator[tuple[tuple[str, str], pl.DataFrame]]:
    """Each territory's rows beside its parents' rows (up to the nation), one frame per
    territory that has rows: for every indicator and modality, the territory first, then
    its département, région and the nation. Built as one join and one sort."""
    parent = {
        (r["level"], r["territory_code"]): (r["parent_level"], r["parent_code"])
        for r in territories.iter_rows(named=True)
    }
    present = sorted(text.select("niveau", "code_territoire").unique().iter_rows())
    links = []
    for file_id, node in enumerate(present):
        rank, cur = 0, node
        while cur is not None and cur[0] is not None:
            links.append((file_id, cur[0], cur[1], rank))
            cur, rank = parent.get(cur), rank + 1
    chain = pl.DataFrame(
        links, orient="row", schema=["_file", "niveau", "code_territoire", "_rank"]
    )
    # Integer sort keys: sorting ~10× the period's rows on strings would dominate.
    cell = pl.struct("indicateur", "ventilation", "modalite").rank("dense").alias("_cell")
    rows = (
        text.with_columns(cell)
        .join(chain, on=["niveau", "code_territoire"])
        .sort(["_file", "_cell", "_rank"])
    )
    for (file_id,), part in rows.partition_by("_file", as_dict=True,
                                              maintain_order=True).items():
        yield present[file_id], part.drop("_file", "_cell", "_rank")


def _source_deliveries(con: duckdb.DuckDBPyConnection, period: date) -> list[dict]:
    """Deliveries the period's figures stand on: the current accepted ones up to the period."""
    try:
        rows = con.execute(
            """SELECT DISTINCT operator, strftime(delivery_month, '%Y-%m') AS month, extract,
                      source_file, sha256, status
               FROM audit.deliveries
               WHERE status <> 'rejected' AND delivery_month <= ?
               ORDER BY ALL""",
            [period],
        ).fetchall()
    except duckdb.CatalogException:
        return []
    keys = ["operator", "month", "extract", "source_file", "sha256", "status"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def export_period(
    con: duckdb.DuckDBPyConnection,
    period: date,
    exports_dir: Path,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict:
    """Write `exports/<YYYY-MM>/` for one period and return its manifest."""
    final = exports_dir / period.strftime("%Y-%m")
    out = final.with_name(final.name + ".tmp")
    shutil.rmtree(out, ignore_errors=True)
    published = _published(con, period, threshold)
    territories = frame(con, "SELECT * FROM ref.territories")
    files: list[dict] = []

    def record(path: Path, rows: int) -> None:
        files.append({"file": str(path.relative_to(out)), "sha256": _sha256(path), "rows": rows})

    # Numbers become French text once, for every CSV file; Parquet keeps them numeric.
    text = published.with_columns([decimal_comma(c) for c in NUMBERS])
    for level in LEVELS:
        csv_path, parquet_path = out / f"niveau_{level}.csv", out / f"niveau_{level}.parquet"
        _write_csv(text.filter(pl.col("niveau") == level), csv_path)
        part = published.filter(pl.col("niveau") == level)
        part.write_parquet(parquet_path)
        record(csv_path, part.height)
        record(parquet_path, part.height)

    for (level, code), part in _territory_files(text, territories):
        path = out / "territoires" / f"{level}_{code}.csv"
        _write_csv(part, path)
        record(path, part.height)

    manifest = {
        "periode": period.strftime("%Y-%m"),
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "code_version": code_version(),
        "secret_threshold": threshold,
        "cells_masked": int(published.filter(pl.col("secret") == "oui").height),
        "files": files,
        "source_deliveries": _source_deliveries(con, period),
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    # Swap in the new folder only once complete: readers never see a half-written period.
    shutil.rmtree(final, ignore_errors=True)
    out.rename(final)
    return manifest
