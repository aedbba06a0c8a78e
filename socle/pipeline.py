"""The pipeline's steps, shared by `socle run` and the Dagster assets.

prepare (reference, catalog, tables) → ingest deliveries → recompute the periods they can
change → publish (snapshot and exports of those periods, after checks). Every step but
publication works in the private working database. Each step is idempotent, and each
records its progress in the transaction that makes it, so that a run killed anywhere is
completed by the next one.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from socle.config import Paths
from socle.progress import Timings
from socle.publish import Publication, publish
from socle.publish.state import changes_since_computed, mark_computed
from socle.reference import load_reference
from socle.settings import Settings
from socle.staging import ensure_staging
from socle.warehouse import connect, scalar

Progress = Callable[[str], object]


def prepare(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict[str, int]:
    """Reference tables, indicator catalog and empty loaded-layer tables."""
    from socle.indicators import write_catalog

    counts = load_reference(con, paths.reference)
    counts["indicators"] = write_catalog(con)
    ensure_staging(con)
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
    from socle.ingest import ingest_landing

    return ingest_landing(
        con, paths.landing, months=months, operators=operators,
        key=Settings.from_env().pseudonymisation_key, progress=progress,
    )


def compute(
    con: duckdb.DuckDBPyConnection, periods: Iterable[date] = (), progress: Progress = print
) -> list[date]:
    """Recompute the loaded months among `periods` (whole), what the deliveries loaded since
    the last computation can change (`affected_work`: each indicator in the months it can
    move), months never computed and indicators newly computable; returns the months
    computed.

    A month without any delivery is skipped: its stocks would only echo earlier months.
    """
    from socle.indicators import affected_work, compute_batches
    from socle.indicators.affected import batches

    ensure_staging(con)
    changes, through = changes_since_computed(con)
    work = affected_work(con, changes) | dict.fromkeys(periods)
    todo = _loaded_among(con, sorted(work), progress)
    compute_batches(con, batches({p: work[p] for p in todo}), progress=progress)
    # After the values' own transaction: killed in between, the next run computes again.
    mark_computed(con, todo, through)
    return todo


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


def release(
    con: duckdb.DuckDBPyConnection, paths: Paths, periods: Iterable[date] = (),
    progress: Progress = print, with_site: bool = True,
) -> Publication:
    """Publish the snapshot and the exports of `periods` and of every month computed since
    its last publication (with the site, unless `with_site` is false); raises
    `PublicationRefused` when a check fails."""
    from socle.indicators import available_periods
    from socle.indicators.engine import OUTPUT_DDL

    ensure_prepared(con, paths)
    con.execute(OUTPUT_DDL)  # published even before any computation: empty, not missing
    return publish(con, paths, available_periods(con), periods, progress, with_site)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = ?", [schema, table]) > 0


@dataclass
class RunSummary:
    """What a run did, for the terminal."""

    warehouse: Path
    exports: Path
    deliveries: list = field(default_factory=list)
    periods: list[date] = field(default_factory=list)
    publication: Publication | None = None
    timings: Timings | None = None

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
        if self.publication is not None:
            lines.append(self.publication.render())
        lines.append(f"warehouse: {self.warehouse} (published snapshot, read-only)")
        lines.append(f"exports:   {self.exports}")
        if self.timings is not None:
            lines.append(self.timings.render())
        return "\n".join(lines)


def run_pipeline(
    paths: Paths, months: set[date] | None = None, progress: Progress = print
) -> RunSummary:
    """Everything the landing folder holds (or the given months of it), end to end.

    Raises `PublicationRefused` when a check on what would be published fails: what was
    published before stays as it was."""
    adopt_legacy_warehouse(paths)
    timings = Timings()
    con = connect(paths.working)
    try:
        with timings.step("reference", progress):
            prepare(con, paths)
        with timings.step("ingestion", progress):
            results = ingest(con, paths, months=months, progress=progress)
        with timings.step("indicators", progress):
            periods = compute(con, progress=progress)
        with timings.step("publication", progress):
            publication = release(con, paths, periods, progress)
    finally:
        con.close()
    return RunSummary(paths.warehouse, paths.exports, results, periods, publication, timings)


def adopt_legacy_warehouse(paths: Paths) -> None:
    """An installation from before the two databases kept everything in the warehouse
    file: it becomes the working database (the next publication replaces the warehouse)."""
    if paths.working.exists() or not paths.warehouse.exists():
        return
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        legacy = _has_table(con, "staging", "registrations")
    finally:
        con.close()
    if legacy:
        paths.working.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(paths.warehouse, paths.working)
