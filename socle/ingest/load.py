"""Load a validated delivery: replace its (operator, month, extract) slice of `staging` and
`quarantine` with its pending rows, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

import schemas
from schemas._base import DeliveryContext
from socle.indicators.affected import changes_from
from socle.ingest import audit
from socle.ingest.communes import Lookups
from socle.ingest.discover import (
    Delivery,
    Misnamed,
    discover_deliveries,
    misnamed_files,
)
from socle.ingest.errors import Rejected
from socle.ingest.hashes import FileHashes
from socle.ingest.pending import (
    PendingDelivery,
    drop_temp_tables,
    quarantine_rows,
    validate_delivery,
)
from socle.progress import rate
from socle.staging import ensure_staging
from socle.warehouse import transaction


@dataclass
class FileResult:
    source_file: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    message: str = ""

    def as_audit(self) -> dict:
        return self.__dict__


@dataclass
class DeliveryResult:
    """What happened to one delivery. `status`: accepted, partial, rejected or unchanged
    (identical to the slice's current version: nothing written, not even an audit row)."""

    operator: str
    month: date | None  # None only for a misnamed file whose month folder tells none
    extract: str | None  # None only for a misnamed file whose name tells none
    status: str
    files: list[FileResult] = field(default_factory=list)
    message: str = ""
    rule: str | None = None  # the rejection rule
    reason_counts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    seconds: float = 0.0
    repeated: bool = False  # rejected before with the very same files: not re-read
    source: str = ""  # the file, when the result is one misnamed file rather than a delivery

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rows_duplicate(self) -> int:
        return sum(f.rows_duplicate for f in self.files)

    @property
    def changed(self) -> bool:
        """True when the loaded tables changed (accepted or partial)."""
        return self.status in ("accepted", "partial")

    def describe(self) -> str:
        where = self.source or f"{self.operator}/{self.month:%Y-%m}/{self.extract}"
        head = f"{where}: {self.status}"
        if self.status == "rejected":
            again = " (same files as the last rejected attempt)" if self.repeated else ""
            return f"{head}{again}: {self.message}"
        if self.status == "unchanged":
            return f"{head} (same files as the current version)"
        return (f"{head}: {self.rows_read} read, {self.rows_loaded} loaded, "
                f"{self.rows_quarantined} quarantined, {self.rows_duplicate} duplicate"
                + (f"; {self.message}" if self.message else ""))


def ingest_delivery(
    con: duckdb.DuckDBPyConnection,
    delivery: Delivery,
    *,
    key: bytes | None,
    lookups: Lookups | None = None,
    force: bool = False,
    current: dict[tuple[str, date, str], dict[str, str]] | None = None,
    rejections: dict[tuple[str, date, str], tuple[dict[str, str], str]] | None = None,
    file_hashes: FileHashes | None = None,
) -> DeliveryResult:
    """Validate and load one delivery atomically; a rejection leaves the slice untouched.

    Same files as the slice's current version (sha256 set) → `unchanged`, nothing written,
    unless `force`. Same files as the slice's latest attempt that was rejected → `rejected`
    again with its message, `repeated`, nothing re-read nor re-audited. `current` and
    `rejections`: what `audit.all_current_hashes` and `audit.latest_rejections` return, when
    the caller already has them, to spare queries per delivery; `file_hashes`, the hashes of
    files known unchanged since they were read.
    """
    t0 = time.perf_counter()
    op, month, extract = delivery.operator, delivery.month, delivery.extract
    files = delivery.named_files()
    # Hashed in a background thread (hashlib releases the interpreter lock): awaited at once
    # when the slice has a version or a rejection to compare with, else while reading.
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="socle-sha256")
    known = file_hashes or FileHashes()
    hashed = hashing.submit(lambda: {name: _sha256_or_empty(known, p) for p, name in files})
    hashing.shutdown(wait=False)
    result = DeliveryResult(op, month, extract, "rejected")
    if not force:
        previous = (current.get(delivery.key) if current is not None
                    else audit.current_hashes(con, op, month, extract))
        if previous is not None and previous == hashed.result():
            result.status = "unchanged"
            return result
        before = (rejections.get(delivery.key) if rejections is not None
                  else audit.latest_rejections(con, operator=op, month=month,
                                               extract=extract).get(delivery.key))
        if before is not None and before[0] == hashed.result():
            result.message = before[1].removeprefix(audit.REJECTED)
            result.repeated = True
            return result
    # UTC, naive like the TIMESTAMP column: the order of attempts and the recompute sensor's
    # cursor must not jump when the clock changes (summer time) or the server's zone differs.
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    ctx = DeliveryContext(op, month)
    try:
        validated = validate_delivery(con, files, extract, ctx,
                                      lookups=lookups or Lookups.from_warehouse(con), key=key)
    except Rejected as e:
        drop_temp_tables(con)
        hashes = hashed.result()
        result.message, result.rule = e.message, e.rule
        prefix = audit.REJECTED_RETRY if e.environment else audit.REJECTED
        for _path, name in files:
            fr = FileResult(name, hashes[name], message=f"{prefix}{e.message}")
            result.files.append(fr)
        if result.files:  # rows read where readable: on the first file, to keep the sum
            result.files[0].rows_read = e.rows_read
        audit.record(con, operator=op, month=month, extract=extract,
                     files=[f.as_audit() for f in result.files], status="rejected",
                     loaded_at=loaded_at, retry=e.environment)
        result.seconds = time.perf_counter() - t0
        return result
    nothing = validated.nothing_loads_message()
    if nothing is not None:
        _reject_unloadable(con, delivery, result, validated, nothing, hashed.result(),
                           loaded_at)
        result.seconds = time.perf_counter() - t0
        return result
    try:
        hashes = hashed.result()
        counts = validated.counts
        result.reason_counts = validated.reason_counts
        result.notes, sentences = validated.notes()
        result.message = "; ".join(sentences)
        result.status = "partial" if any(c["rows_quarantined"] for c in counts.values()) \
            else "accepted"
        for sf in validated.files:
            c = counts.get(sf.source_file, {})
            msg = result.message
            if c.get("rows_quarantined"):
                msg = "; ".join(x for x in (f"{c['rows_quarantined']} rows quarantined", msg) if x)
            result.files.append(FileResult(sf.source_file, hashes[sf.source_file], **c,
                                           message=msg))
        with transaction(con):
            changes = replace_slice(
                con, delivery, loaded_at,
                quarantined=any(c["rows_quarantined"] for c in counts.values()),
                all_loaded=all(c["rows_loaded"] == c["rows_read"] for c in counts.values()))
            audit.record(con, operator=op, month=month, extract=extract,
                         files=[f.as_audit() for f in result.files], status=result.status,
                         loaded_at=loaded_at, changes_from=changes)
    finally:
        drop_temp_tables(con)
    result.seconds = time.perf_counter() - t0
    return result


