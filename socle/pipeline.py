"""The pipeline's steps, shared by `socle run` and the Dagster assets.

prepare (reference, catalog, tables) → ingest deliveries → recompute the periods they can
change → export those periods. Each step is idempotent: running it again on the same
landing folder changes nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from socle.config import Paths
from socle.export import export_period
from socle.export.secrecy import DEFAULT_THRESHOLD
from socle.reference import load_reference
from socle.staging import ensure_staging
from socle.warehouse import connect

Progress = Callable[[str], None]


def secrecy_threshold() -> int:
    return int(os.environ.get("SOCLE_SECRET_THRESHOLD", DEFAULT_THRESHOLD))


def prepare(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    """Reference tables, indicator catalog and empty loaded-layer tables."""
    from socle.indicators import write_catalog
    from socle.ingest import ensure_tables

    counts = load_reference(con, paths.reference)
    counts["indicators"] = write_catalog(con)
    ensure_tables(con)
    return counts


def ensure_prepared(con: duckdb.DuckDBPyConnection, paths: Paths) -> None:
    """Prepare a warehouse that never was (a sensor may launch an ingestion before anyone
    materialized the reference); an existing reference is left as it is."""
    if not _has_table(con, "ref", "territories") or not _has_table(con, "ref", "indicators"):
        prepare(con, paths)


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Paths,
    months: set[date] | None = None,
    operators: set[str] | None = None,
    progress: Progress = print,
) -> list:
    """Ingest the landing folder's deliveries (optionally one slice of it)."""
    from socle.ingest import ingest_landing, pseudonymisation_key

    return ingest_landing(
        con, paths.landing, months=months, operators=operators, key=pseudonymisation_key(),
        progress=progress,
    )


def stale_periods(
    con: duckdb.DuckDBPyConnection, changed: Iterable[tuple[str, date]]
) -> list[date]:
    """Periods to recompute: those the changed (extract, month) deliveries can affect, and
    those never computed yet."""
    from socle.indicators import affected_periods, available_periods

    computed = {
        r[0] for r in con.execute(
            "SELECT DISTINCT period FROM indicators.indicator_values"
        ).fetchall()
    } if _has_table(con, "indicators", "indicator_values") else set()
    affected = set(affected_periods(con, changed))
    return sorted(affected | (set(available_periods(con)) - computed))


def compute(
    con: duckdb.DuckDBPyConnection, periods: list[date], progress: Progress = print
) -> int:
    """Recompute every indicator of the loaded months among `periods`; returns rows written.

    A month without any delivery is skipped: its stocks would only echo earlier months.
    """
    from socle.indicators import compute_indicators

    periods = _loaded_among(con, periods, progress)
    return compute_indicators(con, periods, progress=progress) if periods else 0


def _loaded_among(
    con: duckdb.DuckDBPyConnection, periods: list[date], progress: Progress
) -> list[date]:
    """The months of `periods` with a delivery loaded; the others are reported skipped."""
    from socle.indicators import available_periods

    ensure_staging(con)
    loaded = set(available_periods(con))
    skipped = sorted(set(periods) - loaded)
    if skipped:
        progress(f"no delivery loaded for {', '.join(f'{p:%Y-%m}' for p in skipped)}: skipped")
    return sorted(set(periods) & loaded)


def export(
    con: duckdb.DuckDBPyConnection, paths: Paths, periods: list[date], progress: Progress = print
) -> list[Path]:
    """Rewrite the export folders of the loaded months among `periods` from the warehouse
    (a month without any delivery has no figures to publish: skipped, as when computing)."""
    from socle.indicators.engine import OUTPUT_DDL

    # Exporting before any computation publishes empty figures rather than failing.
    ensure_prepared(con, paths)
    con.execute(OUTPUT_DDL)
    folders = []
    for period in _loaded_among(con, periods, progress):
        export_period(con, period, paths.exports, secrecy_threshold())
        folders.append(paths.exports / period.strftime("%Y-%m"))
        progress(f"exported {period:%Y-%m}")
    return folders


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchone()[0] > 0


@dataclass
class RunSummary:
    """What a run did, for the terminal."""

    warehouse: Path
    exports: Path
    deliveries: list = field(default_factory=list)
    periods: list[date] = field(default_factory=list)

    @property
    def rejected(self) -> list:
        return [d for d in self.deliveries if d.status == "rejected"]

    @property
    def ok(self) -> bool:
        return not self.rejected

    def render(self) -> str:
        # A misnamed file is reported like a rejected delivery but is none: counted apart.
        deliveries = [d for d in self.deliveries if not d.source]
        misnamed = len(self.deliveries) - len(deliveries)
        status = Counter(d.status for d in deliveries)
        lines = [
            f"deliveries: {len(deliveries)} "
            + ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
            + (f"; misnamed files: {misnamed}" if misnamed else ""),
        ]
        for d in self.rejected:
            lines.append(f"  REJECTED {d.describe()}")
        if self.periods:
            lines.append(
                f"indicators computed for {len(self.periods)} month(s): "
                f"{self.periods[0]:%Y-%m} … {self.periods[-1]:%Y-%m}"
            )
        else:
            lines.append("indicators: nothing to recompute")
        lines.append(f"warehouse: {self.warehouse}")
        lines.append(f"exports:   {self.exports}")
        return "\n".join(lines)


def run_pipeline(
    paths: Paths, months: set[date] | None = None, progress: Progress = print
) -> RunSummary:
    """Everything the landing folder holds (or the given months of it), end to end."""
    con = connect(paths.warehouse)
    try:
        prepare(con, paths)
        results = ingest(con, paths, months=months, progress=progress)
        changed = {(r.extract, r.month) for r in results if r.changed}
        periods = stale_periods(con, changed)
        compute(con, periods, progress)
        export(con, paths, periods, progress)
    finally:
        con.close()
    return RunSummary(paths.warehouse, paths.exports, results, periods)
