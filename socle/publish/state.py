"""What the working database still owes the published one.

Two facts, each written in the transaction that makes it true, so that a run killed at any
moment leaves a state the next run completes from:

- `meta.computed_through`: the latest `loaded_at` of the deliveries whose effects the
  indicator values already include; deliveries loaded after it make their months stale;
- `meta.unpublished`: months whose values changed since they were last published;
- `meta.published_audit`: the audit as last published, to republish when it changed
  (a rejected delivery changes no value but must be seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import duckdb

from socle.warehouse import scalar, transaction

STATE_DDL = (
    "CREATE SCHEMA IF NOT EXISTS meta",
    "CREATE TABLE IF NOT EXISTS meta.computed_through (loaded_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS meta.unpublished (period DATE PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS meta.published_audit (fingerprint VARCHAR)",
)


def ensure_state(con: duckdb.DuckDBPyConnection) -> None:
    for statement in STATE_DDL:
        con.execute(statement)


def changes_since_computed(
    con: duckdb.DuckDBPyConnection,
) -> tuple[list[date | None], datetime | None]:
    """The `changes_from` of each delivery loaded since the values were last computed (None:
    it changed nothing), and the latest `loaded_at` of the audit (what computing them brings
    us to). Reads only: a sensor asks on a read-only connection."""
    since = (scalar(con, "SELECT max(loaded_at) FROM meta.computed_through")
             if _exists(con, "computed_through") else None)
    changed, latest = con.execute(
        """SELECT list(changes_from ORDER BY loaded_at)
                  FILTER (WHERE status <> 'rejected' AND (? IS NULL OR loaded_at > ?)),
                  max(loaded_at)
           FROM audit.deliveries""",
        [since, since],
    ).fetchall()[0]
    return list(changed or []), latest


def mark_computed(
    con: duckdb.DuckDBPyConnection, periods: Iterable[date], through: datetime | None
) -> None:
    """Record, in one transaction, that `periods` await publication and that deliveries up
    to `through` are computed."""
    ensure_state(con)
    with transaction(con):
        for period in periods:
            con.execute("INSERT OR IGNORE INTO meta.unpublished VALUES (?)", [period])
        if through is not None:
            con.execute("DELETE FROM meta.computed_through")
            con.execute("INSERT INTO meta.computed_through VALUES (?)", [through])


def unpublished(con: duckdb.DuckDBPyConnection) -> set[date]:
    if not _exists(con, "unpublished"):
        return set()
    return {r[0] for r in con.execute("SELECT period FROM meta.unpublished").fetchall()}


def audit_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a delivery is audited, accepted or not."""
    count, latest = con.execute(
        "SELECT count(*), max(loaded_at) FROM audit.deliveries").fetchall()[0]
    return f"{count}|{latest}"


def published_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    if not _exists(con, "published_audit"):
        return None
    return scalar(con, "SELECT max(fingerprint) FROM meta.published_audit")


def mark_published(
    con: duckdb.DuckDBPyConnection, periods: Iterable[date], fingerprint: str
) -> None:
    ensure_state(con)
    with transaction(con):
        con.execute("DELETE FROM meta.unpublished WHERE list_contains(?, period)",
                    [list(periods)])
        con.execute("DELETE FROM meta.published_audit")
        con.execute("INSERT INTO meta.published_audit VALUES (?)", [fingerprint])


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return scalar(
        con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'meta' AND table_name = ?", [table]) > 0