def _sha256_or_empty(hashes: FileHashes, path: Path) -> str:
    """The file's sha256, or "" when it cannot be read (removed meanwhile, no permission):
    reading it then fails too, and that rejection names the file instead of stopping the
    whole run."""
    try:
        return hashes.sha256(path)
    except OSError:
        return ""


def _reject_unloadable(
    con: duckdb.DuckDBPyConnection, delivery: Delivery, result: DeliveryResult,
    validated: PendingDelivery, why: str, hashes: dict[str, str], loaded_at: datetime,
) -> None:
    """Reject a delivery of which no row would load; nothing loaded, the slice keeps its
    current version. As for any rejected delivery (CONTRACT §5), the audit rows count the
    rows read and nothing else; the message gives the reasons and their counts."""
    try:
        result.rule, result.message = "nothing_loaded", why
        result.reason_counts = validated.reason_counts
        for sf in validated.files:
            read = validated.counts.get(sf.source_file, {}).get("rows_read", 0)
            result.files.append(FileResult(sf.source_file, hashes[sf.source_file],
                                           rows_read=read, message=f"{audit.REJECTED}{why}"))
        audit.record(con, operator=delivery.operator, month=delivery.month,
                     extract=delivery.extract, files=[f.as_audit() for f in result.files],
                     status="rejected", loaded_at=loaded_at)
    finally:
        drop_temp_tables(con)


