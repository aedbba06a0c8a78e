"""Tables of the loaded layer: staging (typed rows), quarantine (text rows), audit (CONTRACT §5)."""

from __future__ import annotations

from datetime import date

import duckdb

import schemas
from schemas.codes import SNAPSHOT_EXTRACTS

AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS audit.deliveries (
    operator VARCHAR NOT NULL,
    delivery_month DATE NOT NULL,
    extract VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    message VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    retry BOOLEAN DEFAULT false,
    changes_from DATE
)
"""
# `changes_from`: the earliest date the delivery's changes touch (null: it changed nothing
# the indicators read); socle/indicators/affected.py computes it and reads it back.
# A change whose date is unknown (a delivery audited before the column existed, or loaded
# while no month had values, when comparing would decide nothing): the earliest date, so
# every loaded month is recomputed.
UNKNOWN_CHANGE = date(1, 1, 1)
# Before `retry` was a column, a rejection to try again was told by its message's opening.
_LEGACY_RETRY_MESSAGE = "rejected (tried again next run): "


def quarantine_ddl(extract: str) -> str:
    """`quarantine.<extract>`: every schema column as delivered (text), reasons, provenance."""
    cols = ", ".join(f"{name} VARCHAR" for name in schemas.column_types(extract))
    return (
        f"CREATE TABLE IF NOT EXISTS quarantine.{extract} ({cols}, reasons VARCHAR NOT NULL, "
        "operator VARCHAR NOT NULL, delivery_month DATE NOT NULL, "
        "source_file VARCHAR NOT NULL, line_number BIGINT NOT NULL)"
    )


def ensure_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Create every `staging.<extract>`, `quarantine.<extract>` and `audit.deliveries`."""
    for schema in ("staging", "quarantine", "audit"):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for extract in schemas.MODULES:
        con.execute(schemas.staging_ddl(extract))
        con.execute(quarantine_ddl(extract))
    con.execute(AUDIT_DDL)
    _add_retry_column(con)
    _add_changes_from_column(con)


def _add_retry_column(con: duckdb.DuckDBPyConnection) -> None:
    """Give an audit table made before `retry` existed the column, set from the wording its
    messages then had (the same definition as in AUDIT_DDL: DuckDB adds no NOT NULL column)."""
    [(has,)] = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'audit' AND table_name = 'deliveries' AND column_name = 'retry'"
    ).fetchall()
    if has:
        return
    con.execute("ALTER TABLE audit.deliveries ADD COLUMN IF NOT EXISTS retry BOOLEAN DEFAULT false")
    con.execute("UPDATE audit.deliveries SET retry = coalesce(starts_with(message, ?), false)",
                [_LEGACY_RETRY_MESSAGE])


def _add_changes_from_column(con: duckdb.DuckDBPyConnection) -> None:
    """Give an audit table made before `changes_from` existed the column: an event delivery
    changes from its month; what a snapshot delivery changed is unknown: from the earliest
    date, so one not computed yet recomputes every month (as snapshots then did)."""
    [(has,)] = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'audit' AND table_name = 'deliveries' "
        "AND column_name = 'changes_from'").fetchall()
    if has:
        return
    con.execute("ALTER TABLE audit.deliveries ADD COLUMN IF NOT EXISTS changes_from DATE")
    con.execute("UPDATE audit.deliveries SET changes_from = CASE WHEN list_contains(?, extract) "
                "THEN ?::DATE ELSE delivery_month END WHERE status <> 'rejected'",
                [sorted(SNAPSHOT_EXTRACTS), UNKNOWN_CHANGE])
