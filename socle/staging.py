"""Tables of the loaded layer: staging (typed rows), quarantine (text rows), audit (CONTRACT §5)."""

from __future__ import annotations

import duckdb

import schemas

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
    loaded_at TIMESTAMP NOT NULL
)
"""


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