def replace_slice(
    con: duckdb.DuckDBPyConnection, delivery: Delivery, loaded_at: datetime, *,
    quarantined: bool = True,
    all_loaded: bool = False,
) -> date | None:
    """Delete the slice from staging and quarantine, insert the pending rows (inside a txn);
    returns the earliest date the replacement changes (`affected.changes_from`; unknown,
    0001-01-01, while no month has values).

    `quarantined=False` (no row to quarantine) spares the quarantine INSERT, `all_loaded`
    (no row quarantined nor dropped as a duplicate) the anti-join of the staging INSERT.
    """
    extract = delivery.extract
    cols = list(schemas.column_types(extract))
    slice_params = [delivery.operator, delivery.month]
    col_list = ", ".join(f't."{c}"' for c in cols)
    loaded = f'FROM _in_typed t {"" if all_loaded else "ANTI JOIN _in_fate f USING (rid)"}'
    changes = changes_from(con, extract, delivery.operator, delivery.month,
                           f"SELECT {col_list} {loaded}")
    for schema in ("staging", "quarantine"):
        con.execute(f"DELETE FROM {schema}.{extract} WHERE operator = ? AND delivery_month = ?",
                    slice_params)
    con.execute(
        f"""
        INSERT INTO staging.{extract} BY NAME
        SELECT {col_list}, ?::VARCHAR AS operator, ?::DATE AS delivery_month,
               t.source_file, ?::TIMESTAMP AS loaded_at
        {loaded}
        """,
        [*slice_params, loaded_at],
    )
    if not quarantined:
        return changes
    con.execute(
        f"""
        INSERT INTO quarantine.{extract} BY NAME
        SELECT q.*, ?::VARCHAR AS operator, ?::DATE AS delivery_month
        FROM ({quarantine_rows(extract)}) q
        """,
        slice_params,
    )
    return changes


def ingest_landing(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    *,
    months: set[date] | None = None,
    operators: set[str] | None = None,
    key: bytes | None = None,
    progress: Callable[[str], object] = print,
) -> list[DeliveryResult]:
    """Ingest every delivery found under `landing` (optionally some months / operators).

    Files of an operator's folder that break the layout come last, each as a `rejected`
    result (rule `misnamed_file`) so that the run fails until they are renamed; they are
    not audited: no (operator, month, extract) slice can be told for sure.
    """
    ensure_staging(con)
    lookups = Lookups.from_warehouse(con)
    current = audit.all_current_hashes(con)
    rejections = audit.latest_rejections(con)
    file_hashes = FileHashes.from_warehouse(con)
    results = []
    deliveries = list(discover_deliveries(landing, months=months, operators=operators))
    for done, delivery in enumerate(deliveries, 1):
        result = ingest_delivery(con, delivery, key=key, lookups=lookups, current=current,
                                 rejections=rejections, file_hashes=file_hashes)
        speed = rate(result.rows_read, result.seconds) if result.changed else ""
        progress(f"[{done}/{len(deliveries)}] {result.describe()} "
                 f"({result.seconds:.1f} s{', ' + speed if speed else ''})")
        results.append(result)
    file_hashes.save(con)
    for skipped in misnamed_files(landing, months=months, operators=operators):
        result = misnamed_result(skipped)
        progress(result.describe())
        results.append(result)
    return results


def misnamed_result(skipped: Misnamed) -> DeliveryResult:
    """A misnamed file as a rejected result: reported like a rejected delivery."""
    return DeliveryResult(skipped.operator, skipped.month, skipped.extract, "rejected",
                          message=f"not read: {skipped.problem}", rule="misnamed_file",
                          source=skipped.source_file)
