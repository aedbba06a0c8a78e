"""The analysts' database: a new DuckDB file copied from the working one, moved into place
whole. Readers of the previous file keep it, consistent, until they close it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from socle.export.files import code_version, source_deliveries
from socle.warehouse import scalar

PUBLISHED_SCHEMAS = ("ref", "audit", "indicators")
# Pseudonymised row-level data is personal data: published only where an installation asks.
ROW_LEVEL_SCHEMAS = ("staging", "quarantine")

PUBLICATION_DDL = """
CREATE TABLE snap.meta.publication (
    published_at TIMESTAMP NOT NULL,           -- UTC
    code_version VARCHAR NOT NULL,
    deliveries_through TIMESTAMP,              -- latest loaded_at the figures include
    row_level BOOLEAN NOT NULL,
    deliveries STRUCT(operator VARCHAR, month VARCHAR, extract VARCHAR,
                      source_file VARCHAR, sha256 VARCHAR, status VARCHAR)[] NOT NULL
)"""


def build_snapshot(
    work: duckdb.DuckDBPyConnection, target: Path, *, row_level: bool = False
) -> None:
    """Write the published database to `target` (a new file) from the working database."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    Path(f"{target}.wal").unlink(missing_ok=True)
    schemas = PUBLISHED_SCHEMAS + (ROW_LEVEL_SCHEMAS if row_level else ())
    work.execute(f"ATTACH '{target}' AS snap")
    try:
        tables = work.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND list_contains(?, schema_name) "
            "ORDER BY ALL",
            [list(schemas)],
        ).fetchall()
        for schema in (*schemas, "meta"):
            work.execute(f"CREATE SCHEMA snap.{schema}")
        for schema, table in tables:
            work.execute(f'CREATE TABLE snap.{schema}."{table}" AS '
                         f'SELECT * FROM {schema}."{table}"')
        work.execute(PUBLICATION_DDL)
        through = scalar(work, "SELECT max(loaded_at) FROM audit.deliveries")
        work.execute(
            "INSERT INTO snap.meta.publication VALUES (?, ?, ?, ?, ?)",
            [datetime.now(UTC).replace(tzinfo=None, microsecond=0), code_version(), through,
             row_level, source_deliveries(work)],
        )
        work.execute("CHECKPOINT snap")
    finally:
        work.execute("DETACH snap")
    fsync(target)


def fsync(path: Path) -> None:
    """Flush a file's bytes (or, for a folder, its renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
